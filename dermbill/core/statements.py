"""Patient statements and soft collections (issue 16): who gets a statement on a run day, for how much, how old the
balance is, and which step of the practice's dunning cadence an account is at.

Pure: the facts of one guarantor's account come in as values (``Account``: each visit's patient balance, whether
a payer still owes on it, the statements already sent, what stops the cadence), and the decisions come out:
- ``cycle_day``: the day of the month a guarantor is billed (cycle billing spreads guarantors over the month, so
  the office's calls and payments come in evenly); the same account number always gets the same day;
- ``statement_decision``: bill now or not, and why not in words (below the practice's minimum, a payer still
  owes on a visit, not the guarantor's cycle day, already billed this cycle, the cadence is stopped);
- ``aging``: the balance in 0-30, 31-60, 61-90, 91-120 and 120+ days from each visit's first statement (the day
  the patient was first told; a visit never billed is current);
- ``dunning_step``: statement, reminder, past due, final notice, then hand-off to an agency (only with a manager's
  approval, which the service asks for), from the days since the first statement of the oldest unpaid balance
  and the policy's days for each step. A payment plan, a dispute, a pending insurance re-bill, a hardship review
  or a paid balance stops the cadence.
Nothing here knows of the ledger, PDFs or e-mail; the services feed it the ledger's figures.
"""

from __future__ import annotations

import datetime
import itertools
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money, total

CYCLE_DAYS = 28  # cycle days run 1..28 so that every month has each of them
MINIMUM_BALANCE = Money(500)  # the default minimum to bill: below it a statement costs more than it brings
SMALL_BALANCE = Money(1000)  # the default small-balance write-off threshold (a balance under it may be written off)
NOTHING = Money(0)
AGING_BUCKETS = ("0-30", "31-60", "61-90", "91-120", "120+")


class Step(StrEnum):
    """The steps of the soft-collections cadence, in order."""

    STATEMENT = "statement"
    REMINDER = "reminder"
    PAST_DUE = "past_due"
    FINAL_NOTICE = "final_notice"
    AGENCY = "agency"  # hand-off to a collection agency: never without a manager's approval

    @property
    def label(self) -> str:
        return _STEP_LABELS[self]


_STEP_LABELS = {Step.STATEMENT: "Statement", Step.REMINDER: "Friendly reminder", Step.PAST_DUE: "Past due",
                Step.FINAL_NOTICE: "Final notice", Step.AGENCY: "Hand-off to a collection agency"}


# What a statement says at each step unless the practice words it its own way: plain, respectful, no threats. The
# final notice says, as a fact, what the practice's policy does next; soft collections are the practice's own.
DEFAULT_WORDING: dict[Step, str] = {
    Step.STATEMENT: "This statement shows what is left for you to pay after your insurance. Thank you for choosing "
                    "us for your care.",
    Step.REMINDER: "A friendly reminder: the balance below is still open. If you have already paid, thank you, and "
                   "please disregard this reminder.",
    Step.PAST_DUE: "Your balance is past due. Please pay it, or call us: we are glad to set up a payment plan that "
                   "works for you.",
    Step.FINAL_NOTICE: "Final notice: please pay your balance or call us by the due date so that we can work it out "
                       "together. Under our billing policy, accounts left unresolved may be referred to an outside "
                       "collection agency.",
}


class Hold(StrEnum):
    """What stops the cadence for an account (statements still show the balance; no step advances)."""

    PAYMENT_PLAN = "payment_plan"
    DISPUTE = "dispute"
    INSURANCE_REBILL = "insurance_rebill"
    HARDSHIP_REVIEW = "hardship_review"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


