"""Rules of the note language from blind20's misses (tests/notes/REVIEW.md, "Round 15").

Each rule has a sentence it must read and one it must not; the sentences are written here for the tests (fake
patients, day of service 2026-06-01), none is a review note.
"""

from __future__ import annotations

from note_rules import diagnoses, lines, read_lesions, read_note_gaps


def _codes(text: str) -> list[str]:
    return [code for code, _, _ in lines(text, payer="commercial", age=60, sex="M")]


def _units(text: str, code: str) -> int:
    return sum(units for found, units, _ in lines(text, payer="commercial", age=60, sex="M") if found == code)


def _icd(text: str) -> list[str]:
    return diagnoses(text, payer="commercial", age=60, sex="M")


# --- a treatment in the list of what the patient failed --------------------------------------------------------------

def test_a_treatment_listed_after_failed_is_an_earlier_treatment() -> None:
    text = ("Est pt. Psoriasis, BSA 12%, failed clobetasol and a course of NB-UVB. Start adalimumab; labs ordered.\n"
            "MDM moderate, 99214.")
    assert "96900" not in _codes(text)


def test_phototherapy_given_today_after_a_failed_topical_is_coded() -> None:
    text = ("Psoriasis, failed clobetasol. NB-UVB treatment #12 given today, 600 mJ/cm2, tolerated well.")
    assert "96900" in _codes(text)


# --- a lesion left untreated in a clause of its own awaits no procedure ---------------------------------------------

_BIOPSY_PARAGRAPH = ("Procedure: Shave biopsy\nConsent obtained. Lidocaine 1% w/ epi. Tangential biopsy performed with "
                     "DermaBlade. Hemostasis with AlCl. Specimen sent to dermpath.")


def test_a_procedure_paragraph_goes_to_its_lesion_not_to_a_lesion_left_untreated() -> None:
    text = ("A/P:\n1. AKs, scalp - LN2 x4.\n2. Pink scaly papule 7 mm, L dorsal forearm, r/o SCC - shave bx today.\n"
            "3. SKs, upper back - benign, reassured. No treatment.\n\n" + _BIOPSY_PARAGRAPH)
    codes = _codes(text)
    assert codes.count("11102") == 1 and "11103" not in codes


def test_a_procedure_paragraph_after_a_lesion_awaiting_its_procedure_is_that_lesions() -> None:
    text = ("A/P:\n1. AKs, scalp - LN2 x4.\n2. Pink scaly papule 7 mm, L dorsal forearm, r/o SCC - shave bx today.\n"
            "3. Irregular macule 6 mm, upper back - biopsy.\n\n" + _BIOPSY_PARAGRAPH)
    assert "11103" in _codes(text)


# --- a bare cyst said of a lesion with a named kind of cyst is that lesion's -----------------------------------------

def test_the_size_of_a_bare_cyst_is_the_named_cysts() -> None:
    text = ("Dx: inflamed epidermoid cyst, mid upper back. Tender for months. Cyst measures 1.6 cm.\n"
            "Elliptical excision with 0.2 cm margins; layered closure, final length 3.0 cm.\nPath: epidermoid cyst.")
    assert sorted(_codes(text)) == ["11402", "12032"]


def test_a_cyst_of_another_site_gives_no_size() -> None:
    text = ("Dx: inflamed epidermoid cyst, mid upper back. Tender for months. Another cyst on the scalp measures "
            "1.6 cm, not treated.\nElliptical excision with 0.2 cm margins; layered closure, final length 3.0 cm.\n"
            "Path: epidermoid cyst.")
    assert "11402" not in _codes(text)


# --- nodulocysts are acne's ------------------------------------------------------------------------------------------

def test_nodulocysts_injected_are_acne_not_cysts() -> None:
    text = ("S: acne, still getting deep painful cysts along the jawline.\nO: 4 tender inflamed nodulocysts along the "
            "L jawline.\nA: Acne vulgaris.\nILK: triamcinolone 2.5 mg/mL injected into the cysts, total volume 0.4 mL.")
    assert _icd(text) == ["L70.0"]


