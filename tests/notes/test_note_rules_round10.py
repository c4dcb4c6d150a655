"""Rules of the note language from the misses of blind9 (tests/notes/REVIEW.md, "Round 10").

Each rule has a sentence it must read and one it must not (the planned or historical variant, or a near miss); the
sentences are written here for the tests (fake patients, day of service 2026-06-01), none is a review note.
"""

from __future__ import annotations

from note_rules import diagnoses, lines, read_lesions


def _lines(text: str, payer: str = "medicare") -> list[tuple[str, int, tuple[str, ...]]]:
    return lines(text, payer=payer, age=70, sex="F")


def _codes(text: str, payer: str = "medicare") -> list[str]:
    return [code for code, _, _ in _lines(text, payer)]


def _icd(text: str, payer: str = "medicare") -> list[str]:
    return diagnoses(text, payer=payer, age=70, sex="F")


# --- forbidden: a procedure chosen today but booked for another day ---------------------------------------------

def test_a_procedure_followed_by_its_booking_is_planned() -> None:
    text = ("# SCC L cheek, 8 mm, biopsy-proven. Discussed options. Pt elects Mohs -> will schedule with Dr. Test.\n"
            "# AK x2 R forearm - LN2 today.")
    assert sorted(_codes(text)) == ["17000", "17003"]


def test_a_procedure_done_today_keeps_its_line_when_a_follow_up_is_booked() -> None:
    text = "R forearm 6 mm pink papule - shave bx performed, will schedule follow-up for results."
    assert _codes(text) == ["11102"]


def test_a_booking_of_another_procedure_leaves_the_first_one_done() -> None:
    text = "L upper back 7 mm irregular macule - punch bx, will schedule excision if atypical."
    assert _codes(text) == ["11104"]


# --- historical: a procedure in a parenthesis right after an earlier date --------------------------------------

def test_a_procedure_in_a_parenthesis_after_an_earlier_date_is_that_days() -> None:
    text = ("Here to discuss biopsy results from 5/14 (punch bx L cheek) - path nodular BCC.\n"
            "L cheek: healing bx site. LN2 to 3 AKs of the R forearm today.")
    codes = _codes(text)
    assert "11104" not in codes and "17000" in codes


def test_a_procedure_in_a_parenthesis_after_todays_date_is_todays() -> None:
    text = "Visit 6/1 (shave bx R forearm 6 mm pink papule), sent to path."
    assert _codes(text) == ["11102"]


# --- the visit: separate from the treatment of the other lesions -----------------------------------------------

def test_an_e_m_written_as_separate_from_the_treatment_is_separately_identifiable() -> None:
    text = ("Est pt. MDM moderate. Long talk about sun protection and skin checks. LN2 to 2 AKs L hand.\n"
            "E/M for counseling separate from AK tx.")
    assert ("99214", 1, ("25",)) in _lines(text)


def test_an_e_m_without_a_separate_statement_is_not_made_separate() -> None:
    text = "Est pt. MDM low. LN2 to 2 AKs L hand; treatment tolerated well."
    assert not any(code.startswith("992") for code in _codes(text))




# --- sites: a landmark measured from, a part left untouched -----------------------------------------------------

def test_a_site_measured_from_is_a_landmark_not_a_lesion() -> None:
    text = ("Exam: 5 mm tan papule L upper cutaneous lip, 3 mm from vermilion. Bleeds when flossing.\n"
            "Shave removal, hemostasis with AlCl. Path: intradermal nevus.")
    assert [lesion["site"] for lesion in read_lesions(text)] == ["lip_upper_cutaneous"]


def test_a_site_named_with_its_own_lesion_is_still_a_site() -> None:
    text = "5 mm pink papule L forearm and 4 mm papule L upper cutaneous lip: shave bx of each, to path."
    assert sorted(lesion["site"] for lesion in read_lesions(text)) == ["forearm", "lip_upper_cutaneous"]


def test_a_part_left_untouched_is_no_lesion() -> None:
    text = "R nasal ala 7 mm BCC - ED&C x3 cycles; alar rim untouched. Path on bx: nodular BCC."
    assert [lesion["site"] for lesion in read_lesions(text)] == ["nose"]


# --- the earlier biopsy's report in a parenthesis -----------------------------------------------------------------

def test_an_earlier_biopsy_report_in_a_parenthesis_keeps_the_lesion_named_before_it() -> None:
    text = ("Dx: SCC in situ, R upper back (shave bx 03/02/2026, path: SCCIS, deep margin involved)\n"
            "Procedure: excision w/ 4 mm margins. Lesion 1.0 cm. Closed in layers, repair length 4.0 cm.\n"
            "Path: SCC in situ, margins clear.")
    assert sorted(_codes(text)) == ["11602", "12032"]


def test_a_report_in_a_parenthesis_with_no_biopsy_is_still_a_report() -> None:
    text = ("1. R upper back - 1.0 cm papule, shave bx, to path.\n"
            "Addendum 6/8/2026: (path: SCC in situ) for the R upper back.")
    assert _icd(text) == ["D04.5"]


# --- Mohs stages written with dot leaders -------------------------------------------------------------------------

