"""Check-in at the front desk: the day's appointments, and one appointment's checklist (each item's state, who
ticked it and when), the patient's cost estimate with its assumptions, the ABN and Good Faith Estimate PDFs, a
referral or authorization recorded, and the copay collected with its receipt.

Each handler parses, calls one service with the user's practices and renders: an appointment of another practice
is 404; a refused change shows the page again with the problems by field (422); a change redirects with what it did.
Permissions: CHECK_IN for the checklist and documents, COLLECT_PATIENT_PAYMENTS for the copay and its receipt.
"""

from __future__ import annotations

import datetime
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import Response

from dermbill.clock import today
from dermbill.core.access import Permission, allowed
from dermbill.core.check_in import MARKABLE, AuthorizationKind, State, looks_like_card_number
from dermbill.core.errors import InvalidFields, InvalidInput, NotFound
from dermbill.db.models import PAYMENT_METHODS
from dermbill.services.check_in import (
    CheckIn,
    ReceiptView,
    advance_beneficiary_notice,
    appointments_on,
    collect_copay,
    good_faith_estimate,
    mark_item,
    new_receipt_number,
    read_check_in,
    read_receipt,
    receipt_document,
    receipt_number,
    record_authorization,
)
from dermbill.services.web_sessions import LiveSession
from dermbill.web.api import origin
from dermbill.web.pages.common import Csrf, PageSession, database_of, page_permitted, render
from dermbill.web.pages.flash import flashed, forget, redirect_with
from dermbill.web.pages.forms import FormState, refused

Text = Annotated[str, Form(max_length=200)]
AUTHORIZATION_FORM = ("kind", "number", "codes", "valid_from", "valid_to")
COPAY_FORM = ("amount", "method", "reference")
MARK_FORM = ("note",)
STATE_CLASS = {State.DONE: "done", State.TO_DO: "to-do", State.ATTENTION: "attention", State.NOT_NEEDED: "not-needed"}


def _id(text: str, what: str) -> int:
    if not text.isdigit() or len(text) > 10:
        raise HTTPException(status_code=404, detail=f"no {what} {text[:40]} among your practices'")
    return int(text)


def _path(appointment_id: int) -> str:
    return f"/front-desk/appointments/{appointment_id}/check-in"


