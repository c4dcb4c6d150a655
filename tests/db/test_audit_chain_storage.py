"""The audit trail as stored: chained in the order events were recorded, across transactions and processes; events
recorded before migration 0013 chained by it; the append-only guards still in place."""

from __future__ import annotations

import datetime
import multiprocessing
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import func, select, text

from dermbill.core.errors import InvalidInput
from dermbill.db.audit_origin import audit_origin
from dermbill.db.base import UTCDateTime
from dermbill.db.engine import Database, open_database
from dermbill.db.migrate import alembic_config, migration_connection, schema_differences, upgrade
from dermbill.db.models import AuditChainHeadRow, AuditEventRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.audit import verify_audit_trail

WHEN = datetime.datetime(2026, 11, 26, 18, 0, 0, 123456, tzinfo=datetime.UTC)
OLD_EVENTS = sa.table(
    "audit_event", sa.column("id", sa.Integer()), sa.column("occurred_at", UTCDateTime()),
    sa.column("actor", sa.String()), sa.column("action", sa.String()), sa.column("entity_type", sa.String()),
    sa.column("entity_id", sa.Integer()), sa.column("detail", sa.JSON()),
)


def chain(database: Database) -> list[tuple[Any, ...]]:
    with database.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(
            select(AuditEventRow.sequence, AuditEventRow.id, AuditEventRow.action, AuditEventRow.source)
            .order_by(AuditEventRow.sequence))]


def test_events_recorded_before_0013_are_chained_in_id_order_and_stay_append_only(database_url: str) -> None:
    database = open_database(database_url)
    try:
        upgrade(database, "0012")
        with database.engine.begin() as connection:
            connection.execute(sa.insert(OLD_EVENTS), [
                {"id": event_id, "occurred_at": WHEN + datetime.timedelta(minutes=event_id), "actor": "era",
                 "action": f"old.{event_id}", "entity_type": "claim", "entity_id": event_id,
                 "detail": {"trace": f"EFT{event_id}", "lines": [1, 2], "amount": "12.50"}}
                for event_id in (3, 7, 12)])
        upgrade(database)
        assert schema_differences(database) == []
        assert chain(database) == [(1, 3, "old.3", "unrecorded"), (2, 7, "old.7", "unrecorded"),
                                   (3, 12, "old.12", "unrecorded")]
        with UnitOfWork(database, actor="pat") as uow:
            uow.audit("new.1", "claim", 1)
            uow.commit()
        assert [row[:3] for row in chain(database)][-1] == (4, 13, "new.1")
        result = verify_audit_trail(database)
        assert result.clean and result.events == 4
        for statement in ("UPDATE audit_event SET actor = 'mallory'", "DELETE FROM audit_event"):
            with pytest.raises(sa.exc.DBAPIError, match="append-only"), database.engine.begin() as connection:
                connection.execute(text(statement))
        with migration_connection(database) as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "0012")
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), database.engine.begin() as connection:
            connection.execute(text("UPDATE audit_event SET actor = 'mallory'"))
        upgrade(database)
        assert verify_audit_trail(database).clean
    finally:
        database.dispose()


def test_events_are_chained_in_the_order_recorded_with_the_source_and_address(database: Database) -> None:
    with audit_origin("GET /patients/{n}", "192.0.2.7"), UnitOfWork(database, actor="pat") as uow:
        uow.audit("patient.viewed", "patient", 5)
        uow.audit("claim.viewed", "claim", 9, detail={"lines": (1, 2)})
        uow.commit()
        uow.audit("claim.changed", "claim", 9, detail={"before": {"status": "ready"}, "after": {"status": "sent"}})
        uow.commit()
    with UnitOfWork(database, actor="sync") as uow:
        uow.audit("inbound_file.received", "inbound_file", 1)
        uow.commit()
    with database.engine.connect() as connection:
        rows = connection.execute(select(
            AuditEventRow.sequence, AuditEventRow.action, AuditEventRow.actor, AuditEventRow.source,
            AuditEventRow.address, AuditEventRow.detail).order_by(AuditEventRow.sequence)).all()
        head = connection.execute(select(AuditChainHeadRow.last_sequence)).scalar_one()
    assert [tuple(row) for row in rows] == [
        (1, "patient.viewed", "pat", "GET /patients/{n}", "192.0.2.7", {}),
        (2, "claim.viewed", "pat", "GET /patients/{n}", "192.0.2.7", {"lines": [1, 2]}),
        (3, "claim.changed", "pat", "GET /patients/{n}", "192.0.2.7",
         {"before": {"status": "ready"}, "after": {"status": "sent"}}),
        (4, "inbound_file.received", "sync", "unattributed", None, {}),
    ]
    assert head == 4 and verify_audit_trail(database).clean


