"""The audit trail: checking its hash chain, and saying where the units of work of a command or route come from.

``verify_audit_trail`` walks the chain in batches (memory stays flat at millions of events) and, when the walk is
clean, compares its end with the head the last append recorded. Appends that commit during the walk are walked
too: the head is read after the walk, and events and head commit together, so every event up to it is visible.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy.orm import Session

from dermbill.core.audit_chain import Verification, compare_with_head, verify
from dermbill.db.audit_origin import audit_origin as audit_origin  # for the interfaces: who drives the work
from dermbill.db.audit_trail import READ_BATCH, chained_events, event_criteria, recorded_head
from dermbill.db.engine import Database
from dermbill.db.repositories import UnitOfWork

__all__ = ["AuditEntry", "audit_entries", "audit_origin", "record_read", "verify_audit_trail"]


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One event of the trail as an auditor reads it."""

    sequence: int
    id: int
    occurred_at: datetime.datetime
    actor: str
    source: str
    address: str | None
    action: str
    entity_type: str
    entity_id: int | None
    organization_id: int | None
    practice_id: int | None
    detail: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"sequence": self.sequence, "id": self.id, "occurred_at": self.occurred_at.isoformat(),
                "actor": self.actor, "source": self.source, "address": self.address, "action": self.action,
                "entity_type": self.entity_type, "entity_id": self.entity_id,
                "organization_id": self.organization_id, "practice_id": self.practice_id, "detail": self.detail}


def audit_entries(database: Database, *, since: datetime.date | None = None, actor: str | None = None,
                  entity_type: str | None = None, batch: int = READ_BATCH) -> Iterator[AuditEntry]:
    """The events from the start of day ``since`` (UTC), of ``actor``, on records of ``entity_type``, in chain
    order; read in batches as they are consumed."""
    start = datetime.datetime.combine(since, datetime.time(), datetime.UTC) if since else None
    criteria = event_criteria(since=start, actor=actor, entity_type=entity_type)
    with UnitOfWork(database, actor="audit") as uow:
        events = chained_events(uow.session, batch=batch, criteria=criteria)
        while True:
            event = uow.guarded(partial(next, events, None))
            if event is None:
                return
            fields = event.fields
            yield AuditEntry(**{field.name: fields[field.name] for field in dataclasses.fields(AuditEntry)})


def verify_audit_trail(database: Database, *, batch: int = READ_BATCH) -> Verification:
    """The whole chain checked: clean, or the first event that was changed, deleted or inserted."""
    with UnitOfWork(database, actor="audit") as uow:
        session = uow.session
        result = uow.guarded(lambda: verify(chained_events(session, batch=batch)))
        while True:
            head = uow.guarded(lambda: recorded_head(session))
            if not result.clean or head.sequence <= result.last_sequence:
                break
            walked = result
            result = uow.guarded(partial(_walk_on, session, walked, batch))
            if result.last_sequence == walked.last_sequence:  # the head names events that are not there
                break
        return compare_with_head(result, head)


def _walk_on(session: Session, walked: Verification, batch: int) -> Verification:
    return verify(chained_events(session, after=walked.last_sequence, batch=batch), start=walked)


def record_read(database: Database, action: str, entity_type: str, *, actor: str,
                records: list[str], detail: dict[str, Any] | None = None, organization_id: int | None = None,
                practice_id: int | None = None) -> None:
    """Audit a read of PHI that a command or screen showed: which records (claim numbers, accounts, ids). A
    screen names the user's billing company (and their practice, when one), so its auditors find the read."""
    with UnitOfWork(database, actor=actor) as uow:
        uow.audit(action, entity_type, None, organization_id=organization_id, practice_id=practice_id,
                  detail={**(detail or {}), "records": records[:1000], "count": len(records)})
        uow.commit()
