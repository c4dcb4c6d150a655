"""Coder scenarios: a vignette (an encounter document written as a short note), the trainee's codes, the grade.

The right answer is what the coding engine (``core.coding.engine.code_encounter``) makes of the same document, so
the trainee learns the rules dermbill applies to the practice's own claims, with the engine's explanation of each
line. The grade is line by line: for every line the engine bills, one point each for the procedure code, the
units, the modifiers and the diagnoses; a line the engine does not bill costs the same four points.

Example: a destruction of four irritated seborrheic keratoses on the chest is one line, 17110 x1 pointing to
L82.0; an answer of 17110 x1 with L82.1 scores 3 of 4 (75), with the engine's words "destruction of 4 benign
lesions (A) -> 14 lesions or less, one unit for the session".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dermbill.core.coding.result import CodedLine, CodingResult
from dermbill.core.errors import InvalidInput

_CODE = re.compile(r"[0-9]{4}[0-9A-Z]|[A-Z][0-9]{4}")
_MODIFIER = re.compile(r"[0-9A-Z]{2}")
_ICD = re.compile(r"[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?")


@dataclass(frozen=True, slots=True)
class CoderScenario:
    module: str
    seed: int
    note: tuple[str, ...]  # the vignette, a sentence a line
    expected: tuple[CodedLine, ...]  # the engine's lines: the right answer
    diagnoses: tuple[str, ...]


def usable(result: CodingResult) -> bool:
    """Whether an engine result makes a fair exercise: lines to bill, nothing held (pathology pending...)."""
    return bool(result.lines) and not result.holds


def coder_scenario(module: str, seed: int, document: Mapping[str, Any], result: CodingResult) -> CoderScenario:
    """The scenario for one encounter document and the engine's result for it."""
    if not usable(result):
        raise InvalidInput("the encounter has nothing billable or is on hold: draw another one")
    return CoderScenario(module, seed, tuple(render_note(document)), result.lines, result.diagnoses)


def _words(value: object) -> str:
    return str(value).replace("_", " ")


def render_note(document: Mapping[str, Any]) -> list[str]:
    """A short clinical note from an encounter document (encounter format v1): the facts a coder codes from."""
    patient = document.get("patient") or {}
    note = [f"Date of service {document.get('date_of_service')}. Patient: {patient.get('age')}-year-old "
            f"{ {'F': 'woman', 'M': 'man'}.get(str(patient.get('sex')), 'person') }, {_words(document.get('payer'))}."]
    visit = document.get("visit")
    if isinstance(visit, Mapping):
        assessed = ", ".join(_words(d) for d in visit.get("diagnoses") or [])
        extra = " Separately identifiable problem addressed besides the procedures." \
            if visit.get("separately_identifiable") else ""
        reason = f" for {_words(visit['reason'])}" if visit.get("reason") else ""
        note.append(f"Visit{reason}: {_words(visit.get('category'))} patient, medical decision making at level "
                    f"{visit.get('level')}" + (f"; assessed {assessed}" if assessed else "") + "." + extra)
    for lesion in document.get("lesions") or []:
        if isinstance(lesion, Mapping):
            note.append(_lesion_sentence(lesion))
    for entry in document.get("history") or []:
        if isinstance(entry, Mapping):
            done = "treatment completed" if entry.get("treatment_completed") else "still under treatment"
            note.append(f"History: {_words(entry.get('diagnosis'))} of the {_words(entry.get('site'))}, {done}.")
    for prior in document.get("prior_procedures") or []:
        if isinstance(prior, Mapping):
            related = "related to today's care" if prior.get("related") else "unrelated to today's care"
            note.append(f"Earlier procedure {prior.get('code')} on {prior.get('date_of_service')} "
                        f"({_words(prior.get('site'))}), {related}.")
    for service in document.get("services") or []:
        if isinstance(service, Mapping):
            details = ", ".join(f"{_words(k)} {_words(v)}" for k, v in service.items() if k != "type")
            note.append(f"Service: {_words(service.get('type'))}" + (f" ({details})" if details else "") + ".")
    return note


def _lesion_sentence(lesion: Mapping[str, Any]) -> str:
    where = _words(lesion.get("site"))
    if lesion.get("laterality"):
        where = f"{lesion['laterality']} {where}"
    count = lesion.get("count")
    parts = [f"Lesion {lesion.get('id')}: {count} lesions on the {where}" if count and count != 1
             else f"Lesion {lesion.get('id')}: {where}"]
    if lesion.get("diameter_cm"):
        parts.append(f"{lesion['diameter_cm']} cm")
    parts.append(f"clinical diagnosis {_words(lesion.get('diagnosis'))}")
    if lesion.get("pathology"):
        parts.append(f"pathology {_words(lesion['pathology'])}")
    if lesion.get("symptoms"):
        parts.append("patient reports " + ", ".join(_words(s) for s in lesion["symptoms"]))
    for procedure in lesion.get("procedures") or []:
        if isinstance(procedure, Mapping):
            parts.append(_procedure_words(procedure))
    return "; ".join(parts) + "."


