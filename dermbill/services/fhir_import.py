"""FHIR R4 in: an EHR's Bundle of Patient, Coverage, Encounter, Procedure and Condition into a practice.

Patients are found by account number (their MR identifier) and created or updated; coverage by patient, payer
and member ID. Each Encounter with its completed Procedures (CPT/HCPCS with modifiers and units, the site) and
Conditions (ICD-10-CM) becomes an encounter with charges and its claim through ``charges_in.record_charges``, as
an HL7 DFT does: the Encounter's identifier is the visit number, so the same visit imported again is found and its
charges are not added twice.

One transaction: a Bundle with any problem saves nothing, and every problem is reported at its resource and field
(``Patient/p1.birthDate: 2031-01-01 is after today (2026-03-02)``). ``dry_run`` checks and reports everything and
saves nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from dermbill.core.errors import InvalidFields, InvalidInput, NotFound, Problem
from dermbill.core.patient_edits import new_coverage
from dermbill.db.engine import Database
from dermbill.db.models import CoverageRow, EncounterRow, PayerRow, PracticeRow
from dermbill.db.repositories import PracticeRepository, UnitOfWork
from dermbill.fhir.ehr_bundle import ImportedCoverage, ImportedPatient, ImportedVisit, read_bundle
from dermbill.services.charges_in import ChargeLine, VisitCharges, record_charges
from dermbill.services.intake import Outcome, find_patient, register_coverage, register_patient

SOURCE = "FHIR"


@dataclass(frozen=True, slots=True)
class ImportedVisitOutcome:
    resource: str  # Encounter/e1
    visit_id: str
    status: str  # recorded | already imported
    claim: str | None
    lines: int
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"resource": self.resource, "visit_id": self.visit_id, "status": self.status, "claim": self.claim,
                "lines": self.lines, "notes": list(self.notes)}


@dataclass(frozen=True, slots=True)
class FhirImportOutcome:
    practice: str
    dry_run: bool
    patients: dict[str, int]  # created, updated, unchanged
    coverages: dict[str, int]
    visits: tuple[ImportedVisitOutcome, ...]
    skipped: tuple[str, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {"practice": self.practice, "dry_run": self.dry_run, "patients": dict(self.patients),
                "coverages": dict(self.coverages), "visits": [v.to_json() for v in self.visits],
                "skipped": list(self.skipped)}


def import_bundle(database: Database, data: Any, *, actor: str, as_of: datetime.date, practice: str | None = None,
                  practice_ids: Collection[int] | None = None, dry_run: bool = False) -> FhirImportOutcome:
    """Import a Bundle (already read as JSON, decimals as Decimal) into a practice (its code; may be left out when
    there is one practice). ``practice_ids``: the practices the caller may change (None: all, for the command).
    InvalidFields naming every problem, with nothing saved."""
    bundle = read_bundle(data)
    problems: list[Problem] = []
    with UnitOfWork(database, actor=actor) as uow:
        repo = uow.practice(_practice(uow, practice, practice_ids).id)
        patients = {p.where: p for p in bundle.patients}
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        coverage_counts = dict(counts)
        saved = set()
        for imported in bundle.patients:
            outcome = _save_patient(repo, imported, as_of, problems)
            if outcome:
                counts[outcome] += 1
                saved.add(imported.where)
        repo.flush()
        payers = repo.payers()
        for coverage in bundle.coverages:
            patient = patients.get(coverage.patient)
            if patient is None:
                continue  # its Patient had problems of its own, reported above
            outcome = _save_coverage(repo, coverage, patient.account_number, payers, as_of, problems)
            if outcome:
                coverage_counts[outcome] += 1
        repo.flush()
        visits = []
        for visit in bundle.visits:
            patient = patients.get(visit.patient)
            if patient is not None and patient.where in saved:
                recorded = _record_visit(repo, visit, patient.account_number, problems)
                if recorded is not None:
                    visits.append(recorded)
        if problems:
            raise InvalidFields("nothing was imported", tuple(problems))
        outcome_ = FhirImportOutcome(repo.practice.code, dry_run, counts, coverage_counts, tuple(visits),
                                     bundle.skipped)
        if not dry_run:
            repo.audit("fhir.import", "practice", repo.practice_id, {
                "patients": counts, "coverages": coverage_counts,
                "visits": [v.visit_id for v in visits if v.status == "recorded"]})
            uow.commit()
    return outcome_


def _practice(uow: UnitOfWork, code: str | None, practice_ids: Collection[int] | None) -> PracticeRow:
    query = select(PracticeRow).order_by(PracticeRow.id)
    if practice_ids is not None:
        query = query.where(PracticeRow.id.in_(sorted(practice_ids)))
    rows = list(uow.session.scalars(query))
    if code is not None:
        rows = [row for row in rows if row.code.casefold() == code.strip().casefold()]
        if not rows:
            raise NotFound(f"no practice {code!r} among the practices you may import into")
    if len(rows) != 1:
        raise InvalidInput(f"{len(rows)} practices could take the Bundle ({', '.join(r.code for r in rows)}): "
                           "name one with --practice")
    return rows[0]


def _at(paths: Mapping[str, str], where: str, problems: Collection[Problem]) -> list[Problem]:
    """Problems of core checks (named by field) at the resource's FHIRPath-like places."""
    return [Problem(paths.get(p.field, f"{where}.{p.field}"), p.message) for p in problems]


