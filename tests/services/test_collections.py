"""The agency hand-off's money path (services.collections) on SQLite and PostgreSQL: a manager who did not propose
it approves it; the export writes the balance off to bad debt line by line, once; a recovery reinstates and pays
the written-off lines, once per reference; the ledger balances throughout."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

import pytest
from collections_world import FIRST_BILLED, PATIENT_OWES, billed_guarantor
from sqlalchemy import select

from dermbill.core.access import NotPermitted
from dermbill.core.errors import InvalidInput, InvalidTransition
from dermbill.core.ledger import BAD_DEBT, CASH, PATIENT_AR
from dermbill.core.money import Money
from dermbill.db.engine import Database
from dermbill.db.models import AgencyPlacementRow, AuditEventRow, PostingRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.collections import (
    decide_agency,
    export_agency_file,
    place_hold,
    propose_agency,
    record_recovery,
    release_hold,
)
from dermbill.services.ledger_check import check_ledger
from dermbill.services.users import add_user

HAND_OFF = datetime.datetime.combine(FIRST_BILLED + datetime.timedelta(days=125), datetime.time(10),
                                     tzinfo=datetime.UTC)
LATER = HAND_OFF + datetime.timedelta(days=30)


def balances(database: Database, practice_id: int) -> dict[str, Money]:
    with UnitOfWork(database, actor="test") as uow:
        return uow.practice(practice_id).balances()


def test_an_approved_hand_off_is_written_off_once_and_a_recovery_posts_back(database: Database,
                                                                            tmp_path: Path) -> None:
    world = billed_guarantor(database, tmp_path)
    for email, role in (("biller@example.test", "biller"), ("boss@example.test", "manager"),
                        ("deputy@example.test", "manager")):
        add_user(database, company="ERA TEST BILLING", email=email, display_name=email, roles=[role],
                 practices=["ERA"], actor="test")
    with pytest.raises(InvalidTransition, match="has not reached the hand-off step"):
        propose_agency(database, "ERA", "A-1", actor="boss@example.test", now=HAND_OFF - datetime.timedelta(days=10))
    placement = propose_agency(database, "ERA", "A-1", actor="boss@example.test", now=HAND_OFF)

    with pytest.raises(NotPermitted):  # a biller may work collections, not approve a hand-off
        decide_agency(database, "ERA", placement, approve=True, decider="biller@example.test", now=HAND_OFF)
    with pytest.raises(InvalidTransition, match="another manager"):
        decide_agency(database, "ERA", placement, approve=True, decider="boss@example.test", now=HAND_OFF)
    assert export_agency_file(database, "ERA", tmp_path / "out", actor="biller", now=HAND_OFF).path is None
    decide_agency(database, "ERA", placement, approve=True, decider="deputy@example.test", now=HAND_OFF)
    place_hold(database, "ERA", "A-1", "hardship_review", "lost her job", actor="biller", now=HAND_OFF)
    held = export_agency_file(database, "ERA", tmp_path / "out", actor="biller", now=HAND_OFF)
    assert (held.path, held.held) == (None, ("A-1",))  # a hold since approval: it waits
    release_hold(database, "ERA", "A-1", "hardship_review", actor="biller", now=HAND_OFF)

    export = export_agency_file(database, "ERA", tmp_path / "out", actor="biller", now=HAND_OFF)
    assert export.placed == ("A-1",) and export.written_off == Money(PATIENT_OWES) and export.path is not None
    [row] = list(csv.DictReader(export.path.open(encoding="utf-8", newline="")))
    assert (row["account_number"], row["balance"], row["last_statement_date"], row["date_of_birth"]) == \
        ("A-1", "47.00", FIRST_BILLED.isoformat(), "1950-01-01")
    after_write_off = balances(database, world.practice_id)
    assert after_write_off[PATIENT_AR] == Money(0) and after_write_off[BAD_DEBT] == Money(PATIENT_OWES)
    assert export_agency_file(database, "ERA", tmp_path / "out", actor="biller", now=HAND_OFF).path is None
    with UnitOfWork(database, actor="test") as uow:
        repo = uow.practice(world.practice_id)
        [placed] = repo.rows(AgencyPlacementRow)
        assert (placed.status, placed.decided_by) == ("placed", "deputy@example.test")
        lines = {p.claim_line_id for p in repo.postings(PostingRow.journal_entry_id == placed.written_off_entry_id)}
        assert len(lines) == 2 and None not in lines  # line by line

    recovery = record_recovery(database, "ERA", "A-1", Money(2000), "AGY-001", actor="biller", now=LATER)
    again = record_recovery(database, "ERA", "A-1", Money(2000), "AGY-001", actor="biller", now=LATER)
    assert recovery.posted and not again.posted and again.entry_id == recovery.entry_id
    after_recovery = balances(database, world.practice_id)
    assert after_recovery[CASH] - after_write_off[CASH] == Money(2000)
    assert after_recovery[BAD_DEBT] == Money(PATIENT_OWES - 2000) and after_recovery[PATIENT_AR] == Money(0)
    with pytest.raises(InvalidInput, match="27.00 of the written-off balance is left"):
        record_recovery(database, "ERA", "A-1", Money(2701), "AGY-002", actor="biller", now=LATER)
    record_recovery(database, "ERA", "A-1", Money(2700), "AGY-002", actor="biller", now=LATER)
    assert balances(database, world.practice_id)[BAD_DEBT] == Money(0)
    assert sum(m.cents for m in balances(database, world.practice_id).values()) == 0
    assert check_ledger(database).clean
    with UnitOfWork(database, actor="test") as uow:
        actions = set(uow.session.scalars(select(AuditEventRow.action).where(
            AuditEventRow.practice_id == world.practice_id, AuditEventRow.action.like("collections.%"))))
    assert actions == {"collections.agency_proposed", "collections.agency_approved", "collections.agency_exported",
                       "collections.agency_recovered", "collections.hold_placed", "collections.hold_released"}
