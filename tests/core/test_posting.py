"""The posting plan, decided in the core without a database: accounts per CARC group and category, line matching,
payments made twice, secondary shares, balances that never go below zero, claim statuses."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dermbill.core.claims import ClaimStatus
from dermbill.core.ledger import (
    CASH,
    CONTRACTUAL,
    DENIED_AR,
    INSURANCE_AR,
    PATIENT_AR,
    PATIENT_CREDIT,
    PAYER_CREDIT,
    WRITE_OFF,
    JournalEntry,
    balances,
)
from dermbill.core.money import Money
from dermbill.core.posting import (
    Answered,
    ClaimPlan,
    HistoryKey,
    LineBalances,
    OurClaim,
    OurLine,
    adjustment_account,
    claim_status,
    line_answer,
    match_lines,
    plan_claim_payment,
)
from dermbill.core.remittance import Adjustment, ClaimPayment, ServiceLinePayment
from dermbill.reference.denial_codes import denial_code_table

CODES = denial_code_table()
DOS = datetime.date(2026, 3, 2)
CLAIM = OurClaim(7, "C-7", 70, 3, None, (OurLine(71, 71, 1, "11102", (), Money(15000), 1),
                                         OurLine(72, 72, 2, "17110", (), Money(12000), 1)))


def settled(line: OurLine, allowed: int, patient: int = 0) -> ServiceLinePayment:
    adjustments = [Adjustment("CO", "45", line.charge - Money(allowed))]
    if patient:
        adjustments.append(Adjustment("PR", "2", Money(patient)))
    return ServiceLinePayment(line.code, line.modifiers, line.charge, 1, DOS, tuple(adjustments),
                              control_number=f"{CLAIM.patient_control_number}-{line.line_number}")


def denied(line: OurLine, reason: str = "97") -> ServiceLinePayment:
    return ServiceLinePayment(line.code, line.modifiers, line.charge, 1, DOS, (Adjustment("CO", reason, line.charge),))


def payment(*lines: ServiceLinePayment, status: str = "1") -> ClaimPayment:
    return ClaimPayment(CLAIM.patient_control_number, status, "MB", "ICN7", "DOE", "JANE", "M1", lines)


def charged() -> dict[int, LineBalances]:
    return {line.charged_line_id: LineBalances(insurance=line.charge) for line in CLAIM.lines}


History = dict[HistoryKey, list[Answered]]


def plan(paid: ClaimPayment, balances_now: dict[int, LineBalances], history: History,
         remittance_id: int = 1) -> ClaimPlan:
    return plan_claim_payment(paid, CLAIM, list(CLAIM.lines[:len(paid.lines)]), 3, balances=balances_now,
                              history=history, transferred={}, codes=CODES, remittance_id=remittance_id)


def apply(result: ClaimPlan, balances_now: dict[int, LineBalances], history: History) -> None:
    balances_now.update(result.balances)
    for key, answered in result.answers:
        history.setdefault(key, []).append(answered)


@pytest.mark.parametrize("group", ["CO", "OA", "PI", "CR"])
def test_every_carc_the_table_knows_posts_where_its_category_says(group: str) -> None:
    """The denied balance (1150) takes an adjustment exactly when the denial queue counts it as a denial, so every
    denied dollar has a work item and no work item points at money posted elsewhere."""
    for carc in CODES.carcs():
        account = adjustment_account(group, carc.code, "1", CODES)
        category = CODES.category(group, carc.code)
        if carc.code == "23":
            assert account is None  # the prior payer's part: information only
        elif category.is_denial:
            assert account == DENIED_AR, (group, carc.code, category)
        else:
            assert account == (CONTRACTUAL if group == "CO" else WRITE_OFF), (group, carc.code, category)


def test_the_patient_share_and_unknown_codes() -> None:
    assert all(adjustment_account("PR", carc.code, "1", CODES) == PATIENT_AR
               for carc in CODES.carcs() if carc.code != "23")
    assert adjustment_account("CO", "P24", "1", CODES) == DENIED_AR  # not in the table: a person reads it
    assert adjustment_account("CO", "44", "1", CODES) == CONTRACTUAL
    assert adjustment_account("CO", "45", "4", CODES) == DENIED_AR  # on a denied claim, part of the denial


def test_lines_match_by_control_number_then_code_never_by_a_guess() -> None:
    first, second = CLAIM.lines
    swapped = payment(settled(second, 8000), settled(first, 9000))
    assert match_lines(swapped, CLAIM.lines, "C-7") == [second, first]
    bare = ServiceLinePayment("17110", (), Money(12000), 1, DOS, (Adjustment("CO", "45", Money(4000)),))
    assert match_lines(payment(bare), CLAIM.lines, "C-7") == [second]
    twins = OurClaim(8, "C-8", 70, 3, None, (OurLine(81, 81, 1, "11102", ("XS",), Money(15000), 1),
                                             OurLine(82, 82, 2, "11102", ("59",), Money(12000), 1)))
    vague = ServiceLinePayment("11102", (), Money(13500), 1, DOS, (Adjustment("CO", "45", Money(5000)),))
    assert match_lines(payment(vague), twins.lines, "C-8") is None


def test_a_first_payment_posts_per_line_and_leaves_nothing_with_the_payer() -> None:
    first, second = CLAIM.lines
    result = plan(payment(settled(first, 9000, patient=1800), settled(second, 8000)), charged(), {})

    assert JournalEntry(DOS, "t", result.postings).amount.cents > 0  # balanced, or JournalEntry would refuse it
    by_account = balances(result.postings)
    assert by_account == {CASH: Money(7200 + 8000), CONTRACTUAL: Money(6000 + 4000), INSURANCE_AR: Money(-27000),
                          PATIENT_AR: Money(1800)}
    assert result.balances == {71: LineBalances(Money(0), Money(0), Money(1800)), 72: LineBalances()}
    assert result.overpaid == () and len(result.adjudicated) == 2


def test_the_same_answer_again_is_an_overpayment_not_a_second_posting() -> None:
    first, second = CLAIM.lines
    paid = payment(settled(first, 9000, patient=1800), settled(second, 8000))
    now, history = charged(), History()
    apply(plan(paid, now, history, remittance_id=1), now, history)

    again = plan(paid, now, history, remittance_id=2)

    assert again.postings == () and again.adjudicated == () and again.balances == {}
    assert again.overpaid_amount == Money(15200) and again.original_remittance_id == 1
    assert balances(again.overpaid) == {CASH: Money(15200), PAYER_CREDIT: Money(-15200)}


def test_a_reversal_then_a_new_answer_is_not_a_duplicate() -> None:
    first, _ = CLAIM.lines
    paid = payment(settled(first, 9000))
    now, history = charged(), History()
    apply(plan(paid, now, history), now, history)
    reversal = payment(settled(first, 9000).negated(), status="22")
    apply(plan(reversal, now, history), now, history)
    assert now[71].insurance == Money(15000)

    again = plan(payment(settled(first, 10000)), now, history)
    assert again.overpaid == () and balances(again.postings)[CASH] == Money(10000)


def test_a_denial_being_worked_is_reprocessed_when_the_payer_pays_it() -> None:
    first, _ = CLAIM.lines
    now, history = charged(), History()
    apply(plan(payment(denied(first), status="4"), now, history), now, history)
    assert now[71] == LineBalances(Money(0), Money(15000), Money(0))
    repeated = plan(payment(denied(first), status="4"), now, history)
    assert repeated.postings == () and repeated.overpaid_amount == Money(0)  # the same denial: nothing new

    won = plan(payment(settled(first, 9000)), now, history)  # the appeal is won: paid without a reversal
    assert won.overpaid == () and won.balances[71] == LineBalances()
    assert balances(won.postings)[DENIED_AR] == Money(-15000)


def test_a_reversal_of_a_share_the_patient_paid_leaves_a_patient_credit() -> None:
    first, _ = CLAIM.lines
    now = {71: LineBalances(Money(0), Money(0), Money(0))}  # adjudicated, and the patient paid the 18.00
    history: History = {(7, 71, 3): [Answered(line_answer("1", settled(first, 9000, patient=1800)), 1)]}
    result = plan(payment(settled(first, 9000, patient=1800).negated(), status="22"), now, history)

    assert result.balances[71] == LineBalances(Money(15000), Money(0), Money(0))
    assert balances(result.postings)[PATIENT_CREDIT] == Money(-1800)
    assert PATIENT_AR not in balances(result.postings)


def test_a_secondary_payer_owes_only_the_share_moved_to_it() -> None:
    secondary = OurClaim(9, "C-7", 70, 4, 7, CLAIM.lines)
    line = CLAIM.lines[0]
    answer = ServiceLinePayment(line.code, (), line.charge, 1, DOS, (Adjustment("CO", "45", Money(6000)),
                                                                     Adjustment("OA", "23", Money(7200)),
                                                                     Adjustment("PR", "1", Money(500))))
    paid = ClaimPayment("C-7", "2", "MC", "ICN9", "DOE", "JANE", "M1", (answer,))
    result = plan_claim_payment(paid, secondary, [line], 4, balances={71: LineBalances(Money(1800))}, history={},
                                transferred={71: Money(1800)}, codes=CODES, remittance_id=5)

    assert balances(result.postings) == {CASH: Money(1300), PATIENT_AR: Money(500), INSURANCE_AR: Money(-1800)}


@pytest.mark.parametrize(("sums", "status"), [
    ({INSURANCE_AR: 27000}, ClaimStatus.ACCEPTED),
    ({CASH: 15200, CONTRACTUAL: 10000, PATIENT_AR: 1800}, ClaimStatus.PAID),
    ({DENIED_AR: 27000}, ClaimStatus.DENIED),
    ({CASH: 7200, DENIED_AR: 12000}, ClaimStatus.PARTIALLY_PAID),
    ({CASH: 7200, INSURANCE_AR: 12000}, ClaimStatus.PARTIALLY_PAID),
])
def test_a_claim_status_follows_its_balances(sums: dict[str, int], status: ClaimStatus) -> None:
    assert claim_status(sums, Money(27000)) == status


@given(st.lists(st.tuples(st.integers(0, 15000), st.integers(0, 100)), min_size=1, max_size=2),
       st.integers(1, 4))
def test_posting_the_same_payment_many_times_applies_it_once(answers: list[tuple[int, int]], times: int) -> None:
    lines = [settled(line, allowed, patient=min(share * 10, allowed))
             for line, (allowed, share) in zip(CLAIM.lines, answers, strict=False)]
    paid = payment(*lines)
    now, history = charged(), History()
    apply(plan(paid, now, history), now, history)
    after_first = dict(now)
    for number in range(times):
        again = plan(paid, now, history, remittance_id=number + 2)
        apply(again, now, history)
        assert again.postings == () and again.overpaid_amount == paid.paid
    assert now == after_first
    assert all(b.insurance.cents >= 0 and b.patient.cents >= 0 for b in now.values())
