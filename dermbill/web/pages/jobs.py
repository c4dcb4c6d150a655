"""The background jobs as a page (/jobs): each job of the user's practices (and the company-wide ones) with its
status, attempts and progress, newest first; the page reloads itself while a job waits or runs.

It reads what ``dermbill jobs list`` prints (``services.background_jobs``); reading it is audited per practice. Any
role that sees claims may see it (jobs post, scrub and bill claims); a role without it gets 403.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from dermbill.core.access import Permission
from dermbill.services.background_jobs import list_background_jobs
from dermbill.web.api import origin
from dermbill.web.pages.common import PageSession, database_of, page_permitted, render

PERMISSION = Permission.VIEW_CLAIMS
REFRESH_SECONDS = 5


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/jobs")
    def jobs(request: Request, session: PageSession) -> Response:
        page_permitted(session.user, PERMISSION)
        with origin(request):
            found = list_background_jobs(database_of(request), session.user.practice_ids, actor=session.user.email)
        active = any(job.status in ("queued", "running") for job in found)
        return render(request, "jobs.html", {"title": "Background jobs", "jobs": found,
                                             "refresh": REFRESH_SECONDS if active else None}, session=session)

    return pages
