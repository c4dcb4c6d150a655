"""Sending claims: control numbers that are never reused, and 837P files for the claims that are ready.

Order of work, so that nothing is lost or sent twice: the control numbers are reserved and committed
first (a crash burns them, never reuses them); the file is written under a temporary name; the claims
are marked submitted with the batch in one transaction; only then does the file get its final name.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, update

from dermbill.core.claim_form import Adjustment, LineAdjudication, OtherPayer
from dermbill.core.claims import ClaimStatus
from dermbill.core.errors import InvalidInput, NotFound, StorageUnavailable
from dermbill.core.ledger import JournalEntry
from dermbill.core.money import Money
from dermbill.db.engine import Database
from dermbill.db.models import (
    ClaimLineRow,
    ClaimRow,
    ClearinghouseProfileRow,
    ControlNumberRow,
    CoverageRow,
    PatientRow,
    PayerRow,
    PracticeRow,
    ProviderRow,
    ServiceLocationRow,
    SubmissionBatchRow,
)
from dermbill.db.repositories import PracticeRepository, UnitOfWork, utc_now
from dermbill.services.claim_lifecycle import charge_entry, move_claim
from dermbill.services.secondary_claims import primary_adjudication
from dermbill.x12.claim_837p import (
    Address,
    Batch837,
    BillingProvider,
    Claim837,
    Payer,
    Person,
    ServiceLine,
    write_837p,
)
from dermbill.x12.envelope import ClearinghouseProfile, ControlNumbers
from dermbill.x12.tokenizer import Delimiters

ORDER_CODE = {"primary": "P", "secondary": "S", "tertiary": "T"}
MAX_CONTROL_NUMBER = 999_999_999


@dataclass(frozen=True, slots=True)
class ExportedFile:
    practice: str
    path: Path
    claims: int
    total_charge: Money
    interchange_control_number: str
    batch_id: int = 0
    connection: str | None = None


Router = Callable[[str, str], str]  # (practice code, payer ID) -> connection name
MAX_CLAIMS_PER_FILE = 5000


def reserve_control_numbers(database: Database, organization_id: int, *, transactions: int) -> ControlNumbers:
    """Take the next interchange and group numbers and ``transactions`` transaction numbers; committed at once."""
    taken: dict[str, int] = {}
    with UnitOfWork(database, actor="x12") as uow:
        for kind, count in (("interchange", 1), ("group", 1), ("transaction", transactions)):
            result = uow.session.execute(
                update(ControlNumberRow)
                .where(ControlNumberRow.organization_id == organization_id, ControlNumberRow.kind == kind)
                .values(last_value=ControlNumberRow.last_value + count)
                .returning(ControlNumberRow.last_value)
            ).scalar()
            if result is None:
                uow.session.add(ControlNumberRow(organization_id=organization_id, kind=kind, last_value=count))
                result = count
            if result > MAX_CONTROL_NUMBER:
                raise StorageUnavailable(f"the {kind} control numbers of this organization are used up")
            taken[kind] = int(result) - count + 1
        uow.commit()
    return ControlNumbers(taken["interchange"], taken["group"], taken["transaction"])


def profile_of(row: ClearinghouseProfileRow) -> ClearinghouseProfile:
    return ClearinghouseProfile(
        submitter_id=row.submitter_id, submitter_name=row.submitter_name, submitter_contact=row.submitter_contact,
        submitter_phone=row.submitter_phone, receiver_id=row.receiver_id, receiver_name=row.receiver_name,
        sender_qualifier=row.sender_qualifier, receiver_qualifier=row.receiver_qualifier, production=row.production,
        delimiters=Delimiters(row.element_separator, row.component_separator, row.repetition_separator,
                              row.segment_terminator),
    )


def export_837p(database: Database, out_dir: Path, *, profile_name: str | None = None,
                now: datetime.datetime | None = None, actor: str = "x12", route: Router | None = None,
                batch_size: int = MAX_CLAIMS_PER_FILE, claim_ids: set[int] | None = None) -> list[ExportedFile]:
    """Write 837P files for the ready claims and mark them submitted; returns the files.

    One file per practice, connection (when ``route`` names one per practice and payer) and at most
    ``batch_size`` claims; ``claim_ids`` limits it to those claims.
    """
    if batch_size < 1:
        raise InvalidInput(f"the batch size must be at least 1 (got {batch_size})")
    moment = now or utc_now()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(f"cannot write 837P files to '{out_dir}': {exc.strerror}") from None
    exported = []
    with UnitOfWork(database, actor=actor) as uow:
        practice_ids = list(uow.session.scalars(select(PracticeRow.id).order_by(PracticeRow.id)))
    for practice_id in practice_ids:
        for connection, chunk in _groups(database, practice_id, route, batch_size, claim_ids):
            exported.append(_export_practice(database, practice_id, out_dir, profile_name, moment, actor, chunk,
                                             connection))
    return exported


def _groups(database: Database, practice_id: int, route: Router | None, batch_size: int,
            claim_ids: set[int] | None) -> list[tuple[str | None, list[int]]]:
    """The ready claims of a practice, by connection, in chunks of at most ``batch_size``."""
    with UnitOfWork(database, actor="x12") as uow:
        repo = uow.practice(practice_id)
        payers = {p.id: p.payer_identifier for p in repo.payers()}
        by_connection: dict[str | None, list[int]] = {}
        for claim in repo.rows(ClaimRow, ClaimRow.status == ClaimStatus.READY.value):
            if claim_ids is not None and claim.id not in claim_ids:
                continue
            connection = route(repo.practice.code, payers.get(claim.payer_id or 0, "")) if route else None
            by_connection.setdefault(connection, []).append(claim.id)
    return [(connection, ids[start:start + batch_size]) for connection, ids in by_connection.items()
            for start in range(0, len(ids), batch_size)]


def _export_practice(database: Database, practice_id: int, out_dir: Path, profile_name: str | None,
                     now: datetime.datetime, actor: str, claim_ids: list[int],
                     connection: str | None) -> ExportedFile:
    with UnitOfWork(database, actor=actor, clock=lambda: now) as uow:
        repo = uow.practice(practice_id)
        claims = repo.rows(ClaimRow, ClaimRow.id.in_(claim_ids))
        profile_row = _profile(uow, repo.practice.organization_id, profile_name)
        batch = _batch(repo, claims, now)
        payers = len({claim.payer.payer_id for claim in batch.claims})
        organization_id, code, profile_id = repo.practice.organization_id, repo.practice.code, profile_row.id
        profile = profile_of(profile_row)
    control = reserve_control_numbers(database, organization_id, transactions=payers)
    text = write_837p(batch, profile, control, now)
    final = out_dir / f"837P-{code}-{control.interchange:09d}.x12"
    temporary = final.with_suffix(".partial")
    temporary.write_text(text, encoding="ascii", errors="replace")
    try:
        with UnitOfWork(database, actor=actor, clock=lambda: now) as uow:
            repo = uow.practice(practice_id)
            by_number = {row.patient_control_number: row for row in repo.rows(
                ClaimRow, ClaimRow.id.in_(claim_ids), ClaimRow.status == ClaimStatus.READY.value)}
            repo.open_standard_chart()
            charges: list[JournalEntry] = []
            total = 0
            payer_index = {payer_id: i for i, payer_id in enumerate(dict.fromkeys(c.payer.payer_id
                                                                                   for c in batch.claims))}
            for claim in batch.claims:
                row = by_number.get(claim.patient_control_number)
                if row is None:
                    raise InvalidInput(f"claim {claim.patient_control_number} changed while its file was written")
                move_claim(repo, row, ClaimStatus.SUBMITTED, f"sent in {final.name}")
                row.interchange_control_number = f"{control.interchange:09d}"
                row.group_control_number = str(control.group)
                row.transaction_set_control_number = f"{control.transaction + payer_index[claim.payer.payer_id]:04d}"
                total += row.total_charge_cents
                # A secondary, corrected or rebilled claim bills again charges already posted (billed_line_id).
                new_charges = repo.rows(ClaimLineRow, ClaimLineRow.claim_id == row.id,
                                        ClaimLineRow.billed_line_id.is_(None))
                if row.primary_claim_id is None and new_charges:
                    charges.append(charge_entry(row, new_charges))
                repo.audit("claim.submitted", "claim", row.id, {"interchange": row.interchange_control_number,
                                                                "file": final.name})
            repo.post_many(charges)
            batch_row = repo.add(SubmissionBatchRow(
                clearinghouse_profile_id=profile_id, interchange_control_number=f"{control.interchange:09d}",
                group_control_number=str(control.group), file_name=final.name, claims=len(batch.claims),
                total_charge_cents=total, created_at=now, connection_name=connection))
            repo.flush()
            batch_id = batch_row.id
            uow.commit()
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    os.replace(temporary, final)
    return ExportedFile(code, final, len(batch.claims), Money(total), f"{control.interchange:09d}", batch_id,
                        connection)


def _profile(uow: UnitOfWork, organization_id: int, name: str | None) -> ClearinghouseProfileRow:
    query = select(ClearinghouseProfileRow).where(ClearinghouseProfileRow.organization_id == organization_id)
    if name:
        query = query.where(ClearinghouseProfileRow.name == name)
    row = uow.session.scalars(query.order_by(ClearinghouseProfileRow.id)).first()
    if row is None:
        raise NotFound(f"no clearinghouse profile{f' named {name!r}' if name else ''} for this billing company")
    return row


def _address(line1: str | None, city: str | None, state: str | None, zip_code: str | None) -> Address | None:
    if not (line1 and city and state and zip_code):
        return None
    return Address(line1, city, state, zip_code)


def billing_provider(practice: PracticeRow) -> BillingProvider:
    """The practice as billing provider (837P loop 2010AA, CMS-1500 box 33)."""
    return BillingProvider(
        name=practice.legal_name, npi=practice.billing_npi, tin=practice.tin, taxonomy=practice.taxonomy,
        address=Address(practice.address_line1, practice.city, practice.state, practice.zip_code),
        pay_to=_address(practice.pay_to_address_line1, practice.pay_to_city, practice.pay_to_state,
                        practice.pay_to_zip_code),
        phone=practice.phone,
    )


def _batch(repo: PracticeRepository, claims: list[ClaimRow], now: datetime.datetime) -> Batch837:
    return Batch837(billing_provider(repo.practice), tuple(professional_claim(repo, claim) for claim in claims),
                    f"{repo.practice.code}{now:%Y%m%d%H%M%S}")


def professional_claim(repo: PracticeRepository, claim: ClaimRow) -> Claim837:
    """A stored claim as the professional claim the 837P and the CMS-1500 carry."""
    if claim.coverage_id is None or claim.payer_id is None:
        raise InvalidInput(f"claim {claim.patient_control_number} has no coverage; it is billed to the patient")
    coverage = repo.get(CoverageRow, claim.coverage_id)
    payer = repo.session.get(PayerRow, claim.payer_id)
    assert payer is not None
    patient_row = repo.get(PatientRow, claim.patient_id)
    address = Address(patient_row.address_line1, patient_row.city, patient_row.state, patient_row.zip_code)
    patient = Person(patient_row.last_name, patient_row.first_name, patient_row.date_of_birth, patient_row.sex,
                     address, patient_row.middle_name, patient_row.phone)
    subscriber = patient if coverage.relationship_code == "18" else Person(
        coverage.subscriber_last_name or patient_row.last_name, coverage.subscriber_first_name or "",
        coverage.subscriber_date_of_birth, coverage.subscriber_sex, address)
    provider = repo.get(ProviderRow, claim.rendering_provider_id)
    location = repo.get(ServiceLocationRow, claim.location_id)
    practice = repo.practice
    elsewhere = (location.address_line1, location.zip_code) != (practice.address_line1, practice.zip_code)
    lines = repo.rows(ClaimLineRow, ClaimLineRow.claim_id == claim.id, order_by=ClaimLineRow.line_number)
    other_payers, adjudications = _coordination_of_benefits(repo, claim, patient)
    return Claim837(
        patient_control_number=claim.patient_control_number,
        total_charge=Money(claim.total_charge_cents),
        place_of_service=location.place_of_service,
        frequency_code=claim.frequency_code,
        diagnoses=tuple(claim.diagnosis_codes),
        lines=tuple(ServiceLine(line.procedure_code, tuple(line.modifiers), Money(line.charge_cents), line.units,
                                tuple(line.diagnosis_pointers), line.service_date_from,
                                f"{claim.patient_control_number}-{line.line_number}",
                                adjudications.get(line.charged_line_id)) for line in lines),
        other_payers=other_payers,
        payer=Payer(payer.name, payer.payer_identifier),
        order=ORDER_CODE[coverage.coverage_order],
        filing_indicator=payer.claim_filing_indicator_code,
        subscriber=subscriber,
        member_id=coverage.member_id,
        group_number=coverage.group_number,
        relationship_code=coverage.relationship_code,
        patient=patient,
        rendering_npi=provider.npi,
        rendering_name=Person(provider.last_name, provider.first_name),
        rendering_taxonomy=provider.taxonomy,
        facility_name=location.name if elsewhere else None,
        facility_address=Address(location.address_line1, location.city, location.state, location.zip_code)
        if elsewhere else None,
        facility_npi=location.npi if elsewhere else None,
        payer_claim_number=claim.payer_claim_number,
        prior_authorization=claim.prior_authorization,
    )


def _coordination_of_benefits(repo: PracticeRepository, claim: ClaimRow, patient: Person,
                              ) -> tuple[tuple[OtherPayer, ...], dict[int, LineAdjudication]]:
    """For a secondary claim: the primary payer (2320/2330) and its adjudication of each line (2430)."""
    if claim.primary_claim_id is None:
        return (), {}
    primary = repo.get(ClaimRow, claim.primary_claim_id)
    if primary.coverage_id is None or primary.payer_id is None:
        return (), {}
    coverage = repo.get(CoverageRow, primary.coverage_id)
    payer = repo.session.get(PayerRow, primary.payer_id)
    assert payer is not None
    adjudications = {}
    for line_id, net in primary_adjudication(repo, claim).items():
        adjudications[line_id] = LineAdjudication(
            payer.payer_identifier, Money(net.paid_cents), net.code, tuple(net.modifiers), net.units,
            tuple(Adjustment(group, reason, Money(cents)) for (group, reason), cents in net.adjustments.items()
                  if cents), net.adjudicated_on)
    subscriber = patient if coverage.relationship_code == "18" else Person(
        coverage.subscriber_last_name or patient.last_name, coverage.subscriber_first_name or "")
    other = OtherPayer(Payer(payer.name, payer.payer_identifier), ORDER_CODE[coverage.coverage_order], subscriber,
                       coverage.member_id, coverage.relationship_code, payer.claim_filing_indicator_code,
                       Money(sum(a.paid.cents for a in adjudications.values())))
    return (other,), adjudications
