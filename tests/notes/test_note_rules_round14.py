"""Rules of the note language from blind17's misses (tests/notes/REVIEW.md, "Round 14").

Each rule has a sentence it must read and one it must not; the sentences are written here for the tests (fake
patients, day of service 2026-06-01), none is a review note.
"""

from __future__ import annotations

from note_rules import lines


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
