"""Where background jobs run: procrastinate's queue on PostgreSQL, the asking process on SQLite (issue 19).

- ``defer_job`` records a job (``services.background_jobs.queue_job``) and hands it over: on PostgreSQL to
  procrastinate (one task per job kind, with the kind's retries and its locks: ``lock`` keeps two jobs of a kind
  and practice from running at once, ``queueing_lock`` refuses the same job again while it waits); on SQLite it
  runs here and now (the embedded database has no queue, and the demo no worker).
- ``run_worker`` is ``dermbill worker``: a procrastinate worker on the database, any number of them on any number
  of machines sharing one PostgreSQL. Each sends a heartbeat; each looks every few seconds for jobs left ``doing``
  by a worker whose heartbeat stopped (killed, its machine gone) and queues them again (procrastinate's stalled
  jobs, ``retry_job``), so a job is never lost with its worker and never run twice at once. Running it again is
  safe: every operation posts, bills or keeps once (``services.background_jobs``).
- Periodic work: every five minutes a worker runs the scheduled jobs that are due (``services.scheduled_jobs``:
  the nightly clearinghouse sync, eligibility the evening before visits, statements, report parts), each once per
  slot however many workers there are (procrastinate defers one periodic job per tick; the job_run slot is unique).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import logging
from typing import Any

from procrastinate import App, JobContext, PsycopgConnector, RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.jobs import Job
from procrastinate.retry import RetryDecision
from sqlalchemy.engine import make_url

from dermbill.core.errors import InvalidInput, InvalidTransition
from dermbill.db.engine import Database
from dermbill.services.background_jobs import (
    KINDS,
    JobKind,
    QueuedJob,
    forget_job,
    is_retryable,
    queue_job,
    run_in_process,
    run_job,
    set_queue_job_id,
)

logger = logging.getLogger(__name__)

RETRY_WAIT_SECONDS = 10
STALLED_AFTER_SECONDS = 30.0  # a worker silent this long is taken for dead, and its jobs are queued again
SCHEDULED_CRON = "*/5 * * * *"

class RetryUnexpected(RetryStrategy):
    """Retry an unexpected error (a crash, a lost connection) up to ``max_attempts`` more times; a person's
    mistake (a ``DermbillError``) never: trying again would fail the same way."""

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if not is_retryable(exception):
            return None
        return super().get_retry_decision(exception=exception, job=job)


def _database(context: JobContext) -> Database:
    database = context.additional_context.get("database")
    if not isinstance(database, Database):
        raise InvalidTransition("this worker was started without a database (run dermbill worker)")
    return database


def conninfo(database: Database) -> str:
    """The libpq address of a PostgreSQL database (its schema option kept), for procrastinate's connections."""
    if database.backend != "postgresql":
        raise InvalidInput("a worker needs PostgreSQL (on SQLite jobs run in the command that asks for them)")
    return make_url(database.engine.url).set(drivername="postgresql").render_as_string(hide_password=False)


def queue_app(database: Database, *, schedule: bool = True) -> App:
    """procrastinate's app on this database, with a task per job kind and the scheduled jobs' task (deferred every
    five minutes by a worker of an app made with ``schedule``)."""
    app = App(connector=PsycopgConnector(conninfo=conninfo(database), min_size=1, max_size=4))
    for kind in KINDS.values():
        _register(app, kind)
    scheduled = app.task(name="scheduled_jobs", pass_context=True, queueing_lock="scheduled_jobs")(scheduled_jobs_due)
    if schedule:
        app.periodic(cron=SCHEDULED_CRON)(scheduled)
    return app


def _register(app: App, kind: JobKind) -> None:
    def run(context: JobContext, job_id: int) -> None:
        run_job(_database(context), job_id, attempt=context.job.attempts + 1)

    run.__name__ = kind.name
    app.task(name=kind.name, pass_context=True,
             retry=RetryUnexpected(max_attempts=kind.attempts - 1, wait=RETRY_WAIT_SECONDS))(run)


