"""Root cause, next action, deadline and work-queue order of denied and underpaid lines (dermbill.core.denials).

The facts are built by hand; reason codes come from the shipped CARC/RARC table and payer windows from the shipped
payer rules, so a wrong row there fails here too. NCCI pairs come from a small fake ``ptp`` callable.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dermbill.core.denial_codes import DenialCategory
from dermbill.core.denials import (
    URGENT_DAYS,
    Action,
    ClaimFacts,
    LesionFacts,
    LineFacts,
    LineFix,
    PayerAnswer,
    PayerDeadlines,
    RootCause,
    Urgency,
    appeal_refusal,
    deadline_for,
    find_root_cause,
    priority,
    underpayment_cause,
    urgency,
)
from dermbill.core.money import Money
from dermbill.reference.denial_codes import denial_code_table
from dermbill.reference.scrub_tables import load_payer_rules

TABLE = denial_code_table()
DOS = datetime.date(2025, 3, 3)
PAYER = "TEST MEDICARE"

Ptp = Callable[[str, str], tuple[str, str] | None]

LESION_A = LesionFacts("A", "nose", diameter_cm="1.5", diagnosis="basal_cell_carcinoma", procedures=("excision",))
LESION_B = LesionFacts("B", "back", laterality="left", diagnosis="atypical_nevus", procedures=("biopsy",))


# ---------------------------------------------------------------- builders


def fake_ptp(pairs: Mapping[tuple[str, str], tuple[str, str]]) -> Ptp:
    """An NCCI lookup over a few pairs, found in either order: (column one, modifier indicator)."""

    def lookup(code_a: str, code_b: str) -> tuple[str, str] | None:
        return pairs.get((code_a, code_b)) or pairs.get((code_b, code_a))

    return lookup


NO_PTP = fake_ptp({})
EXCISION_BUNDLES_BIOPSY = fake_ptp({("11642", "11102"): ("11642", "1")})
NEVER_TOGETHER = fake_ptp({("11642", "11102"): ("11642", "0")})


def line(number: int, code: str, *modifiers: str, lesions: tuple[str, ...] = ()) -> LineFacts:
    return LineFacts(number, code, modifiers, 1, Money(15000), lesions)


def claim(*lines: LineFacts, **facts: Any) -> ClaimFacts:
    """A claim of TEST MEDICARE on DOS with lesions A and B documented; keyword arguments override any fact."""
    base = ClaimFacts("C-1042", PAYER, "medicare", DOS, lines, lesions=(LESION_A, LESION_B))
    return dataclasses.replace(base, **facts)


def answer(line_number: int, adjustment: str, *rarcs: str) -> PayerAnswer:
    """``answer(2, "CO-97", "M15")``: the payer's adjustment (90.00 at stake) on one line."""
    group, carc = adjustment.split("-", 1)
    return PayerAnswer(line_number, group, carc, rarcs, Money(9000))


def root_cause(facts: ClaimFacts, *answers: PayerAnswer, ptp: Ptp = NO_PTP) -> RootCause:
    return find_root_cause(facts, answers, TABLE, ptp)


def excision_and_biopsy(*biopsy_modifiers: str, biopsy_lesions: tuple[str, ...] = ("B",),
                        **facts: Any) -> ClaimFacts:
    """Line 1: excision 11642 of lesion A; line 2: biopsy 11102 of ``biopsy_lesions``."""
    return claim(line(1, "11642", lesions=("A",)), line(2, "11102", *biopsy_modifiers, lesions=biopsy_lesions),
                 **facts)


def bundled_biopsy(facts: ClaimFacts, ptp: Ptp = EXCISION_BUNDLES_BIOPSY) -> RootCause:
    return root_cause(facts, answer(2, "CO-97", "M15"), ptp=ptp)


# ---------------------------------------------------------------- coding and bundling (CO-97/M15)


def test_biopsy_of_another_lesion_bundled_into_excision_takes_xs_when_payer_accepts_either() -> None:
    cause = bundled_biopsy(excision_and_biopsy(distinct_modifier="either"))

    assert cause.category == DenialCategory.CODING_BUNDLING
    assert cause.action is Action.CORRECT_AND_RESUBMIT
    assert cause.fixes == (LineFix(2, add=("XS",)),)
    assert cause.is_certain
    assert "11102" in cause.cause and "11642" in cause.cause and "lesion B" in cause.cause and "XS" in cause.cause
    assert len(cause.relies_on) == 1
    assert "11642" in cause.relies_on[0] and "11102" in cause.relies_on[0]


