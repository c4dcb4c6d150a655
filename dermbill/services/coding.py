"""Coding use cases: code one encounter document, or a JSON Lines stream of them, with the shipped tables."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from dermbill.core.coding.encounter import parse_encounter
from dermbill.core.coding.engine import code_encounter
from dermbill.core.coding.result import CodingResult
from dermbill.core.coding.tables import CodingTables
from dermbill.core.errors import DermbillError, InvalidInput
from dermbill.reference.coding_tables import coding_tables


def unwrap(doc: Any) -> Any:
    """Accept a worked case (``{"encounter": {...}, ...}``) as well as the encounter document itself."""
    if isinstance(doc, dict) and "encounter" in doc and "date_of_service" not in doc:
        return doc["encounter"]
    return doc


def code_document(doc: Any, tables: CodingTables | None = None) -> CodingResult:
    """Validate and code one encounter document (a dict in the encounter format)."""
    return code_encounter(parse_encounter(unwrap(doc)), tables or coding_tables())


def code_text(text: str, tables: CodingTables | None = None) -> CodingResult:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    return code_document(doc, tables)


def code_lines(lines: Iterable[str], tables: CodingTables | None = None) -> Iterator[dict[str, Any]]:
    """One result per input line, in order; a line that fails gives ``{"error": ...}`` and the run goes on."""
    tables = tables or coding_tables()
    for number, line in enumerate(lines, start=1):
        try:
            yield code_text(line, tables).to_json()
        except DermbillError as exc:
            yield {"error": f"line {number}: {exc}"}
