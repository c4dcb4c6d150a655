"""Each practice's key-figure parts are kept (report_parts) until its data version moves, and a billing company's
figures are its practices' parts added: equal to the figures summed over all its practices at once.

P1: A (Medicare, 11102 $150 + 17000 $50, charged 20 May, submitted 1 June; on 20 June line 1 paid $40, line 2 denied
$50, a denial item worked by a corrected claim A2 charged 22 June, $200, whose line 2 is paid $30 on 28 June); B
(Cigna, 11102 $200, charged 5 June, paid $120 and $30 to the patient on 15 June, a statement of $30 on 10 June, $10 of
patient cash on 20 June). P2: C (Medicare, 11102 $500, charged 2 June, denied whole on 10 June).
"""

from __future__ import annotations

import dataclasses
import functools
import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from report_world import ReportWorld, day
from sqlalchemy import select
from sqlalchemy.orm import Session

from dermbill.core.reports.aging import Basis, Kind
from dermbill.core.reports.denials import DenialFact, FamilyReview, Route
from dermbill.core.reports.filters import ReportFilter
from dermbill.core.reports.parts import (
    AGING_SLOTS,
    AgingParts,
    CodingSums,
    Collected,
    FigureParts,
    PatientSums,
    RevenueSums,
    add_aging_parts,
    add_parts,
    aging_parts_from_json,
    aging_parts_to_json,
    parts_from_json,
    parts_to_json,
)
from dermbill.core.reports.periods import Period
from dermbill.db.engine import Database
from dermbill.db.models import ReportAgingPartsRow, ReportPartsRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services import report_aging, report_parts
from dermbill.services.report_dashboard import dashboard, forget_kept
from dermbill.services.report_parts import data_versions, figure_parts
from dermbill.services.reports import DIMENSIONS, FIGURE_GROUPS, AgingReport, aging_report, payer_aging

AS_OF = day(6, 30)
JUNE = Period(day(6, 1), day(6, 30))


@pytest.fixture
def world(database: Database) -> ReportWorld:
    w = ReportWorld(database)
    a = w.claim("P1", dos=day(5, 20), lines=[("11102", 15000), ("17000", 5000)], submitted_on=day(6, 1))
    w.event(a, "submitted", "accepted", on=day(6, 2))
    r1 = w.remittance("P1", "MCR", on=day(6, 20))
    w.adjudicate(a, 1, r1, on=day(6, 20), paid=4000)
    w.adjudicate(a, 2, r1, on=day(6, 20), paid=0)
    w.pay(a, 1, 4000, on=day(6, 20))
    w.deny(a, 2, 5000, on=day(6, 20))
    w.denial_item(a, [2], on=day(6, 20), amount=5000, remittance_id=r1, carc="97", category="coding_bundling",
                  follow_up_claim_id=(a2 := w.follow_up(a, on=day(6, 22), payer="MCR", replacement=True)).id)
    w.pay(a2, 2, 3000, on=day(6, 28))
    b = w.claim("P1", dos=day(6, 5), payer="CIG", lines=[("11102", 20000)], submitted_on=day(6, 8))
    w.event(b, "submitted", "accepted", on=day(6, 9))
    w.pay(b, 1, 12000, on=day(6, 15))
    w.to_patient(b, 1, 3000, on=day(6, 15))
    w.statement(b, on=day(6, 10), cents=3000)
    w.patient_pays(b, 1, 1000, on=day(6, 20))
    w.review("P1", family="biopsy", accepted=True, on=day(6, 3))
    c = w.claim("P2", dos=day(6, 2), lines=[("11102", 50000)], submitted_on=day(6, 3))
    w.event(c, "submitted", "accepted", on=day(6, 4))
    r9 = w.remittance("P2", "MCR", on=day(6, 10))
    w.adjudicate(c, 1, r9, on=day(6, 10), paid=0)
    w.denial_item(c, [1], on=day(6, 10), amount=50000, remittance_id=r9)
    w.deny(c, 1, 50000, on=day(6, 10))
    return w


def _company(world: ReportWorld) -> ReportFilter:
    return ReportFilter.of(set(world.practices.values()), AS_OF, JUNE)


