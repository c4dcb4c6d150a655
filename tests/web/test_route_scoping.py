"""Every route that names a record in its path keeps other practices' records out of reach, generated from the
application's routes so that a new route is walked the day it is added.

For each route with a path parameter (the API's under /api/v1 with a token; the pages with a signed-in session and
its CSRF token) and each method, every role is tried by a user granted that role and practice D1 only (and one
with every role), the path filled with identifiers of records of practice D2 of the same billing company (or, for
company-wide records such as users, of another billing company): the answer must be 404 (403 where the role lacks
the permission), never a success, never a 500 (nor a 422: a request that fails validation before the record is
looked up proves nothing), and the user with every role must get 404 itself. A control
request by a user who may see the record must not be 404, so a 404 is the scoping and not a malformed request.

``PARAMETERS`` maps each path parameter name to the identifiers to try: a route with a parameter not in it fails
here until the name is added. Requests with a body send the smallest body its schema accepts (``BODIES`` for the
few a schema cannot describe).
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from eligibility_world import eligibility_records
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import select
from statement_samples import sample_document
from web_world import OTHER_USER, all_roles_email, rejected_claim, staff_email, web_world

from dermbill.clock import today, utc_now
from dermbill.core.access import Role
from dermbill.core.money import Money
from dermbill.core.remittance import Adjustment, ClaimPayment, Remittance, ServiceLinePayment
from dermbill.db.engine import Database, open_database
from dermbill.db.models import (
    AppointmentRow,
    ClaimRow,
    CoverageRow,
    DenialItemRow,
    LineAdjudicationRow,
    OverpaymentRow,
    PatientRow,
    PayerRow,
    PracticeRow,
    StatementRow,
    TrainingAssignmentRow,
    UnmatchedRemittanceRow,
)
from dermbill.db.repositories import UnitOfWork
from dermbill.services.check_in import collect_copay
from dermbill.services.deposits import record_deposit
from dermbill.services.era_posting import post_era_upload
from dermbill.services.users import create_token, get_user
from dermbill.services.web_sessions import start_session
from dermbill.web.app import create_app
from dermbill.web.pages.common import CSRF_HEADER, SESSION_COOKIE
from dermbill.x12.envelope import ClearinghouseProfile, ControlNumbers
from dermbill.x12.remittance_835_writer import write_835

OURS, THEIRS = "D1", "D2"  # the scoped users' practice; the practice whose records they must not reach
ALL_OF_OURS = all_roles_email(OURS)
ALL_OF_THEIRS = all_roles_email(THEIRS)  # the control: may see D2's records


def scoped_email(role: Role) -> str:
    return staff_email(role, OURS)


@dataclass(frozen=True, slots=True)
class Records:
    """Identifiers of records of practice D2 (and of the other billing company)."""

    claim_number: str
    patient_id: int
    patient_account: str
    denial_item_id: int
    coverage_id: int = 0
    claim_id: int = 0
    answer_id: str = ""  # a payer's answer on a claim: CLAIM-REMITTANCE (FHIR ClaimResponse, ExplanationOfBenefit)
    encounter_id: int = 0
    remittance_id: int = 0  # a remittance of D2 (an 835 the payment pages show), with a claim payment
    unmatched_id: int = 0  # a claim payment of D2 held for a person
    overpayment_id: int = 0
    deposit_id: int = 0
    appointment_id: int = 0  # an appointment of D2 (check-in), with a copay receipt
    receipt_id: int = 0
    training_assignment_id: int = 0  # a training module assigned to the D2 user with every role
    statement_id: int = 0  # a patient statement of D2
    front_desk: tuple[tuple[str, str], ...] = ()  # an appointment, eligibility work-list item, order change of D2


@dataclass(frozen=True, slots=True)
class Parameter:
    values: Callable[[Records], list[str]]  # every way to name the record in the path
    control: str  # the user who may see it: the control request by them must not be 404


PARAMETERS: dict[str, Parameter] = {
    "claim_number": Parameter(lambda r: [r.claim_number], ALL_OF_THEIRS),
    "line_number": Parameter(lambda r: ["1"], ALL_OF_THEIRS),  # a line of the claim named beside it
    "patient": Parameter(lambda r: [str(r.patient_id), r.patient_account, f"{THEIRS}:{r.patient_account}"],
                         ALL_OF_THEIRS),
    "patient_id": Parameter(lambda r: [str(r.patient_id)], ALL_OF_THEIRS),
    "account": Parameter(lambda r: [r.patient_account], ALL_OF_THEIRS),
    "order": Parameter(lambda r: ["primary"], ALL_OF_THEIRS),  # a coverage of the patient named beside it
    "item_id": Parameter(lambda r: [str(r.denial_item_id)], ALL_OF_THEIRS),
    "coverage_id": Parameter(lambda r: [str(r.coverage_id)], ALL_OF_THEIRS),
    "claim_id": Parameter(lambda r: [str(r.claim_id)], ALL_OF_THEIRS),
    "claim_response_id": Parameter(lambda r: [r.answer_id], ALL_OF_THEIRS),
    "eob_id": Parameter(lambda r: [r.answer_id], ALL_OF_THEIRS),
    "encounter_id": Parameter(lambda r: [str(r.encounter_id)], ALL_OF_THEIRS),  # the claim's encounter
    "email": Parameter(lambda r: [OTHER_USER], OTHER_USER),  # users are the company's: another company's user
    "action": Parameter(lambda r: ["disable"], OTHER_USER),  # on the user named beside it
    "remittance_id": Parameter(lambda r: [str(r.remittance_id)], ALL_OF_THEIRS),
    "payment_index": Parameter(lambda r: ["1"], ALL_OF_THEIRS),  # a claim payment of the remittance beside it
    "unmatched_id": Parameter(lambda r: [str(r.unmatched_id)], ALL_OF_THEIRS),
    "overpayment_id": Parameter(lambda r: [str(r.overpayment_id)], ALL_OF_THEIRS),
    "deposit_id": Parameter(lambda r: [str(r.deposit_id)], ALL_OF_THEIRS),
    "appointment_id": Parameter(lambda r: [str(r.appointment_id)], ALL_OF_THEIRS),
    "receipt_id": Parameter(lambda r: [str(r.receipt_id)], ALL_OF_THEIRS),
    "assignment_id": Parameter(lambda r: [str(r.training_assignment_id)], ALL_OF_THEIRS),
    "statement_id": Parameter(lambda r: [str(r.statement_id)], ALL_OF_THEIRS),
    "number": Parameter(lambda r: ["1"], ALL_OF_THEIRS),  # a scenario of the training assignment beside it
    "problem_id": Parameter(lambda r: [dict(r.front_desk)["problem_id"]], ALL_OF_THEIRS),
    "proposal_id": Parameter(lambda r: [dict(r.front_desk)["proposal_id"]], ALL_OF_THEIRS),
}

# Bodies the smallest-valid-body rule below cannot make, by "METHOD /path".
BODIES: dict[str, dict[str, Any]] = {}


@dataclass(frozen=True, slots=True)
class Walked:
    method: str
    path: str  # the template, as the app serves it: /api/v1/claims/{claim_number}

    @property
    def parameters(self) -> list[str]:
        return re.findall(r"{(\w+)(?::\w+)?}", self.path)

    @property
    def is_api(self) -> bool:
        return self.path.startswith(("/api/", "/fhir/"))


def _walked_routes() -> list[Walked]:
    """Every method of every route with a path parameter, the API's and the pages'."""
    found = []
    for context in iter_route_contexts(create_app("sqlite://").routes):
        if isinstance(context.original_route, APIRoute) and context.path and "{" in context.path:
            found += [Walked(method, context.path) for method in sorted(set(context.methods or ()) - {"HEAD"})]
    return found


ROUTES = _walked_routes()


@dataclass
class World:
    client: TestClient
    records: Records
    tokens: dict[str, str]  # email -> API token
    sessions: dict[str, tuple[str, str]]  # email -> (session cookie, CSRF token)
    openapi: dict[str, Any]


def _records(database: Database) -> Records:
    rejected = rejected_claim(database, THEIRS)
    with UnitOfWork(database, actor="test") as uow:
        theirs = uow.session.scalars(select(PracticeRow.id).where(PracticeRow.code == THEIRS)).one()
        item = uow.session.scalars(select(DenialItemRow).where(DenialItemRow.practice_id == theirs)
                                   .order_by(DenialItemRow.id)).first()
        assert item is not None, f"the web world has no denial work item in {THEIRS}: give the demo more patients"
        # The claim in the fix queue: a claim that every claim route may name (the control of the fix queue's
        # routes finds it there; an adjudicated one would not be).
        claim = uow.session.scalars(select(ClaimRow).where(ClaimRow.practice_id == theirs,
                                                           ClaimRow.patient_control_number == rejected)).one()
        patient = uow.session.get(PatientRow, claim.patient_id)
        assert patient is not None
        coverage = uow.session.scalars(select(CoverageRow.id).where(CoverageRow.practice_id == theirs)
                                       .order_by(CoverageRow.id)).first()
        answer = uow.session.execute(select(LineAdjudicationRow.claim_id, LineAdjudicationRow.remittance_id).where(
            LineAdjudicationRow.practice_id == theirs).order_by(LineAdjudicationRow.id)).first()
        assert coverage is not None and answer is not None, f"the web world has no paid claim in {THEIRS}"
        claim_id, practice = claim.id, uow.session.get(PracticeRow, theirs)
        assert practice is not None
        payer = uow.session.scalars(select(PayerRow).where(PayerRow.organization_id == practice.organization_id,
                                                           PayerRow.payer_identifier.is_not(None))).first()
        assert payer is not None
        records = Records(claim_number=claim.patient_control_number, patient_id=patient.id,
                          patient_account=patient.account_number, denial_item_id=item.id, coverage_id=coverage,
                          claim_id=claim.id, answer_id=f"{answer[0]}-{answer[1]}", encounter_id=claim.encounter_id)
        uow.session.expunge_all()  # read: used as values below
    # The payment pages' records of D2: an 835 with a claim payment no claim takes, an overpayment, a deposit.
    stray = ClaimPayment("NOT-A-CLAIM-1", "1", "CI", "ICN1", "TEST", "ALPHA", "M1", (ServiceLinePayment(
        "11102", (), Money(10000), 1, today(), (Adjustment("CO", "45", Money(2000)),)),))
    text = write_835((Remittance(payer.name, payer.payer_identifier or "", practice.legal_name,
                                 practice.billing_npi, "SCOPE-EFT-1", today(), (stray,)),),
                     ClearinghouseProfile("PAYER", "PAYER", "EDI", "2155550100", "RECEIVER", "RECEIVER"),
                     ControlNumbers(7, 7, 1), utc_now())
    posted = post_era_upload(database, "scope.835", text.encode(), actor="test",
                             organization_id=practice.organization_id, practice_ids={theirs})[0]
    assert posted.status == "posted" and posted.remittance_id is not None, posted
    deposit_id = record_deposit(database, {theirs}, theirs, today().isoformat(), "80.00", "SCOPE-SLIP",
                                actor="test")
    with UnitOfWork(database, actor="test") as uow:
        unmatched = uow.session.scalars(select(UnmatchedRemittanceRow.id).where(
            UnmatchedRemittanceRow.remittance_id == posted.remittance_id)).one()
        overpayment = OverpaymentRow(practice_id=theirs, claim_id=claim_id, payer_id=payer.id,
                                     remittance_id=posted.remittance_id, amount_cents=100, open_cents=100,
                                     status="open", created_at=utc_now())
        uow.session.add(overpayment)
        appointment = AppointmentRow(practice_id=theirs, patient_id=records.patient_id, starts_at=utc_now(),
                                     minutes=20, planned_codes=["99213"], status="booked", updated_at=utc_now())
        uow.session.add(appointment)
        trainee = get_user(database, ALL_OF_THEIRS)
        assignment = TrainingAssignmentRow(practice_id=theirs, user_id=trainee.id, module="coverage_ended", reasons=[],
                                           assigned_by="test", assigned_at=utc_now(), due_on=today(), status="open")
        uow.session.add(assignment)
        statement = StatementRow(practice_id=theirs, patient_id=records.patient_id, statement_date=today(),
                                 due_on=today(), amount_cents=10450, step="statement", code="SCOPE23456",
                                 delivery="print", document=sample_document(code="SCOPE23456").to_json(),
                                 created_by="test", created_at=utc_now())
        uow.session.add(statement)
        uow.commit()
    receipt = collect_copay(database, {theirs}, appointment.id, amount="10.00", method="cash", reference="SCOPE-CI-1",
                            actor="test").receipt_id
    return dataclasses.replace(records, remittance_id=posted.remittance_id, unmatched_id=unmatched,
                               overpayment_id=overpayment.id, deposit_id=deposit_id,
                               appointment_id=appointment.id, receipt_id=receipt,
                               training_assignment_id=assignment.id, statement_id=statement.id,
                               front_desk=tuple(eligibility_records(database, theirs).items()))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("scoping")
    url = web_world(folder, tmp_path_factory).url
    database = open_database(url)
    try:
        everyone = [*(scoped_email(role) for role in Role), ALL_OF_OURS, ALL_OF_THEIRS, OTHER_USER]
        tokens = {email: create_token(database, email, actor="test").token for email in everyone}
        sessions = {}
        for email in everyone:
            started = start_session(database, get_user(database, email), now=utc_now(), address=None)
            sessions[email] = (started.token, started.csrf_token)
        records = _records(database)
    finally:
        database.dispose()
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.chdir(folder)  # whatever the app writes relative to its folder (the outbox) stays here
        app = create_app(url)
        with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
            yield World(client, records, tokens, sessions, app.openapi())
        app.state.database().dispose()


def _paths(route: Walked, records: Records) -> list[str]:
    names = route.parameters
    unknown = [name for name in names if name not in PARAMETERS]
    if unknown:
        pytest.fail(f"{route.path}: no identifier of another practice's record for the path parameter(s) "
                    f"{', '.join(unknown)}; add them to PARAMETERS in {__name__}", pytrace=False)
    choices = [PARAMETERS[name].values(records) for name in names]
    template = re.sub(r"{(\w+):\w+}", r"{\1}", route.path)
    return [template.format(**dict(zip(names, values, strict=True))) for values in itertools.product(*choices)]


def _smallest(schema: dict[str, Any], components: dict[str, Any]) -> Any:
    """The smallest value ``schema`` (OpenAPI 3.1, FastAPI's) accepts: required fields only, the first choice."""
    if "$ref" in schema:
        return _smallest(components[schema["$ref"].rsplit("/", 1)[1]], components)
    for key in ("examples", "enum"):
        if schema.get(key):
            return schema[key][0]
    if "const" in schema:
        return schema["const"]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [option for option in schema[key] if option.get("type") != "null"] or schema[key]
            return _smallest(options[0], components)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        return {name: _smallest(properties[name], components) for name in schema.get("required", [])}
    if kind == "array":
        return [_smallest(schema.get("items", {}), components) for _ in range(schema.get("minItems", 0))]
    if kind == "string":
        later = today() + datetime.timedelta(days=30)  # a day to snooze to, a deadline: after dermbill's today
        return {"date": later.isoformat(), "date-time": f"{later.isoformat()}T09:00:00Z",
                "email": "someone@example.test"}.get(schema.get("format", ""), "x" * max(1, schema.get("minLength", 1)))
    if kind in ("integer", "number"):
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return False
    return None


def _send(world: World, route: Walked, path: str, email: str) -> tuple[int, str]:
    method = route.method
    key = f"{method} {route.path}"
    if route.is_api:
        headers = {"Authorization": f"Bearer {world.tokens[email]}"}
        cookies = {}
    else:
        cookie, csrf = world.sessions[email]
        headers = {CSRF_HEADER: csrf}
        cookies = {SESSION_COOKIE: cookie}
    world.client.cookies.clear()
    world.client.cookies.update(cookies)
    body: dict[str, Any] = {}
    operation = world.openapi.get("paths", {}).get(route.path, {}).get(method.lower(), {})
    content = operation.get("requestBody", {}).get("content", {})
    if key in BODIES:
        body = {"json": BODIES[key]}
    elif "application/json" in content:
        body = {"json": _smallest(content["application/json"]["schema"],
                                  world.openapi.get("components", {}).get("schemas", {}))}
    elif method in ("POST", "PUT", "PATCH") and not route.is_api:
        body = {"data": {}}  # a page's form: its fields are optional, the CSRF token goes in the header
    answer = world.client.request(method, path, headers=headers, **body)
    return answer.status_code, answer.text[:300]


@pytest.mark.parametrize("route", ROUTES, ids=[f"{route.method} {route.path}" for route in ROUTES])
def test_another_practices_record_is_404_for_every_role(world: World, route: Walked) -> None:
    paths = _paths(route, world.records)
    wrong = []
    for path in paths:
        for email in [*(scoped_email(role) for role in Role), ALL_OF_OURS]:
            status, text = _send(world, route, path, email)
            allowed = {404} if email == ALL_OF_OURS else {403, 404}
            if status not in allowed:
                wrong.append(f"{email}: {route.method} {path} -> {status} {text!r}")
    assert wrong == [], "\n".join(wrong)
    # The control: whoever may see the record does not get 404 (nor a 500) for the same requests.
    controls = {PARAMETERS[name].control for name in route.parameters}
    assert len(controls) == 1, f"{route.path} names records of two owners: {sorted(controls)}"
    control = controls.pop()
    for path in paths:
        status, text = _send(world, route, path, control)
        assert status != 404 and status < 500, f"control {control}: {route.method} {path} -> {status} {text!r}"


def test_a_route_whose_path_parameter_is_not_mapped_fails_until_it_is() -> None:
    records = Records(claim_number="D2E0000001", patient_id=7, patient_account="D2-000001", denial_item_id=3,
                      encounter_id=5)
    with pytest.raises(pytest.fail.Exception, match="path parameter.*appeal_id.*add them to PARAMETERS"):
        _paths(Walked("GET", "/api/v1/claims/{claim_number}/appeals/{appeal_id}"), records)
    assert _paths(Walked("PATCH", "/api/v1/patients/{patient}/coverage/{order}"), records) == [
        "/api/v1/patients/7/coverage/primary", "/api/v1/patients/D2-000001/coverage/primary",
        "/api/v1/patients/D2:D2-000001/coverage/primary"]
