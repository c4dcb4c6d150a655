"""The reports: A/R aging, the key figures beside the previous period's, and the denial report.

Aging is summed by the database from the ledger's receivable summary (``report_aging``); credit balances are
reported apart, never netted against what is owed to the practice. The key figures and the denial report are built
from the filter's parts (``report_parts``: each practice's sums and denial items, kept until its data moves, then
added), so a billing company's figures cost a read of its practices' kept parts plus the practices written since.

Every query is limited to the filter's practices (the ones the person may see).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from dermbill.core.errors import InvalidInput, NotFound
from dermbill.core.money import Money
from dermbill.core.reports.aging import (
    BUCKETS,
    AgedBalance,
    AgingRow,
    Basis,
    Kind,
    age,
)
from dermbill.core.reports.figures import Figure
from dermbill.core.reports.filters import ReportFilter
from dermbill.core.reports.parts import AgingParts, FigureParts, ar_by_payer
from dermbill.core.reports.periods import Period, default_period
from dermbill.core.reports.table import Column, ColumnKind, Report, ReportTable, Row
from dermbill.db.engine import Database
from dermbill.db.models import (
    PayerRow,
    PracticeRow,
    ProviderRow,
)
from dermbill.db.repositories import UnitOfWork
from dermbill.services import report_aging, report_denials, report_kpis, report_ledger, report_parts
from dermbill.services.report_aging import CREDITS

DIMENSIONS = ("practice", "payer", "provider", "code")
DIMENSION_LABELS = {"practice": "Practice", "payer": "Payer", "provider": "Provider", "code": "Procedure code",
                    "patient": "Patient"}


@dataclass(frozen=True, slots=True)
class AgingReport(Report):
    """Aging as of ``filter.as_of``: totals per kind, rows per dimension and kind, and the credits apart."""

    filter: ReportFilter | None = None
    basis: Basis = Basis.SERVICE
    totals: dict[Kind, AgingRow] = field(default_factory=dict)
    by: dict[str, dict[Kind, list[AgingRow]]] = field(default_factory=dict)
    credits: dict[str, Money] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"as_of": self.filter.as_of.isoformat() if self.filter else None,
                                  "basis": self.basis.value, "bucket_names": list(BUCKETS)}
        for kind in Kind:
            out[kind.value] = {**self.totals[kind].to_json(),
                               **{f"by_{name}": [r.to_json() | {"key": r.key} for r in rows[kind]]
                                  for name, rows in self.by.items()}}
        out["total"] = Money(sum(row.total.cents for row in self.totals.values())).plain()
        out["credits"] = {key: amount.plain() for key, amount in self.credits.items()}
        return out


def aging_report(database: Database, f: ReportFilter, *, basis: Basis = Basis.SERVICE,
                 dimensions: Sequence[str] = DIMENSIONS) -> AgingReport:
    """A/R aging for the filter's practices as of its as-of day (the period is not used: balances have no period).

    Read from the practices' kept aging parts (``report_parts.aging``) when every dimension asked is a kept one;
    ``dimensions`` may add "patient" (a table naming patients, summed now: the caller audits that read).
    """
    kept = set(dimensions) <= set(report_aging.KEPT_DIMENSIONS) and f.payer_id is None and f.provider_id is None
    parts = report_parts.aging(database, f, basis) if kept else None
    with UnitOfWork(database, actor="reports") as uow:
        session = report_ledger.for_reports(uow.session)
        if parts is not None:
            found = report_aging.labelled(session, f, report_aging.sums_of(parts, dimensions))
            credits = {key: Money(parts.credits.get(key, 0)) for _, key, _ in CREDITS}
        else:
            found = report_aging.aged_balances(session, f, basis, dimensions)
            credits = report_aging.credits(session, f)
    return _aging(f, basis, found, credits)


def payer_aging(database: Database, f: ReportFilter, parts: AgingParts) -> AgingReport:
    """The aging by payer (date of service) the dashboard shows, from the filter's aging parts (kept per practice,
    ``report_parts.aging``): the same report ``aging_report(..., dimensions=("payer",))`` gives."""
    with UnitOfWork(database, actor="reports") as uow:
        found = report_aging.labelled(uow.session, f, report_aging.sums_of(parts, ("payer",)))
    return _aging(f, Basis.SERVICE, found, {key: Money(parts.credits.get(key, 0)) for _, key, _ in CREDITS})


def _aging(f: ReportFilter, basis: Basis, found: dict[tuple[str, ...], list[AgedBalance]],
           credits: dict[str, Money]) -> AgingReport:
    dimensions = [one[0] for one in found if one]
    totals, _ = age(found[()], ())
    by = {name: age(found[(name,)], (name,))[1][name] for name in dimensions}
    tables = (_summary_table(totals, credits), *(_dimension_table(name, by[name]) for name in dimensions))
    return AgingReport("aging", f"A/R aging as of {f.as_of.isoformat()} (by {basis.label})", tables,
                       {"as_of": f.as_of, "basis": basis}, f, basis, totals, by, credits)


_BUCKET_COLUMNS = tuple(Column(name, name, ColumnKind.MONEY) for name in BUCKETS)


def _cells(row: AgingRow) -> tuple[Money, ...]:
    return (*row.buckets, row.not_billed, row.total)


def _summary_table(totals: dict[Kind, AgingRow], credits: dict[str, Money]) -> ReportTable:
    rows = tuple(Row((kind.value.title(), *_cells(totals[kind])), {"report": "ar", "kind": kind.value})
                 for kind in Kind)
    grand = AgingRow("total", "Total")
    for kind in Kind:
        for index, amount in enumerate(totals[kind].buckets):
            grand.add(index, amount)
        grand.add(None, totals[kind].not_billed)
    credit_note = "; ".join(f"{label}: ${credits[key]}" for _, key, label in CREDITS if credits.get(key))
    return ReportTable("aging_summary", "A/R by who owes it", (
        Column("owed_by", "Owed by"), *_BUCKET_COLUMNS, Column("not_billed", "Not billed yet", ColumnKind.MONEY),
        Column("total", "Total", ColumnKind.MONEY)), rows, Row(("Total", *_cells(grand))),
        note="Insurance includes denied balances being worked. Credit balances are apart, not netted"
             + (f" ({credit_note})." if credit_note else ": there are none."), drill_report="ar")


def _dimension_table(name: str, rows: dict[Kind, list[AgingRow]]) -> ReportTable:
    table_rows = []
    for kind in Kind:
        for row in rows[kind]:
            names_owner = row.key and not (name == "payer" and kind is Kind.PATIENT)
            table_rows.append(Row((row.label, kind.value.title(), *_cells(row)),
                                  {"report": "ar", "kind": kind.value, **({name: row.key} if names_owner else {})}))
    return ReportTable(f"aging_by_{name}", f"A/R aging by {DIMENSION_LABELS[name].lower()}", (
        Column(name, DIMENSION_LABELS[name]), Column("owed_by", "Owed by"), *_BUCKET_COLUMNS,
        Column("not_billed", "Not billed yet", ColumnKind.MONEY), Column("total", "Total", ColumnKind.MONEY)),
        tuple(table_rows), drill_report="ar")


def report_filter(database: Database, *, as_of: datetime.date, practices: Sequence[str] = (),
                  start: datetime.date | None = None, end: datetime.date | None = None, payer: str | None = None,
                  provider: str | None = None) -> ReportFilter:
    """A filter from what a person types: practice codes (none: every practice), the payer's ID, the provider's
    NPI, the period's first and last days (default: the 30 days ending on ``as_of``)."""
    with UnitOfWork(database, actor="reports") as uow:
        session = uow.session
        query = select(PracticeRow.id, PracticeRow.code)
        if practices:
            query = query.where(PracticeRow.code.in_(set(practices)))
        found = session.execute(query).all()
        missing = sorted(set(practices) - {code for _, code in found})
        if missing:
            raise NotFound(f"no practice {', '.join(missing)} (see dermbill practices list)")
        if not found:
            raise NotFound("there are no practices yet: nothing to report")
        ids = frozenset(i for i, _ in found)
        payer_id = provider_id = None
        if payer:
            payer_id = session.scalar(select(PayerRow.id).where(PayerRow.payer_identifier == payer.strip()))
            if payer_id is None:
                raise NotFound(f"no payer with the ID {payer.strip()[:20]!r} (the payer ID claims are sent to)")
        if provider:
            provider_id = session.scalar(select(ProviderRow.id).where(ProviderRow.npi == provider.strip(),
                                                                      ProviderRow.practice_id.in_(ids)))
            if provider_id is None:
                raise NotFound(f"no provider with the NPI {provider.strip()[:10]!r} in these practices")
    if (start is None) != (end is None):
        raise InvalidInput("give both --from and --to (the first and last days of the period), or neither")
    period = Period(start, end) if start and end else default_period(as_of)
    return ReportFilter(ids, as_of, period, payer_id, provider_id)


