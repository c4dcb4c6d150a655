from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money, allocate, apply_in_order, total

cents = st.integers(min_value=-(10**12), max_value=10**12)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("125.40", 12540), ("0", 0), ("-3", -300), (".5", 50), ("1,250.00", 125000), ("+7.1", 710), ("1.000", 100)],
)
def test_parse_reads_dollar_text_exactly(text: str, expected: int) -> None:
    assert Money.parse(text) == Money(expected)


@pytest.mark.parametrize("text", ["1.005", "0.001", "12.3450"])
def test_parse_rejects_fractions_of_a_cent_instead_of_rounding(text: str) -> None:
    with pytest.raises(InvalidInput, match="fractions of a cent"):
        Money.parse(text)


@pytest.mark.parametrize("text", ["", ".", "abc", "1e2", "--1", "1,2", "12345,678.00", "NaN", "Infinity", "1.2.3"])
def test_parse_rejects_text_that_is_not_an_amount(text: str) -> None:
    with pytest.raises(InvalidInput, match="is not an amount"):
        Money.parse(text)


def test_money_refuses_floats_and_bools() -> None:
    with pytest.raises(InvalidInput):
        Money(1.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput):
        Money(True)


@given(cents)
def test_plain_text_round_trips(amount: int) -> None:
    assert Money.parse(Money(amount).plain()) == Money(amount)


@given(cents)
def test_grouped_text_round_trips(amount: int) -> None:
    assert Money.parse(str(Money(amount))) == Money(amount)


@pytest.mark.parametrize(
    ("dollars", "expected"), [("95.745", 9575), ("95.7449", 9574), ("-0.005", -1), ("0.004", 0)]
)
def test_round_half_up_rounds_halves_away_from_zero(dollars: str, expected: int) -> None:
    assert Money.round_half_up(Decimal(dollars)) == Money(expected)


def test_allocate_gives_leftover_cents_to_the_largest_remainders_first() -> None:
    assert allocate(Money(100), [1, 1, 1]) == [Money(34), Money(33), Money(33)]
    assert allocate(Money(-100), [1, 1, 1]) == [Money(-34), Money(-33), Money(-33)]
    assert allocate(Money(1000), [1, 3]) == [Money(250), Money(750)]
    assert allocate(Money(10), [0, 2, 1]) == [Money(0), Money(7), Money(3)]


@given(cents, st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=30).filter(any))
def test_allocation_preserves_the_total_to_the_cent(amount: int, weights: list[int]) -> None:
    parts = allocate(Money(amount), weights)
    assert total(parts) == Money(amount)
    assert len(parts) == len(weights)
    # No part is more than one cent away from its exact share, and a zero weight gets nothing.
    weight_sum = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        exact = Decimal(amount) * weight / weight_sum
        assert abs(Decimal(part.cents) - exact) < 1
        if weight == 0:
            assert part == Money(0)


@pytest.mark.parametrize("weights", [[], [0, 0], [1, -1]])
def test_allocate_rejects_weights_that_cannot_split(weights: list[int]) -> None:
    with pytest.raises(InvalidInput):
        allocate(Money(100), weights)


def test_money_arithmetic_and_display() -> None:
    assert Money(150) + Money(-50) == Money(100)
    assert Money(150) - Money(200) == Money(-50)
    assert Money(150) * 3 == Money(450)
    assert str(Money(-123456)) == "-1,234.56"
    assert Money(100000).plain() == "1000.00"
    with pytest.raises(InvalidInput):
        Money(100) * 1.5  # type: ignore[operator]


def test_apply_in_order_pays_the_first_balances_first_and_keeps_the_rest() -> None:
    applied, left = apply_in_order(Money(5000), [Money(1800), Money(0), Money(-500), Money(8000)])
    assert applied == [Money(1800), Money(0), Money(0), Money(3200)] and left == Money(0)
    applied, left = apply_in_order(Money(10000), [Money(1800), Money(2000)])
    assert applied == [Money(1800), Money(2000)] and left == Money(6200)


@given(st.integers(0, 10**8), st.lists(st.integers(-10**6, 10**7), max_size=8))
def test_apply_in_order_never_overpays_and_loses_no_cent(amount: int, balances: list[int]) -> None:
    applied, left = apply_in_order(Money(amount), [Money(b) for b in balances])
    assert sum(a.cents for a in applied) + left.cents == amount
    assert all(0 <= a.cents <= max(b, 0) for a, b in zip(applied, balances, strict=True))
    assert left.cents == 0 or all(a.cents == max(b, 0) for a, b in zip(applied, balances, strict=True))
