"""Typed settings, read once at start-up from the environment."""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass

from dermbill.core.access import SESSION_IDLE, SESSION_LIFETIME

DEFAULT_DATABASE_URL = "sqlite:///var/dermbill.db"
DEFAULT_DEMO_OUT = "var/demo"
DEFAULT_CONFIG = "dermbill.toml"
DEFAULT_OUTBOX = "var/outbox"
DEFAULT_INBOX = "var/inbox"
DEFAULT_LOG_DIR = "var/log"


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    config_path: str = DEFAULT_CONFIG  # clearinghouse connections and routes (TOML)
    log_dir: str = DEFAULT_LOG_DIR  # the error log's folder (created private, mode 0700)
    session_idle: datetime.timedelta = SESSION_IDLE  # a web session ends after this without a request
    session_lifetime: datetime.timedelta = SESSION_LIFETIME  # and this long after signing in at the latest


def load_settings() -> Settings:
    return Settings(database_url=os.environ.get("DERMBILL_DATABASE_URL") or DEFAULT_DATABASE_URL,
                    config_path=os.environ.get("DERMBILL_CONFIG") or DEFAULT_CONFIG,
                    log_dir=os.environ.get("DERMBILL_LOG_DIR") or DEFAULT_LOG_DIR,
                    session_idle=_minutes("DERMBILL_SESSION_IDLE_MINUTES", SESSION_IDLE),
                    session_lifetime=_minutes("DERMBILL_SESSION_LIFETIME_MINUTES", SESSION_LIFETIME))


def _minutes(variable: str, default: datetime.timedelta) -> datetime.timedelta:
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{variable} must be a whole number of minutes (1 or more), not {raw!r}")
    return datetime.timedelta(minutes=int(raw))
