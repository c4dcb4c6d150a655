"""Rules of the note language from blind4's forbidden codes (tests/notes/REVIEW.md, "Round 5").

Each rule has a sentence it must read and one it must not; the sentences are written here for the tests (fake
patients), none is a review note.
"""

from __future__ import annotations

from note_rules import DAY, lines

from dermbill.notes import code_note


def _codes(text: str) -> list[str]:
    return [code for code, _, _ in lines(text, payer="commercial", age=50, sex="M")]


def test_a_procedure_the_patient_may_want_another_day_is_not_coded() -> None:
    text = ("Shave removal of a 4 mm irritated nevus, R cheek, flush; hemostasis with AlCl.\n"
            "Also an SK on the L upper back, benign. He may want cryo at a future visit.")
    assert "17110" not in _codes(text)


def test_cryo_done_today_on_an_sk_is_coded() -> None:
    text = "Irritated SK on the L upper back, itching and catching on clothing. Cryo performed today, 2 cycles."
    assert _codes(text) == ["17110"]


def test_a_repair_planned_with_another_surgeon_is_not_coded() -> None:
    text = ("Mohs, BCC R lower eyelid (bx proven). Stage 1: 2 blocks, clear. Defect 1.0 x 0.8 cm. "
            "Sent to oculoplastics for repair - planned advancement flap, to be billed by oculoplastics.")
    assert _codes(text) == ["17311"]


def test_a_flap_done_today_after_mohs_is_coded() -> None:
    text = ("Mohs, BCC R lower eyelid (bx proven). Stage 1: 2 blocks, clear. Defect 1.0 x 0.8 cm. "
            "Repaired with an advancement flap, 3 sq cm.")
    assert "14060" in _codes(text)


def test_a_digit_left_alone_gets_no_avulsion() -> None:
    text = ("Partial nail avulsion, L hallux lateral border, under digital block.\n"
            "R great toe mildly incurvated - conservative care only, no procedure.")
    result = code_note(text, date_of_service=DAY, payer="commercial", age=30, sex="F")
    assert result.reading.encounter["services"][0]["digits"] == ["left_great_toe"]


def test_hallux_is_the_great_toe() -> None:
    result = code_note("Partial avulsion of the R hallux nail, medial border.", date_of_service=DAY,
                       payer="commercial", age=30, sex="F")
    assert result.reading.encounter["services"][0]["digits"] == ["right_great_toe"]
