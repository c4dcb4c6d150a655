"""The reports as pages (issue 17), for the roles that may see reports (``Permission.VIEW_REPORTS``: managers and
auditors): /reports (the key figures beside the previous period's and the aging summary, from one service call),
/reports/aging, /reports/kpis and /reports/denials (their tables and charts), every table as CSV and XLSX
(/reports/<report>/<table>.csv|.xlsx, with the page's filters), and /reports/claims, the claims behind a figure or a
table row (it names patients: it needs ``VIEW_CLAIMS`` too, and the service audits the read).

Filters are GET parameters: practice (a code of the user's), payer (its payer ID), provider (NPI), from and to (the
period), as_of (default today, dermbill.clock). A wrong one re-renders the page with the message (status 422).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from dermbill.clock import today
from dermbill.core.access import Permission
from dermbill.core.dates import parse_iso_date
from dermbill.core.errors import DermbillError
from dermbill.core.money import Money
from dermbill.core.reports.aging import BUCKETS, Basis, Kind, parse_basis
from dermbill.core.reports.export import figure_rows, table_rows, to_csv
from dermbill.core.reports.figures import Figure, Unit
from dermbill.core.reports.filters import ReportFilter
from dermbill.core.reports.table import Report, text_cell
from dermbill.services.report_dashboard import dashboard, monthly_figures
from dermbill.services.report_drill import DRILLABLE, REFINEMENTS, claims_behind
from dermbill.services.report_scope import ReportChoices, report_choices, scoped_filter
from dermbill.services.reports import KpiReport, aging_report, denial_report, kpi_report
from dermbill.services.users import User
from dermbill.web import charts
from dermbill.web.api import origin
from dermbill.web.pages.common import PageSession, database_of, page_permitted, render
from dermbill.web.report_xlsx import figures_workbook, table_workbook

PERMISSION = Permission.VIEW_REPORTS
FILTER_FIELDS = ("practice", "payer", "provider", "from", "to", "as_of")
REPORTS = {"aging": "A/R aging", "kpis": "Key figures", "denials": "Denials"}
TREND_RATES = ("clean_claim_rate", "denial_rate_count", "net_collection_rate")
TREND_MONEY = ("charges", "payments")
DRILL_PREFIX = "by_"
# The tables each report can export (their ReportTable keys; "figures" is the key figures themselves).
EXPORTS = {
    "aging": ("aging_summary", "aging_by_practice", "aging_by_payer", "aging_by_provider", "aging_by_code"),
    "kpis": ("figures", "days_in_ar_by_payer", "coding_by_family", "patient_collections"),
    "denials": ("denials_by_cause", "denials_by_carc", "denials_by_payer", "denials_by_code", "denials_by_provider",
                "recovered"),
}


@dataclass
class Asked:
    """What the filter form sent (as typed), and the filter it makes, or the problem with it."""

    values: dict[str, str]
    choices: ReportChoices
    filter: ReportFilter | None = None
    problem: str | None = None
    basis: Basis = Basis.SERVICE
    extra: dict[str, str] = field(default_factory=dict)  # other parameters the page keeps (the aging basis)

    @property
    def query(self) -> str:
        """The filters as a query string, for links that keep them."""
        return urlencode({k: v for k, v in {**self.values, **self.extra}.items() if v})

    def described(self) -> list[tuple[str, str]]:
        """The filters in words (an export's first rows)."""
        f = self.filter
        if f is None:
            return []
        names = {"practice": dict((c.value, c.label) for c in self.choices.practices),
                 "payer": dict((c.value, c.label) for c in self.choices.payers),
                 "provider": dict((c.value, c.label) for c in self.choices.providers)}
        out = [("Practice", names["practice"].get(self.values["practice"], "") if self.values["practice"]
                else "all of yours: " + ", ".join(c.value for c in self.choices.practices))]
        out += [(label, names[key].get(self.values[key], self.values[key]) if self.values[key] else "all")
                for key, label in (("payer", "Payer"), ("provider", "Provider"))]
        out += [("Period", f"{f.period.start.isoformat()} to {f.period.end.isoformat()}"),
                ("As of", f.as_of.isoformat())]
        if "basis" in self.extra:
            out.append(("Aging basis", self.basis.label))
        return out


def _asked(request: Request, user: User) -> Asked:
    params = request.query_params
    values = {name: (params.get(name) or "").strip()[:40] for name in FILTER_FIELDS}
    database = database_of(request)
    asked = Asked(values, report_choices(database, user.practice_ids))
    try:
        as_of = parse_iso_date(values["as_of"], field="as of") if values["as_of"] else today()
        start = parse_iso_date(values["from"], field="from") if values["from"] else None
        end = parse_iso_date(values["to"], field="to") if values["to"] else None
        if "basis" in params:
            asked.basis = parse_basis((params.get("basis") or "")[:20])
            asked.extra["basis"] = asked.basis.value
        asked.filter = scoped_filter(database, user.practice_ids, as_of=as_of, practice=values["practice"] or None,
                                     payer=values["payer"] or None, provider=values["provider"] or None,
                                     start=start, end=end)
    except DermbillError as problem:
        asked.problem = str(problem)
    return asked


def change_text(figure: Figure) -> str:
    """The change from the previous period as a person reads it: '+1.2 pts', '-$40.00', '+3.0 days', '+2'."""
    change = figure.change
    if change is None:
        return "no comparison"
    sign = "+" if change > 0 else ("-" if change < 0 else "±")
    size = abs(change)
    if figure.unit is Unit.PERCENT:
        return f"{sign}{size:.1f} pts"
    if figure.unit is Unit.MONEY:
        return f"{sign}{figure.shown(size)}"
    if figure.unit is Unit.DAYS:
        return f"{sign}{size:.1f} days"
    return f"{sign}{size:,.0f}"


def _drill_url(query: str) -> Callable[[Mapping[str, str] | None, str | None], str | None]:
    def url(drill: Mapping[str, str] | None, report: str | None = None) -> str | None:
        target = (drill or {}).get("report") or report
        if target not in DRILLABLE:
            return None
        refine = {DRILL_PREFIX + k: v for k, v in (drill or {}).items() if k != "report"}
        return "/reports/claims?" + "&".join(part for part in (
            urlencode({"report": target, **refine}), query) if part)
    return url


def _aging_chart(title: str, rows: list[tuple[str, list[Any]]]) -> str:
    return charts.stacked_bar_chart(
        title, "Each bar is what is owed, split by age in days (" + ", ".join(BUCKETS) + "); the same amounts are "
        "in the table below.", [(label, [m.to_decimal() for m in buckets]) for label, buckets in rows], BUCKETS,
        unit="$")


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    def _page(request: Request, session: PageSession, template: str, title: str, asked: Asked,
              context: dict[str, Any]) -> Response:
        return render(request, template, {
            "title": title, "asked": asked, "query": asked.query, "problem": asked.problem,
            "text_cell": text_cell, "drill_url": _drill_url(asked.query), "change_text": change_text,
            "reports": REPORTS, **context}, session=session, status_code=422 if asked.problem else 200)

    def _start(request: Request, session: PageSession) -> Asked:
        page_permitted(session.user, PERMISSION)
        return _asked(request, session.user)

    @pages.get("/reports")
    def overview(request: Request, session: PageSession) -> Response:
        asked = _start(request, session)
        board = None
        chart = ""
        if asked.filter is not None:
            with origin(request):
                board = dashboard(database_of(request), asked.filter)
            payers = board.aging.by["payer"]
            rows = [(row.label, row.buckets) for row in payers[Kind.INSURANCE]]
            rows.append(("Patients", board.aging.totals[Kind.PATIENT].buckets))
            chart = _aging_chart("A/R by payer and age", rows)
        return _page(request, session, "reports_dashboard.html", "Reports", asked,
                     {"board": board, "chart": chart})

    @pages.get("/reports/aging")
    def aging(request: Request, session: PageSession) -> Response:
        asked = _start(request, session)
        asked.extra.setdefault("basis", asked.basis.value)
        report = None
        chart = ""
        if asked.filter is not None:
            with origin(request):
                report = aging_report(database_of(request), asked.filter, basis=asked.basis)
            rows = [(f"{row.label} ({kind.value})", row.buckets) for kind in Kind for row in report.by["payer"][kind]]
            chart = _aging_chart(f"A/R by payer and age ({asked.basis.label})", rows)
        return _page(request, session, "reports_report.html", "A/R aging", asked,
                     {"report": report, "report_key": "aging", "charts": [chart] if chart else [], "bases": Basis})

    @pages.get("/reports/kpis")
    def kpis(request: Request, session: PageSession) -> Response:
        asked = _start(request, session)
        report = None
        trend: list[str] = []
        if asked.filter is not None:
            with origin(request):
                report = kpi_report(database_of(request), asked.filter)
                months = monthly_figures(database_of(request), asked.filter, (*TREND_RATES, *TREND_MONEY))
            labels = [m.label for m in months]
            names = {x.key: x.label for x in report.figures}
            trend = [charts.line_chart("Rates over the last six months",
                                       "Clean claim, denial and net collection rates month by month; the table "
                                       "below lists them.", labels,
                                       [(names[k], [m.values[k] for m in months]) for k in TREND_RATES], unit="%"),
                     charts.line_chart("Charges and payments over the last six months",
                                       "Charges and payments month by month; the table below lists them.", labels,
                                       [(names[k], [m.values[k] for m in months]) for k in TREND_MONEY], unit="$")]
            trend_table = {"labels": labels, "rows": [
                (names[k], [Figure(k, names[k], report.figure(k).unit, m.values[k], "").shown() for m in months])
                for k in (*TREND_RATES, *TREND_MONEY)]}
        else:
            trend_table = None
        return _page(request, session, "reports_report.html", "Key figures", asked,
                     {"report": report, "report_key": "kpis", "charts": trend, "trend": trend_table,
                      "figure_groups": report.groups if report else ()})

    @pages.get("/reports/denials")
    def denials(request: Request, session: PageSession) -> Response:
        asked = _start(request, session)
        report = None
        chart: list[str] = []
        if asked.filter is not None:
            with origin(request):
                report = denial_report(database_of(request), asked.filter)
            causes = report.table("denials_by_cause")
            denied = causes.column("denied")
            chart = [charts.bar_chart("Denied dollars by root cause",
                                      "Each bar is the dollars denied in the period for one root cause; the table "
                                      "below lists them.",
                                      [(str(r.cells[0]), _dollars(r.cells[denied])) for r in causes.rows],
                                      unit="$")]
        return _page(request, session, "reports_report.html", "Denials", asked,
                     {"report": report, "report_key": "denials", "charts": chart})

    @pages.get("/reports/claims")
    def claims(request: Request, session: PageSession) -> Response:
        asked = _start(request, session)
        page_permitted(session.user, Permission.VIEW_CLAIMS)
        params = request.query_params
        report = (params.get("report") or "")[:40]
        drill = {key[len(DRILL_PREFIX):]: (value or "")[:60] for key, value in params.items()
                 if key.startswith(DRILL_PREFIX)}
        listed = None
        if asked.filter is not None:
            try:
                with origin(request):
                    listed = claims_behind(database_of(request), asked.filter, report, drill,
                                           actor=session.user.email)
            except DermbillError as problem:
                asked.problem = str(problem)
        return _page(request, session, "reports_claims.html", "Claims behind the figure", asked,
                     {"listed": listed, "drill": drill, "report_name": report, "refinements": REFINEMENTS})

    def export(request: Request, session: PageSession, report_key: str, table_key: str, kind: str) -> Response:
        asked = _start(request, session)
        if asked.filter is None:
            raise HTTPException(status_code=400, detail=asked.problem or "the filters are not valid")
        if report_key == "aging":
            asked.extra["basis"] = asked.basis.value
        with origin(request):
            report = _report(request, report_key, asked.filter, asked.basis)
        stem = f"{report_key}-{table_key}-{asked.filter.as_of.isoformat()}"
        if table_key == "figures" and isinstance(report, KpiReport):
            figures = report.figures
            body = (to_csv(figure_rows(figures)).encode() if kind == "csv"
                    else figures_workbook(report.title, figures, asked.described()))
        else:
            table = next((t for t in report.tables if t.key == table_key), None)
            if table is None:
                raise HTTPException(status_code=404, detail=f"the {REPORTS[report_key]} report has no table "
                                                            f"{table_key!r} for these filters")
            body = (to_csv(table_rows(table)).encode() if kind == "csv"
                    else table_workbook(table, [("Report", report.title), *asked.described()]))
        media = ("text/csv; charset=utf-8" if kind == "csv"
                 else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        return Response(body, media_type=media, headers={
            "Content-Disposition": f'attachment; filename="{stem}.{kind}"', "Cache-Control": "no-store"})

    # One route per export, spelled out: a path parameter here would name no record (the route scoping test
    # walks every parameter as a record of another practice).
    for report_key, table_keys in EXPORTS.items():
        for table_key in table_keys:
            for kind in ("csv", "xlsx"):
                pages.add_api_route(f"/reports/{report_key}/{table_key}.{kind}",
                                    _exporter(export, report_key, table_key, kind), methods=["GET"])

    return pages


def _exporter(export: Callable[..., Response], report_key: str, table_key: str, kind: str
              ) -> Callable[[Request, PageSession], Response]:
    def download(request: Request, session: PageSession) -> Response:
        return export(request, session, report_key, table_key, kind)
    return download


def _report(request: Request, key: str, f: ReportFilter, basis: Basis) -> Report:
    if key == "aging":
        return aging_report(database_of(request), f, basis=basis)
    if key == "kpis":
        return kpi_report(database_of(request), f)
    return denial_report(database_of(request), f)


def _dollars(value: object) -> Decimal:
    return value.to_decimal() if isinstance(value, Money) else Decimal(0)
