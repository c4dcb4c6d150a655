"""The note reader measured on the development notes (issue 18): how often it codes a note exactly right.

For each note of ``tests/notes/dev_notes.jsonl`` it runs ``dermbill.notes.code_note`` with the note's date of
service, payer, age and sex, and compares the result with the answer coded by hand:

- codes exactly right: every line, its units and its modifiers (order-insensitive; 59 and XS count as the same,
  51 is never expected), the claim's holds and warnings aside;
- ICD-10-CM exactly right: the claim's diagnosis codes as a set;
- forbidden codes: a note whose result bills a code of its ``must_not_code`` (a procedure that was only planned,
  negated, historical or hypothetical). The goal is none;
- gaps found on fact removal: each ``removable_facts`` entry deleted from the note in turn; the reading must name
  a Gap whose field is the expected one, and no line may be a higher code of the same family or more units than
  the full note earns (the reader must ask, not code around the missing fact);
- notes per second on one core (the whole set, read and coded, repeated for at least a second) and the start-up
  time of a fresh interpreter that imports ``dermbill.notes`` and reads one note.

``python -m benchmarks --only notes`` prints the table; ``evaluate()`` gives the figures to a test. Without the
``dermbill.notes`` package (it is built on another branch) it says so and exits with status 0.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEV_NOTES = ROOT / "tests" / "notes" / "dev_notes.jsonl"
EQUIVALENT_MODIFIERS = {"XS": "59"}
NEVER_EXPECTED_MODIFIERS = {"51"}

Line = tuple[str, int, tuple[str, ...]]
Coded = tuple[dict[str, Any] | None, list[dict[str, Any]], str | None]


def load_notes(path: Path = DEV_NOTES) -> list[dict[str, Any]]:
    """The development notes, one dict per line of the JSON Lines file."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def canonical_lines(lines: list[dict[str, Any]]) -> list[Line]:
    """Lines as sorted (code, units, modifiers) triples, with 59/XS made one and 51 left out."""
    out = []
    for line in lines:
        modifiers = tuple(sorted(EQUIVALENT_MODIFIERS.get(m, m) for m in line.get("modifiers", [])
                                 if m not in NEVER_EXPECTED_MODIFIERS))
        out.append((str(line["code"]), int(line.get("units", 1)), modifiers))
    return sorted(out)


@dataclass(slots=True)
class Miss:
    """A note the reader did not code exactly right, with what it billed that it should not, and the reverse."""

    note_id: str
    missing_lines: list[Line]
    extra_lines: list[Line]
    missing_icd10: list[str]
    extra_icd10: list[str]
    forbidden: list[str]
    error: str | None = None

    def describe(self) -> str:
        parts = []
        if self.error:
            parts.append(f"error: {self.error}")
        if self.missing_lines:
            parts.append("missing " + ", ".join(_show(line) for line in self.missing_lines))
        if self.extra_lines:
            parts.append("extra " + ", ".join(_show(line) for line in self.extra_lines))
        if self.missing_icd10:
            parts.append("ICD missing " + " ".join(self.missing_icd10))
        if self.extra_icd10:
            parts.append("ICD extra " + " ".join(self.extra_icd10))
        if self.forbidden:
            parts.append("FORBIDDEN " + " ".join(self.forbidden))
        return "; ".join(parts)


@dataclass(slots=True)
class GapCheck:
    """One fact removed from one note: whether the reader named the gap and kept from a higher code."""

    note_id: str
    fact: str
    gap_field: str
    gap_named: bool
    higher: list[str]

    @property
    def passed(self) -> bool:
        return self.gap_named and not self.higher


