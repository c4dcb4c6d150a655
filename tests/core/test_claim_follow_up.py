"""Claim follow-up rules: when a claim is due a 276, what each kind of 277 answer asks of us, the timely-filing
deadline, and the claim status tables (every category of the list, our own words, unknown codes)."""

from __future__ import annotations

import datetime

import pytest

from dermbill.core.claim_follow_up import (
    NEAR_DEADLINE_DAYS,
    Route,
    StatusAnswer,
    decide_follow_up,
    filing_deadline,
    is_due_for_inquiry,
)
from dermbill.core.errors import InvalidInput
from dermbill.reference.claim_status import claim_status_table, parse_code_words

SENT = datetime.date(2026, 4, 2)
TABLE = claim_status_table()


@pytest.mark.parametrize(("days", "last", "due"), [
    (29, None, False), (30, None, True),  # the payer's wait (30 days) since it was sent
    (45, 20, False), (45, 15, True),  # and since the last inquiry (asked 25, then 30 days before)
])
def test_a_claim_is_due_an_inquiry_once_the_wait_passed_since_it_was_sent_and_last_asked(
        days: int, last: int | None, due: bool) -> None:
    as_of = SENT + datetime.timedelta(days=days)
    asked = SENT + datetime.timedelta(days=last) if last is not None else None
    assert is_due_for_inquiry(sent_on=SENT, last_inquiry_on=asked, as_of=as_of, wait_days=30) is due


@pytest.mark.parametrize(("category", "code", "route", "reason"), [
    ("A4", "35", Route.PERSON, "not found"),
    ("D0", "", Route.PERSON, "not found"),
    ("A3", "21", Route.PERSON, "returned"),
    ("A7", "33", Route.PERSON, "returned"),
    ("A2", "20", Route.WAIT, "in process"),
    ("P1", "20", Route.WAIT, "in process"),
    ("P2", "41", Route.WAIT, "in process"),
    ("P3", "21", Route.PERSON, "information requested"),
    ("P4", "21", Route.PERSON, "patient information requested"),
    ("F1", "65", Route.REMITTANCE_EXPECTED, "finished, paid"),
    ("F0", "3", Route.REMITTANCE_EXPECTED, "finished"),
    ("F2", "88", Route.PERSON, "denied"),
    ("F4", "1", Route.PERSON, "no payment"),
    ("R4", "2", Route.PERSON, "information requested"),
    ("R16", "21", Route.PERSON, "information requested"),
    ("E1", "", Route.WAIT, "no answer now"),
    ("E0", "21", Route.PERSON, "inquiry refused"),
    ("Z9", "1", Route.PERSON, "unknown answer"),
])
def test_each_kind_of_answer_is_routed(category: str, code: str, route: Route, reason: str) -> None:
    decided = decide_follow_up(StatusAnswer(category, code), TABLE, sent_on=SENT,
                               as_of=SENT + datetime.timedelta(days=33), wait_days=30)
    assert (decided.route, decided.reason) == (route, reason) and decided.next_action


def test_a_claim_pended_for_two_waits_goes_to_a_person_and_one_day_less_does_not() -> None:
    def decided(days: int) -> Route:
        return decide_follow_up(StatusAnswer("P1", "20"), TABLE, sent_on=SENT,
                                as_of=SENT + datetime.timedelta(days=days), wait_days=30).route

    assert (decided(59), decided(60)) == (Route.WAIT, Route.PERSON)


def test_the_filing_deadline_is_the_date_of_service_plus_the_limit_and_is_near_within_30_days() -> None:
    dos = datetime.date(2026, 3, 2)
    deadline = filing_deadline(dos, 90, datetime.date(2026, 4, 30))
    assert (deadline.deadline, deadline.days_left, deadline.near) == (datetime.date(2026, 5, 31), 31, False)
    closer = filing_deadline(dos, 90, datetime.date(2026, 5, 1))
    assert (closer.days_left, closer.near) == (NEAR_DEADLINE_DAYS, True)
    passed = filing_deadline(dos, 90, datetime.date(2026, 6, 2))
    assert (passed.days_left, passed.near) == (-2, True)


def test_the_tables_hold_every_category_of_the_list_in_our_words() -> None:
    wanted = ([f"A{n}" for n in range(9)] + [f"P{n}" for n in range(6)] + [f"F{n}" for n in range(5)]
              + [f"R{n}" for n in range(17) if n != 2] + [f"E{n}" for n in range(5)] + ["D0"])
    assert all(TABLE.category(code).kind is not None and "not in dermbill" not in TABLE.category(code).description
               for code in wanted)
    for code in ("1", "2", "3", "4", "15", "16", "19", "20", "21", "35", "65", "88"):
        assert "not in dermbill" not in TABLE.code_words(code, SENT), code
    assert TABLE.words("F2", "88", "QC", SENT) == ("Finished: denied; the party named is not eligible for benefits on "
                                                   "the dates of service (the patient)")
    assert TABLE.code_words("4", SENT).endswith("(a code no longer in use)")  # stopped in 2008
    assert TABLE.words("X9", "999", "", SENT) == ("category 'X9' (not in dermbill's list); status 999 (not in "
                                                  "dermbill's list)")


def test_a_bad_row_fails_the_load_naming_the_file_and_line() -> None:
    with pytest.raises(InvalidInput, match="categories.csv line 3: kind 'maybe' is not one of"):
        parse_code_words("code,kind,description,effective_from,effective_to\nA1,acknowledgement,Got it,,\n"
                         "A2,maybe,Taken in,,\n", source="categories.csv", with_kind=True)
    with pytest.raises(InvalidInput, match="codes.csv line 2: 65's description must be one line"):
        parse_code_words(f"code,description,effective_from,effective_to\n65,{'x' * 121},,\n", source="codes.csv")