@dataclass(frozen=True, slots=True)
class Policy:
    """A practice's statement and collection policy. Days count from the first statement of the oldest unpaid
    balance; each step is taken once that many days have passed."""

    minimum_balance: Money = MINIMUM_BALANCE  # below this no statement goes out
    due_days: int = 21  # the due date printed: the statement day plus this
    reminder_days: int = 30
    past_due_days: int = 60
    final_notice_days: int = 90
    agency_days: int = 120
    small_balance: Money = SMALL_BALANCE  # a balance under this may be written off (never at or above it)
    cycle_billing: bool = True  # guarantors billed on their own day of the month; False: everyone on a run day
    wording: Mapping[Step, str] = field(default_factory=dict)  # the practice's own words for a step

    def message(self, step: Step) -> str:
        """What a statement at ``step`` says to the patient: the practice's words, or the default."""
        return self.wording.get(step) or DEFAULT_WORDING.get(step, DEFAULT_WORDING[Step.STATEMENT])

    def __post_init__(self) -> None:
        days = (self.reminder_days, self.past_due_days, self.final_notice_days, self.agency_days)
        if self.minimum_balance.cents < 0:
            raise InvalidInput("the minimum balance to bill cannot be negative")
        if self.small_balance.cents < 0:
            raise InvalidInput("the small-balance write-off threshold cannot be negative")
        unknown = sorted(str(step) for step in self.wording if step not in DEFAULT_WORDING)
        if unknown:
            raise InvalidInput(f"wording is set for steps a statement does not have: {', '.join(unknown)} "
                               f"(steps: {', '.join(DEFAULT_WORDING)})")
        if not 1 <= self.due_days <= 90:
            raise InvalidInput(f"the days to the due date must be 1 to 90 (got {self.due_days})")
        if days[0] < 1 or any(later <= earlier for earlier, later in itertools.pairwise(days)):
            raise InvalidInput("the cadence's days must grow step by step: reminder < past due < final notice < "
                               f"agency (got {', '.join(str(d) for d in days)})")


@dataclass(frozen=True, slots=True)
class Visit:
    """One visit's part of the account: what the patient owes on it now, whether a payer still owes on it (a claim
    pending, or a secondary not yet answered), and the day it was first on a statement (None: never billed)."""

    date_of_service: datetime.date
    patient_balance: Money
    payer_pending: bool = False
    first_billed: datetime.date | None = None


@dataclass(frozen=True, slots=True)
class Account:
    """A guarantor's account as the ledger has it on the run day."""

    account_number: str
    visits: tuple[Visit, ...]
    credit: Money = NOTHING  # unapplied patient credit (a payment not yet applied to a visit)
    last_statement: datetime.date | None = None
    holds: tuple[Hold, ...] = ()

    @property
    def balance(self) -> Money:
        """What the guarantor owes now: every visit's patient balance less the unapplied credit."""
        return total([v.patient_balance for v in self.visits]) - self.credit

    @property
    def payer_still_owes(self) -> bool:
        """Any claim of the account still with a payer (nothing on the patient yet included): the guarantor is
        billed once every payer has answered, so a statement never asks for what insurance may still pay."""
        return any(v.payer_pending for v in self.visits)


@dataclass(frozen=True, slots=True)
class StatementDecision:
    send: bool
    reason: str  # why, in words (also when it is sent)
    amount: Money
    due_on: datetime.date | None = None


def cycle_day(account_number: str) -> int:
    """The day of the month (1-28) this guarantor is billed: a stable hash of the account number, so guarantors
    spread evenly over the month and each keeps its day from run to run (CRC-32: not Python's salted hash)."""
    if not account_number.strip():
        raise InvalidInput("an account number is needed to place a guarantor in the billing cycle")
    return zlib.crc32(account_number.strip().upper().encode()) % CYCLE_DAYS + 1


def is_cycle_day(account_number: str, day: datetime.date) -> bool:
    """Whether ``day`` is the guarantor's billing day. Days 29-31 bill nobody (every cycle day is 1-28)."""
    return day.day == cycle_day(account_number)