# The key figures


FigureFunction = Callable[[FigureParts], list[Figure]]
# In reading order: the revenue cycle, then denials, coding and patient collections.
FIGURE_GROUPS: tuple[tuple[str, str, FigureFunction], ...] = (
    ("revenue", "Revenue cycle", report_kpis.revenue_figures),
    ("denials", "Denials and recoveries", report_denials.denial_figures),
    ("coding", "Coding and scrubbing", report_denials.coding_figures),
    ("patient", "Patient collections", report_denials.patient_figures),
)


@dataclass(frozen=True, slots=True)
class KpiReport(Report):
    """The key figures for the filter's period, each with the previous period's value, grouped for reading."""

    filter: ReportFilter | None = None
    groups: tuple[tuple[str, str, tuple[Figure, ...]], ...] = ()

    @property
    def figures(self) -> tuple[Figure, ...]:
        return tuple(figure for _, _, figures in self.groups for figure in figures)

    def figure(self, key: str) -> Figure:
        found = next((x for x in self.figures if x.key == key), None)
        if found is None:
            raise KeyError(f"no figure {key!r}")
        return found

    def to_json(self) -> dict[str, object]:
        f = self.filter
        return {"as_of": f.as_of.isoformat() if f else None,
                "period": f.period.to_json() if f else None,
                "previous_period": f.previous().period.to_json() if f else None,
                "groups": {key: [figure.key for figure in figures] for key, _, figures in self.groups},
                "figures": {figure.key: figure.to_json() for figure in self.figures},
                "tables": {table.key: table.to_json() for table in self.tables}}


