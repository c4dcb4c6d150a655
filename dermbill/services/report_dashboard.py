"""The reports dashboard in one call, and the key revenue figures month by month for the trend chart.

``dashboard`` is what /reports shows: every key figure beside the previous period's (``kpi_report``) and the A/R
aging summary with its rows by payer (``payer_aging``), both from the practices' kept parts (``report_parts``). It
is the one service the page calls, so the page's cost is this function's: benchmark it, not the page.

``monthly_figures`` reads the revenue-cycle figures for each of the last few whole months up to the as-of day's
month (that month counted to the as-of day), each month's balances as of its last day.
"""

from __future__ import annotations

import datetime
import functools
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from dermbill.core.reports.aging import Basis
from dermbill.core.reports.filters import ReportFilter
from dermbill.core.reports.parts import AgingParts, FigureParts
from dermbill.core.reports.periods import Period, month_period
from dermbill.db.engine import Database
from dermbill.services import report_parts
from dermbill.services.report_kpis import revenue_figures
from dermbill.services.report_parts import data_versions
from dermbill.services.reports import AgingReport, KpiReport, kpi_report, payer_aging


@dataclass(frozen=True, slots=True)
class Dashboard:
    kpis: KpiReport
    aging: AgingReport


def dashboard(database: Database, f: ReportFilter) -> Dashboard:
    """The key figures for the filter's period and the aging summary (by payer) as of its day.

    Kept between reads in this process while no transaction has written the filter's practices since: the
    practices' data versions (``report_version``, raised by every commit that writes a practice's rows) are read
    first, then the reports; a dashboard kept under the same versions is the one a new computation would give.
    The versions are read before the reports, so a commit landing during the computation moves them and the next
    read computes again. Only figures and payer totals are kept (no patient's name or account)."""
    versions = data_versions(database, f.practice_ids)
    key = (database.url, f)
    with _LOCK:
        kept = _KEPT.get(key)
        if kept is not None and kept[0] == versions:
            _KEPT.move_to_end(key)
            return kept[1]
    # the period's parts, the previous period's and the aging as of the day at once (after a posting, each sums that
    # practice again)
    found: list[Any] = report_parts.in_threads(database, [
        functools.partial(report_parts.parts, database, f),
        functools.partial(report_parts.parts, database, f.previous()),
        functools.partial(report_parts.aging, database, f, Basis.SERVICE)])
    parts: FigureParts = found[0]
    before: FigureParts = found[1]
    aging: AgingParts = found[2]
    board = Dashboard(kpi_report(database, f, parts, before, aging), payer_aging(database, f, aging))
    with _LOCK:
        _KEPT[key] = (versions, board)
        _KEPT.move_to_end(key)
        while len(_KEPT) > KEPT_DASHBOARDS:
            _KEPT.popitem(last=False)
    return board


KEPT_DASHBOARDS = 64  # dashboards kept per process (a filter each), the least recently read dropped first
_KEPT: OrderedDict[tuple[str, ReportFilter], tuple[tuple[tuple[int, int], ...], Dashboard]] = OrderedDict()
_LOCK = threading.Lock()


def forget_kept() -> None:
    """Drop every dashboard and every practice's parts this process keeps (the next read of each computes or reads
    it again)."""
    with _LOCK:
        _KEPT.clear()
    report_parts.forget_remembered()


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
    for period in last_months(f.as_of, months):
        parts = report_parts.parts(database, replace(f, period=period, as_of=period.end))
        figures = {x.key: x.value for x in revenue_figures(parts)}
        out.append(Month(period, {key: figures.get(key) for key in keys}))
    return out
