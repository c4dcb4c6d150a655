"""Training modules generated from a release's changes: every question and answer comes from a change."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money
from dermbill.core.releases import (
    Change,
    CodeAdded,
    CodeDeleted,
    CodeRevised,
    MueAdded,
    MueChanged,
    MueRemoved,
    PtpIndicatorChanged,
    PtpPairAdded,
    PtpPairDeleted,
    RvuChanged,
)
from dermbill.core.training.release import (
    NO_LIMIT,
    ReleaseModule,
    grade_release_module,
    questions_for,
    release_modules,
)


def rvu_change(old_days: str = "010", new_days: str = "010", fee: int = 0) -> RvuChanged:
    return RvuChanged("11200", "", Decimal("2.10"), Decimal("2.10"), old_days, new_days, Decimal("32.3465"),
                      Decimal("32.3465"), Money(fee), 0, Money(0))


def the_module(modules: list[ReleaseModule], audience: str) -> ReleaseModule:
    [found] = [m for m in modules if m.audience == audience]
    return found


def asked(change: Change, *, billers: bool = False) -> list[tuple[str, str]]:
    return [(q.prompt, q.answer) for q in questions_for(change, "2026q4", billers=billers)]


def test_a_deleted_edit_asks_whether_the_pair_may_now_be_billed_without_a_modifier_and_the_answer_is_yes() -> None:
    assert asked(PtpPairDeleted("11400", "11102", "1")) == [(
        "From 2026q4, may 11400 and 11102 be billed for the same patient on the same day without a modifier?", "Yes")]


def test_an_added_edit_is_the_same_question_answered_no() -> None:
    [(prompt, answer)] = asked(PtpPairAdded("17311", "17000", "0"))
    assert "17311 and 17000" in prompt and answer == "No"


@pytest.mark.parametrize(("indicator", "answer"), [("1", "Yes"), ("0", "No"), ("9", "Yes")])
def test_an_indicator_change_asks_whether_a_modifier_lets_the_pair_through(indicator: str, answer: str) -> None:
    [(prompt, given)] = asked(PtpIndicatorChanged("11104", "11102", "0" if indicator != "0" else "1", indicator))
    assert "59 or XS" in prompt and given == answer


def test_unit_limit_questions_answer_with_the_new_release_value() -> None:
    [changed] = questions_for(MueChanged("17003", 13, 12, "2", "2"), "2026q4", billers=False)
    assert changed.answer == "12" and changed.choices == ("12", "13", NO_LIMIT)
    assert asked(MueAdded("J7345", 3, "3"))[0][1] == "3"
    assert asked(MueRemoved("96567", 1))[0][1] == NO_LIMIT
    [(prompt, per)] = asked(MueChanged("11102", 1, 1, "2", "1"))
    assert "per claim line or per date of service" in prompt and per == "per claim line"


def test_a_global_days_change_is_asked_of_both_groups_and_the_fee_only_of_billers() -> None:
    both = rvu_change("010", "000", fee=-52)
    assert asked(both) == [("From 2026q4, how long is the global period of 11200?", "0 days")]
    assert [a for _, a in asked(both, billers=True)] == ["0 days", "Down"]
    assert asked(rvu_change(fee=323)) == []  # a fee change alone is not the coder's
    assert asked(rvu_change(fee=323), billers=True)[0][1] == "Up"


def test_code_set_changes_ask_whether_the_code_may_be_used() -> None:
    assert asked(CodeDeleted("ICD-10-CM", "L57.0", "Actinic keratosis", ("L57.00",)))[0][1] == "No"
    assert asked(CodeAdded("ICD-10-CM", "L57.00", "AK, face"))[0][1] == "Yes"
    assert asked(CodeRevised("ICD-10-CM", "C44.311", "BCC of nose", "Basal cell carcinoma of nose"))[0][1] == "Yes"


def test_each_question_explains_itself_with_the_change_it_was_made_from() -> None:
    changes: list[Change] = [PtpPairDeleted("11400", "11102", "1"), MueChanged("17003", 13, 12, "2", "2"),
                             rvu_change("010", "000", fee=-52)]
    for module in release_modules(changes, "2026q3", "2026q4"):
        assert {q.explanation for q in module.questions} <= {c.describe() for c in changes}
        assert all(q.answer in q.choices for q in module.questions)


def test_the_coders_module_and_the_front_desk_and_billers_module_hear_their_own_changes() -> None:
    changes: list[Change] = [
        PtpPairDeleted("11400", "11102", "1"),  # coders and billers
        rvu_change(fee=323),  # billers only
        CodeDeleted("ICD-10-CM", "L57.0", "Actinic keratosis"),  # coders, front desk and billers
    ]
    modules = release_modules(changes, "2026q3", "2026q4")
    coders, desk = the_module(modules, "coders"), the_module(modules, "front desk and billers")
    assert [q.change for q in coders.questions] == ["ptp_pair_deleted", "code_deleted"]
    assert [q.change for q in desk.questions] == ["ptp_pair_deleted", "rvu_changed", "code_deleted"]
    assert coders.key == "release-2026q3-2026q4-coders" and coders.roles == ("coder",)
    assert set(desk.roles) == {"front_desk", "biller"}
    assert "from 2026q3 to 2026q4" in coders.lesson[0] and "2 changes" in coders.lesson[0]


def test_no_change_no_module() -> None:
    assert release_modules([], "2026q3", "2026q4") == []
    assert [m.audience for m in release_modules([rvu_change(fee=5)], "2026q3", "2026q4")] == [
        "front desk and billers"]


def test_a_module_is_short_and_asks_of_every_kind_of_change_before_a_second_of_one_kind() -> None:
    many: list[Change] = [CodeAdded("ICD-10-CM", f"L98.{n}", "new") for n in range(30)]
    many += [PtpPairDeleted("11400", "11102", "1"), MueChanged("17003", 13, 12, "2", "2")]
    coders = the_module(release_modules(many, "2026q3", "2026q4", limit=5), "coders")
    kinds = [q.change for q in coders.questions]
    assert len(kinds) == 5 and kinds.count("ptp_pair_deleted") == 1 and kinds.count("mue_changed") == 1
    assert "5 of them asked here" in coders.lesson[0]


def test_grading_counts_right_answers_and_refuses_a_choice_the_question_does_not_offer() -> None:
    changes: list[Change] = [PtpPairDeleted("11400", "11102", "1"), PtpPairAdded("17311", "17000", "0")]
    coders = the_module(release_modules(changes, "2026q3", "2026q4"), "coders")
    assert grade_release_module(coders, {1: "No", 2: "yes"}).score == 0  # deleted first: yes; added: no
    grade = grade_release_module(coders, {1: "Yes"})
    assert (grade.score, grade.right) == (50, (True, False))
    assert grade_release_module(coders, {1: "yes", 2: "No"}).score == 100
    with pytest.raises(InvalidInput, match="question 2: 'Maybe' is not one of its choices"):
        grade_release_module(coders, {2: "Maybe"})