def test_biopsy_of_another_lesion_takes_59_when_the_payer_wants_59() -> None:
    cause = bundled_biopsy(excision_and_biopsy(distinct_modifier="59"))

    assert cause.action is Action.CORRECT_AND_RESUBMIT
    assert cause.fixes == (LineFix(2, add=("59",)),)
    assert "59" in cause.cause and "XS" not in cause.cause and "lesion B" in cause.cause


def test_biopsy_already_carrying_xs_that_the_payer_ignored_swaps_xs_for_59() -> None:
    cause = bundled_biopsy(excision_and_biopsy("XS"))

    assert cause.action is Action.CORRECT_AND_RESUBMIT
    assert cause.fixes == (LineFix(2, add=("59",), remove=("XS",)),)
    assert cause.is_certain
    assert "XS" in cause.cause and "59" in cause.cause and PAYER in cause.cause and "lesion B" in cause.cause


def test_biopsy_carrying_59_for_a_payer_that_accepts_either_swaps_59_for_xs() -> None:
    cause = bundled_biopsy(excision_and_biopsy("59"))

    assert cause.fixes == (LineFix(2, add=("XS",), remove=("59",)),)


def test_biopsy_already_carrying_the_payers_modifier_gets_no_fix_that_changes_nothing() -> None:
    cause = bundled_biopsy(excision_and_biopsy("59", distinct_modifier="59"))

    biopsy = excision_and_biopsy("59").line(2)
    assert not any(set(fix.add) & set(biopsy.modifiers) for fix in cause.fixes)
    assert cause.action is Action.APPEAL


def test_biopsy_of_the_lesion_that_was_excised_is_written_off() -> None:
    cause = bundled_biopsy(excision_and_biopsy(biopsy_lesions=("A",)))

    assert cause.category == DenialCategory.CODING_BUNDLING
    assert cause.action is Action.WRITE_OFF
    assert cause.fixes == ()
    assert not cause.is_certain
    assert "11102" in cause.cause and "11642" in cause.cause and "lesion A" in cause.cause


def test_biopsy_not_tied_to_a_lesion_is_written_off_rather_than_given_a_modifier() -> None:
    cause = bundled_biopsy(excision_and_biopsy(biopsy_lesions=()))

    assert cause.action is Action.WRITE_OFF
    assert cause.fixes == ()


def test_pair_with_modifier_indicator_0_is_written_off_even_for_different_lesions() -> None:
    cause = bundled_biopsy(excision_and_biopsy(), ptp=NEVER_TOGETHER)

    assert cause.action is Action.WRITE_OFF
    assert cause.fixes == ()
    assert "11102" in cause.cause and "11642" in cause.cause
    assert len(cause.relies_on) == 1 and cause.relies_on[0].endswith("0")


def test_bundled_line_that_no_ncci_edit_pairs_is_appealed() -> None:
    cause = bundled_biopsy(excision_and_biopsy(), ptp=NO_PTP)

    assert cause.category == DenialCategory.CODING_BUNDLING
    assert cause.action is Action.APPEAL
    assert cause.fixes == ()
    assert not cause.is_certain
    assert "11102" in cause.cause


def test_pair_counts_only_when_the_other_line_is_column_one() -> None:
    # The edit makes the biopsy column one: the excision line cannot have absorbed it.
    cause = bundled_biopsy(excision_and_biopsy(), ptp=fake_ptp({("11102", "11642"): ("11102", "1")}))

    assert cause.action is Action.APPEAL


@pytest.mark.parametrize(
    ("facts", "ptp"),
    [
        (excision_and_biopsy(), EXCISION_BUNDLES_BIOPSY),
        (excision_and_biopsy("XS"), EXCISION_BUNDLES_BIOPSY),
        (excision_and_biopsy(biopsy_lesions=("A",)), EXCISION_BUNDLES_BIOPSY),
        (excision_and_biopsy(), NEVER_TOGETHER),
        (excision_and_biopsy(), NO_PTP),
    ],
    ids=["xs", "swap", "same-lesion", "indicator-0", "unpaired"],
)
def test_bundling_cause_is_certain_exactly_when_it_carries_fixes(facts: ClaimFacts, ptp: Ptp) -> None:
    cause = bundled_biopsy(facts, ptp)

    assert cause.is_certain is bool(cause.fixes)


# ---------------------------------------------------------------- a visit inside the global package (CO-97/M144)


