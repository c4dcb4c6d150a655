"""Rules of the note language from the misses of blind7 (tests/notes/REVIEW.md, "Round 8").

Each rule has a sentence it must read and one it must not (the historical, planned or other-procedure variant, or
a near miss); the sentences are written here for the tests (fake patients, day of service 2026-06-01), none is a
review note.
"""

from __future__ import annotations

from note_rules import diagnoses, lines, read_encounter, read_lesions


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
