"""Shared fixtures: a freshly migrated database on SQLite and on PostgreSQL for every storage test.

PostgreSQL comes from DERMBILL_TEST_PG_URL (default: the server on this machine). Each test gets its
own database (a migrated one) or schema (an empty one), dropped afterwards. Outside CI an unreachable
server skips those tests with the reason; with CI=true it fails them. The migrated databases are copies of
one migrated once per test process (migrated_databases.py), so tests can run in parallel (pytest -n).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path

import pytest
from migrated_databases import migrated_postgres_url, migrated_sqlite_url
from pg_server import postgres_schema

from dermbill.db.engine import Database, open_database

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
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


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database on each backend: a new SQLite file, or a new PostgreSQL database."""
    with (nullcontext(migrated_sqlite_url(tmp_path / "dermbill-test.db")) if request.param == "sqlite"
          else migrated_postgres_url()) as url:
        db = open_database(url)
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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "real_password_hashing: hash passwords with dermbill's own argon2id "
                                       "parameters (tests/conftest.py: every other test uses quick ones)")


@pytest.fixture(autouse=True)
def quick_password_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Passwords hashed in this process use argon2id at its cheapest (1 pass over 8 KiB) instead of dermbill's
    RFC 9106 profile (0.16 s a hash): the tests create and sign in hundreds of users, and what they check is who may
    sign in, never how slow a guess is. The hashes stay argon2id and verify the same way; tests marked
    ``real_password_hashing`` (tests/test_credentials.py) check the real parameters, and commands run as
    subprocesses always use them."""
    if request.node.get_closest_marker("real_password_hashing") is not None:
        return
    from argon2 import PasswordHasher

    from dermbill import credentials

    monkeypatch.setattr(credentials, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


# The variable dermbill/clock.py reads (named here, not imported: this file must not load the clock, see
# tests/test_clock.py, which checks that the two names agree).
TODAY_VARIABLE = "DERMBILL_TODAY"


@pytest.fixture(autouse=True)
def pinned_today(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test marked ``pinned_today(day)`` runs with "today" set to ``day`` whatever the machine's date, so make
    test-ahead, which would only run it on the same day again, leaves it out."""
    marker = request.node.get_closest_marker("pinned_today")
    if marker is not None:
        monkeypatch.setenv(TODAY_VARIABLE, marker.args[0].isoformat())


# The slowest tests (a minute or near it each, `pytest --durations=40`) start first, so that the test processes
# finish together instead of one running a long test alone at the end of the run (CI's time).
HEAVY_FIRST = (
    "tests/services/test_demo.py::test_the_demo_works_its_denials_and_learns",
    "tests/services/test_ledger_invariant.py::",
    "tests/cli/test_cli.py::test_demo_command_prints_its_summary_and_where_the_files_are",
    "tests/x12/test_claim_837p_reader.py::test_any_claim_written_reads_back_as_written",
    "tests/services/test_demo_outputs.py::test_the_demo_twice_in_a_row",
    "tests/services/test_demo.py::test_the_demo_runs_the_whole_cycle",
    "tests/services/test_demo.py::test_same_seed_gives_the_same_demo",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: not item.nodeid.startswith(HEAVY_FIRST))  # stable: the others keep their order
