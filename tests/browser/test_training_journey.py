"""The training journey: a front-desk person is assigned a module from a CO-27 denial of their practice, takes it
with the keyboard (lesson, three registrations to correct, a score each), and the manager sees the score."""

from __future__ import annotations

import datetime

from browsing import LiveServer, screenshot, sign_in
from playwright.sync_api import Page, expect
from sqlalchemy import select
from web_world import AS_OF, WORKING_DAY, staff_email

from dermbill.core.access import Role
from dermbill.core.training.registration import FrontDeskScenario
from dermbill.db.engine import open_database
from dermbill.db.models import ClaimLineRow, ClaimRow, DenialItemRow, PracticeRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.demo_cycle import demo_time
from dermbill.services.training import assign_from_denials, list_assignments, scenario_for, scenario_seed


def _coverage_ended_in_d1(url: str) -> int:
    """A D1 claim denied CO-27 (the demo world's small run has none), training assigned from the practice's
    denials; the front-desk person's assignment id."""
    database = open_database(url)
    try:
        with UnitOfWork(database, actor="test") as uow:
            claim, line = uow.session.execute(
                select(ClaimRow, ClaimLineRow).join(ClaimLineRow, ClaimLineRow.claim_id == ClaimRow.id)
                .join(PracticeRow, PracticeRow.id == ClaimRow.practice_id)
                .where(PracticeRow.code == "D1", ClaimRow.status == "paid").order_by(ClaimRow.id)).first()._tuple()
            uow.session.add(DenialItemRow(
                practice_id=claim.practice_id, claim_id=claim.id, payer_id=claim.payer_id,
                source_key=f"test:{claim.id}:CO-27", kind="denial", line_ids=[line.id],
                line_numbers=[line.line_number], codes=[line.procedure_code], group_code="CO", carc="27", rarcs=[],
                category="eligibility_coverage", action="check_eligibility_and_rebill",
                cause="CO-27: the plan ended before the date of service", fixes=[], relies_on=[],
                amount_cents=line.charge_cents, adjudicated_on=AS_OF, deadline=AS_OF + datetime.timedelta(days=90),
                status="open", created_at=demo_time(AS_OF), updated_at=demo_time(AS_OF)))
            uow.commit()
        assign_from_denials(database, as_of=WORKING_DAY, actor="test", practice="D1")
        [found] = [a for a in list_assignments(database, email=staff_email(Role.FRONT_DESK), actor="test")
                   if a.module.key == "coverage_ended"]
        return found.id
    finally:
        database.dispose()


def test_a_front_desk_trainee_completes_a_module_and_the_manager_sees_the_score(
        page: Page, live_server: LiveServer) -> None:
    assignment = _coverage_ended_in_d1(live_server.world.url)
    sign_in(page, staff_email(Role.FRONT_DESK))
    page.get_by_role("link", name="Training", exact=True).click()
    screenshot(page, "training-mine")
    row = page.get_by_role("row").filter(has_text="Coverage that ended")
    expect(row).to_contain_text("CO-27 on claim")
    row.get_by_role("link", name="Start").click()
    expect(page.get_by_role("heading", name="Lesson")).to_be_visible()
    screenshot(page, "training-lesson")
    start = page.get_by_role("link", name="Start the scenarios")
    expect(start).to_be_focused()  # the keyboard goes on from the lesson with Enter
    page.keyboard.press("Enter")

    for number in (1, 2, 3):
        scenario = scenario_for("coverage_ended", scenario_seed(assignment, number))
        assert isinstance(scenario, FrontDeskScenario)
        expect(page.get_by_role("heading", name=f"scenario {number} of 3")).to_be_visible()
        field = page.get_by_label("The field that is wrong")
        expect(field).to_be_focused()
        field.select_option(scenario.planted.field)
        page.keyboard.press("Tab")
        page.keyboard.type(scenario.planted.fix)
        if number == 1:
            screenshot(page, "training-scenario")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Score: 100 of 100")).to_be_visible()
        if number == 1:
            screenshot(page, "training-feedback")
        if number < 3:
            page.keyboard.press("Enter")  # the focused "Next: scenario" link
    expect(page.get_by_text("Module complete: score 100.").first).to_be_visible()
    screenshot(page, "training-complete")

    page.context.clear_cookies()
    sign_in(page, staff_email(Role.MANAGER))
    page.goto("/training/report")
    person = page.get_by_role("row").filter(has_text=staff_email(Role.FRONT_DESK))
    expect(person).to_contain_text("Coverage that ended: 3 of 3, score 100")
    expect(page.get_by_text("Front-desk denial rate before training")).to_be_visible()
    screenshot(page, "training-report")