def visit_and_biopsy(*visit_modifiers: str, separately_identifiable: bool | None) -> ClaimFacts:
    return claim(line(1, "11102", lesions=("A",)), line(2, "99213", *visit_modifiers),
                 visit_separately_identifiable=separately_identifiable)


def test_separately_identifiable_visit_denied_in_the_global_package_takes_25() -> None:
    cause = root_cause(visit_and_biopsy(separately_identifiable=True), answer(2, "CO-97", "M144"))

    assert cause.category == DenialCategory.CODING_BUNDLING
    assert cause.action is Action.CORRECT_AND_RESUBMIT
    assert cause.fixes == (LineFix(2, add=("25",)),)
    assert cause.is_certain
    assert "99213" in cause.cause
    assert cause.relies_on


def test_visit_line_is_treated_as_a_global_package_denial_without_m144() -> None:
    cause = root_cause(visit_and_biopsy(separately_identifiable=True), answer(2, "CO-97", "M15"),
                       ptp=fake_ptp({("11102", "99213"): ("11102", "1")}))

    assert cause.fixes == (LineFix(2, add=("25",)),)


@pytest.mark.parametrize("separately_identifiable", [False, None])
def test_visit_not_documented_as_separately_identifiable_is_written_off(separately_identifiable: bool | None) -> None:
    cause = root_cause(visit_and_biopsy(separately_identifiable=separately_identifiable), answer(2, "CO-97", "M144"))

    assert cause.action is Action.WRITE_OFF
    assert cause.fixes == ()
    assert "99213" in cause.cause


def test_separately_identifiable_visit_that_already_had_25_is_appealed() -> None:
    cause = root_cause(visit_and_biopsy("25", separately_identifiable=True), answer(2, "CO-97", "M144"))

    assert cause.action is Action.APPEAL
    assert cause.fixes == ()
    assert not cause.is_certain


def test_procedure_denied_as_part_of_a_global_package_gets_no_distinct_service_modifier() -> None:
    # M144 (pre- or post-operative care) sends a CO-97 down the global-package route even on a procedure line.
    cause = root_cause(excision_and_biopsy(visit_separately_identifiable=True), answer(2, "CO-97", "M144"),
                       ptp=EXCISION_BUNDLES_BIOPSY)

    assert cause.action is Action.WRITE_OFF
    assert cause.fixes == ()
    assert "11102" in cause.cause


# ---------------------------------------------------------------- modifiers (CO-4, CO-16/M78)


def test_x_modifier_the_payer_rejected_is_replaced_by_59() -> None:
    cause = root_cause(excision_and_biopsy("XS"), answer(2, "CO-4"))

    assert cause.category == DenialCategory.MODIFIERS
    assert cause.action is Action.CORRECT_AND_RESUBMIT
    assert cause.fixes == (LineFix(2, add=("59",), remove=("XS",)),)
    assert cause.is_certain
    assert "11102" in cause.cause and PAYER in cause.cause and "59" in cause.cause


def test_modifier_denial_on_a_line_without_an_x_modifier_is_corrected_by_a_person() -> None:
    cause = root_cause(excision_and_biopsy("59"), answer(2, "CO-4"))

    assert cause.category == DenialCategory.MODIFIERS
    assert cause.action is Action.CORRECT_AND_RESUBMIT
    assert cause.fixes == ()
    assert not cause.is_certain
    assert "11102" in cause.cause


def test_modifier_remark_on_a_generic_carc_replaces_xs_only_for_a_payer_that_wants_59() -> None:
    # CO-16 with M78 is a modifier problem by its remark, but the CARC does not say the X modifier was refused.
    either = root_cause(excision_and_biopsy("XS", distinct_modifier="either"), answer(2, "CO-16", "M78"))
    wants_59 = root_cause(excision_and_biopsy("XS", distinct_modifier="59"), answer(2, "CO-16", "M78"))

    assert either.category == wants_59.category == DenialCategory.MODIFIERS
    assert either.fixes == ()
    assert wants_59.fixes == (LineFix(2, add=("59",), remove=("XS",)),)


# ---------------------------------------------------------------- medical necessity (CO-50/N115)

SK_POLICY = "LCD L34938 Removal of Benign Skin Lesions"
AK_POLICY = "LCD L35498 Destruction of Premalignant Lesions"
IRRITATED_SK = LesionFacts("S", "scalp", diagnosis="seborrheic_keratosis", symptoms=("bleeding", "itching"))
QUIET_SK = LesionFacts("Q", "chest", diagnosis="seborrheic_keratosis")


