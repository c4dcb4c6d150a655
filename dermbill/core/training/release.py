"""Short training modules generated from a CMS release's changes: one for coders, one for the front desk and billers.

Each question is one change of the release (``core.releases``), asked the way the work meets it, and its answer is
what the new release says, with the change in words as the explanation. Nothing is written by hand per release, so
the module follows whatever the release changed. Worked example (the build_next_release script's 2026q4)::

    PtpPairDeleted("11400", "11102", "1"), to 2026q4
    -> "From 2026q4, may 11400 and 11102 be billed for the same patient on the same day without a modifier?"
       choices Yes / No, answer Yes ("NCCI edit removed: 11400 and 11102 may now be billed together ...")

A module is short: at most ``MAX_QUESTIONS`` questions, taken in turn from each kind of change so that a release
with many ICD-10-CM additions still asks about its edits and unit limits. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dermbill.core.errors import InvalidInput
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
    counted,
)

MAX_QUESTIONS = 10
YES, NO = "Yes", "No"
NO_LIMIT = "no CMS limit"


@dataclass(frozen=True, slots=True)
class ReleaseQuestion:
    """One question: what the trainee reads, the choices offered, the right one, and why (the change in words)."""

    prompt: str
    choices: tuple[str, ...]
    answer: str
    explanation: str
    change: str  # the kind of change it was made from: "ptp_pair_deleted"

    def as_dict(self) -> dict[str, Any]:
        return {"prompt": self.prompt, "choices": list(self.choices), "answer": self.answer,
                "explanation": self.explanation, "change": self.change}


@dataclass(frozen=True, slots=True)
class ReleaseModule:
    """A training module made from a release's changes, for one group of staff."""

    key: str  # "release-2026q3-2026q4-coders"
    title: str
    audience: str  # "coders" or "front desk and billers"
    roles: tuple[str, ...]  # the staff roles (core.access.Role values) it is for
    lesson: tuple[str, ...]
    questions: tuple[ReleaseQuestion, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"module": self.key, "title": self.title, "audience": self.audience, "roles": list(self.roles),
                "lesson": list(self.lesson), "questions": [q.as_dict() for q in self.questions]}


@dataclass(frozen=True, slots=True)
class _Group:
    name: str
    slug: str
    roles: tuple[str, ...]
    audiences: frozenset[str]  # the change audiences (Change.audience) it hears


_GROUPS = (
    _Group("coders", "coders", ("coder",), frozenset({"coders"})),
    _Group("front desk and billers", "front-desk-billers", ("front_desk", "biller"),
           frozenset({"front desk", "billers"})),
)


def _ptp_prompt(change: PtpPairAdded | PtpPairDeleted, period: str) -> str:
    return (f"From {period}, may {change.column1} and {change.column2} be billed for the same patient on the same "
            "day without a modifier?")


def _mue_prompt(code: str, period: str, indicator: str = "") -> str:
    # Adjudication indicator 1 counts the units of one claim line; 2 and 3 those of the date of service.
    per = "on one claim line" if indicator == "1" else "for one patient on one day"
    return f"From {period}, how many units of {code} does Medicare pay at most {per} (its MUE)?"


def _days(global_days: str) -> str:
    """'010' -> '10 days'; the letters CMS uses where no global period applies are said as such."""
    if global_days.isdigit():
        return counted(int(global_days), "day")
    return {"XXX": "none (the global concept does not apply)", "ZZZ": "none of its own (an add-on code, in the "
            "primary procedure's global period)", "YYY": "set by the contractor"}.get(global_days, global_days)


