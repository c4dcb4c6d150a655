"""The fingerprint a rejection keeps of a stored claim: what the payer reads changes it, bookkeeping does not."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from era_world import add_claim, practice_world
from sqlalchemy import select

from dermbill.core.errors import InvalidInput
from dermbill.db.engine import Database
from dermbill.db.models import AuditEventRow, ClaimLineRow, ClaimRow, CoverageRow, PatientRow, PayerRow
from dermbill.db.repositories import PracticeRepository, UnitOfWork
from dermbill.services.resubmission import claim_fingerprint
from dermbill.services.scrubbing import scrub_stored_claims

Change = Callable[[PracticeRepository, ClaimRow], object]


def _coverage(repo: PracticeRepository, claim: ClaimRow) -> CoverageRow:
    assert claim.coverage_id is not None
    return repo.get(CoverageRow, claim.coverage_id)


def _new_payer(repo: PracticeRepository, claim: ClaimRow) -> None:
    payer = PayerRow(organization_id=repo.practice.organization_id, name="TEST BLUE", payer_identifier="TSTBLU",
                     kind="commercial", claim_filing_indicator_code="BL", timely_filing_days=180)
    repo.uow.add_payers([payer])
    _coverage(repo, claim).payer_id = claim.payer_id = payer.id


def _line(repo: PracticeRepository, claim: ClaimRow) -> ClaimLineRow:
    return repo.rows(ClaimLineRow, ClaimLineRow.claim_id == claim.id)[0]


CHANGES: dict[str, Change] = {
    "member ID": lambda repo, claim: setattr(_coverage(repo, claim), "member_id", "1EG4TE5MK73"),
    "group number": lambda repo, claim: setattr(_coverage(repo, claim), "group_number", "GRP9"),
    "payer": _new_payer,
    "patient's name": lambda repo, claim: setattr(repo.get(PatientRow, claim.patient_id), "last_name", "DOE-TEST"),
    "patient's birth date": lambda repo, claim: setattr(repo.get(PatientRow, claim.patient_id), "date_of_birth",
                                                        datetime.date(1950, 1, 3)),
    "a modifier": lambda repo, claim: setattr(_line(repo, claim), "modifiers", ["59"]),
    "a diagnosis": lambda repo, claim: setattr(claim, "diagnosis_codes", ["L82.0"]),
    "prior authorization": lambda repo, claim: setattr(claim, "prior_authorization", "AUTH1"),
}
BOOKKEEPING: dict[str, Change] = {
    "status": lambda repo, claim: setattr(claim, "status", "rejected"),
    "control numbers": lambda repo, claim: setattr(claim, "interchange_control_number", "000000777"),
    "updated at": lambda repo, claim: setattr(claim, "updated_at", claim.updated_at + datetime.timedelta(days=1)),
    "another claim": lambda repo, claim: None,
}


def _fingerprints(database: Database, change: Change) -> tuple[str, str]:
    world = practice_world(database)
    claim = add_claim(world, [("11102", (), 15000)])
    with UnitOfWork(database, actor="test") as uow:
        repo = uow.practice(world.practice_id)
        row = repo.get(ClaimRow, claim.id)
        before = claim_fingerprint(repo, row)
        uow.commit()
    if change is BOOKKEEPING["another claim"]:
        add_claim(world, [("17000", (), 9000)])
    with UnitOfWork(database, actor="test") as uow:
        repo = uow.practice(world.practice_id)
        row = repo.get(ClaimRow, claim.id)
        change(repo, row)
        repo.flush()
        return before, claim_fingerprint(repo, row)


@pytest.mark.parametrize("what", sorted(CHANGES))
def test_what_the_payer_reads_changes_the_fingerprint(database: Database, what: str) -> None:
    before, after = _fingerprints(database, CHANGES[what])
    assert before != after


@pytest.mark.parametrize("what", sorted(BOOKKEEPING))
def test_bookkeeping_leaves_the_fingerprint_alone(database: Database, what: str) -> None:
    before, after = _fingerprints(database, BOOKKEEPING[what])
    assert before == after


def test_only_a_claim_with_a_rejection_on_record_can_be_approved_to_go_unchanged(database: Database) -> None:
    world = practice_world(database)
    claim = add_claim(world, [("11102", (), 15000)], submit=False)
    with pytest.raises(InvalidInput, match=f"claim {claim.pcn} has no rejection on record"):
        scrub_stored_claims(database, claim_ids=[claim.id], as_of=datetime.date(2026, 4, 10), resubmit_unchanged=True)
    with UnitOfWork(database, actor="test") as uow:
        assert uow.session.scalars(select(AuditEventRow).where(
            AuditEventRow.action == "claim.resubmit_unchanged")).all() == []
