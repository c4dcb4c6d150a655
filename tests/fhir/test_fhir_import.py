"""FHIR R4 import: an EHR's Bundle becomes patients, coverage and an encounter with charges; an exported Bundle
round-trips into an empty practice; a second import duplicates nothing; a bad Bundle names the resource and field
and saves nothing."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from fhir_world import empty_practice, paid_world
from sqlalchemy import func, select

from dermbill.core.errors import InvalidFields
from dermbill.db.engine import Database
from dermbill.db.models import ClaimLineRow, ClaimRow, CoverageRow, EncounterRow, PatientRow
from dermbill.db.repositories import UnitOfWork
from dermbill.fhir import systems
from dermbill.fhir.ehr_bundle import read_bundle
from dermbill.fhir.validation import dumps, loads
from dermbill.services.fhir_export import export_bundle
from dermbill.services.fhir_import import import_bundle

NOW = datetime.datetime(2026, 4, 3, 12, 0, tzinfo=datetime.UTC)
AS_OF = NOW.date()
BASE = "http://localhost:8000/fhir/R4"


def ehr_bundle(*, birth_date: str = "1950-01-01", code: str = "11102") -> dict[str, Any]:
    """An EHR's export: a patient, her Medicare coverage, a visit with a biopsy (at a site) and three destructions
    (units, a modifier), two diagnoses; references by urn:uuid as a transaction Bundle has them."""
    def entry(uuid: str, resource: dict[str, Any]) -> dict[str, Any]:
        return {"fullUrl": f"urn:uuid:{uuid}", "resource": resource,
                "request": {"method": "PUT", "url": f"{resource['resourceType']}/{resource['id']}"}}
    patient = {"reference": "urn:uuid:00000000-0000-0000-0000-000000000001"}
    visit = {"reference": "urn:uuid:00000000-0000-0000-0000-000000000003"}
    return {"resourceType": "Bundle", "type": "transaction", "entry": [
        entry("00000000-0000-0000-0000-000000000001", {
            "resourceType": "Patient", "id": "p1",
            "identifier": [{"type": {"coding": [{"system": systems.IDENTIFIER_TYPE, "code": "MR"}]},
                            "system": "urn:oid:1.2.3.4", "value": "MRN-77"}],
            "name": [{"family": "TEST", "given": ["ALPHA", "Q"]}], "gender": "female", "birthDate": birth_date,
            "address": [{"line": ["9 TEST AVE"], "city": "ANYTOWN", "state": "PA", "postalCode": "19099-0001"}]}),
        entry("00000000-0000-0000-0000-000000000002", {
            "resourceType": "Coverage", "id": "c1", "status": "active", "beneficiary": patient,
            "subscriberId": "1EG4-TE5-MK72", "payor": [{"identifier": {"value": "TSTMCR"}}],
            "period": {"start": "2026-01-01"}, "order": 1}),
        entry("00000000-0000-0000-0000-000000000003", {
            "resourceType": "Encounter", "id": "e1", "identifier": [{"system": "urn:oid:1.2.3.5", "value": "V-100"}],
            "status": "finished", "class": {"system": systems.ENCOUNTER_CLASS, "code": "AMB"}, "subject": patient,
            "participant": [{"individual": {"identifier": {"system": systems.NPI, "value": "1234567893"}}}],
            "period": {"start": "2026-03-02T09:30:00-05:00"}, "location": [{"location": {"display": "Office"}}]}),
        entry("00000000-0000-0000-0000-000000000004", {
            "resourceType": "Condition", "id": "d1", "subject": patient, "encounter": visit,
            "code": {"coding": [{"system": systems.ICD10CM, "code": "L57.0"}]}}),
        entry("00000000-0000-0000-0000-000000000005", {
            "resourceType": "Condition", "id": "d2", "subject": patient, "encounter": visit,
            "code": {"coding": [{"system": systems.ICD10CM, "code": "D48.5"}]}}),
        entry("00000000-0000-0000-0000-000000000006", {
            "resourceType": "Procedure", "id": "pr1", "status": "completed", "subject": patient, "encounter": visit,
            "code": {"coding": [{"system": systems.CPT, "code": code}]}, "bodySite": [{"text": "left forearm"}],
            "reasonReference": [{"reference": "urn:uuid:00000000-0000-0000-0000-000000000005"}]}),
        entry("00000000-0000-0000-0000-000000000007", {
            "resourceType": "Procedure", "id": "pr2", "status": "completed", "subject": patient, "encounter": visit,
            "code": {"coding": [{"system": systems.CPT, "code": "17000"}]},
            "extension": [{"url": systems.PROCEDURE_MODIFIER, "valueCode": "59"}],
            "reasonReference": [{"reference": "urn:uuid:00000000-0000-0000-0000-000000000004"}]}),
        entry("00000000-0000-0000-0000-000000000008", {
            "resourceType": "Procedure", "id": "pr3", "status": "completed", "subject": patient, "encounter": visit,
            "code": {"coding": [{"system": systems.CPT, "code": "17003"}]},
            "extension": [{"url": systems.PROCEDURE_UNITS, "valueInteger": 3}],
            "reasonReference": [{"reference": "urn:uuid:00000000-0000-0000-0000-000000000004"}]}),
        entry("00000000-0000-0000-0000-000000000009", {
            "resourceType": "Procedure", "id": "pr4", "status": "not-done", "subject": patient, "encounter": visit,
            "code": {"coding": [{"system": systems.CPT, "code": "11102"}]}}),
    ]}


def _count(database: Database, row_type: Any, practice_id: int) -> int:
    with UnitOfWork(database, actor="test") as uow:
        return int(uow.session.scalar(select(func.count()).select_from(row_type).where(
            row_type.practice_id == practice_id)) or 0)


def test_an_ehr_bundle_becomes_a_patient_coverage_and_an_encounter_with_its_charges(database: Database) -> None:
    practice = empty_practice(database)

    outcome = import_bundle(database, ehr_bundle(), actor="test", as_of=AS_OF, practice="NEW")

    assert outcome.patients == {"created": 1, "updated": 0, "unchanged": 0}
    assert outcome.coverages == {"created": 1, "updated": 0, "unchanged": 0}
    assert [(v.resource, v.visit_id, v.status, v.lines) for v in outcome.visits] == [
        ("Encounter/e1", "V-100", "recorded", 3)]
    with UnitOfWork(database, actor="test") as uow:
        patient = uow.session.scalars(select(PatientRow).where(PatientRow.practice_id == practice)).one()
        assert (patient.account_number, patient.middle_name, patient.zip_code) == ("MRN-77", "Q", "190990001")
        coverage = uow.session.scalars(select(CoverageRow).where(CoverageRow.practice_id == practice)).one()
        assert (coverage.member_id, coverage.coverage_order) == ("1EG4TE5MK72", "primary")  # an MBI, unhyphenated
        claim = uow.session.scalars(select(ClaimRow).where(ClaimRow.practice_id == practice)).one()
        lines = list(uow.session.scalars(select(ClaimLineRow).where(ClaimLineRow.claim_id == claim.id)
                                         .order_by(ClaimLineRow.line_number)))
        assert claim.diagnosis_codes == ["L57.0", "D48.5"]
        assert [(x.procedure_code, x.modifiers, x.units, x.diagnosis_pointers) for x in lines] == [
            ("11102", [], 1, [2]), ("17000", ["59"], 1, [1]), ("17003", [], 3, [1])]
        encounter = uow.session.scalars(select(EncounterRow).where(EncounterRow.practice_id == practice)).one()
        assert encounter.external_id == "V-100"
        assert encounter.documentation["feeds"][0]["charges"][0]["site"] == "left forearm"
    assert any("Procedure/pr4" in note for note in outcome.skipped)


def test_the_same_bundle_imported_twice_duplicates_nothing(database: Database) -> None:
    practice = empty_practice(database)
    import_bundle(database, ehr_bundle(), actor="test", as_of=AS_OF, practice="NEW")
    counted = [_count(database, row, practice) for row in (PatientRow, CoverageRow, EncounterRow, ClaimLineRow)]

    again = import_bundle(database, ehr_bundle(), actor="test", as_of=AS_OF, practice="NEW")

    assert again.patients == {"created": 0, "updated": 0, "unchanged": 1}
    assert again.coverages == {"created": 0, "updated": 0, "unchanged": 1}
    assert [v.status for v in again.visits] == ["already imported"]
    assert [_count(database, row, practice) for row in (PatientRow, CoverageRow, EncounterRow, ClaimLineRow)] == \
        counted


def test_a_bad_bundle_names_each_resource_and_field_and_saves_nothing(database: Database) -> None:
    practice = empty_practice(database)

    with pytest.raises(InvalidFields) as refused:
        import_bundle(database, ehr_bundle(birth_date="2031-01-01", code="99999"), actor="test", as_of=AS_OF,
                      practice="NEW")

    problems = {p.field: p.message for p in refused.value.problems}
    assert "after today" in problems["Patient/p1.birthDate"]
    assert [_count(database, row, practice) for row in (PatientRow, CoverageRow, EncounterRow)] == [0, 0, 0]
    with pytest.raises(InvalidFields) as malformed:
        import_bundle(database, ehr_bundle(birth_date="1950-13-01"), actor="test", as_of=AS_OF, practice="NEW")
    assert [p.field for p in malformed.value.problems] == ["Patient/p1.birthDate"]


def test_a_procedure_code_not_in_force_is_named_at_its_procedure(database: Database) -> None:
    empty_practice(database)
    with pytest.raises(InvalidFields) as refused:
        import_bundle(database, ehr_bundle(code="99999"), actor="test", as_of=AS_OF, practice="NEW")
    assert [p.field for p in refused.value.problems] == ["Procedure/pr1.code"]


def test_a_dry_run_reports_and_saves_nothing(database: Database) -> None:
    practice = empty_practice(database)
    outcome = import_bundle(database, ehr_bundle(), actor="test", as_of=AS_OF, practice="NEW", dry_run=True)
    assert outcome.dry_run and [v.status for v in outcome.visits] == ["recorded"]
    assert _count(database, PatientRow, practice) == 0


def test_a_bundle_of_another_kind_or_with_a_procedure_outside_a_visit_is_refused_at_the_place() -> None:
    bundle = ehr_bundle()
    bundle["type"] = "history"
    del bundle["entry"][5]["resource"]["encounter"]
    with pytest.raises(InvalidFields) as refused:
        read_bundle(bundle)
    assert {p.field for p in refused.value.problems} == {"Bundle.type", "Procedure/pr1.encounter"}


def test_an_exported_claim_round_trips_into_an_empty_practice(database: Database, tmp_path: Path) -> None:
    world = paid_world(database, tmp_path)
    first = export_bundle(database, [world.practice_id], actor="test", base=BASE, now=NOW,
                          claim_number=world.claim.pcn)
    practice = empty_practice(database)

    outcome = import_bundle(database, loads(dumps(first)), actor="test", as_of=AS_OF, practice="NEW")
    again = export_bundle(database, [practice], actor="test", base=BASE, now=NOW, claim_number=outcome.visits[0].claim)

    def kept(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
        """The resources of a kind without what names the practice's rows (ids, references, identifier systems)."""
        found = []
        for entry in bundle["entry"]:
            resource = dict(entry["resource"])
            if resource["resourceType"] != kind:
                continue
            for name in ("id", "subject", "encounter", "beneficiary", "subscriber", "reasonReference", "identifier"):
                resource.pop(name, None)
            found.append(resource)
        return found
    assert outcome.visits[0].status == "recorded"
    for kind in ("Patient", "Coverage", "Procedure", "Condition"):
        assert kept(again, kind) == kept(first, kind), kind
    patient_identifiers = [e["resource"]["identifier"][0]["value"] for b in (first, again) for e in b["entry"]
                           if e["resource"]["resourceType"] == "Patient"]
    assert patient_identifiers == ["A-1", "A-1"]
