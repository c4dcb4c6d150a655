"""Creating, upgrading and resetting the database schema."""

from __future__ import annotations

from dataclasses import dataclass

from dermbill.core.errors import StorageUnavailable
from dermbill.db.engine import Database, open_database
from dermbill.db.schema_version import is_at_shipped_head


@dataclass(frozen=True, slots=True)
class SchemaResult:
    url: str
    backend: str
    revision_before: str | None
    revision_after: str

    @property
    def changed(self) -> bool:
        return self.revision_before != self.revision_after


def connect(url: str) -> Database:
    """Open the database at ``url`` (checked once); InvalidInput or StorageUnavailable if it cannot be used."""
    return open_database(url)


def require_current_schema(database: Database) -> None:
    """Refuse to work on a database whose schema is missing or older than this version of dermbill."""
    if is_at_shipped_head(database):  # the everyday case, answered without importing Alembic
        return
    from dermbill.db import migrate

    current = migrate.current_revision(database)
    if current != migrate.head_revision():
        state = "has no dermbill schema" if current is None else f"has schema revision {current}"
        raise StorageUnavailable(
            f"the database at {database.url} {state}; run 'dermbill init --db ...' to bring it to "
            f"{migrate.head_revision()}"
        )


def initialize_schema(database: Database) -> SchemaResult:
    """Create the schema on an empty database or upgrade an older one to the current revision."""
    from dermbill.db import migrate

    before, after = migrate.upgrade(database)
    return SchemaResult(database.url, database.backend, before, after)


def reset_schema(database: Database) -> SchemaResult:
    """Drop every dermbill table (all data) and create the schema again. For demos and tests only."""
    from alembic import command

    from dermbill.db import migrate

    config = migrate.alembic_config()
    with migrate.migration_connection(database) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    before, after = migrate.upgrade(database)
    return SchemaResult(database.url, database.backend, before, after)
