"""``dermbill import KIND FILE``: a practice's data from a CSV file, checked whole, with a report of every bad row."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dermbill.cli.common import DbOption, actor_name, as_of_day, current_database, err, out
from dermbill.cli.files import write_json
from dermbill.core.csv_import import KINDS
from dermbill.core.errors import InvalidInput

if TYPE_CHECKING:
    from dermbill.services.csv_import import ImportReport


def import_command(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(metavar="KIND", help=f"What the file holds: {', '.join(KINDS)}.")],
    file: Annotated[Path, typer.Argument(help="The CSV file (header line first; docs/import-formats.md).")],
    db: DbOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check the file and report; save nothing.")] = False,
    skip_bad_rows: Annotated[bool, typer.Option(
        "--skip-bad-rows", help="Save the good rows of a file that has bad ones (the bad ones are reported).")] = False,
    practice: Annotated[str | None, typer.Option(
        "--practice", metavar="CODE", help="The practice of every row that names none (no practice column).")] = None,
    organization: Annotated[str | None, typer.Option(
        "--organization", help="The billing company (default: the only one in the database).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> int:
    """Import practices, payers, providers, locations, fee schedules, contracted rates, patients or coverages from
    a CSV file. Nothing is saved from a file with a bad row unless --skip-bad-rows; importing the same file again
    updates, never duplicates. Exit status 0 when the file had no problem, 1 when it had, 2 when it cannot be read."""
    from dermbill.cli.progress import StageProgress
    from dermbill.services.csv_import import decode_csv, import_csv, kind_named, organization_for_import

    kind_named(kind)
    try:
        data = sys.stdin.buffer.read() if str(file) == "-" else file.read_bytes()
    except OSError as unreadable:
        raise InvalidInput(f"cannot read '{file}': {unreadable.strerror or unreadable}") from None
    with current_database(ctx, db) as database:
        organization_id = organization_for_import(database, organization, actor=actor_name(None),
                                                  create=kind.strip().lower() == "practices" and not dry_run)
        with StageProgress(err) as bars:
            report = import_csv(database, kind, decode_csv(data), file_name=file.name, organization_id=organization_id,
                                actor=actor_name(None), as_of=as_of_day(None), practice=practice,
                                dry_run=dry_run, skip_bad_rows=skip_bad_rows,
                                progress=bars.report if err.is_terminal else None)
    if as_json:
        write_json(report.to_json())
    else:
        for line in report_lines(report):
            out.print(line)
    return 1 if report.problems else 0


def report_lines(report: ImportReport) -> list[str]:
    """The report in words: each problem (line, column, what is wrong, what to do), then the counts."""
    lines = [f"{report.file_name}: {report.records} record(s) of {report.kind}"]
    for problem in report.problems:
        lines.append(f"line {problem.line}, {problem.column}: {problem.reason}. To fix: {problem.fix}")
    counts = f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged"
    if report.dry_run:
        lines.append(f"dry run, nothing saved: {counts} if imported"
                     + (f"; {report.bad_rows} bad row(s) would not be" if report.bad_rows else ""))
    elif report.saved:
        lines.append(f"saved: {counts}" + (f"; {report.bad_rows} bad row(s) skipped" if report.bad_rows else ""))
    elif report.problems:
        header = any(p.line == 1 for p in report.problems)
        lines.append("nothing saved: " + ("the columns need fixing first" if header else
                                          f"{report.bad_rows} row(s) have problems; fix them and import the file "
                                          "again, or use --skip-bad-rows to save the good rows"))
    else:
        lines.append("nothing to save: the file has no records")
    return lines