def test_a_cyst_in_an_acne_note_without_acne_lesions_is_a_cyst() -> None:
    text = "Inflamed cyst, L upper back, 1.2 cm. ILK: triamcinolone 10 mg/mL, 0.3 mL into the cyst."
    assert "L72.9" in _icd(text) or "L72.0" in _icd(text)


# --- a site named among a drug's side effects is no lesion's ---------------------------------------------------------

def test_a_site_in_a_side_effect_counselled_is_no_lesion() -> None:
    text = ("Acne, 3 tender nodulocysts L jawline. Start spironolactone - counseled re: hyperkalemia, breast "
            "tenderness, menstrual irregularity.\nILK: triamcinolone 2.5 mg/mL, 0.1 mL into each nodulocyst.")
    assert [lesion["site"] for lesion in read_lesions(text)] == ["jaw"]


def test_a_site_of_a_lesion_after_counselling_on_another_line_is_read() -> None:
    text = ("Acne - counseled re: hyperkalemia and breast tenderness on spironolactone.\n"
            "L breast: 6 mm pink papule, shave biopsy.")
    assert "11102" in _codes(text)


# --- a scheduled oral dose is no injection's dose ---------------------------------------------------------------------

def test_an_oral_drug_dose_on_a_schedule_is_not_the_injected_dose() -> None:
    text = ("Acne, tender nodulocyst L jawline.\nP: Start doxycycline 100 mg daily.\n"
            "ILK: triamcinolone 10 mg/mL injected, 0.2 mL.")
    assert _units(text, "J3301") == 1


def test_an_injected_dose_in_mg_is_the_dose() -> None:
    text = "Keloid R earlobe, 1.5 cm. ILK: triamcinolone 40 mg/mL, 0.5 mL injected = 20 mg."
    assert _units(text, "J3301") == 2


# --- two nail services: each its own digits and diagnosis ----------------------------------------------------------

_NAILS = ("Painful ingrown R great toenail, medial border, 2 wks. Also thick dystrophic toenails L 1st-4th, "
          "onychomycosis, painful in shoes.\n"
          "Procedure 1: Digital block R hallux, 1% plain lidocaine. Medial nail border split and avulsed. No phenol.\n")


def test_the_digits_of_a_nail_debridement_are_not_avulsed() -> None:
    text = _NAILS + "Procedure 2: Debridement of 4 nails (L hallux, L 2nd, L 3rd, L 4th) with nippers and burr."
    assert sorted(_codes(text)) == ["11720", "11730"]
    assert _icd(text) == ["B35.1", "L60.0"]


def test_a_second_avulsed_digit_named_with_the_avulsion_is_coded() -> None:
    text = _NAILS + "Procedure 2: L hallux lateral border also avulsed after digital block."
    assert sorted(_codes(text)) == ["11730", "11732"]


# --- actinic keratoses managed with a prescription are the visit's problem ------------------------------------------

def test_keratoses_treated_with_a_field_cream_are_a_visit_problem() -> None:
    text = ("Est pt, skin check. Hx BCC L cheek 2022, no recurrence.\nExam: scattered AKs on both dorsal hands (~8).\n"
            "A/P: 1. Hx BCC - NED. 2. AKs, hands - declined cryo; Rx 5-FU 5% cream BID x3 wks.\nLevel 3.")
    assert "L57.0" in _icd(text)


def test_keratoses_only_examined_are_no_visit_problem() -> None:
    text = ("Est pt, skin check. Hx BCC L cheek 2022, no recurrence.\nExam: scattered AKs on both dorsal hands (~8).\n"
            "A/P: 1. Hx BCC - NED. 2. AKs, hands - declined treatment, sun protection.\nLevel 3.")
    assert "L57.0" not in _icd(text)