def _pdf(name: str, content: bytes) -> Response:
    # The names are made of the record's number and a date: [A-Za-z0-9-.] only, safe in the header as they are.
    return Response(content, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


def _copay_form(view: CheckIn) -> FormState:
    left = None
    if view.copay_due is not None and view.copay_due.cents > view.collected.cents:
        left = f"{(view.copay_due - view.collected).plain()}"
    return FormState({"amount": left or "", "method": "cash", "reference": new_receipt_number(view.appointment_id)})


def _page(request: Request, session: LiveSession, appointment_id: int, *, forms: dict[str, FormState] | None = None,
          message: str | None = None, status_code: int = 200) -> Response:
    user = session.user
    try:
        with origin(request):
            view = read_check_in(database_of(request), user.practice_ids, appointment_id, actor=user.email)
    except NotFound as missing:
        raise HTTPException(status_code=404, detail=str(missing)) from None
    shown = {"authorization": FormState({"kind": "prior_authorization" if view.needs and any(
        n.kind is AuthorizationKind.PRIOR_AUTHORIZATION for n in view.needs) else "referral",
        "codes": " ".join(n.code for n in view.needs if n.code)}), "copay": _copay_form(view)}
    shown.update(forms or {})
    response = render(request, "check_in.html", {
        "title": f"Check-in: {view.patient_name}", "view": view, "forms": shown, "state_class": STATE_CLASS,
        "markable": MARKABLE, "kinds": list(AuthorizationKind), "methods": PAYMENT_METHODS,
        "can_collect": allowed(user.roles, Permission.COLLECT_PATIENT_PAYMENTS),
        "message": message if message is not None else flashed(request)}, session=session, status_code=status_code)
    return forget(response, request)


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/front-desk/check-in")
    def day_list(request: Request, session: PageSession,
                 day: Annotated[str, Query(max_length=10)] = "") -> Response:
        user = session.user
        page_permitted(user, Permission.CHECK_IN)
        problem = None
        try:
            shown = datetime.date.fromisoformat(day) if day else today()
        except ValueError:
            shown, problem = today(), f"'{day}' is not a date (use YYYY-MM-DD): showing today"
        with origin(request):
            found = appointments_on(database_of(request), user.practice_ids, shown, actor=user.email)
        return render(request, "check_in_day.html", {
            "title": "Check-in", "day": shown, "appointments": found, "problem": problem,
            "previous": shown - datetime.timedelta(days=1), "next": shown + datetime.timedelta(days=1)},
            session=session)

    @pages.get("/front-desk/appointments/{appointment_id}/check-in")
    def check_in(request: Request, appointment_id: str, session: PageSession) -> Response:
        page_permitted(session.user, Permission.CHECK_IN)
        return _page(request, session, _id(appointment_id, "appointment"))

    @pages.post("/front-desk/appointments/{appointment_id}/check-in/marks")
    def mark(request: Request, appointment_id: str, session: Csrf, item: Text = "", note: Text = "") -> Response:
        user = session.user
        page_permitted(user, Permission.CHECK_IN)
        number = _id(appointment_id, "appointment")
        try:
            with origin(request):
                mark_item(database_of(request), user.practice_ids, number, item, note, actor=user.email)
        except NotFound as missing:
            raise HTTPException(status_code=404, detail=str(missing)) from None
        except InvalidInput as refusal:
            return _page(request, session, number, status_code=422,
                         forms={f"mark-{item[:20]}": refused({"note": note}, refusal, MARK_FORM)})
        return redirect_with(request, _path(number) + f"#item-{item}", f"Checked: {item.replace('_', ' ')}.")

    @pages.post("/front-desk/appointments/{appointment_id}/check-in/authorizations")
    def authorization(request: Request, appointment_id: str, session: Csrf, kind: Text = "", number: Text = "",
                      codes: Text = "", valid_from: Text = "", valid_to: Text = "") -> Response:
        user = session.user
        page_permitted(user, Permission.CHECK_IN)
        appointment = _id(appointment_id, "appointment")
        typed = dict(zip(AUTHORIZATION_FORM, (kind, number, codes, valid_from, valid_to), strict=True))
        try:
            with origin(request):
                record_authorization(database_of(request), user.practice_ids, appointment, kind=kind, number=number,
                                     codes=codes, valid_from=valid_from, valid_to=valid_to, actor=user.email)
        except NotFound as missing:
            raise HTTPException(status_code=404, detail=str(missing)) from None
        except InvalidInput as refusal:
            return _page(request, session, appointment, status_code=422,
                         forms={"authorization": refused(typed, refusal, AUTHORIZATION_FORM)})
        label = "Referral" if kind == "referral" else "Prior authorization"
        return redirect_with(request, _path(appointment) + "#authorization", f"{label} {number.strip()} on file.")

    @pages.post("/front-desk/appointments/{appointment_id}/check-in/copay")
    def copay(request: Request, appointment_id: str, session: Csrf, amount: Text = "", method: Text = "",
              reference: Text = "") -> Response:
        user = session.user
        page_permitted(user, Permission.COLLECT_PATIENT_PAYMENTS)
        appointment = _id(appointment_id, "appointment")
        # A card number typed by mistake is never shown back (nor stored): the field comes back empty.
        typed = dict(zip(COPAY_FORM, (amount, method, "" if looks_like_card_number(reference) else reference),
                         strict=True))
        try:
            with origin(request):
                paid = collect_copay(database_of(request), user.practice_ids, appointment, amount=amount,
                                     method=method, reference=reference, actor=user.email)
        except NotFound as missing:
            raise HTTPException(status_code=404, detail=str(missing)) from None
        except InvalidFields as refusal:
            return _page(request, session, appointment, status_code=422,
                         forms={"copay": refused(typed, refusal, COPAY_FORM)})
        number = receipt_number(paid.receipt_id)
        said = (f"${paid.amount} recorded: receipt {number}." if paid.posted else
                f"This payment was already recorded (receipt {number}); nothing was posted again.")
        return redirect_with(request, f"/front-desk/receipts/{paid.receipt_id}", said)

    @pages.get("/front-desk/appointments/{appointment_id}/abn.pdf")
    def abn(request: Request, appointment_id: str, session: PageSession) -> Response:
        user = session.user
        page_permitted(user, Permission.CHECK_IN)
        number = _id(appointment_id, "appointment")
        try:
            with origin(request):
                return _pdf(*advance_beneficiary_notice(database_of(request), user.practice_ids, number,
                                                        actor=user.email, today=today()))
        except NotFound as missing:
            raise HTTPException(status_code=404, detail=str(missing)) from None
        except InvalidInput as refusal:
            return _page(request, session, number, message=str(refusal), status_code=409)

    @pages.get("/front-desk/appointments/{appointment_id}/good-faith-estimate.pdf")
    def gfe(request: Request, appointment_id: str, session: PageSession) -> Response:
        user = session.user
        page_permitted(user, Permission.CHECK_IN)
        number = _id(appointment_id, "appointment")
        try:
            with origin(request):
                return _pdf(*good_faith_estimate(database_of(request), user.practice_ids, number, actor=user.email,
                                                 today=today()))
        except NotFound as missing:
            raise HTTPException(status_code=404, detail=str(missing)) from None
        except InvalidInput as refusal:
            return _page(request, session, number, message=str(refusal), status_code=409)

    def _receipt(request: Request, receipt_id: str, session: LiveSession) -> ReceiptView:
        """The receipt, read (and audited) for a user who may collect payments; 404 outside their practices."""
        user = session.user
        page_permitted(user, Permission.COLLECT_PATIENT_PAYMENTS)
        try:
            with origin(request):
                return read_receipt(database_of(request), user.practice_ids, _id(receipt_id, "receipt"),
                                    actor=user.email)
        except NotFound as missing:
            raise HTTPException(status_code=404, detail=str(missing)) from None

    @pages.get("/front-desk/receipts/{receipt_id}")
    def receipt(request: Request, receipt_id: str, session: PageSession) -> Response:
        view = _receipt(request, receipt_id, session)
        response = render(request, "check_in_receipt.html", {
            "title": f"Receipt {view.receipt.receipt_number}", "view": view, "receipt_id": receipt_id,
            "message": flashed(request)}, session=session)
        return forget(response, request)

    @pages.get("/front-desk/receipts/{receipt_id}/receipt.pdf")
    def receipt_pdf(request: Request, receipt_id: str, session: PageSession) -> Response:
        return _pdf(*receipt_document(_receipt(request, receipt_id, session)))

    return pages
