"""Scrubber results: findings (rule, severity, lines, what is wrong, the fix) and the certain fixes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from dermbill.core.errors import Severity


class Fix(NamedTuple):
    """A change certain enough to apply automatically: add a modifier to a line (in place of another one)."""

    line: int
    add_modifier: str
    remove_modifiers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ScrubFinding:
    rule: str
    severity: Severity
    lines: tuple[int, ...]
    message: str
    fix: str
    autofix: Fix | None = None

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity.value, "lines": list(self.lines),
                "message": self.message, "fix": self.fix}


@dataclass(frozen=True, slots=True)
class ScrubResult:
    findings: tuple[ScrubFinding, ...]

    @property
    def clean(self) -> bool:
        """No error (warnings are for review and do not stop the claim)."""
        return not any(f.severity == Severity.ERROR for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        return {"findings": [f.to_json() for f in self.findings], "clean": self.clean}


def error(rule: str, lines: tuple[int, ...], message: str, fix: str, autofix: Fix | None = None) -> ScrubFinding:
    return ScrubFinding(rule, Severity.ERROR, lines, message, fix, autofix)


def warning(rule: str, lines: tuple[int, ...], message: str, fix: str, autofix: Fix | None = None) -> ScrubFinding:
    return ScrubFinding(rule, Severity.WARNING, lines, message, fix, autofix)
