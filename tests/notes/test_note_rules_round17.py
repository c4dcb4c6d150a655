"""Rules of the note language from blind22's misses (tests/notes/REVIEW.md, "Round 17").

Each rule has a sentence it must read and one it must not; the sentences are written here for the tests (fake
patients, day of service 2026-06-01), none is a review note.
"""

from __future__ import annotations

from note_rules import diagnoses, lines


def _codes(text: str, payer: str = "commercial", age: int = 60) -> list[str]:
    return [code for code, _, _ in lines(text, payer=payer, age=age, sex="F")]


def _units(text: str, code: str) -> int:
    return sum(units for found, units, _ in lines(text, payer="commercial", age=60, sex="F") if found == code)


def _icd(text: str, payer: str = "commercial", age: int = 60) -> list[str]:
    return diagnoses(text, payer=payer, age=age, sex="F")


# --- "no treatment of <what> today" leaves the rest of the visit done -------------------------------------------------

_AK_AND_SKS = ("Exam: R temple 4 mm gritty scaly papule c/w AK. Chest with several stuck-on SKs.\n"
               "A/P: 1) AK R temple - LN2 x1 cycle today.\n2) SKs chest - benign, reassured. ")


def test_no_treatment_of_one_kind_today_leaves_the_other_lesion_treated() -> None:
    assert "17000" in _codes(_AK_AND_SKS + "No treatment of the SKs today.")


def test_no_treatment_today_said_of_the_visit_treats_nothing() -> None:
    assert "17000" not in _codes(_AK_AND_SKS.replace("LN2 x1 cycle today", "discussed LN2") +
                                 "No treatment today.")


# --- a part of the nail removed is its avulsion ----------------------------------------------------------------------

def test_a_nail_border_removed_is_a_nail_avulsion() -> None:
    text = ("Ingrown toenail, L great toe, painful for 3 weeks.\nProcedure: digital block, 2% lidocaine plain. "
            "L great toe: the medial nail border was freed, cut and removed. Dressing applied.")
    assert "11730" in _codes(text)


def test_nail_polish_removed_is_no_avulsion() -> None:
    text = ("Ingrown toenail, L great toe, mild.\nNail polish removed for the exam. Soaks and cotton wisps; "
            "return if worse.")
    assert "11730" not in _codes(text)


# --- "blks": the blocks of a Mohs stage -------------------------------------------------------------------------------

_MOHS_BLKS = ("Mohs - R nasal ala BCC (bx proven). Surgeon = pathologist.\nStg 1: 3 blks, + at deep margin.\n"
              "Stg 2: 6 blks, clear.\nHealing by second intention.")


def test_blks_after_a_stage_are_its_blocks() -> None:
    assert _units(_MOHS_BLKS, "17315") == 1


def test_a_stage_of_five_blks_needs_no_additional_block() -> None:
    assert "17315" not in _codes(_MOHS_BLKS.replace("6 blks", "5 blks"))


# --- a relative who brings the patient in -----------------------------------------------------------------------------

_BROUGHT = ("An 8-year-old girl brought in by her father for molluscum contagiosum on the L flank for 3 months. "
            "Exam: 7 pearly umbilicated papules on the L flank. Cantharidin applied to each lesion after verbal "
            "consent.")


def test_a_condition_the_relative_brings_the_patient_for_is_the_patients() -> None:
    assert "B08.1" in _icd(_BROUGHT, age=8)


def test_a_condition_the_relative_has_is_still_family_history() -> None:
    text = _BROUGHT.replace("brought in by her father for molluscum contagiosum", "whose father has psoriasis, here "
                            "for bumps")
    assert "L40.0" not in _icd(text, age=8)


# --- what the patient underwent after today's consent -----------------------------------------------------------------

_UNDERWENT = ("A 66-year-old with a melanoma in situ of the L upper arm, diagnosed on shave biopsy 04/02/2026. "
              "{lead} he underwent excision with 0.5 cm margins around the 1.2 cm biopsy scar, closed in layers, "
              "length 4.0 cm.\nPath: melanoma in situ, margins clear.")


