"""FHIR R4 out: claims with their patients, coverage, visits and payers' answers as a Bundle (``dermbill fhir
export``), and the reads and searches of ``/fhir/R4`` (Patient, Coverage, Claim, ClaimResponse,
ExplanationOfBenefit).

Always within the given practices (a record of another is "not found"); every read and search is audited as a
read of PHI (``fhir.read``, ``fhir.search``, ``fhir.export``). Rows become ``dermbill.fhir.facts`` values here;
``dermbill.fhir.export`` builds and validates the resources.

Resource ids are dermbill's row ids (``Patient/12``, ``Claim/40``); a ClaimResponse and its ExplanationOfBenefit
are one payer answer on one claim: ``ClaimResponse/40-3`` is claim 40's answer in remittance 3.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select

from dermbill.core.errors import InvalidInput, NotFound
from dermbill.core.money import Money
from dermbill.db.engine import Database
from dermbill.db.models import (
    ClaimLineRow,
    ClaimRow,
    CoverageRow,
    EncounterRow,
    LineAdjudicationRow,
    PatientRow,
    PayerRow,
    PracticeRow,
    ProviderRow,
    RemittanceRow,
    ServiceLocationRow,
)
from dermbill.db.repositories import UnitOfWork
from dermbill.fhir import export
from dermbill.fhir.facts import (
    AdjudicatedLineFacts,
    AdjudicationFacts,
    AdjustmentFacts,
    ClaimFacts,
    CoverageFacts,
    EncounterFacts,
    LineFacts,
    PatientFacts,
    PayerFacts,
    PracticeFacts,
    ProviderFacts,
)
from dermbill.fhir.validation import Resource

RESOURCE_TYPES = ("Patient", "Coverage", "Claim", "ClaimResponse", "ExplanationOfBenefit")
MAX_CLAIMS = 5000  # one export or search; a longer range is exported in parts
_MAX_ID = 2**31


@dataclass(frozen=True, slots=True)
class DateFilter:
    """A search's ``date=ge2026-03-01&date=le2026-03-31``: the dates of service (a coverage's period overlapping;
    a patient seen in it), both ends inclusive."""

    start: datetime.date | None = None
    end: datetime.date | None = None


def parse_date_filter(values: Sequence[str]) -> DateFilter:
    """``eq``/``ge``/``le`` (and ``gt``/``lt``) prefixes on YYYY-MM-DD dates; InvalidInput naming the value."""
    start: datetime.date | None = None
    end: datetime.date | None = None
    for raw in values:
        text = raw.strip()
        prefix = text[:2] if text[:2].isalpha() else "eq"
        rest = text[2:] if text[:2].isalpha() else text
        try:
            day = datetime.date.fromisoformat(rest[:10]) if len(rest) >= 10 else None
        except ValueError:
            day = None
        if day is None or prefix not in ("eq", "ge", "le", "gt", "lt"):
            raise InvalidInput(f"date={raw[:40]!r}: give a date as YYYY-MM-DD, with a prefix ge, le, gt, lt or eq "
                               "(date=ge2026-03-01&date=le2026-03-31)")
        if prefix in ("eq", "ge", "gt"):
            low = day + datetime.timedelta(days=1) if prefix == "gt" else day
            start = low if start is None else max(start, low)
        if prefix in ("eq", "le", "lt"):
            high = day - datetime.timedelta(days=1) if prefix == "lt" else day
            end = high if end is None else min(end, high)
    return DateFilter(start, end)


def export_bundle(database: Database, practice_ids: Collection[int], *, actor: str, base: str,
                  now: datetime.datetime, claim_number: str | None = None, date_from: datetime.date | None = None,
                  date_to: datetime.date | None = None) -> Resource:
    """A collection Bundle of one claim (by its number) or of the claims with a date of service in a range:
    every claim with its patient, coverage, visit (Encounter, Condition, Procedure) and its payers' answers
    (ClaimResponse, ExplanationOfBenefit). NotFound when no claim is there."""
    with UnitOfWork(database, actor=actor) as uow:
        query = select(ClaimRow).where(ClaimRow.practice_id.in_(sorted(practice_ids)))
        if claim_number is not None:
            query = query.where(ClaimRow.patient_control_number == claim_number.strip())
        if date_from is not None:
            query = query.where(ClaimRow.date_of_service >= date_from)
        if date_to is not None:
            query = query.where(ClaimRow.date_of_service <= date_to)
        claims = list(uow.session.scalars(query.order_by(ClaimRow.date_of_service, ClaimRow.id).limit(MAX_CLAIMS + 1)))
        if not claims:
            what = f"claim {claim_number}" if claim_number else f"claim with a date of service {date_from} to {date_to}"
            raise NotFound(f"no {what} among the practices exported")
        if len(claims) > MAX_CLAIMS:
            raise InvalidInput(f"more than {MAX_CLAIMS} claims in {date_from} to {date_to}: export a shorter range")
        facts = claim_facts(uow, claims)
        answers = adjudications(uow, facts)
        resources = [r for claim in facts for r in export.claim_resources(claim, answers.get(claim.id, []))]
        uow.audit_practices("fhir.export", "claim", {c.practice_id for c in claims},
                            detail={"claims": len(claims), "claim": claim_number,
                                    "from": date_from.isoformat() if date_from else None,
                                    "to": date_to.isoformat() if date_to else None})
        uow.commit()
    return export.bundle(resources, kind="collection", base=base, timestamp=now)


def read_resource(database: Database, practice_ids: Collection[int], resource_type: str, resource_id: str, *,
                  actor: str) -> Resource:
    """One resource by type and id among these practices' records (audited); NotFound otherwise."""
    with UnitOfWork(database, actor=actor) as uow:
        found = _find(uow, practice_ids, resource_type, resource_id, DateFilter(), None)
        if not found:
            raise NotFound(f"{resource_type}/{resource_id[:40]} is not among your practices' records")
        resource, practice_id = found[0]
        uow.audit("fhir.read", resource_type, _first_number(resource_id), practice_id=practice_id,
                  organization_id=_organization(uow, practice_id),
                  detail={"resource": f"{resource_type}/{resource['id']}"})
        uow.commit()
        return resource