def shave(*modifiers: str, lesion: LesionFacts) -> ClaimFacts:
    """Line 1: shave removal 11300 of ``lesion``; line 2: AK destruction 17000 of lesion Q; policies for both."""
    return claim(line(1, "11300", *modifiers, lesions=(lesion.id,)), line(2, "17000", lesions=("Q",)),
                 lesions=(IRRITATED_SK, QUIET_SK), policies=(("11300", SK_POLICY), ("17000", AK_POLICY)))


def test_medically_necessary_removal_of_a_symptomatic_lesion_is_appealed_on_its_own_policy() -> None:
    cause = root_cause(shave(lesion=IRRITATED_SK), answer(1, "CO-50", "N115"))

    assert cause.category == DenialCategory.MEDICAL_NECESSITY
    assert cause.action is Action.APPEAL
    assert cause.relies_on == (SK_POLICY,)
    assert AK_POLICY not in cause.cause
    assert "11300" in cause.cause and "lesion S" in cause.cause and "bleeding" in cause.cause
    assert SK_POLICY in cause.cause


def test_symptoms_are_appealed_even_when_a_waiver_was_signed() -> None:
    cause = root_cause(shave("GA", lesion=IRRITATED_SK), answer(1, "CO-50", "N115"))

    assert cause.action is Action.APPEAL


def test_medical_necessity_denial_with_a_waiver_is_billed_to_the_patient() -> None:
    cause = root_cause(shave("GA", lesion=QUIET_SK), answer(1, "CO-50", "N115"))

    assert cause.category == DenialCategory.MEDICAL_NECESSITY
    assert cause.action is Action.BILL_PATIENT
    assert cause.relies_on == (SK_POLICY,)
    assert "11300" in cause.cause and SK_POLICY in cause.cause


def test_medical_necessity_denial_without_symptoms_or_waiver_is_written_off() -> None:
    cause = root_cause(shave(lesion=QUIET_SK), answer(1, "CO-50", "N115"))

    assert cause.action is Action.WRITE_OFF
    assert cause.relies_on == (SK_POLICY,)
    assert "11300" in cause.cause


def test_medical_necessity_without_a_policy_on_file_relies_on_nothing() -> None:
    cause = root_cause(dataclasses.replace(shave(lesion=QUIET_SK), policies=()), answer(1, "CO-50", "N115"))

    assert cause.action is Action.WRITE_OFF
    assert cause.relies_on == ()
    assert SK_POLICY not in cause.cause


# ---------------------------------------------------------------- non-covered (CO-96/N425)


@pytest.mark.parametrize("waiver", ["GA", "GX"])
def test_non_covered_service_with_a_waiver_is_billed_to_the_patient(waiver: str) -> None:
    cause = root_cause(shave(waiver, lesion=QUIET_SK), answer(1, "CO-96", "N425"))

    assert cause.category == DenialCategory.NON_COVERED
    assert cause.action is Action.BILL_PATIENT
    assert "11300" in cause.cause


def test_non_covered_removal_of_a_symptomatic_lesion_is_appealed() -> None:
    cause = root_cause(shave(lesion=IRRITATED_SK), answer(1, "CO-96", "N425"))

    assert cause.category == DenialCategory.NON_COVERED
    assert cause.action is Action.APPEAL
    assert "lesion S" in cause.cause and "11300" in cause.cause
    assert cause.relies_on == (SK_POLICY,)


def test_non_covered_service_without_waiver_or_symptoms_is_written_off() -> None:
    cause = root_cause(shave(lesion=QUIET_SK), answer(1, "CO-96", "N425"))

    assert cause.category == DenialCategory.NON_COVERED
    assert cause.action is Action.WRITE_OFF
    assert "11300" in cause.cause


# ---------------------------------------------------------------- eligibility (CO-27)


def test_coverage_ended_with_other_coverage_on_file_is_rebilled_there() -> None:
    cause = root_cause(excision_and_biopsy(other_coverage="TEST COMMERCIAL PLAN"), answer(1, "CO-27"))

    assert cause.category == DenialCategory.ELIGIBILITY_COVERAGE
    assert cause.action is Action.CHECK_ELIGIBILITY_AND_REBILL
    assert cause.rebill_to == "TEST COMMERCIAL PLAN"
    assert cause.is_certain
    assert PAYER in cause.cause and "TEST COMMERCIAL PLAN" in cause.cause and DOS.isoformat() in cause.cause
    assert TABLE.carc("27").description.rstrip(".").lower() in cause.cause


