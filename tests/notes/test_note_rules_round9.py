"""Rules of the note language from the misses of blind8 (tests/notes/REVIEW.md, "Round 9").

Each rule has a sentence it must read and one it must not (the historical, planned or other-procedure variant, or
a near miss); the sentences are written here for the tests (fake patients, day of service 2026-06-01), none is a
review note.
"""

from __future__ import annotations

from note_rules import diagnoses, lines, read_lesions


def _lines(text: str, payer: str = "medicare") -> list[tuple[str, int, tuple[str, ...]]]:
    return lines(text, payer=payer, age=70, sex="F")


def _codes(text: str, payer: str = "medicare") -> list[str]:
    return [code for code, _, _ in _lines(text, payer)]


def _icd(text: str, payer: str = "medicare") -> list[str]:
    return diagnoses(text, payer=payer, age=70, sex="F")


def _sites(text: str) -> list[str]:
    return sorted(lesion["site"] for lesion in read_lesions(text))


# --- forbidden: procedures of another day, or only waited for ---------------------------------------------------

def test_a_passage_copied_from_an_earlier_note_is_history() -> None:
    text = ("Interval note (carried forward from 03/02/2026 visit):\n"
            "LN2 to 4 AKs of the scalp, 2 FTC. RTC 3 mo.\n\n"
            "Today: R forearm 5 mm pink papule - shave bx, to path.")
    assert _codes(text) == ["11102"]


def test_a_note_copied_to_another_provider_is_still_todays() -> None:
    assert _codes("LN2 to 3 AKs R dorsal forearm. Note copied to PCP.") == ["17000", "17003"]


def test_a_procedure_the_patient_awaits_is_not_done() -> None:
    text = "SCC L temple - awaiting Mohs. AKs x2 L dorsal hand - LN2."
    assert _codes(text) == ["17000", "17003"]


def test_a_pathology_awaited_does_not_plan_todays_procedure() -> None:
    assert _codes("R cheek 5 mm papule: shave bx today, path pending.") == ["11102"]


def test_a_procedure_appointment_is_no_procedure() -> None:
    text = "BCC R nasal tip: keep Mohs appt with Dr. Lee on 6/20. AKs x2 forehead - LN2."
    assert _codes(text) == ["17000", "17003"]


def test_mohs_today_is_still_coded() -> None:
    assert "17311" in _codes("Mohs today, BCC R nasal tip. Stage I: 2 blocks, clear.")


def test_a_heading_naming_aks_gives_its_freezing_to_no_lesion_of_another_diagnosis() -> None:
    text = ("S: here for LN2 to AKs.\n"
            "O: Scalp: 4 gritty AKs. R cheek 6 mm pearly papule.\n"
            "A:\n1) AKs x4 scalp\n2) BCC R cheek, biopsy proven - awaiting Mohs\n"
            "P:\n1) LN2 to the AKs, 2 FTC.")
    assert _codes(text) == ["17000", "17003"]
    assert _icd(text) == ["L57.0"]


def test_a_heading_gives_its_procedure_to_lesions_of_no_other_diagnosis() -> None:
    text = "Procedure: LN2 to AKs.\nScalp x3, L temple x2."
    assert _lines(text) == [("17000", 1, ()), ("17003", 4, ())]


# --- incision and drainage ------------------------------------------------------------------------------------

def test_a_procedure_gone_ahead_with_after_risk_talk_is_done() -> None:
    text = ("2 cm fluctuant abscess on the R upper back; after discussing risks including scarring and recurrence "
            "we went ahead with incision and drainage, pus expressed.")
    assert _codes(text, "commercial") == ["10060"]


def test_risk_talk_about_a_procedure_not_done_codes_nothing() -> None:
    text = ("2 cm fluctuant abscess on the R upper back. Risks of incision and drainage including scarring were "
            "discussed; pt will try warm compresses first.")
    assert "10060" not in _codes(text, "commercial")


def test_an_incision_that_lets_out_pus_is_an_incision_and_drainage() -> None:
    text = "2 cm fluctuant abscess L axilla. Stab incision with 11 blade, purulent material expressed, packed."
    assert _codes(text, "commercial") == ["10060"]


