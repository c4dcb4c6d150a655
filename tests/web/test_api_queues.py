"""The queues and the audit log through the API, as a denial specialist, a biller and an auditor use them: each
action, 403 for a role without the permission, 404 for another practice's item, 409 when the item's state forbids
the action, 422 with the problems by field, and the CSV export matching the search."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import get_args

import pytest
from fastapi.testclient import TestClient
from queue_world import TODAY, QueueWorld, queue_world, staff_tokens
from sqlalchemy import select

from dermbill.clock import TODAY_VARIABLE
from dermbill.db.engine import Database
from dermbill.db.models import AuditEventRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.denials import RESOLUTIONS
from dermbill.web.api_queues import Resolution
from dermbill.web.app import create_app


@pytest.fixture
def setup(database: Database, tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, dict[str, str], QueueWorld]]:
    monkeypatch.setenv(TODAY_VARIABLE, TODAY.isoformat())  # the payers' windows are open on this day
    world = queue_world(database, tmp_path)
    tokens = staff_tokens(database)
    url = database.engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(url), raise_server_exceptions=False) as client:
        yield client, tokens, world


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def actions(database: Database, action: str) -> list[tuple[str, str, int | None]]:
    with UnitOfWork(database, actor="test") as uow:
        return [(e.actor, e.source, e.entity_id) for e in uow.session.scalars(
            select(AuditEventRow).where(AuditEventRow.action == action).order_by(AuditEventRow.sequence))]


SPECIALIST = "denial.specialist@era.test"


def test_the_denial_queue_holds_the_callers_practices_items_most_urgent_first(
        setup: tuple[TestClient, dict[str, str], QueueWorld]) -> None:
    client, tokens, world = setup
    answer = client.get("/api/v1/denials", headers=bearer(tokens["denial_specialist"]))

    assert answer.status_code == 200
    body = answer.json()
    assert body["today"] == TODAY.isoformat()
    assert {item["id"] for item in body["items"]} == set(world.items.values())
    assert {item["practice"] for item in body["items"]} == {"ERA"}
    urgent = [item for item in body["items"] if item["urgency"] == "due_soon"]
    assert body["items"][:len(urgent)] == urgent  # due soon first
    soon = client.get("/api/v1/denials", params={"urgency": "no_deadline"},
                      headers=bearer(tokens["denial_specialist"])).json()["items"]
    assert [item["id"] for item in soon] == [world.items["write_off"]]
    assert client.get("/api/v1/denials", params={"practice": "OTH"},
                      headers=bearer(tokens["denial_specialist"])).json()["items"] == []
    bad = client.get("/api/v1/denials", params={"status": "pending"}, headers=bearer(tokens["denial_specialist"]))
    assert bad.status_code == 422 and bad.json()["problems"][0]["field"].startswith("status")
    assert (SPECIALIST, "GET /api/v1/denials", None) in actions(world.database, "denial.list")


def test_assign_note_and_snooze_an_item(setup: tuple[TestClient, dict[str, str], QueueWorld]) -> None:
    client, tokens, world = setup
    item, auth = world.items["authorization"], bearer(tokens["denial_specialist"])

    assigned = client.post(f"/api/v1/denials/{item}/assign", json={"assignee": "pat"}, headers=auth)
    noted = client.post(f"/api/v1/denials/{item}/note", json={"text": "asked for a retro authorization"},
                        headers=auth)
    too_soon = client.post(f"/api/v1/denials/{item}/snooze", json={"until": TODAY.isoformat()}, headers=auth)
    snoozed = client.post(f"/api/v1/denials/{item}/snooze", json={"until": "2026-04-13"}, headers=auth)

    assert assigned.status_code == 200 and assigned.json()["item"]["assigned_to"] == "pat"
    assert noted.status_code == 200
    assert too_soon.status_code == 422
    assert too_soon.json()["problems"] == [{"field": "until", "message": too_soon.json()["problems"][0]["message"]}]
    assert "not after today" in too_soon.json()["problems"][0]["message"]
    assert snoozed.status_code == 200 and snoozed.json()["item"]["status"] == "snoozed"
    history = snoozed.json()["item"]["history"]
    assert [h["action"] for h in history] == ["denial.created", "denial.assigned", "denial.noted", "denial.snoozed"]
    assert {h["actor"] for h in history[1:]} == {SPECIALIST}
    assert item not in [i["id"] for i in client.get("/api/v1/denials", headers=auth).json()["items"]]
    mine = client.get("/api/v1/denials", params={"assignee": "pat", "status": ["all"]}, headers=auth).json()
    assert [i["id"] for i in mine["items"]] == [item]
    shown = client.get(f"/api/v1/denials/{item}", headers=auth)
    assert shown.status_code == 200 and shown.json()["cause"] and shown.json()["snoozed_until"] == "2026-04-13"
    assert (SPECIALIST, "GET /api/v1/denials/{item_id}", item) in actions(world.database, "denial.read")
    assert (SPECIALIST, "POST /api/v1/denials/{item_id}/assign", item) in actions(world.database,
                                                                                  "denial.assigned")
    empty = client.post(f"/api/v1/denials/{item}/note", json={"text": ""}, headers=auth)
    assert empty.status_code == 422 and empty.json()["problems"][0]["field"] == "text"


def test_resolve_moves_the_money_once_and_a_resolved_item_cannot_change(
        setup: tuple[TestClient, dict[str, str], QueueWorld]) -> None:
    client, tokens, world = setup
    item, auth = world.items["write_off"], bearer(tokens["denial_specialist"])

    unknown = client.post(f"/api/v1/denials/{item}/resolve", json={"resolution": "forgive"}, headers=auth)
    resolved = client.post(f"/api/v1/denials/{item}/resolve", json={"resolution": "write_off", "note": "cosmetic"},
                           headers=auth)
    again = client.post(f"/api/v1/denials/{item}/resolve", json={"resolution": "write_off"}, headers=auth)
    assign = client.post(f"/api/v1/denials/{item}/assign", json={"assignee": "pat"}, headers=auth)

    assert unknown.status_code == 422 and unknown.json()["problems"][0]["field"] == "resolution"
    assert resolved.status_code == 200
    assert resolved.json()["moved"] == "295.00" and resolved.json()["item"]["status"] == "resolved"
    assert again.status_code == 409 and "already resolved" in again.json()["detail"]
    assert assign.status_code == 409


def test_correct_makes_the_corrected_claim_with_the_authorization(
        setup: tuple[TestClient, dict[str, str], QueueWorld]) -> None:
    client, tokens, world = setup
    item, auth = world.items["authorization"], bearer(tokens["denial_specialist"])

    without = client.post(f"/api/v1/denials/{item}/correct", json={}, headers=auth)
    corrected = client.post(f"/api/v1/denials/{item}/correct", json={"authorization": "AUTH-77"}, headers=auth)
    twice = client.post(f"/api/v1/denials/{item}/correct", json={"authorization": "AUTH-77"}, headers=auth)
    no_fix = client.post(f"/api/v1/denials/{world.items['review']}/correct", json={}, headers=auth)

    assert without.status_code == 422 and without.json()["problems"][0]["field"] == "authorization"
    assert corrected.status_code == 200, corrected.text
    claim = world.claims["authorization"]
    assert corrected.json()["correction"]["corrected"] == f"{claim}C1"
    assert "prior authorization AUTH-77" in corrected.json()["correction"]["changes"]
    assert corrected.json()["item"]["follow_up_claim"] == f"{claim}C1"
    assert twice.status_code == 409 and "already corrected" in twice.json()["detail"]
    assert no_fix.status_code == 409 and "no certain fix" in no_fix.json()["detail"]


def test_the_appeal_letter_is_previewed_downloaded_and_recorded_as_sent(
        setup: tuple[TestClient, dict[str, str], QueueWorld]) -> None:
    client, tokens, world = setup
    item, auth = world.items["review"], bearer(tokens["denial_specialist"])

    letter = client.get(f"/api/v1/denials/{item}/appeal-letter", headers=auth)
    pdf = client.get(f"/api/v1/denials/{item}/appeal-letter.pdf", headers=auth)
    sent = client.post(f"/api/v1/denials/{item}/appeal", json={}, headers=auth)
    twice = client.post(f"/api/v1/denials/{item}/appeal", json={}, headers=auth)
    refused = client.get(f"/api/v1/denials/{world.items['coverage_ended']}/appeal-letter", headers=auth)
    refused_sent = client.post(f"/api/v1/denials/{world.items['coverage_ended']}/appeal", json={}, headers=auth)

    assert letter.status_code == 200
    body = letter.json()
    assert body["claim"] == world.claims["review"] and body["patient_name"] == "DOE, JANE"
    assert world.claims["review"] in body["text"] and body["title"] in body["text"]
    assert [line["code"] for line in body["lines"]] == ["11102"]
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == f'attachment; filename="{body["file_name"]}"'
    assert sent.status_code == 200, sent.text
    assert sent.json()["item"]["status"] == "waiting"
    assert sent.json()["item"]["appeals"] == [{"file": body["file_name"], "status": "sent",
                                               "deadline": body["deadline"]}]
    assert twice.status_code == 409 and "already sent" in twice.json()["detail"]
    assert refused.status_code == 409 and "cannot be appealed" in refused.json()["detail"]
    assert refused_sent.status_code == 409
    assert [(a, s) for a, s, _ in actions(world.database, "denial.appeal_previewed")] == [
        (SPECIALIST, "GET /api/v1/denials/{item_id}/appeal-letter"),
        (SPECIALIST, "GET /api/v1/denials/{item_id}/appeal-letter.pdf")]


def test_another_practices_item_is_404_on_every_route(setup: tuple[TestClient, dict[str, str], QueueWorld]) -> None:
    client, tokens, world = setup
    other, auth = world.other_item, bearer(tokens["manager"])  # a manager may do every action
    answers = [
        client.get(f"/api/v1/denials/{other}", headers=auth),
        client.post(f"/api/v1/denials/{other}/assign", json={"assignee": "pat"}, headers=auth),
        client.post(f"/api/v1/denials/{other}/note", json={"text": "x"}, headers=auth),
        client.post(f"/api/v1/denials/{other}/snooze", json={"until": "2026-05-01"}, headers=auth),
        client.post(f"/api/v1/denials/{other}/resolve", json={"resolution": "no_action"}, headers=auth),
        client.post(f"/api/v1/denials/{other}/correct", json={}, headers=auth),
        client.get(f"/api/v1/denials/{other}/appeal-letter", headers=auth),
        client.get(f"/api/v1/denials/{other}/appeal-letter.pdf", headers=auth),
        client.post(f"/api/v1/denials/{other}/appeal", json={}, headers=auth),
        client.get(f"/api/v1/fix-queue/{world.other_rejected}", headers=auth),
        client.get("/api/v1/denials/999999", headers=auth),
    ]
    assert [a.status_code for a in answers] == [404] * len(answers)
    assert all("not" in a.json()["detail"] for a in answers)


PERMISSION_CASES = [  # role, method, path, allowed
    ("front_desk", "GET", "/api/v1/denials", False),
    ("front_desk", "GET", "/api/v1/fix-queue", False),
    ("biller", "GET", "/api/v1/denials", True),
    ("biller", "GET", "/api/v1/fix-queue", True),
    ("biller", "POST", "/api/v1/denials/{item}/assign", False),
    ("biller", "POST", "/api/v1/denials/{item}/note", False),
    ("biller", "POST", "/api/v1/denials/{item}/snooze", False),
    ("biller", "POST", "/api/v1/denials/{item}/resolve", False),
    ("biller", "POST", "/api/v1/denials/{item}/correct", False),
    ("biller", "GET", "/api/v1/denials/{item}/appeal-letter", False),
    ("biller", "GET", "/api/v1/denials/{item}/appeal-letter.pdf", False),
    ("biller", "POST", "/api/v1/denials/{item}/appeal", False),
    ("biller", "GET", "/api/v1/audit", False),
    ("denial_specialist", "GET", "/api/v1/fix-queue", False),
    ("denial_specialist", "GET", "/api/v1/fix-queue/{rejected}", False),
    ("denial_specialist", "GET", "/api/v1/audit.csv", False),
    ("manager", "GET", "/api/v1/audit", False),  # the audit log is the auditor's
    ("auditor", "GET", "/api/v1/denials/{item}", True),
    ("auditor", "POST", "/api/v1/denials/{item}/note", False),
    ("auditor", "GET", "/api/v1/fix-queue", False),
    ("auditor", "GET", "/api/v1/audit", True),
]


def test_a_role_without_the_permission_is_refused(setup: tuple[TestClient, dict[str, str], QueueWorld]) -> None:
    client, tokens, world = setup
    body = {"assignee": "pat", "text": "x", "until": "2026-05-01", "resolution": "no_action"}
    for role, method, path, allowed in PERMISSION_CASES:
        answer = client.request(method, path.format(item=world.items["review"], rejected=world.rejected),
                                headers=bearer(tokens[role]), json=body if method == "POST" else None)
        if allowed:
            assert answer.status_code == 200, (role, path)
        else:
            assert answer.status_code == 403 and "may not" in answer.json()["detail"], (role, path)
    assert client.get("/api/v1/denials").status_code == 401
    assert actions(world.database, "denial.noted") == []  # nothing refused was done


def test_the_fix_queue_holds_the_callers_practices_rejected_claims(
        setup: tuple[TestClient, dict[str, str], QueueWorld]) -> None:
    client, tokens, world = setup
    auth = bearer(tokens["biller"])

    listed = client.get("/api/v1/fix-queue", headers=auth)
    one = client.get(f"/api/v1/fix-queue/{world.rejected}", headers=auth)
    not_rejected = client.get(f"/api/v1/fix-queue/{world.claims['review']}", headers=auth)

    assert listed.status_code == 200
    assert [(i["practice"], i["claim"], i["field"]) for i in listed.json()["items"]] == [
        ("ERA", world.rejected, "member ID")]
    assert one.status_code == 200
    assert (one.json()["member_id"], one.json()["patient"], one.json()["message"]) == (
        "1EG4TE5MK72", "DOE, JANE", "SUBSCRIBER NOT FOUND")
    assert [line["code"] for line in one.json()["lines"]] == ["11102"]
    assert not_rejected.status_code == 404
    assert [(a, s) for a, s, _ in actions(world.database, "fix_queue.read")] == [
        ("biller@era.test", "GET /api/v1/fix-queue/{claim_number}")]


def test_the_audit_log_is_searched_and_exported_within_the_auditors_company(
        setup: tuple[TestClient, dict[str, str], QueueWorld]) -> None:
    client, tokens, world = setup
    item = world.items["review"]
    client.post(f"/api/v1/denials/{item}/note", json={"text": "called, the payer, twice"},
                headers=bearer(tokens["denial_specialist"]))
    auth = bearer(tokens["auditor"])
    query = {"claim": world.claims["review"], "since": "2020-01-01"}

    found: list[dict[str, object]] = []
    before = None
    while True:
        page = client.get("/api/v1/audit", params={**query, "limit": 2, **({"before": before} if before else {})},
                          headers=auth)
        assert page.status_code == 200
        found += page.json()["events"]
        before = page.json()["next_before"]
        if before is None:
            break
    exported = client.get("/api/v1/audit.csv", params=query, headers=auth)

    assert {e["practice_id"] for e in found} == {world.practice_id}
    assert ("denial.noted", item) in {(e["action"], e["entity_id"]) for e in found}
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert exported.headers["content-disposition"] == 'attachment; filename="audit-log.csv"'
    rows = list(csv.DictReader(io.StringIO(exported.text, newline="")))
    assert [int(r["sequence"]) for r in rows] == [e["sequence"] for e in found]
    assert [(r["actor"], r["action"], r["entity"], r["source"]) for r in rows] == [
        (e["actor"], e["action"], e["entity_type"], e["source"]) for e in found]
    noted = next(r for r in rows if r["action"] == "denial.noted")
    assert noted["detail"] == '{"note": "called, the payer, twice"}' and noted["address"] == "testclient"

    everything = client.get("/api/v1/audit", params={"limit": 500}, headers=auth).json()["events"]
    assert {e["practice_id"] for e in everything} <= {world.practice_id, None}
    assert world.other_item not in {e["entity_id"] for e in everything if e["entity_type"] == "denial_item"}
    reads = actions(world.database, "audit.read")
    assert reads and {(a, s) for a, s, _ in reads} == {("auditor@era.test", "GET /api/v1/audit")}
    assert [(a, s) for a, s, _ in actions(world.database, "audit.export")] == [
        ("auditor@era.test", "GET /api/v1/audit.csv")]
    backwards = client.get("/api/v1/audit", params={"since": "2026-04-10", "until": "2026-04-01"}, headers=auth)
    assert backwards.status_code == 422 and backwards.json()["problems"][0]["field"] == "until"
    assert client.get("/api/v1/audit.csv", params={"entity_id": -1}, headers=auth).status_code == 422


def test_the_api_resolutions_are_the_services() -> None:
    assert set(get_args(Resolution)) == set(RESOLUTIONS)


def test_the_routes_are_in_the_openapi_document(setup: tuple[TestClient, dict[str, str], QueueWorld]) -> None:
    client, _, _ = setup
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("/api/v1/fix-queue", "/api/v1/fix-queue/{claim_number}", "/api/v1/denials",
                 "/api/v1/denials/{item_id}", "/api/v1/denials/{item_id}/assign", "/api/v1/denials/{item_id}/note",
                 "/api/v1/denials/{item_id}/snooze", "/api/v1/denials/{item_id}/resolve",
                 "/api/v1/denials/{item_id}/correct", "/api/v1/denials/{item_id}/appeal-letter",
                 "/api/v1/denials/{item_id}/appeal-letter.pdf", "/api/v1/denials/{item_id}/appeal",
                 "/api/v1/audit", "/api/v1/audit.csv"):
        assert path in paths, path
    assert "ProblemOut" in client.get("/api/openapi.json").json()["components"]["schemas"]
