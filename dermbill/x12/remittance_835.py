"""Health care claim payment/advice, 835 (005010X221A1): payment, payer, payee, claims, lines, adjustments.

Reads every claim (CLP, all status codes including reversals 22), claim and line adjustments (CAS:
group, then up to six reason/amount/quantity triples), remarks (MOA, LQ), service lines (SVC with the
adjudicated composite and, in SVC06, the submitted one when the payer changed it), dates, amounts and
provider-level adjustments (PLB), and checks the balancing rules of the guide:
- a line: charge (SVC02) - its adjustments = paid (SVC03);
- a claim: charge (CLP03) - claim and line adjustments = paid (CLP04);
- the transaction: total paid (BPR02) = claims paid - provider adjustments (PLB).
An unbalanced transaction is reported (``balance.balanced`` false, with the problems), never hidden.

``read_835`` returns the typed core model (``dermbill.core.remittance.Remittance``: amounts as Money, dates as
dates); ``read_835_json`` the same content as JSON (amounts as decimal strings), which ``dermbill x12 parse``
prints.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money
from dermbill.core.remittance import (
    Adjustment,
    ClaimPayment,
    ProviderAdjustment,
    Remittance,
    ServiceLinePayment,
)
from dermbill.x12.tokenizer import Delimiters, Segment
from dermbill.x12.transactions import TransactionSet
from dermbill.x12.values import amount, composite, date, decimal_of, quantity

Json = dict[str, Any]
CLOSES_CLAIM = frozenset({"CLP", "LX", "PLB", "SE"})
HANDLED = ("ST", "BPR", "TRN", "N1", "REF", "PLB", "CLP", "CAS", "MOA", "MIA", "NM1", "DTM", "AMT", "QTY", "SVC", "LQ")
CLAIM_DATES = {"232": "statement_from", "233": "statement_to", "050": "received", "036": "coverage_expiration",
               "009": "process"}
LINE_DATES = {"472": "service_date", "150": "service_from", "151": "service_to"}


class Remittance835:
    """A streaming reader: feed segments of one 835 in order; completed claims come back as they close."""

    def __init__(self, delimiters: Delimiters) -> None:
        self.delimiters = delimiters
        self.header: Json = {"type": "835", "payment": {}, "payer": {}, "payee": {}, "provider_adjustments": []}
        self._claim: Json | None = None
        self._line: Json | None = None
        self._party: str | None = None  # N1 loop we are in: PR (payer) or PE (payee)
        self.claims_paid = Decimal(0)
        self.claim_count = 0
        self._handlers = {segment_id: getattr(self, f"_{segment_id.lower()}") for segment_id in HANDLED}
        self.problems: list[str] = []  # balancing and missing amounts: the transaction must not be posted
        self.notices: list[str] = []  # oddities that do not change the money (an impossible date)

    def feed(self, segment: Segment) -> Json | None:
        """Take one segment; returns the claim that this segment closed, if any."""
        handler = self._handlers.get(segment.id)
        if segment.id in CLOSES_CLAIM:
            closed = self._close_claim()
            if handler is not None:
                handler(segment)
            return closed
        if handler is not None:
            handler(segment)
        return None

    def finish(self) -> Json | None:
        return self._close_claim()

    def balance(self) -> Json:
        """The transaction-level check, after the last claim."""
        problems = list(self.problems)
        total = self.header["payment"].get("amount")
        adjustments = sum((decimal_of(a["amount"]) for plb in self.header["provider_adjustments"]
                           for a in plb["adjustments"]), Decimal(0))
        if total is not None and decimal_of(total) != self.claims_paid - adjustments:
            off = abs(decimal_of(total) - (self.claims_paid - adjustments))
            problems.append(f"BPR02 {total} does not equal the claims paid {self.claims_paid} less provider "
                            f"adjustments {adjustments}: {off} apart")
        return {"balanced": not problems, "problems": problems}

    # Header -------------------------------------------------------------------------------------

    def _st(self, s: Segment) -> None:
        self.header["control_number"] = s.get(2)

    def _bpr(self, s: Segment) -> None:
        self.header["payment"].update({
            "handling": s.get(1), "amount": amount(s, 2, missing=self.problems), "credit_debit": s.get(3),
            "method": s.get(4),
            "date": date(s, 16, self.notices),
        })

    def _trn(self, s: Segment) -> None:
        self.header["payment"].update({"trace_number": s.get(2), "originator": s.get(3), "trace_reference": s.get(4)})

    def _n1(self, s: Segment) -> None:
        self._party = s.get(1)
        target = {"PR": "payer", "PE": "payee"}.get(self._party)
        if target and self._claim is None:
            party = self.header[target]
            party["name"] = s.get(2)
            if s.get(3) == "XX":
                party["npi"] = s.get(4)
            elif s.get(4):
                party["identifier"] = s.get(4)

    def _ref(self, s: Segment) -> None:
        qualifier, value = s.get(1), s.get(2)
        if self._line is not None:
            if qualifier in ("6R", "LU"):
                self._line["control_number" if qualifier == "6R" else "location"] = value
        elif self._claim is not None:
            self._claim.setdefault("references", {})[qualifier] = value
        elif self._party == "PR" and qualifier == "2U":
            self.header["payer"]["identifier"] = value
        elif self._party == "PE" and qualifier == "TJ":
            self.header["payee"]["tax_id"] = value

    def _plb(self, s: Segment) -> None:
        adjustments = []
        for index in range(3, min(len(s.elements), 15), 2):
            if not s.get(index):
                continue
            parts = composite(s.get(index), self.delimiters.component)
            adjustments.append({"reason": parts[0], "reference": parts[1] if len(parts) > 1 else "",
                                "amount": amount(s, index + 1, missing=self.problems)})
        self.header["provider_adjustments"].append({"provider": s.get(1), "date": date(s, 2, self.notices),
                                                    "adjustments": adjustments})

    # Claims ------------------------------------------------------------------------------------

    def _clp(self, s: Segment) -> None:
        self._claim = {
            "patient_control_number": s.get(1), "status_code": s.get(2), "charge": amount(s, 3, missing=self.problems),
            "paid": amount(s, 4, missing=self.problems), "patient_responsibility": amount(s, 5) or "0",
            "filing_indicator": s.get(6), "payer_claim_control_number": s.get(7), "facility_code": s.get(8),
            "frequency_code": s.get(9), "adjustments": [], "remarks": [], "dates": {}, "lines": [],
            "segment": s.number,
        }
        self._line = None

    def _cas(self, s: Segment) -> None:
        target = self._line if self._line is not None else self._claim
        if target is None:
            raise s.fail("CAS outside a claim or service line")
        group = s.get(1)
        for index in range(2, min(len(s.elements), 20), 3):
            if not s.get(index):
                continue
            target["adjustments"].append({"group": group, "reason": s.get(index),
                                          "amount": amount(s, index + 1, missing=self.problems),
                                          "quantity": quantity(s, index + 2)})

    def _moa(self, s: Segment) -> None:
        if self._claim is not None:
            self._claim["remarks"] += [code for code in s.elements[3:8] if code]

    def _mia(self, s: Segment) -> None:
        if self._claim is not None:
            self._claim["remarks"] += [s.get(i) for i in (5, 20, 21, 22, 23) if s.get(i)]

    def _nm1(self, s: Segment) -> None:
        if self._claim is None:
            return
        roles = {"QC": "patient", "IL": "insured", "74": "corrected_insured", "82": "rendering_provider",
                 "PR": "crossover_payer", "TT": "crossover_payer"}
        role = roles.get(s.get(1))
        if role:
            self._claim[role] = {"last_name": s.get(3), "first_name": s.get(4), "identifier": s.get(9)}

    def _dtm(self, s: Segment) -> None:
        qualifier = s.get(1)
        if self._line is not None and qualifier in LINE_DATES:
            self._line[LINE_DATES[qualifier]] = date(s, 2, self.notices)
        elif self._claim is not None and qualifier in CLAIM_DATES:
            self._claim["dates"][CLAIM_DATES[qualifier]] = date(s, 2, self.notices)
        elif self._claim is None and qualifier == "405":
            self.header["payment"]["production_date"] = date(s, 2, self.notices)

    def _amt(self, s: Segment) -> None:
        names = {"B6": "allowed", "AU": "coverage_amount", "DY": "per_day_limit", "F5": "patient_paid",
                 "I": "interest", "KH": "late_filing_reduction", "T": "tax"}
        target = self._line if self._line is not None else self._claim
        if target is not None and s.get(1) in names:
            target[names[s.get(1)]] = amount(s, 2)

    def _qty(self, s: Segment) -> None:
        if self._claim is not None and self._line is None:
            self._claim.setdefault("quantities", {})[s.get(1)] = quantity(s, 2)

    def _svc(self, s: Segment) -> None:
        if self._claim is None:
            raise s.fail("SVC outside a claim (expected CLP first)")
        adjudicated = composite(s.get(1), self.delimiters.component)
        submitted = composite(s.get(6), self.delimiters.component) if s.get(6) else adjudicated
        self._line = {
            "qualifier": adjudicated[0], "code": adjudicated[1] if len(adjudicated) > 1 else "",
            "modifiers": [m for m in adjudicated[2:6] if m], "charge": amount(s, 2, missing=self.problems),
            "paid": amount(s, 3, missing=self.problems),
            "revenue_code": s.get(4) or None, "units": quantity(s, 5) or "1",
            "submitted_code": submitted[1] if len(submitted) > 1 else "",
            "submitted_modifiers": [m for m in submitted[2:6] if m], "submitted_units": quantity(s, 7),
            "adjustments": [], "remarks": [], "segment": s.number,
        }
        self._claim["lines"].append(self._line)

    def _lq(self, s: Segment) -> None:
        if self._line is not None:
            self._line["remarks"].append(s.get(2))

    def _close_claim(self) -> Json | None:
        claim = self._claim
        if claim is None:
            return None
        self._claim, self._line = None, None
        self._check_claim(claim)
        self.claims_paid += decimal_of(claim["paid"])
        self.claim_count += 1
        claim["patient_responsibility"] = str(_patient_responsibility(claim))
        return claim

    def _check_claim(self, claim: Json) -> None:
        where = f"claim {claim['patient_control_number']} (segment {claim['segment']})"
        line_adjustments = Decimal(0)
        for line in claim["lines"]:
            adjusted = sum((decimal_of(a["amount"]) for a in line["adjustments"]), Decimal(0))
            line_adjustments += adjusted
            if decimal_of(line["charge"]) - adjusted != decimal_of(line["paid"]):
                off = abs(decimal_of(line["charge"]) - adjusted - decimal_of(line["paid"]))
                self.problems.append(f"{where}, line {line['code']} (segment {line['segment']}): charge "
                                     f"{line['charge']} less adjustments {adjusted} is not the paid {line['paid']}: "
                                     f"{off} apart")
        claim_adjustments = sum((decimal_of(a["amount"]) for a in claim["adjustments"]), Decimal(0))
        if decimal_of(claim["charge"]) - claim_adjustments - line_adjustments != decimal_of(claim["paid"]):
            off = abs(decimal_of(claim["charge"]) - claim_adjustments - line_adjustments - decimal_of(claim["paid"]))
            self.problems.append(f"{where}: charge {claim['charge']} less adjustments "
                                 f"{claim_adjustments + line_adjustments} is not the paid {claim['paid']}: "
                                 f"{off} apart")


def _patient_responsibility(claim: Json) -> Decimal:
    """CLP05 when given; it should equal the PR-group adjustments of the claim and its lines."""
    return decimal_of(claim["patient_responsibility"])


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def read_835(transaction: TransactionSet) -> Remittance:
    """One 835 transaction set as the typed remittance model (its balancing problems in ``problems``)."""
    return remittance_of(read_835_json(transaction))


def read_835_json(transaction: TransactionSet) -> Json:
    """One 835 transaction set as JSON: payment, payer, payee, claims, provider adjustments, balance."""
    reader = Remittance835(transaction.delimiters)
    claims = []
    for segment in transaction.segments:
        closed = reader.feed(segment)
        if closed is not None:
            claims.append(closed)
    last = reader.finish()
    if last is not None:
        claims.append(last)
    balance = reader.balance()
    if transaction.defects:  # cut short or spliced: the amounts may balance, but the set is not whole
        balance = {"balanced": False, "problems": [*(f"the transaction set is not whole: {defect}"
                                                     for defect in transaction.defects), *balance["problems"]]}
    return {**reader.header, "claims": claims, "balance": balance,
            "notices": [*transaction.notices, *reader.notices]}


def stream_835_claims(segments: Iterator[tuple[Delimiters, Segment]]) -> Iterator[Json]:
    """Every claim of every 835 in a segment stream, one at a time (memory stays flat for any file size)."""
    reader: Remittance835 | None = None
    for delimiters, segment in segments:
        if segment.id == "ST":
            reader = Remittance835(delimiters)
        if reader is None:
            continue
        closed = reader.feed(segment)
        if closed is not None:
            yield closed
        if segment.id == "SE":
            reader = None


def remittance_of(data: Json) -> Remittance:
    """The typed remittance of ``read_835_json``'s JSON."""
    payment, payer, payee = data["payment"], data["payer"], data["payee"]
    problems = list(data["balance"]["problems"])
    plbs = data["provider_adjustments"]
    remittance = Remittance(
        payer_name=payer.get("name") or "", payer_id=payer.get("identifier") or "", payee_name=payee.get("name") or "",
        payee_npi=payee.get("npi") or "", trace_number=payment.get("trace_number") or "",
        trace_originator=payment.get("originator") or "", trace_reference=payment.get("trace_reference") or "",
        paid_on=_day(payment.get("date")), claims=tuple(_claim(claim, problems) for claim in data["claims"]),
        provider_adjustments=tuple(ProviderAdjustment(a["reason"], a["reference"], _money(a["amount"], problems))
                                   for plb in plbs for a in plb["adjustments"]),
        fiscal_period_end=_day(plbs[0]["date"]) if plbs else None, problems=tuple(problems),
        notices=tuple(data["notices"]))
    # An amount the 835 states is kept only when it is not what its parts add up to (it does not balance).
    given = _money(payment.get("amount"), problems)
    return remittance if given == remittance.total else replace(remittance, stated_total=given)


