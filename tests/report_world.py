"""A small billing company built by hand for the report tests: every entry, status move and payer answer is
made explicitly on a chosen day, so each figure's answer can be worked out on paper.

Two practices (``P1``, ``P2``), two payers (``MCR`` Medicare, ``CIG`` commercial), two providers per practice,
patients made on demand. Amounts are cents. Every helper commits its own transaction.

    world = ReportWorld(database)
    c = world.claim("P1", dos=day(3, 2), payer="MCR", lines=[("11102", 15000)], submitted_on=day(3, 4))
    world.pay(c, 1, 8000, on=day(4, 1))          # Dr cash (payer) / Cr insurance A/R
    world.adjust(c, 1, 5000, on=day(4, 1))       # Dr contractual / Cr insurance A/R
    world.to_patient(c, 1, 2000, on=day(4, 1))   # Dr patient A/R / Cr insurance A/R
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from typing import Any

from dermbill.core.ledger import (
    CASH,
    CONTRACTUAL,
    DENIED_AR,
    INSURANCE_AR,
    PATIENT_AR,
    PATIENT_CREDIT,
    JournalEntry,
    Posting,
)
from dermbill.core.money import Money
from dermbill.db.engine import Database
from dermbill.db.models import (
    AppealRow,
    ClaimLineRow,
    ClaimRow,
    ClaimStatusEventRow,
    CodingReviewRow,
    DenialItemRow,
    EncounterRow,
    LineAdjudicationRow,
    PatientRow,
    PayerRow,
    PaymentPlanRow,
    PracticeRow,
    ProviderRow,
    RemittanceRow,
    ServiceLocationRow,
    StatementClaimRow,
    StatementRow,
)
from dermbill.db.repositories import UnitOfWork
from dermbill.services.claim_lifecycle import charge_entry

YEAR = 2026
PAYERS = {"MCR": ("TEST MEDICARE", "medicare", "MB"), "CIG": ("TEST COMMERCIAL", "commercial", "CI")}


def day(month: int, dom: int, year: int = YEAR) -> datetime.date:
    return datetime.date(year, month, dom)


def moment(on: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(on, datetime.time(12), tzinfo=datetime.UTC)


@dataclass(frozen=True, slots=True)
class Claim:
    id: int
    practice_id: int
    patient_id: int
    payer_id: int | None
    line_ids: tuple[int, ...]  # by line number - 1
    charges: tuple[int, ...]

    def line(self, number: int) -> int:
        return self.line_ids[number - 1]


@dataclass
class ReportWorld:
    database: Database
    practices: dict[str, int] = field(default_factory=dict)
    payers: dict[str, int] = field(default_factory=dict)
    providers: dict[str, list[int]] = field(default_factory=dict)
    patients: dict[tuple[str, int], int] = field(default_factory=dict)
    locations: dict[str, int] = field(default_factory=dict)
    organization_id: int = 0
    _entries: int = 0
    _hashes: dict[int, str] = field(default_factory=dict)  # remittance id -> content hash
    _charged: dict[int, int] = field(default_factory=dict)  # a line billing another again -> the charged line

    def __post_init__(self) -> None:
        with self._uow(day(1, 1)) as uow:
            organization = uow.add_organization("REPORT TEST BILLING")
            self.organization_id = organization.id
            payers = [PayerRow(organization_id=organization.id, name=name, payer_identifier=key, kind=kind,
                               claim_filing_indicator_code=indicator, timely_filing_days=365)
                      for key, (name, kind, indicator) in PAYERS.items()]
            uow.add_payers(payers)
            uow.session.flush()
            self.payers = {p.payer_identifier: p.id for p in payers}
            for number, code in enumerate(("P1", "P2"), start=1):
                practice = uow.add_practice(PracticeRow(
                    organization_id=organization.id, code=code, legal_name=f"REPORT TEST DERMATOLOGY {number}",
                    tin=f"99000000{number}", billing_npi="1234567893", taxonomy="207N00000X",
                    address_line1="1 TEST ST", city="ANYTOWN", state="PA", zip_code="19099"))
                repo = uow.practice(practice.id)
                repo.open_standard_chart()
                doctors = [repo.add(ProviderRow(last_name=f"DOC{number}{i}", first_name="ANN",
                                                npi=f"10000000{number}{i}", taxonomy="207N00000X"))
                           for i in (1, 2)]
                location = repo.add(ServiceLocationRow(name="OFFICE", place_of_service="11",
                                                       address_line1="1 TEST ST", city="ANYTOWN", state="PA",
                                                       zip_code="19099"))
                repo.flush()
                self.practices[code] = practice.id
                self.providers[code] = [d.id for d in doctors]
                self.locations[code] = location.id
            uow.commit()

    def _uow(self, on: datetime.date) -> UnitOfWork:
        return UnitOfWork(self.database, actor="report-test", clock=lambda: moment(on))

    def patient(self, practice: str, number: int) -> int:
        key = (practice, number)
        if key not in self.patients:
            with self._uow(day(1, 1)) as uow:
                repo = uow.practice(self.practices[practice])
                row = repo.add(PatientRow(account_number=f"{practice}-{number}", last_name=f"PATIENT{number}",
                                          first_name="PAT", date_of_birth=datetime.date(1960, 1, 1), sex="F",
                                          address_line1="2 TEST ST", city="ANYTOWN", state="PA",
                                          zip_code="19099", created_at=moment(day(1, 1))))
                repo.flush()
                self.patients[key] = row.id
                uow.commit()
        return self.patients[key]

    def claim(self, practice: str = "P1", *, dos: datetime.date, payer: str | None = "MCR", provider: int = 0,
              patient: int = 1, lines: list[tuple[str, int]] | None = None, created_on: datetime.date | None = None,
              submitted_on: datetime.date | None = None, status: str = "submitted") -> Claim:
        """A claim with its charges posted on ``created_on`` (the date of service unless given); with
        ``submitted_on``, a move to submitted that day (``status`` is where it stands now)."""
        lines = lines or [("11102", 15000)]
        created_on = created_on or dos
        patient_id = self.patient(practice, patient)
        with self._uow(created_on) as uow:
            repo = uow.practice(self.practices[practice])
            encounter = repo.add(EncounterRow(patient_id=patient_id, provider_id=self.providers[practice][provider],
                                              location_id=self.locations[practice], date_of_service=dos,
                                              documentation={"lesions": []}, created_at=moment(created_on)))
            repo.flush()
            number = repo.count(ClaimRow) + 1
            row = repo.add(ClaimRow(
                patient_id=patient_id, encounter_id=encounter.id, payer_id=self.payers[payer] if payer else None,
                rendering_provider_id=self.providers[practice][provider], location_id=self.locations[practice],
                status=status, patient_control_number=f"{practice}-C{number}", diagnosis_codes=["L82.1"],
                total_charge_cents=sum(c for _, c in lines), date_of_service=dos, created_at=moment(created_on),
                updated_at=moment(created_on)))
            repo.flush()
            rows = [repo.add(ClaimLineRow(claim_id=row.id, line_number=i, procedure_code=code, modifiers=[],
                                          units=1, charge_cents=charge, diagnosis_pointers=[1],
                                          service_date_from=dos))
                    for i, (code, charge) in enumerate(lines, start=1)]
            repo.flush()
            repo.post(charge_entry(row, rows))
            uow.commit()
            claim = Claim(row.id, self.practices[practice], patient_id, row.payer_id, tuple(r.id for r in rows),
                          tuple(c for _, c in lines))
        if submitted_on is not None:
            self.event(claim, "ready", "submitted", on=submitted_on)
        return claim

    def event(self, claim: Claim, from_status: str, to_status: str, *, on: datetime.date,
              reason: str = "test") -> None:
        with self._uow(on) as uow:
            repo = uow.practice(claim.practice_id)
            repo.add(ClaimStatusEventRow(claim_id=claim.id, from_status=from_status, to_status=to_status,
                                         actor="report-test", reason=reason, occurred_at=moment(on)))
            uow.commit()

    def set_status(self, claim: Claim, status: str) -> None:
        with self._uow(day(1, 1)) as uow:
            uow.practice(claim.practice_id).get(ClaimRow, claim.id).status = status
            uow.commit()

    # The ledger: each call is one balanced entry dated ``on``.

    def entry(self, claim: Claim, on: datetime.date, legs: list[tuple[str, int, int | None, bool]],
              kind: str = "general", remittance: int | None = None) -> None:
        """Legs: (account, cents debit>0, line number or None, whether the payer is named). With ``remittance``
        the entry is that 835's (kind remittance, its key ``era:<content hash>:...`` as ERA posting writes it)."""
        self._entries += 1
        key = f"test:{self._entries}"
        if remittance is not None:
            key, kind = f"era:{self._hashes[remittance][:24]}:{self._entries}", "remittance"
        postings = tuple(
            Posting(account, Money(cents), patient_id=claim.patient_id,
                    payer_id=claim.payer_id if with_payer else None, claim_id=claim.id,
                    claim_line_id=self._charged.get(claim.line(line), claim.line(line)) if line else None)
            for account, cents, line, with_payer in legs)
        with self._uow(on) as uow:
            uow.practice(claim.practice_id).post(JournalEntry(on, f"test entry {self._entries}", postings,
                                                              idempotency_key=key, kind=kind))
            uow.commit()

    def pay(self, claim: Claim, line: int, cents: int, *, on: datetime.date, remittance: int | None = None) -> None:
        """The payer paid: Dr cash (payer named) / Cr insurance A/R."""
        self.entry(claim, on, [(CASH, cents, line, True), (INSURANCE_AR, -cents, line, True)], kind="payment",
                   remittance=remittance)

    def adjust(self, claim: Claim, line: int, cents: int, *, on: datetime.date, account: str = CONTRACTUAL) -> None:
        """A contractual (or other) adjustment of insurance A/R: Dr ``account`` / Cr insurance A/R."""
        self.entry(claim, on, [(account, cents, line, True), (INSURANCE_AR, -cents, line, True)],
                   kind="adjustment")

    def to_patient(self, claim: Claim, line: int, cents: int, *, on: datetime.date) -> None:
        """The payer put it on the patient: Dr patient A/R / Cr insurance A/R."""
        self.entry(claim, on, [(PATIENT_AR, cents, line, False), (INSURANCE_AR, -cents, line, True)],
                   kind="transfer")

    def deny(self, claim: Claim, line: int, cents: int, *, on: datetime.date, remittance: int | None = None) -> None:
        """The payer denied it: Dr denied A/R / Cr insurance A/R."""
        self.entry(claim, on, [(DENIED_AR, cents, line, True), (INSURANCE_AR, -cents, line, True)],
                   kind="denial", remittance=remittance)

    def patient_pays(self, claim: Claim, line: int, cents: int, *, on: datetime.date) -> None:
        """The patient paid: Dr cash (no payer) / Cr patient A/R."""
        self.entry(claim, on, [(CASH, cents, line, False), (PATIENT_AR, -cents, line, False)], kind="payment")

    def patient_credit(self, claim: Claim, cents: int, *, on: datetime.date) -> None:
        """The patient paid ahead: Dr cash / Cr patient credit (no line)."""
        self.entry(claim, on, [(CASH, cents, None, False), (PATIENT_CREDIT, -cents, None, False)], kind="payment")

    # What payers said and what the queue made of it.

    def remittance(self, practice: str, payer: str, *, on: datetime.date, payment: int = 0) -> int:
        """An 835 on record (for adjudications and denial items to name). Its cash is posted with ``pay``; the
        ledger check ties an 835's payment to cash entries of its own, so leave ``payment`` 0 there."""
        with self._uow(on) as uow:
            repo = uow.practice(self.practices[practice])
            self._entries += 1
            row = repo.add(RemittanceRow(payer_identifier=payer, trace_number=f"T{self._entries}",
                                         content_hash=hashlib.sha256(f"835 {self._entries}".encode()).hexdigest(),
                                         payment_cents=payment,
                                         payment_date=on, status="posted", problems=[], file_name="test.835",
                                         received_at=moment(on)))
            repo.flush()
            uow.commit()
            self._hashes[row.id] = row.content_hash
            return row.id

    def adjudicate(self, claim: Claim, line: int, remittance_id: int, *, on: datetime.date, paid: int,
                   allowed: int | None = None, adjustments: list[tuple[str, str, int]] = (),  # type: ignore[assignment]
                   status_code: str = "1", code: str = "11102") -> None:
        with self._uow(on) as uow:
            repo = uow.practice(claim.practice_id)
            repo.add(LineAdjudicationRow(
                claim_id=claim.id, claim_line_id=claim.line(line), remittance_id=remittance_id,
                payer_id=claim.payer_id, status_code=status_code, code=code, modifiers=[], units=1,
                paid_cents=paid, allowed_cents=allowed, remarks=[], adjudicated_on=on,
                adjustments=[{"group": g, "reason": r, "cents": c} for g, r, c in adjustments]))
            uow.commit()

    def denial_item(self, claim: Claim, lines: list[int], *, on: datetime.date, amount: int,
                    carc: str = "97", group: str = "CO", category: str = "bundling",
                    action: str = "correct_and_resubmit", kind: str = "denial", status: str = "open",
                    remittance_id: int | None = None, codes: list[str] | None = None,
                    follow_up_claim_id: int | None = None, **extra: Any) -> int:
        with self._uow(on) as uow:
            repo = uow.practice(claim.practice_id)
            self._entries += 1
            row = repo.add(DenialItemRow(
                claim_id=claim.id, remittance_id=remittance_id, payer_id=claim.payer_id,
                source_key=f"test:{self._entries}", kind=kind, line_ids=[claim.line(n) for n in lines],
                line_numbers=lines, codes=codes or ["11102"], group_code=group if kind == "denial" else None,
                carc=carc if kind == "denial" else None, rarcs=[], category=category, action=action,
                cause="test", fixes=[], relies_on=[], amount_cents=amount, adjudicated_on=on, status=status,
                follow_up_claim_id=follow_up_claim_id, created_at=moment(on), updated_at=moment(on), **extra))
            repo.flush()
            uow.commit()
            return row.id

    def review(self, practice: str, *, family: str, accepted: bool, on: datetime.date) -> None:
        """A coder's decision on one engine line (for the coding figures)."""
        patient_id = self.patient(practice, 1)
        with self._uow(on) as uow:
            repo = uow.practice(self.practices[practice])
            encounter = repo.add(EncounterRow(patient_id=patient_id,
                                              provider_id=self.providers[practice][0],
                                              location_id=self.locations[practice], date_of_service=on,
                                              documentation={"lesions": []}, created_at=moment(on)))
            repo.flush()
            line = {"code": "11102", "units": 1, "modifiers": [], "diagnoses": ["L82.1"]}
            repo.add(CodingReviewRow(encounter_id=encounter.id, line_number=1, family=family, engine_line=line,
                                     reviewed_line=line if accepted else {**line, "code": "11104"},
                                     accepted=accepted, reason=None if accepted else "test", reviewer="coder",
                                     reviewed_at=moment(on)))
            uow.commit()

    def set_claim(self, claim: Claim, **values: Any) -> None:
        """Change stored columns of a claim (``frequency_code="7"``, ``primary_claim_id=...``) for a case."""
        with self._uow(day(1, 1)) as uow:
            row = uow.practice(claim.practice_id).get(ClaimRow, claim.id)
            for name, value in values.items():
                setattr(row, name, value)
            uow.commit()

    # Follow-up claims, appeals, statements and payment plans (the denial, coding and patient-collection reports).

    def follow_up(self, claim: Claim, *, on: datetime.date, payer: str, replacement: bool) -> Claim:
        """A claim billing ``claim``'s lines again (``billed_line_id``): a replacement (frequency 7) to the same
        payer, or a new claim to another payer."""
        practice = next(code for code, i in self.practices.items() if i == claim.practice_id)
        number = next(n for (p, n), i in self.patients.items() if i == claim.patient_id and p == practice)
        codes = []
        with self._uow(on) as uow:
            repo = uow.practice(claim.practice_id)
            codes = [repo.get(ClaimLineRow, line).procedure_code for line in claim.line_ids]
        again = self.claim(practice, dos=on, payer=payer, patient=number,
                           lines=list(zip(codes, claim.charges, strict=True)), created_on=on)
        with self._uow(on) as uow:
            repo = uow.practice(claim.practice_id)
            repo.get(ClaimRow, again.id).frequency_code = "7" if replacement else "1"
            for new, old in zip(again.line_ids, claim.line_ids, strict=True):
                charged = self._charged.get(old, old)
                repo.get(ClaimLineRow, new).billed_line_id = charged
                self._charged[new] = charged  # its postings go on the charged line, as 835 posting does
            uow.commit()
        return again

    def appeal(self, claim: Claim, item_id: int, *, on: datetime.date, status: str = "won") -> None:
        with self._uow(on) as uow:
            uow.practice(claim.practice_id).add(AppealRow(
                denial_item_id=item_id, claim_id=claim.id, file_name="appeal.pdf", written_on=on, status=status,
                answered_on=on if status in ("won", "lost") else None))
            uow.commit()

    def statement(self, claim: Claim, *, on: datetime.date, cents: int) -> None:
        """A statement dated ``on`` naming ``claim`` (one per patient and day)."""
        with self._uow(on) as uow:
            repo = uow.practice(claim.practice_id)
            self._entries += 1
            row = repo.add(StatementRow(
                patient_id=claim.patient_id, statement_date=on, due_on=on + datetime.timedelta(days=21),
                amount_cents=cents, step="statement", code=f"S{self._entries:08d}", delivery="print",
                delivery_status="printed", document={}, created_by="test", created_at=moment(on)))
            repo.flush()
            repo.add(StatementClaimRow(statement_id=row.id, claim_id=claim.id, patient_owes_cents=cents))
            uow.commit()

    def payment_plan(self, practice: str, *, patient: int, cents: int, on: datetime.date) -> None:
        patient_id = self.patient(practice, patient)
        with self._uow(on) as uow:
            uow.practice(self.practices[practice]).add(PaymentPlanRow(
                patient_id=patient_id, total_cents=cents, installment_count=3,
                first_due_on=on + datetime.timedelta(days=30), status="active", created_by="test",
                created_at=moment(on)))
            uow.commit()
