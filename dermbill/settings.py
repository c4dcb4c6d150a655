"""Typed settings, read once at start-up from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite:///var/dermbill.db"
DEFAULT_DEMO_OUT = "var/demo"


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str


def load_settings() -> Settings:
    return Settings(database_url=os.environ.get("DERMBILL_DATABASE_URL") or DEFAULT_DATABASE_URL)
