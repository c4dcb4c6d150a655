"""Long operations run as background jobs (issue 19): the job kinds, their records, progress, and running one.

A job is one long operation asked for by a person or a command: posting a large 835 (``post_835``), fetching and
processing what the clearinghouse has (``clearinghouse_sync``), scrubbing many claims (``scrub_batch``), an
eligibility batch (``eligibility_batch``), a statement run (``statement_run``) or a report refresh
(``report_refresh``). ``queue_job`` records it (``background_job``: kind, practice, arguments, who asked);
``run_job`` runs one attempt of it, recording the attempt, its progress (``done`` of ``total``: transaction sets,
claims, appointments ...) and its outcome. Who runs it depends on the database (``services.job_queue``): on
PostgreSQL procrastinate's workers (``dermbill worker``), any number on any number of machines; on SQLite the
process that asked for it, at once (``run_in_process``), so the demo needs no worker.

Retries: an attempt that fails on something unexpected (a lost connection, a crash) is tried again, up to the
kind's ``attempts``; a ``DermbillError`` (bad input a person must fix: a missing file, an unknown practice) is
final at once, but ``StorageUnavailable`` (the database went away) is tried again. A job that was running on a
worker that died is run again from the start: every operation here is safe to run twice (an 835 transaction set is
posted once, by its payer, trace number and content: ``services.era_posting``; a claim scrubbed twice gets the same
findings; a guarantor billed this cycle is not billed again; a report part is summed again).

Locks: two jobs of an ``exclusive`` kind for the same practice never run at once (nor two company-wide ones:
``lock_key``), and the same job (kind, practice and arguments) is not queued again while it waits
(``queueing_key``); ``post_835`` is not exclusive (posting locks the claims it touches), but the same file is not
queued twice while it waits.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from dermbill.clock import today, utc_now
from dermbill.core.errors import DermbillError, InvalidInput, NotFound, StorageUnavailable
from dermbill.db.engine import Database
from dermbill.db.models import BACKGROUND_JOB_KINDS, BackgroundJobRow, PracticeRow
from dermbill.db.repositories import UnitOfWork

PROGRESS_EVERY = 0.25  # seconds: progress is written at most this often (and always at the end)


@dataclass(slots=True)
class JobRun:
    """What an operation gets: the database, the job, its arguments and practice, and where to report progress."""

    database: Database
    job_id: int
    arguments: dict[str, Any]
    practice_id: int | None
    practice_code: str | None
    actor: str
    _last_written: float = 0.0

    def progress(self, done: int, total: int | None) -> None:
        """Record how far the operation got (written at most every ``PROGRESS_EVERY`` seconds, and at the end)."""
        moment = time.monotonic()
        if total is not None and done < total and moment - self._last_written < PROGRESS_EVERY:
            return
        self._last_written = moment
        with UnitOfWork(self.database, actor=self.actor) as uow:
            row = uow.session.get(BackgroundJobRow, self.job_id)
            if row is not None:
                row.done, row.total = done, total
                uow.commit()


    def progress_in_transaction(self) -> Callable[[int, int], None] | None:
        """``progress`` for an operation to call while its own transaction is open: on PostgreSQL; None on SQLite,
        whose one writer is that transaction (the progress write, on another connection, would wait for it until
        the database is reported locked)."""
        return self.progress if self.database.backend == "postgresql" else None


Operation = Callable[[JobRun], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class JobKind:
    name: str
    description: str
    run: Operation
    exclusive: bool  # one at a time per practice (or company-wide): the queue's lock
    attempts: int = 3  # runs in all, the first included
    per_practice: bool = True  # may name a practice; False: always every practice


def _text(arguments: dict[str, Any], name: str) -> str | None:
    value = arguments.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"argument {name}: give a text value (got {value!r})")
    return value.strip()


def _whole_number(arguments: dict[str, Any], name: str) -> int | None:
    value = arguments.get(name)
    if value is None:
        return None
    if type(value) is not int:
        raise InvalidInput(f"argument {name}: {value!r} is not a whole number")
    return value


def _practice_ids(value: Any) -> list[int]:
    if not isinstance(value, list) or any(type(item) is not int for item in value):
        raise InvalidInput(f"argument practices: {value!r} is not a list of practice ids")
    return value


def _day(arguments: dict[str, Any]) -> datetime.date:
    raw = _text(arguments, "day")
    if raw is None:
        return today()
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(f"argument day: {raw!r} is not a date (YYYY-MM-DD)") from None


def _config_and_folders(arguments: dict[str, Any]) -> tuple[Any, Path, Path]:
    from dermbill.clearinghouse.config import read_config
    from dermbill.settings import DEFAULT_INBOX, DEFAULT_OUTBOX, load_settings

    config = read_config(Path(_text(arguments, "config") or load_settings().config_path))
    return (config, Path(_text(arguments, "inbox") or DEFAULT_INBOX),
            Path(_text(arguments, "outbox") or DEFAULT_OUTBOX))


def post_835(run: JobRun) -> dict[str, Any]:
    """Post every 835 transaction set of a file as ``era post`` does, one database transaction each, read as it
    streams (progress: sets posted, of those the file holds)."""
    from dermbill.services.era_posting import RemittanceOutcome, organization_named, post_era_file
    from dermbill.x12.tokenizer import count_sets

    path = Path(_text(run.arguments, "file") or "")
    if not path.is_file():
        raise InvalidInput(f"argument file: {path} is not a file this worker can read (the 835 must be on storage "
                           "every worker sees)")
    organization = _text(run.arguments, "organization")
    organization_id = organization_named(run.database, organization) if organization else \
        _whole_number(run.arguments, "organization_id")
    practices = run.arguments.get("practices")  # an upload's: the practices of the person who sent it
    total = count_sets(path, "835")
    statuses: dict[str, int] = {}
    run.progress(0, total)

    def posted(outcome: RemittanceOutcome) -> None:
        statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
        run.progress(sum(statuses.values()), total)

    outcomes = post_era_file(run.database, path, actor=run.actor, organization_id=organization_id,
                             practice_ids=None if practices is None else _practice_ids(practices), posted=posted)
    if run.arguments.get("uploaded") is True:  # a web upload's copy (``era_uploads``): posted, it is not kept
        path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            path.parent.rmdir()
    return {"file": path.name, "transaction_sets": len(outcomes), "by_status": statuses,
            "claims_posted": sum(outcome.claims_posted for outcome in outcomes),
            "paid_cents": sum(outcome.paid.cents for outcome in outcomes)}


def clearinghouse_sync(run: JobRun) -> dict[str, Any]:
    """Fetch from every clearinghouse connection and process what came (999, 277CA, 835)."""
    from dermbill.services.transmission import sync

    config, inbox, _ = _config_and_folders(run.arguments)
    run.progress(0, 1)
    report = sync(run.database, config, inbox)
    run.progress(1, 1)
    statuses: dict[str, int] = {}
    for outcome in report.remittances:
        statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
    return {"fetched": len(report.fetched), "picked_up": len(report.picked_up), "quarantined": len(report.quarantined),
            "accepted": len(report.accepted), "rejected": len(report.rejected), "remittances": statuses}


# Claims scrubbed in one database transaction by a scrub_batch job that names none: a company's backlog (thousands of
# claims) is scrubbed practice by practice in transactions of at most this many claims, so no transaction holds the
# whole company's claims (nor one session all their rows in memory), and an attempt that fails keeps what was done.
SCRUB_CHUNK = 500


def scrub_batch(run: JobRun) -> dict[str, Any]:
    """Scrub the claims named (``claims``: claim numbers, one transaction), or every claim not yet sent (of the
    practice, if one), practice by practice in transactions of at most ``SCRUB_CHUNK`` claims."""
    from dermbill.db.models import ClaimRow
    from dermbill.services.scrubbing import SCRUBBABLE, scrub_stored_claims

    named = run.arguments.get("claims") or []
    if not isinstance(named, list) or not all(isinstance(c, str | int) for c in named):
        raise InvalidInput("argument claims: give a list of claim numbers")
    as_of = _day(run.arguments)
    statuses: dict[str, int] = {}
    if named:
        run.progress(0, len(named))
        outcomes = scrub_stored_claims(run.database, claim_ids=named, as_of=as_of, actor=run.actor,
                                       progress=run.progress_in_transaction())
        run.progress(len(outcomes), len(named))
        for outcome in outcomes:
            statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
        return {"scrubbed": len(outcomes), "by_status": statuses}
    query = select(ClaimRow.practice_id, ClaimRow.id).where(ClaimRow.status.in_(SCRUBBABLE))
    if run.practice_id is not None:
        query = query.where(ClaimRow.practice_id == run.practice_id)
    with UnitOfWork(run.database, actor=run.actor) as uow:
        ids = [(practice_id, claim_id) for practice_id, claim_id in
               uow.session.execute(query.order_by(ClaimRow.practice_id, ClaimRow.id))]
    chunks: list[tuple[int, list[int]]] = []  # (practice, its claims), each list at most SCRUB_CHUNK long
    for practice_id, claim_id in ids:
        if not chunks or chunks[-1][0] != practice_id or len(chunks[-1][1]) == SCRUB_CHUNK:
            chunks.append((practice_id, []))
        chunks[-1][1].append(claim_id)
    done = 0
    run.progress(0, len(ids))
    scrubbed = 0
    for _, chunk in chunks:
        def progress(count: int, _total: int, before: int = done) -> None:
            run.progress(before + count, len(ids))

        within = progress if run.progress_in_transaction() else None  # else after each chunk's commit only
        with UnitOfWork(run.database, actor=run.actor) as uow:  # a claim sent since it was listed is left alone
            still = list(uow.session.scalars(select(ClaimRow.id).where(
                ClaimRow.id.in_(chunk), ClaimRow.status.in_(SCRUBBABLE)).order_by(ClaimRow.id)))
        for outcome in scrub_stored_claims(run.database, claim_ids=still, as_of=as_of, actor=run.actor,
                                           progress=within) if still else ():
            statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
            scrubbed += 1
        done += len(chunk)
        run.progress(done, len(ids))
    return {"scrubbed": scrubbed, "by_status": statuses}


def eligibility_batch(run: JobRun) -> dict[str, Any]:
    """270s for the booked appointments of ``days`` days from ``day`` (default: tomorrow's, the day before)."""
    from dermbill.services.eligibility import run_eligibility

    days = run.arguments.get("days", 1)
    if not isinstance(days, int) or isinstance(days, bool):
        raise InvalidInput(f"argument days: give a whole number of days (got {days!r})")
    config, inbox, outbox = _config_and_folders(run.arguments)
    start = _day(run.arguments) if "day" in run.arguments else today() + datetime.timedelta(days=1)
    summary = run_eligibility(run.database, config, inbox=inbox, outbox=outbox, days=days, today=start,
                              practice_ids={run.practice_id} if run.practice_id is not None else None,
                              actor=run.actor, progress=lambda _stage, done, total: run.progress(done, total))
    return summary.to_json()


def statement_run(run: JobRun) -> dict[str, Any]:
    """The day's statement run (each practice by its own policy)."""
    from dermbill.services.statements import run_statements

    run.progress(0, 1)
    made = run_statements(run.database, _day(run.arguments), actor=run.actor,
                          practice_ids={run.practice_id} if run.practice_id is not None else None)
    run.progress(1, 1)
    summary = made.to_json()
    return {key: summary[key] for key in ("statements_count", "amount", "by_delivery", "not_billed") if key in summary}


def report_refresh(run: JobRun) -> dict[str, Any]:
    """Sum and keep every practice's report parts for the day (what the dashboard reads first; progress: practices)."""
    from dermbill.services.report_parts import keep_current

    return dict(keep_current(run.database, _day(run.arguments), progress=run.progress))


KINDS: dict[str, JobKind] = {kind.name: kind for kind in (
    JobKind("post_835", "Post a large 835 file (each transaction set once)", post_835, exclusive=False),
    JobKind("clearinghouse_sync", "Fetch and process 999, 277CA and 835 files from every connection",
            clearinghouse_sync, exclusive=True, per_practice=False),
    JobKind("scrub_batch", "Scrub many claims", scrub_batch, exclusive=True),
    JobKind("eligibility_batch", "Check the coverage of the coming visits (270/271)", eligibility_batch,
            exclusive=True),
    JobKind("statement_run", "Make the day's patient statements", statement_run, exclusive=True),
    JobKind("report_refresh", "Sum and keep every practice's report parts", report_refresh, exclusive=True,
            per_practice=False),
)}
assert set(KINDS) == set(BACKGROUND_JOB_KINDS), "every kind the table allows has its operation"


def kind_named(name: str) -> JobKind:
    if name not in KINDS:
        raise InvalidInput(f"no job kind {name!r} (known: {', '.join(sorted(KINDS))})")
    return KINDS[name]


def lock_key(kind: str, practice_id: int | None) -> str:
    """The queue's lock of a job of an exclusive kind: its kind and practice ('*': every practice)."""
    return f"{kind}:{practice_id if practice_id is not None else '*'}"


def queueing_key(kind: str, practice_id: int | None, arguments: dict[str, Any]) -> str:
    """What makes two waiting jobs the same job (the second is not queued): kind, practice and arguments (for an
    835, its file)."""
    digest = hashlib.sha256(json.dumps(arguments, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return f"{lock_key(kind, practice_id)}:{digest}"


@dataclass(frozen=True, slots=True)
class QueuedJob:
    id: int
    kind: JobKind
    practice_id: int | None
    arguments: dict[str, Any]

    @property
    def lock(self) -> str | None:
        return lock_key(self.kind.name, self.practice_id) if self.kind.exclusive else None

    @property
    def queueing_lock(self) -> str:
        return queueing_key(self.kind.name, self.practice_id, self.arguments)


def queue_job(database: Database, kind: str, arguments: dict[str, Any], *, practice: str | None = None,
              requested_by: str, now: datetime.datetime | None = None) -> QueuedJob:
    """Record a job asked for (status ``queued``); the caller hands it to the queue (``services.job_queue``)."""
    chosen = kind_named(kind)
    arguments = dict(arguments)
    if chosen.name == "post_835":
        given = _text(arguments, "file")
        if given is None:
            raise InvalidInput("post_835: name the 835 file (dermbill jobs defer post_835 FILE)")
        path = Path(given).resolve()
        if not path.is_file():
            raise InvalidInput(f"post_835: {given} is not a file")
        arguments["file"] = str(path)
        if "practices" in arguments:
            _practice_ids(arguments["practices"])
        _whole_number(arguments, "organization_id")
    moment = now or utc_now()
    with UnitOfWork(database, actor=requested_by, clock=lambda: moment) as uow:
        practice_id = None
        if practice is not None:
            if not chosen.per_practice:
                raise InvalidInput(f"{chosen.name} runs for every practice at once: leave out --practice")
            practice_id = uow.session.scalar(select(PracticeRow.id).where(PracticeRow.code == practice))
            if practice_id is None:
                raise NotFound(f"no practice with the code {practice!r}")
        row = BackgroundJobRow(kind=chosen.name, practice_id=practice_id, arguments=arguments, status="queued",
                               attempts=0, done=0, total=None, requested_by=requested_by[:120], queued_at=moment,
                               summary={})
        uow.session.add(row)
        uow.flush()
        uow.audit("job.queued", "background_job", row.id, detail={"kind": chosen.name, "practice_id": practice_id})
        uow.commit()
        return QueuedJob(row.id, chosen, practice_id, arguments)


def set_queue_job_id(database: Database, job_id: int, queue_job_id: int) -> None:
    with UnitOfWork(database, actor="jobs") as uow:
        row = uow.session.get(BackgroundJobRow, job_id)
        if row is not None:
            row.queue_job_id = queue_job_id
            uow.commit()


def forget_job(database: Database, job_id: int) -> None:
    """Remove a job that was recorded and then refused by the queue (one like it already waits)."""
    with UnitOfWork(database, actor="jobs") as uow:
        row = uow.session.get(BackgroundJobRow, job_id)
        if row is not None:
            uow.session.delete(row)
            uow.commit()


def is_retryable(error: BaseException) -> bool:
    """An error worth another attempt: anything unexpected, or the database gone away; not a person's mistake."""
    return isinstance(error, StorageUnavailable) or not isinstance(error, DermbillError)


def run_job(database: Database, job_id: int, *, attempt: int) -> dict[str, Any]:
    """Run attempt ``attempt`` (1 for the first) of a recorded job; re-raises its error after recording it (the
    job is ``failed`` when the error is final or the attempts are spent, else ``queued`` again)."""
    with UnitOfWork(database, actor="jobs") as uow:
        row = uow.session.get(BackgroundJobRow, job_id)
        if row is None:
            raise NotFound(f"no background job {job_id}")
        kind = kind_named(row.kind)
        practice_code = (uow.session.scalar(select(PracticeRow.code).where(PracticeRow.id == row.practice_id))
                         if row.practice_id is not None else None)
        row.status, row.attempts, row.started_at, row.finished_at, row.error = "running", attempt, utc_now(), None, None
        arguments, practice_id = dict(row.arguments), row.practice_id
        uow.audit("job.started", "background_job", job_id, detail={"kind": kind.name, "attempt": attempt})
        uow.commit()
    run = JobRun(database, job_id, arguments, practice_id, practice_code, actor=f"job {job_id}: {kind.name}")
    try:
        summary = kind.run(run)
    except BaseException as exc:
        final = not is_retryable(exc) or attempt >= kind.attempts
        _record_end(database, job_id, "failed" if final else "queued", error=_words(exc), summary=None)
        raise
    _record_end(database, job_id, "succeeded", error=None, summary=summary)
    return summary


def _words(error: BaseException) -> str:
    """The error for a person: our message as it is; anything else by its type and first line (never a trace)."""
    if isinstance(error, DermbillError):
        return str(error)[:2000]
    first = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {first}"[:2000]


def _record_end(database: Database, job_id: int, status: str, *, error: str | None,
                summary: dict[str, Any] | None) -> None:
    with UnitOfWork(database, actor="jobs") as uow:
        row = uow.session.get(BackgroundJobRow, job_id)
        if row is None:
            return
        row.status, row.error = status, error
        if summary is not None:
            row.summary = summary
        if status != "queued":
            row.finished_at = utc_now()
        if status == "succeeded" and row.total is not None:
            row.done = row.total
        uow.audit(f"job.{status}", "background_job", job_id, detail={"kind": row.kind, "attempt": row.attempts})
        uow.commit()


def run_in_process(database: Database, job: QueuedJob) -> bool:
    """Run a recorded job here and now, retrying as a worker would; True when it succeeded (SQLite: no worker)."""
    for attempt in range(1, job.kind.attempts + 1):
        try:
            run_job(database, job.id, attempt=attempt)
            return True
        except Exception as exc:  # recorded by run_job; a final error ends the tries
            if not is_retryable(exc):
                return False
    return False


@dataclass(frozen=True, slots=True)
class JobView:
    id: int
    kind: str
    practice: str | None
    status: str
    attempts: int
    done: int
    total: int | None
    requested_by: str
    queued_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    summary: dict[str, Any]
    error: str | None
    queue_job_id: int | None
    queue_status: str | None  # procrastinate's own (PostgreSQL): todo, doing, succeeded, failed ...

    @property
    def percent(self) -> int | None:
        if not self.total:
            return 100 if self.status == "succeeded" else None
        return min(100, self.done * 100 // self.total)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "practice": self.practice, "status": self.status,
                "attempts": self.attempts, "done": self.done, "total": self.total, "percent": self.percent,
                "requested_by": self.requested_by, "queued_at": self.queued_at.isoformat(),
                "started_at": self.started_at.isoformat() if self.started_at else None,
                "finished_at": self.finished_at.isoformat() if self.finished_at else None,
                "summary": self.summary, "error": self.error, "queue_job_id": self.queue_job_id,
                "queue_status": self.queue_status}


def list_background_jobs(database: Database, practice_ids: Collection[int] | None = None, *, limit: int = 200,
                         queue_statuses: dict[int, str] | None = None, actor: str | None = None) -> list[JobView]:
    """The latest jobs, newest first: those of ``practice_ids`` and the company-wide ones (None: every job). With
    ``actor`` (a person reading the jobs page), the reading is audited per practice."""
    with UnitOfWork(database, actor=actor or "jobs") as uow:
        if actor is not None and practice_ids:
            uow.audit_practices("background_job.listed", "background_job", practice_ids)
            uow.commit()
        query = select(BackgroundJobRow, PracticeRow.code).outerjoin(
            PracticeRow, PracticeRow.id == BackgroundJobRow.practice_id)
        if practice_ids is not None:
            query = query.where(BackgroundJobRow.practice_id.in_(sorted(practice_ids))
                                | BackgroundJobRow.practice_id.is_(None))
        rows = uow.session.execute(query.order_by(BackgroundJobRow.id.desc()).limit(limit)).all()
        statuses = queue_statuses or {}
        return [JobView(row.id, row.kind, code, row.status, row.attempts, row.done, row.total, row.requested_by,
                        row.queued_at, row.started_at, row.finished_at, dict(row.summary), row.error,
                        row.queue_job_id, statuses.get(row.queue_job_id) if row.queue_job_id is not None else None)
                for row, code in rows]

