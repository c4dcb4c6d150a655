"""The revenue-cycle key figures, summed by the database: flows from the ledger (charges, payments, contractual
adjustments), A/R as of a day, and claim milestones from the claim history (first submission, first adjudication,
first payment).

Each figure is a handful of aggregate queries (GROUP BY on indexed claim, account and entry columns); nothing is
loaded per claim or per line. Every query is limited to the filter's practices and, when chosen, to its payer
(``claim.payer_id``, or the payer a posting names) and provider (``claim.rendering_provider_id``). Days are UTC
days: a status event on a day is one whose timestamp falls between that day's midnight and the next (UTC).

The previous period's values are not computed here: the caller calls again with ``f.previous()``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Select, and_, case, cast, exists, func, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from dermbill.core.ledger import CASH, CONTRACTUAL, DENIED_AR, GROSS_CHARGES, INSURANCE_AR, PATIENT_AR
from dermbill.core.money import Money
from dermbill.core.reports.figures import Figure, Unit, money_figure, rate_figure
from dermbill.core.reports.filters import ReportFilter
from dermbill.core.reports.kpis import (
    AR_DAYS_WINDOW,
    FORMULAS,
    LABELS,
    average_days,
    days_in_ar,
    days_in_ar_figure,
    net_collectible,
)
from dermbill.core.reports.parts import ArByPayer, FigureParts, RevenueSums
from dermbill.core.reports.periods import Period, trailing_days
from dermbill.core.reports.table import Column, ColumnKind, ReportTable, Row
from dermbill.db.models import (
    ClaimRow,
    ClaimStatusEventRow,
    DenialItemRow,
    JournalEntryRow,
    LedgerAccountRow,
    LineAdjudicationRow,
    PayerRow,
    PostingRow,
)
from dermbill.db.repositories import UnitOfWork
from dermbill.services import report_ledger

ANSWERS = ("accepted", "rejected", "paid", "partially_paid", "denied")  # a clearinghouse's or payer's answer
NOT_CLEAN = ("scrub_errors", "rejected")
REVERSAL = "22"  # CLP02 22: a reversal of an earlier adjudication, never a first answer
RECEIVABLE_CODES = (INSURANCE_AR, DENIED_AR, PATIENT_AR)


def revenue_sums(uow: UnitOfWork, f: ReportFilter) -> RevenueSums:
    """The sums the revenue figures are made of, for the filter's period (flows) and as-of day (A/R)."""
    session = uow.session
    flows = _flows(session, f, f.period, (GROSS_CHARGES, CASH, CONTRACTUAL))
    charges = -flows[GROSS_CHARGES]
    window = trailing_days(f.as_of, AR_DAYS_WINDOW)
    window_charges = charges if window == f.period else -_flows(session, f, window, (GROSS_CHARGES,))[GROSS_CHARGES]
    clean, answered = _clean_claims(session, f)
    first = _first_adjudications(session, f)
    lag_days, lag_claims = _charge_lag(session, f)
    to_pay_days, paid_claims = _submission_to_payment(session, f)
    return RevenueSums(charges.cents, flows[CASH].cents, flows[CONTRACTUAL].cents, _receivables(session, f).cents,
                       window_charges.cents, clean, answered, first.claims, first.denied_claims, first.denied.cents,
                       first.charges.cents, lag_days, lag_claims, to_pay_days, paid_claims)


