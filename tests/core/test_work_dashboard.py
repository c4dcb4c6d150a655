"""Which queues a role sees, and how urgent a denial is by its deadline (the work queue's 30-day window)."""

from __future__ import annotations

import datetime

from dermbill.core.access import Role
from dermbill.core.work_dashboard import Queue, Urgency, urgency, visible_queues

TODAY = datetime.date(2026, 4, 2)


def test_urgency_by_deadline() -> None:
    assert urgency(None, TODAY) is Urgency.NO_DEADLINE
    assert urgency(datetime.date(2026, 4, 1), TODAY) is Urgency.OVERDUE
    assert urgency(TODAY, TODAY) is Urgency.DUE_SOON
    assert urgency(datetime.date(2026, 5, 2), TODAY) is Urgency.DUE_SOON  # 30 days
    assert urgency(datetime.date(2026, 5, 3), TODAY) is Urgency.LATER


def test_queues_by_role() -> None:
    assert visible_queues([Role.FRONT_DESK]) == []
    assert visible_queues([Role.CODER]) == [Queue.SCRUB_ERRORS]
    assert visible_queues([Role.BILLER]) == visible_queues([Role.MANAGER]) == list(Queue)
    assert visible_queues([Role.AUDITOR]) == [Queue.DENIALS, Queue.UNMATCHED_PAYMENTS, Queue.OVERPAYMENTS]
