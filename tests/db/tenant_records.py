"""Two practices of one billing company, each with one of every tenant-owned record (shared by the db tests)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from dermbill.db.engine import Database
from dermbill.db.models import (
    AppealRow,
    ClaimFindingRow,
    ClaimLineRow,
    ClaimRow,
    ClaimStatusEventRow,
    ClearinghouseProfileRow,
    CoverageRow,
    DenialItemRow,
    EncounterRow,
    FeeScheduleItemRow,
    FeeScheduleRow,
    LineAdjudicationRow,
    OverpaymentRow,
    PatientRow,
    PayerRow,
    PracticeRow,
    ProviderRow,
    RemittanceRow,
    ServiceLocationRow,
    SubmissionBatchRow,
    UnmatchedRemittanceRow,
)
from dermbill.db.repositories import UnitOfWork

DOS = datetime.date(2026, 3, 2)
NOW = datetime.datetime(2026, 3, 2, 15, 0, tzinfo=datetime.UTC)


def fixed_clock() -> datetime.datetime:
    return NOW


@dataclass(frozen=True)
class TwoPractices:
    database: Database
    organization_id: int
    practice_ids: tuple[int, int]
    payer_id: int
    # Ids of each practice's records, by table name.
    records: tuple[dict[str, int], dict[str, int]]


def populate_practice(
    uow: UnitOfWork, organization_id: int, code: str, payer_id: int, npi: str
) -> tuple[int, dict[str, int]]:
    practice = uow.add_practice(PracticeRow(
        organization_id=organization_id, code=code, legal_name=f"TEST PRACTICE {code}", tin="990000001",
        billing_npi=npi, taxonomy="207N00000X", address_line1="1 TEST ST", city="ANYTOWN", state="PA",
        zip_code="19099",
    ))
    repo = uow.practice(practice.id)
    repo.open_standard_chart()
    provider = repo.add(ProviderRow(last_name="TESTDOC", first_name=code, npi=npi, taxonomy="207N00000X"))
    location = repo.add(ServiceLocationRow(name=f"{code} OFFICE", place_of_service="11", address_line1="1 TEST ST",
                                           city="ANYTOWN", state="PA", zip_code="19099"))
    patient = repo.add(PatientRow(account_number=f"{code}-1", last_name="TEST", first_name=f"ALPHA{code}",
                                  date_of_birth=datetime.date(1950, 1, 1), sex="F", address_line1="2 TEST ST",
                                  city="ANYTOWN", state="PA", zip_code="19099", created_at=NOW))
    repo.flush()
    coverage = repo.add(CoverageRow(patient_id=patient.id, payer_id=payer_id, member_id="TMCR1",
                                    coverage_order="primary", relationship_code="18", effective_date=DOS))
    encounter = repo.add(EncounterRow(patient_id=patient.id, provider_id=provider.id, location_id=location.id,
                                      date_of_service=DOS, documentation={"lesions": []}, created_at=NOW))
    repo.flush()
    claim = repo.add(ClaimRow(patient_id=patient.id, encounter_id=encounter.id, coverage_id=coverage.id,
                              payer_id=payer_id, rendering_provider_id=provider.id, location_id=location.id,
                              patient_control_number=f"{code}-C1", diagnosis_codes=["C44.311"],
                              total_charge_cents=61000, date_of_service=DOS, created_at=NOW, updated_at=NOW))
    schedule = repo.add(FeeScheduleRow(name="charges", effective_from=DOS))
    repo.flush()
    line = repo.add(ClaimLineRow(claim_id=claim.id, line_number=1, procedure_code="11642", modifiers=[], units=1,
                                 charge_cents=61000, diagnosis_pointers=[1], service_date_from=DOS))
    item = repo.add(FeeScheduleItemRow(fee_schedule_id=schedule.id, procedure_code="11642", amount_cents=61000))
    finding = repo.add(ClaimFindingRow(claim_id=claim.id, rule="mue", severity="error", lines=[1], message="m",
                                       fix="f", scrubbed_at=NOW))
    profile = ClearinghouseProfileRow(organization_id=organization_id, name=f"CH {code}", submitter_id="S",
                                      submitter_name="S", submitter_contact="C", submitter_phone="2155550100",
                                      receiver_id="R", receiver_name="R")
    uow.session.add(profile)
    uow.flush()
    batch = repo.add(SubmissionBatchRow(clearinghouse_profile_id=profile.id, interchange_control_number=f"{npi[-9:]}",
                                        group_control_number="1", file_name="f.x12", claims=1,
                                        total_charge_cents=61000, created_at=NOW))
    repo.flush()
    event = repo.add(ClaimStatusEventRow(claim_id=claim.id, from_status="coded", to_status="ready", actor="test",
                                         reason="scrubbed", occurred_at=NOW))
    remittance = repo.add(RemittanceRow(payer_identifier="TSTMCR", trace_number=f"TRN{code}", content_hash="0" * 64,
                                        payment_cents=0, payment_date=DOS, status="posted", problems=[],
                                        file_name="r.835", received_at=NOW))
    repo.flush()
    unmatched = repo.add(UnmatchedRemittanceRow(remittance_id=remittance.id, patient_control_number="X",
                                                payer_claim_number=None, paid_cents=0, reason="r", detail={}))
    adjudication = repo.add(LineAdjudicationRow(claim_id=claim.id, claim_line_id=line.id, remittance_id=remittance.id,
                                                payer_id=payer_id, status_code="1", payer_claim_number="ICN1",
                                                code="11642", modifiers=[], units=1, paid_cents=0, allowed_cents=0,
                                                adjustments=[], remarks=[], adjudicated_on=DOS))
    repo.flush()
    item = repo.add(DenialItemRow(claim_id=claim.id, remittance_id=remittance.id, payer_id=payer_id,
                                  source_key=f"adj:{adjudication.id}", kind="denial", line_ids=[line.id],
                                  line_numbers=[1], codes=["11642"], group_code="CO", carc="50", rarcs=["N115"],
                                  category="medical_necessity", action="appeal", cause="c", fixes=[], relies_on=[],
                                  amount_cents=61000, adjudicated_on=DOS, deadline=DOS, created_at=NOW,
                                  updated_at=NOW))
    repo.flush()
    appeal = repo.add(AppealRow(denial_item_id=item.id, claim_id=claim.id, file_name="appeal.pdf", written_on=DOS,
                                deadline=DOS))
    overpayment = repo.add(OverpaymentRow(claim_id=claim.id, payer_id=payer_id, remittance_id=remittance.id,
                                          original_remittance_id=None, payer_claim_number="ICN1", amount_cents=100,
                                          open_cents=100, status="open", created_at=NOW))
    repo.flush()
    ids = {"provider": provider.id, "service_location": location.id, "patient": patient.id,
           "coverage": coverage.id, "encounter": encounter.id, "claim": claim.id, "claim_line": line.id,
           "fee_schedule": schedule.id, "fee_schedule_item": item.id, "claim_finding": finding.id,
           "submission_batch": batch.id, "claim_status_event": event.id, "remittance": remittance.id,
           "unmatched_remittance": unmatched.id, "line_adjudication": adjudication.id,
           "denial_item": item.id, "appeal": appeal.id, "overpayment": overpayment.id}
    return practice.id, ids


@pytest.fixture
def two_practices(database: Database) -> TwoPractices:
    with UnitOfWork(database, actor="test", clock=fixed_clock) as uow:
        organization = uow.add_organization("TEST BILLING CO")
        payer = PayerRow(organization_id=organization.id, name="TEST MEDICARE", payer_identifier="TSTMCR",
                         kind="medicare", claim_filing_indicator_code="MB", timely_filing_days=365)
        uow.add_payers([payer])
        first, first_ids = populate_practice(uow, organization.id, "P1", payer.id, "1234567893")
        second, second_ids = populate_practice(uow, organization.id, "P2", payer.id, "1234560013")
        uow.commit()
        return TwoPractices(database, organization.id, (first, second), payer.id, (first_ids, second_ids))
