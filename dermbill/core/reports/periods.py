"""Report periods: a date range, inclusive at both ends, and the period just before it of the same length."""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from dermbill.core.errors import InvalidInput

_MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True, slots=True)
class Period:
    """From ``start`` to ``end``, both days included."""

    start: datetime.date
    end: datetime.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidInput(f"the period ends ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period before this one: the month before for a whole month, else the same number of days before."""
        if self.is_month:
            before = self.start - datetime.timedelta(days=1)
            return month_period(before.year, before.month)
        end = self.start - datetime.timedelta(days=1)
        return Period(end - datetime.timedelta(days=self.days - 1), end)

    @property
    def is_month(self) -> bool:
        last = calendar.monthrange(self.start.year, self.start.month)[1]
        return self.start.day == 1 and self.end == self.start.replace(day=last)

    def __contains__(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    @property
    def label(self) -> str:
        if self.is_month:
            return self.start.strftime("%B %Y")
        return f"{self.start.isoformat()} to {self.end.isoformat()}"

    def to_json(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def month_period(year: int, month: int) -> Period:
    last = calendar.monthrange(year, month)[1]
    return Period(datetime.date(year, month, 1), datetime.date(year, month, last))


def parse_month(text: str) -> Period:
    """'2026-11' -> 1 to 30 November 2026."""
    match = _MONTH.fullmatch(text.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise InvalidInput(f"'{text}' is not a month; write it as YYYY-MM (example: 2026-11)")
    return month_period(int(match.group(1)), int(match.group(2)))


def trailing_days(as_of: datetime.date, days: int) -> Period:
    """The ``days`` days that end on ``as_of``."""
    return Period(as_of - datetime.timedelta(days=days - 1), as_of)


DEFAULT_DAYS = 30


def default_period(as_of: datetime.date) -> Period:
    """The period a report covers when none is given: the 30 days that end on ``as_of``."""
    return trailing_days(as_of, DEFAULT_DAYS)
