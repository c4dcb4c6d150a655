"""Rules of the note language from the misses of blind10 (tests/notes/REVIEW.md, "Round 11").

Each rule has a sentence it must read and one it must not (the planned or historical variant, or a near miss); the
sentences are written here for the tests (fake patients, day of service 2026-06-01), none is a review note.
"""

from __future__ import annotations

from note_rules import diagnoses, lines


def _lines(text: str, payer: str = "medicare") -> list[tuple[str, int, tuple[str, ...]]]:
    return lines(text, payer=payer, age=70, sex="F")


def _codes(text: str, payer: str = "medicare") -> list[str]:
    return [code for code, _, _ in _lines(text, payer)]


def _icd(text: str, payer: str = "medicare") -> list[str]:
    return diagnoses(text, payer=payer, age=70, sex="F")


# --- the visit: a range of two decision-making levels -----------------------------------------------------------

def test_a_range_of_two_mdm_levels_takes_the_lower() -> None:
    text = ("Est pt. Hand eczema flaring, start clobetasol. Low to moderate MDM, separately identifiable.\n"
            "LN2 to 2 AKs R forearm.")
    assert "99213" in _codes(text)


def test_a_single_moderate_mdm_keeps_its_level() -> None:
    text = ("Est pt. Hand eczema flaring, start clobetasol. Moderate MDM, separately identifiable.\n"
            "LN2 to 2 AKs R forearm.")
    assert "99214" in _codes(text)


# --- a lesion left untreated today under a procedure heading -----------------------------------------------------

def test_a_lesion_not_treated_today_takes_none_of_the_headings_procedures() -> None:
    text = ("MOHS SURGERY\nSite: L temple. Dx: SCC, biopsy-proven. Pre-op 0.8 cm.\nStage 1: 2 blocks, clear.\n"
            "Also: biopsy-proven BCC R upper arm (0.7 cm), will excise in 3 weeks. Not treated today.")
    codes = _codes(text)
    assert codes == ["17311"]
    assert not any(code.startswith("C44.6") for code in _icd(text))


def test_a_second_lesion_under_the_heading_with_its_own_stage_keeps_the_heading() -> None:
    text = ("MOHS SURGERY\nSite: L temple. Dx: SCC, biopsy-proven. Pre-op 0.8 cm.\nStage 1: 2 blocks, clear.\n"
            "Site: R upper arm. Dx: BCC, biopsy-proven. Pre-op 0.7 cm.\nStage 1: 1 block, clear.")
    assert sorted(_codes(text)) == ["17311", "17313"]


# --- a procedure for weeks from now, written approximately -------------------------------------------------------

def test_a_procedure_in_an_approximate_number_of_weeks_is_planned() -> None:
    text = ("L upper back 2 cm fluctuant tender nodule. I&D, simple, pus expressed.\n"
            "Plan excision of the cyst in ~4-6 wks.")
    assert _codes(text) == ["10060"]


def test_a_procedure_weeks_after_another_day_is_not_planned_by_the_interval() -> None:
    text = "L upper back 2 cm pink papule, new in the last 6 weeks. Shave bx performed."
    assert _codes(text) == ["11102"]


# --- a cyst with an abscess, drained ----------------------------------------------------------------------------

def test_a_drained_cyst_with_an_abscess_is_the_abscess() -> None:
    text = ("L upper back 2 cm fluctuant tender nodule. I&D, simple, pus expressed.\n"
            "A: Ruptured epidermoid cyst with abscess.")
    assert _icd(text) == ["L02.212"]


def test_a_drained_cyst_without_an_abscess_stays_the_cyst() -> None:
    text = ("L upper back 2 cm inflamed tender nodule, no abscess. I&D, simple, cheesy material expressed.\n"
            "A: Inflamed epidermoid cyst.")
    assert _icd(text) == ["L72.0"]


# --- a photosensitizer named to be set aside ---------------------------------------------------------------------

def test_a_photosensitizer_set_aside_is_not_the_one_applied() -> None:
    text = ("PDT for AKs of the face. Levulan Kerastick applied by the MA (not Ameluz, not covered). Incubated 1 h, "
            "blue light by the MA.")
    assert sorted(_codes(text)) == ["96567", "J7308"]


def test_a_photosensitizer_named_alone_is_the_one_applied() -> None:
    text = "PDT for AKs of the face. Ameluz 2 g applied by the MA. Incubated 1 h, red light by the MA."
    codes = _codes(text)
    assert "J7345" in codes and "J7308" not in codes


# --- loculations denied after the word ---------------------------------------------------------------------------

def test_loculations_denied_after_the_word_leave_a_simple_drainage() -> None:
    text = "R axilla 2 cm fluctuant abscess. I&D: stab incision, pus expressed, loculations not present, no packing."
    assert _codes(text) == ["10060"]


def test_loculations_broken_up_make_a_complicated_drainage() -> None:
    text = "R axilla 2 cm fluctuant abscess. I&D: stab incision, pus expressed, loculations present and broken up."
    assert _codes(text) == ["10061"]
