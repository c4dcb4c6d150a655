"""``dermbill statements ...``: patient statements (issue 16). So far the plan of a run day: who would be billed,
for how much (the ledger's patient balance), and why the others are not."""

from __future__ import annotations

from typing import Annotated

import typer
from rich import box
from rich.table import Table

from dermbill.cli.common import AsOf, DbOption, actor_name, as_of_day, current_database, out
from dermbill.cli.files import write_json
from dermbill.core.money import total

statements_app = typer.Typer(help="Patient statements: who is billed, for how much, and why not.",
                             no_args_is_help=True)


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

