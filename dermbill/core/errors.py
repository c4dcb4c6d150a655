"""The two kinds of errors: exceptions for calls that cannot proceed, findings for expected results."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class DermbillError(Exception):
    """An error we expect and can explain to the person who caused it."""


class InvalidInput(DermbillError):
    """Input that cannot be accepted: the message says what, where, and what would be accepted."""


class InvalidTransition(DermbillError):
    """A state change that is not allowed, e.g. a paid claim submitted again."""


class NotFound(DermbillError):
    """A record that does not exist (or belongs to another practice, which is the same to the caller)."""


class UnbalancedEntry(InvalidInput):
    """A journal entry whose postings do not sum to zero."""


class StorageUnavailable(DermbillError):
    """The database cannot be reached or used."""


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule result: what a rule found, how serious, and where (a line, lesion or X12 position)."""

    rule_id: str
    severity: Severity
    message: str
    where: str = ""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one field of a change a person asked for (``field`` as the request names it)."""

    field: str
    message: str


class InvalidFields(InvalidInput):
    """A change refused because of what is wrong with its fields: every problem at once, each naming its field.

    Nothing of the change is saved (an interface answers 422 with the list)."""

    def __init__(self, summary: str, problems: tuple[Problem, ...]) -> None:
        super().__init__(f"{summary}: " + "; ".join(f"{p.field}: {p.message}" for p in problems))
        self.summary = summary
        self.problems = problems
