"""A professional claim as it leaves the practice (the content of an 837P or a CMS-1500), free of any format.

The X12 writer (``dermbill.x12.claim_837p``) and the paper form (``dermbill.pdf.cms1500``) both read these.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from dermbill.core.money import Money


@dataclass(frozen=True, slots=True)
class Address:
    line1: str
    city: str
    state: str
    zip_code: str
    line2: str | None = None


@dataclass(frozen=True, slots=True)
class Person:
    last_name: str
    first_name: str
    date_of_birth: datetime.date | None = None
    sex: str | None = None
    address: Address | None = None
    middle_name: str | None = None
    phone: str | None = None  # the CMS-1500 prints it (boxes 5 and 7); the 837P does not carry it


@dataclass(frozen=True, slots=True)
class BillingProvider:
    name: str
    npi: str
    tin: str
    taxonomy: str
    address: Address
    pay_to: Address | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class Payer:
    name: str
    payer_id: str
    address: Address | None = None


@dataclass(frozen=True, slots=True)
class Adjustment:
    group: str  # CO, PR, OA, PI
    reason: str
    amount: Money


@dataclass(frozen=True, slots=True)
class LineAdjudication:
    """2430: what the other (primary) payer did with this line."""

    payer_id: str
    paid: Money
    code: str
    modifiers: tuple[str, ...]
    units: int
    adjustments: tuple[Adjustment, ...]
    adjudicated_on: datetime.date


@dataclass(frozen=True, slots=True)
class ServiceLine:
    code: str
    modifiers: tuple[str, ...]
    charge: Money
    units: int
    pointers: tuple[int, ...]
    date_of_service: datetime.date
    control_number: str
    adjudication: LineAdjudication | None = None


@dataclass(frozen=True, slots=True)
class OtherPayer:
    """2320/2330: the payer that adjudicated first, for a secondary claim."""

    payer: Payer
    order: str  # P, S, T: its order
    subscriber: Person
    member_id: str
    relationship_code: str
    filing_indicator: str
    paid: Money
    adjustments: tuple[Adjustment, ...] = ()


@dataclass(frozen=True, slots=True)
class ProfessionalClaim:
    patient_control_number: str
    total_charge: Money
    place_of_service: str
    frequency_code: str  # 1 original, 7 replacement, 8 void
    diagnoses: tuple[str, ...]
    lines: tuple[ServiceLine, ...]
    payer: Payer
    order: str  # P, S, T: this payer's order (SBR01)
    filing_indicator: str  # SBR09
    subscriber: Person
    member_id: str
    group_number: str | None
    relationship_code: str  # 18 self, 01 spouse, 19 child, G8 other
    patient: Person
    rendering_npi: str | None = None
    rendering_name: Person | None = None
    rendering_taxonomy: str | None = None
    facility_name: str | None = None
    facility_address: Address | None = None
    payer_claim_number: str | None = None
    prior_authorization: str | None = None
    other_payers: tuple[OtherPayer, ...] = field(default=())
    # On the CMS-1500 when known (boxes 14, 17/17b, 19, 32a); not stored yet, and the 837P writer does not send them.
    onset_date: datetime.date | None = None  # box 14, qualifier 431: onset of current symptoms or illness
    referring_provider: Person | None = None  # box 17, qualifier DN
    referring_npi: str | None = None  # box 17b
    additional_claim_information: str | None = None  # box 19
    facility_npi: str | None = None  # box 32a
