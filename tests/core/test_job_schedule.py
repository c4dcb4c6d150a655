"""Scheduled jobs' slots: daily at a time of day (in a zone), every N hours; bad schedules refused."""

from __future__ import annotations

import datetime

import pytest

from dermbill.core.errors import InvalidInput
from dermbill.core.job_schedule import DailyAt, EveryHours

UTC = datetime.UTC


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_a_daily_job_has_one_slot_a_day_starting_at_its_time() -> None:
    daily = DailyAt(datetime.time(7, 0))
    assert daily.slot(at("2026-05-05T06:59")) == at("2026-05-04T07:00")
    assert daily.slot(at("2026-05-05T07:00")) == daily.slot(at("2026-05-05T23:59")) == at("2026-05-05T07:00")
    assert daily.next_slot(at("2026-05-05T07:00")) == at("2026-05-06T07:00")
    assert daily.describe() == "daily at 07:00 UTC"


def test_a_daily_job_in_a_zone_starts_at_its_local_time() -> None:
    daily = DailyAt(datetime.time(6, 30), "America/New_York")  # EDT in May: UTC-4
    assert daily.slot(at("2026-05-05T10:31")) == at("2026-05-05T10:30")
    with pytest.raises(InvalidInput, match="time zone 'Mars/Olympus' is not known"):
        DailyAt(datetime.time(6, 0), "Mars/Olympus")


def test_a_job_every_n_hours_has_slots_from_midnight() -> None:
    every = EveryHours(6)
    assert every.slot(at("2026-05-05T13:45")) == at("2026-05-05T12:00")
    assert every.next_slot(at("2026-05-05T18:00")) == at("2026-05-06T00:00")
    with pytest.raises(InvalidInput, match="divides a day"):
        EveryHours(5)
