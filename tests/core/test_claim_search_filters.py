"""Claim search filters parsed from text: each bad one names its field and what would be accepted."""

from __future__ import annotations

import datetime

import pytest

from dermbill.core.claim_search import (
    ClaimSearch,
    Cursor,
    InvalidSearch,
    NameQuery,
    name_query,
    parse_cursor,
    parse_search,
    prefix_bounds,
)
from dermbill.core.claims import ClaimStatus


def test_empty_filters_are_no_filters() -> None:
    assert parse_search() == ClaimSearch()
    assert parse_search(q="  ", status="", date_from="", practice=" ") == ClaimSearch()


def test_every_filter_parsed() -> None:
    found = parse_search(q=" ERA-1 ", patient="doe, jane", date_from="2026-01-01", date_to="2026-01-31",
                         payer="acme", provider="1234567893", status="ready, Denied", practice="era")
    assert found == ClaimSearch("ERA-1", "doe, jane", datetime.date(2026, 1, 1), datetime.date(2026, 1, 31), "acme",
                                "1234567893", frozenset({ClaimStatus.READY, ClaimStatus.DENIED}), "ERA")
    assert found.patient_as_name == NameQuery("DOE", "JANE")
    assert name_query("  o'brien ,  ann  marie") == NameQuery("O'BRIEN", "ANN MARIE")


@pytest.mark.parametrize(("filters", "field", "says"), [
    ({"date_from": "2026-02-30"}, "date_from", "is not a date; write it as YYYY-MM-DD"),
    ({"date_to": "yesterday"}, "date_to", "is not a date"),
    ({"date_from": "2026-03-02", "date_to": "2026-03-01"}, "date_to", "is before date_from 2026-03-02"),
    ({"status": "ready,lost"}, "status", "'lost' is not a claim state; use one of draft, coded"),
    ({"q": "x" * 61}, "q", "longer than 60 characters"),
])
def test_a_bad_filter_names_its_field_and_what_to_do(filters: dict[str, str], field: str, says: str) -> None:
    with pytest.raises(InvalidSearch) as refused:
        parse_search(**filters)
    assert refused.value.field == field
    assert says in refused.value.problem and str(refused.value).startswith(f"{field}: ")


def test_one_day_is_a_range() -> None:
    assert parse_search(date_from="2026-03-02", date_to="2026-03-02").date_to == datetime.date(2026, 3, 2)


def test_the_cursor_reads_back_what_it_wrote() -> None:
    cursor = Cursor(datetime.date(2026, 3, 2), 1234)
    assert str(cursor) == "2026-03-02.1234" and parse_cursor(str(cursor)) == cursor
    for bad in ("ERA-1", "2026-03-02", "2026-13-01.5", ".5", "2026-03-02.x"):
        with pytest.raises(InvalidSearch, match="^after: .*next_after"):
            parse_cursor(bad)


def test_prefix_bounds_hold_exactly_the_strings_with_the_prefix() -> None:
    low, high = prefix_bounds("ERA00")
    assert (low, high) == ("ERA00", "ERA01")
    assert all(low <= s < high for s in ("ERA00", "ERA009", "ERA00~"))
    assert not any(low <= s < high for s in ("ERA0", "ERA01", "ERA1"))
