"""An appointment's own fields: the start as written at the desk or in a schedule file, length, codes, status."""

from __future__ import annotations

import datetime

import pytest

from dermbill.core.appointments import checked_appointment, parse_start, planned_codes
from dermbill.core.errors import InvalidFields

AT = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)


@pytest.mark.parametrize("text", ["2026-03-02 09:30", "2026-03-02T09:30", "2026-03-02 9:30:00", "03/02/2026 9:30 AM",
                                  "3/2/2026 09:30"])
def test_a_start_is_read_in_the_ways_schedules_write_it(text: str) -> None:
    assert parse_start(text) == AT


def test_pm_and_noon_and_impossible_times() -> None:
    assert parse_start("03/02/2026 12:15 PM") == AT.replace(hour=12, minute=15)
    assert parse_start("03/02/2026 12:15 AM") == AT.replace(hour=0, minute=15)
    assert parse_start("2026-02-30 09:30") is None and parse_start("2026-03-02 25:00") is None
    assert parse_start("13:00 PM 2026-03-02") is None


def test_planned_codes_are_split_and_kept_once() -> None:
    assert planned_codes("11102; 17000,17003 11102") == (["11102", "17000", "17003"], [])
    assert planned_codes("11102 biopsy") == (["11102"], ["BIOPSY"])


def test_an_appointment_is_checked_whole() -> None:
    checked = checked_appointment({"start": "2026-03-02 09:30", "minutes": "20", "visit_type": " procedure ",
                                   "planned_codes": "11102 17000"})
    assert (checked.starts_at, checked.minutes, checked.visit_type, checked.planned_codes, checked.status) == (
        AT, 20, "procedure", ("11102", "17000"), "booked")
    assert checked_appointment({"start": AT}).minutes == 15


def test_every_bad_field_is_named_with_what_is_accepted() -> None:
    with pytest.raises(InvalidFields) as refused:
        checked_appointment({"start": "tomorrow", "minutes": "2", "planned_codes": "BX1", "status": "maybe",
                             "visit_type": "x" * 41})
    problems = {p.field: p.message for p in refused.value.problems}
    assert set(problems) == {"start", "minutes", "planned_codes", "status", "visit_type"}
    assert "YYYY-MM-DD HH:MM" in problems["start"] and "5 to 600" in problems["minutes"]
    with pytest.raises(InvalidFields, match="was not saved"):
        checked_appointment({})
