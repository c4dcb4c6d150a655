"""NCCI edits: procedure-to-procedure (PTP) pairs and medically unlikely edits (MUE), by date of service.

Several quarterly releases can be loaded at once; a lookup picks the newest release that starts on or
before the date of service (the oldest when the date precedes all of them), then, within a PTP
release, the edit whose effective and deletion dates cover the date. Dates inside the tables are
integers YYYYMMDD so that a table of 1.5 million pairs stays small and loads fast.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import NamedTuple

NO_DELETION = 99991231


def day_number(day: datetime.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


class PtpEdit(NamedTuple):
    """Column two is not paid with column one on the same day, unless the indicator (1) allows a modifier."""

    column1: str
    column2: str
    modifier_indicator: str  # 0 never together, 1 an NCCI-associated modifier may bypass, 9 not applicable
    effective_from: int  # YYYYMMDD
    deleted_after: int  # YYYYMMDD, the last day in force (NO_DELETION while active)

    def in_force(self, day: int) -> bool:
        return self.effective_from <= day <= self.deleted_after


@dataclass(frozen=True, slots=True)
class PtpRelease:
    name: str
    starts: datetime.date
    edits: dict[tuple[str, str], tuple[PtpEdit, ...]]


class MueValue(NamedTuple):
    code: str
    units: int
    adjudication_indicator: str  # 1 claim line, 2 date of service (policy), 3 date of service (clinical)
    rationale: str


@dataclass(frozen=True, slots=True)
class MueRelease:
    name: str
    starts: datetime.date
    values: dict[str, MueValue]


def _release_for(starts: list[datetime.date], on: datetime.date) -> int:
    """Index of the newest release starting on or before ``on`` (releases sorted by start); 0 if none does."""
    chosen = 0
    for index, start in enumerate(starts):
        if start <= on:
            chosen = index
    return chosen


@dataclass(frozen=True, slots=True)
class PtpTable:
    releases: tuple[PtpRelease, ...]

    @property
    def release(self) -> str:
        return self.releases[-1].name if self.releases else "none"

    def release_for(self, on: datetime.date) -> PtpRelease:
        return self.releases[_release_for([r.starts for r in self.releases], on)]

    def edit_between(self, code_a: str, code_b: str, *, on: datetime.date) -> PtpEdit | None:
        """The edit in force on ``on`` pairing the two codes, in either column order (indicator 9 ignored)."""
        if not self.releases:
            return None
        edits = self.release_for(on).edits
        day = day_number(on)
        for key in ((code_a, code_b), (code_b, code_a)):
            for edit in edits.get(key, ()):
                if edit.modifier_indicator != "9" and edit.in_force(day):
                    return edit
        return None

    def __len__(self) -> int:
        return sum(len(r.edits) for r in self.releases)


@dataclass(frozen=True, slots=True)
class MueTable:
    releases: tuple[MueRelease, ...]

    def release_for(self, on: datetime.date) -> MueRelease | None:
        return self.releases[_release_for([r.starts for r in self.releases], on)] if self.releases else None

    def value(self, code: str, *, on: datetime.date) -> MueValue | None:
        release = self.release_for(on)
        return release.values.get(code) if release else None


# Modifiers that may bypass a PTP edit with indicator 1 (NCCI Policy Manual, Introduction: "modifiers
# associated with NCCI"): anatomic, global surgery, distinct-service and repeat-test modifiers.
NCCI_ASSOCIATED_MODIFIERS = frozenset({
    "E1", "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "LC", "LD", "LM", "LT",
    "RC", "RI", "RT", "TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "24", "25", "57", "58", "78",
    "79", "27", "59", "91", "XE", "XS", "XP", "XU",
})
