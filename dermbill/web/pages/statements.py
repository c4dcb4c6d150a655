"""Patient statements as pages, for the roles that send them: /statements (what today's run would make, the
button that makes it, and the latest statements with how each went out) and /statements/{id} (a statement as it was
sent: its visits, lines, payments and aging; its PDF at /statements/{id}.pdf).

Reading is audited (per practice, and per statement shown); making the run is a POST with the page's CSRF token.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from dermbill.clock import today
from dermbill.core.access import Permission
from dermbill.core.errors import NotFound
from dermbill.core.statement_document import StatementDocument
from dermbill.services.statements import recent_statements, run_statements, statement_document
from dermbill.web.api import origin
from dermbill.web.pages.common import Csrf, PageSession, database_of, page_permitted, render
from dermbill.web.pages.flash import flashed, forget, redirect_with

PERMISSION = Permission.SEND_STATEMENTS


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/statements")
    def statements(request: Request, session: PageSession) -> Response:
        user = session.user
        page_permitted(user, PERMISSION)
        day = today()
        with origin(request):
            preview = run_statements(database_of(request), day, practice_ids=user.practice_ids, dry_run=True,
                                     actor=user.email)
            latest = recent_statements(database_of(request), user.practice_ids, actor=user.email, limit=100)
        response = render(request, "statements.html", {
            "title": "Patient statements", "today": day, "preview": preview, "latest": latest,
            "message": flashed(request), "practices": session.user.practices}, session=session)
        return forget(response, request)

    @pages.post("/statements/run")
    def run(request: Request, session: Csrf) -> Response:
        user = session.user
        page_permitted(user, PERMISSION)
        with origin(request):
            made = run_statements(database_of(request), today(), practice_ids=user.practice_ids, actor=user.email)
        words = (f"{len(made.statements)} statement(s) made for ${made.amount}: "
                 f"{made.to_json()['by_delivery']['email']} to e-mail, {made.to_json()['by_delivery']['print']} to "
                 "print." if made.statements else "No statement was due today.")
        return redirect_with(request, "/statements", words)

    def _document(request: Request, statement_id: str, session: PageSession) -> StatementDocument:
        user = session.user
        page_permitted(user, PERMISSION)
        if not statement_id.isdigit():
            raise HTTPException(status_code=404, detail="no such statement")
        try:
            with origin(request):
                return statement_document(database_of(request), int(statement_id), user.practice_ids,
                                          actor=user.email)
        except NotFound as missing:
            raise HTTPException(status_code=404, detail=str(missing)) from None

    @pages.get("/statements/{statement_id}.pdf")
    def statement_pdf(request: Request, statement_id: str, session: PageSession) -> Response:
        from dermbill.pdf.statements import render_statement

        document = _document(request, statement_id, session)
        return Response(render_statement(document), media_type="application/pdf", headers={
            "Content-Disposition": f'inline; filename="statement-{document.statement_code}.pdf"',
            "Cache-Control": "no-store"})

    @pages.get("/statements/{statement_id}")
    def statement(request: Request, statement_id: str, session: PageSession) -> Response:
        document = _document(request, statement_id, session)
        return render(request, "statement.html", {"title": f"Statement {document.statement_code}",
                                                  "statement_id": int(statement_id), "document": document},
                      session=session)

    return pages
