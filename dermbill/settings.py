"""Typed settings, read once at start-up from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass

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


def load_settings() -> Settings:
    return Settings(database_url=os.environ.get("DERMBILL_DATABASE_URL") or DEFAULT_DATABASE_URL,
                    config_path=os.environ.get("DERMBILL_CONFIG") or DEFAULT_CONFIG,
                    log_dir=os.environ.get("DERMBILL_LOG_DIR") or DEFAULT_LOG_DIR)
