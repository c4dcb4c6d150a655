"""Today's work, queue by queue: which queues a role sees and how urgent a denial work item is.

Pure. The queues are the ones the CLI and the services already define (``dermbill.services.dashboard`` counts
them); this module only decides what is shown to whom and how a denial's deadline ranks it, with the same 30-day
window as the work queue's order (``core.denials.priority``).

Example: a denial due in 12 days is ``due_soon``; one whose deadline passed yesterday is ``overdue``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from enum import Enum

from dermbill.core.access import Permission, Role, allowed
from dermbill.core.denials import URGENT_DAYS


class Queue(Enum):
    READY_TO_SEND = "ready_to_send"  # claims in state ready: what the next 837P export sends
    SCRUB_ERRORS = "scrub_errors"  # claims the scrubber stopped
    REJECTED = "rejected"  # the fix queue: rejected by a 999 or a 277CA, with the payer's words
    DENIALS = "denials"  # open denial and underpayment work items
    UNMATCHED_PAYMENTS = "unmatched_payments"  # 835 claim payments that matched none of our claims
    OVERPAYMENTS = "overpayments"  # open overpayments: owed back to payers

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {
    Queue.READY_TO_SEND: "claims ready to send",
    Queue.SCRUB_ERRORS: "claims with scrub errors",
    Queue.REJECTED: "claims rejected (999/277CA)",
    Queue.DENIALS: "denials and underpayments",
    Queue.UNMATCHED_PAYMENTS: "unmatched payments",
    Queue.OVERPAYMENTS: "overpayments to refund",
}

# The permission that shows a queue: for claims, the one that works the queue (a coder scrubs but does not send);
# for money, the one that sees remittances (what an unmatched payment or an overpayment is part of).
SEEN_WITH: dict[Queue, Permission] = {
    Queue.READY_TO_SEND: Permission.SUBMIT_CLAIMS,
    Queue.SCRUB_ERRORS: Permission.SCRUB_CLAIMS,
    Queue.REJECTED: Permission.WORK_FIX_QUEUE,
    Queue.DENIALS: Permission.VIEW_DENIALS,
    Queue.UNMATCHED_PAYMENTS: Permission.VIEW_REMITTANCES,
    Queue.OVERPAYMENTS: Permission.VIEW_REMITTANCES,
}


def visible_queues(roles: Iterable[Role]) -> list[Queue]:
    """The queues ``roles`` may see, in the dashboard's order."""
    held = list(roles)
    return [queue for queue in Queue if allowed(held, SEEN_WITH[queue])]


class Urgency(Enum):
    OVERDUE = "overdue"  # the deadline passed
    DUE_SOON = "due_soon"  # due within URGENT_DAYS (today included)
    LATER = "later"
    NO_DEADLINE = "no_deadline"


def urgency(deadline: datetime.date | None, today: datetime.date) -> Urgency:
    """How urgent a work item is by its deadline, on ``today``."""
    if deadline is None:
        return Urgency.NO_DEADLINE
    left = (deadline - today).days
    if left < 0:
        return Urgency.OVERDUE
    return Urgency.DUE_SOON if left <= URGENT_DAYS else Urgency.LATER
