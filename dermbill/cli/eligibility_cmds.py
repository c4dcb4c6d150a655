"""``dermbill eligibility``: ``run`` (270s for the next days' appointments, the 271s applied) and ``worklist`` (what
the front desk must fix before the visits)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dermbill.cli.clearinghouse_cmds import ConfigOption, _config
from dermbill.cli.common import AsOf, DbOption, actor_name, as_of_day, current_database, err, out
from dermbill.cli.files import write_json
from dermbill.settings import DEFAULT_INBOX, DEFAULT_OUTBOX

if TYPE_CHECKING:
    from dermbill.services.eligibility import RunSummary, WorkList

eligibility_app = typer.Typer(help="Eligibility before the visit: 270 inquiries for the booked appointments, the "
                                   "271 answers, the front desk's work list.", no_args_is_help=True)


@eligibility_app.command("run")
def run_command(
    ctx: typer.Context,
    db: DbOption = None,
    days: Annotated[int, typer.Option("--days", min=0, max=366, help="Appointments from today through this many "
                                                                     "days ahead.")] = 1,
    practice: Annotated[list[str] | None, typer.Option("--practice", help="Only this practice (its code; "
                                                                          "repeatable). Default: every practice.")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    config: ConfigOption = None,
    inbox: Annotated[Path, typer.Option("--inbox", help="Where fetched files are kept (as for clearinghouse "
                                                        "sync).")] = Path(DEFAULT_INBOX),
    outbox: Annotated[Path, typer.Option("--outbox", help="Where the 270 files are written (in 270/).")]
    = Path(DEFAULT_OUTBOX),
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, max=50_000,
                                            help="At most this many inquiries per 270 file.")] = 1000,
    as_of: AsOf = None,
) -> None:
    """Send 270s for the booked appointments of the next days through each payer's connection, in batches, and
    apply the 271s that come back: active, inactive, not found, errors, another payer primary, no answer."""
    from dermbill.cli.progress import StageProgress
    from dermbill.services.eligibility import run_eligibility

    settings = _config(config)
    today = as_of_day(as_of)
    with current_database(ctx, db) as database, StageProgress(err) as bars:
        summary = run_eligibility(database, settings, inbox=inbox, outbox=outbox, days=days, practices=practice,
                                  today=today, batch_size=batch_size, actor=actor_name(None, fallback="eligibility"),
                                  progress=bars.report if err.is_terminal else _quiet)
    if as_json:
        write_json({"from": today.isoformat(), "to": (today + datetime.timedelta(days=days)).isoformat(),
                    **summary.to_json()})
        return
    _print_summary(summary, today, days)


def _quiet(stage: str, done: int, total: int) -> None:
    """No progress bar (not a terminal)."""


def _print_summary(summary: RunSummary, today: datetime.date, days: int) -> None:
    last = today + datetime.timedelta(days=days)
    out.print(f"Eligibility for {summary.appointments} booked appointment(s), {today.isoformat()} to "
              f"{last.isoformat()}: {summary.sent} inquiry(ies) sent in {len(summary.files)} 270 file(s)"
              + (f" ({', '.join(summary.files[:5])}{' ...' if len(summary.files) > 5 else ''})" if summary.files
                 else ""))
    rows = (("active", summary.active), ("inactive", summary.inactive), ("not found", summary.not_found),
            ("errors", summary.errors), ("other payer primary", summary.other_payer_primary),
            ("no answer", summary.no_answer))
    for label, count in rows:
        out.print(f"  {label:<20} {count:>6}")
    if summary.no_coverage:
        out.print(f"{summary.no_coverage} appointment(s) of patients without insurance (self-pay): nothing to ask")
    for reason in summary.unrouted[:10]:
        out.print(f"not sent: {reason}")
    needing = summary.sent - summary.active
    if needing:
        out.print(f"{needing} need the front desk before the visit: dermbill eligibility worklist (or the web "
                  "application's Front desk > Eligibility)")


@eligibility_app.command("worklist")
def worklist_command(
    ctx: typer.Context,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print {\"problems\": [...], \"order_changes\": [...]} "
                                                         "as JSON.")] = False,
) -> None:
    """The eligibility problems to fix before the visits (soonest first), each with the fix; and the coverage order
    changes proposed because a payer said another is primary."""
    from dermbill.services.eligibility import worklist

    with current_database(ctx, db) as database:
        found = worklist(database, None, actor=actor_name(None))
    if as_json:
        write_json(found.to_json())
        return
    _print_worklist(found)


def _print_worklist(found: WorkList) -> None:
    if not found.items and not found.proposals:
        out.print("Nothing to fix: no open eligibility problem, no proposed order change.")
        return
    for item in found.items:
        when = item.appointment_at.strftime("%Y-%m-%d %H:%M") if item.appointment_at else "no appointment"
        out.print(f"#{item.problem_id} {item.practice} {item.account_number} {item.patient_name}, {when}, "
                  f"{item.payer} {item.member_id}: {item.label} ({item.message})")
        out.print(f"    fix: {item.fix}")
    for proposal in found.proposals:
        now_order = proposal.other_coverage_order or "no coverage yet"
        out.print(f"order change #{proposal.proposal_id} {proposal.practice} {proposal.account_number} "
                  f"{proposal.patient_name}: {proposal.other_payer} is primary, not {proposal.coverage_payer} "
                  f"({proposal.other_payer} is {now_order} here); accept or reject it on the eligibility page")
    out.print(f"{len(found.items)} problem(s), {len(found.proposals)} proposed order change(s)")
