"""Commands check the schema without Alembic when the database is at the shipped head, and still refuse an older or
empty database with Alembic's answer."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from dermbill.core.errors import StorageUnavailable
from dermbill.db.engine import Database, open_database
from dermbill.db.migrate import head_revision
from dermbill.db.schema_version import shipped_head, stored_revision
from dermbill.services.schema import require_current_schema


def test_the_head_read_from_the_migration_files_is_alembics_head() -> None:
    """If a migration is written so that the files' revision lines no longer give Alembic's head, this fails
    (rather than a database at the wrong revision being let through)."""
    assert shipped_head() == head_revision()


def test_a_database_at_the_head_is_accepted_and_an_older_one_refused(database: Database) -> None:
    assert stored_revision(database) == head_revision()
    require_current_schema(database)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0004'"))
    assert stored_revision(database) == "0004"
    with pytest.raises(StorageUnavailable, match="has schema revision 0004; run 'dermbill init"):
        require_current_schema(database)


def test_a_database_without_the_schema_is_refused(database_url: str) -> None:
    database = open_database(database_url)
    try:
        assert stored_revision(database) is None
        with pytest.raises(StorageUnavailable, match="has no dermbill schema"):
            require_current_schema(database)
    finally:
        database.dispose()
