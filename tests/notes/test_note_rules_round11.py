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
