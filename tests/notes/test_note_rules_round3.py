"""Rules of the note language added for the third review round (tests/notes/REVIEW.md, "Round 3").

Each rule has a sentence it must read and one it must not; the sentences are written here for the tests (fake
patients), none is a review note.
"""

from __future__ import annotations

from functools import partial

from note_rules import DAY, diagnoses, lines, read_encounter

from dermbill.notes import read_note

_codes = partial(lines, payer="commercial", age=50, sex="F")
_icd = partial(diagnoses, payer="commercial", age=50, sex="F")





# a past skin cancer the note looks at today is coded even when lesions are treated; one only listed is not
def test_a_past_cancer_examined_today_is_history_at_a_procedure_visit() -> None:
    text = ("LN2 to 2 AKs on the R forearm, 2 FTC.\n"
            "Exam: R shin excision scar (SCC removed 2021) well healed, no recurrence.")
    history = read_encounter(text).get("history")
    assert history == [{"diagnosis": "scc", "site": "lower_leg", "laterality": "right", "treatment_completed": True}]


def test_a_past_cancer_listed_under_a_history_heading_is_not_coded_at_a_procedure_visit() -> None:
    text = ("PMHx: melanoma R calf s/p WLE 2019, no recurrence.\n"
            "Procedure: LN2 to 2 AKs on the R forearm, 2 FTC.")
    assert "history" not in read_encounter(text)


# the provider writes the E/M code with its modifier 25: the visit is separately identifiable
def test_an_em_code_written_with_25_makes_the_visit_separate() -> None:
    text = ("Est pt, moderate MDM. Shave bx R upper arm, 5 mm pink papule, r/o BCC.\n"
            "Level: 99214-25")
    assert ("99214", 1, ("25",)) in _codes(text)


def test_an_em_code_without_25_does_not_make_the_visit_separate() -> None:
    text = ("Est pt, moderate MDM. Shave bx R upper arm, 5 mm pink papule, r/o BCC.\n"
            "Level: 99214")
    assert not any(code == "99214" for code, _, _ in _codes(text))


# "MMS" is Mohs micrographic surgery, not melanomas
def test_mms_is_mohs_not_melanoma() -> None:
    text = "MMS for SCC of the L temple.\nStage 1 (2 blocks): clear.\nDefect 1.1 x 1.0 cm."
    lesions = read_encounter(text)["lesions"]
    assert [x["diagnosis"] for x in lesions] == ["scc"]


def test_mm_after_a_number_is_still_a_length_and_capital_mm_a_melanoma() -> None:
    lesions = read_encounter("Excision of MM of the L upper back, 1.1 cm, 10 mm margins.")["lesions"]
    assert [x["diagnosis"] for x in lesions] == ["melanoma"]


# "HS" (capitals, not after a dose) is hidradenitis suppurativa; the injected nodules are lesions of it
def test_hs_names_hidradenitis_and_its_injected_nodules() -> None:
    text = ("HS flare, L groin.\nProcedure: ILK 10 mg/mL, 1 mL into each of 2 L inguinal nodules (20 mg total).")
    lesions = read_encounter(text)["lesions"]
    assert [(x["site"], x["diagnosis"]) for x in lesions] == [("groin", "L73.2")]


def test_hs_after_a_dose_is_at_bedtime() -> None:
    text = "Hydroxyzine 25 mg HS for itch.\nShave bx L forearm, 4 mm papule, r/o BCC."
    assert "L73.2" not in _icd(text)


# an injected lesion whose words name no diagnosis takes the note's one condition; with two it stays unnamed
def test_an_injected_lesion_takes_the_one_condition_of_the_note() -> None:
    text = "Alopecia areata, 2 patches.\nProcedure: ILK 5 mg/mL, 0.5 mL into the occipital scalp."
    assert [x["diagnosis"] for x in read_encounter(text)["lesions"]] == ["L63.9"]


def test_an_injected_lesion_with_two_conditions_in_the_note_takes_neither() -> None:
    text = "HS and acne, both flaring.\nProcedure: ILK 10 mg/mL, 0.5 mL into a L axillary nodule."
    assert [x["diagnosis"] for x in read_encounter(text)["lesions"]] == ["neoplasm_unspecified_behavior"]


