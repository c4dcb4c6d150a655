"""Patient payments: cash in, applied to what the patient owes on a claim's lines, any excess kept as a credit.

Each payment has a reference (receipt number, card transaction id): the same reference posts once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from sqlalchemy import func, select

from dermbill.core.errors import InvalidInput
from dermbill.core.ledger import CASH, PATIENT_AR, PATIENT_CREDIT, JournalEntry, Posting
from dermbill.core.money import Money, apply_in_order
from dermbill.db.engine import Database
from dermbill.db.models import ClaimLineRow, ClaimRow, LedgerAccountRow, PostingRow
from dermbill.db.repositories import PracticeRepository, UnitOfWork, utc_now


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
        postings, credit = claim_payment_postings(repo, claim, amount)
        entry = JournalEntry(moment.date(), f"patient payment {reference} on claim {claim.patient_control_number}",
                             tuple(postings), idempotency_key=f"patient-payment:{reference}", kind="patient_payment")
        repo.open_standard_chart()
        entry_id, posted = repo.post(entry)
        if posted:
            repo.audit("patient_payment.posted", "claim", claim.id, {"reference": reference, "amount": str(amount)})
        uow.commit()
    return PatientPayment(entry_id, posted, amount - credit, credit)


def claim_payment_postings(repo: PracticeRepository, claim: ClaimRow, amount: Money) -> tuple[list[Posting], Money]:
    """Cash from the patient toward a claim: the postings applying it line by line to the patient balance (1200),
    the rest a patient credit (2100), and that rest. The check-in copay uses them too."""
    lines = repo.rows(ClaimLineRow, ClaimLineRow.claim_id == claim.id, order_by=ClaimLineRow.line_number)
    owed = dict(repo.session.execute(
        select(PostingRow.claim_line_id, func.sum(PostingRow.amount_cents))
        .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
        .where(PostingRow.practice_id == repo.practice_id, PostingRow.claim_id == claim.id,
               LedgerAccountRow.code == PATIENT_AR)
        .group_by(PostingRow.claim_line_id)).all())
    applied, credit = apply_in_order(amount, [Money(int(owed.get(line.id, 0))) for line in lines])
    dims = {"patient_id": claim.patient_id, "claim_id": claim.id}
    postings = []
    for line, part in zip(lines, applied, strict=True):
        if part.cents:  # cash and the patient balance both name the line: the line's own sum is unchanged
            postings += [Posting(CASH, part, **dims, claim_line_id=line.id),
                         Posting(PATIENT_AR, -part, **dims, claim_line_id=line.id)]
    if credit.cents:
        postings += [Posting(CASH, credit, **dims), Posting(PATIENT_CREDIT, -credit, **dims)]
    return postings, credit


def apply_patient_credits(database: Database, *, now: datetime.datetime | None = None,
                          actor: str = "credits") -> Money:
    """Apply what patients paid ahead (copays at check-in, overpayments: 2100) to what they owe on claim lines
    (1200), oldest line first; returns the total applied. Both postings name the line, so its sum holds."""
    moment = now or utc_now()
    applied_total = Money.zero()
    with UnitOfWork(database, actor=actor, clock=lambda: moment) as uow:
        credits = uow.session.execute(
            select(PostingRow.practice_id, PostingRow.patient_id, func.sum(PostingRow.amount_cents))
            .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
            .where(LedgerAccountRow.code == PATIENT_CREDIT, PostingRow.patient_id.is_not(None))
            .group_by(PostingRow.practice_id, PostingRow.patient_id)
            .having(func.sum(PostingRow.amount_cents) < 0)).all()
        for practice_id, patient_id, total in credits:
            repo = uow.practice(practice_id)
            owed = repo.session.execute(
                select(PostingRow.claim_id, PostingRow.claim_line_id, func.sum(PostingRow.amount_cents))
                .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
                .where(PostingRow.practice_id == practice_id, PostingRow.patient_id == patient_id,
                       LedgerAccountRow.code == PATIENT_AR, PostingRow.claim_line_id.is_not(None))
                .group_by(PostingRow.claim_id, PostingRow.claim_line_id)
                .having(func.sum(PostingRow.amount_cents) > 0)
                .order_by(PostingRow.claim_line_id)).all()
            if not owed:
                continue
            parts, _ = apply_in_order(Money(-int(total)), [Money(int(cents)) for _, _, cents in owed])
            postings = []
            for (claim_id, line_id, _), part in zip(owed, parts, strict=True):
                if part.cents:
                    dims = {"patient_id": patient_id, "claim_id": claim_id, "claim_line_id": line_id}
                    postings += [Posting(PATIENT_CREDIT, part, **dims), Posting(PATIENT_AR, -part, **dims)]
            if postings:
                applied = Money(sum(p.amount.cents for p in postings if p.amount.cents > 0))
                key = f"credit:patient:{patient_id}:{moment.isoformat()}"
                repo.post(JournalEntry(moment.date(), f"patient credit applied to claim balances ({applied})",
                                       tuple(postings), idempotency_key=key, kind="credit_applied"))
                applied_total += applied
        uow.commit()
    return applied_total
