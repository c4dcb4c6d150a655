"""The reports: A/R aging from the ledger, and the key figures assembled with the previous period's.

Aging reads the balances of the receivable accounts (insurance 1100, denied 1150, patient 1200) line by line over
the postings dated on or before the as-of day, and buckets them in the database's own query (the bucket edges are
dates, ``core.reports.aging.bucket_starts``): nothing is loaded per claim line. Credit balances (patient credits
2100, refunds due to payers 2150, insurance payments not matched yet 2160) are owed *by* the practice and are
reported apart, never netted against what is owed to it.

Every query is limited to the filter's practices (the ones the person may see).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, select, tuple_
from sqlalchemy.orm import Session

from dermbill.core.errors import InvalidInput, NotFound
from dermbill.core.ledger import DENIED_AR, INSURANCE_AR, PATIENT_AR, PATIENT_CREDIT, PAYER_CREDIT, UNAPPLIED_INSURANCE
from dermbill.core.money import Money
from dermbill.core.reports.aging import (
    BUCKETS,
    AgedBalance,
    AgingRow,
    Basis,
    Kind,
    age,
    bucket_starts,
)
from dermbill.core.reports.figures import Figure
from dermbill.core.reports.filters import ReportFilter
from dermbill.core.reports.parts import FigureParts
from dermbill.core.reports.periods import Period, default_period
from dermbill.core.reports.table import Column, ColumnKind, Report, ReportTable, Row
from dermbill.db.engine import Database
from dermbill.db.models import (
    ClaimStatusEventRow,
    JournalEntryRow,
    LedgerAccountRow,
    PatientRow,
    PayerRow,
    PostingRow,
    PracticeRow,
    ProviderRow,
    StatementClaimRow,
    StatementRow,
)
from dermbill.db.repositories import UnitOfWork
from dermbill.services import report_denials, report_kpis, report_ledger, report_parts

RECEIVABLES = {INSURANCE_AR: Kind.INSURANCE, DENIED_AR: Kind.INSURANCE, PATIENT_AR: Kind.PATIENT}
CREDITS = ((PATIENT_CREDIT, "patient_credit", "Patient credits (owed back or to apply)"),
           (PAYER_CREDIT, "payer_credit", "Refunds due to payers"),
           (UNAPPLIED_INSURANCE, "unapplied_insurance", "Insurance payments not matched yet"))
DIMENSIONS = ("practice", "payer", "provider", "code")
DIMENSION_LABELS = {"practice": "Practice", "payer": "Payer", "provider": "Provider", "code": "Procedure code",
                    "patient": "Patient"}
NOT_BILLED_BUCKET = -1
NO_AGE_BUCKET = -2  # a balance no claim dates (cannot happen when every receivable posting names its line)


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

    ``dimensions`` may add "patient" (a table naming patients: the caller audits that read).
    """
    with UnitOfWork(database, actor="reports") as uow:
        session = report_ledger.for_reports(uow.session)
        found = _aged_balances(session, f, basis, dimensions)
        credits = _credits(session, f)
    totals, _ = age(found[()], ())
    by = {name: age(found[(name,)], (name,))[1][name] for name in dimensions}
    tables = (_summary_table(totals, credits), *(_dimension_table(name, by[name]) for name in dimensions))
    return AgingReport("aging", f"A/R aging as of {f.as_of.isoformat()} (by {basis.label})", tables,
                       {"as_of": f.as_of, "basis": basis}, f, basis, totals, by, credits)


def _balances_query(session: Session, f: ReportFilter, codes: Iterable[str]) -> Select[Any]:
    """Receivable balances per line, account kind and payer, as of the as-of day (nonzero sums only): read from
    the ledger's receivable summary (``report_ledger``), not from every posting."""
    return report_ledger.receivable_balances(session, f, codes)


def _bucket(day: ColumnElement[Any], as_of: datetime.date, *, missing: int) -> ColumnElement[int]:
    """The bucket index of a date column, in SQL: compared with each bucket's first day."""
    starts = bucket_starts(as_of)
    whens: list[tuple[ColumnElement[bool], int]] = [(day.is_(None), missing)]
    whens += [(day >= start, index) for index, start in enumerate(starts)]
    return case(*whens, else_=len(starts))


def _bucket_at(moment: ColumnElement[Any], as_of: datetime.date, *, missing: int) -> ColumnElement[int]:
    """The same for a UTC timestamp column: a day starts at midnight UTC."""
    starts = [datetime.datetime.combine(s, datetime.time(0), tzinfo=datetime.UTC) for s in bucket_starts(as_of)]
    whens: list[tuple[ColumnElement[bool], int]] = [(moment.is_(None), missing)]
    whens += [(moment >= start, index) for index, start in enumerate(starts)]
    return case(*whens, else_=len(starts))


