"""The reference-release bulletin page (/reference/changes) and its PDF: a front-desk user reads the changes loaded;
a period it cannot read is said on the page; a visitor not signed in is sent to sign in."""

from __future__ import annotations

import datetime
import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest
from era_world import practice_world
from fastapi.testclient import TestClient
from test_pages_auth import PASSWORD, sign_in

from dermbill.clock import TODAY_VARIABLE
from dermbill.core.access import Role
from dermbill.db.engine import Database
from dermbill.services.reference_releases import update_releases
from dermbill.services.users import add_user, set_company_totp

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_next_release.py"


@pytest.fixture
def client(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    practice_world(database)
    set_company_totp(database, "ERA TEST BILLING", required=False, actor="test")
    add_user(database, company="ERA TEST BILLING", email="desk@era.test", display_name="desk", roles=[Role.FRONT_DESK],
             practices=["ERA"], password=PASSWORD, actor="test")
    spec = importlib.util.spec_from_file_location("build_next_release", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build_next_release(tmp_path / "release", "2026q4")
    update_releases(database, [tmp_path / "release"])
    monkeypatch.setenv(TODAY_VARIABLE, datetime.date(2026, 11, 2).isoformat())
    from dermbill.web.app import create_app

    url = database.engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(url), raise_server_exceptions=False, follow_redirects=False) as test_client:
        yield test_client


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_page_shows_the_changes_by_audience_and_links_the_pdf(client: TestClient) -> None:
    assert client.get("/reference/changes").status_code in (302, 303, 307)
    signed = sign_in(client, "desk@era.test")
    page = signed.get("/reference/changes")  # today is in 2026q4: 2026q3 to 2026q4 by default
    assert page.status_code == 200
    assert "Reference changes 2026q3 to 2026q4" in page.text
    assert "For coders" in page.text and "MUE for 17003: 13 -&gt; 12 units per day (down)" in page.text
    pdf = signed.get("/reference/changes.pdf?start=2026q3&end=2026q4")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    bad = signed.get("/reference/changes?start=Q3&end=2026q4")
    assert bad.status_code == 200 and "is not one dermbill knows" in bad.text


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_pdf_for_a_period_it_cannot_read_is_refused_in_words(client: TestClient) -> None:
    answer = sign_in(client, "desk@era.test").get("/reference/changes.pdf?start=Q3&end=2026q4")
    assert answer.status_code == 422 and "is not one dermbill knows" in answer.text
