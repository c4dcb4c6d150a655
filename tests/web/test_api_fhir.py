"""/fhir/R4: reads and searches as a FHIR client uses them, scoped to the caller's practices (another practice's
record is 404, as an OperationOutcome), permission-checked (403), audited, in application/fhir+json."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from era_world import add_claim, practice_world
from fastapi.testclient import TestClient
from fhir_world import paid_world
from sqlalchemy import select

from dermbill.db.engine import Database
from dermbill.db.models import AuditEventRow, ClaimRow, CoverageRow, LineAdjudicationRow, PatientRow
from dermbill.db.repositories import UnitOfWork
from dermbill.fhir.validation import problems_of
from dermbill.services.users import add_user, create_token
from dermbill.web.app import create_app

PASSWORD = "correct horse battery staple 9"


@pytest.fixture
def fhir_api(database: Database, tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str], dict[str, str]]]:
    ours = paid_world(database, tmp_path)
    theirs = practice_world(database, company="OTHER BILLING CO", submitter="OTHERCO", code="OTH")
    add_claim(theirs, [("11102", (), 15000)])
    tokens = {}
    for email, company, role, practice in (("biller@era.test", "ERA TEST BILLING", "biller", "ERA"),
                                           ("coder@era.test", "ERA TEST BILLING", "coder", "ERA"),
                                           ("biller@oth.test", "OTHER BILLING CO", "biller", "OTH")):
        add_user(database, company=company, email=email, display_name=email, roles=[role], practices=[practice],
                 password=PASSWORD, actor="test")
        tokens[email] = create_token(database, email, actor="test").token
    with UnitOfWork(database, actor="test") as uow:
        claim = uow.session.scalars(select(ClaimRow).where(ClaimRow.practice_id == ours.practice_id)).one()
        remittance = uow.session.scalars(select(LineAdjudicationRow.remittance_id)).first()
        coverage = uow.session.scalars(select(CoverageRow.id).where(CoverageRow.practice_id == ours.practice_id)).one()
        ids = {"Patient": str(claim.patient_id), "Coverage": str(coverage), "Claim": str(claim.id),
               "ClaimResponse": f"{claim.id}-{remittance}", "ExplanationOfBenefit": f"{claim.id}-{remittance}"}
    url = database.engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(url), raise_server_exceptions=False) as client:
        yield client, tokens, ids


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _audited(database: Database, action: str) -> list[str | None]:
    """The entity types of the audit events of an action."""
    with UnitOfWork(database, actor="test") as uow:
        return list(uow.session.scalars(select(AuditEventRow.entity_type).where(AuditEventRow.action == action)))


def test_each_resource_is_read_and_searched_and_every_answer_validates(
        fhir_api: tuple[TestClient, dict[str, str], dict[str, str]], database: Database) -> None:
    client, tokens, ids = fhir_api
    token = bearer(tokens["biller@era.test"])  # a biller sees patients, claims and remittances
    for kind, resource_id in ids.items():
        read = client.get(f"/fhir/R4/{kind}/{resource_id}", headers=token)
        assert read.status_code == 200, read.text
        assert read.headers["content-type"].startswith("application/fhir+json")
        body: dict[str, Any] = read.json()
        assert (body["resourceType"], body["id"]) == (kind, resource_id)
        assert problems_of(body) == []
        found = client.get(f"/fhir/R4/{kind}", params=[("patient", ids["Patient"]), ("date", "ge2026-03-01"),
                                                        ("date", "le2026-03-31")], headers=token)
        assert found.status_code == 200, found.text
        bundle = found.json()
        assert (bundle["type"], bundle["total"]) == ("searchset", 1)
        assert bundle["entry"][0]["resource"]["id"] == resource_id
        assert problems_of(bundle) == []
        later = client.get(f"/fhir/R4/{kind}", params={"date": "ge2026-05-01"}, headers=token).json()
        assert later["total"] == (1 if kind == "Coverage" else 0), kind  # the coverage is still in force
    reads = _audited(database, "fhir.read")
    assert sorted(str(kind) for kind in reads) == sorted(ids)
    assert len(_audited(database, "fhir.search")) == 10


def test_another_practices_record_is_404_and_a_role_without_the_permission_is_403(
        fhir_api: tuple[TestClient, dict[str, str], dict[str, str]]) -> None:
    client, tokens, ids = fhir_api
    for kind, resource_id in ids.items():
        hidden = client.get(f"/fhir/R4/{kind}/{resource_id}", headers=bearer(tokens["biller@oth.test"]))
        assert hidden.status_code == 404
        assert hidden.json()["resourceType"] == "OperationOutcome"
        assert hidden.json()["issue"][0]["code"] == "not-found"
        searched = client.get(f"/fhir/R4/{kind}", params={"patient": ids["Patient"]},
                              headers=bearer(tokens["biller@oth.test"]))
        assert searched.json()["total"] == 0
    coder = client.get(f"/fhir/R4/ClaimResponse/{ids['ClaimResponse']}", headers=bearer(tokens["coder@era.test"]))
    assert coder.status_code == 403 and coder.json()["issue"][0]["code"] == "forbidden"


def test_no_token_a_bad_date_and_an_id_that_cannot_be_are_operation_outcomes(
        fhir_api: tuple[TestClient, dict[str, str], dict[str, str]]) -> None:
    client, tokens, ids = fhir_api
    token = bearer(tokens["biller@era.test"])
    unsigned = client.get(f"/fhir/R4/Patient/{ids['Patient']}")
    bad_date = client.get("/fhir/R4/Claim", params={"date": "ge03/01/2026"}, headers=token)
    bad_patient = client.get("/fhir/R4/Claim", params={"patient": "DOE"}, headers=token)
    no_such = client.get("/fhir/R4/ClaimResponse/not-an-id", headers=token)
    assert [r.status_code for r in (unsigned, bad_date, bad_patient, no_such)] == [401, 400, 400, 404]
    for answer in (unsigned, bad_date, bad_patient, no_such):
        assert answer.json()["resourceType"] == "OperationOutcome"
    assert "YYYY-MM-DD" in bad_date.json()["issue"][0]["diagnostics"]
    with UnitOfWork(client.app.state.database(), actor="test") as uow:  # type: ignore[attr-defined]
        assert uow.session.get(PatientRow, int(ids["Patient"])) is not None
