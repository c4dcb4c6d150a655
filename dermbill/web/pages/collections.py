"""The soft-collections call list as a page (/collections/calls), for the roles that work collections: today's calls
within the user's practices (most urgent first), each with the balance and its age, the last contact and the
script, and a form that logs the call (POST /collections/contact: the outcome, a promise to pay with its date and
amount, a note; a dispute holds the account). Reading is audited per practice; the form needs the page's CSRF
token and a practice of the user's.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from dermbill.clock import today
from dermbill.core.access import Permission
from dermbill.core.collections import Outcome
from dermbill.core.dates import parse_iso_date
from dermbill.core.errors import InvalidInput, NotFound
from dermbill.core.money import Money
from dermbill.services.collections import call_list, log_contact
from dermbill.web.api import origin
from dermbill.web.pages.common import Csrf, PageSession, database_of, page_permitted, render
from dermbill.web.pages.flash import flashed, forget, redirect_with

PERMISSION = Permission.WORK_COLLECTIONS
OUTCOMES = tuple((o.value, o.value.replace("_", " ")) for o in Outcome)


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    def _page(request: Request, session: PageSession | Csrf, *, problem: str | None = None) -> Response:
        user = session.user
        day = today()
        with origin(request):
            calls = call_list(database_of(request), None, day, actor=user.email, practice_ids=user.practice_ids)
        response = render(request, "collections_calls.html", {
            "title": "Calls for today", "today": day, "calls": calls, "outcomes": OUTCOMES, "problem": problem,
            "message": flashed(request), "practices": user.practices}, session=session,
            status_code=422 if problem else 200)
        return forget(response, request)

    @pages.get("/collections/calls")
    def calls(request: Request, session: PageSession) -> Response:
        page_permitted(session.user, PERMISSION)
        return _page(request, session)

    @pages.post("/collections/contact")
    async def contact(request: Request, session: Csrf) -> Response:
        user = session.user
        page_permitted(user, PERMISSION)
        form = await request.form()
        field = {key: str(form.get(key) or "").strip()[:500] for key in
                 ("practice", "account", "outcome", "promise_date", "promise_amount", "note")}
        ids = {code: i for code, i in _user_practices(request, user.practice_ids).items()}
        if field["practice"] not in ids:
            raise HTTPException(status_code=404, detail="no such practice")
        try:
            promise_date = parse_iso_date(field["promise_date"], field="promise date") \
                if field["promise_date"] else None
            amount = Money.parse(field["promise_amount"]) if field["promise_amount"] else None
            with origin(request):
                logged = log_contact(database_of(request), field["practice"], field["account"], field["outcome"],
                                     actor=user.email, promise_date=promise_date, promise_amount=amount,
                                     note=field["note"] or None, practice_id=ids[field["practice"]])
        except NotFound:
            raise HTTPException(status_code=404, detail="no such account") from None
        except InvalidInput as refused:
            return _page(request, session, problem=f"Account {field['account']}: {refused}")
        held = " The account is held while the dispute is reviewed." if logged.hold_id else ""
        return redirect_with(request, "/collections/calls",
                             f"Logged: {field['account']}, {field['outcome'].replace('_', ' ')}.{held}")

    return pages


def _user_practices(request: Request, practice_ids: frozenset[int]) -> dict[str, int]:
    """The user's practices by code (their own: a code another company uses too is not theirs)."""
    from sqlalchemy import select

    from dermbill.db.models import PracticeRow
    from dermbill.db.repositories import UnitOfWork

    with UnitOfWork(database_of(request), actor="web") as uow:
        return dict(uow.session.execute(select(PracticeRow.code, PracticeRow.id).where(
            PracticeRow.id.in_(set(practice_ids)))).all())



