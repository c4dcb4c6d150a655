"""Reason codes, remark codes and the root-cause category of an adjustment."""

from __future__ import annotations

import datetime

import pytest

from dermbill.core.denial_codes import DenialCategory, DenialCodeTable, ReasonCode
from dermbill.core.errors import InvalidInput
from dermbill.reference.denial_codes import denial_code_table

CATEGORY_CASES = [
    ("CO", "27", [], DenialCategory.ELIGIBILITY_COVERAGE),
    ("CO", "197", ["M62"], DenialCategory.AUTHORIZATION),
    ("CO", "97", ["M15"], DenialCategory.CODING_BUNDLING),
    ("CO", "4", [], DenialCategory.MODIFIERS),
    ("CO", "50", ["N115"], DenialCategory.MEDICAL_NECESSITY),
    ("CO", "18", ["M86"], DenialCategory.DUPLICATE),
    ("CO", "29", ["N211"], DenialCategory.TIMELY_FILING),
    ("CO", "16", ["MA130", "M76"], DenialCategory.MISSING_INFORMATION),
    ("CO", "96", ["N425"], DenialCategory.NON_COVERED),
    ("CO", "45", [], DenialCategory.CONTRACTUAL),
    ("PR", "2", [], DenialCategory.PATIENT_RESPONSIBILITY),
    ("CO", "ZZ9", [], DenialCategory.UNKNOWN),
]


def _tiny_table() -> DenialCodeTable:
    carcs = [
        ReasonCode("CARC", "16", DenialCategory.MISSING_INFORMATION, "something is missing"),
        ReasonCode("CARC", "45", DenialCategory.CONTRACTUAL, "above the fee schedule"),
        ReasonCode("CARC", "96", DenialCategory.NON_COVERED, "not covered"),
        ReasonCode("CARC", "A1", DenialCategory.UNKNOWN, "denied; the remark says why"),
    ]
    rarcs = [
        ReasonCode("RARC", "M62", DenialCategory.AUTHORIZATION, "authorization number missing"),
        ReasonCode("RARC", "M76", DenialCategory.MISSING_INFORMATION, "diagnosis missing"),
        ReasonCode("RARC", "N211", None, "alert: no appeal"),
    ]
    return DenialCodeTable(carcs, rarcs)


def test_every_category_has_a_mapping_case() -> None:
    assert {case[3] for case in CATEGORY_CASES} == set(DenialCategory)


@pytest.mark.parametrize(("group", "carc", "rarcs", "expected"), CATEGORY_CASES)
def test_adjustment_category_with_the_shipped_table(group: str, carc: str, rarcs: list[str],
                                                     expected: DenialCategory) -> None:
    assert denial_code_table().category_with_remarks(group, carc, rarcs) is expected


def test_denial_under_group_pr_keeps_the_carcs_category() -> None:
    table = denial_code_table()
    assert table.category("PR", "96") is DenialCategory.NON_COVERED
    assert table.category("PR", "204") is DenialCategory.NON_COVERED
    assert table.category("PR", "50") is DenialCategory.MEDICAL_NECESSITY


def test_patient_share_is_patient_responsibility_and_not_a_denial() -> None:
    table = denial_code_table()
    for carc in ("1", "2", "3"):
        category = table.category("PR", carc)
        assert category is DenialCategory.PATIENT_RESPONSIBILITY
        assert not category.is_denial


def test_pricing_reductions_are_contractual_and_not_denials() -> None:
    table = denial_code_table()
    for carc in ("23", "42", "45", "59", "131", "144", "253"):
        assert table.category("CO", carc) is DenialCategory.CONTRACTUAL, carc
        assert table.category("OA", carc) is DenialCategory.CONTRACTUAL, carc
    assert not DenialCategory.CONTRACTUAL.is_denial


def test_a_pricing_reduction_the_patient_owes_is_patient_responsibility() -> None:
    assert denial_code_table().category("PR", "45") is DenialCategory.PATIENT_RESPONSIBILITY


