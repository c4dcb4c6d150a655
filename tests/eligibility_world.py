"""A practice with a day of appointments whose eligibility answers are each kind the simulated payer gives (shared by
the eligibility service, command and page tests).

On VISIT_DAY (the day after NOW) the practice ERA (tests/era_world.py) sees:
- A-1 DOE JANE: Medicare active, deductible partly met, out-of-pocket maximum, copay and coinsurance;
- A-2 TESTBETA ALICE: her plan ended on 2026-03-31 (inactive);
- A-3 TESTGAMMA BOB: the payer knows him under 1EG4TE5MK72-like ID 2EG4TE5MK73; ours has two digits swapped
  (AAA 72, invalid member ID);
- A-4 TESTDELTA CARL: nobody the payer knows (AAA 75, not found);
- A-5 TESTEPSILON DORA: the payer spells her first name DORAH (AAA 73, name mismatch);
- A-6 TESTZETA EMIL: the payer has another birth date (AAA 71);
- A-7 TESTETA FAYE: primary TEST BLUE, secondary Medicare; Blue says Medicare is primary (EB*R);
- A-8 TESTTHETA GUS: no insurance (self-pay, nothing asked).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from era_world import DOS, NOW, PAYER_ID, practice_world
from sqlalchemy import select

from dermbill.clearinghouse.config import ClearinghouseConfig, parse_config
from dermbill.clearinghouse.simulated_payer.plans import Member, PayerProfile, write_roster
from dermbill.clearinghouse.simulated_payer.service import write_payers
from dermbill.core.money import Money
from dermbill.db.engine import Database
from dermbill.db.models import AppointmentRow, CoverageRow, PatientRow, PayerRow, ProviderRow
from dermbill.db.repositories import UnitOfWork

VISIT_DAY = NOW.date() + datetime.timedelta(days=1)
BLUE_ID = "TSTBLU"
CONNECTION = "simulated"
PEOPLE = (  # account, last, first, birth date, our member ID, payer's member ID (None: not a member)
    ("A-2", "TESTBETA", "ALICE", datetime.date(1961, 2, 3), "2EG4TE5MK01", "2EG4TE5MK01"),
    ("A-3", "TESTGAMMA", "BOB", datetime.date(1962, 3, 4), "2EG4TE5MK37", "2EG4TE5MK73"),
    ("A-4", "TESTDELTA", "CARL", datetime.date(1963, 4, 5), "2EG4TE5MK44", None),
    ("A-5", "TESTEPSILON", "DORA", datetime.date(1964, 5, 6), "2EG4TE5MK55", "2EG4TE5MK55"),
    ("A-6", "TESTZETA", "EMIL", datetime.date(1965, 6, 7), "2EG4TE5MK66", "2EG4TE5MK66"),
    ("A-7", "TESTETA", "FAYE", datetime.date(1966, 7, 8), "2EG4TE5MK77", "2EG4TE5MK77"),
    ("A-8", "TESTTHETA", "GUS", datetime.date(1967, 8, 9), None, None),
)


@dataclass(frozen=True)
class EligibilityWorld:
    database: Database
    practice_id: int
    config: ClearinghouseConfig
    payer_folder: Path
    inbox: Path
    outbox: Path
    appointments: dict[str, int]  # account number -> appointment id
    config_file: Path


def eligibility_world(database: Database, folder: Path) -> EligibilityWorld:
    world = practice_world(database)
    appointments: dict[str, int] = {}
    with UnitOfWork(database, actor="test") as uow:
        repo = uow.practice(world.practice_id)
        medicare = uow.session.scalars(select(PayerRow).where(PayerRow.payer_identifier == PAYER_ID)).one()
        blue = PayerRow(organization_id=medicare.organization_id, name="TEST BLUE", payer_identifier=BLUE_ID,
                        kind="commercial", claim_filing_indicator_code="CI", timely_filing_days=180)
        uow.add_payers([blue])
        provider = repo.rows(ProviderRow)[0]
        for account, last, first, born, member, _ in PEOPLE:
            patient = repo.add(PatientRow(account_number=account, last_name=last, first_name=first,
                                          date_of_birth=born, sex="F", address_line1="2 TEST ST", city="ANYTOWN",
                                          state="PA", zip_code="19099", created_at=NOW))
            repo.flush()
            if member is None:
                continue
            if account == "A-7":
                repo.add(CoverageRow(patient_id=patient.id, payer_id=blue.id, member_id="TBLU77",
                                     coverage_order="primary", relationship_code="18", effective_date=DOS))
                repo.add(CoverageRow(patient_id=patient.id, payer_id=medicare.id, member_id=member,
                                     coverage_order="secondary", relationship_code="18", effective_date=DOS))
            else:
                repo.add(CoverageRow(patient_id=patient.id, payer_id=medicare.id, member_id=member,
                                     coverage_order="primary", relationship_code="18", effective_date=DOS))
        repo.flush()
        for number, patient in enumerate(repo.rows(PatientRow, order_by=PatientRow.account_number)):
            start = datetime.datetime.combine(VISIT_DAY, datetime.time(9 + number // 2, 30 * (number % 2)),
                                              tzinfo=datetime.UTC)
            row = repo.add(AppointmentRow(patient_id=patient.id, provider_id=provider.id, starts_at=start, minutes=20,
                                          visit_type="follow-up", planned_codes=["99213"], status="booked",
                                          updated_at=NOW))
            repo.flush()
            appointments[patient.account_number] = row.id
        uow.commit()
    payer_folder = folder / "payer"
    payer_folder.mkdir(parents=True)
    write_payers(payer_folder / "payers.csv", [PayerProfile(PAYER_ID, "TEST MEDICARE", "medicare", 100, 365),
                                               PayerProfile(BLUE_ID, "TEST BLUE", "commercial", 120, 180)])
    start = DOS
    members = [Member(PAYER_ID, "1EG4TE5MK72", "DOE", "JANE", datetime.date(1950, 1, 1), start, None, Money(25700),
                      20, Money(2500), out_of_pocket=Money(300000))]
    for account, last, first, born, _, known_as in PEOPLE:
        if known_as is None:
            continue
        ended = datetime.date(2026, 3, 31) if account == "A-2" else None
        first_name = "DORAH" if account == "A-5" else first
        birth = born + datetime.timedelta(days=1) if account == "A-6" else born
        members.append(Member(PAYER_ID, known_as, last, first_name, birth, start, ended, Money(25700), 20,
                              Money(0)))
        if account == "A-7":
            members.append(Member(BLUE_ID, "TBLU77", last, first, born, start, None, Money(50000), 10, Money(3000),
                                  other_payer_id=PAYER_ID, other_payer_name="TEST MEDICARE"))
    write_roster(payer_folder / "roster.csv", members)
    config_file = folder / "dermbill.toml"
    config_file.write_text(f'[connections.{CONNECTION}]\nkind = "simulated"\nfolder = "payer"\n')
    config = parse_config({"connections": {CONNECTION: {"kind": "simulated", "folder": str(payer_folder)}}},
                          folder)
    return EligibilityWorld(database, world.practice_id, config, payer_folder, folder / "inbox", folder / "outbox",
                            appointments, config_file)


def eligibility_records(database: Database, practice_id: int) -> dict[str, str]:
    """An appointment of the practice's first insured patient, an eligibility check of it, an open work-list item
    and a proposed order change (the path parameters of the front desk's pages, for the scoping tests)."""
    from dermbill.db.models import CoverageOrderProposalRow, EligibilityCheckRow, EligibilityProblemRow

    with UnitOfWork(database, actor="test") as uow:
        repo = uow.practice(practice_id)
        coverage = repo.rows(CoverageRow)[0]
        appointment = repo.add(AppointmentRow(patient_id=coverage.patient_id, starts_at=NOW, minutes=15,
                                              status="booked", planned_codes=[], updated_at=NOW))
        repo.flush()
        check = repo.add(EligibilityCheckRow(
            patient_id=coverage.patient_id, coverage_id=coverage.id, appointment_id=appointment.id,
            payer_id=coverage.payer_id, member_id=coverage.member_id, asked_for=NOW.date(),
            trace_number=f"SCOPE-{practice_id}-{appointment.id}", sent_at=NOW, answered_at=NOW,
            outcome="other_payer_primary", benefits={}, errors=[], requested_by="test"))
        repo.flush()
        problem = repo.add(EligibilityProblemRow(
            patient_id=coverage.patient_id, coverage_id=coverage.id, appointment_id=appointment.id,
            check_id=check.id, kind="other_payer_primary", message="another payer is primary", fix="ask",
            status="open", opened_at=NOW))
        proposal = repo.add(CoverageOrderProposalRow(
            patient_id=coverage.patient_id, coverage_id=coverage.id, check_id=check.id,
            other_payer_name="TEST OTHER", other_payer_identifier="TSTOTH", status="proposed", created_at=NOW))
        repo.flush()
        uow.commit()
        return {"appointment_id": str(appointment.id), "problem_id": str(problem.id),
                "proposal_id": str(proposal.id)}
