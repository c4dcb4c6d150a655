"""The migrated schema equals the models, on SQLite and PostgreSQL, and `dermbill init` builds it."""

from __future__ import annotations

import datetime

from alembic import command
from sqlalchemy import inspect, text
from tenant_records import TwoPractices

from dermbill.cli.main import main
from dermbill.db.base import Base
from dermbill.db.engine import Database, open_database
from dermbill.db.ledger_guards import PENDING_CHECK_TABLE, STATEMENT_CHECKED_KEYS
from dermbill.db.migrate import (
    QUEUE_TABLE_PREFIX,
    alembic_config,
    current_revision,
    head_revision,
    migration_connection,
    schema_differences,
    upgrade,
)
from dermbill.db.models import POSTGRESQL_ONLY_INDEXES


def test_migrations_leave_no_autogenerate_difference(database: Database) -> None:
    assert current_revision(database) == head_revision()
    assert schema_differences(database) == []


# The keys that PostgreSQL keeps by triggers (migration 0038), tested by tests/db/test_statement_references.py.
TRIGGER_KEPT_KEYS = {(table, columns) for table, _, columns, _, _ in STATEMENT_CHECKED_KEYS}


def _schema_shape(database: Database) -> dict[str, object]:
    """Tables, columns (name, nullability), unique constraints and foreign keys, backend-neutral."""
    inspector = inspect(database.engine)
    shape: dict[str, object] = {}
    for table in sorted(inspector.get_table_names()):
        if table.startswith(QUEUE_TABLE_PREFIX) or table == PENDING_CHECK_TABLE:  # PostgreSQL only: queues
            continue
        shape[table] = {
            "columns": sorted((c["name"], c["nullable"]) for c in inspector.get_columns(table)),
            "unique": sorted(tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)),
            "foreign_keys": sorted(
                (tuple(fk["constrained_columns"]), fk["referred_table"], tuple(fk["referred_columns"]))
                for fk in inspector.get_foreign_keys(table)
                if (table, tuple(fk["constrained_columns"])) not in TRIGGER_KEPT_KEYS
            ),
            "indexes": sorted(tuple(i["column_names"]) for i in inspector.get_indexes(table)
                              if not i.get("unique") and i["name"] not in POSTGRESQL_ONLY_INDEXES),
        }
    return shape


def test_init_creates_the_schema_then_reports_it_current(database_url: str, capsys: object) -> None:
    assert main(["--db", database_url, "init"]) == 0
    assert main(["init", "--db", database_url]) == 0
    output = capsys.readouterr().out  # type: ignore[attr-defined]
    assert f"upgraded from empty to {head_revision()}" in output
    assert f"is current ({head_revision()})" in output
    database = open_database(database_url)
    try:
        assert schema_differences(database) == []
        tables = set(inspect(database.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
    finally:
        database.dispose()


def test_sqlite_and_postgresql_get_the_same_schema(tmp_path: object, database_url: str) -> None:
    """Both backends' `dermbill init` schemas have the same tables, columns, keys and indexes."""
    if not database_url.startswith("postgresql"):
        return  # compared once, from the PostgreSQL side
    sqlite_url = f"sqlite:///{tmp_path}/same.db"
    for url in (sqlite_url, database_url):
        assert main(["--db", url, "init"]) == 0
    sqlite_db, pg_db = open_database(sqlite_url), open_database(database_url)
    try:
        assert _schema_shape(sqlite_db) == _schema_shape(pg_db)
    finally:
        sqlite_db.dispose()
        pg_db.dispose()


def test_a_populated_database_migrates_down_and_up_again(two_practices: TwoPractices) -> None:
    """Migrations that alter tables keep every row and reference (SQLite copies a table to alter it)."""
    database = two_practices.database
    with database.engine.connect() as connection:
        before = {table: connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
                  for table in ("claim", "claim_line", "posting", "journal_entry", "remittance")}
    with migration_connection(database) as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
    assert current_revision(database) == "0004"
    upgrade(database)
    assert current_revision(database) == head_revision()
    with database.engine.connect() as connection:
        after = {table: connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one() for table in before}
    assert after == before
    assert schema_differences(database) == []


def test_inbound_files_recorded_before_0011_are_processed_ones_and_a_downgrade_keeps_only_those(
        database_url: str) -> None:
    """0011: the rows there were (files processed) become ``processed``; going back, the rows of files not
    processed (received, skipped, quarantined: some with no billing company) go, and the processed ones stay."""
    database = open_database(database_url)
    try:
        upgrade(database, "0009")
        when = datetime.datetime(2026, 11, 26, 18, 0)
        with database.engine.begin() as connection:
            connection.execute(text("INSERT INTO organization (id, name, created_at) VALUES (1, 'TEST BILLING', :t)"),
                               {"t": when})
            connection.execute(text("INSERT INTO inbound_file (organization_id, connection_name, file_name, "
                                    "content_hash, kinds, outcome, received_at) VALUES (1, 'drop', '835-1.x12', "
                                    "'aa', '[\"835\"]', '{}', :t)"), {"t": when})
        upgrade(database)
        with database.engine.begin() as connection:
            [(status, reason, processed_at)] = connection.execute(text(
                "SELECT status, reason, processed_at FROM inbound_file")).all()
            assert (status, reason) == ("processed", None) and str(processed_at).startswith("2026-11-26 18:00:00")
            for name, status, organization in (("junk.x12", "quarantined", None), ("835-1.x12.1", "skipped", 1),
                                               ("835-2.x12", "received", None), ("835-3.x12", "quarantined", 1)):
                connection.execute(text(
                    "INSERT INTO inbound_file (organization_id, connection_name, file_name, content_hash, kinds, "
                    "outcome, status, received_at) VALUES (:o, 'drop', :f, 'aa', '[]', '{}', :s, :t)"),
                    {"o": organization, "f": name, "s": status, "t": when})
        with migration_connection(database) as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "0009")
        with database.engine.connect() as connection:
            assert connection.execute(text("SELECT file_name FROM inbound_file")).scalars().all() == ["835-1.x12"]
        upgrade(database)
        assert schema_differences(database) == []
    finally:
        database.dispose()
