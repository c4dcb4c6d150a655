"""A/R aging: what is owed, in buckets of age (0-30, 31-60, 61-90, 91-120 and over 120 days).

A balance's age is the days from its date (the line's date of service, or the day the claim was first billed: sent
to the payer for an insurance balance, first on a statement for a patient balance) to the report's as-of day. A
balance dated after the as-of day is 0 days old. A balance never billed yet has no age on that basis: it is
"not billed" and counted apart from the buckets.

The buckets are found by comparing dates with the bucket's first day (``bucket_starts``), so a database can
bucket balances in its own query with no date arithmetic of its own.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money

BUCKETS = ("0-30", "31-60", "61-90", "91-120", "120+")
BUCKET_DAYS = (30, 60, 90, 120)  # the oldest age (days) each bucket but the last holds
NOT_BILLED = "not billed"


class Basis(StrEnum):
    SERVICE = "service"  # from the date of service
    SUBMISSION = "submission"  # from the first time it was billed (to the payer, or to the patient)

    @property
    def label(self) -> str:
        return "date of service" if self is Basis.SERVICE else "first billed"


def parse_basis(text: str) -> Basis:
    try:
        return Basis(text)
    except ValueError:
        raise InvalidInput(f"'{text}' is not an aging basis; use 'service' (date of service) or 'submission' "
                           "(first billed)") from None


class Kind(StrEnum):
    INSURANCE = "insurance"  # owed by payers: insurance A/R and denied A/R being worked
    PATIENT = "patient"  # owed by patients


def bucket_of(age_days: int) -> int:
    """The bucket index of an age in days (0-30 is 0 ... over 120 is 4); a negative age is 0."""
    for index, oldest in enumerate(BUCKET_DAYS):
        if age_days <= oldest:
            return index
    return len(BUCKET_DAYS)


def bucket_starts(as_of: datetime.date) -> tuple[datetime.date, ...]:
    """The first (earliest) date of each bucket but the last: a date on or after ``starts[i]`` (and before
    ``starts[i-1]``) is in bucket i; a date before the last start is over 120 days."""
    return tuple(as_of - datetime.timedelta(days=oldest) for oldest in BUCKET_DAYS)


def bucket_of_date(day: datetime.date, as_of: datetime.date) -> int:
    return bucket_of((as_of - day).days)


@dataclass(slots=True)
class AgingRow:
    """One line of an aging table: the amount in each bucket, what is not billed yet, and the total."""

    key: str
    label: str
    buckets: list[Money] = field(default_factory=lambda: [Money.zero()] * len(BUCKETS))
    not_billed: Money = field(default_factory=Money.zero)

    def add(self, bucket: int | None, amount: Money) -> None:
        if bucket is None:
            self.not_billed += amount
        else:
            self.buckets[bucket] += amount

    @property
    def total(self) -> Money:
        return Money(sum(b.cents for b in self.buckets) + self.not_billed.cents)

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"label": self.label,
                                  "buckets": {name: b.plain() for name, b in zip(BUCKETS, self.buckets, strict=True)},
                                  "total": self.total.plain()}
        if self.not_billed.cents:
            out["not_billed"] = self.not_billed.plain()
        return out


@dataclass(frozen=True, slots=True)
class AgedBalance:
    """What one group of open balances adds to the report: its dimensions, kind, bucket (None: not billed)."""

    kind: Kind
    bucket: int | None
    amount: Money
    dimensions: dict[str, tuple[str, str]]  # dimension -> (key, label): "payer" -> ("3", "MEDICARE")


def age(balances: Iterable[AgedBalance], dimensions: Iterable[str]) -> tuple[dict[Kind, AgingRow],
                                                                              dict[str, dict[Kind, list[AgingRow]]]]:
    """Totals per kind, and per dimension the rows per kind in order of their total, largest first."""
    names = tuple(dimensions)
    totals = {kind: AgingRow(kind.value, kind.value.title()) for kind in Kind}
    rows: dict[str, dict[Kind, dict[str, AgingRow]]] = {n: defaultdict(dict) for n in names}
    for balance in balances:
        totals[balance.kind].add(balance.bucket, balance.amount)
        for name in names:
            key, label = balance.dimensions[name]
            by_key = rows[name][balance.kind]
            row = by_key.get(key)
            if row is None:
                row = by_key[key] = AgingRow(key, label)
            row.add(balance.bucket, balance.amount)
    ordered = {name: {kind: sorted(rows[name][kind].values(), key=lambda r: (-r.total.cents, r.label))
                      for kind in Kind} for name in names}
    return totals, ordered
