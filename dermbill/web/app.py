"""The web application's factory: ``create_app()`` for ``dermbill serve`` (uvicorn) and for tests.

- Every answer carries the security headers (``SECURITY_HEADERS``): a content security policy without inline
  script, no framing, no MIME sniffing, no referrer; HSTS when served over TLS.
- The API lives under ``/api/v1``; its OpenAPI document is ``/api/openapi.json``. Until a request proves who
  it is (a personal access token, ``Authorization: Bearer``), the API answers 401.
- An error never shows a traceback: the page or the JSON says what happened in one sentence.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from dermbill.db.engine import Database
from dermbill.services.schema import connect
from dermbill.settings import load_settings
from dermbill.web import api, api_claims_search, api_fhir, api_payments, api_users
from dermbill.web.pages import (
    admin,
    auth,
    board,
    check_in,
    claims,
    coding,
    collections,
    follow_up,
    front_desk,
    imports,
    note_reading,
    patients,
    payment_desk,
    payments,
    queues,
    reports,
    statement_page,
    statements,
)
from dermbill.web.pages import jobs as jobs_pages
from dermbill.web.pages import reference as reference_pages
from dermbill.web.pages import training as training_pages
from dermbill.web.pages.common import TEMPLATES, SignInRequired, StepFirst, login_url

HERE = Path(__file__).resolve().parent
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
HSTS = "max-age=31536000; includeSubDomains"


def create_app(database_url: str | None = None) -> FastAPI:
    """The application over the database at ``database_url`` (default: $DERMBILL_DATABASE_URL or the default),
    connected at the first request that needs it; several worker processes share nothing but the database."""
    app = FastAPI(title="dermbill", version="1", openapi_url="/api/openapi.json", docs_url=None, redoc_url=None)
    settings = load_settings()
    app.state.database = _connector(database_url or settings.database_url)
    app.state.session_idle = settings.session_idle
    app.state.session_lifetime = settings.session_lifetime
    app.state.upload_dir = settings.upload_dir
    templates = TEMPLATES
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        response.headers.update(SECURITY_HEADERS)
        if request.url.scheme == "https":
            response.headers["Strict-Transport-Security"] = HSTS
        return response

    @app.exception_handler(StarletteHTTPException)  # ours, and the router's 404 and 405
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(exc.headers or {})
        if _is_fhir(request):
            return JSONResponse(api_fhir.operation_outcome(exc.status_code, str(exc.detail)),
                                status_code=exc.status_code, headers=headers, media_type=api_fhir.MEDIA_TYPE)
        if _wants_json(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)
        return templates.TemplateResponse(request, "error.html", {"status": exc.status_code, "message": exc.detail},
                                          status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        problems = [{"field": ".".join(str(part) for part in error["loc"][1:]), "message": error["msg"]}
                    for error in exc.errors()]
        if _is_fhir(request):
            words = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
            return JSONResponse(api_fhir.operation_outcome(400, f"the request is not valid: {words}"), status_code=400,
                                media_type=api_fhir.MEDIA_TYPE)
        return JSONResponse({"detail": "the request is not valid", "problems": problems}, status_code=422)

    @app.exception_handler(DataError)  # a value the database cannot hold: a NUL character, an id out of range
    async def unstorable(request: Request, exc: DataError) -> Response:
        message = ("a value in the request cannot be stored or looked up (a number too large, or a NUL "
                   "character); check what was typed")
        if _wants_json(request):
            return JSONResponse({"detail": message, "problems": []}, status_code=422)
        return templates.TemplateResponse(request, "error.html", {"status": 400, "message": message},
                                          status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:  # never a traceback to the user
        message = "something went wrong on our side; nothing was saved half-way. Try again, or tell your administrator"
        if _is_fhir(request):
            return JSONResponse(api_fhir.operation_outcome(500, message), status_code=500,
                                media_type=api_fhir.MEDIA_TYPE)
        if _wants_json(request):
            return JSONResponse({"detail": message}, status_code=500)
        return templates.TemplateResponse(request, "error.html", {"status": 500, "message": message},
                                          status_code=500)

    @app.get("/", include_in_schema=False)
    async def home() -> Response:
        return RedirectResponse("/dashboard", status_code=303)

    @app.exception_handler(SignInRequired)
    async def sign_in_first(request: Request, exc: SignInRequired) -> Response:
        return _go(request, login_url(exc.next_path, exc.ended))

    @app.exception_handler(StepFirst)
    async def step_first(request: Request, exc: StepFirst) -> Response:
        return _go(request, exc.path)

    @app.get("/healthz", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    app.include_router(api_claims_search.router())  # before api's /claims/{claim_number}: /claims/board is no claim
    app.include_router(api.router())
    app.include_router(api_users.router())
    app.include_router(api_payments.router())
    app.include_router(api_fhir.router())
    app.include_router(auth.router())
    app.include_router(board.router())
    app.include_router(admin.router())
    app.include_router(payments.router())
    app.include_router(payment_desk.router())
    app.include_router(claims.router())
    app.include_router(queues.router())
    app.include_router(follow_up.router())
    app.include_router(reference_pages.router())
    app.include_router(statements.router())
    app.include_router(collections.router())
    app.include_router(reports.router())
    app.include_router(jobs_pages.router())
    app.include_router(patients.router())
    app.include_router(imports.router())
    app.include_router(coding.router())
    app.include_router(note_reading.router())
    app.include_router(check_in.router())
    app.include_router(training_pages.router())
    app.include_router(front_desk.router())
    app.include_router(statement_page.router())  # the patients' statement page: no sign-in
    return app


def _connector(url: str) -> Callable[[], Database]:
    opened: list[Database] = []

    def database() -> Database:
        if not opened:
            opened.append(connect(url))
        return opened[0]
    return database


def _go(request: Request, path: str) -> Response:
    """A redirect; for an htmx request, the header that makes htmx load the whole page there."""
    if request.headers.get("hx-request"):
        return Response(status_code=204, headers={"HX-Redirect": path})
    return RedirectResponse(path, status_code=303)


def _is_fhir(request: Request) -> bool:
    return request.url.path.startswith(api_fhir.PREFIX + "/")


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")
