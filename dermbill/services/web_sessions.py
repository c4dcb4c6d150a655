"""Signed-in browsers: sessions kept in the database, so that every worker process of ``dermbill serve`` sees
the same ones and a sign-out anywhere ends the session everywhere.

The browser's cookie holds a random token; the database holds only its SHA-256. Each session has its own CSRF
token, which every state-changing form and htmx request sends back. A session ends when it is revoked (sign-out,
password change, user disabled), after ``idle`` without a request, or at its absolute lifetime
(``dermbill.core.access.session_end`` decides).
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from dermbill import credentials
from dermbill.core.access import SESSION_IDLE, SESSION_LIFETIME, SessionEnd, session_end
from dermbill.db.engine import Database
from dermbill.db.models import UserAccountRow, WebSessionRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.users import User, user_view

TOUCH_INTERVAL = datetime.timedelta(seconds=30)  # last_seen_at is written at most this often
ADDRESS_LENGTH = 64


@dataclass(frozen=True, slots=True)
class StartedSession:
    token: str  # for the cookie; never stored
    csrf_token: str


@dataclass(frozen=True, slots=True)
class LiveSession:
    id: int
    user: User
    csrf_token: str
    expires_at: datetime.datetime


def start_session(database: Database, user: User, *, now: datetime.datetime, address: str | None,
                  lifetime: datetime.timedelta = SESSION_LIFETIME) -> StartedSession:
    """A new session for a user who just signed in."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with UnitOfWork(database, actor=user.email, clock=lambda: now) as uow:
        uow.session.add(WebSessionRow(user_id=user.id, token_hash=credentials.secret_hash(token), csrf_token=csrf,
                                      created_at=now, last_seen_at=now, expires_at=now + lifetime,
                                      address=(address or "")[:ADDRESS_LENGTH] or None))
        uow.audit("user.signed_in", "user_account", user.id, organization_id=user.organization_id,
                  detail={"email": user.email})
        uow.commit()
    return StartedSession(token=token, csrf_token=csrf)


def session_of(database: Database, token: str, *, now: datetime.datetime,
               idle: datetime.timedelta = SESSION_IDLE) -> LiveSession | SessionEnd | None:
    """The live session of a cookie's token (and its last use moved to ``now``); why it ended; or None when the
    token is no session at all (or its user is disabled)."""
    with UnitOfWork(database, actor="web", clock=lambda: now) as uow:
        row = uow.session.scalars(select(WebSessionRow)
                                  .where(WebSessionRow.token_hash == credentials.secret_hash(token))).first()
        if row is None:
            return None
        ended = session_end(last_seen_at=row.last_seen_at, expires_at=row.expires_at, revoked_at=row.revoked_at,
                            now=now, idle=idle)
        if ended is not None:
            if row.revoked_at is None:
                row.revoked_at = now  # over for good: a later request cannot revive it
                uow.commit()
            return ended
        account = uow.session.get(UserAccountRow, row.user_id)
        if account is None or account.disabled:
            return None
        if now - row.last_seen_at >= TOUCH_INTERVAL:
            row.last_seen_at = now
        live = LiveSession(id=row.id, user=user_view(uow, account), csrf_token=row.csrf_token,
                           expires_at=row.expires_at)
        uow.commit()
        return live


def end_session(database: Database, session: LiveSession, *, now: datetime.datetime) -> None:
    """Sign out: the session is revoked."""
    with UnitOfWork(database, actor=session.user.email, clock=lambda: now) as uow:
        row = uow.session.get(WebSessionRow, session.id)
        if row is None or row.revoked_at is not None:
            return
        row.revoked_at = now
        uow.audit("user.signed_out", "user_account", session.user.id, organization_id=session.user.organization_id,
                  detail={"email": session.user.email})
        uow.commit()
