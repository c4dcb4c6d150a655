"""FHIR R4 reads and searches under ``/fhir/R4``: Patient, Coverage, Claim, ClaimResponse and
ExplanationOfBenefit, by id (``/fhir/R4/Claim/40``) and by ``patient=`` and ``date=`` (``ge``/``le`` prefixes,
the dates of service) as searchset Bundles, in ``application/fhir+json``.

The same bearer token, practice scoping and PHI audit as every ``/api/v1`` route: another practice's record is
404; a role without the permission (view_patients for Patient and Coverage, view_claims for Claim,
view_remittances for ClaimResponse and ExplanationOfBenefit) is 403. Errors are OperationOutcome resources.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response

from dermbill.clock import utc_now
from dermbill.core.access import Permission
from dermbill.core.errors import InvalidInput, NotFound
from dermbill.fhir.validation import dumps
from dermbill.services.fhir_export import parse_date_filter, read_resource, search
from dermbill.web.api import DatabaseDep, UserDep, origin, permitted

PREFIX = "/fhir/R4"
MEDIA_TYPE = "application/fhir+json"
PERMISSIONS = {
    "Patient": Permission.VIEW_PATIENTS, "Coverage": Permission.VIEW_PATIENTS, "Claim": Permission.VIEW_CLAIMS,
    "ClaimResponse": Permission.VIEW_REMITTANCES, "ExplanationOfBenefit": Permission.VIEW_REMITTANCES,
}
ISSUE_CODES = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found", 405: "not-supported",
               422: "invalid"}
FHIR_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {MEDIA_TYPE: {"schema": {"type": "object"}}}, "description": "A FHIR R4 resource"}}
# At module level: the endpoints' annotations are strings, resolved in this module's namespace.
PatientParam = Annotated[str | None, Query(description="The patient's id (12 or Patient/12)", max_length=60)]
DateParam = Annotated[list[str] | None, Query(description="Dates of service: ge2026-03-01, le2026-03-31, or a day "
                                                          "(repeat for a range)")]


def operation_outcome(status: int, message: str) -> dict[str, Any]:
    """An error as FHIR says it: an OperationOutcome with one issue."""
    return {"resourceType": "OperationOutcome", "issue": [{
        "severity": "error" if status < 500 else "fatal", "code": ISSUE_CODES.get(status, "exception"),
        "diagnostics": message}]}


def fhir_response(resource: dict[str, Any], status: int = 200) -> Response:
    return Response(dumps(resource, indent=None), status_code=status, media_type=MEDIA_TYPE)


def _base(request: Request) -> str:
    return f"{str(request.base_url).rstrip('/')}{PREFIX}"


def router() -> APIRouter:
    api = APIRouter(prefix=PREFIX, tags=["fhir"])

    def read(request: Request, user: Any, database: Any, resource_type: str, resource_id: str) -> Response:
        permitted(user, PERMISSIONS[resource_type])
        with origin(request):
            try:
                resource = read_resource(database, user.practice_ids, resource_type, resource_id[:64],
                                         actor=user.email)
            except NotFound as missing:
                raise HTTPException(status_code=404, detail=str(missing)) from None
        return fhir_response(resource)

    def find(request: Request, user: Any, database: Any, resource_type: str, patient: str | None,
             date: list[str] | None) -> Response:
        permitted(user, PERMISSIONS[resource_type])
        try:
            dates = parse_date_filter([d[:40] for d in date or []])
            with origin(request):
                bundle = search(database, user.practice_ids, resource_type, actor=user.email, base=_base(request),
                                now=utc_now(), patient=patient[:40] if patient is not None else None, dates=dates)
        except InvalidInput as refused:
            raise HTTPException(status_code=400, detail=str(refused)) from None
        return fhir_response(bundle)

    @api.get("/Patient/{patient_id}", summary="A Patient", response_class=Response, responses=FHIR_RESPONSE)
    def read_patient(request: Request, patient_id: str, user: UserDep, database: DatabaseDep) -> Response:
        return read(request, user, database, "Patient", patient_id)

    @api.get("/Patient", summary="Patients (patient=, date=: seen on those dates of service)",
             response_class=Response, responses=FHIR_RESPONSE)
    def search_patients(request: Request, user: UserDep, database: DatabaseDep, patient: PatientParam = None,
                        date: DateParam = None) -> Response:
        return find(request, user, database, "Patient", patient, date)

    @api.get("/Coverage/{coverage_id}", summary="A Coverage", response_class=Response, responses=FHIR_RESPONSE)
    def read_coverage(request: Request, coverage_id: str, user: UserDep, database: DatabaseDep) -> Response:
        return read(request, user, database, "Coverage", coverage_id)

    @api.get("/Coverage", summary="Coverages (patient=, date=: in force on some of those days)",
             response_class=Response, responses=FHIR_RESPONSE)
    def search_coverages(request: Request, user: UserDep, database: DatabaseDep, patient: PatientParam = None,
                         date: DateParam = None) -> Response:
        return find(request, user, database, "Coverage", patient, date)

    @api.get("/Claim/{claim_id}", summary="A Claim", response_class=Response, responses=FHIR_RESPONSE)
    def read_claim(request: Request, claim_id: str, user: UserDep, database: DatabaseDep) -> Response:
        return read(request, user, database, "Claim", claim_id)

    @api.get("/Claim", summary="Claims (patient=, date=: dates of service)", response_class=Response,
             responses=FHIR_RESPONSE)
    def search_claims(request: Request, user: UserDep, database: DatabaseDep, patient: PatientParam = None,
                      date: DateParam = None) -> Response:
        return find(request, user, database, "Claim", patient, date)

    @api.get("/ClaimResponse/{claim_response_id}", summary="A ClaimResponse (CLAIM-REMITTANCE)",
             response_class=Response, responses=FHIR_RESPONSE)
    def read_claim_response(request: Request, claim_response_id: str, user: UserDep,
                            database: DatabaseDep) -> Response:
        return read(request, user, database, "ClaimResponse", claim_response_id)

    @api.get("/ClaimResponse", summary="ClaimResponses (patient=, date=: dates of service)",
             response_class=Response, responses=FHIR_RESPONSE)
    def search_claim_responses(request: Request, user: UserDep, database: DatabaseDep, patient: PatientParam = None,
                               date: DateParam = None) -> Response:
        return find(request, user, database, "ClaimResponse", patient, date)

    @api.get("/ExplanationOfBenefit/{eob_id}", summary="An ExplanationOfBenefit (CLAIM-REMITTANCE)",
             response_class=Response, responses=FHIR_RESPONSE)
    def read_eob(request: Request, eob_id: str, user: UserDep, database: DatabaseDep) -> Response:
        return read(request, user, database, "ExplanationOfBenefit", eob_id)

    @api.get("/ExplanationOfBenefit", summary="ExplanationOfBenefits (patient=, date=: dates of service)",
             response_class=Response, responses=FHIR_RESPONSE)
    def search_eobs(request: Request, user: UserDep, database: DatabaseDep, patient: PatientParam = None,
                    date: DateParam = None) -> Response:
        return find(request, user, database, "ExplanationOfBenefit", patient, date)

    return api
