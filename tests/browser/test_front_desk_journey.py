"""The front desk's journey: the day's schedule shows a visit whose eligibility failed (a member ID keyed with two
digits swapped); the desk fixes the member ID from the card in the work list and eligibility is asked again (a 270
through the practice's connection to the simulated payer, its 271 applied); the visit is now active; at check-in
the desk sees the patient's cost estimate from that 271's benefits and collects the copay, which posts once.

The practice is tests/eligibility_world.py's (a day of visits whose answers are each kind the payer gives), served
by its own live server; "today" is the day before the visits (the decorator's ``pinned_today`` comes before the one
tests/browser/conftest.py adds to every browser test)."""

from __future__ import annotations

import dataclasses
import datetime
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from browsing import screenshot, sign_in
from eligibility_world import VISIT_DAY, EligibilityWorld, eligibility_world
from era_world import NOW
from migrated_databases import migrated_sqlite_url
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import func, select
from web_world import PASSWORD

from dermbill.clearinghouse.simulated_payer.plans import read_roster, write_roster
from dermbill.core.access import Role
from dermbill.core.money import Money
from dermbill.db.engine import open_database
from dermbill.db.models import CopayReceiptRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.eligibility import run_eligibility
from dermbill.services.users import add_user, set_company_totp
from dermbill.web.app import create_app

FRONT_DESK = "desk@era.test"
BOB = "TESTGAMMA, BOB"  # our member ID has two digits swapped; the card (and the payer) says 2EG4TE5MK73
CARD_MEMBER_ID = "2EG4TE5MK73"
COPAY = Money(2000)


@pytest.fixture
def desk_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, EligibilityWorld]]:
    """The eligibility world behind a live server on a free port, its first eligibility run made the day before."""
    database = open_database(migrated_sqlite_url(tmp_path / "desk.db"))
    world = eligibility_world(database, tmp_path)
    roster = world.payer_folder / "roster.csv"  # Bob's plan has a specialist copay, collected at check-in
    write_roster(roster, [dataclasses.replace(m, copay=COPAY) if m.member_id == CARD_MEMBER_ID else m
                          for m in read_roster(roster).members()])
    set_company_totp(database, "ERA TEST BILLING", required=False, actor="test")
    add_user(database, company="ERA TEST BILLING", email=FRONT_DESK, display_name="Front desk",
             roles=[Role.FRONT_DESK], practices=["ERA"], password=PASSWORD, actor="test")
    # The evening before, at midnight: what the desk does in the journey happens later that day (clock.utc_now).
    evening = datetime.datetime.combine(NOW.date(), datetime.time(0, 0), tzinfo=datetime.UTC)
    run_eligibility(database, world.config, inbox=world.inbox, outbox=world.outbox, now=evening, days=1)
    monkeypatch.setenv("DERMBILL_CONFIG", str(world.config_file))
    monkeypatch.chdir(tmp_path)
    app = create_app(str(database.engine.url))
    app.state.inbox, app.state.outbox = world.inbox, world.outbox
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the live server did not start"
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", world
    finally:
        server.should_exit = True
        thread.join(10)
        listener.close()
        database.dispose()


@pytest.fixture
def desk_page(browser: Browser, desk_world: tuple[str, EligibilityWorld]) -> Iterator[Page]:
    context = browser.new_context(base_url=desk_world[0], viewport={"width": 1280, "height": 800})
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.mark.pinned_today(NOW.date())
def test_the_desk_fixes_a_failed_eligibility_sees_the_estimate_and_collects_the_copay(
        desk_page: Page, desk_world: tuple[str, EligibilityWorld]) -> None:
    page, world = desk_page, desk_world[1]
    sign_in(page, FRONT_DESK)
    page.goto(f"/front-desk/schedule?day={VISIT_DAY.isoformat()}")
    bob = page.get_by_role("row").filter(has_text=BOB)
    expect(bob).to_contain_text("invalid member ID")
    expect(bob).to_contain_text("Attention")
    screenshot(page, "front-desk-schedule")

    page.get_by_role("link", name="Eligibility work list").click()
    item = page.locator("section.card").filter(has=page.get_by_role("heading", name=BOB))
    member_id = item.get_by_label("Member ID (from the card)")
    member_id.fill(CARD_MEMBER_ID)
    screenshot(page, "front-desk-eligibility-work-list")
    member_id.press("Enter")  # the form is sent from the keyboard
    expect(page.get_by_text("Eligibility asked again: active.")).to_be_visible()
    expect(page.get_by_role("heading", name=BOB)).to_have_count(0)

    page.goto(f"/front-desk/schedule?day={VISIT_DAY.isoformat()}")
    bob = page.get_by_role("row").filter(has_text=BOB)
    expect(bob).not_to_contain_text("Attention")
    bob.get_by_role("link", name="Check in").click()
    estimate = page.locator("section").filter(has=page.get_by_role("heading", name="Patient cost estimate"))
    expect(estimate).to_contain_text("the eligibility answer (271)")
    expect(estimate).to_contain_text("copay $20.00")
    copay = page.locator("#copay")
    expect(copay).to_contain_text("Copay due for the visit: $20.00; collected: $0.00.")
    screenshot(page, "front-desk-check-in")

    copay.get_by_label("Amount ($)").fill("20.00")
    copay.get_by_label("Reference").fill("R-1001")
    copay.get_by_role("button", name="Record the payment").click()
    expect(page.get_by_role("heading", name="Receipt", exact=False)).to_be_visible()
    screenshot(page, "front-desk-receipt")
    page.go_back()
    page.reload()
    expect(page.locator("#copay")).to_contain_text("collected: $20.00")
    with UnitOfWork(world.database, actor="test") as uow:
        assert uow.session.scalar(select(func.count()).select_from(CopayReceiptRow)) == 1
