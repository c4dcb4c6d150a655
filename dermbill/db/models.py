"""Persistence rows for a billing company serving several dermatology practices.

Organization (the billing company) -> Practice (the tenant). Every tenant-owned row carries
``practice_id``, and references between tenant rows are composite foreign keys on
``(practice_id, id)``, so the database itself refuses a claim of practice A that points at a patient
of practice B. Payers belong to the organization (one payer list shared by its practices).
Money is integer cents in ``*_cents`` columns. Rows are not domain objects.
"""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from dermbill.db.base import Base, UTCDateTime

PAYER_KINDS = ("medicare", "medicaid", "commercial", "self_pay")
COVERAGE_ORDERS = ("primary", "secondary", "tertiary")
SEXES = ("F", "M", "U")
ENCOUNTER_STATUSES = ("documented", "coded", "held", "billed", "void")
CLAIM_STATUSES = (
    "draft", "coded", "held", "scrub_errors", "ready", "submitted", "accepted", "rejected",
    "paid", "partially_paid", "denied", "corrected", "closed",
)
CLAIM_FREQUENCY_CODES = ("1", "7", "8")
ACCOUNT_KINDS = ("asset", "liability", "equity", "revenue", "contra_revenue", "expense")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _tenant_fk(columns: list[str], table: str) -> ForeignKeyConstraint:
    """A foreign key that also matches the practice: ``(practice_id, x_id) -> table(practice_id, id)``."""
    return ForeignKeyConstraint(["practice_id", *columns], [f"{table}.practice_id", f"{table}.id"])


class Address:
    """A postal address (lengths as the 837P N3/N4 segments allow)."""

    address_line1: Mapped[str] = mapped_column(String(55))
    address_line2: Mapped[str | None] = mapped_column(String(55))
    city: Mapped[str] = mapped_column(String(30))
    state: Mapped[str] = mapped_column(String(2))
    zip_code: Mapped[str] = mapped_column(String(9))


class OrganizationRow(Base):
    """The billing company: owns practices and the payer list."""

    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    # A second factor for staff who see PHI; a billing company may turn it off for its demo.
    require_totp: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class PracticeRow(Address, Base):
    """A dermatology practice: the tenant, and the billing provider on its claims."""

    __tablename__ = "practice"
    __table_args__ = (UniqueConstraint("organization_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    legal_name: Mapped[str] = mapped_column(String(200))
    tin: Mapped[str] = mapped_column(String(9))
    billing_npi: Mapped[str] = mapped_column(String(10))
    taxonomy: Mapped[str] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(20))
    pay_to_address_line1: Mapped[str | None] = mapped_column(String(55))
    pay_to_address_line2: Mapped[str | None] = mapped_column(String(55))
    pay_to_city: Mapped[str | None] = mapped_column(String(30))
    pay_to_state: Mapped[str | None] = mapped_column(String(2))
    pay_to_zip_code: Mapped[str | None] = mapped_column(String(9))
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)


class TenantRow(Base):
    """A row owned by one practice; repositories only ever return the scoped practice's rows."""

    __abstract__ = True

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)


class ProviderRow(TenantRow):
    """A rendering provider of the practice."""

    __tablename__ = "provider"
    __table_args__ = (UniqueConstraint("practice_id", "id"), UniqueConstraint("practice_id", "npi"))

    last_name: Mapped[str] = mapped_column(String(60))
    first_name: Mapped[str] = mapped_column(String(35))
    credential: Mapped[str | None] = mapped_column(String(10))
    npi: Mapped[str] = mapped_column(String(10))
    taxonomy: Mapped[str] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(default=True)


class ServiceLocationRow(Address, TenantRow):
    """Where services are rendered (an office: place of service 11)."""

    __tablename__ = "service_location"
    __table_args__ = (UniqueConstraint("practice_id", "id"), UniqueConstraint("practice_id", "name"))

    name: Mapped[str] = mapped_column(String(100))
    place_of_service: Mapped[str] = mapped_column(String(2))
    npi: Mapped[str | None] = mapped_column(String(10))


class PatientRow(Address, TenantRow):
    """A patient of the practice."""

    __tablename__ = "patient"
    __table_args__ = (
        UniqueConstraint("practice_id", "id"),
        UniqueConstraint("practice_id", "account_number"),
        CheckConstraint(_in("sex", SEXES), name="sex"),
        Index("ix_patient_practice_name", "practice_id", "last_name", "first_name"),
    )

    account_number: Mapped[str] = mapped_column(String(20))
    last_name: Mapped[str] = mapped_column(String(60))
    first_name: Mapped[str] = mapped_column(String(35))
    middle_name: Mapped[str | None] = mapped_column(String(25))
    date_of_birth: Mapped[datetime.date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(1))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)


class PayerRow(Base):
    """A payer the billing company sends claims to (shared by its practices)."""

    __tablename__ = "payer"
    __table_args__ = (
        UniqueConstraint("organization_id", "payer_identifier"),
        CheckConstraint(_in("kind", PAYER_KINDS), name="kind"),
        CheckConstraint("timely_filing_days > 0", name="timely_filing_days_positive"),
        CheckConstraint("status_inquiry_days > 0", name="status_inquiry_days_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    # The electronic payer ID of the 837P 2010BB NM109 (clearinghouse-assigned for most payers).
    payer_identifier: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(12))
    # SBR09: MB Medicare Part B, MC Medicaid, CI commercial, BL Blue Cross, HM HMO, 09 self-pay ...
    claim_filing_indicator_code: Mapped[str] = mapped_column(String(2))
    timely_filing_days: Mapped[int] = mapped_column(Integer)
    # Days without an answer (835) to a claim after which a 276 asks the payer about it (claim follow-up).
    status_inquiry_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    # Where appeals (redeterminations, reconsiderations) are mailed; printed on the appeal letter when known.
    appeal_address_line1: Mapped[str | None] = mapped_column(String(55))
    appeal_address_line2: Mapped[str | None] = mapped_column(String(55))
    appeal_city: Mapped[str | None] = mapped_column(String(30))
    appeal_state: Mapped[str | None] = mapped_column(String(2))
    appeal_zip_code: Mapped[str | None] = mapped_column(String(9))


class CoverageRow(TenantRow):
    """A patient's insurance with one payer, in coordination-of-benefits order."""

    __tablename__ = "coverage"
    __table_args__ = (
        UniqueConstraint("practice_id", "id"),
        _tenant_fk(["patient_id"], "patient"),
        CheckConstraint(_in("coverage_order", COVERAGE_ORDERS), name="coverage_order"),
        CheckConstraint(_in("subscriber_sex", SEXES) + " OR subscriber_sex IS NULL", name="subscriber_sex"),
        CheckConstraint(
            "termination_date IS NULL OR termination_date >= effective_date", name="dates_in_order"
        ),
    )

    patient_id: Mapped[int] = mapped_column(Integer, index=True)
    payer_id: Mapped[int] = mapped_column(ForeignKey("payer.id"), index=True)
    member_id: Mapped[str] = mapped_column(String(80))
    group_number: Mapped[str | None] = mapped_column(String(50))
    coverage_order: Mapped[str] = mapped_column(String(9))
    # Individual relationship code (X12 SBR02/PAT01): 18 self, 01 spouse, 19 child, 20 employee, G8 other.
    relationship_code: Mapped[str] = mapped_column(String(2), default="18")
    # The subscriber when not the patient (relationship_code != 18).
    subscriber_last_name: Mapped[str | None] = mapped_column(String(60))
    subscriber_first_name: Mapped[str | None] = mapped_column(String(35))
    subscriber_date_of_birth: Mapped[datetime.date | None] = mapped_column(Date)
    subscriber_sex: Mapped[str | None] = mapped_column(String(1))
    copay_cents: Mapped[int | None] = mapped_column(BigInteger)
    effective_date: Mapped[datetime.date] = mapped_column(Date)
    termination_date: Mapped[datetime.date | None] = mapped_column(Date)


class EncounterRow(TenantRow):
    """A visit: who was seen, by whom, where, when, and what was documented (encounter format v1)."""

    __tablename__ = "encounter"
    __table_args__ = (
        UniqueConstraint("practice_id", "id"),
        _tenant_fk(["patient_id"], "patient"),
        _tenant_fk(["provider_id"], "provider"),
        _tenant_fk(["location_id"], "service_location"),
        CheckConstraint(_in("status", ENCOUNTER_STATUSES), name="status"),
        Index("ix_encounter_practice_dos", "practice_id", "date_of_service"),
        UniqueConstraint("practice_id", "external_id"),
    )

    patient_id: Mapped[int] = mapped_column(Integer, index=True)
    provider_id: Mapped[int] = mapped_column(Integer)
    location_id: Mapped[int] = mapped_column(Integer)
    date_of_service: Mapped[datetime.date] = mapped_column(Date)
    documentation: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), default="documented")
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    # The EHR's identifier of the visit (HL7 PV1-19 visit number, a FHIR Encounter id): charges sent for the
    # same visit again find this encounter. None for an encounter entered here.
    external_id: Mapped[str | None] = mapped_column(String(80))


CODING_QUERY_STATUSES = ("open", "answered")


class CodingQueryRow(TenantRow):
    """A documentation gap sent to the encounter's provider as a query: the encounter's claim waits (the encounter
    is held) until every query of it is answered."""

    __tablename__ = "coding_query"
    __table_args__ = (
        UniqueConstraint("practice_id", "id"),
        _tenant_fk(["encounter_id"], "encounter"),
        CheckConstraint(_in("status", CODING_QUERY_STATUSES), name="status"),
        Index("ix_coding_query_practice_status", "practice_id", "status"),
    )

    encounter_id: Mapped[int] = mapped_column(Integer, index=True)
    lesion: Mapped[str | None] = mapped_column(String(20))  # None: a gap of no lesion (a service)
    gap: Mapped[str] = mapped_column(String(40))  # the gap kind (core.coding.gaps)
    question: Mapped[str] = mapped_column(Text)  # the gap in the provider's words
    status: Mapped[str] = mapped_column(String(10))
    asked_by: Mapped[str] = mapped_column(String(100))
    asked_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(100))
    answered_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)


