"""Rules of the note language from blind17's misses (tests/notes/REVIEW.md, "Round 14").

Each rule has a sentence it must read and one it must not; the sentences are written here for the tests (fake
patients, day of service 2026-06-01), none is a review note.
"""

from __future__ import annotations

from note_rules import diagnoses, lines


def _codes(text: str) -> list[str]:
    return [code for code, _, _ in lines(text, payer="commercial", age=60, sex="M")]


# --- a procedure told of with the outside surgeon named in a parenthesis --------------------------------------------

def test_a_procedure_by_an_outside_surgeon_named_in_a_parenthesis_is_not_coded() -> None:
    text = ("Est pt. Had Mohs and a linear repair of an SCC of the R temple on 5/12 by Dr. Ruiz (outside Mohs "
            "surgeon); healing well.\nNew 6 mm pink papule L forearm.\nP: shave bx L forearm. Path pending.")
    assert "17311" not in _codes(text) and "12051" not in _codes(text)
    assert "11102" in _codes(text)


def test_a_procedure_with_our_own_surgeon_in_a_parenthesis_is_coded() -> None:
    text = ("Mohs surgery today by Dr. Ruiz (our Mohs surgeon), surgeon and pathologist. SCC R temple, 1.1 cm. "
            "Stage 1: 2 blocks, clear. Defect 1.6 cm left to heal by second intention.")
    assert "17311" in _codes(text)


# --- a lesion whose own words plan its treatment takes none of the day's heading -------------------------------------

def test_a_lesion_planned_for_mohs_later_is_not_given_the_mohs_of_the_note_heading() -> None:
    text = ("MOHS SURGERY NOTE\nIndication: biopsy-proven BCC, L upper back. Pre-op size 0.9 cm.\nStage 1: 2 blocks, "
            "clear.\nDefect 1.3 cm, healing by second intention.\nPt also has a biopsy-proven SCC of the L temple. "
            "Will schedule Mohs for the L temple next month.")
    assert _codes(text) == ["17313"]


def test_a_lesion_under_the_heading_treated_today_still_takes_its_mohs() -> None:
    text = ("MOHS SURGERY NOTE\nIndication: biopsy-proven BCC, L upper back. Pre-op size 0.9 cm.\nStage 1: 2 blocks, "
            "clear.\nDefect 1.3 cm, healing by second intention. Will schedule suture removal in 2 weeks.")
    assert _codes(text) == ["17313"]


# --- a procedure written as a label over its steps -------------------------------------------------------------------

def test_a_labelled_procedure_step_goes_to_the_lesion_given_that_procedure() -> None:
    text = ("Nasal tip: 5 mm pearly papule -> shave bx.\nAKs x4: scalp x2, L dorsal hand x2 -> LN2, 2 FTC each.\n"
            "Consent obtained for both. Shave bx: lido w/ epi, DermaBlade, AlCl. Bandage.")
    codes = _codes(text)
    assert "11102" in codes and "17000" in codes and "17003" in codes
    assert codes.count("11102") == 1 and "11103" not in codes


def test_a_procedure_label_of_a_new_site_is_that_sites() -> None:
    text = ("AKs x4: scalp x2, L dorsal hand x2 -> LN2, 2 FTC each.\nShave bx: R cheek 6 mm pink papule, lido w/ epi, "
            "DermaBlade. Path pending.")
    codes = _codes(text)
    assert "11102" in codes and "17000" in codes


# --- a procedure followed at once by an earlier date was done that day ----------------------------------------------

def test_a_biopsy_followed_by_an_earlier_date_is_history() -> None:
    text = ("HPI: Shave bx 4/29 of scalp lesion showed SCC in situ.\nExam: vertex scalp 8 mm pink scaly plaque at the "
            "biopsy site.\nA/P: SCC in situ, vertex scalp - ED&C today, 3 cycles.")
    codes = _codes(text)
    assert "11102" not in codes and "17271" in codes


def test_a_biopsy_followed_by_the_visit_day_is_today() -> None:
    text = "R forearm 6 mm pink papule. Shave bx 6/1 per protocol, path pending."
    assert "11102" in _codes(text)


