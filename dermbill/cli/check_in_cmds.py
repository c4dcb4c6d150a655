"""``dermbill check-in settings``: a practice's check-in settings (how old an eligibility answer may be)."""

from __future__ import annotations

from typing import Annotated

import typer

from dermbill.cli.common import DbOption, actor_name, current_database, out

check_in_app = typer.Typer(help="Check-in at the front desk: the practice's settings.", no_args_is_help=True)


@check_in_app.command("settings")
def settings_command(
    ctx: typer.Context,
    practice: Annotated[str, typer.Option("--practice", help="The practice (its code).")],
    stale_days: Annotated[int | None, typer.Option(
        "--stale-days", help="Flag coverage as not verified when the latest eligibility answer (271) is older than "
                             "this many days on the day of the visit (1 to 365; default 30).")] = None,
    db: DbOption = None,
    by: Annotated[str | None, typer.Option("--by", help="Who makes the change (the audit trail).")] = None,
) -> None:
    """Show a practice's check-in settings, or change them."""
    from dermbill.services.check_in import check_in_settings

    with current_database(ctx, db) as database:
        code, days = check_in_settings(database, practice, stale_days, actor=actor_name(by))
    out.print(f"{code}: an eligibility answer proves coverage at check-in for {days} days")