class CodingReviewRow(TenantRow):
    """A second coder's decision on one line the engine coded for an encounter: accepted, or changed and why. The
    engine's agreement rate per code family is counted from these (core.coding.review)."""

    __tablename__ = "coding_review"
    __table_args__ = (
        UniqueConstraint("practice_id", "id"),
        _tenant_fk(["encounter_id"], "encounter"),
        Index("ix_coding_review_practice_reviewed", "practice_id", "reviewed_at"),
    )

    encounter_id: Mapped[int] = mapped_column(Integer, index=True)
    line_number: Mapped[int] = mapped_column(Integer)  # the engine line's position, from 1
    family: Mapped[str] = mapped_column(String(30))
    engine_line: Mapped[dict[str, Any]] = mapped_column(JSON)  # {code, units, modifiers, diagnoses}
    reviewed_line: Mapped[dict[str, Any]] = mapped_column(JSON)  # the same keys, as the reviewer decided
    accepted: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str | None] = mapped_column(Text)  # why it was changed
    reviewer: Mapped[str] = mapped_column(String(100))
    reviewed_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)


class ClaimRow(TenantRow):
    """A professional claim (837P) for one encounter, to one payer."""

    __tablename__ = "claim"
    __table_args__ = (
        UniqueConstraint("practice_id", "id"),
        UniqueConstraint("practice_id", "patient_control_number"),
        _tenant_fk(["patient_id"], "patient"),
        _tenant_fk(["encounter_id"], "encounter"),
        _tenant_fk(["coverage_id"], "coverage"),
        _tenant_fk(["rendering_provider_id"], "provider"),
        _tenant_fk(["location_id"], "service_location"),
        _tenant_fk(["original_claim_id"], "claim"),
        _tenant_fk(["primary_claim_id"], "claim"),
        CheckConstraint(_in("status", CLAIM_STATUSES), name="status"),
        CheckConstraint(_in("frequency_code", CLAIM_FREQUENCY_CODES), name="frequency_code"),
        # The claim board counts and sums by state from this index alone (an index-only scan on PostgreSQL).
        Index("ix_claim_practice_status_charge", "practice_id", "status", "total_charge_cents"),
        # The claims list's order (newest date of service first, then id): one index for all practices, one per
        # practice, one per state, one per patient; a claim number prefix uses the last.
        Index("ix_claim_dos_id", "date_of_service", "id"),
        Index("ix_claim_practice_dos_id", "practice_id", "date_of_service", "id"),
        Index("ix_claim_status_dos_id", "status", "date_of_service", "id"),
        Index("ix_claim_patient_dos_id", "patient_id", "date_of_service", "id"),
        Index("ix_claim_patient_control_number", "patient_control_number"),
    )

    patient_id: Mapped[int] = mapped_column(Integer)  # indexed with the date of service (ix_claim_patient_dos_id)
    encounter_id: Mapped[int | None] = mapped_column(Integer)
    coverage_id: Mapped[int | None] = mapped_column(Integer)
    payer_id: Mapped[int | None] = mapped_column(ForeignKey("payer.id"), index=True)
    rendering_provider_id: Mapped[int] = mapped_column(Integer, index=True)
    # The earliest service date of its lines (loop 2400 DTP*472), kept on the claim so that lists and searches
    # can order and filter by it from an index; set where a claim is made, copied by corrections and secondaries.
    date_of_service: Mapped[datetime.date] = mapped_column(Date)
    location_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    # CLM05-3: 1 original, 7 replacement (corrected), 8 void.
    frequency_code: Mapped[str] = mapped_column(String(1), default="1")
    # CLM01, echoed back in 835 CLP01 and 277CA: how remittances find the claim.
    patient_control_number: Mapped[str] = mapped_column(String(38))
    # The payer's claim number (835 CLP07), sent in REF*F8 on replacements and voids.
    payer_claim_number: Mapped[str | None] = mapped_column(String(50))
    original_claim_id: Mapped[int | None] = mapped_column(Integer, index=True)  # ERA posting looks replacements up
    # A secondary (or tertiary) claim: the claim of the payer before, whose adjudication it carries (COB).
    primary_claim_id: Mapped[int | None] = mapped_column(Integer, index=True)
    prior_authorization: Mapped[str | None] = mapped_column(String(50))
    diagnosis_codes: Mapped[list[str]] = mapped_column(JSON)
    total_charge_cents: Mapped[int] = mapped_column(BigInteger)
    # What the claim said (core.resubmission.fingerprint) when the clearinghouse or payer last rejected it: it goes
    # out again only once that changed, or a person approved sending it as it was (which clears this).
    rejected_fingerprint: Mapped[str | None] = mapped_column(String(64))
    interchange_control_number: Mapped[str | None] = mapped_column(String(9))
    group_control_number: Mapped[str | None] = mapped_column(String(9))
    transaction_set_control_number: Mapped[str | None] = mapped_column(String(9))
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)


class ClaimLineRow(TenantRow):
    """A service line (837P loop 2400): one procedure code with modifiers, units, charge and pointers."""

    __tablename__ = "claim_line"
    __table_args__ = (
        UniqueConstraint("practice_id", "id"),
        UniqueConstraint("claim_id", "line_number"),
        _tenant_fk(["claim_id"], "claim"),
        _tenant_fk(["rendering_provider_id"], "provider"),
        _tenant_fk(["billed_line_id"], "claim_line"),
        CheckConstraint("units > 0", name="units_positive"),
        CheckConstraint("charge_cents >= 0", name="charge_not_negative"),
        CheckConstraint("line_number BETWEEN 1 AND 50", name="line_number_range"),
        CheckConstraint("service_date_to IS NULL OR service_date_to >= service_date_from", name="dates_in_order"),
    )

    claim_id: Mapped[int] = mapped_column(Integer, index=True)
    line_number: Mapped[int] = mapped_column(Integer)
    procedure_code: Mapped[str] = mapped_column(String(5))
    modifiers: Mapped[list[str]] = mapped_column(JSON)
    units: Mapped[int] = mapped_column(Integer)
    charge_cents: Mapped[int] = mapped_column(BigInteger)
    diagnosis_pointers: Mapped[list[int]] = mapped_column(JSON)
    service_date_from: Mapped[datetime.date] = mapped_column(Date)
    service_date_to: Mapped[datetime.date | None] = mapped_column(Date)
    rendering_provider_id: Mapped[int | None] = mapped_column(Integer)
    # On a secondary or corrected claim: the line whose charge this line bills again. Postings always
    # name the charged line, so each charge is accounted for on one line whichever payer pays it.
    billed_line_id: Mapped[int | None] = mapped_column(Integer)

    @property
    def charged_line_id(self) -> int:
        return self.billed_line_id or self.id


class LineAdjudicationRow(TenantRow):
    """What a payer's 835 said about one of our lines: paid, allowed, adjustments, remarks (reversals negate).

    A secondary claim carries the sum of these rows for the primary payer (its COB loops 2320/2430). Its references
    are kept on PostgreSQL by triggers once per statement, not by its foreign keys (migration 0038).
    """

    __tablename__ = "line_adjudication"
    __table_args__ = (
        _tenant_fk(["claim_id"], "claim"),
        _tenant_fk(["claim_line_id"], "claim_line"),
        _tenant_fk(["remittance_id"], "remittance"),
    )

    # Its practice is checked by its (practice_id, claim_id) key to the claim, the claim's by its key to the practice:
    # no key of its own to the practice, nor an index that ix_line_adjudication_practice_day begins with (migration
    # 0037: each key is a trigger run for every row posted).
    practice_id: Mapped[int] = mapped_column(Integer)
    claim_id: Mapped[int] = mapped_column(Integer, index=True)
    claim_line_id: Mapped[int] = mapped_column(Integer, index=True)
    remittance_id: Mapped[int] = mapped_column(Integer)
    payer_id: Mapped[int | None] = mapped_column(ForeignKey("payer.id"))
    status_code: Mapped[str] = mapped_column(String(2))
    payer_claim_number: Mapped[str | None] = mapped_column(String(50))
    code: Mapped[str] = mapped_column(String(5))
    modifiers: Mapped[list[str]] = mapped_column(JSON)
    units: Mapped[int] = mapped_column(Integer)
    paid_cents: Mapped[int] = mapped_column(BigInteger)
    allowed_cents: Mapped[int | None] = mapped_column(BigInteger)
    adjustments: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{"group", "reason", "cents"}]
    remarks: Mapped[list[str]] = mapped_column(JSON)
    adjudicated_on: Mapped[datetime.date] = mapped_column(Date)


class ClaimFindingRow(TenantRow):
    """A scrubber finding on a claim, from its latest scrub (a new scrub replaces them)."""

    __tablename__ = "claim_finding"
    __table_args__ = (
        _tenant_fk(["claim_id"], "claim"),
        CheckConstraint(_in("severity", ("error", "warning")), name="severity"),
    )

    claim_id: Mapped[int] = mapped_column(Integer, index=True)
    rule: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(8))
    lines: Mapped[list[int]] = mapped_column(JSON)
    message: Mapped[str] = mapped_column(Text)
    fix: Mapped[str] = mapped_column(Text)
    scrubbed_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)


