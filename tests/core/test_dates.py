from __future__ import annotations

import datetime

import pytest

from dermbill.core.dates import DateRange, age_on, parse_iso_date
from dermbill.core.errors import InvalidInput


def test_range_includes_both_ends_and_open_end_runs_forever() -> None:
    closed = DateRange(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    assert closed.contains(datetime.date(2025, 1, 1))
    assert closed.contains(datetime.date(2025, 12, 31))
    assert not closed.contains(datetime.date(2024, 12, 31))
    assert not closed.contains(datetime.date(2026, 1, 1))
    assert DateRange(datetime.date(2025, 1, 1)).contains(datetime.date(2099, 1, 1))


def test_range_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(InvalidInput):
        DateRange(datetime.date(2025, 1, 2), datetime.date(2025, 1, 1))


@pytest.mark.parametrize(("born", "day", "age"), [
    (datetime.date(1950, 3, 2), datetime.date(2026, 3, 1), 75),
    (datetime.date(1950, 3, 2), datetime.date(2026, 3, 2), 76),
    (datetime.date(1952, 2, 29), datetime.date(2026, 2, 28), 73),
    (datetime.date(1952, 2, 29), datetime.date(2026, 3, 1), 74),
])
def test_age_counts_whole_years_from_the_birthday(born: datetime.date, day: datetime.date, age: int) -> None:
    assert age_on(born, day) == age


def test_iso_dates_only() -> None:
    assert parse_iso_date("2026-03-02", field="x") == datetime.date(2026, 3, 2)
    with pytest.raises(InvalidInput, match="as_of: '03/02/2026' is not a date"):
        parse_iso_date("03/02/2026", field="as_of")
