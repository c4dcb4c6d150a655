"""The patient statement page, as a browser uses it and without signing in: the code and the date of birth open the
statement (balance, due date, visits and lines, the PDF); a wrong birth date answers as an unknown code does;
failures are throttled per address and per code; every view and failure is audited without the birth date."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from migrated_databases import migrated_sqlite_url
from sqlalchemy import select
from statement_mail_world import BIRTH, add_statement, statement_practice

from dermbill.core.access import LOCKOUT_DURATION, LOCKOUT_FAILURES
from dermbill.db.engine import Database, open_database
from dermbill.db.models import AuditEventRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.statement_page import LookupRefused, Refusal, StatementShown, open_statement
from dermbill.web.app import create_app
from dermbill.web.pages.statement_page import NOT_FOUND

CODE = "K7M2Q9TX4P"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return migrated_sqlite_url(tmp_path / "statement-page.db")


@pytest.fixture
def database(sqlite_url: str) -> Iterator[Database]:
    database = open_database(sqlite_url)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def statement_id(database: Database) -> int:
    practice = statement_practice(database)
    return add_statement(database, practice, code=CODE, email="pat@example.test", account="A1001").id


@pytest.fixture
def browser(sqlite_url: str, statement_id: int) -> Iterator[TestClient]:
    with TestClient(create_app(sqlite_url), raise_server_exceptions=False, follow_redirects=False) as client:
        yield client


def form_token(client: TestClient) -> str:
    page = client.get("/statement")
    assert page.status_code == 200
    found = re.search(r'name="statement_csrf" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def look_up(client: TestClient, code: str, birth: str, path: str = "/statement") -> httpx.Response:
    return client.post(path, data={"code": code, "date_of_birth": birth, "statement_csrf": form_token(client)})


def audit_trail(database: Database) -> list[tuple[str, int | None, int | None, str | None, dict[str, object]]]:
    with UnitOfWork(database, actor="test") as uow:
        return [(e.action, e.entity_id, e.practice_id, e.address, e.detail) for e in uow.session.scalars(
            select(AuditEventRow).where(AuditEventRow.actor == "patient (statement page)")
            .order_by(AuditEventRow.sequence))]


def test_the_code_and_birth_date_open_the_statement_and_its_pdf_without_signing_in(
        browser: TestClient, database: Database, statement_id: int) -> None:
    form = browser.get("/statement")
    assert form.status_code == 200 and form.headers["cache-control"] == "no-store"
    for field in ("code", "date_of_birth"):  # every input has its label, the keyboard reaches them in order
        assert f'<label for="{field}">' in form.text and f'id="{field}"' in form.text
    assert "dermbill_session" not in form.text and "Sign out" not in form.text
    shown = look_up(browser, "k7m2-q9tx-4p", BIRTH.strftime("%m/%d/%Y"))  # as a patient may type them
    assert shown.status_code == 200, shown.text
    assert shown.headers["cache-control"] == "no-store"
    page = shown.text
    assert "Balance due: $109.50" in page and "May 22, 2026" in page
    for words in ("March 2, 2026", "April 14, 2026", "Skin biopsy, first lesion (11102)", "Blue Meadow Health Plan",
                  "Destruction of a benign lesion (17110)", "$70.00", "Card payment, terminal reference T-88213",
                  "(217) 555-0142"):
        assert words in page, words
    token = re.search(r'name="statement_csrf" value="([^"]+)"', page)
    assert token and f'name="date_of_birth" value="{BIRTH.isoformat()}"' in page
    pdf = browser.post("/statement/pdf", data={"code": CODE, "date_of_birth": BIRTH.isoformat(),
                                               "statement_csrf": token.group(1)})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and pdf.headers["cache-control"] == "no-store"
    assert pdf.headers["content-disposition"] == 'attachment; filename="statement.pdf"'
    trail = audit_trail(database)
    assert [(action, entity) for action, entity, *_ in trail] == [
        ("statement.viewed_by_patient", statement_id), ("statement.downloaded_by_patient", statement_id)]
    assert all(practice is not None and address == "testclient" for _, _, practice, address, _ in trail)
    assert "1961" not in str(trail)


def test_an_unknown_code_and_a_wrong_birth_date_get_the_same_answer_and_both_are_audited(
        browser: TestClient, database: Database, statement_id: int) -> None:
    unknown = look_up(browser, "NOSUCHCODE", BIRTH.isoformat())
    wrong = look_up(browser, CODE, "07/15/1961")
    assert unknown.status_code == wrong.status_code == 401
    assert NOT_FOUND in unknown.text and NOT_FOUND in wrong.text
    assert unknown.text.replace("NOSUCHCODE", CODE).replace(BIRTH.isoformat(), "07/15/1961").split(
        'name="statement_csrf"')[0] == wrong.text.split('name="statement_csrf"')[0]
    trail = audit_trail(database)
    assert [(action, entity) for action, entity, *_ in trail] == [("statement.lookup_refused", None),
                                                                  ("statement.lookup_refused", statement_id)]
    assert "1961" not in str(trail) and "NOSUCHCODE" not in str(trail)
    # Nothing in a URL, and a date that cannot be read is asked again without counting as a try.
    assert look_up(browser, CODE, "14 July").status_code == 422
    assert browser.post("/statement", data={"code": CODE, "date_of_birth": BIRTH.isoformat()}).status_code == 400
    assert len(audit_trail(database)) == 2


def test_five_failures_lock_the_address_and_the_code_and_say_when_to_try_again(
        browser: TestClient, database: Database) -> None:
    for _ in range(LOCKOUT_FAILURES - 1):
        assert look_up(browser, CODE, "01/01/1990").status_code == 401
    locked = look_up(browser, CODE, "01/01/1990")
    assert locked.status_code == 429 and "Too many tries" in locked.text and "please wait until" in locked.text
    assert 0 < int(locked.headers["retry-after"]) <= LOCKOUT_DURATION.total_seconds() + 60
    assert look_up(browser, CODE, BIRTH.isoformat()).status_code == 429  # even the right answer waits
    assert look_up(browser, "OTHERCODE1", BIRTH.isoformat()).status_code == 429  # and this address's others


def test_the_code_is_locked_for_every_address_and_opens_again_after_the_lock(database: Database,
                                                                          statement_id: int) -> None:
    now = datetime.datetime(2026, 5, 3, 10, 0, tzinfo=datetime.UTC)
    for attempt in range(LOCKOUT_FAILURES):  # a guesser spread over many addresses
        found = open_statement(database, CODE, datetime.date(1990, 1, 1), address=f"203.0.113.{attempt}",
                               now=now + datetime.timedelta(seconds=attempt))
        assert isinstance(found, LookupRefused)
    locked = open_statement(database, CODE, BIRTH, address="198.51.100.7", now=now + datetime.timedelta(minutes=1))
    assert isinstance(locked, LookupRefused) and locked.reason is Refusal.LOCKED
    later = now + LOCKOUT_DURATION + datetime.timedelta(minutes=1)
    shown = open_statement(database, CODE, BIRTH, address="198.51.100.7", now=later)
    assert isinstance(shown, StatementShown) and shown.statement_id == statement_id
    assert shown.document.balance_due.plain() == "109.50"