def test_what_the_patient_underwent_after_consent_today_is_done() -> None:
    text = _UNDERWENT.format(lead="After informed consent and under local anesthesia,")
    assert "11603" in _codes(text)


def test_what_the_patient_underwent_before_is_history() -> None:
    text = _UNDERWENT.format(lead="In 2019").replace("melanoma in situ", "new rash").replace(
        "diagnosed on shave biopsy 04/02/2026", "nothing treated today")
    assert "11603" not in _codes(text)


def test_a_margin_around_the_biopsy_scar_leaves_the_scar_its_size() -> None:
    text = _UNDERWENT.format(lead="After informed consent,")
    assert "11603" in _codes(text)  # 1.2 cm + 2 x 0.5 cm = 2.2 cm excised


def test_a_margin_alone_gives_the_lesion_no_size() -> None:
    text = _UNDERWENT.format(lead="After informed consent,").replace(" around the 1.2 cm biopsy scar", "")
    assert "11603" not in _codes(text)


# --- the wedge an incisional biopsy excises is the biopsy's sample ----------------------------------------------------

_WEDGE = ("There is a 3.0 cm irregular pigmented patch on the R temple, concerning for lentigo maligna. "
          "An incisional biopsy was taken from its darkest part: after consent and local anesthesia, a 5 x 2 mm "
          "wedge was excised down to fat and closed with one 5-0 nylon suture.")


def test_the_wedge_an_incisional_biopsy_excises_is_the_biopsy() -> None:
    codes = _codes(_WEDGE)
    assert "11106" in codes and not any(code.startswith(("114", "116")) for code in codes)


def test_an_excision_in_its_own_sentence_after_a_biopsy_is_still_an_excision() -> None:
    text = ("R forearm SCC, biopsy proven (punch biopsy 4/2/26). Today the 1.0 cm lesion was excised with 4 mm "
            "margins, simple closure.")
    assert "11602" in _codes(text)


# --- a removal or a biopsy times N is N lesions ----------------------------------------------------------------------

_TWO_NEVI = ("Exam: L neck 0.5 cm pedunculated brown nevus, irritated. R flank 0.9 cm dome-shaped tan nevus, "
             "inflamed.\nProcedure: {what}. Lidocaine 1% w/ epi, DermaBlade, AlCl3.")


def test_a_shave_removal_times_two_is_both_lesions() -> None:
    codes = _codes(_TWO_NEVI.format(what="shave removal x2"))
    assert "11305" in codes and "11301" in codes  # the neck 0.5 cm, the flank 0.9 cm


def test_a_shave_removal_of_one_named_lesion_is_that_lesions() -> None:
    codes = _codes(_TWO_NEVI.format(what="shave removal of the R flank nevus"))
    assert "11305" not in codes and "11301" in codes


# --- stasis dermatitis ------------------------------------------------------------------------------------------------

_STASIS = ("Est pt. SCC in situ R calf, bx proven, 1.0 cm - ED&C x3 after consent.\n"
           "{dx}, both legs - TAC 0.1% oint BID, compression stockings; addressed separately. 99213-25.")


def test_stasis_dermatitis_is_its_code() -> None:
    assert "I87.2" in _icd(_STASIS.format(dx="Stasis dermatitis"), payer="medicare")


def test_a_bare_dermatitis_is_not_stasis() -> None:
    assert "I87.2" not in _icd(_STASIS.format(dx="Dermatitis"), payer="medicare")


# --- a site named on one side is that side's lesion before a lesion of both sides ------------------------------------

_SIDES = ("O: R forearm: 1.4 x 1.0 cm pink scaly plaque. Both forearms: scattered scaly patches, no induration.\n"
          "A/P: 1) SCCIS {side} forearm, biopsy proven - ED&C x2 cycles after consent.")


def test_a_side_named_is_the_lesion_of_that_side_not_the_lesion_of_both() -> None:
    assert "17262" in _codes(_SIDES.format(side="R"))


def test_a_lesion_of_both_sides_is_still_found_when_no_side_lesion_was_described() -> None:
    text = _SIDES.format(side="L").replace("R forearm: 1.4 x 1.0 cm pink scaly plaque. ", "")
    assert not any(code.startswith("1726") for code in _codes(text))


