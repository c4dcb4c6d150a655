"""Health care claim, professional 837P (005010X222A1): many claims per file, grouped by payer.

Loops written: 1000A submitter, 1000B receiver, 2000A/2010AA billing provider (PRV taxonomy, NPI, EIN)
and 2010AB pay-to address, 2000B/2010BA subscriber with 2010BB payer, 2000C/2010CA patient when not the
subscriber, 2300 claim (CLM with frequency 1, 7 or 8; REF*F8 the payer's claim number for replacements
and voids; REF*G1 prior authorization; HI diagnoses), 2310B rendering provider, 2310C service facility,
2320/2330A/2330B other payer with the primary payer's adjudication (AMT*D, CAS) for secondary claims,
and 2400 service lines (SV1, DTP*472, REF*6R) with 2430 line adjudication (SVD, CAS, DTP*573).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from dermbill.core.claim_form import (
    Address,
    Adjustment,
    BillingProvider,
    LineAdjudication,
    OtherPayer,
    Payer,
    Person,
    ProfessionalClaim,
    ServiceLine,
)
from dermbill.core.money import Money
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

IMPLEMENTATION = "005010X222A1"
Claim837 = ProfessionalClaim  # the 837P writes exactly the professional claim
__all__ = ["Address", "Adjustment", "Batch837", "BillingProvider", "Claim837", "LineAdjudication", "OtherPayer",
           "Payer", "Person", "ServiceLine", "write_837p"]


@dataclass(frozen=True, slots=True)
class Batch837:
    """Claims of one billing provider; written as one interchange, one transaction set per payer."""

    billing: BillingProvider
    claims: tuple[Claim837, ...]
    batch_id: str  # BHT03


def d8(day: datetime.date) -> str:
    return day.strftime("%Y%m%d")


def x12_amount(money: Money) -> str:
    """X12 amounts: no trailing zeros needed, no thousands separators ('150', '150.5', '-12.25')."""
    text = money.plain()
    return text.rstrip("0").rstrip(".") if "." in text else text


def person_name(w: SegmentWriter, entity: str, person: Person, qualifier: str = "", identifier: str = "") -> None:
    w.add("NM1", entity, "1", clean(person.last_name, 60), clean(person.first_name, 35),
          clean(person.middle_name, 25), "", "", qualifier, identifier)


def _address(w: SegmentWriter, address: Address | None) -> None:
    if address is None:
        return
    w.add("N3", clean(address.line1, 55), clean(address.line2, 55))
    w.add("N4", clean(address.city, 30), address.state, address.zip_code)


def _demographics(w: SegmentWriter, person: Person) -> None:
    if person.date_of_birth is not None:
        w.add("DMG", "D8", d8(person.date_of_birth), person.sex or "U")


def write_837p(batch: Batch837, profile: ClearinghouseProfile, control: ControlNumbers,
               now: datetime.datetime) -> str:
    """The interchange text: one ST..SE per payer, transaction control numbers counting up from control.transaction."""
    w = SegmentWriter(profile.delimiters)
    interchange_header(w, profile, control.interchange, now)
    group_header(w, profile, "HC", control.group, IMPLEMENTATION, now)
    by_payer: dict[str, list[Claim837]] = defaultdict(list)
    for claim in batch.claims:
        by_payer[claim.payer.payer_id].append(claim)
    for index, claims in enumerate(by_payer.values()):
        _transaction(w, batch, claims, profile, f"{control.transaction + index:04d}", now)
    close_group(w, len(by_payer), control.group)
    close_interchange(w, control.interchange)
    return w.text()


def _transaction(w: SegmentWriter, batch: Batch837, claims: list[Claim837], profile: ClearinghouseProfile,
                 st02: str, now: datetime.datetime) -> None:
    with transaction_set(w, "837", st02, IMPLEMENTATION):
        w.add("BHT", "0019", "00", clean(batch.batch_id, 30), now.strftime("%Y%m%d"), now.strftime("%H%M"), "CH")
        w.add("NM1", "41", "2", clean(profile.submitter_name, 60), "", "", "", "", "46", profile.submitter_id)
        w.add("PER", "IC", clean(profile.submitter_contact, 60), "TE", profile.submitter_phone)
        w.add("NM1", "40", "2", clean(profile.receiver_name, 60), "", "", "", "", "46", profile.receiver_id)
        billing = batch.billing
        w.add("HL", "1", "", "20", "1")
        w.add("PRV", "BI", "PXC", billing.taxonomy)
        w.add("NM1", "85", "2", clean(billing.name, 60), "", "", "", "", "XX", billing.npi)
        _address(w, billing.address)
        w.add("REF", "EI", billing.tin)
        if billing.pay_to is not None:
            w.add("NM1", "87", "2")
            _address(w, billing.pay_to)
        hl = 1
        for claim in claims:
            hl += 1
            subscriber_hl = hl
            self_insured = claim.relationship_code == "18"
            w.add("HL", str(subscriber_hl), "1", "22", "0" if self_insured else "1")
            w.add("SBR", claim.order, "18" if self_insured else "", clean(claim.group_number, 50), "", "", "", "", "",
                  claim.filing_indicator)
            person_name(w, "IL", claim.subscriber, "MI", clean(claim.member_id, 80))
            _address(w, claim.subscriber.address)
            _demographics(w, claim.subscriber)
            w.add("NM1", "PR", "2", clean(claim.payer.name, 60), "", "", "", "", "PI", clean(claim.payer.payer_id, 80))
            _address(w, claim.payer.address)
            if not self_insured:
                hl += 1
                w.add("HL", str(hl), str(subscriber_hl), "23", "0")
                w.add("PAT", claim.relationship_code)
                person_name(w, "QC", claim.patient)
                _address(w, claim.patient.address)
                _demographics(w, claim.patient)
            _claim(w, claim)


def _claim(w: SegmentWriter, claim: Claim837) -> None:
    w.add("CLM", clean(claim.patient_control_number, 38), x12_amount(claim.total_charge), "", "",
          w.composite(claim.place_of_service, "B", claim.frequency_code), "Y", "A", "Y", "Y")
    if claim.frequency_code in ("7", "8") and claim.payer_claim_number:
        w.add("REF", "F8", clean(claim.payer_claim_number, 50))
    if claim.prior_authorization:
        w.add("REF", "G1", clean(claim.prior_authorization, 50))
    codes = [code.replace(".", "") for code in claim.diagnoses[:12]]
    w.add("HI", *(w.composite("ABK" if i == 0 else "ABF", code) for i, code in enumerate(codes)))
    if claim.rendering_npi and claim.rendering_name is not None:
        person_name(w, "82", claim.rendering_name, "XX", claim.rendering_npi)
        if claim.rendering_taxonomy:
            w.add("PRV", "PE", "PXC", claim.rendering_taxonomy)
    if claim.facility_address is not None and claim.facility_name:
        w.add("NM1", "77", "2", clean(claim.facility_name, 60))
        _address(w, claim.facility_address)
    for other in claim.other_payers:
        w.add("SBR", other.order, "18" if other.relationship_code == "18" else other.relationship_code, "", "", "",
              "", "", "", other.filing_indicator)
        for group, adjustments in _grouped(other.adjustments).items():
            _cas(w, group, adjustments)
        w.add("AMT", "D", x12_amount(other.paid))
        w.add("OI", "", "", "Y", "", "", "Y")
        person_name(w, "IL", other.subscriber, "MI", clean(other.member_id, 80))
        w.add("NM1", "PR", "2", clean(other.payer.name, 60), "", "", "", "", "PI", clean(other.payer.payer_id, 80))
    for number, line in enumerate(claim.lines, start=1):
        w.add("LX", str(number))
        w.add("SV1", w.composite("HC", line.code, *line.modifiers[:4]), x12_amount(line.charge), "UN", str(line.units),
              "", "", w.composite(*(str(p) for p in line.pointers[:4])))
        w.add("DTP", "472", "D8", d8(line.date_of_service))
        w.add("REF", "6R", clean(line.control_number, 50))
        if line.adjudication is not None:
            a = line.adjudication
            w.add("SVD", clean(a.payer_id, 80), x12_amount(a.paid), w.composite("HC", a.code, *a.modifiers[:4]), "",
                  str(a.units))
            for group, adjustments in _grouped(a.adjustments).items():
                _cas(w, group, adjustments)
            w.add("DTP", "573", "D8", d8(a.adjudicated_on))


def _grouped(adjustments: tuple[Adjustment, ...]) -> dict[str, list[Adjustment]]:
    grouped: dict[str, list[Adjustment]] = defaultdict(list)
    for adjustment in adjustments:
        grouped[adjustment.group].append(adjustment)
    return grouped


def _cas(w: SegmentWriter, group: str, adjustments: list[Adjustment]) -> None:
    for start in range(0, len(adjustments), 6):
        triples = []
        for adjustment in adjustments[start:start + 6]:
            triples += [adjustment.reason, x12_amount(adjustment.amount), ""]
        w.add("CAS", group, *triples)
