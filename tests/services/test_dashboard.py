"""The work dashboard counts each queue as its own service lists it, within the user's practices, and shows only
the queues the user's roles may see."""

from __future__ import annotations

from claim_world import TODAY, add_work, claim_world

from dermbill.core.access import Role
from dermbill.core.work_dashboard import Queue, visible_queues
from dermbill.db.engine import Database
from dermbill.services.dashboard import QueueSummary, work_dashboard
from dermbill.services.denials import list_items
from dermbill.services.era_posting import unmatched_queue
from dermbill.services.overpayments import overpayment_queue
from dermbill.services.transmission import fix_queue


def totals(summaries: list[QueueSummary]) -> dict[Queue, tuple[int, int]]:
    return {s.queue: (s.count, s.amount.cents) for s in summaries}


def test_a_managers_dashboard_counts_and_sums_each_queue_of_its_practices_only(database: Database) -> None:
    world = claim_world(database)
    expected = add_work(world)["ERA"]

    shown = work_dashboard(database, {world.ids["ERA"]}, {Role.MANAGER}, today=TODAY)

    assert [s.queue for s in shown] == list(Queue)
    assert totals(shown) == {
        Queue.READY_TO_SEND: expected.ready, Queue.SCRUB_ERRORS: expected.scrub_errors,
        Queue.REJECTED: expected.rejected, Queue.UNMATCHED_PAYMENTS: expected.unmatched,
        Queue.OVERPAYMENTS: expected.overpayments,
        Queue.DENIALS: (sum(c for c, _ in expected.denials.values()), sum(v for _, v in expected.denials.values()))}
    assert expected.ready[0] > 0 and expected.rejected[0] > 0 and expected.scrub_errors[0] > 0
    denials = next(s for s in shown if s.queue is Queue.DENIALS)
    assert {level.value: (t.count, t.amount.cents) for level, t in denials.by_urgency.items()} == {
        "overdue": (1, 1100), "due_soon": (3, 1200 + 1300 + 1600), "later": (1, 1400), "no_deadline": (1, 1500)}


def test_the_dashboard_agrees_with_the_queues_the_cli_lists(database: Database) -> None:
    """One company granted whole: the dashboard's counts are the lengths and sums of the services' own queues."""
    world = claim_world(database)
    add_work(world)
    company = {world.ids["ERA"], world.ids["ERB"], world.ids["OTH"]}

    shown = totals(work_dashboard(database, company, {Role.MANAGER}, today=TODAY))

    assert shown[Queue.REJECTED][0] == len({item["claim"] for item in fix_queue(database)})
    assert shown[Queue.UNMATCHED_PAYMENTS] == (len(unmatched_queue(database)), sum(
        int(item["paid"].replace(".", "")) for item in unmatched_queue(database)))
    assert shown[Queue.OVERPAYMENTS] == (len(overpayment_queue(database)), sum(
        o.amount.cents for o in overpayment_queue(database)))
    items = list_items(database, today=TODAY)
    assert shown[Queue.DENIALS] == (len(items), sum(item.amount.cents for item in items))


def test_each_role_sees_only_the_queues_it_may(database: Database) -> None:
    world = claim_world(database)
    add_work(world)
    era = {world.ids["ERA"]}

    def queues(*roles: Role) -> list[Queue]:
        return [s.queue for s in work_dashboard(database, era, set(roles), today=TODAY)]

    assert queues(Role.FRONT_DESK) == [] and queues(Role.ADMINISTRATOR) == []
    assert queues(Role.CODER) == [Queue.SCRUB_ERRORS]
    assert queues(Role.BILLER) == list(Queue)
    assert queues(Role.DENIAL_SPECIALIST) == [Queue.SCRUB_ERRORS, Queue.DENIALS, Queue.UNMATCHED_PAYMENTS,
                                              Queue.OVERPAYMENTS]
    assert queues(Role.CODER, Role.FRONT_DESK) == queues(Role.CODER)
    assert visible_queues([Role.AUDITOR]) == [Queue.DENIALS, Queue.UNMATCHED_PAYMENTS, Queue.OVERPAYMENTS]


def test_a_user_without_practices_has_empty_queues(database: Database) -> None:
    world = claim_world(database)
    add_work(world)
    assert all(s.count == 0 and s.amount.cents == 0
               for s in work_dashboard(database, set(), {Role.MANAGER}, today=TODAY))
