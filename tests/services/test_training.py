"""Training assigned from a practice's own denials (on SQLite and PostgreSQL), taken, graded and reported."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from training_world import AS_OF, CODER, DESK, MANAGER, denied_practice

from dermbill.core.training.coder import CoderScenario, grade_coding, right_answer
from dermbill.core.training.modules import MODULES
from dermbill.core.training.registration import FixAnswer, FrontDeskScenario
from dermbill.db.engine import Database
from dermbill.db.repositories import clock_for_units_of_work
from dermbill.services.training import (
    answer_coding,
    answer_front_desk,
    assign_from_denials,
    list_assignments,
    scenario_for,
    scenario_seed,
    training_report,
)
from dermbill.services.users import get_user


def test_modules_are_assigned_from_the_practices_denials_once_and_the_manager_sees_the_scores(
        database: Database, tmp_path: Path) -> None:
    denied_practice(database, tmp_path)
    with clock_for_units_of_work(lambda: NOW):
        _assign_take_and_report(database)


NOW = datetime.datetime.combine(AS_OF + datetime.timedelta(days=3), datetime.time(15), datetime.UTC)


def _assign_take_and_report(database: Database) -> None:
    report = assign_from_denials(database, as_of=AS_OF, actor=MANAGER)
    assert report.by_step == {"front_desk": 1, "coding": 1}
    # CO-27 to the person the audit trail shows keying the coverage (not the other front-desk person); CO-97 to the
    # practice's coder (no coding event on the encounter).
    assert sorted((a.email, a.module.key, a.why()) for a in report.assigned) == [
        (CODER, "coder_modifiers", "CO-97 on claim ERA-2"), (DESK, "coverage_ended", "CO-27 on claim ERA-1")]
    assert assign_from_denials(database, as_of=AS_OF, actor=MANAGER).assigned == []  # idempotent

    [desk] = list_assignments(database, email=DESK, actor="test")
    trainee = get_user(database, DESK)
    for number in (1, 2, 3):
        scenario = scenario_for("coverage_ended", scenario_seed(desk.id, number))
        assert isinstance(scenario, FrontDeskScenario)
        fix = scenario.planted.fix if number < 3 else "2020-01-01"  # the last one wrong: half marks
        answered = answer_front_desk(database, trainee, desk.id, number, FixAnswer(scenario.planted.field, fix))
    assert (answered.assignment.status, answered.assignment.score) == ("completed", 83)

    [coder] = list_assignments(database, email=CODER, actor="test")
    scenario = scenario_for("coder_modifiers", scenario_seed(coder.id, 1))
    assert isinstance(scenario, CoderScenario)
    assert answer_coding(database, get_user(database, CODER), coder.id, 1, right_answer(scenario)).grade.score == 100

    [practice] = training_report(database, actor="test")
    people = {p.email: (p.assigned, p.completed, p.mean_score) for p in practice.people}
    assert people == {CODER: (1, 0, None), DESK: (1, 1, 83)}
    assert practice.before is not None and practice.after is not None
    # Both claims were first answered the day before the assignment, before the first completion: one of the two
    # had a front-desk denial; none was answered after it.
    assert practice.first_completion == NOW.date()
    assert (practice.before.denied, practice.before.adjudicated, practice.before.percent) == (1, 2, "50.0%")
    assert (practice.after.denied, practice.after.adjudicated, practice.after.percent) == (0, 0, "n/a")


@pytest.mark.parametrize("key", [m.key for m in MODULES if not m.is_front_desk])
def test_coder_vignettes_are_the_engines_and_only_its_answer_scores_full(key: str) -> None:
    for seed in range(8):
        scenario = scenario_for(key, seed)
        assert isinstance(scenario, CoderScenario) and scenario == scenario_for(key, seed)
        assert grade_coding(scenario.expected, right_answer(scenario)).score == 100
        assert grade_coding(scenario.expected, right_answer(scenario)[1:]).score < 100
