"""The work queues and the audit log as pages: the fix queue, the denial queue and a work item with its actions
(assign, note, snooze, resolve, correct, appeal), the appeal letter, and the audit log with its CSV export.

The pages call what the API calls (``web.api_queues``: the permission, the service within the user's practices,
the models the templates render); only the presentation differs. An action that works redirects (303) back to
the item with a sentence saying what it did; a value that cannot be used re-renders the item (422) with the
message next to its field; an action the item's state forbids re-renders it (409) saying why. Another
practice's item answers 404, a role without the permission 403. Reads and changes are audited with the page's
route and the client's address.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError

from dermbill.clock import today
from dermbill.core.access import NotPermitted, Permission, allowed
from dermbill.core.errors import InvalidInput, InvalidTransition, NotFound
from dermbill.db.engine import Database
from dermbill.services.audit_log import AuditSearch
from dermbill.services.denials import RESOLUTIONS
from dermbill.services.users import User
from dermbill.services.web_sessions import LiveSession
from dermbill.web.api import origin
from dermbill.web.api_queues import (
    ACTIONS,
    AUDIT_PERMISSION,
    AppealIn,
    AppealLetterOut,
    AssignIn,
    AuditSearchIn,
    CorrectIn,
    DenialFilters,
    DenialQueueOut,
    Done,
    NoteIn,
    ResolveIn,
    SnoozeIn,
    appeal_pdf,
    appeal_preview,
    assign_work_item,
    audit_csv_response,
    correct_work_item,
    export_audit,
    note_work_item,
    resolve_work_item,
    search_audit,
    send_appeal,
    show_denial_item,
    show_denial_queue,
    show_fix_queue,
    show_rejected_claim,
    snooze_work_item,
)
from dermbill.web.pages.common import CSRF_FIELD, Csrf, PageSession, database_of, page_permitted, render

AUDIT_PAGE = 50
AUDIT_FIELDS = tuple(AuditSearchIn.model_fields)
DONE = {  # ?done= after an action: what the item page says
    "assign": "The work item is assigned.",
    "note": "Your note is in the item's history.",
    "snooze": "The work item is snoozed: it leaves the queue until the day you chose.",
    "resolve": "The work item is resolved.",
    "correct": "The corrected claim is made and scrubbed: it is the follow-up claim below.",
    "appeal": "The appeal is recorded as sent: the item waits for the payer's answer.",
}
M = TypeVar("M", bound=BaseModel)


@contextmanager
def shown() -> Iterator[None]:
    """A refused or missing record as the error page: NotPermitted 403, NotFound 404."""
    try:
        yield
    except NotPermitted as refused:
        raise HTTPException(status_code=403, detail=str(refused)) from None
    except NotFound as missing:
        raise HTTPException(status_code=404, detail=str(missing)) from None


async def form_values(request: Request) -> dict[str, str]:
    """The form's filled-in fields (an empty field is no value), without the CSRF token."""
    form = await request.form()
    return {name: value for name, value in form.items()
            if isinstance(value, str) and value.strip() and name != CSRF_FIELD}


FormValues = Annotated[dict[str, str], Depends(form_values)]


