"""Appending to and reading the hash-chained audit trail (the chain itself: ``dermbill.core.audit_chain``).

Appends are serialized by the one row of ``audit_chain_head``: on PostgreSQL it is locked with
``SELECT ... FOR UPDATE``; on SQLite the first write of a transaction takes the database's write lock, which
writing the head row does. The caller flushes its own changes first, so the lock is the last thing taken and is
held only while the audit rows are inserted and the transaction commits (no lock waits on a lock it holds).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table, func, insert, select, text, update
from sqlalchemy.orm import Session

from dermbill.core.audit_chain import GENESIS, HASHED_FIELDS, ChainedEvent, ChainHead, event_hash
from dermbill.core.errors import StorageUnavailable
from dermbill.db.models import AuditChainHeadRow, AuditEventRow

READ_BATCH = 5000  # events per query when walking the chain

_HEAD: Table = AuditChainHeadRow.__table__  # type: ignore[assignment]  # declared tables are Tables
_EVENT: Table = AuditEventRow.__table__  # type: ignore[assignment]


def normalized_detail(detail: dict[str, Any] | None) -> dict[str, Any]:
    """The detail as it will read back from the database (tuples as lists, keys as text), so its hash holds."""
    return dict(json.loads(json.dumps(detail or {}, allow_nan=False)))


def append_events(session: Session, events: Sequence[dict[str, Any]]) -> None:
    """Insert ``events`` (fields but id, sequence and hashes) at the end of the chain, in order, in this
    transaction."""
    if not events:
        return
    postgresql = session.get_bind().dialect.name == "postgresql"
    if postgresql:
        head = session.execute(select(_HEAD.c.last_sequence, _HEAD.c.last_hash).where(_HEAD.c.id == 1)
                               .with_for_update()).first()
        ids = list(session.scalars(
            text("SELECT nextval(pg_get_serial_sequence('audit_event', 'id')) FROM generate_series(1, :n)"),
            {"n": len(events)}))
    else:
        # Writing first: SQLite's write lock, held to commit, is what serializes appends there.
        session.execute(update(_HEAD).where(_HEAD.c.id == 1).values(last_sequence=_HEAD.c.last_sequence))
        head = session.execute(select(_HEAD.c.last_sequence, _HEAD.c.last_hash).where(_HEAD.c.id == 1)).first()
        first = int(session.scalar(select(func.coalesce(func.max(_EVENT.c.id), 0))) or 0) + 1
        ids = list(range(first, first + len(events)))
    if head is None:
        raise StorageUnavailable("the audit trail's chain head (table audit_chain_head) is missing, so no change can "
                                 "be recorded; run 'dermbill audit verify' and restore the database from a backup")
    sequence, previous = int(head.last_sequence), str(head.last_hash)
    rows = []
    for event_id, event in zip(ids, events, strict=True):
        sequence += 1
        fields = {**event, "id": int(event_id), "sequence": sequence}
        row_hash = event_hash(fields, previous)
        rows.append({**fields, "previous_hash": previous, "row_hash": row_hash})
        previous = row_hash
    session.execute(insert(_EVENT), rows)
    session.execute(update(_HEAD).where(_HEAD.c.id == 1).values(last_sequence=sequence, last_hash=previous))


def recorded_head(session: Session) -> ChainHead:
    """The head the last append recorded (the empty chain if the row is missing)."""
    row = session.execute(select(_HEAD.c.last_sequence, _HEAD.c.last_hash).where(_HEAD.c.id == 1)).first()
    return ChainHead(int(row.last_sequence), str(row.last_hash)) if row else ChainHead(0, GENESIS)


def chained_events(session: Session, *, after: int = 0, batch: int = READ_BATCH,
                   criteria: Sequence[ColumnElement[bool]] = ()) -> Iterator[ChainedEvent]:
    """Every event after sequence ``after`` (and matching ``criteria``), in sequence order, read ``batch`` at a
    time."""
    columns = [_EVENT.c[name] for name in (*HASHED_FIELDS, "previous_hash", "row_hash")]
    last = after
    while True:
        rows = session.execute(select(*columns).where(_EVENT.c.sequence > last, *criteria)
                               .order_by(_EVENT.c.sequence).limit(batch)).mappings().all()
        for row in rows:
            fields = dict(row)
            previous_hash, row_hash = fields.pop("previous_hash"), fields.pop("row_hash")
            yield ChainedEvent(fields, previous_hash, row_hash)
        if len(rows) < batch:
            return
        last = int(rows[-1]["sequence"])


def event_criteria(*, since: datetime.datetime | None = None, actor: str | None = None,
                   entity_type: str | None = None) -> list[ColumnElement[bool]]:
    """Filters for ``chained_events``: at or after ``since``, by ``actor``, on records of ``entity_type``."""
    criteria: list[ColumnElement[bool]] = []
    if since is not None:
        criteria.append(_EVENT.c.occurred_at >= since)
    if actor is not None:
        criteria.append(_EVENT.c.actor == actor)
    if entity_type is not None:
        criteria.append(_EVENT.c.entity_type == entity_type)
    return criteria
