"""``dermbill reports ...``: A/R aging, the key revenue-cycle figures and denial analytics for scripts (JSON, CSV)
and people (tables), and the monthly practice report (issue 17). The figures' definitions: docs/reports.md."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.table import Table

from dermbill.cli.common import DbOption, as_of_day, current_database, out
from dermbill.cli.files import write_json

if TYPE_CHECKING:
    from dermbill.core.reports.filters import ReportFilter
    from dermbill.core.reports.table import Report, ReportTable
    from dermbill.db.engine import Database

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
AsCsv = Annotated[bool, typer.Option("--csv", help="Print one table as CSV (see --table).")]
TableKey = Annotated[str | None, typer.Option("--table", help="With --csv: the table to print, by its key "
                                                               "(--json lists them).")]


def _period_filter(database: Database, practice: list[str] | None, as_of: str | None, payer: str | None,
                   provider: str | None, start: str | None, end: str | None) -> ReportFilter:
    """The filter of a period report from its options (the period: --from/--to, else 30 days to the as-of day)."""
    from dermbill.services.reports import report_filter

    return report_filter(database, as_of=as_of_day(as_of), practices=practice or (), payer=payer,
                         provider=provider, start=_day(start, "--from"), end=_day(end, "--to"))


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
    as_csv: AsCsv = False,
    table: TableKey = None,
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
    if as_csv:
        _print_csv(report.table(table or f"aging_by_{by}"))
        return
    for key in ("aging_summary", f"aging_by_{by}"):
        _print_table(report.table(key), report.title if key == "aging_summary" else None)


@reports_app.command("kpis")
def kpis_command(
    ctx: typer.Context,
    db: DbOption = None,
    practice: Practices = None,
    as_of: AsOfDay = None,
    start: FromDay = None,
    end: ToDay = None,
    payer: Payer = None,
    provider: Provider = None,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
    table: TableKey = None,
) -> None:
    """The key figures for a period beside the previous period's: days in A/R, clean-claim, first-pass, denial
    and collection rates, lags, recoveries, coding and patient collections."""
    from dermbill.core.reports.figures import show
    from dermbill.services.reports import kpi_report

    with current_database(ctx, db) as database:
        f = _period_filter(database, practice, as_of, payer, provider, start, end)
        report = kpi_report(database, f)
    if as_json:
        write_json(report.to_json())
        return
    if as_csv:
        if table:
            _print_csv(_table(report, table))
        else:
            from dermbill.core.reports.export import figure_rows, to_csv

            sys.stdout.write(to_csv(figure_rows(report.figures)))
        return
    before = f.previous().period
    for _, title, figures in report.groups:
        shown = Table(title=f"{title}, {f.period.label}", title_justify="left", box=box.SIMPLE_HEAD)
        shown.add_column("Figure", overflow="fold")
        shown.add_column("This period", justify="right")
        shown.add_column(f"Previous ({before.start.isoformat()} to {before.end.isoformat()})", justify="right")
        shown.add_column("Change", justify="right")
        for figure in figures:
            change = figure.change
            change_text = "-" if change is None else (f"{change:+.1f} pts" if figure.unit == "percent"
                                                      else f"{'+' if change >= 0 else '-'}"
                                                           f"{show(abs(change), figure.unit)}")
            shown.add_row(figure.label, figure.shown(), show(figure.previous, figure.unit), change_text)
        out.print(shown)
    for item in report.tables:
        _print_table(item)
    out.print("How each figure is computed: docs/reports.md, or --json (each figure's formula and inputs).")


@reports_app.command("denials")
def denials_command(
    ctx: typer.Context,
    db: DbOption = None,
    practice: Practices = None,
    as_of: AsOfDay = None,
    start: FromDay = None,
    end: ToDay = None,
    payer: Payer = None,
    provider: Provider = None,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
    table: TableKey = None,
) -> None:
    """Denials in dollars by root cause, reason code (CARC), payer, procedure code and provider, and what was
    recovered by corrected claims and appeals."""
    from dermbill.services.reports import denial_report

    with current_database(ctx, db) as database:
        f = _period_filter(database, practice, as_of, payer, provider, start, end)
        report = denial_report(database, f)
    if as_json:
        write_json({"as_of": f.as_of.isoformat(), "period": f.period.to_json(),
                    "tables": {t.key: t.to_json() for t in report.tables}})
        return
    if as_csv:
        _print_csv(_table(report, table or report.tables[0].key))
        return
    out.print(report.title, markup=False)
    for item in report.tables:
        _print_table(item)


@reports_app.command("monthly")
def monthly_command(
    ctx: typer.Context,
    practice: Annotated[str, typer.Option("--practice", help="The practice (its code).")],
    month: Annotated[str, typer.Option("--month", help="The month, YYYY-MM (example: 2026-11).")],
    out_file: Annotated[Path, typer.Option("--out", help="The PDF file to write (replaced if it exists; readable "
                                                         "by you only).")],
    db: DbOption = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Balances as of this day (YYYY-MM-DD); default the "
                                                              "month's last day, or today in the current month.")
                     ] = None,
) -> None:
    """The monthly practice report for the practice's owner, as a PDF: the month's figures beside the previous
    month's, what they mean in a few sentences, charts of A/R by age, denials by cause and a six-month trend, and
    the tables behind them."""
    from dermbill import clock
    from dermbill.cli.files import write_private_file
    from dermbill.core.reports.periods import parse_month
    from dermbill.pdf.monthly_report import monthly_report_pdf
    from dermbill.services.monthly_report import monthly_report

    period = parse_month(month)
    day = _day(as_of, "--as-of")
    if day is None and period.start <= clock.today() < period.end:
        day = clock.today()  # the month so far: no balance is "as of" a day still to come
    with current_database(ctx, db) as database:
        report = monthly_report(database, practice.strip(), period, day)
    content = monthly_report_pdf(report)
    write_private_file(out_file, content)
    out.print(f"Wrote {out_file}: the monthly report of {report.practice_code} for {period.label}, as of "
              f"{report.as_of.isoformat()}.", markup=False, highlight=False)
    for sentence in report.narrative:
        out.print(f"  {sentence}", markup=False, highlight=False)


def _table(report: Report, key: str) -> ReportTable:
    from dermbill.core.errors import InvalidInput

    found = next((t for t in report.tables if t.key == key), None)
    if found is None:
        raise InvalidInput(f"--table {key!r}: this report's tables are {', '.join(t.key for t in report.tables)}")
    return found


def _print_csv(table: ReportTable) -> None:
    from dermbill.core.reports.export import table_rows, to_csv

    sys.stdout.write(to_csv(table_rows(table, header="key")))


def _print_table(table: ReportTable, title: str | None = None) -> None:
    from dermbill.core.reports.table import text_cell

    shown = Table(title=title or table.title, title_justify="left", box=box.SIMPLE_HEAD)
    for column in table.columns:
        shown.add_column(column.label, justify="left" if column.kind == "text" else "right", overflow="fold")
    for row in (*table.rows, *((table.total,) if table.total else ())):
        shown.add_row(*(text_cell(v, c.kind) for c, v in zip(table.columns, row.cells, strict=True)))
    if not table.rows:
        shown.add_row(*(["(none in this period)"] + [""] * (len(table.columns) - 1)))
    out.print(shown)
    if table.note:
        out.print(table.note, markup=False)
