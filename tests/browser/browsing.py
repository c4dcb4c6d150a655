"""What browser tests share besides fixtures: the live server's address, screenshots, signing in.

``screenshot(page, name)`` saves what the browser shows as ``test-artifacts/screenshots/<name>.png`` (ignored by
git), to look at after a run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page
from web_world import PASSWORD, WebWorld

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@dataclass(frozen=True, slots=True)
class LiveServer:
    url: str  # http://127.0.0.1:<port>, no trailing slash
    world: WebWorld


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as test-artifacts/screenshots/<name>.png and return the path."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
        raise ValueError(f"screenshot name {name!r}: use letters, digits, '.', '_' and '-'")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the login page as a person does; ends on the page the sign-in leads to."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
