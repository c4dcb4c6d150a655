"""Element values: amounts, quantities, dates and composites, checked with messages that name the element."""

from __future__ import annotations

import datetime
from decimal import Decimal

from dermbill.core.errors import InvalidInput
from dermbill.core.money import MAX_CENTS, MAX_QUANTITY, plain_decimal
from dermbill.x12.tokenizer import Segment

MAX_AMOUNT = Decimal(MAX_CENTS).scaleb(-2)


def number(segment: Segment, index: int, *, quantity: bool = False) -> Decimal:
    """Element ``index`` as a Decimal, checked for form (a plain decimal of at most 18 digits) and range.

    Raises X12Error (an InvalidInput) naming the segment and the element.
    """
    try:
        return plain_decimal(segment.get(index), f"{segment.id}{index:02d}",
                             limit=Decimal(MAX_QUANTITY) if quantity else MAX_AMOUNT,
                             kind="a quantity" if quantity else "an amount")
    except InvalidInput as exc:
        raise segment.fail(str(exc)) from None


def amount(segment: Segment, index: int, *, missing: list[str] | None = None) -> str | None:
    """XXnn as a decimal string ('541.00', '-34'); None when absent (noted in ``missing`` when it is required).

    Raises X12Error for text that is not an amount.
    """
    raw = segment.get(index).strip()
    if not raw:
        if missing is not None:
            missing.append(f"segment {segment.number} ({segment.id}): {segment.id}{index:02d} is missing (an amount "
                           "is required)")
        return None
    return str(number(segment, index))


def quantity(segment: Segment, index: int) -> str | None:
    """A quantity element (units, minutes) as a decimal string; None when absent. Raises X12Error when malformed."""
    return str(number(segment, index, quantity=True)) if segment.get(index).strip() else None


def decimal_of(text: str | None) -> Decimal:
    return Decimal(text) if text else Decimal(0)


def date(segment: Segment, index: int, notices: list[str] | None = None) -> str | None:
    """A CCYYMMDD element as an ISO date; None when absent. An impossible date is kept as written and noted."""
    raw = segment.get(index).strip()
    if not raw:
        return None
    try:
        if len(raw) < 8 or not raw[:8].isdigit():
            raise ValueError
        return datetime.date(int(raw[:4]), int(raw[4:6]), int(raw[6:8])).isoformat()
    except ValueError:
        if notices is None:
            raise segment.fail(f"{segment.id}{index:02d} '{raw}' is not a date (CCYYMMDD)") from None
        notices.append(f"segment {segment.number} ({segment.id}): {segment.id}{index:02d} '{raw}' is not a valid date")
        return raw


def composite(value: str, component: str) -> list[str]:
    """A composite element's parts. Tolerates files whose composites use ':' or '>' against their ISA16."""
    if component in value:
        return value.split(component)
    for other in (":", ">", "^"):
        if other != component and other in value and len(value.split(other)[0]) == 2:
            return value.split(other)
    return [value]
