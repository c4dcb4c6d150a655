"""Two billing companies with work in their queues (the staff application's queue tests): ours, with practice ERA,
and another, with practice OTH. Each has denied claims in the denial work queue and a rejected claim in the fix
queue; the people of ours are granted ERA only."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from era_world import NOW, Claim, add_claim, denied, paid_claim, practice_world, remittance, write
from sqlalchemy import select

from dermbill.core.claims import ClaimStatus
from dermbill.core.resubmission import REJECTION_RULE
from dermbill.db.engine import Database
from dermbill.db.models import ClaimFindingRow, ClaimRow, DenialItemRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.denials import refresh_queue
from dermbill.services.era_posting import post_era_file
from dermbill.services.users import add_user, create_token

TODAY = datetime.date(2026, 4, 10)
OURS, THEIRS = "ERA TEST BILLING", "OTHER BILLING CO"
PASSWORD = "correct horse battery staple 9"
ROLES = ("denial_specialist", "biller", "front_desk", "auditor", "manager")


@dataclass(frozen=True)
class QueueWorld:
    database: Database
    practice_id: int
    other_practice_id: int
    organization_id: int
    items: dict[str, int]  # ours by what they are for: review, authorization, write_off, coverage_ended
    claims: dict[str, str]  # their claim numbers, by the same names
    other_item: int
    rejected: str  # our claim in the fix queue
    other_rejected: str  # theirs


def queue_world(database: Database, tmp_path: Path) -> QueueWorld:
    ours = practice_world(database)
    theirs = practice_world(database, company=THEIRS, submitter="OTHERCO", code="OTH")
    review = add_claim(ours, [("11102", (), 15000)])
    authorization = add_claim(ours, [("17311", (), 120000)])
    write_off = add_claim(ours, [("11301", (), 29500)])
    coverage_ended = add_claim(ours, [("17110", (), 27500)])
    rejected = add_claim(ours, [("11102", (), 15000)])
    post_era_file(database, write(tmp_path / "ours.835", (remittance((
        paid_claim(review, (denied(review.lines[0], "CO", "Z99"),), status="4"),
        paid_claim(authorization, (denied(authorization.lines[0], "CO", "197", remarks=("M62",)),), status="4"),
        paid_claim(write_off, (denied(write_off.lines[0], "CO", "96", remarks=("N425",)),), status="4"),
        paid_claim(coverage_ended, (denied(coverage_ended.lines[0], "CO", "27", remarks=("N30",)),), status="4"),
    )),)))
    their_claim = add_claim(theirs, [("11102", (), 15000)])
    their_rejected = add_claim(theirs, [("11102", (), 15000)])
    organization_id, other_organization = _company_id(database, OURS), _company_id(database, THEIRS)
    post_era_file(database, write(tmp_path / "theirs.835", (remittance((
        paid_claim(their_claim, (denied(their_claim.lines[0], "CO", "Z99"),), status="4"),), trace="EFT-THEIRS"),)),
        organization_id=other_organization)
    refresh_queue(database, today=TODAY)
    reject(database, rejected)
    reject(database, their_rejected)
    named = {"review": review, "authorization": authorization, "write_off": write_off,
             "coverage_ended": coverage_ended}
    with UnitOfWork(database, actor="test") as uow:
        by_claim = {row.claim_id: row.id for row in uow.session.scalars(select(DenialItemRow))}
    return QueueWorld(database, ours.practice_id, theirs.practice_id, organization_id,
                      {name: by_claim[claim.id] for name, claim in named.items()},
                      {name: claim.pcn for name, claim in named.items()}, by_claim[their_claim.id], rejected.pcn,
                      their_rejected.pcn)


def reject(database: Database, claim: Claim) -> None:
    """The claim rejected by a 277CA for its member ID, as ``services.transmission`` records it."""
    with UnitOfWork(database, actor="test") as uow:
        row = uow.session.get(ClaimRow, claim.id)
        assert row is not None
        row.status = ClaimStatus.REJECTED.value
        uow.session.add(ClaimFindingRow(practice_id=row.practice_id, claim_id=row.id, rule=REJECTION_RULE,
                                        severity="error", lines=[], message="member ID: SUBSCRIBER NOT FOUND",
                                        fix="check the member ID on the insurance card", scrubbed_at=NOW))
        uow.commit()


def staff_tokens(database: Database) -> dict[str, str]:
    """A personal access token for one person of ours in each role of ``ROLES``, granted practice ERA."""
    tokens = {}
    for role in ROLES:
        email = f"{role.replace('_', '.')}@era.test"
        add_user(database, company=OURS, email=email, display_name=role, roles=[role], practices=["ERA"],
                 password=PASSWORD, actor="test")
        tokens[role] = create_token(database, email, actor="test").token
    return tokens


def _company_id(database: Database, name: str) -> int:
    with UnitOfWork(database, actor="test") as uow:
        found = uow.find_organization(name)
        assert found is not None
        return found.id
