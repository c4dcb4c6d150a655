"""Rules of the note language from blind13's and blind14's misses (tests/notes/REVIEW.md, "Round 13").

Each rule has a sentence it must read and one it must not; the sentences are written here for the tests (fake
patients, day of service 2026-06-01), none is a review note.
"""

from __future__ import annotations

from decimal import Decimal

from note_rules import diagnoses, lines, read_note_gaps

from dermbill.notes.mdm import LOW, MINIMAL, MODERATE, derive_level
from dermbill.notes.measurements import find_measures
from dermbill.notes.vocabulary import find_diagnoses


def _lines(text: str, payer: str = "commercial") -> list[tuple[str, int, tuple[str, ...]]]:
    return lines(text, payer=payer, age=40, sex="F")


def _codes(text: str, payer: str = "commercial") -> list[str]:
    return [code for code, _, _ in _lines(text, payer)]


# --- spelled doses, volumes and strengths --------------------------------------------------------------------------

def test_spelled_strength_and_volume_read_as_numbers() -> None:
    found = [(m.kind, m.value) for m in find_measures(
        "triamcinolone, forty milligrams per milliliter, one and one-half milliliters in total; half a cc more")]
    assert found == [("concentration", Decimal(40)), ("volume", Decimal("1.5")), ("volume", Decimal("0.5"))]


def test_a_spelled_millimeter_is_a_length_not_a_volume() -> None:
    assert [(m.kind, m.value) for m in find_measures("with one millimeter margins")] == [("length", Decimal("0.1"))]
    assert [(m.kind, m.value) for m in find_measures("two and a half centimeters")] == [("length", Decimal("2.5"))]


def test_a_dictated_intralesional_dose_is_billed_in_its_units() -> None:
    text = ("Three keloids of the anterior chest. Verbal consent was obtained. Triamcinolone acetonide, forty "
            "milligrams per milliliter, was injected intralesionally, one and one-half milliliters in total divided "
            "among the three keloids.")
    assert _lines(text) == [("11900", 1, ()), ("J3301", 6, ())]
    assert _lines(text.replace("forty milligrams per milliliter", "ten milligrams per milliliter")) == \
        [("11900", 1, ()), ("J3301", 2, ())]


# --- the visit's level from the decision making documented --------------------------------------------------------

_ROSACEA = ("ESTABLISHED PATIENT VISIT\nCC: rosacea flaring; rough spots on scalp\n"
            "Exam: central facial erythema with papules. Scalp: 4 gritty scaly papules c/w AK.\n"
            "A/P:\n1. Rosacea - flaring, not at goal.\n   - start ivermectin 1% cream qhs\n"
            "2. Actinic keratoses x4 scalp - LN2 to all 4 today, verbal consent.\n")


def test_a_flaring_chronic_illness_managed_with_a_prescription_is_a_moderate_visit() -> None:
    assert _lines(_ROSACEA, "medicare") == [("17000", 1, ()), ("17003", 3, ()), ("99214", 1, ("25",))]
    assert "L71.9" in diagnoses(_ROSACEA, payer="medicare", age=70, sex="F")


def test_the_derived_level_is_named_as_a_gap_for_the_provider_to_confirm() -> None:
    gaps = [gap for gap in read_note_gaps(_ROSACEA) if gap.field == "visit.level"]
    assert gaps and gaps[0].default_used == "4" and "moderate" in gaps[0].message


def test_a_stable_problem_without_a_prescription_is_lower() -> None:
    stable = _ROSACEA.replace("flaring, not at goal", "stable").replace("start ivermectin 1% cream qhs",
                                                                        "gentle skin care, sunscreen")
    assert ("99213", 1, ("25",)) in _lines(stable, "medicare")


def test_a_rash_treated_with_a_prescription_is_a_low_visit() -> None:
    text = ("ESTABLISHED PT\nCC: itchy rash on arms x 3 wk; new bump R cheek.\nExam: coin-shaped eczematous patches "
            "on extensor arms. R cheek: 5 mm pearly papule.\nA/P:\n1. Nummular dermatitis - triamcinolone 0.1% oint "
            "bid x 2 wk.\n2. R cheek lesion, r/o BCC - shave bx today (consent, lido, AlCl3). Path pending.\n")
    assert _lines(text, "medicare") == [("11102", 1, ()), ("99213", 1, ("25",))]


