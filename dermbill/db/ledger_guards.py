"""Database-level guards for the append-only ledger and audit trail, installed by migration 0001.

- UPDATE and DELETE of ``journal_entry``, ``posting`` and ``audit_event`` rows are refused on both
  backends (corrections are reversing entries).
- On PostgreSQL every journal entry touched by the transaction must sum to zero when it commits: since migration
  0036 summed once per inserting statement, and again at commit for an entry a statement left unbalanced (a
  deferred check per posting before). SQLite has no such trigger; there the code path
  (``core.ledger.JournalEntry``) is the only writer and enforces it.
- On PostgreSQL TRUNCATE of those tables is refused by a statement-level trigger (migration 0009):
  row triggers do not fire on TRUNCATE. SQLite has no TRUNCATE.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

APPEND_ONLY_TABLES = ("journal_entry", "posting", "audit_event")
MESSAGE = "is append-only: corrections are reversing entries, never updates or deletes"


# The balance check of migration 0001: at commit, for every posting inserted, its entry's sum (replaced by a check
# per statement in migration 0036: ``install_statement_balance_check``).
_ROW_BALANCE_CHECK = """
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
    END $$ LANGUAGE plpgsql"""
_ROW_BALANCE_TRIGGER = ("CREATE CONSTRAINT TRIGGER trg_posting_balanced AFTER INSERT ON posting "
                        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION dermbill_check_entry_balanced()")


def install(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"""
            CREATE OR REPLACE FUNCTION dermbill_refuse_change() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '% {MESSAGE}', TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
            END $$ LANGUAGE plpgsql"""))
        connection.execute(text(_ROW_BALANCE_CHECK))
        for table in APPEND_ONLY_TABLES:
            connection.execute(text(
                f"CREATE TRIGGER trg_{table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION dermbill_refuse_change()"
            ))
        connection.execute(text(_ROW_BALANCE_TRIGGER))
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


# Where the statement check notes the entries a statement left unbalanced, for the check at commit (PostgreSQL only,
# migration 0036; a queue emptied by that check, not a model: the schema comparison leaves it out).
PENDING_CHECK_TABLE = "journal_entry_to_check"


def install_statement_balance_check(connection: Connection) -> None:
    """Sum each entry once per inserting statement instead of once per posting row (PostgreSQL, migration 0036;
    SQLite has no balance trigger: there ``core.ledger.JournalEntry`` is the only writer).

    The row trigger of migration 0001 summed an entry's postings, at commit, for every posting inserted: five sums
    for an entry of five postings, a tenth of the time it takes to post an 835. Now a trigger per INSERT or COPY
    into ``posting`` sums, through the entry index, each entry the statement touched (its transition table) once,
    and notes in ``journal_entry_to_check`` those it left unbalanced; the deferred constraint trigger on that
    table sums each noted entry again at commit and refuses the commit when one still does not balance. The
    guarantee is the one before: an entry must balance when the transaction commits, whether its postings came
    in one statement or several (a statement leaving an entry unbalanced is noted; a later statement adding to
    any entry is summed again). Postings are never updated or deleted (the append-only guards), so only inserts
    can unbalance an entry."""
    if connection.dialect.name != "postgresql":
        return
    connection.execute(text(f"CREATE TABLE {PENDING_CHECK_TABLE} (journal_entry_id integer NOT NULL)"))
    connection.execute(text(f"""
        CREATE OR REPLACE FUNCTION dermbill_note_unbalanced_entries() RETURNS trigger AS $$
        BEGIN
            INSERT INTO {PENDING_CHECK_TABLE} (journal_entry_id)
            SELECT touched.id FROM (SELECT DISTINCT journal_entry_id AS id FROM inserted_postings) AS touched
             WHERE (SELECT COALESCE(SUM(amount_cents), 0) FROM posting WHERE journal_entry_id = touched.id) <> 0;
            RETURN NULL;
        END $$ LANGUAGE plpgsql"""))
    connection.execute(text(f"""
        CREATE OR REPLACE FUNCTION dermbill_check_noted_entry() RETURNS trigger AS $$
        DECLARE imbalance bigint;
        BEGIN
            SELECT COALESCE(SUM(amount_cents), 0) INTO imbalance
              FROM posting WHERE journal_entry_id = NEW.journal_entry_id;
            IF imbalance <> 0 THEN
                RAISE EXCEPTION 'journal entry % does not balance (off by % cents)',
                    NEW.journal_entry_id, imbalance USING ERRCODE = 'integrity_constraint_violation';
            END IF;
            DELETE FROM {PENDING_CHECK_TABLE} WHERE journal_entry_id = NEW.journal_entry_id;
            RETURN NULL;
        END $$ LANGUAGE plpgsql"""))
    connection.execute(text("DROP TRIGGER IF EXISTS trg_posting_balanced ON posting"))
    connection.execute(text("DROP FUNCTION IF EXISTS dermbill_check_entry_balanced()"))
    connection.execute(text(
        "CREATE TRIGGER trg_posting_entries_balanced AFTER INSERT ON posting REFERENCING NEW TABLE AS "
        "inserted_postings FOR EACH STATEMENT EXECUTE FUNCTION dermbill_note_unbalanced_entries()"))
    connection.execute(text(
        f"CREATE CONSTRAINT TRIGGER trg_{PENDING_CHECK_TABLE}_balanced AFTER INSERT ON {PENDING_CHECK_TABLE} "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION dermbill_check_noted_entry()"))


def remove_statement_balance_check(connection: Connection) -> None:
    """Back to the deferred row trigger of migration 0001."""
    if connection.dialect.name != "postgresql":
        return
    connection.execute(text("DROP TRIGGER IF EXISTS trg_posting_entries_balanced ON posting"))
    connection.execute(text(f"DROP TABLE IF EXISTS {PENDING_CHECK_TABLE}"))
    connection.execute(text("DROP FUNCTION IF EXISTS dermbill_note_unbalanced_entries()"))
    connection.execute(text("DROP FUNCTION IF EXISTS dermbill_check_noted_entry()"))
    connection.execute(text(_ROW_BALANCE_CHECK))
    connection.execute(text(_ROW_BALANCE_TRIGGER))
