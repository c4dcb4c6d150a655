"""Soft-collections rules (core.collections): who is called today and in which order, what the caller says, a
contact's consistency, when an account may go to an agency and who may approve it, and the agency file."""

from __future__ import annotations

import csv
import datetime
import io

import pytest

from dermbill.core.collections import (
    AGENCY_COLUMNS,
    AgencyRow,
    Contact,
    Debtor,
    Outcome,
    Payment,
    PlacementStatus,
    agency_csv,
    call_decision,
    call_script,
    check_agency_decision,
    check_agency_proposal,
    check_contact,
    check_hold_kind,
    todays_calls,
)
from dermbill.core.errors import InvalidInput, InvalidTransition
from dermbill.core.money import Money
from dermbill.core.statements import Account, Hold, Policy, Step, Visit

DAY = datetime.date(2026, 6, 1)
POLICY = Policy()  # reminder 30, past due 60, final notice 90, agency 120 days after the first statement


def debtor(days_billed: int | None = 45, *, cents: int = 8000, account: str = "A-1", phone: str | None = "2155550100",
           contacts: tuple[Contact, ...] = (), payments: tuple[Payment, ...] = (), holds: tuple[Hold, ...] = (),
           with_agency: bool = False, pending: bool = False, credit: int = 0) -> Debtor:
    first = None if days_billed is None else DAY - datetime.timedelta(days=days_billed)
    visit = Visit(datetime.date(2026, 1, 5), Money(cents), payer_pending=pending, first_billed=first)
    return Debtor(Account(account, (visit,), credit=Money(credit), holds=holds), "DOE, JANE", phone, contacts,
                  payments, with_agency)


def ago(days: int) -> datetime.date:
    return DAY - datetime.timedelta(days=days)


def test_accounts_at_reminder_past_due_and_final_notice_are_called_and_statement_or_agency_are_not() -> None:
    assert not call_decision(debtor(29), DAY, POLICY).call  # statements only
    for days, step in ((30, Step.REMINDER), (60, Step.PAST_DUE), (90, Step.FINAL_NOTICE)):
        decision = call_decision(debtor(days), DAY, POLICY)
        assert decision.call and decision.step is step
    at_agency = call_decision(debtor(120), DAY, POLICY)
    assert not at_agency.call and "a manager decides" in at_agency.reason


def test_a_hold_an_agency_a_paid_balance_a_pending_payer_or_no_phone_keep_an_account_off_the_list() -> None:
    assert "dispute" in call_decision(debtor(holds=(Hold.DISPUTE,)), DAY, POLICY).reason
    assert not call_decision(debtor(holds=(Hold.PAYMENT_PLAN,)), DAY, POLICY).call
    assert "agency" in call_decision(debtor(with_agency=True), DAY, POLICY).reason
    assert call_decision(debtor(cents=0), DAY, POLICY).reason == "nothing owed"
    assert not call_decision(debtor(pending=True), DAY, POLICY).call
    assert "no phone" in call_decision(debtor(phone="  "), DAY, POLICY).reason
    assert call_decision(debtor(), DAY, POLICY).call  # the near miss: the same account with none of them


def test_a_contact_within_the_recontact_days_keeps_the_guarantor_off_until_they_pass() -> None:
    six = debtor(contacts=(Contact(ago(6), Outcome.NO_ANSWER),))
    assert not call_decision(six, DAY, POLICY).call
    assert call_decision(debtor(contacts=(Contact(ago(7), Outcome.NO_ANSWER),)), DAY, POLICY).call
    assert call_decision(six, DAY, POLICY, recontact_days=5).call
    with pytest.raises(InvalidInput):
        call_decision(six, DAY, POLICY, recontact_days=0)


def test_a_broken_promise_puts_the_guarantor_on_the_list_even_at_the_statement_step() -> None:
    promise = Contact(ago(20), Outcome.PROMISE_TO_PAY, ago(10), Money(5000))
    broken = call_decision(debtor(10, contacts=(promise,)), DAY, POLICY)
    assert broken.call and broken.broken == promise and "not paid" in broken.reason
    # Paid in full since the promise was made: kept, not called (statement step).
    kept = debtor(10, contacts=(promise,), payments=(Payment(ago(12), Money(5000)),))
    assert not call_decision(kept, DAY, POLICY).call
    # Paid only before the promise was made: that money does not keep it.
    early = debtor(10, contacts=(promise,), payments=(Payment(ago(21), Money(5000)),))
    assert call_decision(early, DAY, POLICY).call
    # Paid part of it: still broken.
    part = debtor(10, contacts=(promise,), payments=(Payment(ago(12), Money(4999)),))
    assert call_decision(part, DAY, POLICY).call


def test_a_promise_not_yet_due_keeps_the_guarantor_off_the_list_through_its_date() -> None:
    due_today = Contact(ago(8), Outcome.PROMISE_TO_PAY, DAY, Money(5000))
    decision = call_decision(debtor(60, contacts=(due_today,)), DAY, POLICY)
    assert not decision.call and "promised" in decision.reason
    tomorrow = DAY + datetime.timedelta(days=1)
    assert call_decision(debtor(60, contacts=(due_today,)), tomorrow, POLICY).call


