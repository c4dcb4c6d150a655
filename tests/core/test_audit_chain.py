"""The audit trail's hash chain, without a database: what an edit, a deletion and an insertion look like."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

import pytest

from dermbill.core.audit_chain import (
    GENESIS,
    ChainedEvent,
    ChainHead,
    canonical_form,
    compare_with_head,
    event_hash,
    verify,
)

AT = datetime.datetime(2026, 12, 5, 7, 0, 1, 250000, tzinfo=datetime.UTC)


def fields(position: int, **changes: Any) -> dict[str, Any]:
    return {"id": 100 + position, "sequence": position, "organization_id": 1, "practice_id": 2, "occurred_at": AT,
            "actor": "pat", "action": "claim.submitted", "entity_type": "claim", "entity_id": 7 * position,
            "detail": {"interchange": "000000001", "lines": [1, 2]}, "source": "cli: submit", "address": None,
            **changes}


def chain(count: int) -> list[ChainedEvent]:
    events, previous = [], GENESIS
    for sequence in range(1, count + 1):
        row_hash = event_hash(fields(sequence), previous)
        events.append(ChainedEvent(fields(sequence), previous, row_hash))
        previous = row_hash
    return events


def test_the_canonical_form_is_sorted_key_json_with_utc_iso_timestamps_and_ints_as_ints() -> None:
    eastern = AT.astimezone(datetime.timezone(datetime.timedelta(hours=-5)))
    text = canonical_form(fields(3, occurred_at=eastern), GENESIS)
    assert text.startswith('{"action":"claim.submitted","actor":"pat","address":null,"detail":{"interchange":')
    assert '"occurred_at":"2026-12-05T07:00:01.250000+00:00"' in text
    assert '"sequence":3' in text and '"entity_id":21' in text and f'"previous_hash":"{GENESIS}"' in text
    assert event_hash(fields(3, occurred_at=eastern), GENESIS) == event_hash(fields(3), GENESIS)


def test_every_field_and_the_previous_hash_change_the_hash() -> None:
    base = event_hash(fields(1), GENESIS)
    for name, value in [("id", 1), ("sequence", 2), ("organization_id", None), ("practice_id", 3), ("actor", "x"),
                        ("occurred_at", AT + datetime.timedelta(microseconds=1)), ("action", "claim.paid"),
                        ("entity_type", "patient"), ("entity_id", 8), ("detail", {"interchange": "000000002"}),
                        ("source", "GET /claims/{n}"), ("address", "10.0.0.1")]:
        assert event_hash(fields(1, **{name: value}), GENESIS) != base, name
    assert event_hash(fields(1), "1" * 64) != base


def test_a_naive_timestamp_cannot_be_hashed() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        event_hash(fields(1, occurred_at=AT.replace(tzinfo=None)), GENESIS)


def test_an_intact_chain_is_clean_and_ends_at_its_last_hash() -> None:
    events = chain(5)
    result = verify(events)
    assert result.clean and result.events == 5 and result.last_sequence == 5 and result.head == events[-1].row_hash
    assert compare_with_head(result, ChainHead(5, events[-1].row_hash)).clean
    assert verify([]).clean and verify([]).head == GENESIS


def test_a_walk_continues_from_where_it_stopped() -> None:
    events = chain(6)
    assert verify(events[3:], start=verify(events[:3])) == verify(events)


def test_a_changed_event_is_named() -> None:
    events = chain(5)
    events[2] = dataclasses.replace(events[2], fields=fields(3, actor="mallory"))
    broken = verify(events).broken
    assert broken is not None and (broken.sequence, broken.event_id) == (3, 103)
    assert broken.message == "event 103 (sequence 3) was changed: its hash does not match its content"


def test_a_changed_event_whose_hash_was_recomputed_breaks_the_next_link() -> None:
    events = chain(5)
    forged = fields(3, actor="mallory")
    events[2] = ChainedEvent(forged, events[2].previous_hash, event_hash(forged, events[2].previous_hash))
    broken = verify(events).broken
    assert broken is not None and broken.sequence == 4
    assert broken.message.startswith("event 104 (sequence 4) does not follow sequence 3: the previous hash")


def test_a_deleted_event_leaves_a_gap() -> None:
    events = chain(5)
    del events[1]
    broken = verify(events).broken
    assert broken is not None and broken.sequence == 3
    assert broken.message == ("sequence 2 is missing: event 103 (sequence 3) follows sequence 1 "
                              "(an event was deleted)")
    del events[0]
    assert verify(events).broken.message.startswith(  # type: ignore[union-attr]
        "sequences 1 to 2 are missing: event 103 (sequence 3) follows the start of the chain")


def test_deleted_last_events_and_appended_forgeries_show_against_the_recorded_head() -> None:
    events = chain(5)
    head = ChainHead(5, events[-1].row_hash)
    short = compare_with_head(verify(events[:3]), head).broken
    assert short is not None and short.sequence == 4
    assert short.message.startswith("sequence 4 to 5 missing: the chain ends at sequence 3")
    longer = compare_with_head(verify(chain(6)), head).broken
    assert longer is not None and longer.sequence == 6 and "inserted outside dermbill" in longer.message
    replaced = compare_with_head(verify(events), ChainHead(5, "f" * 64)).broken
    assert replaced is not None and "the last event was replaced" in replaced.message
