"""Inquiries we send: eligibility 270 (005010X279A1) and claim status 276 (005010X212).

A 270 asks the payer whether a member is covered on a date (and, by service type code, what the plan
pays: 30 health benefit plan coverage, 98 professional office visit); a 276 asks where a claim is, by
our patient control number, the payer's claim number, the charge and the dates of service.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dermbill.core.money import Money
from dermbill.x12.claim_837p import Payer, Person, d8, person_name, x12_amount
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

ELIGIBILITY = "005010X279A1"
CLAIM_STATUS = "005010X212"


@dataclass(frozen=True, slots=True)
class EligibilityInquiry:
    trace_number: str  # TRN02: ours, echoed in the 271
    payer: Payer
    provider_name: str
    provider_npi: str
    subscriber: Person
    member_id: str
    on: datetime.date
    dependent: Person | None = None
    service_types: tuple[str, ...] = ("30",)


@dataclass(frozen=True, slots=True)
class ClaimStatusInquiry:
    trace_number: str
    payer: Payer
    provider_name: str
    provider_npi: str
    subscriber: Person
    member_id: str
    patient_control_number: str
    total_charge: Money
    service_from: datetime.date
    service_to: datetime.date
    payer_claim_number: str | None = None
    dependent: Person | None = None


def _envelope_open(w: SegmentWriter, profile: ClearinghouseProfile, control: ControlNumbers, functional_id: str,
                   version: str, now: datetime.datetime) -> None:
    interchange_header(w, profile, control.interchange, now)
    group_header(w, profile, functional_id, control.group, version, now)


def write_270(inquiries: tuple[EligibilityInquiry, ...], profile: ClearinghouseProfile, control: ControlNumbers,
              now: datetime.datetime) -> str:
    w = SegmentWriter(profile.delimiters)
    _envelope_open(w, profile, control, "HS", ELIGIBILITY, now)
    for index, inquiry in enumerate(inquiries):
        st02 = f"{control.transaction + index:04d}"
        with transaction_set(w, "270", st02, ELIGIBILITY):
            w.add("BHT", "0022", "13", clean(inquiry.trace_number, 50), now.strftime("%Y%m%d"), now.strftime("%H%M"))
            w.add("HL", "1", "", "20", "1")
            w.add("NM1", "PR", "2", clean(inquiry.payer.name, 60), "", "", "", "", "PI",
                  clean(inquiry.payer.payer_id, 80))
            w.add("HL", "2", "1", "21", "1")
            w.add("NM1", "1P", "2", clean(inquiry.provider_name, 60), "", "", "", "", "XX", inquiry.provider_npi)
            w.add("HL", "3", "2", "22", "1" if inquiry.dependent else "0")
            w.add("TRN", "1", clean(inquiry.trace_number, 50), f"9{profile.submitter_id[:9]}")
            person_name(w, "IL", inquiry.subscriber, "MI", clean(inquiry.member_id, 80))
            person = inquiry.dependent or inquiry.subscriber
            if inquiry.dependent is None:
                _dmg_dtp_eq(w, person, inquiry)
            else:
                w.add("HL", "4", "3", "23", "0")
                person_name(w, "03", inquiry.dependent)
                _dmg_dtp_eq(w, inquiry.dependent, inquiry)
    close_group(w, len(inquiries), control.group)
    close_interchange(w, control.interchange)
    return w.text()


def _dmg_dtp_eq(w: SegmentWriter, person: Person, inquiry: EligibilityInquiry) -> None:
    if person.date_of_birth is not None:
        w.add("DMG", "D8", d8(person.date_of_birth), person.sex or "U")
    w.add("DTP", "291", "D8", d8(inquiry.on))
    for service_type in inquiry.service_types:
        w.add("EQ", service_type)


def write_276(inquiries: tuple[ClaimStatusInquiry, ...], profile: ClearinghouseProfile, control: ControlNumbers,
              now: datetime.datetime) -> str:
    w = SegmentWriter(profile.delimiters)
    _envelope_open(w, profile, control, "HR", CLAIM_STATUS, now)
    for index, inquiry in enumerate(inquiries):
        st02 = f"{control.transaction + index:04d}"
        with transaction_set(w, "276", st02, CLAIM_STATUS):
            w.add("BHT", "0010", "13", clean(inquiry.trace_number, 50), now.strftime("%Y%m%d"), now.strftime("%H%M"))
            w.add("HL", "1", "", "20", "1")
            w.add("NM1", "PR", "2", clean(inquiry.payer.name, 60), "", "", "", "", "PI",
                  clean(inquiry.payer.payer_id, 80))
            w.add("HL", "2", "1", "21", "1")
            w.add("NM1", "41", "2", clean(profile.submitter_name, 60), "", "", "", "", "46",
                  profile.submitter_id)
            w.add("HL", "3", "2", "19", "1")
            w.add("NM1", "1P", "2", clean(inquiry.provider_name, 60), "", "", "", "", "XX", inquiry.provider_npi)
            w.add("HL", "4", "3", "22", "1" if inquiry.dependent else "0")
            if inquiry.dependent is None and inquiry.subscriber.date_of_birth is not None:
                w.add("DMG", "D8", d8(inquiry.subscriber.date_of_birth), inquiry.subscriber.sex or "U")
            person_name(w, "IL", inquiry.subscriber, "MI", clean(inquiry.member_id, 80))
            if inquiry.dependent is not None:
                w.add("HL", "5", "4", "23")
                if inquiry.dependent.date_of_birth is not None:
                    w.add("DMG", "D8", d8(inquiry.dependent.date_of_birth), inquiry.dependent.sex or "U")
                person_name(w, "QC", inquiry.dependent)
            w.add("TRN", "1", clean(inquiry.patient_control_number, 50))
            if inquiry.payer_claim_number:
                w.add("REF", "1K", clean(inquiry.payer_claim_number, 50))
            w.add("AMT", "T3", x12_amount(inquiry.total_charge))
            w.add("DTP", "472", "RD8", f"{d8(inquiry.service_from)}-{d8(inquiry.service_to)}")
    close_group(w, len(inquiries), control.group)
    close_interchange(w, control.interchange)
    return w.text()
