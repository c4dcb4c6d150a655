"""Denials and recoveries, coding and patient collections on a billing company built by hand.

The period is June 2026, as of 31 July 2026. Practice P1 (amounts in dollars):

Denials (adjudicated in June unless said):
- DA: claim A (Medicare, first provider), line 1 11102 $100 denied CO-97 (coding and bundling) on 5 June, resolved;
  a replacement claim A2 bills that line again and Medicare pays A2's line $80 on 20 June -> recovered $80 by a
  corrected claim. A $5 payer payment on A line 1 dated 5 June (the day of the denial, not after) is not counted.
- DB: claim B (commercial, second provider), 11104 $200 denied CO-50 (medical necessity) on 10 June, open; an
  appeal was won; paid $150 on 10 July and $100 on 5 August (after the as-of day) -> recovered $150 by appeal.
- DC: claim C (Medicare, first provider), 11102 charged $60, $30 denied CO-97 on 12 June, open; paid $50 on 25 June
  -> recovered $30 (capped at the item's amount), paid later without action.
- DD: claim D (commercial, first provider), 17000 $40 denied CO-27 (eligibility) on 15 June, resolved; claim D2 to
  Medicare bills it again and Medicare pays $35 on 1 July -> recovered $35, rebilled to another payer.
- DE: claim E, $70 denied on 20 May: not in June.
- U: an underpayment of $10 on claim A line 2 (17000 $50) found 8 June; paid $40 on 5 June (before: not counted)
  and $6 on 30 June -> $6 recovered, paid later.
Practice P2: a $999 denial on 5 June (never in P1's figures).

June's denials: $100 + $200 + $30 + $40 = $370, 4 items; recovered $80 + $150 + $30 + $35 = $295;
recovery rate 295 / 370 = 79.7297...% -> 79.73; by correction (corrected or rebilled) $80 + $35 = $115; by appeal
$150. Underpayments found $10, recovered $6.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from report_world import ReportWorld, day

from dermbill.core.ledger import BAD_DEBT, CASH, CHARITY, PATIENT_AR, SMALL_BALANCE
from dermbill.core.money import Money
from dermbill.core.reports.figures import Figure
from dermbill.core.reports.filters import ReportFilter
from dermbill.core.reports.periods import month_period
from dermbill.db.engine import Database
from dermbill.db.repositories import UnitOfWork
from dermbill.services import report_denials, report_parts
from dermbill.services.report_denials import (
    coding_figures,
    coding_table,
    denial_figures,
    denial_report,
    patient_figures,
    patient_table,
)

AS_OF = day(7, 31)
JUNE = month_period(2026, 6)


def _denials(w: ReportWorld) -> None:
    a = w.claim("P1", dos=day(5, 20), lines=[("11102", 10000), ("17000", 5000)])
    w.pay(a, 1, 500, on=day(6, 5))
    w.pay(a, 2, 4000, on=day(6, 5))
    w.denial_item(a, [1], on=day(6, 5), amount=10000, carc="97", category="coding_bundling", status="resolved",
                  follow_up_claim_id=(a2 := w.follow_up(a, on=day(6, 7), payer="MCR", replacement=True)).id)
    w.pay(a2, 1, 8000, on=day(6, 20))
    w.denial_item(a, [2], on=day(6, 8), amount=1000, kind="underpayment", category="underpayment",
                  codes=["17000"])
    w.pay(a, 2, 600, on=day(6, 30))

    b = w.claim("P1", dos=day(5, 21), payer="CIG", provider=1, lines=[("11104", 20000)])
    db = w.denial_item(b, [1], on=day(6, 10), amount=20000, carc="50", category="medical_necessity",
                       action="appeal", codes=["11104"])
    w.appeal(b, db, on=day(6, 20), status="won")
    w.pay(b, 1, 15000, on=day(7, 10))
    w.pay(b, 1, 10000, on=day(8, 5))

    c = w.claim("P1", dos=day(5, 22), patient=2, lines=[("11102", 6000)])
    w.denial_item(c, [1], on=day(6, 12), amount=3000, carc="97", category="coding_bundling")
    w.pay(c, 1, 5000, on=day(6, 25))

    d = w.claim("P1", dos=day(5, 23), payer="CIG", patient=3, lines=[("17000", 4000)])
    d2 = w.follow_up(d, on=day(6, 16), payer="MCR", replacement=False)
    w.denial_item(d, [1], on=day(6, 15), amount=4000, carc="27", category="eligibility_coverage",
                  status="resolved", codes=["17000"], follow_up_claim_id=d2.id)
    w.pay(d2, 1, 3500, on=day(7, 1))

    e = w.claim("P1", dos=day(5, 1), patient=4, lines=[("11102", 7000)])
    w.denial_item(e, [1], on=day(5, 20), amount=7000)

    p2 = w.claim("P2", dos=day(5, 1), lines=[("11102", 99900)])
    w.denial_item(p2, [1], on=day(6, 5), amount=99900)
    w.pay(p2, 1, 99900, on=day(6, 30))


@pytest.fixture
def world(database: Database) -> ReportWorld:
    w = ReportWorld(database)
    _denials(w)
    return w


def _filter(w: ReportWorld, **kw: object) -> ReportFilter:
    return ReportFilter.of([w.practices["P1"]], AS_OF, JUNE, **kw)  # type: ignore[arg-type]


def _values(database: Database, f: ReportFilter, which: object) -> dict[str, Decimal | None]:
    figures: list[Figure] = which(report_parts.parts(database, f))  # type: ignore[operator]
    return {x.key: x.value for x in figures}


def test_denial_figures(world: ReportWorld) -> None:
    got = _values(world.database, _filter(world), denial_figures)
    assert got == {"denied_dollars": Decimal("370.00"), "denials": 4, "recovered_by_correction": Decimal("115.00"),
                   "recovered_by_appeal": Decimal("150.00"), "recovered_total": Decimal("295.00"),
                   "recovery_rate": Decimal("79.73"), "underpayments_found": Decimal("10.00"),
                   "underpayments_recovered": Decimal("6.00")}
    # Medicare only (claim or item payer): DA and DC, $130, recovered $80 + $30 = $110 -> 84.615...% -> 84.62; the
    # underpayment U is on claim A (Medicare): $10 found.
    mcr = _values(world.database, _filter(world, payer_id=world.payers["MCR"]), denial_figures)
    assert (mcr["denied_dollars"], mcr["recovered_total"], mcr["recovery_rate"], mcr["underpayments_found"]) == (
        Decimal("130.00"), Decimal("110.00"), Decimal("84.62"), Decimal("10.00"))
    # The second provider: DB alone, $200, $150 by appeal -> 75.00%.
    doc2 = _values(world.database, _filter(world, provider_id=world.providers["P1"][1]), denial_figures)
    assert (doc2["denied_dollars"], doc2["recovered_by_appeal"], doc2["recovery_rate"]) == (
        Decimal("200.00"), Decimal("150.00"), Decimal("75.00"))
    # May: DE's $70, nothing paid after -> 0.00%; April: no denial at all -> no rate.
    may = _values(world.database, ReportFilter.of([world.practices["P1"]], AS_OF, month_period(2026, 5)),
                  denial_figures)
    assert (may["denied_dollars"], may["recovery_rate"]) == (Decimal("70.00"), Decimal("0.00"))
    april = _values(world.database, ReportFilter.of([world.practices["P1"]], AS_OF, month_period(2026, 4)),
                    denial_figures)
    assert (april["denials"], april["recovery_rate"]) == (0, None)
    # P2 alone: its $999 denial, all paid back on 30 June.
    p2 = _values(world.database, ReportFilter.of([world.practices["P2"]], AS_OF, JUNE), denial_figures)
    assert (p2["denied_dollars"], p2["recovery_rate"]) == (Decimal("999.00"), Decimal("100.00"))


def _rows(report_table: object) -> list[tuple[object, ...]]:
    return [r.cells for r in report_table.rows]  # type: ignore[attr-defined]


def test_denial_tables(world: ReportWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    # One claim per cash query: A's line and A2's line that bills it again are read apart, and still add up.
    monkeypatch.setattr(report_denials, "CHUNK", 1)
    with UnitOfWork(world.database, actor="test") as uow:
        report = denial_report(uow, _filter(world), report_parts.parts(world.database, _filter(world)).denials)
    m = Money
    # Shares of $370: 200/370 = 54.05%, 130/370 = 35.14%, 40/370 = 10.81%.
    cause = report.table("denials_by_cause")
    assert _rows(cause) == [
        ("Medical necessity", 1, 1, m(20000), Decimal("54.05"), m(15000), 1),
        ("Coding and bundling", 2, 2, m(13000), Decimal("35.14"), m(11000), 1),
        ("Eligibility and coverage", 1, 1, m(4000), Decimal("10.81"), m(3500), 0)]
    assert cause.rows[0].drill == {"report": "denials", "category": "medical_necessity"}
    assert cause.total is not None
    assert cause.total.cells == ("Total", 4, 4, m(37000), Decimal("100.00"), m(29500), 2)
    carc = report.table("denials_by_carc")
    assert [r.drill["carc"] for r in carc.rows if r.drill] == ["CO-50", "CO-97", "CO-27"]
    assert str(carc.rows[1].cells[0]).startswith("CO-97 (")  # with the code table's short meaning
    payer = report.table("denials_by_payer")
    assert [(r.cells[0], r.cells[3]) for r in payer.rows] == [("TEST COMMERCIAL", m(24000)),
                                                              ("TEST MEDICARE", m(13000))]
    code = report.table("denials_by_code")
    assert [(r.cells[0], r.cells[1], r.cells[3]) for r in code.rows] == [
        ("11104", 1, m(20000)), ("11102", 2, m(13000)), ("17000", 1, m(4000))]
    provider = report.table("denials_by_provider")
    assert [(r.cells[0], r.cells[3]) for r in provider.rows] == [("DOC12, ANN", m(20000)), ("DOC11, ANN", m(17000))]
    assert provider.rows[0].drill == {"report": "denials", "provider": str(world.providers["P1"][1])}
    # Routes, denials and the underpayment together: corrected DA $80; rebilled DD $35; appeal DB $150; later DC
    # $30 and U $6.
    recovered = report.table("recovered")
    assert _rows(recovered) == [("Corrected claim", 1, m(8000)), ("Rebilled to another payer", 1, m(3500)),
                                ("Appeal won", 1, m(15000)), ("Paid later without action", 2, m(3600))]
    assert recovered.total is not None
    assert recovered.total.cells == ("Total", 5, m(30100))


def test_coding(database: Database) -> None:
    """June, P1: biopsy accepted twice and changed once, excision accepted once: 3 of 4 = 75%; a May review and
    P2's June review are not counted. Scrubber: S1 ($120, Medicare) to scrub errors 3 June, submitted 5 June; S4
    ($90, commercial) 20 June, submitted 2 July: both caught, $210. S2 ($70) went out on 8 June, before it was
    stopped on 10 June, and never after; S3 ($50) was stopped on 30 May; P2's claim is P2's."""
    w = ReportWorld(database)
    for family, accepted, on in (("biopsy", True, day(6, 2)), ("biopsy", True, day(6, 30)),
                                 ("biopsy", False, day(6, 15)), ("excision", True, day(6, 1)),
                                 ("excision", False, day(5, 31))):
        w.review("P1", family=family, accepted=accepted, on=on)
    w.review("P2", family="biopsy", accepted=False, on=day(6, 10))
    s1 = w.claim("P1", dos=day(6, 1), lines=[("11102", 12000)], status="submitted")
    s2 = w.claim("P1", dos=day(6, 1), lines=[("11102", 7000)], status="scrub_errors")
    s3 = w.claim("P1", dos=day(5, 28), lines=[("11102", 5000)], status="submitted")
    s4 = w.claim("P1", dos=day(6, 18), payer="CIG", lines=[("11102", 9000)], status="submitted")
    p2 = w.claim("P2", dos=day(6, 1), lines=[("11102", 4000)], status="submitted")
    w.event(s2, "ready", "submitted", on=day(6, 8))  # sent before it was stopped: not "later went out"
    for claim, stopped, sent in ((s1, day(6, 3), day(6, 5)), (s2, day(6, 10), None), (s3, day(5, 30), day(6, 2)),
                                 (s4, day(6, 20), day(7, 2)), (p2, day(6, 3), day(6, 4))):
        w.event(claim, "coded", "scrub_errors", on=stopped)
        if sent:
            w.event(claim, "scrub_errors", "ready", on=sent)
            w.event(claim, "ready", "submitted", on=sent)
    f = _filter(w)
    assert _values(database, f, coding_figures) == {
        "engine_acceptance_rate": Decimal("75.00"), "scrubber_caught_claims": 2,
        "scrubber_caught_dollars": Decimal("210.00")}
    # As of 30 June S4 had not gone out yet: S1 alone.
    early = _values(database, ReportFilter.of([w.practices["P1"]], day(6, 30), JUNE), coding_figures)
    assert (early["scrubber_caught_claims"], early["scrubber_caught_dollars"]) == (1, Decimal("120.00"))
    commercial = _values(database, _filter(w, payer_id=w.payers["CIG"]), coding_figures)
    assert commercial["scrubber_caught_dollars"] == Decimal("90.00")
    # Every review and claim here is the first provider's: the second has none (no rate, nothing caught).
    doc2 = _values(database, _filter(w, provider_id=w.providers["P1"][1]), coding_figures)
    assert doc2 == {"engine_acceptance_rate": None, "scrubber_caught_claims": 0,
                    "scrubber_caught_dollars": Decimal("0.00")}
    april = _values(database, ReportFilter.of([w.practices["P1"]], AS_OF, month_period(2026, 4)), coding_figures)
    assert april == {"engine_acceptance_rate": None, "scrubber_caught_claims": 0,
                     "scrubber_caught_dollars": Decimal("0.00")}
    table = coding_table(report_parts.parts(database, f))
    # biopsy 2 of 3 = 66.67%; excision 1 of 1 = 100%.
    assert _rows(table) == [("biopsy", 3, 2, 1, Decimal("66.67")), ("excision", 1, 1, 0, Decimal("100.00"))]
    assert table.total is not None
    assert table.total.cells == ("Total", 4, 3, 1, Decimal("75.00"))


def test_patient_collections(database: Database) -> None:
    """June statements, as of 31 July (30-day rate: statements of 1 July or before; 60-day: 1 June or before;
    90-day: 2 May or before, none):
    - St1: claim K1 (Medicare) on 1 June, $100. Patient pays $7 on 1 June (the same day: not after), $30 on
      20 June (19 days), $20 on 20 July (49 days), $10 on 10 August (after the as-of day); Medicare's $15 on
      15 June is payer cash.
    - St2: claim K2 (commercial, second provider) on 15 June, $50; patient pays $50 on 10 July (25 days).
    - St4: claim K4 on 25 June, $40; patient pays $40 on 30 July (35 days: not within 30).
    - St3 on 5 July: not a June statement. P2's June statement is P2's.
    Sent: 3, $190. Within 30: (30 + 50) / 190 = 42.105...% -> 42.11. Within 60: St1 alone, (30 + 20) / 100 = 50%.
    Within 90: none old enough -> no data.
    Plans: P1's of 10 June ($300) counts; of 31 May and P2's do not.
    Write-offs in June: bad debt $25 on 12 June less a $5 recovery (on K3, no
    June statement) on 20 June = $20; small balance $3 on 30 June;
    hardship $15 on 1 July is July's -> $0."""
    w = ReportWorld(database)
    k1 = w.claim("P1", dos=day(5, 1), lines=[("11102", 20000)])
    k2 = w.claim("P1", dos=day(5, 2), payer="CIG", provider=1, patient=2, lines=[("11102", 10000)])
    k3 = w.claim("P1", dos=day(5, 3), patient=3, lines=[("11102", 10000)])
    k4 = w.claim("P1", dos=day(5, 4), patient=4, lines=[("11102", 10000)])
    kp2 = w.claim("P2", dos=day(5, 1), lines=[("11102", 10000)])
    w.statement(k1, on=day(6, 1), cents=10000)
    w.statement(k2, on=day(6, 15), cents=5000)
    w.statement(k3, on=day(7, 5), cents=8000)
    w.statement(k4, on=day(6, 25), cents=4000)
    w.statement(kp2, on=day(6, 1), cents=9000)
    for claim, cents, on in ((k1, 700, day(6, 1)), (k1, 3000, day(6, 20)), (k1, 2000, day(7, 20)),
                             (k1, 1000, day(8, 10)), (k2, 5000, day(7, 10)), (k4, 4000, day(7, 30)),
                             (kp2, 9000, day(6, 5)), (k3, 8000, day(7, 6))):
        w.patient_pays(claim, 1, cents, on=on)
    w.pay(k1, 1, 1500, on=day(6, 15))
    w.payment_plan("P1", patient=1, cents=30000, on=day(6, 10))
    w.payment_plan("P1", patient=2, cents=1000, on=day(5, 31))
    w.payment_plan("P2", patient=1, cents=5000, on=day(6, 10))
    w.entry(k1, day(6, 12), [(BAD_DEBT, 2500, 1, False), (PATIENT_AR, -2500, 1, False)])
    w.entry(k3, day(6, 20), [(CASH, 500, None, False), (BAD_DEBT, -500, None, False)])
    w.entry(k2, day(6, 30), [(SMALL_BALANCE, 300, 1, False), (PATIENT_AR, -300, 1, False)])
    w.entry(k1, day(7, 1), [(CHARITY, 1500, 1, False), (PATIENT_AR, -1500, 1, False)])
    w.entry(kp2, day(6, 12), [(BAD_DEBT, 9999, 1, False), (PATIENT_AR, -9999, 1, False)])
    got = _values(database, _filter(w), patient_figures)
    assert got == {"statements_sent": 3, "statement_dollars": Decimal("190.00"), "collected_30": Decimal("42.11"),
                   "collected_60": Decimal("50.00"), "collected_90": None, "plans_started": 1,
                   "plan_dollars": Decimal("300.00"), "bad_debt": Decimal("20.00"),
                   "small_balance_write_offs": Decimal("3.00"), "hardship_adjustments": Decimal("0.00")}
    # Commercial only: St2 ($50, all paid in 25 days); K2's small balance $3; no bad debt on its claims.
    cig = _values(database, _filter(w, payer_id=w.payers["CIG"]), patient_figures)
    assert (cig["statements_sent"], cig["collected_30"], cig["bad_debt"], cig["small_balance_write_offs"]) == (
        1, Decimal("100.00"), Decimal("0.00"), Decimal("3.00"))
    doc2 = _values(database, _filter(w, provider_id=w.providers["P1"][1]), patient_figures)
    assert (doc2["statement_dollars"], doc2["collected_30"], doc2["plans_started"]) == (
        Decimal("50.00"), Decimal("100.00"), 1)  # plans belong to the guarantor: not narrowed
    table = patient_table(report_parts.parts(database, _filter(w)))
    assert _rows(table) == [("Within 30 days", 3, Money(19000), Money(8000), Decimal("42.11")),
                            ("Within 60 days", 1, Money(10000), Money(5000), Decimal("50.00")),
                            ("Within 90 days", 0, Money(0), Money(0), None)]