class ClaimStatusEventRow(TenantRow):
    """Every move of a claim between states: from, to, who, when and why."""

    __tablename__ = "claim_status_event"
    __table_args__ = (_tenant_fk(["claim_id"], "claim"),)

    # Its practice is checked by its (practice_id, claim_id) key to the claim (migration 0037); the index of the
    # practice's events by state and time begins with it.
    practice_id: Mapped[int] = mapped_column(Integer)

    claim_id: Mapped[int] = mapped_column(Integer, index=True)
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    occurred_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)


REMITTANCE_STATUSES = ("posted", "quarantined", "conflict")


class RemittanceRow(TenantRow):
    """One 835 transaction set received: posted exactly once, quarantined (it does not balance, or its transaction
    set is cut short), or a conflict (a payment posted before, sent again with other content: for a person).

    A payment's identity is its payer and trace number (TRN02): one is posted at most once, whatever bytes the
    file holds. TRN03 (the payer's company ID) and TRN04 (its division) name the payer that sent it: the same
    payment with another TRN03 or TRN04 is a conflict for a person, never a second payment.
    """

    __tablename__ = "remittance"
    __table_args__ = (
        UniqueConstraint("practice_id", "id"),
        # The same 835 content is recorded once (a file fetched again, a quarantined file sent again unchanged).
        UniqueConstraint("practice_id", "payer_identifier", "trace_number", "content_hash"),
        # One payment (payer, trace) is posted once; concurrent posts of it, in any bytes, collide here.
        Index("uq_remittance_payment_posted", "practice_id", "payer_identifier", "trace_number", unique=True,
              sqlite_where=text("status = 'posted'"), postgresql_where=text("status = 'posted'")),
        CheckConstraint(_in("status", REMITTANCE_STATUSES), name="status"),
    )

    payer_identifier: Mapped[str] = mapped_column(String(80))
    trace_number: Mapped[str] = mapped_column(String(50))  # TRN02
    trace_originator: Mapped[str] = mapped_column(String(50), default="")  # TRN03: the payer's company ID
    trace_reference: Mapped[str] = mapped_column(String(50), default="")  # TRN04: the payer's division
    content_hash: Mapped[str] = mapped_column(String(64))
    payment_cents: Mapped[int] = mapped_column(BigInteger)
    payment_date: Mapped[datetime.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))
    problems: Mapped[list[str]] = mapped_column(JSON)
    file_name: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    # When the denial work queue read its line adjudications (None: not yet); each remittance is read once.
    queued_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    # What the payment says, claim by claim (core.remittance_checks.summary): to show a conflict's differences.
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # A conflict: the posted remittance of the same payment; resolved by a person.
    conflicts_with_id: Mapped[int | None] = mapped_column(Integer)
    resolved: Mapped[bool] = mapped_column(default=False)


class UnmatchedRemittanceRow(TenantRow):
    """An 835 claim payment that matched none of our claims (or not line by line): worked by a person."""

    __tablename__ = "unmatched_remittance"
    __table_args__ = (_tenant_fk(["remittance_id"], "remittance"),)

    remittance_id: Mapped[int] = mapped_column(Integer, index=True)
    patient_control_number: Mapped[str] = mapped_column(String(38))
    payer_claim_number: Mapped[str | None] = mapped_column(String(50))
    paid_cents: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    resolved: Mapped[bool] = mapped_column(default=False)


class OverpaymentRow(TenantRow):
    """A claim payment not applied to A/R because the payer had already settled the claim line (a duplicate or a
    second payment): its cash sits in the payer credit balance (2150) until refunded or recouped by the payer."""

    __tablename__ = "overpayment"
    __table_args__ = (
        _tenant_fk(["claim_id"], "claim"),
        _tenant_fk(["remittance_id"], "remittance"),
        CheckConstraint(_in("status", ("open", "refunded", "recouped")), name="status"),
    )

    claim_id: Mapped[int] = mapped_column(Integer, index=True)
    payer_id: Mapped[int | None] = mapped_column(ForeignKey("payer.id"))
    remittance_id: Mapped[int] = mapped_column(Integer, index=True)  # the remittance that paid again
    original_remittance_id: Mapped[int | None] = mapped_column(Integer)  # the one whose answer was in force
    payer_claim_number: Mapped[str | None] = mapped_column(String(50))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    open_cents: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10))
    # How it was cleared: the refund's check or EFT number, or the trace number of the recouping remittance.
    resolution: Mapped[str | None] = mapped_column(String(80))
    resolved_on: Mapped[datetime.date | None] = mapped_column(Date)
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)


class RemittanceContentRow(TenantRow):
    """The 835 transaction set a remittance was recorded from, kept (compressed, ``x12.kept_transactions``) so
    that its EOB can be shown as the payer wrote it, a quarantined one posted once its cause is resolved, and a
    held claim payment matched by hand to a claim; ``received_by``: who or what brought it (a user, sync)."""

    __tablename__ = "remittance_content"
    __table_args__ = (
        UniqueConstraint("remittance_id"),
        _tenant_fk(["remittance_id"], "remittance"),
    )

    remittance_id: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    received_by: Mapped[str] = mapped_column(String(100))


class DepositRow(TenantRow):
    """A bank deposit as entered by a person (date, amount, the bank's reference): the cash postings of the day
    (835 payments, paper checks, patient payments) are matched to it (``DepositItemRow``) to reconcile."""

    __tablename__ = "deposit"
    __table_args__ = (
        UniqueConstraint("practice_id", "id"),
        UniqueConstraint("practice_id", "deposit_date", "reference"),
    )

    deposit_date: Mapped[datetime.date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str] = mapped_column(String(80))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)


class DepositItemRow(TenantRow):
    """One cash receipt matched to a deposit: a remittance's payment (BPR02) or a journal entry's cash (a patient
    payment); each receipt is in one deposit at most."""

    __tablename__ = "deposit_item"
    __table_args__ = (
        UniqueConstraint("practice_id", "remittance_id"),
        UniqueConstraint("practice_id", "journal_entry_id"),
        _tenant_fk(["deposit_id"], "deposit"),
        _tenant_fk(["remittance_id"], "remittance"),
        _tenant_fk(["journal_entry_id"], "journal_entry"),
        CheckConstraint("(remittance_id IS NULL) <> (journal_entry_id IS NULL)", name="one_receipt"),
    )

    deposit_id: Mapped[int] = mapped_column(Integer, index=True)
    remittance_id: Mapped[int | None] = mapped_column(Integer)
    journal_entry_id: Mapped[int | None] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    matched_by: Mapped[str] = mapped_column(String(100))
    matched_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)


class FeeScheduleRow(TenantRow):
    """A practice's charges per code (``payer_id`` empty) or a payer's expected (contracted) amounts."""

    __tablename__ = "fee_schedule"
    __table_args__ = (
        UniqueConstraint("practice_id", "id"),
        UniqueConstraint("practice_id", "name", "effective_from"),
        CheckConstraint("effective_to IS NULL OR effective_to >= effective_from", name="dates_in_order"),
    )

    name: Mapped[str] = mapped_column(String(100))
    payer_id: Mapped[int | None] = mapped_column(ForeignKey("payer.id"))
    effective_from: Mapped[datetime.date] = mapped_column(Date)
    effective_to: Mapped[datetime.date | None] = mapped_column(Date)


class FeeScheduleItemRow(TenantRow):
    """The amount for one code (and modifier, e.g. 26) in a fee schedule."""

    __tablename__ = "fee_schedule_item"
    __table_args__ = (
        UniqueConstraint("fee_schedule_id", "procedure_code", "modifier"),
        _tenant_fk(["fee_schedule_id"], "fee_schedule"),
        CheckConstraint("amount_cents >= 0", name="amount_not_negative"),
    )

    fee_schedule_id: Mapped[int] = mapped_column(Integer, index=True)
    procedure_code: Mapped[str] = mapped_column(String(5))
    # Empty string, not NULL, for "no modifier", so the unique constraint holds on every backend.
    modifier: Mapped[str] = mapped_column(String(2), default="")
    amount_cents: Mapped[int] = mapped_column(BigInteger)


class LedgerAccountRow(TenantRow):
    """An account of the practice's chart of accounts."""

    __tablename__ = "ledger_account"
    __table_args__ = (
        UniqueConstraint("practice_id", "id"),
        UniqueConstraint("practice_id", "code"),
        CheckConstraint(_in("kind", ACCOUNT_KINDS), name="kind"),
    )

    code: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))


class JournalEntryRow(TenantRow):
    """A balanced, append-only journal entry (database triggers refuse UPDATE and DELETE)."""

    __tablename__ = "journal_entry"
    __table_args__ = (
        UniqueConstraint("practice_id", "id"),
        # Posting the same event twice (the same 835 claim, say) is refused by the database.
        UniqueConstraint("practice_id", "idempotency_key"),
        # An entry is reversed at most once.
        UniqueConstraint("reverses_entry_id"),
        _tenant_fk(["reverses_entry_id"], "journal_entry"),
    )

    # Indexed by its unique keys, which begin with it (migration 0037).
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"))
    entry_date: Mapped[datetime.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    memo: Mapped[str] = mapped_column(Text)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    reverses_entry_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(100))


