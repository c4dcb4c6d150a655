"""Note reading use cases: code one free-text procedure note, or a JSON Lines stream of them (issue 18)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Iterator
from typing import Any

from dermbill.core.errors import DermbillError, InvalidInput
from dermbill.notes import NoteResult, code_note

NOTE_LINE_KEYS = frozenset({"id", "note", "dos", "date_of_service", "payer", "age", "sex"})
PAYERS = ("medicare", "medicaid", "commercial", "self_pay")


def note_overrides(*, dos: str | None = None, payer: str | None = None, age: int | None = None,
                   sex: str | None = None) -> dict[str, Any]:
    """The header facts given outside the note (they override what the note says), checked."""
    overrides: dict[str, Any] = {}
    if dos is not None:
        try:
            overrides["date_of_service"] = datetime.date.fromisoformat(dos)
        except ValueError:
            raise InvalidInput(f"dos: '{dos}' is not a date (YYYY-MM-DD)") from None
    if payer is not None:
        if payer not in PAYERS:
            raise InvalidInput(f"payer: '{payer}' is not a payer kind (one of {', '.join(PAYERS)})")
        overrides["payer"] = payer
    if age is not None:
        if isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= 120:
            raise InvalidInput(f"age: {age!r} is not an age in years (0-120)")
        overrides["age"] = age
    if sex is not None:
        if sex not in ("F", "M", "U"):
            raise InvalidInput(f"sex: '{sex}' is not F, M or U")
        overrides["sex"] = sex
    return overrides


def code_note_text(text: str, **overrides: Any) -> NoteResult:
    """Read and code one note."""
    if not text.strip():
        raise InvalidInput("the note is empty")
    return code_note(text, **overrides)


def _line_result(line: str, overrides: dict[str, Any]) -> dict[str, Any]:
    try:
        doc = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not valid JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(doc, dict):
        raise InvalidInput("must be a JSON object with a 'note' field")
    unknown = sorted(set(doc) - NOTE_LINE_KEYS - {"expected", "must_not_code", "removable_facts", "source"})
    if unknown:
        raise InvalidInput(f"'{unknown[0]}' is not a known field (known: {', '.join(sorted(NOTE_LINE_KEYS))})")
    note = doc.get("note")
    if not isinstance(note, str):
        raise InvalidInput("'note' must be the text of the note")
    given = note_overrides(dos=doc.get("dos") or doc.get("date_of_service"), payer=doc.get("payer"),
                           age=doc.get("age"), sex=doc.get("sex"))
    result = code_note_text(note, **{**given, **overrides}).to_json()
    return {"id": doc["id"], **result} if "id" in doc else result


def code_note_lines(lines: Iterable[str], **overrides: Any) -> Iterator[dict[str, Any]]:
    """One result per input line, in order; a line that fails gives ``{"error": "line N: ..."}``."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield _line_result(line, overrides)
        except DermbillError as exc:
            yield {"error": f"line {number}: {exc}"}
