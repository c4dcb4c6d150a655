"""The patient screens: find a patient (name, account number, member ID), see one with their insurance and claims,
and change their demographics or a coverage. The changes go through the same functions as the API's
(``web.api_edits``); a change that fails its checks shows the form again as typed, each message by its field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import Response

from dermbill.core.access import Permission, allowed
from dermbill.core.errors import DermbillError, InvalidInput, NotFound
from dermbill.core.patient_edits import COVERAGE_ORDERS, RELATIONSHIPS
from dermbill.services.claim_views import patient_claims
from dermbill.services.patients import (
    PatientChangeOutcome,
    PatientRecord,
    payer_choices,
    read_patient,
    search_patients,
)
from dermbill.services.web_sessions import LiveSession
from dermbill.web.api import origin
from dermbill.web.api_edits import change_coverage, change_patient
from dermbill.web.pages.common import Csrf, PageSession, database_of, page_permitted, render
from dermbill.web.pages.flash import flashed, forget, redirect_with
from dermbill.web.pages.forms import FormState, refused

PAGE_SIZE = 25
PATIENT_FORM = ("last_name", "first_name", "middle_name", "date_of_birth", "sex", "address_line1", "address_line2",
                "city", "state", "zip_code", "phone", "email")
COVERAGE_FORM = ("member_id", "payer", "group_number", "coverage_order", "effective_date", "termination_date")
LABELS = {"member_id": "member ID", "zip_code": "ZIP code", "address_line1": "address", "address_line2":
          "address line 2", "coverage_order": "order", "date_of_birth": "date of birth"}

Text = Annotated[str | None, Form()]


def _changes(typed: Mapping[str, str]) -> dict[str, str | None]:
    """The form's fields as a change: an emptied field is None (cleared, or "may not be empty" when required)."""
    return {name: value if value.strip() else None for name, value in typed.items()}


def _patient_form(record: PatientRecord) -> FormState:
    v = record.values
    return FormState({name: getattr(v, name) for name in PATIENT_FORM})


def _coverage_forms(record: PatientRecord) -> dict[str, FormState]:
    forms: dict[str, FormState] = {}
    for coverage in record.coverages:  # the one in force first (the service's order): the one the form changes
        if coverage.order not in forms:
            forms[coverage.order] = FormState({name: getattr(coverage.values, name) for name in COVERAGE_FORM})
    return forms


def _patient(patient_id: str) -> int:
    """The patient's id in the page's address (the pages link patients by id, never by account number)."""
    if not patient_id.isdigit() or len(patient_id) > 10:
        raise HTTPException(status_code=404, detail=f"no patient {patient_id[:40]} among your practices' patients")
    return int(patient_id)


def _read(request: Request, session: LiveSession, patient_id: str) -> PatientRecord:
    user = session.user
    try:
        with origin(request):
            return read_patient(database_of(request), user.practice_ids, _patient(patient_id), actor=user.email)
    except NotFound as missing:
        raise HTTPException(status_code=404, detail=str(missing)) from None
    except InvalidInput as unclear:
        raise HTTPException(status_code=404, detail=str(unclear)) from None


def _patient_page(request: Request, session: LiveSession, record: PatientRecord, *,
                  patient_form: FormState | None = None, coverage_forms: Mapping[str, FormState] | None = None,
                  message: str | None = None, status_code: int = 200) -> Response:
    user = session.user
    database = database_of(request)
    claims = None
    if allowed(user.roles, Permission.VIEW_CLAIMS):
        with origin(request):
            claims = patient_claims(database, user.practice_ids, record.patient_id, actor=user.email)
    forms = _coverage_forms(record)
    forms.update(coverage_forms or {})
    v = record.values
    response = render(request, "patient.html", {
        "title": f"{v.last_name}, {v.first_name}", "patient": record, "claims": claims,
        "can_edit": allowed(user.roles, Permission.EDIT_PATIENTS),
        "patient_form": patient_form or _patient_form(record),
        "coverage_forms": forms, "payers": payer_choices(database, user.practice_ids, actor=user.email),
        "orders": COVERAGE_ORDERS, "relationships": RELATIONSHIPS,
        "message": message if message is not None else flashed(request)}, session=session, status_code=status_code)
    return forget(response, request)


