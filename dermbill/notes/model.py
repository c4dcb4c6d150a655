"""What the note reader returns: facts with spans, documentation gaps as provider queries, ignored mentions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

IGNORE_REASONS = ("negated", "historical", "planned", "family", "examined_only", "hypothetical")


@dataclass(frozen=True, slots=True)
class Fact:
    """One fact of the encounter and the text it was read from (``text[start:end] == quote``)."""

    field: str
    value: Any
    start: int
    end: int
    quote: str

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "value": self.value, "start": self.start, "end": self.end, "quote": self.quote}


@dataclass(frozen=True, slots=True)
class Gap:
    """A fact a code depends on that the note does not give (or gives ambiguously), as a query to the provider."""

    lesion: str | None
    field: str
    message: str
    why: str
    default_used: str | None
    start: int
    end: int

    def to_json(self) -> dict[str, Any]:
        return {"lesion": self.lesion, "field": self.field, "message": self.message, "why": self.why,
                "default_used": self.default_used, "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class Ignored:
    """A mention that is not coded: negated, historical, planned, family history, examined only, hypothetical,
    other_provider (done or to be done by someone other than the note's provider)."""

    reason: str
    quote: str
    start: int
    end: int

    def to_json(self) -> dict[str, Any]:
        return {"reason": self.reason, "quote": self.quote, "start": self.start, "end": self.end}


@dataclass(slots=True)
class NoteReading:
    """The structured encounter read from a note, with the evidence for each fact."""

    encounter: dict[str, Any]
    facts: list[Fact] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"encounter": self.encounter, "facts": [f.to_json() for f in self.facts],
                "gaps": [g.to_json() for g in self.gaps], "ignored": [i.to_json() for i in self.ignored]}
