"""``dermbill collections ...``: soft collections (issue 16): today's call list, the contact log, holds on the
dunning cadence, and the hand-off to a collection agency (proposed, approved by a manager, exported with its
bad-debt write-off, and the agency's recoveries posted)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from dermbill.cli.common import AsOf, By, DbOption, actor_name, as_of_day, current_database, human_actor, out
from dermbill.cli.files import write_json
from dermbill.core.dates import parse_iso_date
from dermbill.core.money import Money

collections_app = typer.Typer(help="Soft collections: who to call today, contacts, holds, agency hand-offs.",
                              no_args_is_help=True)
agency_app = typer.Typer(help="Hand-off to a collection agency: propose, approve or reject (a manager), export the "
                              "file (writes the balance off to bad debt), record recoveries.", no_args_is_help=True)
collections_app.add_typer(agency_app, name="agency")

Practice = Annotated[str, typer.Option("--practice", help="The practice (its code).")]
AccountArg = Annotated[str, typer.Argument(help="The guarantor's account number.")]
PlacementArg = Annotated[int, typer.Argument(help="The hand-off's number (from `collections agency propose`).")]
Reason = Annotated[str, typer.Option("--reason", help="Why (kept with the record).")]


@collections_app.command("calls")
def calls_command(
    ctx: typer.Context,
    db: DbOption = None,
    practice: Annotated[list[str] | None, typer.Option("--practice", help="Only this practice (its code; "
                                                                          "repeatable). Default: every practice.")]
    = None,
    recontact_days: Annotated[int, typer.Option("--recontact-days", help="Do not call a guarantor contacted within "
                                                                         "this many days.")] = 7,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    as_of: AsOf = None,
) -> None:
    """Who to call today, most urgent first: accounts at the reminder, past-due or final-notice step, and broken
    promises to pay; with the balance, its age, the last contact and a short script."""
    from dermbill.services.collections import call_list

    day = as_of_day(as_of)
    with current_database(ctx, db) as database:
        calls = call_list(database, practice, day, actor=actor_name(None, fallback="collections"),
                          recontact_days=recontact_days)
    if as_json:
        write_json({"day": day.isoformat(), "calls": [c.to_json() for c in calls]})
        return
    table = Table(title=f"Calls for {day.isoformat()}: {len(calls)}", title_justify="left", box=box.SIMPLE_HEAD)
    for heading in ("practice", "account", "patient", "phone", "balance", "age", "step", "last contact", "why"):
        table.add_column(heading, overflow="fold", justify="right" if heading in ("balance", "age") else "left")
    for c in calls:
        last = f"{c.last_contact.on.isoformat()} {c.last_contact.outcome.value}" if c.last_contact else ""
        table.add_row(c.practice, c.account_number, c.patient, c.phone, c.balance.plain(), str(c.age_days),
                      c.step.label if c.step else "", last, c.reason)
    out.print(table)


@collections_app.command("contact")
def contact_command(
    ctx: typer.Context,
    account: AccountArg,
    practice: Practice,
    outcome: Annotated[str, typer.Option("--outcome", help="reached, left_message, no_answer, wrong_number, "
                                                           "promise_to_pay, dispute or paid.")],
    channel: Annotated[str, typer.Option("--channel", help="phone, email, letter or in_person.")] = "phone",
    promise_date: Annotated[str | None, typer.Option("--promise-date", help="A promise to pay: by when "
                                                                            "(YYYY-MM-DD).")] = None,
    promise_amount: Annotated[str | None, typer.Option("--promise-amount", help="A promise to pay: how much "
                                                                                "(e.g. 50.00).")] = None,
    note: Annotated[str | None, typer.Option("--note", help="What was said.")] = None,
    db: DbOption = None,
    by: By = None,
) -> None:
    """Log a contact with a guarantor; a dispute also holds the cadence until it is reviewed."""
    from dermbill.services.collections import log_contact

    with current_database(ctx, db) as database:
        logged = log_contact(database, practice, account, outcome, actor=actor_name(by), channel=channel,
                             promise_date=parse_iso_date(promise_date, field="--promise-date") if promise_date
                             else None,
                             promise_amount=Money.parse(promise_amount) if promise_amount else None, note=note)
    out.print(f"contact {logged.contact_id} logged for {account}"
              + (f"; the cadence is held for the dispute (hold {logged.hold_id})" if logged.hold_id else ""))


@collections_app.command("hold")
def hold_command(
    ctx: typer.Context,
    account: AccountArg,
    practice: Practice,
    kind: Annotated[str, typer.Option("--kind", help="dispute, insurance_rebill or hardship_review.")],
    reason: Reason,
    db: DbOption = None,
    by: By = None,
) -> None:
    """Hold the guarantor's dunning cadence (no step advances, no calls) until released."""
    from dermbill.services.collections import place_hold

    with current_database(ctx, db) as database:
        hold_id = place_hold(database, practice, account, kind, reason, actor=actor_name(by))
    out.print(f"hold {hold_id} placed on {account}")


