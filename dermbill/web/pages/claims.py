"""The claim screens: the board (search and paging) and a claim in full."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from dermbill.core.access import Permission
from dermbill.services.claim_detail import claim_detail, sections_for
from dermbill.web.api import origin
from dermbill.web.pages.common import PageSession, database_of, page_permitted, render

NUMBER_LENGTH = 40


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/claims/{claim_number}")
    def claim(request: Request, claim_number: str, session: PageSession) -> Response:
        user = session.user
        page_permitted(user, Permission.VIEW_CLAIMS)
        number = claim_number[:NUMBER_LENGTH]
        with origin(request):
            detail = claim_detail(database_of(request), user.practice_ids, number, actor=user.email,
                                  sections=sections_for(user.roles))
        if detail is None:
            raise HTTPException(status_code=404, detail=f"no claim {number} among your practices' claims")
        return render(request, "claim_detail.html", {"title": f"Claim {detail.claim_number}", "claim": detail},
                      session=session)

    return pages