def test_managing_the_condition_the_procedure_treats_is_the_procedures_evaluation() -> None:
    text = ("HS f/u. L axilla: 3 inflamed tender nodules -> ILK Kenalog 10 mg/mL, 0.5 mL into each (15 mg total).\n"
            "A/P: HS - continue clindamycin 1% lotion + chlorhexidine wash.\n")
    assert "99213" not in _codes(text) and "99214" not in _codes(text)
    flare = text.replace("HS - continue", "HS - flaring, not at goal; start doxycycline 100 mg bid; continue")
    assert ("99214", 1, ("25",)) in _lines(flare)


def test_a_cause_named_in_passing_is_not_a_visit_problem() -> None:
    text = ("Keloids - f/u ILK #3. Chest keloids x4 (central chest, old acne) - still itchy. Kenalog 40 mg/mL: 0.2 mL "
            "into each chest keloid = 0.8 mL total (32 mg). Tolerated. RTC 6 wk.")
    assert not [code for code in _codes(text) if code.startswith("992")]


def test_a_cancer_told_as_history_makes_no_visit() -> None:
    text = ("79M, hx multiple NMSC (BCC R ear 2022 - Mohs; SCC L dorsal hand 2023 - excision), here for AK tx. Exam: "
            "scalp 12 AKs. Tx: LN2 cryo to all 12 lesions. Discussed field tx of scalp w/ 5-FU; will decide at f/u.")
    assert _lines(text, "medicare") == [("17000", 1, ()), ("17003", 11, ())]


def test_the_level_is_the_one_two_of_three_elements_meet() -> None:
    text = "1. Psoriasis - not at goal. Clobetasol 0.05% oint bid. Labs ordered: CBC, CMP, hepatitis panel."
    assert derive_level(text, [("psoriasis", 3)]).level == MODERATE
    assert derive_level("1. Psoriasis - stable. Sunscreen.", [("psoriasis", 3)]).level == LOW
    assert derive_level("1. Psoriasis - stable.", [("psoriasis", 3)]).level == MINIMAL


# --- what the blind14 notes taught ---------------------------------------------------------------------------------

def test_a_checked_box_decides_the_visit_category() -> None:
    text = ("Visit type: [x] New  [ ] Established\nA/P:\n1. Plaque psoriasis, not at goal - clobetasol 0.05% oint "
            "bid.\n2. L anterior thigh 7 mm papule - punch bx 4 mm, consent signed.\n")
    assert ("99204", 1, ("25",)) in _lines(text)
    assert ("99214", 1, ("25",)) in _lines(text.replace("[x] New  [ ] Established", "[ ] New  [x] Established"))


def test_a_follow_up_after_a_procedure_is_not_that_procedure() -> None:
    text = ("73M here for LN2 of AKs on ears. Exam: 2 AKs, 1 on L helix and 1 on R helix.\n"
            "Proc: LN2 to both AKs, 2 FTC. Verbal consent.\nF/u after Mohs.")
    assert _lines(text, "medicare") == [("17000", 1, ()), ("17003", 1, ())]


def test_none_of_the_symptoms_is_no_symptom() -> None:
    text = ("73 yo M wants SKs removed from his back. None itch, bleed, or get caught on clothing.\n"
            "Exam: 6 SKs mid back. LN2 to 6 SKs, 1 cycle each.")
    assert _lines(text, "medicare") == []
    assert _lines(text.replace("None itch", "They itch"), "medicare") == [("17110", 1, ())]


def test_the_treatment_counting_one_group_of_a_diagnosis_treats_that_group() -> None:
    text = ("O: Inframammary chest: 3 waxy stuck-on papules with hemorrhagic crust. Mid back: ~8 similar SKs, "
            "asymptomatic.\nA: 1. Irritated seborrheic keratoses x3, chest - bleeding.\n   2. Seborrheic "
            "keratoses, back - asymptomatic.\nP: 1. LN2 to the 3 ISKs, 2 cycles.\n   2. Back lesions: reassured.")
    assert _lines(text, "medicare") == [("17110", 1, ())]
    assert diagnoses(text, payer="medicare", age=70, sex="F") == ["L82.0"]


def test_all_n_lesions_counted_at_several_sites_are_one_treatment() -> None:
    text = ("Exam: umbilicated papules - chest 7, abdomen 5, R axilla 4, L axilla 3.\nAssessment: Molluscum "
            "contagiosum, 19 lesions.\nProcedure: Curettage of all 19 lesions with 3 mm curette.")
    assert _lines(text) == [("17111", 1, ())]
    assert _lines(text.replace("19 lesions", "12 lesions").replace("chest 7, ", "")) == [("17110", 1, ())]