def _procedure_words(procedure: Mapping[str, Any]) -> str:
    kind = _words(procedure.get("type"))
    details = []
    for key, value in procedure.items():
        if key == "type":
            continue
        if key == "stages" and isinstance(value, list):
            blocks = ", ".join(str(stage.get("blocks")) for stage in value if isinstance(stage, Mapping))
            details.append(f"{len(value)} stage(s), blocks per stage {blocks}")
        else:
            details.append(f"{_words(key)} {_words(value)}")
    return kind + (f" ({', '.join(details)})" if details else "")


@dataclass(frozen=True, slots=True)
class AnswerLine:
    """One line the trainee codes."""

    code: str
    units: int
    modifiers: tuple[str, ...]
    diagnoses: tuple[str, ...]


def answer_line(code: str, units: str, modifiers: str, diagnoses: str, *, where: str = "line") -> AnswerLine:
    """A line from the form's text fields (modifiers and diagnoses separated by spaces or commas), or
    InvalidInput naming the field and what is expected."""
    code = code.strip().upper()
    if not _CODE.fullmatch(code):
        raise InvalidInput(f"{where}: code '{code}' is not a CPT or HCPCS code (five characters, e.g. 11102)")
    text = units.strip() or "1"
    if not text.isdigit() or not 1 <= int(text) <= 99:
        raise InvalidInput(f"{where}: units '{text}' must be a whole number from 1 to 99")
    mods = tuple(m for m in re.split(r"[\s,]+", modifiers.strip().upper()) if m)
    bad = [m for m in mods if not _MODIFIER.fullmatch(m)]
    if bad:
        raise InvalidInput(f"{where}: modifier '{bad[0]}' is not two letters or digits (e.g. 59, XS, 25)")
    dxs = tuple(d for d in re.split(r"[\s,]+", diagnoses.strip().upper()) if d)
    wrong = [d for d in dxs if not _ICD.fullmatch(d)]
    if wrong:
        raise InvalidInput(f"{where}: diagnosis '{wrong[0]}' is not an ICD-10-CM code (e.g. L82.0)")
    return AnswerLine(code, int(text), mods, dxs)


@dataclass(frozen=True, slots=True)
class LineGrade:
    """One line of the grade: the engine's line (None: the trainee's line the engine does not bill), the trainee's
    line (None: missed), the points and the engine's explanation."""

    expected: CodedLine | None
    given: AnswerLine | None
    points: int
    possible: int
    notes: tuple[str, ...]

    @property
    def explanation(self) -> str:
        return self.expected.explanation if self.expected else "the engine bills no such line for this note"


@dataclass(frozen=True, slots=True)
class CoderGrade:
    score: int  # 0-100
    lines: tuple[LineGrade, ...]


def grade_coding(expected: Sequence[CodedLine], given: Sequence[AnswerLine]) -> CoderGrade:
    """Grade the trainee's lines against the engine's, line by line (see the module docstring)."""
    unused = list(given)
    grades = []
    for line in expected:
        same_code = [g for g in unused if g.code == line.code]
        match = next((g for g in same_code if set(g.modifiers) == set(line.modifiers)), None) or \
            (same_code[0] if same_code else None)
        if match is None:
            grades.append(LineGrade(line, None, 0, 4, (f"missed: {line.code} x{line.units}",)))
            continue
        unused.remove(match)
        notes = []
        points = 1
        if match.units == line.units:
            points += 1
        else:
            notes.append(f"units: {match.units}, the engine bills {line.units}")
        if set(match.modifiers) == set(line.modifiers):
            points += 1
        else:
            notes.append(f"modifiers: {' '.join(match.modifiers) or 'none'}, the engine uses "
                         f"{' '.join(line.modifiers) or 'none'}")
        if set(match.diagnoses) == set(line.diagnoses):
            points += 1
        else:
            notes.append(f"diagnoses: {' '.join(match.diagnoses) or 'none'}, the engine points to "
                         f"{' '.join(line.diagnoses)}")
        grades.append(LineGrade(line, match, points, 4, tuple(notes) or ("right",)))
    grades += [LineGrade(None, extra, 0, 4, (f"{extra.code} is not billed for this note",)) for extra in unused]
    possible = sum(g.possible for g in grades)
    earned = sum(g.points for g in grades)
    return CoderGrade(earned * 100 // possible if possible else 0, tuple(grades))


def right_answer(scenario: CoderScenario) -> list[AnswerLine]:
    """The engine's lines as an answer (what a perfect trainee enters)."""
    return [AnswerLine(line.code, line.units, line.modifiers, line.diagnoses) for line in scenario.expected]