def _figures(parts: FigureParts) -> dict[str, object]:
    return {x.key: (x.value, x.numerator, x.denominator) for _, _, build in FIGURE_GROUPS for x in build(parts)}


def _summed_at_once(world: ReportWorld, f: ReportFilter) -> FigureParts:
    with UnitOfWork(world.database, actor="test") as uow:
        return figure_parts(uow, f)


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[frozenset[int]]:
    """The practices ``parts`` sums again, in order (each call summing one practice)."""
    summed: list[frozenset[int]] = []
    real = report_parts.figure_parts

    def counted(uow: UnitOfWork, f: ReportFilter) -> FigureParts:
        summed.append(f.practice_ids)
        return real(uow, f)
    monkeypatch.setattr(report_parts, "figure_parts", counted)
    return summed


def _counting_aging(monkeypatch: pytest.MonkeyPatch) -> list[tuple[frozenset[int], Basis]]:
    """The practices (and bases) whose aging parts ``report_parts.aging`` sums again, in order."""
    summed: list[tuple[frozenset[int], Basis]] = []
    real = report_aging.aging_parts

    def counted(session: Session, f: ReportFilter, basis: Basis) -> AgingParts:
        summed.append((f.practice_ids, basis))
        return real(session, f, basis)
    monkeypatch.setattr(report_aging, "aging_parts", counted)
    return summed


def test_the_company_is_its_practices_parts_added(world: ReportWorld) -> None:
    f = _company(world)
    kept = report_parts.parts(world.database, f)
    at_once = _summed_at_once(world, f)
    assert _figures(kept) == _figures(at_once)
    assert sorted(x.item_id for x in kept.denials) == sorted(x.item_id for x in at_once.denials)
    assert kept.charges_by_payer == at_once.charges_by_payer
    figures = _figures(kept)  # by hand: charged in June B $200 + C $500 + A2 $200; cash $40 + $120 + $30 + $10
    assert (figures["charges"][0], figures["payments"][0]) == (Decimal("900.00"), Decimal("200.00"))
    assert figures["denials"][0] == 2 and figures["denied_dollars"][0] == Decimal("550.00")
    assert figures["recovered_by_correction"][0] == Decimal("30.00")  # A2's line 2 paid after A's denial
    assert figures["statements_sent"][0] == 1


