"""Database-level guards for the append-only ledger and audit trail, installed by migration 0001.

- UPDATE and DELETE of ``journal_entry``, ``posting`` and ``audit_event`` rows are refused on both
  backends (corrections are reversing entries).
- On PostgreSQL every journal entry touched by the transaction must sum to zero when it commits: since migration
  0036 summed once per inserting statement, and again at commit for an entry a statement left unbalanced (a
  deferred check per posting before). SQLite has no such trigger; there the code path
  (``core.ledger.JournalEntry``) is the only writer and enforces it.
- On PostgreSQL TRUNCATE of those tables is refused by a statement-level trigger (migration 0009):
  row triggers do not fire on TRUNCATE. SQLite has no TRUNCATE.
- On PostgreSQL the references of ``posting`` and ``line_adjudication`` are checked once per statement by triggers
  instead of by foreign keys checked once per row (migration 0038, ``install_statement_reference_checks``).
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
    create_balance_note_function(connection, statement_sums=False)
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


def create_balance_note_function(connection: Connection, *, statement_sums: bool) -> None:
    """``dermbill_note_unbalanced_entries()``, the statement trigger's function, (re)made. PostgreSQL only.

    ``statement_sums`` (migration 0039): the entries whose postings in the statement (its transition table) do not
    add up to zero are noted, with no lookup of the entries' other postings. That notes every entry that can be
    unbalanced at commit: an entry whose postings, over all statements, do not add up to zero has a statement whose
    own postings of it do not either. Migration 0036's function summed each entry the statement touched over all
    its postings, through the entry index: one index lookup per entry."""
    if connection.dialect.name != "postgresql":
        return
    noted = ("SELECT journal_entry_id FROM inserted_postings GROUP BY journal_entry_id HAVING SUM(amount_cents) <> 0"
             if statement_sums else
             "SELECT touched.id FROM (SELECT DISTINCT journal_entry_id AS id FROM inserted_postings) AS touched\n"
             "             WHERE (SELECT COALESCE(SUM(amount_cents), 0) FROM posting "
             "WHERE journal_entry_id = touched.id) <> 0")
    connection.execute(text(f"""
        CREATE OR REPLACE FUNCTION dermbill_note_unbalanced_entries() RETURNS trigger AS $$
        BEGIN
            INSERT INTO {PENDING_CHECK_TABLE} (journal_entry_id)
            {noted};
            RETURN NULL;
        END $$ LANGUAGE plpgsql"""))


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


# References checked once per inserting (or updating) statement on PostgreSQL (migration 0038) instead of by foreign
# keys, whose checks run once per row: (table, constraint, its columns, the table referred to, that table's columns).
# The names are the foreign keys' (the models keep them; SQLite keeps the keys themselves). These are the tables an
# 835 fills row by row: 89,000 postings and 20,000 line adjudications for 10,000 claims.
STATEMENT_CHECKED_KEYS = (
    ("posting", "fk_posting_practice_id_journal_entry_id_journal_entry", ("practice_id", "journal_entry_id"),
     "journal_entry", ("practice_id", "id")),
    ("posting", "fk_posting_practice_id_account_id_ledger_account", ("practice_id", "account_id"), "ledger_account",
     ("practice_id", "id")),
    ("posting", "fk_posting_practice_id_patient_id_patient", ("practice_id", "patient_id"), "patient",
     ("practice_id", "id")),
    ("posting", "fk_posting_practice_id_claim_id_claim", ("practice_id", "claim_id"), "claim", ("practice_id", "id")),
    ("posting", "fk_posting_practice_id_claim_line_id_claim_line", ("practice_id", "claim_line_id"), "claim_line",
     ("practice_id", "id")),
    ("posting", "fk_posting_payer_id_payer", ("payer_id",), "payer", ("id",)),
    ("line_adjudication", "fk_line_adjudication_practice_id_claim_id_claim", ("practice_id", "claim_id"), "claim",
     ("practice_id", "id")),
    ("line_adjudication", "fk_line_adjudication_practice_id_claim_line_id_claim_line",
     ("practice_id", "claim_line_id"), "claim_line", ("practice_id", "id")),
    ("line_adjudication", "fk_line_adjudication_practice_id_remittance_id_remittance",
     ("practice_id", "remittance_id"), "remittance", ("practice_id", "id")),
    ("line_adjudication", "fk_line_adjudication_payer_id_payer", ("payer_id",), "payer", ("id",)),
)
STATEMENT_CHECKED_NAMES = frozenset(name for _, name, _, _, _ in STATEMENT_CHECKED_KEYS)
# Tables whose rows are never updated nor deleted (the append-only guards): a reference to one needs no lock and no
# guard on its side.
_UNCHANGING = ("journal_entry",)


def _checked_tables() -> list[str]:
    return list(dict.fromkeys(table for table, *_ in STATEMENT_CHECKED_KEYS))


def _reference_check(table: str, name: str, columns: tuple[str, ...], parent: str, keys: tuple[str, ...], *,
                     one_pass: bool) -> str:
    """The PL/pgSQL that checks one reference for every row of ``new_rows`` (the statement's transition table): the
    rows referred to are locked FOR KEY SHARE (as a foreign key's check locks each: a concurrent delete or key change
    waits for this transaction, then its guard sees these rows), then any key the statement names that no row has
    is refused as a foreign key refuses it (SQLSTATE 23503). A key with a null column is not checked (MATCH SIMPLE,
    as the foreign keys).

    ``one_pass`` (migration 0039): the statement's distinct keys are gathered once, joined to the rows referred to
    (locking them) and counted; only when fewer rows are found than keys named is the first missing key looked for,
    for the message. The parent's key is unique: each key finds one row at most. Migration 0038's check gathered the
    keys twice, once to lock and once to look each up again."""
    listed = ", ".join(columns)
    named = f"(SELECT DISTINCT {listed} FROM new_rows WHERE {columns[-1]} IS NOT NULL) AS n"
    joined = " AND ".join(f"p.{key} = n.{column}" for column, key in zip(columns, keys, strict=True))
    first_missing = f"""SELECT concat_ws(', ', {', '.join(f'n.{c}' for c in columns)}) INTO missing FROM {named}
         WHERE NOT EXISTS (SELECT 1 FROM {parent} AS p WHERE {joined}) LIMIT 1;"""
    refuse = f"""RAISE EXCEPTION 'insert or update on table "{table}" violates foreign key constraint "{name}"'
                USING ERRCODE = 'foreign_key_violation',
                      DETAIL = format('Key ({listed})=(%s) is not present in table "{parent}".', missing);"""
    if one_pass:
        lock = "" if parent in _UNCHANGING else " FOR KEY SHARE OF p"
        return f"""
        WITH n AS MATERIALIZED (SELECT DISTINCT {listed} FROM new_rows WHERE {columns[-1]} IS NOT NULL),
             found AS (SELECT 1 FROM {parent} AS p JOIN n ON {joined}{lock})
        SELECT (SELECT count(*) FROM n) - (SELECT count(*) FROM found) INTO absent;
        IF absent > 0 THEN
            {first_missing}
            {refuse}
        END IF;"""
    lock = "" if parent in _UNCHANGING else f"PERFORM 1 FROM {parent} AS p JOIN {named} ON {joined} FOR KEY SHARE OF p;"
    return f"""
        {lock}
        {first_missing}
        IF missing IS NOT NULL THEN
            {refuse}
        END IF;"""


def create_reference_check_functions(connection: Connection, *, one_pass: bool) -> None:
    """``dermbill_check_{table}_references()`` of each table checked, (re)made (``_reference_check``): in one pass per
    reference (migration 0039) or as migration 0038 made them. PostgreSQL only."""
    if connection.dialect.name != "postgresql":
        return
    for table in _checked_tables():
        checks = "".join(_reference_check(*key, one_pass=one_pass) for key in STATEMENT_CHECKED_KEYS
                         if key[0] == table)
        # One pass: each key looked up through the parent's index (a nested loop), never by hashing the whole
        # parent table: the planner cannot tell a transition table's size and would scan every claim line of the
        # database for a statement of a thousand rows.
        planned = " SET enable_hashjoin = off SET enable_mergejoin = off" if one_pass else ""
        connection.execute(text(f"""
            CREATE OR REPLACE FUNCTION dermbill_check_{table}_references() RETURNS trigger AS $$
            DECLARE missing text; absent bigint;
            BEGIN{checks}
                RETURN NULL;
            END $$ LANGUAGE plpgsql{planned}"""))


def install_statement_reference_checks(connection: Connection) -> None:
    """Check the references of ``posting`` and ``line_adjudication`` once per statement, not once per row
    (PostgreSQL, migration 0038; SQLite keeps their foreign keys).

    Each foreign key ran an internal trigger for every row inserted: for an 835 of 10,000 claims, 650,000 lookups
    for the postings and 80,000 for the line adjudications, most of the server's time posting it. They are replaced
    by the same rules, kept by triggers: after each INSERT, COPY or UPDATE into one of these tables, one
    statement-level trigger looks up each table referred to once for the distinct keys of the statement's rows (its
    transition table), locking them FOR KEY SHARE as the foreign keys did, and refuses the statement with the foreign
    keys' error (SQLSTATE 23503, the same constraint names) when a key is not there; and on each table referred to
    (but ``journal_entry``, whose rows are never updated nor deleted), a row trigger per referring table refuses a
    DELETE, or an UPDATE of its key, while a row of that table refers to the row. The tables referred to keep other
    foreign keys pointing at them, so none of them can be truncated either."""
    if connection.dialect.name != "postgresql":
        return
    connection.execute(text("""
        CREATE OR REPLACE FUNCTION dermbill_refuse_referenced_change() RETURNS trigger AS $$
        DECLARE
            before jsonb := to_jsonb(OLD);
            referenced boolean;
        BEGIN
            -- TG_ARGV: the constraint's name, the referring table, its column naming this row, and 'practice' when
            -- the key includes the practice (a row of another practice with the same id is another row)
            IF TG_OP = 'UPDATE' AND before -> 'id' = to_jsonb(NEW) -> 'id'
                    AND before -> 'practice_id' IS NOT DISTINCT FROM to_jsonb(NEW) -> 'practice_id' THEN
                RETURN NEW;
            END IF;
            IF TG_ARGV[3] = 'practice' THEN
                EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I = $1 AND practice_id = $2)', TG_ARGV[1],
                               TG_ARGV[2])
                   INTO referenced USING (before ->> 'id')::integer, (before ->> 'practice_id')::integer;
            ELSE
                EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I = $1)', TG_ARGV[1], TG_ARGV[2])
                   INTO referenced USING (before ->> 'id')::integer;
            END IF;
            IF referenced THEN
                RAISE EXCEPTION 'update or delete on table "%" violates foreign key constraint "%" on table "%"',
                    TG_TABLE_NAME, TG_ARGV[0], TG_ARGV[1] USING ERRCODE = 'foreign_key_violation',
                    DETAIL = format('Key (id)=(%s) is still referenced from table "%s".', before ->> 'id',
                                    TG_ARGV[1]);
            END IF;
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NEW;
        END $$ LANGUAGE plpgsql"""))
    create_reference_check_functions(connection, one_pass=False)
    for table in _checked_tables():
        for _, name, columns, parent, parent_keys in (key for key in STATEMENT_CHECKED_KEYS if key[0] == table):
            connection.execute(text(f"ALTER TABLE {table} DROP CONSTRAINT {name}"))
            if parent not in _UNCHANGING:
                connection.execute(text(
                    f"CREATE TRIGGER trg_{parent}_{table}_references BEFORE DELETE OR UPDATE OF "
                    f"{', '.join(parent_keys)} ON {parent} FOR EACH ROW EXECUTE FUNCTION "
                    f"dermbill_refuse_referenced_change('{name}', '{table}', '{columns[-1]}', "
                    f"'{'practice' if 'practice_id' in parent_keys else 'any'}')"))
        for event in ("INSERT", "UPDATE"):
            connection.execute(text(
                f"CREATE TRIGGER trg_{table}_references_{event.lower()} AFTER {event} ON {table} REFERENCING NEW "
                f"TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION dermbill_check_{table}_references()"))


def remove_statement_reference_checks(connection: Connection) -> None:
    """Back to the foreign keys (migration 0038's downgrade)."""
    if connection.dialect.name != "postgresql":
        return
    for table in _checked_tables():
        for event in ("insert", "update"):
            connection.execute(text(f"DROP TRIGGER IF EXISTS trg_{table}_references_{event} ON {table}"))
        for _, name, columns, parent, keys in (key for key in STATEMENT_CHECKED_KEYS if key[0] == table):
            connection.execute(text(f"DROP TRIGGER IF EXISTS trg_{parent}_{table}_references ON {parent}"))
            connection.execute(text(f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({', '.join(columns)}) "
                                    f"REFERENCES {parent} ({', '.join(keys)})"))
        connection.execute(text(f"DROP FUNCTION IF EXISTS dermbill_check_{table}_references()"))
    connection.execute(text("DROP FUNCTION IF EXISTS dermbill_refuse_referenced_change()"))
