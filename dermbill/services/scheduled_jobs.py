"""The front desk's daily work, run on a schedule: a registry of named jobs and a runner that runs each once per slot.

A job has a name, what it does, how often (``core.job_schedule``: daily at a time of day, or every N hours) and a
function taking a ``JobContext`` (the database, the time, the clearinghouse configuration and folders) and
returning a summary (JSON). Registering one more is one line::

    register(Job("eligibility", "Check the coverage of the next days' appointments (270/271)",
                 DailyAt(datetime.time(6, 0)), run_eligibility))

``run_jobs`` records each run in ``job_run`` (job, the slot it ran for, started, finished, outcome, summary). Before
a job runs, its slot is claimed by inserting that row and committing it; the pair (job, slot) is unique, so a
second runner started for the same slot (cron twice, a timer and a person) finds it taken and skips the job: a job
due once a day runs once that day. ``--due-only`` runs only the jobs whose current slot has no run; without it the
jobs asked for run now (a run outside its slot, when the slot was already run, is recorded without one). A job
that fails is recorded ``failed`` with its error and the others still run; it is due again at its next slot (or
run it by hand). Run the due jobs every few minutes from cron or a systemd timer (docs/claim-follow-up.md).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from dermbill.clock import utc_now
from dermbill.core.errors import DermbillError, InvalidInput, NotFound
from dermbill.core.job_schedule import DailyAt, Schedule
from dermbill.db.engine import Database
from dermbill.db.models import JobRunRow
from dermbill.db.repositories import UnitOfWork

Clock = Callable[[], datetime.datetime]


@dataclass(frozen=True, slots=True)
class JobContext:
    database: Database
    now: datetime.datetime
    config_path: Path  # the clearinghouse connections and routes (TOML)
    outbox: Path
    inbox: Path


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    description: str
    schedule: Schedule
    run: Callable[[JobContext], dict[str, Any]]


JOBS: dict[str, Job] = {}


def register(job: Job) -> Job:
    """Add a job to the registry (a name already registered is replaced)."""
    JOBS[job.name] = job
    return job


def run_clearinghouse_sync(context: JobContext) -> dict[str, Any]:
    """The nightly sync: fetch what every clearinghouse connection has (999, 277CA, 835) and process it, so the
    morning's work lists start from last night's answers."""
    from dermbill.clearinghouse.config import read_config
    from dermbill.services.transmission import sync

    report = sync(context.database, read_config(context.config_path), context.inbox, now=context.now)
    statuses: dict[str, int] = {}
    for outcome in report.remittances:
        statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
    return {"fetched": len(report.fetched), "quarantined": len(report.quarantined), "accepted": len(report.accepted),
            "rejected": len(report.rejected), "remittances": statuses}


register(Job("clearinghouse-sync", "Fetch and process what the clearinghouse connections have (999, 277CA, 835)",
             DailyAt(datetime.time(2, 0)), run_clearinghouse_sync))


def run_claim_status(context: JobContext) -> dict[str, Any]:
    """The claim-status job: 276s for the claims with no answer after their payer's wait; the 277s applied."""
    from dermbill.clearinghouse.config import read_config
    from dermbill.services.claim_status import follow_up_claims

    report = follow_up_claims(context.database, read_config(context.config_path), context.outbox, context.inbox,
                              now=context.now, actor="job: claim-status")
    summary = report.to_json()
    return {"inquired": summary["inquired"], "files": [f["file"] for f in summary["files"]],
            "answers": summary["answers"], "fetched": summary["fetched"], "quarantined": len(summary["quarantined"])}


register(Job("claim-status", "Ask payers (276) about claims with no answer after their wait; apply the 277 answers",
             DailyAt(datetime.time(7, 0)), run_claim_status))


def run_eligibility_checks(context: JobContext) -> dict[str, Any]:
    """The eligibility job: 270s for the booked appointments of today and the next two days; the 271s applied."""
    from dermbill.clearinghouse.config import read_config
    from dermbill.services.eligibility import daily_job

    return daily_job(context.database, read_config(context.config_path), inbox=context.inbox, outbox=context.outbox,
                     now=context.now).to_json()


register(Job("eligibility", "Check the coverage of the booked appointments of the next days (270/271)",
             DailyAt(datetime.time(6, 0)), run_eligibility_checks))


def run_statement_cycle(context: JobContext) -> dict[str, Any]:
    """The statements job: the day's statement run for every practice (each by its own policy: cycle billing,
    minimum, cadence words), then the e-mail notices when a mail server is set up. The print batch is made by a
    person (``dermbill statements print``), who sends it to the print vendor."""
    from dermbill.services.statement_mail import deliver_statement_emails
    from dermbill.services.statements import run_statements
    from dermbill.settings import load_smtp_settings, public_url

    run = run_statements(context.database, context.now.date(), actor="job: statements", now=context.now)
    summary = run.to_json()
    result: dict[str, Any] = {"statements": summary["statements_count"], "amount": summary["amount"],
                              "by_delivery": summary["by_delivery"], "not_billed": summary["not_billed"]}
    smtp, base_url = load_smtp_settings(), public_url()
    if smtp is not None and base_url is not None:  # e-mail is set up: the notices go out now; print stays a person's
        result["emails"] = deliver_statement_emails(context.database, smtp, None, now=context.now, base_url=base_url,
                                                    actor="job: statements").to_json()
    else:
        result["emails"] = "not sent: set DERMBILL_SMTP_HOST (or DERMBILL_MAIL_PICKUP_DIR) and DERMBILL_PUBLIC_URL"
    return result


register(Job("statements", "Make the day's patient statements (cycle billing, each practice's policy)",
             DailyAt(datetime.time(5, 0)), run_statement_cycle))


