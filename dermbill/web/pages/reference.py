"""The reference-release bulletin as a page (/reference/changes) and its PDF (/reference/changes.pdf): what changed
between two periods in the CMS releases loaded (``dermbill reference changes``), by who must act on it.

Codes and rules only, no patient: every signed-in staff member may read it. (A practice's volume view is the CLI's
``--practice``; here it would need the user's practice scoping.) The periods default to the quarter
before today's and today's; a period that cannot be read is said on the page.
"""

from __future__ import annotations

import datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response

from dermbill.clock import today
from dermbill.core.errors import InvalidInput
from dermbill.core.releases import Period
from dermbill.pdf.release_bulletin import bulletin_pdf
from dermbill.services.reference_releases import release_bulletin, release_changes
from dermbill.web.pages.common import PageSession, database_of, render


def _default_periods() -> tuple[str, str]:
    now = Period.quarter_of(today())
    return Period.quarter_of(now.starts - datetime.timedelta(days=1)).label, now.label


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/reference/changes")
    def changes(request: Request, session: PageSession, start: str | None = None, end: str | None = None) -> Response:
        default_start, default_end = _default_periods()
        start, end = start or default_start, end or default_end
        try:
            report = release_changes(database_of(request), start, end, as_of=today())
        except InvalidInput as exc:
            return render(request, "reference_changes.html", {"title": "Reference changes", "start": start,
                                                              "end": end, "error": str(exc), "bulletin": None,
                                                              "report": None}, session=session)
        return render(request, "reference_changes.html", {
            "title": "Reference changes", "start": start, "end": end, "error": None, "report": report,
            "bulletin": release_bulletin(report)}, session=session)

    @pages.get("/reference/changes.pdf")
    def changes_pdf(request: Request, session: PageSession, start: str, end: str) -> Response:
        try:
            report = release_changes(database_of(request), start, end, as_of=today())
        except InvalidInput as exc:
            return Response(str(exc), status_code=422, media_type="text/plain")
        return Response(bulletin_pdf(release_bulletin(report)), media_type="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="reference-changes-{report.from_period}-'
                                   f'{report.to_period}.pdf"'})

    return pages