@dataclass(slots=True)
class NotesEvaluation:
    notes: int = 0
    codes_right: int = 0
    icd10_right: int = 0
    with_forbidden: int = 0
    misses: list[Miss] = field(default_factory=list)
    gap_checks: list[GapCheck] = field(default_factory=list)
    seconds: float = 0.0
    notes_timed: int = 0

    @property
    def codes_right_pct(self) -> float:
        return 100.0 * self.codes_right / self.notes if self.notes else 0.0

    @property
    def icd10_right_pct(self) -> float:
        return 100.0 * self.icd10_right / self.notes if self.notes else 0.0

    @property
    def gaps_found_pct(self) -> float:
        passed = sum(1 for check in self.gap_checks if check.passed)
        return 100.0 * passed / len(self.gap_checks) if self.gap_checks else 0.0

    @property
    def notes_per_second(self) -> float:
        return self.notes_timed / self.seconds if self.seconds else 0.0


def reader_available() -> bool:
    try:
        import dermbill.notes  # noqa: F401
    except ImportError:
        return False
    return True


def _code(note: dict[str, Any], text: str | None = None) -> Coded:
    """(the codes as ``dermbill code --json`` gives them or None, the gaps, an error) for one note."""
    from dermbill.notes import code_note

    try:
        result = code_note(note["note"] if text is None else text,
                           date_of_service=datetime.date.fromisoformat(note["dos"]), payer=note["payer"],
                           age=note["age"], sex=note["sex"]).to_json()
    except Exception as exc:  # a reader that fails on one note is a miss to list, not the end of the run
        return None, [], f"{type(exc).__name__}: {exc}"
    return result.get("codes"), result.get("gaps", []), result.get("error")


def _show(line: Line) -> str:
    code, units, modifiers = line
    return code + (f" x{units}" if units != 1 else "") + "".join(f"-{m}" for m in modifiers)


def _diff(want: list[Line], got: list[Line]) -> tuple[list[Line], list[Line]]:
    missing, extra = list(want), []
    for line in got:
        if line in missing:
            missing.remove(line)
        else:
            extra.append(line)
    return missing, extra


def higher_codes(expected: list[Line], got: list[Line]) -> list[str]:
    """Codes of ``got`` above what the full note earns: a code of the same family (its first four characters)
    numbered above every expected one of that family, or an expected code with more units."""
    found = []
    expected_units: dict[str, int] = {}
    for code, units, _ in expected:
        expected_units[code] = expected_units.get(code, 0) + units
    got_units: dict[str, int] = {}
    for code, units, _ in got:
        got_units[code] = got_units.get(code, 0) + units
    for code, units in got_units.items():
        if code in expected_units:
            if units > expected_units[code]:
                found.append(f"{code} x{units} (expected x{expected_units[code]})")
            continue
        family = [other for other in expected_units if other[:4] == code[:4]]
        if family and all(code > other for other in family):
            found.append(f"{code} (expected {'/'.join(sorted(family))})")
    return found


def _gap_named(gaps: list[dict[str, Any]], gap_field: str) -> bool:
    return any(str(gap.get("field", "")) == gap_field or str(gap.get("field", "")).endswith("." + gap_field)
               for gap in gaps)


def evaluate(path: Path = DEV_NOTES, *, min_seconds: float = 1.0) -> NotesEvaluation:
    """Every figure but the start-up time, on the notes of ``path``."""
    notes = load_notes(path)
    evaluation = NotesEvaluation(notes=len(notes))
    for note in notes:
        codes, _, error = _code(note)
        want = canonical_lines(note["expected"]["lines"])
        got = canonical_lines(codes["lines"]) if codes else []
        icd_got = set(codes["diagnoses"]) if codes else set()
        icd_want = set(note["expected"]["icd10"])
        # must_not_code may name CPT codes and ICD-10-CM codes (a rule-out or family-history diagnosis)
        forbidden = sorted(({code for code, _, _ in got} | icd_got) & set(note.get("must_not_code", [])))
        evaluation.codes_right += want == got
        evaluation.icd10_right += icd_want == icd_got
        evaluation.with_forbidden += bool(forbidden)
        if want != got or icd_want != icd_got or forbidden:
            missing, extra = _diff(want, got)
            evaluation.misses.append(Miss(note["id"], missing, extra, sorted(icd_want - icd_got),
                                          sorted(icd_got - icd_want), forbidden, error))
        for fact in note.get("removable_facts", []):
            text = note["note"].replace(fact["remove"], "", 1)
            reduced, gaps, _ = _code(note, text)
            reduced_lines = canonical_lines(reduced["lines"]) if reduced else []
            evaluation.gap_checks.append(GapCheck(note["id"], fact["fact"], fact["gap_field"],
                                                  _gap_named(gaps, fact["gap_field"]),
                                                  higher_codes(want, reduced_lines)))
    start = time.perf_counter()
    timed = 0
    while True:
        for note in notes:
            _code(note)
        timed += len(notes)
        if time.perf_counter() - start >= min_seconds or not notes:
            break
    evaluation.seconds = time.perf_counter() - start
    evaluation.notes_timed = timed
    return evaluation