def statement_decision(account: Account, day: datetime.date, policy: Policy, *,
                       cycle_billing: bool = True) -> StatementDecision:
    """Whether the guarantor gets a statement on ``day``, and why not in words.

    No statement while a payer still owes on any of the guarantor's visits (the patient would be billed for what
    insurance may pay, or get a second statement days later); none below the practice's minimum; none off the
    guarantor's cycle day (unless cycle billing is off: a one-off run); none twice in a cycle (a statement less
    than 28 days ago). A hold (payment plan, dispute, re-bill, hardship) does not stop the statement itself: the
    patient still sees the balance; it stops the dunning steps (``dunning_step``)."""
    balance = account.balance
    if account.payer_still_owes:
        return StatementDecision(False, "a payer still owes on a visit: the patient is billed after it answers",
                                 balance)
    if balance.cents <= 0:
        return StatementDecision(False, "nothing owed" if balance.cents == 0 else "a credit balance (refund queue)",
                                 balance)
    if balance.cents < policy.minimum_balance.cents:
        return StatementDecision(False, f"{balance} is below the practice's minimum to bill "
                                        f"({policy.minimum_balance})", balance)
    if cycle_billing and not is_cycle_day(account.account_number, day):
        return StatementDecision(False, f"not the guarantor's billing day (day {cycle_day(account.account_number)} "
                                        "of the month)", balance)
    if account.last_statement is not None and (day - account.last_statement).days < CYCLE_DAYS:
        return StatementDecision(False, f"already billed on {account.last_statement.isoformat()}, this cycle",
                                 balance)
    return StatementDecision(True, "balance due", balance, day + datetime.timedelta(days=policy.due_days))


def aging(visits: Sequence[Visit], day: datetime.date) -> dict[str, Money]:
    """The patient balance by age on ``day``, from each visit's first statement (a visit never billed, or billed
    today, is in 0-30). Credits are not aged: they are the refund queue's."""
    buckets = {name: Money(0) for name in AGING_BUCKETS}
    for visit in visits:
        if visit.patient_balance.cents <= 0:
            continue
        age = (day - visit.first_billed).days if visit.first_billed else 0
        if age < 0:
            raise InvalidInput(f"the visit of {visit.date_of_service.isoformat()} was first billed on "
                               f"{visit.first_billed} after {day.isoformat()}")
        name = AGING_BUCKETS[0 if age <= 30 else 1 if age <= 60 else 2 if age <= 90 else 3 if age <= 120 else 4]
        buckets[name] = buckets[name] + visit.patient_balance
    return buckets


@dataclass(frozen=True, slots=True)
class DunningDecision:
    step: Step | None  # None: no step (paid, a payer still owes, never billed, or held)
    reason: str
    needs_approval: bool = False  # the agency hand-off waits for a manager


def dunning_step(account: Account, day: datetime.date, policy: Policy) -> DunningDecision:
    """The cadence step the account is due on ``day``: from the days since the first statement of its oldest
    unpaid visit. A hold stops it (and says which); a paid balance or a payer still owing ends it."""
    if account.balance.cents <= 0:
        return DunningDecision(None, "the balance is paid")
    if account.holds:
        return DunningDecision(None, "stopped: " + ", ".join(h.label for h in account.holds))
    if account.payer_still_owes:
        return DunningDecision(None, "stopped: a payer still owes on a visit")
    billed = [v.first_billed for v in account.visits if v.patient_balance.cents > 0 and v.first_billed]
    if not billed:
        return DunningDecision(Step.STATEMENT, "not billed yet: the first statement")
    days = (day - min(billed)).days
    for step, after in ((Step.AGENCY, policy.agency_days), (Step.FINAL_NOTICE, policy.final_notice_days),
                        (Step.PAST_DUE, policy.past_due_days), (Step.REMINDER, policy.reminder_days)):
        if days >= after:
            return DunningDecision(step, f"{days} days since the first statement ({after} for this step)",
                                   needs_approval=step is Step.AGENCY)
    return DunningDecision(Step.STATEMENT, f"{days} days since the first statement: statements only")