# histology names: lobular capillary hemangioma is a pyogenic granuloma; erythema nodosum and bullous pemphigoid
def test_lobular_capillary_hemangioma_is_a_pyogenic_granuloma() -> None:
    text = "Shave removal, 6 mm friable papule L thumb.\nPath: lobular capillary hemangioma."
    assert [x.get("pathology") for x in read_encounter(text)["lesions"]] == ["pyogenic_granuloma"]


def test_a_cherry_hemangioma_is_still_a_hemangioma() -> None:
    text = "Shave removal, 3 mm red papule L upper arm.\nPath: cherry hemangioma."
    assert [x.get("pathology") for x in read_encounter(text)["lesions"]] == ["hemangioma"]


# "c/w" ends a negation: what the report concludes is not negated by the finding it excludes before
def test_consistent_with_after_without_is_not_negated() -> None:
    text = "Punch bx R shin, tender 2 cm nodule.\nPath: lobular panniculitis without vasculitis, c/w erythema nodosum."
    assert [x.get("pathology") for x in read_encounter(text)["lesions"]] == ["L52"]


def test_without_still_negates_what_follows_it() -> None:
    text = "Punch bx R shin, tender 2 cm nodule.\nPath: panniculitis, without erythema nodosum."
    assert [x.get("pathology") for x in read_encounter(text)["lesions"]] != ["L52"]


# a dated addendum is a pathology report
def test_a_dated_addendum_gives_the_pathology() -> None:
    text = ("Shave bx L nasal sidewall, 5 mm pearly papule, r/o BCC.\n\n"
            "ADDENDUM 06/05/2026: Pathology, L nasal sidewall - basal cell carcinoma, superficial type.")
    assert [x.get("pathology") for x in read_encounter(text)["lesions"]] == ["bcc"]


def test_an_addendum_without_a_diagnosis_leaves_the_pathology_pending() -> None:
    text = ("Shave bx L nasal sidewall, 5 mm pearly papule, r/o BCC.\n\n"
            "ADDENDUM 06/02/2026: pt called, specimen sent.")
    assert [x.get("pathology") for x in read_encounter(text)["lesions"]] == ["pending"]


# a disease diagnosed on the specimens of one work-up is the pathology of each; a neoplasm is not spread
def test_a_disease_in_the_report_is_the_pathology_of_every_specimen() -> None:
    text = ("Blistering eruption. Punch bx R thigh for H&E. Punch bx L forearm for DIF.\n"
            "Addendum 6/6/26: H&E - subepidermal split. DIF - linear IgG. Dx: bullous pemphigoid.")
    assert [x.get("pathology") for x in read_encounter(text)["lesions"]] == ["L12.0", "L12.0"]


def test_a_neoplasm_in_the_report_is_not_every_specimens() -> None:
    text = ("Shave bx R cheek, 4 mm papule. Shave bx L cheek, 5 mm papule.\n"
            "Path: basal cell carcinoma, nodular.")
    assert [x.get("pathology") for x in read_encounter(text)["lesions"]] == ["bcc", "pending"]


# a surveillance visit billed apart from the biopsy done at it keeps its surveillance reason
def test_a_separate_surveillance_visit_with_a_biopsy_is_still_surveillance() -> None:
    text = ("TBSE. h/o melanoma L upper arm s/p WLE 2020, here for routine surveillance.\n"
            "A/P: 1. H/o melanoma - no recurrence.\n2. Atypical macule R flank - shave bx today.\n"
            "E/M 99213-25.")
    visit = read_encounter(text)["visit"]
    assert visit["reason"] == "surveillance" and visit["separately_identifiable"] is True


def test_a_biopsy_visit_without_a_separate_em_is_not_surveillance() -> None:
    text = ("TBSE. h/o melanoma L upper arm s/p WLE 2020, here for routine surveillance.\n"
            "A/P: Atypical macule R flank - shave bx today.\nE/M 99213.")
    visit = read_encounter(text)["visit"]
    assert visit is None or "reason" not in visit


