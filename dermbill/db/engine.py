"""Opening a database from a URL, with errors a person can act on.

Supported: ``sqlite:///path/to/file.db`` (the embedded default) and
``postgresql+psycopg://user@host:5432/dbname`` (``postgresql://`` is taken to mean psycopg 3).
A PostgreSQL schema other than ``public`` can be chosen with ``?options=-csearch_path%3Dname``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from dermbill.core.errors import InvalidInput, StorageUnavailable

URL_EXAMPLES = "sqlite:///var/dermbill.db or postgresql+psycopg://user@127.0.0.1:5432/dbname"


@dataclass(frozen=True, slots=True)
class Database:
    """An engine and its session factory; ``url`` is safe to show (password hidden)."""

    engine: Engine
    sessions: sessionmaker[Session]
    url: str

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def dispose(self) -> None:
        self.engine.dispose()


def parse_database_url(raw: str) -> URL:
    """Parse and normalise a database URL, or raise InvalidInput naming what is wrong."""
    if not raw or not raw.strip():
        raise InvalidInput(f"the database URL is empty; use {URL_EXAMPLES}")
    try:
        url = make_url(raw.strip())
    except ArgumentError:
        raise InvalidInput(f"'{raw}' is not a database URL; use {URL_EXAMPLES}") from None
    backend, _, driver = url.drivername.partition("+")
    if backend in ("postgresql", "postgres"):
        if driver not in ("", "psycopg"):
            raise InvalidInput(
                f"database driver '{driver}' is not supported; use postgresql+psycopg://... (psycopg 3)"
            )
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        if driver not in ("", "pysqlite"):
            raise InvalidInput(f"database driver '{driver}' is not supported; use sqlite:///path/to/file.db")
        return url
    raise InvalidInput(f"unsupported database '{url.drivername}' in '{raw}'; use {URL_EXAMPLES}")


def _enable_sqlite_integrity(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # SQLite ignores foreign keys unless asked, per connection.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def open_database(raw_url: str, *, check: bool = True) -> Database:
    """Open (and by default connect once to check) the database at ``raw_url``.

    A SQLite file's folder is created if missing. Raises InvalidInput for a bad URL and
    StorageUnavailable when the server cannot be reached.
    """
    url = parse_database_url(raw_url)
    # What is shown and logged: the password hidden, whether in the URL's user part or as a query parameter.
    shown = url.update_query_dict({key: "REDACTED" for key in url.query if "password" in key.lower()}) \
        .render_as_string(hide_password=True)
    if url.drivername.startswith("sqlite") and url.database not in (None, "", ":memory:"):
        try:
            Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageUnavailable(f"cannot create the folder for {shown}: {exc.strerror}") from None
    kwargs: dict[str, Any] = {}
    if url.drivername.startswith("postgresql"):
        kwargs["connect_args"] = {"connect_timeout": 5}
    try:
        engine = create_engine(url, **kwargs)
    except (NoSuchModuleError, ArgumentError) as exc:
        raise InvalidInput(f"cannot use database URL '{shown}': {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _enable_sqlite_integrity)
    else:
        # Bulk inserts (postings, line adjudications) as multi-row INSERTs of up to 1,000 rows per round trip,
        # where psycopg's executemany would send one statement per row.
        engine.dialect.use_insertmanyvalues_wo_returning = True
    database = Database(engine=engine, sessions=sessionmaker(engine, expire_on_commit=False), url=shown)
    if check:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except DBAPIError as exc:
            engine.dispose()
            raise StorageUnavailable(f"cannot connect to the database at {shown}: {first_line(exc.orig)}") from None
        except SQLAlchemyError as exc:
            engine.dispose()
            raise StorageUnavailable(f"cannot use the database at {shown}: {first_line(exc)}") from None
    return database


def first_line(exc: BaseException | None) -> str:
    """The first non-empty line of an exception's message (drivers add multi-line detail)."""
    message = str(exc or "").strip()
    return message.splitlines()[0].strip() if message else type(exc).__name__
