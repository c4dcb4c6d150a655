"""``dermbill code`` and ``dermbill reference``: render coding results and reference-table loads."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from dermbill.cli.files import jsonl_lines, read_input, write_json, write_jsonl
from dermbill.core.coding.result import CodingResult
from dermbill.services.coding import code_lines, code_text, code_text_json


def run_code(out: Console, path: str, *, as_json: bool, jsonl: bool) -> None:
    text = read_input(path)
    if jsonl:
        write_jsonl(code_lines(jsonl_lines(text)))
        return
    if as_json:
        write_json(code_text_json(text))
        return
    print_result(out, code_text(text))


def print_result(out: Console, result: CodingResult) -> None:
    table = Table(title="Coded lines", title_justify="left", show_lines=True)
    for heading in ("#", "code", "units", "modifiers", "ICD-10-CM", "why"):
        table.add_column(heading, overflow="fold")
    for number, line in enumerate(result.lines, start=1):
        table.add_row(str(number), line.code, str(line.units), " ".join(line.modifiers), " ".join(line.diagnoses),
                      line.explanation)
    if result.lines:
        out.print(table)
    else:
        out.print("No billable lines.")
    out.print(f"Diagnoses (claim order): {', '.join(result.diagnoses) or 'none'}")
    for hold in result.holds:
        out.print(f"HOLD {hold.code}: {hold.message}", markup=False)
    for warning in result.warnings:
        out.print(f"WARNING {warning.code}: {warning.message}", markup=False)
