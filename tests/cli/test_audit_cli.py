"""`dermbill audit verify`: clean on an intact trail, exit 1 naming the first event edited, deleted or inserted by
someone with direct database access (who first switches off the append-only triggers, as an attacker would)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import run
from era_world import paid_claim, remittance, settled, submitted_claims, write
from sqlalchemy import Connection, insert, select, text

from dermbill.core.audit_chain import event_hash
from dermbill.db import ledger_guards
from dermbill.db.audit_origin import audit_origin
from dermbill.db.engine import Database
from dermbill.db.models import AuditChainHeadRow, AuditEventRow
from dermbill.db.repositories import UnitOfWork

# Tests marked SQLITE_ONLY run on SQLite only, to keep CI within its time: what they check does not depend on
# the backend (PostgreSQL: the edited event, tests/db).
SQLITE_ONLY = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


def url_of(database: Database) -> str:
    return database.engine.url.render_as_string(hide_password=False)


def record_events(database: Database, count: int) -> None:
    """``count`` audit events over a few transactions, as the staff application would write them."""
    with audit_origin("GET /claims/{n}", "10.1.2.3"):
        for start in range(0, count, 3):
            with UnitOfWork(database, actor="pat") as uow:
                for n in range(start, min(start + 3, count)):
                    uow.audit("claim.viewed", "claim", n + 1, detail={"fields": ["status", "lines"], "n": n})
                uow.commit()


def tamper(database: Database, statement: str, **params: Any) -> None:
    """Run ``statement`` on audit_event past its append-only triggers, then put them back."""
    with database.engine.begin() as connection:
        if database.backend == "postgresql":
            connection.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER trg_audit_event_no_update"))
            connection.execute(text("DROP TRIGGER trg_audit_event_no_delete"))
        connection.execute(text(statement), params)
        if database.backend == "postgresql":
            connection.execute(text("ALTER TABLE audit_event ENABLE TRIGGER USER"))
        else:
            ledger_guards.reinstall_sqlite_guards(connection, "audit_event")


def event_at(connection: Connection, sequence: int) -> AuditEventRow:
    return connection.execute(select(AuditEventRow).where(AuditEventRow.sequence == sequence)).one()  # type: ignore[return-value]


@SQLITE_ONLY
def test_an_intact_trail_is_clean_and_the_json_names_its_head(database: Database) -> None:
    record_events(database, 7)
    result = run("audit", "verify", "--db", url_of(database))
    with database.engine.connect() as connection:
        head = connection.execute(select(AuditChainHeadRow.last_sequence, AuditChainHeadRow.last_hash)).one()
        rows = connection.execute(select(AuditEventRow.sequence, AuditEventRow.source, AuditEventRow.address,
                                         AuditEventRow.actor).order_by(AuditEventRow.id)).all()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"clean: 7 events, chain head {head.last_hash}"
    assert head.last_sequence == 7
    assert [tuple(row) for row in rows] == [(n, "GET /claims/{n}", "10.1.2.3", "pat") for n in range(1, 8)]
    as_json = json.loads(run("audit", "verify", "--db", url_of(database), "--json").stdout)
    assert as_json == {"clean": True, "events": 7, "head": head.last_hash, "broken": None}


@SQLITE_ONLY
def test_an_empty_trail_is_clean(database: Database) -> None:
    result = run("audit", "verify", "--db", url_of(database))
    assert (result.returncode, result.stdout.strip()) == (0, "clean: 0 events, chain head " + "0" * 64)


def test_an_edited_event_is_named_and_verify_exits_1(database: Database) -> None:
    record_events(database, 7)
    with database.engine.connect() as connection:
        target = event_at(connection, 4)
    tamper(database, "UPDATE audit_event SET actor = 'mallory' WHERE sequence = 4")
    result = run("audit", "verify", "--db", url_of(database))
    assert result.returncode == 1, result
    assert result.stderr.strip() == (f"error: the audit trail is broken: event {target.id} (sequence 4) was "
                                      "changed: its hash does not match its content")
    as_json = json.loads(run("audit", "verify", "--db", url_of(database), "--json").stdout)
    assert as_json["clean"] is False and as_json["broken"]["sequence"] == 4 and as_json["events"] == 4


@SQLITE_ONLY
def test_an_edit_of_the_detail_is_named(database: Database) -> None:
    record_events(database, 4)
    tamper(database, "UPDATE audit_event SET detail = :detail WHERE sequence = 2",
           detail=json.dumps({"fields": ["status"], "n": 1}))
    result = run("audit", "verify", "--db", url_of(database))
    assert result.returncode == 1 and "(sequence 2) was changed" in result.stderr


@SQLITE_ONLY
def test_a_deleted_event_is_named_by_the_gap_it_leaves(database: Database) -> None:
    record_events(database, 7)
    with database.engine.connect() as connection:
        after = event_at(connection, 4)
    tamper(database, "DELETE FROM audit_event WHERE sequence = 3")
    result = run("audit", "verify", "--db", url_of(database))
    assert result.returncode == 1, result
    assert result.stderr.strip() == (f"error: the audit trail is broken: sequence 3 is missing: event {after.id} "
                                      "(sequence 4) follows sequence 2 (an event was deleted)")


@SQLITE_ONLY
def test_deleting_the_last_events_is_seen_against_the_recorded_head(database: Database) -> None:
    record_events(database, 7)
    tamper(database, "DELETE FROM audit_event WHERE sequence >= 6")
    result = run("audit", "verify", "--db", url_of(database))
    assert result.returncode == 1
    assert "sequence 6 to 7 missing: the chain ends at sequence 5" in result.stderr


@SQLITE_ONLY
def test_an_inserted_event_is_named(database: Database) -> None:
    """An attacker who knows the hash function appends a well-formed event; the recorded head does not name it."""
    record_events(database, 5)
    with database.engine.connect() as connection:
        last = event_at(connection, 5)
    forged = {"id": last.id + 1, "sequence": 6, "organization_id": None, "practice_id": None,
              "occurred_at": last.occurred_at, "actor": "pat", "action": "claim.viewed", "entity_type": "claim",
              "entity_id": 99, "detail": {}, "source": "GET /claims/{n}", "address": "10.1.2.3"}
    with database.engine.begin() as connection:
        connection.execute(insert(AuditEventRow), [{**forged, "previous_hash": last.row_hash,
                                                    "row_hash": event_hash(forged, last.row_hash)}])
    result = run("audit", "verify", "--db", url_of(database))
    assert result.returncode == 1
    assert result.stderr.strip() == ("error: the audit trail is broken: sequence 6 past the chain head recorded by "
                                      "the last append (sequence 5): events were inserted outside dermbill")


@SQLITE_ONLY
def test_an_event_inserted_between_two_others_is_named(database: Database) -> None:
    """To insert in the middle the later events must be renumbered: the first of them no longer matches its hash."""
    record_events(database, 5)
    with database.engine.connect() as connection:
        moved = event_at(connection, 5)
    tamper(database, "UPDATE audit_event SET sequence = 6 WHERE sequence = 5")
    with database.engine.begin() as connection:
        connection.execute(text("INSERT INTO audit_event (id, sequence, occurred_at, actor, action, entity_type, "
                                "detail, previous_hash, row_hash, source) SELECT :id, 5, occurred_at, actor, action, "
                                "entity_type, detail, previous_hash, row_hash, source FROM audit_event "
                                "WHERE sequence = 4"), {"id": moved.id + 10})
    result = run("audit", "verify", "--db", url_of(database))
    assert result.returncode == 1
    assert f"event {moved.id + 10} (sequence 5) was changed" in result.stderr


@SQLITE_ONLY
def test_a_cli_command_records_its_command_path_as_the_source(tmp_path: Path, database: Database) -> None:
    world = submitted_claims(database, [[("11102", (), 15000)]])
    [claim] = world.claims
    path = write(tmp_path / "payer.835", (remittance((paid_claim(claim, (settled(claim.lines[0], 9000),)),)),))
    posted = run("era", "post", str(path), "--db", url_of(database))
    assert posted.returncode == 0, posted.stderr
    with database.engine.connect() as connection:
        sources = connection.execute(select(AuditEventRow.action, AuditEventRow.source)
                                     .order_by(AuditEventRow.sequence)).all()
    assert ("remittance.posted", "cli: era post") in [tuple(row) for row in sources]
    assert {source for _, source in sources} <= {"unattributed", "cli: era post"}
    assert run("audit", "verify", "--db", url_of(database)).returncode == 0


@pytest.mark.parametrize("batch", [1, 2, 5000])
@SQLITE_ONLY
def test_the_walk_reads_in_batches_and_sees_the_same_chain(database: Database, batch: int) -> None:
    from dermbill.services.audit import verify_audit_trail

    record_events(database, 5)
    result = verify_audit_trail(database, batch=batch)
    assert result.clean and result.events == 5 and result.last_sequence == 5


@SQLITE_ONLY
def test_audit_list_exports_the_events_filtered_as_json_csv_and_text(database: Database) -> None:
    record_events(database, 4)
    with UnitOfWork(database, actor="sync") as uow:
        uow.audit("inbound_file.received", "inbound_file", 1, detail={"file": "835-1.x12"})
        uow.commit()
    url = url_of(database)
    events = json.loads(run("audit", "list", "--db", url, "--json").stdout)["events"]
    assert [(e["sequence"], e["actor"], e["entity_type"]) for e in events] == [
        (1, "pat", "claim"), (2, "pat", "claim"), (3, "pat", "claim"), (4, "pat", "claim"),
        (5, "sync", "inbound_file")]
    assert events[0]["source"] == "GET /claims/{n}" and events[0]["address"] == "10.1.2.3"
    assert events[0]["detail"] == {"fields": ["status", "lines"], "n": 0}
    only_sync = json.loads(run("audit", "list", "--db", url, "--json", "--actor", "sync").stdout)["events"]
    assert [e["sequence"] for e in only_sync] == [5]
    claims = run("audit", "list", "--db", url, "--csv", "--entity", "claim").stdout.splitlines()
    assert claims[0] == ("sequence,id,occurred_at,actor,source,address,action,entity_type,entity_id,"
                         "organization_id,practice_id,detail")
    assert len(claims) == 5 and claims[1].startswith("1,") and ',claim.viewed,claim,1,,,"{""fields""' in claims[1]
    future = run("audit", "list", "--db", url, "--since", "2999-01-01")
    assert (future.returncode, future.stdout.strip()) == (0, "No audit events match.")
    text_lines = run("audit", "list", "--db", url).stdout.splitlines()
    assert len(text_lines) == 5 and "sync  inbound_file.received  inbound_file 1  (unattributed)" in text_lines[4]
    assert "(GET /claims/{n} from 10.1.2.3)" in text_lines[0]
    bad = run("audit", "list", "--db", url, "--since", "yesterday")
    assert bad.returncode == 2 and "--since: 'yesterday' is not a date" in bad.stderr