def _aged_balances(session: Session, f: ReportFilter, basis: Basis,
                   dimensions: Sequence[str]) -> dict[tuple[str, ...], list[AgedBalance]]:
    """The open balances summed by kind and bucket (key ``()``) and by kind, bucket and each dimension alone (key
    ``(name,)``): on PostgreSQL in one pass over the balances (GROUPING SETS), on SQLite one query a set."""
    # Each balance carries its claim, date of service, provider, code and claim payer (receivable_balance, kept
    # with the postings): aging by date of service reads no claim or line; by first billing it joins each
    # claim's first submission and first statement.
    balances = _balances_query(session, f, RECEIVABLES).subquery("balance")
    is_patient = balances.c.code == PATIENT_AR
    joins: list[tuple[Any, Any]] = []
    if basis is Basis.SERVICE:
        bucket = _bucket(balances.c.service_date, f.as_of, missing=NO_AGE_BUCKET)
    else:
        submitted = (select(ClaimStatusEventRow.claim_id.label("claim_id"),
                            func.min(ClaimStatusEventRow.occurred_at).label("first"))
                     .where(ClaimStatusEventRow.practice_id.in_(f.practice_ids),
                            ClaimStatusEventRow.to_status == "submitted")
                     .group_by(ClaimStatusEventRow.claim_id).subquery("submitted"))
        stated = (select(StatementClaimRow.claim_id.label("claim_id"),
                         func.min(StatementRow.statement_date).label("first"))
                  .join(StatementRow, StatementRow.id == StatementClaimRow.statement_id)
                  .where(StatementClaimRow.practice_id.in_(f.practice_ids), StatementRow.statement_date <= f.as_of)
                  .group_by(StatementClaimRow.claim_id).subquery("stated"))
        bucket = case((is_patient, _bucket(stated.c.first, f.as_of, missing=NOT_BILLED_BUCKET)),
                      else_=_bucket_at(submitted.c.first, f.as_of, missing=NOT_BILLED_BUCKET))
        joins = [(submitted, and_(submitted.c.claim_id == balances.c.claim_ref, submitted.c.first
                                  < datetime.datetime.combine(f.as_of + datetime.timedelta(days=1), datetime.time(0),
                                                              tzinfo=datetime.UTC))),
                 (stated, stated.c.claim_id == balances.c.claim_ref)]
    payer = case((is_patient, literal(None)), else_=balances.c.payer_id)
    columns: dict[str, Any] = {
        "practice": balances.c.practice_id, "payer": payer, "provider": balances.c.provider_id,
        "code": balances.c.procedure_code, "patient": balances.c.patient_id}
    names = tuple(dimensions)
    sets: list[tuple[str, ...]] = [(), *((name,) for name in names)]
    source = select(func.sum(balances.c.cents).label("cents")).select_from(balances)
    for table, on in joins:
        source = source.outerjoin(table, on)
    if f.payer_id is not None:
        # Insurance balances owed by the payer; patient balances left by its claims.
        source = source.where(case((is_patient, balances.c.claim_payer_id), else_=balances.c.payer_id) == f.payer_id)
    if f.provider_id is not None:
        source = source.where(balances.c.provider_id == f.provider_id)
    rows_by_set: dict[tuple[str, ...], list[Any]] = {one: [] for one in sets}
    if session.get_bind().dialect.name == "postgresql" and names:
        # one pass: GROUPING(x) is 1 in the rows of the sets that leave x out
        query = source.add_columns(is_patient.label("is_patient"), bucket.label("bucket"),
                                   *(columns[name].label(name) for name in names),
                                   *(func.grouping(columns[name]).label(f"left_out_{name}") for name in names))
        query = query.group_by(func.grouping_sets(*(tuple_(is_patient, bucket, *(columns[n] for n in one))
                                                    for one in sets)))
        for row in session.execute(query):
            rows_by_set[tuple(name for name in names if not getattr(row, f"left_out_{name}"))].append(row)
    else:
        for one in sets:
            query = source.add_columns(is_patient.label("is_patient"), bucket.label("bucket"),
                                       *(columns[name].label(name) for name in one))
            rows_by_set[one] = list(session.execute(query.group_by(is_patient, bucket,
                                                                    *(columns[name] for name in one))))
    labels = _labels(session, f, names, [row for one in sets[1:] for row in rows_by_set[one]])
    return {one: [_aged(row, one, labels) for row in rows_by_set[one]] for one in sets}


