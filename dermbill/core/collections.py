"""Soft collections (issue 16): the practice's own, polite follow-up of patient balances before, and instead of, an
agency.

Pure: the facts of a guarantor come in as values (``Debtor``: the account as ``core.statements`` takes it, the phone,
the contact log, patient payments since, whether the balance is with an agency), and the decisions come out:
- ``call_decision`` / ``todays_calls``: who to call today and in which order. Called: an account at the reminder, past
  due or final notice step of the cadence (``core.statements.dunning_step``), or one whose promise to pay has
  broken (its date passed and less than the promised amount came in since it was made). Not called: a paid
  balance, a hold on the cadence (payment plan, dispute, re-bill, hardship review), a balance with an agency (or
  proposed for one), no phone number, a promise whose date has not come yet, or a contact in the last
  ``recontact_days`` days (7 unless the practice says otherwise). Most severe step first, then the largest
  balance;
- ``call_script``: what the caller says at each step: greet, verify identity by date of birth before a word about
  the balance, the balance and its age, offer a payment plan, record the outcome. Respectful, no threats;
- ``check_contact``: a contact's outcome and its promise are consistent (a promise needs a date not in the past
  and an amount above zero; only a promise carries them); a dispute places a dispute hold;
- ``check_agency_proposal`` / ``check_agency_decision``: an account goes to an agency only once the cadence
  reached the hand-off step, and only with the approval of a manager who did not propose it;
- ``agency_csv``: the file an agency takes (its format documented there).
Nothing here reads the ledger or the clock; the services pass ``day`` in.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from dermbill.core.errors import InvalidInput, InvalidTransition
from dermbill.core.money import Money, total
from dermbill.core.statements import Account, Hold, Policy, Step, dunning_step

RECONTACT_DAYS = 7  # the default: a guarantor is not called again within a week of the last contact
CALLED_STEPS = (Step.REMINDER, Step.PAST_DUE, Step.FINAL_NOTICE)
_SEVERITY = {Step.STATEMENT: 0, Step.REMINDER: 1, Step.PAST_DUE: 2, Step.FINAL_NOTICE: 3, Step.AGENCY: 4}
# The holds the collections team places; a payment plan's hold belongs to the plan (it ends with the plan).
PLACEABLE_HOLDS = (Hold.DISPUTE, Hold.INSURANCE_REBILL, Hold.HARDSHIP_REVIEW)


class Channel(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    LETTER = "letter"
    IN_PERSON = "in_person"


class Outcome(StrEnum):
    REACHED = "reached"
    LEFT_MESSAGE = "left_message"
    NO_ANSWER = "no_answer"
    WRONG_NUMBER = "wrong_number"
    PROMISE_TO_PAY = "promise_to_pay"
    DISPUTE = "dispute"
    PAID = "paid"  # the guarantor says they paid (the payment itself is posted by the payments desk)


class PlacementStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"
    PLACED = "placed"
    RECALLED = "recalled"


# A placement still in play: the account is not called and not proposed again.
OPEN_PLACEMENTS = (PlacementStatus.PROPOSED, PlacementStatus.APPROVED, PlacementStatus.PLACED)


@dataclass(frozen=True, slots=True)
class Contact:
    """A logged contact, as the rules need it: the day, the outcome and a promise's date and amount."""

    on: datetime.date
    outcome: Outcome
    promise_date: datetime.date | None = None
    promise_amount: Money | None = None


@dataclass(frozen=True, slots=True)
class Payment:
    """Money the guarantor paid (or an agency recovered) on a day."""

    on: datetime.date
    amount: Money


@dataclass(frozen=True, slots=True)
class Debtor:
    """A guarantor as the collections team sees them on the day."""

    account: Account
    name: str  # LAST, FIRST
    phone: str | None
    contacts: tuple[Contact, ...] = ()
    payments: tuple[Payment, ...] = ()
    with_agency: bool = False  # proposed for, approved for or placed with an agency

    @property
    def last_contact(self) -> Contact | None:
        return max(self.contacts, key=lambda c: c.on) if self.contacts else None

    @property
    def last_promise(self) -> Contact | None:
        promises = [c for c in self.contacts if c.outcome is Outcome.PROMISE_TO_PAY]
        return max(promises, key=lambda c: c.on) if promises else None


