"""The note reader (issue 18): a free-text dermatology procedure note in, the structured encounter out.

``read_note`` gives the encounter (the encounter format v1) with the span of every fact, the documentation gaps
as provider queries and the mentions it did not code (negated, historical, planned, family, examined only,
hypothetical). ``code_note`` also runs the coding engine on it. Everything runs locally: spaCy's blank English
pipeline with medspaCy's Sectionizer and ConText and dermatology rules of our own; no model weights.
May import core, reference (the coding tables) and services.coding; must not import db, web, api or cli.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from typing import Any

from dermbill.notes.model import Fact, Gap, Ignored, NoteReading
from dermbill.notes.reader import read_note

__all__ = ["Fact", "Gap", "Ignored", "NoteReading", "NoteResult", "code_note", "read_note"]


@dataclass(slots=True)
class NoteResult:
    """A note's reading and the coding engine's result on its encounter (``coding`` is None when the encounter
    cannot be coded yet; ``error`` then says why)."""

    reading: NoteReading
    coding: Any
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        codes = self.coding.to_json() if self.coding is not None else None
        out: dict[str, Any] = {"encounter": self.reading.encounter, "codes": codes}
        if self.error:
            out["error"] = self.error
        out.update({"facts": [f.to_json() for f in self.reading.facts],
                    "gaps": [g.to_json() for g in self.reading.gaps],
                    "ignored": [i.to_json() for i in self.reading.ignored]})
        return out


def code_note(text: str, *, date_of_service: datetime.date | None = None, payer: str | None = None,
              age: int | None = None, sex: str | None = None) -> NoteResult:
    """Read the note and code its encounter with the shipped tables."""
    from dermbill.core.coding.result import Notice
    from dermbill.core.errors import InvalidInput
    from dermbill.services.coding import code_document

    reading = read_note(text, date_of_service=date_of_service, payer=payer, age=age, sex=sex)
    try:
        return NoteResult(reading, code_document(reading.encounter))
    except InvalidInput as exc:
        error = f"the encounter cannot be coded until the gaps are filled: {exc}"
    # one lesion without its side must not stop the rest: hold that lesion (its gap says what to ask) and code
    # the others; the reading keeps the lesion as read
    sideless = {g.lesion for g in reading.gaps if g.field == "laterality" and g.lesion is not None}
    lesions = reading.encounter.get("lesions") or []
    if not sideless or not any(lesion.get("id") in sideless for lesion in lesions):
        return NoteResult(reading, None, error)
    rest = {**reading.encounter, "lesions": [lesion for lesion in lesions if lesion.get("id") not in sideless]}
    if not rest["lesions"] and not rest.get("services") and not rest.get("visit"):
        return NoteResult(reading, None, error)  # nothing else to code: the whole encounter waits
    try:
        coding = code_document(rest)
    except InvalidInput:
        return NoteResult(reading, None, error)
    holds = tuple(Notice("missing_documentation", f"lesion {lesion_id}: the side (left or right) is not documented; "
                         "the lesion is held until the provider documents it", lesion_id, "laterality")
                  for lesion_id in sorted(sideless) if any(lesion.get("id") == lesion_id for lesion in lesions))
    return NoteResult(reading, replace(coding, holds=coding.holds + holds))
