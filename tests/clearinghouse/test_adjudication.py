"""The simulated payer's decisions: each denial rule, the pricing, the patient share, secondary payment."""

from __future__ import annotations

import datetime
from dataclasses import replace
from decimal import Decimal

import pytest

from dermbill.clearinghouse.simulated_payer.adjudication import (
    History,
    PayerTables,
    acknowledge,
    adjudicate,
    payer_tables,
)
from dermbill.clearinghouse.simulated_payer.plans import Member, PayerProfile
from dermbill.core.claim_form import Adjustment, LineAdjudication, Payer, Person, ProfessionalClaim, ServiceLine
from dermbill.core.money import Money
from dermbill.x12.remittance_835_writer import PaidClaim, PaidLine

DOS = datetime.date(2026, 3, 2)
RECEIVED = datetime.date(2026, 3, 10)
MEDICARE = PayerProfile("TSTMCR", "TEST MEDICARE", "medicare", 100, 365)
COMMERCIAL = PayerProfile("TSTBLU", "TEST BLUE", "commercial", 130, 180)
MEDICAID = PayerProfile("TSTMCD", "TEST MEDICAID", "medicaid", 70, 180, patient_owes_after_secondary=False)
# A commercial payer that knows only 59 as the distinct-service modifier and wants prior authorization for Mohs.
STRICT = PayerProfile("TSTSTR", "TEST STRICT", "commercial", 120, 180, accepts_x_modifiers=False,
                      authorization_codes=("17311", "17312"))
PATIENT = Person("DOE", "JANE", datetime.date(1950, 1, 1), "F")


@pytest.fixture(scope="module")
def tables() -> PayerTables:
    return payer_tables()


def member(payer: PayerProfile = MEDICARE, *, deductible: int = 0, coinsurance: int = 20, copay: int = 0,
           termination: datetime.date | None = None, crossover: str | None = None) -> Member:
    return Member(payer.payer_id, "1EG4TE5MK72", "DOE", "JANE", PATIENT.date_of_birth, datetime.date(2020, 1, 1),
                  termination, Money(deductible), coinsurance, Money(copay), crossover)


def line(code: str, charge: int, *, modifiers: tuple[str, ...] = (), units: int = 1, pointers: tuple[int, ...] = (1,),
         number: int = 1, adjudication: LineAdjudication | None = None) -> ServiceLine:
    return ServiceLine(code, modifiers, Money(charge), units, pointers, DOS, f"C1-{number}", adjudication)


def claim(*lines: ServiceLine, diagnoses: tuple[str, ...] = ("C44.311",), payer: PayerProfile = MEDICARE,
          order: str = "P", frequency: str = "1", prior_authorization: str | None = None) -> ProfessionalClaim:
    return ProfessionalClaim("C1", Money(sum(x.charge.cents for x in lines)), "11", frequency, diagnoses, lines,
                             Payer(payer.name, payer.payer_id), order, "MB", PATIENT, "1EG4TE5MK72", None, "18",
                             PATIENT, prior_authorization=prior_authorization)


def decide(tables: PayerTables, c: ProfessionalClaim, m: Member | None = None, payer: PayerProfile = MEDICARE,
           history: History | None = None, received: datetime.date = RECEIVED) -> PaidClaim:
    return adjudicate(c, m or member(payer), payer, tables, history or History(), received=received,
                      claim_number="ICN1")


def reasons(paid: PaidLine) -> list[str]:
    return [f"{a.group}-{a.reason}" for a in paid.adjustments] + list(paid.remarks)


def test_acknowledgment_rejects_unknown_members_and_replacements_without_the_payer_claim_number() -> None:
    c = claim(line("11102", 15000))
    assert acknowledge(c, None, []).category == "A3" and acknowledge(c, None, []).status_code == "33"
    assert acknowledge(c, member(), ["CLM02 does not add up"]).status_code == "21"
    assert not acknowledge(replace(c, frequency_code="7"), member(), []).accepted
    assert acknowledge(replace(c, frequency_code="7", payer_claim_number="ICN9"), member(), []).accepted
    assert acknowledge(c, member(), []).category == "A1"


