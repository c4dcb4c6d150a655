"""Signing in and out, changing one's password, and setting up the second factor (TOTP with recovery codes).

Sign-in answers the same for an unknown e-mail, a wrong password and a wrong code. A new session (a new cookie
token) starts at every sign-in; a password change ends every session of the user and starts a new one here.
"""

from __future__ import annotations

import io
import secrets
from typing import Annotated

import segno
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from dermbill.clock import utc_now
from dermbill.core.access import MIN_PASSWORD_LENGTH, SessionEnd, password_problems
from dermbill.core.errors import InvalidInput
from dermbill.services.users import (
    Authenticated,
    LoginRefused,
    Refusal,
    authenticate,
    begin_totp_enrollment,
    change_password,
    confirm_totp,
    password_is,
)
from dermbill.services.web_sessions import LiveSession, end_session, start_session
from dermbill.web.pages.common import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    AccountSession,
    Csrf,
    database_of,
    render,
    safe_next,
)

ENDED = {
    SessionEnd.IDLE.value: "You were signed out after a while without activity. Sign in again to go on.",
    SessionEnd.EXPIRED.value: "Your session reached its time limit. Sign in again to go on.",
    SessionEnd.SIGNED_OUT.value: "You are signed out.",
}
REFUSED = {
    Refusal.WRONG: "The e-mail, password or code is not right.",
    Refusal.DISABLED: "This account is disabled. Ask your administrator.",
    Refusal.TOTP_REQUIRED: "Enter the six-digit code from your authenticator app (or a recovery code).",
}
SHORT = 200  # longest e-mail/code kept from a form; passwords are bounded by the password policy


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, token: str, max_age: int) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=max_age, httponly=True, samesite="lax",
                        secure=_secure(request), path="/")


def _login_page(request: Request, *, message: str | None = None, email: str = "", next_path: str = "",
                status_code: int = 200, notice: str | None = None) -> Response:
    token = secrets.token_urlsafe(32)  # login CSRF: a double-submit cookie, since there is no session yet
    response = render(request, "login.html", {"title": "Sign in", "message": message, "email": email,
                                              "next": next_path, "notice": notice, "login_csrf": token},
                      status_code=status_code)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request),
                        path="/login")
    return response


def _started(request: Request, signed_in: Authenticated, target: str) -> Response:
    started = start_session(database_of(request), signed_in.user, now=utc_now(), address=_address(request),
                            lifetime=request.app.state.session_lifetime)
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, request, started.token, int(request.app.state.session_lifetime.total_seconds()))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


def _address(request: Request) -> str | None:
    return request.client.host if request.client else None


def router() -> APIRouter:
    pages = APIRouter(include_in_schema=False)

    @pages.get("/login")
    def login_page(request: Request, next: str = "", ended: str = "") -> Response:
        return _login_page(request, next_path=safe_next(next) if next else "", notice=ENDED.get(ended))

    @pages.post("/login")
    def login(request: Request, email: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
              code: Annotated[str, Form()] = "", login_csrf: Annotated[str, Form()] = "",
              next: Annotated[str, Form()] = "") -> Response:
        email, code, password = email.strip()[:SHORT], code.strip()[:SHORT], password[:1000]
        cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not cookie or not login_csrf or not secrets.compare_digest(cookie, login_csrf):
            return _login_page(request, email=email, next_path=next, status_code=400,
                               message="The sign-in form expired. Please sign in again.")
        if not email or not password:
            return _login_page(request, email=email, next_path=next, status_code=422,
                               message="Enter your e-mail and your password.")
        result = authenticate(database_of(request), email, password, code or None, now=utc_now())
        if isinstance(result, LoginRefused):
            if result.reason is Refusal.LOCKED:
                until = result.locked_until.strftime("%H:%M UTC") if result.locked_until else "a while"
                message = (f"Too many failed sign-ins: this account is locked until {until}. Try again then, or "
                           "ask your administrator.")
            else:
                message = REFUSED[result.reason]
            return _login_page(request, email=email, next_path=next, status_code=401, message=message)
        if result.must_change_password:
            return _started(request, result, "/account/password")
        if result.must_enroll_totp:
            return _started(request, result, "/account/totp")
        return _started(request, result, safe_next(next))

    @pages.post("/logout")
    def logout(request: Request, session: Csrf) -> Response:
        end_session(database_of(request), session, now=utc_now())
        response = RedirectResponse("/login?ended=signed_out", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @pages.get("/account/password")
    def password_page(request: Request, session: AccountSession) -> Response:
        return _password_page(request, session)

    @pages.post("/account/password")
    def password_change(request: Request, session: Csrf, current: Annotated[str, Form()] = "",
                        new: Annotated[str, Form()] = "", again: Annotated[str, Form()] = "") -> Response:
        user = session.user
        problems: dict[str, str] = {}
        if not password_is(database_of(request), user.id, current[:1000]):
            problems["current"] = "This is not your current password."
        found = password_problems(new, email=user.email)
        if found:
            problems["new"] = "; ".join(found).capitalize() + "."
        elif new != again:
            problems["again"] = "The two new passwords differ; type the same one twice."
        if not problems:
            try:
                change_password(database_of(request), user.id, new, actor=user.email)
            except InvalidInput as refused:
                problems["new"] = str(refused).capitalize() + "."
        if problems:
            return _password_page(request, session, problems=problems, status_code=422)
        refreshed = Authenticated(user=user, must_change_password=False,
                                  must_enroll_totp=user.totp_required and not user.totp_enabled)
        return _started(request, refreshed, "/account/totp" if refreshed.must_enroll_totp else "/dashboard")

    @pages.get("/account/totp")
    def totp_page(request: Request, session: AccountSession) -> Response:
        if session.user.totp_enabled:
            return render(request, "totp.html", {"title": "Second factor", "enabled": True}, session=session)
        enrollment = begin_totp_enrollment(database_of(request), session.user.id, actor=session.user.email)
        return _totp_page(request, session, enrollment.secret, enrollment.provisioning_uri)

    @pages.post("/account/totp")
    def totp_confirm(request: Request, session: Csrf, code: Annotated[str, Form()] = "") -> Response:
        user = session.user
        try:
            codes = confirm_totp(database_of(request), user.id, code.strip()[:SHORT], now=utc_now(),
                                 actor=user.email)
        except InvalidInput as refused:
            enrollment = begin_totp_enrollment(database_of(request), user.id, actor=user.email)
            return _totp_page(request, session, enrollment.secret, enrollment.provisioning_uri,
                              problem=str(refused).capitalize() + ". Scan the new code below and try again.",
                              status_code=422)
        return render(request, "totp.html", {"title": "Second factor", "recovery_codes": codes,
                                             "enabled": True}, session=session)

    return pages


def _password_page(request: Request, session: LiveSession, *, problems: dict[str, str] | None = None,
                   status_code: int = 200) -> Response:
    return render(request, "password.html", {"title": "Change password", "problems": problems or {},
                                             "min_length": MIN_PASSWORD_LENGTH}, session=session,
                  status_code=status_code)


def _totp_page(request: Request, session: LiveSession, secret: str, uri: str, *, problem: str | None = None,
               status_code: int = 200) -> Response:
    svg = io.BytesIO()
    segno.make(uri, error="m").save(svg, kind="svg", scale=5, xmldecl=False, svgns=True, nl=False,
                                    title="QR code for your authenticator app")
    return render(request, "totp.html", {"title": "Set up your second factor", "qr_svg": svg.getvalue().decode(),
                                         "secret": secret, "problem": problem, "enabled": False},
                  session=session, status_code=status_code)