def test_a_report_awaited_ends_no_item() -> None:
    text = ("57 M est.\n1) Nevus R anterior thigh - 1.5 cm papule. Shave bx. Path pending.\n"
            "2) AKs: 14 total - scalp 10, forehead 4 - LN2 x1 cycle each.")
    assert _lines(text, "medicare") == [("11102", 1, ()), ("17000", 1, ("XS",)), ("17003", 13, ())]


def test_an_age_is_no_count() -> None:
    text = "73 yo M wants SKs removed from his back. They itch and bleed.\nExam: 6 SKs mid back. LN2 to 6 SKs."
    assert _lines(text, "medicare") == [("17110", 1, ())]
    assert _lines(text.replace("6 SKs", "16 SKs"), "medicare") == [("17111", 1, ())]


def test_the_extent_of_the_exam_is_not_a_lesion() -> None:
    text = ("66M est pt. Exam limited to back: 9 mm dark brown papule L lower back, ddx SK vs melanoma. Bx to r/o "
            "melanoma - saucerization (shave) bx after consent.")
    assert _lines(text, "medicare") == [("11102", 1, ())]


def test_a_service_treats_its_condition_and_makes_no_visit() -> None:
    text = ("Onychomycosis f/u. Debridement of mycotic nails x6 w/ nippers and rotary burr.\n"
            "Continue ciclopirox 8% lacquer nightly. RTC 3 mo.")
    assert _lines(text) == [("11721", 1, ())]


def test_a_nevus_taken_off_by_shave_and_snip_is_a_shave_removal() -> None:
    text = ("70 M est pt. Pedunculated nevus, R lateral neck, 4 mm, catches on shirt collar, now red and irritated. "
            "Removed by shave/snip at the base, AlCl3. To path.")
    assert _lines(text, "medicare") == [("11305", 1, ())]
    tag = text.replace("Pedunculated nevus", "Skin tag").replace("shave/snip", "snip")
    assert _lines(tag, "medicare") == [("11200", 1, ())]


def test_a_year_closing_the_parenthesis_dates_the_procedures_in_it() -> None:
    text = ("FOLLOW-UP SKIN EXAM\n70 F, hx melanoma L upper back (0.6 mm, WLE + neg SLNB 2019), here for 6-month "
            "full skin exam. Exam: scar without pigment. A/P: Hx melanoma - NED. RTC 6 mo.")
    assert not [code for code in _codes(text, "medicare") if not code.startswith("992")]
    assert "Z85.820" in diagnoses(text, payer="medicare", age=70, sex="F")


def test_a_surveillance_visit_of_a_treated_cancer_takes_its_level_from_the_documentation() -> None:
    text = ("FOLLOW-UP SKIN EXAM\n70 F, hx melanoma L upper back (0.6 mm, WLE 2019), here for 6-month full skin "
            "exam. Exam: scar without pigment. A/P: Hx melanoma - NED. RTC 6 mo.")
    assert _lines(text, "medicare") == [("99212", 1, ())]
    plan_only = ("Assessment/Plan:\n1. Atypical nevus L back, s/p shave bx 2 weeks ago -> schedule re-excision.\n"
                 "2. Hx BCC nose, s/p Mohs 2020 - NED.\nFollow up in 3 months.")
    assert _lines(plan_only, "medicare") == []


def test_a_visit_for_a_drainage_is_the_procedures() -> None:
    text = ("HS pt (Hurley II) w/ flare, here for drainage. R axilla: 2 fluctuant tender abscesses, 2.0 and 1.5 cm. "
            "I&D both: lido, stab incisions, purulent drainage, loculations broken up, packed. Doxy 100 BID x 14d.")
    assert _lines(text) == [("10061", 1, ())]


def test_the_procedure_the_patient_presents_for_today_is_todays() -> None:
    text = ("69 yo M presents today for Mohs micrographic surgery of a biopsy-proven nodular basal cell carcinoma of "
            "the left nasal sidewall, biopsied by his referring dermatologist on December second.\nThe first stage "
            "was divided into four tissue blocks; residual tumor. A second stage of three blocks was clear.\n"
            "Defect 2.0 x 1.8 cm, left to heal by second intention.")
    assert _lines(text, "medicare") == [("17311", 1, ()), ("17312", 1, ())]
    told = text.replace("presents today for", "had").replace("The first stage", "Today, the scar was checked. The "
                                                                                  "first stage")
    assert "17311" not in _codes(told.split("\n")[0], "medicare")


