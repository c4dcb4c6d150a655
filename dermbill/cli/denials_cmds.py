"""``dermbill denials ...``: the denial work queue, corrected claims, appeals, and the payer rules learned."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from dermbill.cli.common import AsOf, By, DbOption, actor_name, as_of_day, current_database, out
from dermbill.cli.files import write_json
from dermbill.core.errors import InvalidInput

denials_app = typer.Typer(help="The denial work queue: causes, next actions, corrected claims, appeals, learning.",
                          no_args_is_help=True)

ACTION_SHORT = {"correct_and_resubmit": "correct, resubmit", "check_eligibility_and_rebill": "eligibility, rebill",
                "get_authorization": "get authorization", "write_off": "write off", "bill_patient": "bill patient"}
ItemArg = Annotated[int, typer.Argument(help="The work item number (from `dermbill denials list`).")]




@denials_app.command("list")
def list_command(
    ctx: typer.Context,
    db: DbOption = None,
    status: Annotated[str, typer.Option(help="open, waiting, snoozed, resolved, or all (comma-separated).")]
    = "open,waiting",
    assigned: Annotated[str | None, typer.Option("--assigned", help="Only items assigned to this person.")] = None,
    category: Annotated[str | None, typer.Option(help="Only this root cause, e.g. coding_bundling.")] = None,
    action: Annotated[str | None, typer.Option(help="Only this next action, e.g. appeal.")] = None,
    payer: Annotated[str | None, typer.Option(help="Only payers whose name contains this.")] = None,
    as_of: AsOf = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print {\"items\": [...]} as JSON.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print the items as CSV (for a spreadsheet).")] = False,
) -> None:
    """The work queue, most urgent first: due within 30 days by deadline, then by money at stake. New denials
    and underpayments are added first, and items whose money came in are resolved."""
    from dermbill.services.denials import list_items, refresh_queue

    statuses = tuple(s.strip() for s in status.split(",") if s.strip())
    unknown = [s for s in statuses if s not in ("open", "waiting", "snoozed", "resolved", "all")]
    if unknown:
        raise InvalidInput(f"--status: '{unknown[0]}' is not a status; use open, waiting, snoozed, resolved or all")
    today = as_of_day(as_of)
    with current_database(ctx, db) as database:
        refresh_queue(database, today=today, actor=actor_name(None))
        items = list_items(database, today=today, statuses=statuses, assigned_to=assigned, category=category,
                           action=action, payer=payer, actor=actor_name(None))
    if as_json:
        write_json({"items": [item.to_json() for item in items]})
        return
    if as_csv:
        _write_csv([item.to_json() for item in items])
        return
    if not items:
        out.print("The work queue is empty: no denied or underpaid line waits for anyone.")
        return
    table = Table(title=f"Denial work queue ({len(items)} items)", title_justify="left", box=box.SIMPLE_HEAD)
    for heading in ("#", "claim", "payer", "reason", "next action", "amount", "due", "status"):
        table.add_column(heading, justify="right" if heading in ("#", "amount") else "left",
                         no_wrap=heading != "payer", overflow="ellipsis", max_width=22 if heading == "payer" else None)
    for item in items:
        reason = f"{item.carc}" + (f"/{'/'.join(item.rarc)}" if item.rarc else "") if item.carc else "underpaid"
        due = ""
        if item.deadline:
            left = (item.deadline - today).days
            due = f"{item.deadline} ({left}d)" if left >= 0 else f"{item.deadline} PASSED"
        table.add_row(str(item.id), item.claim, item.payer.removesuffix(" (DEMO)"), reason,
                      ACTION_SHORT.get(item.action, item.action) + (" *" if item.certain_fix else ""),
                      f"${item.amount}", due, item.status + (f" ({item.assigned_to})" if item.assigned_to else ""))
    out.print(table)
    out.print("* a certain fix: `dermbill denials correct ITEM` makes the corrected claim. "
              "`dermbill denials show ITEM` gives the cause in full.")


@denials_app.command("show")
def show_command(ctx: typer.Context, item: ItemArg, db: DbOption = None,
                 as_json: Annotated[bool, typer.Option("--json", help="Print the item as JSON.")] = False) -> None:
    """One item in full: the cause, the fix, the rules it relies on, and its history."""
    from dermbill.services.denials import show_item

    with current_database(ctx, db) as database:
        detail = show_item(database, item, actor=actor_name(None))
    if as_json:
        write_json(detail.to_json())
        return
    it = detail.item
    out.print(f"Work item {it.id}: {it.kind} on claim {it.claim} ({it.practice}), {it.patient}, {it.payer}",
              markup=False)
    out.print(f"  lines {', '.join(map(str, it.lines))} ({', '.join(it.codes)}); ${it.amount} at stake; "
              f"status {it.status}" + (f", assigned to {it.assigned_to}" if it.assigned_to else "")
              + (f", snoozed until {it.snoozed_until}" if it.snoozed_until and it.status == "snoozed" else ""),
              markup=False)
    out.print(f"  cause: {it.cause}", markup=False)
    out.print(f"  next action: {it.action.replace('_', ' ')}"
              + (f", by {it.deadline}" if it.deadline else " (no payer deadline)"), markup=False)
    for fix in detail.fixes:
        out.print(f"  certain fix: {fix}", markup=False)
    for rule in detail.relies_on:
        out.print(f"  relies on: {rule}", markup=False)
    if it.follow_up_claim:
        out.print(f"  follow-up claim: {it.follow_up_claim}", markup=False)
    for name, status, deadline in detail.appeals:
        out.print(f"  appeal: {name} ({status}" + (f", due {deadline})" if deadline else ")"), markup=False)
    if it.resolution:
        out.print(f"  resolution: {it.resolution}", markup=False)
    for at, who, what, text in detail.history:
        out.print(f"  {at:%Y-%m-%d %H:%M} {who}: {what.removeprefix('denial.')}" + (f" ({text})" if text else ""),
                  markup=False)


@denials_app.command("assign")
def assign_command(ctx: typer.Context, item: ItemArg,
                   person: Annotated[str, typer.Argument(help="Who works the item.")],
                   db: DbOption = None, by: By = None) -> None:
    """Assign an item to a person."""
    from dermbill.services.denials import assign_item

    with current_database(ctx, db) as database:
        assign_item(database, item, person, actor=actor_name(by))
    out.print(f"Work item {item} is assigned to {person}.")


@denials_app.command("note")
def note_command(ctx: typer.Context, item: ItemArg,
                 text: Annotated[str, typer.Argument(help="The note (quote it).")],
                 db: DbOption = None, by: By = None) -> None:
    """Add a note to an item (kept in its history)."""
    from dermbill.services.denials import note_item

    with current_database(ctx, db) as database:
        note_item(database, item, text, actor=actor_name(by))
    out.print(f"Noted on work item {item}.")


@denials_app.command("snooze")
def snooze_command(ctx: typer.Context, item: ItemArg,
                   until: Annotated[str, typer.Option("--until", help="The day it comes back (YYYY-MM-DD).")],
                   db: DbOption = None, by: By = None, as_of: AsOf = None) -> None:
    """Hide an item until a day (waiting on a call back, say); it comes back to the list on that day."""
    from dermbill.core.dates import parse_iso_date
    from dermbill.services.denials import snooze_item

    day = parse_iso_date(until, field="--until")
    with current_database(ctx, db) as database:
        snooze_item(database, item, day, actor=actor_name(by), today=as_of_day(as_of))
    out.print(f"Work item {item} is snoozed until {day}.")


@denials_app.command("resolve")
def resolve_command(
    ctx: typer.Context, item: ItemArg,
    outcome: Annotated[str, typer.Option("--as", help="write_off (to denial write-offs), bill_patient (to the "
                                                      "patient's balance), paid, appeal_won, appeal_lost, "
                                                      "no_action.")],
    note: Annotated[str, typer.Option(help="Why (kept in the history).")] = "",
    db: DbOption = None, by: By = None, as_of: AsOf = None,
) -> None:
    """Close an item; write_off and bill_patient move the denied balance in the ledger."""
    from dermbill.services.denials import resolve_item

    with current_database(ctx, db) as database:
        moved = resolve_item(database, item, outcome, actor=actor_name(by), note=note, today=as_of_day(as_of))
    extra = {"write_off": f": ${moved} written off", "bill_patient": f": ${moved} moved to the patient's balance"}
    out.print(f"Work item {item} is resolved ({outcome})" + extra.get(outcome, "") + ".")


@denials_app.command("correct")
def correct_command(
    ctx: typer.Context, item: ItemArg, db: DbOption = None, by: By = None, as_of: AsOf = None,
    authorization: Annotated[str | None, typer.Option(help="For an authorization denial: the number the payer "
                                                           "gave; the corrected claim carries it.")] = None,
) -> None:
    """Apply the item's certain fix: a corrected claim (frequency 7, with the payer's claim number) or a rebill to
    the payer in force; it is scrubbed, and sent by the next `dermbill claims submit`."""
    from dermbill.services.denials import correct_claim

    with current_database(ctx, db) as database:
        done = correct_claim(database, item, actor=actor_name(by), today=as_of_day(as_of), authorization=authorization)
    out.print(f"Claim {done.corrected} made from {done.original} for work item {item}:")
    for change in done.changes:
        out.print(f"  {change}", markup=False)
    if done.findings:
        out.print(f"  scrubbed: {done.status.replace('_', ' ')}; fix these before it can go:")
        for finding in done.findings:
            out.print(f"    {finding}", markup=False)
    else:
        out.print(f"  scrubbed clean: {done.status}; `dermbill claims submit` sends it.")


@denials_app.command("appeal")
def appeal_command(
    ctx: typer.Context, item: ItemArg, db: DbOption = None, by: By = None, as_of: AsOf = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the letter.")] = Path("var/appeals"),
    signer: Annotated[str | None, typer.Option(help="Who signs (default: the rendering provider).")] = None,
    sent: Annotated[bool, typer.Option("--sent", help="Record that the written appeal was sent to the payer.")]
    = False,
) -> None:
    """Write the appeal letter (PDF) from the claim, the denial, the chart and the policy; track it until the payer
    answers. One file per work item; an existing file is never overwritten (the letter takes the next free name).
    With --sent: record that it went out."""
    from dermbill.services.denials import mark_appeal_sent, write_appeal

    today = as_of_day(as_of)
    with current_database(ctx, db) as database:
        if sent:
            mark_appeal_sent(database, item, actor=actor_name(by), today=today)
            out.print(f"The appeal of work item {item} is recorded as sent on {today}.")
            return
        written = write_appeal(database, item, out_dir, actor=actor_name(by), today=today, signer=signer)
    out.print(f"Wrote {written.path} for claim {written.claim}"
              + (f"; the payer must receive it by {written.deadline}." if written.deadline else "."), markup=False)
    if written.replaced_name_taken:
        out.print(f"  {written.replaced_name_taken} was already there and is kept as it was (not overwritten); "
                  f"this letter is {written.path.name}.", markup=False)


@denials_app.command("stats")
def stats_command(ctx: typer.Context, db: DbOption = None, as_of: AsOf = None,
                  as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False) -> None:
    """Denials by payer, reason, code, provider and root cause, and the denial rate."""
    from dermbill.services.denials import refresh_queue
    from dermbill.services.learned_rules import denial_stats

    with current_database(ctx, db) as database:
        refresh_queue(database, today=as_of_day(as_of), actor=actor_name(None))
        stats = denial_stats(database)
    if as_json:
        write_json(stats.to_json())
        return
    out.print(f"Denial rate: {stats.claims_denied} of {stats.claims_adjudicated} adjudicated claims "
              f"({100 * stats.denial_rate:.1f}%); {stats.underpayments} underpaid lines.")
    for title, counter in (("payer", stats.by_payer), ("reason", stats.by_reason), ("code", stats.by_code),
                           ("provider", stats.by_provider), ("root cause", stats.by_category)):
        table = Table(title=f"Denials by {title}", title_justify="left")
        table.add_column(title)
        table.add_column("denials", justify="right")
        for key, count in counter.most_common(10):
            table.add_row(key.replace("_", " ") if title == "root cause" else key, str(count))
        out.print(table)


@denials_app.command("rules")
def rules_command(
    ctx: typer.Context, db: DbOption = None, by: By = None,
    accept: Annotated[int | None, typer.Option(help="Accept this proposed rule: the scrubber applies it.")] = None,
    reject: Annotated[int | None, typer.Option(help="Reject this proposed rule.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print {\"rules\": [...]} as JSON.")] = False,
) -> None:
    """Payer rules learned from patterns of denials: proposed, accepted (the scrubber applies them) or rejected."""
    from dermbill.services.learned_rules import decide_proposal, propose_payer_rules

    if accept is not None and reject is not None:
        raise InvalidInput("give --accept or --reject, not both")
    with current_database(ctx, db) as database:
        if accept is not None or reject is not None:
            decided = decide_proposal(database, accept if accept is not None else reject or 0,
                                      accept=accept is not None, actor=actor_name(by))
            out.print(f"Rule {decided.id} is {decided.status}: {decided.description}", markup=False)
            return
        proposals = propose_payer_rules(database, actor=actor_name(by))
    if as_json:
        write_json({"rules": [p.to_json() for p in proposals]})
        return
    if not proposals:
        out.print("No pattern yet: a rule is proposed when a payer denies the same pattern on 3 claims.")
    for p in proposals:
        out.print(f"{p.id} [{p.status}] {p.payer}: {p.description} (claims: {', '.join(p.evidence[:5])}"
                  + (" ..." if len(p.evidence) > 5 else "") + ")", markup=False)


CSV_COLUMNS = ("id", "practice", "claim", "patient", "payer", "kind", "lines", "codes", "carc", "rarc", "category",
               "action", "amount", "deadline", "status", "assigned_to", "cause")


def _write_csv(rows: list[dict[str, object]]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([" ".join(map(str, value)) if isinstance(value, list) else ("" if value is None else value)
                         for value in (row[column] for column in CSV_COLUMNS)])
