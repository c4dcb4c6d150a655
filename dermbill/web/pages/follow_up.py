"""The claim follow-up work list as a page (/follow-up): the claims whose 277 answer needs a person, and those
whose 835 should follow, within the user's practices, for the roles that work the fix queue (claim work lists).

The page reads what ``dermbill claims follow-up --json`` prints (``services.claim_status.follow_up_list``); reading
it is audited per practice with the page's route and the client's address. A role without the permission gets 403.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from dermbill.clock import today
from dermbill.core.access import Permission
from dermbill.services.claim_status import follow_up_list
from dermbill.web.api import origin
from dermbill.web.pages.common import PageSession, database_of, page_permitted, render

PERMISSION = Permission.WORK_FIX_QUEUE  # as the fix queue: the claim work lists are billing's


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/follow-up")
    def follow_up(request: Request, session: PageSession) -> Response:
        page_permitted(session.user, PERMISSION)
        day = today()
        with origin(request):
            items = follow_up_list(database_of(request), session.user.practice_ids, as_of=day,
                                   actor=session.user.email)
        return render(request, "follow_up.html", {
            "title": "Claim follow-up", "today": day, "people": [i for i in items if i.needs_person],
            "expected": [i for i in items if not i.needs_person], "practices": session.user.practices},
            session=session)

    return pages
