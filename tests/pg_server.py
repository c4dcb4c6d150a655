"""The PostgreSQL test server: is it there, and a fresh schema on it (shared by fixtures and state machines).

PostgreSQL comes from DERMBILL_TEST_PG_URL (default: the server on this machine). Outside CI an
unreachable server skips those tests with the reason; with CI=true it fails them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

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
