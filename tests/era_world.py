"""A practice with submitted, charged claims, and 835s about them written with our 835 writer (ERA tests)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dermbill.core.claims import ClaimStatus
from dermbill.core.money import Money
from dermbill.db.engine import Database, open_database
from dermbill.db.models import (
    ClaimLineRow,
    ClaimRow,
    ClearinghouseProfileRow,
    CoverageRow,
    EncounterRow,
    PatientRow,
    PayerRow,
    PracticeRow,
    ProviderRow,
    ServiceLocationRow,
)
from dermbill.db.repositories import UnitOfWork
from dermbill.services.claim_lifecycle import charge_entry
from dermbill.services.era_posting import post_era_file
from dermbill.x12.envelope import ClearinghouseProfile, ControlNumbers
from dermbill.x12.remittance_835_writer import Adjusted, PaidClaim, PaidLine, Remittance, write_835

DOS = datetime.date(2026, 3, 2)
PAID_ON = datetime.date(2026, 4, 1)
NOW = datetime.datetime(2026, 4, 2, 9, 0, tzinfo=datetime.UTC)
NPI = "1234567893"
PAYER_ID = "TSTMCR"
PROFILE = ClearinghouseProfile(submitter_id="TESTPAYER", submitter_name="TEST PAYER", submitter_contact="EDI",
                               submitter_phone="2155550100", receiver_id="TESTPRACTICE", receiver_name="PRACTICE")


def clock() -> datetime.datetime:
    return NOW


@dataclass(frozen=True)
class Line:
    id: int
    number: int
    code: str
    modifiers: tuple[str, ...]
    charge: Money
    control: str  # the line control number we send: {patient control number}-{line number}


@dataclass(frozen=True)
class Claim:
    id: int
    pcn: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class World:
    database: Database
    practice_id: int
    claims: tuple[Claim, ...]


LineSpec = tuple[str, tuple[str, ...], int]  # code, modifiers, charge in cents


def submitted_claims(database: Database, specs: list[list[LineSpec]]) -> World:
    """One patient with one submitted claim per spec; each claim's charges are posted."""
    world = practice_world(database)
    return World(database, world.practice_id, tuple(add_claim(world, spec) for spec in specs))


def practice_world(database: Database, *, company: str = "ERA TEST BILLING", submitter: str = "TESTPRACTICE",
                   code: str = "ERA") -> World:
    """A practice billing one payer for one patient, with no claims yet (of the billing company ``company``,
    whose clearinghouse submitter ID is ``submitter``)."""
    with UnitOfWork(database, actor="test", clock=clock) as uow:
        organization = uow.add_organization(company)
        payer = PayerRow(organization_id=organization.id, name="TEST MEDICARE", payer_identifier=PAYER_ID,
                         kind="medicare", claim_filing_indicator_code="MB", timely_filing_days=365)
        uow.add_payers([payer])
        uow.session.add(ClearinghouseProfileRow(
            organization_id=organization.id, name="TEST CLEARINGHOUSE", submitter_id=submitter,
            submitter_name="ERA TEST DERMATOLOGY", submitter_contact="BILLING", submitter_phone="2155550100",
            receiver_id="TESTPAYER", receiver_name="TEST PAYER"))
        practice = uow.add_practice(PracticeRow(
            organization_id=organization.id, code=code, legal_name="ERA TEST DERMATOLOGY", tin="990000001",
            billing_npi=NPI, taxonomy="207N00000X", address_line1="1 TEST ST", city="ANYTOWN", state="PA",
            zip_code="19099"))
        repo = uow.practice(practice.id)
        repo.open_standard_chart()
        provider = repo.add(ProviderRow(last_name="TESTDOC", first_name="ANN", npi=NPI, taxonomy="207N00000X"))
        location = repo.add(ServiceLocationRow(name="OFFICE", place_of_service="11", address_line1="1 TEST ST",
                                               city="ANYTOWN", state="PA", zip_code="19099"))
        patient = repo.add(PatientRow(account_number="A-1", last_name="DOE", first_name="JANE",
                                      date_of_birth=datetime.date(1950, 1, 1), sex="F", address_line1="2 TEST ST",
                                      city="ANYTOWN", state="PA", zip_code="19099", created_at=NOW))
        repo.flush()
        repo.add(CoverageRow(patient_id=patient.id, payer_id=payer.id, member_id="1EG4TE5MK72",
                             coverage_order="primary", relationship_code="18", effective_date=DOS))
        repo.add(EncounterRow(patient_id=patient.id, provider_id=provider.id, location_id=location.id,
                              date_of_service=DOS, documentation={"lesions": []}, created_at=NOW))
        uow.commit()
        return World(database, practice.id, ())


