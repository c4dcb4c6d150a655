"""A patient who owes on two visits after insurance paid (ERA world), and the staff who ask for and approve
adjustments: the world of the patient-balance tests (payments, plans, refunds, write-offs)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from era_world import World, paid_claim, remittance, settled, submitted_claims, write
from sqlalchemy import update

from dermbill.core.money import Money
from dermbill.core.patient_balances import OpenLine
from dermbill.db.engine import Database, open_database
from dermbill.db.models import ClaimRow, PatientRow, PostingRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.era_posting import post_era_file
from dermbill.services.patient_balances import open_lines, post_guarantor_payment
from dermbill.services.users import add_user

ACCOUNT = "A-1"
OLDER_VISIT = datetime.date(2026, 2, 2)
NOW = datetime.datetime(2026, 4, 20, 15, 0, tzinfo=datetime.UTC)
COMPANY = "ERA TEST BILLING"
BILLER = "biller@example.test"
OTHER_BILLER = "other.biller@example.test"
MANAGER = "manager@example.test"
SECOND_MANAGER = "manager2@example.test"
PASSWORD = "correct horse battery staple"


def owing_world(database: Database, tmp_path: Path) -> World:
    """The patient owes $35.00 on the biopsy of 2 March ($20.00 coinsurance, $15.00 deductible) and $12.00 on the
    destruction, whose visit is made the older one (2 February): $47.00 in all, nothing pending with the payer."""
    world = submitted_claims(database, [[("11102", (), 15000)], [("17000", (), 9000)]])
    biopsy, destruction = world.claims
    post_era_file(database, write(tmp_path / "a.835", (remittance((
        paid_claim(biopsy, (settled(biopsy.lines[0], 10000, patient=(("2", 2000), ("1", 1500))),)),
        paid_claim(destruction, (settled(destruction.lines[0], 6000, patient=(("2", 1200),)),)),)),)))
    with database.engine.begin() as connection:
        connection.execute(update(ClaimRow).where(ClaimRow.id == destruction.id).values(date_of_service=OLDER_VISIT))
    return world


def staff(database: Database) -> None:
    for email, role in ((BILLER, "biller"), (OTHER_BILLER, "biller"), (MANAGER, "manager"),
                        (SECOND_MANAGER, "manager")):
        add_user(database, company=COMPANY, email=email, display_name="", roles=[role], practices=["ERA"],
                 password=PASSWORD, actor="test")


def account_balances(database: Database, practice_id: int) -> dict[str, Money]:
    """The patient's balance in each account (codes), from the ledger."""
    with UnitOfWork(database, actor="test") as uow:
        repo = uow.practice(practice_id)
        patient = repo.rows(PatientRow, PatientRow.account_number == ACCOUNT)[0]
        return repo.balances(PostingRow.patient_id == patient.id)


def lines_owing(database: Database, practice_id: int) -> list[OpenLine]:
    with UnitOfWork(database, actor="test") as uow:
        repo = uow.practice(practice_id)
        patient = repo.rows(PatientRow, PatientRow.account_number == ACCOUNT)[0]
        return open_lines(repo, patient.id)


def pay_in_process(url: str, practice_id: int, reference: str, cents: int, start: Any) -> bool:
    """Post a guarantor payment in a process of its own once every process is at ``start`` (a barrier): races."""
    database = open_database(url)
    start.wait()
    try:
        return post_guarantor_payment(database, practice_id, ACCOUNT, Money(cents), "cash", reference,
                                      actor="race").posted
    finally:
        database.dispose()
