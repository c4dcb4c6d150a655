"""Denials and recoveries, coding accuracy and patient collections (issue 17), from the database.

Every query is limited to the filter's practices, and, when the filter names them, to its payer (the claim's or
the item's) and its provider (the claim's rendering provider). The denial report reads the period's denial items
(one row each) and the payer cash posted on their lines after them, summed per line and day by the database; the
grouping and the recovery routes are ``core.reports.denials``. The coding and patient figures are sums and counts
computed by the database.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from dermbill.core.denial_codes import DenialCategory, DenialCodeTable
from dermbill.core.ledger import BAD_DEBT, CASH, CHARITY, SMALL_BALANCE
from dermbill.core.money import Money
from dermbill.core.reports.denials import (
    Cash,
    DenialFact,
    FamilyReview,
    FollowUp,
    Route,
    carc_key,
    coding_rows,
    grouped_table,
    recovered_cents,
    recovered_table,
    route,
)
from dermbill.core.reports.figures import Figure, count_figure, money_figure, percent, rate_figure
from dermbill.core.reports.filters import ReportFilter
from dermbill.core.reports.parts import CodingSums, Collected, FigureParts, PatientSums
from dermbill.core.reports.table import Column, ColumnKind, Report, ReportTable, Row
from dermbill.db.models import (
    AppealRow,
    ClaimLineRow,
    ClaimRow,
    ClaimStatusEventRow,
    CodingReviewRow,
    DenialItemRow,
    EncounterRow,
    JournalEntryRow,
    LedgerAccountRow,
    PayerRow,
    PaymentPlanRow,
    PostingRow,
    ProviderRow,
    RemittanceRow,
    StatementClaimRow,
    StatementRow,
)
from dermbill.db.repositories import UnitOfWork
from dermbill.reference.denial_codes import denial_code_table
from dermbill.services import report_ledger

COLLECTION_DAYS = (30, 60, 90)


def _start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=datetime.UTC)


def _after(day: datetime.date) -> datetime.datetime:
    """Midnight UTC after ``day``: timestamps before it fall on or before the day."""
    return _start(day + datetime.timedelta(days=1))


def _claim_filters(f: ReportFilter, claim: Any = ClaimRow) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if f.payer_id is not None:
        out.append(claim.payer_id == f.payer_id)
    if f.provider_id is not None:
        out.append(claim.rendering_provider_id == f.provider_id)
    return out


# Denials and recoveries


def denial_facts(session: Session, f: ReportFilter) -> list[DenialFact]:
    """The denial and underpayment items adjudicated in the period, each with its recovery and route."""
    item, claim = DenialItemRow, ClaimRow
    follow = aliased(ClaimRow)
    won = (exists().where(AppealRow.denial_item_id == item.id, AppealRow.practice_id == item.practice_id,
                          AppealRow.status == "won"))
    query = (select(item.id, item.claim_id, item.kind, item.category, item.group_code, item.carc, item.payer_id,
                    item.codes, item.line_ids, item.amount_cents, item.adjudicated_on, item.status,
                    claim.rendering_provider_id, follow.id.label("follow_id"), follow.frequency_code,
                    follow.payer_id.label("follow_payer"), won.label("won"), RemittanceRow.content_hash)
             .join(claim, and_(claim.id == item.claim_id, claim.practice_id == item.practice_id))
             .outerjoin(RemittanceRow, and_(RemittanceRow.id == item.remittance_id,
                                            RemittanceRow.practice_id == item.practice_id))
             .outerjoin(follow, and_(follow.id == item.follow_up_claim_id, follow.practice_id == item.practice_id))
             .where(item.practice_id.in_(f.practice_ids), item.adjudicated_on >= f.period.start,
                    item.adjudicated_on <= f.period.end))
    if f.payer_id is not None:
        query = query.where(or_(item.payer_id == f.payer_id, claim.payer_id == f.payer_id))
    if f.provider_id is not None:
        query = query.where(claim.rendering_provider_id == f.provider_id)
    rows = session.execute(query).all()
    charged = _charged_lines(session, f, {int(i) for row in rows for i in row.line_ids or ()})
    lines = _LineHistory(session, f, set(charged.values()))
    facts = []
    for row in rows:
        follow_up = (FollowUp(row.frequency_code == "7", row.follow_payer) if row.follow_id is not None else None)
        item_lines = [charged.get(int(i), int(i)) for i in row.line_ids or ()]
        denied_by = lines.last_entry_of(row.content_hash, item_lines) if row.content_hash else None
        facts.append(DenialFact(
            row.id, row.claim_id, row.kind, row.category, carc_key(row.group_code, row.carc), row.payer_id,
            row.rendering_provider_id, tuple(row.codes or ()), int(row.amount_cents),
            recovered_cents(int(row.amount_cents), item_lines, row.adjudicated_on, lines.cash,
                            denied_by_entry=denied_by),
            row.status != "resolved", route(row.payer_id, follow_up, bool(row.won))))
    return facts


CHUNK = 2000  # claim ids per query: a list the planner sizes right (and within SQLite's bound-parameter limit)


def _charged_lines(session: Session, f: ReportFilter, line_ids: set[int]) -> dict[int, int]:
    """Each item line's charged line: itself, or the line it bills again (a secondary's or a corrected claim's line
    names it in ``billed_line_id``; remittances post on the charged line)."""
    ids = sorted(line_ids)
    out = {i: i for i in ids}
    for first in range(0, len(ids), CHUNK):
        out.update((int(i), int(b or i)) for i, b in session.execute(
            select(ClaimLineRow.id, ClaimLineRow.billed_line_id).where(
                ClaimLineRow.practice_id.in_(f.practice_ids), ClaimLineRow.id.in_(ids[first:first + CHUNK]),
                ClaimLineRow.billed_line_id.is_not(None))))
    return out


class _LineHistory:
    """What was posted on the items' charged lines up to the as-of day: the payer cash by line and journal entry,
    and the remittance entries (by idempotency key, ``era:<the 835's content hash>:...``) that touched each line.

    Postings name the charged line (835 posting writes a secondary's or a corrected claim's money on the line it
    bills again), so a chunk of charged lines at a time is read through the index on ``posting.claim_line_id``,
    one plain IN list (an OR with a subquery there made PostgreSQL scan every posting): nothing is read for claims
    without an item in the period."""

    def __init__(self, session: Session, f: ReportFilter, charged: set[int]) -> None:
        self.cash: dict[int, list[Cash]] = defaultdict(list)
        self.remittance_entries: dict[int, list[tuple[int, str]]] = defaultdict(list)
        line, entry = ClaimLineRow, JournalEntryRow
        ids = sorted(charged)
        for first in range(0, len(ids), CHUNK):
            chunk = ids[first:first + CHUNK]
            posted_on = func.coalesce(line.billed_line_id, line.id)
            query = (select(posted_on.label("line"), entry.id, entry.entry_date, entry.kind, entry.idempotency_key,
                            LedgerAccountRow.code, PostingRow.payer_id.is_not(None).label("payer"),
                            func.sum(PostingRow.amount_cents))
                     .select_from(PostingRow)
                     .join(line, and_(line.id == PostingRow.claim_line_id, line.practice_id == PostingRow.practice_id))
                     .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
                     .join(entry, entry.id == PostingRow.journal_entry_id)
                     .where(PostingRow.practice_id.in_(f.practice_ids), entry.entry_date <= f.as_of,
                            PostingRow.claim_line_id.in_(chunk))
                     .group_by(posted_on, entry.id, entry.entry_date, entry.kind, entry.idempotency_key,
                               LedgerAccountRow.code, PostingRow.payer_id.is_not(None)))
            for charged_line, entry_id, on, kind, key, code, from_payer, cents in session.execute(query):
                if code == CASH and from_payer:
                    self.cash[int(charged_line)].append(Cash(int(charged_line), on, int(cents), int(entry_id)))
                if kind == "remittance" and key:
                    self.remittance_entries[int(charged_line)].append((int(entry_id), key))

    def last_entry_of(self, content_hash: str, lines: Iterable[int]) -> int | None:
        """The last journal entry the remittance with this content hash wrote on these lines (None: not found)."""
        prefix = f"era:{content_hash[:24]}:"
        found = [i for line in set(lines) for i, key in self.remittance_entries.get(line, ()) if key.startswith(prefix)]
        return max(found) if found else None


def _payer_names(session: Session, ids: set[int | None]) -> dict[str, str]:
    wanted = {i for i in ids if i is not None}
    names = {str(i): n for i, n in session.execute(select(PayerRow.id, PayerRow.name).where(
        PayerRow.id.in_(wanted)))} if wanted else {}
    names[""] = "No payer named"
    return names


def _provider_names(session: Session, f: ReportFilter) -> dict[str, str]:
    return {str(i): f"{last}, {first}" for i, last, first in session.execute(
        select(ProviderRow.id, ProviderRow.last_name, ProviderRow.first_name)
        .where(ProviderRow.practice_id.in_(f.practice_ids)))}


def category_label(category: str) -> str:
    try:
        return DenialCategory(category).label
    except ValueError:
        return category.replace("_", " ").capitalize()


def carc_label(key: str, codes: DenialCodeTable) -> str:
    """ "CO-97 (short meaning)" when dermbill's code table knows the CARC, else the key alone."""
    if not key:
        return "(no code)"
    carc = key.split("-", 1)[-1]
    if codes.is_known_carc(carc):
        return f"{key} ({codes.carc(carc).description})"
    return key


def denial_report(uow: UnitOfWork, f: ReportFilter, facts: Sequence[DenialFact]) -> Report:
    """Denials adjudicated in the period by cause, CARC, payer, code and provider, and the money recovered, from
    the period's items (``denial_facts``)."""
    session = uow.session
    codes = denial_code_table()
    denials = [x for x in facts if x.kind == "denial"]
    payers = _payer_names(session, {x.payer_id for x in denials})
    providers = _provider_names(session, f)
    note = "Denial items adjudicated in the period; recovered: payer cash on their lines since, up to the as-of day"
    tables = (
        grouped_table("denials_by_cause", "Denials by root cause", "category", "Root cause", denials,
                      lambda x: (x.category,), category_label, note),
        grouped_table("denials_by_carc", "Denials by reason code", "carc", "Reason code", denials,
                      lambda x: (x.carc,), lambda k: carc_label(k, codes), note),
        grouped_table("denials_by_payer", "Denials by payer", "payer", "Payer", denials,
                      lambda x: ("" if x.payer_id is None else str(x.payer_id),), lambda k: payers.get(k, k),
                      note),
        grouped_table("denials_by_code", "Denials by procedure code", "code", "Procedure code", denials,
                      lambda x: x.codes or ("",), lambda k: k or "(none)",
                      note + "; an item naming two codes counts under each"),
        grouped_table("denials_by_provider", "Denials by provider", "provider", "Provider", denials,
                      lambda x: ("" if x.provider_id is None else str(x.provider_id),),
                      lambda k: providers.get(k, k or "(none)"), note),
        recovered_table(facts),
    )
    return Report("denials", f"Denials and recoveries, {f.period.label}", tables,
                  {"as_of": f.as_of, "period": f.period})


def denial_figures(parts: FigureParts) -> list[Figure]:
    facts = parts.denials
    denials = [x for x in facts if x.kind == "denial"]
    under = [x for x in facts if x.kind == "underpayment"]
    denied = Money(sum(x.amount_cents for x in denials))
    recovered = Money(sum(x.recovered_cents for x in denials))

    def by(routes: tuple[Route, ...]) -> Money:
        return Money(sum(x.recovered_cents for x in denials if x.route in routes))

    return [
        money_figure("denied_dollars", "Denied dollars", denied,
                     "the amounts of the denial items adjudicated in the period", drill="denials"),
        count_figure("denials", "Denials", len(denials), "denial items adjudicated in the period", drill="denials"),
        money_figure("recovered_by_correction", "Recovered by corrected or rebilled claims",
                     by((Route.CORRECTED, Route.REBILLED)),
                     "payer cash since the denial on the lines of the period's denial items followed by a "
                     "corrected claim or a claim to another payer (each capped at its item's amount)"),
        money_figure("recovered_by_appeal", "Recovered by appeals", by((Route.APPEAL,)),
                     "payer cash since the denial on the period's denial items with an appeal won (capped)"),
        money_figure("recovered_total", "Recovered from denials", recovered,
                     "payer cash since the denial on the lines of the period's denial items, up to the as-of day, "
                     "each capped at its item's amount"),
        rate_figure("recovery_rate", "Denial recovery rate", recovered, denied,
                    "recovered from the period's denials / their denied dollars"),
        money_figure("underpayments_found", "Underpayments found", Money(sum(x.amount_cents for x in under)),
                     "expected less allowed on the underpayment items adjudicated in the period"),
        money_figure("underpayments_recovered", "Underpayments recovered",
                     Money(sum(x.recovered_cents for x in under)),
                     "payer cash since the underpayment on those items' lines, each capped at its amount"),
    ]


# Coding


def _reviews(session: Session, f: ReportFilter) -> list[FamilyReview]:
    review = CodingReviewRow
    accepted = func.sum(case((review.accepted.is_(True), 1), else_=0))
    query = (select(review.family, accepted, func.count())
             .where(review.practice_id.in_(f.practice_ids), review.reviewed_at >= _start(f.period.start),
                    review.reviewed_at < _after(f.period.end))
             .group_by(review.family))
    if f.provider_id is not None:
        query = query.where(review.encounter_id.in_(select(EncounterRow.id).where(
            EncounterRow.practice_id.in_(f.practice_ids), EncounterRow.provider_id == f.provider_id)))
    return [FamilyReview(family, int(ok or 0), int(n) - int(ok or 0)) for family, ok, n in session.execute(query)]


def _scrubber_caught(session: Session, f: ReportFilter) -> tuple[int, Money]:
    """Claims moved to scrub_errors in the period that went out (an event to 'submitted') after that move and on
    or before the as-of day: how many, and their charges."""
    event, later = ClaimStatusEventRow, aliased(ClaimStatusEventRow)
    caught = (select(event.claim_id).where(
        event.practice_id.in_(f.practice_ids), event.to_status == "scrub_errors",
        event.occurred_at >= _start(f.period.start), event.occurred_at < _after(f.period.end),
        exists().where(later.claim_id == event.claim_id, later.practice_id == event.practice_id,
                       later.to_status == "submitted", later.occurred_at > event.occurred_at,
                       later.occurred_at < _after(f.as_of))))
    query = (select(func.count(), func.coalesce(func.sum(ClaimRow.total_charge_cents), 0))
             .where(ClaimRow.practice_id.in_(f.practice_ids), ClaimRow.id.in_(caught), *_claim_filters(f)))
    count, cents = session.execute(query).one()
    return int(count), Money(int(cents))


def coding_sums(uow: UnitOfWork, f: ReportFilter) -> CodingSums:
    claims, dollars = _scrubber_caught(uow.session, f)
    return CodingSums(tuple(_reviews(uow.session, f)), claims, dollars.cents)


def coding_figures(parts: FigureParts) -> list[Figure]:
    reviews = parts.coding.reviews
    accepted = sum(r.accepted for r in reviews)
    claims, dollars = parts.coding.caught_claims, Money(parts.coding.caught_cents)
    return [
        rate_figure("engine_acceptance_rate", "Engine lines accepted by the coder", accepted,
                    accepted + sum(r.changed for r in reviews),
                    "engine lines the reviewer accepted unchanged / engine lines reviewed in the period"),
        count_figure("scrubber_caught_claims", "Claims the scrubber stopped", claims,
                     "claims moved to scrub errors in the period that were submitted after the move, by the "
                     "as-of day"),
        money_figure("scrubber_caught_dollars", "Charges the scrubber protected", dollars,
                     "the charges of those claims: what was at risk had they gone out with the errors"),
    ]


def coding_table(parts: FigureParts) -> ReportTable:
    rows, total = coding_rows(parts.coding.reviews)
    return ReportTable("coding_by_family", "Engine coding reviewed, by code family",
                       (Column("family", "Code family"), Column("reviewed", "Lines reviewed", ColumnKind.COUNT),
                        Column("accepted", "Accepted", ColumnKind.COUNT),
                        Column("changed", "Changed", ColumnKind.COUNT),
                        Column("rate", "Acceptance rate", ColumnKind.PERCENT)), rows, total,
                       "Engine lines a coder reviewed in the period: accepted as coded, or changed")


# Patient collections


def _statements(f: ReportFilter) -> Select[Any]:
    """The period's statements (with a claim of the filter's payer or provider when it names one)."""
    columns: list[Any] = [StatementRow.id, StatementRow.statement_date, StatementRow.amount_cents]
    query = select(*columns).where(
        StatementRow.practice_id.in_(f.practice_ids), StatementRow.statement_date >= f.period.start,
        StatementRow.statement_date <= f.period.end)
    narrow = _claim_filters(f)
    if narrow:
        query = query.where(exists().where(
            StatementClaimRow.statement_id == StatementRow.id,
            StatementClaimRow.practice_id == StatementRow.practice_id, ClaimRow.id == StatementClaimRow.claim_id,
            ClaimRow.practice_id == StatementClaimRow.practice_id, *narrow))
    return query


def _collections(session: Session, f: ReportFilter) -> tuple[int, int, list[Collected]]:
    """The period's statements and the patient cash on their claims, summed by the database per statement day and
    cash day (a few hundred pairs at most), then counted per window here."""
    statements = _statements(f).subquery("stmt")
    per_day = {on: (int(n), int(cents)) for on, n, cents in session.execute(
        select(statements.c.statement_date, func.count(), func.sum(statements.c.amount_cents))
        .group_by(statements.c.statement_date))}
    cash = (select(statements.c.statement_date, JournalEntryRow.entry_date, func.sum(PostingRow.amount_cents))
            .select_from(statements)
            .join(StatementClaimRow, StatementClaimRow.statement_id == statements.c.id)
            .join(PostingRow, and_(PostingRow.claim_id == StatementClaimRow.claim_id,
                                   PostingRow.practice_id == StatementClaimRow.practice_id))
            .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
            .join(JournalEntryRow, JournalEntryRow.id == PostingRow.journal_entry_id)
            .where(LedgerAccountRow.code == CASH, PostingRow.payer_id.is_(None),
                   JournalEntryRow.entry_date > statements.c.statement_date, JournalEntryRow.entry_date <= f.as_of)
            .group_by(statements.c.statement_date, JournalEntryRow.entry_date))
    paid = [(stated, on, int(cents)) for stated, on, cents in session.execute(cash)]
    windows = []
    for days in COLLECTION_DAYS:
        last = f.as_of - datetime.timedelta(days=days)
        old = [on for on in per_day if on <= last]
        windows.append(Collected(
            days, sum(per_day[on][0] for on in old), sum(per_day[on][1] for on in old),
            sum(cents for stated, on, cents in paid if stated <= last and (on - stated).days <= days)))
    return sum(n for n, _ in per_day.values()), sum(c for _, c in per_day.values()), windows


def _write_offs(session: Session, f: ReportFilter) -> dict[str, Money]:
    if not _claim_filters(f):
        summed = report_ledger.account_totals(session, f, (BAD_DEBT, SMALL_BALANCE, CHARITY), start=f.period.start,
                                              end=f.period.end)
        return {code: Money(summed.get(code, 0)) for code in (BAD_DEBT, SMALL_BALANCE, CHARITY)}
    query = (select(LedgerAccountRow.code, func.sum(PostingRow.amount_cents))
             .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
             .join(JournalEntryRow, JournalEntryRow.id == PostingRow.journal_entry_id)
             .where(PostingRow.practice_id.in_(f.practice_ids),
                    LedgerAccountRow.code.in_((BAD_DEBT, SMALL_BALANCE, CHARITY)),
                    JournalEntryRow.entry_date >= f.period.start, JournalEntryRow.entry_date <= f.period.end)
             .group_by(LedgerAccountRow.code))
    narrow = _claim_filters(f)
    if narrow:
        query = query.where(PostingRow.claim_id.in_(select(ClaimRow.id).where(
            ClaimRow.practice_id.in_(f.practice_ids), *narrow)))
    found = {code: Money(int(cents)) for code, cents in session.execute(query)}
    return {code: found.get(code, Money.zero()) for code in (BAD_DEBT, SMALL_BALANCE, CHARITY)}


def _plans(session: Session, f: ReportFilter) -> tuple[int, Money]:
    query = select(func.count(), func.coalesce(func.sum(PaymentPlanRow.total_cents), 0)).where(
        PaymentPlanRow.practice_id.in_(f.practice_ids), PaymentPlanRow.created_at >= _start(f.period.start),
        PaymentPlanRow.created_at < _after(f.period.end))
    count, cents = session.execute(query).one()
    return int(count), Money(int(cents))


def patient_sums(uow: UnitOfWork, f: ReportFilter) -> PatientSums:
    session = uow.session
    count, billed, windows = _collections(session, f)
    plans, plan_cents = _plans(session, f)
    return PatientSums(count, billed, tuple(windows), plans, plan_cents.cents,
                       {code: amount.cents for code, amount in _write_offs(session, f).items()})


def patient_figures(parts: FigureParts) -> list[Figure]:
    p = parts.patient
    windows = p.windows
    written = {code: Money(p.write_offs.get(code, 0)) for code in (BAD_DEBT, SMALL_BALANCE, CHARITY)}
    figures = [count_figure("statements_sent", "Statements sent", p.statements, "statements dated in the period"),
               money_figure("statement_dollars", "Statement dollars", Money(p.billed),
                            "the amounts of the statements dated in the period")]
    figures += [rate_figure(f"collected_{w.days}", f"Collected within {w.days} days", Money(w.collected),
                            Money(w.billed),
                            f"patient cash on the claims of the period's statements at least {w.days} days old, "
                            f"dated within {w.days} days after the statement / those statements' amounts")
                for w in windows]
    figures += [
        count_figure("plans_started", "Payment plans started", p.plans, "payment plans made in the period"),
        money_figure("plan_dollars", "Payment plan dollars", Money(p.plan_cents), "the totals of those plans"),
        money_figure("bad_debt", "Bad debt written off", written[BAD_DEBT],
                     "debits to bad debt (4300) dated in the period, less recoveries credited back"),
        money_figure("small_balance_write_offs", "Small balances written off", written[SMALL_BALANCE],
                     "debits to small-balance write-offs (4310) dated in the period"),
        money_figure("hardship_adjustments", "Hardship and charity adjustments", written[CHARITY],
                     "debits to hardship and charity (4320) dated in the period"),
    ]
    return figures


def patient_table(parts: FigureParts) -> ReportTable:
    rows = tuple(Row((f"Within {w.days} days", w.statements, Money(w.billed), Money(w.collected),
                      percent(w.collected, w.billed))) for w in parts.patient.windows)
    return ReportTable("patient_collections", "Patient collections after statements",
                       (Column("window", "Window"), Column("statements", "Statements", ColumnKind.COUNT),
                        Column("billed", "Statement dollars", ColumnKind.MONEY),
                        Column("collected", "Collected", ColumnKind.MONEY),
                        Column("rate", "Collected", ColumnKind.PERCENT)), rows, None,
                       "Statements dated in the period that are at least the window's days old by the as-of day, "
                       "and the patient cash on their claims within that many days after the statement")


__all__: Sequence[str] = ("coding_figures", "coding_sums", "coding_table", "denial_facts", "denial_figures",
                          "denial_report", "patient_figures", "patient_sums", "patient_table")