def run_report_parts(context: JobContext) -> dict[str, Any]:
    """The reports job: every practice's key-figure parts for today's default period and the one before, summed
    and kept (``report_parts``), so the day's first dashboard of a billing company reads them instead of summing
    every practice."""
    from dermbill.services.report_parts import keep_current

    return keep_current(context.database, context.now.date())


register(Job("report-parts", "Sum and keep every practice's key figures for today's reports (the dashboard's first "
             "read)", DailyAt(datetime.time(4, 0)), run_report_parts))


@dataclass(frozen=True, slots=True)
class JobResult:
    job: str
    ran: bool
    outcome: str  # succeeded, failed, or skipped (its slot was already run)
    slot: datetime.datetime | None
    summary: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"job": self.job, "ran": self.ran, "outcome": self.outcome,
                "slot": self.slot.isoformat() if self.slot else None, "summary": self.summary}


def _chosen(job: str | None) -> list[Job]:
    if job is None:
        return [JOBS[name] for name in sorted(JOBS)]
    if job not in JOBS:
        raise NotFound(f"no scheduled job named {job!r} (known: {', '.join(sorted(JOBS)) or 'none'})")
    return [JOBS[job]]


def run_jobs(database: Database, *, config_path: Path, outbox: Path, inbox: Path, due_only: bool = False,
             job: str | None = None, now: datetime.datetime | None = None, clock: Clock = utc_now) -> list[JobResult]:
    """Run the jobs (all, or ``job``): those due only with ``due_only``, each once per slot."""
    moment = now or clock()
    results = []
    for chosen in _chosen(job):
        slot: datetime.datetime | None = chosen.schedule.slot(moment)
        run_id = _claim(database, chosen.name, slot, moment)
        if run_id is None and due_only:
            results.append(JobResult(chosen.name, False, "skipped", slot, {}))
            continue
        if run_id is None:  # asked for by hand, its slot already run: a run of its own
            run_id, slot = _claim(database, chosen.name, None, moment), None
            assert run_id is not None
        context = JobContext(database, moment, config_path, outbox, inbox)
        try:
            summary, outcome = chosen.run(context), "succeeded"
        except DermbillError as exc:
            summary, outcome = {"error": str(exc)}, "failed"
        except Exception as exc:  # one job's crash is recorded (failed, with its error); the others still run
            summary, outcome = {"error": f"{type(exc).__name__}: {exc}"}, "failed"
        _finish(database, run_id, outcome, summary, now or clock())
        results.append(JobResult(chosen.name, True, outcome, slot, summary))
    return results


def _claim(database: Database, job: str, slot: datetime.datetime | None, now: datetime.datetime) -> int | None:
    """Record a run of ``job`` for ``slot`` (committed); None when that slot already has one."""
    with UnitOfWork(database, actor=f"job: {job}", clock=lambda: now) as uow:
        row = JobRunRow(job=job, slot=slot, started_at=now, outcome="running", summary={})
        uow.session.add(row)
        try:
            uow.flush()
            run_id = row.id
            uow.audit("job.started", "job_run", run_id, detail={"job": job, "slot": slot.isoformat() if slot else None})
            uow.commit()
        except InvalidInput:  # the slot has its run (uq_job_run_job_slot): another runner, or earlier today
            return None
        return run_id


def _finish(database: Database, run_id: int, outcome: str, summary: dict[str, Any],
            finished: datetime.datetime) -> None:
    with UnitOfWork(database, actor="jobs", clock=lambda: finished) as uow:
        row = uow.session.get(JobRunRow, run_id)
        if row is None:
            raise NotFound(f"job run {run_id} is not recorded")
        row.finished_at, row.outcome, row.summary = finished, outcome, summary
        uow.audit("job.finished", "job_run", run_id, detail={"job": row.job, "outcome": outcome})
        uow.commit()


@dataclass(frozen=True, slots=True)
class JobStatus:
    name: str
    description: str
    schedule: str
    last_started: datetime.datetime | None
    last_finished: datetime.datetime | None
    last_outcome: str | None
    last_summary: dict[str, Any] | None
    next_due: datetime.datetime  # the current slot when it has no run yet, else the next slot
    due_now: bool  # its current slot has no run: the next ``jobs run --due-only`` runs it

    def to_json(self) -> dict[str, Any]:
        return {"job": self.name, "description": self.description, "schedule": self.schedule,
                "last_started": self.last_started.isoformat() if self.last_started else None,
                "last_finished": self.last_finished.isoformat() if self.last_finished else None,
                "last_outcome": self.last_outcome, "last_summary": self.last_summary,
                "next_due": self.next_due.isoformat(), "due_now": self.due_now}


def list_jobs(database: Database, *, now: datetime.datetime | None = None, clock: Clock = utc_now) -> list[JobStatus]:
    """Every registered job with its last run and when it is next due."""
    moment = now or clock()
    found = []
    with UnitOfWork(database, actor="jobs") as uow:
        for job in _chosen(None):
            last = uow.session.scalars(select(JobRunRow).where(JobRunRow.job == job.name)
                                       .order_by(JobRunRow.started_at.desc(), JobRunRow.id.desc())).first()
            slot = job.schedule.slot(moment)
            taken = uow.session.scalar(select(JobRunRow.id).where(JobRunRow.job == job.name, JobRunRow.slot == slot))
            found.append(JobStatus(job.name, job.description, job.schedule.describe(),
                                   last.started_at if last else None, last.finished_at if last else None,
                                   last.outcome if last else None, dict(last.summary) if last else None,
                                   job.schedule.next_slot(slot) if taken is not None else slot, taken is None))
    return found
