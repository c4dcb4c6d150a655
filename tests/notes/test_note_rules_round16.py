"""Rules of the note language from blind21's misses (tests/notes/REVIEW.md, "Round 16").

Each rule has a sentence it must read and one it must not; the sentences are written here for the tests (fake
patients, day of service 2026-06-01), none is a review note.
"""

from __future__ import annotations

from note_rules import diagnoses, lines

from dermbill.notes.reader import _clauses


def _codes(text: str, payer: str = "commercial") -> list[str]:
    return [code for code, _, _ in lines(text, payer=payer, age=60, sex="F")]


def _units(text: str, code: str) -> int:
    return sum(units for found, units, _ in lines(text, payer="commercial", age=60, sex="F") if found == code)


def _icd(text: str, payer: str = "commercial") -> list[str]:
    return diagnoses(text, payer=payer, age=60, sex="F")


# --- a flap the sentence says was made, after the options talked over ------------------------------------------------

_MOHS = ("MOHS SURGERY\nSite: L cheek. Dx: BCC, nodular, biopsy proven.\nStage I: 2 blocks, clear.\n"
         "Final defect 1.4 x 1.2 cm. ")


def test_a_flap_made_after_a_discussion_of_options_is_done() -> None:
    text = _MOHS + ("Repair: after a discussion of the options (second intention, graft, flap), a rhombic flap was "
                    "elevated and inset. Primary + secondary defect 5.5 sq cm.")
    assert "14040" in _codes(text)


def test_a_flap_among_the_options_talked_over_is_not_made() -> None:
    text = _MOHS + ("Repair: after a discussion of the options (second intention, graft, flap), healing by second "
                    "intention was chosen.")
    assert "14040" not in _codes(text)


# --- the closed wound's length is the repair's -----------------------------------------------------------------------

_EXCISION = ("Excision, SCC R forearm (bx proven). Lesion 1.0 cm, 0.4 cm margins, ellipse excised to fat. Wide "
             "undermining, layered closure 4-0 Monocryl deep, 5-0 nylon. ")


def test_the_final_wound_length_after_a_layered_closure_is_the_repairs() -> None:
    assert "13121" in _codes(_EXCISION + "Final wound length 4.5 cm.")


def test_a_wound_measured_before_the_closure_is_no_repair_length() -> None:
    assert "13121" not in _codes(_EXCISION.replace("Wide", "Wound 1.9 x 1.6 cm. Wide"))


# --- the patient's sex after the age ends a sentence -----------------------------------------------------------------

def test_the_sex_after_the_age_ends_the_sentence() -> None:
    text = "CC: molluscum. 5 y/o F. Exam: ~8 umbilicated papules on the R axilla. Procedure: curettage of 8 molluscum."
    assert [text[a:b] for a, b in _clauses(text)][1] == "5 y/o F."
    assert _codes(text) == ["17110"]


def test_a_lettered_item_f_still_opens_its_item() -> None:
    text = "E. R arm: 0.4 cm SK. F. L arm: 0.5 cm SK."
    assert [text[a:b] for a, b in _clauses(text)] == ["E. R arm: 0.4 cm SK.", "F. L arm: 0.5 cm SK."]


# --- a report written inside the procedure's clause ------------------------------------------------------------------

def test_a_report_inside_the_procedure_clause_is_the_lesions_pathology() -> None:
    text = ("Excision of dermatofibroma L thigh for pain, 0.7 cm, 0.2 cm margins, simple closure, path: "
            "dermatofibroma.")
    assert _codes(text) == ["11402"] and _icd(text) == ["D23.72"]


def test_a_report_awaited_inside_the_procedure_clause_waits() -> None:
    text = "Excision of dermatofibroma L thigh for pain, 0.7 cm, 0.2 cm margins, simple closure, path pending."
    assert _codes(text) == []


# --- "N lesions as above" --------------------------------------------------------------------------------------------

_TWO_SKS = ("Exam:\n- R flank: 0.5 cm irritated SK, crusted.\n- L upper back: 1.2 cm inflamed SK, itchy.\n"
            "Procedure: ")


def test_n_lesions_as_above_are_the_lesions_described_above() -> None:
    text = _TWO_SKS + "Shave removal of 2 lesions as above. Hemostasis with AlCl."
    assert sorted(_codes(text)) == ["11300", "11302"]


def test_a_count_that_is_not_the_lesions_above_does_not_give_each_one_the_procedure() -> None:
    text = _TWO_SKS + "Shave removal of 3 lesions as above. Hemostasis with AlCl."
    assert sorted(_codes(text)) != ["11300", "11302"]


# --- a procedure of the last visit, one report for both --------------------------------------------------------------

_TWO_PAPULES = "FBSE. Two pink pearly papules: L shoulder 0.7 cm and mid chest 0.4 cm - both biopsied "


