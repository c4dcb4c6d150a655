"""Money as integer cents, parsed exactly from text, and a total-preserving allocation.

``Money.parse("125.40") == Money(12540)``; ``Money.parse("1.005")`` is rejected, not rounded.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from dermbill.core.errors import InvalidInput

# X12 R and N2 elements carry at most 18 digits; amounts are held to under ten trillion dollars so that
# sums of thousands of them still fit a signed 64-bit column (SQLite INTEGER, PostgreSQL BIGINT).
MAX_DIGITS = 18
MAX_CENTS = 10**15 - 1
# Quantities (units, minutes) must fit a 32-bit integer column.
MAX_QUANTITY = 10**9 - 1
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)", re.ASCII)
_SHOWN = 24
_DIGITS = frozenset("0123456789")


def shown(text: str) -> str:
    """``text`` cut to a length fit for a one-line message."""
    return text if len(text) <= _SHOWN else text[:_SHOWN] + f"... ({len(text)} characters)"


def plain_decimal(text: str, what: str, *, limit: Decimal | None = None, kind: str = "a number") -> Decimal:
    """``text`` as a Decimal when it is a plain decimal number: an optional sign, at most 18 digits, an optional
    point; no exponent, NaN or Infinity. ``limit`` bounds its magnitude. Raises InvalidInput naming ``what``.

    The one check every reader of amounts and quantities uses, before any arithmetic on the value.
    """
    raw = text.strip()
    if not _PLAIN_NUMBER.fullmatch(raw):
        raise InvalidInput(f"{what} '{shown(raw)}' is not {kind} (a plain decimal such as 150, 84.50 or -12; "
                           "no exponent, NaN or Infinity)")
    if sum(ch in _DIGITS for ch in raw) > MAX_DIGITS:
        raise InvalidInput(f"{what} '{shown(raw)}' has more than {MAX_DIGITS} digits (the X12 limit)")
    value = Decimal(raw)
    if limit is not None and abs(value) > limit:
        raise InvalidInput(f"{what} '{shown(raw)}' is out of range (at most {limit:,} in magnitude)")
    return value


# Thousands separators only where they belong ("1,250.00"), so "1,2" is never read as 12.
_AMOUNT = re.compile(r"(?P<sign>[+-]?)(?P<whole>\d+|\d{1,3}(?:,\d{3})+)?(?:\.(?P<fraction>\d*))?", re.ASCII)


@dataclass(frozen=True, slots=True, order=True)
class Money:
    """An amount of US dollars held as whole cents (negative for credits)."""

    cents: int

    def __post_init__(self) -> None:
        # bool is an int subclass; a float would lose cents silently.
        if type(self.cents) is not int:
            raise InvalidInput(f"money must be whole cents (int), not {type(self.cents).__name__}")

    @classmethod
    def zero(cls) -> Money:
        return cls(0)

    @classmethod
    def parse(cls, text: str) -> Money:
        """Parse a decimal dollar string ("125.40", "-3", ".5", "1,250.00") exactly.

        More than two decimals is an error, never rounded.
        """
        if not isinstance(text, str):
            raise InvalidInput(f"amount must be text such as '125.40', not {type(text).__name__}")
        match = _AMOUNT.fullmatch(text.strip())
        if match is None or not (match.group("whole") or match.group("fraction")):  # some digit is required
            raise InvalidInput(f"'{shown(text)}' is not an amount (examples: 125.40, 0.50, -12)")
        if sum(ch in _DIGITS for ch in text) > MAX_DIGITS:
            raise InvalidInput(f"'{shown(text)}' has more than {MAX_DIGITS} digits; it is not an amount")
        sign, whole, fraction = match.group("sign"), match.group("whole") or "0", match.group("fraction") or ""
        fraction = fraction.rstrip("0") if len(fraction) > 2 else fraction
        if len(fraction) > 2:
            raise InvalidInput(f"'{text}' has fractions of a cent; amounts have at most two decimals")
        cents = int(whole.replace(",", "")) * 100 + int(fraction.ljust(2, "0"))
        if cents > MAX_CENTS:
            raise InvalidInput(f"'{shown(text)}' is out of range: amounts are under $10,000,000,000,000")
        return cls(-cents if sign == "-" else cents)

    @classmethod
    def from_decimal(cls, value: Decimal) -> Money:
        """Exact conversion from a Decimal with at most two decimals."""
        return cls.parse(str(value))

    @classmethod
    def round_half_up(cls, dollars: Decimal) -> Money:
        """A computed amount (RVUs x conversion factor, say) rounded to the cent, halves away from zero."""
        return cls(int((dollars * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)))

    def to_decimal(self) -> Decimal:
        return Decimal(self.cents).scaleb(-2)

    def __add__(self, other: Money) -> Money:
        return Money(self.cents + other.cents)

    def __sub__(self, other: Money) -> Money:
        return Money(self.cents - other.cents)

    def __neg__(self) -> Money:
        return Money(-self.cents)

    def __mul__(self, factor: int) -> Money:
        if type(factor) is not int:
            raise InvalidInput("money can only be multiplied by a whole number; use allocate() to split")
        return Money(self.cents * factor)

    def __str__(self) -> str:
        sign = "-" if self.cents < 0 else ""
        dollars, cents = divmod(abs(self.cents), 100)
        return f"{sign}{dollars:,}.{cents:02d}"

    def plain(self) -> str:
        """The amount as X12 and JSON want it: no grouping, two decimals ("1250.00")."""
        return f"{self.to_decimal():.2f}"


def total(amounts: Sequence[Money]) -> Money:
    """The sum of amounts (zero for none)."""
    return Money(sum(a.cents for a in amounts))


def allocate(amount: Money, weights: Sequence[int]) -> list[Money]:
    """Split ``amount`` in proportion to non-negative integer ``weights`` by largest remainder.

    The parts always sum to ``amount`` exactly; ties go to the earlier weight, so the result is deterministic.
    Example: allocate(Money(100), [1, 1, 1]) == [Money(34), Money(33), Money(33)].
    """
    if not weights:
        raise InvalidInput("cannot allocate an amount over no weights")
    if any(type(w) is not int or w < 0 for w in weights):
        raise InvalidInput("allocation weights must be whole numbers of zero or more")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise InvalidInput("cannot allocate an amount over weights that are all zero")
    sign = -1 if amount.cents < 0 else 1
    magnitude = abs(amount.cents)
    shares = [divmod(magnitude * w, weight_sum) for w in weights]
    parts = [q for q, _ in shares]
    leftover = magnitude - sum(parts)
    by_remainder = sorted(range(len(weights)), key=lambda i: (-shares[i][1], i))
    for i in by_remainder[:leftover]:
        parts[i] += 1
    return [Money(sign * p) for p in parts]


def apply_in_order(amount: Money, open_balances: Sequence[Money]) -> tuple[list[Money], Money]:
    """Apply a payment to open balances in the order given, each up to what it owes.

    Returns what each balance receives and what is left over (an unapplied credit). Balances at or
    below zero receive nothing.
    """
    if amount.cents < 0:
        raise ValueError("a payment to apply cannot be negative")
    left = amount.cents
    applied = []
    for balance in open_balances:
        part = min(left, max(balance.cents, 0))
        applied.append(Money(part))
        left -= part
    return applied, Money(left)