def test_a_corrected_claim_paid_the_day_of_the_denial_is_a_recovery(database: Database) -> None:
    """All on 5 June: Medicare's 835 R1 pays $5 on claim F line 1 and denies $100 of it (CO-97); a replacement
    F2 goes out and Medicare's 835 R2 pays $80 on it. Recovered: R2's $80, not R1's own $5. Without the
    remittance named on the item, the day alone decides and nothing that day counts."""
    w = ReportWorld(database)
    f_claim = w.claim("P1", dos=day(5, 20), lines=[("11102", 10500)])
    r1 = w.remittance("P1", "MCR", on=day(6, 5))
    w.pay(f_claim, 1, 500, on=day(6, 5), remittance=r1)
    w.deny(f_claim, 1, 10000, on=day(6, 5), remittance=r1)
    f2 = w.follow_up(f_claim, on=day(6, 5), payer="MCR", replacement=True)
    w.denial_item(f_claim, [1], on=day(6, 5), amount=10000, remittance_id=r1, status="resolved",
                  follow_up_claim_id=f2.id)
    r2 = w.remittance("P1", "MCR", on=day(6, 5))
    w.pay(f2, 1, 8000, on=day(6, 5), remittance=r2)
    w.denial_item(f_claim, [1], on=day(6, 5), amount=10000, status="resolved", follow_up_claim_id=f2.id)
    values = _values(database, _filter(w), denial_figures)
    assert values["denied_dollars"] == Decimal("200.00")
    assert (values["recovered_by_correction"], values["recovered_total"]) == (Decimal("80.00"), Decimal("80.00"))