class Problems(Exception):
    """Values a form or query sent that cannot be used, by field."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(problems)
        self.problems = problems


def parsed(model: type[M], values: Mapping[str, Any]) -> M:
    """The values as the model, or Problems in words a person can act on."""
    try:
        return model.model_validate(values)
    except ValidationError as wrong:
        problems: dict[str, str] = {}
        for error in wrong.errors():
            problems.setdefault(str(error["loc"][0]) if error["loc"] else "", _in_words(error))
        raise Problems(problems) from None


def _in_words(error: Mapping[str, Any]) -> str:
    kind, limits = str(error["type"]), error.get("ctx") or {}
    if kind == "missing":
        return "fill this in"
    if kind == "string_too_long":
        return f"at most {limits.get('max_length')} characters"
    if kind.startswith(("date", "datetime")):
        return "give a day as YYYY-MM-DD"
    if kind.startswith("int") or kind == "greater_than_equal":
        return "give a whole number, 0 or more"
    if kind in ("literal_error", "enum"):
        return f"choose one of {limits.get('expected', 'the choices listed')}"
    return str(error["msg"])


def can_of(user: User) -> dict[str, bool]:
    """What the item page offers the user."""
    return {"work": allowed(user.roles, ACTIONS["assign"].permission),
            "correct": allowed(user.roles, ACTIONS["correct"].permission),
            "appeal": allowed(user.roles, ACTIONS["appeal"].permission)}


def item_page(request: Request, session: LiveSession, item_id: int, *, message: str | None = None,
              refused: str | None = None, problems: Mapping[str, str] | None = None,
              form: Mapping[str, str] | None = None, status_code: int = 200) -> Response:
    user = session.user
    with origin(request), shown():
        item = show_denial_item(database_of(request), user, item_id)
    return render(request, "denial_item.html", {
        "title": f"Work item {item.id}", "item": item, "can": can_of(user), "resolutions": RESOLUTIONS,
        "message": message, "refused": refused, "problems": dict(problems or {}), "form": dict(form or {}),
        "today": today()},
        session=session, status_code=status_code)


Work = Callable[[Database, User, int, M], Done]


def act(request: Request, session: LiveSession, item_id: int, name: str, values: Mapping[str, str],
        work: Work[M]) -> Response:
    """Take an action on the item from its form, and answer as the module's docstring says."""
    action = ACTIONS[name]
    page_permitted(session.user, action.permission)  # before the values: a refused user hears only "no"
    try:
        body: Any = parsed(action.body, values)
        with origin(request), shown():
            work(database_of(request), session.user, item_id, body)
    except Problems as wrong:
        return item_page(request, session, item_id, problems=wrong.problems, form=values, status_code=422)
    except InvalidInput as wrong:
        return item_page(request, session, item_id, problems={action.field: str(wrong)}, form=values,
                         status_code=422)
    except InvalidTransition as refused:
        return item_page(request, session, item_id, refused=str(refused), status_code=409)
    return RedirectResponse(f"/denials/{item_id}?done={name}", status_code=303)


def audit_query(request: Request) -> tuple[dict[str, str], AuditSearch]:
    """The search the query string asks for (as typed, for the form; and as a search), or Problems."""
    typed = {name: request.query_params.get(name, "") for name in AUDIT_FIELDS}
    search = parsed(AuditSearchIn, typed).search()
    problems = search.problems()
    if problems:
        raise Problems(dict(problems))
    return typed, search


