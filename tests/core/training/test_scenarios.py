"""Training, pure: every generated scenario has one planted error the grader finds; grading; who gets what."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from dermbill.core.coding.result import CodedLine
from dermbill.core.errors import InvalidInput
from dermbill.core.training.assignment import (
    DenialFact,
    StaffMember,
    assignments_from_denials,
    front_desk_rates,
)
from dermbill.core.training.coder import AnswerLine, answer_line, grade_coding, render_note
from dermbill.core.training.modules import Step, cause_of_denial, module
from dermbill.core.training.registration import (
    FRONT_DESK_MODULES,
    FixAnswer,
    RegistrationRules,
    TrainingPayer,
    fields_of,
    front_desk_scenario,
    grade_front_desk,
    registration_findings,
    registration_rules,
)
from dermbill.reference.scrub_tables import scrub_tables
from dermbill.synthetic.people import PAYERS

SEEDS = range(60)


def training_payers() -> tuple[TrainingPayer, ...]:
    """The demo's payers, as dermbill.services.training gives them to scenarios (HM: the HMO)."""
    return tuple(TrainingPayer(p.payer_identifier, p.name, p.kind, is_hmo=p.claim_filing_indicator_code == "HM")
                 for p in PAYERS)


@pytest.fixture(scope="module")
def rules() -> RegistrationRules:
    return registration_rules(scrub_tables(), training_payers())


@pytest.mark.parametrize("key", FRONT_DESK_MODULES)
def test_every_scenario_has_exactly_one_planted_error_and_only_the_right_fix_scores_full(
        key: str, rules: RegistrationRules) -> None:
    for seed in SEEDS:
        scenario = front_desk_scenario(module(key), seed, training_payers())
        [finding] = registration_findings(scenario.registration, scenario.facts, rules)
        assert finding.field == scenario.planted.field, (seed, finding)
        right = grade_front_desk(scenario, FixAnswer(scenario.planted.field, scenario.planted.fix), rules)
        assert (right.score, right.fixed) == (100, True), (seed, right)
        for other in fields_of(scenario.registration):
            if other.key != scenario.planted.field:  # any other field, even given the right value, is not the fix
                assert grade_front_desk(scenario, FixAnswer(other.key, scenario.planted.fix), rules).score == 0
        wrong_value = grade_front_desk(scenario, FixAnswer(scenario.planted.field, "no"), rules)
        assert wrong_value.score == 50 and wrong_value.right_field and not wrong_value.fixed, (seed, wrong_value)


@pytest.mark.parametrize("key", FRONT_DESK_MODULES)
def test_a_seed_always_gives_the_same_scenario_and_seeds_differ(key: str) -> None:
    payers = training_payers()
    assert front_desk_scenario(module(key), 7, payers) == front_desk_scenario(module(key), 7, payers)
    assert len({front_desk_scenario(module(key), seed, payers) for seed in range(10)}) > 1


def test_the_checks_are_the_softwares_rules(rules: RegistrationRules) -> None:
    """The HMO's Mohs rule is the scrubber's authorization-missing, the ABN the scrubber's medical-necessity, and a
    member ID that is not an MBI for Medicare the desk's coverage edit rule."""
    payers = training_payers()
    mohs = front_desk_scenario(module("mohs_authorization"), 3, payers)
    assert [f.rule for f in registration_findings(mohs.registration, mohs.facts, rules)] == ["authorization-missing"]
    abn = front_desk_scenario(module("abn"), 3, payers)
    assert [f.rule for f in registration_findings(abn.registration, abn.facts, rules)] == ["medical-necessity"]
    medicare = next(c for c in abn.registration.coverages if c.payer.kind == "medicare")
    not_an_mbi = dataclasses.replace(abn.registration, abn_signed=True, coverages=(
        dataclasses.replace(medicare, member_id="ABC123456789"),))
    facts = dataclasses.replace(abn.facts, answers=tuple(dataclasses.replace(a, card_member_id="ABC123456789")
                                                          for a in abn.facts.answers))
    [edit] = registration_findings(not_an_mbi, facts, rules)
    assert (edit.rule, edit.field) == ("FD-EDIT", f"coverage:{medicare.payer.identifier}:member_id")


def test_a_fix_value_that_is_not_a_date_is_refused_with_what_to_type(rules: RegistrationRules) -> None:
    scenario = front_desk_scenario(module("coverage_ended"), 1, training_payers())
    grade = grade_front_desk(scenario, FixAnswer(scenario.planted.field, "last month"), rules)
    assert grade.score == 50 and "is not a date (YYYY-MM-DD or MM/DD/YYYY)" in grade.feedback


ENGINE = (
    CodedLine("11102", 1, (), ("D48.5",), "tangential biopsy of lesion A: first lesion"),
    CodedLine("11301", 1, ("XS",), ("L82.0",), "shave removal of lesion B, a different lesion -> XS"),
)


def test_the_engines_answer_scores_full_and_each_wrong_part_costs_a_point() -> None:
    right = [AnswerLine(line.code, line.units, line.modifiers, line.diagnoses) for line in ENGINE]
    assert grade_coding(ENGINE, right).score == 100
    no_modifier = [right[0], dataclasses.replace(right[1], modifiers=())]
    graded = grade_coding(ENGINE, no_modifier)
    assert graded.score == 87 and graded.lines[1].notes == ("modifiers: none, the engine uses XS",)
    assert graded.lines[1].explanation == "shave removal of lesion B, a different lesion -> XS"
    assert grade_coding(ENGINE, right[:1]).score == 50  # a line missed
    assert grade_coding(ENGINE, [*right, AnswerLine("17110", 1, (), ("L82.1",))]).score == 66  # a line too many


