"""Every page route with a path parameter, walked for every role by a user of practice A with the identifiers of
records of practice B (another billing company's): the answer is 404 (or 403 where the role may not), never the
record and never a server error. The routes come from the app's route table, so a new page is covered at once;
a path parameter this test cannot fill fails it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from eligibility_world import eligibility_records
from era_world import add_claim, practice_world
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from test_pages_auth import PASSWORD, csrf_of, sign_in

from dermbill.core.access import Role
from dermbill.db.engine import Database
from dermbill.services.users import add_user, set_company_totp
from dermbill.web.app import create_app


@pytest.fixture
def world(database: Database) -> Iterator[tuple[TestClient, dict[str, str]]]:
    ours = practice_world(database)
    theirs = practice_world(database, company="OTHER BILLING CO", submitter="OTHERCO", code="OTH")
    add_claim(ours, [("11102", (), 15000)])
    other_claim = [add_claim(theirs, [("11102", (), 15000)]) for _ in range(2)][-1]  # a number only B has
    set_company_totp(database, "ERA TEST BILLING", required=False, actor="test")
    for role in Role:
        add_user(database, company="ERA TEST BILLING", email=f"{role.value}@era.test", display_name=role.value,
                 roles=[role], practices=["ERA"], password=PASSWORD, actor="test")
    add_user(database, company="OTHER BILLING CO", email="someone@other.test", display_name="O", roles=["coder"],
             practices=["OTH"], password=PASSWORD, actor="test")
    theirs_ids = {**_identifiers(database, other_claim.pcn), **eligibility_records(database, theirs.practice_id)}
    url = database.engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(url), raise_server_exceptions=False, follow_redirects=False) as client:
        yield client, theirs_ids


def _identifiers(database: Database, claim_number: str) -> dict[str, str]:
    """A value for each path parameter name, naming a record of the other practice (or company)."""
    from sqlalchemy import select

    from dermbill.db.models import (
        ClaimRow,
        DenialItemRow,
        PatientRow,
        StatementRow,
        TrainingAssignmentRow,
        UserAccountRow,
    )
    from dermbill.db.repositories import UnitOfWork

    with UnitOfWork(database, actor="test") as uow:
        claim = uow.session.scalars(select(ClaimRow).where(ClaimRow.patient_control_number == claim_number)).one()
        assert uow.session.get(PatientRow, claim.patient_id) is not None
        patient = uow.session.get(PatientRow, claim.patient_id)
        assert patient is not None
        item = uow.session.scalars(select(DenialItemRow.id).where(DenialItemRow.claim_id == claim.id)).first()
        someone = uow.session.scalars(select(UserAccountRow.id).where(
            UserAccountRow.email == "someone@other.test")).one()
        training = TrainingAssignmentRow(practice_id=claim.practice_id, user_id=someone, module="coverage_ended",
                                         reasons=[], assigned_by="test", assigned_at=claim.created_at,
                                         due_on=claim.date_of_service, status="open")
        statement = StatementRow(practice_id=claim.practice_id, patient_id=patient.id,
                                 statement_date=claim.date_of_service, due_on=claim.date_of_service, amount_cents=100,
                                 step="statement", code="THEIRS2345", delivery="print", document={},
                                 created_by="test", created_at=claim.created_at)
        uow.session.add_all([training, statement])
        uow.commit()
        return {"assignment_id": str(training.id), "number": "1",
                "claim_number": claim_number, "email": "someone@other.test", "action": "disable",
                "patient_id": str(patient.id), "account_number": patient.account_number, "item_id": str(item or 999999),
                "line_number": "1", "order": "1", "remittance_id": "1", "encounter_id": str(claim.encounter_id),
                "payment_index": "1", "unmatched_id": "1", "overpayment_id": "1", "deposit_id": "1",
                "appointment_id": "1", "receipt_id": "1", "statement_id": str(statement.id)}


def every_route(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """(full path, route) of every endpoint, through included routers (FastAPI keeps them nested)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        elif hasattr(route, "original_router"):  # an included router
            yield from every_route(route.original_router.routes, prefix + route.include_context.prefix)


def page_routes(client: TestClient) -> list[tuple[str, str]]:
    return [(method, path) for path, route in every_route(client.app.routes)  # type: ignore[attr-defined]
            if not path.startswith(("/api/", "/fhir/")) and "{" in path for method in sorted(route.methods)]


@pytest.mark.parametrize("role", list(Role))
def test_no_page_shows_another_practices_record(world: tuple[TestClient, dict[str, str]], role: Role) -> None:
    client, theirs = world
    sign_in(client, f"{role.value}@era.test")
    csrf = csrf_of(client)
    walked = page_routes(client)
    assert walked, "the app has page routes with path parameters"
    for method, path in walked:
        names = re.findall(r"{(\w+)(?::\w+)?}", path)
        unknown = [name for name in names if name not in theirs]
        assert not unknown, f"{path}: teach this test the path parameter(s) {unknown}"
        url = re.sub(r"{(\w+)(?::\w+)?}", lambda m: theirs[m.group(1)], path)
        answer = client.request(method, url, data={"csrf_token": csrf} if method != "GET" else None)
        assert answer.status_code in (403, 404), f"{role.value} {method} {url}: {answer.status_code}"


def test_no_role_imports_into_another_companys_practice(world: tuple[TestClient, dict[str, str]],
                                                        database: Database) -> None:
    """The import page (no path parameter, so not walked above): a file whose rows, or whose chosen practice, name
    the other company's practice saves nothing there, whatever the role (403 for the roles that may not import)."""
    from sqlalchemy import func, select

    from dermbill.db.models import PatientRow, PracticeRow
    from dermbill.db.repositories import UnitOfWork

    client, _ = world
    rows = "practice,account_number,last_name,first_name,date_of_birth,sex,address_line1,city,state,zip_code\n" \
           "OTH,Z-1,TEST,ZULU,1950-01-31,F,2 TEST ST,ANYTOWN,PA,19099\n"
    for role in Role:
        client.cookies.clear()
        sign_in(client, f"{role.value}@era.test")
        csrf = csrf_of(client)
        for kind, practice in (("patients", ""), ("patients", "OTH"), ("providers", "OTH")):
            answer = client.post("/import", data={"csrf_token": csrf, "kind": kind, "practice": practice,
                                                  "skip_bad_rows": "1"},
                                 files={"file": ("rows.csv", rows.encode(), "text/csv")})
            assert answer.status_code in (200, 403, 422), f"{role.value} {kind} {practice}: {answer.status_code}"
    with UnitOfWork(database, actor="test") as uow:
        theirs = uow.session.scalars(select(PracticeRow.id).where(PracticeRow.code == "OTH")).one()
        assert uow.session.scalar(select(func.count()).select_from(PatientRow).where(
            PatientRow.practice_id == theirs)) == 1  # their own patient only
