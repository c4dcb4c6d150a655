"""The reports dashboard in one call, and the key revenue figures month by month for the trend chart.

``dashboard`` is what /reports shows: every key figure beside the previous period's (``kpi_report``) and the A/R
aging summary with its rows by payer (``aging_report`` with one dimension). It is the one service the page calls,
so the page's cost is this function's: benchmark it, not the page.

``monthly_figures`` reads the revenue-cycle figures for each of the last few whole months up to the as-of day's
month (that month counted to the as-of day), each month's balances as of its last day.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from dermbill.core.reports.aging import Basis
from dermbill.core.reports.filters import ReportFilter
from dermbill.core.reports.periods import Period, month_period
from dermbill.db.engine import Database
from dermbill.db.repositories import UnitOfWork
from dermbill.services.report_kpis import revenue_figures
from dermbill.services.reports import AgingReport, KpiReport, aging_report, kpi_report


@dataclass(frozen=True, slots=True)
class Dashboard:
    kpis: KpiReport
    aging: AgingReport


def dashboard(database: Database, f: ReportFilter) -> Dashboard:
    """The key figures for the filter's period and the aging summary (by payer) as of its day."""
    return Dashboard(kpi_report(database, f), aging_report(database, f, basis=Basis.SERVICE, dimensions=("payer",)))


@dataclass(frozen=True, slots=True)
class Month:
    period: Period
    values: dict[str, Decimal | None]  # figure key -> value (None: no data that month)

    @property
    def label(self) -> str:
        return self.period.start.strftime("%b %Y")


def last_months(as_of: datetime.date, months: int) -> list[Period]:
    """The ``months`` whole months ending with the as-of day's month (that one cut at the as-of day), oldest first."""
    out: list[Period] = []
    year, month = as_of.year, as_of.month
    for _ in range(months):
        whole = month_period(year, month)
        out.append(Period(whole.start, min(whole.end, as_of)))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def monthly_figures(database: Database, f: ReportFilter, keys: Sequence[str], *, months: int = 6) -> list[Month]:
    """The revenue figures named by ``keys`` for each of the last ``months`` months (the filter's period is not
    used; its practices, payer and provider are)."""
    out = []
    with UnitOfWork(database, actor="reports") as uow:
        for period in last_months(f.as_of, months):
            figures = {x.key: x.value for x in revenue_figures(uow, replace(f, period=period, as_of=period.end))}
            out.append(Month(period, {key: figures.get(key) for key in keys}))
    return out
