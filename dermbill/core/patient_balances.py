"""A guarantor's patient balances across visits (issue 16): how a payment or an adjustment is spread over them, and
the arithmetic of payment plans.

Pure: the open lines come in as values (what the patient owes on each claim line, with the visit's date of
service), the decisions come out. The money arithmetic is ``core.money``'s: ``apply_in_order`` does the applying,
this module only says in which order.

- ``allocate_oldest_first``: a payment (or a hardship adjustment) goes to the oldest date of service first, and
  within a visit line by line; whatever is left over is an unapplied credit. Oldest first because the oldest
  balance is the one furthest along the statement cadence (and the first to age past 90 days).
- ``installment_amounts`` / ``installment_dates``: a plan's installments sum exactly to the balance (whole cents,
  the remainder on the last one, so the patient sees the same figure every month until the last) and fall due
  monthly on the first due date's day of the month (or the month's last day when it has no such day).
- ``count_toward_installments``: a payment pays installments in due order.
- ``missed_installments`` / ``plan_is_broken``: an installment unpaid ``grace_days`` after it fell due is missed;
  two missed installments break the plan (and its hold on the statement cadence lifts).

Example: $100.00 over 3 installments is $33.33, $33.33 and $33.34.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money, apply_in_order

MAX_INSTALLMENTS = 60  # five years of monthly installments: longer than that is not a plan a practice offers
MISSED_GRACE_DAYS = 10  # an installment still unpaid this many days after it fell due is missed
MISSED_TO_BREAK = 2  # this many missed installments break the plan


@dataclass(frozen=True, slots=True)
class OpenLine:
    """What the patient owes on one claim line: the visit (claim) and its date of service, the line's number."""

    claim_id: int
    claim_line_id: int
    date_of_service: datetime.date
    line_number: int
    owed: Money


@dataclass(frozen=True, slots=True)
class Allocation:
    """Where an amount went: each line's part (lines receiving nothing are left out), and what was left over."""

    parts: tuple[tuple[OpenLine, Money], ...]
    left_over: Money

    @property
    def applied(self) -> Money:
        return Money(sum(part.cents for _, part in self.parts))


def oldest_first(lines: Sequence[OpenLine]) -> list[OpenLine]:
    """The lines by date of service, then visit, then line number: the order balances are paid in."""
    return sorted(lines, key=lambda line: (line.date_of_service, line.claim_id, line.line_number))


def allocate_oldest_first(amount: Money, lines: Sequence[OpenLine]) -> Allocation:
    """Apply ``amount`` to the open lines, oldest date of service first and line by line within a visit, each up
    to what it owes (a line owing nothing or less receives nothing); the rest is left over."""
    if amount.cents <= 0:
        raise InvalidInput(f"an amount to apply must be more than zero (got {amount})")
    ordered = oldest_first(lines)
    parts, left_over = apply_in_order(amount, [line.owed for line in ordered])
    return Allocation(tuple((line, part) for line, part in zip(ordered, parts, strict=True) if part.cents),
                      left_over)


def installment_amounts(balance: Money, count: int) -> list[Money]:
    """``count`` installments of whole cents summing exactly to ``balance``: equal ones, the remainder on the last.

    ``installment_amounts(Money(10000), 3) == [Money(3333), Money(3333), Money(3334)]``.
    """
    if type(count) is not int or not 1 <= count <= MAX_INSTALLMENTS:
        raise InvalidInput(f"a payment plan has 1 to {MAX_INSTALLMENTS} installments (got {count})")
    if balance.cents <= 0:
        raise InvalidInput(f"a payment plan needs a balance to pay (the balance is {balance})")
    each = balance.cents // count
    if each == 0:
        raise InvalidInput(f"{balance} cannot be split into {count} installments of at least a cent; "
                           "choose fewer installments")
    return [Money(each)] * (count - 1) + [Money(balance.cents - each * (count - 1))]


def installment_dates(first_due_on: datetime.date, count: int) -> list[datetime.date]:
    """Monthly due dates from ``first_due_on``, each on its day of the month (the month's last day when shorter):
    a plan starting 31 January falls due on 28 (or 29) February, 31 March, 30 April."""
    if type(count) is not int or not 1 <= count <= MAX_INSTALLMENTS:
        raise InvalidInput(f"a payment plan has 1 to {MAX_INSTALLMENTS} installments (got {count})")
    dates = []
    for months in range(count):
        year, month = divmod(first_due_on.month - 1 + months, 12)
        year += first_due_on.year
        last_day = calendar.monthrange(year, month + 1)[1]
        dates.append(datetime.date(year, month + 1, min(first_due_on.day, last_day)))
    return dates


@dataclass(frozen=True, slots=True)
class Installment:
    number: int
    due_on: datetime.date
    amount: Money
    paid: Money

    @property
    def open(self) -> Money:
        return self.amount - self.paid

    @property
    def is_paid(self) -> bool:
        return self.paid.cents >= self.amount.cents


def count_toward_installments(amount: Money, installments: Sequence[Installment]) -> tuple[list[Installment], Money]:
    """A payment counted toward the installments in due order, each up to what is still open on it; returns the
    installments with what they now have paid, and what was more than the plan still asked for."""
    ordered = sorted(installments, key=lambda i: (i.due_on, i.number))
    parts, beyond = apply_in_order(amount, [i.open for i in ordered])
    return [Installment(i.number, i.due_on, i.amount, i.paid + part) for i, part in zip(ordered, parts, strict=True)], \
        beyond


def missed_installments(installments: Sequence[Installment], as_of: datetime.date, *,
                        grace_days: int = MISSED_GRACE_DAYS) -> list[Installment]:
    """The installments not fully paid ``grace_days`` or more after they fell due, in due order."""
    if grace_days < 0:
        raise InvalidInput(f"the days of grace before an installment is missed cannot be negative (got {grace_days})")
    return sorted((i for i in installments if not i.is_paid and (as_of - i.due_on).days >= grace_days),
                  key=lambda i: (i.due_on, i.number))


def plan_is_broken(missed: int) -> bool:
    """Whether ``missed`` installments break a plan (the patient is back on the statement cadence)."""
    return missed >= MISSED_TO_BREAK