def test_an_incision_of_an_excision_is_no_drainage() -> None:
    text = ("Epidermoid cyst R upper back, 1.0 cm. Elliptical incision with 2 mm margins, cyst removed intact, "
            "layered closure 3.0 cm.")
    assert "10060" not in _codes(text, "commercial")
    assert "10061" not in _codes(text, "commercial")


# --- lesions and their counts ---------------------------------------------------------------------------------

def test_a_count_written_before_a_site_opens_a_group_of_lesions() -> None:
    text = "12 yo w/ common warts. 4 on the R dorsal hand, 3 on the L knee. All 7 treated with LN2, 2 FTC."
    assert _codes(text, "commercial") == ["17110"]
    assert sorted(lesion.get("count", 1) for lesion in read_lesions(text)) == [3, 4]


def test_a_size_before_a_site_is_no_count() -> None:
    assert [lesion.get("count", 1) for lesion in read_lesions("Wart 5 mm on the R knee - LN2.")] == [1]


def test_a_count_before_a_site_goes_on_a_list_past_a_semicolon() -> None:
    text = ("Exam: 10 umbilicated papules on chest/abdomen; 5 in the R axilla.\nDx: molluscum contagiosum.\n"
            "Curettage of all 15 lesions.")
    assert _codes(text, "commercial") == ["17111"]
    assert _icd(text, "commercial") == ["B08.1"]


def test_a_site_said_to_be_clear_after_a_semicolon_is_no_lesion() -> None:
    text = "Exam: 10 umbilicated papules on chest; R axilla clear.\nDx: molluscum contagiosum.\nCurettage of all 10."
    assert _codes(text, "commercial") == ["17110"]
    assert "axilla" not in _sites(text)


def test_each_lesion_of_a_lettered_list_takes_the_procedure() -> None:
    text = ("(a) BCC, L upper back, 1.2 cm pink plaque\n(b) BCC, R shoulder, 0.8 cm papule\n"
            "Each lesion treated with ED&C x3 cycles.")
    assert _codes(text) == ["17261", "17262"]


def test_a_procedure_of_one_lettered_lesion_is_not_every_lesions() -> None:
    text = "(a) SK L upper back, 6 mm - observe\n(b) BCC R shoulder, 0.8 cm - ED&C x3 cycles."
    assert _codes(text) == ["17261"]


def test_a_side_before_a_diagnosis_holding_its_site_is_a_lesion_of_that_side() -> None:
    text = ("Exam: L sole, under 2nd MT head - 1 cm callus.\n"
            "Tx: R plantar warts x3 - LN2 2 FTC. L sole callus pared with 15 blade.")
    assert _lines(text, "commercial") == [("11055", 1, ()), ("17110", 1, ("XS",))]
    assert _icd(text, "commercial") == ["B07.0", "L84"]


def test_a_diagnosis_holding_its_site_without_a_side_opens_no_second_lesion() -> None:
    assert len(read_lesions("Plantar warts x2 R heel - LN2.")) == 1


def test_a_garment_line_alone_is_the_site() -> None:
    text = "Irritated SKs x4 under bra line, itchy - LN2."
    assert _sites(text) == ["chest"]
    assert _codes(text, "commercial") == ["17110"]


def test_a_garment_line_beside_a_site_only_places_the_lesion() -> None:
    text = "2.0 cm irritated SK on the mid back under bra line, itchy - shave removal."
    assert _sites(text) == ["back_upper"]


def test_a_numbered_item_naming_a_visit_condition_is_not_the_last_lesions() -> None:
    text = ("Exam: R wrist 6 mm irregular pigmented macule. Flexural eczematous plaques.\n"
            "A/P:\n1. Atopic dermatitis - start tacrolimus.\n2. R wrist pigmented lesion - 4 mm punch bx today.")
    assert [lesion["diagnosis"] for lesion in read_lesions(text)] == ["neoplasm_unspecified_behavior"]


