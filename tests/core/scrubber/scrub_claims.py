"""A clean base claim, a scrub fixture, and helpers for the scrubber tests."""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable
from typing import Any

import pytest

from dermbill.core.scrubber.claim import parse_claim
from dermbill.core.scrubber.findings import ScrubResult
from dermbill.core.scrubber.registry import scrub_claim
from dermbill.core.scrubber.tables import ScrubTables
from dermbill.reference.scrub_tables import scrub_tables

AS_OF = datetime.date(2026, 11, 26)
BASE: dict[str, Any] = {
    "date_of_service": "2026-03-02", "payer": "medicare", "patient": {"age": 71, "sex": "F"},
    "billing_provider": {"npi": "1234567893", "taxonomy": "207N00000X"}, "rendering_provider": {"npi": "1234567893"},
    "place_of_service": "11", "diagnoses": ["C44.311", "L57.0"],
    "lines": [{"code": "11642", "units": 1, "modifiers": [], "diagnoses": [1], "charge": "610.00"},
              {"code": "17000", "units": 1, "modifiers": ["XS"], "diagnoses": [2], "charge": "120.00"}],
    "documentation": None, "prior_procedures": [], "submitted_on": "2026-03-05",
}
Scrub = Callable[..., ScrubResult]


@pytest.fixture(scope="session")
def tables() -> ScrubTables:
    return scrub_tables()


@pytest.fixture(scope="session")
def scrub(tables: ScrubTables) -> Scrub:
    def run(change: Callable[[dict[str, Any]], object] | None = None, *, doc: dict[str, Any] | None = None,
            as_of: datetime.date = AS_OF) -> ScrubResult:
        claim = copy.deepcopy(doc if doc is not None else BASE)
        if change is not None:
            change(claim)
        return scrub_claim(parse_claim(claim), tables, as_of=as_of)

    return run


def rules(result: ScrubResult) -> list[tuple[str, str, tuple[int, ...]]]:
    return [(f.rule, f.severity.value, f.lines) for f in result.findings]


def line(code: str, pointer: int = 1, units: int = 1, modifiers: list[str] | None = None,
         charge: str = "100.00") -> dict[str, Any]:
    return {"code": code, "units": units, "modifiers": modifiers or [], "diagnoses": [pointer], "charge": charge}
