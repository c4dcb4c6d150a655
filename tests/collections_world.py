"""A guarantor the soft-collections team works: one visit (two lines) settled by the payer with $47.00 left on the
patient, first billed on ``FIRST_BILLED``, with a phone number (collections tests)."""

from __future__ import annotations

import datetime
from pathlib import Path

from era_world import World, paid_claim, remittance, settled, submitted_claims, write

from dermbill.db.engine import Database
from dermbill.db.models import PatientRow, StatementClaimRow, StatementRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.era_posting import post_era_file

FIRST_BILLED = datetime.date(2026, 4, 20)
PATIENT_OWES = 4700  # $35.00 on the biopsy line, $12.00 on the destruction line


def billed_guarantor(database: Database, tmp_path: Path) -> World:
    world = submitted_claims(database, [[("11102", (), 15000), ("17000", (), 9000)]])
    [claim] = world.claims
    post_era_file(database, write(tmp_path / "a.835", (remittance((paid_claim(claim, (
        settled(claim.lines[0], 10000, patient=(("2", 2000), ("1", 1500))),
        settled(claim.lines[1], 6000, patient=(("2", 1200),)),)),)),)))
    moment = datetime.datetime.combine(FIRST_BILLED, datetime.time(9), tzinfo=datetime.UTC)
    with UnitOfWork(database, actor="test", clock=lambda: moment) as uow:
        repo = uow.practice(world.practice_id)
        [patient] = repo.rows(PatientRow)
        patient.phone = "2155550123"
        statement = repo.add(StatementRow(
            patient_id=patient.id, statement_date=FIRST_BILLED, due_on=FIRST_BILLED + datetime.timedelta(days=21),
            amount_cents=PATIENT_OWES, step="statement", code="TESTCODE0001", delivery="print",
            delivery_status="printed", document={}, created_by="test", created_at=moment))
        repo.flush()
        repo.add(StatementClaimRow(statement_id=statement.id, claim_id=claim.id, patient_owes_cents=PATIENT_OWES))
        uow.commit()
    return world
