"""Statement notices by e-mail against a real SMTP server on 127.0.0.1 (aiosmtpd): what the patient receives
carries no PHI; a refused address falls back to the print batch; an unreachable server leaves the statements
pending; a bounce that comes back later moves the statement to print. All of it audited, without the address."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest
from bounce_samples import delivery_report
from era_world import paid_claim, remittance, settled, submitted_claims, write
from migrated_databases import migrated_sqlite_url
from sqlalchemy import select
from statement_mail_world import (
    BASE_URL,
    BIRTH,
    SENDER,
    add_statement,
    free_port,
    smtp_server,
    smtp_settings,
    statement_practice,
    statement_row,
)

from dermbill.core.money import Money
from dermbill.db.engine import Database, open_database
from dermbill.db.models import AuditEventRow, PatientRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.era_posting import post_era_file
from dermbill.services.statement_mail import (
    deliver_statement_emails,
    mark_bounced,
    record_bounce_reports,
)
from dermbill.services.statement_page import StatementShown, open_statement
from dermbill.services.statements import run_statements

NOW = datetime.datetime(2026, 5, 1, 14, 0, tzinfo=datetime.UTC)
LATER = NOW + datetime.timedelta(days=1)
# What the statement says (tests/statement_samples.py) and who it is for: none of it may be in the e-mail.
PHI = ("Jordan", "Avery", "JORDAN", "AVERY", BIRTH.isoformat(), BIRTH.strftime("%m/%d/%Y"), "1961", "109.50",
       "2026-03-02", "03/02/2026", "2026-04-14", "04/14/2026", "biopsy", "11102", "99213", "17110", "lesion",
       "Rivera", "A1001", "Oak Lane", "62704")


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Iterator[Database]:
    database = open_database(migrated_sqlite_url(tmp_path / "statement-mail.db"))
    try:
        yield database
    finally:
        database.dispose()


def audit_actions(database: Database) -> list[tuple[str, int | None, int | None, dict[str, object]]]:
    with UnitOfWork(database, actor="test") as uow:
        return [(e.action, e.entity_id, e.practice_id, e.detail) for e in uow.session.scalars(
            select(AuditEventRow).where(AuditEventRow.entity_type == "statement").order_by(AuditEventRow.sequence))]


def test_the_notice_reaches_the_patient_without_phi_and_the_statement_is_sent(database: Database) -> None:
    practice = statement_practice(database)
    one = add_statement(database, practice, code="K7M2Q9TX4P", email="pat.one@example.test", account="A1001")
    with smtp_server() as server:
        report = deliver_statement_emails(database, smtp_settings(server.port), None, now=NOW, base_url=BASE_URL)
    assert (report.sent, report.to_print, report.still_pending, report.problem) == (["K7M2Q9TX4P"], [], 0, None)
    [(recipients, message)] = server.messages
    assert recipients == ["pat.one@example.test"]
    assert message["Subject"] == "A new statement is ready"
    assert message["From"] == f"ERA TEST DERMATOLOGY <{SENDER}>"
    assert message["X-Dermbill-Statement"] == "K7M2Q9TX4P" and "K7M2Q9TX4P" in message["Message-ID"]
    body = message.get_content()
    assert (f"A new statement is ready. View it at {BASE_URL}/statement and enter the statement code K7M2Q9TX4P "
            "with the patient's date of birth.") in body
    whole = message.as_string().replace(str(message["Date"]), "")  # the day it is sent is no date of service
    assert [word for word in PHI if word.lower() in whole.lower()] == []
    row = statement_row(database, one.id)
    assert (row.delivery, row.delivery_status, row.delivered_at) == ("email", "sent", NOW)
    [(action, entity, practice_id, detail)] = audit_actions(database)
    assert (action, entity, practice_id) == ("statement.emailed", one.id, practice)
    assert "pat.one" not in str(detail)
    # Sent is sent: the next run has nothing to do.
    with smtp_server() as server:
        again = deliver_statement_emails(database, smtp_settings(server.port), None, now=LATER, base_url=BASE_URL)
    assert (again.sent, server.messages) == ([], [])


def test_a_refused_address_or_none_on_file_falls_back_to_print_and_the_others_go(
        sqlite_database: Database) -> None:
    practice = statement_practice(sqlite_database)
    refused = add_statement(sqlite_database, practice, code="REFUSED001", email="gone@example.test", account="A1")
    no_email = add_statement(sqlite_database, practice, code="NOMAIL0001", email=None, account="A2")
    broken = add_statement(sqlite_database, practice, code="BROKEN0001", email="not an address", account="A3")
    fine = add_statement(sqlite_database, practice, code="FINE000001", email="fine@example.test", account="A4")
    spam = add_statement(sqlite_database, practice, code="SPAM000001", email="strict@example.test", account="A6")
    paper = add_statement(sqlite_database, practice, code="PAPER00001", email="p@example.test", account="A5",
                          delivery="print")
    with smtp_server(refuse={"gone@example.test": "550 5.1.1 No such user"},
                     refuse_data={"strict@example.test": "554 5.7.1 Message rejected"}) as server:
        report = deliver_statement_emails(sqlite_database, smtp_settings(server.port), {practice}, now=NOW,
                                          base_url=BASE_URL)
    assert report.sent == ["FINE000001"] and report.problem is None
    assert {(m.code, m.reason) for m in report.to_print} == {
        ("REFUSED001", "the mail server refused the address (550)"), ("NOMAIL0001", "no e-mail address on file"),
        ("BROKEN0001", "the e-mail address on file is not one mail can be sent to"),
        ("SPAM000001", "the mail server refused the message (554)")}
    assert [recipients for recipients, _ in server.messages] == [["fine@example.test"]]
    for moved in (refused, no_email, broken, spam):
        row = statement_row(sqlite_database, moved.id)
        assert (row.delivery, row.delivery_status, row.delivered_at) == ("print", "pending", None)
        assert row.delivery_note and row.delivery_note.startswith("not e-mailed: ")
        assert "@" not in row.delivery_note
    assert statement_row(sqlite_database, paper.id).delivery_status == "pending"  # print is not this run's
    assert statement_row(sqlite_database, fine.id).delivery_status == "sent"
    refusals = [detail for action, _, _, detail in audit_actions(sqlite_database)
                if action == "statement.email_refused"]
    assert len(refusals) == 4 and not any("@" in str(detail) for detail in refusals)


def test_an_unreachable_or_busy_server_leaves_the_statements_pending_for_the_next_run(
        sqlite_database: Database) -> None:
    practice = statement_practice(sqlite_database)
    first = add_statement(sqlite_database, practice, code="WAIT000001", email="a@example.test", account="A1")
    second = add_statement(sqlite_database, practice, code="WAIT000002", email="b@example.test", account="A2")
    report = deliver_statement_emails(sqlite_database, smtp_settings(free_port()), None, now=NOW, base_url=BASE_URL)
    assert report.problem is not None and "could not be reached" in report.problem
    assert (report.sent, report.to_print, report.still_pending) == ([], [], 2)
    with smtp_server(refuse={"a@example.test": "451 4.3.0 Try again later"}) as server:
        busy = deliver_statement_emails(sqlite_database, smtp_settings(server.port), None, now=NOW,
                                        base_url=BASE_URL)
    assert busy.problem is not None and "(451)" in busy.problem and busy.still_pending == 2
    for statement in (first, second):
        row = statement_row(sqlite_database, statement.id)
        assert (row.delivery, row.delivery_status) == ("email", "pending")
    with smtp_server() as server:
        later = deliver_statement_emails(sqlite_database, smtp_settings(server.port), None, now=LATER,
                                         base_url=BASE_URL)
    assert (later.sent, later.still_pending) == (["WAIT000001", "WAIT000002"], 0)


def test_a_bounce_that_comes_back_later_moves_the_statement_to_print(sqlite_database: Database) -> None:
    practice = statement_practice(sqlite_database)
    bounced = add_statement(sqlite_database, practice, code="BOUNCE0001", email="old@example.test", account="A1")
    kept = add_statement(sqlite_database, practice, code="KEPT000001", email="ok@example.test", account="A2")
    with smtp_server() as server:
        deliver_statement_emails(sqlite_database, smtp_settings(server.port), None, now=NOW, base_url=BASE_URL)
    notices = {message["X-Dermbill-Statement"]: message for _, message in server.messages}
    delayed = delivery_report(notices["KEPT000001"], action="delayed", status="4.4.1")
    failed = delivery_report(notices["BOUNCE0001"], headers_only=True)
    results = record_bounce_reports(sqlite_database, [("delayed.eml", delayed), ("failed.eml", failed),
                                                      ("junk.eml", b"Subject: hello\n\nnot a report\n")], now=LATER)
    assert [(r.identifier, r.code, r.moved) for r in results] == [
        ("delayed.eml", None, False), ("junk.eml", None, False), ("failed.eml", "BOUNCE0001", True)]
    row = statement_row(sqlite_database, bounced.id)
    assert (row.delivery, row.delivery_status) == ("print", "pending")
    assert row.delivery_note == "the e-mail bounced (5.1.1) on 2026-05-02; sent to the print batch"
    assert statement_row(sqlite_database, kept.id).delivery_status == "sent"
    # The same bounce again, or by the notice's Message-ID, changes nothing more; an unknown code is only reported.
    again = mark_bounced(sqlite_database, [str(notices["BOUNCE0001"]["Message-ID"]), "nosuchcode"], now=LATER)
    assert [(r.code, r.moved, r.words) for r in again] == [("BOUNCE0001", False, "already goes by post"),
                                                           ("nosuchcode", False, "no statement has this code")]
    assert [a for a, _, _, _ in audit_actions(sqlite_database)].count("statement.email_bounced") == 1
    # An operator may type a code in lower case.
    [typed] = mark_bounced(sqlite_database, [" kept000001 "], now=LATER)
    assert (typed.code, typed.moved) == ("kept000001", True)
    assert statement_row(sqlite_database, kept.id).delivery == "print"


def test_a_statement_of_the_run_is_emailed_and_opens_on_the_page_with_the_ledgers_amount(
        sqlite_database: Database, tmp_path: Path) -> None:
    world = submitted_claims(sqlite_database, [[("11102", (), 15000)]])
    [claim] = world.claims
    post_era_file(sqlite_database, write(tmp_path / "a.835", (remittance((paid_claim(claim, (
        settled(claim.lines[0], 10000, patient=(("2", 2000),)),)),)),)))
    with UnitOfWork(sqlite_database, actor="test") as uow:
        [patient] = uow.practice(world.practice_id).rows(PatientRow)
        patient.email = "pat-7@example.test"
        birth = patient.date_of_birth
        uow.commit()
    run = run_statements(sqlite_database, datetime.date(2026, 4, 20), cycle_billing=False, now=NOW)
    [made] = run.statements
    assert made.delivery == "email"
    with smtp_server() as server:
        report = deliver_statement_emails(sqlite_database, smtp_settings(server.port), {world.practice_id}, now=NOW,
                                          base_url=BASE_URL)
    assert report.sent == [made.code]
    [(_, notice)] = server.messages
    assert "DOE" not in notice.as_string().upper() and "20.00" not in notice.as_string()
    shown = open_statement(sqlite_database, str(notice["X-Dermbill-Statement"]), birth, address="192.0.2.1",
                           now=LATER)
    assert isinstance(shown, StatementShown) and shown.document.balance_due == Money(2000)
