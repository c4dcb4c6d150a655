"""The patient's cost estimate, worked by hand: deductible partly met, coinsurance after the multiple-procedure
reduction, the out-of-pocket cap, a copay-only visit, self-pay; rounding to the cent; and the properties that the
patient's share plus the plan's is the allowed total and neither is negative."""

from __future__ import annotations

import datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from dermbill.core.estimates import Benefits, PricedService, estimate_cost, percent_of
from dermbill.core.money import Money

ON = datetime.date(2026, 3, 1)


def contracted(code: str, cents: int, *, charge: int | None = None, indicator: str = "2",
               visit: bool = False) -> PricedService:
    return PricedService(code, f"service {code}", Money(charge if charge is not None else cents * 2), Money(cents),
                         "TEST BLUE contract", indicator, visit)


def test_deductible_partly_met_then_coinsurance() -> None:
    # 11102 allowed $120.00; $50.00 of the deductible left; 20%: 50.00 + 20% x 70.00 = 64.00 the patient's.
    estimate = estimate_cost([contracted("11102", 12000)],
                             Benefits(deductible_remaining=Money(5000), coinsurance_percent=Decimal(20), as_of=ON),
                             self_pay=False, payer_name="TEST BLUE")
    line = estimate.lines[0]
    assert (line.deductible, line.coinsurance, line.patient, line.plan) == (Money(5000), Money(1400), Money(6400),
                                                                             Money(5600))
    assert "assumes the deductible left is $50.00 as of the eligibility answer (271) of 2026-03-01" in " ".join(
        estimate.assumptions)


def test_coinsurance_after_the_multiple_procedure_reduction() -> None:
    # Mohs 17311 $600.00 and a biopsy 11102 $100.00, both indicator 2: 11102 at 50% = $50.00. Deductible $200.00
    # left: all of it on 17311; 20% of 400.00 = 80.00; 20% of 50.00 = 10.00. Patient 290.00, plan 360.00.
    estimate = estimate_cost([contracted("11102", 10000), contracted("17311", 60000)],
                             Benefits(deductible_remaining=Money(20000), coinsurance_percent=Decimal(20), as_of=ON),
                             self_pay=False)
    biopsy, mohs = estimate.lines
    assert (biopsy.reduction_percent, biopsy.allowed) == (50, Money(5000))
    assert (mohs.reduction_percent, mohs.allowed) == (100, Money(60000))
    assert (mohs.deductible, mohs.coinsurance, biopsy.deductible, biopsy.coinsurance) == (
        Money(20000), Money(8000), Money(0), Money(1000))
    assert (estimate.allowed, estimate.patient, estimate.plan) == (Money(65000), Money(29000), Money(36000))
    assert estimate.rules == ("multiple-procedure reduction (PFS indicator 2): 17311 at 100% as the highest-priced "
                              "procedure, 11102 at 50%",)


def test_add_on_and_visit_codes_are_never_reduced() -> None:
    estimate = estimate_cost([contracted("17311", 60000), contracted("17312", 30000, indicator="0"),
                              contracted("99213", 11000, indicator="0", visit=True)], Benefits(), self_pay=False)
    assert [line.reduction_percent for line in estimate.lines] == [100, 100, 100]
    assert estimate.rules == ()


def test_the_out_of_pocket_maximum_caps_the_patients_share() -> None:
    # 17311 $600.00, $500.00 deductible left, 20%: 500.00 + 20.00 = 520.00, but only $450.00 is left to the
    # out-of-pocket maximum: the patient 450.00, the plan 150.00.
    estimate = estimate_cost([contracted("17311", 60000)],
                             Benefits(deductible_remaining=Money(50000), coinsurance_percent=Decimal(20),
                                      out_of_pocket_remaining=Money(45000), as_of=ON), self_pay=False)
    line = estimate.lines[0]
    assert (line.capped, line.patient, line.plan) == (Money(7000), Money(45000), Money(15000))
    assert any("caps what the patient pays; it lowered the patient's share by $70.00" in a
               for a in estimate.assumptions)


