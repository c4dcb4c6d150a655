"""Journeys through the staff web application in a real browser, as a person with a keyboard and a mouse takes them.

Each journey is a function of its own: open a page, look (a screenshot under test-artifacts/screenshots/), act,
check what the person sees. Add the journeys of new screens here: sign in with ``browsing.sign_in(page, email)``
as one of the world's staff (tests/web_world.py: ``staff_email(role)``, both demo practices, no second factor).
"""

from __future__ import annotations

import json

from browsing import LiveServer, screenshot, sign_in
from playwright.sync_api import Page, expect
from web_world import staff_email

from dermbill.core.access import Role


def test_the_login_page_is_labelled_keyboard_ready_and_sent_with_the_security_headers(page: Page) -> None:
    answer = page.goto("/login")
    assert answer is not None and answer.status == 200
    screenshot(page, "login")

    email = page.get_by_label("Email")
    expect(email).to_be_visible()
    expect(email).to_have_attribute("type", "email")
    expect(email).to_be_focused()  # autofocus: a person can type at once
    # Tab walks the form in reading order: email, password, the code, then the button.
    seen = []
    for _ in range(3):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("() => document.activeElement.id || document.activeElement.textContent.trim()"))
    assert seen == ["password", "code", "Sign in"]
    headers = answer.headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "'unsafe-inline'" not in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"


def test_the_api_without_a_token_answers_401_in_json(page: Page) -> None:
    answer = page.request.get("/api/v1/claims")

    assert answer.status == 401
    assert answer.headers["content-type"].startswith("application/json")
    assert "Authorization: Bearer" in json.loads(answer.text())["detail"]


def test_a_biller_signs_in_and_lands_on_the_dashboard(page: Page, live_server: LiveServer) -> None:
    sign_in(page, staff_email(Role.BILLER))

    assert page.url == f"{live_server.url}/dashboard"
    screenshot(page, "dashboard-biller")
    expect(page.get_by_role("link", name="Payments")).to_be_visible()
    expect(page.get_by_role("link", name="Users")).to_have_count(0)  # administration is not a biller's