def search(database: Database, practice_ids: Collection[int], resource_type: str, *, actor: str, base: str,
           now: datetime.datetime, patient: str | None = None, dates: DateFilter = DateFilter()) -> Resource:
    """A searchset Bundle of the resources of a type among these practices' records, by patient and dates
    (audited as a listing)."""
    patient_id = None
    if patient is not None:
        text = patient.strip().removeprefix("Patient/")
        if not text.isdigit() or int(text) >= _MAX_ID:
            raise InvalidInput(f"patient={patient[:40]!r}: give a patient's id (patient=12 or patient=Patient/12)")
        patient_id = int(text)
    with UnitOfWork(database, actor=actor) as uow:
        found = _find(uow, practice_ids, resource_type, None, dates, patient_id)
        uow.audit_practices("fhir.search", resource_type, practice_ids or [], detail={
            "patient": patient_id, "from": dates.start.isoformat() if dates.start else None,
            "to": dates.end.isoformat() if dates.end else None, "found": len(found)})
        uow.commit()
    return export.bundle([resource for resource, _ in found], kind="searchset", base=base, timestamp=now)


def _first_number(resource_id: str) -> int | None:
    head = resource_id.split("-")[0]
    return int(head) if head.isdigit() and int(head) < _MAX_ID else None


def _organization(uow: UnitOfWork, practice_id: int) -> int | None:
    return uow.session.scalar(select(PracticeRow.organization_id).where(PracticeRow.id == practice_id))


def _ids(resource_id: str | None, parts: int) -> tuple[int, ...] | None:
    """The row ids in a resource id (``12``, or ``40-3``); None when it cannot name a record."""
    if resource_id is None:
        return None
    pieces = resource_id.split("-")
    if len(pieces) != parts or not all(p.isdigit() and 0 < int(p) < _MAX_ID for p in pieces):
        return ()
    return tuple(int(p) for p in pieces)


