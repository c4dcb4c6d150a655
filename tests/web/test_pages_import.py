"""The import page: a manager uploads a patients file; a dry run shows each bad row by line and column and saves
nothing; a file with a bad row saves nothing; the good rows are saved when asked. Only the kinds a role may change
are offered, rows may only name the user's practices, and the import is audited."""

from __future__ import annotations

import html

from page_world import Pages, pages
from sqlalchemy import func, select

from dermbill.db.engine import Database
from dermbill.db.models import AuditEventRow, PatientRow
from dermbill.db.repositories import UnitOfWork

__all__ = ["pages"]  # the fixture
FILE = ("account_number,last_name,first_name,date_of_birth,sex,address_line1,city,state,zip_code\n"
        "B-1,TEST,ALPHA,1950-01-31,F,2 TEST ST,ANYTOWN,PA,19099\n"
        "B-2,TEST,BRAVO,13/01/1960,M,3 TEST ST,ANYTOWN,PA,19099\n")


def patients(database: Database, practice_id: int) -> int:
    with UnitOfWork(database, actor="test") as uow:
        return int(uow.session.scalar(select(func.count()).select_from(PatientRow).where(
            PatientRow.practice_id == practice_id)) or 0)


def upload(pages: Pages, text: str, **fields: str) -> tuple[int, str]:
    answer = pages.client.post("/import", data={"csrf_token": pages.csrf, **fields},
                               files={"file": ("patients.csv", text.encode(), "text/csv")})
    return answer.status_code, html.unescape(answer.text)


def test_a_manager_imports_patients_with_a_dry_run_first(pages: Pages, database: Database) -> None:
    pages.as_("manager")
    form = pages.client.get("/import")
    assert form.status_code == 200 and 'href="/import"' in form.text
    assert 'value="patients"' in form.text and 'value="practices"' not in form.text  # an administrator's
    mine = pages.ours.practice_id
    status, page = upload(pages, FILE, kind="patients", practice="ERA", dry_run="1")
    assert status == 200
    assert "<tr><td>3</td><td>date_of_birth</td><td>'13/01/1960' is not a date</td>" in page
    assert "Dry run, nothing saved. If imported: 1 created" in " ".join(page.split())
    assert patients(database, mine) == 1
    status, page = upload(pages, FILE, kind="patients", practice="ERA")
    assert status == 422 and "Nothing was saved: 1 row(s) have problems" in " ".join(page.split())
    assert patients(database, mine) == 1
    status, page = upload(pages, FILE, kind="patients", practice="ERA", skip_bad_rows="1")
    assert status == 200 and "Saved: 1 created, 0 updated, 0 unchanged; 1 bad row(s) skipped" in " ".join(
        page.split())
    assert patients(database, mine) == 2
    with UnitOfWork(database, actor="test") as uow:
        events = [(e.actor, e.source, e.detail["dry_run"], e.detail["saved"]) for e in uow.session.scalars(
            select(AuditEventRow).where(AuditEventRow.action == "import.csv").order_by(AuditEventRow.id))]
    assert events == [
        ("manager@era.test", "POST /import", True, False), ("manager@era.test", "POST /import", False, False),
        ("manager@era.test", "POST /import", False, True)]


def test_who_may_import_and_into_which_practices(pages: Pages, database: Database) -> None:
    pages.as_("front_desk")
    assert pages.client.get("/import").status_code == 403
    assert 'href="/import"' not in pages.client.get("/dashboard").text
    pages.as_("administrator")
    assert upload(pages, FILE, kind="patients", practice="ERA")[0] == 403  # patients need edit_patients
    pages.as_("manager")
    status, page = upload(pages, FILE, kind="patients", practice="OTH")
    assert status == 422 and "'OTH' is not one of your practices" in page
    status, page = upload(pages, FILE.replace("account_number,", "practice,account_number,").replace(
        "\nB-", "\nOTH,B-"), kind="patients", skip_bad_rows="1")
    assert "not one of your practices (yours: ERA)" in page and "Nothing was saved" in page
    assert patients(database, pages.theirs.practice_id) == 1
    assert pages.client.post("/import", data={"kind": "patients"},
                             files={"file": ("p.csv", FILE.encode(), "text/csv")}).status_code == 403  # no CSRF
    status, page = upload(pages, "", kind="patients")
    assert status == 422 and "Choose a CSV file" in page