def test_group_code_is_read_without_regard_to_case_or_spaces() -> None:
    assert denial_code_table().category(" pr ", "45") is DenialCategory.PATIENT_RESPONSIBILITY


def test_missing_information_is_refined_by_an_authorization_remark() -> None:
    table = denial_code_table()
    assert table.category_with_remarks("CO", "16", ["M62"]) is DenialCategory.AUTHORIZATION
    assert table.category_with_remarks("CO", "16", ["MA130", "M62"]) is DenialCategory.AUTHORIZATION
    assert table.category_with_remarks("CO", "16", ["N54"]) is DenialCategory.AUTHORIZATION


def test_missing_information_without_a_specific_remark_stays_missing_information() -> None:
    table = denial_code_table()
    assert table.category_with_remarks("CO", "16", []) is DenialCategory.MISSING_INFORMATION
    assert table.category_with_remarks("CO", "16", ["N211", "ZZ77"]) is DenialCategory.MISSING_INFORMATION


def test_a_specific_carc_is_not_overridden_by_its_remarks() -> None:
    table = denial_code_table()
    assert table.category_with_remarks("CO", "97", ["M144"]) is DenialCategory.CODING_BUNDLING
    assert table.category_with_remarks("CO", "45", ["M62"]) is DenialCategory.CONTRACTUAL
    assert table.category_with_remarks("PR", "2", ["N425"]) is DenialCategory.PATIENT_RESPONSIBILITY


def test_the_first_specific_remark_wins() -> None:
    table = denial_code_table()
    assert table.category_with_remarks("CO", "16", ["M76", "N425", "M62"]) is DenialCategory.NON_COVERED


def test_generic_denial_a1_takes_its_remarks_category() -> None:
    table = denial_code_table()
    assert table.category("CO", "A1") is DenialCategory.UNKNOWN
    assert table.category_with_remarks("CO", "A1", ["N115"]) is DenialCategory.MEDICAL_NECESSITY
    assert table.category_with_remarks("CO", "A1", ["M76"]) is DenialCategory.MISSING_INFORMATION
    assert table.category_with_remarks("CO", "A1", ["MA18"]) is DenialCategory.UNKNOWN


def test_unknown_carc_is_unknown_under_every_group_and_refined_by_a_remark() -> None:
    table = denial_code_table()
    assert table.category("PR", "ZZ9") is DenialCategory.UNKNOWN
    assert table.category_with_remarks("CO", "ZZ9", ["M62"]) is DenialCategory.AUTHORIZATION


def test_unknown_carc_lookup_never_fails_and_keeps_the_code() -> None:
    table = denial_code_table()
    entry = table.carc("z9")
    assert entry.kind == "CARC"
    assert entry.code == "Z9"
    assert entry.category is DenialCategory.UNKNOWN
    assert entry.description == "unknown reason code 'Z9': not in dermbill's list; see the payer's remittance"
    assert not table.is_known_carc("Z9")


def test_unknown_rarc_lookup_never_fails_keeps_the_code_and_has_no_category() -> None:
    table = denial_code_table()
    entry = table.rarc("N9999")
    assert entry.kind == "RARC"
    assert entry.code == "N9999"
    assert entry.category is None
    assert "unknown" in entry.description and "'N9999'" in entry.description
    assert not table.is_known_rarc("N9999")


def test_known_codes_are_found_by_their_code() -> None:
    table = denial_code_table()
    assert table.is_known_carc("97") and table.is_known_carc(" b7 ")
    assert table.is_known_rarc("MA130")
    assert table.carc("97").category is DenialCategory.CODING_BUNDLING
    assert table.rarc("MA18").category is None


