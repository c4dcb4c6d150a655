"""The check-in tests' world: the ERA practice (tests/era_world.py) with three appointments on 2026-03-10.

- ``medicare``: patient A-1 (Medicare, TSTMCR), a follow-up with 99213, a skin tag removal 11200 and a destruction
  of benign lesions 17110: an ABN is needed for the last two.
- ``hmo``: patient B-2 (TEST COMMUNITY HMO, filing indicator HM, a $40.00 copay, a contract), Mohs 17311 + 17312:
  the payer's accepted prior-authorization rule lists 17311, and an HMO wants a referral.
- ``self_pay``: patient C-3 with no insurance, a new-patient visit 99203 and a biopsy 11102.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from era_world import NOW, World, clock, practice_world

from dermbill.db.engine import Database
from dermbill.db.models import (
    AppointmentRow,
    CoverageRow,
    FeeScheduleItemRow,
    FeeScheduleRow,
    PatientRow,
    PayerRow,
    PayerRuleProposalRow,
    ProviderRow,
    ServiceLocationRow,
)
from dermbill.db.repositories import UnitOfWork

VISIT_DAY = datetime.date(2026, 3, 10)
CHARGES = {"99203": 20000, "99213": 15000, "11102": 15000, "11200": 12000, "17110": 14000, "17311": 90000,
           "17312": 50000}
HMO_CONTRACT = {"99213": 11000, "11102": 10000, "17311": 60000, "17312": 30000}


@dataclass(frozen=True)
class CheckInWorld:
    world: World
    medicare: int
    hmo: int
    self_pay: int
    hmo_patient: int

    @property
    def practice_id(self) -> int:
        return self.world.practice_id


def _at(hour: int) -> datetime.datetime:
    return datetime.datetime.combine(VISIT_DAY, datetime.time(hour, 0), tzinfo=datetime.UTC)


def _patient(account: str, last: str, first: str, born: datetime.date) -> PatientRow:
    return PatientRow(account_number=account, last_name=last, first_name=first, date_of_birth=born, sex="F",
                      address_line1="3 TEST ST", city="ANYTOWN", state="PA", zip_code="19099", created_at=NOW)


def check_in_world(database: Database, *, code: str = "ERA", company: str = "ERA TEST BILLING") -> CheckInWorld:
    world = practice_world(database, code=code, company=company)
    with UnitOfWork(database, actor="test", clock=clock) as uow:
        repo = uow.practice(world.practice_id)
        provider = repo.rows(ProviderRow)[0]
        location = repo.rows(ServiceLocationRow)[0]
        medicare_patient = repo.rows(PatientRow)[0]
        hmo = PayerRow(organization_id=repo.practice.organization_id, name="TEST COMMUNITY HMO",
                       payer_identifier="TSTHMO", kind="commercial", claim_filing_indicator_code="HM",
                       timely_filing_days=120)
        uow.add_payers([hmo])
        uow.session.add(PayerRuleProposalRow(
            organization_id=repo.practice.organization_id, payer_id=hmo.id, rule="prior_authorization", code="17311",
            denials=3, evidence=["ERAE1", "ERAE2", "ERAE3"], description="Mohs needs authorization",
            status="accepted", decided_by="manager@era.test", decided_at=NOW, created_at=NOW))
        hmo_patient = repo.add(_patient("B-2", "TESTBRAVO", "BEA", datetime.date(1980, 5, 5)))
        self_pay_patient = repo.add(_patient("C-3", "TESTCHARLIE", "CAL", datetime.date(1990, 7, 7)))
        repo.flush()
        repo.add(CoverageRow(patient_id=hmo_patient.id, payer_id=hmo.id, member_id="HMO12345", coverage_order="primary",
                             relationship_code="18", copay_cents=4000, effective_date=datetime.date(2026, 1, 1)))
        charges = repo.add(FeeScheduleRow(name="ERA charge master", effective_from=datetime.date(2026, 1, 1)))
        contract = repo.add(FeeScheduleRow(name="HMO contract", payer_id=hmo.id,
                                           effective_from=datetime.date(2026, 1, 1)))
        repo.flush()
        repo.add_all([FeeScheduleItemRow(fee_schedule_id=charges.id, procedure_code=c, modifier="", amount_cents=a)
                      for c, a in CHARGES.items()])
        repo.add_all([FeeScheduleItemRow(fee_schedule_id=contract.id, procedure_code=c, modifier="", amount_cents=a)
                      for c, a in HMO_CONTRACT.items()])
        ids = []
        for patient, hour, visit, codes in ((medicare_patient, 9, "Follow-up", ["99213", "11200", "17110"]),
                                            (hmo_patient, 10, "Mohs surgery", ["17311", "17312"]),
                                            (self_pay_patient, 11, "New patient", ["99203", "11102"])):
            row = repo.add(AppointmentRow(patient_id=patient.id, provider_id=provider.id, location_id=location.id,
                                          starts_at=_at(hour), minutes=30, reason=None, visit_type=visit,
                                          planned_codes=codes, status="booked", updated_at=NOW))
            repo.flush()
            ids.append(row.id)
        uow.commit()
        return CheckInWorld(world, ids[0], ids[1], ids[2], hmo_patient.id)