def broken_promise(debtor: Debtor, day: datetime.date) -> Contact | None:
    """The guarantor's latest promise to pay if it is broken on ``day``: its date has passed and less than the
    promised amount was paid from the day it was made (a promise due today is still kept until tomorrow)."""
    promise = debtor.last_promise
    if promise is None or promise.promise_date is None or promise.promise_amount is None:
        return None
    if promise.promise_date >= day:
        return None
    paid = total([p.amount for p in debtor.payments if p.on >= promise.on])
    return promise if paid.cents < promise.promise_amount.cents else None


def pending_promise(debtor: Debtor, day: datetime.date) -> Contact | None:
    """The latest promise if its date has not come yet (the guarantor is given until then)."""
    promise = debtor.last_promise
    if promise is not None and promise.promise_date is not None and promise.promise_date >= day:
        return promise
    return None


@dataclass(frozen=True, slots=True)
class CallDecision:
    call: bool
    reason: str  # why, in words (also when called)
    step: Step | None
    broken: Contact | None = None  # the broken promise, when that is why


def call_decision(debtor: Debtor, day: datetime.date, policy: Policy, *,
                  recontact_days: int = RECONTACT_DAYS) -> CallDecision:
    """Whether the guarantor is on today's call list, and why (not) in words."""
    if recontact_days < 1:
        raise InvalidInput(f"the days between calls must be at least 1 (got {recontact_days})")
    account = debtor.account
    step = dunning_step(account, day, policy)
    if account.balance.cents <= 0:
        return CallDecision(False, "nothing owed", None)
    if debtor.with_agency:
        return CallDecision(False, "with a collection agency (or proposed for one)", step.step)
    if account.holds:
        return CallDecision(False, step.reason, None)
    if account.payer_still_owes:
        return CallDecision(False, "a payer still owes on a visit", None)
    if not (debtor.phone or "").strip():
        return CallDecision(False, "no phone number on file", step.step)
    last = debtor.last_contact
    if last is not None and (day - last.on).days < recontact_days:
        return CallDecision(False, f"contacted on {last.on.isoformat()} (within {recontact_days} days)", step.step)
    pending = pending_promise(debtor, day)
    if pending is not None:
        return CallDecision(False, f"promised {pending.promise_amount} by {pending.promise_date}", step.step)
    broken = broken_promise(debtor, day)
    if broken is not None:
        return CallDecision(True, f"promised {broken.promise_amount} by {broken.promise_date}, not paid", step.step,
                            broken)
    if step.step is not None and step.step in CALLED_STEPS:
        return CallDecision(True, f"{step.step.label}: {step.reason}", step.step)
    if step.step is Step.AGENCY:
        return CallDecision(False, "due for hand-off to an agency: a manager decides (propose it)", step.step)
    return CallDecision(False, "statements only so far", step.step)


@dataclass(frozen=True, slots=True)
class Call:
    debtor: Debtor
    decision: CallDecision
    age_days: int  # days since the first statement of the oldest unpaid visit (0: not billed yet)
    script: tuple[str, ...]


def age_in_days(account: Account, day: datetime.date) -> int:
    """Days since the first statement of the oldest visit the guarantor still owes on (0 if none was billed)."""
    billed = [v.first_billed for v in account.visits if v.patient_balance.cents > 0 and v.first_billed]
    return (day - min(billed)).days if billed else 0