def _find(uow: UnitOfWork, practice_ids: Collection[int], resource_type: str, resource_id: str | None,
          dates: DateFilter, patient_id: int | None) -> list[tuple[Resource, int]]:
    """Resources of a type (with their practice), by id or by patient and dates."""
    if resource_type not in RESOURCE_TYPES:
        raise NotFound(f"{resource_type[:40]} is not served here (served: {', '.join(RESOURCE_TYPES)})")
    practices = sorted(practice_ids)
    ids = _ids(resource_id, 2 if resource_type in ("ClaimResponse", "ExplanationOfBenefit") else 1)
    if ids == () or not practices:
        return []
    if resource_type == "Patient":
        return _patients(uow, practices, ids, dates, patient_id)
    if resource_type == "Coverage":
        return _coverages(uow, practices, ids, dates, patient_id)
    claim_query = select(ClaimRow).where(ClaimRow.practice_id.in_(practices))
    if ids is not None:
        claim_query = claim_query.where(ClaimRow.id == ids[0])
    claim_query = _claim_filters(claim_query, dates, patient_id)
    claims = list(uow.session.scalars(claim_query.order_by(ClaimRow.date_of_service, ClaimRow.id)
                                      .limit(MAX_CLAIMS)))
    if not claims:
        return []
    facts = claim_facts(uow, claims)
    if resource_type == "Claim":
        return [(export.claim_resource(c), row.practice_id) for c, row in zip(facts, claims, strict=True)]
    answers = adjudications(uow, facts, remittance_id=ids[1] if ids is not None else None)
    build = export.claim_response_resource if resource_type == "ClaimResponse" else export.eob_resource
    practice_of = {row.id: row.practice_id for row in claims}
    return [(build(answer), practice_of[claim.id]) for claim in facts for answer in answers.get(claim.id, [])]


def _claim_filters(query: Any, dates: DateFilter, patient_id: int | None) -> Any:
    if patient_id is not None:
        query = query.where(ClaimRow.patient_id == patient_id)
    if dates.start is not None:
        query = query.where(ClaimRow.date_of_service >= dates.start)
    if dates.end is not None:
        query = query.where(ClaimRow.date_of_service <= dates.end)
    return query


def _patients(uow: UnitOfWork, practices: list[int], ids: tuple[int, ...] | None, dates: DateFilter,
              patient_id: int | None) -> list[tuple[Resource, int]]:
    criteria: list[ColumnElement[bool]] = [PatientRow.practice_id.in_(practices)]
    if ids is not None:
        criteria.append(PatientRow.id == ids[0])
    if patient_id is not None:
        criteria.append(PatientRow.id == patient_id)
    if dates.start is not None or dates.end is not None:
        seen = _claim_filters(select(ClaimRow.id).where(ClaimRow.patient_id == PatientRow.id), dates, None)
        criteria.append(seen.exists())
    rows = list(uow.session.scalars(select(PatientRow).where(*criteria).order_by(PatientRow.id).limit(MAX_CLAIMS)))
    codes = _practice_codes(uow, {row.practice_id for row in rows})
    return [(export.patient_resource(patient_facts(row, codes[row.practice_id])), row.practice_id) for row in rows]


def _coverages(uow: UnitOfWork, practices: list[int], ids: tuple[int, ...] | None, dates: DateFilter,
               patient_id: int | None) -> list[tuple[Resource, int]]:
    criteria: list[ColumnElement[bool]] = [CoverageRow.practice_id.in_(practices)]
    if ids is not None:
        criteria.append(CoverageRow.id == ids[0])
    if patient_id is not None:
        criteria.append(CoverageRow.patient_id == patient_id)
    if dates.end is not None:
        criteria.append(CoverageRow.effective_date <= dates.end)
    if dates.start is not None:
        criteria.append((CoverageRow.termination_date.is_(None)) | (CoverageRow.termination_date >= dates.start))
    rows = list(uow.session.scalars(select(CoverageRow).where(*criteria).order_by(CoverageRow.id).limit(MAX_CLAIMS)))
    payers = _payers(uow, {row.payer_id for row in rows})
    return [(export.coverage_resource(coverage_facts(row, payers[row.payer_id])), row.practice_id) for row in rows]