# --- a lesion left to be observed takes none of a heading's procedures ----------------------------------------------

def test_a_lesion_to_be_observed_takes_no_procedure_of_the_heading() -> None:
    text = ("CC: skin tags neck, irritated by necklaces.\nRemoved with snip and light cautery after consent: neck 6, "
            "R axilla 3.\nAlso a 3 cm soft mobile nodule L thigh c/w lipoma - asymptomatic, will observe.")
    assert "D17.24" not in _icd(text) and "D17.22" not in _icd(text)
    assert [lesion["site"] for lesion in read_lesions(text) if lesion["procedures"]] == ["neck", "axilla"]


def test_a_lesion_after_the_heading_without_observation_takes_its_procedure() -> None:
    text = ("Removed with snip after consent: neck 6, R axilla 3, L axilla 2.")
    assert [lesion["site"] for lesion in read_lesions(text) if lesion["procedures"]] == ["neck", "axilla", "axilla"]


# --- the chief complaint's diagnosis is the one of the lesions at its sites ------------------------------------------

def test_lesions_at_the_sites_of_the_chief_complaint_take_its_diagnosis() -> None:
    text = ("CC: skin tags neck and underarms, irritated by straps.\nRemoved with iris scissors snip after consent: "
            "neck 8, R axilla 3, L axilla 2 (13 total).")
    assert _icd(text) == ["L91.8"]


def test_a_lesion_at_another_site_than_the_chief_complaints_does_not() -> None:
    text = ("CC: skin tags neck.\nShave removal after consent: 6 mm raised papule L forearm, path pending.")
    assert "L91.8" not in _icd(text)


# --- at a visit for biopsies, a bare shave samples -----------------------------------------------------------------

def test_a_shave_at_a_visit_for_biopsies_is_a_tangential_biopsy() -> None:
    text = ("Est pt, here for biopsies of 2 lesions flagged at her last skin check.\nA. L thigh, firm papule 0.5 cm: "
            "4 mm punch biopsy.\nB. R shoulder, scaly pink papule 0.6 cm: tangential shave.\nSpecimens x2 to dermpath.")
    assert sorted(_codes(text)) == ["11103", "11104"]


def test_a_shave_removal_at_a_visit_for_biopsies_stays_a_removal() -> None:
    text = ("Est pt, here for biopsy of a lesion; also wants an irritated SK off.\nA. L thigh, firm papule 0.5 cm: "
            "4 mm punch biopsy.\nB. R shoulder, irritated SK 0.6 cm: shave removal.\nSpecimens x2 to dermpath.")
    assert "11301" in _codes(text)


# --- a list of sites each with its count, after the instrument's number ---------------------------------------------

def test_counts_listed_after_a_numbered_curette_are_each_sites() -> None:
    text = ("Dx: Molluscum contagiosum - trunk + bilat axillae\nProc: Lesions curetted w/ #3 curette: 9 trunk, 3 R "
            "axilla, 4 L axilla (16 total). Pressure for hemostasis.")
    assert _codes(text) == ["17111"]
    assert _icd(text) == ["B08.1"]


def test_a_numbered_item_still_starts_a_new_item() -> None:
    text = ("Molluscum, trunk. Curetted: 9 trunk.\n#2 R axilla: 6 mm pink papule, shave bx. Path pending.")
    assert "11102" in _codes(text)


# --- what was done after consent and a discussion of risks ---------------------------------------------------------

def test_a_treatment_after_consent_and_discussion_of_risks_is_done() -> None:
    text = ("Exam: 5 AKs on the scalp.\nProcedures: after verbal consent and discussion of risks, the five actinic "
            "keratoses on the scalp were treated with liquid nitrogen, two freeze thaw cycles each.")
    assert sorted(_codes(text)) == ["17000", "17003"]