def revenue_figures(parts: FigureParts) -> list[Figure]:
    """The revenue-cycle figures for the parts' period (flows) and as-of day (A/R), in reading order."""
    s = parts.revenue
    charges, payments, contractual = Money(s.charges), Money(s.payments), Money(s.contractual)
    return [
        money_figure("charges", LABELS["charges"], charges, FORMULAS["charges"], drill="charges"),
        money_figure("payments", LABELS["payments"], payments, FORMULAS["payments"], drill="payments"),
        money_figure("contractual_adjustments", LABELS["contractual_adjustments"], contractual,
                     FORMULAS["contractual_adjustments"], drill="contractual_adjustments"),
        days_in_ar_figure(Money(s.ar), Money(s.window_charges)),
        rate_figure("clean_claim_rate", LABELS["clean_claim_rate"], s.clean, s.answered, FORMULAS["clean_claim_rate"],
                    drill="clean_claims"),
        rate_figure("first_pass_resolution_rate", LABELS["first_pass_resolution_rate"],
                    s.first_claims - s.first_denied_claims, s.first_claims, FORMULAS["first_pass_resolution_rate"],
                    drill="first_pass"),
        rate_figure("denial_rate_count", LABELS["denial_rate_count"], s.first_denied_claims, s.first_claims,
                    FORMULAS["denial_rate_count"], drill="denied_first_pass"),
        rate_figure("denial_rate_dollars", LABELS["denial_rate_dollars"], Money(s.first_denied),
                    Money(s.first_charges), FORMULAS["denial_rate_dollars"], drill="denied_first_pass"),
        rate_figure("net_collection_rate", LABELS["net_collection_rate"], payments,
                    net_collectible(charges, contractual), FORMULAS["net_collection_rate"], drill="payments"),
        rate_figure("gross_collection_rate", LABELS["gross_collection_rate"], payments, charges,
                    FORMULAS["gross_collection_rate"], drill="payments"),
        Figure("charge_lag_days", LABELS["charge_lag_days"], Unit.DAYS, average_days(s.lag_days, s.lag_claims),
               FORMULAS["charge_lag_days"], Decimal(s.lag_days), Decimal(s.lag_claims), drill="submitted"),
        Figure("submission_to_payment_days", LABELS["submission_to_payment_days"], Unit.DAYS,
               average_days(s.to_pay_days, s.paid_claims), FORMULAS["submission_to_payment_days"],
               Decimal(s.to_pay_days), Decimal(s.paid_claims), drill="first_paid"),
    ]


def charges_by_payer(uow: UnitOfWork, f: ReportFilter) -> dict[int | None, int]:
    """The gross charges of the 90 days ending on the as-of day by the claim's payer (cents): what days in A/R by
    payer divides (its A/R by payer is the aging's, ``core.reports.parts.ar_by_payer``)."""
    window = trailing_days(f.as_of, AR_DAYS_WINDOW)
    charge_query: Select[Any] = _with_claim(
        select(ClaimRow.payer_id, func.sum(PostingRow.amount_cents).label("cents"))
        .select_from(PostingRow)
        .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
        .join(JournalEntryRow, JournalEntryRow.id == PostingRow.journal_entry_id)
        .where(PostingRow.practice_id.in_(f.practice_ids), LedgerAccountRow.code == GROSS_CHARGES,
               JournalEntryRow.entry_date.between(window.start, window.end))
        .group_by(ClaimRow.payer_id), f, receivable=False, joined=True)
    return {payer_id: -int(cents) for payer_id, cents in uow.session.execute(charge_query)}


def days_in_ar_by_payer(uow: UnitOfWork, f: ReportFilter, sums: ArByPayer) -> ReportTable:
    """Days in A/R per payer: the insurance A/R (insurance and denied) that names the payer over the average daily
    charges of its claims; patients' A/R over all the charges; the total row is the figure ``days_in_ar``."""
    window = trailing_days(f.as_of, AR_DAYS_WINDOW)
    insurance, patient, charges = sums.insurance, sums.patient, sums.charges
    ids = {i for i in (*insurance, *charges) if i is not None}
    names: dict[int | None, str] = {None: "No payer named"}
    if ids:
        names.update({i: name for i, name in uow.session.execute(
            select(PayerRow.id, PayerRow.name).where(PayerRow.id.in_(ids)))})
    rows = []
    for payer_id in sorted({*insurance, *charges}, key=lambda i: (i is None, names.get(i, str(i)))):
        ar, charged = Money(insurance.get(payer_id, 0)), Money(charges.get(payer_id, 0))
        if not ar.cents and not charged.cents:
            continue
        label = names.get(payer_id, str(payer_id))
        rows.append(Row((label, "Insurance", ar, charged, days_in_ar(ar, charged)),
                        {"report": "ar", "payer": "" if payer_id is None else str(payer_id)}))
    all_charges = Money(sum(charges.values()))
    if patient:
        rows.append(Row(("Patients", "Patient", Money(patient), all_charges, days_in_ar(Money(patient), all_charges)),
                        {"report": "ar", "kind": "patient"}))
    total_ar = Money(sum(insurance.values()) + patient)
    total = Row(("Total", "", total_ar, all_charges, days_in_ar(total_ar, all_charges)), {"report": "ar"})
    return ReportTable(
        "days_in_ar_by_payer", f"Days in A/R by payer as of {f.as_of.isoformat()}",
        (Column("payer", "Payer"), Column("owed_by", "Owed by"), Column("ar", "A/R", ColumnKind.MONEY),
         Column("charges_90_days", f"Charges, {window.start.isoformat()} to {window.end.isoformat()}",
                ColumnKind.MONEY),
         Column("days_in_ar", "Days in A/R", ColumnKind.DAYS)),
        tuple(rows), total,
        note="A payer's row: insurance and denied A/R that names the payer / (charges of its claims over the 90 days "
             "ending on the as-of day / 90). Patients' row: patient A/R over all the charges. The total is the days "
             "in A/R figure.", drill_report="ar")