def test_a_numbered_item_naming_a_lesion_condition_is_still_the_lesions() -> None:
    text = "O: R forearm 5 mm scaly papule.\nA/P:\n1. AK - LN2, 2 FTC."
    assert _codes(text) == ["17000"]


def test_a_heading_whose_count_the_listed_lesions_spend_heads_no_other() -> None:
    text = ("PROCEDURE NOTE - BIOPSIES x2\nIndication: rash on both shins; also papule R forearm.\n"
            "#1 L shin - 4 mm punch biopsy.\n#2 R forearm - shave biopsy.")
    assert _lines(text) == [("11103", 1, ()), ("11104", 1, ())]
    assert len(read_lesions(text)) == 2


def test_a_heading_with_its_count_still_heads_lesions_of_no_procedure() -> None:
    text = "Shave biopsies x2:\nL forearm 5 mm papule.\nR shin 4 mm papule."
    assert _lines(text) == [("11102", 1, ()), ("11103", 1, ())]


# --- Mohs and repairs -----------------------------------------------------------------------------------------

def test_frozen_sections_named_as_h_and_e_are_no_freezing() -> None:
    text = ("MOHS SURGERY NOTE\nSite: R nasal ala, BCC.\nStage I: 3 blocks, frozen H&E, residual tumor.\n"
            "Stage II: 1 block, clear.")
    assert _lines(text) == [("17311", 1, ()), ("17312", 1, ())]


def test_a_lesion_frozen_is_still_a_destruction() -> None:
    assert _codes("AK R ear frozen with LN2.") == ["17000"]


def test_a_dog_ear_at_a_site_is_part_of_the_repair() -> None:
    text = ("Mohs, BCC L nasal sidewall. Stage 1: 2 blocks, clear. Primary + secondary defect 4.0 sq cm.\n"
            "Advancement flap elevated and advanced, dog-ear at medial cheek removed.")
    assert _codes(text) == ["14060", "17311"]
    assert _sites(text) == ["nose"]


def test_a_lesion_at_the_cheek_is_still_a_lesion() -> None:
    assert _sites("7 mm irritated SK at medial R cheek removed by shave.") == ["cheek"]


def test_a_flap_elected_after_the_risk_that_explains_it_is_done() -> None:
    text = ("Mohs, BCC R nasal ala. Stage I: 2 blocks, clear. Given the risk of alar notching, a bilobed flap was "
            "elected; primary + secondary defect 3.5 sq cm.")
    assert "14060" in _codes(text)


def test_a_flap_talked_about_with_its_risks_is_not_done() -> None:
    text = ("Mohs, BCC R nasal ala. Stage I: 2 blocks, clear. Risks of a bilobed flap including notching were "
            "discussed; healing by second intention chosen.")
    assert "14060" not in _codes(text)


def test_parts_left_untouched_by_a_field_treatment_are_no_lesions() -> None:
    text = "Molluscum on the chest x12.\nCantharidin applied to all 12 lesions (face and genitals spared)."
    assert "forehead" not in _sites(text)
    assert "genitalia" not in _sites(text)


def test_the_face_named_for_lesions_is_a_site() -> None:
    assert _sites("3 AKs on the face - LN2.") == ["forehead"]


# --- sizes and dates ------------------------------------------------------------------------------------------

def test_a_margin_told_beside_a_dated_biopsy_is_todays_excision() -> None:
    text = "SCC R forearm (bx 05/02/26): lesion 1.0 cm, excised with 4 mm margins, simple closure."
    [lesion] = read_lesions(text)
    assert lesion["procedures"][0]["margin_cm"] == 0.4
    assert _codes(text) == ["11602"]


def test_a_margin_told_of_an_earlier_excision_is_not_todays() -> None:
    text = ("s/p excision SCC R forearm 05/02/26 (1.1 cm lesion, 4 mm margins), margin positive. "
            "Re-excision today of the scar, 2.0 cm, full thickness; layered closure 5.0 cm.")
    lesion = read_lesions(text)[0]
    excision = next(p for p in lesion["procedures"] if p["type"] == "excision")
    assert "margin_cm" not in excision


