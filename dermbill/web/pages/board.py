"""The claims board (claims by state, a search with keyset paging) and the dashboard (today's work by queue)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from dermbill.core.access import Permission
from dermbill.core.claim_search import InvalidSearch
from dermbill.web.api import origin
from dermbill.web.api_claims_search import claim_board_of, claims_page, dashboard_of
from dermbill.web.pages.common import PageSession, database_of, page_permitted, render

FILTERS = ("q", "patient", "date_from", "date_to", "payer", "provider", "status", "practice")
# Where each queue of the dashboard is worked.
QUEUE_LINKS = {"ready_to_send": "/claims?status=ready", "scrub_errors": "/claims?status=scrub_errors",
               "rejected": "/fix-queue", "denials": "/denials", "unmatched_payments": "/payments",
               "overpayments": "/payments"}
Text = Annotated[str | None, Query(max_length=100)]


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/dashboard")
    def dashboard(request: Request, session: PageSession) -> Response:
        with origin(request):
            board = dashboard_of(database_of(request), session.user)
        return render(request, "dashboard.html", {"title": "Dashboard", "board": board, "links": QUEUE_LINKS},
                      session=session)

    @pages.get("/claims")
    def claims(request: Request, session: PageSession, after: Annotated[str | None, Query(max_length=40)] = None,
               q: Text = None, patient: Text = None, date_from: Text = None, date_to: Text = None,
               payer: Text = None, provider: Text = None, status: Text = None, practice: Text = None) -> Response:
        user = session.user
        page_permitted(user, Permission.VIEW_CLAIMS)
        filters = {"q": q, "patient": patient, "date_from": date_from, "date_to": date_to, "payer": payer,
                   "provider": provider, "status": status, "practice": practice}
        filters = {name: (value.strip() or None) if value else None for name, value in filters.items()}
        database = database_of(request)
        problems: dict[str, str] = {}
        found = None
        with origin(request):
            board = claim_board_of(database, user)
            try:
                found = claims_page(database, user, limit=50, after=after, filters=filters)
            except InvalidSearch as problem:
                problems[problem.field] = problem.problem
        query = urlencode({name: value for name, value in filters.items() if value})
        return render(request, "claims.html", {"title": "Claims", "board": board, "page": found, "filters": filters,
                                               "problems": problems, "query": query},
                      session=session, status_code=422 if problems else 200)

    return pages
