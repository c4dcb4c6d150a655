"""The payments screen: the latest remittances (835), claim payments that matched no claim, and overpayments."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from dermbill.core.access import Permission
from dermbill.services.era_posting import remittances_of
from dermbill.web.api import origin
from dermbill.web.api_payments import overpayments_for, unmatched_for
from dermbill.web.pages.common import PageSession, database_of, page_permitted, render


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/payments")
    def payments(request: Request, session: PageSession) -> Response:
        user = session.user
        page_permitted(user, Permission.VIEW_REMITTANCES)
        database = database_of(request)
        with origin(request):
            remittances = remittances_of(database, user.practice_ids, actor=user.email, limit=50)
        return render(request, "payments.html", {
            "title": "Payments", "remittances": remittances,
            "unmatched": unmatched_for(database, user, origin(request)),
            "overpayments": overpayments_for(database, user, origin(request))}, session=session)

    return pages
