"""The patient pages: found by name, account number or member ID within the user's practices; a patient with
insurance and claims; demographics and coverage changed through forms (each problem by its field, nothing saved);
a fixed member ID takes the rejected claim back to the next submission, and the pages say so, through to sending."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from edit_world import GOOD_MEMBER_ID, WRONG_MEMBER_ID, rejected_for_member_id
from era_world import LineSpec, add_claim
from page_world import Pages, pages, problem_of, value_of
from sqlalchemy import select

from dermbill.db.engine import Database
from dermbill.db.models import AuditEventRow, PatientRow
from dermbill.db.repositories import UnitOfWork

__all__ = ["pages"]  # the fixture
LINES: list[LineSpec] = [("11102", (), 15000), ("11103", (), 5000)]


def patient_id(database: Database, practice_id: int) -> int:
    with UnitOfWork(database, actor="test") as uow:
        return uow.practice(practice_id).rows(PatientRow)[0].id


def audited(database: Database, action: str) -> list[tuple[str, str, dict[str, Any]]]:
    with UnitOfWork(database, actor="test") as uow:
        return [(e.actor, e.source, e.detail) for e in uow.session.scalars(
            select(AuditEventRow).where(AuditEventRow.action == action).order_by(AuditEventRow.id))]


def text(answer: Any) -> str:
    return html.unescape(answer.text)


def test_patients_are_found_by_name_account_and_member_id_in_the_users_practices(pages: Pages,
                                                                                database: Database) -> None:
    pages.as_("front_desk")
    mine = patient_id(database, pages.ours.practice_id)
    for q in ("doe", "Doe, Jane", "A-1", GOOD_MEMBER_ID, "1EG4-TE5-MK72"):
        found = pages.client.get("/patients", params={"q": q})
        assert found.status_code == 200, q
        assert f'href="/patients/{mine}"' in found.text, q
        assert found.text.count('href="/patients/') == 1, q  # the other company's A-1 is not shown
    assert "No patient of your practices matches" in pages.client.get("/patients", params={"q": "nobody"}).text
    assert pages.client.get("/patients", params={"page": 2}).status_code == 200


def test_the_member_id_fix_journey_through_the_pages(pages: Pages, database: Database, tmp_path: Path) -> None:
    claim = rejected_for_member_id(pages.ours, tmp_path, LINES)
    mine = patient_id(database, pages.ours.practice_id)

    pages.as_("front_desk")
    page = pages.client.get(f"/patients/{mine}")
    assert page.status_code == 200
    assert value_of(page.text, "cov-primary-member_id") == WRONG_MEMBER_ID
    assert f"/claims/{claim.pcn}" not in page.text  # the front desk does not see claims

    form = {name: value_of(page.text, f"cov-primary-{name}") for name in ("group_number", "effective_date",
                                                                          "termination_date")}
    fixed = pages.post(f"/patients/{mine}/coverage/primary", **form, member_id=GOOD_MEMBER_ID, payer="TSTMCR",
                       coverage_order="primary")
    assert fixed.status_code == 303, text(fixed)
    assert fixed.headers["location"] == f"/patients/{mine}"
    shown = text(pages.client.get(f"/patients/{mine}"))
    assert "Saved the primary coverage: member ID changed." in shown
    assert f"1 rejected claim(s) re-scrubbed and queued for the next submission: {claim.pcn}" in shown
    assert "queued for the next submission" not in pages.client.get(f"/patients/{mine}").text  # said once

    pages.as_("biller")
    listed = pages.client.get(f"/patients/{mine}")
    assert f'href="/claims/{claim.pcn}"' in listed.text and ">ready<" in listed.text
    claim_page = text(pages.client.get(f"/claims/{claim.pcn}"))
    assert "primary coverage's member id changed: scrubbed again" in claim_page
    assert '<dt>Status</dt><dd>ready</dd>' in claim_page and ">Send</button>" in claim_page

    sent = pages.post(f"/claims/{claim.pcn}/send")
    assert sent.status_code == 303, text(sent)
    after = text(pages.client.get(f"/claims/{claim.pcn}"))
    assert "<dt>Status</dt><dd>submitted</dd>" in after and "Sent: the claim is submitted" in after
    assert [(a, s) for a, s, _ in audited(database, "coverage.edited")] == [
        ("front_desk@era.test", "POST /patients/{patient_id}/coverage/{order}")]


def test_a_bad_member_id_shows_the_form_again_as_typed_and_saves_nothing(pages: Pages, database: Database,
                                                                         tmp_path: Path) -> None:
    rejected_for_member_id(pages.ours, tmp_path, LINES)
    mine = patient_id(database, pages.ours.practice_id)
    pages.as_("front_desk")

    refused = pages.post(f"/patients/{mine}/coverage/primary", member_id="NOT AN MBI!", payer="TSTMCR",
                         coverage_order="primary", effective_date="2025-13-01")

    assert refused.status_code == 422
    page = text(refused)
    assert "is not a member ID" in problem_of(page, "cov-primary-member_id")
    assert "is not a date" in problem_of(page, "cov-primary-effective_date")
    assert value_of(page, "cov-primary-member_id") == "NOT AN MBI!"
    assert re.search(r'id="cov-primary-member_id"[^>]* autofocus', page)  # the first field to correct
    assert "Nothing was saved" in page
    assert audited(database, "coverage.edited") == []
    assert value_of(pages.client.get(f"/patients/{mine}").text, "cov-primary-member_id") == WRONG_MEMBER_ID


def test_demographics_are_changed_and_checked_field_by_field(pages: Pages, database: Database) -> None:
    mine = patient_id(database, pages.ours.practice_id)
    pages.as_("front_desk")
    form = {"last_name": "DOE", "first_name": "JANE", "date_of_birth": "2030-01-01", "sex": "F",
            "address_line1": "2 TEST ST", "city": "PHILADELPHIA", "state": "XX", "zip_code": "19103"}

    refused = pages.post(f"/patients/{mine}", **form)

    assert refused.status_code == 422
    assert "after today" in problem_of(text(refused), "pat-date_of_birth")
    assert "not a US state" in problem_of(text(refused), "pat-state")
    assert value_of(text(refused), "pat-state") == "XX"

    saved = pages.post(f"/patients/{mine}", **{**form, "date_of_birth": "1950-01-01", "state": "PA",
                                               "address_line1": "9 NEW ST"})
    assert saved.status_code == 303, text(saved)
    assert "Saved the demographics: " in text(pages.client.get(f"/patients/{mine}"))
    [(actor, source, detail)] = audited(database, "patient.edited")
    assert (actor, source) == ("front_desk@era.test", "POST /patients/{patient_id}")
    assert detail["after"]["address_line1"] == "9 NEW ST"


def test_roles_scope_and_the_csrf_token(pages: Pages, database: Database) -> None:
    add_claim(pages.ours, LINES, submit=False)
    mine = patient_id(database, pages.ours.practice_id)
    theirs = patient_id(database, pages.theirs.practice_id)

    pages.as_("coder")
    assert pages.client.get(f"/patients/{mine}").status_code == 200
    assert pages.post(f"/patients/{mine}", first_name="X").status_code == 403
    assert "Save demographics" not in pages.client.get(f"/patients/{mine}").text

    pages.as_("front_desk")
    assert pages.client.get(f"/patients/{theirs}").status_code == 404
    assert pages.post(f"/patients/{theirs}", first_name="X").status_code == 404
    assert pages.post(f"/patients/{theirs}/coverage/primary", member_id="X1").status_code == 404
    assert pages.client.post(f"/patients/{mine}", data={"first_name": "X"}).status_code == 403
    assert pages.client.get("/claims/ERA-1").status_code == 403
    with UnitOfWork(database, actor="test") as uow:
        assert uow.practice(pages.ours.practice_id).rows(PatientRow)[0].first_name == "JANE"