def test_parts_read_again_are_the_kept_ones(world: ReportWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    database, f = world.database, _company(world)
    first = report_parts.parts(database, f)
    summed = _counting(monkeypatch)
    assert _figures(report_parts.parts(database, f)) == _figures(first)
    assert summed == []
    assert _kept_versions(database) == dict(data_versions(database, f.practice_ids))


def _kept_versions(database: Database) -> dict[int, int]:
    with UnitOfWork(database, actor="test") as uow:
        rows = uow.session.execute(select(ReportPartsRow.practice_id, ReportPartsRow.version)).all()
    assert len(rows) == len({practice for practice, _ in rows})  # one period and day read: one row each
    return {practice: version for practice, version in rows}


def test_after_a_posting_only_its_practice_is_summed_again(world: ReportWorld,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    database, f, p2 = world.database, _company(world), world.practices["P2"]
    before = _figures(report_parts.parts(database, f))
    versions = _kept_versions(database)
    summed = _counting(monkeypatch)
    world.claim("P2", dos=day(6, 25), lines=[("17000", 7000)])
    after = _figures(report_parts.parts(database, f))
    assert summed == [frozenset({p2})]
    assert after["charges"][0] == before["charges"][0] + Decimal("70.00")  # type: ignore[operator]
    assert after == _figures(_summed_at_once(world, f))
    kept = _kept_versions(database)  # P2's parts of the old version are gone, P1's kept as they were
    assert kept[p2] != versions[p2] and kept[world.practices["P1"]] == versions[world.practices["P1"]]
    assert kept == dict(data_versions(database, f.practice_ids))


def test_this_process_remembers_the_parts_it_read_so_a_posting_costs_one_practice(
        world: ReportWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    database, f, p2 = world.database, _company(world), world.practices["P2"]
    report_parts.parts(database, f)
    forget_kept()  # as another process would: the kept parts are read from the database
    decoded: list[int] = []
    real = report_parts.parts_from_json

    def counted(data: dict[str, object]) -> FigureParts:
        decoded.append(1)
        return real(data)
    monkeypatch.setattr(report_parts, "parts_from_json", counted)
    first = _figures(report_parts.parts(database, f))
    assert len(decoded) == 2  # both practices' kept rows read once ...
    assert _figures(report_parts.parts(database, f)) == first and len(decoded) == 2  # ... and then remembered
    summed = _counting(monkeypatch)
    world.claim("P2", dos=day(6, 25), lines=[("17000", 7000)])
    after = _figures(report_parts.parts(database, f))
    assert summed == [frozenset({p2})] and len(decoded) == 2  # P2 summed again, P1 remembered: nothing read
    assert after == _figures(_summed_at_once(world, f))


@pytest.mark.parametrize("database", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_many_periods_of_a_practice_kept_at_once_keep_each_and_never_deadlock(world: ReportWorld) -> None:
    # On PostgreSQL parts are summed and kept in threads: keeping one practice's parts of several periods at once
    # (each drops the practice's parts of older versions) once deadlocked the dashboard's two periods.
    database = world.database
    months = [Period(day(month, 1), day(month, 28)) for month in (3, 4, 5, 6)]
    for _ in range(3):
        world.claim("P2", dos=day(6, 25), lines=[("17000", 7000)])  # a new version of P2: every period summed again
        calls = [functools.partial(report_parts.parts, database, ReportFilter.of(set(world.practices.values()),
                                                                                 period.end, period))
                 for period in months]
        report_parts.in_threads(database, calls)
    with UnitOfWork(database, actor="test") as uow:
        kept = uow.session.execute(select(ReportPartsRow.practice_id, ReportPartsRow.period_start)).all()
    assert sorted(kept) == sorted((p, period.start) for p in world.practices.values() for period in months)


def test_the_nightly_job_tells_its_progress_every_few_practices(world: ReportWorld,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report_parts, "KEEP_IN_STEPS_OF", 1)
    told: list[tuple[int, int]] = []
    kept = report_parts.keep_current(world.database, AS_OF, progress=lambda done, total: told.append((done, total)))
    assert kept == {"practices": 2, "summed": 8} and told == [(1, 2), (2, 2)]


def test_the_nightly_job_keeps_what_the_days_first_dashboard_reads(world: ReportWorld,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    database = world.database
    # 2 practices: the key figures of 2 periods, the aging on 2 bases
    assert report_parts.keep_current(database, AS_OF) == {"practices": 2, "summed": 8}
    assert report_parts.keep_current(database, AS_OF) == {"practices": 2, "summed": 0}
    summed, aged = _counting(monkeypatch), _counting_aging(monkeypatch)
    forget_kept()
    dashboard(database, ReportFilter.of({world.practices["P1"]}, AS_OF))  # a user of one practice, default period
    dashboard(database, ReportFilter.of(set(world.practices.values()), AS_OF))  # the company
    for basis in Basis:
        aging_report(database, ReportFilter.of(set(world.practices.values()), AS_OF), basis=basis)
    assert summed == [] and aged == []


def test_reading_kept_parts_moves_no_version(world: ReportWorld) -> None:
    database, f = world.database, _company(world)
    versions = data_versions(database, f.practice_ids)
    report_parts.parts(database, f)
    assert data_versions(database, f.practice_ids) == versions


def test_a_filter_naming_a_payer_is_summed_directly_and_not_kept(world: ReportWorld) -> None:
    f = dataclasses.replace(_company(world), payer_id=world.payers["CIG"])
    assert _figures(report_parts.parts(world.database, f)) == _figures(_summed_at_once(world, f))
    assert _kept_versions(world.database) == {}


def test_parts_kept_by_another_format_are_summed_again(world: ReportWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    database, f = world.database, _company(world)
    first = _figures(report_parts.parts(database, f))
    with UnitOfWork(database, actor="test") as uow:
        for row in uow.session.scalars(select(ReportPartsRow)):
            row.parts = {**row.parts, "format": 0}
        uow.commit()
    forget_kept()  # what this process remembers it read or summed (another process reads them from the database)
    summed = _counting(monkeypatch)
    assert _figures(report_parts.parts(database, f)) == first
    # each practice once, in any order (on PostgreSQL two are summed at once)
    assert sorted(summed, key=sorted) == [frozenset({p}) for p in sorted(f.practice_ids)]


def test_the_dashboards_aging_from_the_parts_is_the_aging_report_by_payer(world: ReportWorld) -> None:
    d = world.claim("P2", dos=day(6, 26), payer="CIG", lines=[("11102", 9000)])
    world.patient_credit(d, 2500, on=day(6, 26))
    f = _company(world)
    from_parts = payer_aging(world.database, f, report_parts.aging(world.database, f, Basis.SERVICE))
    direct = aging_report(world.database, f, dimensions=("payer",))
    assert from_parts.to_json() == direct.to_json()
    assert from_parts.tables == direct.tables
    assert from_parts.credits["patient_credit"].cents == 2500


# The parts themselves: kept as JSON and added.

_cents = st.integers(min_value=-10**9, max_value=10**9)
_payers = st.dictionaries(st.none() | st.integers(min_value=1, max_value=50), _cents, max_size=4)
_facts = st.builds(DenialFact, st.integers(1, 10**6), st.integers(1, 10**6),
                   st.sampled_from(["denial", "underpayment"]),
                   st.sampled_from(["coding_bundling", "medical_necessity"]), st.sampled_from(["", "CO-97"]),
                   st.none() | st.integers(1, 50), st.none() | st.integers(1, 50),
                   st.lists(st.sampled_from(["11102", "17000", "J3301"]), max_size=2).map(tuple),
                   st.integers(0, 10**7), st.integers(0, 10**7), st.booleans(), st.sampled_from(list(Route)))
_windows = st.lists(st.builds(Collected, st.sampled_from([30, 60, 90]), st.integers(0, 99), _cents, _cents),
                    max_size=3, unique_by=lambda w: w.days).map(lambda ws: tuple(sorted(ws, key=lambda w: w.days)))
_parts = st.builds(
    FigureParts,
    st.builds(RevenueSums, *([_cents] * len(dataclasses.fields(RevenueSums)))),
    st.lists(_facts, max_size=4).map(tuple),
    st.builds(CodingSums, st.lists(st.builds(FamilyReview, st.sampled_from(["biopsy", "excision", "destruction"]),
                                             st.integers(0, 99), st.integers(0, 99)),
                                   max_size=3, unique_by=lambda r: r.family)
              .map(lambda rs: tuple(sorted(rs, key=lambda r: r.family))), st.integers(0, 99), _cents),
    st.builds(PatientSums, st.integers(0, 99), _cents, _windows, st.integers(0, 99), _cents,
              st.dictionaries(st.sampled_from(["4300", "4310", "4320"]), _cents, max_size=3)),
    _payers,
)


@settings(deadline=None)  # a loaded machine is no failure
@given(_parts)
def test_parts_read_back_from_their_json_are_the_same(parts: FigureParts) -> None:
    assert parts_from_json(json.loads(json.dumps(parts_to_json(parts)))) == parts


@settings(deadline=None)
@given(_parts, _parts)
def test_adding_parts_adds_every_sum_and_keeps_every_item(a: FigureParts, b: FigureParts) -> None:
    both = add_parts([a, b])
    assert both.revenue.charges == a.revenue.charges + b.revenue.charges
    assert both.denials == a.denials + b.denials
    assert sum(r.accepted for r in both.coding.reviews) == sum(r.accepted for r in (*a.coding.reviews,
                                                                                    *b.coding.reviews))
    for payer in {*a.charges_by_payer, *b.charges_by_payer}:
        assert both.charges_by_payer[payer] == a.charges_by_payer.get(payer, 0) + b.charges_by_payer.get(payer, 0)
    for w in both.patient.windows:
        assert w.billed == sum(x.billed for x in (*a.patient.windows, *b.patient.windows) if x.days == w.days)
    assert _figures(add_parts([b, a])) == _figures(both)  # the order of the practices does not matter
    assert add_parts([a, FigureParts()]).revenue == a.revenue


# A/R aging's parts: kept per practice and basis, added for the company.

def _aging_tables(report: AgingReport) -> dict[str, object]:
    """The report's totals and its tables by the kept dimensions (what the kept and the summed reports share)."""
    data = report.to_json()
    return {kind.value: {key: value for key, value in data[kind.value].items()  # type: ignore[attr-defined]
                         if key != "by_patient"} for kind in Kind} | {"credits": data["credits"]}


@pytest.mark.parametrize("basis", list(Basis))
def test_the_companys_aging_is_its_practices_kept_aging_added(world: ReportWorld, basis: Basis) -> None:
    d = world.claim("P2", dos=day(6, 26), payer="CIG", lines=[("11102", 9000)])
    world.patient_credit(d, 2500, on=day(6, 26))
    f = _company(world)
    kept = aging_report(world.database, f, basis=basis)
    # "patient" is no kept dimension: that report is summed over the ledger at once
    summed = aging_report(world.database, f, basis=basis, dimensions=(*DIMENSIONS, "patient"))
    assert _aging_tables(kept) == _aging_tables(summed)
    assert [t for t in kept.tables] == [t for t in summed.tables if t.key != "aging_by_patient"]
    # by hand, insurance: A's line 1 $150 - $40, its line 2's $50 denied (being worked), A2's $150 + ($50 - $30),
    # B's $200 - $120 paid - $30 to the patient, C's $500 denied, D's $90; patient: B's $30 - $10
    assert kept.totals[Kind.INSURANCE].total.cents == 11000 + 5000 + 17000 + 5000 + 50000 + 9000
    assert kept.totals[Kind.PATIENT].total.cents == 2000
    assert kept.credits["patient_credit"].cents == 2500


def test_after_a_posting_only_its_practices_aging_is_summed_again(world: ReportWorld,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    database, f, p2 = world.database, _company(world), world.practices["P2"]
    before = aging_report(database, f)
    aged = _counting_aging(monkeypatch)
    assert _aging_tables(aging_report(database, f)) == _aging_tables(before)
    assert aged == []  # read again: nothing summed
    world.claim("P2", dos=day(6, 25), lines=[("17000", 7000)])
    after = aging_report(database, f)
    assert aged == [(frozenset({p2}), Basis.SERVICE)]
    assert after.totals[Kind.INSURANCE].total.cents == before.totals[Kind.INSURANCE].total.cents + 7000
    assert after.totals[Kind.INSURANCE].buckets[0].cents == before.totals[Kind.INSURANCE].buckets[0].cents + 7000
    summed = aging_report(database, f, dimensions=(*DIMENSIONS, "patient"))
    assert _aging_tables(after) == _aging_tables(summed)


def test_a_payers_aging_is_summed_directly_and_not_kept(world: ReportWorld) -> None:
    f = dataclasses.replace(_company(world), payer_id=world.payers["CIG"])
    aging_report(world.database, f)
    with UnitOfWork(world.database, actor="test") as uow:
        assert uow.session.scalars(select(ReportAgingPartsRow)).all() == []


_slots = st.tuples(*([_cents] * AGING_SLOTS))
_aging = st.builds(
    AgingParts,
    st.dictionaries(st.tuples(st.sampled_from(["", "payer", "code"]), st.sampled_from(list(Kind)),
                              st.sampled_from(["", "patient", "3", "11102"])), _slots, max_size=6),
    st.dictionaries(st.sampled_from(["patient_credit", "payer_credit", "unapplied_insurance"]), _cents, max_size=3))


@settings(deadline=None)
@given(_aging, _aging)
def test_aging_parts_read_back_from_their_json_and_add_slot_by_slot(a: AgingParts, b: AgingParts) -> None:
    assert aging_parts_from_json(json.loads(json.dumps(aging_parts_to_json(a)))) == a
    both = add_aging_parts([a, b])
    assert both == add_aging_parts([b, a])
    for key in {*a.rows, *b.rows}:
        assert both.rows[key] == tuple(x + y for x, y in zip(a.rows.get(key, (0,) * AGING_SLOTS),
                                                             b.rows.get(key, (0,) * AGING_SLOTS), strict=True))
    for key in {*a.credits, *b.credits}:
        assert both.credits[key] == a.credits.get(key, 0) + b.credits.get(key, 0)
