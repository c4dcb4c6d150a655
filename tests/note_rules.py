"""What the note-reader rule tests read back from a sentence (tests/notes/test_note_*rules*.py): the lines the
engine codes from it, its ICD-10-CM codes, its encounter and lesions, all on one day of service."""

from __future__ import annotations

import datetime
from typing import Any

from dermbill.notes import code_note, read_note

DAY = datetime.date(2026, 6, 1)


def coding(text: str, *, payer: str, age: int, sex: str) -> Any:
    """The engine's result on the note's encounter (the test fails when the encounter cannot be coded)."""
    result = code_note(text, date_of_service=DAY, payer=payer, age=age, sex=sex)
    assert result.coding is not None, result.error
    return result.coding


def lines(text: str, *, payer: str, age: int, sex: str) -> list[tuple[str, int, tuple[str, ...]]]:
    """(code, units, modifiers) of every line, sorted."""
    return sorted((line.code, line.units, tuple(line.modifiers))
                  for line in coding(text, payer=payer, age=age, sex=sex).lines)


def diagnoses(text: str, *, payer: str, age: int, sex: str) -> list[str]:
    return sorted(coding(text, payer=payer, age=age, sex=sex).diagnoses)


def read_encounter(text: str) -> dict[str, Any]:
    found: dict[str, Any] = read_note(text, date_of_service=DAY).encounter
    return found


def read_lesions(text: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = read_encounter(text)["lesions"]
    return found


def read_note_gaps(text: str) -> list[Any]:
    """The gaps the reader names for the note (the documentation to ask the provider for)."""
    return list(read_note(text, date_of_service=DAY).gaps)
