"""The response of ``GET /api/v1/claims/{claim_number}``: the claim in full, as the OpenAPI document describes it.

The models mirror ``ClaimDetail.to_json()`` field for field (``extra="forbid"``: a field added to one and not the
other fails the API tests). Amounts are decimal strings with two places ("1250.00"), dates ISO 8601, times ISO
8601 in UTC. The remittances and postings are empty unless the caller may see remittances (``payments_shown``),
the denial items unless they may see denials (``denials_shown``).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from dermbill.services.claim_detail import ClaimDetail

Amount = str  # "1250.00": a decimal string, two places, no grouping; negative for a credit or a reversal


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PatientOut(_Out):
    name: str = Field(description="LAST, FIRST MIDDLE")
    account_number: str
    member_id: str = Field(description="The member ID of the coverage billed (empty for self-pay)")


class LineOut(_Out):
    line_number: int
    procedure_code: str
    modifiers: list[str]
    units: int
    charge: Amount
    diagnoses: list[str] = Field(description="The ICD-10-CM codes the line points at, in pointer order")
    service_date_from: str
    service_date_to: str | None
    explanation: str = Field(description="Why the coding engine coded the line so (empty when it did not code it)")


class FindingOut(_Out):
    rule: str
    severity: str = Field(description="error or warning")
    lines: list[int] = Field(description="The lines it is about (empty: the claim as a whole)")
    message: str
    fix: str = Field(description="What to change")
    found_at: str


class EventOut(_Out):
    occurred_at: str
    from_status: str
    to_status: str
    actor: str
    reason: str


class BatchOut(_Out):
    file_name: str
    interchange_control_number: str
    group_control_number: str
    transaction_set_control_number: str | None = Field(
        description="The claim's ST02 in the file it went out in last (null for earlier files)")
    created_at: str
    sent_at: str | None = Field(description="null: written, not delivered yet")
    claims: int
    total_charge: Amount
    acknowledgment: str | None = Field(description="The 999's verdict on the file (null: no 999 yet)")


class AcknowledgmentOut(_Out):
    kind: str = Field(description="999 (the clearinghouse, on a file) or 277CA (the payer, on the claim)")
    accepted: bool
    message: str
    file_name: str | None = Field(description="The 837P file a 999 verdict is about")
    occurred_at: str | None


class ReasonOut(_Out):
    code: str
    words: str = Field(description="dermbill's short description of the CARC or RARC")


class AdjustmentOut(_Out):
    group: str = Field(description="CAS group code: CO, PR, OA, PI or CR")
    group_words: str
    carc: str
    carc_words: str
    amount: Amount


class EobLineOut(_Out):
    line_number: int | None = Field(description="Our line the answer is about (null: another claim's line)")
    procedure_code: str = Field(description="As the payer adjudicated it")
    modifiers: list[str]
    units: int
    charge: Amount
    allowed: Amount | None
    paid: Amount
    patient_share: Amount = Field(description="The sum of the group PR adjustments")
    adjustments: list[AdjustmentOut]
    remarks: list[ReasonOut] = Field(description="RARCs")


class RemittanceOut(_Out):
    payer: str
    trace_number: str = Field(description="TRN02: the check or EFT number")
    payment_date: str | None
    adjudicated_on: str
    file_name: str
    claim_status_code: str = Field(description="CLP02")
    claim_status_words: str
    payer_claim_number: str | None
    charge: Amount
    allowed: Amount
    paid: Amount
    patient_share: Amount
    lines: list[EobLineOut]


class PostingOut(_Out):
    entry_date: str
    kind: str
    memo: str
    account_code: str
    account_name: str
    amount: Amount = Field(description="A debit is positive, a credit negative")
    line_number: int | None = Field(description="The claim's line it is posted to (null: the claim as a whole)")


class DenialItemOut(_Out):
    kind: str = Field(description="denial or underpayment")
    status: str = Field(description="open, snoozed, waiting or resolved")
    line_numbers: list[int]
    codes: list[str]
    group: str | None
    carc: ReasonOut | None
    rarcs: list[ReasonOut]
    category: str
    action: str
    cause: str
    fixes: list[str] = Field(description="The certain fixes dermbill can make, in words")
    amount: Amount
    adjudicated_on: str
    deadline: str | None = Field(description="The last day to appeal or correct")
    assigned_to: str | None
    follow_up_claim: str | None = Field(description="The corrected or rebilled claim's number")
    resolution: str | None


class ClaimDetailOut(_Out):
    claim_number: str
    practice: str
    status: str
    payer: str
    date_of_service: str
    total_charge: Amount
    patient: PatientOut
    payer_claim_number: str | None
    frequency_code: str = Field(description="CLM05-3: 1 original, 7 replacement, 8 void")
    rendering_provider: str
    diagnosis_codes: list[str]
    original_claim: str | None = Field(description="The claim this one replaces")
    primary_claim: str | None = Field(description="On a secondary claim: the claim of the payer before")
    lines: list[LineOut]
    findings: list[FindingOut] = Field(description="The scrubber's findings from the latest scrub, errors first")
    events: list[EventOut] = Field(description="Every move between statuses, oldest first")
    batches: list[BatchOut] = Field(description="The 837P files the claim went out in")
    acknowledgments: list[AcknowledgmentOut] = Field(description="999s and 277CAs about the claim, oldest first")
    remittances: list[RemittanceOut] = Field(
        description="The payers' answers as explanations of benefits (empty unless payments_shown)")
    postings: list[PostingOut] = Field(description="Ledger postings of the claim (empty unless payments_shown)")
    denial_items: list[DenialItemOut] = Field(description="Denial work items (empty unless denials_shown)")
    payments_shown: bool = Field(description="Whether the caller may see remittances (view_remittances)")
    denials_shown: bool = Field(description="Whether the caller may see denial work items (view_denials)")

    @classmethod
    def of(cls, detail: ClaimDetail) -> ClaimDetailOut:
        return cls.model_validate(detail.to_json())
