"""A figure: one number a manager reads (a rate, an amount, a number of days), defined exactly.

Every figure carries what it was computed from (numerator and denominator, in the unit of each), the formula in
words, the previous period's value, and the drill-down that lists the claims behind it. A rate whose denominator
is zero has no value (``None``, shown as "no data"), never 0%.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from dermbill.core.money import Money

PERCENT_PLACES = Decimal("0.01")
DAYS_PLACES = Decimal("0.1")


class Unit(StrEnum):
    PERCENT = "percent"  # value is a percentage (6.12 means 6.12%)
    MONEY = "money"  # value is dollars with two decimals
    DAYS = "days"  # value is a number of days, one decimal
    COUNT = "count"  # value is a whole number


@dataclass(frozen=True, slots=True)
class Figure:
    """``value`` is None when it cannot be computed (no claims in the period, say)."""

    key: str
    label: str
    unit: Unit
    value: Decimal | None
    formula: str
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    previous: Decimal | None = None
    drill: str | None = None  # the key of the claim list behind the figure (services.reports.claims_behind)

    @property
    def change(self) -> Decimal | None:
        """This period's value less the previous period's (percentage points for a rate)."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    def with_previous(self, previous: Figure) -> Figure:
        return Figure(self.key, self.label, self.unit, self.value, self.formula, self.numerator,
                      self.denominator, previous.value, self.drill)

    def shown(self, value: Decimal | None = None) -> str:
        """The value as a person reads it: '6.12%', '$1,250.00', '23.4 days', '17', or 'no data'."""
        value = self.value if value is None else value
        return show(value, self.unit)

    def to_json(self) -> dict[str, object]:
        return {"label": self.label, "unit": self.unit.value, "value": _text(self.value),
                "previous": _text(self.previous), "change": _text(self.change),
                "numerator": _text(self.numerator), "denominator": _text(self.denominator),
                "formula": self.formula}


def show(value: Decimal | None, unit: Unit) -> str:
    if value is None:
        return "no data"
    if unit is Unit.PERCENT:
        return f"{value:.1f}%"
    if unit is Unit.MONEY:
        return f"${Money.round_half_up(value)}"
    if unit is Unit.DAYS:
        return f"{value:.1f} days"
    return f"{value:,.0f}"


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def percent(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    """100 x numerator / denominator to two decimals, halves up; None for a zero denominator."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(PERCENT_PLACES, rounding=ROUND_HALF_UP)


def ratio_days(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    """numerator / denominator in days, one decimal; None for a zero denominator."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(DAYS_PLACES, rounding=ROUND_HALF_UP)


def dollars(amount: Money) -> Decimal:
    return amount.to_decimal()


def rate_figure(key: str, label: str, numerator: int | Money, denominator: int | Money, formula: str, *,
                drill: str | None = None) -> Figure:
    """A percentage figure from two counts or two amounts."""
    num = numerator.cents if isinstance(numerator, Money) else numerator
    den = denominator.cents if isinstance(denominator, Money) else denominator
    shown_num = dollars(numerator) if isinstance(numerator, Money) else Decimal(num)
    shown_den = dollars(denominator) if isinstance(denominator, Money) else Decimal(den)
    return Figure(key, label, Unit.PERCENT, percent(num, den), formula, shown_num, shown_den, drill=drill)


def money_figure(key: str, label: str, amount: Money, formula: str, *, drill: str | None = None) -> Figure:
    return Figure(key, label, Unit.MONEY, dollars(amount), formula, drill=drill)


def count_figure(key: str, label: str, count: int, formula: str, *, drill: str | None = None) -> Figure:
    return Figure(key, label, Unit.COUNT, Decimal(count), formula, drill=drill)


def days_figure(key: str, label: str, total_days: int | Decimal, count: int | Decimal, formula: str, *,
                drill: str | None = None) -> Figure:
    """An average number of days: total days over how many (claims, or days of charges)."""
    return Figure(key, label, Unit.DAYS, ratio_days(total_days, count), formula, Decimal(total_days),
                  Decimal(count), drill=drill)
