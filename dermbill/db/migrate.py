"""Schema migrations: bring any database to the current schema with Alembic, and compare it to the models."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from dermbill.core.errors import StorageUnavailable
from dermbill.db import ledger_guards
from dermbill.db.base import Base
from dermbill.db.engine import Database, first_line
from dermbill.db.models import POSTGRESQL_ONLY_INDEXES

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
QUEUE_TABLE_PREFIX = "procrastinate_"  # the job queue's tables (PostgreSQL): not ours to compare


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the package ships at least one migration"
    return head


def current_revision(database: Database) -> str | None:
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@contextmanager
def migration_connection(database: Database) -> Iterator[Connection]:
    """A connection in a transaction for migrations.

    On SQLite, altering a table means copying it (Alembic's batch mode), which foreign keys would refuse
    while other rows point at it: they are switched off for the migration (SQLite only allows that
    outside a transaction), every reference is checked before the commit, and they are on again after.
    """
    with database.engine.connect() as connection:
        sqlite = database.backend == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                yield connection
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise StorageUnavailable(f"the migration would leave {len(broken)} broken reference(s) in "
                                                 f"table {broken[0][0]}; nothing was changed")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")


def upgrade(database: Database, revision: str = "head") -> tuple[str | None, str]:
    """Migrate ``database`` to ``revision``; returns (revision before, revision after)."""
    config = alembic_config()
    try:
        before = current_revision(database)
        with migration_connection(database) as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
        return before, current_revision(database) or ""
    except DBAPIError as exc:
        raise StorageUnavailable(f"cannot migrate the database at {database.url}: {first_line(exc.orig)}") from None


def schema_differences(database: Database) -> list[Any]:
    """What autogenerate would still change to make the database match the models (empty when in sync)."""
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                              "include_name": _compared,
                                                              "include_object": partial(_kept_as_declared,
                                                                                        database.backend)})
        return list(compare_metadata(context, Base.metadata))


def _compared(name: str | None, type_: str, parent_names: Any) -> bool:
    """Every schema object but the indexes only PostgreSQL has (``POSTGRESQL_ONLY_INDEXES``), procrastinate's
    queue tables (PostgreSQL only, its own schema: migration 0034) and the ledger's queue of entries to check at
    commit (PostgreSQL only, its balance trigger's: migration 0036)."""
    if type_ == "table" and name is not None and (name.startswith(QUEUE_TABLE_PREFIX)
                                                  or name == ledger_guards.PENDING_CHECK_TABLE):
        return False
    return not (type_ == "index" and name in POSTGRESQL_ONLY_INDEXES)


def _kept_as_declared(backend: str, item: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Every schema object but, on PostgreSQL, the foreign keys that triggers keep instead (migration 0038:
    ``ledger_guards.STATEMENT_CHECKED_KEYS``)."""
    return not (backend == "postgresql" and type_ == "foreign_key_constraint"
                and name in ledger_guards.STATEMENT_CHECKED_NAMES)
