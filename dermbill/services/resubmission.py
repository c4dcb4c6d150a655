"""What a rejected claim said, kept so that it goes out again only once it changed (see core.resubmission).

The fingerprint is taken of the professional claim exactly as the 837P and the CMS-1500 carry it (its lines,
diagnoses, providers, the payer, the subscriber and member ID, the patient's name, birth date, sex and address)
with the billing provider: a change anywhere a payer looks is a change; the claim's status, control numbers and
timestamps are not part of it.
"""

from __future__ import annotations

from sqlalchemy import select

from dermbill.core.errors import InvalidInput
from dermbill.core.resubmission import REJECTION_RULE, RejectedBefore, fingerprint
from dermbill.db.models import ClaimFindingRow, ClaimRow
from dermbill.db.repositories import PracticeRepository
from dermbill.services.submission import billing_provider, professional_claim

UNKNOWN_REASON = ("rejected by the clearinghouse or the payer", "correct what the rejection names")


def claim_fingerprint(repo: PracticeRepository, claim: ClaimRow) -> str:
    """The fingerprint of what the payer would read on the claim now."""
    if claim.coverage_id is None or claim.payer_id is None:  # billed to the patient: no payer reads it
        return fingerprint({"claim": claim.patient_control_number, "coverage": None})
    return fingerprint((billing_provider(repo.practice), professional_claim(repo, claim)))


def record_rejection(repo: PracticeRepository, claim: ClaimRow) -> None:
    """Keep what the claim said when it was rejected (a later rejection replaces an earlier one)."""
    claim.rejected_fingerprint = claim_fingerprint(repo, claim)


def rejected_before(repo: PracticeRepository, claim: ClaimRow) -> RejectedBefore | None:
    """The claim's last rejection and its fingerprint now; None when it has none on record (or a person approved
    sending it again as it was)."""
    if claim.rejected_fingerprint is None:
        return None
    finding = repo.session.scalars(
        select(ClaimFindingRow).where(ClaimFindingRow.practice_id == repo.practice_id,
                                      ClaimFindingRow.claim_id == claim.id, ClaimFindingRow.rule == REJECTION_RULE)
        .order_by(ClaimFindingRow.scrubbed_at.desc(), ClaimFindingRow.id.desc())).first()
    reason, fix = (finding.message, finding.fix) if finding is not None else UNKNOWN_REASON
    return RejectedBefore(reason, fix, claim.rejected_fingerprint, claim_fingerprint(repo, claim))


def approve_unchanged(repo: PracticeRepository, claim: ClaimRow) -> None:
    """A person says the rejected claim may go out again as it is (the fix was outside it): recorded with who."""
    rejection = rejected_before(repo, claim)
    if rejection is None:
        raise InvalidInput(f"claim {claim.patient_control_number} has no rejection on record; --resubmit-unchanged "
                           "is only for a rejected claim sent again as it was")
    claim.rejected_fingerprint = None
    repo.audit("claim.resubmit_unchanged", "claim", claim.id,
               {"rejection": rejection.reason, "unchanged": rejection.unchanged})
