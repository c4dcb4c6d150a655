"""Schema migrations: bring any database to the current schema with Alembic, and compare it to the models."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import DBAPIError

from dermbill.core.errors import StorageUnavailable
from dermbill.db.base import Base
from dermbill.db.engine import Database, first_line

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


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


def upgrade(database: Database, revision: str = "head") -> tuple[str | None, str]:
    """Migrate ``database`` to ``revision``; returns (revision before, revision after)."""
    config = alembic_config()
    try:
        before = current_revision(database)
        with database.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
        return before, current_revision(database) or ""
    except DBAPIError as exc:
        raise StorageUnavailable(f"cannot migrate the database at {database.url}: {first_line(exc.orig)}") from None


def schema_differences(database: Database) -> list[Any]:
    """What autogenerate would still change to make the database match the models (empty when in sync)."""
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))
