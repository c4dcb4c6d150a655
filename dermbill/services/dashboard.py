"""Today's work for a user, queue by queue, with counts and dollars, for the practices the user may see.

Each queue is the one the CLI works (``dermbill`` commands and their services), counted here within the user's
practices instead of listed for every practice:

- ready to send: claims in state ``ready``, what ``export_837p`` sends next (``services.submission``);
- scrub errors: claims in state ``scrub_errors``;
- rejected: the fix queue (``services.transmission.fix_queue``): rejected claims carrying the rejection finding;
- denials: the denial work queue as ``services.denials.list_items`` shows it (open and waiting items, snoozed ones
  whose day came), by urgency of their deadline (``core.work_dashboard.urgency``);
- unmatched payments: ``services.era_posting.unmatched_queue``, the unresolved ones;
- overpayments: ``services.overpayments.overpayment_queue``, the open ones, by the amount still open.

Only the queues the user's roles may see are counted (``core.work_dashboard.visible_queues``). Counts and sums
name no patient: the dashboard reads no protected health information and is not audited.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func, select

from dermbill.core.access import Role
from dermbill.core.claims import ClaimStatus
from dermbill.core.money import Money
from dermbill.core.resubmission import REJECTION_RULE
from dermbill.core.work_dashboard import Queue, Urgency, urgency, visible_queues
from dermbill.db.engine import Database
from dermbill.db.models import ClaimFindingRow, ClaimRow, DenialItemRow, OverpaymentRow, UnmatchedRemittanceRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.denials import in_queue


@dataclass(frozen=True, slots=True)
class QueueTotal:
    count: int
    amount: Money


@dataclass(frozen=True, slots=True)
class QueueSummary:
    queue: Queue
    count: int
    amount: Money
    by_urgency: dict[Urgency, QueueTotal] = field(default_factory=dict)  # denials only


def work_dashboard(database: Database, practice_ids: Collection[int], roles: Iterable[Role], *,
                   today: datetime.date) -> list[QueueSummary]:
    """The queues ``roles`` may see, each with how many items and how much money, for these practices."""
    queues = visible_queues(roles)
    scope = sorted(practice_ids)
    with UnitOfWork(database, actor="dashboard") as uow:
        session = uow.session

        def claims_in(status: ClaimStatus, *extra: ColumnElement[bool]) -> QueueTotal:
            count, cents = session.execute(
                select(func.count(), func.coalesce(func.sum(ClaimRow.total_charge_cents), 0))
                .where(ClaimRow.practice_id.in_(scope), ClaimRow.status == status.value, *extra)).one()
            return QueueTotal(int(count), Money(int(cents)))

        found: list[QueueSummary] = []
        for queue in queues:
            if queue is Queue.READY_TO_SEND:
                total = claims_in(ClaimStatus.READY)
            elif queue is Queue.SCRUB_ERRORS:
                total = claims_in(ClaimStatus.SCRUB_ERRORS)
            elif queue is Queue.REJECTED:
                total = claims_in(ClaimStatus.REJECTED, ClaimRow.id.in_(
                    select(ClaimFindingRow.claim_id).where(ClaimFindingRow.practice_id.in_(scope),
                                                           ClaimFindingRow.rule == REJECTION_RULE)))
            elif queue is Queue.DENIALS:
                found.append(_denials(session.scalars(select(DenialItemRow).where(
                    DenialItemRow.practice_id.in_(scope),
                    DenialItemRow.status.in_(("open", "waiting", "snoozed")))).all(), today))
                continue
            elif queue is Queue.UNMATCHED_PAYMENTS:
                count, cents = session.execute(
                    select(func.count(), func.coalesce(func.sum(UnmatchedRemittanceRow.paid_cents), 0))
                    .where(UnmatchedRemittanceRow.practice_id.in_(scope),
                           UnmatchedRemittanceRow.resolved.is_(False))).one()
                total = QueueTotal(int(count), Money(int(cents)))
            else:
                count, cents = session.execute(
                    select(func.count(), func.coalesce(func.sum(OverpaymentRow.open_cents), 0))
                    .where(OverpaymentRow.practice_id.in_(scope), OverpaymentRow.status == "open")).one()
                total = QueueTotal(int(count), Money(int(cents)))
            found.append(QueueSummary(queue, total.count, total.amount))
        return found


def _denials(rows: Iterable[DenialItemRow], today: datetime.date) -> QueueSummary:
    counts = {level: 0 for level in Urgency}
    cents = {level: 0 for level in Urgency}
    for row in rows:
        if in_queue(row, today):
            level = urgency(row.deadline, today)
            counts[level] += 1
            cents[level] += row.amount_cents
    return QueueSummary(Queue.DENIALS, sum(counts.values()), Money(sum(cents.values())),
                        {level: QueueTotal(counts[level], Money(cents[level])) for level in Urgency})
