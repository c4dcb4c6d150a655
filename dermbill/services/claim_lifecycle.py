"""Moving claims between states: checked against the lifecycle, recorded with who, when and why."""

from __future__ import annotations

from sqlalchemy.orm.attributes import set_committed_value

from dermbill.core.claims import ClaimStatus, check_transition
from dermbill.core.ledger import GROSS_CHARGES, INSURANCE_AR, JournalEntry, Posting
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


def move_claims(repo: PracticeRepository, moves: list[tuple[ClaimRow, ClaimStatus]], reason: str,
                payer_claim_numbers: dict[int, str] | None = None) -> None:
    """Many moves at once, each checked like ``move_claim``: one bulk UPDATE of the claims and one bulk insert of
    their events (posting a large 835 moves tens of thousands of claims). ``payer_claim_numbers`` are stored on
    the same claims."""
    numbers = payer_claim_numbers or {}
    now = repo.uow.clock()
    events, updates = [], []
    for claim, new in moves:
        current = ClaimStatus(claim.status)
        if current != new:
            check_transition(claim.patient_control_number, current, new)
            events.append({"claim_id": claim.id, "from_status": current.value, "to_status": new.value,
                           "actor": repo.uow.actor, "reason": reason, "occurred_at": now})
        number = numbers.get(claim.id, claim.payer_claim_number)
        if current != new or number != claim.payer_claim_number:
            updates.append((claim, {"id": claim.id, "status": new.value, "updated_at": now,
                                    "payer_claim_number": number}))
    if updates:
        repo.flush()
        repo.update_claims([values for _, values in updates])
        for claim, values in updates:  # keep the session's objects in step, without marking them changed
            for key in ("status", "updated_at", "payer_claim_number"):
                set_committed_value(claim, key, values[key])
    repo.insert_rows(ClaimStatusEventRow, events)


def charge_entry(claim: ClaimRow, lines: list[ClaimLineRow]) -> JournalEntry:
    """The charge of a claim sent to a payer: insurance A/R up by each line's charge, gross charges credited."""
    postings = [Posting(INSURANCE_AR, Money(line.charge_cents), patient_id=claim.patient_id, payer_id=claim.payer_id,
                        claim_id=claim.id, claim_line_id=line.id) for line in lines if line.charge_cents]
    total = sum(line.charge_cents for line in lines)
    postings.append(Posting(GROSS_CHARGES, Money(-total), patient_id=claim.patient_id, payer_id=claim.payer_id,
                            claim_id=claim.id))
    return JournalEntry(claim.created_at.date(), f"charges of claim {claim.patient_control_number}",
                        tuple(postings), idempotency_key=f"charge:claim:{claim.id}", kind="charge")