def test_a_surgeons_role_is_no_procedure() -> None:
    text = ("MOHS MICROGRAPHIC SURGERY - OPERATIVE REPORT\nSurgeon / pathologist: self (same physician for excision "
            "and frozen-section interpretation)\nPreoperative diagnosis: squamous cell carcinoma, RIGHT dorsal "
            "forearm\n"
            "Stage I: 6 blocks, SCC at deep margin.\nStage II: 2 blocks, clear.\n")
    assert _lines(text) == [("17313", 1, ()), ("17314", 1, ()), ("17315", 1, ())]


def test_a_fungal_infection_treated_with_a_prescription_is_a_visit_of_its_own() -> None:
    text = ("NEW PATIENT VISIT\nCC: rash groin; changing mole\nASSESSMENT & PLAN:\n# Tinea cruris/corporis, worsened "
            "by topical steroid\nPlan:\n- Ketoconazole 2% cream BID x 4 wks (Rx sent)\n\n# Atypical pigmented lesion "
            "L upper arm, r/o melanoma\nPlan:\n- 6 mm punch bx performed after consent.\n")
    assert _lines(text) == [("11104", 1, ()), ("99203", 1, ("25",))]
    assert {"B35.6", "B35.4"} <= set(diagnoses(text, payer="commercial", age=31, sex="M"))


def test_a_problem_goes_on_under_its_plan_heading() -> None:
    text = ("DERMATOLOGY FOLLOW-UP\nASSESSMENT & PLAN:\n# Plaque psoriasis, worsening (BSA ~6%)\nPlan:\n- Restart "
            "clobetasol 0.05% ointment BID\n\n# Actinic keratoses x6 (forehead 4, nose 2)\nPlan:\n- Cryotherapy w/ "
            "LN2 to all 6 AKs after verbal consent\n")
    assert ("99214", 1, ("25",)) in _lines(text)


def test_a_drug_allergys_reaction_is_no_diagnosis() -> None:
    text = ("PMH: HTN. Meds: amlodipine. Allergies: PCN (hives).\nExam: L thigh 7 mm firm papule. Punch bx 4 mm, "
            "consent signed.")
    assert "L50.9" not in diagnoses(text, payer="commercial", age=52, sex="F")
    assert [d.key for d in find_diagnoses(text)] == ["L50.9"]  # the word is known; the reader sets it aside


def test_the_base_treated_for_hemostasis_is_part_of_the_shave() -> None:
    text = ("63F est. O: 5 mm friable red pedunculated papule, R nasal sidewall, c/w pyogenic granuloma.\nProc: shave "
            "removal at base, then light curettage + electrodesiccation of base for hemostasis. To path.")
    assert _lines(text, "medicare") == [("11310", 1, ())]


def test_a_session_total_written_after_the_dose_is_billed() -> None:
    text = ("Keloids presternal chest x2. Proc: ILK - Kenalog 40 mg/mL, 0.5 mL into each keloid = 40 mg total.")
    assert ("J3301", 4, ()) in _lines(text)


def test_a_column_of_sites_with_counts_is_one_treated_group() -> None:
    text = ("Dx: Molluscum contagiosum\nSites / counts:\nR axilla: 6\nR flank: 5\nL inner thigh: 5\nTotal: 16\n"
            "Procedure: curettage\n")
    assert _lines(text) == [("17111", 1, ())]
    tags = ("Removal of skin tags (acrochordons)\nLocation / count:\n  - Neck (anterior/lateral): 11\n  - L axilla: 4\n"
            "  - R axilla: 3\nMethod: snip excision w/ iris scissors\n")
    assert _lines(tags) == [("11200", 1, ()), ("11201", 1, ())]


def test_a_table_of_sites_and_counts_reads_as_its_rows() -> None:
    text = ("Dx: Molluscum contagiosum\n| Site | Count |\n|------|-------|\n| R axilla | 6 |\n| R flank | 5 |\n"
            "| L inner thigh | 5 |\nProcedure: curettage\n")
    assert _lines(text) == [("17111", 1, ())]
    mohs = ("Mohs micrographic surgery, SCC R dorsal forearm.\n| Stage | Blocks | Findings |\n|---|---|---|\n"
            "| I | 6 | SCC at deep margin |\n| II | 2 | Clear |\n")
    assert _lines(mohs) == [("17313", 1, ()), ("17314", 1, ()), ("17315", 1, ())]


