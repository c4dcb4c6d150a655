"""Demographics and coverage changes are checked whole: each problem names its field; nothing applies on one."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from dermbill.core.errors import InvalidFields
from dermbill.core.patient_edits import CoverageValues, PatientValues, changed, edited_coverage, edited_patient

TODAY = datetime.date(2026, 3, 2)
PATIENT = PatientValues("DOE", "JANE", None, datetime.date(1950, 1, 1), "F", "2 TEST ST", None, "ANYTOWN", "PA",
                        "19099", None, None)
COVERAGE = CoverageValues("TSTMCR", "1EG4TE5MK72", None, "primary", "18", None, None, None, None,
                          datetime.date(2026, 1, 1), None)
PAYERS = {"TSTMCR", "TSTCOM"}


def patient_problems(changes: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(InvalidFields) as refused:
        edited_patient("patient A-1", PATIENT, changes, as_of=TODAY)
    assert refused.value.summary == "patient A-1 was not changed"
    return [(p.field, p.message) for p in refused.value.problems]


def coverage_problems(changes: dict[str, Any], current: CoverageValues = COVERAGE) -> list[tuple[str, str]]:
    with pytest.raises(InvalidFields) as refused:
        edit_coverage(changes, current)
    return [(p.field, p.message) for p in refused.value.problems]


def edit_coverage(changes: dict[str, Any], current: CoverageValues = COVERAGE) -> CoverageValues:
    return edited_coverage("the primary coverage", current, changes, payers=PAYERS, medicare_payers={"TSTMCR"},
                           as_of=TODAY)


def test_demographics_change_only_the_fields_named_and_are_normalised() -> None:
    after = edited_patient("patient A-1", PATIENT, {"last_name": " O'Neil-Smith ", "zip_code": "19103-1234",
                                                    "phone": "(215) 555-0100", "state": "nj", "sex": "m",
                                                    "email": "Jane@Example.TEST", "middle_name": None},
                           as_of=TODAY)
    assert (after.last_name, after.zip_code, after.phone, after.state, after.sex, after.email) == (
        "O'Neil-Smith", "191031234", "2155550100", "NJ", "M", "jane@example.test")
    assert after.first_name == "JANE"
    before, now = changed(PATIENT, after)
    assert before == {"last_name": "DOE", "sex": "F", "state": "PA", "zip_code": "19099", "phone": None,
                      "email": None}
    assert now["zip_code"] == "191031234"


@pytest.mark.parametrize(("field", "value", "words"), [
    ("last_name", "", "may not be empty"), ("last_name", None, "may not be empty"),
    ("first_name", "J4NE", "is not a name"), ("last_name", "X" * 61, "up to 60"),
    ("date_of_birth", "2026-03-03", "is after today (2026-03-02)"),
    ("date_of_birth", "1890-01-01", "more than 130 years ago"), ("date_of_birth", "1950-02-30", "is not a date"),
    ("sex", "X", "is not F, M or U"), ("state", "ZZ", "not a US state"), ("zip_code", "1910", "five or nine"),
    ("phone", "555-0100", "ten digits"), ("email", "jane@", "not an e-mail"), ("city", None, "may not be empty"),
    ("address_line1", "2 TEST ST; DROP", "not an address line"), ("ssn", "1", "is not a field that can be changed"),
])
def test_each_demographic_rule(field: str, value: Any, words: str) -> None:
    [(named, message)] = patient_problems({field: value})
    assert named == field and words in message


def test_every_demographic_problem_at_once_and_an_empty_change() -> None:
    assert [f for f, _ in patient_problems({"sex": "Q", "state": "XX", "zip_code": "1"})] == ["sex", "state",
                                                                                               "zip_code"]
    assert patient_problems({})[0][0] == "body"


def test_a_member_id_change_and_the_medicare_identifier_format() -> None:
    assert edit_coverage({"member_id": "1eg4-te5-mk73"}).member_id == "1EG4TE5MK73"
    assert edit_coverage({"payer": "TSTCOM", "member_id": "T-COM1"}).payer == "TSTCOM"
    [(field, message)] = coverage_problems({"member_id": "WRONG1EG4TE5MK72"})
    assert field == "member_id" and "not a Medicare Beneficiary Identifier" in message
    [(field, message)] = coverage_problems({"member_id": "A B"})
    assert field == "member_id" and "not a member ID" in message
    commercial = edit_coverage({"payer": "TSTCOM", "member_id": "tcom123456789"})
    assert commercial.member_id == "tcom123456789"  # only Medicare's identifier has a known form


def test_coverage_rules_each_name_their_field() -> None:
    assert coverage_problems({"payer": "NOPE"}) == [
        ("payer", "'NOPE' is not one of the billing company's payers (payer IDs: TSTCOM, TSTMCR)")]
    assert coverage_problems({"coverage_order": "fourth"})[0][0] == "coverage_order"
    assert coverage_problems({"relationship_code": "99"})[0][0] == "relationship_code"
    assert coverage_problems({"effective_date": "soon"})[0] == ("effective_date", "'soon' is not a date (YYYY-MM-DD)")
    assert coverage_problems({"termination_date": "2025-12-31"}) == [
        ("termination_date", "2025-12-31 is before the effective date (2026-01-01)")]
    assert coverage_problems({"relationship_code": "01"})[0][0] == "subscriber_last_name"
    spouse = edit_coverage({"relationship_code": "01", "subscriber_last_name": "DOE", "subscriber_first_name": "JOHN",
                            "subscriber_sex": "m", "subscriber_date_of_birth": "1948-05-05"})
    assert (spouse.subscriber_sex, spouse.subscriber_date_of_birth) == ("M", datetime.date(1948, 5, 5))
    assert coverage_problems({"member_id": None})[0] == ("member_id", "may not be empty")
    assert edit_coverage({"group_number": None, "termination_date": "2026-12-31"}).termination_date == \
        datetime.date(2026, 12, 31)
