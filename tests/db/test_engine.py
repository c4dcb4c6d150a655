from __future__ import annotations

from pathlib import Path

import pytest

from dermbill.core.errors import InvalidInput, StorageUnavailable
from dermbill.db.engine import open_database, parse_database_url


@pytest.mark.parametrize(("raw", "driver"), [
    ("postgresql://postgres@127.0.0.1/test", "postgresql+psycopg"),
    ("postgres://postgres@127.0.0.1/test", "postgresql+psycopg"),
    ("postgresql+psycopg://postgres@127.0.0.1/test", "postgresql+psycopg"),
    ("sqlite:///var/x.db", "sqlite"),
    ("sqlite+pysqlite:///var/x.db", "sqlite+pysqlite"),
])
def test_supported_urls_are_normalised(raw: str, driver: str) -> None:
    assert parse_database_url(raw).drivername == driver


@pytest.mark.parametrize(("raw", "message"), [
    ("", "empty"),
    ("   ", "empty"),
    ("nosuch://x", "unsupported database 'nosuch'"),
    ("mysql+pymysql://u@h/db", "unsupported database"),
    ("postgresql+asyncpg://u@h/db", "driver 'asyncpg' is not supported"),
    ("not a url", "is not a database URL"),
])
def test_unsupported_urls_say_what_would_work(raw: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_database_url(raw)


def test_password_is_hidden_in_messages() -> None:
    with pytest.raises(StorageUnavailable) as caught:
        open_database("postgresql://someone:s3cret@127.0.0.1:1/test")
    assert "s3cret" not in str(caught.value) and "***" in str(caught.value)


def test_a_password_given_as_a_query_parameter_is_hidden_too() -> None:
    with pytest.raises(StorageUnavailable) as caught:
        open_database("postgresql://someone@127.0.0.1:1/test?password=an0ther&sslmode=disable")
    assert "an0ther" not in str(caught.value) and "password=REDACTED" in str(caught.value)


def test_sqlite_folder_is_created_and_foreign_keys_are_on(tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path}/a/b/c.db")
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    database.dispose()
    assert (tmp_path / "a" / "b" / "c.db").exists()
