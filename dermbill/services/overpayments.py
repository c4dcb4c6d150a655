"""Credit balances: money received that is owed back, and the refunds that clear it.

- A payer's **overpayment** is a claim payment for lines the payer had already settled (``era_posting`` puts its
  cash in the payer credit balance, 2150, and a row in the overpayment queue). It is cleared by a refund sent
  to the payer (``refund_overpayment``: Dr 2150, Cr cash) or by the payer recouping it on a later remittance
  (a PLB WO/72 naming the claim, posted by ``era_posting``).
- A patient's **credit** is what the patient paid beyond what is owed (a payment above the balance, or a
  share the payer took back after the patient had paid it): the patient credit balance (2100), by patient. A
  refund sent to the patient clears it (``refund_patient_credit``: Dr 2100, Cr cash).
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from dermbill.core.errors import InvalidInput, NotFound
from dermbill.core.ledger import CASH, PATIENT_CREDIT, PAYER_CREDIT, JournalEntry, Posting
from dermbill.core.money import Money
from dermbill.db.engine import Database
from dermbill.db.models import (
    ClaimRow,
    LedgerAccountRow,
    OverpaymentRow,
    PatientRow,
    PayerRow,
    PostingRow,
    PracticeRow,
    RemittanceRow,
)
from dermbill.db.repositories import UnitOfWork


@dataclass(frozen=True, slots=True)
class Overpayment:
    id: int
    practice: str
    claim: str  # our claim number (patient control number)
    payer: str
    payer_claim_number: str
    amount: Money  # still owed back
    paid_again: Money  # what the second payment was
    original_trace: str  # the remittance whose answer was in force
    trace: str  # the remittance that paid again
    file: str
    received_on: datetime.date

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "practice": self.practice, "claim": self.claim, "payer": self.payer,
                "payer_claim_number": self.payer_claim_number, "amount": str(self.amount),
                "paid_again": str(self.paid_again), "original_trace": self.original_trace, "trace": self.trace,
                "file": self.file, "received_on": self.received_on.isoformat()}


@dataclass(frozen=True, slots=True)
class PatientCredit:
    practice: str
    account_number: str
    patient: str  # LAST, FIRST
    amount: Money

    def to_json(self) -> dict[str, Any]:
        return {"practice": self.practice, "account_number": self.account_number, "patient": self.patient,
                "amount": str(self.amount)}


def overpayment_queue(database: Database, practice_ids: Collection[int] | None = None) -> list[Overpayment]:
    """The open overpayments (of these practices; None: all), oldest first: what each payer is owed back, with both
    remittances."""
    with UnitOfWork(database, actor="overpayments") as uow:
        session = uow.session
        practices = {p.id: p.code for p in session.scalars(select(PracticeRow))}
        payers = {p.id: p.payer_identifier for p in session.scalars(select(PayerRow))}
        query = (select(OverpaymentRow, ClaimRow.patient_control_number, RemittanceRow)
                 .join(ClaimRow, ClaimRow.id == OverpaymentRow.claim_id)
                 .join(RemittanceRow, RemittanceRow.id == OverpaymentRow.remittance_id)
                 .where(OverpaymentRow.status == "open"))
        if practice_ids is not None:
            query = query.where(OverpaymentRow.practice_id.in_(sorted(practice_ids)))
        rows = session.execute(query.order_by(OverpaymentRow.id)).all()
        originals = {r.id: r.trace_number for r in session.scalars(select(RemittanceRow).where(
            RemittanceRow.id.in_([row.original_remittance_id for row, _, _ in rows if row.original_remittance_id])))}
        return [Overpayment(row.id, practices[row.practice_id], pcn, payers.get(row.payer_id or 0, ""),
                            row.payer_claim_number or "", Money(row.open_cents), Money(row.amount_cents),
                            originals.get(row.original_remittance_id or 0, ""), remittance.trace_number,
                            remittance.file_name, row.created_at.date())
                for row, pcn, remittance in rows]


def refund_overpayment(database: Database, overpayment_id: int, reference: str, *, actor: str,
                       today: datetime.date, practice_ids: Collection[int] | None = None) -> Money:
    """Record the refund sent to the payer for an open overpayment (check or EFT ``reference``); returns it.
    ``practice_ids``: the practices of the person refunding (None: any); another's overpayment is not found."""
    with UnitOfWork(database, actor=actor) as uow:
        query = select(OverpaymentRow).where(OverpaymentRow.id == overpayment_id)
        if practice_ids is not None:
            query = query.where(OverpaymentRow.practice_id.in_(sorted(practice_ids)))
        row = uow.session.scalars(query.with_for_update()).first()
        if row is None:
            raise NotFound(f"overpayment {overpayment_id} not found (see `dermbill era overpayments`)")
        if not reference.strip():  # after the lookup: another practice's overpayment is not found, whatever was sent
            raise InvalidInput("a refund needs a reference (the check or EFT number sent to the payer)")
        if row.status != "open":
            raise InvalidInput(f"overpayment {overpayment_id} was already {row.status} ({row.resolution}); "
                               "nothing is owed on it")
        repo = uow.practice(row.practice_id)
        repo.open_standard_chart()
        claim = repo.get(ClaimRow, row.claim_id)
        amount = Money(row.open_cents)
        dims = {"patient_id": claim.patient_id, "payer_id": row.payer_id, "claim_id": claim.id}
        postings = (Posting(PAYER_CREDIT, amount, **dims), Posting(CASH, -amount, **dims))
        repo.post(JournalEntry(today, f"refund {reference} to the payer: claim {claim.patient_control_number} "
                                      "paid twice", postings, idempotency_key=f"payer-refund:{overpayment_id}",
                               kind="refund"))
        row.open_cents, row.status, row.resolution, row.resolved_on = 0, "refunded", reference.strip()[:80], today
        repo.audit("overpayment.refunded", "overpayment", row.id, {"reference": reference, "amount": str(amount)})
        uow.commit()
    return amount


