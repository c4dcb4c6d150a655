"""``dermbill statements ...``: patient statements (issue 16): the plan of a run day (who would be billed, for how
much: the ledger's patient balance, and why the others are not) and the run that makes the statements."""

from __future__ import annotations

from pathlib import Path
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


@statements_app.command("settings")
def settings_command(
    ctx: typer.Context,
    practice: Annotated[str, typer.Option("--practice", help="The practice (its code).")],
    db: DbOption = None,
    minimum: Annotated[str | None, typer.Option("--minimum", help="The least balance billed, e.g. 5.00.")] = None,
    due_days: Annotated[int | None, typer.Option("--due-days", help="Days from the statement to its due date.")]
    = None,
    reminder_days: Annotated[int | None, typer.Option("--reminder-days", help="Days from the first statement to "
                                                                              "the friendly reminder.")] = None,
    past_due_days: Annotated[int | None, typer.Option("--past-due-days", help="... to the past-due notice.")]
    = None,
    final_notice_days: Annotated[int | None, typer.Option("--final-notice-days", help="... to the final notice.")]
    = None,
    agency_days: Annotated[int | None, typer.Option("--agency-days", help="... to a proposed hand-off to a "
                                                                          "collection agency (a manager decides).")]
    = None,
    small_balance: Annotated[str | None, typer.Option("--small-balance", help="Balances under this may be written "
                                                                              "off as small balances.")] = None,
    cycle_billing: Annotated[bool | None, typer.Option("--cycle-billing/--no-cycle-billing",
                                                       help="Spread guarantors over the month (each on their own "
                                                            "day), or bill all due on any run day.")] = None,
    billing_phone: Annotated[str | None, typer.Option("--billing-phone", help="Whom patients call about a bill.")]
    = None,
    pay_url: Annotated[str | None, typer.Option("--pay-url", help="Where patients pay online.")] = None,
    wording: Annotated[list[str] | None, typer.Option("--wording", help="STEP=words: what a statement at this step "
                                                                        "says (steps: statement, reminder, "
                                                                        "past_due, final_notice); STEP= restores "
                                                                        "the default. Repeatable.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    by: By = None,
) -> None:
    """Show a practice's statement and collection policy, or change it (checked whole before it is kept)."""
    from dermbill.core.errors import InvalidInput
    from dermbill.services.statements import statement_policy

    changes = {name: value for name, value in (
        ("minimum_balance", minimum), ("due_days", due_days), ("reminder_days", reminder_days),
        ("past_due_days", past_due_days), ("final_notice_days", final_notice_days), ("agency_days", agency_days),
        ("small_balance", small_balance), ("cycle_billing", cycle_billing), ("billing_phone", billing_phone),
        ("pay_url", pay_url)) if value is not None}
    words: dict[str, str] | None = None
    if wording:
        words = {}
        for item in wording:
            step, sep, text = item.partition("=")
            if not sep:
                raise InvalidInput(f"--wording {item!r}: write STEP=words, e.g. reminder=A friendly reminder ...")
            words[step.strip()] = text
    with current_database(ctx, db) as database:
        policy = statement_policy(database, practice, changes, wording=words,
                                  actor=actor_name(by, fallback="statements"))
    if as_json:
        write_json(policy)
        return
    for name, value in policy.items():
        if name != "wording":
            out.print(f"{name.replace('_', ' ')}: {value if value is not None else '-'}")
    for step, text in policy["wording"].items():
        out.print(f"wording ({step}): {text}")


@statements_app.command("print")
def print_command(
    ctx: typer.Context,
    out_dir: Annotated[Path, typer.Option("--out", help="The folder for the batch files (PDF and CSV manifest).")],
    db: DbOption = None,
    practice: Practices = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    by: By = None,
) -> None:
    """Render the statements waiting for print (no e-mail address, or a bounced e-mail) into print batches for a
    print-and-mail vendor: a PDF of the statements and its CSV manifest per batch; mark them printed."""
    from dermbill.services.statement_printing import print_statements

    with current_database(ctx, db) as database:
        batches = print_statements(database, out_dir, practices=practice, actor=actor_name(by, fallback="statements"))
    if as_json:
        write_json({"batches": [b.to_json() for b in batches]})
        return
    if not batches:
        out.print("No statement is waiting for print.")
    for batch in batches:
        out.print(f"{batch.practice}: {batch.statements} statement(s) for ${batch.amount}: {batch.pdf} and "
                  f"{batch.manifest}")
