"""The dashboard is kept between reads while its practices' data versions stay (report_version, raised by every
commit that writes a practice's rows), and computed again as soon as a posting or a claim event lands.

Practice P1: C1 (Medicare, 11102 $150, seen 10 June, submitted 12 June); P2: C2 ($100, seen 1 June).
"""

from __future__ import annotations

import pytest
from report_world import ReportWorld, day, moment

from dermbill.core.reports.filters import ReportFilter
from dermbill.core.reports.periods import Period
from dermbill.db.engine import Database
from dermbill.db.models import ClaimRow, ClaimStatusEventRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.report_dashboard import dashboard, data_versions, forget_kept

AS_OF = day(6, 30)
JUNE = Period(day(6, 1), day(6, 30))


@pytest.fixture
def world(database: Database) -> ReportWorld:
    world = ReportWorld(database)
    world.claim("P1", dos=day(6, 10), lines=[("11102", 15000)], submitted_on=day(6, 12))
    world.claim("P2", dos=day(6, 1), lines=[("11102", 10000)], submitted_on=day(6, 2))
    return world


def _p1(world: ReportWorld) -> ReportFilter:
    return ReportFilter.of({world.practices["P1"]}, AS_OF, JUNE)


def test_a_dashboard_read_again_with_nothing_written_is_the_one_kept(world: ReportWorld) -> None:
    first = dashboard(world.database, _p1(world))
    assert dashboard(world.database, _p1(world)) is first
    with UnitOfWork(world.database, actor="test") as uow:  # a transaction that only reads moves nothing
        assert uow.practice(world.practices["P1"]).count(ClaimRow) == 1
        uow.commit()
    assert dashboard(world.database, _p1(world)) is first


def test_a_forgotten_dashboard_is_computed_again_with_the_same_figures(world: ReportWorld) -> None:
    first = dashboard(world.database, _p1(world))
    forget_kept()
    again = dashboard(world.database, _p1(world))
    assert again is not first
    assert again.kpis.figure("charges").value == first.kpis.figure("charges").value


def test_a_payment_posted_after_the_dashboard_is_in_the_next_one(world: ReportWorld) -> None:
    database, f = world.database, _p1(world)
    before = dashboard(database, f)
    claim = world.claim("P1", dos=day(6, 15), lines=[("11102", 15000)], submitted_on=day(6, 16))
    after_charge = dashboard(database, f)
    assert after_charge is not before
    assert after_charge.kpis.figure("charges").value == (before.kpis.figure("charges").value or 0) + 150
    world.pay(claim, 1, 6000, on=day(6, 28))
    paid = dashboard(database, f)
    assert paid.kpis.figure("payments").value == (after_charge.kpis.figure("payments").value or 0) + 60
    assert paid.aging.totals == dashboard(database, f).aging.totals
    insurance = {kind.value: row.total.cents for kind, row in paid.aging.totals.items()}
    fresh = {kind.value: row.total.cents for kind, row in after_charge.aging.totals.items()}
    assert insurance["insurance"] == fresh["insurance"] - 6000


def test_a_claim_event_moves_the_version_of_its_practice_only(world: ReportWorld) -> None:
    database = world.database
    p1, p2 = world.practices["P1"], world.practices["P2"]
    claim = world.claim("P2", dos=day(6, 3), lines=[("11102", 10000)], submitted_on=day(6, 4))
    before = dict(data_versions(database, {p1, p2}))
    kept = dashboard(database, _p1(world))
    world.event(claim, "submitted", "paid", on=day(6, 20))
    after = dict(data_versions(database, {p1, p2}))
    assert after[p1] == before[p1] and after[p2] != before[p2]
    assert dashboard(database, _p1(world)) is kept  # P2's change leaves P1's dashboard as it was


def test_a_rolled_back_change_moves_no_version(world: ReportWorld) -> None:
    database, p1 = world.database, world.practices["P1"]
    before = data_versions(database, {p1})
    with UnitOfWork(database, actor="test") as uow:
        repo = uow.practice(p1)
        claim_id = repo.rows(ClaimRow)[0].id
        repo.add(ClaimStatusEventRow(claim_id=claim_id, from_status="submitted", to_status="paid", actor="test",
                                     reason="test", occurred_at=moment(day(6, 20))))
        uow.flush()  # written, never committed
    assert data_versions(database, {p1}) == before