def patient_credit_queue(database: Database) -> list[PatientCredit]:
    """Patients with a credit balance (2100): owed a refund, or to be applied to what they owe next."""
    with UnitOfWork(database, actor="overpayments") as uow:
        session = uow.session
        practices = {p.id: p.code for p in session.scalars(select(PracticeRow))}
        rows = session.execute(
            select(PostingRow.practice_id, PostingRow.patient_id, func.sum(PostingRow.amount_cents))
            .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
            .where(LedgerAccountRow.code == PATIENT_CREDIT, PostingRow.patient_id.is_not(None))
            .group_by(PostingRow.practice_id, PostingRow.patient_id)
            .having(func.sum(PostingRow.amount_cents) < 0)).all()
        patients = {p.id: p for p in session.scalars(select(PatientRow).where(
            PatientRow.id.in_([patient_id for _, patient_id, _ in rows])))}
        credits = [PatientCredit(practices[practice_id], patients[patient_id].account_number,
                                 f"{patients[patient_id].last_name}, {patients[patient_id].first_name}",
                                 Money(-int(total))) for practice_id, patient_id, total in rows
                   if patient_id is not None]
    return sorted(credits, key=lambda c: (c.practice, c.account_number))


def refund_patient_credit(database: Database, practice: str, account_number: str, reference: str, *, actor: str,
                          today: datetime.date, amount: Money | None = None) -> Money:
    """Record a refund sent to a patient (all of the credit unless ``amount``); returns what was refunded."""
    if not reference.strip():
        raise InvalidInput("a refund needs a reference (the check or card refund number)")
    with UnitOfWork(database, actor=actor) as uow:
        practice_ids = list(uow.session.scalars(select(PracticeRow.id).where(PracticeRow.code == practice)))
        if len(practice_ids) != 1:
            raise NotFound(f"practice '{practice}' not found" if not practice_ids else
                           f"practice code '{practice}' names several practices")
        repo = uow.practice(practice_ids[0])
        patient = next(iter(repo.rows(PatientRow, PatientRow.account_number == account_number)), None)
        if patient is None:
            raise NotFound(f"no patient with account number '{account_number}' in practice {practice}")
        repo.open_standard_chart()
        credit = -repo.balances(PostingRow.patient_id == patient.id).get(PATIENT_CREDIT, Money.zero())
        refund = credit if amount is None else amount
        if refund.cents <= 0 or refund.cents > credit.cents:
            raise InvalidInput(f"patient {account_number} has a credit of {credit}; a refund must be more than "
                               f"zero and at most that (got {refund})")
        entry_id, posted = repo.post(JournalEntry(
            today, f"refund {reference} to patient {account_number}",
            (Posting(PATIENT_CREDIT, refund, patient_id=patient.id), Posting(CASH, -refund, patient_id=patient.id)),
            idempotency_key=f"patient-refund:{reference.strip()}", kind="refund"))
        if not posted:
            raise InvalidInput(f"refund {reference} was recorded before (journal entry {entry_id})")
        repo.audit("patient_credit.refunded", "patient", patient.id, {"reference": reference, "amount": str(refund)})
        uow.commit()
    return refund