def test_coverage_ended_without_other_coverage_asks_for_an_eligibility_check() -> None:
    cause = root_cause(excision_and_biopsy(), answer(1, "CO-27"))

    assert cause.action is Action.CHECK_ELIGIBILITY_AND_REBILL
    assert cause.rebill_to is None
    assert not cause.is_certain
    assert PAYER in cause.cause and DOS.isoformat() in cause.cause


# ---------------------------------------------------------------- authorization (CO-197/M62)


def test_missing_prior_authorization_is_obtained() -> None:
    cause = root_cause(excision_and_biopsy(), answer(1, "CO-197", "M62"))

    assert cause.category == DenialCategory.AUTHORIZATION
    assert cause.action is Action.GET_AUTHORIZATION
    assert "11642" in cause.cause and PAYER in cause.cause


def test_authorization_denial_of_an_authorized_claim_is_appealed() -> None:
    cause = root_cause(excision_and_biopsy(has_prior_authorization=True), answer(1, "CO-197", "M62"))

    assert cause.category == DenialCategory.AUTHORIZATION
    assert cause.action is Action.APPEAL
    assert "11642" in cause.cause


def test_authorization_remark_refines_a_missing_information_carc() -> None:
    cause = root_cause(excision_and_biopsy(), answer(1, "CO-16", "MA130", "M62"))

    assert cause.category == DenialCategory.AUTHORIZATION
    assert cause.action is Action.GET_AUTHORIZATION


# ---------------------------------------------------------------- duplicate (CO-18/M86)


def test_duplicate_of_a_paid_claim_is_written_off_naming_that_claim() -> None:
    cause = root_cause(excision_and_biopsy(duplicate_of="C-1001"), answer(1, "CO-18", "M86"))

    assert cause.category == DenialCategory.DUPLICATE
    assert cause.action is Action.WRITE_OFF
    assert "C-1001" in cause.cause and "11642" in cause.cause


def test_duplicate_denial_without_a_paid_claim_is_appealed() -> None:
    cause = root_cause(excision_and_biopsy(), answer(1, "CO-18", "M86"))

    assert cause.action is Action.APPEAL
    assert "11642" in cause.cause and DOS.isoformat() in cause.cause


# ---------------------------------------------------------------- timely filing (CO-29)

COMMERCIAL_FILING_DAYS = load_payer_rules()["commercial"].timely_filing_days


def filed(first_sent_on: datetime.date | None, timely_filing_days: int = COMMERCIAL_FILING_DAYS) -> RootCause:
    facts = excision_and_biopsy(first_sent_on=first_sent_on, timely_filing_days=timely_filing_days,
                                payer_name="TEST COMMERCIAL PLAN")
    return root_cause(facts, answer(1, "CO-29"))


def test_shipped_commercial_filing_limit_is_180_days() -> None:
    assert COMMERCIAL_FILING_DAYS == 180


def test_claim_first_sent_on_the_last_day_of_the_filing_limit_is_appealed() -> None:
    cause = filed(datetime.date(2025, 8, 30))  # DOS 2025-03-03 + 180 days

    assert cause.category == DenialCategory.TIMELY_FILING
    assert cause.action is Action.APPEAL
    assert "2025-08-30" in cause.cause and "180" in cause.cause
    assert len(cause.relies_on) == 1
    assert "TEST COMMERCIAL PLAN" in cause.relies_on[0] and "180" in cause.relies_on[0]


def test_claim_first_sent_well_within_the_limit_is_appealed() -> None:
    assert filed(datetime.date(2025, 3, 10)).action is Action.APPEAL


def test_claim_first_sent_one_day_after_the_filing_limit_is_written_off() -> None:
    cause = filed(datetime.date(2025, 8, 31))

    assert cause.action is Action.WRITE_OFF
    assert "TEST COMMERCIAL PLAN" in cause.cause and "2025-08-31" in cause.cause


def test_timely_filing_denial_without_a_record_of_sending_is_written_off() -> None:
    cause = filed(None)

    assert cause.action is Action.WRITE_OFF
    assert "TEST COMMERCIAL PLAN" in cause.cause


# ---------------------------------------------------------------- missing information (CO-16/MA130)


