"""The monthly practice report: what a practice owner reads once a month, as one value the PDF renders.

Pure: the service (``services.monthly_report``) gathers the month's figures (each with the previous month's), the
aging as of the report's as-of day, the month's denials by root cause, the days in A/R by payer and a six-month
trend, and hands them in here; the PDF (``pdf.monthly_report``) draws them. The headline figures, which way is
better for each, the share of A/R over 90 days and the largest denial cause are decided here.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from dermbill.core.money import Money
from dermbill.core.reports.aging import BUCKETS, AgingRow, Kind
from dermbill.core.reports.figures import Figure, Unit, dollars, percent
from dermbill.core.reports.periods import Period
from dermbill.core.reports.table import ReportTable

TREND_MONTHS = 6
OVER_90_BUCKETS = tuple(i for i, name in enumerate(BUCKETS) if name in ("91-120", "120+"))

# The headline figures of page 1, in reading order: money in, how well it is collected, denials, speed.
HEADLINE = ("payments", "charges", "net_collection_rate", "denial_rate_count", "denial_rate_dollars",
            "denied_dollars", "clean_claim_rate", "first_pass_resolution_rate", "days_in_ar", "ar_over_90_share",
            "statements_sent")
# Which way is better, for colouring a change: True higher, False lower, absent neither (charges, counts).
HIGHER_IS_BETTER = {
    "payments": True, "net_collection_rate": True, "gross_collection_rate": True, "clean_claim_rate": True,
    "first_pass_resolution_rate": True, "collected_30": True, "denial_rate_count": False,
    "denial_rate_dollars": False, "denied_dollars": False, "days_in_ar": False, "ar_over_90_share": False,
    "charge_lag_days": False, "submission_to_payment_days": False,
}
AR_OVER_90_FORMULA = ("A/R over 90 days old by date of service (insurance, denied and patient balances in the "
                      "91-120 and 120+ buckets) / all A/R, both as of the as-of day")


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One month of the trend: charges and payments (dollars) and the denial rate by claims (percent)."""

    period: Period
    charges: Decimal
    payments: Decimal
    denial_rate: Decimal | None

    @property
    def label(self) -> str:
        return self.period.start.strftime("%b %Y")


@dataclass(frozen=True, slots=True)
class TopCause:
    """The root cause with the most denied dollars in the month and its share of them (percent)."""

    label: str
    share: Decimal | None
    denied: Money


@dataclass(frozen=True, slots=True)
class MonthlyReport:
    """Everything the monthly PDF prints for one practice and month; no patient is named anywhere in it."""

    practice_code: str
    practice_name: str
    period: Period
    as_of: datetime.date
    figures: tuple[Figure, ...]  # every key figure with the previous month's value, and ``ar_over_90_share``
    narrative: tuple[str, ...]
    aging: Mapping[Kind, AgingRow]  # the totals per kind as of ``as_of``
    aging_by_payer: ReportTable
    denials_by_cause: ReportTable
    days_in_ar_by_payer: ReportTable
    trend: tuple[TrendPoint, ...]  # oldest first, the report's month last

    @property
    def previous(self) -> Period:
        return self.period.previous()

    def figure(self, key: str) -> Figure:
        found = next((f for f in self.figures if f.key == key), None)
        if found is None:
            raise KeyError(f"no figure {key!r}")
        return found

    @property
    def headline(self) -> tuple[Figure, ...]:
        keys = {f.key for f in self.figures}
        return tuple(self.figure(key) for key in HEADLINE if key in keys)


def ar_over_90_figure(totals: Mapping[Kind, AgingRow]) -> Figure:
    """The share of A/R (insurance and patient) in the buckets over 90 days; no value when nothing is owed (a
    total of zero or less: credits posted ahead of their charges can make it negative)."""
    over = sum(row.buckets[i].cents for row in totals.values() for i in OVER_90_BUCKETS)
    owed = sum(row.total.cents for row in totals.values())
    value = percent(over, owed) if owed > 0 else None
    return Figure("ar_over_90_share", "A/R over 90 days", Unit.PERCENT, value, AR_OVER_90_FORMULA,
                  dollars(Money(over)), dollars(Money(owed)), drill="ar")


def top_cause(denials_by_cause: ReportTable) -> TopCause | None:
    """The first row of the denials-by-root-cause table (they are in order of denied dollars), or None."""
    if not denials_by_cause.rows:
        return None
    cells = denials_by_cause.rows[0].cells
    label = cells[denials_by_cause.column("category")]
    share = cells[denials_by_cause.column("share")]
    denied = cells[denials_by_cause.column("denied")]
    return TopCause(str(label), share if isinstance(share, Decimal) else None,
                    denied if isinstance(denied, Money) else Money.zero())
