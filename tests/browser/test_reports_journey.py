"""The reports journey: a manager opens the reports from the navigation, narrows them to one practice with the
keyboard, drills from the aging summary's insurance row down to the claims behind it (all of that practice) and
on to a claim, and downloads a table as CSV."""

from __future__ import annotations

import csv
import io
import re

from browsing import LiveServer, screenshot, sign_in
from playwright.sync_api import Page, expect
from web_world import AS_OF, staff_email

from dermbill.core.access import Role


def test_a_manager_filters_the_reports_drills_down_to_the_claims_and_downloads_a_table(
        page: Page, live_server: LiveServer) -> None:
    sign_in(page, staff_email(Role.MANAGER))
    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("^Key figures"))).to_be_visible()
    expect(page.locator("svg.chart[role=img]")).to_have_count(1)

    # Filter with the keyboard: practice D1, balances as of the demo's day.
    page.get_by_label("Practice").focus()
    page.get_by_label("Practice").select_option(value="D1")
    page.get_by_label("As of").fill(AS_OF.isoformat())
    page.get_by_role("button", name="Apply").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"practice=D1"))
    expect(page.get_by_label("Practice")).to_have_value("D1")
    screenshot(page, "reports-dashboard")

    with page.expect_download() as downloading:
        page.get_by_role("region", name="A/R by who owes it").get_by_role("link", name="CSV").click()
    rows = list(csv.reader(io.StringIO(downloading.value.path().read_text())))
    assert rows[0][:3] == ["Owed by", "0-30", "31-60"] and rows[-1][0] == "Total"
    assert downloading.value.suggested_filename == f"aging-aging_summary-{AS_OF.isoformat()}.csv"

    page.get_by_role("link", name="Claims behind Insurance", exact=True).click()
    expect(page.get_by_role("heading", name="Claims behind the figure")).to_be_visible()
    table = page.locator("#claims-behind")
    expect(table).to_be_visible()
    numbers = table.locator("tbody th a").all_inner_texts()
    assert numbers, "the demo's first practice has insurance balances"
    practices = table.locator("tbody td:nth-child(2)").all_inner_texts()
    assert set(practices) == {"D1"}
    screenshot(page, "reports-claims")
    table.locator("tbody th a").first.click()
    expect(page).to_have_url(re.compile(f"/claims/{re.escape(numbers[0])}$"))
