"""The entry screen's document: what it can hold, and what it would lose of a document entered elsewhere."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from tests_paths import SHARED

from dermbill.core.coding.entry import beyond_the_form, encounter_document, header_of, rows_of
from dermbill.services.encounter_coding import coded

EXAMPLES = SHARED / "derm-coding" / "examples.jsonl"
CASES = [json.loads(line)["encounter"] for line in EXAMPLES.read_text().splitlines()] if EXAMPLES.exists() else []

TYPED = encounter_document(
    {"date_of_service": "2026-04-14", "payer": "medicare", "age": "71", "sex": "M", "visit_category": "established",
     "visit_level": "3", "separately_identifiable": "on"},
    [{"site": "forearm", "side": "left", "diagnosis": "neoplasm_unspecified_behavior", "pathology": "bcc",
      "diameter_cm": "0.6", "procedure": "biopsy", "technique": "tangential"},
     {},  # a row left blank: lesion C keeps its letter
     {"site": "back_upper", "diagnosis": "bcc", "diameter_cm": "1.0", "procedure": "excision", "margin_cm": "0.4",
      "repair": "intermediate", "repair_length_cm": "4"}])


def test_what_the_screen_typed_it_can_show_and_save_again() -> None:
    assert [lesion["id"] for lesion in TYPED["lesions"]] == ["A", "C"]
    assert beyond_the_form(TYPED) == []
    assert encounter_document(header_of(TYPED), rows_of(TYPED)) == TYPED


def test_the_order_of_a_lesions_procedures_is_not_a_loss() -> None:
    document = copy.deepcopy(TYPED)
    document["lesions"][1]["procedures"].reverse()  # the repair first, as another system may write it
    assert beyond_the_form(document) == []


def test_what_the_screen_has_no_field_for_is_named() -> None:
    document = copy.deepcopy(TYPED)
    document["services"] = [{"type": "injection", "units": 2}]
    document["lesions"][0]["procedures"].append({"type": "destruction", "method": "cryo"})
    document["lesions"][1]["mohs"] = {"stages": 2}

    assert beyond_the_form(document) == [
        "lesions[A].procedures[destruction].method", "lesions[A].procedures[destruction].type",
        "lesions[C].mohs.stages", "services[injection].type", "services[injection].units"]


@pytest.mark.skipif(not CASES, reason=f"{EXAMPLES} not found: the shared references sit beside the repository")
@pytest.mark.parametrize("document", CASES)
def test_a_worked_case_the_screen_can_hold_codes_the_same_after_a_round_trip_through_it(
        document: dict[str, Any]) -> None:
    if beyond_the_form(document):
        pytest.skip("the screen refuses to correct it (it would lose facts)")
    again = encounter_document(header_of(document), rows_of(document))
    before, after = coded(document), coded(again)
    assert before.result is not None and after.result is not None
    assert after.result.to_json() == before.result.to_json()