def test_an_answer_line_names_what_is_wrong() -> None:
    assert answer_line("11301", "", "xs", "l82.0") == AnswerLine("11301", 1, ("XS",), ("L82.0",))
    with pytest.raises(InvalidInput, match="line 2: code '113' is not a CPT or HCPCS code"):
        answer_line("113", "1", "", "L82.0", where="line 2")
    with pytest.raises(InvalidInput, match="diagnosis 'SK' is not an ICD-10-CM code"):
        answer_line("11301", "1", "", "SK")


def test_the_note_says_what_was_done_to_each_lesion() -> None:
    note = render_note({"date_of_service": "2026-03-02", "payer": "medicare", "patient": {"age": 74, "sex": "F"},
                        "visit": None, "services": [], "lesions": [
                            {"id": "A", "site": "forearm", "laterality": "left", "diameter_cm": 0.8,
                             "diagnosis": "seborrheic_keratosis", "symptoms": ["irritated"],
                             "procedures": [{"type": "shave_removal"}]}]})
    assert note == ["Date of service 2026-03-02. Patient: 74-year-old woman, medicare.",
                    "Lesion A: left forearm; 0.8 cm; clinical diagnosis seborrheic keratosis; patient reports "
                    "irritated; shave removal."]


@pytest.mark.parametrize(("category", "carc", "action", "step", "key"), [
    ("eligibility_coverage", "27", "check_eligibility_and_rebill", Step.FRONT_DESK, "coverage_ended"),
    ("eligibility_coverage", "31", "check_eligibility_and_rebill", Step.FRONT_DESK, "member_id"),
    ("eligibility_coverage", "22", "check_eligibility_and_rebill", Step.FRONT_DESK, "payer_order"),
    ("authorization", "197", "get_authorization", Step.FRONT_DESK, "mohs_authorization"),
    ("non_covered", "96", "write_off", Step.FRONT_DESK, "abn"),
    ("medical_necessity", "50", "appeal", Step.CODING, "coder_diagnoses"),
    ("medical_necessity", "50", "bill_patient", None, None),  # the ABN was signed: nobody's slip
    ("coding_bundling", "97", "correct_and_resubmit", Step.CODING, "coder_modifiers"),
    ("timely_filing", "29", "write_off", Step.BILLING, None),
    ("underpayment", None, "appeal", None, None),
])
def test_each_denial_cause_names_its_step_and_module(category: str, carc: str | None, action: str,
                                                     step: Step | None, key: str | None) -> None:
    cause = cause_of_denial(category, carc, action)
    assert (cause.step, cause.module) == (step, key)


AS_OF = datetime.date(2026, 6, 30)
DESK, OTHER_DESK, CODER = (StaffMember(1, "desk@x.test", frozenset({"front_desk"})),
                           StaffMember(2, "desk2@x.test", frozenset({"front_desk"})),
                           StaffMember(3, "coder@x.test", frozenset({"coder"})))


def _fact(item: int, carc: str, category: str, *, days_ago: int, desk: tuple[str, ...] = ()) -> DenialFact:
    return DenialFact(item, f"C-{item}", category, carc, "check_eligibility_and_rebill",
                      AS_OF - datetime.timedelta(days=days_ago), front_desk_actors=desk)


def test_a_denial_goes_to_whoever_the_audit_trail_names_else_to_the_steps_role_once_while_open() -> None:
    facts = [_fact(1, "27", "eligibility_coverage", days_ago=5, desk=("desk@x.test",)),
             _fact(2, "27", "eligibility_coverage", days_ago=80, desk=("desk@x.test",)),
             _fact(3, "97", "coding_bundling", days_ago=10),
             _fact(4, "27", "eligibility_coverage", days_ago=91, desk=("desk2@x.test",))]  # too old
    made = assignments_from_denials(facts, [DESK, OTHER_DESK, CODER], open_modules=(), as_of=AS_OF)
    assert [(a.user_id, a.module, [r["denial_item"] for r in a.reasons]) for a in made] == [
        (1, "coverage_ended", [2, 1]), (3, "coder_modifiers", [3])]
    assert made[0].due_on == datetime.date(2026, 7, 14)
    assert assignments_from_denials(facts, [DESK, OTHER_DESK, CODER], open_modules={(1, "coverage_ended")},
                                    as_of=AS_OF)[0].module == "coder_modifiers"


def test_the_front_desk_rate_is_counted_before_and_after_the_first_completion() -> None:
    day = datetime.date(2026, 5, 1)
    adjudicated = {1: day - datetime.timedelta(days=10), 2: day - datetime.timedelta(days=20), 3: day,
                   4: day + datetime.timedelta(days=30), 5: day - datetime.timedelta(days=100)}
    before, after = front_desk_rates(adjudicated, {1: adjudicated[1], 4: adjudicated[4], 5: adjudicated[5]}, day)
    assert (before.denied, before.adjudicated, before.percent) == (1, 2, "50.0%")
    assert (after.denied, after.adjudicated, after.percent) == (1, 2, "50.0%")
    assert (before.start, before.end, after.start) == (datetime.date(2026, 1, 31), datetime.date(2026, 4, 30), day)
