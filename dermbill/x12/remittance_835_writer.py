"""Writing 835 remittances (005010X221A1): what the simulated payer sends back, and test fixtures.

The writer balances by construction: a line's paid amount is its charge less its adjustments, a claim's
paid amount is the sum of its lines', and BPR02 is the sum of the claims' payments.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dermbill.core.money import Money
from dermbill.x12.claim_837p import d8, x12_amount
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

IMPLEMENTATION = "005010X221A1"


@dataclass(frozen=True, slots=True)
class Adjusted:
    group: str
    reason: str
    amount: Money


@dataclass(frozen=True, slots=True)
class PaidLine:
    code: str
    modifiers: tuple[str, ...]
    charge: Money
    units: int
    date_of_service: datetime.date
    adjustments: tuple[Adjusted, ...]
    remarks: tuple[str, ...] = ()
    control_number: str = ""
    allowed: Money | None = None
    submitted_code: str | None = None  # when the payer paid another code than the one sent (SVC06)
    submitted_modifiers: tuple[str, ...] = ()

    @property
    def paid(self) -> Money:
        return self.charge - Money(sum(a.amount.cents for a in self.adjustments))


@dataclass(frozen=True, slots=True)
class PaidClaim:
    patient_control_number: str
    status_code: str  # 1 primary, 2 secondary, 4 denied, 22 reversal
    filing_indicator: str
    payer_claim_number: str
    patient_last: str
    patient_first: str
    member_id: str
    lines: tuple[PaidLine, ...]
    remarks: tuple[str, ...] = ()  # claim-level remark codes (MOA), e.g. MA18 forwarded to the supplemental payer
    crossover_payer_id: str = ""  # NM1*TT: the payer the claim was forwarded to
    crossover_payer_name: str = "SUPPLEMENTAL PAYER"
    received: datetime.date | None = None  # DTM*050

    @property
    def charge(self) -> Money:
        return Money(sum(line.charge.cents for line in self.lines))

    @property
    def paid(self) -> Money:
        return Money(sum(line.paid.cents for line in self.lines))

    @property
    def patient_responsibility(self) -> Money:
        return Money(sum(a.amount.cents for line in self.lines for a in line.adjustments if a.group == "PR"))


@dataclass(frozen=True, slots=True)
class ProviderAdjustment:
    """A PLB adjustment: positive amounts reduce the payment (e.g. WO overpayment recovery), negative add to it."""

    reason: str
    reference: str
    amount: Money


@dataclass(frozen=True, slots=True)
class Remittance:
    payer_name: str
    payer_id: str
    payee_name: str
    payee_npi: str
    trace_number: str
    paid_on: datetime.date
    claims: tuple[PaidClaim, ...]
    provider_adjustments: tuple[ProviderAdjustment, ...] = ()
    fiscal_period_end: datetime.date | None = None

    @property
    def total(self) -> Money:
        """BPR02: what the claims pay, less provider-level adjustments."""
        claims = sum(claim.paid.cents for claim in self.claims)
        return Money(claims - sum(a.amount.cents for a in self.provider_adjustments))


def write_835(remittances: tuple[Remittance, ...], profile: ClearinghouseProfile, control: ControlNumbers,
              now: datetime.datetime) -> str:
    w = SegmentWriter(profile.delimiters)
    interchange_header(w, profile, control.interchange, now)
    group_header(w, profile, "HP", control.group, IMPLEMENTATION, now)
    for index, remit in enumerate(remittances):
        st02 = f"{control.transaction + index:04d}"
        with transaction_set(w, "835", st02):
            total = remit.total
            method = "ACH" if total.cents > 0 else "NON"
            w.add("BPR", "I" if total.cents > 0 else "H", x12_amount(total), "C", method, "", "", "", "", "", "", "",
                  "", "", "", "", d8(remit.paid_on))
            # TRN03 is exactly ten characters, "1" and the payer's EIN; we have the sender's ID, padded to fit.
            w.add("TRN", "1", clean(remit.trace_number, 50), f"1{profile.submitter_id[:9]:0<9}")
            w.add("DTM", "405", d8(remit.paid_on))
            w.add("N1", "PR", clean(remit.payer_name, 60))
            w.add("N3", "PO BOX 1")
            w.add("N4", "ANYTOWN", "PA", "19099")
            w.add("REF", "2U", clean(remit.payer_id, 50))
            w.add("PER", "BL", "TEST PAYER", "TE", "2155550123")
            w.add("N1", "PE", clean(remit.payee_name, 60), "XX", remit.payee_npi)
            for number, claim in enumerate(remit.claims, start=1):
                w.add("LX", str(number))
                w.add("CLP", clean(claim.patient_control_number, 38), claim.status_code, x12_amount(claim.charge),
                      x12_amount(claim.paid), x12_amount(claim.patient_responsibility), claim.filing_indicator,
                      clean(claim.payer_claim_number, 50))
                w.add("NM1", "QC", "1", clean(claim.patient_last, 60), clean(claim.patient_first, 35), "", "", "", "MI",
                      clean(claim.member_id, 80))
                if claim.crossover_payer_id:
                    w.add("NM1", "TT", "2", clean(claim.crossover_payer_name, 60), "", "", "", "", "PI",
                          clean(claim.crossover_payer_id, 80))
                if claim.remarks:
                    w.add("MOA", "", "", *claim.remarks[:5])
                if claim.received:
                    w.add("DTM", "050", d8(claim.received))
                for line in claim.lines:
                    submitted = w.composite("HC", line.submitted_code, *line.submitted_modifiers[:4]) \
                        if line.submitted_code else ""
                    w.add("SVC", w.composite("HC", line.code, *line.modifiers[:4]), x12_amount(line.charge),
                          x12_amount(line.paid), "", str(line.units), submitted)
                    w.add("DTM", "472", d8(line.date_of_service))
                    groups: dict[str, list[Adjusted]] = {}
                    for adjustment in line.adjustments:
                        if adjustment.amount.cents:
                            groups.setdefault(adjustment.group, []).append(adjustment)
                    for group, adjustments in groups.items():
                        triples: list[str] = []
                        for adjustment in adjustments[:6]:
                            triples += [adjustment.reason, x12_amount(adjustment.amount), ""]
                        w.add("CAS", group, *triples)
                    if line.control_number:
                        w.add("REF", "6R", clean(line.control_number, 50))
                    if line.allowed is not None:
                        w.add("AMT", "B6", x12_amount(line.allowed))
                    for remark in line.remarks:
                        w.add("LQ", "HE", remark)
            if remit.provider_adjustments:
                fields: list[str] = []
                for plb in remit.provider_adjustments[:6]:
                    fields += [w.composite(plb.reason, plb.reference), x12_amount(plb.amount)]
                w.add("PLB", remit.payee_npi, d8(remit.fiscal_period_end or datetime.date(remit.paid_on.year, 12, 31)),
                      *fields)
    close_group(w, len(remittances), control.group)
    close_interchange(w, control.interchange)
    return w.text()
