"""Moving claims between states: checked against the lifecycle, recorded with who, when and why."""

from __future__ import annotations

from dermbill.core.claims import ClaimStatus, check_transition
from dermbill.core.ledger import JournalEntry, Posting
from dermbill.core.money import Money
from dermbill.db.models import ClaimLineRow, ClaimRow, ClaimStatusEventRow
from dermbill.db.repositories import PracticeRepository


def move_claim(repo: PracticeRepository, claim: ClaimRow, new: ClaimStatus, reason: str) -> None:
    """Change a claim's status, or raise InvalidTransition; the move is stored as an event."""
    current = ClaimStatus(claim.status)
    if current == new:
        return
    check_transition(claim.patient_control_number, current, new)
    now = repo.uow.clock()
    repo.add(ClaimStatusEventRow(claim_id=claim.id, from_status=current.value, to_status=new.value,
                                 actor=repo.uow.actor, reason=reason, occurred_at=now))
    claim.status = new.value
    claim.updated_at = now


def charge_entry(claim: ClaimRow, lines: list[ClaimLineRow]) -> JournalEntry:
    """The charge of a claim sent to a payer: insurance A/R up by each line's charge, gross charges credited."""
    postings = [Posting("1100", Money(line.charge_cents), patient_id=claim.patient_id, payer_id=claim.payer_id,
                        claim_id=claim.id, claim_line_id=line.id) for line in lines if line.charge_cents]
    total = sum(line.charge_cents for line in lines)
    postings.append(Posting("4000", Money(-total), patient_id=claim.patient_id, payer_id=claim.payer_id,
                            claim_id=claim.id))
    return JournalEntry(claim.created_at.date(), f"charges of claim {claim.patient_control_number}",
                        tuple(postings), idempotency_key=f"charge:claim:{claim.id}", kind="charge")
