"""The scheduled-jobs runner with a frozen clock: a job due once a day runs once that day however many times the
runner starts, a job run by hand outside its slot is recorded, a failing job is recorded and the others still run,
and the list says when each is next due."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from dermbill.core.errors import InvalidInput, NotFound
from dermbill.core.job_schedule import DailyAt, EveryHours
from dermbill.db.engine import Database
from dermbill.db.models import JobRunRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services import scheduled_jobs
from dermbill.services.scheduled_jobs import Job, JobContext, list_jobs, register, run_jobs

MORNING = datetime.datetime(2026, 5, 5, 7, 5, tzinfo=datetime.UTC)
SQLITE = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


@pytest.fixture
def jobs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The registry holding two test jobs instead of the real ones; what ran, in order."""
    ran: list[str] = []
    monkeypatch.setattr(scheduled_jobs, "JOBS", {})

    def daily(context: JobContext) -> dict[str, Any]:
        ran.append(f"daily {context.now:%Y-%m-%d %H:%M}")
        return {"claims": 3}

    def broken(context: JobContext) -> dict[str, Any]:
        ran.append("broken")
        raise InvalidInput("the clearinghouse configuration names no connection")

    register(Job("daily", "A daily test job", DailyAt(datetime.time(7, 0)), daily))
    register(Job("broken", "A job that fails", EveryHours(6), broken))
    return ran


def run(database: Database, tmp_path: Path, now: datetime.datetime, **options: Any) -> list[tuple[str, str]]:
    results = run_jobs(database, config_path=tmp_path / "dermbill.toml", outbox=tmp_path / "out",
                       inbox=tmp_path / "in", now=now, **options)
    return [(r.job, r.outcome) for r in results]


def test_a_daily_job_runs_once_a_day_however_often_the_runner_starts(database: Database, tmp_path: Path,
                                                                     jobs: list[str]) -> None:
    assert run(database, tmp_path, MORNING, due_only=True) == [("broken", "failed"), ("daily", "succeeded")]
    later = MORNING + datetime.timedelta(hours=3)  # the same day: the daily job's slot is taken
    assert run(database, tmp_path, later, due_only=True) == [("broken", "skipped"), ("daily", "skipped")]
    assert run(database, tmp_path, later, due_only=True, job="daily") == [("daily", "skipped")]
    assert run(database, tmp_path, MORNING + datetime.timedelta(days=1), due_only=True, job="daily") == [
        ("daily", "succeeded")]
    assert jobs == ["broken", "daily 2026-05-05 07:05", "daily 2026-05-06 07:05"]
    with UnitOfWork(database, actor="test") as uow:
        runs = uow.session.scalars(select(JobRunRow).order_by(JobRunRow.id)).all()
        assert [(r.job, r.slot, r.outcome) for r in runs] == [
            ("broken", datetime.datetime(2026, 5, 5, 6, 0, tzinfo=datetime.UTC), "failed"),
            ("daily", datetime.datetime(2026, 5, 5, 7, 0, tzinfo=datetime.UTC), "succeeded"),
            ("daily", datetime.datetime(2026, 5, 6, 7, 0, tzinfo=datetime.UTC), "succeeded")]
        assert runs[0].summary == {"error": "the clearinghouse configuration names no connection"}
        assert runs[1].summary == {"claims": 3} and runs[1].finished_at == MORNING


@SQLITE
def test_a_job_asked_for_by_hand_runs_now_even_when_its_slot_was_run(database: Database, tmp_path: Path,
                                                                     jobs: list[str]) -> None:
    assert run(database, tmp_path, MORNING, job="daily") == [("daily", "succeeded")]
    assert run(database, tmp_path, MORNING, job="daily") == [("daily", "succeeded")]
    with UnitOfWork(database, actor="test") as uow:
        assert [r.slot is None for r in uow.session.scalars(select(JobRunRow).order_by(JobRunRow.id))] == [
            False, True]
    with pytest.raises(NotFound, match="no scheduled job named 'nightly'"):
        run(database, tmp_path, MORNING, job="nightly")


@SQLITE
def test_the_list_says_the_last_run_and_when_each_job_is_next_due(database: Database, tmp_path: Path,
                                                                  jobs: list[str]) -> None:
    before = {j.name: (j.last_outcome, j.next_due) for j in list_jobs(database, now=MORNING)}
    assert before["daily"] == (None, datetime.datetime(2026, 5, 5, 7, 0, tzinfo=datetime.UTC))  # due now
    run(database, tmp_path, MORNING, due_only=True)
    after = {j.name: (j.last_outcome, j.next_due, j.schedule) for j in list_jobs(database, now=MORNING)}
    assert after == {
        "daily": ("succeeded", datetime.datetime(2026, 5, 6, 7, 0, tzinfo=datetime.UTC), "daily at 07:00 UTC"),
        "broken": ("failed", datetime.datetime(2026, 5, 5, 12, 0, tzinfo=datetime.UTC), "every 6 hours")}


def test_the_claim_status_job_is_registered() -> None:
    job = scheduled_jobs.JOBS["claim-status"]
    assert job.schedule == DailyAt(datetime.time(7, 0)) and job.run is scheduled_jobs.run_claim_status


def test_the_nightly_clearinghouse_sync_is_registered() -> None:
    job = scheduled_jobs.JOBS["clearinghouse-sync"]
    assert job.schedule == DailyAt(datetime.time(2, 0)) and job.run is scheduled_jobs.run_clearinghouse_sync
