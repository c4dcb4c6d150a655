"""Charges coded in the practice's EHR (an HL7 DFT^P03, a FHIR Encounter with its Procedures) as an encounter and
its claim here.

The EHR sends a visit's charges already coded: procedure codes with modifiers and units, the visit's diagnoses, the
rendering provider and where. They become an encounter (its documentation records the charges as sent, so the
coder sees what came in) and a claim in state ``coded``, which the scrubber checks like any other before it is sent.

Charges sent again for the same visit (the EHR's visit number) are added to the encounter's claim while the claim
is not yet sent; a claim already sent is never changed by a feed: the charges are refused with what to do (a
corrected claim), and the message that carried them is kept for replay.

Every problem names a field (``account_number``, ``provider_npi``, ``lines[1].code`` ...): the interface that
read the charges says where in its message that field came from.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select

from dermbill.core.coding.engine import MAX_CLAIM_DIAGNOSES
from dermbill.core.coding.result import CodedLine, CodingResult
from dermbill.core.coding.tables import CodingTables
from dermbill.core.dates import DateRange
from dermbill.core.errors import InvalidFields, Problem
from dermbill.db.models import (
    ClaimLineRow,
    ClaimRow,
    CoverageRow,
    EncounterRow,
    FeeScheduleItemRow,
    FeeScheduleRow,
    PatientRow,
    ProviderRow,
    ServiceLocationRow,
)
from dermbill.db.repositories import PracticeRepository
from dermbill.reference.coding_tables import coding_tables, with_dot
from dermbill.services.authorizations import authorization_for_claim
from dermbill.services.coding import claim_rows

NOT_SENT = ("coded", "scrub_errors", "ready")  # a claim a feed may still add charges to
MAX_UNITS = 999


@dataclass(frozen=True, slots=True)
class ChargeLine:
    """One charge: a CPT/HCPCS code, its modifiers and units, the diagnoses it is for, and the EHR's amount."""

    code: str
    units: int = 1
    modifiers: tuple[str, ...] = ()
    diagnoses: tuple[str, ...] = ()  # ICD-10-CM codes; none: the visit's first diagnosis
    charge_cents: int | None = None  # None: the practice's fee schedule
    site: str | None = None  # the EHR's words for where (kept for the coder, e.g. "left dorsal hand")


@dataclass(frozen=True, slots=True)
class VisitCharges:
    """A visit's charges as an EHR sends them."""

    account_number: str
    date_of_service: datetime.date
    lines: tuple[ChargeLine, ...]
    diagnoses: tuple[str, ...] = ()
    visit_id: str | None = None  # the EHR's visit number
    provider_npi: str | None = None  # None: the practice's only active provider
    location: str | None = None  # a service location's name; None: the practice's only location
    source: str = "EHR"  # what sent them ("HL7 DFT^P03 control ID 123"), kept with the encounter


@dataclass(frozen=True, slots=True)
class RecordedCharges:
    encounter_id: int
    claim_id: int | None  # None for a self-pay patient (no coverage on the day): billed to the patient
    claim_number: str | None
    lines_added: int
    new_encounter: bool
    notes: tuple[str, ...] = field(default=())


def record_charges(repo: PracticeRepository, charges: VisitCharges, *, tables: CodingTables | None = None
                   ) -> RecordedCharges:
    """Save a visit's charges as an encounter and its claim (state ``coded``), in the caller's unit of work;
    InvalidFields naming every problem, with nothing saved, when they cannot be."""
    tables = tables or coding_tables()
    problems: list[Problem] = []
    patient = repo.session.scalars(select(PatientRow).where(
        PatientRow.practice_id == repo.practice_id, PatientRow.account_number == charges.account_number)).first()
    if patient is None:
        problems.append(Problem("account_number", f"no patient with account number {charges.account_number!r} in "
                                f"practice {repo.practice.code}: register the patient first (an ADT^A04)"))
    provider = _provider(repo, charges.provider_npi, problems)
    location = _location(repo, charges.location, problems)
    diagnoses = _diagnoses(charges, tables, problems)
    lines = _lines(charges, tables, problems)
    if problems:
        raise InvalidFields("the charges were not saved", tuple(problems))
    assert patient is not None and provider is not None and location is not None
    encounter = _encounter(repo, charges, patient, provider, location, problems)
    if problems:
        raise InvalidFields("the charges were not saved", tuple(problems))
    result = CodingResult(lines=tuple(lines), diagnoses=tuple(diagnoses))
    prices = practice_prices(repo, charges.date_of_service)
    claim = _claim_of(repo, encounter)
    coverage = primary_coverage(repo, patient.id, charges.date_of_service)
    new = claim is None and encounter.id is None
    repo.add(encounter)
    repo.flush()
    if coverage is None:
        repo.audit("encounter.charges_received", "encounter", encounter.id,
                   {"source": charges.source, "lines": len(lines), "claim": None})
        return RecordedCharges(encounter.id, None, None, len(lines), new, ("no coverage in force on the day: the "
                                                                           "patient is billed (self-pay)",))
    if claim is None:
        claim, rows = claim_rows(encounter, result, coverage=coverage, charges=prices,
                                 patient_control_number=claim_number(repo, encounter), now=repo.uow.clock())
        claim.prior_authorization = authorization_for_claim(repo, patient.id, claim.payer_id,
                                                            charges.date_of_service, [r.procedure_code for r in rows])
        repo.add(claim)
        repo.flush()
        first = 1
    else:
        rows = _more_lines(repo, claim, encounter, result, prices)
        first = len(repo.rows(ClaimLineRow, ClaimLineRow.claim_id == claim.id)) + 1
    for number, (row, line) in enumerate(zip(rows, charges.lines, strict=True), start=first):
        row.claim_id = claim.id
        row.line_number = number
        if line.charge_cents is not None:
            row.charge_cents = line.charge_cents
    repo.add_all(rows)
    repo.flush()
    claim.total_charge_cents = sum(r.charge_cents for r in repo.rows(ClaimLineRow, ClaimLineRow.claim_id == claim.id))
    encounter.status = "coded"
    repo.audit("encounter.charges_received", "encounter", encounter.id,
               {"source": charges.source, "lines": len(lines), "claim": claim.patient_control_number})
    return RecordedCharges(encounter.id, claim.id, claim.patient_control_number, len(lines), new)


