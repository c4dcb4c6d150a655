"""The pure rules of a guarantor's balance (core.patient_balances): oldest visit first, installments that sum to
the balance, payments toward installments in due order, missed installments and a broken plan."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money
from dermbill.core.patient_balances import (
    MAX_INSTALLMENTS,
    Installment,
    OpenLine,
    allocate_oldest_first,
    count_toward_installments,
    installment_amounts,
    installment_dates,
    missed_installments,
    plan_is_broken,
)

MARCH = datetime.date(2026, 3, 2)
JANUARY = datetime.date(2026, 1, 15)


def test_a_payment_goes_to_the_oldest_visit_first_line_by_line_and_the_rest_is_a_credit() -> None:
    march_1, march_2 = OpenLine(2, 21, MARCH, 1, Money(3000)), OpenLine(2, 22, MARCH, 2, Money(1000))
    january = OpenLine(5, 51, JANUARY, 1, Money(2500))  # a later claim id, an earlier visit
    allocation = allocate_oldest_first(Money(5000), [march_2, march_1, january])
    assert [(line.claim_line_id, part) for line, part in allocation.parts] == [(51, Money(2500)), (21, Money(2500))]
    assert (allocation.applied, allocation.left_over) == (Money(5000), Money(0))

    everything = allocate_oldest_first(Money(7000), [march_1, march_2, january])
    assert [part for _, part in everything.parts] == [Money(2500), Money(3000), Money(1000)]
    assert everything.left_over == Money(500)


def test_a_line_owing_nothing_receives_nothing_and_a_payment_must_be_positive() -> None:
    assert allocate_oldest_first(Money(100), [OpenLine(1, 1, MARCH, 1, Money(0))]).parts == ()
    with pytest.raises(InvalidInput, match="more than zero"):
        allocate_oldest_first(Money(0), [])


@given(st.integers(1, 10**9), st.lists(st.tuples(st.integers(0, 400), st.integers(0, 10**6)), max_size=12))
def test_allocation_never_overpays_a_line_and_preserves_the_amount(cents: int, specs: list[tuple[int, int]]) -> None:
    lines = [OpenLine(i, i, MARCH + datetime.timedelta(days=days), 1, Money(owed))
             for i, (days, owed) in enumerate(specs)]
    allocation = allocate_oldest_first(Money(cents), lines)
    assert allocation.applied + allocation.left_over == Money(cents)
    assert all(0 < part.cents <= line.owed.cents for line, part in allocation.parts)
    dates = [line.date_of_service for line, _ in allocation.parts]
    assert dates == sorted(dates)


def test_installments_are_equal_with_the_remainder_on_the_last() -> None:
    assert installment_amounts(Money(10000), 3) == [Money(3333), Money(3333), Money(3334)]
    assert installment_amounts(Money(999), 1) == [Money(999)]
    with pytest.raises(InvalidInput, match="at least a cent"):
        installment_amounts(Money(2), 3)
    with pytest.raises(InvalidInput, match="balance to pay"):
        installment_amounts(Money(0), 3)
    with pytest.raises(InvalidInput, match=f"1 to {MAX_INSTALLMENTS}"):
        installment_amounts(Money(10000), 0)


@given(st.integers(1, 10**12), st.integers(1, MAX_INSTALLMENTS))
def test_installments_sum_exactly_to_the_balance(cents: int, count: int) -> None:
    if cents < count:
        with pytest.raises(InvalidInput):
            installment_amounts(Money(cents), count)
        return
    amounts = installment_amounts(Money(cents), count)
    assert len(amounts) == count and sum(a.cents for a in amounts) == cents
    assert len(set(amounts[:-1])) <= 1 and all(a.cents > 0 for a in amounts)
    assert amounts[-1].cents - amounts[0].cents < count  # the remainder is less than one cent per installment


def test_monthly_due_dates_keep_the_day_or_the_months_last_day() -> None:
    assert installment_dates(datetime.date(2026, 1, 31), 4) == [
        datetime.date(2026, 1, 31), datetime.date(2026, 2, 28), datetime.date(2026, 3, 31), datetime.date(2026, 4, 30)]
    assert installment_dates(datetime.date(2026, 11, 15), 3)[-1] == datetime.date(2027, 1, 15)


def _plan() -> list[Installment]:
    dates = installment_dates(datetime.date(2026, 5, 1), 3)
    return [Installment(n, d, a, Money(0))
            for n, (d, a) in enumerate(zip(dates, installment_amounts(Money(10000), 3), strict=True), start=1)]


def test_payments_count_toward_installments_in_due_order() -> None:
    counted, beyond = count_toward_installments(Money(5000), list(reversed(_plan())))
    assert [(i.number, i.paid, i.is_paid) for i in counted] == [
        (1, Money(3333), True), (2, Money(1667), False), (3, Money(0), False)]
    assert beyond == Money(0)
    again, beyond = count_toward_installments(Money(6000), counted)
    assert all(i.is_paid for i in again) and beyond == Money(1000)


def test_an_installment_is_missed_ten_days_after_it_fell_due_and_two_break_the_plan() -> None:
    plan = _plan()  # due 1 May, 1 June, 1 July
    assert missed_installments(plan, datetime.date(2026, 5, 10)) == []  # nine days late: not yet
    assert [i.number for i in missed_installments(plan, datetime.date(2026, 5, 11))] == [1]
    assert [i.number for i in missed_installments(plan, datetime.date(2026, 6, 11))] == [1, 2]
    paid_first, _ = count_toward_installments(Money(3333), plan)
    assert [i.number for i in missed_installments(paid_first, datetime.date(2026, 6, 11))] == [2]
    assert [i.number for i in missed_installments(plan, datetime.date(2026, 5, 3), grace_days=2)] == [1]
    assert not plan_is_broken(1) and plan_is_broken(2)