# --- a number sign after lesions in the plural counts them -----------------------------------------------------------

_HASH = "A/P:\n1. Actinic keratoses, L temple - LN2 to {what}, 2 freeze-thaw cycles.\n2. Seb derm - ketoconazole cream."


def test_a_number_sign_after_lesions_in_the_plural_counts_them() -> None:
    assert _units(_HASH.format(what="AKs (#5)"), "17003") == 4


def test_a_number_sign_after_one_lesion_counts_nothing() -> None:
    assert _units(_HASH.format(what="the AK (#5)"), "17003") == 0


# --- "neoplasms xN" are the N lesions measured before -----------------------------------------------------------------

_MEASURED = ("Exam:\n- Forehead: comedones and inflammatory papules.\n- R calf: 7 mm pink papule, dimple sign.\n"
             "- L flank: 6 mm irregular brown macule.\n"
             "A/P:\n1. Acne - adapalene gel.\n2. Neoplasms of uncertain behavior x{n} - bx as below.\n"
             "PROCEDURES: consent, 1% lidocaine w/ epi.\nA. R calf - shave bx.\nB. L flank - shave bx.")


def test_neoplasms_times_n_are_the_n_lesions_measured() -> None:
    assert _units(_MEASURED.format(n=2), "11103") == 1


def test_neoplasms_times_n_among_more_lesions_measured_are_not_chosen_from_them() -> None:
    # three lesions measured, two counted: which two is not said, so the rule does not pick them
    text = _MEASURED.format(n=2).replace("Forehead: comedones", "Forehead: 2 mm comedones")
    assert _units(text, "11103") != 1


# --- "bra-line" is the chest ------------------------------------------------------------------------------------------

_BRA = ("71F. Two ISKs along the {site} - crusted, bleed when rubbed.\nProcedure: verbal consent, 1% lido w/ epi, "
        "each curetted, hemostasis AlCl3.")


def test_the_bra_line_written_with_a_hyphen_is_the_chest() -> None:
    assert "17110" in _codes(_BRA.format(site="bra-line"))


def test_no_site_leaves_the_curettage_unplaced() -> None:
    assert "17110" not in _codes(_BRA.format(site="edge"))


# --- "all three were ...": the lesions described, after the risks were discussed --------------------------------------

_ALL_THREE = ("On examination there are three lesions of concern. On the right upper back there is an 8 mm irregular "
              "brown macule. On the left helix there is a 4 mm scaly papule. On the left shin there is a 6 mm pink "
              "papule. After discussing the risks and obtaining consent, all three were anesthetized and sampled by "
              "shave biopsy.")


def test_all_three_after_risks_and_consent_are_the_three_lesions_described() -> None:
    assert _units(_ALL_THREE, "11102") == 1 and _units(_ALL_THREE, "11103") == 2


def test_all_three_when_two_were_described_is_not_shared() -> None:
    text = _ALL_THREE.replace(" On the left shin there is a 6 mm pink papule.", "")
    assert _units(text, "11103") != 2


def test_risks_discussed_without_consent_leave_the_procedure_a_discussion() -> None:
    text = ("On the right upper back there is an 8 mm irregular brown macule. We discussed the risks of a shave "
            "biopsy; she will think about it.")
    assert "11102" not in _codes(text)


# --- "prior" said of the wound a procedure is done to today ----------------------------------------------------------

_RE_EXCISION = ("RE-EXCISION - R calf SCC, positive margin\n70F s/p excision of invasive SCC R calf on 5/20/26 (our "
                "office); path showed a positive margin. Here for planned re-excision.\nProcedure: consent, 1% lido "
                "w/ epi. {what} with 4 mm margins; excised specimen 2.8 cm in greatest diameter. Layered closure, "
                "4.5 cm.\nPath: scar, no residual carcinoma.")


def test_the_prior_closure_re_excised_today_is_todays_excision() -> None:
    assert "11603" in _codes(_RE_EXCISION.format(what="Scar and prior closure re-excised"))


def test_a_prior_excision_named_alone_is_still_history() -> None:
    assert "11603" not in _codes(_RE_EXCISION.format(what="Prior excision").replace("; excised specimen", "; specimen"))
