"""Where the units of work opened now are driven from (a command or route, a client's address) and, for a command,
the person who runs it, for the audit trail. Kept free of SQLAlchemy so the CLI can set it before it knows whether
a command opens a database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

UNATTRIBUTED = "unattributed"  # the source of audit events written outside a command or route (tests, scripts)


@dataclass(frozen=True, slots=True)
class AuditOrigin:
    """Where the units of work opened now are driven from: a command or route, the client's address, and the person
    running the command (its operating-system login or ``--as`` e-mail)."""

    source: str
    address: str | None = None
    person: str | None = None


_audit_origin: ContextVar[AuditOrigin | None] = ContextVar("dermbill_audit_origin", default=None)


def current_origin() -> AuditOrigin:
    """The origin set by the innermost ``audit_origin`` block, else ``UNATTRIBUTED``."""
    return _audit_origin.get() or AuditOrigin(UNATTRIBUTED)


def person_or(job: str) -> str:
    """The actor of work a service does under a job's name (``"sync"``, ``"denials"``): the person running the
    command when there is one, else the job. A web request sets no person: its routes name the signed-in user."""
    return current_origin().person or job


@contextmanager
def audit_origin(source: str, address: str | None = None, *, person: str | None = None) -> Iterator[None]:
    """Within the block, audit events record ``source`` (``"cli: era post"``) and ``address`` (a client's), and
    work done under a job's name is the ``person``'s (``person_or``)."""
    token = _audit_origin.set(AuditOrigin(source, address, person))
    try:
        yield
    finally:
        _audit_origin.reset(token)
