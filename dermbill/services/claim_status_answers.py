"""Applying the 277 claim status responses (005010X212) that answer our 276 inquiries: each answer once.

``services.transmission`` hands the 277s of a fetched file (claim status responses, not 277CAs) to
``apply_claim_status_answers``, all in one transaction. Each claim a 277 names is matched to our inquiry by the
277's trace number (BHT03, which echoes the 276's) and the claim's patient control number (TRN02), within the
billing company the file is addressed to; an inquiry not found that way is matched to the latest inquiry about that
claim still waiting for an answer. An inquiry already answered is not answered again (the same 277 fetched twice
changes nothing). The answer is recorded with the status category and code in words and what it asks of us
(``core.claim_follow_up``).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select

from dermbill.core.claim_follow_up import StatusAnswer, decide_follow_up
from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money
from dermbill.db.audit_origin import person_or
from dermbill.db.engine import Database
from dermbill.db.models import ClaimRow, ClaimStatusEventRow, ClaimStatusInquiryRow, PayerRow, PracticeRow
from dermbill.db.repositories import UnitOfWork
from dermbill.reference.claim_status import claim_status_table

DEFAULT_WAIT_DAYS = 30


def apply_claim_status_answers(database: Database, organization_id: int, answers: Sequence[dict[str, Any]],
                               now: datetime.datetime) -> dict[str, object]:
    """Record the answers of 277 transaction sets (as ``x12.claim_status_277.read_277`` reads them) in one
    transaction; counts of what it did."""
    table = claim_status_table()
    counts: dict[str, int] = {"applied": 0, "already_applied": 0, "unknown": 0}
    routes: dict[str, int] = {}
    with UnitOfWork(database, actor=person_or("sync"), clock=lambda: now) as uow:
        practice_ids = list(uow.session.scalars(select(PracticeRow.id).where(
            PracticeRow.organization_id == organization_id)))
        for answer, claim_json in ((a, c) for a in answers for c in a.get("claims", [])):
            trace = str(answer.get("trace_number") or "")
            pcn = str(claim_json.get("patient_control_number") or "")
            found = _inquiry(uow, practice_ids, trace, pcn)
            if found is None:
                counts["unknown"] += 1
                continue
            inquiry, claim = found
            if inquiry.answered_at is not None:
                counts["already_applied"] += 1
                continue
            status = (claim_json.get("statuses") or [{}])[0]
            category, code = str(status.get("category") or ""), str(status.get("code") or "")
            entity = str(status.get("entity") or "")
            paid = _money(status.get("paid"))
            effective = _day(status.get("date"))
            payer = uow.session.get(PayerRow, claim.payer_id) if claim.payer_id else None
            decision = decide_follow_up(StatusAnswer(category, code, entity, paid), table,
                                        sent_on=sent_on(uow, claim), as_of=now.date(),
                                        wait_days=payer.status_inquiry_days if payer else DEFAULT_WAIT_DAYS)
            number = claim_json.get("payer_claim_control_number") or None
            inquiry.answered_at = now
            inquiry.category_code, inquiry.status_code, inquiry.entity_code = category[:3], code[:5], entity[:3]
            inquiry.words = table.words(category, code, entity, effective or now.date())
            inquiry.payer_claim_number = str(number)[:50] if number else None
            inquiry.paid_cents = paid.cents if paid is not None else None
            inquiry.effective_date = effective
            inquiry.route, inquiry.reason, inquiry.next_action = (decision.route.value, decision.reason,
                                                                  decision.next_action)
            if number and not claim.payer_claim_number:
                claim.payer_claim_number = str(number)[:50]
            uow.practice(claim.practice_id).audit("claim.status_answered", "claim", claim.id, {
                "claim": claim.patient_control_number, "trace": inquiry.trace_number, "category": category,
                "code": code, "route": decision.route.value})
            counts["applied"] += 1
            routes[decision.route.value] = routes.get(decision.route.value, 0) + 1
        uow.commit()
    return {**counts, "routes": routes, "transactions": len(answers)}


def _inquiry(uow: UnitOfWork, practice_ids: list[int], trace: str,
             pcn: str) -> tuple[ClaimStatusInquiryRow, ClaimRow] | None:
    query = (select(ClaimStatusInquiryRow, ClaimRow)
             .join(ClaimRow, (ClaimRow.id == ClaimStatusInquiryRow.claim_id)
                   & (ClaimRow.practice_id == ClaimStatusInquiryRow.practice_id))
             .where(ClaimStatusInquiryRow.practice_id.in_(practice_ids), ClaimRow.patient_control_number == pcn))
    exact = uow.session.execute(query.where(ClaimStatusInquiryRow.trace_number == trace)).first()
    if exact is not None:
        return exact[0], exact[1]
    waiting = uow.session.execute(query.where(ClaimStatusInquiryRow.answered_at.is_(None),
                                              ClaimStatusInquiryRow.sent_at.is_not(None))
                                  .order_by(ClaimStatusInquiryRow.sent_at.desc(),
                                            ClaimStatusInquiryRow.id.desc())).first()
    return (waiting[0], waiting[1]) if waiting is not None else None


def sent_on(uow: UnitOfWork, claim: ClaimRow) -> datetime.date:
    """The day the claim was last sent to the payer (its last move to submitted; else its last change)."""
    moment = uow.session.scalar(select(func.max(ClaimStatusEventRow.occurred_at)).where(
        ClaimStatusEventRow.practice_id == claim.practice_id, ClaimStatusEventRow.claim_id == claim.id,
        ClaimStatusEventRow.to_status == "submitted"))
    return (moment or claim.updated_at).date()


def _money(text: object) -> Money | None:
    if text is None or text == "":
        return None
    try:
        return Money.parse(str(text))
    except InvalidInput:
        return None


def _day(text: object) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(text)) if text else None
    except ValueError:
        return None
