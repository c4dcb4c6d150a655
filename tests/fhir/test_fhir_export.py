"""FHIR R4 export: every resource of a paid claim validates with fhir.resources (R4B, R4's shape); codes in the
right systems and without CPT descriptor text; amounts exact; CARC and RARC in the adjudication."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir_world import paid_world

from dermbill.core.errors import InvalidFields, InvalidInput, NotFound
from dermbill.db.engine import Database
from dermbill.fhir import systems
from dermbill.fhir.validation import dumps, loads, problems_of, validated
from dermbill.services.fhir_export import DateFilter, export_bundle, parse_date_filter

NOW = datetime.datetime(2026, 4, 3, 12, 0, tzinfo=datetime.UTC)
BASE = "http://localhost:8000/fhir/R4"


def _by_type(bundle: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for entry in bundle["entry"]:
        found.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
    return found


def _codings(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return ([value] if "system" in value and "code" in value else []) + [
            c for item in value.values() for c in _codings(item)]
    if isinstance(value, list):
        return [c for item in value for c in _codings(item)]
    return []


def test_every_resource_of_a_paid_claim_validates_with_its_codes_amounts_and_adjudication(
        database: Database, tmp_path: Path) -> None:
    world = paid_world(database, tmp_path)

    bundle = export_bundle(database, [world.practice_id], actor="test", base=BASE, now=NOW,
                           claim_number=world.claim.pcn)

    text = dumps(bundle)
    Bundle.model_validate(loads(text))  # the whole Bundle, as written, is valid R4(B)
    resources = _by_type(bundle)
    assert {kind: len(found) for kind, found in resources.items()} == {
        "Patient": 1, "Coverage": 1, "Encounter": 1, "Condition": 1, "Procedure": 2, "Claim": 1,
        "ClaimResponse": 1, "ExplanationOfBenefit": 1}
    for entry in bundle["entry"]:
        assert problems_of(entry["resource"]) == []
        assert entry["fullUrl"] == f"{BASE}/{entry['resource']['resourceType']}/{entry['resource']['id']}"
    codings = _codings(bundle)
    cpt = [c for c in codings if c["system"] == systems.CPT]
    assert {c["code"] for c in cpt} >= {"11102", "17000", "59"}
    assert all("display" not in c for c in cpt)  # never CPT descriptor text
    assert {c["code"] for c in codings if c["system"] == systems.ICD10CM} == {"L82.1"}
    assert {c["code"] for c in codings if c["system"] == systems.CARC} == {"45", "1", "97"}
    assert {c["code"] for c in codings if c["system"] == systems.RARC} == {"N130"}
    claim = resources["Claim"][0]
    assert claim["provider"]["identifier"] == {"system": systems.NPI, "value": "1234567893"}
    assert claim["total"] == {"value": Decimal("240.00"), "currency": "USD"}
    assert [item["net"]["value"] for item in claim["item"]] == [Decimal("150.00"), Decimal("90.00")]
    assert '"value": 240.00' in text and '"value": 150.00' in text  # exact decimals, never 240.0
    answer = resources["ClaimResponse"][0]
    first = {(a["category"]["coding"][0]["code"], (a.get("reason") or {"coding": [{"code": None}]})["coding"][0]
              ["code"]): a.get("amount", {}).get("value") for a in answer["item"][0]["adjudication"]}
    assert first == {("submitted", None): Decimal("150.00"), ("eligible", None): Decimal("100.00"),
                     ("benefit", None): Decimal("80.00"), ("CO", "45"): Decimal("50.00"),
                     ("PR", "1"): Decimal("20.00")}
    assert answer["payment"]["amount"]["value"] == Decimal("80.00")
    assert answer["request"] == {"reference": f"Claim/{claim['id']}"}
    eob = resources["ExplanationOfBenefit"][0]
    assert [item["sequence"] for item in eob["item"]] == [1, 2]
    assert eob["item"][1]["adjudication"][-1]["reason"]["coding"][0] == {"system": systems.RARC, "code": "N130"}
    procedure = resources["Procedure"][1]
    assert [e for e in procedure["extension"] if e["url"] == systems.PROCEDURE_MODIFIER] == [
        {"url": systems.PROCEDURE_MODIFIER, "valueCode": "59"}]


def test_a_date_range_exports_its_claims_and_an_empty_range_is_not_found(database: Database, tmp_path: Path) -> None:
    world = paid_world(database, tmp_path)
    day = datetime.date(2026, 3, 2)

    bundle = export_bundle(database, [world.practice_id], actor="test", base=BASE, now=NOW, date_from=day,
                           date_to=day)

    assert len(_by_type(bundle)["Claim"]) == 1
    with pytest.raises(NotFound, match="no claim with a date of service"):
        export_bundle(database, [world.practice_id], actor="test", base=BASE, now=NOW,
                      date_from=day + datetime.timedelta(days=1), date_to=day + datetime.timedelta(days=9))
    with pytest.raises(NotFound):  # another practice's claim is not there
        export_bundle(database, [world.practice_id + 100], actor="test", base=BASE, now=NOW,
                      claim_number=world.claim.pcn)


def test_a_resource_that_does_not_validate_is_refused_at_its_field() -> None:
    with pytest.raises(InvalidFields) as refused:
        validated({"resourceType": "Patient", "id": "p1", "birthDate": "1950-13-01", "active": "perhaps"})
    assert {p.field for p in refused.value.problems} == {"Patient/p1.birthDate", "Patient/p1.active"}


def test_decimals_are_written_exactly_and_read_back_as_decimal() -> None:
    text = dumps({"value": Decimal("125.40"), "other": [Decimal("-0.05"), 3]}, indent=None)
    assert text == '{"value": 125.40, "other": [-0.05, 3]}'
    assert loads(text)["value"] == Decimal("125.40")
    with pytest.raises(InvalidInput, match="line 1, column"):
        loads("{")


@pytest.mark.parametrize(("values", "expected"), [
    (["ge2026-03-01", "le2026-03-31"], DateFilter(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))),
    (["2026-03-02"], DateFilter(datetime.date(2026, 3, 2), datetime.date(2026, 3, 2))),
    (["gt2026-03-01", "lt2026-03-05"], DateFilter(datetime.date(2026, 3, 2), datetime.date(2026, 3, 4))),
    ([], DateFilter()),
])
def test_date_search_prefixes(values: list[str], expected: DateFilter) -> None:
    assert parse_date_filter(values) == expected


@pytest.mark.parametrize("value", ["ap2026-03-01", "ge2026-3-1", "yesterday", "ge"])
def test_a_date_search_that_is_not_a_date_is_refused(value: str) -> None:
    with pytest.raises(InvalidInput, match="YYYY-MM-DD"):
        parse_date_filter([value])
