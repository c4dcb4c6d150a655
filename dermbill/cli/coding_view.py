"""``dermbill code`` and ``dermbill reference``: render coding results and reference-table loads."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from dermbill.core.coding.result import CodingResult
from dermbill.core.errors import InvalidInput
from dermbill.services.coding import code_lines, code_text


def read_input(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"cannot read '{path}': no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InvalidInput(f"cannot read '{path}': {reason}") from None


def run_code(out: Console, path: str, *, as_json: bool, jsonl: bool) -> None:
    text = read_input(path)
    if jsonl:
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        for result in code_lines(lines):
            sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()
        return
    coded = code_text(text)
    if as_json:
        sys.stdout.write(json.dumps(coded.to_json(), indent=2) + "\n")
        return
    print_result(out, coded)


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
