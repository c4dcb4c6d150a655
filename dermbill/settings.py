"""Typed settings, read once at start-up from the environment.

Secrets are not settings: the SMTP password stays in ``$DERMBILL_SMTP_PASSWORD`` and is read only when a
connection is made (as the SFTP connections' ``password_env``), so it is never in a settings object, a message or
a log.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, field
from enum import Enum

from dermbill.core.access import SESSION_IDLE, SESSION_LIFETIME
from dermbill.core.errors import InvalidInput

DEFAULT_DATABASE_URL = "sqlite:///var/dermbill.db"
DEFAULT_DEMO_OUT = "var/demo"
DEFAULT_CONFIG = "dermbill.toml"
DEFAULT_OUTBOX = "var/outbox"
DEFAULT_INBOX = "var/inbox"
DEFAULT_LOG_DIR = "var/log"
DEFAULT_UPLOAD_DIR = "var/uploads"  # large uploads kept for the worker that posts them: storage every worker sees
SMTP_PASSWORD_VARIABLE = "DERMBILL_SMTP_PASSWORD"


class SmtpSecurity(Enum):
    """How the connection to the mail server is protected: ``starttls`` (port 587), ``ssl`` (implicit TLS, port
    465), or ``none`` (a relay on this host or a test server only: the notices carry no PHI, the login would)."""

    STARTTLS = "starttls"
    SSL = "ssl"
    NONE = "none"


DEFAULT_SMTP_PORTS = {SmtpSecurity.STARTTLS: 587, SmtpSecurity.SSL: 465, SmtpSecurity.NONE: 25}


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """The mail server that sends statement notices (``DERMBILL_SMTP_*``); the password is not here (see above)."""

    host: str
    sender: str  # the From address; the practice's name is its display name
    port: int = 587
    security: SmtpSecurity = SmtpSecurity.STARTTLS
    user: str | None = None  # sign in as this user, with the password in $DERMBILL_SMTP_PASSWORD
    timeout_seconds: float = 30.0
    password_variable: str = field(default=SMTP_PASSWORD_VARIABLE)
    # Instead of a mail server: write each notice as an .eml file into this folder, for a mail system to pick up
    # (``DERMBILL_MAIL_PICKUP_DIR``; the demo's outbox, a staging system's). Nothing then goes over the network.
    pickup_dir: str | None = None


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    config_path: str = DEFAULT_CONFIG  # clearinghouse connections and routes (TOML)
    log_dir: str = DEFAULT_LOG_DIR  # the error log's folder (created private, mode 0700)
    upload_dir: str = DEFAULT_UPLOAD_DIR  # where a large 835 uploaded on the web waits for its background job
    session_idle: datetime.timedelta = SESSION_IDLE  # a web session ends after this without a request
    session_lifetime: datetime.timedelta = SESSION_LIFETIME  # and this long after signing in at the latest


def load_settings() -> Settings:
    return Settings(database_url=os.environ.get("DERMBILL_DATABASE_URL") or DEFAULT_DATABASE_URL,
                    config_path=os.environ.get("DERMBILL_CONFIG") or DEFAULT_CONFIG,
                    log_dir=os.environ.get("DERMBILL_LOG_DIR") or DEFAULT_LOG_DIR,
                    upload_dir=os.environ.get("DERMBILL_UPLOAD_DIR") or DEFAULT_UPLOAD_DIR,
                    session_idle=_minutes("DERMBILL_SESSION_IDLE_MINUTES", SESSION_IDLE),
                    session_lifetime=_minutes("DERMBILL_SESSION_LIFETIME_MINUTES", SESSION_LIFETIME))


# Read by the commands that send mail only (not at every start-up: a half-set mail server must not stop the web
# application or the other commands).

def public_url() -> str | None:
    """``DERMBILL_PUBLIC_URL``: where patients reach the statement page (https://bills.example), for the notices."""
    return os.environ.get("DERMBILL_PUBLIC_URL", "").strip().rstrip("/") or None


def load_smtp_settings() -> SmtpSettings | None:
    """``DERMBILL_SMTP_HOST``, ``_PORT``, ``_FROM``, ``_TLS`` (starttls, ssl or none), ``_USER``; without a host,
    ``DERMBILL_MAIL_PICKUP_DIR`` (notices written as files there); None when neither is set."""
    host = os.environ.get("DERMBILL_SMTP_HOST", "").strip()
    pickup = os.environ.get("DERMBILL_MAIL_PICKUP_DIR", "").strip()
    if not host and pickup:
        return SmtpSettings(host="", sender=os.environ.get("DERMBILL_SMTP_FROM", "").strip()
                            or "statements@localhost", pickup_dir=pickup)
    if not host:
        return None
    raw_security = os.environ.get("DERMBILL_SMTP_TLS", "").strip().lower() or SmtpSecurity.STARTTLS.value
    try:
        security = SmtpSecurity(raw_security)
    except ValueError:
        raise InvalidInput(f"DERMBILL_SMTP_TLS must be starttls, ssl or none, not {raw_security!r}") from None
    raw_port = os.environ.get("DERMBILL_SMTP_PORT", "").strip()
    if raw_port and not (raw_port.isdigit() and 0 < int(raw_port) < 65536):
        raise InvalidInput(f"DERMBILL_SMTP_PORT must be a port number (1 to 65535), not {raw_port!r}")
    sender = os.environ.get("DERMBILL_SMTP_FROM", "").strip()
    if not sender:
        raise InvalidInput("DERMBILL_SMTP_FROM must name the address statement notices are sent from "
                         "(DERMBILL_SMTP_HOST is set)")
    return SmtpSettings(host=host, sender=sender, port=int(raw_port) if raw_port else DEFAULT_SMTP_PORTS[security],
                        security=security, user=os.environ.get("DERMBILL_SMTP_USER", "").strip() or None)


def _minutes(variable: str, default: datetime.timedelta) -> datetime.timedelta:
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{variable} must be a whole number of minutes (1 or more), not {raw!r}")
    return datetime.timedelta(minutes=int(raw))
