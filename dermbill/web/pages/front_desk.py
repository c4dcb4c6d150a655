"""The front desk's pages: the day's schedule with each visit's eligibility (its status, the answer's age, a flag
for a failure or no answer), booking and changing an appointment, and the eligibility work list, where a member ID
(or the name or birth date) is corrected and eligibility asked again, and a proposed coverage order change is
accepted or rejected.

- ``GET /front-desk/schedule?day=YYYY-MM-DD`` (today by default); ``POST /front-desk/appointments/{id}/eligibility``
  asks again for one visit;
- ``GET /front-desk/appointments/new?patient=ID``, ``POST /front-desk/appointments``;
  ``GET /front-desk/appointments/{id}/edit``, ``POST /front-desk/appointments/{id}``;
- ``GET /front-desk/eligibility``; ``POST /front-desk/eligibility/{item}/fix``, ``.../{item}/resolve``;
  ``POST /front-desk/eligibility/order-changes/{proposal}`` (``decision`` accept or reject).

Sending inquiries needs the clearinghouse connections (``$DERMBILL_CONFIG``, as ``dermbill eligibility run``).
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import Response

from dermbill import clock
from dermbill.clearinghouse.config import ClearinghouseConfig, read_config
from dermbill.core.access import Permission, allowed
from dermbill.core.eligibility import Outcome
from dermbill.core.errors import DermbillError, InvalidInput, NotFound
from dermbill.services.appointments import appointment_form, book_appointment, edit_appointment
from dermbill.services.eligibility import (
    RunSummary,
    decide_order_change,
    fix_and_recheck,
    recheck,
    resolve_problem,
    schedule,
    worklist,
)
from dermbill.services.web_sessions import LiveSession
from dermbill.settings import DEFAULT_INBOX, DEFAULT_OUTBOX, load_settings
from dermbill.web.api import origin
from dermbill.web.pages.common import Csrf, PageSession, database_of, page_permitted, render
from dermbill.web.pages.flash import flashed, forget, redirect_with
from dermbill.web.pages.forms import FormState, refused

SCHEDULE = "/front-desk/schedule"
WORK_LIST = "/front-desk/eligibility"
APPOINTMENT_FORM = ("start", "minutes", "provider_npi", "location", "visit_type", "planned_codes", "reason", "status")
LABELS = {"start": "start", "provider_npi": "provider", "planned_codes": "planned codes", "visit_type": "visit type"}
Text = Annotated[str | None, Form()]


def _config() -> ClearinghouseConfig | None:
    """The clearinghouse connections; None when none are configured (the services say so, after finding the
    record asked about)."""
    path = Path(load_settings().config_path)
    return read_config(path) if path.is_file() else None


def _folders(request: Request) -> tuple[Path, Path]:
    state = request.app.state
    return Path(getattr(state, "inbox", DEFAULT_INBOX)), Path(getattr(state, "outbox", DEFAULT_OUTBOX))


def _number(text: str, what: str) -> int:
    if not text.isdigit() or len(text) > 10:
        raise HTTPException(status_code=404, detail=f"no {what} {text[:20]}")
    return int(text)


def _day(text: str | None) -> datetime.date:
    if not text:
        return clock.today()
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise HTTPException(status_code=404, detail=f"'{text[:20]}' is not a day (YYYY-MM-DD)") from None


def _said(summary: RunSummary | None) -> str:
    """What asking again found, for the page it returns to."""
    if summary is None:
        return "Saved. There is no appointment to ask about: run eligibility from the schedule."
    if not summary.sent:
        return ("Nothing was sent: " + (summary.unrouted[0] if summary.unrouted else
                                        "the patient has no insurance to ask about") + ".")
    outcome = next(iter(summary.outcomes), "no_answer")
    label = Outcome(outcome).label
    return f"Eligibility asked again: {label}." + ("" if outcome == "active" else " See the work list for the fix.")


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get(SCHEDULE)
    def schedule_page(request: Request, session: PageSession,
                      day: Annotated[str | None, Query(max_length=10)] = None) -> Response:
        user = session.user
        page_permitted(user, Permission.VIEW_PATIENTS)
        shown = _day(day)
        with origin(request):
            visits = schedule(database_of(request), user.practice_ids, shown, actor=user.email)
        one = datetime.timedelta(days=1)
        response = render(request, "front_desk_schedule.html", {
            "title": f"Schedule {shown.isoformat()}", "day": shown, "previous": shown - one, "next": shown + one,
            "today": clock.today(), "visits": visits, "flagged": sum(v.eligibility.flagged for v in visits),
            "can_check": allowed(user.roles, Permission.CHECK_ELIGIBILITY),
            "can_book": allowed(user.roles, Permission.EDIT_PATIENTS),
            "can_check_in": allowed(user.roles, Permission.CHECK_IN), "message": flashed(request)},
            session=session)
        return forget(response, request)

    @pages.post("/front-desk/appointments/{appointment_id}/eligibility")
    def ask_again(request: Request, appointment_id: str, session: Csrf,
                  day: Annotated[str | None, Form()] = None) -> Response:
        user = session.user
        page_permitted(user, Permission.CHECK_ELIGIBILITY)
        inbox, outbox = _folders(request)
        back = f"{SCHEDULE}?day={_day(day).isoformat()}"
        try:
            with origin(request):
                summary = recheck(database_of(request), _config(), user.practice_ids,
                                  _number(appointment_id, "appointment"), inbox=inbox, outbox=outbox,
                                  actor=user.email)
        except NotFound as missing:
            raise HTTPException(status_code=404, detail=str(missing)) from None
        except DermbillError as refusal:
            return redirect_with(request, back, f"Eligibility was not asked: {refusal}")
        return redirect_with(request, back, _said(summary))

    @pages.get("/front-desk/appointments/new")
    def new_appointment(request: Request, session: PageSession,
                        patient: Annotated[str, Query(max_length=10)] = "") -> Response:
        user = session.user
        page_permitted(user, Permission.EDIT_PATIENTS)
        try:
            with origin(request):
                form = appointment_form(database_of(request), user.practice_ids, actor=user.email,
                                        patient_ref=_number(patient, "patient"))
        except NotFound as missing:
            raise HTTPException(status_code=404, detail=str(missing)) from None
        return _form_page(request, session, form, FormState(form.values), patient)

    @pages.post("/front-desk/appointments")
    def book(request: Request, session: Csrf, patient: Text = None, start: Text = None, minutes: Text = None,
             provider_npi: Text = None, location: Text = None, visit_type: Text = None, planned_codes: Text = None,
             reason: Text = None, status: Text = None) -> Response:
        user = session.user
        page_permitted(user, Permission.EDIT_PATIENTS)
        typed = _typed(start, minutes, provider_npi, location, visit_type, planned_codes, reason, status)
        patient_id = _number(patient or "", "patient")
        database = database_of(request)
        try:
            with origin(request):
                book_appointment(database, user.practice_ids, patient_id, typed, actor=user.email)
        except NotFound as missing:
            raise HTTPException(status_code=404, detail=str(missing)) from None
        except InvalidInput as refusal:
            with origin(request):
                form = appointment_form(database, user.practice_ids, actor=user.email, patient_ref=patient_id)
            return _form_page(request, session, form, refused(typed, refusal, APPOINTMENT_FORM, LABELS),
                              str(patient_id), status_code=422)
        day = (start or "")[:10]
        return redirect_with(request, f"{SCHEDULE}?day={day}" if _is_day(day) else SCHEDULE,
                             "Appointment booked.")

    @pages.get("/front-desk/appointments/{appointment_id}/edit")
    def change_form(request: Request, appointment_id: str, session: PageSession) -> Response:
        user = session.user
        page_permitted(user, Permission.EDIT_PATIENTS)
        try:
            with origin(request):
                form = appointment_form(database_of(request), user.practice_ids, actor=user.email,
                                        appointment_id=_number(appointment_id, "appointment"))
        except NotFound as missing:
            raise HTTPException(status_code=404, detail=str(missing)) from None
        return _form_page(request, session, form, FormState(form.values), None)

    @pages.post("/front-desk/appointments/{appointment_id}")
    def change(request: Request, appointment_id: str, session: Csrf, start: Text = None, minutes: Text = None,
               provider_npi: Text = None, location: Text = None, visit_type: Text = None, planned_codes: Text = None,
               reason: Text = None, status: Text = None) -> Response:
        user = session.user
        page_permitted(user, Permission.EDIT_PATIENTS)
        typed = _typed(start, minutes, provider_npi, location, visit_type, planned_codes, reason, status)
        number = _number(appointment_id, "appointment")
        database = database_of(request)
        try:
            with origin(request):
                edit_appointment(database, user.practice_ids, number, typed, actor=user.email)
        except NotFound as missing:
            raise HTTPException(status_code=404, detail=str(missing)) from None
        except InvalidInput as refusal:
            with origin(request):
                form = appointment_form(database, user.practice_ids, actor=user.email, appointment_id=number)
            return _form_page(request, session, form, refused(typed, refusal, APPOINTMENT_FORM, LABELS), None,
                              status_code=422)
        day = (start or "")[:10]
        return redirect_with(request, f"{SCHEDULE}?day={day}" if _is_day(day) else SCHEDULE, "Appointment saved.")

    @pages.get(WORK_LIST)
    def work_list(request: Request, session: PageSession) -> Response:
        user = session.user
        page_permitted(user, Permission.CHECK_ELIGIBILITY)
        with origin(request):
            found = worklist(database_of(request), user.practice_ids, actor=user.email)
        response = render(request, "front_desk_eligibility.html", {
            "title": "Eligibility work list", "found": found, "message": flashed(request),
            "can_edit": allowed(user.roles, Permission.EDIT_PATIENTS)}, session=session)
        return forget(response, request)

    @pages.post(WORK_LIST + "/{problem_id}/fix")
    def fix(request: Request, problem_id: str, session: Csrf, member_id: Text = None, last_name: Text = None,
            first_name: Text = None, date_of_birth: Text = None) -> Response:
        user = session.user
        page_permitted(user, Permission.CHECK_ELIGIBILITY)
        page_permitted(user, Permission.EDIT_PATIENTS)
        inbox, outbox = _folders(request)
        changes = {"member_id": member_id, "last_name": last_name, "first_name": first_name,
                   "date_of_birth": date_of_birth}
        try:
            with origin(request):
                summary = fix_and_recheck(database_of(request), _config(), user.practice_ids,
                                          _number(problem_id, "work-list item"), changes, inbox=inbox, outbox=outbox,
                                          actor=user.email, as_of=clock.today())
        except NotFound as missing:
            raise HTTPException(status_code=404, detail=str(missing)) from None
        except DermbillError as refusal:
            return redirect_with(request, f"{WORK_LIST}#item-{problem_id}", f"Not saved: {refusal}")
        return redirect_with(request, WORK_LIST, _said(summary))

    @pages.post(WORK_LIST + "/{problem_id}/resolve")
    def resolve(request: Request, problem_id: str, session: Csrf, resolution: Text = None) -> Response:
        user = session.user
        page_permitted(user, Permission.CHECK_ELIGIBILITY)
        try:
            with origin(request):
                resolve_problem(database_of(request), user.practice_ids, _number(problem_id, "work-list item"),
                                resolution or "", actor=user.email)
        except NotFound as missing:
            raise HTTPException(status_code=404, detail=str(missing)) from None
        except DermbillError as refusal:
            return redirect_with(request, f"{WORK_LIST}#item-{problem_id}", f"Not resolved: {refusal}")
        return redirect_with(request, WORK_LIST, "Marked resolved.")

    @pages.post(WORK_LIST + "/order-changes/{proposal_id}")
    def decide(request: Request, proposal_id: str, session: Csrf, decision: Text = None) -> Response:
        user = session.user
        page_permitted(user, Permission.EDIT_PATIENTS)
        try:
            with origin(request):
                said = decide_order_change(database_of(request), user.practice_ids,
                                           _number(proposal_id, "order change"), decision=decision or "",
                                           actor=user.email, as_of=clock.today())
        except NotFound as missing:
            raise HTTPException(status_code=404, detail=str(missing)) from None
        except DermbillError as refusal:
            return redirect_with(request, WORK_LIST, f"Not done: {refusal}")
        return redirect_with(request, WORK_LIST, said)

    return pages


def _typed(start: str | None, minutes: str | None, provider_npi: str | None, location: str | None,
           visit_type: str | None, planned_codes: str | None, reason: str | None,
           status: str | None) -> dict[str, str]:
    values = (start, minutes, provider_npi, location, visit_type, planned_codes, reason, status)
    return {name: value for name, value in zip(APPOINTMENT_FORM, values, strict=True) if value is not None}


def _is_day(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _form_page(request: Request, session: LiveSession, form: object, state: FormState, patient: str | None, *,
               status_code: int = 200) -> Response:
    return render(request, "front_desk_appointment.html", {
        "title": "Appointment", "form": form, "state": state, "patient": patient,
        "statuses": ("booked", "cancelled", "no_show", "arrived", "completed")}, session=session,
        status_code=status_code)
