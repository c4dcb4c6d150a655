"""Background jobs (issue 19): recorded with their progress, retried when something unexpected fails, final when a
person must fix something, one at a time per practice and kind; run in the asking process on SQLite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from era_world import DOS, add_claim, practice_world
from jobs_world import many_claims, paying_835
from sqlalchemy import func, select

from dermbill.core.errors import InvalidInput, InvalidTransition, NotFound
from dermbill.core.money import Money
from dermbill.db.engine import Database
from dermbill.db.models import BackgroundJobRow, ClaimRow, RemittanceRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services import background_jobs, scrubbing
from dermbill.services.background_jobs import (
    JobKind,
    JobRun,
    list_background_jobs,
    lock_key,
    queue_job,
    queueing_key,
)
from dermbill.services.job_queue import defer_job
from dermbill.services.ledger_check import check_ledger

SQLITE = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


def row(database: Database, job_id: int) -> BackgroundJobRow:
    with UnitOfWork(database, actor="test") as uow:
        found = uow.session.get(BackgroundJobRow, job_id)
        assert found is not None
        uow.session.expunge(found)
        return found


@SQLITE
def test_a_post_835_job_on_sqlite_runs_at_once_and_records_its_progress(database: Database, tmp_path: Path) -> None:
    numbers = many_claims(database, 30)
    path, total = paying_835(tmp_path / "big.835", numbers, sets=3)
    job, succeeded = defer_job(database, "post_835", {"file": str(path)}, requested_by="test")
    assert succeeded is True
    done = row(database, job.id)
    assert (done.status, done.attempts, done.done, done.total) == ("succeeded", 1, 3, 3)
    assert done.summary["transaction_sets"] == 3 and done.summary["by_status"] == {"posted": 3}
    assert done.summary["claims_posted"] == 30
    assert check_ledger(database).totals["cash"] == total
    [view] = list_background_jobs(database)
    assert (view.kind, view.percent, view.queue_status) == ("post_835", 100, None)

    again, succeeded = defer_job(database, "post_835", {"file": str(path)}, requested_by="test")
    assert succeeded is True  # the same file again posts nothing twice
    assert row(database, again.id).summary["by_status"] == {"already posted": 3}
    assert check_ledger(database).totals["cash"] == total
    with UnitOfWork(database, actor="test") as uow:
        assert uow.session.scalar(select(func.count()).select_from(RemittanceRow)) == 3


@pytest.fixture
def flaky(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """report_refresh replaced by an operation that crashes on its first two attempts; the attempts seen."""
    seen: list[int] = []

    def crashes_twice(run: JobRun) -> dict[str, Any]:
        seen.append(len(seen) + 1)
        run.progress(len(seen), 3)
        if len(seen) < 3:
            raise ConnectionError("server closed the connection unexpectedly")
        return {"ok": True}

    kind = background_jobs.KINDS["report_refresh"]
    monkeypatch.setitem(background_jobs.KINDS, "report_refresh",
                        JobKind(kind.name, kind.description, crashes_twice, kind.exclusive, 3, kind.per_practice))
    return seen


@SQLITE
def test_an_unexpected_error_is_retried_until_the_attempts_are_spent(database: Database, flaky: list[int]) -> None:
    job, succeeded = defer_job(database, "report_refresh", {}, requested_by="test")
    assert succeeded is True and flaky == [1, 2, 3]
    assert (row(database, job.id).status, row(database, job.id).attempts) == ("succeeded", 3)


@SQLITE
def test_the_last_attempt_failing_leaves_the_job_failed_with_its_error(database: Database,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    def always(run: JobRun) -> dict[str, Any]:
        raise ConnectionError("server closed the connection unexpectedly\nmore detail")

    kind = background_jobs.KINDS["report_refresh"]
    monkeypatch.setitem(background_jobs.KINDS, "report_refresh",
                        JobKind(kind.name, kind.description, always, kind.exclusive, 2, kind.per_practice))
    job, succeeded = defer_job(database, "report_refresh", {}, requested_by="test")
    failed = row(database, job.id)
    assert succeeded is False
    assert (failed.status, failed.attempts, failed.error) == (
        "failed", 2, "ConnectionError: server closed the connection unexpectedly")


@SQLITE
def test_a_persons_mistake_is_final_at_the_first_attempt(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "gone.835"
    path.write_text("ISA*")
    job = queue_job(database, "post_835", {"file": str(path)}, requested_by="test")
    path.unlink()  # gone before it ran: a person must put it back
    assert background_jobs.run_in_process(database, job) is False
    failed = row(database, job.id)
    assert failed.status == "failed" and failed.attempts == 1
    assert failed.error is not None and "is not a file this worker can read" in failed.error


@SQLITE
def test_what_cannot_be_queued_says_why(database: Database, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no job kind 'post_999'"):
        queue_job(database, "post_999", {}, requested_by="test")
    with pytest.raises(InvalidInput, match="name the 835 file"):
        queue_job(database, "post_835", {}, requested_by="test")
    with pytest.raises(InvalidInput, match="is not a file"):
        queue_job(database, "post_835", {"file": str(tmp_path / "none.835")}, requested_by="test")
    with pytest.raises(NotFound, match="no practice with the code 'NOPE'"):
        queue_job(database, "scrub_batch", {}, practice="NOPE", requested_by="test")
    with pytest.raises(InvalidInput, match="runs for every practice at once"):
        queue_job(database, "report_refresh", {}, practice="ERA", requested_by="test")
    with UnitOfWork(database, actor="test") as uow:
        assert uow.session.scalar(select(func.count()).select_from(BackgroundJobRow)) == 0


def test_a_scrub_batch_of_the_backlog_commits_at_most_scrub_chunk_claims_at_a_time(
        database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """A company's backlog is never one transaction: chunks of SCRUB_CHUNK claims, each committed; a claim sent
    while the job runs is left alone; on SQLite the progress is written between the chunks (not while a chunk's
    transaction, the one writer, is open)."""
    world = practice_world(database)
    backlog = [add_claim(world, [("11102", (), 15000)], submit=False) for _ in range(5)]
    sent = add_claim(world, [("11102", (), 15000)], submit=True)
    monkeypatch.setattr(background_jobs, "SCRUB_CHUNK", 2)
    monkeypatch.setattr(background_jobs, "PROGRESS_EVERY", 0.0)  # every step written
    scrubbed_together: list[list[int]] = []
    real = scrubbing.scrub_stored_claims

    def counting(database: Database, **arguments: Any) -> Any:
        if not scrubbed_together:  # the last claim is sent while the first chunk is scrubbed
            with UnitOfWork(database, actor="test") as uow:
                claim = uow.session.get(ClaimRow, backlog[-1].id)
                assert claim is not None
                claim.status = "submitted"
                uow.commit()
        scrubbed_together.append(list(arguments["claim_ids"]))
        return real(database, **arguments)

    monkeypatch.setattr(scrubbing, "scrub_stored_claims", counting)
    job = queue_job(database, "scrub_batch", {"day": DOS.isoformat()}, requested_by="test")
    assert background_jobs.run_in_process(database, job) is True, row(database, job.id).error
    assert scrubbed_together == [[backlog[0].id, backlog[1].id], [backlog[2].id, backlog[3].id]]
    done = row(database, job.id)
    assert (done.summary["scrubbed"], done.done, done.total) == (4, 5, 5)
    with UnitOfWork(database, actor="test") as uow:
        statuses = {c.id: c.status for c in uow.session.scalars(select(ClaimRow))}
    assert {statuses[c.id] for c in backlog[:4]} <= {"ready", "scrub_errors"}
    assert statuses[backlog[-1].id] == statuses[sent.id] == "submitted"


def test_locks_are_per_practice_and_kind_and_a_waiting_job_is_its_arguments_too() -> None:
    assert lock_key("statement_run", 3) == "statement_run:3"
    assert lock_key("statement_run", 4) != lock_key("statement_run", 3)
    assert lock_key("scrub_batch", 3) != lock_key("statement_run", 3)
    assert lock_key("report_refresh", None) == "report_refresh:*"
    assert queueing_key("scrub_batch", 3, {"claims": ["A"]}) != queueing_key("scrub_batch", 3, {"claims": ["B"]})
    assert queueing_key("scrub_batch", 3, {"claims": ["A"], "day": "2026-05-01"}) == \
        queueing_key("scrub_batch", 3, {"day": "2026-05-01", "claims": ["A"]})
    assert queueing_key("post_835", None, {"file": "/a/1.835"}) != queueing_key("post_835", None, {"file": "/a/2.835"})


@pytest.mark.postgres
def test_the_same_job_is_not_queued_again_while_it_waits(postgres_url: str) -> None:
    from dermbill.db.engine import open_database
    from dermbill.db.migrate import upgrade

    database = open_database(postgres_url)
    try:
        upgrade(database)
        job, ran = defer_job(database, "report_refresh", {}, requested_by="test")
        assert ran is None and row(database, job.id).queue_job_id is not None and row(database, job.id).status == \
            "queued"
        with pytest.raises(InvalidTransition, match="already waiting to run; it was not queued twice"):
            defer_job(database, "report_refresh", {}, requested_by="test")
        assert [v.id for v in list_background_jobs(database)] == [job.id]  # the refused one is not recorded
        other_day, _ = defer_job(database, "report_refresh", {"day": "2026-05-01"}, requested_by="test")
        assert row(database, other_day.id).queue_job_id is not None  # another job: queued (it runs after the first)
    finally:
        database.dispose()


@pytest.mark.postgres
def test_a_worker_runs_the_due_scheduled_jobs_once_per_slot(postgres_url: str, monkeypatch: pytest.MonkeyPatch,
                                                            tmp_path: Path) -> None:
    import datetime

    from procrastinate.exceptions import AlreadyEnqueued

    from dermbill.core.job_schedule import DailyAt
    from dermbill.db.engine import open_database
    from dermbill.db.migrate import upgrade
    from dermbill.services import scheduled_jobs
    from dermbill.services.job_queue import SCHEDULED_CRON, queue_app, run_worker

    ran: list[str] = []
    monkeypatch.setattr(scheduled_jobs, "JOBS", {})
    scheduled_jobs.register(scheduled_jobs.Job("nightly", "A nightly test job", DailyAt(datetime.time(2, 0)),
                                               lambda context: ran.append(f"{context.now:%H:%M}") or {}))
    database = open_database(postgres_url)
    try:
        upgrade(database)
        app = queue_app(database)
        assert [(p.task.name, p.cron) for p in app.periodic_registry.periodic_tasks.values()] == [
            ("scheduled_jobs", SCHEDULED_CRON)]
        assert not queue_app(database, schedule=False).periodic_registry.periodic_tasks
        tick = int(datetime.datetime(2026, 5, 5, 2, 5, tzinfo=datetime.UTC).timestamp())
        with app.open():
            app.tasks["scheduled_jobs"].defer(timestamp=tick)
            with pytest.raises(AlreadyEnqueued):  # one waits already: a second tick is not queued
                app.tasks["scheduled_jobs"].defer(timestamp=tick + 300)
        run_worker(database, wait=False, schedule=False)
        with app.open():  # the next tick, the same slot
            app.tasks["scheduled_jobs"].defer(timestamp=tick + 300)
        run_worker(database, wait=False, schedule=False)
        assert ran == ["02:05"]  # the slot of 02:00 on 2026-05-05, run once
    finally:
        database.dispose()


@SQLITE
def test_a_post_835_job_posts_only_to_the_practices_it_names(database: Database, tmp_path: Path) -> None:
    """A web upload's job carries its sender's practices: an 835 whose payee is not among them posts nothing; among
    them, it posts; the kept upload is removed once posted. Practices that are not ids are refused when queued."""
    numbers = many_claims(database, 3)
    path, total = paying_835(tmp_path / "mine.835", numbers, sets=1)
    with UnitOfWork(database, actor="test") as uow:
        practice_id = uow.session.scalar(select(ClaimRow.practice_id).limit(1))
    with pytest.raises(InvalidInput, match="practices"):
        queue_job(database, "post_835", {"file": str(path), "practices": ["ERA"]}, requested_by="test")

    elsewhere, _ = defer_job(database, "post_835", {"file": str(path), "practices": [practice_id + 1000]},
                             requested_by="a biller")
    assert row(database, elsewhere.id).summary["by_status"] == {"no practice": 1}
    assert check_ledger(database).totals["cash"] == Money(0)
    kept = tmp_path / "upload" / "mine.835"
    kept.parent.mkdir()
    kept.write_bytes(path.read_bytes())
    mine, succeeded = defer_job(database, "post_835", {"file": str(kept), "practices": [practice_id],
                                                       "uploaded": True}, requested_by="a biller")
    assert succeeded is True and row(database, mine.id).summary["claims_posted"] == 3
    assert check_ledger(database).totals["cash"] == total and not kept.parent.exists()
