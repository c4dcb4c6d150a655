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
