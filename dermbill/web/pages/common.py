"""What every page shares: the templates, the signed-in user of the session cookie, CSRF checks, rendering.

- ``PageSession`` (a dependency) is the request's live session, or a redirect to /login (for htmx requests, an
  ``HX-Redirect``). A user who must change a one-time password or set up a second factor is sent there first.
- ``Csrf`` (a dependency of every state-changing route) checks the form's ``csrf_token`` field or the
  ``X-CSRF-Token`` header (htmx sends it from ``hx-headers`` on the body) against the session's token.
- ``render`` fills in the user, the CSRF token and the navigation the user's roles allow.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from dermbill.clock import utc_now
from dermbill.core.access import NotPermitted, Permission, SessionEnd, allowed, require
from dermbill.db.engine import Database
from dermbill.services.users import User
from dermbill.services.web_sessions import LiveSession, session_of

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
SESSION_COOKIE = "dermbill_session"
LOGIN_CSRF_COOKIE = "dermbill_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
ACCOUNT_PATHS = ("/account/password", "/account/totp", "/logout")  # open before the first steps are done

# The navigation: (label, path, the permission it needs).
NAVIGATION = (
    ("Dashboard", "/dashboard", None),
    ("Claims", "/claims", Permission.VIEW_CLAIMS),
    ("Patients", "/patients", Permission.VIEW_PATIENTS),
    ("Front desk", "/front-desk/schedule", Permission.CHECK_ELIGIBILITY),
    ("Check-in", "/front-desk/check-in", Permission.CHECK_IN),
    ("Coding", "/coding", Permission.VIEW_ENCOUNTERS),
    ("Fix queue", "/fix-queue", Permission.WORK_FIX_QUEUE),
    ("Follow-up", "/follow-up", Permission.WORK_FIX_QUEUE),
    ("Denials", "/denials", Permission.VIEW_DENIALS),
    ("Payments", "/payments", Permission.VIEW_REMITTANCES),
    ("Statements", "/statements", Permission.SEND_STATEMENTS),
    ("Collections", "/collections/calls", Permission.WORK_COLLECTIONS),
    ("Reports", "/reports", Permission.VIEW_REPORTS),
    ("Jobs", "/jobs", Permission.VIEW_CLAIMS),
    ("Code changes", "/reference/changes", None),  # CMS releases: codes and rules only, every staff member
    ("Import", "/import", Permission.IMPORT_DATA),
    ("Audit log", "/audit", Permission.VIEW_AUDIT),
    ("Users", "/admin/users", Permission.VIEW_ADMINISTRATION),
    ("Training", "/training", Permission.TAKE_TRAINING),
)


class SignInRequired(Exception):
    """No live session: the app's handler sends the browser to /login (and back here afterwards)."""

    def __init__(self, next_path: str, ended: SessionEnd | None = None) -> None:
        super().__init__(next_path)
        self.next_path = next_path
        self.ended = ended


class StepFirst(Exception):
    """A signed-in user must change a one-time password or set up a second factor before anything else."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


def database_of(request: Request) -> Database:
    database: Database = request.app.state.database()
    return database


def _live_session(request: Request) -> LiveSession:
    token = request.cookies.get(SESSION_COOKIE)
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if not token:
        raise SignInRequired(here)
    found = session_of(database_of(request), token, now=utc_now(), idle=request.app.state.session_idle)
    if not isinstance(found, LiveSession):
        raise SignInRequired(here, found)
    return found


def account_session(request: Request) -> LiveSession:
    """The live session, for the account pages (open to a user with first steps to do)."""
    return _live_session(request)


def page_session(request: Request) -> LiveSession:
    """The live session of a user who may work: first steps (a new password, a second factor) done."""
    session = _live_session(request)
    if session.user.password_must_change:
        raise StepFirst("/account/password")
    if session.user.totp_required and not session.user.totp_enabled:
        raise StepFirst("/account/totp")
    return session


AccountSession = Annotated[LiveSession, Depends(account_session)]
PageSession = Annotated[LiveSession, Depends(page_session)]


async def check_csrf(request: Request, session: AccountSession) -> LiveSession:
    """The session, once the request proves it came from one of our pages (403 otherwise)."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not secrets.compare_digest(sent, session.csrf_token):
        raise HTTPException(status_code=403, detail="this form has expired or did not come from dermbill; "
                                                    "reload the page and try again")
    return session


Csrf = Annotated[LiveSession, Depends(check_csrf)]


def page_permitted(user: User, permission: Permission) -> None:
    try:
        require(user.roles, permission)
    except NotPermitted as refused:
        raise HTTPException(status_code=403, detail=str(refused)) from None


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    path: str
    current: bool


def navigation(user: User, path: str) -> list[NavItem]:
    return [NavItem(label, target, path == target or path.startswith(target + "/"))
            for label, target, permission in NAVIGATION if permission is None or allowed(user.roles, permission)]


def render(request: Request, template: str, context: dict[str, Any], *, session: LiveSession | None = None,
           status_code: int = 200) -> Response:
    """A page: the template with the signed-in user, their navigation and the CSRF token."""
    full = dict(context)
    if session is not None:
        full.update(user=session.user, csrf_token=session.csrf_token,
                    navigation=navigation(session.user, request.url.path))
    return TEMPLATES.TemplateResponse(request, template, full, status_code=status_code)


def login_url(next_path: str, ended: SessionEnd | None = None) -> str:
    url = "/login"
    parts = []
    if next_path and next_path not in ("/", "/dashboard"):
        parts.append("next=" + quote(next_path, safe="/"))
    if ended is not None:
        parts.append("ended=" + ended.value)
    return url + ("?" + "&".join(parts) if parts else "")


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path of this site only (never another site: an open redirect)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value and len(value) < 500:
        return value
    return "/dashboard"
