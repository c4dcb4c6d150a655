"""Rules of the note language found on the independent review notes (tests/notes/REVIEW.md).

Each rule has a sentence it must read and one it must not. The notes are written here for the tests (fake
patients); none is a review note.
"""

from __future__ import annotations

import datetime

from dermbill.notes import code_note, read_note

DAY = datetime.date(2026, 6, 1)


def _codes(text: str, payer: str = "medicare") -> list[tuple[str, int, tuple[str, ...]]]:
    result = code_note(text, date_of_service=DAY, payer=payer, age=70, sex="F")
    assert result.coding is not None, result.error
    return sorted((line.code, line.units, tuple(line.modifiers)) for line in result.coding.lines)


def _lesions(text: str) -> list[dict[str, object]]:
    lesions: list[dict[str, object]] = read_note(text, date_of_service=DAY).encounter["lesions"]
    return lesions


# (1) a number followed by a unit is never a count of lesions
def test_a_number_with_a_unit_is_not_a_count() -> None:
    lesions = _lesions("Shave biopsy of 7 mm pearly papule on the L cheek.")
    assert "count" not in lesions[0]
    assert lesions[0]["diameter_cm"] == 0.7


def test_a_number_of_lesions_on_a_site_is_a_count() -> None:
    lesions = _lesions("Cryotherapy of 7 AKs on the L cheek.")
    assert lesions[0]["count"] == 7


def test_passes_and_blades_are_not_counts() -> None:
    for text in ("ED&C of a BCC of the R upper back x3 cycles.", "Shave removal of irritated SK on the R upper back "
                 "with #11 blade.", "LN2 to one AK on the R upper back, 2 FTC."):
        assert "count" not in _lesions(text)[0], text


def test_lesion_noun_times_n_is_a_count() -> None:
    assert _lesions("LN2 to AKs x3 on the R upper back.")[0]["count"] == 3


# (7) Roman-numeral stages and layers, "sections" for blocks
def test_roman_numeral_layers_are_mohs_stages() -> None:
    text = "Mohs surgery, L temple, SCC (prior bx confirmed).\nLayer I: 6 blocks, positive.\nLayer II: 2 blocks, clear."
    assert _codes(text) == [("17311", 1, ()), ("17312", 1, ()), ("17315", 1, ())]


def test_stage_without_blocks_is_not_read_as_blocks() -> None:
    text = "Mohs surgery, L temple, SCC (prior bx confirmed). Layer I clear."
    reading = read_note(text, date_of_service=DAY)
    assert any(g.field == "stages" for g in reading.gaps)


# a heading in capitals followed by "Site:" is the procedure, not a procedure site's trace
def test_capital_mohs_heading_before_a_site_line_is_mohs() -> None:
    text = ("MOHS MICROGRAPHIC SURGERY\nSite: L upper arm. Dx: invasive SCC (bx 4/12/26).\n"
            "Stage 1: 3 sections. Stage 2: 1 section.")
    assert _codes(text) == [("17313", 1, ()), ("17314", 1, ())]


def test_biopsy_site_is_still_a_trace() -> None:
    text = "Biopsy site L upper arm well healed. Path: SCC."
    assert _codes(text) == []


# the proof written after the diagnosis ("SCC (bx 4/12/26)", "BCC, biopsy proven") makes it proven
def test_dated_biopsy_after_diagnosis_proves_it() -> None:
    text = "Excision of BCC (bx 4/2/26) of the R upper back, 1.0 cm, 4 mm margins."
    assert _lesions(text)[0]["diagnosis"] == "bcc"


def test_undated_suspected_diagnosis_is_not_proven() -> None:
    text = "Shave biopsy of suspected BCC of the R upper back, 1.0 cm."
    assert _lesions(text)[0]["diagnosis"] == "neoplasm_unspecified_behavior"
