"""Score the note reader (``dermbill.notes.code_note``) on the review notes, tests/notes/review_notes.jsonl.

The review notes are written as providers write them (templated sections, consent boilerplate, abbreviations,
plans, history, family history, examined-only lesions), independently of the worked cases; each carries the
encounter a coder built by hand from it, and its expected codes are the engine's result on that encounter, so a
miss means the reader read a fact wrong. Figures:

- lines exactly right (every code, unit and modifier; order ignored), ICD-10-CM exactly right (as a set);
- notes given a code they must not have (a planned, negated or historical procedure);
- gaps named: a note expected to leave a fact out names it (``expected_gaps``), and each removable fact, deleted
  from its note, makes the reader name the gap (``gap_field``) without coding a code the full note does not have;
- notes per second on one core and the start-up time (import + the first note).

Run: ``PYTHONPATH=<worktree> python benchmarks/notes_review.py [FILE] [-v]``.
"""

from __future__ import annotations

import datetime
import json
import sys
import time
from pathlib import Path
from typing import Any

DEFAULT = Path(__file__).resolve().parent.parent / "tests" / "notes" / "review_notes.jsonl"


def _lines(lines: list[dict[str, Any]]) -> list[tuple[str, int, tuple[str, ...]]]:
    return sorted((line["code"], line["units"], tuple(sorted(line["modifiers"]))) for line in lines)


def _code(code_note: Any, row: dict[str, Any], text: str) -> dict[str, Any]:
    result: dict[str, Any] = code_note(text, date_of_service=datetime.date.fromisoformat(row["dos"]),
                                       payer=row["payer"], age=row["age"], sex=row["sex"]).to_json()
    return result


def _gap_fields(result: dict[str, Any]) -> list[str]:
    return [str(gap.get("field", "")) for gap in result.get("gaps", [])]


def _has_gap(result: dict[str, Any], field: str) -> bool:
    return any(name == field or name.endswith("." + field) or name.endswith(field) for name in _gap_fields(result))


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    paths = [arg for arg in argv if not arg.startswith("-")]
    rows = [json.loads(line) for line in Path(paths[0] if paths else DEFAULT).read_text().splitlines() if line]
    started = time.perf_counter()
    from dermbill.notes import code_note

    _code(code_note, rows[0], rows[0]["note"])
    startup = time.perf_counter() - started
    scored = lines_ok = icd_ok = forbidden = gaps_expected = gaps_found = removals = removals_ok = errors = 0
    for row in rows:
        try:
            result = _code(code_note, row, row["note"])
        except Exception as exc:  # a reader crash is a finding, reported per note
            errors += 1
            print(f"ERROR {row['id']}: {exc!r}")
            continue
        codes = result.get("codes") or {}
        got = _lines(codes.get("lines", []))
        problems = []
        expected = row.get("expected")
        if expected is not None:
            scored += 1
            want = _lines(expected["lines"])
            if got == want:
                lines_ok += 1
            else:
                problems.append(f"lines {got} != expected {want}")
            if sorted(codes.get("diagnoses", [])) == sorted(expected["icd10"]):
                icd_ok += 1
            else:
                problems.append(f"icd10 {codes.get('diagnoses')} != expected {expected['icd10']}")
        wrong = [code for code, _, _ in got if code in row.get("must_not_code", [])]
        if wrong:
            forbidden += 1
            problems.append(f"MUST NOT CODE {wrong}")
        for field in row.get("expected_gaps", []):
            gaps_expected += 1
            if _has_gap(result, field):
                gaps_found += 1
            else:
                problems.append(f"no gap {field} (gaps: {_gap_fields(result)})")
        full = {code for code, _, _ in got}
        for fact in row.get("removable_facts", []):
            removals += 1
            try:
                reduced = _code(code_note, row, row["note"].replace(fact["remove"], "", 1))
            except Exception as exc:
                problems.append(f"removing {fact['fact']!r}: {exc!r}")
                continue
            extra = {line["code"] for line in (reduced.get("codes") or {}).get("lines", [])} - full
            if _has_gap(reduced, fact["gap_field"]) and not extra:
                removals_ok += 1
            else:
                problems.append(f"removing {fact['fact']!r}: gaps {_gap_fields(reduced)}"
                                + (f", new codes {sorted(extra)}" if extra else ""))
        if problems:
            print(f"{row['id']}: " + "; ".join(problems))
            if verbose:
                print("    encounter:", json.dumps(result.get("encounter"))[:1200])
    from dermbill.notes import read_note

    rounds = 5
    speeds = {}
    for name, run in (("read", lambda row: read_note(row["note"])), ("read + code", lambda row: _code(code_note, row,
                                                                                                     row["note"]))):
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(rounds):
            for row in rows:
                try:
                    run(row)
                except Exception:
                    continue
        speeds[name] = (rounds * len(rows) / (time.perf_counter() - wall),
                        rounds * len(rows) / (time.process_time() - cpu))
    print(f"notes: {len(rows)} ({errors} errors); lines exact {lines_ok}/{scored}; ICD-10-CM exact {icd_ok}/{scored}; "
          f"notes with a forbidden code {forbidden}; expected gaps named {gaps_found}/{gaps_expected}; "
          f"removed facts named as gaps {removals_ok}/{removals}")
    for name, (wall, cpu) in speeds.items():
        print(f"speed ({name}): {wall:.0f} notes/s wall clock, {cpu:.0f} notes/s of CPU time (one core)")
    print(f"start-up (import + first note): {startup:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
