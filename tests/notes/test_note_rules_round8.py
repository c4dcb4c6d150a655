"""Rules of the note language from the misses of blind7 (tests/notes/REVIEW.md, "Round 8").

Each rule has a sentence it must read and one it must not (the historical, planned or other-procedure variant, or
a near miss); the sentences are written here for the tests (fake patients, day of service 2026-06-01), none is a
review note.
"""

from __future__ import annotations

from note_rules import DAY, diagnoses, lines, read_encounter, read_lesions

from dermbill.notes import read_note


def _lines(text: str, payer: str = "medicare") -> list[tuple[str, int, tuple[str, ...]]]:
    return lines(text, payer=payer, age=70, sex="M")


def _codes(text: str, payer: str = "medicare") -> list[str]:
    return [code for code, _, _ in _lines(text, payer)]


def _icd(text: str, payer: str = "medicare") -> list[str]:
    return diagnoses(text, payer=payer, age=70, sex="M")


# --- forbidden: procedures of another day, or only talked about ----------------------------------------------------

def test_a_year_written_just_before_a_procedure_makes_it_history() -> None:
    text = ("Hx skin cancer (SCC R forearm 2021 - excision; BCC L ear 2023 - Mohs). "
            "Today: LN2 to 3 AKs on the scalp.")
    assert _codes(text) == ["17000", "17003"]


def test_a_year_after_todays_procedure_word_is_not_its_date() -> None:
    # the near miss: the year is the biopsy's (written before it), the Mohs is today's
    assert "17311" in _codes("BCC R nasal tip, biopsied 2026 - Mohs today. Stage 1: 2 blocks, clear.")


def test_a_treatment_the_lesion_persisted_after_is_an_earlier_one() -> None:
    text = "R temple 6 mm scaly papule, persistent after cryotherapy x2 last winter - shave bx today, to path."
    assert _codes(text) == ["11102"]
    assert _codes("R temple 6 mm scaly papule, recurred despite LN2 in March - shave bx today.") == ["11102"]


def test_a_persistent_lesion_treated_today_is_still_coded() -> None:
    # the near miss: the lesion persisted (for months), no treatment is named before today's
    assert _codes("AK R temple, persistent for 3 months despite sunscreen - LN2 today, 2 FTC.") == ["17000"]


def test_a_procedure_to_discuss_again_if_the_tumour_remains_is_not_done() -> None:
    text = ("BCC L nasal sidewall: starting imiquimod. RTC 8 wk, re-discuss Mohs if residual.\n"
            "AKs L dorsal hand x3 - LN2.")
    assert "17311" not in _codes(text)
    assert "17311" not in _codes("SCC R cheek: ED&C declined; Mohs if incomplete response to 5-FU.")


def test_a_post_op_check_names_an_earlier_procedure() -> None:
    text = "Post-op check, excision/flap R cheek: healing well. New problem: LN2 to 2 AKs L hand."
    codes = _codes(text)
    assert not any(code.startswith(("116", "140")) for code in codes)
    assert "17000" in codes


def test_a_flap_described_as_healing_is_the_earlier_flap() -> None:
    lesions = read_lesions("R nasal ala - flap viable, incisions well healed. L hand 2 AKs - LN2.")
    assert all(p["type"] != "adjacent_tissue_transfer" for lesion in lesions for p in lesion["procedures"])


def test_a_flap_done_today_is_still_a_procedure() -> None:
    text = ("Mohs L nasal ala, stage 1: 3 blocks, clear. Defect repaired with a bilobed flap, primary + secondary "
            "defect 4.0 sq cm.")
    assert "14060" in _codes(text)


# --- numbers that are not counts; sizes of another day --------------------------------------------------------------

def test_a_date_after_a_site_is_no_count() -> None:
    lesions = read_lesions("s/p excision BCC R upper back 05/20/26. Today: shave bx R upper back 4 mm papule.")
    assert all(lesion.get("count", 1) == 1 for lesion in lesions)


def test_a_count_after_a_site_still_counts() -> None:
    assert ("17003", 4, ()) in _lines("AKs: scalp 5 - LN2 2 FTC.")


def test_a_re_excision_is_sized_on_todays_scar_not_the_first_lesion() -> None:
    text = ("s/p excision SCC L forearm 5/25/26 (1.0 cm lesion, 2 mm margins); deep margin involved.\n"
            "Re-excision today: scar/wound measures 2.4 cm, excised with 3 mm margins around the scar.\n"
            "Path: no residual carcinoma.")
    lesion = read_lesions(text)[0]
    assert lesion["diameter_cm"] == 2.4


