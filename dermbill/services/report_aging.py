"""A/R aging from the ledger's receivable summary, summed by the database: the open balances by who owes them,
bucket and any of the report's dimensions, and the credit balances apart.

Aging reads the balances of the receivable accounts (insurance 1100, denied 1150, patient 1200) as of the as-of day
(``report_ledger.receivable_balances``) and buckets them in the database's own query (the bucket edges are dates,
``core.reports.aging.bucket_starts``): nothing is loaded per claim line. Credit balances (patient credits 2100,
refunds due to payers 2150, insurance payments not matched yet 2160) are owed *by* the practice and are reported
apart, never netted against what is owed to it. Every query is limited to the filter's practices.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, select, tuple_
from sqlalchemy.orm import Session

from dermbill.core.ledger import DENIED_AR, INSURANCE_AR, PATIENT_AR, PATIENT_CREDIT, PAYER_CREDIT, UNAPPLIED_INSURANCE
from dermbill.core.money import Money
from dermbill.core.reports.aging import BUCKETS, AgedBalance, Basis, Kind, bucket_starts
from dermbill.core.reports.filters import ReportFilter
from dermbill.core.reports.parts import AGING_SLOTS, AgingParts
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
from dermbill.services import report_ledger

RECEIVABLES = {INSURANCE_AR: Kind.INSURANCE, DENIED_AR: Kind.INSURANCE, PATIENT_AR: Kind.PATIENT}
CREDITS = ((PATIENT_CREDIT, "patient_credit", "Patient credits (owed back or to apply)"),
           (PAYER_CREDIT, "payer_credit", "Refunds due to payers"),
           (UNAPPLIED_INSURANCE, "unapplied_insurance", "Insurance payments not matched yet"))
NOT_BILLED_BUCKET = -1
NO_AGE_BUCKET = -2  # a balance no claim dates (cannot happen when every receivable posting names its line)


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


AgedSum = tuple[Kind, int | None, str, int]  # kind, bucket index (None: not billed), key ("" in the totals), cents
KEPT_DIMENSIONS = ("practice", "payer", "provider", "code")  # what a practice's kept aging parts are summed by


def aged_sums(session: Session, f: ReportFilter, basis: Basis,
              dimensions: Sequence[str]) -> dict[tuple[str, ...], list[AgedSum]]:
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
    return {one: [_summed(row, one) for row in rows_by_set[one]] for one in sets}


def _summed(row: Any, dimensions: tuple[str, ...]) -> AgedSum:
    kind = Kind.PATIENT if row.is_patient else Kind.INSURANCE
    bucket_index = None if row.bucket == NOT_BILLED_BUCKET else max(int(row.bucket), 0)
    if row.bucket == NO_AGE_BUCKET:
        bucket_index = len(BUCKETS) - 1  # undated: counted as the oldest, never lost
    key = ""
    if dimensions:
        value = getattr(row, dimensions[0])
        key = "patient" if dimensions[0] == "payer" and kind is Kind.PATIENT else ("" if value is None else str(value))
    return kind, bucket_index, key, int(row.cents)


def aged_balances(session: Session, f: ReportFilter, basis: Basis,
                  dimensions: Sequence[str]) -> dict[tuple[str, ...], list[AgedBalance]]:
    """``aged_sums`` with each key's label (what ``core.reports.aging.age`` tabulates)."""
    return labelled(session, f, aged_sums(session, f, basis, dimensions))


def labelled(session: Session, f: ReportFilter,
             sums: dict[tuple[str, ...], list[AgedSum]]) -> dict[tuple[str, ...], list[AgedBalance]]:
    """The balances of ``aged_sums`` (or of kept parts, ``sums_of``) with their keys' labels."""
    names = [one[0] for one in sums if one]
    labels = _labels(session, f, names, {name: {key for _, _, key, _ in sums[(name,)]} for name in names})
    return {one: [AgedBalance(kind, bucket, Money(cents),
                              {one[0]: (key, labels[one[0]].get(key, key or "(none)"))} if one else {})
                  for kind, bucket, key, cents in rows] for one, rows in sums.items()}


def aging_parts(session: Session, f: ReportFilter, basis: Basis) -> AgingParts:
    """The filter's open balances by kind, bucket and each kept dimension, and its credits: what a practice keeps
    (``report_parts.aging``) so that a company's aging is its practices' parts added."""
    rows: dict[tuple[str, Kind, str], list[int]] = {}
    for one, found in aged_sums(session, f, basis, KEPT_DIMENSIONS).items():
        for kind, bucket, key, cents in found:
            slots = rows.setdefault((one[0] if one else "", kind, key), [0] * AGING_SLOTS)
            slots[len(BUCKETS) if bucket is None else bucket] += cents
    return AgingParts({key: tuple(cents) for key, cents in rows.items()},
                      {key: amount.cents for key, amount in credits(session, f).items()})


def sums_of(parts: AgingParts, dimensions: Sequence[str]) -> dict[tuple[str, ...], list[AgedSum]]:
    """Kept aging parts as ``aged_sums`` gives them, for the totals and ``dimensions`` (kept ones only)."""
    out: dict[tuple[str, ...], list[AgedSum]] = {(): [], **{(name,): [] for name in dimensions}}
    for (dimension, kind, key), cents in parts.rows.items():
        found = out.get((dimension,) if dimension else ())
        if found is not None:  # every slot, zeros too: a key summed to nothing keeps its row, as when summed
            found.extend((kind, None if index == len(BUCKETS) else index, key, value)
                         for index, value in enumerate(cents))
    return out


def payer_labels(session: Session, ids: Iterable[int]) -> dict[str, str]:
    """The payer dimension's labels: each payer's name by its id (as text), "Patients" and "No payer named"."""
    wanted = set(ids)
    labels = {str(i): name for i, name in session.execute(
        select(PayerRow.id, PayerRow.name).where(PayerRow.id.in_(wanted)))} if wanted else {}
    return labels | {"patient": "Patients", "": "No payer named"}


def _labels(session: Session, f: ReportFilter, dimensions: Sequence[str], keys: dict[str, set[str]]
            ) -> dict[str, dict[str, str]]:
    """What each dimension's keys are called: practice codes, payer and provider names, patient accounts."""
    labels: dict[str, dict[str, str]] = {name: {} for name in dimensions}
    if "practice" in dimensions:
        labels["practice"] = {str(i): f"{code} {name}" for i, code, name in session.execute(
            select(PracticeRow.id, PracticeRow.code, PracticeRow.legal_name)
            .where(PracticeRow.id.in_(f.practice_ids)))}
    if "payer" in dimensions:
        labels["payer"] = payer_labels(session, {int(key) for key in keys["payer"] if key.isdigit()})
    if "provider" in dimensions:
        labels["provider"] = {str(i): f"{last}, {first}" for i, last, first in session.execute(
            select(ProviderRow.id, ProviderRow.last_name, ProviderRow.first_name)
            .where(ProviderRow.practice_id.in_(f.practice_ids)))}
    if "patient" in dimensions:
        ids = {int(key) for key in keys["patient"] if key.isdigit()}
        labels["patient"] = {str(i): f"{account} {last}, {first}" for i, account, last, first in session.execute(
            select(PatientRow.id, PatientRow.account_number, PatientRow.last_name, PatientRow.first_name)
            .where(PatientRow.id.in_(ids), PatientRow.practice_id.in_(f.practice_ids)))} if ids else {}
    return labels


def credits(session: Session, f: ReportFilter) -> dict[str, Money]:
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
