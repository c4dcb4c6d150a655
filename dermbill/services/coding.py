"""Coding use cases: code one encounter document, or a JSON Lines stream of them, with the shipped tables."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from dermbill.core.coding.encounter import parse_encounter
from dermbill.core.coding.engine import MAX_CLAIM_DIAGNOSES, code_encounter
from dermbill.core.coding.result import CodingResult
from dermbill.core.coding.tables import CodingTables
from dermbill.core.errors import DermbillError, InvalidInput
from dermbill.db.models import ClaimLineRow, ClaimRow, CoverageRow, EncounterRow
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


def claim_rows(
    encounter: EncounterRow,
    result: CodingResult,
    *,
    coverage: CoverageRow | None,
    charges: Mapping[str, int],
    patient_control_number: str,
    now: datetime.datetime,
) -> tuple[ClaimRow, list[ClaimLineRow]]:
    """A claim (status ``coded``) for a coded encounter: diagnoses in claim order, lines with pointers and charges.

    ``charges`` maps a code to the practice's charge per unit, in cents.
    """
    diagnoses = list(result.diagnoses[:MAX_CLAIM_DIAGNOSES])
    lines = []
    for number, line in enumerate(result.lines, start=1):
        pointers = [diagnoses.index(code) + 1 for code in line.diagnoses if code in diagnoses][:4]
        lines.append(ClaimLineRow(
            practice_id=encounter.practice_id, line_number=number, procedure_code=line.code,
            modifiers=list(line.modifiers), units=line.units, charge_cents=charges.get(line.code, 0) * line.units,
            diagnosis_pointers=pointers or [1], service_date_from=encounter.date_of_service,
            rendering_provider_id=encounter.provider_id,
        ))
    claim = ClaimRow(
        practice_id=encounter.practice_id, patient_id=encounter.patient_id, encounter_id=encounter.id,
        coverage_id=coverage.id if coverage else None, payer_id=coverage.payer_id if coverage else None,
        rendering_provider_id=encounter.provider_id, location_id=encounter.location_id, status="coded",
        frequency_code="1", patient_control_number=patient_control_number, diagnosis_codes=diagnoses,
        total_charge_cents=sum(line.charge_cents for line in lines), created_at=now, updated_at=now,
    )
    return claim, lines