def test_a_visit_with_a_copay_costs_the_copay_only() -> None:
    # 99213 allowed $110.00, a $40.00 copay; the $100.00 deductible left does not apply to the visit.
    estimate = estimate_cost([contracted("99213", 11000, indicator="0", visit=True)],
                             Benefits(copay=Money(4000), deductible_remaining=Money(10000),
                                      coinsurance_percent=Decimal(20)), self_pay=False)
    line = estimate.lines[0]
    assert (line.copay, line.deductible, line.coinsurance, line.patient, line.plan) == (
        Money(4000), Money(0), Money(0), Money(4000), Money(7000))
    assert any("office-visit copay of $40.00 from the coverage record" in a for a in estimate.assumptions)


def test_self_pay_pays_the_practices_charges_without_reduction() -> None:
    services = [PricedService("99203", "new patient visit", Money(15000), is_visit=True),
                PricedService("11102", "tangential biopsy", Money(13000), multiple_procedure_indicator="2"),
                PricedService("11104", "punch biopsy", Money(16000), multiple_procedure_indicator="2"),
                PricedService("96999", "unlisted", None)]
    estimate = estimate_cost(services, None, self_pay=True)
    assert (estimate.patient, estimate.plan, estimate.allowed) == (Money(44000), Money(0), Money(44000))
    assert estimate.unpriced == ("96999",) and estimate.rules == ()
    assert "no price is on file for 96999: not included" in estimate.assumptions


def test_rounding_is_to_the_cent_halves_up() -> None:
    assert percent_of(Money(1010), Decimal(15)) == Money(152)  # 151.5 cents
    assert percent_of(Money(1030), Decimal(15)) == Money(155)  # 154.5 cents
    assert percent_of(Money(1001), Decimal(20)) == Money(200)  # 200.2 cents
    # The 50% of a $95.75 further procedure is $47.875: $47.88.
    estimate = estimate_cost([contracted("11104", 12000), contracted("11102", 9575)], Benefits(), self_pay=False)
    assert estimate.lines[1].allowed == Money(4788)


def test_the_payer_never_allows_more_than_the_charge_and_unknown_amounts_say_so() -> None:
    estimate = estimate_cost([contracted("11102", 12000, charge=10000),
                              PricedService("11104", "punch", Money(15000), multiple_procedure_indicator="2")],
                             Benefits(), self_pay=False, payer_name="TEST BLUE")
    assert estimate.lines[0].price == Money(10000)
    assert any("TEST BLUE's allowed amount is not on file for 11104: the practice's charge is used" in a
               for a in estimate.assumptions)


def test_medicare_coinsurance_is_twenty_percent_unless_the_271_says_otherwise() -> None:
    estimate = estimate_cost([contracted("11102", 10000)], Benefits(), self_pay=False, payer_kind="medicare")
    assert estimate.lines[0].coinsurance == Money(2000)
    assert any("Medicare Part B coinsurance of 20%" in a for a in estimate.assumptions)


services_strategy = st.lists(st.builds(
    PricedService, code=st.sampled_from(["11102", "11104", "17311", "99213", "17000"]), description=st.just("x"),
    charge=st.one_of(st.none(), st.integers(0, 500_000).map(Money)),
    payer_amount=st.one_of(st.none(), st.integers(0, 500_000).map(Money)),
    multiple_procedure_indicator=st.sampled_from(["0", "2", "9", ""]), is_visit=st.booleans()), max_size=8)
money_or_none = st.one_of(st.none(), st.integers(0, 1_000_000).map(Money))
benefits_strategy = st.builds(Benefits, copay=money_or_none,
                              coinsurance_percent=st.one_of(st.none(), st.integers(0, 100).map(Decimal),
                                                            st.decimals(0, 100, places=2)),
                              deductible_remaining=money_or_none, out_of_pocket_remaining=money_or_none)


@given(services_strategy, st.one_of(st.none(), benefits_strategy), st.booleans())
def test_patient_and_plan_shares_add_up_to_the_allowed_total_and_are_never_negative(
        services: list[PricedService], benefits: Benefits | None, self_pay: bool) -> None:
    estimate = estimate_cost(services, benefits, self_pay=self_pay, payer_kind="commercial")
    assert estimate.patient + estimate.plan == estimate.allowed
    for line in estimate.lines:
        assert line.patient + line.plan == line.allowed
        assert min(line.patient.cents, line.plan.cents, line.allowed.cents) >= 0
    if benefits is not None and benefits.out_of_pocket_remaining is not None and not self_pay:
        assert estimate.patient.cents <= benefits.out_of_pocket_remaining.cents
