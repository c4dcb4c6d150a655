"""The double-entry ledger: balanced journal entries of postings, append-only, balances as sums.

Sign convention: a posting's amount is positive for a debit and negative for a credit, so every
journal entry sums to zero. Entries are never changed: a correction is a reversing entry (every
posting negated) plus a new entry. A balance is always a sum of postings, never a stored number.

Example: a $150.00 charge for 11102 is Dr patient/insurance A/R 150.00, Cr gross charges 150.00.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from dermbill.core.errors import InvalidInput, UnbalancedEntry
from dermbill.core.money import Money


class AccountKind(Enum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    REVENUE = "revenue"
    CONTRA_REVENUE = "contra_revenue"
    EXPENSE = "expense"


@dataclass(frozen=True, slots=True)
class Account:
    """An account in a practice's chart of accounts, named by a stable code."""

    code: str
    name: str
    kind: AccountKind


# The account codes services post to: name them by these constants, never by the literal code.
CASH = "1000"
INSURANCE_AR = "1100"
DENIED_AR = "1150"  # insurance A/R the payer denied, being worked
PATIENT_AR = "1200"
PATIENT_CREDIT = "2100"  # what patients paid ahead or paid too much: owed back to them, or applied later
PAYER_CREDIT = "2150"  # what payers paid twice or too much: refund due to the payer (or recouped by it)
UNAPPLIED_INSURANCE = "2160"  # 835 claim payments no claim could take yet: held until a person matches them
GROSS_CHARGES = "4000"
CONTRACTUAL = "4100"
WRITE_OFF = "4200"
BAD_DEBT = "4300"  # patient balances sent to a collection agency and written off (recoveries credit it back)
SMALL_BALANCE = "4310"  # patient balances under the practice's small-balance threshold, written off
CHARITY = "4320"  # hardship and charity-care adjustments, approved by a manager
PROVIDER_ADJUSTMENT = "4400"

# Every practice gets this chart; codes are stable because services post to them by code.
STANDARD_CHART: tuple[Account, ...] = (
    Account(CASH, "Cash and deposits", AccountKind.ASSET),
    Account(INSURANCE_AR, "Accounts receivable: insurance", AccountKind.ASSET),
    Account(DENIED_AR, "Accounts receivable: insurance, denied and being worked", AccountKind.ASSET),
    Account(PATIENT_AR, "Accounts receivable: patients", AccountKind.ASSET),
    Account(PATIENT_CREDIT, "Unapplied payments and patient credits", AccountKind.LIABILITY),
    Account(PAYER_CREDIT, "Payer credit balances: refund due to payer", AccountKind.LIABILITY),
    Account(UNAPPLIED_INSURANCE, "Unapplied insurance payments: held until matched", AccountKind.LIABILITY),
    Account(GROSS_CHARGES, "Gross patient service charges", AccountKind.REVENUE),
    Account(CONTRACTUAL, "Contractual adjustments", AccountKind.CONTRA_REVENUE),
    Account(WRITE_OFF, "Denial and administrative write-offs", AccountKind.CONTRA_REVENUE),
    Account(BAD_DEBT, "Bad debt: patient balances placed with a collection agency", AccountKind.CONTRA_REVENUE),
    Account(SMALL_BALANCE, "Small-balance write-offs of patient balances", AccountKind.CONTRA_REVENUE),
    Account(CHARITY, "Hardship and charity-care adjustments", AccountKind.CONTRA_REVENUE),
    Account(PROVIDER_ADJUSTMENT, "Provider-level adjustments (PLB)", AccountKind.CONTRA_REVENUE),
)


@dataclass(frozen=True, slots=True)
class Posting:
    """One side of an entry: an amount (debit > 0, credit < 0) to an account, with optional dimensions."""

    account_code: str
    amount: Money
    patient_id: int | None = None
    payer_id: int | None = None
    claim_id: int | None = None
    claim_line_id: int | None = None

    def __post_init__(self) -> None:
        if self.amount.cents == 0:
            raise InvalidInput(f"a posting to account {self.account_code} has a zero amount")

    def negated(self) -> Posting:
        return Posting(
            self.account_code, -self.amount, self.patient_id, self.payer_id, self.claim_id, self.claim_line_id
        )


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """A balanced set of postings made at once; ``idempotency_key`` makes re-posting the same event a no-op."""

    entry_date: datetime.date
    memo: str
    postings: tuple[Posting, ...]
    idempotency_key: str | None = None
    reverses_entry_id: int | None = None
    kind: str = field(default="general")

    def __post_init__(self) -> None:
        if len(self.postings) < 2:
            raise UnbalancedEntry(f"journal entry '{self.memo}' needs at least two postings")
        imbalance = sum(p.amount.cents for p in self.postings)
        if imbalance != 0:
            raise UnbalancedEntry(
                f"journal entry '{self.memo}' does not balance: debits minus credits is {Money(imbalance)}"
            )

    @property
    def amount(self) -> Money:
        """The entry's size: the sum of its debits."""
        return Money(sum(p.amount.cents for p in self.postings if p.amount.cents > 0))


def reversal_of(
    entry: JournalEntry, *, entry_id: int, entry_date: datetime.date, memo: str
) -> JournalEntry:
    """The entry that undoes ``entry`` (stored with id ``entry_id``): every posting negated."""
    return JournalEntry(
        entry_date=entry_date,
        memo=memo,
        postings=tuple(p.negated() for p in entry.postings),
        idempotency_key=None if entry.idempotency_key is None else f"reversal:{entry.idempotency_key}",
        reverses_entry_id=entry_id,
        kind="reversal",
    )


def balances(postings: Iterable[Posting]) -> dict[str, Money]:
    """Each account's balance (debits minus credits) over ``postings``; accounts with no postings are absent."""
    sums: dict[str, int] = defaultdict(int)
    for posting in postings:
        sums[posting.account_code] += posting.amount.cents
    return {code: Money(cents) for code, cents in sorted(sums.items())}


def trial_balance_is_zero(postings: Iterable[Posting]) -> bool:
    """True when all balances together sum to zero, as they must in a double-entry ledger."""
    return sum(m.cents for m in balances(postings).values()) == 0
