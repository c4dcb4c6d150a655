"""Shared fixtures: a freshly migrated database on SQLite and on PostgreSQL for every storage test.

PostgreSQL comes from DERMBILL_TEST_PG_URL (default: the server on this machine). Each test gets its
own schema, dropped afterwards. Outside CI an unreachable server skips those tests with the reason;
with CI=true it fails them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from tests_paths import SHARED

from dermbill.db.engine import Database, open_database
from dermbill.db.migrate import upgrade

PG_URL = os.environ.get("DERMBILL_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
_pg_problem: list[str | None] = []


def pg_unavailable_reason() -> str | None:
    """None when the PostgreSQL test server answers, else why not (checked once per run)."""
    if not _pg_problem:
        try:
            engine = create_engine(make_url(PG_URL).set(drivername="postgresql+psycopg"),
                                   connect_args={"connect_timeout": 3})
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            engine.dispose()
            _pg_problem.append(None)
        except Exception as exc:
            _pg_problem.append(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    return _pg_problem[0]


def require_postgres() -> None:
    reason = pg_unavailable_reason()
    if reason is not None:
        message = f"PostgreSQL at {PG_URL} is not reachable ({reason})"
        if IN_CI:
            pytest.fail(f"{message}; CI must run the PostgreSQL tests")
        pytest.skip(message)


@contextmanager
def postgres_schema() -> Iterator[str]:
    """The URL of a new PostgreSQL schema, dropped afterwards."""
    require_postgres()
    schema = f"dermbill_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(PG_URL).set(drivername="postgresql+psycopg"))
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(PG_URL).set(drivername="postgresql+psycopg").update_query_dict(
            {"options": f"-csearch_path={schema}"}
        )
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


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
    """The encounter documentation JSON Schema from ../shared (skipped when shared/ is not beside the repo)."""
    import json

    path = SHARED / "derm-coding" / "encounter.schema.json"
    if not path.exists():
        pytest.skip(f"{path} not found: the shared references sit beside the repository")
    schema: dict[str, object] = json.loads(path.read_text())
    return schema


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite the golden files from the current output (review the diff like code)")