def add_claim(world: World, spec: list[LineSpec], *, submit: bool = True) -> Claim:
    """A claim of the world's patient; submitted (its charges posted) unless ``submit`` is False."""
    with UnitOfWork(world.database, actor="test", clock=clock) as uow:
        repo = uow.practice(world.practice_id)
        coverage = repo.rows(CoverageRow)[0]
        encounter = repo.rows(EncounterRow)[0]
        number = repo.count(ClaimRow) + 1
        claim = repo.add(ClaimRow(
            patient_id=coverage.patient_id, encounter_id=encounter.id, coverage_id=coverage.id,
            payer_id=coverage.payer_id, rendering_provider_id=encounter.provider_id, location_id=encounter.location_id,
            status=(ClaimStatus.SUBMITTED if submit else ClaimStatus.READY).value,
            patient_control_number=f"ERA-{number}", diagnosis_codes=["L82.1"],
            total_charge_cents=sum(charge for _, _, charge in spec), date_of_service=DOS, created_at=NOW,
            updated_at=NOW))
        repo.flush()
        rows = [repo.add(ClaimLineRow(claim_id=claim.id, line_number=index, procedure_code=code,
                                      modifiers=list(modifiers), units=1, charge_cents=charge,
                                      diagnosis_pointers=[1], service_date_from=DOS))
                for index, (code, modifiers, charge) in enumerate(spec, start=1)]
        repo.flush()
        if submit:
            repo.post(charge_entry(claim, rows))
        uow.commit()
        return Claim(claim.id, claim.patient_control_number,
                     tuple(Line(r.id, r.line_number, r.procedure_code, tuple(r.modifiers), Money(r.charge_cents),
                                f"{claim.patient_control_number}-{r.line_number}") for r in rows))


def settled(line: Line, allowed: int, *, patient: tuple[tuple[str, int], ...] = (),
            code: str | None = None) -> PaidLine:
    """A line paid at ``allowed`` cents less the patient's share (PR reason, cents); the rest CO-45."""
    adjustments = [Adjusted("CO", "45", line.charge - Money(allowed))]
    adjustments += [Adjusted("PR", reason, Money(cents)) for reason, cents in patient]
    return PaidLine(code or line.code, line.modifiers, line.charge, 1, DOS, tuple(adjustments),
                    control_number=line.control, allowed=Money(allowed),
                    submitted_code=line.code if code else None)


def denied(line: Line, group: str, reason: str, *, remarks: tuple[str, ...] = ()) -> PaidLine:
    return PaidLine(line.code, line.modifiers, line.charge, 1, DOS, (Adjusted(group, reason, line.charge),),
                    remarks=remarks, control_number=line.control)


def paid_claim(claim: Claim, lines: tuple[PaidLine, ...], *, status: str = "1", icn: str = "") -> PaidClaim:
    return PaidClaim(claim.pcn, status, "MB", icn or f"ICN{claim.id:08d}", "DOE", "JANE", "1EG4TE5MK72", lines)


def remittance(claims: tuple[PaidClaim, ...], *, trace: str = "EFT0001") -> Remittance:
    return Remittance("TEST MEDICARE", PAYER_ID, "ERA TEST DERMATOLOGY", NPI, trace, PAID_ON, claims)


def write(path: Path, remittances: tuple[Remittance, ...], *, interchange: int = 1) -> Path:
    path.write_text(write_835(remittances, PROFILE, ControlNumbers(interchange, interchange, 1), NOW))
    return path


def post_in_process(url: str, path: str, start: Any) -> str:
    """Post an 835 in a process of its own once every process is at ``start`` (a barrier): races."""
    database = open_database(url)
    start.wait()
    try:
        return post_era_file(database, Path(path))[0].status
    finally:
        database.dispose()
