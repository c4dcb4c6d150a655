"""The training pages through the test client: a front-desk trainee takes a module, a coder a vignette, the
manager sees the scores; nobody sees another person's module or a report they may not."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from migrated_databases import migrated_sqlite_url
from test_pages_auth import csrf_of, sign_in
from training_world import AS_OF, CODER, DESK, MANAGER, denied_practice

from dermbill.core.training.coder import CoderScenario
from dermbill.core.training.registration import FrontDeskScenario
from dermbill.db.engine import Database, open_database
from dermbill.services.training import assign_from_denials, list_assignments, scenario_for, scenario_seed
from dermbill.web.app import create_app


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    """SQLite only: the pages add no SQL of their own (the service test runs on both databases)."""
    db = open_database(migrated_sqlite_url(tmp_path / "training.db"))
    yield db
    db.dispose()


@pytest.fixture
def client(database: Database, tmp_path: Path) -> Iterator[TestClient]:
    denied_practice(database, tmp_path)
    assign_from_denials(database, as_of=AS_OF, actor="test")
    url = database.engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(url), raise_server_exceptions=False, follow_redirects=False) as test_client:
        yield test_client


def _as(client: TestClient, email: str) -> str:
    client.cookies.clear()
    sign_in(client, email)
    return csrf_of(client)


def test_a_trainee_takes_a_module_and_the_manager_sees_the_score(client: TestClient, database: Database) -> None:
    csrf = _as(client, DESK)
    [desk] = list_assignments(database, email=DESK, actor="test")
    mine = client.get("/training").text
    assert 'href="/training"' in mine and "Coverage that ended" in mine and "CO-27 on claim ERA-1" in mine
    assert "CO-27 means the payer says" in client.get(f"/training/{desk.id}").text

    path = f"/training/{desk.id}/scenarios/1"
    unchosen = client.post(path, data={"csrf_token": csrf, "field": "", "value": "x"})
    assert unchosen.status_code == 422 and "choose the field that is wrong" in unchosen.text
    for number in (1, 2, 3):
        scenario = scenario_for("coverage_ended", scenario_seed(desk.id, number))
        assert isinstance(scenario, FrontDeskScenario)
        page = client.get(f"/training/{desk.id}/scenarios/{number}").text
        assert scenario.registration.patient_name in page and 'name="field"' in page
        sent = client.post(f"/training/{desk.id}/scenarios/{number}", data={
            "csrf_token": csrf, "field": scenario.planted.field, "value": scenario.planted.fix})
        assert sent.status_code == 303
        feedback = client.get(sent.headers["location"]).text
        assert "Score: 100 of 100" in feedback and "Right: the registration is clean now." in feedback
        assert 'name="field"' not in feedback  # answered once
    assert "Module complete: score 100." in feedback
    assert client.get("/training/report").status_code == 403

    _as(client, MANAGER)
    report = client.get("/training/report").text
    assert re.search(r"desk@era\.test</span></td>\s*<td>1</td><td>1</td>\s*<td>100</td>", report), report
    assert "Front-desk denial rate before training" in report


def test_a_coder_is_graded_line_by_line_and_sees_only_their_own_module(client: TestClient,
                                                                         database: Database) -> None:
    csrf = _as(client, CODER)
    [coder] = list_assignments(database, email=CODER, actor="test")
    [desk] = list_assignments(database, email=DESK, actor="test")
    assert client.get(f"/training/{desk.id}").status_code == 404
    scenario = scenario_for("coder_modifiers", scenario_seed(coder.id, 1))
    assert isinstance(scenario, CoderScenario)
    path = f"/training/{coder.id}/scenarios/1"
    assert scenario.note[0] in client.get(path).text
    bad = client.post(path, data={"csrf_token": csrf, "l0_code": "113", "l0_diagnoses": "L82.0"})
    assert bad.status_code == 422 and "line 1: code &#39;113&#39; is not a CPT or HCPCS code" in bad.text
    lines = {f"l{i}_{name}": value for i, line in enumerate(scenario.expected) for name, value in (
        ("code", line.code), ("units", str(line.units)), ("modifiers", " ".join(line.modifiers)),
        ("diagnoses", " ".join(line.diagnoses)))}
    graded = client.get(client.post(path, data={"csrf_token": csrf, **lines}).headers["location"]).text
    assert "Score: 100 of 100" in graded and html.escape(scenario.expected[0].explanation) in graded