def test_missing_information_is_corrected_and_the_cause_names_the_remark() -> None:
    cause = root_cause(excision_and_biopsy(), answer(1, "CO-16", "MA130"))

    assert cause.category == DenialCategory.MISSING_INFORMATION
    assert cause.action is Action.CORRECT_AND_RESUBMIT
    assert cause.fixes == ()
    assert "11642" in cause.cause
    assert TABLE.rarc("MA130").description.rstrip(".") in cause.cause


# ---------------------------------------------------------------- patient responsibility (group PR)


def test_denial_under_group_pr_is_billed_to_the_patient() -> None:
    # A symptomatic lesion would be appealed under CO-96; under PR the payer has put it on the patient.
    cause = root_cause(shave(lesion=IRRITATED_SK), answer(1, "PR-96"))

    assert cause.category == DenialCategory.NON_COVERED
    assert cause.action is Action.BILL_PATIENT
    assert "11300" in cause.cause
    assert TABLE.carc("96").description.rstrip(".").lower() in cause.cause


def test_patient_share_is_billed_to_the_patient() -> None:
    cause = root_cause(excision_and_biopsy(), answer(1, "PR-2"))

    assert cause.category == DenialCategory.PATIENT_RESPONSIBILITY
    assert cause.action is Action.BILL_PATIENT


# ---------------------------------------------------------------- unknown and causeless codes


def test_unknown_carc_goes_to_review() -> None:
    cause = root_cause(excision_and_biopsy(), answer(1, "CO-ZZ9"))

    assert not TABLE.is_known_carc("ZZ9")
    assert cause.category == DenialCategory.UNKNOWN
    assert cause.action is Action.REVIEW
    assert "ZZ9" in cause.cause
    assert not cause.is_certain


def test_known_carc_that_names_no_cause_goes_to_review_with_other_words() -> None:
    unknown = root_cause(excision_and_biopsy(), answer(1, "CO-ZZ9"))
    causeless = root_cause(excision_and_biopsy(), answer(1, "CO-A1"))

    assert TABLE.is_known_carc("A1") and TABLE.carc("A1").category is DenialCategory.UNKNOWN
    assert causeless.category == DenialCategory.UNKNOWN
    assert causeless.action is Action.REVIEW
    assert "A1" in causeless.cause
    assert unknown.cause.replace("ZZ9", "A1") != causeless.cause


def test_causeless_carc_with_a_remark_follows_the_remark() -> None:
    cause = root_cause(excision_and_biopsy(), answer(1, "CO-A1", "M76"))

    assert cause.category == DenialCategory.MISSING_INFORMATION
    assert cause.action is Action.CORRECT_AND_RESUBMIT


def test_root_cause_needs_an_answer() -> None:
    with pytest.raises(ValueError, match="at least one answer"):
        find_root_cause(excision_and_biopsy(), [], TABLE, NO_PTP)


def test_answers_on_two_lines_name_both_codes() -> None:
    facts = claim(line(1, "11300", lesions=("Q",)), line(2, "17000", lesions=("Q",)), lesions=(QUIET_SK,))

    cause = root_cause(facts, answer(1, "CO-197"), answer(2, "CO-197"))

    assert "11300" in cause.cause and "17000" in cause.cause


# ---------------------------------------------------------------- underpayment


def test_underpayment_is_appealed_for_the_difference() -> None:
    allowed, expected = Money(100000), Money(125050)

    cause = underpayment_cause("TEST COMMERCIAL PLAN", "11642", allowed, expected)

    assert cause.category == "underpayment"
    assert cause.action is Action.APPEAL
    assert not cause.is_certain
    assert "11642" in cause.cause and "TEST COMMERCIAL PLAN" in cause.cause
    assert "1,000.00" in cause.cause and "1,250.50" in cause.cause and "250.50" in cause.cause
    assert str(allowed) in cause.cause and str(expected) in cause.cause and str(expected - allowed) in cause.cause
    assert f"-{expected - allowed}" not in cause.cause  # the shortfall, not a negative amount
    assert len(cause.relies_on) == 1
    assert "TEST COMMERCIAL PLAN" in cause.relies_on[0] and "11642" in cause.relies_on[0]
    assert str(expected) in cause.relies_on[0]


# ---------------------------------------------------------------- deadlines

RULES = load_payer_rules()
REMITTED = datetime.date(2025, 6, 2)


def shipped(payer: str) -> PayerDeadlines:
    rule = RULES[payer]
    return PayerDeadlines(rule.appeal_days, rule.corrected_claim_days, rule.timely_filing_days)


