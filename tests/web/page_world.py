"""The world of the editing pages' tests: the ERA practice and another company's, a user of each role of ours, and
a browser (a test client that does not follow redirects) signed in as one of them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from era_world import World, practice_world
from fastapi.testclient import TestClient
from test_pages_auth import PASSWORD, csrf_of, sign_in

from dermbill.clock import TODAY_VARIABLE
from dermbill.core.access import Role
from dermbill.db.engine import Database
from dermbill.services.users import add_user, set_company_totp
from dermbill.web.app import create_app


@dataclass
class Pages:
    client: TestClient
    ours: World
    theirs: World
    csrf: str = ""

    def as_(self, role: str) -> Pages:
        self.client.cookies.clear()
        sign_in(self.client, f"{role}@era.test")
        self.csrf = csrf_of(self.client)
        return self

    def post(self, path: str, **fields: str) -> httpx.Response:
        return self.client.post(path, data={"csrf_token": self.csrf, **fields})


def problem_of(page: str, field_id: str) -> str:
    """The message shown for a field, checking the field points at it and says it is invalid."""
    field = re.search(rf'<(?:input|select|textarea)[^>]*id="{field_id}"[^>]*>', page)
    assert field, f"no field {field_id}"
    assert 'aria-invalid="true"' in field.group(0), field.group(0)
    assert f"{field_id}-error" in field.group(0), field.group(0)
    message = re.search(rf'<p class="field-error" id="{field_id}-error">([^<]*)</p>', page)
    assert message, f"no message for {field_id}"
    return message.group(1)


def value_of(page: str, field_id: str) -> str:
    field = re.search(rf'<input[^>]*id="{field_id}"[^>]*value="([^"]*)"', page)
    assert field, f"no field {field_id}"
    return field.group(1)


@pytest.fixture
def pages(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Pages]:
    monkeypatch.setenv(TODAY_VARIABLE, "2026-03-10")
    monkeypatch.setenv("DERMBILL_CONFIG", str(tmp_path / "no-connections.toml"))  # the 837P stays in the outbox
    ours = practice_world(database)
    theirs = practice_world(database, company="OTHER BILLING CO", submitter="OTHERCO", code="OTH")
    set_company_totp(database, "ERA TEST BILLING", required=False, actor="test")
    for role in Role:
        add_user(database, company="ERA TEST BILLING", email=f"{role.value}@era.test", display_name=role.value,
                 roles=[role], practices=["ERA"], password=PASSWORD, actor="test")
    url = database.engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(url), raise_server_exceptions=False, follow_redirects=False) as client:
        client.app.state.outbox = tmp_path / "outbox"  # type: ignore[attr-defined]
        yield Pages(client, ours, theirs)