# "abdomen (8), flanks (6)": a number in parentheses after a site counts; "(2) L ear" at an item's start enumerates
def test_a_parenthesised_number_after_a_site_is_its_count() -> None:
    text = "Warts on chin (3), R knee (5) and L knee (2); LN2 to all 10, 2 FTC."
    lesions = read_encounter(text)["lesions"]
    assert sorted((x["site"], x.get("laterality"), x.get("count", 1)) for x in lesions) == [
        ("chin", None, 3), ("knee", "left", 2), ("knee", "right", 5)]


def test_a_parenthesised_number_opening_an_item_still_enumerates() -> None:
    text = "Shave bx today: (1) R cheek - 4 mm papule. (2) L ear - 5 mm papule."
    lesions = read_encounter(text)["lesions"]
    assert [(x["site"], x.get("count", 1)) for x in lesions] == [("cheek", 1), ("ear", 1)]


# "7 y/o M. Warts ...": the sex after an age is no lettered item
def test_the_sex_after_an_age_is_not_a_lettered_item() -> None:
    text = "Verruca vulgaris - 7 y/o M. Warts on R knee (4) and L knee (3). LN2 to all 7, 2 FTC."
    assert _codes(text) == [("17110", 1, ())]


def test_a_letter_opening_a_line_still_labels_an_item() -> None:
    text = "Shave bx x2:\nA. R cheek, 4 mm pink papule.\nB. L ear, 5 mm pearly papule."
    assert [x["site"] for x in read_encounter(text)["lesions"]] == ["cheek", "ear"]


# a site named first without a count, then with one in a list: the count is read at the later mention
def test_the_count_is_read_where_the_site_is_named_again() -> None:
    text = ("S: rough spots on his scalp and R hand again.\n"
            "A: AKs x7 (scalp 4, R dorsal hand 3).\nP: LN2 to all 7 AKs, 2 FTC.")
    lesions = read_encounter(text)["lesions"]
    assert sorted((x["site"], x.get("count", 1)) for x in lesions) == [("hand_dorsum", 3), ("scalp", 4)]


def test_a_site_named_once_with_its_count_keeps_it() -> None:
    text = "AKs: scalp 4, R dorsal hand 3. LN2 to all 7 AKs, 2 FTC. Scalp tolerated well."
    lesions = read_encounter(text)["lesions"]
    assert sorted((x["site"], x.get("count", 1)) for x in lesions) == [("hand_dorsum", 3), ("scalp", 4)]


# "neck ~9": an approximate count is the count
def test_an_approximate_count_after_a_site_is_the_count() -> None:
    text = "Skin tags: neck ~9, R axilla 4, irritated by collar. All 13 tags snipped."
    lesions = read_encounter(text)["lesions"]
    assert sorted((x["site"], x.get("count", 1)) for x in lesions) == [("axilla", 4), ("neck", 9)]


def test_a_tilde_before_a_size_is_no_count() -> None:
    text = "Skin tag, neck ~4 mm, irritated by collar. Snipped."
    assert [x.get("count", 1) for x in read_encounter(text)["lesions"]] == [1]


# "(total 0.6 mL = 24 mg)" after a lesion's own volume is the session's total, not that lesion's dose
def test_a_total_after_a_lesions_own_volume_is_not_its_dose() -> None:
    text = ("Keloids: upper back x2, L earlobe x1.\n"
            "ILK 40 mg/mL - 0.25 mL into each back keloid, 0.1 mL into the L earlobe keloid "
            "(total 0.6 mL = 24 mg).")
    lesions = read_encounter(text)["lesions"]
    doses = sorted((x["site"], x["procedures"][0].get("dose_mg")) for x in lesions)
    assert doses == [("back_upper", 20), ("ear", 4)]
    assert ("J3301", 3, ()) in _codes(text)


def test_a_total_alone_is_still_the_dose() -> None:
    text = "Keloid, R shoulder. ILK 40 mg/mL, total 0.5 mL = 20 mg injected."
    assert [x["procedures"][0].get("dose_mg") for x in read_encounter(text)["lesions"]] == [20]


