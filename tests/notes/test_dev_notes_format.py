"""The development notes (tests/notes/dev_notes.jsonl) are well formed and their answers agree with the engine.

Each line's "encounter" is the structured encounter the note documents; the coding engine on it must give the
line's "expected" answer, so a note's hand-coded answer and its encounter can never drift apart. The note reader
itself is measured by ``python -m benchmarks --only notes`` (benchmarks/notes.py), not here.
"""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

import pytest

from benchmarks.notes import DEV_NOTES, canonical_lines, higher_codes, load_notes
from dermbill.services.coding import code_document

FIELDS = {"id", "note", "dos", "payer", "age", "sex", "expected", "must_not_code", "removable_facts", "source",
          "encounter"}
GAP_FIELDS = {"diameter_cm", "margin_cm", "excised_diameter_cm", "laterality", "site", "length_cm", "complexity",
              "count", "technique", "method", "stages", "defect_area_cm2", "area_cm2", "dose_mg", "visit.level",
              "visit.category", "pathology", "nails", "digits"}
NOTES = load_notes(DEV_NOTES)
EXAMPLE_SOURCE = re.compile(r"^ex-\d\d \(rewritten\)$")


def test_the_set_is_large_enough_and_ids_are_unique() -> None:
    ids = [note["id"] for note in NOTES]
    assert len(ids) == len(set(ids))
    assert len(NOTES) >= 45
    rewritten = {note["source"] for note in NOTES if note["source"] != "own"}
    assert len(rewritten) == 30
    assert sum(note["source"] == "own" for note in NOTES) >= 15
    assert sum(bool(note["removable_facts"]) for note in NOTES) >= 15
    assert sum(bool(note["must_not_code"]) for note in NOTES) >= 10


@pytest.mark.parametrize("note", NOTES, ids=[note["id"] for note in NOTES])
def test_every_line_is_well_formed(note: dict[str, Any]) -> None:
    assert set(note) == FIELDS
    assert note["source"] == "own" or EXAMPLE_SOURCE.match(note["source"])
    assert note["note"].strip() and "\n" in note["note"]
    datetime.date.fromisoformat(note["dos"])
    encounter = note["encounter"]
    assert note["dos"] == encounter["date_of_service"]
    assert note["payer"] == encounter["payer"]
    assert (note["age"], note["sex"]) == (encounter["patient"]["age"], encounter["patient"]["sex"])
    for line in note["expected"]["lines"]:
        assert set(line) == {"code", "units", "modifiers"}
        assert isinstance(line["units"], int) and line["units"] >= 1
    assert all(isinstance(code, str) for code in note["expected"]["icd10"])
    billed = {line["code"] for line in note["expected"]["lines"]}
    assert not billed & set(note["must_not_code"]), "a forbidden code is in the answer"
    for fact in note["removable_facts"]:
        assert set(fact) == {"fact", "remove", "gap_field"}
        assert note["note"].count(fact["remove"]) == 1, f"{fact['remove']!r} must occur exactly once in the note"
        assert fact["gap_field"] in GAP_FIELDS


@pytest.mark.parametrize("note", NOTES, ids=[note["id"] for note in NOTES])
def test_the_engine_on_the_encounter_gives_the_expected_answer(note: dict[str, Any]) -> None:
    result = code_document(note["encounter"]).to_json()
    expected = note["expected"]
    assert canonical_lines(result["lines"]) == canonical_lines(expected["lines"])
    assert sorted(result["diagnoses"]) == sorted(expected["icd10"])
    assert sorted({hold["code"] for hold in result["holds"]}) == sorted(expected["holds"])
    assert sorted({warning["code"] for warning in result["warnings"]}) == sorted(expected["warnings"])


def test_the_jsonl_is_one_object_per_line() -> None:
    lines = DEV_NOTES.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(NOTES)
    assert all(isinstance(json.loads(line), dict) for line in lines)


def test_canonical_lines_make_59_and_xs_one_and_drop_51() -> None:
    assert canonical_lines([{"code": "17000", "units": 1, "modifiers": ["XS", "51"]}]) == [("17000", 1, ("59",))]


def test_higher_codes_name_a_higher_code_of_the_family_or_more_units() -> None:
    expected: list[tuple[str, int, tuple[str, ...]]] = [("11602", 1, ()), ("17003", 4, ())]
    none: tuple[str, ...] = ()
    assert higher_codes(expected, [("11601", 1, none), ("17003", 4, none)]) == []
    assert higher_codes(expected, [("11603", 1, none)]) == ["11603 (expected 11602)"]
    assert higher_codes(expected, [("17003", 5, none)]) == ["17003 x5 (expected x4)"]
    assert higher_codes(expected, []) == []
