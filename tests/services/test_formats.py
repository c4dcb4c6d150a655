"""The encounter and claim formats: the JSON Schemas shipped in the package agree with the parsers, and an encounter
record (a line of the demo's encounters.jsonl) codes like the document it holds."""

from __future__ import annotations

import datetime
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from tests_paths import REPO_ROOT, SHARED

from dermbill.core.coding.encounter import parse_encounter
from dermbill.core.errors import InvalidInput
from dermbill.core.scrubber.claim import parse_claim
from dermbill.schemas import schema
from dermbill.services.coding import code_document, code_lines, code_text_json
from dermbill.services.demo import charge_master
from dermbill.services.document_scrubbing import claim_document

ENCOUNTER = {"date_of_service": "2026-04-14", "payer": "medicare", "patient": {"age": 71, "sex": "M"}, "visit": None,
             "lesions": [{"id": "A", "site": "forearm", "laterality": "left",
                          "diagnosis": "neoplasm_unspecified_behavior", "pathology": "bcc", "diameter_cm": 0.6,
                          "procedures": [{"type": "biopsy", "technique": "tangential"}]}], "services": []}
RECORD = {"practice": "D1", "encounter_id": 17, "account_number": "D1-000004", "date_of_service": "2026-04-14",
          "documentation": ENCOUNTER}


def _validator(name: str) -> jsonschema.Draft202012Validator:
    loaded = schema(name)  # type: ignore[arg-type]
    jsonschema.Draft202012Validator.check_schema(loaded)
    return jsonschema.Draft202012Validator(loaded, format_checker=jsonschema.FormatChecker())


def _known_fields(parse: Any, doc: Any) -> set[str]:
    """The keys a parser accepts at one place, read from its 'is not a known field (expected: ...)' error."""
    with pytest.raises(InvalidInput) as raised:
        parse(doc)
    found = re.search(r"is not a known field \(expected: ([^)]*)\)", str(raised.value))
    assert found, str(raised.value)
    return set(found.group(1).split(", "))


def test_the_encounter_schema_has_the_parsers_fields() -> None:
    defs = schema("encounter")["$defs"]
    assert set(defs["encounter"]["properties"]) == _known_fields(parse_encounter, {"zzqqxx": 1})
    assert set(defs["encounter"]["properties"]["patient"]["properties"]) == _known_fields(
        parse_encounter, {**ENCOUNTER, "patient": {"zzqqxx": 1}})
    assert set(defs["lesion"]["properties"]) == _known_fields(
        parse_encounter, {**ENCOUNTER, "lesions": [{"zzqqxx": 1}]})
    record_fields = _known_fields(code_document, {"documentation": ENCOUNTER, "zzqqxx": 1})
    assert set(defs["encounter_record"]["properties"]) == record_fields


def test_the_claim_schema_has_the_parsers_fields() -> None:
    claim = schema("claim")
    assert set(claim["properties"]) == _known_fields(parse_claim, {"zzqqxx": 1})
    assert set(claim["$defs"]["line"]["properties"]) == _known_fields(parse_claim, {"lines": [{"zzqqxx": 1}]})
    assert set(claim["$defs"]["prior_procedure"]["properties"]) == _known_fields(
        parse_claim, {"prior_procedures": [{"zzqqxx": 1}]})
    provider = claim["properties"]["billing_provider"]["oneOf"][1]["properties"]
    assert set(provider) == _known_fields(parse_claim, {"billing_provider": {"zzqqxx": 1}})


@pytest.mark.skipif(not (SHARED / "derm-coding" / "encounter.schema.json").exists(), reason="shared/ not beside")
def test_the_shipped_encounter_schema_is_the_shared_contract_plus_the_record() -> None:
    shared = json.loads((SHARED / "derm-coding" / "encounter.schema.json").read_text())
    shipped = schema("encounter")
    document = {key: shared[key] for key in ("type", "additionalProperties", "required", "properties")}
    assert {k: v for k, v in shipped["$defs"]["encounter"].items() if k != "description"} == document
    assert {k: v for k, v in shipped["$defs"].items() if k not in ("encounter", "encounter_record")} == shared["$defs"]


def test_documents_and_records_validate_and_a_records_identifiers_come_back() -> None:
    validator = _validator("encounter")
    validator.validate(ENCOUNTER)
    validator.validate(RECORD)
    assert not validator.is_valid({**RECORD, "colour": "red"})
    coded = code_text_json(json.dumps(RECORD))
    assert list(coded)[:3] == ["practice", "encounter_id", "account_number"]
    assert coded == {"practice": "D1", "encounter_id": 17, "account_number": "D1-000004",
                     **code_text_json(json.dumps(ENCOUNTER))}
    assert code_document(RECORD) == code_document(ENCOUNTER)


@pytest.mark.parametrize(("record", "message"), [
    ({**RECORD, "colour": "red"}, "colour: is not a known field"),
    ({**RECORD, "date_of_service": "2026-04-15"}, "date_of_service: '2026-04-15' differs from documentation"),
    ({**RECORD, "encounter_id": "17"}, "encounter_id: '17' is not a whole number"),
    ({**RECORD, "documentation": [ENCOUNTER]}, "documentation: must be the encounter document"),
    ({**RECORD, "documentation": {**ENCOUNTER, "lesions": [{**ENCOUNTER["lesions"][0], "site": "nose tip"}]}},  # type: ignore[index]
     "documentation.lesions[0].site: 'nose tip' is not a site"),
])
def test_a_bad_record_names_the_field(record: dict[str, Any], message: str) -> None:
    [result] = code_lines([json.dumps(record)])
    assert result["error"].startswith(f"line 1: {message}"), result


def test_every_claim_the_engine_makes_validates_against_the_claim_schema() -> None:
    validator = _validator("claim")
    charges = {code: money.cents for (code, modifier), money in charge_master(250, on=datetime.date(2025, 1, 1))
               .items() if modifier == ""}
    examples = SHARED / "derm-coding" / "examples.jsonl"
    encounters = [json.loads(line)["encounter"] for line in examples.read_text().splitlines()] \
        if examples.exists() else [ENCOUNTER]
    for encounter in encounters:
        claim = claim_document(code_document(encounter), encounter, billing_npi="1234567893", taxonomy="207N00000X",
                               rendering_npi="1234560013", place_of_service="11", charges=charges,
                               submitted_on=datetime.date.fromisoformat(encounter["date_of_service"]))
        errors = sorted(validator.iter_errors(claim), key=str)
        assert not errors, f"{errors[0].message} at {list(errors[0].absolute_path)}"
        parse_claim(claim)


def test_the_schemas_are_package_data() -> None:
    globs = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["dermbill"]
    for path in (REPO_ROOT / "dermbill" / "schemas").glob("*.json"):
        assert any(Path(path.relative_to(REPO_ROOT / "dermbill")).match(glob) for glob in globs), path.name
