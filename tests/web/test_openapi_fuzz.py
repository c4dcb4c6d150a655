"""The API fuzzed from its own OpenAPI document (schemathesis): no request, however odd, is answered 500.

Every operation of /api/openapi.json is called through the ASGI application, as a user who holds every role
(so each operation runs past its permission check into the code behind it), over a world with a claim in it:
valid requests, boundary values and invalid ones (schemathesis' examples, coverage and fuzzing phases), a bounded
number per operation so the whole test stays under a minute. A new route is fuzzed as soon as it is in the
document. The world is on PostgreSQL, the stricter backend (a NUL character or a value longer than its column is
an error there, where SQLite stores it), one database for the module. A failure shows the request that broke.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import schemathesis
from era_world import add_claim, practice_world
from fastapi import FastAPI
from hypothesis import settings
from migrated_databases import migrated_postgres_url
from schemathesis.checks import not_a_server_error

from dermbill.core.access import Role
from dermbill.db.engine import open_database
from dermbill.services.users import add_user, create_token
from dermbill.web.app import create_app

EXAMPLES_PER_OPERATION = 12  # the fuzzing phase's bound (CI's time); the coverage phase adds its boundary cases
SEED = 13  # a fixed seed: the same requests every run, so a failure is never a fluke of one run
PASSWORD = "correct horse battery staple 9"


pytestmark = pytest.mark.postgres

# The document, read once at collection: one test per operation. The app it is read from never opens its
# database; the tests call the app of the world (``api``).
CONFIG = schemathesis.Config.from_dict({
    "seed": SEED,
    "generation": {"max-examples": EXAMPLES_PER_OPERATION, "database": "none"},
    "phases": {"stateful": {"enabled": False}},
})
schema = schemathesis.openapi.from_asgi("/api/openapi.json", create_app("sqlite://"), config=CONFIG)


@dataclass(frozen=True, slots=True)
class Api:
    app: FastAPI
    headers: dict[str, str]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The application over a world with a claim on PostgreSQL (one for the module), and the token of a user with
    every role of its practice."""
    with migrated_postgres_url() as url, pytest.MonkeyPatch.context() as monkeypatch:
        # whatever the API writes relative to its folder (the outbox) stays in a folder of the test's own
        monkeypatch.chdir(tmp_path_factory.mktemp("fuzz"))
        database = open_database(url)
        try:
            world = practice_world(database)
            add_claim(world, [("11102", (), 15000)])
            add_user(database, company="ERA TEST BILLING", email="everyone@era.test", display_name="Every Role",
                     roles=list(Role), practices=["ERA"], password=PASSWORD, actor="test")
            token = create_token(database, "everyone@era.test", actor="test").token
        finally:
            database.dispose()
        app = create_app(url)
        try:
            yield Api(app=app, headers={"Authorization": f"Bearer {token}"})
        finally:
            app.state.database().dispose()  # before the database is dropped


@schema.parametrize()
@settings(deadline=None)
def test_no_request_is_answered_with_a_server_error(case: schemathesis.Case, api: Api) -> None:
    case.call_and_validate(app=api.app, headers=api.headers, checks=[not_a_server_error])