def test_a_size_told_only_in_the_history_sentence_is_still_used() -> None:
    # the near miss: with no size of its own today, the one written earlier is all there is (no size is dropped)
    text = "Excision today of the 1.1 cm BCC L upper back (bx 5/10/26), 4 mm margins, simple closure."
    assert read_lesions(text)[0]["diameter_cm"] == 1.1


# --- conditions ---------------------------------------------------------------------------------------------------

def test_nummular_dermatitis_is_its_own_code() -> None:
    assert read_encounter("Nummular eczema both shins, new problem - clobetasol. Established pt, MDM low.")[
        "visit"]["diagnoses"] == ["L30.0"]


def test_a_dermatitis_without_a_kind_stays_unspecified() -> None:
    assert read_encounter("Dermatitis both shins, new problem - clobetasol. Established pt, MDM low.")[
        "visit"]["diagnoses"] == ["L30.9"]


def test_icd_of_the_visit_for_nummular_dermatitis() -> None:
    assert "L30.0" in _icd("Established pt, MDM low. Nummular dermatitis R shin - TAC 0.1% oint. "
                           "AK L hand - LN2.")


# --- procedure words and site words ---------------------------------------------------------------------------------

def test_excise_in_the_plan_is_an_excision() -> None:
    text = "Epidermoid cyst L upper back 1.5 cm, painful. Excise today, 2 mm margins, simple closure."
    assert read_lesions(text)[0]["procedures"][0]["type"] == "excision"


def test_hair_clipped_is_the_sites_preparation() -> None:
    text = ("Pilar cyst R parietal scalp 2.0 cm, tender. Hair clipped, chlorhexidine prep. Excised with 1 mm margins; "
            "layered closure, intermediate repair 3.0 cm.\nPath: pilar cyst.")
    assert _codes(text, "commercial") == ["11423", "12032"]


def test_tags_clipped_are_still_removed() -> None:
    # the near miss: tags clipped with scissors are the tags' removal
    text = "6 irritated skin tags R axilla, bleeding on her bra - clipped with iris scissors."
    assert _codes(text, "commercial") == ["11200"]


def test_a_part_preserved_is_no_lesions_site() -> None:
    text = ("SCC R lower cutaneous lip (bx 5/2/26). Lesion 0.6 cm, 3 mm margins, excised to muscle, vermilion border "
            "preserved. Layered closure, intermediate repair 2.0 cm.")
    assert _codes(text) == ["11642", "12051"]


def test_a_vermilion_lesion_is_still_read() -> None:
    # the near miss: a lesion on the vermilion is its own site
    assert read_lesions("Vermilion of lower lip: 4 mm scaly papule - shave bx.")[0]["site"] == "lip_vermilion"


# --- measures of a session ------------------------------------------------------------------------------------------

def test_the_total_area_written_is_the_excimer_area() -> None:
    text = ("Excimer laser, vitiligo. Treated areas: hands 150 cm2, elbows 90 cm2, knees 60 cm2 (total 300 cm2). "
            "Dose 400 mJ/cm2.")
    assert _codes(text, "commercial") == ["96921"]


def test_areas_listed_on_one_line_add_up() -> None:
    text = "Excimer laser for psoriasis. Areas: R elbow 120 cm2, L elbow 140 cm2."
    assert _codes(text, "commercial") == ["96921"]


def test_one_area_is_its_own() -> None:
    assert _codes("Excimer laser for psoriasis, L knee plaque, 80 cm2 treated.", "commercial") == ["96920"]


def test_amounts_per_site_make_up_the_total_volume_written() -> None:
    text = ("Alopecia areata, scalp: 4 patches. Kenalog 10 mg/mL, 1.8 mL total injected intradermally, 0.1 mL per "
            "site.")
    lesion = read_lesions(text)[0]
    assert lesion["procedures"][0]["dose_mg"] == 18


def test_a_volume_into_each_lesion_is_multiplied() -> None:
    # the near miss: no total is written, so the volume "into each" counts once per lesion
    text = "Keloids x3 chest: ILK 40 mg/mL, 0.1 mL into each."
    assert read_lesions(text)[0]["procedures"][0]["dose_mg"] == 12


def test_a_disease_is_not_planned_with_its_injections() -> None:
    text = ("Alopecia areata of the scalp, here for her scheduled injections. 3 patches: ILK 10 mg/mL, 0.5 mL each.")
    assert read_lesions(text)[0]["diagnosis"] == "L63.9"


def test_a_lesion_whose_treatment_is_planned_stays_left() -> None:
    # the near miss: AKs to be frozen at the next visit are not today's lesions
    text = ("Excision BCC L forearm: lesion 1.0 cm, 3 mm margins. Several AKs on the hands - will treat with LN2 at "
            "next visit.\nPath: BCC, clear.")
    assert _icd(text) == ["C44.619"]


