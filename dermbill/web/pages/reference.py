"""The reference-release bulletin as a page (/reference/changes) and its PDF (/reference/changes.pdf): what changed
between two periods in the CMS releases loaded (``dermbill reference changes``), by who must act on it, and the
training modules generated from it (questions, each answer behind a disclosure the keyboard opens).

Codes and rules only, no patient: every signed-in staff member may read it. The practice view (``practice``: the
fee effect at that practice's volume, only its codes) is offered for the user's own practices to a role that views
claims; the service refuses any other practice (``release_changes_for``). The periods default to the quarter
before today's and today's; a period or practice that cannot be used is said on the page.
"""

from __future__ import annotations

import datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response

from dermbill.clock import today
from dermbill.core.access import NotPermitted
from dermbill.core.errors import InvalidInput
from dermbill.core.releases import Period
from dermbill.pdf.release_bulletin import bulletin_pdf
from dermbill.services.reference_releases import (
    practice_view_choices,
    release_bulletin,
    release_changes_for,
    release_training,
)
from dermbill.web.pages.common import PageSession, database_of, render


def _default_periods() -> tuple[str, str]:
    now = Period.quarter_of(today())
    return Period.quarter_of(now.starts - datetime.timedelta(days=1)).label, now.label


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/reference/changes")
    def changes(request: Request, session: PageSession, start: str | None = None, end: str | None = None,
                practice: str | None = None) -> Response:
        default_start, default_end = _default_periods()
        start, end, practice = start or default_start, end or default_end, (practice or "").strip()
        database = database_of(request)
        context = {"title": "Reference changes", "start": start, "end": end, "practice": practice,
                   "practices": practice_view_choices(session.user, database), "error": None, "report": None,
                   "bulletin": None, "training": []}
        try:
            report = release_changes_for(database, session.user, start, end, practice=practice, as_of=today())
        except NotPermitted as refused:
            return render(request, "reference_changes.html", {**context, "error": str(refused)}, session=session,
                          status_code=403)
        except InvalidInput as exc:
            return render(request, "reference_changes.html", {**context, "error": str(exc)}, session=session)
        return render(request, "reference_changes.html", {
            **context, "report": report, "bulletin": release_bulletin(report), "training": release_training(report)},
            session=session)

    @pages.get("/reference/changes.pdf")
    def changes_pdf(request: Request, session: PageSession, start: str, end: str,
                    practice: str | None = None) -> Response:
        try:
            report = release_changes_for(database_of(request), session.user, start, end, practice=practice,
                                         as_of=today())
        except NotPermitted as refused:
            return Response(str(refused), status_code=403, media_type="text/plain")
        except InvalidInput as exc:
            return Response(str(exc), status_code=422, media_type="text/plain")
        scope = f"-{report.practice}" if report.practice else ""
        return Response(bulletin_pdf(release_bulletin(report, training=True)), media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="reference-changes-'
                                                        f'{report.from_period}-{report.to_period}{scope}.pdf"'})

    return pages