def audit_page(request: Request, session: LiveSession, typed: Mapping[str, str], search: AuditSearch | None, *,
               problems: Mapping[str, str] | None = None, before: int | None = None) -> Response:
    query = urlencode({name: value for name, value in typed.items() if value.strip()})
    page = None
    if search is not None:
        with origin(request), shown():
            page = search_audit(database_of(request), session.user, search, limit=AUDIT_PAGE, before=before)
    return render(request, "audit_log.html", {
        "title": "Audit log", "page": page, "search": typed, "query": query, "problems": dict(problems or {}),
        "before": before}, session=session, status_code=422 if problems else 200)


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/fix-queue")
    def fix_queue(request: Request, session: PageSession) -> Response:
        with origin(request), shown():
            queue = show_fix_queue(database_of(request), session.user)
        return render(request, "fix_queue.html", {"title": "Fix queue", "queue": queue,
                                                  "practices": session.user.practices}, session=session)

    @pages.get("/fix-queue/{claim_number}")
    def fix_queue_item(request: Request, claim_number: str, session: PageSession) -> Response:
        with origin(request), shown():
            claim = show_rejected_claim(database_of(request), session.user, claim_number[:38])
        return render(request, "fix_queue_item.html", {"title": f"Claim {claim.claim}: rejected", "claim": claim},
                      session=session)

    @pages.get("/denials")
    def denial_queue(request: Request, session: PageSession) -> Response:
        query = request.query_params
        problem = None
        try:
            filters = parsed(DenialFilters, {"status": query.getlist("status"), "urgency": query.get("urgency"),
                                             "assignee": query.get("assignee"), "practice": query.get("practice")})
        except Problems as wrong:
            page_permitted(session.user, Permission.VIEW_DENIALS)
            problem = "; ".join(f"{field}: {message}" for field, message in wrong.problems.items())
            filters = DenialFilters()
        if problem:
            queue = DenialQueueOut(today=today(), items=[])
        else:
            with origin(request), shown():
                queue = show_denial_queue(database_of(request), session.user, filters)
        return render(request, "denial_queue.html", {
            "title": "Denials", "queue": queue, "practices": session.user.practices, "problem": problem,
            "filters": {"status": filters.statuses(), "urgency": filters.urgency, "assignee": filters.assignee,
                        "practice": filters.practice}}, session=session, status_code=422 if problem else 200)

    @pages.get("/denials/{item_id}")
    def denial_item(request: Request, item_id: int, session: PageSession, done: str | None = None) -> Response:
        return item_page(request, session, item_id, message=DONE.get(done or ""))

    @pages.post("/denials/{item_id}/assign")
    def assign(request: Request, item_id: int, session: Csrf, values: FormValues) -> Response:
        work: Work[AssignIn] = assign_work_item
        return act(request, session, item_id, "assign", values, work)

    @pages.post("/denials/{item_id}/note")
    def note(request: Request, item_id: int, session: Csrf, values: FormValues) -> Response:
        work: Work[NoteIn] = note_work_item
        return act(request, session, item_id, "note", values, work)

    @pages.post("/denials/{item_id}/snooze")
    def snooze(request: Request, item_id: int, session: Csrf, values: FormValues) -> Response:
        work: Work[SnoozeIn] = snooze_work_item
        return act(request, session, item_id, "snooze", values, work)

    @pages.post("/denials/{item_id}/resolve")
    def resolve(request: Request, item_id: int, session: Csrf, values: FormValues) -> Response:
        work: Work[ResolveIn] = resolve_work_item
        return act(request, session, item_id, "resolve", values, work)

    @pages.post("/denials/{item_id}/correct")
    def correct(request: Request, item_id: int, session: Csrf, values: FormValues) -> Response:
        work: Work[CorrectIn] = correct_work_item
        return act(request, session, item_id, "correct", values, work)

    @pages.post("/denials/{item_id}/appeal")
    def appeal(request: Request, item_id: int, session: Csrf, values: FormValues) -> Response:
        work: Work[AppealIn] = send_appeal
        return act(request, session, item_id, "appeal", values, work)

    @pages.get("/denials/{item_id}/appeal-letter")
    def appeal_letter(request: Request, item_id: int, session: PageSession, signer: str | None = None) -> Response:
        user = session.user
        try:
            with origin(request), shown():
                letter = AppealLetterOut.of(appeal_preview(database_of(request), user, item_id,
                                                           (signer or "")[:100] or None))
        except (InvalidTransition, InvalidInput) as refused:
            return item_page(request, session, item_id, refused=str(refused), status_code=409)
        return render(request, "appeal_letter.html", {"title": f"Appeal letter: claim {letter.claim}",
                                                      "letter": letter, "can_send": can_of(user)["appeal"]},
                      session=session)

    @pages.get("/denials/{item_id}/appeal-letter.pdf")
    def appeal_letter_pdf(request: Request, item_id: int, session: PageSession,
                          signer: str | None = None) -> Response:
        try:
            with origin(request), shown():
                return appeal_pdf(appeal_preview(database_of(request), session.user, item_id,
                                                 (signer or "")[:100] or None))
        except (InvalidTransition, InvalidInput) as refused:
            return item_page(request, session, item_id, refused=str(refused), status_code=409)

    @pages.get("/audit")
    def audit_log(request: Request, session: PageSession, before: str | None = None) -> Response:
        page_permitted(session.user, AUDIT_PERMISSION)  # before the values: a refused user hears only "no"
        try:
            typed, search = audit_query(request)
        except Problems as wrong:
            typed = {name: request.query_params.get(name, "") for name in AUDIT_FIELDS}
            return audit_page(request, session, typed, None, problems=wrong.problems)
        older = int(before) if before and before.isdigit() and int(before) > 0 else None
        return audit_page(request, session, typed, search, before=older)

    @pages.get("/audit.csv")
    def audit_export(request: Request, session: PageSession) -> Response:
        page_permitted(session.user, AUDIT_PERMISSION)
        try:
            _, search = audit_query(request)
        except Problems as wrong:
            typed = {name: request.query_params.get(name, "") for name in AUDIT_FIELDS}
            return audit_page(request, session, typed, None, problems=wrong.problems)
        with origin(request), shown():
            return audit_csv_response(export_audit(database_of(request), session.user, search))

    return pages
