"""The audit trail: checking its hash chain, and saying where the units of work of a command or route come from.

``verify_audit_trail`` walks the chain in batches (memory stays flat at millions of events) and, when the walk is
clean, compares its end with the head the last append recorded. Appends that commit during the walk are walked
too: the head is read after the walk, and events and head commit together, so every event up to it is visible.
"""

from __future__ import annotations

from functools import partial

from sqlalchemy.orm import Session

from dermbill.core.audit_chain import Verification, compare_with_head, verify
from dermbill.db.audit_origin import audit_origin as audit_origin  # for the interfaces: who drives the work
from dermbill.db.audit_trail import READ_BATCH, chained_events, recorded_head
from dermbill.db.engine import Database
from dermbill.db.repositories import UnitOfWork

__all__ = ["audit_origin", "verify_audit_trail"]


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