def todays_calls(debtors: Sequence[Debtor], day: datetime.date, policy: Policy, *, practice_name: str,
              recontact_days: int = RECONTACT_DAYS) -> list[Call]:
    """Today's calls: the guarantors ``call_decision`` calls, the most severe step first, then the largest
    balance, then by account number (a stable order the team can split between callers)."""
    calls = []
    for debtor in debtors:
        decision = call_decision(debtor, day, policy, recontact_days=recontact_days)
        if decision.call:
            age = age_in_days(debtor.account, day)
            calls.append(Call(debtor, decision, age, call_script(
                decision.step or Step.STATEMENT, practice_name=practice_name, balance=debtor.account.balance,
                age_days=age, broken=decision.broken)))
    return sorted(calls, key=lambda c: (-_SEVERITY[c.decision.step or Step.STATEMENT],
                                        -c.debtor.account.balance.cents, c.debtor.account.account_number))


def call_script(step: Step, *, practice_name: str, balance: Money, age_days: int,
                broken: Contact | None = None) -> tuple[str, ...]:
    """What the caller says, in order. The balance is named only after the person has confirmed their date of
    birth (the balance is health information: a wrong person must not hear it). No threats: soft collections are
    the practice's own, and a patient who cannot pay is offered a plan."""
    opening = {
        Step.REMINDER: "I'm calling with a friendly reminder about your account with us.",
        Step.PAST_DUE: "I'm calling because your account with us is past due, and we'd like to help you settle it.",
        Step.FINAL_NOTICE: "I'm calling about your account: we sent a final notice and we'd like to work it out "
                           "with you before the due date.",
    }.get(step, "I'm calling about your account with us.")
    lines = [f"Hello, this is [your name] from the billing office of {practice_name}. May I speak with the "
             "account holder?",
             "Before we talk about the account, may I ask you to confirm your date of birth? (Check it against "
             "the account; if it does not match, do not discuss the balance: offer our number and end the call.)",
             opening]
    if broken is not None and broken.promise_date is not None and broken.promise_amount is not None:
        lines.append(f"On {broken.on.isoformat()} we noted a payment of ${broken.promise_amount} planned for "
                     f"{broken.promise_date.isoformat()}, and we have not received it yet. Did something change?")
    lines += [f"The balance after your insurance is ${balance}; our first statement for it went out {age_days} "
              "days ago.",
              "Would you like to pay it today, or would a payment plan be easier? We are glad to set one up.",
              "If anything on the bill looks wrong, tell me and I will have it reviewed before we ask for payment.",
              "Thank you for your time. (Record the outcome: reached, message left, no answer, wrong number, a "
              "promise to pay with its date and amount, a dispute, or paid.)"]
    return tuple(lines)


@dataclass(frozen=True, slots=True)
class ContactEffect:
    hold: Hold | None  # a hold the contact places on the cadence


def check_contact(outcome: Outcome, day: datetime.date, *, promise_date: datetime.date | None = None,
                  promise_amount: Money | None = None) -> ContactEffect:
    """Refuse an inconsistent contact, in words; say what it does to the cadence (a dispute holds it)."""
    if outcome is Outcome.PROMISE_TO_PAY:
        if promise_date is None or promise_amount is None:
            raise InvalidInput("a promise to pay needs the date it will be paid by and the amount")
        if promise_date < day:
            raise InvalidInput(f"a promise to pay by {promise_date.isoformat()} is in the past (today is "
                               f"{day.isoformat()}); give the date the guarantor will pay by")
        if promise_amount.cents <= 0:
            raise InvalidInput(f"a promise to pay must be for more than zero (got {promise_amount})")
    elif promise_date is not None or promise_amount is not None:
        raise InvalidInput(f"a promise date or amount goes with the outcome 'promise_to_pay', not '{outcome}'")
    return ContactEffect(Hold.DISPUTE if outcome is Outcome.DISPUTE else None)


def check_hold_kind(kind: Hold) -> Hold:
    """A hold the collections team may place (a payment plan's hold comes with the plan)."""
    if kind not in PLACEABLE_HOLDS:
        raise InvalidInput(f"a '{kind}' hold is placed by setting up a payment plan; the holds placed here are: "
                           f"{', '.join(PLACEABLE_HOLDS)}")
    return kind