# --- symptoms, dates, earlier procedures ----------------------------------------------------------------------------

def test_non_inflamed_is_no_symptom() -> None:
    text = "Neck: 6 small skin tags, non-inflamed, asymptomatic; she wants them off - snipped, self-pay."
    assert read_lesions(text)[0].get("symptoms", []) == []
    assert _codes(text) == []  # Medicare: removal for appearance is not covered


def test_inflamed_tags_are_still_symptomatic() -> None:
    text = "Neck: 6 skin tags, inflamed and catching on her necklace - snipped."
    assert _codes(text) == ["11200"]


def test_a_date_right_after_a_biopsy_is_the_biopsys_even_in_a_sentence_of_today() -> None:
    text = "Scheduled today: ED&C of sBCC R upper arm (bx 5/12/26). Lesion 0.8 cm, curettage x3, defect 1.0 cm."
    assert _codes(text) == ["17261"]


def test_a_biopsy_today_with_no_date_is_todays() -> None:
    # the near miss: no date follows the biopsy word
    assert "11102" in _codes("Scheduled today: shave bx of a 5 mm papule R upper arm, to path.")


def test_an_excision_in_its_global_period_at_another_site_makes_todays_procedure_79() -> None:
    text = ("Here 8 days s/p excision SCC L forearm (5/24/26) for suture removal; sutures out.\n"
            "Also today: ED&C of bx-proven sBCC R upper back, lesion 0.9 cm, final defect 1.0 cm.")
    assert _lines(text) == [("17261", 1, ("79",))]


def test_an_excision_at_the_same_site_opens_no_79() -> None:
    # the near miss: the same site is the same problem (a re-excision or a complication), not an unrelated one
    text = ("Here 8 days s/p excision SCC L forearm (5/24/26); sutures out.\n"
            "Also today: LN2 to 2 AKs L forearm.")
    assert _lines(text) == [("17000", 1, ()), ("17003", 1, ())]


# --- lists ----------------------------------------------------------------------------------------------------------

def test_a_heading_inside_one_list_item_is_not_the_next_items() -> None:
    text = ("1. Irritated SK L shoulder, itchy and bleeding, 0.8 cm. Shave removal: lido, DermaBlade, AlCl3.\n"
            "2. Several quiet SKs on the back - benign, reassured.")
    lesions = read_lesions(text)
    assert [lesion["site"] for lesion in lesions if lesion["procedures"]] == ["shoulder"]


def test_a_heading_over_the_whole_list_is_every_items() -> None:
    # the near miss: the heading comes before the items
    text = ("Shave removals: (1) L shoulder irritated SK 0.8 cm, bleeding. (2) R flank irritated SK 0.6 cm, itchy.\n"
            "Path: (1) and (2) seborrheic keratosis, irritated.")
    assert _lines(text) == [("11301", 2, ())]


def test_both_lesions_are_the_two_given_the_procedure() -> None:
    text = ("A/P: 1. ISK L chest, bleeding, 1.2 cm - shave removal. 2. Irritated nevus scalp, 0.6 cm, bleeds on "
            "her comb - shave removal. 3. SKs back, asymptomatic - declined removal.\n"
            "PROCEDURE: Both lesions removed by tangential shave, AlCl3. Path: 1. ISK. 2. intradermal nevus.")
    lesions = read_lesions(text)
    assert [lesion["site"] for lesion in lesions if lesion["procedures"]] == ["chest", "scalp"]


# --- the visit ------------------------------------------------------------------------------------------------------

def test_new_to_the_practice_is_a_new_patient() -> None:
    visit = read_encounter("32F new to our practice for acne. Start doxycycline. MDM low.")["visit"]
    assert visit["category"] == "new"


def test_new_lesion_is_not_a_new_patient() -> None:
    visit = read_encounter("32F est pt, new lesion on back, acne f/u. Start doxycycline. MDM low.")["visit"]
    assert visit["category"] == "established"


# --- pathology and history ------------------------------------------------------------------------------------------

def test_same_in_a_report_is_the_report_just_given() -> None:
    text = ("Punch bx R shin nodule and punch bx L shin nodule, both closed with 4-0 nylon.\n"
            "PATH: R shin - septal panniculitis, c/w erythema nodosum. L shin - same.")
    assert [lesion.get("pathology") for lesion in read_lesions(text)] == ["L52", "L52"]