def test_a_line_is_priced_from_the_rvus_and_the_patient_pays_coinsurance(tables: PayerTables) -> None:
    [paid] = decide(tables, claim(line("11102", 15000))).lines
    fee = (Decimal("0.66") + Decimal("2.24") + Decimal("0.06")) * Decimal("32.3465")  # 11102, non-facility, 2025
    allowed = Money.round_half_up(fee)
    assert paid.allowed == allowed == Money(9575)
    coinsurance = Money.round_half_up(Decimal(allowed.cents) / 500)
    assert reasons(paid) == ["CO-45", "PR-2"]
    assert paid.paid == allowed - coinsurance
    assert paid.charge - paid.paid - coinsurance == Money(15000) - allowed


def test_commercial_fees_scale_and_the_lesser_of_fee_and_charge_is_allowed(tables: PayerTables) -> None:
    [paid] = decide(tables, claim(line("11102", 15000), payer=COMMERCIAL), payer=COMMERCIAL).lines
    assert paid.allowed == Money.round_half_up(Decimal("2.96") * Decimal("32.3465") * Decimal("1.3"))
    [cheap] = decide(tables, claim(line("11102", 5000))).lines
    assert cheap.allowed == Money(5000) and reasons(cheap) == ["PR-2"]


def test_multiple_procedures_pay_the_highest_in_full_and_the_others_at_half(tables: PayerTables) -> None:
    result = decide(tables, claim(line("11102", 30000, number=1), line("11642", 60000, number=2, modifiers=("XS",))))
    biopsy, excision = result.lines
    assert excision.allowed == Money(26039) and "CO-59" not in reasons(excision)
    assert biopsy.allowed == Money.round_half_up(Decimal(9575) / 2 / 100) and "CO-59" in reasons(biopsy)


def test_deductible_then_coinsurance_and_the_deductible_is_met_once_a_year(tables: PayerTables) -> None:
    history = History()
    m = member(deductible=10000)
    [first] = decide(tables, claim(line("11102", 15000)), m, history=history).lines
    assert [(a.reason, a.amount) for a in first.adjustments if a.group == "PR"] == [
        ("1", Money(9575))]
    [second] = decide(tables, claim(line("11102", 15000)), m, history=History(
        deductible_met=dict(history.deductible_met))).lines
    assert [(a.reason, a.amount) for a in second.adjustments if a.group == "PR"] == [
        ("1", Money(425)), ("2", Money.round_half_up(Decimal(9575 - 425) / 500))]


def test_copay_applies_to_the_visit(tables: PayerTables) -> None:
    result = decide(tables, claim(line("99213", 20000), diagnoses=("L57.0",), payer=COMMERCIAL),
                    member(COMMERCIAL, copay=4000, coinsurance=0), payer=COMMERCIAL)
    [visit] = result.lines
    assert [(a.reason, a.amount) for a in visit.adjustments if a.group == "PR"] == [("3", Money(4000))]


@pytest.mark.parametrize(("lines", "diagnoses", "denied_line", "expected"), [
    # 11102 is column two of 11642: bundled without a distinct-site modifier, paid with XS
    ([line("11642", 60000), line("11102", 15000, number=2)], ("C44.311",), 1, ["CO-97", "M15"]),
    # a visit the day of a 10-day global procedure without 25
    ([line("17000", 15000), line("99213", 20000, number=2)], ("L57.0",), 1, ["CO-97", "M144"]),
    # 17000 is one per day (MUE 1, MAI 2)
    ([line("17000", 15000, units=2)], ("L57.0",), 0, ["CO-151", "N362"]),
    # seborrheic keratosis with nothing else: cosmetic under the benign lesion LCD
    ([line("17110", 15000)], ("L82.1",), 0, ["CO-96", "N425"]),
    # a melanocytic nevus with no symptom: not supported by the LCD
    ([line("11300", 15000)], ("D22.5",), 0, ["CO-50", "N115"]),
    # a pointer to a category, not a billable code
    ([line("11102", 15000)], ("L82",), 0, ["CO-16", "MA130", "M76"]),
])
def test_each_edit_denies_with_the_reason_and_remark_payers_use(tables: PayerTables, lines: list[ServiceLine],
                                                                 diagnoses: tuple[str, ...], denied_line: int,
                                                                 expected: list[str]) -> None:
    result = decide(tables, claim(*lines, diagnoses=diagnoses))
    assert reasons(result.lines[denied_line]) == expected
    assert result.lines[denied_line].paid == Money.zero()
    others = [paid for index, paid in enumerate(result.lines) if index != denied_line]
    assert all(paid.paid.cents > 0 for paid in others)


