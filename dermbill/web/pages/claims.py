"""The claim screens: a claim in full, and the changes made on it: a line edited, the claim scrubbed again, sent,
corrected or voided. The changes go through the same functions as the API's (``web.api_edits``); each shows only
when the user's roles and the claim's state allow it. A change the claim's state does not allow (409) is said on
the claim page; a line that fails its checks comes back as typed with each message by its field (422)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Protocol, TypeVar

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from dermbill.core.access import Permission, allowed
from dermbill.core.claim_edits import EDITABLE, LineChange
from dermbill.core.claims import ADJUDICATED, ClaimStatus
from dermbill.core.errors import DermbillError, InvalidInput, NotFound
from dermbill.services.claim_detail import ClaimDetail, claim_detail, sections_for
from dermbill.services.scrubbing import SCRUBBABLE
from dermbill.services.users import User
from dermbill.services.web_sessions import LiveSession
from dermbill.web.api import origin
from dermbill.web.api_edits import change_line, correct, scrub, send
from dermbill.web.pages.common import Csrf, PageSession, database_of, page_permitted, render
from dermbill.web.pages.flash import flashed, forget, redirect_with
from dermbill.web.pages.forms import FormState, refused

NUMBER_LENGTH = 40
LINE_FORM = ("procedure_code", "modifiers", "units", "diagnosis_pointers", "charge")

Text = Annotated[str | None, Form()]


@dataclass(frozen=True, slots=True)
class ClaimActions:
    """What this user may do to this claim now (the roles' permissions and the claim's state both allow it)."""

    edit_lines: bool
    scrub: bool
    send: bool
    correct: bool

    @property
    def any(self) -> bool:
        return self.scrub or self.send or self.correct


def actions_for(user: User, claim: ClaimDetail) -> ClaimActions:
    status = ClaimStatus(claim.summary.status)
    void = claim.frequency_code == "8"
    return ClaimActions(
        edit_lines=allowed(user.roles, Permission.EDIT_CLAIMS) and status in EDITABLE and not void,
        scrub=allowed(user.roles, Permission.SCRUB_CLAIMS) and status.value in SCRUBBABLE,
        send=allowed(user.roles, Permission.SUBMIT_CLAIMS) and status is ClaimStatus.READY,
        correct=allowed(user.roles, Permission.CORRECT_CLAIMS) and status in ADJUDICATED and not void
        and bool(claim.payer_claim_number))


def _detail(request: Request, user: User, claim_number: str) -> ClaimDetail:
    page_permitted(user, Permission.VIEW_CLAIMS)
    number = claim_number[:NUMBER_LENGTH]
    with origin(request):
        detail = claim_detail(database_of(request), user.practice_ids, number, actor=user.email,
                              sections=sections_for(user.roles))
    if detail is None:
        raise HTTPException(status_code=404, detail=f"no claim {number} among your practices' claims")
    return detail


def _line_form(claim: ClaimDetail, line_number: int) -> FormState:
    line = next((x for x in claim.lines if x.line_number == line_number), None)
    if line is None:
        raise HTTPException(status_code=404, detail=f"claim {claim.claim_number} has no line {line_number}")
    pointers = [str(claim.diagnosis_codes.index(code) + 1) for code in line.diagnoses
                if code in claim.diagnosis_codes]
    return FormState({"procedure_code": line.procedure_code, "modifiers": " ".join(line.modifiers),
                      "units": line.units, "diagnosis_pointers": " ".join(pointers), "charge": line.charge.plain()})


def _claim_page(request: Request, session: LiveSession, claim: ClaimDetail, *, editing: int | None = None,
                line_form: FormState | None = None, message: str | None = None, problem: str | None = None,
                status_code: int = 200) -> Response:
    actions = actions_for(session.user, claim)
    if editing not in {line.line_number for line in claim.lines}:
        editing = None  # ?edit= of no line: the page as it is
    if editing is not None and actions.edit_lines and line_form is None:
        line_form = _line_form(claim, editing)
    response = render(request, "claim_detail.html", {
        "title": f"Claim {claim.claim_number}", "claim": claim, "actions": actions,
        "editing": editing if actions.edit_lines else None, "line_form": line_form, "problem": problem,
        "message": message if message is not None else flashed(request)}, session=session, status_code=status_code)
    return forget(response, request)


def _split(text: str | None) -> tuple[str, ...] | None:
    """A list typed in one field: "59 RT" or "59, RT"."""
    return None if text is None else tuple(part for part in re.split(r"[\s,]+", text.strip()) if part)


def _claim_path(number: str) -> str:
    return f"/claims/{number}"


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/claims/{claim_number}")
    def claim(request: Request, claim_number: str, session: PageSession, edit: str | None = None) -> Response:
        editing = int(edit) if edit and edit.isdigit() and len(edit) < 5 else None
        return _claim_page(request, session, _detail(request, session.user, claim_number), editing=editing)

    @pages.get("/claims/{claim_number}/lines/{line_number}/edit")
    def line_editor(request: Request, claim_number: str, line_number: int, session: PageSession) -> Response:
        """The line as a form: the row alone for htmx (it swaps the row), else the page with the row open."""
        detail = _detail(request, session.user, claim_number)
        page_permitted(session.user, Permission.EDIT_CLAIMS)
        form = _line_form(detail, line_number)
        if not actions_for(session.user, detail).edit_lines:
            return RedirectResponse(_claim_path(detail.claim_number), status_code=303)
        if request.headers.get("hx-request") != "true":
            return RedirectResponse(f"{_claim_path(detail.claim_number)}?edit={line_number}#line-{line_number}",
                                    status_code=303)
        line = next(x for x in detail.lines if x.line_number == line_number)
        return render(request, "claim_line_edit.html", {"claim": detail, "line": line, "line_form": form},
                      session=session)

    @pages.post("/claims/{claim_number}/lines/{line_number}")
    def edit_line(request: Request, claim_number: str, line_number: int, session: Csrf,
                  procedure_code: Text = None, modifiers: Text = None, units: Text = None,
                  diagnosis_pointers: Text = None, charge: Text = None) -> Response:
        user = session.user
        page_permitted(user, Permission.EDIT_CLAIMS)
        typed = {name: value for name, value in zip(LINE_FORM, (procedure_code, modifiers, units,
                                                                diagnosis_pointers, charge), strict=True)
                 if value is not None}
        change = LineChange(procedure_code, _split(modifiers), units, _split(diagnosis_pointers), charge)
        try:
            view = change_line(request, user, claim_number[:NUMBER_LENGTH], line_number, change)
        except NotFound as missing:
            raise HTTPException(status_code=404, detail=str(missing)) from None
        except InvalidInput as refusal:
            detail = _detail(request, user, claim_number)
            return _claim_page(request, session, detail, editing=line_number, status_code=422,
                               line_form=refused(typed, refusal, LINE_FORM))
        except DermbillError as conflict:
            return _claim_page(request, session, _detail(request, user, claim_number), problem=str(conflict),
                               status_code=409)
        return redirect_with(request, _claim_path(view.claim_number),
                             f"Line {line_number} saved; the claim is {view.status.replace('_', ' ')}.")

    @pages.post("/claims/{claim_number}/scrub")
    def scrub_page(request: Request, claim_number: str, session: Csrf) -> Response:
        number = claim_number[:NUMBER_LENGTH]
        return _act(request, session, number, lambda: scrub(request, session.user, number),
                    lambda view: f"Scrubbed again: the claim is {view.status.replace('_', ' ')}"
                                 f"{'; it goes out with the next submission' if view.status == 'ready' else ''}.")

    @pages.post("/claims/{claim_number}/send")
    def send_page(request: Request, claim_number: str, session: Csrf) -> Response:
        number = claim_number[:NUMBER_LENGTH]
        return _act(request, session, number, lambda: send(request, session.user, number),
                    lambda sent: f"Sent: the claim is {sent.status}; its 837P is {sent.file_name} (interchange "
                                 f"{sent.interchange_control_number}), delivered "
                                 f"{'to ' + sent.connection + ' ' if sent.connection else ''}with the next "
                                 "submission run.")

    @pages.post("/claims/{claim_number}/correct")
    def correct_page(request: Request, claim_number: str, session: Csrf, frequency: Text = None,
                     reason: Text = None) -> Response:
        page_permitted(session.user, Permission.CORRECT_CLAIMS)
        try:
            view = correct(request, session.user, claim_number[:NUMBER_LENGTH], frequency=(frequency or "").strip(),
                           reason=reason or "")
        except NotFound as missing:
            raise HTTPException(status_code=404, detail=str(missing)) from None
        except DermbillError as refusal:
            return _claim_page(request, session, _detail(request, session.user, claim_number), problem=str(refusal),
                               status_code=422 if isinstance(refusal, InvalidInput) else 409)
        what = "Void" if view.frequency_code == "8" else "Corrected claim"
        return redirect_with(request, _claim_path(view.claim_number),
                             f"{what} {view.claim_number} made for claim {view.replaces}; it is "
                             f"{view.status.replace('_', ' ')}.")

    return pages


class _Done(Protocol):
    @property
    def claim_number(self) -> str: ...


Done = TypeVar("Done", bound=_Done)


def _act(request: Request, session: LiveSession, claim_number: str, call: Callable[[], Done],
         said: Callable[[Done], str]) -> Response:
    """Run a change on the claim and go back to it with what happened, or show why it could not be made."""
    try:
        done = call()
    except NotFound as missing:
        raise HTTPException(status_code=404, detail=str(missing)) from None
    except DermbillError as refusal:
        return _claim_page(request, session, _detail(request, session.user, claim_number), problem=str(refusal),
                           status_code=422 if isinstance(refusal, InvalidInput) else 409)
    return redirect_with(request, _claim_path(done.claim_number), said(done))
