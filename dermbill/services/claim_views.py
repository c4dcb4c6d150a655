"""Claims as the screens and the API show them, always within the practices a user may see; every read of
claims (PHI: a claim names its patient's care) is audited with who and which records (the route and the
client's address come from the caller's ``audit_origin``)."""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Select, select

from dermbill.core.money import Money
from dermbill.db.engine import Database
from dermbill.db.models import ClaimLineRow, ClaimRow, PayerRow, PracticeRow
from dermbill.db.repositories import UnitOfWork


@dataclass(frozen=True, slots=True)
class ClaimSummary:
    claim_number: str
    practice: str
    status: str
    payer: str
    date_of_service: datetime.date
    total_charge: Money


def claim_summaries(database: Database, practice_ids: Collection[int], *, limit: int, after: str | None,
                    actor: str) -> list[ClaimSummary]:
    """Up to ``limit`` claims of these practices, by claim number, after ``after`` (keyset paging)."""
    if not practice_ids:
        return []
    with UnitOfWork(database, actor=actor) as uow:
        query = _summary_query().where(ClaimRow.practice_id.in_(sorted(practice_ids)))
        if after:
            query = query.where(ClaimRow.patient_control_number > after)
        rows = uow.session.execute(query.order_by(ClaimRow.patient_control_number).limit(limit)).all()
        found = [_summary(claim, practice, payer, day) for claim, practice, payer, day in rows]
        uow.audit_practices("claim.list", "claim", practice_ids, detail={"claims": [c.claim_number for c in found]})
        uow.commit()
        return found


def claim_summary(database: Database, practice_ids: Collection[int], claim_number: str, *,
                  actor: str) -> ClaimSummary | None:
    """The claim of this number among these practices' claims (None: not there, or not the user's to see)."""
    if not practice_ids:
        return None
    with UnitOfWork(database, actor=actor) as uow:
        row = uow.session.execute(_summary_query().where(ClaimRow.practice_id.in_(sorted(practice_ids)),
                                                         ClaimRow.patient_control_number == claim_number)).first()
        if row is None:
            return None
        found, practice, payer, day = row
        claim = _summary(found, practice, payer, day)
        uow.audit("claim.read", "claim", found.id, practice_id=found.practice_id,
                  organization_id=None, detail={"claim": claim.claim_number})
        uow.commit()
        return claim


def patient_claims(database: Database, practice_ids: Collection[int], patient_id: int, *,
                   actor: str) -> list[ClaimSummary]:
    """The claims of this patient of these practices, newest first (an audited read)."""
    if not practice_ids:
        return []
    with UnitOfWork(database, actor=actor) as uow:
        rows = uow.session.execute(_summary_query().where(
            ClaimRow.practice_id.in_(sorted(practice_ids)), ClaimRow.patient_id == patient_id)
            .order_by(ClaimRow.id.desc())).all()
        found = [_summary(claim, practice, payer, day) for claim, practice, payer, day in rows]
        uow.audit_practices("claim.list", "claim", practice_ids, detail={"claims": [c.claim_number for c in found]})
        uow.commit()
        return found


def _summary_query() -> Select[ClaimRow, str, str, datetime.date]:
    first_day = (select(ClaimLineRow.service_date_from).where(ClaimLineRow.claim_id == ClaimRow.id)
                 .order_by(ClaimLineRow.service_date_from).limit(1).scalar_subquery())
    return (select(ClaimRow, PracticeRow.code, PayerRow.name, first_day)
            .join(PracticeRow, PracticeRow.id == ClaimRow.practice_id)
            .outerjoin(PayerRow, PayerRow.id == ClaimRow.payer_id))


def _summary(claim: ClaimRow, practice: str, payer: str | None, day: datetime.date | None) -> ClaimSummary:
    return ClaimSummary(claim.patient_control_number, practice, claim.status, payer or "",
                        day or claim.created_at.date(), Money(claim.total_charge_cents))
