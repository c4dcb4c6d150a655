"""Shared fixtures: a freshly migrated database on SQLite and on PostgreSQL for every storage test.

PostgreSQL comes from DERMBILL_TEST_PG_URL (default: the server on this machine). Each test gets its
own schema, dropped afterwards. Outside CI an unreachable server skips those tests with the reason;
with CI=true it fails them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pg_server import postgres_schema

from dermbill.db.engine import Database, open_database
from dermbill.db.migrate import upgrade


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database's URL: a new SQLite file, or a new PostgreSQL schema (dropped afterwards)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'dermbill-test.db'}"
        return
    with postgres_schema() as url:
        yield url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """For the tests that only PostgreSQL can run (many processes at once): a new schema's URL."""
    with postgres_schema() as url:
        yield url


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A migrated, empty database on each backend."""
    db = open_database(database_url)
    upgrade(db)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def encounter_schema() -> dict[str, object]:
    """The encounter documentation JSON Schema shipped in the package (what `dermbill code --schema` prints)."""
    from dermbill.schemas import schema

    return schema("encounter")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite the golden files from the current output (review the diff like code)")
