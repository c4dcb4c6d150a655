"""What a 271 answer means for the front desk: each outcome, the benefits kept, the fix for each AAA error."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from dermbill.core.eligibility import (
    AAA_REASONS,
    Benefits,
    Outcome,
    age_in_words,
    answer_of,
    no_answer,
)
from dermbill.core.money import Money

DAY = datetime.date(2026, 4, 3)


def benefit(code: str, *, period: str | None = None, amount: str | None = None, percent: str | None = None,
            types: tuple[str, ...] = ("30",), network: str | None = None, plan: str | None = None,
            entities: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    return {"code": code, "coverage_level": "IND", "service_types": list(types), "time_period": period,
            "amount": amount, "percent": percent, "network": network, "plan": plan, "entities": list(entities)}


def person(*benefits: dict[str, Any], errors: tuple[dict[str, Any], ...] = (), trace: str = "T1",
           dates: dict[str, str] | None = None, role: str = "subscriber") -> dict[str, Any]:
    return {"role": role, "trace_number": trace, "benefits": list(benefits), "errors": list(errors),
            "dates": dates or {"291": "2026-04-03", "346": "2026-01-01"}}


def aaa(reason: str, follow_up: str = "C") -> dict[str, Any]:
    return {"valid_request": True, "reason": reason, "follow_up": follow_up}


ACTIVE = person(
    benefit("1", plan="TEST GOLD PPO"), benefit("C", period="23", amount="500", network="in network"),
    benefit("C", period="29", amount="125.5", network="in network"),
    benefit("G", period="23", amount="3000"), benefit("G", period="29", amount="2874.5"),
    benefit("A", percent="0.1", network="in network"), benefit("B", period="27", amount="20", network="in network"),
    benefit("B", period="27", amount="40", types=("98",), network="in network"),
    benefit("A", percent="0.2", types=("98",), network="in network"),
    benefit("B", period="27", amount="90", types=("98",), network="out of network"))


def test_active_coverage_keeps_deductible_out_of_pocket_and_the_specialist_visits_cost_sharing() -> None:
    answer = answer_of([ACTIVE])
    assert answer.outcome is Outcome.ACTIVE and answer.covered and answer.fix == "" and answer.errors == ()
    assert answer.benefits == Benefits(
        plan_name="TEST GOLD PPO", plan_begin=datetime.date(2026, 1, 1), deductible=Money(50000),
        deductible_remaining=Money(12550), out_of_pocket=Money(300000), out_of_pocket_remaining=Money(287450),
        copay=Money(4000), coinsurance_percent=20, in_network=True)
    assert not Outcome.ACTIVE.needs_a_person and Outcome.ACTIVE.prevented_denial is None


def test_without_a_specialist_figure_the_plans_copay_is_kept() -> None:
    answer = answer_of([person(benefit("1"), benefit("B", period="27", amount="25"), benefit("A", percent="0"))])
    assert (answer.benefits.copay, answer.benefits.coinsurance_percent) == (Money(2500), 0)


def test_benefits_read_back_from_their_json() -> None:
    kept = answer_of([ACTIVE]).benefits
    assert Benefits.from_json(kept.to_json()) == kept


def test_ended_coverage_is_inactive_with_its_end_date_and_the_co27_it_prevents() -> None:
    answer = answer_of([person(benefit("6"), dates={"346": "2025-01-01", "347": "2026-03-31"})])
    assert answer.outcome is Outcome.INACTIVE and not answer.covered
    assert answer.benefits.plan_end == datetime.date(2026, 3, 31)
    assert "ended on 2026-03-31" in answer.fix and "new insurance card" in answer.fix
    assert Outcome.INACTIVE.prevented_denial == "CO-27"


def test_another_payer_named_primary_keeps_its_name_and_id() -> None:
    other = {"code": "PRP", "name": "TEST MEDICARE", "qualifier": "PI", "identifier": "TSTMCR"}
    answer = answer_of([person(benefit("1"), benefit("R", entities=(other,)))])
    assert answer.outcome is Outcome.OTHER_PAYER_PRIMARY and answer.covered
    assert (answer.other_payer_name, answer.other_payer_identifier) == ("TEST MEDICARE", "TSTMCR")
    assert "TEST MEDICARE is primary" in answer.fix and "accept the proposed order change" in answer.fix
    assert Outcome.OTHER_PAYER_PRIMARY.prevented_denial == "CO-22"


@pytest.mark.parametrize(("reason", "outcome", "words"), [
    ("72", Outcome.INVALID_MEMBER_ID, "member ID on the front of the insurance card"),
    ("75", Outcome.NOT_FOUND, "current insurance card"),
    ("73", Outcome.NAME_MISMATCH, "name printed on the card"),
    ("71", Outcome.BIRTH_DATE_MISMATCH, "date of birth"),
    ("42", Outcome.CANNOT_PROCESS, "Run eligibility again later"),
    ("43", Outcome.CANNOT_PROCESS, "provider's NPI"),
])
def test_each_aaa_error_has_its_outcome_and_the_fix_in_words(reason: str, outcome: Outcome, words: str) -> None:
    answer = answer_of([person(errors=(aaa(reason),))])
    assert answer.outcome is outcome and not answer.covered
    [error] = answer.errors
    assert error.reason == reason and "correct and resubmit" in error.meaning
    assert words in answer.fix and answer.fix == error.fix


def test_identity_errors_prevent_co31() -> None:
    assert {o.prevented_denial for o in (Outcome.NOT_FOUND, Outcome.INVALID_MEMBER_ID, Outcome.NAME_MISMATCH,
                                         Outcome.BIRTH_DATE_MISMATCH)} == {"CO-31"}
    assert Outcome.CANNOT_PROCESS.prevented_denial is None and Outcome.NO_ANSWER.prevented_denial is None


def test_what_the_desk_can_fix_comes_before_what_only_time_fixes() -> None:
    answer = answer_of([person(errors=(aaa("42", "R"), aaa("73")))])
    assert answer.outcome is Outcome.NAME_MISMATCH and [e.reason for e in answer.errors] == ["42", "73"]
    assert "resubmission allowed" in answer.errors[0].meaning


def test_an_error_outside_the_person_counts_and_an_unknown_reason_is_cannot_process() -> None:
    assert answer_of([person()], [aaa("72")]).outcome is Outcome.INVALID_MEMBER_ID
    unknown = answer_of([person(errors=(aaa("99"),))])
    assert unknown.outcome is Outcome.CANNOT_PROCESS and unknown.errors[0].meaning == "reject reason 99 (correct " \
                                                                                       "and resubmit)"


def test_the_dependent_whose_loop_echoes_the_trace_is_the_patient() -> None:
    subscriber = person(trace="", role="subscriber")
    child = person(benefit("6"), trace="T9", role="dependent")
    assert answer_of([subscriber, child], trace_number="T9").outcome is Outcome.INACTIVE
    assert answer_of([subscriber, child]).outcome is Outcome.INACTIVE  # the last person without a trace


def test_an_answer_that_says_nothing_is_cannot_process_and_no_answer_says_call() -> None:
    assert answer_of([person()]).outcome is Outcome.CANNOT_PROCESS
    assert answer_of([]).outcome is Outcome.CANNOT_PROCESS
    missing = no_answer()
    assert missing.outcome is Outcome.NO_ANSWER and "call the provider line" in missing.fix


def test_every_aaa_reason_says_what_to_do() -> None:
    assert all(fix.endswith(".") and meaning for _, meaning, fix in AAA_REASONS.values())


def test_bad_amounts_and_percentages_are_left_out_not_guessed() -> None:
    answer = answer_of([person(benefit("1"), benefit("C", period="23", amount="1.005"),
                               benefit("A", percent="1.5"))])
    assert answer.benefits.deductible is None and answer.benefits.coinsurance_percent is None


def test_age_in_words() -> None:
    sent = datetime.datetime(2026, 4, 2, 9, 0, tzinfo=datetime.UTC)
    assert [age_in_words(sent, sent + datetime.timedelta(seconds=s)) for s in (30, 1500, 7200, 86400 * 3)] == [
        "0 min", "25 min", "2 h", "3 days"]
