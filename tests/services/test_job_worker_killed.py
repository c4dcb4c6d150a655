"""Issue 19's test: a worker killed (SIGKILL) in the middle of posting a large 835 loses nothing and posts nothing
twice. Another worker finds the job left running by a worker whose heartbeat stopped, runs it again, and the 835's
transaction sets already posted are recognised (payer, trace number and content) and not posted again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from jobs_world import many_claims, paying_835
from migrated_databases import migrated_postgres_url
from sqlalchemy import func, select

from dermbill.db.engine import Database, open_database
from dermbill.db.models import BackgroundJobRow, LineAdjudicationRow, RemittanceRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.job_queue import defer_job
from dermbill.services.ledger_check import check_ledger

ROOT = Path(__file__).resolve().parents[2]
STALLED_AFTER = "2"  # seconds without a heartbeat: the killed worker is taken for dead this soon


@pytest.fixture
def database() -> Iterator[Database]:
    with migrated_postgres_url() as url:
        db = open_database(url)
        try:
            yield db
        finally:
            db.dispose()


def start_worker(url: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as sink:
        return subprocess.Popen([sys.executable, "-m", "dermbill", "--db", url, "worker", "--stalled-after",
                                 STALLED_AFTER, "--no-schedule"], cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})


def job_row(database: Database, job_id: int) -> BackgroundJobRow:
    with UnitOfWork(database, actor="test") as uow:
        found = uow.session.get(BackgroundJobRow, job_id)
        assert found is not None
        uow.session.expunge(found)
        return found


def wait_for(database: Database, job_id: int, ready: object, what: str, log: Path,
             timeout: float = 120) -> BackgroundJobRow:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = job_row(database, job_id)
        if ready(found):  # type: ignore[operator]
            return found
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} never {what}: {job_row(database, job_id).__dict__}\n{log.read_text()}")


@pytest.mark.postgres
def test_a_worker_killed_mid_job_loses_and_duplicates_nothing(database: Database, tmp_path: Path) -> None:
    numbers = many_claims(database, 960)
    path, paid = paying_835(tmp_path / "large.835", numbers, sets=16)
    url = database.engine.url.render_as_string(hide_password=False)
    log = tmp_path / "workers.log"
    job, ran = defer_job(database, "post_835", {"file": str(path)}, requested_by="test")
    assert ran is None  # queued: a worker runs it

    first = start_worker(url, log)
    try:
        halfway = wait_for(database, job.id, lambda r: r.total and 1 <= r.done <= r.total - 4, "got halfway", log)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    killed = job_row(database, job.id)
    assert (killed.status, killed.attempts) == ("running", 1)  # nobody told the job it died
    assert halfway.done < 16

    second = start_worker(url, log)
    try:
        finished = wait_for(database, job.id, lambda r: r.status in ("succeeded", "failed"), "finished", log)
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            second.wait(timeout=20)
        except subprocess.TimeoutExpired:
            second.kill()
    assert (finished.status, finished.attempts, finished.done, finished.total) == ("succeeded", 2, 16, 16)
    # The retry found the sets the killed worker had committed and posted only the others.
    by_status = finished.summary["by_status"]
    assert by_status.get("already posted", 0) >= halfway.done and sum(by_status.values()) == 16
    with UnitOfWork(database, actor="test") as uow:
        remittances = uow.session.execute(select(RemittanceRow.trace_number, RemittanceRow.status)).all()
        adjudicated = uow.session.scalar(select(func.count()).select_from(LineAdjudicationRow))
    assert sorted(remittances) == sorted((f"EFTJ{i}", "posted") for i in range(1, 17))  # each payment once
    assert adjudicated == 2 * 960  # every line adjudicated once
    report = check_ledger(database)
    assert report.clean, report.violations
    assert report.totals["cash"] == paid  # every dollar of the 835 in the ledger, once
