"""The queue and audit pages as staff use them, signed in: the fix queue, the denial queue and a work item with
its forms (each action posts with the session's CSRF token and comes back with a sentence saying what it did),
the appeal letter, and the audit log with its CSV export; 403 for a role without the permission, 404 for another
practice's item, 422 with the message next to the field, 409 as a message on the item's page."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from queue_world import OURS, TODAY, QueueWorld, queue_world, staff_tokens
from sqlalchemy import select
from test_pages_auth import csrf_of, sign_in

from dermbill.clock import TODAY_VARIABLE
from dermbill.db.engine import Database
from dermbill.db.models import AuditEventRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.audit_log import CSV_COLUMNS
from dermbill.services.users import create_token, set_company_totp
from dermbill.web.app import create_app
from dermbill.web.pages import queues

Staff = Callable[[str], TestClient]  # a client signed in as our person in this role


@pytest.fixture
def setup(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Staff, QueueWorld]]:
    monkeypatch.setenv(TODAY_VARIABLE, TODAY.isoformat())  # the payers' windows are open on this day
    world = queue_world(database, tmp_path)
    staff_tokens(database)
    set_company_totp(database, OURS, required=False, actor="test")
    url = database.engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(url), raise_server_exceptions=False, follow_redirects=False) as first:
        clients: dict[str, TestClient] = {}

        def staff(role: str) -> TestClient:
            if role not in clients:
                client = first if not clients else TestClient(first.app, raise_server_exceptions=False,
                                                              follow_redirects=False)
                clients[role] = sign_in(client, f"{role.replace('_', '.')}@era.test")
            return clients[role]
        yield staff, world


def events(database: Database, action: str) -> list[AuditEventRow]:
    with UnitOfWork(database, actor="test") as uow:
        found = list(uow.session.scalars(select(AuditEventRow).where(AuditEventRow.action == action)
                                         .order_by(AuditEventRow.sequence)))
        uow.session.expunge_all()  # read after the unit of work ends
        return found


def sources(database: Database, action: str) -> list[tuple[str, str, str | None]]:
    return [(e.actor, e.source, e.address) for e in events(database, action)]


def field_error(html: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', html)
    assert found, f"no message next to {field}"
    return found.group(1)


SPECIALIST = "denial.specialist@era.test"


def test_the_denial_queue_page_lists_our_items_by_the_filters(setup: tuple[Staff, QueueWorld]) -> None:
    staff, world = setup
    client = staff("denial_specialist")

    page = client.get("/denials")
    as_the_form_sends = client.get("/denials", params={"status": ["open", "waiting"], "urgency": "",
                                                       "assignee": ""})
    no_deadline = client.get("/denials", params={"urgency": "no_deadline"})
    wrong = client.get("/denials", params={"status": "pending"})

    assert page.status_code == 200 and "<h1>Denials</h1>" in page.text
    assert all(f'href="/denials/{item}"' in page.text for item in world.items.values())
    assert f'href="/denials/{world.other_item}"' not in page.text
    assert as_the_form_sends.status_code == 200 and all(
        f'href="/denials/{item}"' in as_the_form_sends.text for item in world.items.values())
    assert no_deadline.status_code == 200
    assert re.findall(r'href="/denials/(\d+)"', no_deadline.text) == [str(world.items["write_off"])]
    assert wrong.status_code == 422 and "This filter cannot be used" in wrong.text and "<table>" not in wrong.text
    assert (SPECIALIST, "GET /denials", "testclient") in sources(world.database, "denial.list")
    assert staff("front_desk").get("/denials").status_code == 403


def test_the_item_page_shows_the_item_and_the_forms_the_role_may_use(setup: tuple[Staff, QueueWorld]) -> None:
    staff, world = setup
    item = world.items["authorization"]

    page = staff("denial_specialist").get(f"/denials/{item}")
    reader = staff("auditor").get(f"/denials/{item}")

    assert page.status_code == 200
    assert f"Work item {item}" in page.text and world.claims["authorization"] in page.text
    assert f'href="/claims/{world.claims["authorization"]}"' in page.text
    for action in ("assign", "note", "snooze", "resolve", "correct"):
        assert f'action="/denials/{item}/{action}"' in page.text, action
    assert f'href="/denials/{item}/appeal-letter"' in page.text
    assert reader.status_code == 200 and 'action="/denials/' not in reader.text  # an auditor only reads
    assert (SPECIALIST, "GET /denials/{item_id}", "testclient") in sources(world.database, "denial.read")
    assert staff("front_desk").get(f"/denials/{item}").status_code == 403
    assert staff("manager").get(f"/denials/{world.other_item}").status_code == 404
    assert staff("manager").get("/denials/999999").status_code == 404


def test_assign_note_and_snooze_through_the_forms(setup: tuple[Staff, QueueWorld]) -> None:
    staff, world = setup
    client, item = staff("denial_specialist"), world.items["authorization"]
    csrf = csrf_of(client, f"/denials/{item}")

    forged = client.post(f"/denials/{item}/assign", data={"assignee": "pat"})
    assigned = client.post(f"/denials/{item}/assign", data={"assignee": "pat", "csrf_token": csrf})
    shown = client.get(assigned.headers["location"])
    empty_note = client.post(f"/denials/{item}/note", data={"text": "  ", "csrf_token": csrf})
    noted = client.post(f"/denials/{item}/note", data={"text": "asked for a retro authorization",
                                                       "csrf_token": csrf})
    too_soon = client.post(f"/denials/{item}/snooze", data={"until": TODAY.isoformat(), "csrf_token": csrf})
    not_a_day = client.post(f"/denials/{item}/snooze", data={"until": "next week", "csrf_token": csrf})
    snoozed = client.post(f"/denials/{item}/snooze", data={"until": "2026-04-13", "csrf_token": csrf})
    after = client.get(f"/denials/{item}?done=snooze")

    assert forged.status_code == 403
    assert assigned.status_code == 303 and assigned.headers["location"] == f"/denials/{item}?done=assign"
    assert shown.status_code == 200 and "The work item is assigned." in shown.text and "assigned to pat" in shown.text
    assert empty_note.status_code == 422 and field_error(empty_note.text, "text") == "fill this in"
    assert f"Work item {item}" in empty_note.text  # the item's page, not an error page
    assert noted.status_code == 303 and noted.headers["location"] == f"/denials/{item}?done=note"
    assert too_soon.status_code == 422 and "not after today" in field_error(too_soon.text, "until")
    assert f'value="{TODAY.isoformat()}"' in too_soon.text  # what was typed stays in the form
    assert not_a_day.status_code == 422 and field_error(not_a_day.text, "until") == "give a day as YYYY-MM-DD"
    assert snoozed.status_code == 303
    assert "The work item is snoozed" in after.text and "until 2026-04-13" in after.text
    assert "asked for a retro authorization" in after.text  # the note in the history
    assert [(a, s) for a, s, _ in sources(world.database, "denial.assigned")] == [
        (SPECIALIST, "POST /denials/{item_id}/assign")]
    refused = staff("biller").post(f"/denials/{item}/note", data={"text": "x", "csrf_token": csrf_of(
        staff("biller"))})
    assert refused.status_code == 403
    assert len(events(world.database, "denial.noted")) == 1


def test_resolve_then_a_resolved_item_says_why_it_cannot_change(setup: tuple[Staff, QueueWorld]) -> None:
    staff, world = setup
    client, item = staff("denial_specialist"), world.items["write_off"]
    csrf = csrf_of(client, f"/denials/{item}")

    unknown = client.post(f"/denials/{item}/resolve", data={"resolution": "forgive", "csrf_token": csrf})
    resolved = client.post(f"/denials/{item}/resolve", data={"resolution": "write_off", "note": "cosmetic",
                                                             "csrf_token": csrf})
    shown = client.get(resolved.headers["location"])
    again = client.post(f"/denials/{item}/resolve", data={"resolution": "write_off", "csrf_token": csrf})
    assign = client.post(f"/denials/{item}/assign", data={"assignee": "pat", "csrf_token": csrf})

    assert unknown.status_code == 422 and field_error(unknown.text, "resolution").startswith("choose one of")
    assert resolved.status_code == 303
    assert "The work item is resolved." in shown.text and "write_off" in shown.text
    assert again.status_code == 409 and f"Work item {item}" in again.text
    assert re.search(r'<p class="error" role="alert">[^<]*already resolved', again.text)
    assert assign.status_code == 409
    assert len(events(world.database, "denial.resolved")) == 1


def test_correct_makes_the_corrected_claim_from_the_form(setup: tuple[Staff, QueueWorld]) -> None:
    staff, world = setup
    client, item = staff("denial_specialist"), world.items["authorization"]
    csrf = csrf_of(client, f"/denials/{item}")
    claim = world.claims["authorization"]

    without = client.post(f"/denials/{item}/correct", data={"authorization": "", "csrf_token": csrf})
    corrected = client.post(f"/denials/{item}/correct", data={"authorization": "AUTH-77", "csrf_token": csrf})
    shown = client.get(corrected.headers["location"])
    twice = client.post(f"/denials/{item}/correct", data={"authorization": "AUTH-77", "csrf_token": csrf})

    assert without.status_code == 422 and field_error(without.text, "authorization")
    assert corrected.status_code == 303 and corrected.headers["location"] == f"/denials/{item}?done=correct"
    assert "The corrected claim is made" in shown.text and f'href="/claims/{claim}C1"' in shown.text
    assert twice.status_code == 409 and "already corrected" in twice.text
    assert staff("biller").post(f"/denials/{item}/correct", data={"csrf_token": csrf_of(staff("biller"))}
                                ).status_code == 403


def test_the_appeal_letter_is_read_downloaded_and_recorded_as_sent(setup: tuple[Staff, QueueWorld]) -> None:
    staff, world = setup
    client, item = staff("denial_specialist"), world.items["review"]

    letter = client.get(f"/denials/{item}/appeal-letter")
    pdf = client.get(f"/denials/{item}/appeal-letter.pdf")
    csrf = csrf_of(client, f"/denials/{item}")
    sent = client.post(f"/denials/{item}/appeal", data={"csrf_token": csrf})
    shown = client.get(sent.headers["location"])
    twice = client.post(f"/denials/{item}/appeal", data={"csrf_token": csrf})
    refused = client.get(f"/denials/{world.items['coverage_ended']}/appeal-letter")
    refused_pdf = client.get(f"/denials/{world.items['coverage_ended']}/appeal-letter.pdf")

    assert letter.status_code == 200
    assert world.claims["review"] in letter.text and "DOE, JANE" in letter.text
    assert '<pre class="letter">' in letter.text
    assert f'action="/denials/{item}/appeal"' in letter.text
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert sent.status_code == 303 and sent.headers["location"] == f"/denials/{item}?done=appeal"
    assert "The appeal is recorded as sent" in shown.text and "waiting" in shown.text
    assert twice.status_code == 409 and "already sent" in twice.text and f"Work item {item}" in twice.text
    assert refused.status_code == 409 and "cannot be appealed" in refused.text
    assert refused_pdf.status_code == 409 and "cannot be appealed" in refused_pdf.text
    assert [(a, s) for a, s, _ in sources(world.database, "denial.appeal_previewed")] == [
        (SPECIALIST, "GET /denials/{item_id}/appeal-letter"), (SPECIALIST, "GET /denials/{item_id}/appeal-letter.pdf")]
    biller = staff("biller")
    assert biller.get(f"/denials/{item}/appeal-letter").status_code == 403
    assert biller.get(f"/denials/{item}/appeal-letter.pdf").status_code == 403
    assert biller.post(f"/denials/{item}/appeal", data={"csrf_token": csrf_of(biller)}).status_code == 403


def test_another_practices_item_is_404_on_every_page(setup: tuple[Staff, QueueWorld]) -> None:
    staff, world = setup
    client, other = staff("manager"), world.other_item  # a manager may do every action
    csrf = csrf_of(client)
    form = {"assignee": "pat", "text": "x", "until": "2026-05-01", "resolution": "no_action", "csrf_token": csrf}

    answers = [client.get(f"/denials/{other}"), client.get(f"/denials/{other}/appeal-letter"),
               client.get(f"/denials/{other}/appeal-letter.pdf"), client.get(f"/fix-queue/{world.other_rejected}")]
    answers += [client.post(f"/denials/{other}/{action}", data=form)
                for action in ("assign", "note", "snooze", "resolve", "correct", "appeal")]

    assert [a.status_code for a in answers] == [404] * len(answers)
    assert events(world.database, "denial.noted") == []


def test_the_fix_queue_pages_show_our_rejected_claims(setup: tuple[Staff, QueueWorld]) -> None:
    staff, world = setup
    client = staff("biller")

    listed = client.get("/fix-queue")
    one = client.get(f"/fix-queue/{world.rejected}")
    not_rejected = client.get(f"/fix-queue/{world.claims['review']}")

    assert listed.status_code == 200 and f'href="/fix-queue/{world.rejected}"' in listed.text
    assert "SUBSCRIBER NOT FOUND" in listed.text and world.other_rejected not in listed.text
    assert one.status_code == 200 and "1EG4TE5MK72" in one.text and "DOE, JANE" in one.text
    assert f'href="/claims/{world.rejected}"' in one.text and "member ID" in one.text
    assert not_rejected.status_code == 404
    assert [(a, s) for a, s, _ in sources(world.database, "fix_queue.read")] == [
        ("biller@era.test", "GET /fix-queue/{claim_number}")]
    assert {s for _, s, _ in sources(world.database, "fix_queue.list")} == {"GET /fix-queue"}
    assert staff("denial_specialist").get("/fix-queue").status_code == 403
    assert staff("denial_specialist").get(f"/fix-queue/{world.rejected}").status_code == 403


def test_the_audit_log_page_searches_pages_and_exports(setup: tuple[Staff, QueueWorld],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    staff, world = setup
    monkeypatch.setattr(queues, "AUDIT_PAGE", 5)
    specialist, item = staff("denial_specialist"), world.items["review"]
    specialist.post(f"/denials/{item}/note", data={"text": "called, the payer, twice",
                                                   "csrf_token": csrf_of(specialist)})
    auditor = staff("auditor")
    query = {"claim": world.claims["review"], "since": "2020-01-01"}

    found = auditor.get("/audit", params=query)
    blank_form = auditor.get("/audit", params={name: "" for name in ("actor", "action", "entity_type",
                                                                     "entity_id", "claim", "since", "until",
                                                                     "text")})
    older_link = re.search(r'href="(/audit\?before=\d+)"', blank_form.text)
    older = auditor.get(older_link.group(1)) if older_link else None
    backwards = auditor.get("/audit", params={"since": "2026-04-10", "until": "2026-04-01"})
    not_a_number = auditor.get("/audit", params={"entity_id": "seven"})
    exported = auditor.get("/audit.csv", params=query)
    bad_export = auditor.get("/audit.csv", params={"since": "soon"})

    assert found.status_code == 200 and "denial.noted" in found.text and "called, the payer, twice" in found.text
    assert f'href="/audit.csv?claim={world.claims["review"]}&amp;since=2020-01-01"' in found.text
    assert blank_form.status_code == 200 and older is not None and older.status_code == 200
    assert "Newest events" in older.text
    assert backwards.status_code == 422 and "before the first day" in field_error(backwards.text, "until")
    assert 'value="2026-04-01"' in backwards.text  # what was typed stays in the form
    assert not_a_number.status_code == 422 and field_error(not_a_number.text, "entity_id")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.text, newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS and len(rows) > 1
    assert any(row[5] == "denial.noted" and "called, the payer, twice" in row[8] for row in rows[1:])
    assert bad_export.status_code == 422 and field_error(bad_export.text, "since") == "give a day as YYYY-MM-DD"
    assert {(a, s) for a, s, _ in sources(world.database, "audit.read")} == {("auditor@era.test", "GET /audit")}
    assert sources(world.database, "audit.export") == [("auditor@era.test", "GET /audit.csv", "testclient")]
    assert staff("manager").get("/audit").status_code == 403
    assert staff("manager").get("/audit.csv").status_code == 403


def test_the_company_auditor_finds_the_web_reads_of_lists(setup: tuple[Staff, QueueWorld]) -> None:
    staff, world = setup
    token = create_token(world.database, "biller@era.test", actor="test").token
    staff("biller").get("/payments")  # remittances, unmatched payments and overpayments listed
    staff("biller").get("/api/v1/claims", headers={"Authorization": f"Bearer {token}"})

    listed = {e.action: (e.organization_id, e.practice_id) for e in events(world.database, "claim.list")
              + events(world.database, "remittance.list") + events(world.database, "unmatched.list")
              + events(world.database, "overpayment.list")}
    page = staff("auditor").get("/audit", params={"actor": "biller@era.test"})

    assert listed == {action: (world.organization_id, world.practice_id) for action in (
        "claim.list", "remittance.list", "unmatched.list", "overpayment.list")}
    assert all(action in page.text for action in listed)
