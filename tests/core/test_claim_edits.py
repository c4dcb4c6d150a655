"""Line edits are checked whole: every problem named with its line and field, nothing applied when one fails."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dermbill.core.claim_edits import LineChange, LineValues, check_correctable, check_editable, edited_line
from dermbill.core.claims import ClaimStatus
from dermbill.core.errors import InvalidFields, InvalidTransition
from dermbill.core.money import Money

LINE = LineValues("11102", (), 1, (1,), Money(15000))


def problems(change: LineChange, *, diagnoses: int = 2, fixed_by: str | None = None) -> list[tuple[str, str]]:
    with pytest.raises(InvalidFields) as refused:
        edited_line("ERA-1", 2, LINE, change, diagnoses=diagnoses, charge_fixed_by=fixed_by)
    assert refused.value.summary == "claim ERA-1 line 2 was not changed"
    return [(p.field, p.message) for p in refused.value.problems]


def test_a_valid_change_applies_only_the_fields_named() -> None:
    after = edited_line("ERA-1", 2, LINE, LineChange(units=2, modifiers=("59", " rt "), charge=Decimal("300.00")),
                        diagnoses=2)
    assert after == LineValues("11102", ("59", "RT"), 2, (1,), Money(30000))


def test_an_empty_change_is_refused() -> None:
    assert problems(LineChange())[0][0] == "body"


@pytest.mark.parametrize("code", ["1110", "111022", "ABCDE", "W1234", "11 02"])
def test_a_procedure_code_that_is_not_cpt_or_hcpcs_is_refused(code: str) -> None:
    [(field, message)] = problems(LineChange(procedure_code=code))
    assert field == "procedure_code" and message.startswith("line 2: ") and "not a procedure code" in message


@pytest.mark.parametrize("code", ["17000", "0479T", "3017F", "J3301", "g0168"])
def test_cpt_category_i_ii_iii_and_hcpcs_codes_are_accepted(code: str) -> None:
    assert edited_line("ERA-1", 2, LINE, LineChange(procedure_code=code), diagnoses=1).procedure_code == code.upper()


def test_modifiers_must_be_two_characters_at_most_four_and_not_repeated() -> None:
    assert problems(LineChange(modifiers=("5",))) == [("modifiers", "line 2: '5' is not a modifier (two letters "
                                                                    "or digits, e.g. 25, 59, XS, RT)")]
    assert problems(LineChange(modifiers=("59", "RT", "LT", "XS", "76")))[0][1] == \
        "line 2: 5 modifiers; a line carries at most 4"
    assert problems(LineChange(modifiers=("59", "59"))) == [("modifiers", "line 2: modifier 59 appears twice")]
    assert edited_line("ERA-1", 2, LINE, LineChange(modifiers=()), diagnoses=1).modifiers == ()


@pytest.mark.parametrize("units", [0, -1, 1000])
def test_units_must_be_from_1_to_999(units: int) -> None:
    [(field, message)] = problems(LineChange(units=units))
    assert field == "units" and f"from 1 to 999 (got {units})" in message


def test_units_at_the_bounds_are_accepted() -> None:
    assert edited_line("ERA-1", 2, LINE, LineChange(units=999), diagnoses=1).units == 999
    assert edited_line("ERA-1", 2, LINE, LineChange(units=1), diagnoses=1).units == 1


def test_units_and_pointers_typed_in_a_form_are_read_and_text_that_is_no_number_is_refused() -> None:
    edited = edited_line("ERA-1", 2, LINE, LineChange(units=" 2 ", diagnosis_pointers=("2", "1")), diagnoses=2)
    assert (edited.units, edited.diagnosis_pointers) == (2, (2, 1))
    assert problems(LineChange(units="two", diagnosis_pointers=("x",))) == [
        ("units", "line 2: units must be a whole number from 1 to 999 (got 'two')"),
        ("diagnosis_pointers",
         "line 2: diagnosis pointer 'x' points at no diagnosis (the claim has 2: pointers 1 to 2)")]


def test_pointers_are_1_to_4_and_point_at_existing_diagnoses() -> None:
    assert problems(LineChange(diagnosis_pointers=(3,))) == [
        ("diagnosis_pointers", "line 2: diagnosis pointer 3 points at no diagnosis (the claim has 2: pointers 1 to 2)")]
    assert problems(LineChange(diagnosis_pointers=()), diagnoses=5)[0][1] == \
        "line 2: give 1 to 4 diagnosis pointers (got 0)"
    assert problems(LineChange(diagnosis_pointers=(1, 2, 3, 4, 5)), diagnoses=5)[0][1] == \
        "line 2: give 1 to 4 diagnosis pointers (got 5)"
    assert problems(LineChange(diagnosis_pointers=(0,)))[0][1].startswith("line 2: diagnosis pointer 0 points")
    assert problems(LineChange(diagnosis_pointers=(1, 1)))[0][1] == "line 2: pointer 1 appears twice"
    assert edited_line("ERA-1", 2, LINE, LineChange(diagnosis_pointers=(4, 1, 2, 3)), diagnoses=4) \
        .diagnosis_pointers == (4, 1, 2, 3)


@pytest.mark.parametrize(("charge", "words"), [
    (Decimal("0"), "must be more than 0.00"), (Decimal("-5.00"), "must be more than 0.00"),
    (Decimal("1.005"), "is not an amount"), ("abc", "is not an amount"), (Decimal("NaN"), "is not an amount"),
    (Decimal("1000000.00"), "is more than a line may carry"),
])
def test_a_charge_must_be_dollars_and_cents_above_zero(charge: Decimal | str, words: str) -> None:
    [(field, message)] = problems(LineChange(charge=charge))
    assert field == "charge" and message.startswith("line 2: charge") and words in message


def test_a_charge_billed_again_from_another_claim_cannot_change_but_may_be_restated() -> None:
    [(field, message)] = problems(LineChange(charge=Decimal("1.00")), fixed_by="it is claim ERA-1's charge")
    assert (field, message) == ("charge", "line 2: it is claim ERA-1's charge")
    same = edited_line("ERA-1", 2, LINE, LineChange(charge=Decimal("150"), units=2), diagnoses=1,
                       charge_fixed_by="fixed")
    assert (same.charge, same.units) == (Money(15000), 2)


def test_every_problem_is_reported_at_once() -> None:
    found = problems(LineChange(procedure_code="X", modifiers=("ABC",), units=0, diagnosis_pointers=(9,),
                                charge=Decimal("0")))
    assert [field for field, _ in found] == ["procedure_code", "modifiers", "units", "diagnosis_pointers", "charge"]


def test_lines_are_edited_before_adjudication_and_corrected_after() -> None:
    for status in ("draft", "coded", "held", "scrub_errors", "ready", "rejected", "corrected"):
        check_editable("ERA-1", ClaimStatus(status))
    with pytest.raises(InvalidTransition, match="send a corrected claim"):
        check_editable("ERA-1", ClaimStatus.PAID)
    with pytest.raises(InvalidTransition, match="only before it is sent or once it is rejected"):
        check_editable("ERA-1", ClaimStatus.SUBMITTED)


def test_a_correction_needs_an_adjudicated_claim_with_the_payers_number_not_yet_replaced() -> None:
    def check(status: str = "paid", frequency: str = "7", own: str = "1", number: str | None = "ICN1",
              replaced_by: str | None = None) -> None:
        check_correctable("ERA-1", ClaimStatus(status), frequency, own_frequency=own, payer_claim_number=number,
                          replaced_by=replaced_by)

    check()
    check("denied", "8")
    with pytest.raises(InvalidFields, match="7 \\(replacement\\) or 8 \\(void\\)"):
        check(frequency="1")
    with pytest.raises(InvalidTransition, match="edit its lines instead"):
        check("ready")
    with pytest.raises(InvalidTransition, match="wait for the payer's answer"):
        check("submitted")
    with pytest.raises(InvalidTransition, match="already replaced or voided by claim ERA-1C1"):
        check(replaced_by="ERA-1C1")
    with pytest.raises(InvalidTransition, match="REF\\*F8"):
        check(number=None)
    with pytest.raises(InvalidTransition, match="is a void"):
        check(own="8")
