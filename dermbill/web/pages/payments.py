"""The payments screen: upload an 835; the latest remittances (835, uploaded or fetched by ``clearinghouse sync``),
claim payments that matched no claim, and overpayments. The poster's other screens are in ``payment_desk``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from dermbill.core.access import Permission, allowed
from dermbill.services.era_posting import remittances_of
from dermbill.web.api import origin
from dermbill.web.api_payments import overpayments_for, unmatched_for
from dermbill.web.pages.common import PageSession, database_of, page_permitted, render
from dermbill.web.pages.flash import flashed, forget


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/payments")
    def payments(request: Request, session: PageSession) -> Response:
        user = session.user
        page_permitted(user, Permission.VIEW_REMITTANCES)
        database = database_of(request)
        with origin(request):
            remittances = remittances_of(database, user.practice_ids, actor=user.email, limit=50)
        response = render(request, "payments.html", {
            "title": "Payments", "remittances": remittances,
            "unmatched": unmatched_for(database, user, origin(request)),
            "overpayments": overpayments_for(database, user, origin(request)),
            "can_post": allowed(user.roles, Permission.POST_PAYMENTS), "message": flashed(request)},
            session=session)
        return forget(response, request)

    return pages
