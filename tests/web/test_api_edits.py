"""The API's changes as clients use them: a claim line edited, scrubbed, sent, corrected; patients found, read and
changed. Each role needs its permission (403), another practice's record is 404, a change that fails its checks is
422 with every problem by field, a state that does not allow it is 409; every change is audited with its route."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from edit_world import GOOD_MEMBER_ID, WRONG_MEMBER_ID, paid, rejected_for_member_id
from era_world import LineSpec, World, add_claim, practice_world
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select

from dermbill.clock import TODAY_VARIABLE
from dermbill.core.access import Role
from dermbill.db.engine import Database
from dermbill.db.models import AuditEventRow, ClaimRow, PatientRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.transmission import fix_queue
from dermbill.services.users import add_user, create_token
from dermbill.web.app import create_app

LINES: list[LineSpec] = [("11102", (), 15000), ("11103", (), 5000)]
PASSWORD = "correct horse battery staple 9"
ROLES = ("coder", "front_desk", "biller", "denial_specialist")


class Api:
    def __init__(self, client: TestClient, tokens: dict[str, str], ours: World, theirs: World) -> None:
        self.client, self.tokens, self.ours, self.theirs = client, tokens, ours, theirs

    def call(self, method: str, path: str, role: str, body: Any = None, **params: Any) -> Any:
        return self.client.request(method, f"/api/v1{path}", json=body, params=params or None,
                                   headers={"Authorization": f"Bearer {self.tokens[role]}"})


@pytest.fixture
def api(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    monkeypatch.setenv(TODAY_VARIABLE, "2026-03-10")
    monkeypatch.setenv("DERMBILL_CONFIG", str(tmp_path / "no-connections.toml"))  # the 837P stays in the outbox
    ours = practice_world(database)
    theirs = practice_world(database, company="OTHER BILLING CO", submitter="OTHERCO", code="OTH")
    tokens = {}
    for role in ROLES:
        email = f"{role}@era.test"
        add_user(database, company="ERA TEST BILLING", email=email, display_name=email, roles=[role],
                 practices=["ERA"], password=PASSWORD, actor="test")
        tokens[role] = create_token(database, email, actor="test").token
    url = database.engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(url), raise_server_exceptions=False) as client:
        client.app.state.outbox = tmp_path / "outbox"  # type: ignore[attr-defined]
        yield Api(client, tokens, ours, theirs)


def audited(database: Database, action: str) -> list[tuple[str, str, dict[str, Any]]]:
    with UnitOfWork(database, actor="test") as uow:
        return [(e.actor, e.source, e.detail) for e in uow.session.scalars(
            select(AuditEventRow).where(AuditEventRow.action == action).order_by(AuditEventRow.id))]


def test_a_coder_edits_a_line_and_the_claim_is_scrubbed_again(api: Api, database: Database) -> None:
    claim = add_claim(api.ours, LINES, submit=False)

    answer = api.call("PATCH", f"/claims/{claim.pcn}/lines/2", "coder", {"units": 2, "modifiers": ["59"]})

    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert (body["status"], body["lines"][1]["units"], body["lines"][1]["modifiers"]) == ("ready", 2, ["59"])
    [(actor, source, detail)] = audited(database, "claim.line_edited")
    assert (actor, source) == ("coder@era.test", "PATCH /api/v1/claims/{claim_number}/lines/{line_number}")
    assert (detail["before"], detail["after"]) == ({"modifiers": [], "units": 1}, {"modifiers": ["59"], "units": 2})


def test_a_line_edit_that_fails_its_checks_is_422_with_every_problem_and_saves_nothing(api: Api,
                                                                                     database: Database) -> None:
    claim = add_claim(api.ours, LINES, submit=False)

    answer = api.call("PATCH", f"/claims/{claim.pcn}/lines/1", "coder",
                      {"procedure_code": "1110", "modifiers": ["5"], "units": 0, "diagnosis_pointers": [1, 2],
                       "charge": "0.00"})

    assert answer.status_code == 422
    assert answer.json()["detail"] == f"claim {claim.pcn} line 1 was not changed"
    assert [p["field"] for p in answer.json()["problems"]] == ["procedure_code", "modifiers", "units",
                                                               "diagnosis_pointers", "charge"]
    assert all(p["message"].startswith("line 1: ") for p in answer.json()["problems"])
    assert audited(database, "claim.line_edited") == []
    shape = api.call("PATCH", f"/claims/{claim.pcn}/lines/1", "coder", {"unit": 2})
    assert shape.status_code == 422 and shape.json()["problems"][0]["field"] == "unit"


def test_scope_permissions_and_state(api: Api, tmp_path: Path) -> None:
    mine = add_claim(api.ours, LINES, submit=False)
    settled = paid(api.ours, tmp_path, LINES)
    other = [add_claim(api.theirs, LINES, submit=False) for _ in range(3)][-1]  # ERA-3: only theirs has it

    assert api.call("PATCH", f"/claims/{other.pcn}/lines/1", "coder", {"units": 2}).status_code == 404
    assert api.call("PATCH", f"/claims/{mine.pcn}/lines/9", "coder", {"units": 2}).status_code == 404
    assert api.call("PATCH", f"/claims/{mine.pcn}/lines/1", "front_desk", {"units": 2}).status_code == 403
    refused = api.call("PATCH", f"/claims/{settled.pcn}/lines/1", "coder", {"units": 2})
    assert refused.status_code == 409 and "send a corrected claim" in refused.json()["detail"]
    assert api.call("POST", f"/claims/{other.pcn}/scrub", "coder").status_code == 404
    assert api.call("POST", f"/claims/{mine.pcn}/send", "coder").status_code == 403
    assert api.call("POST", f"/claims/{mine.pcn}/correct", "biller", {"frequency": 7, "reason": "x"}) \
        .status_code == 403
    assert api.call("GET", "/patients/A-1", "biller").status_code == 200
    assert api.call("PATCH", "/patients/A-1", "coder", {"first_name": "X"}).status_code == 403


def test_scrub_then_send_writes_the_837p(api: Api, tmp_path: Path) -> None:
    claim = add_claim(api.ours, LINES, submit=False)
    scrubbed = api.call("POST", f"/claims/{claim.pcn}/scrub", "coder")
    assert scrubbed.status_code == 200 and scrubbed.json()["status"] == "ready"

    sent = api.call("POST", f"/claims/{claim.pcn}/send", "biller")

    assert sent.status_code == 200, sent.json()
    assert sent.json()["status"] == "submitted" and sent.json()["connection"] is None
    assert claim.pcn in (tmp_path / "outbox" / sent.json()["file"]).read_text()
    again = api.call("POST", f"/claims/{claim.pcn}/send", "biller")
    assert again.status_code == 409 and "is submitted, not ready" in again.json()["detail"]


def test_a_denial_specialist_corrects_a_paid_claim_and_a_bad_frequency_is_422(api: Api, tmp_path: Path) -> None:
    claim = paid(api.ours, tmp_path, LINES)
    bad = api.call("POST", f"/claims/{claim.pcn}/correct", "denial_specialist", {"frequency": 5, "reason": "x"})
    assert bad.status_code == 422 and bad.json()["problems"][0]["field"] == "frequency"

    made = api.call("POST", f"/claims/{claim.pcn}/correct", "denial_specialist",
                    {"frequency": 7, "reason": "wrong units on line 2"})

    assert made.status_code == 201, made.json()
    assert (made.json()["claim_number"], made.json()["frequency_code"], made.json()["replaces"]) == (
        f"{claim.pcn}C1", "7", claim.pcn)
    twice = api.call("POST", f"/claims/{claim.pcn}/correct", "denial_specialist", {"frequency": "8", "reason": "x"})
    assert twice.status_code == 409 and "already replaced" in twice.json()["detail"]


def test_patients_are_found_read_and_changed_within_the_users_practices(api: Api, database: Database) -> None:
    found = api.call("GET", "/patients", "front_desk", q="doe")
    assert found.status_code == 200 and [p["account_number"] for p in found.json()["patients"]] == ["A-1"]
    # The other practice's patient has the same account number: it is neither found nor read.
    assert api.call("GET", "/patients", "front_desk", q="A-1").json()["patients"][0]["practice"] == "ERA"
    read = api.call("GET", "/patients/A-1", "front_desk")
    assert read.status_code == 200 and read.json()["coverages"][0]["member_id"] == GOOD_MEMBER_ID
    assert api.call("GET", "/patients/OTH:A-1", "front_desk").status_code == 404

    refused = api.call("PATCH", "/patients/A-1", "front_desk", {"date_of_birth": "2030-01-01", "state": "XX"})
    assert refused.status_code == 422
    assert [p["field"] for p in refused.json()["problems"]] == ["date_of_birth", "state"]

    changed = api.call("PATCH", "/patients/A-1", "front_desk", {"address_line1": "9 NEW ST", "email": None})
    assert changed.status_code == 200
    assert (changed.json()["before"], changed.json()["after"]) == ({"address_line1": "2 TEST ST"},
                                                                   {"address_line1": "9 NEW ST"})
    assert [(a, s) for a, s, _ in audited(database, "patient.edited")] == [
        ("front_desk@era.test", "PATCH /api/v1/patients/{patient}")]
    assert ("front_desk@era.test", "GET /api/v1/patients/{patient}", {"patient": "A-1"}) in \
        audited(database, "patient.read")


def test_fixing_the_member_id_requeues_the_rejected_claim(api: Api, database: Database, tmp_path: Path) -> None:
    claim = rejected_for_member_id(api.ours, tmp_path, LINES)

    answer = api.call("PATCH", "/patients/A-1/coverage/primary", "front_desk", {"member_id": GOOD_MEMBER_ID})

    assert answer.status_code == 200, answer.json()
    assert answer.json()["before"] == {"member_id": WRONG_MEMBER_ID}
    assert answer.json()["rescrubbed"] == [{"claim_number": claim.pcn, "before": "rejected", "after": "ready"}]
    assert fix_queue(database) == []
    assert api.call("PATCH", "/patients/A-1/coverage/secondary", "front_desk",
                    {"member_id": "X1"}).status_code == 404


def test_the_openapi_document_describes_the_changes(api: Api) -> None:
    document = api.client.get("/api/openapi.json").json()
    patch = document["paths"]["/api/v1/claims/{claim_number}/lines/{line_number}"]["patch"]
    assert set(patch["responses"]) >= {"200", "404", "409", "422"}
    assert "LineEdit" in document["components"]["schemas"] and "Refusal" in document["components"]["schemas"]
    assert "/api/v1/patients/{patient}/coverage/{order}" in document["paths"]



def _body(method: str, path: str) -> dict[str, Any] | None:
    """A well-formed body for each change route (so the answer is about the record, not the request)."""
    if method == "GET":
        return None
    bodies: dict[str, dict[str, Any]] = {
        "/lines/{line_number}": {"units": 2}, "/correct": {"frequency": 7, "reason": "walk"},
        "/coverage/{order}": {"member_id": "1EG4TE5MK72"}, "/patients/{patient}": {"first_name": "WALKER"}}
    return next((body for suffix, body in bodies.items() if path.endswith(suffix)), None)


def _api_routes_with_parameters(client: TestClient) -> list[tuple[str, str]]:
    """(method, path template) of every API route with a path parameter, through included routers."""
    def walk(routes: list[Any]) -> list[APIRoute]:
        found: list[APIRoute] = []
        for route in routes:
            if isinstance(route, APIRoute):
                found.append(route)
            elif hasattr(route, "original_router"):
                found += walk(route.original_router.routes)
        return found

    return [(method, r.path) for r in walk(client.app.routes)  # type: ignore[attr-defined]
            if r.path.startswith("/api/v1/") and "{" in r.path for method in sorted(r.methods or ())]


def test_no_api_route_reaches_another_companys_record_for_any_role(database: Database, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Every API route naming a claim or a patient (read from the app's routes, so a new one is walked at once),
    for every role, with another company's claim and patient: 403 or 404, and nothing of theirs changes."""
    monkeypatch.setenv(TODAY_VARIABLE, "2026-03-10")
    ours = practice_world(database)
    theirs = practice_world(database, company="OTHER BILLING CO", submitter="OTHERCO", code="OTH")
    add_claim(ours, LINES, submit=False)
    add_claim(theirs, LINES, submit=False)
    other = add_claim(theirs, LINES)  # ERA-2: a number only the other company has
    with UnitOfWork(database, actor="test") as uow:
        their_patient = uow.practice(theirs.practice_id).rows(PatientRow)[0].id
    tokens = {}
    for role in Role:
        add_user(database, company="ERA TEST BILLING", email=f"{role.value}@era.test", display_name=role.value,
                 roles=[role], practices=["ERA"], password=PASSWORD, actor="test")
        tokens[role] = create_token(database, f"{role.value}@era.test", actor="test").token
    url = database.engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(url), raise_server_exceptions=False) as client:
        client.app.state.outbox = tmp_path / "outbox"  # type: ignore[attr-defined]
        known = {"claim_number", "line_number", "order", "patient"}  # routes naming a claim or a patient
        walked = [(method, template) for method, template in _api_routes_with_parameters(client)
                  if set(re.findall(r"{(\w+)}", template)) <= known]
        assert len(walked) >= 8, walked
        for patient in ("OTH:A-1", str(their_patient)):
            values = {"claim_number": other.pcn, "line_number": "1", "order": "primary", "patient": patient}
            for method, template in walked:
                path = template.format(**values)
                for role, token in tokens.items():
                    answer = client.request(method, path, json=_body(method, template),
                                            headers={"Authorization": f"Bearer {token}"})
                    assert answer.status_code in (403, 404), f"{role.value} {method} {path}: {answer.text}"
    with UnitOfWork(database, actor="test") as uow:
        assert uow.practice(theirs.practice_id).rows(PatientRow)[0].first_name == "JANE"
        assert uow.session.scalars(select(ClaimRow.status).where(ClaimRow.practice_id == theirs.practice_id,
                                                                 ClaimRow.patient_control_number == other.pcn)
                                   ).one() == "submitted"
