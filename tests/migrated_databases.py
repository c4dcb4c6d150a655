"""Migrated databases for the tests, without running Alembic for each one.

Alembic runs once per test process into a template (a SQLite file; a PostgreSQL database), and each test
gets its own copy: the file copied, or ``CREATE DATABASE ... TEMPLATE``. A migration takes seconds on a busy
machine and a copy milliseconds, and the copy holds exactly what the migrations made. The templates are
dropped when the process ends.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pg_server import PG_URL, require_postgres
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from dermbill.db.engine import open_database
from dermbill.db.migrate import upgrade

_templates: dict[str, str] = {}  # backend -> the template's file path or database name


def migrated_sqlite_url(path: Path) -> str:
    """The URL of a new SQLite file at ``path`` that holds the migrated, empty schema."""
    template = _templates.get("sqlite")
    if template is None:
        folder = Path(tempfile.mkdtemp(prefix="dermbill-template-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        template = str(folder / "template.db")
        database = open_database(f"sqlite:///{template}")
        upgrade(database)
        database.dispose()
        _templates["sqlite"] = template
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


def _admin() -> Engine:
    # CREATE and DROP DATABASE cannot run in a transaction.
    return create_engine(make_url(PG_URL).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")


def _database_url(name: str) -> str:
    return make_url(PG_URL).set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)


def _drop(name: str) -> None:
    admin = _admin()
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def migrated_postgres_url() -> Iterator[str]:
    """The URL of a new PostgreSQL database that holds the migrated, empty schema; dropped afterwards."""
    require_postgres()
    template = _templates.get("postgresql")
    if template is None:
        template = f"dermbill_template_{uuid.uuid4().hex[:12]}"
        admin = _admin()
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{template}"'))
        admin.dispose()
        atexit.register(_drop, template)
        database = open_database(_database_url(template))
        upgrade(database)
        database.dispose()  # nobody may be connected to a template while it is copied
        _templates["postgresql"] = template
    name = f"dermbill_test_{uuid.uuid4().hex[:12]}"
    admin = _admin()
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        yield _database_url(name)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
