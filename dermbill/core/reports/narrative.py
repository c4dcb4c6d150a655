"""The monthly report's narrative: a few plain sentences an owner reads first, from the month's figures beside the
previous month's.

    The denial rate fell from 6.1% to 4.3% of claims (3 of 70 first adjudicated in November; 3.9% of their
    charges); the largest cause is eligibility and coverage, 41.0% of denied dollars.

Each sentence says what it cannot say, and why, rather than print a misleading zero: "No claims were adjudicated
in November, so there is no denial rate." A change too small to show at the printed precision is "unchanged".
Pure: the figures come in (``core.reports.figures.Figure`` with ``previous`` set), sentences go out.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal

from dermbill.core.reports.figures import Figure, Unit, show
from dermbill.core.reports.monthly import TopCause
from dermbill.core.reports.periods import Period

# The 30-day collection rate of the previous month's statements, read as of this report's as-of day (the month's
# own statements are mostly not 30 days old yet when the month ends).
PREVIOUS_STATEMENTS_COLLECTED = "previous_statements_collected_30"


def narrative(figures: Mapping[str, Figure], period: Period, as_of: datetime.date,
              top: TopCause | None = None) -> tuple[str, ...]:
    """The sentences in reading order: collections, denials, days in A/R, clean claims, old A/R, patients.
    A figure missing from ``figures`` leaves its sentence out."""
    month, before = _month(period), _month(period.previous())
    sentences = [
        _collections(figures, month, before),
        _denials(figures, top, month, before),
        _days_in_ar(figures.get("days_in_ar"), as_of, before),
        _clean_claims(figures.get("clean_claim_rate"), month, before),
        _old_ar(figures.get("ar_over_90_share"), as_of, before),
        _patients(figures, month, before),
    ]
    return tuple(s for s in sentences if s)


def _month(period: Period) -> str:
    return period.start.strftime("%B") if period.is_month else period.label


def _day(day: datetime.date) -> str:
    return f"{day:%B} {day.day}"


def _shown(figure: Figure, value: Decimal | None) -> str:
    """A value as printed in a sentence: days without the unit (the sentence says 'days')."""
    if figure.unit is Unit.DAYS and value is not None:
        return f"{value:.1f}"
    return show(value, figure.unit)


def _same(figure: Figure) -> bool:
    return figure.previous is not None and _shown(figure, figure.value) == _shown(figure, figure.previous)


def _moved(figure: Figure, before: str, *, unit: str = "", aside: bool = True) -> str:
    """'rose from 6.1% to 7.2%', 'fell from ...', 'was unchanged at 6.1%', or 'stood at 6.1% (October had none to
    compare)' (without the parenthesis when ``aside`` is False: the caller says it)."""
    now = _shown(figure, figure.value) + unit
    if figure.previous is None:
        return f"stood at {now}" + (f" ({_nothing_before(before)})" if aside else "")
    then = _shown(figure, figure.previous)
    if figure.value is None:
        return f"has no value ({before}: {then})"
    if _same(figure):
        return f"was unchanged at {now}"
    return f"{'rose' if figure.value > figure.previous else 'fell'} from {then} to {now}"


def _nothing_before(before: str) -> str:
    return f"{before} had none to compare"


def _collections(figures: Mapping[str, Figure], month: str, before: str) -> str:
    payments, rate = figures.get("payments"), figures.get("net_collection_rate")
    if payments is None:
        return ""
    text = f"Payments were {payments.shown()} in {month}"
    if payments.previous is not None and payments.value is not None:
        if _same(payments):
            text += f", the same as in {before}"
        else:
            direction = "up" if payments.value > payments.previous else "down"
            text += f", {direction} from {show(payments.previous, payments.unit)} in {before}"
    if rate is not None:
        if rate.value is None:
            text += (f"; there is no net collection rate, as no charges net of contractual adjustments were posted "
                     f"in {month}")
        else:
            text += f"; the net collection rate {_moved(rate, before)}"
    return text + "."


