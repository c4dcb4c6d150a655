"""The fix queue: claims the clearinghouse (999) or the payer (277CA) rejected, each with the field in error, the
payer's words and how to fix it, within the practices a user may see.

A rejection leaves a finding on the claim (``REJECTION_RULE``, see ``services.transmission``); the claim stays in
the queue until it changes and is scrubbed again. Every read is audited (a rejected claim names its patient):
the list as one event per practice naming the claims shown, one claim as ``fix_queue.read``.
``practice_ids`` is the practices the user may see; ``None`` means every practice (the CLI).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, select

from dermbill.core.claims import ClaimStatus
from dermbill.core.errors import NotFound
from dermbill.core.money import Money
from dermbill.core.resubmission import REJECTION_RULE
from dermbill.db.engine import Database
from dermbill.db.models import (
    ClaimFindingRow,
    ClaimLineRow,
    ClaimRow,
    CoverageRow,
    PatientRow,
    PayerRow,
    PracticeRow,
)
from dermbill.db.repositories import UnitOfWork


@dataclass(frozen=True, slots=True)
class RejectedClaim:
    """One claim of the fix queue."""

    practice: str  # the practice's code
    claim: str  # the claim number (patient control number)
    payer: str  # the payer's identifier
    payer_name: str
    field: str  # the claim field in error, e.g. "member ID"
    message: str  # the payer's or clearinghouse's words
    fix: str
    rejected_at: datetime.datetime

    def to_json(self) -> dict[str, str]:
        """What ``dermbill claims fix-queue --json`` prints for the claim."""
        return {"practice": self.practice, "claim": self.claim, "payer": self.payer, "field": self.field,
                "message": self.message, "fix": self.fix, "rejected_at": self.rejected_at.isoformat()}


@dataclass(frozen=True, slots=True)
class RejectedLine:
    line_number: int
    code: str
    modifiers: tuple[str, ...]
    units: int
    charge: Money
    date_of_service: datetime.date


@dataclass(frozen=True, slots=True)
class RejectedClaimDetail:
    """A claim of the fix queue with what a person needs to fix it: the patient, the coverage, the lines."""

    rejection: RejectedClaim
    status: str
    patient: str
    member_id: str
    total_charge: Money
    lines: tuple[RejectedLine, ...]
    rejections: tuple[tuple[str, str], ...]  # (field: message, fix) of every rejection finding on the claim


def rejected_claims(database: Database, practice_ids: Collection[int] | None = None, *,
                    actor: str = "fix-queue") -> list[RejectedClaim]:
    """The rejected claims of these practices (``None``: all), oldest rejection first."""
    found: list[RejectedClaim] = []
    with UnitOfWork(database, actor=actor) as uow:
        shown: dict[int, list[str]] = defaultdict(list)
        for claim, finding, practice, payer in _rejections(uow, practice_ids):
            found.append(_rejected(claim, finding, practice, payer))
            shown[claim.practice_id].append(claim.patient_control_number)
        for practice_id, numbers in sorted(shown.items()):
            uow.practice(practice_id).audit("fix_queue.list", "claim", None,
                                            {"claims": list(dict.fromkeys(numbers))})
        uow.commit()
    return found


def rejected_claim(database: Database, claim_number: str, practice_ids: Collection[int] | None = None, *,
                   actor: str = "fix-queue") -> RejectedClaimDetail:
    """One claim of the fix queue by its number (NotFound: not rejected, or not among these practices')."""
    with UnitOfWork(database, actor=actor) as uow:
        found = _rejections(uow, practice_ids, ClaimRow.patient_control_number == claim_number)
        if not found:
            raise NotFound(f"claim {claim_number} is not in the fix queue of your practices")
        claim, finding, practice, payer = found[-1]  # the latest rejection says what is wrong now
        found = [row for row in found if row[0].id == claim.id]  # the same number in another practice is another
        repo = uow.practice(claim.practice_id)
        patient = repo.get(PatientRow, claim.patient_id)
        coverage = repo.get(CoverageRow, claim.coverage_id) if claim.coverage_id else None
        lines = repo.rows(ClaimLineRow, ClaimLineRow.claim_id == claim.id, order_by=ClaimLineRow.line_number)
        detail = RejectedClaimDetail(
            _rejected(claim, finding, practice, payer), claim.status, f"{patient.last_name}, {patient.first_name}",
            coverage.member_id if coverage else "", Money(claim.total_charge_cents),
            tuple(RejectedLine(line.line_number, line.procedure_code, tuple(line.modifiers), line.units,
                               Money(line.charge_cents), line.service_date_from) for line in lines),
            tuple((row.message, row.fix) for _, row, _, _ in found))
        repo.audit("fix_queue.read", "claim", claim.id, {"claim": claim.patient_control_number})
        uow.commit()
        return detail


def _rejections(uow: UnitOfWork, practice_ids: Collection[int] | None, *criteria: ColumnElement[bool]
                ) -> list[tuple[ClaimRow, ClaimFindingRow, PracticeRow, PayerRow | None]]:
    query = (select(ClaimRow, ClaimFindingRow, PracticeRow, PayerRow)
             .join(ClaimFindingRow, (ClaimFindingRow.claim_id == ClaimRow.id)
                   & (ClaimFindingRow.practice_id == ClaimRow.practice_id))
             .join(PracticeRow, PracticeRow.id == ClaimRow.practice_id)
             .outerjoin(PayerRow, PayerRow.id == ClaimRow.payer_id)
             .where(ClaimRow.status == ClaimStatus.REJECTED.value, ClaimFindingRow.rule == REJECTION_RULE,
                    *criteria)
             .order_by(ClaimFindingRow.scrubbed_at, ClaimRow.id, ClaimFindingRow.id))
    if practice_ids is not None:
        query = query.where(ClaimRow.practice_id.in_(sorted(practice_ids)))
    return [(claim, finding, practice, payer) for claim, finding, practice, payer in uow.session.execute(query)]


def _rejected(claim: ClaimRow, finding: ClaimFindingRow, practice: PracticeRow, payer: PayerRow | None
              ) -> RejectedClaim:
    field_name, _, message = finding.message.partition(": ")
    return RejectedClaim(practice.code, claim.patient_control_number, payer.payer_identifier if payer else "",
                         payer.name if payer else "", field_name, message, finding.fix, finding.scrubbed_at)