class PostingRow(TenantRow):
    """One debit (> 0) or credit (< 0) of a journal entry, with optional patient/payer/claim dimensions.

    Its foreign keys are SQLite's; on PostgreSQL triggers keep the same references once per statement (migration
    0038, ``ledger_guards.STATEMENT_CHECKED_KEYS``), as for ``line_adjudication``."""

    __tablename__ = "posting"
    __table_args__ = (
        _tenant_fk(["journal_entry_id"], "journal_entry"),
        _tenant_fk(["account_id"], "ledger_account"),
        _tenant_fk(["patient_id"], "patient"),
        _tenant_fk(["claim_id"], "claim"),
        _tenant_fk(["claim_line_id"], "claim_line"),
        CheckConstraint("amount_cents <> 0", name="amount_not_zero"),
        # A claim's or a line's postings, within the practice: the practice column in the index lets SQLite choose
        # it without table statistics (else it reads every posting of the practice; issue 12's fuzz run).
        Index("ix_posting_claim_practice", "claim_id", "practice_id"),
        Index("ix_posting_claim_line_practice", "claim_line_id", "practice_id"),
    )

    # Its practice is checked by its (practice_id, journal_entry_id) key to the entry, the entry's by its key to the
    # practice (migration 0037: no key of its own, a trigger run for every posting).
    practice_id: Mapped[int] = mapped_column(Integer, index=True)
    journal_entry_id: Mapped[int] = mapped_column(Integer, index=True)
    account_id: Mapped[int] = mapped_column(Integer, index=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    patient_id: Mapped[int | None] = mapped_column(Integer, index=True)
    payer_id: Mapped[int | None] = mapped_column(ForeignKey("payer.id"))
    claim_id: Mapped[int | None] = mapped_column(Integer)
    claim_line_id: Mapped[int | None] = mapped_column(Integer)  # line balances (ERA posting)


class ClearinghouseProfileRow(Base):
    """How the billing company talks to a clearinghouse: identifiers, qualifiers, test or production, delimiters."""

    __tablename__ = "clearinghouse_profile"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    submitter_id: Mapped[str] = mapped_column(String(15))
    submitter_name: Mapped[str] = mapped_column(String(60))
    submitter_contact: Mapped[str] = mapped_column(String(60))
    submitter_phone: Mapped[str] = mapped_column(String(20))
    receiver_id: Mapped[str] = mapped_column(String(15))
    receiver_name: Mapped[str] = mapped_column(String(60))
    sender_qualifier: Mapped[str] = mapped_column(String(2), default="ZZ")
    receiver_qualifier: Mapped[str] = mapped_column(String(2), default="ZZ")
    production: Mapped[bool] = mapped_column(default=False)
    element_separator: Mapped[str] = mapped_column(String(1), default="*")
    component_separator: Mapped[str] = mapped_column(String(1), default=":")
    repetition_separator: Mapped[str] = mapped_column(String(1), default="^")
    segment_terminator: Mapped[str] = mapped_column(String(1), default="~")


class ControlNumberRow(Base):
    """The last X12 control number handed out, per organization and kind; numbers are never reused."""

    __tablename__ = "x12_control_number"
    __table_args__ = (UniqueConstraint("organization_id", "kind"),
                      CheckConstraint("kind IN ('interchange', 'group', 'transaction')", name="kind"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    kind: Mapped[str] = mapped_column(String(12))
    last_value: Mapped[int] = mapped_column(BigInteger)


class SubmissionBatchRow(TenantRow):
    """One 837P file sent for a practice: its control numbers, file and claims count."""

    __tablename__ = "submission_batch"
    __table_args__ = (UniqueConstraint("practice_id", "id"),)

    clearinghouse_profile_id: Mapped[int] = mapped_column(ForeignKey("clearinghouse_profile.id"))
    interchange_control_number: Mapped[str] = mapped_column(String(9), unique=True)
    group_control_number: Mapped[str] = mapped_column(String(9))
    file_name: Mapped[str] = mapped_column(String(200))
    claims: Mapped[int] = mapped_column(Integer)
    total_charge_cents: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    connection_name: Mapped[str | None] = mapped_column(String(60))
    sent_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)  # None: written, not yet delivered
    acknowledgment: Mapped[str | None] = mapped_column(String(24))  # the 999's verdict on the file


INBOUND_FILE_STATUSES = ("received", "processed", "skipped", "quarantined")


class InboundFileRow(Base):
    """A file fetched from a clearinghouse connection into the inbox: recorded ``received`` the moment it is
    there, then ``processed`` once (by content, per billing company), ``skipped`` (its content was processed
    before) or ``quarantined`` (it cannot be read, is addressed to no billing company, or holds something wrong:
    ``reason`` says which file and what), each in its own transaction.

    ``organization_id`` is known only once the file's receiver (ISA08/GS03) is read: it is None for a file not
    read yet, one that cannot be read, or one addressed to nobody. The file is ``file_name`` in the inbox folder
    of ``connection_name``.
    """

    __tablename__ = "inbound_file"
    __table_args__ = (
        # The same content is processed once per billing company; received, skipped and quarantined copies of it
        # may be many (a file fetched twice after a crash, a bad file sent again).
        Index("uq_inbound_file_processed", "organization_id", "content_hash", unique=True,
              sqlite_where=text("status = 'processed'"), postgresql_where=text("status = 'processed'")),
        CheckConstraint(_in("status", INBOUND_FILE_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"), index=True)
    connection_name: Mapped[str] = mapped_column(String(60))
    file_name: Mapped[str] = mapped_column(String(255))
    content_hash: Mapped[str] = mapped_column(String(64))
    kinds: Mapped[list[str]] = mapped_column(JSON)  # the transaction set types it held
    outcome: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), index=True)
    reason: Mapped[str | None] = mapped_column(Text)  # why it was quarantined or skipped
    received_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    processed_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)  # processed, skipped, quarantined


HL7_MESSAGE_STATUSES = ("received", "processed", "failed", "rejected")


class Hl7MessageRow(Base):
    """An HL7 v2 message from a practice's EHR, stored as received before it is acknowledged.

    ``received`` until processed, then ``processed`` (its effect saved), ``failed`` (understood but not applied:
    ``reason`` says why and which segment and field, ``error_location``; it can be replayed after a fix) or
    ``rejected`` (not a message we accept: unreadable, an unsupported type, a facility mapped to no practice).
    A message is processed once: another with the same sender and control ID (MSH-3, MSH-4, MSH-10) is the
    same message sent again and is answered from the stored outcome. ``practice_id`` is None until the sending
    facility is mapped to a practice. ``raw`` holds protected health information: it is never logged.
    """

    __tablename__ = "hl7_message"
    __table_args__ = (
        UniqueConstraint("sending_application", "sending_facility", "control_id"),
        CheckConstraint(_in("status", HL7_MESSAGE_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    practice_id: Mapped[int | None] = mapped_column(ForeignKey("practice.id"), index=True)
    sending_application: Mapped[str | None] = mapped_column(String(180))
    sending_facility: Mapped[str | None] = mapped_column(String(180))
    control_id: Mapped[str | None] = mapped_column(String(199))
    message_type: Mapped[str | None] = mapped_column(String(20))  # DFT^P03, ADT^A04 ...
    raw: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    error_location: Mapped[str | None] = mapped_column(String(20))  # FT1-7, PID-7 ...
    outcome: Mapped[dict[str, Any]] = mapped_column(JSON)  # what processing made: encounter, claim, patient ...
    attempts: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    processed_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)  # the last attempt


APPOINTMENT_STATUSES = ("booked", "cancelled", "no_show", "arrived", "completed")


class AppointmentRow(TenantRow):
    """A scheduled visit (from the EHR's scheduling feed, HL7 SIU, or booked here)."""

    __tablename__ = "appointment"
    __table_args__ = (
        UniqueConstraint("practice_id", "id"),
        UniqueConstraint("practice_id", "external_id"),
        _tenant_fk(["patient_id"], "patient"),
        _tenant_fk(["provider_id"], "provider"),
        _tenant_fk(["location_id"], "service_location"),
        CheckConstraint(_in("status", APPOINTMENT_STATUSES), name="status"),
        Index("ix_appointment_practice_start", "practice_id", "starts_at"),
    )

    patient_id: Mapped[int] = mapped_column(Integer, index=True)
    provider_id: Mapped[int | None] = mapped_column(Integer)
    location_id: Mapped[int | None] = mapped_column(Integer)
    starts_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    minutes: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(200))
    visit_type: Mapped[str | None] = mapped_column(String(40))  # new patient, follow-up, procedure, Mohs ...
    # The procedure codes planned (CPT/HCPCS): what check-in and the patient's estimate are about.
    planned_codes: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    status: Mapped[str] = mapped_column(String(10))
    external_id: Mapped[str | None] = mapped_column(String(80))  # the EHR's appointment ID (SCH-2)
    updated_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)


DENIAL_ITEM_STATUSES = ("open", "snoozed", "waiting", "resolved")


class DenialItemRow(TenantRow):
    """A work item: denied lines of one claim (same group, reason and remarks) or an underpaid line.

    Made once per payer answer (``source_key``); worked by a person (assigned, noted, snoozed, resolved) or by
    dermbill (a corrected claim, an appeal), and resolved by itself when the money comes in.
    """

    __tablename__ = "denial_item"
    __table_args__ = (
        UniqueConstraint("practice_id", "id"),
        UniqueConstraint("practice_id", "source_key"),
        _tenant_fk(["claim_id"], "claim"),
        _tenant_fk(["remittance_id"], "remittance"),
        _tenant_fk(["follow_up_claim_id"], "claim"),
        CheckConstraint(_in("status", DENIAL_ITEM_STATUSES), name="status"),
        CheckConstraint(_in("kind", ("denial", "underpayment")), name="kind"),
        Index("ix_denial_item_practice_status", "practice_id", "status"),
    )

    claim_id: Mapped[int] = mapped_column(Integer, index=True)
    remittance_id: Mapped[int | None] = mapped_column(Integer)
    payer_id: Mapped[int | None] = mapped_column(ForeignKey("payer.id"), index=True)
    source_key: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(12))
    line_ids: Mapped[list[int]] = mapped_column(JSON)  # the claim's lines (claim_line.id) this item is about
    line_numbers: Mapped[list[int]] = mapped_column(JSON)
    codes: Mapped[list[str]] = mapped_column(JSON)
    group_code: Mapped[str | None] = mapped_column(String(2))
    carc: Mapped[str | None] = mapped_column(String(5))
    rarcs: Mapped[list[str]] = mapped_column(JSON)
    category: Mapped[str] = mapped_column(String(24))
    action: Mapped[str] = mapped_column(String(32))
    cause: Mapped[str] = mapped_column(Text)
    fixes: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # certain fixes: [{"line", "add", "remove"}]
    rebill_payer_id: Mapped[int | None] = mapped_column(ForeignKey("payer.id"))
    relies_on: Mapped[list[str]] = mapped_column(JSON)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    adjudicated_on: Mapped[datetime.date] = mapped_column(Date)
    deadline: Mapped[datetime.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")
    assigned_to: Mapped[str | None] = mapped_column(String(100))
    snoozed_until: Mapped[datetime.date | None] = mapped_column(Date)
    follow_up_claim_id: Mapped[int | None] = mapped_column(Integer)  # the corrected or rebilled claim
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)


class AppealRow(TenantRow):
    """An appeal letter written for a work item, tracked until the payer answers."""

    __tablename__ = "appeal"
    __table_args__ = (
        _tenant_fk(["denial_item_id"], "denial_item"),
        _tenant_fk(["claim_id"], "claim"),
        CheckConstraint(_in("status", ("written", "sent", "won", "lost")), name="status"),
    )

    denial_item_id: Mapped[int] = mapped_column(Integer, index=True)
    claim_id: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(200))
    written_on: Mapped[datetime.date] = mapped_column(Date)
    deadline: Mapped[datetime.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default="written")
    answered_on: Mapped[datetime.date | None] = mapped_column(Date)


