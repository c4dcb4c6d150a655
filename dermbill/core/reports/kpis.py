"""The revenue-cycle key figures: their definitions (the formula a manager reads) and the arithmetic once the
database has summed what they are made of. Pure: the sums come from ``services.report_kpis``.

Industry definitions where they exist (HFMA MAP Keys, MGMA): days in A/R over the 90 days of charges that end on the
as-of day; clean-claim and first-pass rates over original claims; collection rates over the period's flows.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from dermbill.core.money import Money
from dermbill.core.reports.figures import DAYS_PLACES, Figure, Unit, dollars, ratio_days

AR_DAYS_WINDOW = 90  # days of charges the average daily charge is taken over
CENT = Decimal("0.01")

FORMULAS = {
    "charges": "Gross charges posted in the period: credits to gross charges (4000) dated in the period, as a "
               "positive amount (reversed charges net out)",
    "payments": "Net cash posted in the period: postings to cash (1000) dated in the period (refunds net out); "
                "with a payer chosen, only cash that names that payer (patient cash is not counted)",
    "contractual_adjustments": "Contractual adjustments posted in the period: postings to contractual "
                               "adjustments (4100) dated in the period",
    "days_in_ar": "Total A/R as of the as-of day (insurance 1100 + denied 1150 + patient 1200, postings dated on "
                  "or before it) / average daily charges (gross charges of the 90 days ending on the as-of day / "
                  "90)",
    "clean_claim_rate": "Original claims (frequency 1, not secondary) first submitted in the period that have an "
                        "answer (a later move to accepted, rejected, paid, partially paid or denied, by the as-of "
                        "day): the share never moved to scrub_errors (so scrubbed clean before the first "
                        "submission) and never rejected by the clearinghouse or the payer (999 or 277CA)",
    "first_pass_resolution_rate": "Claims first adjudicated in the period (their earliest 835 line, reversals "
                                  "excepted): the share with no denial from that first remittance",
    "denial_rate_count": "Claims first adjudicated in the period with a denial on that first remittance / claims "
                         "first adjudicated in the period",
    "denial_rate_dollars": "Denied dollars on the first remittance (denial items of those claims from it) / total "
                           "charges of the claims first adjudicated in the period",
    "net_collection_rate": "Payments / (charges - contractual adjustments), all posted in the period",
    "gross_collection_rate": "Payments / charges, both posted in the period",
    "charge_lag_days": "Average days from the date of service to the first submission, over original claims "
                       "first submitted in the period",
    "submission_to_payment_days": "Average days from the first submission to the first payer payment (the "
                                  "earliest 835 line paying more than zero), over claims first paid in the period",
}

LABELS = {
    "charges": "Charges",
    "payments": "Payments",
    "contractual_adjustments": "Contractual adjustments",
    "days_in_ar": "Days in A/R",
    "clean_claim_rate": "Clean-claim rate",
    "first_pass_resolution_rate": "First-pass resolution rate",
    "denial_rate_count": "Denial rate (claims)",
    "denial_rate_dollars": "Denial rate (dollars)",
    "net_collection_rate": "Net collection rate",
    "gross_collection_rate": "Gross collection rate",
    "charge_lag_days": "Charge lag",
    "submission_to_payment_days": "Submission to payment",
}


def average_daily(charges: Money, days: int = AR_DAYS_WINDOW) -> Decimal:
    """Charges over ``days`` days as dollars a day, to the cent (halves up)."""
    return (dollars(charges) / days).quantize(CENT, rounding=ROUND_HALF_UP)


def days_in_ar(ar: Money, charges: Money, days: int = AR_DAYS_WINDOW) -> Decimal | None:
    """A/R / (charges / days), one decimal; None when nothing was charged in the window.

    Computed from the cents (days x A/R / charges), not from the rounded daily average."""
    if not charges.cents:
        return None
    return (Decimal(ar.cents) * days / Decimal(charges.cents)).quantize(DAYS_PLACES, rounding=ROUND_HALF_UP)


def days_in_ar_figure(ar: Money, charges: Money, *, drill: str | None = "ar") -> Figure:
    return Figure("days_in_ar", LABELS["days_in_ar"], Unit.DAYS, days_in_ar(ar, charges), FORMULAS["days_in_ar"],
                  dollars(ar), average_daily(charges), drill=drill)


def net_collectible(charges: Money, contractual: Money) -> Money:
    """What the payers' contracts allow: charges less contractual adjustments."""
    return charges - contractual


def average_days(total_days: int, count: int) -> Decimal | None:
    """Whole days summed over ``count`` claims, as an average with one decimal; None for no claims."""
    return ratio_days(total_days, count)
