"""The ledger as the reports read it: account totals over days and receivable balances as of a day, from the
summaries ``post_many`` keeps (``ledger_day_total``, ``receivable_balance``; migration 0029) instead of every
posting.

A receivable balance as of a day is the current balance less the postings dated after that day (few, when the day
is recent: read through the index on ``journal_entry (practice_id, entry_date)``). Each function here returns what
summing the postings returns, to the cent; ``tests/db/test_report_summary.py`` checks it after a posting and a
reversal.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, case, func, literal, select, text, union_all
from sqlalchemy.orm import Session

from dermbill.core.reports.filters import ReportFilter
from dermbill.db.models import (
    ClaimLineRow,
    ClaimRow,
    JournalEntryRow,
    LedgerAccountRow,
    LedgerDayTotalRow,
    PostingRow,
    ReceivableBalanceRow,
)

REPORT_WORK_MEM = "128MB"  # memory for one sort or hash of a report query (PostgreSQL's default 4MB spills)


def for_reports(session: Session) -> Session:
    """Settings for the report transaction only (PostgreSQL): room to group a company's balances in memory
    (``work_mem``; the server's default makes the aging GROUPING SETS sort on disk), and no JIT compilation (the
    report queries are many and short: compiling each cost more than running it, 0.5 s of a 0.6 s query)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))
        session.execute(text("SET LOCAL jit = off"))
    return session


def posted_after(session: Session, f: ReportFilter) -> bool:
    """Whether postings after the as-of day exist in these practices (then those must be taken off)."""
    latest = session.scalar(select(func.max(JournalEntryRow.entry_date))
                            .where(JournalEntryRow.practice_id.in_(f.practice_ids)))
    return latest is not None and latest > f.as_of


def receivable_balances(session: Session, f: ReportFilter, codes: Iterable[str]) -> Select[Any]:
    """Per line (or claim, for postings naming no line), account code, payer and patient: the balance as of the
    filter's day of the receivable accounts ``codes`` (nonzero only), with what aging groups it by: practice_id,
    line_id, claim_id (only for a balance naming no line), code, payer_id, patient_id, cents, claim_ref (the claim, also
    for a line), service_date, provider_id, procedure_code, claim_payer_id."""
    code, balance = LedgerAccountRow.code, ReceivableBalanceRow
    wanted = tuple(codes)
    current = (select(balance.practice_id.label("practice_id"),
                      func.nullif(balance.claim_line_key, 0).label("line_id"),
                      func.nullif(balance.claim_key, 0).label("claim_id"), code.label("code"),
                      func.nullif(balance.payer_key, 0).label("payer_id"),
                      func.nullif(balance.patient_key, 0).label("patient_id"), balance.balance_cents.label("cents"),
                      func.nullif(balance.claim_ref, 0).label("claim_ref"), balance.service_date.label("service_date"),
                      func.nullif(balance.provider_key, 0).label("provider_id"),
                      balance.procedure_code.label("procedure_code"),
                      func.nullif(balance.claim_payer_key, 0).label("claim_payer_id"))
               .join(LedgerAccountRow, LedgerAccountRow.id == balance.account_id)
               .where(balance.practice_id.in_(f.practice_ids), code.in_(wanted), balance.balance_cents != 0))
    if not posted_after(session, f):
        return current
    line, claim = ClaimLineRow, ClaimRow
    claim_of_unlined = case((PostingRow.claim_line_id.is_(None), PostingRow.claim_id), else_=None)
    later = (select(PostingRow.practice_id.label("practice_id"), PostingRow.claim_line_id.label("line_id"),
                    claim_of_unlined.label("claim_id"),
                    code.label("code"), PostingRow.payer_id.label("payer_id"),
                    PostingRow.patient_id.label("patient_id"), (-PostingRow.amount_cents).label("cents"),
                    claim.id.label("claim_ref"),
                    func.coalesce(line.service_date_from, claim.date_of_service).label("service_date"),
                    func.coalesce(line.rendering_provider_id, claim.rendering_provider_id).label("provider_id"),
                    line.procedure_code.label("procedure_code"), claim.payer_id.label("claim_payer_id"))
             .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
             .join(JournalEntryRow, JournalEntryRow.id == PostingRow.journal_entry_id)
             .outerjoin(line, line.id == PostingRow.claim_line_id)
             .outerjoin(claim, claim.id == func.coalesce(line.claim_id, PostingRow.claim_id))
             .where(JournalEntryRow.practice_id.in_(f.practice_ids), JournalEntryRow.entry_date > f.as_of,
                    PostingRow.practice_id.in_(f.practice_ids), code.in_(wanted)))
    both = union_all(current.where(literal(True)), later).subquery("both")
    keys = (both.c.practice_id, both.c.line_id, both.c.claim_id, both.c.code, both.c.payer_id, both.c.patient_id)
    dims = (func.max(both.c.claim_ref).label("claim_ref"), func.max(both.c.service_date).label("service_date"),
            func.max(both.c.provider_id).label("provider_id"),
            func.max(both.c.procedure_code).label("procedure_code"),
            func.max(both.c.claim_payer_id).label("claim_payer_id"))
    return (select(*keys, func.sum(both.c.cents).label("cents"), *dims)
            .group_by(*keys)
            .having(func.sum(both.c.cents) != 0))


def account_totals(session: Session, f: ReportFilter, accounts: Iterable[str], *, start: datetime.date | None,
                   end: datetime.date) -> dict[str, int]:
    """The net (debits positive) of each account's postings dated from ``start`` (None: the beginning) to ``end``,
    in the filter's practices, in cents; accounts with none are absent."""
    day = LedgerDayTotalRow
    query = (select(LedgerAccountRow.code, func.sum(day.amount_cents))
             .join(LedgerAccountRow, LedgerAccountRow.id == day.account_id)
             .where(day.practice_id.in_(f.practice_ids), LedgerAccountRow.code.in_(tuple(accounts)),
                    day.entry_date <= end)
             .group_by(LedgerAccountRow.code))
    if start is not None:
        query = query.where(day.entry_date >= start)
    return {code: int(cents) for code, cents in session.execute(query) if cents is not None}
