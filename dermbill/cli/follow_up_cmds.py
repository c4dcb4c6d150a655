"""``dermbill claims follow-up`` (276 inquiries, 277 answers, the follow-up work list) and ``dermbill jobs``
(the scheduled jobs: run the due ones, list them)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from dermbill.cli.clearinghouse_cmds import ConfigOption
from dermbill.cli.common import DbOption, actor_name, current_database, out
from dermbill.cli.files import write_json
from dermbill.settings import DEFAULT_INBOX, DEFAULT_OUTBOX, load_settings

OutboxOption = Annotated[Path, typer.Option("--outbox", help="Where the 276 files are kept.")]
InboxOption = Annotated[Path, typer.Option("--inbox", help="Where fetched files are kept.")]


def follow_up_command(
    ctx: typer.Context,
    db: DbOption = None,
    practice: Annotated[str | None, typer.Option("--practice", help="Only this practice (its code).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print {\"summary\": ..., \"work_list\": [...]} as "
                                                         "JSON.")] = False,
    list_only: Annotated[bool, typer.Option("--list", help="Only show the work list: send no inquiry, fetch "
                                                           "nothing.")] = False,
    config: ConfigOption = None,
    outbox: OutboxOption = Path(DEFAULT_OUTBOX),
    inbox: InboxOption = Path(DEFAULT_INBOX),
    batch_size: Annotated[int, typer.Option("--batch-size", help="At most this many claims per 276 file.")] = 500,
) -> None:
    """Ask payers (276) about the claims with no answer after their wait, apply the 277 answers, and show the
    claims that need a person (with the timely-filing deadline) and those whose 835 should follow."""
    from dermbill import clock
    from dermbill.clearinghouse.config import read_config
    from dermbill.services.claim_status import follow_up_claims, follow_up_list

    now = clock.utc_now()
    with current_database(ctx, db) as database:
        report = None
        if not list_only:
            report = follow_up_claims(database, read_config(config or Path(load_settings().config_path)), outbox,
                                      inbox, now=now, practice=practice, batch_size=batch_size,
                                      actor=actor_name(None))
        items = follow_up_list(database, as_of=now.date(), practice=practice, actor=actor_name(None))
    if as_json:
        write_json({"summary": report.to_json() if report else None, "work_list": [i.to_json() for i in items]})
        return
    if report is not None:
        for sent in report.files:
            out.print(f"{sent.practice}: {len(sent.claims)} claim status inquiries (276) -> {sent.path.name} via "
                      f"{sent.connection}{'' if sent.delivered else ' (already there; not sent again)'}")
        if not report.files:
            out.print("No claim is due a status inquiry (each payer's wait has not passed, or was asked within it).")
        answers = report.answers()
        routes = answers["routes"]
        out.print(f"277: {answers['applied']} answer(s) applied ({routes.get('person', 0)} for a person, "
                  f"{routes.get('remittance_expected', 0)} paid or finished: an 835 should follow, "
                  f"{routes.get('wait', 0)} still in process), {answers['already_applied']} applied before, "
                  f"{answers['unknown']} about no inquiry of ours")
    people = [i for i in items if i.needs_person]
    out.print(f"Follow-up work list: {len(people)} claim(s) need a person; "
              f"{len(items) - len(people)} should get an 835")
    for item in items:
        flag = " (deadline near)" if item.near_deadline else ""
        out.print(f"  {item.practice} {item.claim} {item.payer}: {item.category}:{item.status_code} {item.words}",
                  markup=False)
        out.print(f"    age {item.age_days} days; filing deadline {item.deadline} ({item.days_left} days left){flag}; "
                  f"next: {item.next_action}", markup=False)


jobs_app = typer.Typer(help="Scheduled jobs (run the due ones: cron, a timer or a worker); background jobs.",
                       no_args_is_help=True)


@jobs_app.command("run")
def run_command(
    ctx: typer.Context,
    db: DbOption = None,
    due_only: Annotated[bool, typer.Option("--due-only", help="Only the jobs due now (not yet run in their current "
                                                              "slot): what cron runs.")] = False,
    job: Annotated[str | None, typer.Option("--job", help="Only this job (see dermbill jobs list).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print {\"runs\": [...]} as JSON.")] = False,
    config: ConfigOption = None,
    outbox: OutboxOption = Path(DEFAULT_OUTBOX),
    inbox: InboxOption = Path(DEFAULT_INBOX),
) -> int:
    """Run the scheduled jobs (each once per slot with --due-only). Exit status 1 when a job failed."""
    from dermbill.services.scheduled_jobs import run_jobs

    with current_database(ctx, db) as database:
        results = run_jobs(database, config_path=config or Path(load_settings().config_path), outbox=outbox,
                           inbox=inbox, due_only=due_only, job=job)
    if as_json:
        write_json({"runs": [r.to_json() for r in results]})
    else:
        for result in results:
            if not result.ran:
                out.print(f"{result.job}: not due (already run for {result.slot:%Y-%m-%d %H:%M} UTC)"
                          if result.slot else f"{result.job}: not due", markup=False)
                continue
            detail = result.summary.get("error") if result.outcome == "failed" else json.dumps(result.summary)
            out.print(f"{result.job}: {result.outcome}: {detail}", markup=False)
    return 1 if any(r.outcome == "failed" for r in results) else 0


@jobs_app.command("list")
def list_command(
    ctx: typer.Context,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print {\"jobs\": [...]} as JSON.")] = False,
) -> None:
    """Every scheduled job (what it does, how often, its last run, when it is next due) and the latest background
    jobs (status, attempts, progress)."""
    from dermbill.services.background_jobs import list_background_jobs
    from dermbill.services.job_queue import queue_statuses
    from dermbill.services.scheduled_jobs import list_jobs

    with current_database(ctx, db) as database:
        jobs = list_jobs(database)
        background = list_background_jobs(database, limit=50)
        waiting = [v for v in background if v.status in ("queued", "running")]
        if waiting:
            statuses = queue_statuses(database, [v.queue_job_id for v in waiting if v.queue_job_id is not None])
            background = list_background_jobs(database, limit=50, queue_statuses=statuses)
    if as_json:
        write_json({"jobs": [j.to_json() for j in jobs], "background": [v.to_json() for v in background]})
        return
    for job in jobs:
        last = (f"last run {job.last_started:%Y-%m-%d %H:%M} UTC: {job.last_outcome}" if job.last_started
                else "never run")
        out.print(f"{job.name} ({job.schedule}): {job.description}", markup=False)
        due = "due now" if job.due_now else f"next due {job.next_due:%Y-%m-%d %H:%M} UTC"
        out.print(f"  {last}; {due}", markup=False)
    if background:
        out.print("background jobs (newest first):", markup=False)
    for view in background:
        progress = f"{view.done}/{view.total}" if view.total is not None else "-"
        where = f" {view.practice}" if view.practice else ""
        line = f"  {view.id} {view.kind}{where}: {view.status}, {progress} done, attempt {view.attempts}"
        expected = {"queued": "todo", "running": "doing"}.get(view.status, view.status)
        if view.queue_status and view.queue_status != expected:  # e.g. running, but its worker stopped: todo again
            line += f" (queue: {view.queue_status})"
        out.print(line + (f": {view.error}" if view.error else ""), markup=False)