def check_agency_proposal(debtor: Debtor, day: datetime.date, policy: Policy) -> Money:
    """The balance to hand to an agency, or InvalidTransition saying why the account cannot be proposed: only an
    account the cadence took to the hand-off step (no hold, nothing pending with a payer, no credit unapplied),
    and not one already with an agency."""
    account = debtor.account
    if debtor.with_agency:
        raise InvalidTransition(f"account {account.account_number} is already with an agency or proposed for one")
    if account.credit.cents > 0:
        raise InvalidTransition(f"account {account.account_number} has an unapplied credit of {account.credit}: "
                                "apply or refund it first")
    step = dunning_step(account, day, policy)
    if step.step is not Step.AGENCY:
        raise InvalidTransition(f"account {account.account_number} has not reached the hand-off step "
                                f"({step.step.label if step.step else 'no step'}: {step.reason}); an account "
                                f"goes to an agency {policy.agency_days} days after its first statement")
    return account.balance


_DECISIONS = {PlacementStatus.APPROVED, PlacementStatus.REJECTED}


def check_agency_decision(status: PlacementStatus, decision: PlacementStatus, *, proposed_by: str,
                          decided_by: str) -> None:
    """A manager approves or rejects a proposed hand-off; never the person who proposed it (separation of duties:
    one person alone cannot send a patient to collections)."""
    if decision not in _DECISIONS:
        raise InvalidInput(f"a hand-off is approved or rejected, not '{decision}'")
    if status is not PlacementStatus.PROPOSED:
        raise InvalidTransition(f"the hand-off is {status}, not proposed: it was decided already")
    if proposed_by.strip().casefold() == decided_by.strip().casefold():
        raise InvalidTransition(f"{decided_by} proposed this hand-off: another manager must decide it")


@dataclass(frozen=True, slots=True)
class AgencyRow:
    """One account placed with the agency."""

    account_number: str
    guarantor_name: str  # LAST, FIRST
    address: str  # one line: street, city, state and ZIP
    phone: str
    date_of_birth: datetime.date
    balance: Money
    last_statement: datetime.date | None
    last_payment: datetime.date | None
    oldest_date_of_service: datetime.date


AGENCY_COLUMNS = ("account_number", "guarantor_name", "address", "phone", "date_of_birth", "balance",
                  "last_statement_date", "last_payment_date", "oldest_date_of_service")


def agency_csv(rows: Sequence[AgencyRow]) -> str:
    """The placement file for the agency: CSV (RFC 4180: comma-separated, double quotes around a field that holds a
    comma, quote or line break, CRLF line ends), UTF-8, one header row, then one row per account:

    - ``account_number``: the practice's account number (what the agency quotes back with a recovery);
    - ``guarantor_name``: LAST, FIRST;
    - ``address``: street, city, state and ZIP on one line;
    - ``phone``: as on file (empty if none);
    - ``date_of_birth``, ``last_statement_date``, ``last_payment_date``, ``oldest_date_of_service``: YYYY-MM-DD
      (the last two dates empty when there was no statement or payment);
    - ``balance``: the amount placed, dollars and cents without a currency sign (``1234.50``).

    Example::

        account_number,guarantor_name,address,phone,date_of_birth,balance,last_statement_date,...
        A-1,"DOE, JANE","2 TEST ST, ANYTOWN, PA 19099",2155550100,1950-01-01,35.00,2026-01-05,,2025-12-01
    """
    accounts = [row.account_number for row in rows]
    if len(set(accounts)) != len(accounts):
        raise InvalidInput("an account appears twice in one agency file: one row per account")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(AGENCY_COLUMNS)
    for row in rows:
        if row.balance.cents <= 0:
            raise InvalidInput(f"account {row.account_number}: nothing to place ({row.balance})")
        writer.writerow([row.account_number, row.guarantor_name, row.address, row.phone,
                         row.date_of_birth.isoformat(), row.balance.plain(),
                         row.last_statement.isoformat() if row.last_statement else "",
                         row.last_payment.isoformat() if row.last_payment else "",
                         row.oldest_date_of_service.isoformat()])
    return buffer.getvalue()