def _aged(row: Any, dimensions: tuple[str, ...], labels: dict[str, dict[str, str]]) -> AgedBalance:
    kind = Kind.PATIENT if row.is_patient else Kind.INSURANCE
    bucket_index = None if row.bucket == NOT_BILLED_BUCKET else max(int(row.bucket), 0)
    if row.bucket == NO_AGE_BUCKET:
        bucket_index = len(BUCKETS) - 1  # undated: counted as the oldest, never lost
    dims = {}
    for name in dimensions:
        value = getattr(row, name)
        key = "patient" if name == "payer" and kind is Kind.PATIENT else ("" if value is None else str(value))
        dims[name] = (key, labels[name].get(key, key or "(none)"))
    return AgedBalance(kind, bucket_index, Money(int(row.cents)), dims)


def _labels(session: Session, f: ReportFilter, dimensions: Sequence[str], rows: Sequence[Any]
            ) -> dict[str, dict[str, str]]:
    """What each dimension's keys are called: practice codes, payer and provider names, patient accounts."""
    labels: dict[str, dict[str, str]] = {name: {} for name in dimensions}
    if "practice" in dimensions:
        labels["practice"] = {str(i): f"{code} {name}" for i, code, name in session.execute(
            select(PracticeRow.id, PracticeRow.code, PracticeRow.legal_name)
            .where(PracticeRow.id.in_(f.practice_ids)))}
    if "payer" in dimensions:
        ids = {row.payer for row in rows if getattr(row, "payer", None) is not None}
        labels["payer"] = {str(i): name for i, name in session.execute(
            select(PayerRow.id, PayerRow.name).where(PayerRow.id.in_(ids)))} if ids else {}
        labels["payer"]["patient"] = "Patients"
        labels["payer"][""] = "No payer named"
    if "provider" in dimensions:
        labels["provider"] = {str(i): f"{last}, {first}" for i, last, first in session.execute(
            select(ProviderRow.id, ProviderRow.last_name, ProviderRow.first_name)
            .where(ProviderRow.practice_id.in_(f.practice_ids)))}
    if "patient" in dimensions:
        ids = {row.patient for row in rows if getattr(row, "patient", None) is not None}
        labels["patient"] = {str(i): f"{account} {last}, {first}" for i, account, last, first in session.execute(
            select(PatientRow.id, PatientRow.account_number, PatientRow.last_name, PatientRow.first_name)
            .where(PatientRow.id.in_(ids), PatientRow.practice_id.in_(f.practice_ids)))} if ids else {}
    return labels


def _credits(session: Session, f: ReportFilter) -> dict[str, Money]:
    """Credit balances as of the as-of day (positive: what the practice owes back or holds)."""
    totals = {key: Money.zero() for _, key, _ in CREDITS}
    by_code = {code: key for code, key, _ in CREDITS}
    query = (select(LedgerAccountRow.code, func.sum(PostingRow.amount_cents))
             .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
             .where(PostingRow.practice_id.in_(f.practice_ids), LedgerAccountRow.code.in_(tuple(by_code)))
             .group_by(LedgerAccountRow.code))
    if f.payer_id is None:
        summed = report_ledger.account_totals(session, f, by_code, start=None, end=f.as_of)
        return totals | {by_code[code]: Money(-cents) for code, cents in summed.items()}
    query = query.where(PostingRow.payer_id == f.payer_id)
    if report_ledger.posted_after(session, f):
        query = query.join(JournalEntryRow, JournalEntryRow.id == PostingRow.journal_entry_id).where(
            JournalEntryRow.entry_date <= f.as_of)
    for code, cents in session.execute(query):
        totals[by_code[code]] = Money(-int(cents))
    return totals


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


def kpi_report(database: Database, f: ReportFilter) -> KpiReport:
    """Every key figure for the period beside the previous period's, and the tables behind them (days in A/R by
    payer, coding by family, patient collections by window)."""
    parts, before = report_parts.parts(database, f), report_parts.parts(database, f.previous())
    groups = tuple(
        (key, title, tuple(now.with_previous(then)
                           for now, then in zip(figures(parts), figures(before), strict=True)))
        for key, title, figures in FIGURE_GROUPS)
    with UnitOfWork(database, actor="reports") as uow:
        tables = (report_kpis.days_in_ar_by_payer(uow, f, parts.ar_by_payer), report_denials.coding_table(parts),
                  report_denials.patient_table(parts))
    return KpiReport("kpis", f"Key figures, {f.period.label}", tables, {"as_of": f.as_of, "period": f.period},
                     f, groups)


def denial_report(database: Database, f: ReportFilter) -> Report:
    """Denials adjudicated in the period by root cause, CARC, payer, code and provider, and what was recovered."""
    facts = report_parts.parts(database, f).denials
    with UnitOfWork(database, actor="reports") as uow:
        return report_denials.denial_report(uow, f, facts)