def test_the_list_puts_the_most_severe_step_first_then_the_largest_balance() -> None:
    debtors = [debtor(30, cents=90000, account="R-BIG"), debtor(90, cents=1000, account="F-SMALL"),
               debtor(60, cents=2000, account="P-SMALL"), debtor(60, cents=7000, account="P-BIG"),
               debtor(10, account="S-NOT")]
    calls = todays_calls(debtors, DAY, POLICY, practice_name="TEST DERMATOLOGY")
    assert [c.debtor.account.account_number for c in calls] == ["F-SMALL", "P-BIG", "P-SMALL", "R-BIG"]
    assert calls[0].age_days == 90 and calls[0].script[0].startswith("Hello")


def test_the_script_verifies_the_date_of_birth_before_the_balance_offers_a_plan_and_never_threatens() -> None:
    for step in (Step.REMINDER, Step.PAST_DUE, Step.FINAL_NOTICE):
        script = call_script(step, practice_name="TEST DERMATOLOGY", balance=Money(12345), age_days=61)
        text = " ".join(script).lower()
        birth = next(i for i, line in enumerate(script) if "date of birth" in line)
        balance = next(i for i, line in enumerate(script) if "123.45" in line)
        assert birth < balance and "61 days" in script[balance]
        assert "payment plan" in text and "record the outcome" in text
        for threat in ("lawsuit", "sue", "court", "credit report", "arrest", "garnish", "legal action"):
            assert threat not in text
    broken = Contact(ago(20), Outcome.PROMISE_TO_PAY, ago(10), Money(5000))
    assert any("50.00" in line for line in call_script(Step.REMINDER, practice_name="T", balance=Money(1),
                                                       age_days=1, broken=broken))


def test_a_promise_needs_a_date_not_in_the_past_and_an_amount_above_zero() -> None:
    assert check_contact(Outcome.PROMISE_TO_PAY, DAY, promise_date=DAY, promise_amount=Money(1)).hold is None
    with pytest.raises(InvalidInput, match="in the past"):
        check_contact(Outcome.PROMISE_TO_PAY, DAY, promise_date=ago(1), promise_amount=Money(1))
    with pytest.raises(InvalidInput, match="more than zero"):
        check_contact(Outcome.PROMISE_TO_PAY, DAY, promise_date=DAY, promise_amount=Money(0))
    with pytest.raises(InvalidInput, match="needs the date"):
        check_contact(Outcome.PROMISE_TO_PAY, DAY, promise_amount=Money(100))
    with pytest.raises(InvalidInput, match="goes with the outcome"):
        check_contact(Outcome.REACHED, DAY, promise_date=DAY)


def test_a_dispute_places_a_dispute_hold_and_other_outcomes_none() -> None:
    assert check_contact(Outcome.DISPUTE, DAY).hold is Hold.DISPUTE
    assert all(check_contact(o, DAY).hold is None for o in Outcome if o not in (Outcome.DISPUTE,
                                                                               Outcome.PROMISE_TO_PAY))


def test_the_team_places_dispute_rebill_and_hardship_holds_but_not_a_payment_plans() -> None:
    assert check_hold_kind(Hold.HARDSHIP_REVIEW) is Hold.HARDSHIP_REVIEW
    with pytest.raises(InvalidInput, match="payment plan"):
        check_hold_kind(Hold.PAYMENT_PLAN)


def test_only_an_account_at_the_hand_off_step_is_proposed_to_an_agency() -> None:
    assert check_agency_proposal(debtor(120), DAY, POLICY) == Money(8000)
    with pytest.raises(InvalidTransition, match="has not reached the hand-off step"):
        check_agency_proposal(debtor(119), DAY, POLICY)
    with pytest.raises(InvalidTransition, match="dispute"):
        check_agency_proposal(debtor(200, holds=(Hold.DISPUTE,)), DAY, POLICY)
    with pytest.raises(InvalidTransition, match="already with an agency"):
        check_agency_proposal(debtor(200, with_agency=True), DAY, POLICY)
    with pytest.raises(InvalidTransition, match="credit"):
        check_agency_proposal(debtor(200, credit=100), DAY, POLICY)


def test_a_hand_off_is_decided_once_and_never_by_its_proposer() -> None:
    check_agency_decision(PlacementStatus.PROPOSED, PlacementStatus.APPROVED, proposed_by="biller@example.test",
                          decided_by="manager@example.test")
    with pytest.raises(InvalidTransition, match="another manager"):
        check_agency_decision(PlacementStatus.PROPOSED, PlacementStatus.APPROVED,
                              proposed_by="manager@example.test", decided_by="Manager@Example.test ")
    with pytest.raises(InvalidTransition, match="decided already"):
        check_agency_decision(PlacementStatus.APPROVED, PlacementStatus.REJECTED, proposed_by="a", decided_by="b")
    with pytest.raises(InvalidInput):
        check_agency_decision(PlacementStatus.PROPOSED, PlacementStatus.PLACED, proposed_by="a", decided_by="b")


def test_the_agency_file_has_a_header_and_one_row_per_account_with_the_documented_columns() -> None:
    row = AgencyRow("A-1", "DOE, JANE", "2 TEST ST, ANYTOWN, PA 19099", "2155550100", datetime.date(1950, 1, 1),
                    Money(123450), datetime.date(2026, 1, 5), None, datetime.date(2025, 12, 1))
    text = agency_csv([row])
    assert text.endswith("\r\n")
    header, values = list(csv.reader(io.StringIO(text)))
    assert tuple(header) == AGENCY_COLUMNS
    assert values == ["A-1", "DOE, JANE", "2 TEST ST, ANYTOWN, PA 19099", "2155550100", "1950-01-01", "1234.50",
                      "2026-01-05", "", "2025-12-01"]
    with pytest.raises(InvalidInput, match="twice"):
        agency_csv([row, row])
