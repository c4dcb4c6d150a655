"""Coding use cases: code one encounter document, or a JSON Lines stream of them, with the shipped tables."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from dermbill.core.coding.encounter import Encounter, parse_encounter
from dermbill.core.coding.engine import MAX_CLAIM_DIAGNOSES, code_encounter
from dermbill.core.coding.result import CodingResult
from dermbill.core.coding.tables import CodingTables
from dermbill.core.errors import DermbillError, InvalidInput
from dermbill.core.validation import expect_object, field_error
from dermbill.reference.coding_tables import coding_tables
from dermbill.schemas import schema_text

if TYPE_CHECKING:
    from dermbill.db.models import ClaimLineRow, ClaimRow, CoverageRow, EncounterRow

RECORD_IDENTIFIERS = ("practice", "encounter_id", "account_number")  # echoed in the result, in this order
RECORD_KEYS = frozenset({"documentation", "date_of_service", *RECORD_IDENTIFIERS})


def encounter_schema_text() -> str:
    """The JSON Schema of what ``dermbill code`` reads (``dermbill code --schema``)."""
    return schema_text("encounter")


def parse_document(doc: Any) -> Encounter:
    """The encounter of an encounter document, an encounter record, or a worked case (``{"encounter": {...}}``);
    an error inside a record's documentation names the field from the record (``documentation.lesions[0]...``)."""
    if isinstance(doc, dict) and "encounter" in doc and "date_of_service" not in doc:
        return parse_encounter(doc["encounter"])
    _, document = split_record(doc)
    if document is doc:
        return parse_encounter(doc)
    try:
        return parse_encounter(document)
    except InvalidInput as exc:
        raise InvalidInput(f"documentation.{exc}") from None


def split_record(doc: Any) -> tuple[dict[str, Any], Any]:
    """An encounter record (``{"documentation": {...}, "practice", "encounter_id", "account_number",
    "date_of_service"}``, a line of the demo's encounters.jsonl) -> (its identifiers, the encounter document);
    anything else -> ({}, itself)."""
    if not isinstance(doc, dict) or "documentation" not in doc:
        return {}, doc
    record = expect_object(doc, "", RECORD_KEYS)
    documentation = record["documentation"]
    if not isinstance(documentation, dict):
        raise field_error("documentation", "must be the encounter document (an object)")
    for key in ("practice", "account_number"):
        if key in record and (not isinstance(record[key], str) or not record[key].strip()):
            raise field_error(key, "must be text")
    encounter_id = record.get("encounter_id")
    if encounter_id is not None and (isinstance(encounter_id, bool) or not isinstance(encounter_id, int)):
        raise field_error("encounter_id", f"{encounter_id!r} is not a whole number")
    day = record.get("date_of_service")
    if day is not None and day != documentation.get("date_of_service"):
        raise field_error("date_of_service", f"{day!r} differs from documentation.date_of_service "
                                             f"{documentation.get('date_of_service')!r}; give one day")
    return {key: record[key] for key in RECORD_IDENTIFIERS if key in record}, documentation


def code_document(doc: Any, tables: CodingTables | None = None) -> CodingResult:
    """Validate and code one encounter document (a dict in the encounter format, or a record holding one)."""
    return code_encounter(parse_document(doc), tables or coding_tables())


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None


def code_text(text: str, tables: CodingTables | None = None) -> CodingResult:
    return code_document(_json(text), tables)


def code_text_json(text: str, tables: CodingTables | None = None) -> dict[str, Any]:
    """The result as JSON; a record's identifiers (practice, encounter_id, account_number) come first."""
    doc = _json(text)
    identifiers, _ = split_record(doc)
    return {**identifiers, **code_document(doc, tables).to_json()}


def code_lines(lines: Iterable[str], tables: CodingTables | None = None) -> Iterator[dict[str, Any]]:
    """One result per input line, in order; a line that fails gives ``{"error": ...}`` and the run goes on."""
    tables = tables or coding_tables()
    for number, line in enumerate(lines, start=1):
        try:
            yield code_text_json(line, tables)
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
    # Imported here: the rows pull in SQLAlchemy, which ``dermbill code`` (coding a file) never needs.
    from dermbill.db.models import ClaimLineRow, ClaimRow

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
        date_of_service=encounter.date_of_service,
        total_charge_cents=sum(line.charge_cents for line in lines), created_at=now, updated_at=now,
    )
    return claim, lines