STARTUP_CODE = """
import datetime, sys
from dermbill.notes import code_note
code_note(sys.argv[1], date_of_service=datetime.date(2026, 4, 22), payer="medicare", age=62, sex="M")
"""


def startup_seconds(runs: int = 3) -> float:
    """The fastest of ``runs`` fresh interpreters that import ``dermbill.notes`` and read and code one note."""
    import dermbill

    note = load_notes()[0]["note"]
    # the same dermbill as this process imported (a worktree on PYTHONPATH, or the installed one)
    env = {**os.environ, "PYTHONPATH": str(Path(dermbill.__file__).resolve().parents[1])}
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", STARTUP_CODE, note], check=True, capture_output=True, env=env,
                       cwd=Path(dermbill.__file__).resolve().parents[1])
        best = min(best, time.perf_counter() - start)
    return best


def report(console: Any = None) -> NotesEvaluation | None:
    """Print the figures and the misses; None (after saying so) when the note reader is not installed."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console(width=None if sys.stdout.isatty() else 120)
    if not reader_available():
        console.print("notes: dermbill.notes is not installed here (the note reader is built on another branch); "
                      "nothing measured")
        return None
    evaluation = evaluate()
    startup = startup_seconds()
    table = Table(title=f"note reader on {evaluation.notes} development notes ({DEV_NOTES.relative_to(ROOT)})",
                  title_justify="left")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("goal", justify="right")
    table.add_row("codes exactly right (lines, units, modifiers)",
                  f"{evaluation.codes_right_pct:.1f}% ({evaluation.codes_right}/{evaluation.notes})", ">= 90%")
    table.add_row("ICD-10-CM exactly right",
                  f"{evaluation.icd10_right_pct:.1f}% ({evaluation.icd10_right}/{evaluation.notes})", "")
    table.add_row("notes with a forbidden code (planned/negated/historical)", str(evaluation.with_forbidden), "0")
    passed = sum(1 for check in evaluation.gap_checks if check.passed)
    table.add_row("gaps found on fact removal",
                  f"{evaluation.gaps_found_pct:.1f}% ({passed}/{len(evaluation.gap_checks)})", "100%")
    table.add_row("notes/s on one core", f"{evaluation.notes_per_second:,.0f}", ">= 200")
    table.add_row("start-up: import dermbill.notes + one note (s)", f"{startup:.2f}", "")
    console.print(table)
    if evaluation.misses:
        misses = Table(title="misses", title_justify="left")
        misses.add_column("note")
        misses.add_column("difference (expected vs read)")
        for miss in evaluation.misses:
            misses.add_row(miss.note_id, miss.describe())
        console.print(misses)
    failed = [check for check in evaluation.gap_checks if not check.passed]
    if failed:
        gaps = Table(title="fact removals the reader did not flag", title_justify="left")
        gaps.add_column("note")
        gaps.add_column("fact removed")
        gaps.add_column("expected gap")
        gaps.add_column("what went wrong")
        for check in failed:
            wrong = [] if check.gap_named else ["no gap named"]
            wrong += [f"higher code {h}" for h in check.higher]
            gaps.add_row(check.note_id, check.fact, check.gap_field, "; ".join(wrong))
        console.print(gaps)
    return evaluation


if __name__ == "__main__":
    report()