def test_an_earlier_excisions_site_is_the_one_written_before_its_date() -> None:
    text = ("s/p excision BCC L upper arm 05/25/26 (this office), here for wound check and for the rough spots "
            "on her face.\nForehead: 3 AKs - LN2, 2 FTC.")
    assert _lines(text) == [("17000", 1, ("79",)), ("17003", 2, ())]


def test_an_earlier_excision_at_todays_site_is_no_other_procedures_global() -> None:
    text = "s/p excision BCC L forearm 05/25/26, wound check. L forearm: 2 AKs - LN2."
    assert _lines(text) == [("17000", 1, ()), ("17003", 1, ())]


# --- diagnoses ------------------------------------------------------------------------------------------------

def test_scarring_alopecias_by_name() -> None:
    text = "Crown: patch of lost follicular ostia - 4 mm punch bx. Path: central centrifugal cicatricial alopecia."
    assert _icd(text, "commercial") == ["L66.81"]
    text = "Crown: perifollicular scale - 4 mm punch bx. Path: lichen planopilaris, classic pattern."
    assert _icd(text, "commercial") == ["L66.11"]


def test_alopecia_areata_is_no_scarring_alopecia() -> None:
    assert "L63.9" in [d["diagnosis"] for d in read_lesions("Alopecia areata, scalp: ILK 5 mg/mL, 1 mL.")]


def test_numbered_reports_on_one_line_are_each_items() -> None:
    text = ("1) R shin 6 mm firm papule - shave bx.\n2) L forearm 5 mm brown macule - shave bx.\n"
            "Path: (1) dermatofibroma (2) junctional nevus.")
    assert _icd(text, "commercial") == ["D22.62", "D23.71"]


def test_one_numbered_report_is_its_items_only() -> None:
    text = ("1) R shin 6 mm firm papule - shave bx.\n2) L forearm 5 mm brown macule - shave bx.\n"
            "Path: (1) dermatofibroma.")
    lesions = read_lesions(text)
    assert [lesion.get("pathology") for lesion in lesions] == ["dermatofibroma", "pending"]


def test_an_injected_nodule_takes_the_condition_not_the_abscess_drained() -> None:
    text = ("HS, Hurley II. L axilla: 2 inflamed nodules -> ILK 10 mg/mL, 0.3 mL each. "
            "R axilla: 2 cm fluctuant abscess -> I&D, pus expressed.")
    assert _icd(text, "commercial") == ["L02.411", "L73.2"]


def test_an_injected_nodule_beside_an_abscess_alone_is_no_abscess() -> None:
    text = ("L axilla: 2 inflamed nodules -> ILK 10 mg/mL, 0.3 mL each. "
            "R axilla: 2 cm fluctuant abscess -> I&D, pus expressed.")
    nodules = [lesion for lesion in read_lesions(text) if lesion.get("laterality") == "left"]
    assert [lesion["diagnosis"] for lesion in nodules] != ["abscess"]



# --- the visit ------------------------------------------------------------------------------------------------

def test_a_skin_cancer_managed_without_a_procedure_is_the_visits_problem() -> None:
    text = ("Est pt with a biopsy-proven nodular BCC of the R nasal tip.\n"
            "A/P:\n1. BCC R nasal tip - Mohs offered, pt declines surgery; will start imiquimod 5x/wk.\n"
            "2. AKs L dorsal hand x2 - LN2.\nMDM moderate -> 99214.")
    assert _lines(text) == [("17000", 1, ()), ("17003", 1, ()), ("99214", 1, ("25",))]
    assert _icd(text) == ["C44.311", "L57.0"]


def test_a_skin_cancer_treated_years_ago_is_no_problem_managed_today() -> None:
    text = ("Est pt.\nA/P:\n1. Hx melanoma L upper back (WLE 2019) - scar fine; start annual skin checks.\n"
            "2. AKs L dorsal hand x2 - LN2.\nMDM low -> 99213.")
    assert "C43.59" not in _icd(text)
    assert ("99213", 1, ("25",)) not in _lines(text)
