"""The dashboard: the first page after signing in."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from dermbill.web.pages.common import PageSession, render


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/dashboard")
    def dashboard(request: Request, session: PageSession) -> Response:
        return render(request, "dashboard.html", {"title": "Dashboard"}, session=session)

    return pages
