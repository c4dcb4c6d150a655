"""``dermbill audit verify``: prove the audit trail was not changed, deleted from or added to behind dermbill;
``dermbill audit list``: export it for an auditor."""

from __future__ import annotations

import csv
import json
import sys
from typing import Annotated

import typer

from dermbill.cli.common import DbOption, current_database, out, say_error
from dermbill.cli.files import write_json

audit_app = typer.Typer(help="The audit trail: who read or changed what, hash-chained.", no_args_is_help=True)


@audit_app.command("verify")
def verify_command(
    ctx: typer.Context,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Walk the audit trail's hash chain; exit 0 when clean, 1 naming the first event changed, deleted or
    inserted."""
    from dermbill.services.audit import verify_audit_trail

    with current_database(ctx, db) as database:
        result = verify_audit_trail(database)
    broken = result.broken
    if as_json:
        write_json({"clean": broken is None, "events": result.events, "head": result.head,
                    "broken": None if broken is None else {"sequence": broken.sequence, "event_id": broken.event_id,
                                                           "message": broken.message}})
    elif broken is None:
        out.print(f"clean: {result.events} events, chain head {result.head}")
    else:
        say_error(f"the audit trail is broken: {broken.message}")
    if broken is not None:
        raise typer.Exit(1)


CSV_COLUMNS = ("sequence", "id", "occurred_at", "actor", "source", "address", "action", "entity_type", "entity_id",
               "organization_id", "practice_id", "detail")


@audit_app.command("list")
def list_command(
    ctx: typer.Context,
    db: DbOption = None,
    since: Annotated[str | None, typer.Option("--since", help="Only events from this day on (YYYY-MM-DD, UTC).")]
    = None,
    actor: Annotated[str | None, typer.Option("--actor", help="Only events of this actor.")] = None,
    entity: Annotated[str | None, typer.Option("--entity", help="Only events on records of this type, e.g. claim.")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print {\"events\": [...]} as JSON.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print the events as CSV (an auditor's export).")] = False,
) -> None:
    """The audit trail in chain order: who did what to which record, when, from where. Streams: an export of
    millions of events keeps memory flat."""
    from dermbill.core.dates import parse_iso_date
    from dermbill.services.audit import audit_entries

    day = parse_iso_date(since, field="--since") if since else None
    with current_database(ctx, db) as database:
        entries = audit_entries(database, since=day, actor=actor, entity_type=entity)
        if as_json:
            sys.stdout.write('{"events": [')
            for n, entry in enumerate(entries):
                sys.stdout.write(("," if n else "") + "\n  " + json.dumps(entry.to_json()))
            sys.stdout.write("\n]}\n")
        elif as_csv:
            writer = csv.writer(sys.stdout, lineterminator="\n")
            writer.writerow(CSV_COLUMNS)
            for entry in entries:
                row = entry.to_json()
                row["detail"] = json.dumps(row["detail"], sort_keys=True)
                writer.writerow(["" if row[column] is None else row[column] for column in CSV_COLUMNS])
        else:
            shown = 0
            for entry in entries:
                shown += 1
                record = f"{entry.entity_type} {entry.entity_id}" if entry.entity_id is not None else entry.entity_type
                origin = entry.source + (f" from {entry.address}" if entry.address else "")
                out.print(f"{entry.sequence:>8}  {entry.occurred_at.isoformat(timespec='seconds')}  {entry.actor}  "
                          f"{entry.action}  {record}  ({origin})")
            if not shown:
                out.print("No audit events match.")
    sys.stdout.flush()