def scheduled_jobs_due(context: JobContext, timestamp: int) -> None:
    """Run the scheduled jobs whose slot has come and has no run yet (procrastinate defers this every tick)."""
    from pathlib import Path

    from dermbill.services.scheduled_jobs import run_jobs
    from dermbill.settings import DEFAULT_INBOX, DEFAULT_OUTBOX, load_settings

    moment = datetime.datetime.fromtimestamp(timestamp, tz=datetime.UTC)
    run_jobs(_database(context), config_path=Path(load_settings().config_path), outbox=Path(DEFAULT_OUTBOX),
             inbox=Path(DEFAULT_INBOX), due_only=True, now=moment)


def defer_job(database: Database, kind: str, arguments: dict[str, Any], *, practice: str | None = None,
              requested_by: str) -> tuple[QueuedJob, bool | None]:
    """Record a job and hand it to the queue. Returns the job and, on SQLite (run here), whether it succeeded;
    None on PostgreSQL (a worker runs it). A job like it already waiting is refused (InvalidTransition)."""
    job = queue_job(database, kind, arguments, practice=practice, requested_by=requested_by)
    if database.backend != "postgresql":
        return job, run_in_process(database, job)
    app = queue_app(database)
    try:
        with app.open():
            task = app.tasks[kind]
            queue_job_id = task.configure(lock=job.lock, queueing_lock=job.queueing_lock).defer(job_id=job.id)
    except AlreadyEnqueued:
        forget_job(database, job.id)
        raise InvalidTransition(f"the same {kind} job {'for this practice ' if job.practice_id else ''}is already "
                                "waiting to run; it was not queued twice (see dermbill jobs list)") from None
    except BaseException:
        forget_job(database, job.id)  # not in the queue: not shown as waiting
        raise
    set_queue_job_id(database, job.id, queue_job_id)
    return job, None


def queue_statuses(database: Database, queue_job_ids: list[int]) -> dict[int, str]:
    """procrastinate's status of these jobs of its (PostgreSQL; empty on SQLite)."""
    if database.backend != "postgresql" or not queue_job_ids:
        return {}
    app = queue_app(database)
    found = {}
    with app.open():
        for queue_job_id in queue_job_ids:
            for job in app.job_manager.list_jobs(id=queue_job_id):
                found[queue_job_id] = str(getattr(job.status, "value", job.status))
    return found


async def retry_stalled_jobs(app: App, *, stalled_after: float) -> list[int]:
    """Queue again the jobs left ``doing`` by workers silent for ``stalled_after`` seconds; their ids."""
    retried = []
    for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after):
        assert job.id is not None
        await app.job_manager.retry_job(job)
        logger.warning("job %s (%s) was left running by a stopped worker: queued again", job.id, job.task_name)
        retried.append(job.id)
    return retried


async def _watch_stalled(app: App, stalled_after: float) -> None:
    while True:
        await retry_stalled_jobs(app, stalled_after=stalled_after)
        await asyncio.sleep(max(0.5, stalled_after / 3))


async def _work(database: Database, *, concurrency: int, stalled_after: float, wait: bool, schedule: bool) -> None:
    app = queue_app(database, schedule=schedule)
    async with app.open_async():
        await retry_stalled_jobs(app, stalled_after=stalled_after)  # before taking any: the dead's first
        watcher = asyncio.create_task(_watch_stalled(app, stalled_after))
        try:
            await app.run_worker_async(concurrency=concurrency, wait=wait, name="dermbill",
                                       additional_context={"database": database},
                                       update_heartbeat_interval=max(0.5, stalled_after / 3),
                                       stalled_worker_timeout=stalled_after, fetch_job_polling_interval=1.0)
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher


def run_worker(database: Database, *, concurrency: int = 1, stalled_after: float = STALLED_AFTER_SECONDS,
               wait: bool = True, schedule: bool = True) -> None:
    """Run a worker until stopped (SIGINT/SIGTERM: it finishes its jobs first); ``wait=False``: until the queue is
    empty; ``schedule=False``: it leaves deferring the scheduled jobs to other workers (it still runs them)."""
    if not 1 <= concurrency <= 64:
        raise InvalidInput(f"--concurrency must be between 1 and 64 (got {concurrency})")
    if not 1 <= stalled_after <= 3600:
        raise InvalidInput(f"--stalled-after must be between 1 and 3600 seconds (got {stalled_after:g})")
    conninfo(database)
    asyncio.run(_work(database, concurrency=concurrency, stalled_after=stalled_after, wait=wait, schedule=schedule))
