"""A small world for the claim search, board and dashboard tests: two practices of one billing company (the user
is granted the first), a practice of another company, patients, providers, payers and claims of many dates and
states; and the work queues' records (rejections, denial items, unmatched payments, overpayments).

Every claim's facts are kept in ``World.claims`` so that a test computes what a search must return from them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from era_world import NOW, practice_world

from dermbill.core.resubmission import REJECTION_RULE
from dermbill.db.engine import Database
from dermbill.db.models import (
    ClaimFindingRow,
    ClaimLineRow,
    ClaimRow,
    DenialItemRow,
    OverpaymentRow,
    PatientRow,
    PayerRow,
    PracticeRow,
    ProviderRow,
    RemittanceRow,
    UnmatchedRemittanceRow,
)
from dermbill.db.repositories import UnitOfWork

TODAY = datetime.date(2026, 4, 2)
COMPANY = "ERA TEST BILLING"
OTHER_NPI = "1245319599"


@dataclass(frozen=True)
class ClaimFacts:
    id: int
    number: str
    practice: str
    patient: str  # LAST, FIRST as stored
    account: str
    provider_npi: str
    provider_name: str
    billing_npi: str
    payer_id: str
    payer_name: str
    date_of_service: datetime.date
    status: str
    charge_cents: int


@dataclass(frozen=True)
class World:
    database: Database
    ids: dict[str, int]  # practice code -> id
    claims: tuple[ClaimFacts, ...]

    def of(self, *codes: str) -> list[ClaimFacts]:
        return [c for c in self.claims if c.practice in codes]


PATIENTS = (("A-2", "SMITH", "JOHN"), ("A-3", "Smithers", "anna"), ("A-4", "O_NEIL", "PAT"))
STATUSES = ("ready", "scrub_errors", "rejected", "submitted", "paid", "denied", "ready", "submitted")


def claim_world(database: Database, claims_per_practice: int = 24) -> World:
    """Practices ERA (granted), ERB (same company, not granted) and OTH (another company), with claims."""
    worlds = {"ERA": practice_world(database),
              "OTH": practice_world(database, company="OTHER BILLING CO", submitter="OTHERCO", code="OTH")}
    with UnitOfWork(database, actor="test") as uow:
        era = uow.session.get(PracticeRow, worlds["ERA"].practice_id)
        assert era is not None
        erb = uow.add_practice(PracticeRow(
            organization_id=era.organization_id, code="ERB", legal_name="BRAVO SKIN CLINIC", tin="990000002",
            billing_npi=OTHER_NPI, taxonomy="207N00000X", address_line1="1 TEST ST", city="ANYTOWN", state="PA",
            zip_code="19099"))
        uow.commit()
        ids = {"ERA": worlds["ERA"].practice_id, "ERB": erb.id, "OTH": worlds["OTH"].practice_id}
    facts: list[ClaimFacts] = []
    for code, practice_id in ids.items():
        facts += _claims(database, code, practice_id, claims_per_practice)
    return World(database, ids, tuple(facts))


def _claims(database: Database, code: str, practice_id: int, count: int) -> list[ClaimFacts]:
    with UnitOfWork(database, actor="test") as uow:
        repo = uow.practice(practice_id)
        practice = repo.practice
        base_patient = repo.rows(PatientRow)[0] if repo.rows(PatientRow) else None
        base_provider = repo.rows(ProviderRow)[0] if repo.rows(ProviderRow) else None
        if base_patient is None or base_provider is None:  # ERB: its own provider and patient
            base_provider = repo.add(ProviderRow(last_name="BRAVODOC", first_name="BEA", npi="1999999984",
                                                 taxonomy="207N00000X"))
            base_patient = repo.add(PatientRow(account_number="B-1", last_name="DOE", first_name="JANE",
                                               date_of_birth=datetime.date(1950, 1, 1), sex="F",
                                               address_line1="2 TEST ST", city="ANYTOWN", state="PA",
                                               zip_code="19099", created_at=NOW))
        patients = [base_patient] + [repo.add(PatientRow(
            account_number=account, last_name=last, first_name=first, date_of_birth=datetime.date(1960, 5, 5),
            sex="U", address_line1="2 TEST ST", city="ANYTOWN", state="PA", zip_code="19099", created_at=NOW))
            for account, last, first in PATIENTS]
        providers = [base_provider, repo.add(ProviderRow(last_name="MOLE", first_name="MARK", npi="1326047788",
                                                         taxonomy="207N00000X"))]
        payers = list(uow.session.scalars(select_payers(practice.organization_id)))
        if len(payers) == 1:
            acme = PayerRow(organization_id=practice.organization_id, name="ACME HEALTH", payer_identifier="ACME01",
                            kind="commercial", claim_filing_indicator_code="CI", timely_filing_days=180)
            uow.add_payers([acme])
            payers.append(acme)
        repo.flush()
        location_id = _location(uow, practice_id)
        facts = []
        for n in range(count):
            patient = patients[n % len(patients)]
            provider = providers[(n // 2) % 2]
            payer = payers[(n // 3) % 2]
            day = datetime.date(2026, 1, 5) + datetime.timedelta(days=(n * 7) % 80)
            status = STATUSES[n % len(STATUSES)]
            charge = 10000 + 500 * n
            claim = repo.add(ClaimRow(
                patient_id=patient.id, rendering_provider_id=provider.id, location_id=location_id,
                payer_id=payer.id, status=status, patient_control_number=f"{code}{n:04d}",
                diagnosis_codes=["L82.1"], total_charge_cents=charge, date_of_service=day, created_at=NOW,
                updated_at=NOW))
            repo.flush()
            repo.add(ClaimLineRow(claim_id=claim.id, line_number=1, procedure_code="17110", modifiers=[], units=1,
                                  charge_cents=charge, diagnosis_pointers=[1], service_date_from=day))
            facts.append(ClaimFacts(claim.id, claim.patient_control_number, code,
                                    f"{patient.last_name}, {patient.first_name}", patient.account_number,
                                    provider.npi, provider.last_name, practice.billing_npi, payer.payer_identifier,
                                    payer.name, day, status, charge))
        uow.commit()
    return facts


def select_payers(organization_id: int):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    return select(PayerRow).where(PayerRow.organization_id == organization_id).order_by(PayerRow.id)


def _location(uow: UnitOfWork, practice_id: int) -> int:
    from sqlalchemy import select

    from dermbill.db.models import ServiceLocationRow

    found = uow.session.scalars(select(ServiceLocationRow.id).where(ServiceLocationRow.practice_id == practice_id)
                                ).first()
    if found is not None:
        return found
    location = ServiceLocationRow(practice_id=practice_id, name="BRAVO OFFICE", place_of_service="11",
                                  address_line1="1 TEST ST", city="ANYTOWN", state="PA", zip_code="19099")
    uow.session.add(location)
    uow.flush()
    return location.id


@dataclass(frozen=True)
class Queues:
    """What the dashboard must count for practice ERA (and what it must not: ERB's and OTH's)."""

    ready: tuple[int, int]  # count, cents
    scrub_errors: tuple[int, int]
    rejected: tuple[int, int]
    denials: dict[str, tuple[int, int]]  # urgency -> count, cents
    unmatched: tuple[int, int]
    overpayments: tuple[int, int]


def add_work(world: World) -> dict[str, Queues]:
    """Rejection findings on some rejected claims, denial items, unmatched payments and overpayments, in every
    practice; returns what each practice's queues hold."""
    expected = {}
    for code, practice_id in world.ids.items():
        claims = world.of(code)
        with UnitOfWork(world.database, actor="test") as uow:
            repo = uow.practice(practice_id)
            rejected = [c for c in claims if c.status == "rejected"]
            with_finding = rejected[:-1]  # the last rejected claim has no rejection finding: not in the fix queue
            for claim in with_finding:
                repo.add(ClaimFindingRow(claim_id=claim.id, rule=REJECTION_RULE, severity="error", lines=[],
                                         message="NM109: member not found", fix="check the member ID",
                                         scrubbed_at=NOW))
                repo.add(ClaimFindingRow(claim_id=claim.id, rule="other", severity="warning", lines=[],
                                         message="m", fix="f", scrubbed_at=NOW))
            remittance = repo.add(RemittanceRow(
                payer_identifier="TSTMCR", trace_number=f"EFT-{code}", content_hash="0" * 64, payment_cents=0,
                payment_date=TODAY, status="posted", problems=[], file_name="r.835", received_at=NOW))
            repo.flush()
            denials: dict[str, tuple[int, int]] = {}
            items = (  # status, snoozed_until, deadline, cents, urgency it counts under (None: not listed)
                ("open", None, TODAY - datetime.timedelta(days=1), 1100, "overdue"),
                ("open", None, TODAY, 1200, "due_soon"),
                ("waiting", None, TODAY + datetime.timedelta(days=30), 1300, "due_soon"),
                ("open", None, TODAY + datetime.timedelta(days=31), 1400, "later"),
                ("open", None, None, 1500, "no_deadline"),
                ("snoozed", TODAY, TODAY + datetime.timedelta(days=5), 1600, "due_soon"),
                ("snoozed", TODAY + datetime.timedelta(days=1), TODAY, 1700, None),
                ("resolved", None, TODAY, 1800, None),
            )
            for n, (status, snoozed, deadline, cents, level) in enumerate(items):
                repo.add(DenialItemRow(
                    claim_id=claims[n].id, remittance_id=remittance.id, source_key=f"{code}-{n}", kind="denial",
                    line_ids=[], line_numbers=[1], codes=["17110"], carc="16", rarcs=[], category="missing_info",
                    action="correct_and_resubmit", cause="c", fixes=[], relies_on=[], amount_cents=cents,
                    adjudicated_on=TODAY, deadline=deadline, status=status, snoozed_until=snoozed,
                    created_at=NOW, updated_at=NOW))
                if level:
                    count, total = denials.get(level, (0, 0))
                    denials[level] = (count + 1, total + cents)
            for n, (paid, resolved) in enumerate(((2500, False), (3500, False), (9900, True))):
                repo.add(UnmatchedRemittanceRow(remittance_id=remittance.id, patient_control_number=f"X{n}",
                                                paid_cents=paid, reason="no such claim", detail={},
                                                resolved=resolved))
            for n, (amount, left, status) in enumerate(((4000, 4000, "open"), (5000, 2000, "open"),
                                                        (7000, 0, "refunded"))):
                repo.add(OverpaymentRow(claim_id=claims[n].id, remittance_id=remittance.id, amount_cents=amount,
                                        open_cents=left, status=status, created_at=NOW))
            uow.commit()

        def total(status: str, of: list[ClaimFacts]) -> tuple[int, int]:
            chosen = [c for c in of if c.status == status]
            return len(chosen), sum(c.charge_cents for c in chosen)

        expected[code] = Queues(total("ready", claims), total("scrub_errors", claims),
                                total("rejected", with_finding), denials, (2, 6000), (2, 6000))
    return expected
