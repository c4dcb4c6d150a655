"""Payments the billers work: claim payments that matched no claim (unmatched) and payments a payer made twice
(overpayments, owed back), for the caller's practices; every listing audited as a read of PHI."""

from __future__ import annotations

from contextlib import AbstractContextManager

from fastapi import APIRouter, Request
from pydantic import BaseModel

from dermbill.core.access import Permission
from dermbill.db.engine import Database
from dermbill.services.audit import record_read
from dermbill.services.era_posting import unmatched_queue
from dermbill.services.overpayments import Overpayment, overpayment_queue
from dermbill.services.users import User
from dermbill.web.api import DatabaseDep, UserDep, origin, permitted


class UnmatchedOut(BaseModel):
    id: str  # the held claim payment (the page /payments/unmatched/{id} matches it by hand)
    practice: str
    claim: str  # the claim number the payer sent (CLP01), which matched none of ours
    payer_claim_number: str
    paid: str
    reason: str
    payer: str
    trace: str
    file: str
    received_on: str


class OverpaymentOut(BaseModel):
    id: int
    practice: str
    claim: str
    payer: str
    payer_claim_number: str
    amount: str  # still owed back to the payer
    paid_again: str
    original_trace: str
    trace: str
    file: str
    received_on: str

    @classmethod
    def of(cls, item: Overpayment) -> OverpaymentOut:
        return cls(id=item.id, practice=item.practice, claim=item.claim, payer=item.payer,
                   payer_claim_number=item.payer_claim_number, amount=str(item.amount),
                   paid_again=str(item.paid_again), original_trace=item.original_trace, trace=item.trace,
                   file=item.file, received_on=item.received_on.isoformat())


def sole_practice(user: User) -> int | None:
    """The user's practice when they have one (a read audited with it is found by that practice's auditors)."""
    return next(iter(user.practice_ids)) if len(user.practice_ids) == 1 else None


def unmatched_for(database: Database, user: User, where: AbstractContextManager[None]) -> list[UnmatchedOut]:
    with where:
        items = unmatched_queue(database, user.practice_ids)
        record_read(database, "unmatched.list", "remittance_claim", actor=user.email,
                    records=[item["claim"] for item in items], organization_id=user.organization_id,
                    practice_id=sole_practice(user))
    return [UnmatchedOut(**item) for item in items]


def overpayments_for(database: Database, user: User, where: AbstractContextManager[None]) -> list[OverpaymentOut]:
    with where:
        items = overpayment_queue(database, user.practice_ids)
        record_read(database, "overpayment.list", "overpayment", actor=user.email,
                    records=[item.claim for item in items], organization_id=user.organization_id,
                    practice_id=sole_practice(user))
    return [OverpaymentOut.of(item) for item in items]


def router() -> APIRouter:
    api = APIRouter(prefix="/api/v1", tags=["payments"])

    @api.get("/payments/unmatched", summary="Claim payments that matched none of the caller's practices' claims")
    def unmatched(request: Request, user: UserDep, database: DatabaseDep) -> list[UnmatchedOut]:
        permitted(user, Permission.VIEW_REMITTANCES)
        return unmatched_for(database, user, origin(request))

    @api.get("/payments/overpayments", summary="Open overpayments: what payers are owed back")
    def overpayments(request: Request, user: UserDep, database: DatabaseDep) -> list[OverpaymentOut]:
        permitted(user, Permission.VIEW_REMITTANCES)
        return overpayments_for(database, user, origin(request))

    return api
