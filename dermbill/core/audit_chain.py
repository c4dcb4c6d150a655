"""The audit trail's hash chain: each event carries the hash of the one before, so an edit, a deletion or an
insertion shows (issue 13).

An event's hash is the SHA-256 of a canonical serialization of every stored field except the hash itself
(sorted-key JSON, timestamps in ISO form in UTC, integers as integers) together with the previous event's hash.
The first event follows ``GENESIS``. Worked example: events 1, 2, 3 with hashes h1, h2, h3; deleting event 2
leaves event 3 at sequence 3 after sequence 1 (a gap), and its ``previous_hash`` h2 differs from h1.

Pure: no database, no clock. ``dermbill.db.audit_trail`` appends and reads; ``verify`` decides.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64  # the previous hash of the first event

# The stored fields an event's hash covers, besides its previous hash.
HASHED_FIELDS = (
    "id", "sequence", "organization_id", "practice_id", "occurred_at", "actor", "action", "entity_type",
    "entity_id", "detail", "source", "address",
)


def _canonical_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            raise ValueError("audit timestamps must be timezone-aware (UTC)")
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, Mapping):
        return {str(key): _canonical_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical_value(item) for item in value]
    if isinstance(value, float):
        return value
    raise ValueError(f"an audit event cannot hold a {type(value).__name__} ({value!r}); store text or numbers")


def canonical_form(fields: Mapping[str, Any], previous_hash: str) -> str:
    """The text an event's hash is computed over: its hashed fields and the previous hash, as sorted-key JSON."""
    missing = [name for name in HASHED_FIELDS if name not in fields]
    if missing:
        raise ValueError(f"an audit event needs {', '.join(missing)} to be hashed")
    body = {name: _canonical_value(fields[name]) for name in HASHED_FIELDS}
    body["previous_hash"] = previous_hash
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def event_hash(fields: Mapping[str, Any], previous_hash: str) -> str:
    """The hex SHA-256 of an event: its hashed fields and the hash of the event before it."""
    return hashlib.sha256(canonical_form(fields, previous_hash).encode("ascii")).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainedEvent:
    """An event as stored: its fields (``HASHED_FIELDS``), the previous hash it carries and its own hash."""

    fields: Mapping[str, Any]
    previous_hash: str
    row_hash: str

    @property
    def sequence(self) -> int:
        return int(self.fields["sequence"])

    @property
    def label(self) -> str:
        return f"event {self.fields['id']} (sequence {self.sequence})"


@dataclass(frozen=True, slots=True)
class ChainHead:
    """Where the last append left the chain: its sequence and hash (0 and ``GENESIS`` when empty)."""

    sequence: int
    row_hash: str


@dataclass(frozen=True, slots=True)
class BrokenLink:
    """The first place the chain does not hold, and why."""

    sequence: int
    event_id: int | None
    message: str


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of a walk: how many events, the last one's sequence and hash, and the first broken link."""

    events: int
    last_sequence: int
    head: str
    broken: BrokenLink | None

    @property
    def clean(self) -> bool:
        return self.broken is None


def verify(events: Iterable[ChainedEvent], start: Verification | None = None) -> Verification:
    """Walk ``events`` in sequence order and return the first broken link, if any.

    ``events`` may be a lazy iterable (read in batches): only the previous event's sequence and hash are kept.
    ``start`` continues a clean walk with the events after it.
    """
    if start is not None and not start.clean:
        return start
    count, last, previous_hash = (start.events, start.last_sequence, start.head) if start else (0, 0, GENESIS)
    for event in events:
        count += 1
        after = f"sequence {last}" if last else "the start of the chain"
        message = None
        if event.sequence > last + 1:
            missing = (f"sequence {last + 1} is" if event.sequence == last + 2
                       else f"sequences {last + 1} to {event.sequence - 1} are")
            message = f"{missing} missing: {event.label} follows {after} (an event was deleted)"
        elif event.sequence < last + 1:
            message = f"{event.label} repeats a sequence number after {after} (an event was inserted)"
        elif event_hash(event.fields, event.previous_hash) != event.row_hash:
            message = f"{event.label} was changed: its hash does not match its content"
        elif event.previous_hash != previous_hash:
            message = (f"{event.label} does not follow {after}: the previous hash it carries is not that event's "
                       f"hash (an event before it was changed, deleted or inserted)")
        if message is not None:
            return Verification(count, last, previous_hash, BrokenLink(event.sequence, _id(event), message))
        last, previous_hash = event.sequence, event.row_hash
    return Verification(count, last, previous_hash, None)


def compare_with_head(verification: Verification, recorded: ChainHead) -> Verification:
    """A clean walk checked against the head the last append recorded: events missing at the end of the chain, or
    events beyond it, are broken links too (the chain alone cannot show them)."""
    if not verification.clean:
        return verification
    last, head = verification.last_sequence, verification.head
    if last < recorded.sequence:
        message = (f"sequence {last + 1}{f' to {recorded.sequence}' if recorded.sequence > last + 1 else ''} "
                   f"missing: the chain ends at sequence {last} but the last append recorded sequence "
                   f"{recorded.sequence} (events were deleted)")
    elif last > recorded.sequence:
        message = (f"sequence {recorded.sequence + 1}{f' to {last}' if last > recorded.sequence + 1 else ''} "
                   f"past the chain head recorded by the last append (sequence {recorded.sequence}): events were "
                   f"inserted outside dermbill")
    elif head != recorded.row_hash:
        message = (f"the chain ends at sequence {last} with hash {head}, but the last append recorded hash "
                   f"{recorded.row_hash} (the last event was replaced)")
    else:
        return verification
    return Verification(verification.events, last, head,
                        BrokenLink(min(last, recorded.sequence) + 1, None, message))


def _id(event: ChainedEvent) -> int | None:
    value = event.fields.get("id")
    return int(value) if value is not None else None
