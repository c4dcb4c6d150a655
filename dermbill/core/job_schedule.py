"""When a scheduled job is due: its slots.

A schedule cuts time into slots; a job runs once per slot (the runner records the slot it ran for, and a slot
already run is not run again, however many runners start). ``DailyAt(time(7, 0))`` has one slot a day, starting at
07:00 in its zone (UTC unless named); ``EveryHours(6)`` one every 6 hours from midnight UTC (00:00, 06:00, 12:00,
18:00). ``slot(now)`` is the slot ``now`` falls in (the latest start at or before it), ``next_slot(slot)`` the one
after. Example: at 2026-05-05 06:59 UTC a job daily at 07:00 is in the slot of 2026-05-04 07:00; at 07:00 it is
due for the slot of 2026-05-05 07:00. The core never reads the clock: ``now`` is given (aware, any zone).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dermbill.core.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class DailyAt:
    at: datetime.time
    zone: str = "UTC"

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(f"time zone {self.zone!r} is not known (e.g. UTC, America/New_York)") from None

    def slot(self, now: datetime.datetime) -> datetime.datetime:
        local = now.astimezone(ZoneInfo(self.zone))
        start = datetime.datetime.combine(local.date(), self.at, tzinfo=ZoneInfo(self.zone))
        if start > local:
            start = datetime.datetime.combine(local.date() - datetime.timedelta(days=1), self.at,
                                              tzinfo=ZoneInfo(self.zone))
        return start.astimezone(datetime.UTC)

    def next_slot(self, slot: datetime.datetime) -> datetime.datetime:
        local = slot.astimezone(ZoneInfo(self.zone))
        following = datetime.datetime.combine(local.date() + datetime.timedelta(days=1), self.at,
                                              tzinfo=ZoneInfo(self.zone))
        return following.astimezone(datetime.UTC)

    def describe(self) -> str:
        return f"daily at {self.at:%H:%M} {self.zone}"


@dataclass(frozen=True, slots=True)
class EveryHours:
    hours: int

    def __post_init__(self) -> None:
        if not 1 <= self.hours <= 24 or 24 % self.hours:
            raise InvalidInput(f"every {self.hours} hours: give a number of hours that divides a day (1, 2, 3, 4, 6, "
                               "8, 12 or 24)")

    def slot(self, now: datetime.datetime) -> datetime.datetime:
        utc = now.astimezone(datetime.UTC)
        return utc.replace(hour=utc.hour - utc.hour % self.hours, minute=0, second=0, microsecond=0)

    def next_slot(self, slot: datetime.datetime) -> datetime.datetime:
        return slot + datetime.timedelta(hours=self.hours)

    def describe(self) -> str:
        return "every hour" if self.hours == 1 else f"every {self.hours} hours"


Schedule = DailyAt | EveryHours