MEDICARE, COMMERCIAL, SELF_PAY = shipped("medicare"), shipped("commercial"), shipped("self_pay")


def deadline(action: Action, payer: PayerDeadlines, *, adjudicated_on: datetime.date = REMITTED,
             rebill_payer: PayerDeadlines | None = None) -> datetime.date | None:
    return deadline_for(action, adjudicated_on=adjudicated_on, date_of_service=DOS, payer=payer,
                        rebill_payer=rebill_payer)


@pytest.mark.parametrize("action", [Action.APPEAL, Action.REVIEW])
def test_appeal_and_review_count_the_payers_appeal_window_from_the_remittance(action: Action) -> None:
    assert deadline(action, MEDICARE) == datetime.date(2025, 10, 5)  # 125 days
    assert deadline(action, COMMERCIAL) == datetime.date(2025, 11, 29)  # 180 days


@pytest.mark.parametrize("action", [Action.CORRECT_AND_RESUBMIT, Action.GET_AUTHORIZATION])
def test_corrections_count_the_payers_corrected_claim_window_from_the_remittance(action: Action) -> None:
    assert deadline(action, MEDICARE) == datetime.date(2026, 6, 2)  # 365 days
    assert deadline(action, COMMERCIAL) == datetime.date(2025, 11, 29)  # 180 days
    assert deadline(action, shipped("default")) == datetime.date(2025, 8, 31)  # 90 days


def test_rebill_counts_the_other_payers_filing_limit_from_the_date_of_service() -> None:
    assert deadline(Action.CHECK_ELIGIBILITY_AND_REBILL, MEDICARE, rebill_payer=COMMERCIAL) == \
        datetime.date(2025, 8, 30)  # DOS + 180 days


def test_rebill_to_an_unknown_payer_counts_the_denying_payers_filing_limit() -> None:
    assert deadline(Action.CHECK_ELIGIBILITY_AND_REBILL, MEDICARE) == datetime.date(2026, 3, 3)  # DOS + 365 days


def test_rebill_has_no_deadline_when_the_payer_has_no_filing_limit() -> None:
    assert SELF_PAY.timely_filing_days == 0
    assert deadline(Action.CHECK_ELIGIBILITY_AND_REBILL, SELF_PAY) is None
    assert deadline(Action.CHECK_ELIGIBILITY_AND_REBILL, MEDICARE, rebill_payer=SELF_PAY) is None


@pytest.mark.parametrize("action", [Action.WRITE_OFF, Action.BILL_PATIENT])
def test_write_off_and_patient_billing_have_no_payer_deadline(action: Action) -> None:
    assert deadline(action, MEDICARE) is None


@pytest.mark.parametrize(
    ("adjudicated_on", "expected"),
    [
        (datetime.date(2028, 2, 1), datetime.date(2028, 3, 2)),  # leap year: 29 February counts
        (datetime.date(2027, 2, 1), datetime.date(2027, 3, 3)),
        (datetime.date(2025, 12, 15), datetime.date(2026, 1, 14)),  # across the year end
    ],
)
def test_deadline_crosses_months_and_years_by_calendar_days(adjudicated_on: datetime.date,
                                                            expected: datetime.date) -> None:
    thirty = PayerDeadlines(appeal_days=30, corrected_claim_days=30, timely_filing_days=30)

    assert deadline(Action.APPEAL, thirty, adjudicated_on=adjudicated_on) == expected
    assert deadline(Action.CORRECT_AND_RESUBMIT, thirty, adjudicated_on=adjudicated_on) == expected


# ---------------------------------------------------------------- work-queue priority

TODAY = datetime.date(2025, 6, 2)


def due(days: int | None) -> datetime.date | None:
    return None if days is None else TODAY + datetime.timedelta(days=days)


def queue(*items: tuple[str, int, int | None]) -> list[str]:
    """Names of (name, cents, days until due) items in work-queue order."""
    ordered = sorted(items, key=lambda item: priority(Money(item[1]), due(item[2]), TODAY))
    return [name for name, _, _ in ordered]


def test_item_due_in_30_days_comes_before_a_bigger_item_due_in_31() -> None:
    assert queue(("big", 500000, 31), ("small", 1000, 30)) == ["small", "big"]


def test_urgent_items_are_worked_soonest_first_whatever_the_amount() -> None:
    assert queue(("big", 500000, 20), ("small", 1000, 5)) == ["small", "big"]


def test_urgent_items_due_the_same_day_are_worked_largest_first() -> None:
    assert queue(("small", 1000, 10), ("big", 2000, 10)) == ["big", "small"]


