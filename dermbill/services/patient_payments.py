"""Patient payments: cash in, applied to what the patient owes on a claim's lines, any excess kept as a credit.

Each payment has a reference (receipt number, card transaction id): the same reference posts once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from sqlalchemy import func, select

from dermbill.core.errors import InvalidInput
from dermbill.core.ledger import JournalEntry, Posting
from dermbill.core.money import Money, apply_in_order
from dermbill.db.engine import Database
from dermbill.db.models import ClaimLineRow, ClaimRow, LedgerAccountRow, PostingRow
from dermbill.db.repositories import UnitOfWork, utc_now


@dataclass(frozen=True, slots=True)
class PatientPayment:
    entry_id: int
    posted: bool  # False when this reference was posted before
    applied: Money
    credit: Money


def post_patient_payment(database: Database, practice_id: int, claim_id: int, amount: Money, reference: str, *,
                         actor: str = "front-desk", now: datetime.datetime | None = None) -> PatientPayment:
    """Cash from the patient toward a claim: applied line by line to the patient balance, the rest a credit."""
    if amount.cents <= 0:
        raise InvalidInput(f"a patient payment must be more than zero (got {amount})")
    if not reference.strip():
        raise InvalidInput("a patient payment needs a reference (receipt or transaction number)")
    moment = now or utc_now()
    with UnitOfWork(database, actor=actor, clock=lambda: moment) as uow:
        repo = uow.practice(practice_id)
        claim = repo.get(ClaimRow, claim_id)
        lines = repo.rows(ClaimLineRow, ClaimLineRow.claim_id == claim.id, order_by=ClaimLineRow.line_number)
        owed = dict(uow.session.execute(
            select(PostingRow.claim_line_id, func.sum(PostingRow.amount_cents))
            .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
            .where(PostingRow.practice_id == practice_id, PostingRow.claim_id == claim.id,
                   LedgerAccountRow.code == "1200")
            .group_by(PostingRow.claim_line_id)).all())
        applied, credit = apply_in_order(amount, [Money(int(owed.get(line.id, 0))) for line in lines])
        dims = {"patient_id": claim.patient_id, "claim_id": claim.id}
        postings = []
        for line, part in zip(lines, applied, strict=True):
            if part.cents:  # cash and the patient balance both name the line: the line's own sum is unchanged
                postings += [Posting("1000", part, **dims, claim_line_id=line.id),
                             Posting("1200", -part, **dims, claim_line_id=line.id)]
        if credit.cents:
            postings += [Posting("1000", credit, **dims), Posting("2100", -credit, **dims)]
        entry = JournalEntry(moment.date(), f"patient payment {reference} on claim {claim.patient_control_number}",
                             tuple(postings), idempotency_key=f"patient-payment:{reference}", kind="patient_payment")
        repo.open_standard_chart()
        entry_id, posted = repo.post(entry)
        if posted:
            repo.audit("patient_payment.posted", "claim", claim.id, {"reference": reference, "amount": str(amount)})
        uow.commit()
    return PatientPayment(entry_id, posted, amount - credit, credit)
