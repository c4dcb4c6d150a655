"""``dermbill reports ...``: A/R aging, the key revenue-cycle figures and denial analytics for scripts (JSON, CSV)
and people (tables), and the monthly practice report (issue 17). The figures' definitions: docs/reports.md."""

from __future__ import annotations

import datetime
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from dermbill.cli.common import DbOption, as_of_day, current_database, out
from dermbill.cli.files import write_json

reports_app = typer.Typer(help="Reports: A/R aging, key figures, denials, the monthly practice report.",
                          no_args_is_help=True)

Practices = Annotated[list[str] | None, typer.Option("--practice", help="Only this practice (its code; repeatable). "
                                                                         "Default: every practice.")]
AsOfDay = Annotated[str | None, typer.Option("--as-of", help="Balances as of this day (YYYY-MM-DD); default today.")]
FromDay = Annotated[str | None, typer.Option("--from", help="The period's first day (YYYY-MM-DD); default the 30 "
                                                            "days ending on the as-of day.")]
ToDay = Annotated[str | None, typer.Option("--to", help="The period's last day (YYYY-MM-DD).")]
Payer = Annotated[str | None, typer.Option("--payer", help="Only this payer (its payer ID).")]
Provider = Annotated[str | None, typer.Option("--provider", help="Only this rendering provider (NPI).")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def _day(text: str | None, option: str) -> datetime.date | None:
    from dermbill.core.dates import parse_iso_date

    return parse_iso_date(text, field=option) if text else None


@reports_app.command("aging")
def aging_command(
    ctx: typer.Context,
    db: DbOption = None,
    practice: Practices = None,
    as_of: AsOfDay = None,
    basis: Annotated[str, typer.Option("--basis", help="Age from the date of service ('service') or from the day "
                                                       "first billed ('submission').")] = "service",
    payer: Payer = None,
    provider: Provider = None,
    by: Annotated[str, typer.Option("--by", help="The table to show: practice, payer, provider or code.")] = "payer",
    as_json: AsJson = False,
) -> None:
    """A/R aging (0-30, 31-60, 61-90, 91-120, 120+ days): insurance and patient balances apart, credits apart."""
    from dermbill.core.errors import InvalidInput
    from dermbill.core.reports.aging import parse_basis
    from dermbill.services.reports import DIMENSIONS, aging_report, report_filter

    if by not in DIMENSIONS:
        raise InvalidInput(f"--by {by!r}: use one of {', '.join(DIMENSIONS)}")
    with current_database(ctx, db) as database:
        f = report_filter(database, as_of=as_of_day(as_of), practices=practice or (), payer=payer, provider=provider)
        report = aging_report(database, f, basis=parse_basis(basis))
    if as_json:
        write_json(report.to_json())
        return
    from dermbill.core.reports.table import text_cell

    for key in ("aging_summary", f"aging_by_{by}"):
        table = report.table(key)
        shown = Table(title=table.title if key != "aging_summary" else report.title, title_justify="left",
                      box=box.SIMPLE_HEAD)
        for column in table.columns:
            shown.add_column(column.label, justify="left" if column.kind == "text" else "right", overflow="fold")
        for row in (*table.rows, *((table.total,) if table.total else ())):
            shown.add_row(*(text_cell(v, c.kind) for c, v in zip(table.columns, row.cells, strict=True)))
        out.print(shown)
        if table.note:
            out.print(table.note, markup=False)