# The ledger.

def _with_claim(query: Any, f: ReportFilter, *, receivable: bool, joined: bool = False) -> Any:
    """Limit a posting query to the filter's payer and provider (joining the posting's claim only when needed).

    A receivable's payer is the one its posting names, and a patient balance's the payer of its claim (as aging
    reads it); a charge's payer is its claim's."""
    if f.payer_id is None and f.provider_id is None and not joined:
        return query
    query = query.join(ClaimRow, ClaimRow.id == PostingRow.claim_id)
    if f.payer_id is not None:
        if receivable:
            query = query.where(case((LedgerAccountRow.code == PATIENT_AR, ClaimRow.payer_id),
                                     else_=PostingRow.payer_id) == f.payer_id)
        else:
            query = query.where(ClaimRow.payer_id == f.payer_id)
    if f.provider_id is not None:
        query = query.where(ClaimRow.rendering_provider_id == f.provider_id)
    return query


def _flows(session: Session, f: ReportFilter, period: Period, accounts: tuple[str, ...]) -> dict[str, Money]:
    """The net of the postings to each account dated in ``period`` (debits positive), in one pass.

    With a payer chosen: gross charges of that payer's claims; other accounts' postings that name the payer."""
    if f.provider_id is None and f.payer_id is None:
        summed = report_ledger.account_totals(session, f, accounts, start=period.start, end=period.end)
        return {account: Money(summed.get(account, 0)) for account in accounts}
    code = LedgerAccountRow.code
    query = (select(code, func.sum(PostingRow.amount_cents))
             .select_from(PostingRow)
             .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
             .join(JournalEntryRow, JournalEntryRow.id == PostingRow.journal_entry_id)
             .where(PostingRow.practice_id.in_(f.practice_ids), code.in_(accounts),
                    JournalEntryRow.entry_date.between(period.start, period.end))
             .group_by(code))
    if f.provider_id is not None:
        query = query.join(ClaimRow, ClaimRow.id == PostingRow.claim_id).where(
            ClaimRow.rendering_provider_id == f.provider_id)
    elif f.payer_id is not None and GROSS_CHARGES in accounts:
        query = query.outerjoin(ClaimRow, ClaimRow.id == PostingRow.claim_id)
    if f.payer_id is not None:
        payer = case((code == GROSS_CHARGES, ClaimRow.payer_id), else_=PostingRow.payer_id) \
            if GROSS_CHARGES in accounts else PostingRow.payer_id
        query = query.where(payer == f.payer_id)
    sums = {account: int(cents) for account, cents in session.execute(query)}
    return {account: Money(sums.get(account, 0)) for account in accounts}


def _receivables(session: Session, f: ReportFilter) -> Money:
    """Insurance, denied and patient A/R as of the as-of day."""
    if f.provider_id is None and f.payer_id is None:
        return Money(sum(report_ledger.account_totals(session, f, RECEIVABLE_CODES, start=None, end=f.as_of).values()))
    query = _with_claim(
        select(func.coalesce(func.sum(PostingRow.amount_cents), 0))
        .select_from(PostingRow)
        .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
        .join(JournalEntryRow, JournalEntryRow.id == PostingRow.journal_entry_id)
        .where(PostingRow.practice_id.in_(f.practice_ids), LedgerAccountRow.code.in_(RECEIVABLE_CODES),
               JournalEntryRow.entry_date <= f.as_of), f, receivable=True)
    return Money(int(session.scalar(query) or 0))


