"""A form as a page shows it: the values (as stored, or as the person typed them) and the problems by field, from a
service's InvalidFields (each Problem names its field). A problem naming no field of the form is shown above it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dermbill.core.errors import InvalidFields, InvalidInput


class FormState:
    """One form on a page: the values shown and the problems by field (``general``: those of no field shown)."""

    def __init__(self, values: Mapping[str, Any], problems: Mapping[str, list[str]] | None = None,
                 general: list[str] | None = None) -> None:
        self.values = {name: "" if value is None else str(value) for name, value in values.items()}
        self.problems = dict(problems or {})
        self.general = list(general or [])

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def errors(self, name: str) -> list[str]:
        return self.problems.get(name, [])

    @property
    def first_invalid(self) -> str | None:
        """The first field with a problem (it takes the focus when the form comes back)."""
        return next(iter(self.problems), None)

    @property
    def invalid(self) -> bool:
        return bool(self.problems or self.general)


def refused(typed: Mapping[str, Any], refusal: InvalidInput, fields: tuple[str, ...],
            labels: Mapping[str, str] | None = None) -> FormState:
    """The form as typed, with the refusal's problems by the fields they name."""
    problems: dict[str, list[str]] = {}
    general: list[str] = []
    if isinstance(refusal, InvalidFields):
        for problem in refusal.problems:
            if problem.field in fields:
                problems.setdefault(problem.field, []).append(problem.message)
            else:
                label = (labels or {}).get(problem.field, problem.field.replace("_", " "))
                general.append(f"{label}: {problem.message}")
    else:
        general.append(str(refusal))
    return FormState(typed, problems, general)
