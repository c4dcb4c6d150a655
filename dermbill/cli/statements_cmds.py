"""``dermbill statements ...``: patient statements (issue 16): the plan of a run day (who would be billed, for how
much: the ledger's patient balance, and why the others are not) and the run that makes the statements."""

from __future__ import annotations

from typing import Annotated

import typer
from rich import box
from rich.table import Table

from dermbill.cli.common import AsOf, By, DbOption, actor_name, as_of_day, current_database, out
from dermbill.cli.files import write_json
from dermbill.core.money import total

statements_app = typer.Typer(help="Patient statements: who is billed, for how much, and why not.",
                             no_args_is_help=True)
Practices = Annotated[list[str] | None, typer.Option("--practice", help="Only this practice (its code; repeatable). "
                                                                       "Default: every practice.")]


@statements_app.command("plan")
def plan_command(
    ctx: typer.Context,
    db: DbOption = None,
    practice: Annotated[list[str] | None, typer.Option("--practice", help="Only this practice (its code; "
                                                                          "repeatable). Default: every practice.")]
    = None,
    every_day: Annotated[bool, typer.Option("--all-cycles", help="Ignore cycle billing: every guarantor due a "
                                                                 "statement, whatever their day of the month.")]
    = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    as_of: AsOf = None,
) -> None:
    """Who would get a statement on the day (nothing is sent): each guarantor with a patient balance or credit,
    the amount (the ledger's), the due date and the aging, or why not (a payer still owes, below the minimum,
    not their billing day)."""
    from dermbill.services.statements import plan_statements

    day = as_of_day(as_of)
    with current_database(ctx, db) as database:
        planned = plan_statements(database, None, day, practices=practice, cycle_billing=not every_day,
                                  actor=actor_name(None, fallback="statements"))
    sending = [p for p in planned if p.decision.send]
    if as_json:
        write_json({"day": day.isoformat(), "to_send": len(sending),
                    "amount": total([p.decision.amount for p in sending]).plain(),
                    "guarantors": [p.to_json() for p in planned]})
        return
    table = Table(title=f"Statements for {day.isoformat()}: {len(sending)} of {len(planned)} guarantors",
                  title_justify="left", box=box.SIMPLE_HEAD)
    for heading in ("practice", "account", "patient", "amount", "due", "why not"):
        table.add_column(heading, overflow="fold", justify="right" if heading == "amount" else "left")
    for p in planned:
        table.add_row(p.practice, p.account_number, p.patient_name, p.decision.amount.plain(),
                      p.decision.due_on.isoformat() if p.decision.due_on else "", "" if p.decision.send
                      else p.decision.reason)
    out.print(table)



@statements_app.command("run")
def run_command(
    ctx: typer.Context,
    db: DbOption = None,
    practice: Practices = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List the statements the run would make; make none.")]
    = False,
    every_day: Annotated[bool, typer.Option("--all-cycles", help="Ignore cycle billing: every guarantor due a "
                                                                 "statement, whatever their day of the month.")]
    = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    as_of: AsOf = None,
    by: By = None,
) -> None:
    """Make the day's statements: one per guarantor whose balance no payer still owes on, at or above the
    practice's minimum, on their billing day and not billed this cycle; each with the words of its cadence step,
    to go by e-mail (a notice with a link, when the patient has an address) or in the print batch."""
    from dermbill.services.statements import run_statements

    day = as_of_day(as_of)
    with current_database(ctx, db) as database:
        run = run_statements(database, day, practices=practice, dry_run=dry_run,
                             cycle_billing=False if every_day else None,
                             actor=actor_name(by, fallback="statements"))
    if as_json:
        write_json(run.to_json())
        return
    verb = "would make" if dry_run else "made"
    table = Table(title=f"Statements of {day.isoformat()}: {verb} {len(run.statements)} for ${run.amount}",
                  title_justify="left", box=box.SIMPLE_HEAD)
    for heading in ("practice", "account", "patient", "amount", "due", "step", "delivery", "code"):
        table.add_column(heading, overflow="fold", justify="right" if heading == "amount" else "left")
    for sent in run.statements:
        planned = sent.planned
        table.add_row(planned.practice, planned.account_number, planned.patient_name, planned.decision.amount.plain(),
                      planned.decision.due_on.isoformat() if planned.decision.due_on else "", planned.step.label,
                      sent.delivery, sent.code or "")
    out.print(table)
    for reason, count in sorted(run.not_billed.items()):
        out.print(f"not billed: {count} ({reason})")