def _said(outcome: PatientChangeOutcome, what: str) -> str:
    """What a change did, for the page it returns to."""
    if not outcome.after:
        return f"Nothing changed: the {what} already said that."
    named = ", ".join(LABELS.get(name, name.replace("_", " ")) for name in outcome.after)
    parts = [f"Saved the {what}: {named} changed."]
    requeued = [c.claim_number for c in outcome.rescrubbed if c.before == "rejected" and c.after == "ready"]
    if requeued:
        parts.append(f"{len(requeued)} rejected claim(s) re-scrubbed and queued for the next submission: "
                     f"{', '.join(requeued)}.")
    others = [f"{c.claim_number} ({c.after.replace('_', ' ')})" for c in outcome.rescrubbed
              if c.claim_number not in requeued]
    if others:
        parts.append(f"Scrubbed again: {', '.join(others)}.")
    return " ".join(parts)


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/patients")
    def find(request: Request, session: PageSession, q: Annotated[str, Query(max_length=100)] = "",
             page: Annotated[int, Query(ge=1, le=10_000)] = 1) -> Response:
        user = session.user
        page_permitted(user, Permission.VIEW_PATIENTS)
        with origin(request):
            found = search_patients(database_of(request), user.practice_ids, q, actor=user.email,
                                    limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
        response = render(request, "patients.html", {
            "title": "Patients", "q": q, "page": page, "patients": found[:PAGE_SIZE],
            "more": len(found) > PAGE_SIZE, "message": flashed(request)}, session=session)
        return forget(response, request)

    @pages.get("/patients/{patient_id}")
    def patient(request: Request, patient_id: str, session: PageSession) -> Response:
        page_permitted(session.user, Permission.VIEW_PATIENTS)
        return _patient_page(request, session, _read(request, session, patient_id))

    @pages.post("/patients/{patient_id}")
    def edit(request: Request, patient_id: str, session: Csrf, last_name: Text = None, first_name: Text = None,
             middle_name: Text = None, date_of_birth: Text = None, sex: Text = None, address_line1: Text = None,
             address_line2: Text = None, city: Text = None, state: Text = None, zip_code: Text = None,
             phone: Text = None, email: Text = None) -> Response:
        page_permitted(session.user, Permission.EDIT_PATIENTS)
        typed = {name: value for name, value in zip(PATIENT_FORM, (
            last_name, first_name, middle_name, date_of_birth, sex, address_line1, address_line2, city, state,
            zip_code, phone, email), strict=True) if value is not None}
        try:
            outcome = change_patient(request, session.user, _patient(patient_id), _changes(typed))
        except NotFound as missing:
            raise HTTPException(status_code=404, detail=str(missing)) from None
        except InvalidInput as refusal:
            record = _read(request, session, patient_id)
            return _patient_page(request, session, record, status_code=422,
                                 patient_form=refused(typed, refusal, PATIENT_FORM, LABELS))
        except DermbillError as conflict:  # the record's state does not allow it now: said on the page
            record = _read(request, session, patient_id)
            return _patient_page(request, session, record, status_code=409, message=str(conflict),
                                 patient_form=FormState(typed))
        return redirect_with(request, f"/patients/{outcome.record.patient_id}", _said(outcome, "demographics"))

    @pages.post("/patients/{patient_id}/coverage/{order}")
    def edit_coverage(request: Request, patient_id: str, order: str, session: Csrf, member_id: Text = None,
                      payer: Text = None, group_number: Text = None, coverage_order: Text = None,
                      effective_date: Text = None, termination_date: Text = None) -> Response:
        page_permitted(session.user, Permission.EDIT_PATIENTS)
        typed = {name: value for name, value in zip(COVERAGE_FORM, (
            member_id, payer, group_number, coverage_order, effective_date, termination_date), strict=True)
            if value is not None}
        what = f"{order[:20]} coverage"
        try:
            outcome = change_coverage(request, session.user, _patient(patient_id), order[:20], _changes(typed))
        except NotFound as missing:
            raise HTTPException(status_code=404, detail=str(missing)) from None
        except InvalidInput as refusal:
            record = _read(request, session, patient_id)
            return _patient_page(request, session, record, status_code=422,
                                 coverage_forms={order: refused(typed, refusal, COVERAGE_FORM, LABELS)})
        except DermbillError as conflict:
            record = _read(request, session, patient_id)
            return _patient_page(request, session, record, status_code=409, message=str(conflict),
                                 coverage_forms={order: FormState(typed, general=[str(conflict)])})
        return redirect_with(request, f"/patients/{outcome.record.patient_id}", _said(outcome, what))

    return pages