def _practice_codes(uow: UnitOfWork, ids: Iterable[int]) -> dict[int, str]:
    query = select(PracticeRow.id, PracticeRow.code).where(PracticeRow.id.in_(sorted(ids)))
    return {row_id: code for row_id, code in uow.session.execute(query)}


def _payers(uow: UnitOfWork, ids: Iterable[int | None]) -> dict[int, PayerFacts]:
    wanted = sorted({i for i in ids if i is not None})
    return {row.id: PayerFacts(row.payer_identifier, row.name)
            for row in uow.session.scalars(select(PayerRow).where(PayerRow.id.in_(wanted)))}


def patient_facts(row: PatientRow, practice_code: str) -> PatientFacts:
    return PatientFacts(row.id, practice_code, row.account_number, row.last_name, row.first_name, row.middle_name,
                        row.date_of_birth, row.sex, row.address_line1, row.address_line2, row.city, row.state,
                        row.zip_code, row.phone, row.email)


def coverage_facts(row: CoverageRow, payer: PayerFacts) -> CoverageFacts:
    return CoverageFacts(row.id, row.patient_id, payer, row.member_id, row.group_number, row.coverage_order,
                         row.relationship_code, row.effective_date, row.termination_date, row.subscriber_last_name,
                         row.subscriber_first_name, row.subscriber_date_of_birth, row.subscriber_sex,
                         Money(row.copay_cents) if row.copay_cents is not None else None)


def _by_id(uow: UnitOfWork, row_type: Any, ids: Iterable[int | None]) -> dict[int, Any]:
    wanted = sorted({i for i in ids if i is not None})
    return {row.id: row for row in uow.session.scalars(select(row_type).where(row_type.id.in_(wanted)))} if wanted \
        else {}


def claim_facts(uow: UnitOfWork, claims: Sequence[ClaimRow]) -> list[ClaimFacts]:
    """The claims as export values, with their practice, patient, coverage, provider, visit and lines."""
    practices = _by_id(uow, PracticeRow, (c.practice_id for c in claims))
    patients = _by_id(uow, PatientRow, (c.patient_id for c in claims))
    coverages = _by_id(uow, CoverageRow, (c.coverage_id for c in claims))
    payers = _payers(uow, [c.payer_id for c in coverages.values()])
    providers = _by_id(uow, ProviderRow, (c.rendering_provider_id for c in claims))
    encounters = _by_id(uow, EncounterRow, (c.encounter_id for c in claims))
    locations = _by_id(uow, ServiceLocationRow, (c.location_id for c in claims))
    lines: dict[int, list[ClaimLineRow]] = defaultdict(list)
    for line in uow.session.scalars(select(ClaimLineRow).where(ClaimLineRow.claim_id.in_([c.id for c in claims]))
                                    .order_by(ClaimLineRow.claim_id, ClaimLineRow.line_number)):
        lines[line.claim_id].append(line)
    found = []
    for claim in claims:
        practice = practices[claim.practice_id]
        coverage = coverages.get(claim.coverage_id) if claim.coverage_id is not None else None
        provider = providers[claim.rendering_provider_id]
        location = locations[claim.location_id]
        encounter = encounters.get(claim.encounter_id) if claim.encounter_id is not None else None
        sites = _sites(encounter)
        found.append(ClaimFacts(
            id=claim.id, claim_number=claim.patient_control_number, status=claim.status,
            frequency_code=claim.frequency_code, created=claim.created_at, date_of_service=claim.date_of_service,
            practice=PracticeFacts(practice.code, practice.legal_name, practice.billing_npi, practice.tin),
            patient=patient_facts(patients[claim.patient_id], practice.code),
            provider=ProviderFacts(provider.npi, provider.last_name, provider.first_name, provider.credential),
            coverage=coverage_facts(coverage, payers[coverage.payer_id]) if coverage is not None else None,
            encounter=EncounterFacts(encounter.id, encounter.external_id, encounter.date_of_service, encounter.status,
                                     location.name, location.place_of_service) if encounter is not None else None,
            diagnoses=tuple(claim.diagnosis_codes),
            lines=tuple(LineFacts(line.line_number, line.procedure_code, tuple(line.modifiers), line.units,
                                  Money(line.charge_cents), tuple(line.diagnosis_pointers), line.service_date_from,
                                  line.service_date_to, sites[n] if n < len(sites) else None)
                        for n, line in enumerate(lines[claim.id])),
            total_charge=Money(claim.total_charge_cents), place_of_service=location.place_of_service,
            payer_claim_number=claim.payer_claim_number, prior_authorization=claim.prior_authorization,
            clinical=claim.primary_claim_id is None and claim.original_claim_id is None))
    return found