def test_a_negation_ends_with_its_line_however_indented() -> None:
    text = ("FOLLOW-UP VISIT\nNew problem: itchy rash L wrist\n  Exam: L wrist eczematous plaque; no secondary "
            "infection\n  Assessment: allergic contact dermatitis to metal (nickel), acute\n  Plan: OTC hydrocortisone "
            "1% cream BID\n")
    assert _lines(text) == [("99213", 1, ())]
    assert diagnoses(text, payer="commercial", age=45, sex="F") == ["L23.0"]


def test_a_checked_new_problem_is_no_new_patient() -> None:
    text = ("Visit type: [x] post-op check   [x] new problem\nEst pt.\nAssessment: allergic contact dermatitis to "
            "nickel\nPlan: OTC hydrocortisone 1% cream BID\n")
    assert [code for code in _codes(text) if code.startswith("992")] == ["99213"]


def test_the_next_visits_line_plans_what_it_names() -> None:
    text = ("Est pt. L forearm 6 mm pink papule, r/o BCC: shave bx today after consent.\nF/U: path 1-2 wk; flap - 3 mo "
            "scar check\n")
    assert _codes(text) == ["11102"]


def test_number_n_in_a_dictation_is_an_item_not_a_count() -> None:
    text = ("Number one is a six millimeter pink papule on the right forearm, a four millimeter punch biopsy was "
            "taken. Number two is a one centimeter waxy papule on the central chest, sampled with a tangential shave "
            "biopsy. Addendum: pathology for number one report pending, number two irritated seborrheic keratosis.")
    assert sorted(_lines(text)) == [("11103", 1, ()), ("11104", 1, ())]


def test_the_legs_a_patient_shaves_are_no_site() -> None:
    text = ("A five millimeter brown nevus on the right calf that gets caught and bleeds when he shaves his legs, "
            "excised with one millimeter margins and closed in layers for a two centimeter repair. Pathology: benign "
            "compound nevus.")
    assert sorted(_lines(text)) == [("11401", 1, ()), ("12031", 1, ())]


def test_a_rim_of_skin_is_the_margin() -> None:
    text = ("3 cm pilar cyst posterior vertex scalp: fusiform excision including a one millimeter rim of skin on each "
            "side, layered closure 4 cm. Pathology: trichilemmal cyst.")
    assert ("11424", 1, ()) in _lines(text)


def test_each_report_is_of_the_site_named_before_it() -> None:
    text = ("Two excisions today. First, a BCC on the left posterior shoulder, 0.9 cm, excised with 4 mm margins. "
            "Second, a 5 mm nevus on the right calf, bleeding, excised with 1 mm margins. Final pathology, left "
            "shoulder basal cell carcinoma with clear margins, right calf benign compound melanocytic nevus.")
    assert sorted(_codes(text, "medicare")) == ["11401", "11602"]


def test_the_cancers_a_patient_returns_for_today_are_todays() -> None:
    text = ("Mister C returns today for treatment of two biopsy-proven superficial basal cell carcinomas, his biopsies "
            "were done in this clinic on March fourth, the first on the left upper arm and the second on the right mid "
            "back. The left upper arm lesion measured one point one centimeters and the right mid back lesion measured "
            "eight millimeters; each was curetted and electrodesiccated for three cycles.")
    assert sorted(_lines(text, "medicare")) == [("17261", 1, ()), ("17262", 1, ())]
    told = text.replace("returns today for treatment of", "had")
    assert "17262" not in _codes(told.split(".")[0] + ".", "medicare")


def test_a_treatment_of_aks_is_not_the_cancer_spoken_of_before() -> None:
    text = ("78M w/ hx SCC R dorsal hand, s/p ED&C 01/12/26.\nInterval: ED&C site R hand healed, no recurrence. Here "
            "today for scheduled LN2 to AKs.\nExam: AKs: scalp 7, forehead 4, L temple 2, R cheek 3.\n"
            "P: LN2 to all 16 AKs, 1-2 FTC.")
    assert _lines(text, "medicare") == [("17004", 1, ())]


def test_abd_is_the_abdomen() -> None:
    text = "Curettage of 15 molluscum (abd x8, R thigh x4, L flank x3), pressure for hemostasis."
    assert _lines(text) == [("17111", 1, ())]
