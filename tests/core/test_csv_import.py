"""Reading import files without a database: the header, the cells' dates, repeated records, who may import what;
and the setup records' field rules (NPI check digit, amounts exact to the cent), on generated values too."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dermbill.core.access import Role
from dermbill.core.csv_import import (
    KINDS,
    cell_values,
    header_problems,
    key_of,
    kinds_allowed,
    parse_date,
    read_table,
    records_of,
)
from dermbill.core.errors import InvalidFields
from dermbill.core.identifiers import npi_check_digit
from dermbill.core.money import Money
from dermbill.core.patient_edits import account_number_problem, new_coverage, new_patient
from dermbill.core.practice_setup import new_fee, new_location, new_payer, new_practice, new_provider

TODAY = datetime.date(2026, 3, 2)
PATIENT = {"last_name": "TEST", "first_name": "ALPHA", "date_of_birth": "1950-01-31", "sex": "f",
           "address_line1": "2 TEST ST", "city": "ANYTOWN", "state": "pa", "zip_code": "19099"}
PROVIDER = {"npi": "1234567893", "last_name": "TESTDOC", "first_name": "ANN", "taxonomy": "207n00000x"}


def problems(call: Any, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
    with pytest.raises(InvalidFields) as refused:
        call(*args, **kwargs)
    return [(p.field, p.message) for p in refused.value.problems]


def test_lines_are_counted_as_a_spreadsheet_shows_them() -> None:
    table = read_table("\ufeffaccount_number,last_name\n\nA-1,\"DOE,\nJR\"\nA-2,SMITH,EXTRA\n")
    assert table.header == ("account_number", "last_name")
    assert [line for line, _ in table.records] == [3, 4]  # the blank line 2 counts; a quoted line break does not
    [(_, first, extra_first), (_, second, extra_second)] = list(records_of(KINDS["patients"], table))
    assert first == {"account_number": "A-1", "last_name": "DOE,\nJR"} and extra_first == 0
    assert second["last_name"] == "SMITH" and extra_second == 1


def test_unknown_repeated_and_missing_columns_are_reported_once_at_line_one() -> None:
    found = header_problems(KINDS["coverages"], ["Account Number", "payer", "member_idd", "payer",
                                                 "coverage_order", "effective_date"], practice_chosen=True)
    assert [(p.line, p.column, p.reason) for p in found] == [
        (1, "member_idd", "is not a column of a coverages file"), (1, "payer", "the column appears twice"),
        (1, "member_id", "the column is missing")]
    assert "rename it to one of practice, account_number, payer, member_id" in found[0].fix
    assert [p.column for p in header_problems(KINDS["patients"], KINDS["patients"].column_names[1:],
                                              practice_chosen=False)] == ["practice"]
    assert header_problems(KINDS["payers"], KINDS["payers"].column_names, practice_chosen=False) == []


@pytest.mark.parametrize(("text", "day"), [
    ("2026-01-31", datetime.date(2026, 1, 31)), ("01/31/2026", datetime.date(2026, 1, 31)),
    ("1/2/2026", datetime.date(2026, 1, 2)), (" 2026-02-28 ", datetime.date(2026, 2, 28)),
    ("31/01/2026", None), ("2026-02-30", None), ("02/30/2026", None), ("2026/01/31", None), ("20260131", None),
    ("Jan 31 2026", None),
])
def test_dates_are_iso_or_us_month_first(text: str, day: datetime.date | None) -> None:
    assert parse_date(text) == day


@given(st.dates(min_value=datetime.date(1800, 1, 1), max_value=datetime.date(9999, 12, 31)))
def test_every_date_reads_back_in_both_forms(day: datetime.date) -> None:
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"{day.month:02d}/{day.day:02d}/{day.year}") == day


def test_a_cell_that_is_not_a_date_is_a_problem_of_its_line_and_column() -> None:
    values, found = cell_values(KINDS["patients"], 7, {"date_of_birth": "13/01/1960", "last_name": " TEST ",
                                                       "email": ""})
    assert values == {"last_name": "TEST", "email": None}
    [(line, column, reason)] = [(p.line, p.column, p.reason) for p in found]
    assert (line, column) == (7, "date_of_birth") and "is not a date" in reason
    assert "YYYY-MM-DD or MM/DD/YYYY" in found[0].fix


def test_a_record_key_ignores_case_and_member_id_hyphens() -> None:
    kind = KINDS["coverages"]
    a = key_of(kind, {"account_number": "a-1", "payer": "tstmcr", "member_id": "1EG4-TE5-MK72"}, "north")
    b = key_of(kind, {"account_number": "A-1", "payer": "TSTMCR", "member_id": "1eg4te5mk72"}, "NORTH")
    assert a == b
    assert key_of(kind, {"account_number": "A-2", "payer": "TSTMCR", "member_id": "1EG4TE5MK72"}, "NORTH") != a


def test_who_may_import_what() -> None:
    assert kinds_allowed({Role.MANAGER}) == ["fee-schedules", "contracted-rates", "patients", "coverages",
                                                 "appointments"]
    assert kinds_allowed({Role.ADMINISTRATOR}) == ["practices", "payers", "providers", "locations", "fee-schedules",
                                                   "contracted-rates"]
    assert kinds_allowed({Role.FRONT_DESK}) == [] and kinds_allowed({Role.AUDITOR}) == []
    assert set(kinds_allowed({Role.MANAGER, Role.ADMINISTRATOR})) == set(KINDS)


def test_a_new_patient_needs_every_required_field_and_each_is_checked() -> None:
    made = new_patient("patient A-1", PATIENT, as_of=TODAY)
    assert (made.sex, made.state, made.date_of_birth, made.phone) == ("F", "PA", datetime.date(1950, 1, 31), None)
    found = problems(new_patient, "patient A-1", {**PATIENT, "first_name": None, "zip_code": "1909", "ssn": "1"},
                     as_of=TODAY)
    assert [field for field, _ in found] == ["ssn", "first_name", "zip_code"]
    assert problems(new_patient, "p", {**PATIENT, "date_of_birth": "2026-03-03"}, as_of=TODAY) == [
        ("date_of_birth", "2026-03-03 is after today (2026-03-02)")]


def test_a_new_coverage_defaults_to_self_and_checks_across_fields() -> None:
    coverage = {"payer": "TSTMCR", "member_id": "1eg4-te5-mk72", "coverage_order": "primary",
                "effective_date": datetime.date(2026, 1, 1)}
    made = new_coverage("c", coverage, payers={"TSTMCR"}, medicare_payers={"TSTMCR"}, as_of=TODAY)
    assert (made.relationship_code, made.member_id) == ("18", "1EG4TE5MK72")
    found = problems(new_coverage, "c", {**coverage, "member_id": "ABC123", "relationship_code": "01",
                                         "termination_date": datetime.date(2025, 1, 1)},
                     payers={"TSTMCR"}, medicare_payers={"TSTMCR"}, as_of=TODAY)
    assert [field for field, _ in found] == ["termination_date", "member_id", "subscriber_last_name"]
    assert problems(new_coverage, "c", {**coverage, "payer": "NOPE"}, payers={"TSTMCR"}, medicare_payers=(),
                    as_of=TODAY)[0][0] == "payer"


@pytest.mark.parametrize(("text", "ok"), [("A-10001", True), ("12345", True), ("MRN.7/2_b", True), ("", False),
                                          ("A 1", False), ("X" * 21, False), ("-A", False)])
def test_account_numbers(text: str, ok: bool) -> None:
    assert (account_number_problem(text) is None) is ok


@given(st.text(alphabet="0123456789", min_size=9, max_size=9).filter(lambda base: base[0] in "12"))
def test_a_provider_npi_is_accepted_exactly_with_its_check_digit(base: str) -> None:
    right = npi_check_digit(base)
    assert new_provider("p", {**PROVIDER, "npi": f"{base}{right}"}).npi == f"{base}{right}"
    wrong = (right + 1) % 10
    [(field, message)] = problems(new_provider, "p", {**PROVIDER, "npi": f"{base}{wrong}"})
    assert field == "npi" and f"the last digit would be {right}" in message


def test_provider_location_practice_and_payer_rules() -> None:
    provider = new_provider("p", PROVIDER)
    assert (provider.taxonomy, provider.active, provider.credential) == ("207N00000X", True, None)
    assert new_provider("p", {**PROVIDER, "active": "No"}).active is False
    assert [f for f, _ in problems(new_provider, "p", {**PROVIDER, "active": "maybe", "taxonomy": "207N"})] == [
        "taxonomy", "active"]
    location = {"name": "MAIN OFFICE", "place_of_service": "11", "address_line1": "1 TEST ST", "city": "ANYTOWN",
                "state": "PA", "zip_code": "19099"}
    assert new_location("l", location).npi is None
    assert [f for f, _ in problems(new_location, "l", {**location, "place_of_service": "O1", "npi": "1"})] == [
        "place_of_service", "npi"]
    practice = {"code": "NORTH", "legal_name": "NORTH TEST DERMATOLOGY PC", "tin": "12-3456789",
                "billing_npi": "1234567893", "taxonomy": "207N00000X", **{k: location[k] for k in (
                    "address_line1", "city", "state", "zip_code")}}
    assert new_practice("p", practice).tin == "123456789"
    [(field, message)] = problems(new_practice, "p", {**practice, "pay_to_address_line1": "PO BOX 1"})
    assert field == "pay_to_city" and "a complete address" in message
    payer = {"payer_identifier": "TSTMCR", "name": "TEST MEDICARE", "kind": "Medicare",
             "claim_filing_indicator_code": "mb", "timely_filing_days": "365"}
    made = new_payer("p", payer)
    assert (made.kind, made.claim_filing_indicator_code, made.timely_filing_days) == ("medicare", "MB", 365)
    assert [f for f, _ in problems(new_payer, "p", {**payer, "kind": "hmo", "claim_filing_indicator_code": "XX",
                                                    "timely_filing_days": "0"})] == [
        "kind", "claim_filing_indicator_code", "timely_filing_days"]


@pytest.mark.parametrize(("text", "cents"), [("150", 15000), ("150.00", 15000), ("$1,250.50", 125050),
                                             ("0.5", 50), ("98.40", 9840)])
def test_fee_amounts_are_exact(text: str, cents: int) -> None:
    assert new_fee("f", {"procedure_code": "11102", "amount": text}).amount == Money(cents)


@pytest.mark.parametrize("text", ["1.005", "-1.00", "1e3", "12,34", "ten", "1000000.00"])
def test_fee_amounts_that_are_refused(text: str) -> None:
    [(field, _)] = problems(new_fee, "f", {"procedure_code": "11102", "amount": text})
    assert field == "amount"


@given(st.decimals(min_value=0, max_value=Decimal("999999.99"), places=2, allow_nan=False, allow_infinity=False))
def test_every_amount_in_cents_reads_back_exactly(amount: Decimal) -> None:
    fee = new_fee("f", {"procedure_code": "j3301", "modifier": "tc", "amount": f"{amount:.2f}"})
    assert fee.amount.to_decimal() == amount and (fee.procedure_code, fee.modifier) == ("J3301", "TC")


@given(st.decimals(min_value=0, max_value=Decimal("999999.99"), places=3, allow_nan=False, allow_infinity=False)
       .filter(lambda d: d * 100 != (d * 100).to_integral_value()))
def test_a_fraction_of_a_cent_is_never_rounded(amount: Decimal) -> None:
    [(field, message)] = problems(new_fee, "f", {"procedure_code": "11102", "amount": f"{amount:.3f}"})
    assert field == "amount" and "fractions of a cent" in message


def test_the_documentation_lists_every_column_of_every_kind_and_each_sample_has_the_columns() -> None:
    from pathlib import Path

    docs = Path(__file__).resolve().parents[2] / "docs"
    text = (docs / "import-formats.md").read_text(encoding="utf-8")
    for name, kind in KINDS.items():
        section = text[text.index(f"\n### {name}\n"):]
        section = section[:section.find("\n### ", 5) if "\n### " in section[5:] else len(section)]
        for column in kind.columns:
            assert f"| `{column.name}` | {'yes' if column.required else ''} |" in section, (name, column.name)
        sample = read_table((docs / "samples" / f"{name}.csv").read_text(encoding="utf-8"))
        assert header_problems(kind, sample.header, practice_chosen=False) == [], name