@collections_app.command("release")
def release_command(
    ctx: typer.Context,
    account: AccountArg,
    practice: Practice,
    kind: Annotated[str, typer.Option("--kind", help="dispute, insurance_rebill or hardship_review.")],
    db: DbOption = None,
    by: By = None,
) -> None:
    """Release the guarantor's open hold of this kind."""
    from dermbill.services.collections import release_hold

    with current_database(ctx, db) as database:
        release_hold(database, practice, account, kind, actor=actor_name(by))
    out.print(f"the {kind} hold on {account} is released")


@agency_app.command("propose")
def propose_command(
    ctx: typer.Context,
    account: AccountArg,
    practice: Practice,
    reason: Annotated[str, typer.Option("--reason", help="Why (kept with the record).")] = "",
    db: DbOption = None,
    by: By = None,
) -> None:
    """Propose handing the account to the agency (only once the cadence reached the hand-off step); a manager who
    did not propose it approves or rejects it."""
    from dermbill.services.collections import propose_agency

    with current_database(ctx, db) as database:
        placement = propose_agency(database, practice, account, actor=actor_name(by), reason=reason)
    out.print(f"hand-off {placement} proposed for {account}: waiting for a manager's approval")


def _decide(ctx: typer.Context, db: str | None, practice: str, placement: int, approve: bool, reason: str) -> None:
    from dermbill.services.collections import decide_agency

    with current_database(ctx, db) as database:
        decision = decide_agency(database, practice, placement, approve=approve, decider=human_actor() or "",
                                 reason=reason)
    out.print(f"hand-off {placement} {decision.value}")


@agency_app.command("approve")
def approve_command(ctx: typer.Context, placement: PlacementArg, practice: Practice, reason: Reason = "",
                    db: DbOption = None) -> None:
    """Approve a proposed hand-off (a manager, acting with dermbill --as EMAIL; not the proposer)."""
    _decide(ctx, db, practice, placement, True, reason)


@agency_app.command("reject")
def reject_command(ctx: typer.Context, placement: PlacementArg, practice: Practice, reason: Reason,
                   db: DbOption = None) -> None:
    """Reject a proposed hand-off, saying why (a manager, acting with dermbill --as EMAIL; not the proposer)."""
    _decide(ctx, db, practice, placement, False, reason)


@agency_app.command("export")
def export_command(
    ctx: typer.Context,
    practice: Practice,
    out_dir: Annotated[Path, typer.Option("--out", help="The directory the agency file is written to.")],
    db: DbOption = None,
    by: By = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Place every approved account with the agency: one CSV file, the accounts marked placed, and each balance
    written off to bad debt."""
    from dermbill.services.collections import export_agency_file

    with current_database(ctx, db) as database:
        export = export_agency_file(database, practice, out_dir, actor=actor_name(by))
    if as_json:
        write_json({"file": str(export.path) if export.path else None, "placed": list(export.placed),
                    "written_off": export.written_off.plain(), "recalled": list(export.skipped),
                    "held": list(export.held)})
        return
    if export.path is None:
        notes = ([f"{', '.join(export.skipped)} paid off and recalled"] if export.skipped else []) + \
            ([f"{', '.join(export.held)} held since approval"] if export.held else [])
        out.print("nothing placed" + (f": {'; '.join(notes)}" if notes else ": no approved hand-off"))
        return
    out.print(f"{len(export.placed)} account(s) placed in {export.path}; {export.written_off.plain()} written off "
              "to bad debt")
    if export.held:
        out.print(f"held since approval, not placed: {', '.join(export.held)}")


@agency_app.command("recover")
def recover_command(
    ctx: typer.Context,
    account: AccountArg,
    practice: Practice,
    amount: Annotated[str, typer.Option("--amount", help="What the agency collected (gross), e.g. 25.00.")],
    reference: Annotated[str, typer.Option("--reference", help="The agency's remittance or check number.")],
    db: DbOption = None,
    by: By = None,
) -> None:
    """Post money the agency recovered on a placed account (once per reference)."""
    from dermbill.services.collections import record_recovery

    with current_database(ctx, db) as database:
        recovery = record_recovery(database, practice, account, Money.parse(amount), reference, actor=actor_name(by))
    out.print(f"recovery {reference} of {recovery.amount.plain()} posted (entry {recovery.entry_id})" if recovery.posted
              else f"recovery {reference} was posted before (entry {recovery.entry_id})")
