"""What the engine returns: billable lines, the claim's diagnoses, holds and warnings (encounter.md output)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class CodedLine:
    code: str
    units: int
    modifiers: tuple[str, ...]
    diagnoses: tuple[str, ...]
    explanation: str
    lesions: tuple[str, ...] = ()  # the lesion ids the line bills for (not part of the JSON output)

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "units": self.units, "modifiers": list(self.modifiers),
                "diagnoses": list(self.diagnoses), "explanation": self.explanation}


@dataclass(frozen=True, slots=True)
class Notice:
    """A hold (the claim must wait) or a warning (a coder must review), with the lesion it concerns."""

    code: str
    message: str
    lesion: str | None = None
    gap: str = ""  # for missing_documentation: which fact is absent (core.coding.gaps); not part of the JSON

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code}
        if self.lesion is not None:
            data["lesion"] = self.lesion
        data["message"] = self.message
        return data


@dataclass(frozen=True, slots=True)
class CodingResult:
    lines: tuple[CodedLine, ...]
    diagnoses: tuple[str, ...]
    holds: tuple[Notice, ...] = ()
    warnings: tuple[Notice, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "lines": [line.to_json() for line in self.lines],
            "diagnoses": list(self.diagnoses),
            "holds": [hold.to_json() for hold in self.holds],
            "warnings": [warning.to_json() for warning in self.warnings],
        }