def _sites(encounter: EncounterRow | None) -> list[str | None]:
    """The sites an EHR sent with a visit's charges, in the order of the claim's lines (a feed's charges)."""
    if encounter is None:
        return []
    feeds = (encounter.documentation or {}).get("feeds") or []
    return [charge.get("site") for feed in feeds if isinstance(feed, dict)
            for charge in feed.get("charges") or [] if isinstance(charge, dict)]


def adjudications(uow: UnitOfWork, claims: Sequence[ClaimFacts], *, remittance_id: int | None = None
                  ) -> dict[int, list[AdjudicationFacts]]:
    """The payers' answers on each claim (one per remittance), oldest first."""
    by_id = {claim.id: claim for claim in claims}
    query = select(LineAdjudicationRow).where(LineAdjudicationRow.claim_id.in_(sorted(by_id)))
    if remittance_id is not None:
        query = query.where(LineAdjudicationRow.remittance_id == remittance_id)
    rows = list(uow.session.scalars(query.order_by(LineAdjudicationRow.remittance_id, LineAdjudicationRow.id)))
    if not rows:
        return {}
    remittances = _by_id(uow, RemittanceRow, (r.remittance_id for r in rows))
    payers = _payers(uow, (r.payer_id for r in rows))
    numbers = {line_id: number for line_id, number in uow.session.execute(select(
        ClaimLineRow.id, ClaimLineRow.line_number).where(ClaimLineRow.id.in_(sorted({r.claim_line_id for r in rows}))))}
    grouped: dict[tuple[int, int], list[LineAdjudicationRow]] = defaultdict(list)
    for row in rows:
        grouped[(row.claim_id, row.remittance_id)].append(row)
    answers: dict[int, list[AdjudicationFacts]] = defaultdict(list)
    for (claim_id, remittance), group in grouped.items():
        first, paid_by = group[0], remittances[remittance]
        payer = payers.get(first.payer_id) if first.payer_id is not None else None
        answers[claim_id].append(AdjudicationFacts(
            remittance_id=remittance, claim=by_id[claim_id],
            payer=payer or PayerFacts(paid_by.payer_identifier, paid_by.payer_identifier),
            trace_number=paid_by.trace_number, payment_date=paid_by.payment_date,
            adjudicated_on=first.adjudicated_on, received_at=paid_by.received_at, status_code=first.status_code,
            payer_claim_number=first.payer_claim_number,
            lines=tuple(_line(row, numbers.get(row.claim_line_id)) for row in group)))
    return answers


def _line(row: LineAdjudicationRow, line_number: int | None) -> AdjudicatedLineFacts:
    adjustments = tuple(AdjustmentFacts(str(a["group"]), str(a["reason"]), Money(int(a["cents"])))
                        for a in row.adjustments)
    charge = Money(row.paid_cents + sum(a.amount.cents for a in adjustments))
    return AdjudicatedLineFacts(line_number, row.code, tuple(row.modifiers), row.units, charge,
                                Money(row.allowed_cents) if row.allowed_cents is not None else None,
                                Money(row.paid_cents), adjustments, tuple(row.remarks))