# --- "to suggest" negates what follows -------------------------------------------------------------------------------

def test_nothing_to_suggest_a_cancer_negates_it() -> None:
    text = ("Scalp: eleven gritty papules typical of actinic keratoses. None is indurated or tender to suggest "
            "squamous cell carcinoma. All eleven treated with liquid nitrogen.")
    codes = _codes(text)
    assert "17003" in codes and not any(code.startswith("172") for code in codes)


def test_features_to_suggest_a_cancer_affirm_it() -> None:
    text = ("R nasal ala 6 mm pearly papule with features to suggest basal cell carcinoma. Shave biopsy today. "
            "Path: basal cell carcinoma, nodular.")
    assert "C44.311" in diagnoses(text, payer="commercial", age=60, sex="M")


# --- "Both removed" under two lettered lesions ----------------------------------------------------------------------

def test_both_removed_treats_the_two_lettered_lesions() -> None:
    text = ("A. R dorsal forearm: 4 mm irritated SK, itchy.\nB. L upper back: 6 mm irritated SK, bleeds.\n"
            "Both removed by shave technique after lido w/ epi; AlCl.")
    assert _codes(text) == ["11300", "11301"]


def test_both_sides_is_not_both_lesions() -> None:
    text = ("A. R dorsal forearm: 4 mm irritated SK, itchy.\nB. L upper back: 6 mm irritated SK, bleeds - shave "
            "removal.\nBoth sides of the back examined, no other lesions.")
    assert _codes(text) == ["11301"]


# --- a time since a procedure tells of it done before; its cancer is that procedure's care ---------------------------

GLOBAL = ("Est pt. Returns 1 wk after excision of SCC upper back (11602 on 5/25/26, clear margins). Also wants rough "
          "spots on L forearm treated.\nExam: back excision site clean, sutures intact. L dorsal forearm: 3 gritty "
          "scaly papules.\nA/P:\n1. AKs x3 L forearm - LN2 2 FTC each.\n2. S/p excision SCC back - healing well; "
          "suture removal next week (global).")


def test_a_procedure_a_week_before_is_not_today_and_its_global_period_counts() -> None:
    assert _codes(GLOBAL) == ["17000", "17003"]
    assert [m for code, _, m in lines(GLOBAL, payer="medicare", age=75, sex="M") if code == "17000"] == [("79",)]
    assert diagnoses(GLOBAL, payer="medicare", age=75, sex="M") == ["L57.0"]


def test_a_procedure_done_today_after_numbing_is_still_today() -> None:
    text = ("L forearm 1.2 cm SCC, biopsy-proven. Excision today with 4 mm margins, 10 minutes after lidocaine; "
            "intermediate layered closure 2.5 cm.")
    assert "11602" in _codes(text)


# --- what an earlier visit did; a plan written as "Plan <procedure>"; a lesion declined today -----------------------

def test_what_an_earlier_visit_did_is_history() -> None:
    text = ("Surveillance visit. At her March visit PA Jones treated 4 AKs on her forearms with cryotherapy - those "
            "areas have resolved. No AKs today. A/P: hx of BCC - NED. RTC 6 mo.")
    assert not any(code.startswith("170") for code in _codes(text))


def test_a_visit_word_without_an_earlier_visit_is_today() -> None:
    text = "At this visit: AKs x4 L forearm treated with cryotherapy, 2 FTC each."
    assert _codes(text) == ["17000", "17003"]


def test_plan_excision_is_a_plan() -> None:
    text = ("A/P: Inflamed epidermoid cyst, R cheek, 1.0 cm.\n - Intralesional injection: triamcinolone 10 mg/mL, "
            "0.3 mL injected into cyst.\n - Plan excision with 2 mm margins once inflammation has settled, in 4-6 "
            "weeks.")
    codes = _codes(text)
    assert "11900" in codes and not any(code.startswith("114") for code in codes)


def test_a_plan_carried_out_today_is_coded() -> None:
    text = "AKs x3 L forearm.\n - Plan: cryotherapy today, 2 FTC each; done, tolerated well."
    assert _codes(text) == ["17000", "17003"]


