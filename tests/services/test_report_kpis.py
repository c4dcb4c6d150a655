"""The revenue-cycle figures on a billing company built by hand: every answer worked out from the entries below.

Period June 2026, as of 30 June. Practice P1 (Medicare MCR unless said; first provider unless said):
- A: seen 28 May, charges posted 1 June: 11102 $150 + 17000 $90 = $240. Sent 3 June, accepted 4 June (clean).
  835 R1 of 20 June: line 1 paid $80, $50 contractual, $20 to the patient; line 2 denied $90 (a denial item from
  R1, $90). The patient pays $5 on 25 June.
- B: commercial CIG, second provider, seen and charged 5 June, 11102 $200. Scrub errors 6 June, ready 7 June,
  sent 8 June, accepted 9 June (not clean: scrub errors). 835 R2 of 25 June: paid $120, $80 contractual; an
  underpayment of $15 found on it (not a denial: B is resolved on the first pass).
- C: seen and charged 10 June, $100. Sent 12 June, rejected 13 June (not clean), corrected and sent again 15 June,
  accepted 16 June. Never adjudicated.
- D: second provider, seen and charged 20 June, 17000 $50. Sent 22 June, no answer yet (not in the clean rate).
- E: seen and charged 1 May, $100. Sent 3 May, accepted 4 May. 835 R0 of 30 May denied it all ($100, a denial
  item from R0): its first adjudication is in May. 835 R3 of 15 June pays $70 and $30 contractual from denied A/R:
  first paid 15 June.
- G: a replacement claim (frequency 7), seen 1 June, charged 2 June, $30; sent 5 June, accepted 6 June: its charge
  counts, but it is not an original claim (neither clean-claim rate nor charge lag).
Practice P2: H, seen and charged 2 June, $500, sent 3 June, accepted 4 June; 835 of 10 June denied it all ($500).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from report_world import Claim, ReportWorld, day

from dermbill.core.ledger import CASH, CONTRACTUAL, DENIED_AR
from dermbill.core.reports.aging import Basis
from dermbill.core.reports.figures import Figure, Unit
from dermbill.core.reports.filters import ReportFilter
from dermbill.core.reports.parts import ar_by_payer
from dermbill.core.reports.periods import month_period, trailing_days
from dermbill.db.engine import Database
from dermbill.db.repositories import UnitOfWork
from dermbill.services import report_parts
from dermbill.services.report_kpis import days_in_ar_by_payer, revenue_figures

JUNE = month_period(2026, 6)
AS_OF = day(6, 30)
KEYS = ["charges", "payments", "contractual_adjustments", "days_in_ar", "clean_claim_rate",
        "first_pass_resolution_rate", "denial_rate_count", "denial_rate_dollars", "net_collection_rate",
        "gross_collection_rate", "charge_lag_days", "submission_to_payment_days"]


def _sent(world: ReportWorld, claim: Claim, *moves: tuple[str, str, int]) -> None:
    """Status moves on June days: (from, to, day of June)."""
    for from_status, to_status, dom in moves:
        world.event(claim, from_status, to_status, on=day(6, dom))


def _world(database: Database) -> ReportWorld:
    w = ReportWorld(database)
    a = w.claim("P1", dos=day(5, 28), created_on=day(6, 1), lines=[("11102", 15000), ("17000", 9000)],
                submitted_on=day(6, 3))
    _sent(w, a, ("submitted", "accepted", 4))
    r1 = w.remittance("P1", "MCR", on=day(6, 20))
    w.adjudicate(a, 1, r1, on=day(6, 20), paid=8000)
    w.adjudicate(a, 2, r1, on=day(6, 20), paid=0, code="17000")
    w.denial_item(a, [2], on=day(6, 20), amount=9000, remittance_id=r1)
    w.pay(a, 1, 8000, on=day(6, 20))
    w.adjust(a, 1, 5000, on=day(6, 20))
    w.to_patient(a, 1, 2000, on=day(6, 20))
    w.deny(a, 2, 9000, on=day(6, 20))
    w.patient_pays(a, 1, 500, on=day(6, 25))

    b = w.claim("P1", dos=day(6, 5), payer="CIG", provider=1, lines=[("11102", 20000)])
    _sent(w, b, ("coded", "scrub_errors", 6), ("scrub_errors", "ready", 7), ("ready", "submitted", 8),
          ("submitted", "accepted", 9))
    r2 = w.remittance("P1", "CIG", on=day(6, 25))
    w.adjudicate(b, 1, r2, on=day(6, 25), paid=12000)
    w.denial_item(b, [1], on=day(6, 25), amount=1500, remittance_id=r2, kind="underpayment")
    w.pay(b, 1, 12000, on=day(6, 25))
    w.adjust(b, 1, 8000, on=day(6, 25))

    c = w.claim("P1", dos=day(6, 10), lines=[("11102", 10000)], submitted_on=day(6, 12))
    _sent(w, c, ("submitted", "rejected", 13), ("rejected", "corrected", 14), ("corrected", "submitted", 15),
          ("submitted", "accepted", 16))

    w.claim("P1", dos=day(6, 20), provider=1, lines=[("17000", 5000)], submitted_on=day(6, 22))

    e = w.claim("P1", dos=day(5, 1), lines=[("11102", 10000)], submitted_on=day(5, 3))
    w.event(e, "submitted", "accepted", on=day(5, 4))
    r0 = w.remittance("P1", "MCR", on=day(5, 30))
    w.adjudicate(e, 1, r0, on=day(5, 30), paid=0)
    w.denial_item(e, [1], on=day(5, 30), amount=10000, remittance_id=r0)
    w.deny(e, 1, 10000, on=day(5, 30))
    r3 = w.remittance("P1", "MCR", on=day(6, 15))
    w.adjudicate(e, 1, r3, on=day(6, 15), paid=7000)
    w.entry(e, day(6, 15), [(CASH, 7000, 1, True), (DENIED_AR, -7000, 1, True)], kind="payment")
    w.entry(e, day(6, 15), [(CONTRACTUAL, 3000, 1, True), (DENIED_AR, -3000, 1, True)], kind="adjustment")

    g = w.claim("P1", dos=day(6, 1), created_on=day(6, 2), lines=[("11102", 3000)], submitted_on=day(6, 5))
    w.set_claim(g, frequency_code="7")
    _sent(w, g, ("submitted", "accepted", 6))

    h = w.claim("P2", dos=day(6, 2), lines=[("11102", 50000)], submitted_on=day(6, 3))
    _sent(w, h, ("submitted", "accepted", 4))
    r9 = w.remittance("P2", "MCR", on=day(6, 10))
    w.adjudicate(h, 1, r9, on=day(6, 10), paid=0)
    w.denial_item(h, [1], on=day(6, 10), amount=50000, remittance_id=r9)
    w.deny(h, 1, 50000, on=day(6, 10))
    return w


@pytest.fixture
def world(database: Database) -> ReportWorld:
    return _world(database)


def _figures(world: ReportWorld, practices: tuple[str, ...] = ("P1",), **kw: object) -> dict[str, Figure]:
    f = ReportFilter.of([world.practices[p] for p in practices], kw.pop("as_of", AS_OF),  # type: ignore[arg-type]
                        kw.pop("period", JUNE), **kw)  # type: ignore[arg-type]
    figures = revenue_figures(report_parts.parts(world.database, f))
    assert [x.key for x in figures] == KEYS
    assert all(x.formula for x in figures)
    return {x.key: x for x in figures}


def _values(figures: dict[str, Figure]) -> dict[str, Decimal | None]:
    return {key: figure.value for key, figure in figures.items()}


def test_the_practice_figures(world: ReportWorld) -> None:
    figures = _figures(world)
    assert _values(figures) == {
        # A 240 (1 June) + B 200 + C 100 + D 50 + G 30; E's 100 was charged in May.
        "charges": Decimal("620.00"),
        # A's payer 80 and patient 5, B 120, E 70.
        "payments": Decimal("275.00"),
        # A 50, B 80, E 30.
        "contractual_adjustments": Decimal("160.00"),
        # A/R on 30 June: A denied 90 + patient 15; C 100, D 50, G 30 = 285. Charges 2 April to 30 June:
        # 620 + E 100 = 720, 8.00 a day: 285 / 8 = 35.625 -> 35.6.
        "days_in_ar": Decimal("35.6"),
        # Originals first sent in June with an answer: A (clean), B (scrub errors), C (rejected): 1 / 3. D has no
        # answer; G is a replacement; E was sent in May.
        "clean_claim_rate": Decimal("33.33"),
        # First adjudicated in June: A (R1, a denial) and B (R2, none): 1 / 2; E's first was in May.
        "first_pass_resolution_rate": Decimal("50.00"),
        "denial_rate_count": Decimal("50.00"),
        # 90 denied on R1 / (A 240 + B 200) = 20.4545...
        "denial_rate_dollars": Decimal("20.45"),
        # 275 / (620 - 160) = 59.7826...
        "net_collection_rate": Decimal("59.78"),
        # 275 / 620 = 44.3548...
        "gross_collection_rate": Decimal("44.35"),
        # A 28 May -> 3 June 6, B 5 -> 8 June 3, C 10 -> 12 June 2, D 20 -> 22 June 2: 13 / 4 = 3.25 -> 3.3.
        "charge_lag_days": Decimal("3.3"),
        # First paid in June: A 3 -> 20 June 17, B 8 -> 25 June 17, E 3 May -> 15 June 43: 77 / 3 = 25.67 -> 25.7.
        "submission_to_payment_days": Decimal("25.7"),
    }
    days = figures["days_in_ar"]
    assert (days.unit, days.numerator, days.denominator) == (Unit.DAYS, Decimal("285.00"), Decimal("8.00"))
    clean = figures["clean_claim_rate"]
    assert (clean.numerator, clean.denominator) == (Decimal(1), Decimal(3))
    dollars = figures["denial_rate_dollars"]
    assert (dollars.numerator, dollars.denominator) == (Decimal("90.00"), Decimal("440.00"))
    net = figures["net_collection_rate"]
    assert (net.numerator, net.denominator) == (Decimal("275.00"), Decimal("460.00"))
    assert (figures["charge_lag_days"].numerator, figures["charge_lag_days"].denominator) == (13, 4)
    assert figures["denial_rate_count"].drill == "denied_first_pass"


def test_no_data_is_none_not_zero(world: ReportWorld) -> None:
    # January: nothing charged, sent, adjudicated or paid; nothing charged in the 90 days to 31 January either.
    values = _values(_figures(world, period=month_period(2026, 1), as_of=day(1, 31)))
    assert values["charges"] == values["payments"] == values["contractual_adjustments"] == Decimal("0.00")
    assert {k: v for k, v in values.items() if v is not None} == {
        "charges": Decimal("0.00"), "payments": Decimal("0.00"), "contractual_adjustments": Decimal("0.00")}


def test_other_practices_never_count(world: ReportWorld) -> None:
    p2 = _values(_figures(world, ("P2",)))
    # H alone: charged 500, nothing paid; A/R 500 (denied) over 500 / 90 a day = 90 days; sent 3 June, accepted:
    # clean; first adjudication denied all of it.
    assert p2["charges"] == Decimal("500.00") and p2["payments"] == Decimal("0.00")
    assert p2["days_in_ar"] == Decimal("90.0")
    assert p2["clean_claim_rate"] == Decimal("100.00")
    assert (p2["first_pass_resolution_rate"], p2["denial_rate_count"], p2["denial_rate_dollars"]) == (
        Decimal("0.00"), Decimal("100.00"), Decimal("100.00"))
    assert p2["net_collection_rate"] == Decimal("0.00") and p2["charge_lag_days"] == Decimal("1.0")
    assert p2["submission_to_payment_days"] is None
    both = _values(_figures(world, ("P1", "P2")))
    # First adjudicated in June: A, B and H; denied A and H: 2 / 3. Dollars (90 + 500) / (240 + 200 + 500).
    assert both["denial_rate_count"] == Decimal("66.67")
    assert both["denial_rate_dollars"] == Decimal("62.77")  # 590 / 940 = 62.765...
    assert both["charges"] == Decimal("1120.00")  # 620 + 500
    # Clean: A and H of A, B, C, H: 2 / 4.
    assert both["clean_claim_rate"] == Decimal("50.00")


def test_payer_filter(world: ReportWorld) -> None:
    values = _values(_figures(world, payer_id=world.payers["CIG"]))
    assert values == {
        "charges": Decimal("200.00"),  # B
        "payments": Decimal("120.00"),  # B's payer cash; A's patient $5 is not the commercial payer's
        "contractual_adjustments": Decimal("80.00"),
        "days_in_ar": Decimal("0.0"),  # B is settled: 0 / (200 / 90)
        "clean_claim_rate": Decimal("0.00"),  # B had scrub errors
        "first_pass_resolution_rate": Decimal("100.00"),
        "denial_rate_count": Decimal("0.00"),
        "denial_rate_dollars": Decimal("0.00"),
        "net_collection_rate": Decimal("100.00"),  # 120 / (200 - 80)
        "gross_collection_rate": Decimal("60.00"),  # 120 / 200
        "charge_lag_days": Decimal("3.0"),
        "submission_to_payment_days": Decimal("17.0"),
    }
    medicare = _values(_figures(world, payer_id=world.payers["MCR"]))
    # Medicare cash: A 80 + E 70 (the patient's $5 names no payer); charges A 240 + C 100 + D 50 + G 30 = 420.
    assert medicare["payments"] == Decimal("150.00") and medicare["charges"] == Decimal("420.00")
    # A/R: A denied 90 + A's patient 15 (its claim is Medicare's) + C 100 + D 50 + G 30 = 285; charges to 30 June
    # 420 + E 100 = 520: 285 x 90 / 520 = 49.3.
    assert medicare["days_in_ar"] == Decimal("49.3")


def test_provider_filter(world: ReportWorld) -> None:
    values = _values(_figures(world, provider_id=world.providers["P1"][1]))
    # The second provider: B and D.
    assert values["charges"] == Decimal("250.00") and values["payments"] == Decimal("120.00")
    assert values["net_collection_rate"] == Decimal("70.59")  # 120 / (250 - 80) = 70.588...
    assert values["days_in_ar"] == Decimal("18.0")  # D's 50 over 250 / 90 a day
    assert values["clean_claim_rate"] == Decimal("0.00")  # B; D has no answer
    assert values["charge_lag_days"] == Decimal("2.5")  # B 3, D 2


def test_only_what_was_known_on_the_as_of_day(world: ReportWorld) -> None:
    values = _values(_figures(world, as_of=day(6, 12)))
    # On 12 June: A and B answered (A clean); C was sent that day, rejected only the next. 1 / 2.
    assert values["clean_claim_rate"] == Decimal("50.00")
    assert values["first_pass_resolution_rate"] is None  # no June adjudication by then
    # A/R on 12 June: A 240, B 200, C 100 unpaid, E's 100 denied, G 30 = 670; charged 15 March to 12 June: the
    # same 670 (D comes on 20 June): 90 days.
    assert values["days_in_ar"] == Decimal("90.0")
    assert values["charge_lag_days"] == Decimal("3.7")  # A 6, B 3, C 2 (D sent 22 June): 11 / 3 = 3.67


def test_days_in_ar_by_payer(world: ReportWorld) -> None:
    p1 = world.practices["P1"]
    with UnitOfWork(world.database, actor="test") as uow:
        f = ReportFilter.of([p1], AS_OF, JUNE)
        table = days_in_ar_by_payer(uow, f, ar_by_payer(report_parts.aging(world.database, f, Basis.SERVICE),
                                                        report_parts.parts(world.database, f).charges_by_payer))
    assert table.key == "days_in_ar_by_payer"
    rows = [(r.cells[0], r.cells[1], r.cells[2].plain(), r.cells[3].plain(), r.cells[4])  # type: ignore[union-attr]
            for r in table.rows]
    assert rows == [
        # B settled: 0 A/R over its 200 of charges.
        ("TEST COMMERCIAL", "Insurance", "0.00", "200.00", Decimal("0.0")),
        # A denied 90 + C 100 + D 50 + G 30 = 270 over A 240 + C 100 + D 50 + G 30 + E 100 = 520: 46.7 days.
        ("TEST MEDICARE", "Insurance", "270.00", "520.00", Decimal("46.7")),
        # A's patient 15 over all the charges 720: 1.875 -> 1.9.
        ("Patients", "Patient", "15.00", "720.00", Decimal("1.9")),
    ]
    assert [dict(r.drill or {}) for r in table.rows] == [
        {"report": "ar", "payer": str(world.payers["CIG"])}, {"report": "ar", "payer": str(world.payers["MCR"])},
        {"report": "ar", "kind": "patient"}]
    assert table.total is not None and table.total.cells[4] == Decimal("35.6")  # the figure


def test_a_ninety_day_period_is_the_days_in_ar_window(world: ReportWorld) -> None:
    values = _values(_figures(world, period=trailing_days(AS_OF, 90)))
    # 2 April to 30 June: charges 620 + E's 100 = 720, the same window as days in A/R: 285 / 8 = 35.6.
    assert values["charges"] == Decimal("720.00") and values["days_in_ar"] == Decimal("35.6")
    # Payments now include nothing more (E's denial in May moved no cash): 275 / 720 = 38.19%.
    assert values["gross_collection_rate"] == Decimal("38.19")
