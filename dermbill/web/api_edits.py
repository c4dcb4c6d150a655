"""The API's changes under ``/api/v1``: a claim's lines edited, scrubbed, sent, corrected or voided; patients found,
read and changed, with their coverage.

Like every route of the API: the caller's token names the user, the role must grant the permission (else 403),
and only the practices the user was granted are searched (another practice's claim or patient answers 404). A
change that fails its checks answers 422 with every problem (``{"detail", "problems": [{"field", "message"}]}``,
as a malformed request does); a change the record's state does not allow answers 409 saying why. Nothing is
saved half-way. The routes parse, call one service, and render.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from dermbill import clock
from dermbill.core.access import Permission
from dermbill.core.claim_edits import LineChange
from dermbill.core.errors import DermbillError, InvalidFields, InvalidInput, InvalidTransition, NotFound
from dermbill.db.engine import Database
from dermbill.services import claim_editing, patients
from dermbill.services.claim_editing import ClaimView, SentClaim
from dermbill.services.patients import PatientChangeOutcome, PatientRecord
from dermbill.services.submission import Router
from dermbill.services.users import User
from dermbill.settings import DEFAULT_OUTBOX, load_settings
from dermbill.web.api import DatabaseDep, UserDep, origin, permitted
from dermbill.web.api_queues import Problem as ProblemOut  # one schema for a field's problem

T = TypeVar("T")


class Refusal(BaseModel):
    """Why a request changed nothing."""

    detail: str
    problems: list[ProblemOut] = []


REFUSALS: dict[int | str, dict[str, Any]] = {
    404: {"model": Refusal, "description": "no such record among the caller's practices"},
    409: {"model": Refusal, "description": "the record's state does not allow this now"},
    422: {"model": Refusal, "description": "the change fails its checks: every problem, each naming its field"},
}


class LineOut(BaseModel):
    line_number: int
    procedure_code: str
    modifiers: list[str]
    units: int
    diagnosis_pointers: list[int]
    charge: str
    date_of_service: datetime.date


class FindingOut(BaseModel):
    rule: str
    severity: str
    lines: list[int]
    message: str
    fix: str


class EditedClaimOut(BaseModel):
    """A claim as an edit leaves it: its lines and latest findings (the full claim: GET /api/v1/claims/{n})."""

    claim_number: str
    practice: str
    status: str
    frequency_code: str = Field(description="CLM05-3: 1 original, 7 replacement, 8 void")
    payer: str
    payer_claim_number: str | None
    replaces: str | None = Field(description="the claim a replacement or void is about")
    diagnoses: list[str]
    total_charge: str
    lines: list[LineOut]
    findings: list[FindingOut]

    @classmethod
    def of(cls, claim: ClaimView) -> EditedClaimOut:
        return cls(
            claim_number=claim.claim_number, practice=claim.practice, status=claim.status,
            frequency_code=claim.frequency_code, payer=claim.payer, payer_claim_number=claim.payer_claim_number,
            replaces=claim.replaces, diagnoses=list(claim.diagnoses), total_charge=claim.total_charge.plain(),
            lines=[LineOut(line_number=x.line_number, procedure_code=x.procedure_code, modifiers=list(x.modifiers),
                           units=x.units, diagnosis_pointers=list(x.diagnosis_pointers), charge=x.charge.plain(),
                           date_of_service=x.date_of_service) for x in claim.lines],
            findings=[FindingOut(rule=f.rule, severity=f.severity, lines=list(f.lines), message=f.message,
                                 fix=f.fix) for f in claim.findings])


class LineEdit(BaseModel):
    """The fields of the line to change; those left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    procedure_code: str | None = Field(None, max_length=20, examples=["11102"])
    modifiers: list[str] | None = Field(None, max_length=10, examples=[["59", "RT"]],
                                        description="the line's modifiers in order (replaces them all; [] none)")
    units: int | None = Field(None, examples=[1])
    diagnosis_pointers: list[int] | None = Field(None, max_length=12, examples=[[1, 2]],
                                                 description="1 to 4 pointers at the claim's diagnoses (1-based)")
    charge: Decimal | None = Field(None, examples=["150.00"], description="dollars and cents, more than 0")


class ScrubRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resubmit_unchanged: bool = Field(False, description="a rejected claim goes out again as it is (the fix was "
                                                        "outside it); needs the fix-queue permission; audited")


class SentOut(BaseModel):
    claim_number: str
    status: str
    file: str = Field(description="the 837P file written in the outbox")
    interchange_control_number: str
    connection: str | None = Field(description="the connection that delivers the file with the next submission "
                                               "run; none: written to the outbox only")


class CorrectionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    frequency: int | str = Field(description="7: a corrected (replacement) claim; 8: void the claim",
                                 examples=[7])
    reason: str = Field(max_length=2000, examples=["units on line 2 were 1, should be 2"])


class PatientOut(BaseModel):
    patient_id: int
    account_number: str
    practice: str
    last_name: str
    first_name: str
    date_of_birth: datetime.date


class PatientPage(BaseModel):
    patients: list[PatientOut]


class CoverageOut(BaseModel):
    coverage_id: int
    order: str
    payer: str = Field(description="the payer's ID (837P NM109 of 2010BB)")
    payer_name: str
    member_id: str
    group_number: str | None
    relationship_code: str
    subscriber_last_name: str | None
    subscriber_first_name: str | None
    subscriber_date_of_birth: datetime.date | None
    subscriber_sex: str | None
    effective_date: datetime.date
    termination_date: datetime.date | None


class PatientDetail(BaseModel):
    patient_id: int
    account_number: str
    practice: str
    last_name: str
    first_name: str
    middle_name: str | None
    date_of_birth: datetime.date
    sex: str
    address_line1: str
    address_line2: str | None
    city: str
    state: str
    zip_code: str
    phone: str | None
    email: str | None
    coverages: list[CoverageOut]

    @classmethod
    def of(cls, record: PatientRecord) -> PatientDetail:
        v = record.values
        return cls(
            patient_id=record.patient_id, account_number=record.account_number, practice=record.practice,
            last_name=v.last_name, first_name=v.first_name, middle_name=v.middle_name, date_of_birth=v.date_of_birth,
            sex=v.sex, address_line1=v.address_line1, address_line2=v.address_line2, city=v.city, state=v.state,
            zip_code=v.zip_code, phone=v.phone, email=v.email,
            coverages=[CoverageOut(
                coverage_id=c.coverage_id, order=c.order, payer=c.payer, payer_name=c.payer_name,
                member_id=c.values.member_id, group_number=c.values.group_number,
                relationship_code=c.values.relationship_code, subscriber_last_name=c.values.subscriber_last_name,
                subscriber_first_name=c.values.subscriber_first_name,
                subscriber_date_of_birth=c.values.subscriber_date_of_birth, subscriber_sex=c.values.subscriber_sex,
                effective_date=c.values.effective_date, termination_date=c.values.termination_date)
                for c in record.coverages])


class PatientEdit(BaseModel):
    """The demographics to change; those left out stay as they are (null clears an optional one)."""

    model_config = ConfigDict(extra="forbid")

    last_name: str | None = Field(None, max_length=200)
    first_name: str | None = Field(None, max_length=200)
    middle_name: str | None = Field(None, max_length=200)
    date_of_birth: datetime.date | None = None
    sex: str | None = Field(None, max_length=20, description="F, M or U")
    address_line1: str | None = Field(None, max_length=200)
    address_line2: str | None = Field(None, max_length=200)
    city: str | None = Field(None, max_length=200)
    state: str | None = Field(None, max_length=20)
    zip_code: str | None = Field(None, max_length=20)
    phone: str | None = Field(None, max_length=40)
    email: str | None = Field(None, max_length=300)


class CoverageEdit(BaseModel):
    """The coverage's fields to change; those left out stay as they are (null clears an optional one)."""

    model_config = ConfigDict(extra="forbid")

    payer: str | None = Field(None, max_length=80, description="the payer's ID, one of the billing company's")
    member_id: str | None = Field(None, max_length=200)
    group_number: str | None = Field(None, max_length=200)
    coverage_order: str | None = Field(None, max_length=20, description="primary, secondary or tertiary; the "
                                                                        "coverage that held it takes this one's")
    relationship_code: str | None = Field(None, max_length=4, description="18 self, 01 spouse, 19 child, "
                                                                          "20 employee, G8 other")
    subscriber_last_name: str | None = Field(None, max_length=200)
    subscriber_first_name: str | None = Field(None, max_length=200)
    subscriber_date_of_birth: datetime.date | None = None
    subscriber_sex: str | None = Field(None, max_length=20)
    effective_date: datetime.date | None = None
    termination_date: datetime.date | None = None


class RescrubbedOut(BaseModel):
    claim_number: str
    before: str
    after: str


class PatientChange(BaseModel):
    patient: PatientDetail
    before: dict[str, Any] = Field(description="the changed fields as they were")
    after: dict[str, Any] = Field(description="the changed fields as they are now")
    rescrubbed: list[RescrubbedOut] = Field(description="the patient's claims scrubbed again: a rejected claim "
                                                        "whose content changed leaves the fix queue")

    @classmethod
    def of(cls, outcome: PatientChangeOutcome) -> PatientChange:
        return cls(patient=PatientDetail.of(outcome.record), before=outcome.before, after=outcome.after,
                   rescrubbed=[RescrubbedOut(claim_number=c.claim_number, before=c.before, after=c.after)
                               for c in outcome.rescrubbed])