def test_non_urgent_items_are_worked_largest_first() -> None:
    assert queue(("small", 1000, 60), ("big", 2000, 90)) == ["big", "small"]


def test_overdue_items_come_first() -> None:
    assert queue(("soon", 100000, 10), ("later", 900000, 200), ("overdue", 100, -5)) == ["overdue", "soon", "later"]


def test_item_without_deadline_comes_after_a_dated_item_of_equal_amount() -> None:
    assert queue(("undated", 5000, None), ("dated", 5000, 200)) == ["dated", "undated"]


def test_item_without_deadline_still_comes_before_a_smaller_non_urgent_item() -> None:
    assert queue(("small", 1000, 60), ("undated", 5000, None)) == ["undated", "small"]


queue_items = st.lists(
    st.tuples(st.integers(min_value=0, max_value=10**9), st.one_of(st.none(), st.integers(-400, 400))),
    max_size=30,
)


@given(queue_items, st.dates(min_value=datetime.date(2000, 1, 1), max_value=datetime.date(2090, 12, 31)))
def test_every_urgent_item_sorts_before_every_non_urgent_one(items: list[tuple[int, int | None]],
                                                              today: datetime.date) -> None:
    dated = [(Money(cents), None if days is None else today + datetime.timedelta(days=days)) for cents, days in items]

    ordered = sorted(dated, key=lambda item: priority(item[0], item[1], today))

    urgent = [item[1] is not None and (item[1] - today).days <= URGENT_DAYS for item in ordered]
    assert urgent == sorted(urgent, reverse=True)
    rest = [amount.cents for amount, day in ordered if day is None or (day - today).days > URGENT_DAYS]
    assert rest == sorted(rest, reverse=True)


# ---------------------------------------------------------------- descriptions


def test_lesion_description_gives_site_with_laterality_size_pathology_and_symptoms() -> None:
    lesion = LesionFacts("A", "upper_arm", laterality="left", diameter_cm="1.2", diagnosis="atypical_nevus",
                         pathology="basal_cell_carcinoma", symptoms=("bleeding", "itching"), procedures=("shave",))

    text = lesion.describe()

    assert "A" in text and "left upper arm" in text and "1.2 cm" in text and "basal cell carcinoma" in text
    assert "bleeding" in text and "itching" in text and "atypical nevus" in text


def test_lesion_description_leaves_out_pending_pathology_and_absent_laterality() -> None:
    text = LesionFacts("B", "back", pathology="pending").describe()

    assert "back" in text
    assert "pending" not in text and "None" not in text


def test_lesion_description_counts_grouped_lesions() -> None:
    assert "4 lesions" in LesionFacts("C", "face", count=4).describe()
    assert "lesions" not in LesionFacts("C", "face").describe()


def test_line_fix_description_names_the_line_and_both_modifiers() -> None:
    text = LineFix(2, add=("59",), remove=("XS",)).describe()

    assert "2" in text and "59" in text and "XS" in text


# ---------------------------------------------------------------- appeals


@pytest.mark.parametrize(("action", "instead"), [
    (Action.CHECK_ELIGIBILITY_AND_REBILL, "rebill the payer in force or bill the patient"),
    (Action.BILL_PATIENT, "bill the patient"),
    (Action.WRITE_OFF, "write it off"),
])
def test_an_answer_an_appeal_cannot_change_is_refused_with_what_to_do_instead(action: Action, instead: str) -> None:
    reason = appeal_refusal(action)

    assert reason is not None and reason.endswith(instead) and "\n" not in reason


@pytest.mark.parametrize("action", [Action.APPEAL, Action.REVIEW, Action.CORRECT_AND_RESUBMIT,
                                    Action.GET_AUTHORIZATION])
def test_an_answer_a_person_may_dispute_can_be_appealed(action: Action) -> None:
    assert appeal_refusal(action) is None


@pytest.mark.parametrize(("days_left", "expected"), [
    (-1, Urgency.OVERDUE), (0, Urgency.DUE_SOON), (URGENT_DAYS, Urgency.DUE_SOON), (URGENT_DAYS + 1, Urgency.LATER),
    (None, Urgency.NO_DEADLINE)])
def test_urgency_of_an_item_on_a_day(days_left: int | None, expected: Urgency) -> None:
    deadline = None if days_left is None else TODAY + datetime.timedelta(days=days_left)
    assert urgency(deadline, TODAY) is expected
