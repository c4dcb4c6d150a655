"""A practice with many submitted claims, loaded in bulk, and an 835 file paying them in several transaction sets
(background job tests: a post_835 job long enough to be stopped halfway)."""

from __future__ import annotations

from pathlib import Path

from era_world import DOS, NOW, PAID_ON, PAYER_ID, PROFILE, practice_world
from sqlalchemy import insert, select

from dermbill.core.ledger import GROSS_CHARGES, INSURANCE_AR
from dermbill.core.money import Money
from dermbill.db.engine import Database
from dermbill.db.models import (
    ClaimLineRow,
    ClaimRow,
    CoverageRow,
    EncounterRow,
    JournalEntryRow,
    PostingRow,
)
from dermbill.db.repositories import UnitOfWork
from dermbill.x12.envelope import ControlNumbers
from dermbill.x12.remittance_835_writer import Adjusted, PaidClaim, PaidLine, Remittance, write_835

CHARGES = (15000, 12000)  # cents, two lines a claim
ALLOWED = (6631, 647)
FIRST_ID = 1000  # claim, line and journal entry ids start here (above the world's own rows)


def many_claims(database: Database, count: int) -> list[str]:
    """``count`` submitted claims of two lines each, their charges posted; their patient control numbers."""
    world = practice_world(database)
    with UnitOfWork(database, actor="test") as uow:
        repo = uow.practice(world.practice_id)
        accounts = repo.account_ids()
        coverage = repo.rows(CoverageRow)[0]
        encounter = repo.rows(EncounterRow)[0]
        practice_id, patient_id, payer_id = world.practice_id, coverage.patient_id, coverage.payer_id
        coverage_id, encounter_id = coverage.id, encounter.id
        provider_id, location_id = encounter.provider_id, encounter.location_id
    numbers = range(FIRST_ID, FIRST_ID + count)
    with database.engine.begin() as connection:
        connection.execute(insert(ClaimRow), [dict(
            id=n, practice_id=practice_id, patient_id=patient_id, encounter_id=encounter_id, coverage_id=coverage_id,
            payer_id=payer_id, rendering_provider_id=provider_id, location_id=location_id, status="submitted",
            frequency_code="1", patient_control_number=f"J{n:08d}", diagnosis_codes=["L57.0"],
            total_charge_cents=sum(CHARGES), date_of_service=DOS, created_at=NOW, updated_at=NOW) for n in numbers])
        connection.execute(insert(ClaimLineRow), [dict(
            id=2 * n + index, practice_id=practice_id, claim_id=n, line_number=index + 1,
            procedure_code=("17000", "17003")[index], modifiers=[], units=1, charge_cents=charge,
            diagnosis_pointers=[1], service_date_from=DOS) for n in numbers for index, charge in enumerate(CHARGES)])
        connection.execute(insert(JournalEntryRow), [dict(
            id=n, practice_id=practice_id, entry_date=DOS, kind="charge", memo=f"charges of claim J{n:08d}",
            idempotency_key=f"charge:claim:{n}", created_at=NOW, created_by="test") for n in numbers])
        connection.execute(insert(PostingRow), [dict(
            practice_id=practice_id, journal_entry_id=n, account_id=accounts[code], amount_cents=amount,
            patient_id=patient_id, payer_id=payer_id, claim_id=n, claim_line_id=line)
            for n in numbers for code, amount, line in (
                (INSURANCE_AR, CHARGES[0], 2 * n), (INSURANCE_AR, CHARGES[1], 2 * n + 1),
                (GROSS_CHARGES, -sum(CHARGES), None))])
        if database.backend == "postgresql":  # explicit ids do not move the sequences on
            for table in ("claim", "claim_line", "journal_entry"):
                connection.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    with UnitOfWork(database, actor="test") as uow:
        return list(uow.session.scalars(select(ClaimRow.patient_control_number).where(ClaimRow.id >= FIRST_ID)
                                        .order_by(ClaimRow.id)))


def paying_835(path: Path, claim_numbers: list[str], *, sets: int) -> tuple[Path, Money]:
    """An 835 paying every claim (CO-45 and coinsurance), split into ``sets`` transaction sets (traces EFTJ1 ...);
    the file and what it pays in all."""
    paid = []
    for number in claim_numbers:
        lines = tuple(PaidLine(("17000", "17003")[index], (), Money(charge), 1, DOS,
                               (Adjusted("CO", "45", Money(charge - ALLOWED[index])),
                                Adjusted("PR", "2", Money(ALLOWED[index] // 5))),
                               control_number=f"{number}-{index + 1}")
                      for index, charge in enumerate(CHARGES))
        paid.append(PaidClaim(number, "1", "MB", f"ICN{number}", "DOE", "JANE", "1EG4TE5MK72", lines))
    size = -(-len(paid) // sets)
    remittances = tuple(Remittance("TEST MEDICARE", PAYER_ID, "ERA TEST DERMATOLOGY", "1234567893", f"EFTJ{i + 1}",
                                   PAID_ON, tuple(paid[i * size:(i + 1) * size])) for i in range(sets))
    path.write_text(write_835(remittances, PROFILE, ControlNumbers(1, 1, 1), NOW))
    return path, sum((r.total for r in remittances), Money.zero())
