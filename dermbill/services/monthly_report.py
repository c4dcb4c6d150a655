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
from dermbill.core.reports.monthly import TREND_MONTHS, MonthlyReport, TrendPoint, ar_over_90_figure, top_cause
from dermbill.core.reports.narrative import PREVIOUS_STATEMENTS_COLLECTED, narrative
from dermbill.core.reports.parts import FigureParts
from dermbill.core.reports.periods import Period
from dermbill.db.engine import Database
from dermbill.db.models import PracticeRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services import report_denials
from dermbill.services.report_dashboard import monthly_figures
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
        # The previous month's statements, read as of this report's day: the month's own are rarely 30 days old.
        earlier = _figure(report_denials.patient_figures(
            FigureParts(patient=report_denials.patient_sums(uow, dataclasses.replace(before, as_of=as_of)))),
            "collected_30")
    # The trend: the six months ending with the report's (that one as of the report's day, if inside it).
    trend = tuple(TrendPoint(m.period, m.values["charges"] or Decimal(0), m.values["payments"] or Decimal(0),
                             m.values["denial_rate_count"])
                  for m in monthly_figures(database, dataclasses.replace(f, as_of=min(as_of, month.end)),
                                           ("charges", "payments", "denial_rate_count"), months=TREND_MONTHS))
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