class PayerRuleProposalRow(Base):
    """A payer-specific scrubber rule learned from a pattern of denials; applied once a person accepts it."""

    __tablename__ = "payer_rule_proposal"
    __table_args__ = (
        UniqueConstraint("organization_id", "payer_id", "rule", "code"),
        CheckConstraint(_in("status", ("proposed", "accepted", "rejected")), name="status"),
        CheckConstraint(_in("rule", ("distinct_modifier_59", "prior_authorization")), name="rule"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    payer_id: Mapped[int] = mapped_column(ForeignKey("payer.id"))
    rule: Mapped[str] = mapped_column(String(24))
    code: Mapped[str] = mapped_column(String(5))  # the procedure code, or "" for a rule on every code
    denials: Mapped[int] = mapped_column(Integer)
    evidence: Mapped[list[str]] = mapped_column(JSON)  # claim numbers it was learned from
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8), default="proposed")
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)


class AuditEventRow(Base):
    """Who did what, when, to which record. Append-only like the ledger."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_entity", "entity_type", "entity_id"),
        Index("uq_audit_event_sequence", "sequence", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    practice_id: Mapped[int | None] = mapped_column(ForeignKey("practice.id"), index=True)
    occurred_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The hash chain (dermbill.core.audit_chain): a gap-free position, the hash of the event before, its own hash.
    sequence: Mapped[int] = mapped_column(Integer)
    previous_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(200))  # the command or route: "cli: era post", "GET /claims/{n}"
    address: Mapped[str | None] = mapped_column(String(64))  # the client's address; none for the CLI


class AuditChainHeadRow(Base):
    """The one row naming the last appended audit event; appends lock it, so the chain stays one line."""

    __tablename__ = "audit_chain_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_sequence: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


STAFF_ROLES = ("front_desk", "coder", "biller", "denial_specialist", "manager", "auditor", "administrator")
LOGIN_OUTCOMES = ("succeeded", "wrong", "locked", "disabled", "totp_required")


class UserAccountRow(Base):
    """A person who signs in: belongs to one billing company, holds roles, is granted some of its practices."""

    __tablename__ = "user_account"
    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lower_case"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id
    password_must_change: Mapped[bool] = mapped_column(Boolean)  # a generated (one-time) password
    password_changed_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)  # sessions from before it end
    disabled: Mapped[bool] = mapped_column(Boolean)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_enabled: Mapped[bool] = mapped_column(Boolean)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)  # a code is accepted once
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)


class UserRoleRow(Base):
    """A role a user holds (a user may hold several)."""

    __tablename__ = "user_role"
    __table_args__ = (CheckConstraint(_in("role", STAFF_ROLES), name="role"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(24), primary_key=True)


class UserPracticeRow(Base):
    """A practice a user is granted (one of the user's billing company: the service checks)."""

    __tablename__ = "user_practice"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), primary_key=True, index=True)


class ApiTokenRow(Base):
    """A personal access token: stored as its SHA-256, shown once; revoked, never deleted."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)


class RecoveryCodeRow(Base):
    """A single-use code that stands in for the second factor (stored as its SHA-256)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)


class WebSessionRow(Base):
    """A signed-in browser: the cookie's token stored as its SHA-256, the session's CSRF token, its timeouts."""

    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    address: Mapped[str | None] = mapped_column(String(64))


class LoginAttemptRow(Base):
    """Every sign-in attempt, by the e-mail given (known or not): the log, and what the lockout is counted from."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        CheckConstraint(_in("outcome", LOGIN_OUTCOMES), name="outcome"),
        Index("ix_login_attempt_email_at", "email", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    attempted_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)


# Indexes that migrations make on PostgreSQL only, on expressions SQLAlchemy cannot reflect on SQLite: the schema
# comparison (``dermbill.db.migrate.schema_differences``) leaves them out. A patient's name search (case-insensitive
# prefix) reads the first (migration 0016).
POSTGRESQL_ONLY_INDEXES = frozenset({"ix_patient_upper_last_name"})

TENANT_ROWS: tuple[type[TenantRow], ...] = (
    ProviderRow, ServiceLocationRow, PatientRow, CoverageRow, EncounterRow, ClaimRow, ClaimLineRow,
    ClaimFindingRow, SubmissionBatchRow, ClaimStatusEventRow, RemittanceRow, UnmatchedRemittanceRow,
    LineAdjudicationRow, FeeScheduleRow, FeeScheduleItemRow, LedgerAccountRow, JournalEntryRow, PostingRow,
    DenialItemRow, AppealRow, OverpaymentRow,
)


# Claim follow-up (issue 15): 276 inquiries about claims with no answer, the 277 answers, and the scheduled jobs.
# The number of days a payer is given to answer a claim before a 276 asks about it is ``payer.status_inquiry_days``.

FOLLOW_UP_ROUTES = ("person", "wait", "remittance_expected")


class ClaimStatusInquiryRow(TenantRow):
    """One 276 question about a claim, and the 277's answer once it came (answered once: ``answered_at``).

    ``words`` is the status category and code in words (``reference/tables/claim_status``); ``route`` is what the
    answer asks of us (``core.claim_follow_up``): a person's work, waiting, or an 835 that should follow.
    """

    __tablename__ = "claim_status_inquiry"
    __table_args__ = (
        UniqueConstraint("practice_id", "trace_number"),
        _tenant_fk(["claim_id"], "claim"),
        CheckConstraint(_in("route", FOLLOW_UP_ROUTES) + " OR route IS NULL", name="route"),
        Index("ix_claim_status_inquiry_practice_claim", "practice_id", "claim_id"),
    )

    claim_id: Mapped[int] = mapped_column(Integer)
    trace_number: Mapped[str] = mapped_column(String(50))  # BHT03 of the 276, echoed by the 277
    connection_name: Mapped[str | None] = mapped_column(String(60))
    file_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)  # None: written, not delivered
    answered_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    category_code: Mapped[str | None] = mapped_column(String(3))  # STC01-1: A4, P1, F1, R4 ...
    status_code: Mapped[str | None] = mapped_column(String(5))  # STC01-2: 35, 20, 65 ...
    entity_code: Mapped[str | None] = mapped_column(String(3))  # STC01-3: whom the status is about
    words: Mapped[str | None] = mapped_column(Text)
    payer_claim_number: Mapped[str | None] = mapped_column(String(50))  # REF*1K
    paid_cents: Mapped[int | None] = mapped_column(BigInteger)  # STC05: what the payer says it paid
    effective_date: Mapped[datetime.date | None] = mapped_column(Date)  # STC02
    route: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(40))  # a few words: "not found", "denied", "pended too long"
    next_action: Mapped[str | None] = mapped_column(Text)


JOB_OUTCOMES = ("running", "succeeded", "failed")


class JobRunRow(Base):
    """One run of a scheduled job: ``slot`` is the scheduled time it ran for (unique with the job, so a job due once
    a day runs once that day however many runners start); a run asked for by hand outside its slot has none."""

    __tablename__ = "job_run"
    __table_args__ = (
        UniqueConstraint("job", "slot"),
        CheckConstraint(_in("outcome", JOB_OUTCOMES), name="outcome"),
        Index("ix_job_run_job_started", "job", "started_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(60))
    slot: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(10))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)


BACKGROUND_JOB_KINDS = ("post_835", "clearinghouse_sync", "scrub_batch", "eligibility_batch", "statement_run",
                        "report_refresh")
BACKGROUND_JOB_STATUSES = ("queued", "running", "succeeded", "failed")


class BackgroundJobRow(Base):
    """A long operation run as a job (issue 19): what was asked, by whom, for which practice (none: every practice
    of the database), and how far it got. On PostgreSQL the queue itself is procrastinate's (``queue_job_id``, its
    job); this row is what people read (``dermbill jobs list``, the jobs page): status, attempts and progress
    (``done`` of ``total`` units: transaction sets, claims, appointments ...). ``summary`` is the operation's own
    JSON result; ``error`` the last attempt's error, for a person (no PHI)."""

    __tablename__ = "background_job"
    __table_args__ = (
        CheckConstraint(_in("kind", BACKGROUND_JOB_KINDS), name="kind"),
        CheckConstraint(_in("status", BACKGROUND_JOB_STATUSES), name="status"),
        Index("ix_background_job_status_queued", "status", "queued_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    practice_id: Mapped[int | None] = mapped_column(ForeignKey("practice.id"))
    arguments: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    queue_job_id: Mapped[int | None] = mapped_column(BigInteger)
    requested_by: Mapped[str] = mapped_column(String(120))
    queued_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)


# --- Check-in (issue 15): the checklist's ticks, referrals and authorizations on file, copays collected -----------

CHECK_IN_ITEMS = ("identity", "demographics", "coverage", "abn")
AUTHORIZATION_KINDS = ("referral", "prior_authorization")
PAYMENT_METHODS = ("cash", "card", "check")


class CheckInSettingRow(TenantRow):
    """A practice's check-in settings: how old an eligibility answer may be and still prove coverage."""

    __tablename__ = "check_in_setting"
    __table_args__ = (
        UniqueConstraint("practice_id"),
        CheckConstraint("verification_stale_days > 0", name="stale_days_positive"),
    )

    verification_stale_days: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)