def _denials(figures: Mapping[str, Figure], top: TopCause | None, month: str, before: str) -> str:
    count, dollars = figures.get("denial_rate_count"), figures.get("denial_rate_dollars")
    if count is None:
        return ""
    if count.value is None:
        text = f"No claims were adjudicated in {month}, so there is no denial rate"
        if count.previous is not None:
            text += f" ({before}: {show(count.previous, count.unit)})"
        return text + "."
    claims = f"{count.numerator:,.0f} of {count.denominator:,.0f}" if count.denominator is not None else ""
    text = f"The denial rate {_moved(count, before, aside=False)} of claims"
    details = [f"{claims} first adjudicated in {month}"] if claims else []
    if dollars is not None and dollars.value is not None:
        details.append(f"{dollars.shown()} of their charges")
    if count.previous is None:
        details.append(_nothing_before(before))
    if details:
        text += f" ({'; '.join(details)})"
    if count.value == 0:
        return text + f"; no claim was denied on its first answer in {month}."
    if top is not None and top.denied.cents > 0:
        share = f", {show(top.share, Unit.PERCENT)} of denied dollars" if top.share is not None else ""
        text += f"; the largest cause is {_lower_first(top.label)}{share}"
    return text + "."


def _lower_first(label: str) -> str:
    """'Eligibility and coverage' -> 'eligibility and coverage' (a label with a capital second letter, an
    abbreviation, is left as it is)."""
    if len(label) > 1 and label[1].isupper():
        return label
    return label[:1].lower() + label[1:]


def _days_in_ar(figure: Figure | None, as_of: datetime.date, before: str) -> str:
    if figure is None:
        return ""
    if figure.value is None:
        return f"Days in A/R cannot be computed: no charges were posted in the 90 days to {_day(as_of)}."
    return f"Days in A/R {_moved(figure, before, unit=' days')}."


def _clean_claims(figure: Figure | None, month: str, before: str) -> str:
    if figure is None:
        return ""
    if figure.value is None:
        return (f"No claim first sent in {month} has had an answer from the clearinghouse or payer yet, so there "
                "is no clean-claim rate.")
    return f"The clean-claim rate (claims accepted the first time, with no scrubber error) {_moved(figure, before)}."


def _old_ar(figure: Figure | None, as_of: datetime.date, before: str) -> str:
    if figure is None:
        return ""
    if figure.value is None:
        owed = figure.denominator
        if owed is not None and owed < 0:
            return (f"A/R on {_day(as_of)} was -{show(-owed, Unit.MONEY)}, less than nothing: payments and credits "
                    "were posted ahead of their charges, so there is no share over 90 days.")
        return f"Nothing was owed to the practice on {_day(as_of)}, so no A/R is over 90 days old."
    amounts = ""
    if figure.numerator is not None and figure.denominator is not None:
        amounts = f" ({show(figure.numerator, Unit.MONEY)} of {show(figure.denominator, Unit.MONEY)})"
    text = f"A/R over 90 days old was {figure.shown()} of all A/R on {_day(as_of)}{amounts}"
    if figure.previous is None:
        return text + f"; there was none at the end of {before} to compare."
    if _same(figure):
        return text + f", unchanged from the end of {before}."
    return text + f", against {show(figure.previous, Unit.PERCENT)} at the end of {before}."


def _patients(figures: Mapping[str, Figure], month: str, before: str) -> str:
    sent, amount = figures.get("statements_sent"), figures.get("statement_dollars")
    earlier = figures.get(PREVIOUS_STATEMENTS_COLLECTED)
    if sent is None:
        return ""
    count = int(sent.value or 0)
    if count == 0:
        text = f"No patient statements were sent in {month}"
    else:
        dollars = f" for {amount.shown()}" if amount is not None else ""
        text = f"{count:,} patient statement{'s' if count != 1 else ''}{dollars} {'were' if count != 1 else 'was'} " \
               f"sent in {month}"
    if sent.previous is not None:
        text += f" ({before}: {sent.previous:,.0f})"
    if earlier is not None:
        if earlier.value is not None:
            collected = (f" ({show(earlier.numerator, Unit.MONEY)} of {show(earlier.denominator, Unit.MONEY)})"
                         if earlier.numerator is not None and earlier.denominator is not None else "")
            text += (f"; of {before}'s statements old enough, {earlier.shown()}{collected} was collected within 30 "
                     "days")
        elif sent.previous:
            text += f"; no statement of {before} is 30 days old yet, so its 30-day collection is not known"
    return text + "."

