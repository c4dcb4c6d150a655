"""Pathology: encounters held for a pathology report, and the report's final diagnoses coding them again.

A lesion whose specimen is awaiting pathology (``"pathology": "pending"``) holds its encounter: its codes depend on
the report (benign or malignant excision, the diagnosis). Entering the final diagnosis of each such lesion (by hand
in the pathology inbox, or from the laboratory's HL7 ORU^R01) codes the encounter again, says what changed, and,
once nothing is pending, makes the encounter's claim (state ``coded``) to be scrubbed and sent.
"""

from __future__ import annotations

import copy
import datetime
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sqlalchemy import select

from dermbill.core.coding.result import CodedLine, CodingResult
from dermbill.core.coding.tables import CodingTables
from dermbill.core.errors import DermbillError, InvalidFields, NotFound, Problem
from dermbill.db.engine import Database
from dermbill.db.models import ClaimRow, EncounterRow, PatientRow
from dermbill.db.repositories import PracticeRepository, UnitOfWork
from dermbill.reference.coding_tables import coding_tables
from dermbill.services.coding import code_document
from dermbill.services.encounter_coding import make_claim, open_queries

PENDING = "pending"


@dataclass(frozen=True, slots=True)
class HeldEncounter:
    encounter_id: int
    practice: str
    account_number: str
    patient_name: str
    date_of_service: datetime.date
    pending: tuple[tuple[str, str, str], ...]  # (lesion, site, clinical diagnosis) awaiting pathology


@dataclass(frozen=True, slots=True)
class PathologyOutcome:
    encounter_id: int
    before: tuple[str, ...]  # the lines coded while pathology was pending ("11102 x1")
    after: tuple[str, ...]
    changes: tuple[str, ...]  # in words: "added 11642 x1 (...)", "removed ..."
    still_pending: tuple[str, ...]  # lesions whose pathology is still awaited
    claim_number: str | None  # the claim made (or already there)
    released: bool  # the encounter was held and now has its claim


def held_encounters(database: Database, practice_ids: Collection[int], *, actor: str,
                    limit: int = 200) -> list[HeldEncounter]:
    """The encounters of these practices held for pathology, oldest first (an audited read of patients)."""
    with UnitOfWork(database, actor=actor) as uow:
        rows = uow.session.execute(
            select(EncounterRow, PatientRow).join(PatientRow, (PatientRow.id == EncounterRow.patient_id)
                                                  & (PatientRow.practice_id == EncounterRow.practice_id))
            .where(EncounterRow.practice_id.in_(list(practice_ids)), EncounterRow.status == "held")
            .order_by(EncounterRow.date_of_service, EncounterRow.id).limit(limit)).all()
        codes = {p: uow.practice(p).practice.code for p in {e.practice_id for e, _ in rows}}
        found = [HeldEncounter(encounter.id, codes[encounter.practice_id], patient.account_number,
                               f"{patient.last_name}, {patient.first_name}", encounter.date_of_service,
                               tuple(pending_lesions(encounter.documentation))) for encounter, patient in rows
                 if pending_lesions(encounter.documentation)]  # held by a query alone: in the queries' list
        uow.audit_practices("pathology.held_listed", "encounter", practice_ids or [0],
                            detail={"encounters": [h.encounter_id for h in found]})
        uow.commit()
    return found


def pending_lesions(documentation: object) -> list[tuple[str, str, str]]:
    if not isinstance(documentation, dict):
        return []
    return [(str(lesion.get("id")), str(lesion.get("site", "")), str(lesion.get("diagnosis", "")))
            for lesion in documentation.get("lesions") or []
            if isinstance(lesion, dict) and lesion.get("pathology") == PENDING]


def enter_pathology(database: Database, practice_ids: Collection[int], encounter_id: int,
                    results: Mapping[str, str], *, actor: str) -> PathologyOutcome:
    """Enter the final pathology of an encounter's lesions (lesion id -> diagnosis key or ICD-10-CM code)."""
    with UnitOfWork(database, actor=actor) as uow:
        encounter = uow.session.get(EncounterRow, encounter_id)
        if encounter is None or encounter.practice_id not in practice_ids:
            raise NotFound(f"encounter {encounter_id} not found")
        outcome = apply_pathology(uow.practice(encounter.practice_id), encounter, results)
        uow.commit()
    return outcome


