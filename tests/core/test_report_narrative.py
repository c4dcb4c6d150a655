"""The monthly report's narrative, from hand-built figures: what it says, and what it says when it cannot say."""

from __future__ import annotations

import datetime
from decimal import Decimal

from dermbill.core.money import Money
from dermbill.core.reports.aging import AgingRow, Kind
from dermbill.core.reports.figures import Figure, Unit
from dermbill.core.reports.monthly import TopCause, ar_over_90_figure
from dermbill.core.reports.narrative import PREVIOUS_STATEMENTS_COLLECTED, narrative
from dermbill.core.reports.periods import month_period

NOVEMBER = month_period(2026, 11)
AS_OF = datetime.date(2026, 11, 30)
CAUSE = TopCause("Eligibility and coverage", Decimal("41.00"), Money(41000))


def fig(key: str, unit: Unit, value: str | None, previous: str | None = None, *, numerator: str | None = None,
        denominator: str | None = None) -> Figure:
    return Figure(key, key, unit, None if value is None else Decimal(value), "test",
                  None if numerator is None else Decimal(numerator),
                  None if denominator is None else Decimal(denominator),
                  None if previous is None else Decimal(previous))


def said(*figures: Figure, top: TopCause | None = None) -> str:
    return " ".join(narrative({f.key: f for f in figures}, NOVEMBER, AS_OF, top))


def test_denial_rate_fall_names_the_largest_cause_and_its_share() -> None:
    text = said(fig("denial_rate_count", Unit.PERCENT, "4.30", "6.12", numerator="3", denominator="70"),
                fig("denial_rate_dollars", Unit.PERCENT, "3.90", "5.00"), top=CAUSE)
    assert text == ("The denial rate fell from 6.1% to 4.3% of claims (3 of 70 first adjudicated in November; 3.9% "
                    "of their charges); the largest cause is eligibility and coverage, 41.0% of denied dollars.")


def test_no_claims_adjudicated_says_so_rather_than_zero() -> None:
    text = said(fig("denial_rate_count", Unit.PERCENT, None, "6.10"), top=None)
    assert text == "No claims were adjudicated in November, so there is no denial rate (October: 6.1%)."


def test_a_rise_with_no_previous_month_says_there_is_nothing_to_compare() -> None:
    text = said(fig("denial_rate_count", Unit.PERCENT, "4.00", None, numerator="1", denominator="25"), top=CAUSE)
    assert "stood at 4.0% of claims (1 of 25 first adjudicated in November; October had none to compare)" in text


def test_no_denials_says_none_was_denied() -> None:
    text = said(fig("denial_rate_count", Unit.PERCENT, "0.00", "2.00", numerator="0", denominator="12"), top=None)
    assert text.endswith("; no claim was denied on its first answer in November.")
    assert "fell from 2.0% to 0.0%" in text


def test_a_change_too_small_to_print_is_unchanged() -> None:
    text = said(fig("clean_claim_rate", Unit.PERCENT, "95.04", "95.01"))
    assert "was unchanged at 95.0%" in text


def test_collections_up_and_the_net_collection_rate() -> None:
    text = said(fig("payments", Unit.MONEY, "10592.44", "2527.00"),
                fig("net_collection_rate", Unit.PERCENT, "96.50", "98.00"))
    assert text == ("Payments were $10,592.44 in November, up from $2,527.00 in October; the net collection rate "
                    "fell from 98.0% to 96.5%.")


def test_collections_with_no_charges_has_no_net_collection_rate() -> None:
    text = said(fig("payments", Unit.MONEY, "100.00", "100.00"), fig("net_collection_rate", Unit.PERCENT, None))
    assert text.startswith("Payments were $100.00 in November, the same as in October; there is no net collection "
                           "rate")


def test_days_in_ar_rise_and_no_charges() -> None:
    assert said(fig("days_in_ar", Unit.DAYS, "34.2", "31.0")) == "Days in A/R rose from 31.0 to 34.2 days."
    assert said(fig("days_in_ar", Unit.DAYS, None, "31.0")) == (
        "Days in A/R cannot be computed: no charges were posted in the 90 days to November 30.")


def test_clean_claim_rate_without_answers() -> None:
    assert said(fig("clean_claim_rate", Unit.PERCENT, None)).startswith(
        "No claim first sent in November has had an answer")


def test_old_ar_share_from_the_aging_totals() -> None:
    insurance = AgingRow("insurance", "Insurance", [Money(6000), Money(0), Money(0), Money(2000), Money(1000)])
    patient = AgingRow("patient", "Patient", [Money(1000), Money(0), Money(0), Money(0), Money(0)])
    figure = ar_over_90_figure({Kind.INSURANCE: insurance, Kind.PATIENT: patient})
    assert figure.value == Decimal("30.00")  # (20 + 10) / 100
    text = said(figure.with_previous(fig("ar_over_90_share", Unit.PERCENT, "25.00")))
    assert text == ("A/R over 90 days old was 30.0% of all A/R on November 30 ($30.00 of $100.00), against 25.0% at "
                    "the end of October.")


def test_negative_ar_is_said_plainly() -> None:
    patient = AgingRow("patient", "Patient", [Money(-500), Money(0), Money(0), Money(0), Money(0)])
    figure = ar_over_90_figure({Kind.INSURANCE: AgingRow("insurance", "Insurance"), Kind.PATIENT: patient})
    assert figure.value is None
    assert said(figure).startswith("A/R on November 30 was -$5.00, less than nothing")
    empty = ar_over_90_figure({Kind.INSURANCE: AgingRow("insurance", "Insurance")})
    assert said(empty) == "Nothing was owed to the practice on November 30, so no A/R is over 90 days old."


def test_patient_statements_and_last_month_collection() -> None:
    text = said(fig("statements_sent", Unit.COUNT, "130", "120"), fig("statement_dollars", Unit.MONEY, "3624.00"),
                fig(PREVIOUS_STATEMENTS_COLLECTED, Unit.PERCENT, "23.90", numerator="239.00", denominator="1000.00"))
    assert text == ("130 patient statements for $3,624.00 were sent in November (October: 120); of October's "
                    "statements old enough, 23.9% ($239.00 of $1,000.00) was collected within 30 days.")
    assert said(fig("statements_sent", Unit.COUNT, "0", "0")) == (
        "No patient statements were sent in November (October: 0).")


def test_sentences_come_in_reading_order_and_missing_figures_are_left_out() -> None:
    sentences = narrative({f.key: f for f in (fig("days_in_ar", Unit.DAYS, "30.0", "30.0"),
                                              fig("payments", Unit.MONEY, "1.00"))}, NOVEMBER, AS_OF)
    assert sentences == ("Payments were $1.00 in November.", "Days in A/R was unchanged at 30.0 days.")