def test_a_lesion_whose_removal_was_declined_takes_none_of_the_visit_reason() -> None:
    text = ("S: here for removal of skin tags that catch on her necklace.\nO: Neck: 9 pedunculated skin tags, 3 "
            "irritated.\n   R axilla: 5 small acrochordons, asymptomatic.\nP: Removal of skin tags, neck (9). Snip "
            "excision, AlCl.\n   R axilla tags: she declined removal today.")
    assert _codes(text) == ["11200"]


# --- "the back of the R hand" is the hand's back ---------------------------------------------------------------------

def test_the_back_of_a_hand_is_the_hand_not_the_back() -> None:
    from dermbill.notes.sites import find_sites
    assert [(s.site, s.laterality) for s in find_sites("2 rough spots on the back of the R hand")] == [
        ("hand_dorsum", "right")]
    text = ("Also 2 rough spots on the back of the R hand. Exam: 2 gritty papules R dorsal hand c/w AKs.\n"
            "Procedure: LN2 cryotherapy to 2 AKs R dorsal hand, 2 FTC.")
    assert lines(text, payer="medicare", age=75, sex="M") == [("17000", 1, ()), ("17003", 1, ())]


def test_a_papule_on_the_back_is_on_the_back() -> None:
    from dermbill.notes.sites import find_sites
    assert [s.site for s in find_sites("6 mm papule on the back, R side")] == ["back_upper"]


# --- a visit that addresses another problem beside the procedure it is "here for" -----------------------------------

TWO_PROBLEMS = ("Dermatology Follow-up\nProblems addressed today: (1) alopecia areata (2) hand eczema - new\n\n"
                "1) ALOPECIA AREATA, scalp. Here for ILK #2.\n   Exam: 3 patches on the vertex scalp.\n   Procedure: "
                "TAC 10 mg/mL, 0.1 mL aliquots into all 3 patches, total 1.0 mL (10 mg).\n\n2) DYSHIDROTIC ECZEMA, "
                "palms - new complaint x 6 wks.\n   Exam: tapioca vesicles of the palms.\n   Start clobetasol 0.05% "
                "ointment BID x 2 wk; emollients.\n")


def test_a_second_problem_addressed_makes_the_visit_separate_beside_the_procedure_it_is_here_for() -> None:
    codes = _codes(TWO_PROBLEMS)
    assert "11900" in codes and any(code.startswith("9921") for code in codes)


def test_here_for_the_procedure_alone_is_no_visit() -> None:
    text = ("Dermatology Follow-up\nALOPECIA AREATA, scalp. Here for ILK #2.\n   Exam: 3 patches on the vertex "
            "scalp.\n   Procedure: TAC 10 mg/mL, 0.1 mL aliquots into all 3 patches, total 1.0 mL (10 mg).\n")
    assert not any(code.startswith("992") for code in _codes(text))


def test_an_indented_heading_goes_on_with_its_problem_item() -> None:
    from dermbill.notes.mdm import MODERATE, derive_level
    start = TWO_PROBLEMS.index("DYSHIDROTIC")
    assert derive_level(TWO_PROBLEMS, [("L30.1", start)]).risk == MODERATE  # the clobetasol two lines down
    flat = TWO_PROBLEMS.replace("\n   Exam:", "\nExam:")
    assert derive_level(flat, [("L30.1", flat.index("DYSHIDROTIC"))]).risk < MODERATE


def test_a_progress_note_is_a_visit() -> None:
    text = ("Progress Note\n80F. Rosacea flare - red face, bumps x 2 months despite metronidazole gel.\nExam: central "
            "face erythema, papules and pustules.\nA/P: Papulopustular rosacea, flaring. Stop metronidazole; start "
            "ivermectin 1% cream daily and doxycycline 40 mg daily.")
    assert any(code.startswith("9921") for code in _codes(text))


# --- a flare the plan provides for is no flare -----------------------------------------------------------------------

def test_a_cream_for_flares_does_not_make_the_problem_worse() -> None:
    from dermbill.notes.mdm import LOW, MODERATE, derive_level
    text = ("Seborrheic dermatitis of the brows and chest x 2 months. Rx ketoconazole 2% cream BID; hydrocortisone "
            "2.5% cream prn flares x 1 wk.")
    assert derive_level(text, [("L21.9", 0)]).problems == LOW
    flaring = text.replace("x 2 months.", "x 2 months, flaring despite OTC care.")
    assert derive_level(flaring, [("L21.9", 0)]).problems == MODERATE