def test_a_treatment_in_a_discussion_of_risks_alone_is_not_done() -> None:
    text = ("Exam: 5 AKs on the scalp.\nPlan: discussion of risks of treating the AKs with liquid nitrogen; pt will "
            "think about it.")
    assert "17000" not in _codes(text)


# --- a site whose own words say one lesion takes no count of the clause -------------------------------------------

def test_one_papule_at_a_site_after_counted_keratoses_is_one_lesion() -> None:
    text = ("On exam he has six scaly papules over the frontal scalp, all consistent with actinic keratoses, and on "
            "the left nasal ala there is a 0.7 cm pearly papule.\nProcedures: the six AKs on the scalp were treated "
            "with liquid nitrogen. The left nasal ala lesion was anesthetized and a shave biopsy was performed, "
            "specimen to pathology.")
    codes = _codes(text)
    assert codes.count("11102") == 1 and "11103" not in codes and "17003" in codes


def test_a_count_before_a_list_of_sites_is_shared_by_them() -> None:
    text = ("A&P: Neoplasm of uncertain behavior x3 - r/o BCC (L arm), r/o melanoma (R shin), r/o SCC (back). "
            "Bx all three.\n#1 L upper arm: 4 mm punch biopsy.\n#2 R shin: 4 mm punch bx.\n#3 mid back: shave biopsy.")
    assert sorted(_codes(text)) == ["11103", "11104", "11105"]


# --- the first item written on the assessment's own line -----------------------------------------------------------

def test_the_first_item_after_an_assessment_heading_is_the_visits_problem() -> None:
    text = ("Est pt. Shave biopsy of a 6 mm pearly papule of the L nasal ala, specimen to pathology.\n"
            "Assessment and plan: 1. psoriasis vulgaris, flaring despite clobetasol; refill sent and "
            "calcipotriene added. 2. lesion left nasal ala, rule out BCC, biopsied.\nMDM moderate.")
    assert ("99214", 1, ("25",)) in lines(text, payer="commercial", age=60, sex="M")
    assert read_lesions(text)[0]["diagnosis"] != "psoriasis"


def test_an_assessment_heading_on_its_own_line_does_not_change_the_lesions_diagnosis() -> None:
    text = ("Shave biopsy of a 6 mm pearly papule of the L nasal ala, specimen to pathology.\nAssessment: "
            "lesion left nasal ala, rule out BCC, biopsied.")
    assert _codes(text) == ["11102"]


# --- the next visit's procedure is not this visit's purpose ----------------------------------------------------------

def test_a_procedure_the_patient_will_be_scheduled_for_leaves_the_visit() -> None:
    text = ("Est pt, 6 month skin check. Psoriasis of the elbows flaring despite clobetasol; calcipotriene added, "
            "refill sent.\nL nasal ala 6 mm pearly papule - shave biopsy today.\n"
            "Addendum: path BCC; he will be scheduled for Mohs surgery.")
    assert any(code.startswith("992") for code in _codes(text))


def test_a_visit_here_for_a_procedure_only_has_no_visit() -> None:
    text = ("Here for Mohs surgery of a biopsy-proven BCC, L nasal ala, 0.8 cm. Stage 1: 2 blocks, clear. Defect "
            "left to heal by second intention.")
    assert _codes(text) == ["17311"]


# --- a visit billed beside a procedure for a problem of its own is no surveillance visit ------------------------------

def test_a_separate_visit_for_a_flaring_problem_is_not_surveillance() -> None:
    text = ("Est pt, returns for his six month skin check; hx of BCC R cheek, Mohs 2019, no recurrence. Psoriasis of "
            "the elbows flaring despite clobetasol; calcipotriene added.\nL forearm 6 mm pink papule - shave biopsy "
            "today.\nMDM moderate, 99214, separate from the biopsy.")
    assert "Z08" not in _icd(text) and "Z85.828" in _icd(text)


