"""The patient statement page (issue 16), open without signing in: ``GET /statement`` asks for the statement code
and the date of birth, ``POST /statement`` shows the statement (the balance due, the due date, each visit and its
lines, the payments, how to pay), and ``POST /statement/pdf`` downloads it as a PDF with the same two answers.

Nothing about the patient is ever in a URL (codes and birth dates are posted, never in a query string), the
answers are never cached (``Cache-Control: no-store``), and the form is protected from cross-site posting as the
sign-in is: a double-submit cookie, since there is no session. The lookup, its throttle and its audit live in
``services.statement_page``.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from dermbill.clock import utc_now
from dermbill.core.errors import InvalidInput
from dermbill.services.statement_page import (
    LookupRefused,
    Purpose,
    Refusal,
    StatementShown,
    open_statement,
    parse_birth_date,
)
from dermbill.web.api import origin
from dermbill.web.pages.common import database_of, render

STATEMENT_CSRF_COOKIE = "dermbill_statement_csrf"
NOT_FOUND = ("We could not find a statement with that code and date of birth. Check both against your statement "
             "and try again.")
SHORT = 40  # longest code or date kept from the form
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _form(request: Request, *, message: str | None = None, code: str = "", birth: str = "",
          status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    token = secrets.token_urlsafe(32)
    response = render(request, "statement_lookup.html", {"title": "View your statement", "message": message,
                                                         "code": code, "birth": birth, "statement_csrf": token},
                      status_code=status_code)
    response.headers.update({**NO_STORE, **(headers or {})})
    response.set_cookie(STATEMENT_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/statement")
    return response


def _refused(request: Request, refused: LookupRefused, code: str, birth: str) -> Response:
    if refused.reason is Refusal.LOCKED and refused.retry_at is not None:
        wait = max(1, int((refused.retry_at - utc_now()).total_seconds() // 60) + 1)
        until = refused.retry_at.strftime("%H:%M UTC")
        return _form(request, code=code, birth=birth, status_code=429, headers={"Retry-After": str(wait * 60)},
                     message=f"Too many tries that did not match. For your security, please wait until {until} "
                             f"(about {wait} minute{'s' if wait != 1 else ''}) and try again, or call the number "
                             "on your statement.")
    return _form(request, code=code, birth=birth, status_code=401, message=NOT_FOUND)


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/statement")
    def statement_form(request: Request) -> Response:
        return _form(request)

    async def lookup(request: Request, code: str, date_of_birth: str, statement_csrf: str,
                     purpose: Purpose) -> tuple[StatementShown | Response, str]:
        """The statement, or the form again with why not; and the date of birth as the next form should send it."""
        code, birth = code.strip()[:SHORT], date_of_birth.strip()[:SHORT]
        cookie = request.cookies.get(STATEMENT_CSRF_COOKIE, "")
        if not cookie or not statement_csrf or not secrets.compare_digest(cookie, statement_csrf):
            return _form(request, code=code, status_code=400,
                         message="This form expired. Please enter the code and date of birth again."), birth
        if not code:
            return _form(request, birth=birth, status_code=422,
                         message="Enter the statement code printed on your statement."), birth
        try:
            born = parse_birth_date(birth)
        except InvalidInput as refused:
            return _form(request, code=code, birth=birth, status_code=422,
                         message=str(refused).capitalize() + "."), birth
        with origin(request):
            found = open_statement(database_of(request), code, born, now=utc_now(), purpose=purpose,
                                   address=request.client.host if request.client else None)
        if isinstance(found, LookupRefused):
            return _refused(request, found, code, birth), birth
        return found, born.isoformat()

    @pages.post("/statement")
    async def statement_view(request: Request, code: Annotated[str, Form()] = "",
                             date_of_birth: Annotated[str, Form()] = "",
                             statement_csrf: Annotated[str, Form()] = "") -> Response:
        found, birth = await lookup(request, code, date_of_birth, statement_csrf, Purpose.VIEW)
        if isinstance(found, Response):
            return found
        response = render(request, "statement_view.html", {
            "title": "Your statement", "statement": found.document, "code": found.code, "birth": birth,
            "statement_csrf": statement_csrf})
        response.headers.update(NO_STORE)
        return response

    @pages.post("/statement/pdf")
    async def statement_pdf(request: Request, code: Annotated[str, Form()] = "",
                            date_of_birth: Annotated[str, Form()] = "",
                            statement_csrf: Annotated[str, Form()] = "") -> Response:
        found, _ = await lookup(request, code, date_of_birth, statement_csrf, Purpose.DOWNLOAD)
        if isinstance(found, Response):
            return found
        from dermbill.pdf.statements import render_statement  # the PDF library loads only when one is asked for

        return Response(render_statement(found.document), media_type="application/pdf",
                        headers={**NO_STORE, "Content-Disposition": 'attachment; filename="statement.pdf"'})

    return pages