def _provider(repo: PracticeRepository, npi: str | None, problems: list[Problem]) -> ProviderRow | None:
    active = repo.rows(ProviderRow, ProviderRow.active.is_(True))
    if npi:
        found = next((p for p in active if p.npi == npi), None)
        if found is None:
            problems.append(Problem("provider_npi", f"no active provider with NPI {npi} in practice "
                                    f"{repo.practice.code}: add the provider, or correct the NPI in the EHR"))
        return found
    if len(active) == 1:
        return active[0]
    problems.append(Problem("provider_npi", f"no rendering provider's NPI was sent and practice "
                            f"{repo.practice.code} has {len(active)} active providers: send the NPI"))
    return None


def _location(repo: PracticeRepository, name: str | None, problems: list[Problem]) -> ServiceLocationRow | None:
    locations = repo.rows(ServiceLocationRow)
    if name:
        found = next((loc for loc in locations if loc.name.casefold() == name.casefold()), None)
        if found is None:
            known = ", ".join(loc.name for loc in locations)
            problems.append(Problem("location", f"no service location named {name!r} in practice "
                                    f"{repo.practice.code} (its locations: {known})"))
        return found
    if len(locations) == 1:
        return locations[0]
    problems.append(Problem("location", f"no location was sent and practice {repo.practice.code} has "
                            f"{len(locations)}: send the location's name"))
    return None


def _diagnoses(charges: VisitCharges, tables: CodingTables, problems: list[Problem]) -> list[str]:
    """The visit's diagnoses then the lines' own, each once, in order, checked against the release of the day."""
    release, _ = tables.icd10.release_for(charges.date_of_service)
    found: list[str] = []
    named = [("diagnoses", index, code) for index, code in enumerate(charges.diagnoses)]
    named += [(f"lines[{n}].diagnoses", index, code) for n, line in enumerate(charges.lines)
              for index, code in enumerate(line.diagnoses)]
    for where, index, raw in named:
        code = with_dot(raw)
        if code not in release.billable:
            why = "a category, not a billable code: send the full code" if code in release.categories else \
                "not an ICD-10-CM code"
            problems.append(Problem(f"{where}[{index}]", f"{raw!r} is {why} ({release.name}, in force on "
                                    f"{charges.date_of_service})"))
        elif code not in found:
            found.append(code)
    if not found and not problems:
        problems.append(Problem("diagnoses", "no diagnosis was sent: a claim needs at least one ICD-10-CM code"))
    if len(found) > MAX_CLAIM_DIAGNOSES:
        problems.append(Problem("diagnoses", f"{len(found)} diagnoses: a claim carries at most "
                                f"{MAX_CLAIM_DIAGNOSES}; send the ones these charges are for"))
    return found


def _lines(charges: VisitCharges, tables: CodingTables, problems: list[Problem]) -> list[CodedLine]:
    if not charges.lines:
        problems.append(Problem("lines", "no charge was sent"))
    lines = []
    first = with_dot(charges.diagnoses[0]) if charges.diagnoses else None
    for number, line in enumerate(charges.lines):
        where = f"lines[{number}]"
        if tables.code_set.in_force(line.code, charges.date_of_service) is None:
            problems.append(Problem(f"{where}.code", f"{line.code!r} is not a CPT/HCPCS code dermbill bills in force "
                                    f"on {charges.date_of_service}"))
        if not 1 <= line.units <= MAX_UNITS:
            problems.append(Problem(f"{where}.units", f"{line.units} units: give 1 to {MAX_UNITS}"))
        if len(line.modifiers) > 4 or any(len(m) != 2 or not m.isalnum() for m in line.modifiers):
            problems.append(Problem(f"{where}.modifiers", f"{'-'.join(line.modifiers)!r}: up to four modifiers of "
                                    "two letters or digits each"))
        if line.charge_cents is not None and line.charge_cents < 0:
            problems.append(Problem(f"{where}.charge", "a charge may not be negative"))
        pointed = tuple(with_dot(code) for code in line.diagnoses) or ((first,) if first else ())
        explanation = f"sent coded by the EHR{f' (site: {line.site})' if line.site else ''}"
        lines.append(CodedLine(line.code, line.units, tuple(m.upper() for m in line.modifiers), pointed,
                               explanation))
    return lines


