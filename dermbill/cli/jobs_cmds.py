"""``dermbill worker`` (run background jobs from the PostgreSQL queue) and ``dermbill jobs defer`` (ask for one)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from dermbill.cli.common import DbOption, actor_name, current_database, out
from dermbill.cli.files import write_json


def worker_command(
    ctx: typer.Context,
    db: DbOption = None,
    concurrency: Annotated[int, typer.Option("--concurrency", help="Jobs run at once by this worker.")] = 1,
    stalled_after: Annotated[float, typer.Option(
        "--stalled-after", help="Seconds without a heartbeat after which another worker's running jobs are taken "
                                "for lost and queued again.")] = 30.0,
    until_empty: Annotated[bool, typer.Option("--until-empty", help="Stop when no job waits (for scripts).")] = False,
    no_schedule: Annotated[bool, typer.Option("--no-schedule", help="Do not queue the scheduled jobs when due (other "
                                                                    "workers, or cron, do).")] = False,
) -> None:
    """Run a worker: the background jobs queued on this PostgreSQL database (any number of workers, on any number
    of machines); the scheduled jobs every five minutes. Ctrl-C (or SIGTERM) lets running jobs finish first."""
    from dermbill.services.job_queue import conninfo, run_worker

    with current_database(ctx, db) as database:
        conninfo(database)  # PostgreSQL, or say why not before starting
        out.print(f"worker on {database.url}: {concurrency} job(s) at once; Ctrl-C to stop", markup=False)
        run_worker(database, concurrency=concurrency, stalled_after=stalled_after, wait=not until_empty,
                   schedule=not no_schedule)


def defer_command(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="post_835, clearinghouse_sync, scrub_batch, eligibility_batch, "
                                             "statement_run or report_refresh.")],
    file: Annotated[Path | None, typer.Argument(help="post_835: the 835 file (on storage the workers see).")] = None,
    db: DbOption = None,
    practice: Annotated[str | None, typer.Option("--practice", help="Only this practice (its code).")] = None,
    day: Annotated[str | None, typer.Option("--day", help="The day it is for (YYYY-MM-DD; default today, or "
                                                          "tomorrow's visits for eligibility_batch).")] = None,
    days: Annotated[int | None, typer.Option("--days", help="eligibility_batch: how many days of visits.")] = None,
    claims: Annotated[list[str] | None, typer.Option("--claim", help="scrub_batch: a claim number (repeat); "
                                                                     "default every claim not yet sent.")] = None,
    organization: Annotated[str | None, typer.Option("--organization", help="post_835: the billing company that "
                                                                            "received the file.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the job as JSON.")] = False,
) -> int:
    """Ask for a background job. On PostgreSQL a worker runs it (dermbill worker); on SQLite it runs now, here.
    Exit status 1 when it ran here and failed."""
    from dermbill.services.background_jobs import list_background_jobs
    from dermbill.services.job_queue import defer_job

    arguments: dict[str, Any] = {}
    if file is not None:
        arguments["file"] = str(file)
    if day is not None:
        arguments["day"] = day
    if days is not None:
        arguments["days"] = days
    if claims:
        arguments["claims"] = list(claims)
    if organization is not None:
        arguments["organization"] = organization
    with current_database(ctx, db) as database:
        job, succeeded = defer_job(database, kind, arguments, practice=practice, requested_by=actor_name(None))
        view = next((v for v in list_background_jobs(database, limit=50) if v.id == job.id), None)
    if as_json:
        write_json({"job": view.to_json() if view else {"id": job.id}})
    elif succeeded is None:
        out.print(f"job {job.id} ({kind}) queued: a worker runs it (dermbill worker); see dermbill jobs list",
                  markup=False)
    elif view is not None:
        detail = view.error if view.status == "failed" else view.summary
        out.print(f"job {job.id} ({kind}) ran here: {view.status} after {view.attempts} attempt(s): {detail}",
                  markup=False)
    return 1 if succeeded is False else 0
