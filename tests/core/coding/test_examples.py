"""Every worked case of ../shared/derm-coding/examples.jsonl codes as expected (59 and XS are equivalent)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tests_paths import SHARED

EXAMPLES = SHARED / "derm-coding" / "examples.jsonl"
CASES = [json.loads(line) for line in EXAMPLES.read_text().splitlines()] if EXAMPLES.exists() else []


def _normalised(lines: list[dict[str, Any]]) -> list[tuple[str, int, tuple[str, ...]]]:
    return sorted(
        (line["code"], line["units"], tuple(sorted("XS" if m == "59" else m for m in line["modifiers"])))
        for line in lines
    )


@pytest.mark.skipif(not CASES, reason=f"{EXAMPLES} not found: the shared references sit beside the repository")
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_worked_example(case: dict[str, Any], code: Any) -> None:
    result = code(case["encounter"]).to_json()
    expected = case["expected"]
    assert _normalised(result["lines"]) == _normalised(expected["lines"]), case["rationale"]
    assert sorted(result["diagnoses"]) == sorted(expected["icd10"])
    assert sorted(h["code"] for h in result["holds"]) == sorted(expected["holds"])
    assert sorted(w["code"] for w in result["warnings"]) == sorted(expected["warnings"])
    for line in result["lines"]:
        assert line["explanation"], "every line says why"
        assert set(line["diagnoses"]) <= set(result["diagnoses"])