def test_a_surveillance_visit_with_nothing_else_keeps_its_reason() -> None:
    text = ("Est pt, returns for his six month skin check; hx of BCC R cheek, Mohs 2019, no recurrence. Full skin "
            "exam: no lesions of concern.\nLevel 3.")
    assert "Z08" in _icd(text)


# --- toes and corns beside a nail avulsion -------------------------------------------------------------------------

def test_corns_counted_in_a_parenthesis_with_a_semicolon_are_pared_not_avulsed() -> None:
    text = ("1) Ingrown toenail L great toe, lateral border. Digital block. Partial nail avulsion of the lateral nail "
            "border.\n2) Painful corns x3 (R 5th toe dorsolateral x2 - interphalangeal joint and distal; L 5th toe "
            "x1) - pared with #15 blade.")
    assert sorted(_codes(text)) == ["11056", "11730"]
    assert _icd(text) == ["L60.0", "L84"]


def test_a_second_mention_of_the_same_toe_is_the_same_lesion() -> None:
    text = ("Corn L 5th toe, 4 mm, painful in shoes.\nL fifth toe: pared with #15 blade.")
    assert _codes(text) == ["11055"]


def test_granulation_tissue_curetted_at_an_avulsion_is_no_destruction() -> None:
    text = ("Ingrown nails both great toes.\nExam: R great toe lateral fold with granulation tissue; L great toe "
            "medial fold erythematous, tender.\nProcedure: Digital blocks. Partial nail avulsion, right great toe "
            "lateral border. Then partial nail avulsion, left great toe medial border. Granulation tissue curetted.")
    assert sorted(_codes(text)) == ["11730", "11732"]


def test_a_wart_curetted_beside_an_avulsion_is_destroyed() -> None:
    text = ("Ingrown nail R great toe, lateral border. Digital block. Partial nail avulsion of the lateral border.\n"
            "Wart L 2nd toe, 4 mm: curetted.")
    assert sorted(_codes(text)) == ["11730", "17110"]


# --- the patient's concerns are told again below; a web space is between toes --------------------------------------

def test_a_concern_line_opens_no_lesion_and_a_web_space_is_a_toe() -> None:
    text = ("Concerns: 1) painful spot between toes L foot 2) itchy feet\n1) Soft corn, L 4th interdigital web space: "
            "5 mm hyperkeratotic papule. Pared with #15 blade.\n2) Tinea pedis, bilateral: fine scale soles. Start "
            "ketoconazole 2% cream BID.\nLevel 3.")
    assert sorted(_codes(text)) == ["11055", "99213"]


def test_a_corn_between_the_toes_is_one_lesion_whose_side_is_asked_for() -> None:
    text = "Soft corn, 5 mm hyperkeratotic papule between the toes. Pared with #15 blade."
    assert [lesion.get("laterality") for lesion in read_lesions(text)] == [None]
    assert "laterality" in [gap.field for gap in read_note_gaps(text)]


# --- an earlier excision dated by its month's name opens the global period ----------------------------------------

def test_a_re_excision_after_an_excision_dated_by_month_name_takes_58() -> None:
    text = ("This 70 year old man underwent excision of a basal cell carcinoma of the left cheek in this office on "
            "May 22nd; pathology showed BCC at the lateral margin, so as planned he comes back today for "
            "re-excision of the scar. The scar and a further margin were excised as an ellipse, the specimen "
            "measured 2.2 cm in greatest diameter including margins, closed in layers, final length 4.0 cm.\n"
            "Path: residual BCC, margins clear.")
    found = lines(text, payer="medicare", age=70, sex="M")
    assert ("11643", 1, ("58",)) in found


def test_a_first_excision_after_a_biopsy_dated_by_month_name_takes_no_58() -> None:
    text = ("This 70 year old man had a biopsy of the left cheek on May 22nd showing BCC. Today the BCC was "
            "excised as an ellipse, 1.4 cm lesion with 4 mm margins, closed in layers, final length 4.0 cm.\n"
            "Path: BCC, margins clear.")
    found = lines(text, payer="medicare", age=70, sex="M")
    assert not any("58" in modifiers for _, _, modifiers in found)


