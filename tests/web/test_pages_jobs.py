"""The background jobs page (/jobs): a biller sees their practice's jobs with status, attempts and progress (and the
company-wide ones, without their results); another company's biller sees none of theirs; the page reloads itself
while a job waits or runs; a role that does not see claims gets 403; the navigation links to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from era_world import practice_world
from fastapi.testclient import TestClient
from test_pages_auth import PASSWORD, sign_in

from dermbill.core.access import Role
from dermbill.db.engine import Database
from dermbill.db.models import AuditEventRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.background_jobs import JobRun, queue_job, run_job
from dermbill.services.users import add_user, set_company_totp


@pytest.fixture
def client(database: Database) -> Iterator[TestClient]:
    practice_world(database)
    practice_world(database, company="OTHER BILLING CO", submitter="OTHERCO", code="OTH")
    for company in ("ERA TEST BILLING", "OTHER BILLING CO"):
        set_company_totp(database, company, required=False, actor="test")
    for email, role, company, practice in (("biller@era.test", Role.BILLER, "ERA TEST BILLING", "ERA"),
                                           ("desk@era.test", Role.FRONT_DESK, "ERA TEST BILLING", "ERA"),
                                           ("biller@other.test", Role.BILLER, "OTHER BILLING CO", "OTH")):
        add_user(database, company=company, email=email, display_name=email, roles=[role], practices=[practice],
                 password=PASSWORD, actor="test")
    from dermbill.web.app import create_app

    url = database.engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(url), raise_server_exceptions=False, follow_redirects=False) as test_client:
        yield test_client


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_jobs_page_shows_status_and_progress_of_the_users_practices_jobs(
        client: TestClient, database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    from dermbill.services import background_jobs

    def halfway(run: JobRun) -> dict[str, object]:
        run.progress(40, 100)
        return {"scrubbed": 100}

    monkeypatch.setitem(background_jobs.KINDS, "scrub_batch",
                        background_jobs.JobKind("scrub_batch", "Scrub many claims", halfway, exclusive=True))
    done = queue_job(database, "scrub_batch", {}, practice="ERA", requested_by="biller@era.test")
    run_job(database, done.id, attempt=1)
    waiting = queue_job(database, "statement_run", {}, practice="ERA", requested_by="biller@era.test")
    theirs = queue_job(database, "statement_run", {}, practice="OTH", requested_by="biller@other.test")
    company = queue_job(database, "report_refresh", {}, requested_by="operator")

    page = sign_in(client, "biller@era.test").get("/jobs")
    assert page.status_code == 200
    text = page.text
    assert '<a href="/jobs" aria-current="page">Jobs</a>' in text
    assert '<meta http-equiv="refresh" content="5">' in text  # a job waits: the page follows it
    assert "4 jobs" not in text and "3 jobs, newest first" in text
    rows = text.split("<tbody>")[1].split("<tr")[1:]
    assert [r.split("<td>")[1].split("</td>")[0] for r in rows] == [str(company.id), str(waiting.id), str(done.id)]
    assert 'value="100"' in rows[2] and "100 of 100" in rows[2] and "<strong>succeeded</strong>" in rows[2]
    assert "scrubbed: 100" in rows[2]
    assert "<strong>queued</strong>" in rows[1] and "not started" in rows[1]
    assert "every practice" in rows[0]
    assert str(theirs.id) not in [r.split("<td>")[1].split("</td>")[0] for r in rows]
    with UnitOfWork(database, actor="test") as uow:
        assert uow.session.query(AuditEventRow).filter(AuditEventRow.action == "background_job.listed").count() == 1

    desk = sign_in(TestClient(client.app, raise_server_exceptions=False, follow_redirects=False), "desk@era.test")
    assert desk.get("/jobs").status_code == 403
    assert 'href="/jobs"' not in desk.get("/dashboard").text