def refusal(exc: DermbillError) -> JSONResponse:
    """A service's refusal as the API answers it: 404, 409 or 422 (with the problems, each naming its field)."""
    if isinstance(exc, InvalidFields):
        return JSONResponse({"detail": exc.summary, "problems": [{"field": p.field, "message": p.message}
                                                                 for p in exc.problems]}, status_code=422)
    if isinstance(exc, NotFound):
        return JSONResponse({"detail": str(exc)}, status_code=404)
    if isinstance(exc, InvalidTransition):
        return JSONResponse({"detail": str(exc)}, status_code=409)
    if isinstance(exc, InvalidInput):
        return JSONResponse({"detail": str(exc), "problems": []}, status_code=422)
    return JSONResponse({"detail": "the database could not be used just now; nothing was saved. Try again"},
                        status_code=503)


def answer(call: Callable[[], T], render: Callable[[T], BaseModel]) -> BaseModel | Response:
    """Run one service call; render what it returns, or its refusal."""
    try:
        result = call()
    except DermbillError as exc:
        return refusal(exc)
    return render(result)


def _read(request: Request, call: Callable[[], T]) -> T:
    with origin(request):
        return call()


def database_of(request: Request) -> Database:
    database: Database = request.app.state.database()
    return database


def outbox_of(request: Request) -> Path:
    return Path(getattr(request.app.state, "outbox", None) or DEFAULT_OUTBOX)


def route_of(request: Request) -> Router | None:
    """The clearinghouse routes (practice, payer -> connection) of the configuration, when there is one."""
    configured = getattr(request.app.state, "clearinghouse", None)
    if configured is not None:
        route: Router = configured.route
        return route
    from dermbill.clearinghouse.config import read_config

    path = Path(load_settings().config_path)
    try:
        return read_config(path).route if path.is_file() else None
    except InvalidInput as exc:  # the server's setup, not the request: the claim cannot be sent until it is fixed
        raise InvalidTransition(f"claims cannot be sent: the clearinghouse configuration is not usable ({exc})") \
            from None


# The changes, as the API and the pages both make them: the permission checked (403), then one service call with
# the route as the audit's origin. They raise the service's DermbillError; each interface presents it its way.

def change_line(request: Request, user: User, claim_number: str, line_number: int, change: LineChange) -> ClaimView:
    permitted(user, Permission.EDIT_CLAIMS)
    with origin(request):
        return claim_editing.edit_claim_line(database_of(request), user.practice_ids, claim_number, line_number,
                                             change, actor=user.email, as_of=clock.today())


def scrub(request: Request, user: User, claim_number: str, *, unchanged: bool = False) -> ClaimView:
    permitted(user, Permission.SCRUB_CLAIMS)
    if unchanged:
        permitted(user, Permission.WORK_FIX_QUEUE)
    with origin(request):
        return claim_editing.scrub_claim(database_of(request), user.practice_ids, claim_number, actor=user.email,
                                         as_of=clock.today(), resubmit_unchanged=unchanged)


def send(request: Request, user: User, claim_number: str) -> SentClaim:
    permitted(user, Permission.SUBMIT_CLAIMS)
    with origin(request):
        return claim_editing.send_claim(database_of(request), user.practice_ids, claim_number,
                                        outbox=outbox_of(request), route=route_of(request), actor=user.email)


def correct(request: Request, user: User, claim_number: str, *, frequency: str, reason: str) -> ClaimView:
    permitted(user, Permission.CORRECT_CLAIMS)
    with origin(request):
        return claim_editing.correct_claim(database_of(request), user.practice_ids, claim_number,
                                           frequency=frequency, reason=reason, actor=user.email,
                                           as_of=clock.today())


def change_patient(request: Request, user: User, patient: str | int,
                   changes: Mapping[str, Any]) -> PatientChangeOutcome:
    permitted(user, Permission.EDIT_PATIENTS)
    with origin(request):
        return patients.edit_patient(database_of(request), user.practice_ids, patient, changes, actor=user.email,
                                     as_of=clock.today())


def change_coverage(request: Request, user: User, patient: str | int, order: str,
                    changes: Mapping[str, Any]) -> PatientChangeOutcome:
    permitted(user, Permission.EDIT_PATIENTS)
    with origin(request):
        return patients.edit_coverage(database_of(request), user.practice_ids, patient, order, changes,
                                      actor=user.email, as_of=clock.today())