def questions_for(change: Change, period: str, *, billers: bool) -> list[ReleaseQuestion]:
    """The questions one change asks (``billers``: for the front desk and billers module, which also asks about
    fees); an empty list for a change with nothing to ask that group."""
    said = change.describe()

    def ask(prompt: str, choices: Iterable[str], answer: str) -> ReleaseQuestion:
        return ReleaseQuestion(prompt, tuple(dict.fromkeys(choices)), answer, said, change.change)

    if isinstance(change, PtpPairAdded):
        return [ask(_ptp_prompt(change, period), (YES, NO), NO)]
    if isinstance(change, PtpPairDeleted):
        return [ask(_ptp_prompt(change, period), (YES, NO), YES)]
    if isinstance(change, PtpIndicatorChanged):
        # Indicator 1: a modifier for a separate lesion or site bypasses the edit; 9: the edit does not apply.
        return [ask(f"From {period}, may {change.column1} and {change.column2} be billed for the same patient on the "
                    "same day when the second carries modifier 59 or XS (a separate lesion or site)?",
                    (YES, NO), YES if change.new_indicator in ("1", "9") else NO)]
    if isinstance(change, MueChanged):
        if change.old_units == change.new_units:
            per = ("per claim line", "per date of service")
            return [ask(f"From {period}, is the MUE of {change.code} counted per claim line or per date of "
                        "service?", per, per[0] if change.new_indicator == "1" else per[1])]
        values = sorted({change.old_units, change.new_units})
        return [ask(_mue_prompt(change.code, period, change.new_indicator), [*(str(n) for n in values), NO_LIMIT],
                    str(change.new_units))]
    if isinstance(change, MueAdded):
        return [ask(_mue_prompt(change.code, period, change.indicator), (str(change.units), NO_LIMIT),
                    str(change.units))]
    if isinstance(change, MueRemoved):
        return [ask(_mue_prompt(change.code, period), (str(change.old_units), NO_LIMIT), NO_LIMIT)]
    if isinstance(change, RvuChanged):
        asked = []
        shown = f"{change.code}-{change.modifier}" if change.modifier else change.code
        if change.old_global_days != change.new_global_days:
            asked.append(ask(f"From {period}, how long is the global period of {shown}?",
                             sorted((_days(change.old_global_days), _days(change.new_global_days))),
                             _days(change.new_global_days)))
        if billers and change.fee_change.cents:
            asked.append(ask(f"From {period}, does Medicare's national fee for {shown} go up or down?",
                             ("Up", "Down"), "Up" if change.fee_change.cents > 0 else "Down"))
        return asked
    if isinstance(change, CodeDeleted):
        return [ask(f"From {period}, may {change.code_set} code {change.code} go on a claim or an order?",
                    (YES, NO), NO)]
    if isinstance(change, CodeAdded):
        return [ask(f"From {period}, is {change.code} a valid {change.code_set} code?", (YES, NO), YES)]
    if isinstance(change, CodeRevised):
        return [ask(f"From {period}, {change.code_set} code {change.code} was reworded: may it still be used?",
                    (YES, NO), YES)]
    return []


def _in_turn(questions: Sequence[ReleaseQuestion], limit: int) -> tuple[ReleaseQuestion, ...]:
    """At most ``limit`` questions, one of each kind of change in turn, each kind in the release's order."""
    by_kind: dict[str, list[ReleaseQuestion]] = {}
    for question in questions:
        by_kind.setdefault(question.change, []).append(question)
    picked: list[ReleaseQuestion] = []
    depth = 0
    while len(picked) < min(limit, len(questions)):
        picked += [queue[depth] for queue in by_kind.values() if depth < len(queue)][:limit - len(picked)]
        depth += 1
    order = {id(q): n for n, q in enumerate(questions)}
    return tuple(sorted(picked, key=lambda q: order[id(q)]))


def release_modules(changes: Iterable[Change], from_period: str, to_period: str, *,
                    limit: int = MAX_QUESTIONS) -> list[ReleaseModule]:
    """The coders' module and the front desk and billers' module for the changes from ``from_period`` to
    ``to_period`` (a group with nothing to learn gets no module)."""
    listed = list(changes)
    modules = []
    for group in _GROUPS:
        mine = [c for c in listed if group.audiences & set(c.audience)]
        questions = [q for c in mine for q in questions_for(c, to_period, billers=group.slug != "coders")]
        if not questions:
            continue
        picked = _in_turn(questions, limit)
        lesson = (
            f"What changed from {from_period} to {to_period} in the CMS releases dermbill loaded that touches the "
            f"work of {group.name}: {counted(len(mine), 'change')}"
            + (f", {len(picked)} of them asked here." if len(picked) < len(questions) else ", each asked here."),
            "Each question is one change: answer as the new release has it. The answer says the change in words; "
            "claims with dates of service from the new period are scrubbed against it.",
        )
        modules.append(ReleaseModule(f"release-{from_period}-{to_period}-{group.slug}".lower(),
                                     f"What changed {from_period} to {to_period}: {group.name}", group.name,
                                     group.roles, lesson, picked))
    return modules


@dataclass(frozen=True, slots=True)
class ReleaseGrade:
    score: int  # 0-100, rounded down
    right: tuple[bool, ...]  # per question


def grade_release_module(module: ReleaseModule, answers: Mapping[int, str]) -> ReleaseGrade:
    """Grade answers (question number, 1-based -> the choice given); a question not answered is wrong, a choice
    the question does not offer is refused, naming the question and its choices."""
    right = []
    for number, question in enumerate(module.questions, start=1):
        given = answers.get(number)
        if given is not None and given.strip().lower() not in {c.lower() for c in question.choices}:
            raise InvalidInput(f"question {number}: '{given}' is not one of its choices "
                               f"({', '.join(question.choices)})")
        right.append(given is not None and given.strip().lower() == question.answer.lower())
    score = 100 * sum(right) // len(right) if right else 0
    return ReleaseGrade(score, tuple(right))
