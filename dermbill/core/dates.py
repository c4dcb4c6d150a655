"""Effective-date ranges: ``effective_from`` inclusive, ``effective_to`` inclusive or open (None)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dermbill.core.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class DateRange:
    effective_from: datetime.date
    effective_to: datetime.date | None = None

    def __post_init__(self) -> None:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise InvalidInput(f"date range ends ({self.effective_to}) before it starts ({self.effective_from})")

    def contains(self, day: datetime.date) -> bool:
        """True when ``day`` is in force: on or after the start and on or before the end (if any)."""
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


def age_on(date_of_birth: datetime.date, day: datetime.date) -> int:
    """Age in whole years on ``day`` (a birthday counts from the day itself)."""
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - before_birthday


def parse_iso_date(text: str, *, field: str) -> datetime.date:
    """An ISO date (YYYY-MM-DD) or InvalidInput naming the field."""
    try:
        return datetime.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise InvalidInput(f"{field}: '{text}' is not a date (use YYYY-MM-DD)") from None