def test_a_biopsy_at_the_last_visit_is_history_and_one_report_x2_is_both_lesions() -> None:
    text = _TWO_PAPULES + "at the last visit (path superficial BCC x2). Today: ED&C both after consent, 3 cycles each."
    codes = _codes(text, payer="medicare")
    assert "17261" in codes and "17260" in codes and "11102" not in codes
    assert "C44.619" in _icd(text, payer="medicare")


def test_a_biopsy_today_is_coded() -> None:
    text = _TWO_PAPULES + "today after consent. Path pending."
    assert _units(text, "11102") + _units(text, "11103") == 2


def test_the_rest_of_the_exam_is_not_the_treated_lesions() -> None:
    text = ("FBSE. Pink papules L shoulder 0.7 cm and mid chest 0.5 cm, both BCC by biopsy 5/1/26. Today: ED&C of "
            "both, 3 cycles each. Remaining exam benign, numerous SKs and cherry angiomas.")
    assert _icd(text) == ["C44.519", "C44.619"] and "17110" not in _codes(text)


def test_a_diagnosis_said_after_the_lesion_is_still_its_own() -> None:
    text = "R forearm 0.6 cm keratotic papule, crusted, LN2 today. Dx: irritated SK."
    assert _icd(text) == ["L82.0"]


# --- a digit left alone ----------------------------------------------------------------------------------------------

def test_a_digit_with_no_treatment_is_not_avulsed() -> None:
    text = ("Procedure: partial nail avulsion, R great toe, for an ingrown toenail. Digital block, lateral nail plate "
            "avulsed. L great toe mildly incurved, asymptomatic, no tx.")
    assert _codes(text) == ["11730"]


def test_a_second_digit_avulsed_is_coded() -> None:
    text = ("Procedure: partial nail avulsion, R great toe and L great toe, for ingrown toenails. Digital blocks, "
            "lateral nail plates avulsed.")
    assert "11732" in _codes(text)


def test_a_digit_avulsed_in_the_sentence_of_a_digit_left_alone_is_coded() -> None:
    text = "Partial nail avulsion R great toe for ingrown nail, L great toe mildly incurved, no tx."
    assert _codes(text) == ["11730"]


def test_a_lesion_noted_at_the_last_visit_and_biopsied_today_is_coded() -> None:
    text = "Shave biopsy of the pink papule R upper arm noted at the last visit, 0.6 cm. Path pending."
    assert _codes(text) == ["11102"]


# --- a diagnosis considered and set aside ----------------------------------------------------------------------------

_ABSCESS = ("Urgent visit. Painful swelling L groin x3 days. Exam: 2 cm fluctuant tender nodule L groin. Dx abscess. "
            "Simple I&D: consent, lidocaine, stab incision, purulent material expressed. Start doxycycline 100 bid "
            "x10d. Warm compresses, return prn. ")


def test_a_diagnosis_that_was_considered_is_not_coded() -> None:
    text = _ABSCESS + "Hidradenitis was considered, no sinus tracts or scarring noted."
    assert _codes(text) == ["10060"] and _icd(text) == ["L02.214"]


def test_a_diagnosis_the_plan_treats_is_coded() -> None:
    text = ("Hidradenitis suppurativa of both axillae, Hurley I, start doxycycline 100 bid. Also abscess L groin, "
            "2 cm, I&D: stab incision, purulent material expressed. Moderate MDM, 99214.")
    assert "L73.2" in _icd(text)


# --- leukocytoclastic vasculitis -------------------------------------------------------------------------------------

def test_leukocytoclastic_vasculitis_on_the_report_is_its_code() -> None:
    text = "Punch biopsy, R shin, 0.4 cm purpuric papule, r/o vasculitis.\nPath: leukocytoclastic vasculitis."
    assert _icd(text) == ["L95.8"]


def test_vasculitis_only_ruled_out_gives_no_code_before_the_report() -> None:
    text = "Punch biopsy, R shin, 0.4 cm purpuric papule, r/o vasculitis. Path pending."
    assert "L95.8" not in _icd(text)


# --- a counted list of sites shares the diagnosis --------------------------------------------------------------------

def test_a_list_after_its_count_shares_the_one_diagnosis() -> None:
    text = ("Painful plantar corns, bunion deformity. Pared 3 hyperkeratotic lesions: R 1st MTP plantar, R 5th MT "
            "head, L heel.")
    assert _icd(text) == ["L84"] and _codes(text) == ["11056"]


def test_plantar_warts_counted_at_each_sole_share_the_diagnosis() -> None:
    text = "Plantar warts, both soles. Pared and treated with LN2: 8 R sole, 6 L sole (14 total)."
    assert _icd(text) == ["B07.0"] and _codes(text) == ["17110"]


