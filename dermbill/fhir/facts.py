"""What the export needs to know, as plain values (the services fill them from the database's rows)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dermbill.core.money import Money


@dataclass(frozen=True, slots=True)
class PracticeFacts:
    code: str
    legal_name: str
    billing_npi: str
    tin: str


@dataclass(frozen=True, slots=True)
class ProviderFacts:
    npi: str
    last_name: str
    first_name: str
    credential: str | None = None


@dataclass(frozen=True, slots=True)
class PayerFacts:
    payer_identifier: str  # the electronic payer ID (837P 2010BB NM109)
    name: str


@dataclass(frozen=True, slots=True)
class PatientFacts:
    id: int
    practice_code: str
    account_number: str
    last_name: str
    first_name: str
    middle_name: str | None
    date_of_birth: datetime.date
    sex: str  # F, M, U
    address_line1: str
    address_line2: str | None
    city: str
    state: str
    zip_code: str
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class CoverageFacts:
    id: int
    patient_id: int
    payer: PayerFacts
    member_id: str
    group_number: str | None
    coverage_order: str  # primary, secondary, tertiary
    relationship_code: str  # X12 SBR02: 18 self, 01 spouse, 19 child, 20 employee, G8 other
    effective_date: datetime.date
    termination_date: datetime.date | None = None
    subscriber_last_name: str | None = None
    subscriber_first_name: str | None = None
    subscriber_date_of_birth: datetime.date | None = None
    subscriber_sex: str | None = None
    copay: Money | None = None


@dataclass(frozen=True, slots=True)
class LineFacts:
    line_number: int
    procedure_code: str
    modifiers: tuple[str, ...]
    units: int
    charge: Money
    diagnosis_pointers: tuple[int, ...]  # 1-based, into the claim's diagnoses
    service_date_from: datetime.date
    service_date_to: datetime.date | None = None
    site: str | None = None  # the documented site in words (a Procedure's bodySite text)


@dataclass(frozen=True, slots=True)
class EncounterFacts:
    id: int
    external_id: str | None  # the EHR's visit number, when the visit came from one
    date_of_service: datetime.date
    status: str
    location_name: str
    place_of_service: str


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    id: int
    claim_number: str  # CLM01, the patient control number
    status: str  # dermbill's claim status
    frequency_code: str  # CLM05-3: 1 original, 7 replacement, 8 void
    created: datetime.datetime
    date_of_service: datetime.date
    practice: PracticeFacts
    patient: PatientFacts
    provider: ProviderFacts
    coverage: CoverageFacts | None
    encounter: EncounterFacts | None
    diagnoses: tuple[str, ...]  # ICD-10-CM with the dot, in pointer order
    lines: tuple[LineFacts, ...]
    total_charge: Money
    place_of_service: str
    payer_claim_number: str | None = None
    prior_authorization: str | None = None
    # Whether this claim speaks for its encounter's procedures and conditions (a visit's first claim to its
    # primary payer; a secondary or corrected claim repeats them and is not exported as clinical facts again).
    clinical: bool = True


@dataclass(frozen=True, slots=True)
class AdjustmentFacts:
    group: str  # CAS01: CO, PR, OA, PI, CR
    carc: str
    amount: Money


@dataclass(frozen=True, slots=True)
class AdjudicatedLineFacts:
    line_number: int | None  # our line (None: a line the payer added)
    procedure_code: str  # as the payer adjudicated it
    modifiers: tuple[str, ...]
    units: int
    charge: Money
    allowed: Money | None
    paid: Money
    adjustments: tuple[AdjustmentFacts, ...]
    remarks: tuple[str, ...]  # RARCs

    @property
    def patient_share(self) -> Money:
        return Money(sum(a.amount.cents for a in self.adjustments if a.group == "PR"))


@dataclass(frozen=True, slots=True)
class AdjudicationFacts:
    """One payer's answer on one claim (an 835 claim payment, all its lines)."""

    remittance_id: int
    claim: ClaimFacts
    payer: PayerFacts
    trace_number: str  # TRN02
    payment_date: datetime.date | None
    adjudicated_on: datetime.date
    received_at: datetime.datetime
    status_code: str  # CLP02
    payer_claim_number: str | None
    lines: tuple[AdjudicatedLineFacts, ...]

    @property
    def id(self) -> str:
        return f"{self.claim.id}-{self.remittance_id}"

    @property
    def paid(self) -> Money:
        return Money(sum(line.paid.cents for line in self.lines))

    @property
    def allowed(self) -> Money:
        return Money(sum(line.allowed.cents for line in self.lines if line.allowed is not None))

    @property
    def charge(self) -> Money:
        return Money(sum(line.charge.cents for line in self.lines))

    @property
    def patient_share(self) -> Money:
        return Money(sum(line.patient_share.cents for line in self.lines))
