"""Writing 835 remittances (005010X221A1): what the simulated payer sends back, and test fixtures.

It writes the core remittance model (``dermbill.core.remittance``), which balances by construction when
built in code: a line's paid amount is its charge less its adjustments, a claim's paid amount is the sum of
its lines' less its claim-level adjustments (CAS right after CLP), and BPR02 is the sum of the claims' payments
less provider-level adjustments.
"""

from __future__ import annotations

import datetime

from dermbill.core.remittance import (
    Adjustment,
    ClaimPayment,
    ProviderAdjustment,
    Remittance,
    ServiceLinePayment,
)
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
__all__ = ["Adjusted", "PaidClaim", "PaidLine", "ProviderAdjustment", "Remittance", "write_835"]


# The writer takes the core remittance model; these names are what the simulated payer and the tests call it.
Adjusted = Adjustment
PaidLine = ServiceLinePayment
PaidClaim = ClaimPayment


def write_835(remittances: tuple[Remittance, ...], profile: ClearinghouseProfile, control: ControlNumbers,
              now: datetime.datetime) -> str:
    w = SegmentWriter(profile.delimiters)
    interchange_header(w, profile, control.interchange, now)
    group_header(w, profile, "HP", control.group, IMPLEMENTATION, now)
    for index, remit in enumerate(remittances):
        st02 = f"{control.transaction + index:04d}"
        with transaction_set(w, "835", st02):
            total = remit.total
            paid_on = remit.paid_on or now.date()
            method = "ACH" if total.cents > 0 else "NON"
            w.add("BPR", "I" if total.cents > 0 else "H", x12_amount(total), "C", method, "", "", "", "", "", "", "",
                  "", "", "", "", d8(paid_on))
            # TRN03 is exactly ten characters, "1" and the payer's EIN; without one, the sender's ID, padded to fit.
            originator = clean(remit.trace_originator, 10) or f"1{profile.submitter_id[:9]:0<9}"
            w.add("TRN", "1", clean(remit.trace_number, 50), originator, clean(remit.trace_reference, 50))
            w.add("DTM", "405", d8(paid_on))
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
                _cas(w, claim.adjustments)  # claim-level adjustments come right after CLP
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
                    if line.date_of_service is not None:
                        w.add("DTM", "472", d8(line.date_of_service))
                    _cas(w, line.adjustments)
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
                w.add("PLB", remit.payee_npi, d8(remit.fiscal_period_end or datetime.date(paid_on.year, 12, 31)),
                      *fields)
    close_group(w, len(remittances), control.group)
    close_interchange(w, control.interchange)
    return w.text()


def _cas(w: SegmentWriter, adjustments: tuple[Adjusted, ...]) -> None:
    """The CAS segments of a claim's or a line's adjustments: one per group code, at most six triples each."""
    groups: dict[str, list[Adjusted]] = {}
    for adjustment in adjustments:
        if adjustment.amount.cents:
            groups.setdefault(adjustment.group, []).append(adjustment)
    for group, grouped in groups.items():
        triples: list[str] = []
        for adjustment in grouped[:6]:
            triples += [adjustment.reason, x12_amount(adjustment.amount),
                        "" if adjustment.quantity is None else str(adjustment.quantity)]
        w.add("CAS", group, *triples)