# The claim history.

def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=datetime.UTC)


def within(moment: Any, period: Period) -> ColumnElement[bool]:
    return and_(moment >= _midnight(period.start), moment < _midnight(period.end + datetime.timedelta(days=1)))


def by_as_of(moment: Any, f: ReportFilter) -> ColumnElement[bool]:
    before: ColumnElement[bool] = moment < _midnight(f.as_of + datetime.timedelta(days=1))
    return before


def _claim_filters(f: ReportFilter) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = [ClaimRow.practice_id.in_(f.practice_ids)]
    if f.payer_id is not None:
        out.append(ClaimRow.payer_id == f.payer_id)
    if f.provider_id is not None:
        out.append(ClaimRow.rendering_provider_id == f.provider_id)
    return out


def first_submissions(f: ReportFilter, among: Any = None) -> Any:
    """The first move to submitted (by the as-of day) of each claim ``among`` (a select of claim ids; by default
    the claims sent in the period): claim_id, first.

    Only claims with a move to submitted in the period can have their first one there: the earliest is looked for
    among those claims alone, not over the whole history."""
    event, sent = ClaimStatusEventRow, aliased(ClaimStatusEventRow)
    in_period = among if among is not None else (
        select(sent.claim_id).where(sent.practice_id.in_(f.practice_ids), sent.to_status == "submitted",
                                    within(sent.occurred_at, f.period)))
    return (select(event.claim_id.label("claim_id"), func.min(event.occurred_at).label("first"))
            .where(event.practice_id.in_(f.practice_ids), event.to_status == "submitted",
                   event.claim_id.in_(in_period), by_as_of(event.occurred_at, f))
            .group_by(event.claim_id).subquery("first_submission"))


def originals() -> list[ColumnElement[bool]]:
    return [ClaimRow.frequency_code == "1", ClaimRow.primary_claim_id.is_(None)]


def _clean_claims(session: Session, f: ReportFilter) -> tuple[int, int]:
    """(clean, answered) original claims first submitted in the period."""
    first = first_submissions(f)
    event = ClaimStatusEventRow
    answered = exists().where(event.claim_id == first.c.claim_id, event.practice_id.in_(f.practice_ids),
                              event.to_status.in_(ANSWERS), event.occurred_at >= first.c.first,
                              by_as_of(event.occurred_at, f))
    flawed = (exists().where(event.claim_id == first.c.claim_id, event.practice_id.in_(f.practice_ids),
                             event.to_status.in_(NOT_CLEAN), by_as_of(event.occurred_at, f)))
    query = (select(func.count(), func.coalesce(func.sum(case((flawed, 0), else_=1)), 0))
             .select_from(first).join(ClaimRow, ClaimRow.id == first.c.claim_id)
             .where(within(first.c.first, f.period), answered, *originals(), *_claim_filters(f)))
    count, clean = session.execute(query).one()
    return int(clean), int(count)


class FirstAdjudications:
    """Claims first adjudicated in the period: how many, how many with a denial on that first remittance, the
    dollars denied there and the claims' charges."""

    def __init__(self, claims: int, denied_claims: int, denied: Money, charges: Money) -> None:
        self.claims, self.denied_claims, self.denied, self.charges = claims, denied_claims, denied, charges


