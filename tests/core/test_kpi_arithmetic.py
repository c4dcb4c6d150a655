"""The arithmetic of the revenue-cycle figures, worked by hand."""

from __future__ import annotations

from decimal import Decimal

from dermbill.core.money import Money
from dermbill.core.reports.figures import Unit
from dermbill.core.reports.kpis import (
    FORMULAS,
    LABELS,
    average_daily,
    average_days,
    days_in_ar,
    days_in_ar_figure,
    net_collectible,
)


def test_days_in_ar_is_ar_over_average_daily_charges() -> None:
    # $285 owed; $720 charged over 90 days is $8 a day: 35.625 days -> 35.6.
    assert days_in_ar(Money(28500), Money(72000)) == Decimal("35.6")
    # Computed from the cents, not from a rounded daily average: $100 over 90 days is $1.111.. a day, and
    # $10 owed is 9 days exactly (10 / 1.11 would be 9.0090...).
    assert days_in_ar(Money(1000), Money(10000)) == Decimal("9.0")
    assert days_in_ar(Money(1000), Money(10000), days=30) == Decimal("3.0")
    assert days_in_ar(Money(0), Money(10000)) == Decimal("0.0")


def test_no_charges_means_no_days_in_ar() -> None:
    assert days_in_ar(Money(28500), Money(0)) is None
    figure = days_in_ar_figure(Money(28500), Money(0))
    assert figure.value is None and figure.shown() == "no data"


def test_the_figure_shows_its_parts() -> None:
    figure = days_in_ar_figure(Money(28500), Money(72000))
    assert figure.unit is Unit.DAYS and figure.key == "days_in_ar"
    assert (figure.numerator, figure.denominator) == (Decimal("285.00"), Decimal("8.00"))
    assert figure.shown() == "35.6 days"


def test_average_daily_charge_rounds_to_the_cent() -> None:
    assert average_daily(Money(72000)) == Decimal("8.00")
    assert average_daily(Money(10000)) == Decimal("1.11")  # 1.111...
    assert average_daily(Money(15000)) == Decimal("1.67")  # 1.6666...
    assert average_daily(Money(45)) == Decimal("0.01")  # 0.005 rounds half up


def test_net_collectible_and_average_days() -> None:
    assert net_collectible(Money(62000), Money(16000)) == Money(46000)
    assert average_days(13, 4) == Decimal("3.3")  # 3.25, halves up
    assert average_days(77, 3) == Decimal("25.7")
    assert average_days(0, 0) is None


def test_every_figure_has_a_label_and_a_formula() -> None:
    assert set(FORMULAS) == set(LABELS)
    assert all(text.strip() for text in (*FORMULAS.values(), *LABELS.values()))
