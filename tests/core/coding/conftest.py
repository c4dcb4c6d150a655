"""The coding tables, loaded once for the coding tests, and a helper to code a document."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from dermbill.core.coding.encounter import parse_encounter
from dermbill.core.coding.engine import code_encounter
from dermbill.core.coding.result import CodingResult
from dermbill.core.coding.tables import CodingTables
from dermbill.reference.coding_tables import coding_tables


@pytest.fixture(scope="session")
def tables() -> CodingTables:
    return coding_tables()


@pytest.fixture(scope="session")
def code(tables: CodingTables) -> Any:
    def run(doc: dict[str, Any]) -> CodingResult:
        return code_encounter(parse_encounter(copy.deepcopy(doc)), tables)

    return run