# --- an entry of an earlier day carried forward; a reconstruction tomorrow ------------------------------------------

def test_a_dated_entry_of_an_earlier_day_is_history_whatever_today_it_says() -> None:
    text = ("PHOTOTHERAPY NOTE (copied forward)\n\n01/29/2026: Tx #6. Also 2 verrucae R index finger, cryotherapy x2 "
            "today with LN2.\n\nTODAY: Tx #12, NB-UVB 900 mJ/cm2 for psoriasis. Warts flat, no treatment today.")
    assert "17110" not in _codes(text)


def test_an_entry_dated_the_visit_day_is_today() -> None:
    text = "06/01/2026: 2 verrucae R index finger, cryotherapy x2 today with LN2, 2 cycles."
    assert _codes(text) == ["17110"]


def test_a_reconstruction_tomorrow_by_another_surgeon_is_not_coded() -> None:
    text = ("Mohs note - L lower eyelid BCC. Pre-op 0.7 cm.\nStage I: 2 blocks, positive.\nStage II: 1 block, clear.\n"
            "Defect 1.3 x 1.0 cm.\nPt to oculoplastics tomorrow morning for reconstruction (likely advancement flap).")
    assert _codes(text) == ["17311", "17312"]


# --- one lesion named only in the history; the shave's base; pus drained; boxes not ticked --------------------------

PYOGENIC = ("Procedure: shave removal, pyogenic granuloma\n9 yo M w/ bleeding red bump on the right index finger x 3 "
            "wks.\nExam: 0.5 cm friable pedunculated red papule, dorsal distal phalanx.\nMom consented. Shave removal "
            "at the base with a flexible blade, base curetted and electrocauterized. Specimen to path.\n"
            "Path 4/30/26: lobular capillary hemangioma (pyogenic granuloma).")


def test_a_note_of_one_lesion_named_only_in_its_history_codes_it_there() -> None:
    assert lines(PYOGENIC, payer="commercial", age=9, sex="M") == [("11305", 1, ())]
    assert diagnoses(PYOGENIC, payer="commercial", age=9, sex="M") == ["L98.0"]


def test_a_note_naming_two_sites_opens_no_lesion_by_guess() -> None:
    text = ("Bleeding bump on the right index finger and a rash on the left forearm.\nShave removal at the base, "
            "specimen to path.")
    assert "11305" not in _codes(text) and "11300" not in _codes(text)


def test_the_base_of_a_shave_curetted_is_part_of_the_shave_but_an_ed_and_c_is_not() -> None:
    assert not any(code.startswith("17") for code in _codes(PYOGENIC))
    text = ("R forearm 0.8 cm SCC in situ, biopsy-proven. Shave removal of the exophytic part, then ED&C x3 cycles "
            "of the whole lesion.")
    assert "17261" in _codes(text)


def test_pus_drained_through_an_incision_is_an_incision_and_drainage() -> None:
    text = ("R 3rd finger, lateral nail fold: 5 mm pocket of pus.\nDx: acute paronychia with abscess.\nProcedure: "
            "digital block. #11 blade inserted under the lateral nail fold, pus drained, no nail removal. Irrigated.")
    assert _codes(text) == ["10060"]


def test_no_pus_drained_is_no_drainage() -> None:
    text = "R 3rd finger lateral nail fold erythema, no fluctuance, no pus drained on pressure. Warm soaks, cephalexin."
    assert "10060" not in _codes(text)


def test_a_box_not_ticked_names_no_procedure() -> None:
    text = ("Acne, three tender cysts L jawline.\nProcedures today:\n[ ] Shave biopsy   [ ] Punch biopsy   "
            "[x] Intralesional injection\nIntralesional injection: triamcinolone 2.5 mg/mL, 0.2 mL into each of the "
            "3 cysts (1.5 mg).")
    codes = _codes(text)
    assert "11900" in codes and not any(code.startswith("111") for code in codes)