@pytest.mark.parametrize(("category", "label", "is_denial"), [
    (DenialCategory.ELIGIBILITY_COVERAGE, "Eligibility and coverage", True),
    (DenialCategory.AUTHORIZATION, "Authorization", True),
    (DenialCategory.CODING_BUNDLING, "Coding and bundling", True),
    (DenialCategory.MODIFIERS, "Modifiers", True),
    (DenialCategory.MEDICAL_NECESSITY, "Medical necessity", True),
    (DenialCategory.DUPLICATE, "Duplicate", True),
    (DenialCategory.TIMELY_FILING, "Timely filing", True),
    (DenialCategory.MISSING_INFORMATION, "Missing or invalid information", True),
    (DenialCategory.NON_COVERED, "Non-covered or cosmetic", True),
    (DenialCategory.CONTRACTUAL, "Contractual (not a denial)", False),
    (DenialCategory.PATIENT_RESPONSIBILITY, "Patient responsibility (not a denial)", False),
    (DenialCategory.UNKNOWN, "Unknown code", True),
])
def test_category_label_and_whether_it_is_a_denial(category: DenialCategory, label: str, is_denial: bool) -> None:
    assert category.label == label
    assert category.is_denial is is_denial


def test_category_values_are_the_stored_names() -> None:
    assert [c.value for c in DenialCategory] == [
        "eligibility_coverage", "authorization", "coding_bundling", "modifiers", "medical_necessity", "duplicate",
        "timely_filing", "missing_information", "non_covered", "contractual", "patient_responsibility", "unknown",
    ]
    assert DenialCategory("non_covered") == "non_covered"


def test_reason_code_in_effect_includes_both_ends() -> None:
    code = ReasonCode("CARC", "42", DenialCategory.CONTRACTUAL, "retired", datetime.date(1995, 1, 1),
                      datetime.date(2007, 5, 31))
    assert code.in_effect(datetime.date(1995, 1, 1))
    assert code.in_effect(datetime.date(2007, 5, 31))
    assert not code.in_effect(datetime.date(2007, 6, 1))
    assert not code.in_effect(datetime.date(1994, 12, 31))


def test_reason_code_with_open_dates_is_always_in_effect() -> None:
    code = ReasonCode("RARC", "N211", None, "alert")
    assert code.in_effect(datetime.date(1990, 1, 1)) and code.in_effect(datetime.date(2099, 1, 1))


def test_shipped_retired_carc_42_is_not_in_effect_after_its_stop_date() -> None:
    entry = denial_code_table().carc("42")
    assert entry.in_effect(datetime.date(2007, 5, 31))
    assert not entry.in_effect(datetime.date(2026, 1, 1))
    assert denial_code_table().carc("45").in_effect(datetime.date(2026, 1, 1))


def test_reason_code_rejects_impossible_values() -> None:
    with pytest.raises(InvalidInput, match="needs a category"):
        ReasonCode("CARC", "16", None, "missing")
    with pytest.raises(InvalidInput, match="ends"):
        ReasonCode("CARC", "16", DenialCategory.MISSING_INFORMATION, "x", datetime.date(2020, 1, 2),
                   datetime.date(2020, 1, 1))
    with pytest.raises(InvalidInput, match="not CARC or RARC"):
        ReasonCode("CAS", "16", DenialCategory.MISSING_INFORMATION, "x")  # type: ignore[arg-type]


def test_table_rejects_duplicates_and_the_wrong_kind() -> None:
    entry = ReasonCode("CARC", "16", DenialCategory.MISSING_INFORMATION, "x")
    with pytest.raises(InvalidInput, match="listed twice"):
        DenialCodeTable([entry, entry])
    with pytest.raises(InvalidInput, match="where RARCs are expected"):
        DenialCodeTable(rarcs=[entry])


def test_a_small_table_built_in_code_categorises_the_same_way() -> None:
    table = _tiny_table()
    assert table.category_with_remarks("CO", "16", ["M76", "M62"]) is DenialCategory.AUTHORIZATION
    assert table.category_with_remarks("CO", "A1", ["N211", "M76"]) is DenialCategory.MISSING_INFORMATION
    assert table.category("PR", "45") is DenialCategory.PATIENT_RESPONSIBILITY
    assert table.category("PR", "96") is DenialCategory.NON_COVERED
    assert [c.code for c in table.carcs()] == ["16", "45", "96", "A1"]
    assert [r.code for r in table.rarcs()] == ["M62", "M76", "N211"]