# "great toe (left)": the side written after the digit in parentheses; the curettage at the avulsion is part of it
def test_a_side_in_parentheses_after_a_digit_names_the_nail() -> None:
    text = ("Ingrown toenail, great toe (right), medial border.\n"
            "Digital block. Medial 1/5 of nail plate avulsed. Granulation tissue curetted.")
    encounter = read_encounter(text)
    assert encounter["lesions"] == []
    assert encounter["services"][0]["digits"] == ["right_great_toe"]
    assert _codes(text) == [("11730", 1, ("T5",))]


def test_a_curettage_of_a_wart_at_a_nail_visit_is_still_a_lesion() -> None:
    text = ("Ingrown toenail, L great toe. Lateral nail plate avulsed.\n"
            "Also: wart R knee, curetted.")
    assert [x["diagnosis"] for x in read_encounter(text)["lesions"]] == ["wart"]


# "debrided in thickness and length": the nail debridement code's own words
def test_debrided_in_thickness_and_length_is_a_nail_debridement() -> None:
    text = "Onychomycosis, 6 toenails. Debrided in thickness and length with nipper and burr, 6 nails."
    assert _codes(text) == [("11721", 1, ())]


def test_a_wound_debrided_is_not_a_nail_debridement() -> None:
    text = "Ulcer edge debrided of fibrin. Dressing applied."
    assert read_encounter(text)["services"] == []


# Mohs stages numbered by capital roman numerals alone ("I: 2 blocks. II: 1 block.")
def test_roman_numeral_stage_labels_give_the_blocks() -> None:
    text = "Mohs, BCC L temple, bx proven.\nI: 2 blocks, + at 3 o'clock. II: 1 block, clear.\nDefect 1.2 x 1.0 cm."
    lesion = read_encounter(text)["lesions"][0]
    assert lesion["procedures"][0] == {"type": "mohs", "stages": [{"blocks": 2}, {"blocks": 1}]}


def test_a_roman_numeral_not_before_blocks_is_no_stage() -> None:
    text = "Mohs, BCC L temple, bx proven, Fitzpatrick type II: 2 stages. Defect 1.2 x 1.0 cm."
    lesion = read_encounter(text)["lesions"][0]
    assert lesion["procedures"][0]["stages"] == [{"blocks": 1}, {"blocks": 1}]


# "Repaired, 3.2 cm. Dressing.": the next sentence's dressing does not unmake the repair; after Mohs an undocumented
# closure type is not guessed (no simple-repair code), the gap is named
def test_a_repair_followed_by_a_dressing_sentence_is_a_repair_and_its_type_is_not_guessed() -> None:
    text = "Mohs SCC R forearm, bx proven. Stage 1: 2 blocks, clear. Defect 1.5 x 1.2 cm. Repaired, 3.2 cm. Dressing."
    reading = read_note(text, date_of_service=DAY)
    procedures = reading.encounter["lesions"][0]["procedures"]
    assert {"type": "repair", "length_cm": 3.2} in procedures
    assert any(g.field == "complexity" for g in reading.gaps)
    assert not any(code.startswith("120") for code, _, _ in _codes(text))


def test_a_closure_with_steri_strips_is_still_no_repair() -> None:
    text = "Shave bx L forearm, 4 mm papule. Closure with steri-strips and bandage."
    procedures = read_encounter(text)["lesions"][0]["procedures"]
    assert [p["type"] for p in procedures] == ["biopsy"]


# "given the risk of notching, a flap was designed": the reason for what was done, not consent talk
def test_a_flap_done_because_of_a_risk_is_read() -> None:
    text = ("Mohs BCC L nasal tip, bx proven. Stage 1: 2 blocks, clear. Final defect 1.2 x 1.0 cm.\n"
            "Because of the risk of tip distortion, a bilobed flap was designed and inset. "
            "Primary and secondary defects total 4.8 sq cm.")
    procedures = read_encounter(text)["lesions"][0]["procedures"]
    assert {"type": "adjacent_tissue_transfer", "defect_area_cm2": 4.8} in procedures


