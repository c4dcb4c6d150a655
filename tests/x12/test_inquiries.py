"""270 and 276 writers: golden files, envelopes that add up, and the facts they ask about read back."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from dermbill.core.money import Money
from dermbill.x12.claim_837p import Address, Payer, Person
from dermbill.x12.envelope import ClearinghouseProfile, ControlNumbers
from dermbill.x12.inquiries import ClaimStatusInquiry, EligibilityInquiry, write_270, write_276
from dermbill.x12.parse import parse_text

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "x12"
NOW = datetime.datetime(2026, 3, 1, 8, 30, tzinfo=datetime.UTC)
PROFILE = ClearinghouseProfile("DERMBILLTEST", "TEST DERM BILLING CO", "TEST CONTACT", "2155550100",
                               "CLEARINGHOUSE", "TEST CLEARINGHOUSE")
HOME = Address("1 TEST ST", "ANYTOWN", "PA", "19099")
SUBSCRIBER = Person("TESTALPHA", "BRAVO", datetime.date(1975, 1, 2), "F", HOME)
CHILD = Person("TESTALPHA", "CHARLIE", datetime.date(2012, 5, 6), "M", HOME)
BLUE = Payer("TEST BLUE PLAN", "TSTBLU")

ELIGIBILITY = (
    EligibilityInquiry("ELIG0001", BLUE, "TEST DERMATOLOGY ASSOCIATES", "1234561003", SUBSCRIBER, "TBLU123456789",
                       datetime.date(2026, 3, 2), service_types=("30", "98")),
    EligibilityInquiry("ELIG0002", BLUE, "TEST DERMATOLOGY ASSOCIATES", "1234561003", SUBSCRIBER, "TBLU123456789",
                       datetime.date(2026, 3, 2), dependent=CHILD),
)
STATUS = (
    ClaimStatusInquiry("STAT0001", BLUE, "TEST DERMATOLOGY ASSOCIATES", "1234561003", SUBSCRIBER, "TBLU123456789",
                       "D1E0000002", Money(39000), datetime.date(2026, 3, 2), datetime.date(2026, 3, 2),
                       payer_claim_number="BLUEICN777"),
    ClaimStatusInquiry("STAT0002", BLUE, "TEST DERMATOLOGY ASSOCIATES", "1234561003", SUBSCRIBER, "TBLU123456789",
                       "D1E0000009", Money(15000), datetime.date(2026, 3, 2), datetime.date(2026, 3, 3),
                       dependent=CHILD),
)


@pytest.mark.parametrize(("name", "text"), [
    ("270/eligibility", lambda: write_270(ELIGIBILITY, PROFILE, ControlNumbers(7, 8, 9), NOW)),
    ("276/claim-status", lambda: write_276(STATUS, PROFILE, ControlNumbers(7, 8, 9), NOW)),
])
def test_inquiries_match_their_golden_files(name: str, text: object, request: pytest.FixtureRequest) -> None:
    written = text()  # type: ignore[operator]
    golden = GOLDEN / name / "expected.x12"
    if request.config.getoption("--update-golden"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(written)
    assert written == golden.read_text(), f"regenerate with pytest --update-golden and review {golden}"


def test_270_reads_back_with_a_set_per_inquiry_and_counts_that_add_up() -> None:
    parsed = parse_text(write_270(ELIGIBILITY, PROFILE, ControlNumbers(7, 8, 9), NOW))["transactions"]
    assert [t["type"] for t in parsed] == ["270", "270"]
    assert all(t["notices"] == [] for t in parsed)
    first, second = ([s for s in t["segments"]] for t in parsed)
    assert ["EQ", "30"] in first and ["EQ", "98"] in first
    assert ["TRN", "1", "ELIG0001", "9DERMBILLT"] in first
    assert any(s[:2] == ["NM1", "03"] and s[3:5] == ["TESTALPHA", "CHARLIE"] for s in second)


def test_276_asks_by_our_number_the_payers_number_charge_and_dates() -> None:
    parsed = parse_text(write_276(STATUS, PROFILE, ControlNumbers(7, 8, 9), NOW))["transactions"]
    assert all(t["notices"] == [] for t in parsed)
    first, second = (t["segments"] for t in parsed)
    assert ["TRN", "1", "D1E0000002"] in first and ["REF", "1K", "BLUEICN777"] in first
    assert ["AMT", "T3", "390"] in first and ["DTP", "472", "RD8", "20260302-20260302"] in first
    assert any(s[:2] == ["NM1", "QC"] for s in second)