def test_mohs_blocks_after_dot_leaders_are_the_stages_blocks() -> None:
    text = ("Mohs surgery, BCC R nasal ala (bx proven 5/01/2026), 1.0 cm. Surgeon and pathologist: Dr. Test.\n"
            "Stage 1 ....... 6 blocks ....... positive\nStage 2 ....... 2 blocks ....... clear\n"
            "Defect left to granulate.")
    assert sorted(_lines(text)) == [("17311", 1, ()), ("17312", 1, ()), ("17315", 1, ())]


def test_mohs_stages_without_blocks_count_no_extra_block() -> None:
    text = ("Mohs surgery, BCC R nasal ala (bx proven 5/01/2026), 1.0 cm. Surgeon and pathologist: Dr. Test.\n"
            "Stage 1 ....... positive\nStage 2 ....... clear\nDefect left to granulate.")
    assert "17315" not in _codes(text)


# --- a residual in-situ component after the excision of an invasive tumour ----------------------------------------

def test_residual_in_situ_at_the_scar_keeps_the_invasive_diagnosis() -> None:
    text = ("Dx: invasive melanoma, Breslow 0.4 mm, L upper back - shave bx 5/02/2026.\n"
            "Wide excision: scar 1.0 cm, 1 cm margins. Layered closure, final length 8.0 cm.\n"
            "Path 6/5/26: residual melanoma in situ at the scar; margins clear.")
    assert _icd(text) == ["C43.59"]


def test_an_in_situ_report_without_residual_is_the_diagnosis() -> None:
    text = ("L upper back 1.0 cm irregular macule, suspicious for melanoma - excised w/ 2 mm margins, layered "
            "closure 3.0 cm.\nPath 6/5/26: melanoma in situ, margins clear.")
    assert _icd(text) == ["D03.59"]


# --- a time unit's letter and period end the sentence --------------------------------------------------------------

def test_a_refusal_after_a_time_unit_does_not_reach_back_into_the_sentence_before() -> None:
    text = ("Common warts R index finger x3. Cantharidin applied to 3 warts, occluded, wash off in 6 h. "
            "Mother declined treatment of the L thumb wart today.")
    assert _codes(text, payer="commercial") == ["17110"]


def test_a_refusal_in_the_same_sentence_still_negates() -> None:
    text = "Common warts R index finger x3: cantharidin declined by mother, duct tape advised."
    assert _codes(text, payer="commercial") == []


# --- "came back": a verb's back is no site -------------------------------------------------------------------------

def test_a_report_that_came_back_names_no_back_lesion() -> None:
    text = ("here for excision of the bcc on the left forearm biopsied last month which came back nodular bcc, "
            "lesion 8 mm, excised with 3 mm margins, layered closure 2.5 cm.")
    assert [lesion["site"] for lesion in read_lesions(text)] == ["forearm"]


def test_a_lesion_on_the_back_is_still_on_the_back() -> None:
    text = "6 mm pink papule on the back, came in for it today: shave bx, to path."
    assert [lesion["site"] for lesion in read_lesions(text)] == ["back_upper"]


# --- the visit's level from the elements of its decision making --------------------------------------------------

def test_progressing_chronic_illness_and_prescription_management_make_a_moderate_visit() -> None:
    text = ("Established patient, f/u rosacea, flaring. Start doxycycline 40 mg daily. LN2 to 2 AKs L temple.\n"
            "MDM: chronic illness with exacerbation, prescription drug management.")
    assert ("99214", 1, ("25",)) in _lines(text)


def test_one_element_alone_sets_no_level() -> None:
    # one element at moderate is not a moderate visit; (round 13) the rest of the decision making documented, a
    # stable chronic illness, makes it low
    text = ("Established patient, f/u rosacea, stable. Continue metronidazole gel. LN2 to 2 AKs L temple.\n"
            "MDM: prescription drug management.")
    assert [code for code in _codes(text) if code.startswith("992")] == ["99213"]


# --- a skin cancer referred to another surgeon is the visit's problem ---------------------------------------------

def test_a_cancer_referred_elsewhere_is_the_visits_diagnosis() -> None:
    text = ("Est pt, here for path results. MDM moderate.\n"
            "1. Invasive melanoma L upper arm, Breslow 0.8 mm - reviewed path; referred to surgical oncology for "
            "WLE + SLNB, appt next week.")
    assert _icd(text) == ["C43.62"]


def test_a_cancer_written_as_history_is_not_the_visits_diagnosis() -> None:
    text = ("Est pt, surveillance visit. MDM low.\n"
            "1. Hx melanoma L upper arm s/p WLE 2019, referred back to us by surgical oncology. NED.")
    assert "C43.62" not in _icd(text)


# --- a wart of the sole is a plantar wart -------------------------------------------------------------------------

def test_a_wart_on_the_sole_is_a_plantar_wart() -> None:
    text = "Verrucae x2 R heel, painful when walking: pared, then LN2 2 FTC each."
    assert _icd(text, payer="commercial") == ["B07.0"]


def test_a_wart_of_the_hand_stays_a_common_wart() -> None:
    text = "Verrucae x2 R dorsal hand, painful, spreading: LN2 2 FTC each."
    assert _icd(text, payer="commercial") == ["B07.8"]