def _first_adjudications(session: Session, f: ReportFilter) -> FirstAdjudications:
    line = LineAdjudicationRow
    answered = [line.practice_id.in_(f.practice_ids), line.status_code != REVERSAL, line.adjudicated_on <= f.as_of]
    seen = aliased(LineAdjudicationRow)
    in_period = select(seen.claim_id).where(seen.practice_id.in_(f.practice_ids), seen.status_code != REVERSAL,
                                            seen.adjudicated_on.between(f.period.start, f.period.end))
    first_day = (select(line.claim_id.label("claim_id"), func.min(line.adjudicated_on).label("day"))
                 .where(*answered, line.claim_id.in_(in_period)).group_by(line.claim_id).subquery("first_day"))
    # The first remittance: the earliest one of that first day (two on one day: the one stored first).
    first = (select(first_day.c.claim_id, func.min(line.remittance_id).label("remittance_id"))
             .join(line, and_(line.claim_id == first_day.c.claim_id, line.adjudicated_on == first_day.c.day))
             .where(*answered, first_day.c.day.between(f.period.start, f.period.end))
             .group_by(first_day.c.claim_id).subquery("first_remittance"))
    item = DenialItemRow
    denied = (select(item.claim_id.label("claim_id"), item.remittance_id.label("remittance_id"),
                     func.sum(item.amount_cents).label("cents"))
              .where(item.practice_id.in_(f.practice_ids), item.kind == "denial",
                     item.claim_id.in_(select(first.c.claim_id)))
              .group_by(item.claim_id, item.remittance_id).subquery("denied"))
    query = (select(func.count(), func.count(denied.c.claim_id), func.coalesce(func.sum(denied.c.cents), 0),
                    func.coalesce(func.sum(ClaimRow.total_charge_cents), 0))
             .select_from(first).join(ClaimRow, ClaimRow.id == first.c.claim_id)
             .outerjoin(denied, and_(denied.c.claim_id == first.c.claim_id,
                                     denied.c.remittance_id == first.c.remittance_id))
             .where(*_claim_filters(f)))
    claims, denied_claims, denied_cents, charges = session.execute(query).one()
    return FirstAdjudications(int(claims), int(denied_claims), Money(int(denied_cents)), Money(int(charges)))


def _day_of(session: Session, moment: Any) -> ColumnElement[Any]:
    """A UTC timestamp's day, as the database compares days."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("UTC", moment), Date)
    return func.date(moment)


def _days_between(session: Session, later: Any, earlier: Any) -> ColumnElement[Any]:
    """Whole days from one day column to another (dates, or a timestamp's day made with ``_day_of``)."""
    days: ColumnElement[Any] = (later - earlier if session.get_bind().dialect.name == "postgresql"
                                else func.julianday(later) - func.julianday(earlier))
    return days


def _sum_days(rows: Iterable[Any]) -> tuple[int, int]:
    total, count = next(iter(rows))
    # SQLite's julianday differences are whole days as floats: rounded back to the integer they are.
    return round(total or 0), int(count)


def _charge_lag(session: Session, f: ReportFilter) -> tuple[int, int]:
    """(days from date of service to first submission, summed; claims) for originals first submitted in the
    period."""
    first = first_submissions(f)
    days = _days_between(session, _day_of(session, first.c.first), ClaimRow.date_of_service)
    query = (select(func.sum(days), func.count())
             .select_from(first).join(ClaimRow, ClaimRow.id == first.c.claim_id)
             .where(within(first.c.first, f.period), *originals(), *_claim_filters(f)))
    return _sum_days(session.execute(query))


def _submission_to_payment(session: Session, f: ReportFilter) -> tuple[int, int]:
    """(days from first submission to first payer payment, summed; claims) for claims first paid in the period."""
    line = LineAdjudicationRow
    seen = aliased(LineAdjudicationRow)
    in_period = select(seen.claim_id).where(seen.practice_id.in_(f.practice_ids), seen.paid_cents > 0,
                                            seen.status_code != REVERSAL,
                                            seen.adjudicated_on.between(f.period.start, f.period.end))
    paid = (select(line.claim_id.label("claim_id"), func.min(line.adjudicated_on).label("day"))
            .where(line.practice_id.in_(f.practice_ids), line.paid_cents > 0, line.status_code != REVERSAL,
                   line.adjudicated_on <= f.as_of, line.claim_id.in_(in_period))
            .group_by(line.claim_id).subquery("first_paid"))
    first = first_submissions(f, in_period)
    days = _days_between(session, paid.c.day, _day_of(session, first.c.first))
    query = (select(func.sum(days), func.count())
             .select_from(paid).join(first, first.c.claim_id == paid.c.claim_id)
             .join(ClaimRow, ClaimRow.id == paid.c.claim_id)
             .where(paid.c.day.between(f.period.start, f.period.end), *_claim_filters(f)))
    return _sum_days(session.execute(query))