def _claim(claim: Json, problems: list[str]) -> ClaimPayment:
    patient = claim.get("patient") or {}
    crossover = claim.get("crossover_payer") or {}
    result = ClaimPayment(
        patient_control_number=claim["patient_control_number"], status_code=claim["status_code"],
        filing_indicator=claim["filing_indicator"] or "", payer_claim_number=claim["payer_claim_control_number"] or "",
        patient_last=patient.get("last_name") or "", patient_first=patient.get("first_name") or "",
        member_id=patient.get("identifier") or "", lines=tuple(_line(line, problems) for line in claim["lines"]),
        remarks=tuple(claim["remarks"]), crossover_payer_id=crossover.get("identifier") or "",
        crossover_payer_name=(crossover.get("last_name") or "SUPPLEMENTAL PAYER") if crossover.get("identifier")
        else "SUPPLEMENTAL PAYER",
        received=_day(claim["dates"].get("received")),
        adjustments=tuple(_adjustment(a, problems) for a in claim["adjustments"]))
    charge, paid = _money(claim["charge"], problems), _money(claim["paid"], problems)
    if charge != result.charge:
        result = replace(result, stated_charge=charge)
    return result if paid == result.paid else replace(result, stated_paid=paid)


def _line(line: Json, problems: list[str]) -> ServiceLinePayment:
    modifiers = tuple(line["modifiers"])
    submitted = tuple(line["submitted_modifiers"])
    changed = (line["submitted_code"], submitted) != (line["code"], modifiers)
    result = ServiceLinePayment(
        code=line["code"], modifiers=modifiers, charge=_money(line["charge"], problems),
        units=Decimal(line["units"] or "1"), date_of_service=_day(line.get("service_date") or line.get("service_from")),
        adjustments=tuple(_adjustment(a, problems) for a in line["adjustments"]), remarks=tuple(line["remarks"]),
        control_number=line.get("control_number") or "",
        allowed=_money(line["allowed"], problems) if line.get("allowed") else None,
        submitted_code=line["submitted_code"] if changed else None, submitted_modifiers=submitted if changed else ())
    paid = _money(line["paid"], problems)
    return result if paid == result.paid else replace(result, stated_paid=paid)


def _adjustment(adjustment: Json, problems: list[str]) -> Adjustment:
    quantity = adjustment.get("quantity")
    return Adjustment(adjustment["group"], adjustment["reason"], _money(adjustment["amount"], problems),
                      Decimal(quantity) if quantity and _is_number(quantity) else None)


def _money(text: str | None, problems: list[str]) -> Money:
    """An amount as Money; one with fractions of a cent is a problem (nothing of it may be posted)."""
    try:
        return _parsed(text or "0")
    except InvalidInput as exc:
        problems.append(str(exc))
        return Money.zero()


@functools.lru_cache(maxsize=65536)
def _parsed(text: str) -> Money:
    """Amounts repeat (charges, fee schedule amounts): each text is parsed once."""
    return Money.parse(text)


def _day(text: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        return None
