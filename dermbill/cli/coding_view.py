"""``dermbill code`` and ``dermbill reference``: render coding results and reference-table loads."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from dermbill.cli.files import jsonl_lines, read_input, write_json, write_jsonl
from dermbill.core.coding.result import CodingResult
from dermbill.services.coding import code_lines, code_text, code_text_json

if TYPE_CHECKING:
    from dermbill.notes import NoteResult


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


def run_code_note(out: Console, path: str, *, as_json: bool, jsonl: bool, dos: str | None, payer: str | None,
                  age: int | None, sex: str | None) -> None:
    from dermbill.services.note_reading import code_note_lines, code_note_text, note_overrides

    overrides = note_overrides(dos=dos, payer=payer, age=age, sex=sex)
    text = read_input(path)
    if jsonl:
        write_jsonl(code_note_lines(jsonl_lines(text), **overrides))
        return
    result = code_note_text(text, **overrides)
    if as_json:
        write_json(result.to_json())
        return
    print_note_result(out, result)


def print_note_result(out: Console, result: NoteResult) -> None:
    """Codes with their explanations, then the gaps as provider queries, then what was not coded and why."""
    if result.coding is not None:
        print_result(out, result.coding)
    else:
        out.print(f"Not coded: {result.error}", markup=False)
    gaps = result.reading.gaps
    out.print(f"Documentation gaps ({len(gaps)}):" if gaps else "Documentation gaps: none")
    for gap in gaps:
        default = f" [assumed: {gap.default_used}]" if gap.default_used else ""
        out.print(f"  - {gap.message} Why: {gap.why}.{default}", markup=False)
    ignored = result.reading.ignored
    out.print(f"Not coded from the note ({len(ignored)}):" if ignored else "Not coded from the note: nothing")
    for item in ignored:
        out.print(f"  - {item.reason}: \"{item.quote}\" (characters {item.start}-{item.end})", markup=False)