def test_a_lesion_of_its_own_kind_beside_a_corn_keeps_its_diagnosis() -> None:
    text = "Corn R 5th toe, pared. L heel 0.5 cm pigmented papule, shave biopsy."
    icd = _icd(text)
    assert "L84" in icd and "D49.2" in icd


# --- a condition of another kind declined or watched -----------------------------------------------------------------

_WARTS = "Common warts R index finger x3 and L thumb x1, LN2 x2 cycles each. "


def test_a_condition_of_another_kind_declined_is_not_the_treated_lesions() -> None:
    text = _WARTS + "Also has a few molluscum on the trunk - mom declines treatment today, will watch."
    assert _icd(text) == ["B07.8"]


def test_a_condition_of_another_kind_treated_is_coded() -> None:
    text = _WARTS + "Also 6 molluscum on the trunk, curetted today."
    assert "B08.1" in _icd(text)


# --- a cancer excised in the global period is no history at a visit -------------------------------------------------

def test_a_cancer_excised_days_ago_is_no_z85_at_a_visit_for_another_problem() -> None:
    text = ("Est pt, 10 days s/p excision of SCC L forearm by me (5/22). Healing well, not addressed further today. "
            "Today: psoriasis flaring on both elbows, start clobetasol. Moderate MDM, level 3.")
    assert "Z85.828" not in _icd(text, payer="medicare")


def test_a_cancer_treated_years_ago_is_history_at_a_visit() -> None:
    text = ("Est pt, hx SCC L forearm excised 2021, no recurrence. Today: psoriasis flaring on both elbows, start "
            "clobetasol. Moderate MDM, level 3.")
    assert "Z85.828" in _icd(text, payer="medicare")


# --- the assessment's past cancer, treated by the history's words ----------------------------------------------------

_ED_AND_C = ("S: returns for ED&C of bx-proven SCC R forearm. Hx of melanoma in situ R upper back excised 2020, no "
             "recurrence.\nO: R forearm 1.0 cm keratotic papule. R upper back scar well healed.\n")


def test_a_past_cancer_in_the_assessment_is_coded_when_the_history_says_it_was_treated() -> None:
    text = _ED_AND_C + "A: SCC R forearm. Hx MIS.\nP: ED&C, 3 cycles."
    assert "Z86.006" in _icd(text, payer="medicare")


def test_a_past_cancer_only_in_the_history_is_not_coded_at_a_procedure_visit() -> None:
    text = _ED_AND_C + "A: SCC R forearm.\nP: ED&C, 3 cycles."
    assert "Z86.006" not in _icd(text, payer="medicare")


def test_a_year_then_excised_is_a_treated_cancer() -> None:
    text = ("EST PT. 1) Seborrheic dermatitis of the face, start ketoconazole cream - level 3. 2) Hx BCC L cheek 2021 "
            "excised, site clear.")
    assert "Z85.828" in _icd(text, payer="medicare")


def test_a_cancer_still_under_treatment_is_no_history() -> None:
    text = ("EST PT. 1) Seborrheic dermatitis of the face, start ketoconazole cream - level 3. 2) Hx BCC L cheek 2021, "
            "now recurrent, referred for Mohs.")
    assert "Z85.828" not in _icd(text, payer="medicare")


# --- a dictation of one sentence: a site named twice, "the <diagnosis> was ..." --------------------------------------

_DICTATION = ("this is a new patient with a changing mole on the left forearm on exam there is a 0.8 cm irregular "
              "brown papule left dorsal forearm also she has rough spots on the scalp and I counted 4 AKs on the "
              "vertex scalp which we froze with liquid nitrogen today ")


def test_the_procedure_the_diagnosis_was_given_is_that_lesions() -> None:
    text = _DICTATION + "and the mole was sampled with a shave biopsy for histology, follow up 3 months."
    codes = _codes(text)
    assert "11102" in codes and "17000" in codes and _units(text, "17003") == 3
    assert "17110" not in codes


def test_a_treatment_said_once_for_two_sites_is_each_ones() -> None:
    text = ("on exam there are 3 AKs on the scalp and 2 AKs on the left dorsal forearm which we froze with liquid "
            "nitrogen today.")
    assert _codes(text) == ["17000", "17003"] and _units(text, "17003") == 4


# --- "discussed as" names the condition ------------------------------------------------------------------------------

_HAIR = "Est pt. Shave biopsy R upper arm 0.6 cm papule r/o BCC. She also asked about hair thinning, "


def test_a_condition_discussed_as_is_named() -> None:
    text = _HAIR + "which we discussed as female pattern hair loss and started minoxidil, a separate problem, level 3."
    assert "L64.9" in _icd(text)


def test_a_condition_discussed_as_possible_is_not() -> None:
    text = _HAIR + "we discussed possible female pattern hair loss, labs first."
    assert "L64.9" not in _icd(text)