class CheckInMarkRow(TenantRow):
    """A person's tick on one item of an appointment's check-in checklist: who, when, and how (a note)."""

    __tablename__ = "check_in_mark"
    __table_args__ = (
        UniqueConstraint("appointment_id", "item"),
        _tenant_fk(["appointment_id"], "appointment"),
        CheckConstraint(_in("item", CHECK_IN_ITEMS), name="item"),
    )

    appointment_id: Mapped[int] = mapped_column(Integer, index=True)
    item: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(200))
    checked_by: Mapped[str] = mapped_column(String(100))
    checked_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)


class AuthorizationRow(TenantRow):
    """A referral or prior authorization number on file for a patient with a payer: the codes it covers (none: any)
    and the dates it is valid. A prior authorization goes on the visit's claim (837P REF*G1)."""

    __tablename__ = "payer_authorization"
    __table_args__ = (
        UniqueConstraint("practice_id", "payer_id", "kind", "number"),
        _tenant_fk(["patient_id"], "patient"),
        CheckConstraint(_in("kind", AUTHORIZATION_KINDS), name="kind"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="dates_in_order"),
    )

    patient_id: Mapped[int] = mapped_column(Integer, index=True)
    payer_id: Mapped[int] = mapped_column(ForeignKey("payer.id"))
    kind: Mapped[str] = mapped_column(String(20))
    number: Mapped[str] = mapped_column(String(50))
    codes: Mapped[list[str]] = mapped_column(JSON)
    valid_from: Mapped[datetime.date] = mapped_column(Date)
    valid_to: Mapped[datetime.date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)


class CopayReceiptRow(TenantRow):
    """A copay taken at check-in: the journal entry that posted it and what the receipt shows. ``reference`` is the
    receipt number (cash, check) or the card terminal's transaction reference, never a card number; it posts once."""

    __tablename__ = "copay_receipt"
    __table_args__ = (
        UniqueConstraint("practice_id", "reference"),
        _tenant_fk(["appointment_id"], "appointment"),
        _tenant_fk(["patient_id"], "patient"),
        _tenant_fk(["journal_entry_id"], "journal_entry"),
        CheckConstraint(_in("method", PAYMENT_METHODS), name="method"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
    )

    appointment_id: Mapped[int] = mapped_column(Integer, index=True)
    patient_id: Mapped[int] = mapped_column(Integer)
    journal_entry_id: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(80))
    method: Mapped[str] = mapped_column(String(8))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    applied_cents: Mapped[int] = mapped_column(BigInteger)  # applied to the visit's claim; the rest a credit
    collected_by: Mapped[str] = mapped_column(String(100))
    collected_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)


TRAINING_STATUSES = ("open", "completed")


class TrainingAssignmentRow(TenantRow):
    """A training module assigned to a staff member of the practice, and why: the denials their step caused."""

    __tablename__ = "training_assignment"
    __table_args__ = (
        UniqueConstraint("practice_id", "id"),
        CheckConstraint(_in("status", TRAINING_STATUSES), name="status"),
        Index("ix_training_assignment_user_module", "practice_id", "user_id", "module"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    module: Mapped[str] = mapped_column(String(40))
    # The denials that caused it: [{"denial_item", "claim", "carc", "category", "adjudicated_on"}].
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    assigned_by: Mapped[str] = mapped_column(String(100))
    assigned_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    due_on: Mapped[datetime.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")
    completed_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[int | None] = mapped_column(Integer)  # the mean of its scenarios' scores, once completed


class TrainingAttemptRow(TenantRow):
    """One scenario of an assignment answered: the scenario's seed, the answers, the score (0-100)."""

    __tablename__ = "training_attempt"
    __table_args__ = (
        _tenant_fk(["assignment_id"], "training_assignment"),
        UniqueConstraint("assignment_id", "scenario"),
    )

    assignment_id: Mapped[int] = mapped_column(Integer, index=True)
    scenario: Mapped[int] = mapped_column(Integer)  # 1, 2, 3: its place in the module
    seed: Mapped[int] = mapped_column(Integer)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    score: Mapped[int] = mapped_column(Integer)
    completed_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)


ELIGIBILITY_OUTCOMES = ("active", "inactive", "not_found", "invalid_member_id", "name_mismatch", "birth_date_mismatch",
                        "other_payer_primary", "cannot_process", "no_answer")


class EligibilityCheckRow(TenantRow):
    """One eligibility inquiry (a 270 for a patient's coverage on a date) and its answer (271), once it came.

    ``trace_number`` (TRN02, echoed by the payer) ties the answer to the inquiry. Until the answer is applied,
    ``answered_at`` and ``outcome`` are None; an answer applied twice changes nothing (the first is kept).
    ``benefits`` are the kept figures (``core.eligibility.Benefits.to_json``), ``errors`` the AAA errors in words.
    """

    __tablename__ = "eligibility_check"
    __table_args__ = (
        UniqueConstraint("practice_id", "id"),
        UniqueConstraint("trace_number"),
        _tenant_fk(["patient_id"], "patient"),
        _tenant_fk(["coverage_id"], "coverage"),
        _tenant_fk(["appointment_id"], "appointment"),
        CheckConstraint(_in("outcome", ELIGIBILITY_OUTCOMES) + " OR outcome IS NULL", name="outcome"),
        Index("ix_eligibility_check_practice_coverage", "practice_id", "coverage_id"),
    )

    patient_id: Mapped[int] = mapped_column(Integer, index=True)
    coverage_id: Mapped[int] = mapped_column(Integer)
    appointment_id: Mapped[int | None] = mapped_column(Integer, index=True)
    payer_id: Mapped[int] = mapped_column(ForeignKey("payer.id"))
    member_id: Mapped[str] = mapped_column(String(80))  # as sent
    asked_for: Mapped[datetime.date] = mapped_column(Date)  # DTP*291: the date of the visit
    trace_number: Mapped[str] = mapped_column(String(50))
    connection_name: Mapped[str | None] = mapped_column(String(60))
    file_name: Mapped[str | None] = mapped_column(String(255))  # the 270 file it went in
    sent_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(24))
    benefits: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    errors: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    fix: Mapped[str | None] = mapped_column(Text)
    other_payer_name: Mapped[str | None] = mapped_column(String(60))
    other_payer_identifier: Mapped[str | None] = mapped_column(String(80))
    requested_by: Mapped[str] = mapped_column(String(100))


ELIGIBILITY_PROBLEM_STATUSES = ("open", "resolved")


class EligibilityProblemRow(TenantRow):
    """The eligibility work list: an answer the front desk must act on (an error with its fix, coverage ended,
    another payer primary, no answer), one open item per coverage and kind; resolved by a person or by a later
    active answer."""

    __tablename__ = "eligibility_problem"
    __table_args__ = (
        UniqueConstraint("practice_id", "id"),
        _tenant_fk(["patient_id"], "patient"),
        _tenant_fk(["coverage_id"], "coverage"),
        _tenant_fk(["appointment_id"], "appointment"),
        _tenant_fk(["check_id"], "eligibility_check"),
        CheckConstraint(_in("status", ELIGIBILITY_PROBLEM_STATUSES), name="status"),
        CheckConstraint(_in("kind", ELIGIBILITY_OUTCOMES), name="kind"),
        Index("ix_eligibility_problem_practice_status", "practice_id", "status"),
    )

    patient_id: Mapped[int] = mapped_column(Integer, index=True)
    coverage_id: Mapped[int] = mapped_column(Integer)
    appointment_id: Mapped[int | None] = mapped_column(Integer)
    check_id: Mapped[int] = mapped_column(Integer)  # the latest answer that said so
    kind: Mapped[str] = mapped_column(String(24))
    message: Mapped[str] = mapped_column(Text)
    fix: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open")
    opened_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolution: Mapped[str | None] = mapped_column(Text)


class CoverageBenefitsRow(TenantRow):
    """A coverage's benefits as the latest eligibility answer gave them (what the estimate and check-in read)."""

    __tablename__ = "coverage_benefits"
    __table_args__ = (
        UniqueConstraint("practice_id", "id"),
        UniqueConstraint("practice_id", "coverage_id"),
        _tenant_fk(["coverage_id"], "coverage"),
        _tenant_fk(["check_id"], "eligibility_check"),
    )

    coverage_id: Mapped[int] = mapped_column(Integer)
    check_id: Mapped[int] = mapped_column(Integer)
    asked_for: Mapped[datetime.date] = mapped_column(Date)
    answered_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean)
    plan_name: Mapped[str | None] = mapped_column(String(60))
    plan_begin: Mapped[datetime.date | None] = mapped_column(Date)
    plan_end: Mapped[datetime.date | None] = mapped_column(Date)
    deductible_cents: Mapped[int | None] = mapped_column(BigInteger)
    deductible_remaining_cents: Mapped[int | None] = mapped_column(BigInteger)
    out_of_pocket_cents: Mapped[int | None] = mapped_column(BigInteger)
    out_of_pocket_remaining_cents: Mapped[int | None] = mapped_column(BigInteger)
    copay_cents: Mapped[int | None] = mapped_column(BigInteger)
    coinsurance_percent: Mapped[int | None] = mapped_column(Integer)
    in_network: Mapped[bool | None] = mapped_column(Boolean)


