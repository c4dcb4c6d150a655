"""Database-level guards for the append-only ledger and audit trail, installed by migration 0001.

- UPDATE and DELETE of ``journal_entry``, ``posting`` and ``audit_event`` rows are refused on both
  backends (corrections are reversing entries).
- On PostgreSQL a deferred constraint trigger checks, at commit, that every journal entry touched by
  the transaction sums to zero. SQLite has no deferred triggers; there the code path
  (``core.ledger.JournalEntry``) is the only writer and enforces it.
- On PostgreSQL TRUNCATE of those tables is refused by a statement-level trigger (migration 0009):
  row triggers do not fire on TRUNCATE. SQLite has no TRUNCATE.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

APPEND_ONLY_TABLES = ("journal_entry", "posting", "audit_event")
MESSAGE = "is append-only: corrections are reversing entries, never updates or deletes"


def install(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"""
            CREATE OR REPLACE FUNCTION dermbill_refuse_change() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '% {MESSAGE}', TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
            END $$ LANGUAGE plpgsql"""))
        connection.execute(text("""
            CREATE OR REPLACE FUNCTION dermbill_check_entry_balanced() RETURNS trigger AS $$
            DECLARE imbalance bigint;
            BEGIN
                SELECT COALESCE(SUM(amount_cents), 0) INTO imbalance
                  FROM posting WHERE journal_entry_id = NEW.journal_entry_id;
                IF imbalance <> 0 THEN
                    RAISE EXCEPTION 'journal entry % does not balance (off by % cents)',
                        NEW.journal_entry_id, imbalance USING ERRCODE = 'integrity_constraint_violation';
                END IF;
                RETURN NULL;
            END $$ LANGUAGE plpgsql"""))
        for table in APPEND_ONLY_TABLES:
            connection.execute(text(
                f"CREATE TRIGGER trg_{table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION dermbill_refuse_change()"
            ))
        connection.execute(text(
            "CREATE CONSTRAINT TRIGGER trg_posting_balanced AFTER INSERT ON posting "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION dermbill_check_entry_balanced()"
        ))
    else:
        for table in APPEND_ONLY_TABLES:
            for action in ("UPDATE", "DELETE"):
                connection.execute(text(
                    f"CREATE TRIGGER trg_{table}_no_{action.lower()} BEFORE {action} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} {MESSAGE}'); END"
                ))


def remove(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("DROP TRIGGER IF EXISTS trg_posting_balanced ON posting"))
        for table in APPEND_ONLY_TABLES:
            connection.execute(text(f"DROP TRIGGER IF EXISTS trg_{table}_append_only ON {table}"))
        connection.execute(text("DROP FUNCTION IF EXISTS dermbill_check_entry_balanced()"))
        connection.execute(text("DROP FUNCTION IF EXISTS dermbill_refuse_change()"))
    else:
        for table in APPEND_ONLY_TABLES:
            for action in ("update", "delete"):
                connection.execute(text(f"DROP TRIGGER IF EXISTS trg_{table}_no_{action}"))


def reinstall_sqlite_guards(connection: Connection, table: str) -> None:
    """Put back the UPDATE and DELETE guards of ``table`` on SQLite, where a migration that rebuilds a table
    (Alembic's batch mode copies it) drops its triggers; PostgreSQL keeps them through ALTER TABLE."""
    if connection.dialect.name == "postgresql":
        return
    for action in ("UPDATE", "DELETE"):
        connection.execute(text(
            f"CREATE TRIGGER IF NOT EXISTS trg_{table}_no_{action.lower()} BEFORE {action} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} {MESSAGE}'); END"
        ))


TRUNCATE_MESSAGE = "is append-only: its rows are never truncated"


def install_truncate_guards(connection: Connection) -> None:
    """Refuse ``TRUNCATE`` of the append-only tables (PostgreSQL; SQLite has no TRUNCATE)."""
    if connection.dialect.name != "postgresql":
        return
    connection.execute(text(f"""
        CREATE OR REPLACE FUNCTION dermbill_refuse_truncate() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION '% {TRUNCATE_MESSAGE}', TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
        END $$ LANGUAGE plpgsql"""))
    for table in APPEND_ONLY_TABLES:
        connection.execute(text(
            f"CREATE TRIGGER trg_{table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION dermbill_refuse_truncate()"
        ))


def remove_truncate_guards(connection: Connection) -> None:
    if connection.dialect.name != "postgresql":
        return
    for table in APPEND_ONLY_TABLES:
        connection.execute(text(f"DROP TRIGGER IF EXISTS trg_{table}_no_truncate ON {table}"))
    connection.execute(text("DROP FUNCTION IF EXISTS dermbill_refuse_truncate()"))
