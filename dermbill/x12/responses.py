"""Responses a clearinghouse or payer sends back: 999, 277CA, 271 and 277 writers (for the simulated payer and tests).

- 999 (005010X231A1): did each transaction set of a functional group pass the receiver's checks (AK2, IK3/IK4
  errors, IK5 verdict), and the group's verdict and counts (AK9).
- 277CA (005010X214): claim by claim, was it accepted for processing (``STC*A1:20*...*WQ``, with the payer's
  claim number) or rejected (``STC*A3:21*...*U``), under payer -> receiver -> billing provider -> patient.
- 271 (005010X279A1): the answer to a 270: active (EB*1) or inactive (EB*6) coverage with plan dates, deductible,
  remaining deductible, coinsurance and copay, or an AAA rejection (``AAA*Y**75*C``: subscriber not found).
- 277 (005010X212): the answer to a 276: where the claim is (F1:65 paid, F2 denied, P1 pending, A4 not found).

The profile is the sender's, as for the 835 writer: ``submitter_*`` is the clearinghouse or payer writing the
response (ISA06, GS02) and ``receiver_*`` is us (ISA08, GS03, and the information receiver, NM1*41).

A rejected claim in a 277CA, for example, is written as::

    HL*5*3*PT~
    NM1*QC*1*TESTALPHA*CHARLIE****MI*TBLU123456789~
    TRN*2*D1E0000003~
    STC*A7:562:85*20260302*U*150.5********BILLING PROVIDER NPI NOT ON FILE~
    DTP*472*RD8*20260301-20260302~
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money
from dermbill.x12.claim_837p import Payer, Person, d8, person_name, x12_amount
from dermbill.x12.claim_status_277 import ACCEPTED_CATEGORIES, REJECTED_CATEGORIES
from dermbill.x12.envelope import (
    ClearinghouseProfile,
    ControlNumbers,
    SegmentWriter,
    clean,
    close_group,
    close_interchange,
    group_header,
    interchange_header,
    transaction_set,
)

ACKNOWLEDGMENT = "005010X231A1"
CLAIM_ACKNOWLEDGMENT = "005010X214"
ELIGIBILITY_RESPONSE = "005010X279A1"
CLAIM_STATUS_RESPONSE = "005010X212"


# --- 999 -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ElementError:
    """IK4: an element in error. ``code`` is IK403 (1 required element missing, 7 invalid code value, 8 bad date)."""

    position: int  # IK401-1: the element's position in its segment (CLM02 is 2)
    code: str
    value: str = ""  # IK404: a copy of the bad value, when there was one
    component: int | None = None  # IK401-2, for an element inside a composite
    reference: str = ""  # IK402: the data element reference number (782 for CLM02)


@dataclass(frozen=True, slots=True)
class SegmentError:
    """IK3: a segment in error. ``code`` is IK304 (3 required segment missing, 8 segment has element errors)."""

    segment_id: str  # IK301
    position: int  # IK302: the segment's position in the transaction set, counting ST as 1
    code: str
    loop: str = ""  # IK303: the loop identifier, e.g. 2300
    claim: str = ""  # CTX*CLM01: the patient control number of the claim the error is in
    elements: tuple[ElementError, ...] = ()


@dataclass(frozen=True, slots=True)
class SetAcknowledgment:
    """AK2..IK5 for one received transaction set: accepted (A, or E when it has errors) or rejected (R)."""

    control_number: str  # ST02 of the set acknowledged
    accepted: bool
    errors: tuple[SegmentError, ...] = ()
    codes: tuple[str, ...] = ()  # IK502-IK506; see status_codes for what an empty tuple means

    @property
    def status(self) -> str:
        if not self.accepted:
            return "R"
        return "E" if self.errors else "A"

    @property
    def status_codes(self) -> tuple[str, ...]:
        """IK502-IK506: the codes given or, for a set not plainly accepted, 5 (segments in error) and/or I5
        (segments in error against the implementation guide, the I-codes of IK304 and IK403)."""
        if self.codes or self.status == "A":
            return self.codes[:5]
        guide = [e.code.startswith("I") or any(x.code.startswith("I") for x in e.elements) for e in self.errors]
        syntax = ("5",) if not guide or False in guide else ()
        return syntax + (("I5",) if any(guide) else ())


@dataclass(frozen=True, slots=True)
class GroupAcknowledgment:
    """One 999 transaction set: the verdict on one received functional group (AK1) and each of its sets."""

    group_control_number: str  # GS06 of the group acknowledged
    sets: tuple[SetAcknowledgment, ...]
    functional_id: str = "HC"  # GS01 of the group acknowledged
    version: str = "005010X222A1"  # GS08 / ST03 of the group acknowledged
    transaction_type: str = "837"
    codes: tuple[str, ...] = ()  # AK905-AK909 (group-level problems, e.g. 5: GE01 does not match)

    @property
    def accepted(self) -> int:
        return sum(s.accepted for s in self.sets)

    @property
    def status(self) -> str:
        """AK901: A all accepted, E all accepted but with errors noted, P some rejected, R all rejected."""
        if self.sets and self.accepted == 0:
            return "R"
        if self.accepted < len(self.sets):
            return "P"
        return "E" if any(s.status == "E" for s in self.sets) else "A"


def write_999(acknowledgments: tuple[GroupAcknowledgment, ...], profile: ClearinghouseProfile,
              control: ControlNumbers, now: datetime.datetime) -> str:
    """999 implementation acknowledgments (005010X231A1), one transaction set per functional group acknowledged."""
    w = SegmentWriter(profile.delimiters)
    interchange_header(w, profile, control.interchange, now)
    group_header(w, profile, "FA", control.group, ACKNOWLEDGMENT, now)
    for index, group in enumerate(acknowledgments):
        st02 = f"{control.transaction + index:04d}"
        with transaction_set(w, "999", st02, ACKNOWLEDGMENT):
            w.add("AK1", group.functional_id, group.group_control_number, group.version)
            for ack in group.sets:
                w.add("AK2", group.transaction_type, ack.control_number, group.version)
                for error in ack.errors:
                    w.add("IK3", error.segment_id, str(error.position), error.loop, error.code)
                    if error.claim:
                        w.add("CTX", w.composite("CLM01", clean(error.claim, 35)))
                    for element in error.elements:
                        position = w.composite(str(element.position),
                                               "" if element.component is None else str(element.component))
                        w.add("IK4", position, element.reference, element.code, _copied(element.value, w, 99))
                w.add("IK5", ack.status, *ack.status_codes)
            count = str(len(group.sets))
            w.add("AK9", group.status, count, count, str(group.accepted), *group.codes[:5])
    close_group(w, len(acknowledgments), control.group)
    close_interchange(w, control.interchange)
    return w.text()


def _copied(value: str, w: SegmentWriter, length: int) -> str:
    """A bad value copied as received (IK404), less any delimiter characters, which cannot be carried."""
    delimiters = {w.d.element, w.d.component, w.d.segment, w.d.repetition or ""} - {""}
    return "".join(" " if ch in delimiters else ch for ch in value).strip()[:length]


# --- 277CA -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClaimAcknowledgment:
    """One claim's verdict in a 277CA (2000D patient loop).

    ``category``/``status_code`` default to A1:20 (accepted for processing) or A3:21 (returned as unprocessable:
    missing or invalid information); ``entity`` (STC01-3) names who is in error, e.g. A7:562:85 (billing provider).
    """

    patient_control_number: str  # TRN02: our CLM01
    accepted: bool
    patient: Person
    member_id: str
    charge: Money
    service_from: datetime.date
    service_to: datetime.date | None = None
    payer_claim_number: str | None = None  # REF*1K
    category: str = ""
    status_code: str = ""
    entity: str = ""
    message: str = ""  # STC12 free text

    def __post_init__(self) -> None:
        expected = ACCEPTED_CATEGORIES if self.accepted else REJECTED_CATEGORIES
        if self.category and self.category not in expected:
            raise InvalidInput(f"claim {self.patient_control_number}: category '{self.category}' does not say "
                               f"{'accepted' if self.accepted else 'rejected'} (use one of {sorted(expected)})")

    @property
    def status(self) -> tuple[str, str, str]:
        """STC01: category, status code and entity."""
        if self.accepted:
            return self.category or "A1", self.status_code or "20", self.entity
        return self.category or "A3", self.status_code or "21", self.entity


@dataclass(frozen=True, slots=True)
class BatchAcknowledgment:
    """One 277CA transaction set: the verdicts on the claims of one 837 transaction set (one billing provider)."""

    trace_number: str  # BHT03 and 2200A TRN02: the information source's own reference
    payer: Payer  # information source (2100A)
    batch_id: str  # 2200B TRN02: the 837's BHT03
    received_on: datetime.date  # DTP*050
    provider_name: str
    provider_npi: str
    claims: tuple[ClaimAcknowledgment, ...]


def write_277ca(batches: tuple[BatchAcknowledgment, ...], profile: ClearinghouseProfile, control: ControlNumbers,
                now: datetime.datetime) -> str:
    """277CA claim acknowledgments (005010X214), one transaction set per 837 acknowledged."""
    w = SegmentWriter(profile.delimiters)
    interchange_header(w, profile, control.interchange, now)
    group_header(w, profile, "HN", control.group, CLAIM_ACKNOWLEDGMENT, now)
    today = d8(now.date())
    for index, batch in enumerate(batches):
        st02 = f"{control.transaction + index:04d}"
        accepted = [c for c in batch.claims if c.accepted]
        rejected = [c for c in batch.claims if not c.accepted]
        total = _total(batch.claims)
        with transaction_set(w, "277", st02, CLAIM_ACKNOWLEDGMENT):
            w.add("BHT", "0085", "08", clean(batch.trace_number, 50), today, now.strftime("%H%M"), "TH")
            w.add("HL", "1", "", "20", "1")
            w.add("NM1", "PR", "2", clean(batch.payer.name, 60), "", "", "", "", "PI", clean(batch.payer.payer_id, 80))
            w.add("TRN", "1", clean(batch.trace_number, 50))
            w.add("DTP", "050", "D8", d8(batch.received_on))
            w.add("DTP", "009", "D8", today)
            w.add("HL", "2", "1", "21", "1")
            w.add("NM1", "41", "2", clean(profile.receiver_name, 60), "", "", "", "", "46", profile.receiver_id)
            w.add("TRN", "2", clean(batch.batch_id, 50))
            # The receipt of the batch as a whole is acknowledged even when every claim in it is rejected.
            w.add("STC", w.composite("A1", "19", "PR"), today, "WQ", x12_amount(total))
            _counts(w, ("90", "AA"), accepted, rejected)
            w.add("HL", "3", "2", "19", "1")
            w.add("NM1", "85", "2", clean(batch.provider_name, 60), "", "", "", "", "XX", batch.provider_npi)
            w.add("TRN", "1", "0")  # no provider-level trace number was sent: the guide asks for 0
            w.add("STC", w.composite("A1", "19", "PR"), "", "WQ", x12_amount(total))
            _counts(w, ("QA", "QC"), accepted, rejected)
            for number, claim in enumerate(batch.claims, start=4):
                w.add("HL", str(number), "3", "PT")
                person_name(w, "QC", claim.patient, "MI", clean(claim.member_id, 80))
                w.add("TRN", "2", clean(claim.patient_control_number, 50))
                w.add("STC", w.composite(*claim.status), today, "WQ" if claim.accepted else "U",
                      x12_amount(claim.charge), "", "", "", "", "", "", "", clean(claim.message, 264))
                if claim.payer_claim_number:
                    w.add("REF", "1K", clean(claim.payer_claim_number, 50))
                _service_dates(w, claim.service_from, claim.service_to)
    close_group(w, len(batches), control.group)
    close_interchange(w, control.interchange)
    return w.text()


def _total(claims: Iterable[ClaimAcknowledgment]) -> Money:
    return Money(sum(c.charge.cents for c in claims))


def _counts(w: SegmentWriter, qualifiers: tuple[str, str], accepted: list[ClaimAcknowledgment],
            rejected: list[ClaimAcknowledgment]) -> None:
    """QTY and AMT of accepted and rejected claims; each is required only when its count is above zero."""
    if accepted:
        w.add("QTY", qualifiers[0], str(len(accepted)))
    if rejected:
        w.add("QTY", qualifiers[1], str(len(rejected)))
    if accepted:
        w.add("AMT", "YU", x12_amount(_total(accepted)))
    if rejected:
        w.add("AMT", "YY", x12_amount(_total(rejected)))


def _service_dates(w: SegmentWriter, start: datetime.date, end: datetime.date | None) -> None:
    if end is None or end == start:
        w.add("DTP", "472", "D8", d8(start))
    else:
        w.add("DTP", "472", "RD8", f"{d8(start)}-{d8(end)}")


# --- 271 -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BenefitSummary:
    """What the plan covers on the date asked about. Cost sharing is written for active coverage only.

    ``coinsurance_percent`` is the patient's share in whole percent; EB08 carries it as a decimal (20 -> 0.2).
    """

    active: bool
    plan_name: str = ""  # EB05
    insurance_type: str = ""  # EB04: C1 commercial, MB Medicare Part B, HM HMO ...
    plan_begin: datetime.date | None = None  # DTP*346
    plan_end: datetime.date | None = None  # DTP*347
    deductible: Money | None = None  # EB*C per calendar year (EB06 23)
    deductible_remaining: Money | None = None  # EB*C remaining (EB06 29)
    coinsurance_percent: int | None = None  # EB*A
    copay: Money | None = None  # EB*B per visit (EB06 27)
    service_types: tuple[str, ...] = ("30",)  # EB03, repeated
    in_network: bool | None = None  # EB12 on the cost-sharing benefits
    out_of_pocket: Money | None = None  # EB*G per calendar year (EB06 23): the out-of-pocket maximum
    out_of_pocket_remaining: Money | None = None  # EB*G remaining (EB06 29)
    # Cost sharing for a specialist's office visit: EB*B / EB*A with EB03 98 (professional physician visit, office)
    # and MSG*SPECIALIST, as payers answer it beside the plan-level (EB03 30) figures.
    visit_copay: Money | None = None
    visit_coinsurance_percent: int | None = None
    # Another payer is primary (EB*R, its name and ID in 2120C NM1*PRP), as 005010X279A1 section 1.4.7 allows.
    other_payer: Payer | None = None

    def __post_init__(self) -> None:
        sharing = (self.deductible, self.deductible_remaining, self.coinsurance_percent, self.copay,
                   self.out_of_pocket, self.out_of_pocket_remaining, self.visit_copay,
                   self.visit_coinsurance_percent)
        if not self.active and any(value is not None for value in sharing):
            raise InvalidInput("inactive coverage has no deductible, coinsurance or copay; leave them out")
        for percent in (self.coinsurance_percent, self.visit_coinsurance_percent):
            if percent is not None and not 0 <= percent <= 100:
                raise InvalidInput(f"coinsurance {percent}% is not a percentage (0 to 100)")


@dataclass(frozen=True, slots=True)
class EligibilityRejection:
    """AAA: the request could not be answered. ``reason`` is AAA03 (72 invalid member id, 73 invalid name,
    75 subscriber not found, 71 birth date does not match, 58 invalid date of birth, 42 unable to respond now);
    ``follow_up`` AAA04 (C correct and resubmit, R resubmit original, N do not resubmit)."""

    reason: str
    follow_up: str = "C"


@dataclass(frozen=True, slots=True)
class EligibilityResponse:
    """One 271 transaction set answering one 270: either the benefits or a rejection, for the patient asked about."""

    trace_number: str  # the 270's BHT03 and TRN02, echoed
    payer: Payer
    provider_name: str
    provider_npi: str
    subscriber: Person
    member_id: str
    on: datetime.date  # the date asked about, DTP*291
    benefits: BenefitSummary | None = None
    rejection: EligibilityRejection | None = None
    dependent: Person | None = None  # the patient, when not the subscriber
    trace_assigner: str = ""  # the 270's TRN03; empty: '9' and our id, as write_270 sends it

    def __post_init__(self) -> None:
        if (self.benefits is None) == (self.rejection is None):
            raise InvalidInput(f"eligibility response {self.trace_number}: give either the benefits or a rejection")


def write_271(responses: tuple[EligibilityResponse, ...], profile: ClearinghouseProfile, control: ControlNumbers,
              now: datetime.datetime) -> str:
    """271 eligibility responses (005010X279A1), one transaction set per 270 answered."""
    w = SegmentWriter(profile.delimiters)
    interchange_header(w, profile, control.interchange, now)
    group_header(w, profile, "HB", control.group, ELIGIBILITY_RESPONSE, now)
    for index, response in enumerate(responses):
        st02 = f"{control.transaction + index:04d}"
        trace = clean(response.trace_number, 50)
        with transaction_set(w, "271", st02, ELIGIBILITY_RESPONSE):
            w.add("BHT", "0022", "11", trace, d8(now.date()), now.strftime("%H%M"))
            w.add("HL", "1", "", "20", "1")
            w.add("NM1", "PR", "2", clean(response.payer.name, 60), "", "", "", "", "PI",
                  clean(response.payer.payer_id, 80))
            w.add("HL", "2", "1", "21", "1")
            w.add("NM1", "1P", "2", clean(response.provider_name, 60), "", "", "", "", "XX", response.provider_npi)
            w.add("HL", "3", "2", "22", "1" if response.dependent else "0")
            # The trace number goes back in the patient's loop: the subscriber's, or the dependent's below it.
            if response.dependent is None:
                _trace(w, response, profile, trace)
            person_name(w, "IL", response.subscriber, "MI", clean(response.member_id, 80))
            if response.dependent is not None:
                w.add("HL", "4", "3", "23", "0")
                _trace(w, response, profile, trace)
                person_name(w, "03", response.dependent)
            _patient_facts(w, response.dependent or response.subscriber, response)
    close_group(w, len(responses), control.group)
    close_interchange(w, control.interchange)
    return w.text()


def _trace(w: SegmentWriter, response: EligibilityResponse, profile: ClearinghouseProfile, trace: str) -> None:
    w.add("TRN", "2", trace, response.trace_assigner or f"9{profile.receiver_id[:9]}")


def _patient_facts(w: SegmentWriter, patient: Person, response: EligibilityResponse) -> None:
    """2100C/D after the name: AAA, DMG and plan dates, then the 2110 benefits (EB)."""
    if response.rejection is not None:
        w.add("AAA", "Y", "", response.rejection.reason, response.rejection.follow_up)
    if patient.date_of_birth is not None:
        w.add("DMG", "D8", d8(patient.date_of_birth), patient.sex or "U")
    benefits = response.benefits
    if benefits is None:
        return
    w.add("DTP", "291", "D8", d8(response.on))
    if benefits.plan_begin is not None:
        w.add("DTP", "346", "D8", d8(benefits.plan_begin))
    if benefits.plan_end is not None:
        w.add("DTP", "347", "D8", d8(benefits.plan_end))
    service_types = (w.d.repetition or "^").join(benefits.service_types)
    w.add("EB", "1" if benefits.active else "6", "IND", service_types, benefits.insurance_type,
          clean(benefits.plan_name, 50))
    network = "" if benefits.in_network is None else ("Y" if benefits.in_network else "N")
    if benefits.deductible is not None:
        w.add("EB", "C", "IND", service_types, "", "", "23", x12_amount(benefits.deductible), "", "", "", "", network)
    if benefits.deductible_remaining is not None:
        w.add("EB", "C", "IND", service_types, "", "", "29", x12_amount(benefits.deductible_remaining), "", "", "",
              "", network)
    if benefits.coinsurance_percent is not None:
        w.add("EB", "A", "IND", service_types, "", "", "", "", _fraction(benefits.coinsurance_percent), "", "", "",
              network)
    if benefits.copay is not None:
        w.add("EB", "B", "IND", service_types, "", "", "27", x12_amount(benefits.copay), "", "", "", "", network)
    _more_benefits(w, benefits, network)


def _more_benefits(w: SegmentWriter, benefits: BenefitSummary, network: str) -> None:
    """The out-of-pocket maximum and what is left of it, a specialist visit's copay and coinsurance, and another
    payer that is primary (each written only when known)."""
    if benefits.out_of_pocket is not None:
        w.add("EB", "G", "IND", "30", "", "", "23", x12_amount(benefits.out_of_pocket), "", "", "", "", network)
    if benefits.out_of_pocket_remaining is not None:
        w.add("EB", "G", "IND", "30", "", "", "29", x12_amount(benefits.out_of_pocket_remaining), "", "", "", "",
              network)
    if benefits.visit_copay is not None:
        w.add("EB", "B", "IND", "98", "", "", "27", x12_amount(benefits.visit_copay), "", "", "", "", network)
        w.add("MSG", "SPECIALIST")
    if benefits.visit_coinsurance_percent is not None:
        w.add("EB", "A", "IND", "98", "", "", "", "", _fraction(benefits.visit_coinsurance_percent), "", "", "",
              network)
        w.add("MSG", "SPECIALIST")
    if benefits.other_payer is not None:
        w.add("EB", "R", "", "30")
        w.add("LS", "2120")
        w.add("NM1", "PRP", "2", clean(benefits.other_payer.name, 60), "", "", "", "", "PI",
              clean(benefits.other_payer.payer_id, 80))
        w.add("LE", "2120")


def _fraction(percent: int) -> str:
    """EB08 is a decimal fraction: 20 percent is 0.2, 100 percent is 1."""
    return format((Decimal(percent) / 100).normalize(), "f")


# --- 277 -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClaimStatusAnswer:
    """Where one claim is (2200D/E): e.g. F1:65 paid, F2:88 denied, P1:20 pending, A4:35 not found."""

    patient_control_number: str  # TRN02, as the 276 asked
    category: str
    status_code: str
    subscriber: Person
    member_id: str
    charge: Money  # STC04
    service_from: datetime.date
    service_to: datetime.date | None = None
    paid: Money = field(default_factory=Money.zero)  # STC05
    payer_claim_number: str | None = None  # REF*1K
    entity: str = ""  # STC01-3
    adjudicated_on: datetime.date | None = None  # STC06
    paid_on: datetime.date | None = None  # STC08: check or EFT date
    check_number: str = ""  # STC09: check or EFT trace number
    dependent: Person | None = None  # the patient, when not the subscriber


@dataclass(frozen=True, slots=True)
class ClaimStatusResponse:
    """One 277 transaction set answering one 276: the payer, our billing provider and the claims asked about."""

    trace_number: str  # BHT03: the 276's BHT03, echoed
    payer: Payer
    provider_name: str
    provider_npi: str
    claims: tuple[ClaimStatusAnswer, ...]


def write_277(responses: tuple[ClaimStatusResponse, ...], profile: ClearinghouseProfile, control: ControlNumbers,
              now: datetime.datetime) -> str:
    """277 claim status responses (005010X212), one transaction set per 276 answered."""
    w = SegmentWriter(profile.delimiters)
    interchange_header(w, profile, control.interchange, now)
    group_header(w, profile, "HN", control.group, CLAIM_STATUS_RESPONSE, now)
    today = d8(now.date())
    for index, response in enumerate(responses):
        st02 = f"{control.transaction + index:04d}"
        with transaction_set(w, "277", st02, CLAIM_STATUS_RESPONSE):
            w.add("BHT", "0010", "08", clean(response.trace_number, 50), today, now.strftime("%H%M"), "DG")
            w.add("HL", "1", "", "20", "1")
            w.add("NM1", "PR", "2", clean(response.payer.name, 60), "", "", "", "", "PI",
                  clean(response.payer.payer_id, 80))
            w.add("HL", "2", "1", "21", "1")
            w.add("NM1", "41", "2", clean(profile.receiver_name, 60), "", "", "", "", "46", profile.receiver_id)
            w.add("HL", "3", "2", "19", "1")
            w.add("NM1", "1P", "2", clean(response.provider_name, 60), "", "", "", "", "XX", response.provider_npi)
            number = 3
            for claim in response.claims:
                number += 1
                subscriber_level = number
                w.add("HL", str(number), "3", "22", "1" if claim.dependent else "0")
                person_name(w, "IL", claim.subscriber, "MI", clean(claim.member_id, 80))
                if claim.dependent is not None:
                    number += 1
                    w.add("HL", str(number), str(subscriber_level), "23")
                    person_name(w, "QC", claim.dependent)
                w.add("TRN", "2", clean(claim.patient_control_number, 50))
                w.add("STC", w.composite(claim.category, claim.status_code, claim.entity), today, "",
                      x12_amount(claim.charge), x12_amount(claim.paid),
                      d8(claim.adjudicated_on) if claim.adjudicated_on else "", "",
                      d8(claim.paid_on) if claim.paid_on else "", clean(claim.check_number, 16))
                if claim.payer_claim_number:
                    w.add("REF", "1K", clean(claim.payer_claim_number, 50))
                _service_dates(w, claim.service_from, claim.service_to)
    close_group(w, len(responses), control.group)
    close_interchange(w, control.interchange)
    return w.text()