COVERAGE_ORDER_PROPOSAL_STATUSES = ("proposed", "accepted", "rejected")


class CoverageOrderProposalRow(TenantRow):
    """An eligibility answer said another payer is primary: the coverage order change it proposes, until a person
    accepts it (the coverages swap order, through the patient's coverage rules) or rejects it."""

    __tablename__ = "coverage_order_proposal"
    __table_args__ = (
        UniqueConstraint("practice_id", "id"),
        _tenant_fk(["patient_id"], "patient"),
        _tenant_fk(["coverage_id"], "coverage"),
        _tenant_fk(["other_coverage_id"], "coverage"),
        _tenant_fk(["check_id"], "eligibility_check"),
        CheckConstraint(_in("status", COVERAGE_ORDER_PROPOSAL_STATUSES), name="status"),
        Index("ix_coverage_order_proposal_practice_status", "practice_id", "status"),
    )

    patient_id: Mapped[int] = mapped_column(Integer, index=True)
    coverage_id: Mapped[int] = mapped_column(Integer)  # the coverage asked about, that is not primary
    other_coverage_id: Mapped[int | None] = mapped_column(Integer)  # the patient's coverage with the other payer
    check_id: Mapped[int] = mapped_column(Integer)
    other_payer_name: Mapped[str | None] = mapped_column(String(60))
    other_payer_identifier: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(10), default="proposed")
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)


STATEMENT_STEPS = ("statement", "reminder", "past_due", "final_notice")
STATEMENT_DELIVERIES = ("email", "print")
STATEMENT_DELIVERY_STATUSES = ("pending", "sent", "bounced", "printed")


class StatementPolicyRow(TenantRow):
    """A practice's patient-statement and soft-collections policy (one row per practice; none: the defaults of
    ``core.statements.Policy``). Days count from the first statement of the oldest unpaid balance."""

    __tablename__ = "statement_policy"
    __table_args__ = (UniqueConstraint("practice_id"),)

    minimum_balance_cents: Mapped[int] = mapped_column(Integer, default=500)
    due_days: Mapped[int] = mapped_column(Integer, default=21)
    reminder_days: Mapped[int] = mapped_column(Integer, default=30)
    past_due_days: Mapped[int] = mapped_column(Integer, default=60)
    final_notice_days: Mapped[int] = mapped_column(Integer, default=90)
    agency_days: Mapped[int] = mapped_column(Integer, default=120)
    small_balance_cents: Mapped[int] = mapped_column(Integer, default=1000)  # write-off threshold
    cycle_billing: Mapped[bool] = mapped_column(Boolean, default=True)
    # The message printed on a statement at each step, by step name; a step not named here has the default words.
    wording: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    billing_phone: Mapped[str | None] = mapped_column(String(20))
    pay_url: Mapped[str | None] = mapped_column(String(200))  # where patients pay online, printed on statements
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)


class StatementRow(TenantRow):
    """A statement sent (or to be delivered) to a guarantor: its day, due date, amount, cadence step, how it goes
    out, and a snapshot of what it said (``document``: the visits, lines, payments and aging as printed), so the
    same statement can be shown again exactly. ``code`` is what the patient types on the statement page with
    their date of birth."""

    __tablename__ = "statement"
    __table_args__ = (
        UniqueConstraint("practice_id", "id"),
        UniqueConstraint("practice_id", "patient_id", "statement_date"),
        UniqueConstraint("code"),
        _tenant_fk(["patient_id"], "patient"),
        CheckConstraint(_in("step", STATEMENT_STEPS), name="step"),
        CheckConstraint(_in("delivery", STATEMENT_DELIVERIES), name="delivery"),
        CheckConstraint(_in("delivery_status", STATEMENT_DELIVERY_STATUSES), name="delivery_status"),
        Index("ix_statement_practice_day", "practice_id", "statement_date"),
    )

    patient_id: Mapped[int] = mapped_column(Integer, index=True)
    statement_date: Mapped[datetime.date] = mapped_column(Date)
    due_on: Mapped[datetime.date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(Integer)
    step: Mapped[str] = mapped_column(String(15))
    code: Mapped[str] = mapped_column(String(12))
    delivery: Mapped[str] = mapped_column(String(5))
    delivery_status: Mapped[str] = mapped_column(String(8), default="pending")
    delivered_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    print_batch: Mapped[str | None] = mapped_column(String(40))  # the print batch's file name, once printed
    delivery_note: Mapped[str | None] = mapped_column(String(200))  # e.g. why an e-mail bounced
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)


class StatementClaimRow(TenantRow):
    """A claim (visit) on a statement and what the patient owed on it then: a visit's first statement date (the
    start of its aging and of the cadence) is the earliest of these."""

    __tablename__ = "statement_claim"
    __table_args__ = (
        _tenant_fk(["statement_id"], "statement"),
        _tenant_fk(["claim_id"], "claim"),
        UniqueConstraint("statement_id", "claim_id"),
        Index("ix_statement_claim_claim", "practice_id", "claim_id"),
    )

    statement_id: Mapped[int] = mapped_column(Integer, index=True)
    claim_id: Mapped[int] = mapped_column(Integer)
    patient_owes_cents: Mapped[int] = mapped_column(Integer)


COLLECTION_HOLD_KINDS = ("dispute", "insurance_rebill", "hardship_review")  # a payment plan's hold is the plan's
CONTACT_CHANNELS = ("phone", "email", "letter", "in_person")
CONTACT_OUTCOMES = ("reached", "left_message", "no_answer", "wrong_number", "promise_to_pay", "dispute", "paid")
AGENCY_PLACEMENT_STATUSES = ("proposed", "approved", "rejected", "placed", "recalled")


class CollectionHoldRow(TenantRow):
    """A hold on a guarantor's dunning cadence (a dispute, a pending insurance re-bill, a hardship review): while it
    is open (``released_at`` empty) no cadence step advances and the guarantor is not on the call list."""

    __tablename__ = "collection_hold"
    __table_args__ = (
        _tenant_fk(["patient_id"], "patient"),
        CheckConstraint(_in("kind", COLLECTION_HOLD_KINDS), name="kind"),
        Index("ix_collection_hold_patient", "practice_id", "patient_id"),
    )

    patient_id: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    placed_by: Mapped[str] = mapped_column(String(100))
    placed_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    released_by: Mapped[str | None] = mapped_column(String(100))
    released_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)


class CollectionContactRow(TenantRow):
    """One contact with a guarantor about their balance (a call, an e-mail, a letter, a talk at the desk) and how it
    went; a promise to pay keeps its date and amount (a promise whose date passed unpaid puts the guarantor back on
    the call list)."""

    __tablename__ = "collection_contact"
    __table_args__ = (
        _tenant_fk(["patient_id"], "patient"),
        CheckConstraint(_in("channel", CONTACT_CHANNELS), name="channel"),
        CheckConstraint(_in("outcome", CONTACT_OUTCOMES), name="outcome"),
        CheckConstraint("promise_cents IS NULL OR promise_cents > 0", name="promise_cents_positive"),
        Index("ix_collection_contact_patient", "practice_id", "patient_id", "contacted_at"),
    )

    patient_id: Mapped[int] = mapped_column(Integer)
    contacted_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    contacted_by: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(10))
    outcome: Mapped[str] = mapped_column(String(15))
    promise_date: Mapped[datetime.date | None] = mapped_column(Date)
    promise_cents: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)


class AgencyPlacementRow(TenantRow):
    """A guarantor's balance handed (or proposed to be handed) to a collection agency: proposed by the collections
    team, approved or rejected by a manager who did not propose it, then placed with the agency in an export file,
    when the balance is written off to bad debt (``written_off_entry_id``); what the agency later collects is
    ``recovered_cents``."""

    __tablename__ = "agency_placement"
    __table_args__ = (
        UniqueConstraint("practice_id", "id"),
        _tenant_fk(["patient_id"], "patient"),
        _tenant_fk(["written_off_entry_id"], "journal_entry"),
        CheckConstraint(_in("status", AGENCY_PLACEMENT_STATUSES), name="status"),
        CheckConstraint("balance_cents > 0", name="balance_cents_positive"),
        CheckConstraint("recovered_cents >= 0", name="recovered_cents_not_negative"),
        Index("ix_agency_placement_patient", "practice_id", "patient_id"),
    )

    patient_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    balance_cents: Mapped[int] = mapped_column(Integer)  # the balance when it was proposed
    proposed_by: Mapped[str] = mapped_column(String(100))
    proposed_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(Text)  # why it was proposed, or the manager's reason to reject
    placed_file: Mapped[str | None] = mapped_column(String(100))
    placed_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    written_off_entry_id: Mapped[int | None] = mapped_column(Integer)
    recovered_cents: Mapped[int] = mapped_column(Integer, default=0)


PAYMENT_PLAN_STATUSES = ("active", "completed", "broken", "cancelled")
INSTALLMENT_STATUSES = ("due", "paid", "missed")


