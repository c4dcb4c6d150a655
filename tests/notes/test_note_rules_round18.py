"""Rules of the note language from blind23's forbidden code (tests/notes/REVIEW.md, "Round 18").

Each rule has a sentence it must read and one it must not; the sentences are written here for the tests (fake
patients, day of service 2026-06-01), none is a review note.
"""

from __future__ import annotations

from note_rules import lines


def _codes(text: str) -> list[str]:
    return [code for code, _, _ in lines(text, payer="medicare", age=75, sex="M")]


# --- a procedure named as a point in time is the one booked for another day ----------------------------------------

_CONSULT = ("Mohs consult. 75M with biopsy-proven BCC of the L nasal sidewall. Exam: 6 mm pink papule with bx scar.\n"
            "Options reviewed: Mohs, excision, radiation; pt will proceed with Mohs, to be scheduled next month.\n"
            "Scalp AKs: imiquimod cream to start {when} the Mohs.\n")


def test_a_procedure_named_as_a_point_in_time_of_a_plan_is_not_done_today() -> None:
    for when in ("after", "before", "until after"):
        codes = _codes(_CONSULT.format(when=when))
        assert not {"17311", "17312"} & set(codes), (when, codes)


def test_a_procedure_done_today_and_named_as_a_point_in_time_is_done() -> None:
    text = ("Mohs surgery today for BCC of the L nasal sidewall, 0.9 cm. Stage I: 2 blocks, clear. "
            "After the Mohs, the defect was left to heal by second intention.")
    assert "17311" in _codes(text)


def test_a_biopsy_named_only_as_a_point_in_time_is_done() -> None:
    text = ("New 7 mm pink papule of the R forearm, r/o BCC. After the shave biopsy, hemostasis was obtained with "
            "aluminum chloride and a bandage applied.")
    assert "11102" in _codes(text)


# --- a side the plan leaves alone has no avulsed digit ----------------------------------------------------------------

_TOES = ("Painful ingrown nail for a month. Exam: R great toe medial fold swollen with granulation tissue. "
         "L great toe with slight incurvation, no redness.\n"
         "Procedure: digital block with 1% lidocaine plain. The medial nail border was freed and avulsed; "
         "granulation tissue curetted.\n")


def test_the_other_side_left_to_conservative_care_is_not_avulsed() -> None:
    codes = [(code, modifiers) for code, _, modifiers in lines(_TOES + "L toe: conservative care, trim straight "
                                                               "across.\n", payer="commercial", age=30, sex="F")]
    assert codes == [("11730", ("T5",))], codes


def test_two_toes_with_no_side_left_alone_are_both_avulsed() -> None:
    text = _TOES.replace("The medial nail border was", "R great toe and L great toe: the medial nail borders were")
    assert "11732" in [code for code, _, _ in lines(text + "F/u 2 wk.\n", payer="commercial", age=30, sex="F")]