def test_the_risks_of_a_flap_discussed_are_no_flap() -> None:
    text = ("Mohs BCC L nasal tip, bx proven. Stage 1: 2 blocks, clear. Final defect 1.2 x 1.0 cm.\n"
            "Risks of a bilobed flap including distortion were discussed; pt prefers second intention healing.")
    procedures = read_encounter(text)["lesions"][0]["procedures"]
    assert [p["type"] for p in procedures] == ["mohs"]


# a Mohs heading over "Stage 1: excised with 2 mm margin, 2 blocks": the stage's excision is a Mohs layer
def test_an_excised_stage_under_a_mohs_heading_is_mohs() -> None:
    text = ("MOHS SURGERY\nLocation: L helix. SCC, bx proven.\n"
            "Stage 1: excised with 2 mm margin, 2 blocks - clear.\nDefect 1.0 x 0.9 cm, second intention.")
    procedures = read_encounter(text)["lesions"][0]["procedures"]
    assert [p["type"] for p in procedures] == ["mohs"]


def test_an_excision_without_stages_under_no_mohs_heading_stays_an_excision() -> None:
    text = "EXCISION\nLocation: L forearm. SCC, bx proven, 1.0 cm.\nExcised with 4 mm margins. Simple closure."
    procedures = read_encounter(text)["lesions"][0]["procedures"]
    assert "excision" in [p["type"] for p in procedures]


# a landmark named to place a lesion or to justify a repair is no lesion's site
def test_a_landmark_that_justifies_a_flap_is_no_lesion() -> None:
    text = ("SCC, R temple, bx proven, 1.1 cm. Excised with 4 mm margins to fat.\n"
            "Given the proximity to the lateral canthus, the defect was closed with a rotation flap; "
            "primary + secondary defect 9.0 sq cm.")
    lesions = read_encounter(text)["lesions"]
    assert [x["site"] for x in lesions] == ["temple"]
    assert {"type": "adjacent_tissue_transfer", "defect_area_cm2": 9} in lesions[0]["procedures"]


def test_a_landmark_after_a_site_is_not_a_second_lesion() -> None:
    text = "Shave bx, L cheek just below the lower eyelid, 5 mm pearly papule, r/o BCC."
    assert [x["site"] for x in read_encounter(text)["lesions"]] == ["cheek"]


def test_a_new_lesion_named_near_a_landmark_keeps_its_site() -> None:
    text = "Shave bx R forearm, 5 mm papule, r/o SCC.\nAlso 3 AKs near the L ear: LN2, 2 FTC."
    assert sorted(x["site"] for x in read_encounter(text)["lesions"]) == ["ear", "forearm"]


# "PROCEDURE NOTE - Shave Biopsy" over "Site: L temple": the heading's procedure is the next site's, not the last
# lesion's spoken of (a benign lesion only examined)
def test_a_procedure_note_heading_belongs_to_the_site_on_the_next_line() -> None:
    text = ("Exam: L temple 5 mm pearly papule. Trunk: several SKs, benign, no treatment.\n"
            "A/P: 1. Neoplasm L temple, r/o BCC - shave biopsy today.\n2. SKs, trunk - reassured.\n\n"
            "PROCEDURE NOTE - Shave Biopsy\nSite: L temple. Tangential biopsy with Dermablade. Specimen sent.")
    lesions = read_encounter(text)["lesions"]
    assert [(x["site"], [p["type"] for p in x["procedures"]]) for x in lesions] == [("temple", ["biopsy"])]


def test_a_procedure_colon_heading_over_a_numbered_list_is_every_items() -> None:
    text = ("Procedure: I&D x2\n(1) R thigh - 2 cm fluctuant abscess\n(2) L thigh - 3 cm fluctuant abscess\n"
            "Both incised and drained, purulent material expressed.")
    lesions = read_encounter(text)["lesions"]
    assert [[p["type"] for p in x["procedures"]] for x in lesions] == [["incision_drainage"], ["incision_drainage"]]