class PaymentPlanRow(TenantRow):
    """A guarantor's payment plan (issue 16): the balance it covers, split into monthly installments. While it is
    active the statement cadence holds for the account; two missed installments break it and the cadence resumes.
    ``autopay_reference`` is the card terminal's or processor's token for the patient's stored payment method,
    never a card number."""

    __tablename__ = "payment_plan"
    __table_args__ = (
        UniqueConstraint("practice_id", "id"),
        _tenant_fk(["patient_id"], "patient"),
        CheckConstraint(_in("status", PAYMENT_PLAN_STATUSES), name="status"),
        CheckConstraint("total_cents > 0", name="total_positive"),
        Index("ix_payment_plan_practice_status", "practice_id", "status"),
    )

    patient_id: Mapped[int] = mapped_column(Integer, index=True)
    total_cents: Mapped[int] = mapped_column(BigInteger)
    installment_count: Mapped[int] = mapped_column(Integer)
    first_due_on: Mapped[datetime.date] = mapped_column(Date)
    autopay_reference: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(10), default="active")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    ended_on: Mapped[datetime.date | None] = mapped_column(Date)  # completed, broken or cancelled on
    end_reason: Mapped[str | None] = mapped_column(String(200))


class PaymentPlanInstallmentRow(TenantRow):
    """One installment of a payment plan: when it falls due, how much, and how much of it has been paid (patient
    payments count toward installments in due order)."""

    __tablename__ = "payment_plan_installment"
    __table_args__ = (
        _tenant_fk(["plan_id"], "payment_plan"),
        UniqueConstraint("plan_id", "number"),
        CheckConstraint(_in("status", INSTALLMENT_STATUSES), name="status"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("paid_cents >= 0 AND paid_cents <= amount_cents", name="paid_within_amount"),
    )

    plan_id: Mapped[int] = mapped_column(Integer, index=True)
    number: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[datetime.date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    paid_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(6), default="due")


PATIENT_ADJUSTMENT_KINDS = ("refund", "hardship", "small_balance")
PATIENT_ADJUSTMENT_STATUSES = ("requested", "approved", "rejected", "posted")


class PatientAdjustmentRequestRow(TenantRow):
    """A change to a patient's balance that a person asks for and another approves (issue 16): a refund of a
    patient credit (Dr 2100, Cr cash), a hardship or charity adjustment (Dr 4320, Cr 1200); a small-balance
    write-off (Dr 4310, Cr 1200) is recorded here too, posted by the batch. ``journal_entry_id`` is the posting,
    once made (its idempotency key names this row, so it is made once)."""

    __tablename__ = "patient_adjustment_request"
    __table_args__ = (
        UniqueConstraint("practice_id", "id"),
        _tenant_fk(["patient_id"], "patient"),
        _tenant_fk(["journal_entry_id"], "journal_entry"),
        CheckConstraint(_in("kind", PATIENT_ADJUSTMENT_KINDS), name="kind"),
        CheckConstraint(_in("status", PATIENT_ADJUSTMENT_STATUSES), name="status"),
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        Index("ix_patient_adjustment_request_practice_status", "practice_id", "kind", "status"),
    )

    patient_id: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(13))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(9), default="requested")
    reason: Mapped[str] = mapped_column(String(500))
    reference: Mapped[str | None] = mapped_column(String(80))  # a refund's check or card-refund number
    requested_by: Mapped[str] = mapped_column(String(100))
    requested_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime.datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(String(500))
    journal_entry_id: Mapped[int | None] = mapped_column(Integer)


# Reports (issue 17): the indexes the report queries range over, and two summaries of the ledger kept by
# ``PracticeRepository.post_many`` in the transaction that posts (migration 0029).

Index("ix_line_adjudication_practice_day", LineAdjudicationRow.practice_id, LineAdjudicationRow.adjudicated_on)
Index("ix_claim_status_event_practice_status_at", ClaimStatusEventRow.practice_id, ClaimStatusEventRow.to_status,
      ClaimStatusEventRow.occurred_at)
Index("ix_denial_item_practice_day", DenialItemRow.practice_id, DenialItemRow.adjudicated_on)
Index("ix_journal_entry_practice_day", JournalEntryRow.practice_id, JournalEntryRow.entry_date)


class LedgerDayTotalRow(TenantRow):
    """The net of one account's postings on one day (the entries' date): what the flow figures sum instead of
    the postings. Kept by ``post_many`` with each entry it posts (an upsert adding the entry's amounts), so it is
    always the GROUP BY of the postings; a reversal adds the negated amounts like any entry."""

    __tablename__ = "ledger_day_total"
    __table_args__ = (
        UniqueConstraint("practice_id", "account_id", "entry_date"),
        _tenant_fk(["account_id"], "ledger_account"),
    )

    account_id: Mapped[int] = mapped_column(Integer)
    entry_date: Mapped[datetime.date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(BigInteger, default=0)


class ReceivableBalanceRow(TenantRow):
    """The balance of a receivable account (1100, 1150, 1200) per line, payer and patient: what aging and the A/R
    figures read instead of summing every receivable posting. The keys are the postings' ``claim_line_id``,
    ``claim_id`` (only for a posting naming no line), ``payer_id`` and ``patient_id``, 0 for none (so that they
    can be a unique key). Kept by ``post_many`` with each entry; the balance as of an earlier day is this less the
    postings dated after it."""

    __tablename__ = "receivable_balance"
    __table_args__ = (
        UniqueConstraint("practice_id", "account_id", "claim_line_key", "claim_key", "payer_key", "patient_key",
                         name="uq_receivable_balance_key"),
        _tenant_fk(["account_id"], "ledger_account"),
        Index("ix_receivable_balance_open", "practice_id", postgresql_where=text("balance_cents <> 0"),
              sqlite_where=text("balance_cents <> 0")),
        # aging reads the open balances of the practices with what it groups by, from the index alone (migration
        # 0030; PostgreSQL carries the columns in the index, SQLite only narrows to the open rows)
        Index("ix_receivable_balance_aging", "practice_id", "account_id", postgresql_where=text("balance_cents <> 0"),
              sqlite_where=text("balance_cents <> 0"),
              postgresql_include=["service_date", "payer_key", "provider_key", "procedure_code", "claim_payer_key",
                                  "patient_key", "claim_ref", "balance_cents"]),
    )

    # Its practice is checked by its (practice_id, account_id) key to the account, the account's by its key to the
    # practice; its unique key begins with it (migration 0037).
    practice_id: Mapped[int] = mapped_column(Integer)
    account_id: Mapped[int] = mapped_column(Integer)
    claim_line_key: Mapped[int] = mapped_column(Integer)
    claim_key: Mapped[int] = mapped_column(Integer)
    payer_key: Mapped[int] = mapped_column(Integer)
    patient_key: Mapped[int] = mapped_column(Integer)
    balance_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    # what aging groups by, copied from the line and its claim with the first posting (migration 0030): the claim,
    # the date of service, the rendering provider (0: none), the procedure code and the claim's payer (0: none)
    claim_ref: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    service_date: Mapped[datetime.date | None] = mapped_column(Date)
    provider_key: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    procedure_code: Mapped[str | None] = mapped_column(String(5))
    claim_payer_key: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ReportVersionRow(Base):
    """A number every committed transaction that changed a practice's rows moves (migration 0031):
    ``UnitOfWork.commit`` adds one (from a random first value), last in the transaction, for every practice whose
    rows it wrote. A report computed after reading
    the versions of its practices is still right while they have not moved (``services.report_dashboard``)."""

    __tablename__ = "report_version"

    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


class ReportPartsRow(Base):
    """A practice's key-figure parts for one period and as-of day (migration 0032), as
    ``core.reports.parts.parts_to_json`` writes them, computed under the practice's data version ``version``:
    right while ``report_version`` still holds that version (``services.report_parts``). Numbers, codes and ids;
    no patient. Written outside the data's own transactions, so keeping parts never moves a version."""

    __tablename__ = "report_parts"

    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), primary_key=True)
    period_start: Mapped[datetime.date] = mapped_column(Date, primary_key=True)
    period_end: Mapped[datetime.date] = mapped_column(Date, primary_key=True)
    as_of: Mapped[datetime.date] = mapped_column(Date, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
    parts: Mapped[dict[str, Any]] = mapped_column(JSON)


class ReportAgingPartsRow(Base):
    """A practice's A/R aging parts for one as-of day and basis (migration 0033), as
    ``core.reports.parts.aging_parts_to_json`` writes them, computed under the practice's data version ``version``
    (read as ``ReportPartsRow`` is). Amounts by payer, provider and code ids; no patient."""

    __tablename__ = "report_aging_parts"

    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), primary_key=True)
    as_of: Mapped[datetime.date] = mapped_column(Date, primary_key=True)
    basis: Mapped[str] = mapped_column(String(16), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
    parts: Mapped[dict[str, Any]] = mapped_column(JSON)


REFERENCE_RELEASE_KINDS = ("ptp", "mue", "rvu", "hcpcs", "icd10cm")


class ReferenceReleaseRow(Base):
    """A CMS reference release loaded by ``dermbill reference update`` (migration 0035): one kind (``ptp``, ``mue``,
    ``rvu``, ``hcpcs``, ``icd10cm``) for one period (``2026q4``, ``FY2027``), answering dates of service from
    ``starts``. Loading the same period again with other content adds a revision (both kept, the newest answers);
    the same content again adds nothing. ``content`` is the release in ``reference.release_files.release_text``'s
    canonical form, ``content_hash`` its SHA-256. Codes and numbers only; no patient."""

    __tablename__ = "reference_release"
    __table_args__ = (
        UniqueConstraint("kind", "period", "revision"),
        CheckConstraint(_in("kind", REFERENCE_RELEASE_KINDS), name="kind"),
        CheckConstraint("revision >= 1", name="revision"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    period: Mapped[str] = mapped_column(String(8))
    revision: Mapped[int] = mapped_column(Integer)
    starts: Mapped[datetime.date] = mapped_column(Date, index=True)
    name: Mapped[str] = mapped_column(String(200))
    source_files: Mapped[list[str]] = mapped_column(JSON)
    entries: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime.datetime] = mapped_column(UTCDateTime)
    loaded_by: Mapped[str] = mapped_column(String(120))
