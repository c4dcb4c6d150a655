"""The statements journey: a biller opens the statements page of the demo world (its first practice's statement
cycle and reminders), opens a statement and sees the same amount; the patient opens the statement page with the
code and their date of birth, with the keyboard, and sees the balance; a wrong date of birth shows nothing."""

from __future__ import annotations

from browsing import LiveServer, screenshot, sign_in
from playwright.sync_api import Page, expect
from sqlalchemy import select
from web_world import staff_email

from dermbill.core.access import Role
from dermbill.core.money import Money
from dermbill.db.engine import open_database
from dermbill.db.models import PatientRow, StatementRow
from dermbill.db.repositories import UnitOfWork


def _latest_statement(url: str) -> tuple[str, str, Money, str]:
    """The newest statement of the world: its code, the patient's account, the amount, the date of birth."""
    database = open_database(url)
    try:
        with UnitOfWork(database, actor="test") as uow:
            row = uow.session.execute(
                select(StatementRow, PatientRow).join(PatientRow, PatientRow.id == StatementRow.patient_id)
                .order_by(StatementRow.statement_date.desc(), StatementRow.id.desc())).first()
            assert row is not None, "the demo world makes statements"
            statement, patient = row
            return statement.code, patient.account_number, Money(statement.amount_cents), \
                patient.date_of_birth.strftime("%m/%d/%Y")
    finally:
        database.dispose()


def test_a_biller_opens_a_statement_and_the_patient_reads_it_with_code_and_birth_date(
        page: Page, live_server: LiveServer) -> None:
    code, account, amount, born = _latest_statement(live_server.world.url)
    sign_in(page, staff_email(Role.BILLER))
    page.get_by_role("link", name="Statements", exact=True).click()
    expect(page.get_by_role("heading", name="Patient statements")).to_be_visible()
    screenshot(page, "statements")
    page.get_by_role("row").filter(has_text=code).get_by_role("link").first.click()
    expect(page.get_by_text(f"${amount}").first).to_be_visible()
    expect(page.get_by_text(account).first).to_be_visible()
    screenshot(page, "statement-staff")

    patient = page.context.browser.new_page(base_url=live_server.url)  # type: ignore[union-attr]
    patient.goto("/statement")
    patient.get_by_label("Statement code").fill(code)
    patient.get_by_label("Patient's date of birth").fill("01/01/1900")
    patient.keyboard.press("Enter")
    expect(patient.get_by_role("alert")).to_be_visible()
    assert f"${amount}" not in patient.content()
    patient.get_by_label("Statement code").fill(code)
    patient.get_by_label("Patient's date of birth").fill(born)
    patient.keyboard.press("Enter")
    expect(patient.get_by_text(f"${amount}").first).to_be_visible()
    screenshot(patient, "statement-patient")
    patient.close()
