"""GET /api/v1/claims/{claim_number} answers the claim in full: a biller sees the EOB, the postings and the denial
items; a coder the claim without them (flagged as withheld); another practice's claim is 404; the OpenAPI
document describes the response."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from claim_detail_world import travelled_claim
from era_world import add_claim, practice_world
from fastapi.testclient import TestClient

from dermbill.db.engine import Database
from dermbill.services.users import add_user, create_token
from dermbill.web.app import create_app

PASSWORD = "correct horse battery staple 9"
Api = tuple[TestClient, dict[str, str], str, str]


@pytest.fixture
def api(database: Database, tmp_path: Path) -> Iterator[Api]:
    ours = practice_world(database)
    theirs = practice_world(database, company="OTHER BILLING CO", submitter="OTHERCO", code="OTH")
    claim = travelled_claim(database, ours, tmp_path).claim.pcn
    add_claim(theirs, [("11102", (), 15000)])
    other = add_claim(theirs, [("11102", (), 15000)]).pcn  # ERA-2: a number only the other company has
    tokens = {}
    for email, role in (("coder@era.test", "coder"), ("biller@era.test", "biller")):
        add_user(database, company="ERA TEST BILLING", email=email, display_name=email, roles=[role],
                 practices=["ERA"], password=PASSWORD, actor="test")
        tokens[role] = create_token(database, email, actor="test").token
    url = database.engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(url), raise_server_exceptions=False) as client:
        yield client, tokens, claim, other


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_biller_gets_every_section_with_the_claims_fields_at_the_top(api: Api) -> None:
    client, tokens, claim, _ = api

    answer = client.get(f"/api/v1/claims/{claim}", headers=bearer(tokens["biller"]))

    assert answer.status_code == 200
    body = answer.json()
    assert {k: body[k] for k in ("claim_number", "practice", "status", "payer", "date_of_service",
                                 "total_charge")} == {
        "claim_number": claim, "practice": "ERA", "status": "partially_paid", "payer": "TEST MEDICARE",
        "date_of_service": "2026-03-02", "total_charge": "350.00"}
    assert body["patient"] == {"name": "DOE, JANE", "account_number": "A-1", "member_id": "1EG4TE5MK72"}
    assert [(line["procedure_code"], line["modifiers"]) for line in body["lines"]] == [
        ("11642", []), ("11104", ["XS"])]
    assert all(line["explanation"] for line in body["lines"])
    assert [f["severity"] for f in body["findings"]] == ["warning"]
    assert [e["to_status"] for e in body["events"]] == ["submitted", "accepted", "partially_paid"]
    assert len(body["batches"]) == 1
    assert [(a["kind"], a["accepted"]) for a in body["acknowledgments"]] == [("999", True), ("277CA", True)]
    [eob] = body["remittances"]
    assert (eob["paid"], eob["allowed"], eob["patient_share"]) == ("96.00", "120.00", "24.00")
    denied = eob["lines"][1]
    assert denied["adjustments"][0]["carc"] == "97" and denied["adjustments"][0]["carc_words"]
    assert denied["remarks"][0]["code"] == "M15" and denied["remarks"][0]["words"]
    assert body["postings"] and body["payments_shown"] is True
    assert [i["fixes"] for i in body["denial_items"]] == [["line 2: take XS off and add 59"]]


def test_a_coder_gets_the_claim_without_payments_or_denials(api: Api) -> None:
    client, tokens, claim, _ = api

    body = client.get(f"/api/v1/claims/{claim}", headers=bearer(tokens["coder"])).json()

    assert body["lines"] and body["events"] and body["acknowledgments"]
    assert (body["remittances"], body["postings"], body["denial_items"]) == ([], [], [])
    assert (body["payments_shown"], body["denials_shown"]) == (False, False)


def test_another_practices_claim_is_404(api: Api) -> None:
    client, tokens, _, other = api

    hidden = client.get(f"/api/v1/claims/{other}", headers=bearer(tokens["biller"]))

    assert hidden.status_code == 404
    assert "remittances" not in hidden.text


def test_the_openapi_document_describes_the_claim_detail(api: Api) -> None:
    client, _, _, _ = api

    document = client.get("/api/openapi.json").json()

    answer = document["paths"]["/api/v1/claims/{claim_number}"]["get"]["responses"]["200"]
    assert answer["content"]["application/json"]["schema"]["$ref"].endswith("/ClaimDetailOut")
    schemas = document["components"]["schemas"]
    assert {"lines", "findings", "events", "batches", "acknowledgments", "remittances", "postings",
            "denial_items", "payments_shown"} <= set(schemas["ClaimDetailOut"]["properties"])
    assert "carc_words" in schemas["AdjustmentOut"]["properties"]
