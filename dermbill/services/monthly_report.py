"""The monthly practice report (issue 17): one practice's month gathered from the other reports, for the PDF.

The month's key figures beside the previous month's (``reports.kpi_report``), the aging as of the as-of day and as of
the previous month's last day (for the share over 90 days), the month's denials by root cause, the days in A/R by
payer and a six-month trend of charges, payments and the denial rate (``report_kpis.revenue_figures`` per month).
What it means in words is ``core.reports.narrative``; the PDF is ``pdf.monthly_report``.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

from sqlalchemy import select

from dermbill.core.errors import InvalidInput
from dermbill.core.reports.aging import Kind
from dermbill.core.reports.figures import Figure
from dermbill.core.reports.filters import ReportFilter
from dermbill.core.reports.monthly import TREND_MONTHS, MonthlyReport, TrendPoint, ar_over_90_figure, top_cause
from dermbill.core.reports.narrative import PREVIOUS_STATEMENTS_COLLECTED, narrative
from dermbill.core.reports.periods import Period, month_period
from dermbill.db.engine import Database
from dermbill.db.models import PracticeRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services import report_denials, report_kpis
from dermbill.services.reports import aging_report, denial_report, kpi_report, report_filter

AGING_DIMENSIONS = ("payer",)


def monthly_report(database: Database, practice: str, month: Period, as_of: datetime.date | None = None
                   ) -> MonthlyReport:
    """The report of ``practice`` (its code) for ``month``, as of ``as_of`` (default the month's last day; it may
    not be before the month starts)."""
    as_of = as_of or month.end
    if as_of < month.start:
        raise InvalidInput(f"--as-of {as_of.isoformat()} is before {month.label} starts; give a day in or after "
                           "the month")
    f = report_filter(database, as_of=as_of, practices=(practice,), start=month.start, end=month.end)
    before = f.previous()
    kpis = kpi_report(database, f)
    aging = aging_report(database, f, dimensions=AGING_DIMENSIONS)
    aging_before = aging_report(database, before, dimensions=AGING_DIMENSIONS)
    denials = denial_report(database, f)
    with UnitOfWork(database, actor="reports") as uow:
        code, name = uow.session.execute(select(PracticeRow.code, PracticeRow.legal_name)
                                         .where(PracticeRow.id.in_(f.practice_ids))).one()
        trend = tuple(_trend_point(uow, f, months_back) for months_back in range(TREND_MONTHS - 1, -1, -1))
        # The previous month's statements, read as of this report's day: the month's own are rarely 30 days old.
        earlier = _figure(report_denials.patient_figures(uow, dataclasses.replace(before, as_of=as_of)),
                          "collected_30")
    over_90 = ar_over_90_figure(aging.totals).with_previous(ar_over_90_figure(aging_before.totals))
    figures = (*kpis.figures, over_90,
               dataclasses.replace(earlier, key=PREVIOUS_STATEMENTS_COLLECTED,
                                   label=f"{before.period.label} statements collected within 30 days"))
    by_cause = denials.table("denials_by_cause")
    text = narrative({x.key: x for x in figures}, month, as_of, top_cause(by_cause))
    return MonthlyReport(code, name, month, as_of, figures, text, {k: aging.totals[k] for k in Kind},
                         aging.table("aging_by_payer"), by_cause, kpis.table("days_in_ar_by_payer"), trend)


def _figure(figures: list[Figure], key: str) -> Figure:
    return next(x for x in figures if x.key == key)


def _trend_point(uow: UnitOfWork, f: ReportFilter, months_back: int) -> TrendPoint:
    """Charges, payments and the denial rate of the month ``months_back`` before the report's (as of its last
    day; the report's own month as of the report's day)."""
    period = f.period
    for _ in range(months_back):
        period = period.previous()
    if months_back:
        month = month_period(period.start.year, period.start.month)
        f = dataclasses.replace(f, period=month, as_of=month.end)
    figures = {x.key: x for x in report_kpis.revenue_figures(uow, f)}
    charges, payments = figures["charges"].value, figures["payments"].value
    return TrendPoint(f.period, charges if charges is not None else Decimal(0),
                      payments if payments is not None else Decimal(0), figures["denial_rate_count"].value)
