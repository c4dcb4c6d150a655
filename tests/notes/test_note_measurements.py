"""Measurements as providers write them, and what each length measures."""

from __future__ import annotations

from decimal import Decimal

from dermbill.notes.measurements import classify_length, find_measures


def test_two_dimensions_give_the_greatest() -> None:
    [m] = find_measures("lesion 1.2 x 0.8 cm on the arm")
    assert (m.kind, m.value, m.dims) == ("length", Decimal("1.2"), (Decimal("1.2"), Decimal("0.8")))


def test_millimetres_become_centimetres() -> None:
    [m] = find_measures("a 12mm nodule")
    assert m.value == Decimal("1.2")


def test_square_centimetres_are_an_area() -> None:
    for text in ("defect 8.5 sq cm", "8.5 cm2 total", "8.5 cm² flap"):
        [m] = find_measures(text)
        assert (m.kind, m.value) == ("area", Decimal("8.5")), text


def test_dimensions_in_square_centimetres_multiply() -> None:
    [m] = find_measures("3 x 2 sq cm")
    assert (m.kind, m.value) == ("area", Decimal(6))


def test_dose_volume_and_concentration() -> None:
    kinds = [(m.kind, m.value) for m in find_measures("Kenalog 10 mg/mL, 0.3 cc; total 3 mg")]
    assert kinds == [("concentration", Decimal(10)), ("volume", Decimal("0.3")), ("dose", Decimal(3))]


def test_a_number_without_a_unit_is_not_a_measurement() -> None:
    assert find_measures("stage 2 of 3, 4 blocks, 2019") == []


def test_spans_point_at_the_measurement() -> None:
    text = "Excised with 4 mm margins."
    [m] = find_measures(text)
    assert text[m.start:m.end] == "4 mm"


def _kind(text: str) -> str:
    [m] = [m for m in find_measures(text) if m.kind == "length"]
    return classify_length(text, m)


def test_margin_words_after_and_before() -> None:
    assert _kind("excised with 4 mm margins") == "margin"
    assert _kind("margins of 0.4 cm") == "margin"
    assert _kind("narrowest margin 0.2 cm") == "margin"


def test_a_lesion_size_is_not_a_margin() -> None:
    assert _kind("0.6 cm pearly papule") == "lesion"
    assert _kind("lesion measured 1.2 x 0.8 cm") == "lesion"


def test_repair_length() -> None:
    assert _kind("layered closure 3.2 cm") == "repair"
    assert _kind("repaired; length 3.2 cm") == "repair"
    assert _kind("a 2.5 cm intermediate closure") == "repair"


def test_defect_and_excised_diameter() -> None:
    assert _kind("final defect 2.5 x 1.5 cm") == "defect"
    assert _kind("excised diameter 1.7 cm") == "excised"


def test_a_measure_list_given_out_is_the_callers_own() -> None:
    # the answers are kept for the reader's repeated questions: changing one list changes no later answer
    first = find_measures("Lesion 1.2 x 0.8 cm; margins four millimeters", 10)
    first.clear()
    again = find_measures("Lesion 1.2 x 0.8 cm; margins four millimeters", 10)
    assert [(m.kind, m.value, m.start) for m in again] == [("length", Decimal("1.2"), 17),
                                                           ("length", Decimal("0.4"), 39)]


def test_measures_without_a_digit_or_without_a_spelled_unit() -> None:
    assert [m.value for m in find_measures("one point five centimeters, no digits")] == [Decimal("1.5")]
    assert [m.value for m in find_measures("0.3 cc of 40 mg/mL, spelled units none")] == [Decimal("0.3"),
                                                                                          Decimal("40")]
    assert find_measures("a scar, no measurement") == []