def test_modifiers_that_show_a_distinct_service_pass_the_edits(tables: PayerTables) -> None:
    bundled = decide(tables, claim(line("11642", 60000), line("11102", 15000, number=2, modifiers=("XS",))))
    visit = decide(tables, claim(line("17000", 15000), line("99213", 20000, number=2, modifiers=("25",)),
                                 diagnoses=("L57.0",)))
    assert all(paid.paid.cents > 0 for paid in bundled.lines + visit.lines)


@pytest.mark.parametrize(("payer", "modifier", "paid"), [
    (STRICT, "XS", False),  # XS is not an NCCI-associated modifier there: bundled as if there were none
    (STRICT, "59", True),
    (COMMERCIAL, "XS", True),  # the default: every X modifier counts
    (COMMERCIAL, "59", True),
])
def test_a_payer_that_does_not_accept_x_modifiers_bundles_a_pair_bypassed_only_by_one(
        tables: PayerTables, payer: PayerProfile, modifier: str, paid: bool) -> None:
    result = decide(tables, claim(line("11642", 60000), line("11102", 15000, number=2, modifiers=(modifier,)),
                                  payer=payer), member(payer), payer=payer)
    excision, biopsy = result.lines
    assert excision.paid.cents > 0
    if paid:
        assert biopsy.paid.cents > 0 and "CO-97" not in reasons(biopsy)
    else:
        assert reasons(biopsy) == ["CO-97", "M15"] and biopsy.paid == Money.zero()
        assert biopsy.adjustments[0].amount == Money(15000)


def test_an_x_modifier_on_the_column_one_line_does_not_bypass_the_edit_either(tables: PayerTables) -> None:
    result = decide(tables, claim(line("11642", 60000, modifiers=("XS",)), line("11102", 15000, number=2),
                                  payer=STRICT), member(STRICT), payer=STRICT)
    assert reasons(result.lines[1]) == ["CO-97", "M15"]
    accepted = decide(tables, claim(line("11642", 60000, modifiers=("XS",)), line("11102", 15000, number=2),
                                    payer=COMMERCIAL), member(COMMERCIAL), payer=COMMERCIAL)
    assert accepted.lines[1].paid.cents > 0


def test_other_modifiers_still_count_at_a_payer_that_does_not_accept_x_modifiers(tables: PayerTables) -> None:
    visit = decide(tables, claim(line("17000", 15000), line("99213", 20000, number=2, modifiers=("25",)),
                                 diagnoses=("L57.0",), payer=STRICT), member(STRICT), payer=STRICT)
    assert all(paid.paid.cents > 0 for paid in visit.lines)
    both = decide(tables, claim(line("11642", 60000), line("11102", 15000, number=2, modifiers=("59", "XS")),
                                payer=STRICT), member(STRICT), payer=STRICT)
    assert all(paid.paid.cents > 0 for paid in both.lines)


def test_a_code_that_needs_prior_authorization_is_denied_without_one(tables: PayerTables) -> None:
    result = decide(tables, claim(line("17311", 90000), line("17000", 15000, number=2, pointers=(2,)),
                                  diagnoses=("C44.311", "L57.0"), payer=STRICT), member(STRICT), payer=STRICT)
    mohs, destruction = result.lines
    assert reasons(mohs) == ["CO-197", "M62"]
    assert mohs.paid == Money.zero() and mohs.allowed == Money.zero()
    assert mohs.adjustments[0].amount == Money(90000)
    assert destruction.paid.cents > 0  # a code the payer does not list needs no authorization
    assert result.status_code == "1"


def test_a_claim_with_a_prior_authorization_number_is_paid(tables: PayerTables) -> None:
    authorized = decide(tables, claim(line("17311", 90000), payer=STRICT, prior_authorization="PA12345"),
                        member(STRICT), payer=STRICT)
    [mohs] = authorized.lines
    assert mohs.paid.cents > 0 and "CO-197" not in reasons(mohs)
    assert authorized.status_code == "1"


