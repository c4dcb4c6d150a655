"""The note reader on its development notes: how often it codes a note exactly right, and how fast it is.

``tests/notes/dev_notes.jsonl`` holds notes written as dermatologists write them, each with the answer coded by
hand (issue 18). For each note ``dermbill.notes.code_note`` reads and codes the text, and this reports:

- codes exactly right: every line, its units and modifiers (order of lines ignored; 59 and XS equal),
- ICD-10-CM exactly right (the set of the claim's codes),
- notes given a forbidden code (``must_not_code``: what a planned, negated, historical, family-history or
  examined-only mention would wrongly produce; CPT or ICD-10-CM): must be 0,
- gaps found on fact removal: each ``removable_facts`` substring is deleted from its note, the note is read again,
  and the reading must name a Gap with that field and code nothing higher than the full note's answer,
- notes per second on one core, and the start-up time (a fresh ``python -c`` that imports ``dermbill.notes`` and
  reads one note, wall time),
- per note, the misses with the difference.

``python -m benchmarks --only notes`` prints the table; ``evaluate()`` is the same check for tests. If
``dermbill.notes`` does not exist yet it says so and does nothing (exit 0).
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEV_NOTES = ROOT / "tests" / "notes" / "dev_notes.jsonl"

Line = tuple[str, int, tuple[str, ...]]

# Codes of one family from the lowest to the highest; "higher" after a fact is removed means a later code of a
# family the full note's answer uses (or more units of the same code).
FAMILIES: tuple[tuple[str, ...], ...] = (
    ("11102", "11104", "11106"),
    ("11300", "11301", "11302", "11303"), ("11305", "11306", "11307", "11308"),
    ("11310", "11311", "11312", "11313"),
    ("11400", "11401", "11402", "11403", "11404", "11406"), ("11420", "11421", "11422", "11423", "11424", "11426"),
    ("11440", "11441", "11442", "11443", "11444", "11446"),
    ("11600", "11601", "11602", "11603", "11604", "11606"), ("11620", "11621", "11622", "11623", "11624", "11626"),
    ("11640", "11641", "11642", "11643", "11644", "11646"),
    ("17260", "17261", "17262", "17263", "17264", "17266"), ("17270", "17271", "17272", "17273", "17274", "17276"),
    ("17280", "17281", "17282", "17283", "17284", "17286"),
    ("17000", "17004"), ("17110", "17111"), ("17106", "17107", "17108"),
    ("12001", "12002", "12004", "12005", "12006", "12007"),
    ("12011", "12013", "12014", "12015", "12016", "12017", "12018"),
    ("12031", "12032", "12034", "12035", "12036", "12037"), ("12041", "12042", "12044", "12045", "12046", "12047"),
    ("12051", "12052", "12053", "12054", "12055", "12056", "12057"),
    ("13100", "13101"), ("13120", "13121"), ("13131", "13132"), ("13151", "13152"),
    ("14000", "14001", "14301"), ("14020", "14021", "14301"), ("14040", "14041", "14301"), ("14060", "14061", "14301"),
    ("11900", "11901"), ("10060", "10061"), ("11055", "11056", "11057"), ("11720", "11721"),
    ("96567", "96573", "96574"), ("96900", "96910", "96912", "96913"), ("96920", "96921", "96922"),
    ("99202", "99203", "99204", "99205"), ("99211", "99212", "99213", "99214", "99215"),
)


@dataclass
class NoteOutcome:
    id: str
    codes_right: bool
    icd10_right: bool
    forbidden: list[str]
    differences: list[str]
    gaps_expected: int = 0
    gaps_found: int = 0
    gap_misses: list[str] = field(default_factory=list)
    error: str = ""


@dataclass
class NotesReport:
    outcomes: list[NoteOutcome]
    seconds: float = 0.0  # reading and coding every note once, in this process
    notes_per_second: float | None = None  # on one core, measured apart (measure_speed)
    startup_seconds: float | None = None

    @property
    def notes(self) -> int:
        return len(self.outcomes)

    @property
    def codes_exact(self) -> int:
        return sum(o.codes_right for o in self.outcomes)

    @property
    def icd10_exact(self) -> int:
        return sum(o.icd10_right for o in self.outcomes)

    @property
    def forbidden_notes(self) -> list[NoteOutcome]:
        return [o for o in self.outcomes if o.forbidden]

    @property
    def gaps_expected(self) -> int:
        return sum(o.gaps_expected for o in self.outcomes)

    @property
    def gaps_found(self) -> int:
        return sum(o.gaps_found for o in self.outcomes)

    def misses(self) -> list[NoteOutcome]:
        return [o for o in self.outcomes
                if not (o.codes_right and o.icd10_right) or o.forbidden or o.gap_misses or o.error]

    def figures(self) -> dict[str, Any]:
        def share(part: int, whole: int) -> float | None:
            return round(100 * part / whole, 1) if whole else None

        return {"notes": self.notes, "codes_exact_pct": share(self.codes_exact, self.notes),
                "icd10_exact_pct": share(self.icd10_exact, self.notes),
                "notes_with_forbidden_code": len(self.forbidden_notes),
                "gaps_found_pct": share(self.gaps_found, self.gaps_expected), "removed_facts": self.gaps_expected,
                "notes_per_second": self.notes_per_second, "startup_seconds": self.startup_seconds}


def load_dev_notes(path: Path = DEV_NOTES) -> list[dict[str, Any]]:
    return [json.loads(text) for text in path.read_text().splitlines() if text.strip()]


def reader_available() -> bool:
    return importlib.util.find_spec("dermbill.notes") is not None


def _reader() -> Callable[..., Any]:
    from dermbill.notes import code_note

    return code_note


def normalised(lines: Iterable[dict[str, Any]]) -> list[Line]:
    """Lines to compare: (code, units, modifiers), 59 counted as XS, order ignored."""
    return sorted((str(item["code"]), int(item["units"]),
                   tuple(sorted("XS" if m == "59" else str(m) for m in item.get("modifiers", []))))
                  for item in lines)


def _codes(result: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """The lines and ICD-10-CM codes of a NoteResult (its ``coding``, or its JSON's ``codes``)."""
    coding = getattr(result, "coding", None)
    if coding is not None and hasattr(coding, "to_json"):
        data = coding.to_json()
    else:
        data = result.to_json()["codes"]
    return data["lines"], list(data.get("icd10", data.get("diagnoses", [])))


def _gaps(result: Any) -> list[str]:
    reading = getattr(result, "reading", result)
    return [str(getattr(gap, "field", "")) for gap in getattr(reading, "gaps", [])]


def gap_matches(found: str, wanted: str) -> bool:
    """``lesions[0].margin_cm`` or ``margin_cm`` both answer a removed margin."""
    return found == wanted or found.endswith("." + wanted) or found.endswith("]" + wanted)


def higher_codes(reduced: list[Line], expected: list[Line]) -> list[str]:
    """Codes of the reduced note's answer that are higher than the full note's: a later code in a family the full
    answer uses, or more units of one of its codes."""
    units = {code: n for code, n, _ in expected}
    wanted = set(units)
    higher = []
    for code, n, _ in reduced:
        if code in units:
            if n > units[code]:
                higher.append(f"{code} x{n} (full note: x{units[code]})")
            continue
        for family in FAMILIES:
            if code in family and any(other in family and family.index(other) < family.index(code)
                                      for other in wanted):
                higher.append(code)
                break
    return higher


def _diff(want: list[Any], got: list[Any]) -> list[str]:
    missing = [item for item in want if item not in got]
    extra = [item for item in got if item not in want]
    return ([f"missing {_said(item)}" for item in missing] + [f"extra {_said(item)}" for item in extra])


def _said(item: Any) -> str:
    if isinstance(item, tuple):
        code, units, modifiers = item
        return f"{code} x{units}" + (f" -{'-'.join(modifiers)}" if modifiers else "")
    return str(item)


def _arguments(row: dict[str, Any]) -> dict[str, Any]:
    return {"date_of_service": datetime.date.fromisoformat(row["dos"]), "payer": row["payer"], "age": row["age"],
            "sex": row["sex"]}


def check_note(row: dict[str, Any], code_note: Callable[..., Any], *, removals: bool = True) -> NoteOutcome:
    """One development note: its codes, its ICD-10-CM codes, forbidden codes and (``removals``) the gaps."""
    expected = row["expected"]
    want_lines = normalised(expected["lines"])
    want_icd = sorted(expected["icd10"])
    try:
        result = code_note(row["note"], **_arguments(row))
        lines, icd10 = _codes(result)
    except Exception as exc:  # a reader crash is a miss to report, not the end of the run
        return NoteOutcome(row["id"], False, False, [], [], len(row.get("removable_facts", [])), 0,
                           error=f"{type(exc).__name__}: {exc}")
    got_lines = normalised(lines)
    got_icd = sorted(icd10)
    everything = {code for code, _, _ in got_lines} | set(got_icd)
    outcome = NoteOutcome(row["id"], got_lines == want_lines, got_icd == want_icd,
                          sorted(set(row.get("must_not_code", [])) & everything),
                          _diff(want_lines, got_lines) + [f"ICD {d}" for d in _diff(want_icd, got_icd)])
    if not removals:
        return outcome
    for removable in row.get("removable_facts", []):
        outcome.gaps_expected += 1
        text = row["note"].replace(removable["remove"], "", 1)
        try:
            reduced = code_note(text, **_arguments(row))
            fields = _gaps(reduced)
            higher = higher_codes(normalised(_codes(reduced)[0]), want_lines)
        except Exception as exc:
            outcome.gap_misses.append(f"{removable['fact']}: {type(exc).__name__}: {exc}")
            continue
        named = any(gap_matches(found, removable["gap_field"]) for found in fields)
        if named and not higher:
            outcome.gaps_found += 1
            continue
        why = [] if named else [f"no Gap {removable['gap_field']!r} (gaps: {', '.join(fields) or 'none'})"]
        why += [f"higher code {code}" for code in higher]
        outcome.gap_misses.append(f"{removable['fact']}: {'; '.join(why)}")
    return outcome


def evaluate(path: Path = DEV_NOTES, *, code_note: Callable[..., Any] | None = None,
             removals: bool = True) -> NotesReport | None:
    """Every development note through the reader; None when ``dermbill.notes`` is not there (and no reader given)."""
    if code_note is None:
        if not reader_available():
            return None
        code_note = _reader()
    rows = load_dev_notes(path)
    start = time.perf_counter()
    outcomes = [check_note(row, code_note, removals=removals) for row in rows]
    return NotesReport(outcomes, seconds=time.perf_counter() - start)


def _speed_case(rounds: str) -> dict[str, float]:
    """Runs in a subprocess pinned to one core: notes read and coded per second (after one warm-up pass)."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    code_note = _reader()
    rows = load_dev_notes()
    for row in rows:
        code_note(row["note"], **_arguments(row))
    start = time.perf_counter()
    done = 0
    for _ in range(int(rounds)):
        for row in rows:
            code_note(row["note"], **_arguments(row))
            done += 1
    return {"notes": done, "seconds": time.perf_counter() - start}


def measure_speed(rounds: int = 3) -> float:
    code = f"import json; from benchmarks.notes import _speed_case; print(json.dumps(_speed_case({str(rounds)!r})))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    return float(measured["notes"] / measured["seconds"])


STARTUP = ("from dermbill.notes import read_note; "
           "read_note('Shave bx L forearm 0.6 cm pearly papule. Path: BCC.', date_of_service=__import__('datetime')"
           ".date(2026, 4, 14), payer='medicare', age=71, sex='M')")


def measure_startup(runs: int = 3) -> float:
    """Wall time of a fresh interpreter that imports the reader and reads one note (best of ``runs``)."""
    best = float("inf")
    for _ in range(runs + 1):  # the first warms the disk cache
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", STARTUP], check=True, capture_output=True, cwd=ROOT)
        best = min(best, time.perf_counter() - start)
    return best


def run(*, speed: bool = True) -> NotesReport | None:
    report = evaluate()
    if report is None:
        return None
    if speed:
        report.notes_per_second = measure_speed()
        report.startup_seconds = measure_startup()
    return report


def print_report(report: NotesReport | None, console: Any = None) -> None:
    from rich.console import Console
    from rich.table import Table

    console = console or Console(width=None if sys.stdout.isatty() else 120)
    if report is None:
        console.print("note reader: dermbill.notes is not there yet; nothing measured")
        return
    figures = report.figures()
    table = Table(title=f"note reader on {report.notes} development notes ({DEV_NOTES.relative_to(ROOT)})",
                  title_justify="left")
    table.add_column("figure", justify="left")
    table.add_column("value", justify="right")
    table.add_column("goal", justify="right")

    def pct(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f}%"

    table.add_row("codes exactly right (lines, units, modifiers)",
                  f"{pct(figures['codes_exact_pct'])} ({report.codes_exact}/{report.notes})", ">= 90%")
    table.add_row("ICD-10-CM exactly right", f"{pct(figures['icd10_exact_pct'])} ({report.icd10_exact}/{report.notes})",
                  "")
    table.add_row("notes with a forbidden code", str(len(report.forbidden_notes)), "0")
    table.add_row("gaps found on fact removal",
                  f"{pct(figures['gaps_found_pct'])} ({report.gaps_found}/{report.gaps_expected})", "100%")
    table.add_row("notes/s on one core", "-" if report.notes_per_second is None else f"{report.notes_per_second:,.0f}",
                  ">= 200")
    table.add_row("start-up: import + read one note (s)",
                  "-" if report.startup_seconds is None else f"{report.startup_seconds:.2f}", "")
    console.print(table)
    misses = report.misses()
    if misses:
        listing = Table(title=f"misses ({len(misses)} notes)", title_justify="left")
        listing.add_column("note", justify="left")
        listing.add_column("difference", justify="left")
        for outcome in misses:
            said = ([outcome.error] if outcome.error else []) + outcome.differences
            said += [f"FORBIDDEN {', '.join(outcome.forbidden)}"] if outcome.forbidden else []
            said += [f"gap: {miss}" for miss in outcome.gap_misses]
            listing.add_row(outcome.id, "\n".join(said))
        console.print(listing)


def main(*, speed: bool = True) -> int:
    report = run(speed=speed)
    print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
