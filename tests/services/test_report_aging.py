"""A/R aging on a billing company built by hand: every bucket worked out from the dates below.

As of 30 June 2026, practice P1:
- C1: seen 10 June (20 days: 0-30), Medicare, 11102 $150 + 17000 $90, sent 12 June; nothing paid: insurance $240.
- C2: seen 1 April (90 days: 61-90), commercial, second provider, 11102 $200, sent 20 April (71 days); paid $100,
  $40 contractual, $60 to the patient: insurance $0, patient $60 (61-90 by date of service; by first billed it
  is on a statement of 20 June: 10 days, 0-30).
- C3: seen 15 January (166 days: 120+), Medicare, 17000 $90, sent 20 January; denied: $90 denied A/R (insurance).
- C4: seen 5 July, after the as-of day: not counted as of 30 June.
- A patient credit of $25 (paid ahead): apart, never netted.
Practice P2: C5 seen 1 June, Medicare $100 (never in P1's figures).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from migrated_databases import migrated_sqlite_url
from report_world import ReportWorld, day, moment

from dermbill.core.reports.aging import BUCKETS, Basis, Kind
from dermbill.core.reports.filters import ReportFilter
from dermbill.db.engine import Database, open_database
from dermbill.db.models import StatementClaimRow, StatementRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.ledger_check import check_ledger
from dermbill.services.reports import aging_report

AS_OF = day(6, 30)


def _statement(world: ReportWorld, claim_id: int, patient_id: int, practice_id: int, on: datetime.date,
               cents: int) -> None:
    with UnitOfWork(world.database, actor="test", clock=lambda: moment(on)) as uow:
        repo = uow.practice(practice_id)
        statement = repo.add(StatementRow(
            patient_id=patient_id, statement_date=on, due_on=on + datetime.timedelta(days=21), amount_cents=cents,
            step="statement", code=f"CODE{claim_id:08d}", delivery="print", delivery_status="printed", document={},
            created_by="test", created_at=moment(on)))
        repo.flush()
        repo.add(StatementClaimRow(statement_id=statement.id, claim_id=claim_id, patient_owes_cents=cents))
        uow.commit()


def _world(database: Database) -> ReportWorld:
    w = ReportWorld(database)
    w.claim("P1", dos=day(6, 10), lines=[("11102", 15000), ("17000", 9000)], submitted_on=day(6, 12))
    c2 = w.claim("P1", dos=day(4, 1), payer="CIG", provider=1, lines=[("11102", 20000)], submitted_on=day(4, 20))
    w.pay(c2, 1, 10000, on=day(5, 15))
    w.adjust(c2, 1, 4000, on=day(5, 15))
    w.to_patient(c2, 1, 6000, on=day(5, 15))
    w.patient_credit(c2, 2500, on=day(6, 1))
    _statement(w, c2.id, c2.patient_id, c2.practice_id, day(6, 20), 6000)
    c3 = w.claim("P1", dos=day(1, 15), lines=[("17000", 9000)], submitted_on=day(1, 20))
    w.deny(c3, 1, 9000, on=day(3, 1))
    w.claim("P1", dos=day(7, 5), lines=[("11102", 5000)], submitted_on=day(7, 6))
    w.claim("P2", dos=day(6, 1), lines=[("11102", 10000)], submitted_on=day(6, 2))
    return w


@pytest.fixture
def world(database: Database) -> ReportWorld:
    return _world(database)


def _p1(world: ReportWorld, **kw: object) -> ReportFilter:
    return ReportFilter.of([world.practices["P1"]], AS_OF, **kw)  # type: ignore[arg-type]


def _buckets(row: dict[str, object]) -> dict[str, str]:
    return {k: v for k, v in row["buckets"].items() if v != "0.00"}  # type: ignore[attr-defined]


def test_aging_by_date_of_service(world: ReportWorld) -> None:
    report = aging_report(world.database, _p1(world)).to_json()
    insurance, patient = report["insurance"], report["patient"]
    assert _buckets(insurance) == {"0-30": "240.00", "120+": "90.00"}  # C1, and C3's denied $90
    assert insurance["total"] == "330.00"
    assert _buckets(patient) == {"61-90": "60.00"} and patient["total"] == "60.00"
    assert report["total"] == "390.00"
    assert report["credits"] == {"patient_credit": "25.00", "payer_credit": "0.00", "unapplied_insurance": "0.00"}
    by_payer = {r["label"]: r["total"] for r in insurance["by_payer"]}
    assert by_payer == {"TEST MEDICARE": "330.00"}  # the commercial payer owes nothing now
    assert [r["label"] for r in patient["by_payer"]] == ["Patients"]
    assert {r["label"]: r["total"] for r in insurance["by_code"]} == {"17000": "180.00", "11102": "150.00"}
    assert {r["label"]: r["total"] for r in insurance["by_provider"]} == {"DOC11, ANN": "330.00"}
    assert {r["label"]: r["total"] for r in patient["by_provider"]} == {"DOC12, ANN": "60.00"}


def test_aging_by_first_billed(world: ReportWorld) -> None:
    report = aging_report(world.database, _p1(world), basis=Basis.SUBMISSION).to_json()
    # C1 sent 12 June (18 days), C3 sent 20 January (161 days); C2's patient share on a statement 20 June.
    assert _buckets(report["insurance"]) == {"0-30": "240.00", "120+": "90.00"}
    assert _buckets(report["patient"]) == {"0-30": "60.00"}
    # Before the statement (as of 19 June) the patient's $60 is not billed yet: apart from the buckets.
    early = aging_report(world.database, ReportFilter.of([world.practices["P1"]], day(6, 19)),
                         basis=Basis.SUBMISSION).to_json()
    assert _buckets(early["patient"]) == {} and early["patient"]["not_billed"] == "60.00"
    assert early["patient"]["total"] == "60.00"


def test_aging_filters(world: ReportWorld) -> None:
    commercial = aging_report(world.database, _p1(world, payer_id=world.payers["CIG"])).to_json()
    assert commercial["insurance"]["total"] == "0.00" and commercial["patient"]["total"] == "60.00"
    first_doctor = aging_report(world.database, _p1(world, provider_id=world.providers["P1"][0])).to_json()
    assert first_doctor["insurance"]["total"] == "330.00" and first_doctor["patient"]["total"] == "0.00"
    other = aging_report(world.database, ReportFilter.of([world.practices["P2"]], AS_OF)).to_json()
    assert other["insurance"]["total"] == "100.00" and other["patient"]["total"] == "0.00"
    assert other["credits"]["patient_credit"] == "0.00"


def test_earlier_as_of_day_counts_only_what_was_posted_by_then(world: ReportWorld) -> None:
    # As of 1 May: C2 unpaid (1 April is 30 days before: 0-30), C3 denied (106 days); C1 not seen yet.
    report = aging_report(world.database, ReportFilter.of([world.practices["P1"]], day(5, 1))).to_json()
    assert _buckets(report["insurance"]) == {"0-30": "200.00", "91-120": "90.00"}  # C3: 106 days on 1 May
    assert report["patient"]["total"] == "0.00"


def test_tables_have_a_drill_down_and_add_up(world: ReportWorld) -> None:
    report = aging_report(world.database, _p1(world))
    summary = report.table("aging_summary")
    assert summary.total is not None and summary.total.cells[-1].plain() == "390.00"  # type: ignore[union-attr]
    by_payer = report.table("aging_by_payer")
    assert [dict(r.drill or {}) for r in by_payer.rows] == [
        {"report": "ar", "kind": "insurance", "payer": str(world.payers["MCR"])},
        {"report": "ar", "kind": "patient"}]


def test_the_whole_company_equals_the_ledger(world: ReportWorld) -> None:
    report = aging_report(world.database, ReportFilter.of(world.practices.values(), day(12, 31))).to_json()
    ledger = check_ledger(world.database).as_json()["totals"]
    assert Decimal(report["insurance"]["total"]) == Decimal(ledger["insurance_balance"]) + Decimal(
        ledger["denied_balance"])
    assert Decimal(report["patient"]["total"]) == Decimal(ledger["patient_balance"])


# Any ledger: the buckets add up to the total, and the total is the ledger's A/R.
_claims = st.lists(st.tuples(st.integers(0, 200), st.integers(1, 3),
                             st.sampled_from(["pay", "deny", "patient", "open"]), st.integers(1, 99)),
                   min_size=1, max_size=5)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(claims=_claims, as_of_offset=st.integers(-60, 60), basis=st.sampled_from(list(Basis)))
def test_buckets_sum_to_the_ledger(tmp_path_factory: pytest.TempPathFactory,
                                   claims: list[tuple[int, int, str, int]], as_of_offset: int, basis: Basis) -> None:
    database = open_database(migrated_sqlite_url(tmp_path_factory.mktemp("aging") / "aging.db"))
    try:
        w = ReportWorld(database)
        start = day(1, 1)
        for days_in, lines, what, percent in claims:
            dos = start + datetime.timedelta(days=days_in)
            c = w.claim("P1", dos=dos, lines=[("11102", 10000)] * lines, submitted_on=dos)
            for line in range(1, lines + 1):
                part = 100 * percent
                on = dos + datetime.timedelta(days=20)
                if what == "pay":
                    w.pay(c, line, part, on=on)
                elif what == "deny":
                    w.deny(c, line, part, on=on)
                elif what == "patient":
                    w.to_patient(c, line, part, on=on)
        as_of = start + datetime.timedelta(days=200 + as_of_offset)
        report = aging_report(database, ReportFilter.of(w.practices.values(), as_of), basis=basis)
        everything = aging_report(database, ReportFilter.of(w.practices.values(), day(12, 31)), basis=basis)
        for kind in Kind:
            row = report.totals[kind]
            assert sum(b.cents for b in row.buckets) + row.not_billed.cents == row.total.cents
            assert len(row.buckets) == len(BUCKETS)
        ledger = check_ledger(database).totals
        assert everything.totals[Kind.INSURANCE].total == ledger["insurance_balance"] + ledger["denied_balance"]
        assert everything.totals[Kind.PATIENT].total == ledger["patient_balance"]
    finally:
        database.dispose()