def test_a_payer_that_lists_no_codes_needs_no_authorization(tables: PayerTables) -> None:
    [mohs] = decide(tables, claim(line("17311", 90000), payer=COMMERCIAL), member(COMMERCIAL),
                    payer=COMMERCIAL).lines
    assert mohs.paid.cents > 0


def test_only_the_unauthorized_lines_are_denied_and_a_claim_of_nothing_else_is_denied(tables: PayerTables) -> None:
    result = decide(tables, claim(line("17311", 90000), line("17312", 50000, number=2), payer=STRICT),
                    member(STRICT), payer=STRICT)
    assert [reasons(paid) for paid in result.lines] == [["CO-197", "M62"], ["CO-197", "M62"]]
    assert result.status_code == "4"


def test_an_authorization_denial_comes_after_a_duplicate_and_before_the_coding_edits(tables: PayerTables) -> None:
    history = History()
    decide(tables, claim(line("17311", 90000), payer=STRICT, prior_authorization="PA12345"), member(STRICT),
           payer=STRICT, history=history)
    [again] = decide(tables, claim(line("17311", 90000), payer=STRICT), member(STRICT), payer=STRICT,
                     history=history).lines
    assert reasons(again) == ["CO-18", "M86"]
    # five units of 17311 (MUE 4 a day) without an authorization: denied for the authorization, not the MUE
    [both] = decide(tables, claim(line("17311", 90000, units=5), payer=STRICT), member(STRICT), payer=STRICT).lines
    assert reasons(both) == ["CO-197", "M62"]


def test_claim_level_denials_late_filing_and_coverage_dates(tables: PayerTables) -> None:
    late = decide(tables, claim(line("11102", 15000)), received=DOS + datetime.timedelta(days=366))
    ended = decide(tables, claim(line("11102", 15000)), member(termination=DOS - datetime.timedelta(days=1)))
    assert late.status_code == "4" and reasons(late.lines[0]) == ["CO-29", "N211"]
    assert ended.status_code == "4" and reasons(ended.lines[0]) == ["CO-27", "N30"]


def test_the_same_service_paid_again_is_a_duplicate(tables: PayerTables) -> None:
    history = History()
    first = decide(tables, claim(line("11102", 15000)), history=history)
    again = decide(tables, claim(line("11102", 15000)), history=history)
    assert first.status_code == "1" and again.status_code == "4"
    assert reasons(again.lines[0]) == ["CO-18", "M86"]


def test_a_primary_with_a_supplement_on_file_crosses_the_claim_over(tables: PayerTables) -> None:
    result = decide(tables, claim(line("11102", 15000)), member(crossover="TSTBLU"))
    assert result.status_code == "19" and result.remarks == ("MA18",) and result.crossover_payer_id == "TSTBLU"


def test_a_secondary_pays_the_primary_patient_share_up_to_its_own_allowed(tables: PayerTables) -> None:
    primary = LineAdjudication("TSTMCR", Money(7660), "11102", (), 1,
                               (Adjustment("CO", "45", Money(5425)), Adjustment("PR", "2", Money(1915))), DOS)
    c = claim(line("11102", 15000, adjudication=primary), payer=COMMERCIAL, order="S")
    [paid] = decide(tables, c, member(COMMERCIAL), payer=COMMERCIAL).lines
    assert paid.paid == Money(1915) and reasons(paid) == ["CO-23"]
    medicaid = claim(line("11102", 15000, adjudication=primary), payer=MEDICAID, order="S")
    [capped] = decide(tables, medicaid, member(MEDICAID), payer=MEDICAID).lines
    medicaid_fee = Money.round_half_up(Decimal("2.96") * Decimal("32.3465") * Decimal("0.7"))
    assert capped.paid == Money(max(min(1915, medicaid_fee.cents - 7660), 0))
    assert "CO-45" in reasons(capped) and "PR-2" not in reasons(capped)


def test_every_decision_balances_line_by_line(tables: PayerTables) -> None:
    result = decide(tables, claim(line("11642", 60000), line("11102", 15000, number=2), line("99213", 20000, number=3),
                                  diagnoses=("C44.311",)), member(deductible=5000, copay=2000))
    for paid in result.lines:
        assert paid.paid.cents >= 0
        assert paid.charge == paid.paid + Money(sum(a.amount.cents for a in paid.adjustments))
