"""Eligibility X12: every kind of 271 the simulated payer answers, and the 270s we send, pass the independent validator
(pyx12 with the 005010X279A1 maps, see tests/pyx12_eligibility.py) and our own envelope checks; the new benefits
read back; an older roster still loads."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from pyx12_eligibility import eligibility_maps, pyx12_verdict

from dermbill.clearinghouse.simulated_payer.plans import ROSTER_COLUMNS, Member, PayerProfile, read_roster, write_roster
from dermbill.clearinghouse.simulated_payer.service import SimulatedPayer, write_payers
from dermbill.core.eligibility import Outcome, answer_of
from dermbill.core.money import Money
from dermbill.services.x12_files import validate_x12_file
from dermbill.x12.claim_837p import Payer, Person
from dermbill.x12.eligibility_271 import read_271
from dermbill.x12.envelope import ClearinghouseProfile, ControlNumbers
from dermbill.x12.inquiries import EligibilityInquiry, write_270
from dermbill.x12.tokenizer import read_file
from dermbill.x12.transactions import transaction_sets

__all__ = ["eligibility_maps"]  # the fixture, used by name

SENT = datetime.datetime(2026, 4, 2, 9, 0, tzinfo=datetime.UTC)
ON = datetime.date(2026, 4, 3)
START = datetime.date(2026, 1, 1)
PROFILE = ClearinghouseProfile("DERMBILLTEST", "TEST DERM BILLING CO", "DESK", "2155550100", "SIMPAYER",
                               "SIMULATED PAYER")
MEDICARE = Payer("TEST MEDICARE", "TSTMCR")
BLUE = Payer("TEST BLUE", "TSTBLU")
JANE = Person("DOE", "JANE", datetime.date(1950, 1, 1), "F")
CHILD = Person("DOE", "JIM", datetime.date(2015, 6, 1), "M")
# (trace, payer, subscriber, member ID, dependent) -> the outcome the payer's roster gives
ASKED = {
    ("ACTIVE", MEDICARE, JANE, "1EG4TE5MK72", None): Outcome.ACTIVE,
    ("ENDED", MEDICARE, Person("TESTBETA", "ALICE", datetime.date(1961, 2, 3), "F"), "2EG4TE5MK01", None):
        Outcome.INACTIVE,
    ("MISKEYED", MEDICARE, Person("TESTGAMMA", "BOB", datetime.date(1962, 3, 4), "M"), "2EG4TE5MK37", None):
        Outcome.INVALID_MEMBER_ID,
    ("NOBODY", MEDICARE, Person("TESTDELTA", "CARL", datetime.date(1963, 4, 5), "M"), "2EG4TE5MK44", None):
        Outcome.NOT_FOUND,
    ("NAME", MEDICARE, Person("TESTEPSILON", "DORA", datetime.date(1964, 5, 6), "F"), "2EG4TE5MK55", None):
        Outcome.NAME_MISMATCH,
    ("BIRTH", MEDICARE, Person("TESTZETA", "EMIL", datetime.date(1965, 6, 8), "M"), "2EG4TE5MK66", None):
        Outcome.BIRTH_DATE_MISMATCH,
    ("OTHER", BLUE, Person("TESTETA", "FAYE", datetime.date(1966, 7, 8), "F"), "TBLU77", None):
        Outcome.OTHER_PAYER_PRIMARY,
    ("CHILD", BLUE, Person("TESTETA", "FAYE", datetime.date(1966, 7, 8), "F"), "TBLU77", CHILD):
        Outcome.OTHER_PAYER_PRIMARY,
}


def _payer(tmp_path: Path) -> SimulatedPayer:
    folder = tmp_path / "payer"
    folder.mkdir()
    write_payers(folder / "payers.csv", [PayerProfile("TSTMCR", "TEST MEDICARE", "medicare", 100, 365),
                                         PayerProfile("TSTBLU", "TEST BLUE", "commercial", 120, 180)])
    write_roster(folder / "roster.csv", [
        Member("TSTMCR", "1EG4TE5MK72", "DOE", "JANE", JANE.date_of_birth, START, None, Money(25700), 20, Money(2500),
               out_of_pocket=Money(300000)),
        Member("TSTMCR", "2EG4TE5MK01", "TESTBETA", "ALICE", datetime.date(1961, 2, 3), START,
               datetime.date(2026, 3, 31), Money(25700), 20, Money(0)),
        Member("TSTMCR", "2EG4TE5MK73", "TESTGAMMA", "BOB", datetime.date(1962, 3, 4), START, None, Money(0), 20,
               Money(0)),
        Member("TSTMCR", "2EG4TE5MK55", "TESTEPSILON", "DORAH", datetime.date(1964, 5, 6), START, None, Money(0),
               20, Money(0)),
        Member("TSTMCR", "2EG4TE5MK66", "TESTZETA", "EMIL", datetime.date(1965, 6, 7), START, None, Money(0), 20,
               Money(0)),
        Member("TSTBLU", "TBLU77", "TESTETA", "FAYE", datetime.date(1966, 7, 8), START, None, Money(50000), 10,
               Money(3000), other_payer_id="TSTMCR", other_payer_name="TEST MEDICARE"),
    ])
    return SimulatedPayer.open("sim", folder)


@pytest.fixture
def answered(tmp_path: Path) -> tuple[Path, Path]:
    """The 270 asking every case, and the 271 file the simulated payer answered it with."""
    inquiries = tuple(EligibilityInquiry(trace, payer, "TEST DERMATOLOGY", "1234567893", subscriber, member, ON,
                                         dependent, ("30", "98"))
                      for trace, payer, subscriber, member, dependent in ASKED)
    path = tmp_path / "270-1.x12"
    path.write_text(write_270(inquiries, PROFILE, ControlNumbers(1, 1, 1), SENT))
    payer = _payer(tmp_path)
    payer.send([path])
    [answer] = payer.fetch(tmp_path / "inbox")
    return path, answer


def test_the_simulated_payer_answers_every_kind_of_271(answered: tuple[Path, Path]) -> None:
    _, answer = answered
    read = [read_271(t) for t in transaction_sets(read_file(answer))]
    outcomes = {r["subscribers"][-1]["trace_number"]: answer_of(r["subscribers"], r["errors"]).outcome for r in read}
    assert outcomes == {key[0]: outcome for key, outcome in ASKED.items()}
    active = answer_of(read[0]["subscribers"]).benefits
    assert (active.deductible, active.deductible_remaining, active.out_of_pocket, active.out_of_pocket_remaining,
            active.copay, active.coinsurance_percent, active.in_network) == (
        Money(25700), Money(25700), Money(300000), Money(300000), Money(2500), 20, True)
    other = answer_of(read[6]["subscribers"])
    assert (other.other_payer_name, other.other_payer_identifier) == ("TEST MEDICARE", "TSTMCR")
    ended = answer_of(read[1]["subscribers"]).benefits
    assert ended.plan_end == datetime.date(2026, 3, 31)


def test_the_270s_and_every_kind_of_271_pass_the_independent_validator(answered: tuple[Path, Path],
                                                                         eligibility_maps: Path) -> None:
    for path in answered:
        accepted, said = pyx12_verdict(path, eligibility_maps)
        assert accepted, said


def test_the_270s_and_271s_pass_our_envelope_checks(answered: tuple[Path, Path]) -> None:
    for path in answered:
        assert validate_x12_file(path) == []


def test_a_roster_written_before_the_optional_columns_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(",".join(ROSTER_COLUMNS) + "\nTSTMCR,M1,DOE,JANE,1950-01-01,2026-01-01,,257.00,20,25.00,,\n")
    [member] = read_roster(path).members()
    assert (member.out_of_pocket, member.other_payer_id, member.other_payer_name) == (None, None, None)
    write_roster(path, [member])
    assert read_roster(path).members() == [member]