def test_a_site_of_its_own_report_keeps_it() -> None:
    # the near miss: a report that names its own diagnosis is not "the same"
    text = ("Shave bx R cheek and shave bx L forearm.\n"
            "PATH: R cheek - basal cell carcinoma. L forearm - seborrheic keratosis, same day.")
    assert [lesion.get("pathology") for lesion in read_lesions(text)] == ["bcc", "seborrheic_keratosis"]


def test_a_past_cancer_of_another_site_is_history_when_one_of_its_kind_is_biopsied() -> None:
    text = ("Hx BCC L cheek s/p Mohs 2021. L cheek scar: well healed, no nodularity.\n"
            "R nasal ala 5 mm pearly papule - shave bx.\nPath: basal cell carcinoma, nodular.")
    assert "Z85.828" in _icd(text)


def test_the_cancer_treated_today_is_not_its_own_history() -> None:
    # the near miss: the same kind at the same site is today's cancer
    text = ("BCC R nasal ala, biopsy proven (bx 5/2/26), s/p shave bx. Mohs today, stage 1: 2 blocks, clear.")
    assert "Z85.828" not in _icd(text)


# --- regions with counts; the condition around the lesions ----------------------------------------------------------

_MOLLUSCUM = ("8 yo M, molluscum x4 mo, spreading, itchy w/ surrounding dermatitis.\n"
              "Exam: umbilicated papules - trunk 10, R axilla 6.\n"
              "Procedure: curettage of all 16 lesions, AlCl3.\n"
              "Plan: HC 1% to the dermatitis bid x1 wk.")


def test_a_region_with_its_count_is_a_group_of_lesions() -> None:
    assert _codes(_MOLLUSCUM, "medicaid") == ["17111"]


def test_a_region_without_a_count_names_where_a_condition_is() -> None:
    # the near miss: "trunk" with no count and no procedure is no lesion of its own
    text = "Molluscum contagiosum, trunk, spreading. Curettage of 5 lesions R axilla."
    assert [lesion["site"] for lesion in read_lesions(text)] == ["axilla"]


def test_the_dermatitis_around_the_lesions_is_not_their_diagnosis() -> None:
    assert _icd(_MOLLUSCUM, "medicaid") == ["B08.1"]


# --- a list of sites and counts past a semicolon --------------------------------------------------------------------

_AK_LIST = ("Exam: scalp 9 AKs; forehead 4 and nose 1; dorsal hands 3 (R 2, L 1). "
            "Tx: LN2 to all 17 lesions, 2 FTC.")


def test_a_list_of_sites_and_counts_goes_on_past_the_semicolon() -> None:
    assert _codes(_AK_LIST) == ["17004"]


def test_the_sites_listed_on_take_the_lists_diagnosis() -> None:
    assert {lesion["diagnosis"] for lesion in read_lesions(_AK_LIST)} == {"actinic_keratosis"}


def test_a_clause_after_a_semicolon_with_no_count_is_no_list_item() -> None:
    # the near miss: a site named after a semicolon without a count is not another group of the list
    text = "Exam: scalp 9 AKs; forehead clear. Tx: LN2 to the scalp AKs, 2 FTC."
    assert [lesion["site"] for lesion in read_lesions(text)] == ["scalp"]


def test_a_cancer_treated_in_an_earlier_year_is_history() -> None:
    text = ("Hx NMSC (SCC L dorsal hand 2023 - excision); L hand scar clear. "
            "AKs scalp x3 - LN2.")
    assert "Z85.828" in _icd(text)


def test_a_cancer_whose_treatment_is_still_planned_is_not_history() -> None:
    # the near miss: the year is the biopsy's and the excision is still to come
    assert "Z85.828" not in _icd("Hx SCC L dorsal hand (bx 2023), excision planned next month. AKs scalp x3 - LN2.")


def test_the_first_excisions_margin_is_not_the_re_excisions() -> None:
    text = ("s/p excision SCC L forearm 5/25/26 (1.0 cm lesion, 2 mm margins); deep margin involved.\n"
            "Re-excision today: scar measures 2.4 cm, excised to fascia, simple closure.")
    excision = read_lesions(text)[0]["procedures"][0]
    assert excision["type"] == "excision" and "margin_cm" not in excision
    assert any(gap.field.endswith("margin_cm") for gap in read_note(text, date_of_service=DAY).gaps)


def test_the_re_excisions_own_margin_is_read() -> None:
    text = ("s/p excision SCC L forearm 5/25/26 (1.0 cm lesion, 2 mm margins); deep margin involved.\n"
            "Re-excision today: scar measures 2.4 cm, excised with 4 mm margins, simple closure.")
    assert read_lesions(text)[0]["procedures"][0]["margin_cm"] == 0.4
