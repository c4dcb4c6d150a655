"""The claims behind a report's figure or table row (issue 17's drill-down), listed for a person to open.

A drill-down is the report it comes from and the refinements a row adds (``Row.drill``: practice, payer,
provider, code, kind, root cause ...), all on top of the filter: the filter's practices, payer and provider,
its period and as-of day. The claims are found the way the report counts them:

- ``ar``: claims whose receivable balance (insurance and denied A/R, or patient A/R) in the row is not zero as
  of the as-of day, as aging reads it (a row's payer is the payer the balance names; its provider the line's).
- ``charges``, ``payments``, ``contractual_adjustments``: claims with postings to that account dated in the period
  whose net is not zero.
- ``submitted``: original claims first submitted in the period (the charge lag's claims); ``clean_claims``: those
  of them answered by the as-of day (the clean claim rate's denominator).
- ``denials``: claims of the denial items adjudicated in the period (the denial report's own items, so a row's
  claims are exactly those it counts; ``route`` lists the items with money recovered that way).

Listing names patients: every call is audited as a read of the claims listed (``claim.list``).
Queries are built with SQLAlchemy expressions only; the refinements' values are parsed, never pasted into SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session

from dermbill.core.errors import InvalidInput
from dermbill.core.ledger import CASH, CONTRACTUAL, DENIED_AR, GROSS_CHARGES, INSURANCE_AR, PATIENT_AR
from dermbill.core.money import Money
from dermbill.core.reports.filters import ReportFilter
from dermbill.db.engine import Database
from dermbill.db.models import (
    ClaimLineRow,
    ClaimRow,
    ClaimStatusEventRow,
    JournalEntryRow,
    LedgerAccountRow,
    PatientRow,
    PayerRow,
    PostingRow,
    PracticeRow,
)
from dermbill.db.repositories import UnitOfWork
from dermbill.services import report_denials, report_kpis

LIMIT = 500  # claims listed at most (the count says how many there are)
REFINEMENTS = ("kind", "practice", "payer", "provider", "code", "category", "carc", "route")
KINDS = {"insurance": (INSURANCE_AR, DENIED_AR), "patient": (PATIENT_AR,)}
FLOW_ACCOUNTS = {"charges": GROSS_CHARGES, "payments": CASH, "contractual_adjustments": CONTRACTUAL}
REPORT_LABELS = {"ar": "A/R balances", "charges": "Charges", "payments": "Payments",
                 "contractual_adjustments": "Contractual adjustments", "submitted": "Claims first submitted",
                 "clean_claims": "Claims first submitted and answered", "denials": "Denials"}
DRILLABLE = frozenset(REPORT_LABELS)


@dataclass(frozen=True, slots=True)
class ClaimBehind:
    claim_number: str
    practice: str
    account_number: str
    patient: str
    payer: str
    date_of_service: Any
    total_charge: Money
    status: str


@dataclass(frozen=True, slots=True)
class ClaimsBehind:
    report: str
    drill: dict[str, str]
    count: int  # every claim behind the figure or row
    claims: tuple[ClaimBehind, ...]  # the first ``LIMIT`` of them, oldest date of service first

    @property
    def label(self) -> str:
        return REPORT_LABELS[self.report]


def claims_behind(database: Database, f: ReportFilter, report: str, drill: Mapping[str, str], *, actor: str,
                  limit: int = LIMIT) -> ClaimsBehind:
    """The claims behind ``report`` (a figure's or a table's drill key) refined by ``drill`` (a row's values),
    within the filter; audited as a read of the claims listed."""
    if report not in DRILLABLE:
        raise InvalidInput(f"there is no list of claims behind {report[:40]!r} (there is for: "
                           f"{', '.join(sorted(DRILLABLE))})")
    refine = {key: value for key, value in drill.items() if key != "report"}
    unknown = sorted(set(refine) - set(REFINEMENTS))
    if unknown:
        raise InvalidInput(f"cannot narrow the claims by {', '.join(k[:20] for k in unknown)} (by: "
                           f"{', '.join(REFINEMENTS)})")
    with UnitOfWork(database, actor=actor) as uow:
        session = uow.session
        ids = FINDERS[report](session, f, refine)
        claim = ClaimRow
        scope = [claim.practice_id.in_(f.practice_ids), claim.id.in_(ids)]
        count = int(session.scalar(select(func.count()).select_from(claim).where(*scope)) or 0)
        rows = session.execute(
            select(claim.patient_control_number, PracticeRow.code, PatientRow.account_number, PatientRow.last_name,
                   PatientRow.first_name, PayerRow.name, claim.date_of_service, claim.total_charge_cents,
                   claim.status)
            .join(PracticeRow, PracticeRow.id == claim.practice_id)
            .join(PatientRow, and_(PatientRow.id == claim.patient_id, PatientRow.practice_id == claim.practice_id))
            .outerjoin(PayerRow, PayerRow.id == claim.payer_id)
            .where(*scope).order_by(claim.date_of_service, claim.patient_control_number, claim.id)
            .limit(limit)).all()
        claims = tuple(ClaimBehind(number, practice, account, f"{last}, {first}", payer or "", dos, Money(cents),
                                   status)
                       for number, practice, account, last, first, payer, dos, cents, status in rows)
        uow.audit_practices("claim.list", "claim", f.practice_ids, detail={
            "report": report, "drill": refine, "filter": f.to_json(), "count": count,
            "claims": [c.claim_number for c in claims]})
        uow.commit()
    return ClaimsBehind(report, refine, count, claims)


def _number(drill: Mapping[str, str], key: str) -> int | None:
    """A refinement naming a row id ('' names none: the row of what has no payer, say)."""
    value = drill[key]
    if value == "":
        return None
    if not value.isdigit() or len(value) > 12:
        raise InvalidInput(f"{key} {value[:20]!r} is not a row of the report")
    return int(value)


def _ar(session: Session, f: ReportFilter, drill: Mapping[str, str]) -> Any:
    kind = drill.get("kind")
    if kind is not None and kind not in KINDS:
        raise InvalidInput(f"kind {kind[:20]!r} is neither insurance nor patient")
    codes = KINDS[kind] if kind else (*KINDS["insurance"], *KINDS["patient"])
    code = LedgerAccountRow.code
    balances = (select(PostingRow.claim_id.label("claim_id"), PostingRow.claim_line_id.label("line_id"),
                       code.label("code"), PostingRow.payer_id.label("payer_id"),
                       func.sum(PostingRow.amount_cents).label("cents"))
                .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
                .join(JournalEntryRow, JournalEntryRow.id == PostingRow.journal_entry_id)
                .where(PostingRow.practice_id.in_(f.practice_ids), code.in_(codes),
                       JournalEntryRow.entry_date <= f.as_of)
                .group_by(PostingRow.claim_id, PostingRow.claim_line_id, code, PostingRow.payer_id)
                .having(func.sum(PostingRow.amount_cents) != 0)).subquery("balance")
    line, claim = ClaimLineRow, ClaimRow
    is_patient = balances.c.code == PATIENT_AR
    provider = func.coalesce(line.rendering_provider_id, claim.rendering_provider_id)
    query = (select(balances.c.claim_id).select_from(balances)
             .join(claim, claim.id == balances.c.claim_id)
             .outerjoin(line, line.id == balances.c.line_id))
    if f.payer_id is not None:
        query = query.where(case((is_patient, claim.payer_id), else_=balances.c.payer_id) == f.payer_id)
    if f.provider_id is not None:
        query = query.where(provider == f.provider_id)
    if "practice" in drill:
        query = query.where(claim.practice_id == _number(drill, "practice"))
    if "payer" in drill:  # a payer's row: the insurance balances naming it
        payer = _number(drill, "payer")
        query = query.where(~is_patient, balances.c.payer_id.is_(None) if payer is None
                            else balances.c.payer_id == payer)
    if "provider" in drill:
        chosen = _number(drill, "provider")
        query = query.where(provider.is_(None) if chosen is None else provider == chosen)
    if "code" in drill:
        query = query.where(line.procedure_code == drill["code"][:10])
    # A claim whose balances in the row net to nothing (moved from insurance to denied A/R, say) is not behind it.
    return query.group_by(balances.c.claim_id).having(func.sum(balances.c.cents) != 0)


def _claim_filters(f: ReportFilter) -> list[Any]:
    out: list[Any] = [ClaimRow.practice_id.in_(f.practice_ids)]
    if f.payer_id is not None:
        out.append(ClaimRow.payer_id == f.payer_id)
    if f.provider_id is not None:
        out.append(ClaimRow.rendering_provider_id == f.provider_id)
    return out


def _flow(account: str) -> Callable[[Session, ReportFilter, Mapping[str, str]], Any]:
    def claims(session: Session, f: ReportFilter, drill: Mapping[str, str]) -> Any:
        _nothing_more(drill)
        query = (select(PostingRow.claim_id)
                 .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
                 .join(JournalEntryRow, JournalEntryRow.id == PostingRow.journal_entry_id)
                 .join(ClaimRow, ClaimRow.id == PostingRow.claim_id)
                 .where(PostingRow.practice_id.in_(f.practice_ids), LedgerAccountRow.code == account,
                        JournalEntryRow.entry_date.between(f.period.start, f.period.end))
                 .group_by(PostingRow.claim_id).having(func.sum(PostingRow.amount_cents) != 0))
        if f.provider_id is not None:
            query = query.where(ClaimRow.rendering_provider_id == f.provider_id)
        if f.payer_id is not None:  # as the figure counts: a charge by its claim's payer, the rest as posted
            query = query.where((ClaimRow.payer_id if account == GROSS_CHARGES else PostingRow.payer_id)
                                == f.payer_id)
        return query
    return claims


def _submitted(session: Session, f: ReportFilter, drill: Mapping[str, str], *, answered: bool = False) -> Any:
    _nothing_more(drill)
    first = report_kpis.first_submissions(f)
    conditions = [report_kpis.within(first.c.first, f.period), *report_kpis.originals(), *_claim_filters(f)]
    if answered:
        event = ClaimStatusEventRow
        conditions.append(exists().where(event.claim_id == first.c.claim_id, event.practice_id.in_(f.practice_ids),
                                         event.to_status.in_(report_kpis.ANSWERS),
                                         event.occurred_at >= first.c.first,
                                         report_kpis.by_as_of(event.occurred_at, f)))
    return select(first.c.claim_id).select_from(first).join(ClaimRow, ClaimRow.id == first.c.claim_id).where(
        *conditions)


def _clean(session: Session, f: ReportFilter, drill: Mapping[str, str]) -> Any:
    return _submitted(session, f, drill, answered=True)


def _denials(session: Session, f: ReportFilter, drill: Mapping[str, str]) -> Any:
    facts = report_denials.denial_facts(session, f)
    if "route" in drill:
        facts = [x for x in facts if x.recovered_cents > 0 and x.route.value == drill["route"]]
    else:
        facts = [x for x in facts if x.kind == "denial"]
    if "category" in drill:
        facts = [x for x in facts if x.category == drill["category"]]
    if "carc" in drill:
        facts = [x for x in facts if x.carc == drill["carc"]]
    if "payer" in drill:
        payer = _number(drill, "payer")
        facts = [x for x in facts if x.payer_id == payer]
    if "provider" in drill:
        provider = _number(drill, "provider")
        facts = [x for x in facts if x.provider_id == provider]
    if "code" in drill:
        facts = [x for x in facts if drill["code"] in (x.codes or ("",))]
    if "practice" in drill or "kind" in drill:
        raise InvalidInput("denials are narrowed by root cause, reason code, payer, code, provider or route")
    return sorted({x.claim_id for x in facts})


def _nothing_more(drill: Mapping[str, str]) -> None:
    if drill:
        raise InvalidInput("this list of claims is not narrowed any further: use the page's filters")


FINDERS: dict[str, Callable[[Session, ReportFilter, Mapping[str, str]], Any]] = {
    "ar": _ar, **{key: _flow(account) for key, account in FLOW_ACCOUNTS.items()},
    "submitted": _submitted, "clean_claims": _clean, "denials": _denials}
