"""A message for the next page: what a form did, shown once on the page it redirects to (post, redirect, get).

The message rides in a short-lived cookie, not in the address: a link cannot put words in dermbill's mouth, and the
address bar and the server's access log never carry it. It says what changed and which claims moved (claim numbers,
field names), never a patient's details."""

from __future__ import annotations

from urllib.parse import quote, unquote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

FLASH_COOKIE = "dermbill_flash"
MAX_LENGTH = 1500


def redirect_with(request: Request, path: str, message: str) -> Response:
    """303 to ``path`` (a path of this site), with ``message`` for the page there."""
    response = RedirectResponse(path, status_code=303)
    response.set_cookie(FLASH_COOKIE, quote(message[:MAX_LENGTH]), max_age=60, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")
    return response


def flashed(request: Request) -> str | None:
    """The message the previous page left, if any (forget it with ``forget``, on the response showing it)."""
    value = request.cookies.get(FLASH_COOKIE)
    return unquote(value)[:MAX_LENGTH] if value else None


def forget(response: Response, request: Request) -> Response:
    if request.cookies.get(FLASH_COOKIE):
        response.delete_cookie(FLASH_COOKIE, path="/", httponly=True, samesite="strict",
                               secure=request.url.scheme == "https")
    return response
