"""``dermbill audit verify``: prove the audit trail was not changed, deleted from or added to behind dermbill."""

from __future__ import annotations

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