def apply_pathology(repo: PracticeRepository, encounter: EncounterRow, results: Mapping[str, str], *,
                    tables: CodingTables | None = None) -> PathologyOutcome:
    """Record the final diagnoses in the encounter's documentation and code it again, in the caller's unit of
    work; InvalidFields (field ``results.<lesion>``) naming every problem, with nothing changed."""
    tables = tables or coding_tables()
    documentation = copy.deepcopy(encounter.documentation)
    lesions = {str(lesion.get("id")).upper(): lesion for lesion in documentation.get("lesions") or []
               if isinstance(lesion, dict)} if isinstance(documentation, dict) else {}
    claim = repo.session.scalars(select(ClaimRow).where(
        ClaimRow.practice_id == repo.practice_id, ClaimRow.encounter_id == encounter.id).order_by(ClaimRow.id)).first()
    problems: list[Problem] = []
    if not results:
        problems.append(Problem("results", "name at least one lesion and its final diagnosis"))
    for lesion_id, diagnosis in results.items():
        where = f"results.{lesion_id}"
        lesion = lesions.get(lesion_id.strip().upper())
        if lesion is None:
            known = ", ".join(lesions) or "none documented"
            problems.append(Problem(where, f"encounter {encounter.id} has no lesion {lesion_id} (its lesions: "
                                    f"{known})"))
        elif lesion.get("pathology") is None:
            problems.append(Problem(where, f"lesion {lesion_id} has no specimen documented (no pathology "
                                    "pending): correct the documentation first"))
        elif not str(diagnosis).strip() or str(diagnosis).strip().lower() == PENDING:
            problems.append(Problem(where, "give the final diagnosis (a diagnosis key or an ICD-10-CM code)"))
        elif lesion.get("pathology") != PENDING and claim is not None and claim.status not in ("coded", "held"):
            problems.append(Problem(where, f"lesion {lesion_id} already has its final pathology and the claim "
                                    f"{claim.patient_control_number} is {claim.status.replace('_', ' ')}: "
                                    "make a corrected claim instead"))
        else:
            lesion["pathology"] = str(diagnosis).strip()
    if problems:
        raise InvalidFields(f"the pathology of encounter {encounter.id} was not entered", tuple(problems))
    before = _coded(encounter.documentation, tables)
    try:
        after = code_document(documentation, tables)
    except DermbillError as exc:
        first = next(iter(results))
        raise InvalidFields(f"the pathology of encounter {encounter.id} was not entered",
                            (Problem(f"results.{first}", str(exc)),)) from None
    encounter.documentation = documentation
    still = tuple(lesion for lesion, _, _ in pending_lesions(documentation))
    released = False
    number = claim.patient_control_number if claim is not None else None
    queried = open_queries(repo, encounter.id)  # a query to the provider still holds the claim
    if encounter.status == "held" and not after.holds and not queried:
        number = make_claim(repo, encounter, after) or number
        released = True
    repo.flush()
    changes = _changes(before.lines if before else (), after.lines)
    repo.audit("encounter.pathology_entered", "encounter", encounter.id,
               {"lesions": sorted(results), "released": released, "claim": number, "changes": list(changes)})
    return PathologyOutcome(encounter.id, _shown(before.lines if before else ()), _shown(after.lines), changes,
                            still, number, released)


def _coded(documentation: object, tables: CodingTables) -> CodingResult | None:
    try:
        return code_document(documentation, tables)
    except DermbillError:
        return None


def _label(line: CodedLine) -> str:
    modifiers = f"-{'-'.join(line.modifiers)}" if line.modifiers else ""
    return f"{line.code}{modifiers} x{line.units}"


def _shown(lines: tuple[CodedLine, ...]) -> tuple[str, ...]:
    return tuple(f"{_label(line)} ({', '.join(line.diagnoses)})" for line in lines)


def _changes(before: tuple[CodedLine, ...], after: tuple[CodedLine, ...]) -> tuple[str, ...]:
    """What the final pathology changed, line by line, in words."""
    old = Counter((_label(line), line.diagnoses) for line in before)
    new = Counter((_label(line), line.diagnoses) for line in after)
    explained = {(_label(line), line.diagnoses): line.explanation for line in after}
    words = [f"added {label} for {', '.join(diagnoses)}: {explained[(label, diagnoses)]}"
             for (label, diagnoses) in (new - old).elements()]
    words += [f"removed {label} for {', '.join(diagnoses)}" for (label, diagnoses) in (old - new).elements()]
    return tuple(words) or ("no line changed",)