# --- a site named by its anatomical word; a summary count is the lesions' total -----------------------------------

def test_a_labium_is_the_genitalia() -> None:
    text = ("Irritated SK 0.4 cm, L labium majus, bleeds. Shave removal at the base, specimen to path.\n"
            "Path: irritated seborrheic keratosis.")
    assert _codes(text) == ["11305"]


def test_an_assessment_count_of_all_the_lesions_is_not_the_last_ones() -> None:
    text = ("Two inflamed SKs on the mid upper back along the bra line, crusted. A third, 0.4 cm, on the L labium "
            "majus, irritated.\nProcedure: Back x2: curettage. L labium majus: shave removal at the base; specimen "
            "to path.\nImp: Inflamed SKs x3, treated as above.\nPath: irritated seborrheic keratosis.")
    assert sorted(lines(text, payer="medicare", age=66, sex="F")) == [("11305", 1, ("XS",)), ("17110", 1, ())]


def test_an_assessment_count_of_one_site_is_its_count() -> None:
    text = "Inflamed SKs on the L labium majus.\nImp: Inflamed SKs x3 - curettage of each."
    assert _codes(text) == ["17110"]
    assert [lesion.get("count") for lesion in read_lesions(text)] == [3]


# --- a numbered exam item describes the lesion of that number ------------------------------------------------------

def test_a_numbered_exam_item_without_a_site_is_the_numbered_lesions() -> None:
    text = ("(1) Raised mole on the L parietal scalp, catches with comb, bled twice. (2) New pink spot on mid back.\n"
            "Exam: (1) 0.7 cm dome-shaped tan papule with hemorrhagic crust. (2) Mid upper back: 0.5 cm pink scaly "
            "macule.\nProcedures:\n(1) Shave removal of irritated nevus, flush with skin. Sent to path.\n(2) Shave "
            "biopsy of mid back lesion, r/o BCC. Sent to path.\nPath: (1) compound nevus. (2) superficial BCC.")
    assert sorted(_codes(text)) == ["11102", "11306"]


def test_a_lesion_size_line_is_no_numbered_item() -> None:
    text = ("A) R lateral neck - bx-proven BCC. Lesion 0.7 cm. 3 mm margins. Excised; intermediate closure, 3.0 cm.\n"
            "B) L calf - bx-proven SCC in situ. Lesion 1.5 cm. 2 mm margins. Excised; simple closure.\n"
            "Path: A) BCC, margins clear. B) SCC in situ, margins clear.")
    assert sorted(_codes(text)) == ["11602", "11622", "12042"]


# --- lesions counted before their diagnosis is named, under a treatment's total -------------------------------------

def test_lesions_counted_before_their_diagnosis_share_the_treatments_total() -> None:
    text = ("Warts R hand and L foot x1 yr.\nExam: 4 verrucous papules on the R fingers. 2 plantar warts L heel, "
            "tender.\nTx: Plantar warts pared with #15 blade, then LN2 to all 6 lesions, 2 cycles.\n"
            "Dx: verruca vulgaris, R fingers; verruca plantaris, L sole.")
    assert _codes(text) == ["17110"]
    assert _icd(text) == ["B07.0", "B07.8"]


def test_a_total_that_the_diagnosed_lesions_make_keeps_them() -> None:
    text = ("Exam: verrucous papules R index finger (2), R thumb (1). L plantar forefoot: 2 papules w/ black dots.\n"
            "Dx: verruca vulgaris x3 (R hand); plantar warts x2 (L foot).\nProc: plantar warts pared, then LN2 "
            "applied to all 5 warts.")
    assert _codes(text) == ["17110"]
    assert _icd(text) == ["B07.0", "B07.8"]