def test_the_events_of_a_rolled_back_change_are_not_written(database: Database) -> None:
    with UnitOfWork(database, actor="pat") as uow:
        uow.audit("claim.viewed", "claim", 1)
    with UnitOfWork(database, actor="pat") as uow:
        uow.audit("organization.renamed", "organization", 1)
        with pytest.raises(InvalidInput):
            uow.guarded(lambda: uow.session.execute(text("INSERT INTO organization (id) VALUES (NULL)")))
        uow.audit("claim.viewed", "claim", 2)
        uow.commit()
    assert [row[2] for row in chain(database)] == ["claim.viewed"]
    assert verify_audit_trail(database).clean


def test_a_failed_savepoint_undoes_its_changes_and_events_and_the_transaction_goes_on(database: Database) -> None:
    with UnitOfWork(database, actor="pat") as uow:
        first = uow.add_organization("KEPT BILLING")
        uow.audit("claim.viewed", "claim", 1)
        with pytest.raises(InvalidInput), uow.savepoint():
            uow.add_organization("UNDONE BILLING")
            uow.audit("claim.viewed", "claim", 2)
            uow.guarded(lambda: uow.session.execute(text("INSERT INTO organization (id) VALUES (NULL)")))
        with uow.savepoint():
            uow.audit("claim.viewed", "claim", 3)
        uow.commit()
        kept = first.id
    with UnitOfWork(database, actor="pat") as uow:
        assert uow.organization_names() == ["KEPT BILLING"]
    with database.engine.connect() as connection:
        events = list(connection.execute(select(AuditEventRow.action, AuditEventRow.entity_id)
                                         .order_by(AuditEventRow.sequence)))
    assert [tuple(event) for event in events] == [
        ("organization.created", kept), ("claim.viewed", 1), ("claim.viewed", 3)]
    assert verify_audit_trail(database).clean


def audit_in_process(url: str, worker: int, transactions: int, start: Any) -> int:
    """One writer: ``transactions`` commits of 1 to 3 events each, started with the others at once."""
    database = open_database(url)
    written = 0
    try:
        start.wait()
        for n in range(transactions):
            with audit_origin(f"worker {worker}"), UnitOfWork(database, actor=f"worker-{worker}") as uow:
                for k in range(1 + (worker + n) % 3):
                    uow.audit("claim.viewed", "claim", n, detail={"worker": worker, "k": k})
                    written += 1
                uow.commit()
    finally:
        database.dispose()
    return written


@pytest.mark.postgres
@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_many_processes_appending_at_once_keep_one_gap_free_chain(database: Database) -> None:
    processes, transactions = 8, 25
    url = database.engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        start = manager.Barrier(processes)
        with context.Pool(processes) as pool:
            written = pool.starmap(audit_in_process, [(url, w, transactions, start) for w in range(processes)])
    total = sum(written)
    with database.engine.connect() as connection:
        sequences = connection.execute(select(AuditEventRow.sequence).order_by(AuditEventRow.id)).scalars().all()
        per_worker = {actor: count for actor, count in connection.execute(
            select(AuditEventRow.actor, func.count()).group_by(AuditEventRow.actor))}
    assert sequences == list(range(1, total + 1))  # gap-free, and in id order too
    assert per_worker == {f"worker-{w}": written[w] for w in range(processes)}
    result = verify_audit_trail(database)
    assert result.clean and result.events == total