def _encounter(repo: PracticeRepository, charges: VisitCharges, patient: PatientRow, provider: ProviderRow,
               location: ServiceLocationRow, problems: list[Problem]) -> EncounterRow:
    sent = {"source": charges.source, "charges": [_charge_json(line) for line in charges.lines],
            "diagnoses": list(charges.diagnoses)}
    if charges.visit_id:
        found = repo.session.scalars(select(EncounterRow).where(
            EncounterRow.practice_id == repo.practice_id, EncounterRow.external_id == charges.visit_id)).first()
        if found is not None:
            if (found.patient_id, found.date_of_service) != (patient.id, charges.date_of_service):
                problems.append(Problem("visit_id", f"visit {charges.visit_id} is already the encounter of another "
                                        "patient or day here: the EHR must send a new visit number"))
            claim = _claim_of(repo, found)
            if claim is not None and claim.status not in NOT_SENT:
                problems.append(Problem("visit_id", f"the claim of visit {charges.visit_id} "
                                        f"({claim.patient_control_number}) is {claim.status.replace('_', ' ')}: "
                                        "a feed does not change a sent claim; make a corrected claim instead"))
            documentation = dict(found.documentation)
            documentation["feeds"] = [*documentation.get("feeds", []), sent]
            found.documentation = documentation
            return found
    return EncounterRow(patient_id=patient.id, provider_id=provider.id, location_id=location.id,
                        date_of_service=charges.date_of_service, documentation={"feeds": [sent]}, status="coded",
                        created_at=repo.uow.clock(), external_id=charges.visit_id)


def _charge_json(line: ChargeLine) -> dict[str, object]:
    shown: dict[str, object] = {"code": line.code, "units": line.units, "modifiers": list(line.modifiers),
                                "diagnoses": list(line.diagnoses)}
    if line.charge_cents is not None:
        shown["charge_cents"] = line.charge_cents
    if line.site:
        shown["site"] = line.site
    return shown


def _claim_of(repo: PracticeRepository, encounter: EncounterRow) -> ClaimRow | None:
    if encounter.id is None:
        return None
    return repo.session.scalars(select(ClaimRow).where(
        ClaimRow.practice_id == repo.practice_id, ClaimRow.encounter_id == encounter.id,
        ClaimRow.primary_claim_id.is_(None), ClaimRow.original_claim_id.is_(None)).order_by(ClaimRow.id)).first()


def _more_lines(repo: PracticeRepository, claim: ClaimRow, encounter: EncounterRow, result: CodingResult,
                prices: Mapping[str, int]) -> list[ClaimLineRow]:
    """The lines of charges sent again for a visit, on its claim; new diagnoses join the claim's (up to 12)."""
    diagnoses = list(claim.diagnosis_codes)
    for code in result.diagnoses:
        if code not in diagnoses:
            diagnoses.append(code)
    if len(diagnoses) > MAX_CLAIM_DIAGNOSES:
        raise InvalidFields("the charges were not saved", (Problem("diagnoses", (
            f"the claim would have {len(diagnoses)} diagnoses; a claim carries at most {MAX_CLAIM_DIAGNOSES}")),))
    claim.diagnosis_codes = diagnoses
    combined = CodingResult(lines=result.lines, diagnoses=tuple(diagnoses))
    _, rows = claim_rows(encounter, combined, coverage=None, charges=prices,
                         patient_control_number=claim.patient_control_number, now=repo.uow.clock())
    return rows


def practice_prices(repo: PracticeRepository, day: datetime.date) -> dict[str, int]:
    """The practice's charge per unit of each code (its fee schedule in force on the day, no modifier)."""
    schedules = [s for s in repo.rows(FeeScheduleRow, FeeScheduleRow.payer_id.is_(None))
                 if DateRange(s.effective_from, s.effective_to).contains(day)]
    if not schedules:
        return {}
    items = repo.rows(FeeScheduleItemRow, FeeScheduleItemRow.fee_schedule_id == schedules[-1].id)
    return {item.procedure_code: item.amount_cents for item in items if item.modifier == ""}


def primary_coverage(repo: PracticeRepository, patient_id: int, day: datetime.date) -> CoverageRow | None:
    for coverage in repo.rows(CoverageRow, CoverageRow.patient_id == patient_id,
                              CoverageRow.coverage_order == "primary"):
        if DateRange(coverage.effective_date, coverage.termination_date).contains(day):
            return coverage
    return None


def claim_number(repo: PracticeRepository, encounter: EncounterRow) -> str:
    """An encounter's claim number: the practice's code, E, the encounter's number (as the demo's claims)."""
    return f"{repo.practice.code}E{encounter.id:07d}"
