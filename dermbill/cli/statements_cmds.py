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


# E-mail delivery (fd-statement-mail): the notices of the statements that go by e-mail, and the bounces that come
# back. Their imports stay inside the commands, so that the other statement commands do not load smtplib.

@statements_app.command("email")
def email_command(
    ctx: typer.Context,
    db: DbOption = None,
    practice: Practices = None,
    base_url: Annotated[str | None, typer.Option("--base-url", help="Where patients open the statement page, "
                                                                    "e.g. https://bills.example (default: "
                                                                    "$DERMBILL_PUBLIC_URL).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """E-mail a notice (no PHI: where to see the statement and its code) for every statement waiting to go by
    e-mail, through the mail server of $DERMBILL_SMTP_HOST (with _PORT, _FROM, _TLS, _USER, and the password in
    $DERMBILL_SMTP_PASSWORD). An address the server refuses, or none on file, sends the statement to the print
    batch instead; when the server cannot be reached the rest wait for the next run (exit 1)."""
    from dermbill.cli.common import err
    from dermbill.clock import utc_now
    from dermbill.core.errors import InvalidInput
    from dermbill.services.statement_mail import deliver_statement_emails
    from dermbill.settings import load_smtp_settings, public_url

    smtp = load_smtp_settings()
    if smtp is None:
        raise InvalidInput("no mail server is set: set DERMBILL_SMTP_HOST and DERMBILL_SMTP_FROM (and "
                           "DERMBILL_SMTP_PORT, DERMBILL_SMTP_TLS, DERMBILL_SMTP_USER as the server needs)")
    url = (base_url or "").strip().rstrip("/") or public_url()
    if not url:
        raise InvalidInput("give --base-url (where patients open the statement page, e.g. https://bills.example) "
                           "or set DERMBILL_PUBLIC_URL")
    with current_database(ctx, db) as database:
        report = deliver_statement_emails(database, smtp, None, practices=practice, now=utc_now(), base_url=url)
    if as_json:
        write_json(report.to_json())
    else:
        out.print(f"e-mailed: {len(report.sent)}; moved to the print batch: {len(report.to_print)}; "
                  f"still waiting to be e-mailed: {report.still_pending}")
        for moved in report.to_print:
            out.print(f"  {moved.practice} {moved.code}: {moved.reason}")
    if report.problem:
        err.print(f"warning: {report.problem}")
        raise typer.Exit(1)


@statements_app.command("bounces")
def bounces_command(
    ctx: typer.Context,
    files: Annotated[list[str], typer.Argument(help="Bounce messages as received (.eml: delivery status "
                                                     "notifications, RFC 3464), one message a file.")],
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Read bounces of statement notices: a notice that could not be delivered sends its statement to the print
    batch. A delay, a success or a message that is no bounce of ours changes nothing and is listed."""
    from pathlib import Path

    from dermbill.clock import utc_now
    from dermbill.core.errors import InvalidInput
    from dermbill.services.statement_mail import record_bounce_reports

    reports: list[tuple[str, bytes]] = []
    for path in files:
        try:
            reports.append((path, Path(path).read_bytes()))
        except OSError as exc:
            raise InvalidInput(f"cannot read '{path}': {exc.strerror or exc}") from None
    with current_database(ctx, db) as database:
        results = record_bounce_reports(database, reports, now=utc_now())
    if as_json:
        write_json({"moved_to_print": sum(r.moved for r in results), "reports": [r.to_json() for r in results]})
        return
    for result in results:
        out.print(f"{result.identifier}: {result.code or '-'}: {result.words}")
    out.print(f"moved to the print batch: {sum(r.moved for r in results)} of {len(results)}")