def add_routes(api: APIRouter) -> None:
    """Add the routes to the API's router (``api.router()``): on it, not on a router of their own, so that each
    route's template, which the audit trail records, is the whole path (``PATCH /api/v1/patients/{patient}``)."""

    @api.patch("/claims/{claim_number}/lines/{line_number}", response_model=EditedClaimOut, responses=REFUSALS,
               summary="Change a line of a claim not yet adjudicated; the claim is scrubbed again")
    def edit_line(request: Request, claim_number: str, line_number: int, body: LineEdit, user: UserDep) -> Any:
        change = LineChange(body.procedure_code, None if body.modifiers is None else tuple(body.modifiers),
                            body.units, None if body.diagnosis_pointers is None else tuple(body.diagnosis_pointers),
                            body.charge)
        return answer(lambda: change_line(request, user, claim_number, line_number, change), EditedClaimOut.of)

    @api.post("/claims/{claim_number}/scrub", response_model=EditedClaimOut, responses=REFUSALS,
              summary="Scrub a claim: clean, it is ready for the next submission")
    def scrub_route(request: Request, claim_number: str, user: UserDep,
                    body: Annotated[ScrubRequest | None, Body()] = None) -> Any:
        unchanged = body is not None and body.resubmit_unchanged
        return answer(lambda: scrub(request, user, claim_number, unchanged=unchanged), EditedClaimOut.of)

    @api.post("/claims/{claim_number}/send", response_model=SentOut, responses=REFUSALS,
              summary="Write a ready claim's 837P now (delivered by the next submission run)")
    def send_route(request: Request, claim_number: str, user: UserDep) -> Any:
        return answer(lambda: send(request, user, claim_number), lambda sent: SentOut(
            claim_number=sent.claim_number, status=sent.status, file=sent.file_name,
            interchange_control_number=sent.interchange_control_number, connection=sent.connection))

    @api.post("/claims/{claim_number}/correct", response_model=EditedClaimOut, status_code=201, responses=REFUSALS,
              summary="A corrected claim (frequency 7) or a void (8) of an adjudicated claim; answers the new claim")
    def correct_route(request: Request, claim_number: str, body: CorrectionRequest, user: UserDep) -> Any:
        return answer(lambda: correct(request, user, claim_number, frequency=str(body.frequency),
                                      reason=body.reason), EditedClaimOut.of)

    @api.get("/patients", response_model=PatientPage, summary="Patients of the caller's practices: by account "
             "number, last name ('last, first') or date of birth (YYYY-MM-DD)")
    def find_patients(request: Request, user: UserDep, database: DatabaseDep,
                      q: Annotated[str, Query(max_length=100)] = "",
                      limit: Annotated[int, Query(ge=1, le=200)] = 50) -> Any:
        permitted(user, Permission.VIEW_PATIENTS)
        return answer(lambda: _read(request, lambda: patients.search_patients(
            database, user.practice_ids, q, actor=user.email, limit=limit)),
                      lambda found: PatientPage(patients=[PatientOut(
                          patient_id=p.patient_id, account_number=p.account_number, practice=p.practice,
                          last_name=p.last_name, first_name=p.first_name, date_of_birth=p.date_of_birth)
                          for p in found]))

    @api.get("/patients/{patient}", response_model=PatientDetail, responses=REFUSALS,
             summary="A patient (account number, PRACTICE:ACCOUNT or id) with every coverage")
    def get_patient(request: Request, patient: str, user: UserDep, database: DatabaseDep) -> Any:
        permitted(user, Permission.VIEW_PATIENTS)
        return answer(lambda: _read(request, lambda: patients.read_patient(database, user.practice_ids, patient,
                                                                            actor=user.email)), PatientDetail.of)

    @api.patch("/patients/{patient}", response_model=PatientChange, responses=REFUSALS,
               summary="Change a patient's demographics; the patient's unsent or rejected claims are scrubbed again")
    def edit_patient(request: Request, patient: str, body: PatientEdit, user: UserDep) -> Any:
        changes = body.model_dump(exclude_unset=True)
        return answer(lambda: change_patient(request, user, patient, changes), PatientChange.of)

    @api.patch("/patients/{patient}/coverage/{order}", response_model=PatientChange, responses=REFUSALS,
               summary="Change a coverage (primary, secondary, tertiary): member ID, payer, dates, order; its "
                       "rejected claims are scrubbed again and leave the fix queue once fixed")
    def edit_coverage(request: Request, patient: str, order: str, body: CoverageEdit, user: UserDep) -> Any:
        changes = body.model_dump(exclude_unset=True)
        return answer(lambda: change_coverage(request, user, patient, order, changes), PatientChange.of)