def _save_patient(repo: PracticeRepository, imported: ImportedPatient, as_of: datetime.date,
                  problems: list[Problem]) -> str | None:
    try:
        return register_patient(repo, imported.account_number, imported.values, as_of=as_of, via=SOURCE).outcome.value
    except InvalidFields as refused:
        problems += _at(imported.paths, imported.where, refused.problems)
        return None


def _save_coverage(repo: PracticeRepository, imported: ImportedCoverage, account_number: str, payers: list[PayerRow],
                   as_of: datetime.date, problems: list[Problem]) -> str | None:
    payer = next((p for p in payers if p.payer_identifier == imported.payer), None) or next(
        (p for p in payers if p.name.casefold() == imported.payer.casefold()), None)
    if payer is None:
        problems.append(Problem(imported.paths["payer"], f"{imported.payer!r} is neither the payer ID nor the name of "
                                "one of the billing company's payers: add the payer first, or name it by its ID"))
        return None
    values = {**imported.values, "payer": payer.payer_identifier}
    try:
        if find_patient(repo, account_number) is None:  # its Patient was refused: the coverage is checked, not saved
            new_coverage(imported.where, values, payers=[p.payer_identifier for p in payers],
                         medicare_payers=[p.payer_identifier for p in payers if p.kind == "medicare"], as_of=as_of)
            return None
        registered = register_coverage(repo, account_number, values, as_of=as_of, via=SOURCE)
    except InvalidFields as refused:
        problems += _at(imported.paths, imported.where, refused.problems)
        return None
    copay = imported.copay.cents if imported.copay is not None else None
    row = repo.session.get(CoverageRow, registered.record_id)
    assert row is not None
    if row.copay_cents == copay:
        return registered.outcome.value
    before, row.copay_cents = row.copay_cents, copay
    repo.audit("coverage.edited", "coverage", row.id, {"patient": account_number, "before": {"copay_cents": before},
                                                       "after": {"copay_cents": copay}, "via": SOURCE})
    return registered.outcome.value if registered.outcome is Outcome.CREATED else Outcome.UPDATED.value


def _charges(visit: ImportedVisit, account_number: str) -> VisitCharges:
    return VisitCharges(
        account_number=account_number, date_of_service=visit.date_of_service,
        lines=tuple(ChargeLine(p.code, p.units, p.modifiers, p.diagnoses, None, p.site) for p in visit.procedures),
        diagnoses=visit.diagnoses, visit_id=visit.visit_id, provider_npi=visit.provider_npi, location=visit.location,
        source=f"{SOURCE} {visit.where}")


def _already_imported(repo: PracticeRepository, charges: VisitCharges) -> EncounterRow | None:
    """The encounter of the visit when these very charges came in for it before (the Bundle imported again)."""
    found = repo.session.scalars(select(EncounterRow).where(
        EncounterRow.practice_id == repo.practice_id, EncounterRow.external_id == charges.visit_id)).first()
    if found is None:
        return None
    sent = [{"code": line.code, "units": line.units, "modifiers": list(line.modifiers),
             "diagnoses": list(line.diagnoses), **({"site": line.site} if line.site else {})}
            for line in charges.lines]
    feeds = (found.documentation or {}).get("feeds") or []
    return found if any(isinstance(feed, dict) and feed.get("charges") == sent for feed in feeds) else None


def _record_visit(repo: PracticeRepository, visit: ImportedVisit, account_number: str,
                  problems: list[Problem]) -> ImportedVisitOutcome | None:
    charges = _charges(visit, account_number)
    if _already_imported(repo, charges) is not None:
        return ImportedVisitOutcome(visit.where, visit.visit_id, "already imported", None, 0)
    try:
        recorded = record_charges(repo, charges)
    except InvalidFields as refused:
        problems += [Problem(_visit_path(visit, p.field), p.message) for p in refused.problems]
        return None
    return ImportedVisitOutcome(visit.where, visit.visit_id, "recorded", recorded.claim_number, recorded.lines_added,
                                recorded.notes)


def _visit_path(visit: ImportedVisit, name: str) -> str:
    """``lines[1].code`` (record_charges' field) -> ``Procedure/pr2.code``."""
    if name.startswith("lines["):
        number, _, rest = name[6:].partition("]")
        procedure = visit.procedures[int(number)] if number.isdigit() and int(number) < len(visit.procedures) \
            else None
        if procedure is not None:
            element = {".code": "code", ".units": "extension", ".modifiers": "extension"}.get(
                rest, "reasonReference" if rest.startswith(".diagnoses") else rest.lstrip("."))
            return f"{procedure.where}.{element}"
    if name.startswith("diagnoses["):
        number = name[10:].partition("]")[0]
        if number.isdigit() and int(number) < len(visit.diagnosis_paths):
            return visit.diagnosis_paths[int(number)]
    element = {"provider_npi": "participant", "location": "location", "account_number": "subject",
               "visit_id": "identifier", "diagnoses": "diagnosis"}.get(name, name)
    return f"{visit.where}.{element}"