def kpi_report(database: Database, f: ReportFilter, parts: FigureParts | None = None,
               before: FigureParts | None = None, aging: AgingParts | None = None) -> KpiReport:
    """Every key figure for the period beside the previous period's, and the tables behind them (days in A/R by
    payer, coding by family, patient collections by window). ``parts``, ``before`` and ``aging``: the period's and
    the previous period's parts, and the aging parts as of the day (by date of service), when the caller has them."""
    parts = parts or report_parts.parts(database, f)
    before = before or report_parts.parts(database, f.previous())
    aging = aging or report_parts.aging(database, f, Basis.SERVICE)
    groups = tuple(
        (key, title, tuple(now.with_previous(then)
                           for now, then in zip(figures(parts), figures(before), strict=True)))
        for key, title, figures in FIGURE_GROUPS)
    with UnitOfWork(database, actor="reports") as uow:
        tables = (report_kpis.days_in_ar_by_payer(uow, f, ar_by_payer(aging, parts.charges_by_payer)),
                  report_denials.coding_table(parts),
                  report_denials.patient_table(parts))
    return KpiReport("kpis", f"Key figures, {f.period.label}", tables, {"as_of": f.as_of, "period": f.period},
                     f, groups)


def denial_report(database: Database, f: ReportFilter) -> Report:
    """Denials adjudicated in the period by root cause, CARC, payer, code and provider, and what was recovered."""
    facts = report_parts.parts(database, f).denials
    with UnitOfWork(database, actor="reports") as uow:
        return report_denials.denial_report(uow, f, facts)
