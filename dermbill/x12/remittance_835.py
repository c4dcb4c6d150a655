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
import gc
import hashlib
import itertools
from collections.abc import Generator, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, BinaryIO

from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money
from dermbill.core.remittance import (
    Adjustment,
    ClaimPayment,
    ProviderAdjustment,
    Remittance,
    ServiceLinePayment,
)
from dermbill.x12.claims_835 import RawClaim, Scanned, Scanner, claim_scanner
from dermbill.x12.kept_transactions import KeptWriter, kept_texts
from dermbill.x12.tokenizer import Delimiters, Segment, X12Error, segment_batches
from dermbill.x12.transactions import TransactionSet
from dermbill.x12.values import amount, composite, date, quantity

Json = dict[str, Any]
CLOSES_CLAIM = frozenset({"CLP", "LX", "PLB", "SE"})
_BY_METHOD = ("ST", "BPR", "TRN", "N1", "REF", "MOA", "MIA", "QTY")  # the rest are read in ``read``'s loop
_ENVELOPE = frozenset({"ST", "ISA", "GS", "GE", "IEA"})  # a reader stops there: the caller reads the envelope
CLAIMS_AT_A_TIME = 32  # read_835_raw: claims the scanner closes before they are handed on
HANDLED = ("ST", "BPR", "TRN", "N1", "REF", "PLB", "CLP", "CAS", "MOA", "MIA", "NM1", "DTM", "AMT", "QTY", "SVC", "LQ")
CLAIM_DATES = {"232": "statement_from", "233": "statement_to", "050": "received", "036": "coverage_expiration",
               "009": "process"}
LINE_DATES = {"472": "service_date", "150": "service_from", "151": "service_to"}
_AMOUNT_NAMES = {"B6": "allowed", "AU": "coverage_amount", "DY": "per_day_limit", "F5": "patient_paid",
                 "I": "interest", "KH": "late_filing_reduction", "T": "tax"}
_ROLES = {"QC": "patient", "IL": "insured", "74": "corrected_insured", "82": "rendering_provider",
          "PR": "crossover_payer", "TT": "crossover_payer"}
_TAGS = frozenset({*HANDLED, *CLOSES_CLAIM, *_ENVELOPE, "N3", "N4", "PER", "RDM", "TS2", "TS3", "CUR", "TA1"})
# Element texts read before, and what they read as: amounts and dates repeat (charges, fee schedule amounts, the
# dates of one payment run), so each is checked once. Bounded: a cache is cleared, never grown past CACHED.
CACHED = 100_000
_AMOUNTS: dict[str, str] = {}
_QUANTITIES: dict[str, str] = {}
_DATES: dict[str, str] = {}
_DECIMALS: dict[str, Decimal] = {}
_CENTS: dict[str, tuple[int, int]] = {}  # an amount's text -> (cents, decimal places), for those in whole cents


def _amount(s: Segment, index: int, problems: list[str] | None) -> str | None:
    """``values.amount`` (``problems``: a required amount, said there when missing), remembered."""
    raw = s.get(index)
    found = _AMOUNTS.get(raw)
    if found is None:
        found = amount(s, index, missing=problems)
        if found is not None:
            if len(_AMOUNTS) >= CACHED:
                _AMOUNTS.clear()
                _CENTS.clear()
            _AMOUNTS[raw] = found
            value = Decimal(found)
            places = -int(value.as_tuple().exponent)
            if 0 <= places <= 2:
                _CENTS[found] = (int(value.scaleb(2)), places)
    return found


def _quantity(s: Segment, index: int) -> str | None:
    raw = s.get(index)
    found = _QUANTITIES.get(raw)
    if found is None:
        found = quantity(s, index)
        if found is not None:
            if len(_QUANTITIES) >= CACHED:
                _QUANTITIES.clear()
            _QUANTITIES[raw] = found
    return found


def _decimal(text: str | None) -> Decimal:
    """``values.decimal_of``, remembered."""
    if not text:
        return Decimal(0)
    found = _DECIMALS.get(text)
    if found is None:
        if len(_DECIMALS) >= CACHED:
            _DECIMALS.clear()
        found = _DECIMALS[text] = Decimal(text)
    return found


class Remittance835:
    """A streaming reader: feed segments of one 835 in order; completed claims come back as they close."""

    def __init__(self, delimiters: Delimiters) -> None:
        self.delimiters = delimiters
        self.header: Json = {"type": "835", "payment": {}, "payer": {}, "payee": {}, "provider_adjustments": []}
        self._claim: Json | None = None
        self._line: Json | None = None
        self._party: str | None = None  # N1 loop we are in: PR (payer) or PE (payee)
        self._paid_cents, self._paid_places, self._paid_decimal = 0, 0, Decimal(0)
        self.claim_count = 0
        self._handlers = {segment_id: getattr(self, f"_{segment_id.lower()}") for segment_id in _BY_METHOD}
        self.stopped_at: tuple[int, list[str]] | None = None
        self.problems: list[str] = []  # balancing and missing amounts: the transaction must not be posted
        self.notices: list[str] = []  # oddities that do not change the money (an impossible date)

    def feed(self, segment: Segment) -> Json | None:
        """Take one segment; returns the claim that this segment closed, if any."""
        closed = list(self.read(iter([(segment.number, segment.elements)])))
        if segment.id == "ST":
            self._st(segment)
        return closed[0] if closed else None

    def finish(self) -> Json | None:
        return self._close_claim()

    def read(self, segments: Iterator[tuple[int, list[str]]]) -> Iterator[Json]:
        """The claims that the segments (number, elements) of this 835 close, as they close.

        Stops after an envelope segment (SE, ST, ISA, GS, GE, IEA), which it keeps in ``stopped_at``: the caller
        reads the envelope, and may call again with the same iterator. The segments every claim has are read here,
        in one loop (no object per segment, each amount parsed once); the others by the ``_xxx`` methods.
        """
        texts, dates, quantities = _AMOUNTS, _DATES, _QUANTITIES
        line_dates, claim_dates, amount_names, roles, known = LINE_DATES, CLAIM_DATES, _AMOUNT_NAMES, _ROLES, _TAGS
        component = self.delimiters.component
        problems, notices = self.problems, self.notices
        claim, line = self._claim, self._line
        self.stopped_at = None
        for number, e in segments:
            tag = e[0]
            if tag not in known:
                tag = tag.strip().upper()
            size = len(e)
            if tag == "DTM":
                qualifier = e[1] if size > 1 else ""
                if line is not None and qualifier in line_dates:
                    target, name = line, line_dates[qualifier]
                elif claim is not None and qualifier in claim_dates:
                    target, name = claim["dates"], claim_dates[qualifier]
                elif claim is None and qualifier == "405":
                    target, name = self.header["payment"], "production_date"
                else:
                    continue
                raw = e[2] if size > 2 else ""
                day = dates.get(raw)
                if day is None:
                    day = date(Segment(number, tag, e), 2, notices)
                    if day is not None and day != raw and len(day) == 10 and len(dates) < CACHED:
                        dates[raw] = day
                target[name] = day
            elif tag == "AMT":
                owner = line if line is not None else claim
                field_name = amount_names.get(e[1]) if size > 1 else None
                if owner is not None and field_name is not None:
                    cash = texts.get(e[2]) if size > 2 else None
                    owner[field_name] = cash if cash is not None else _amount(Segment(number, tag, e), 2, None)
            elif tag == "SVC":
                if claim is None:
                    raise X12Error("SVC outside a claim (expected CLP first)", segment_number=number, segment_id=tag)
                value = e[1] if size > 1 else ""
                adjudicated = value.split(component) if component in value else composite(value, component)
                value = e[6] if size > 6 else ""
                submitted = (value.split(component) if component in value else composite(value, component)) \
                    if value else adjudicated
                charge = texts.get(e[2]) if size > 2 else None
                if charge is None:
                    charge = _amount(Segment(number, tag, e), 2, problems)
                paid = texts.get(e[3]) if size > 3 else None
                if paid is None:
                    paid = _amount(Segment(number, tag, e), 3, problems)
                value = e[5] if size > 5 else ""
                units = ((quantities.get(value) or _quantity(Segment(number, tag, e), 5)) if value else None) or "1"
                value = e[7] if size > 7 else ""
                line = {
                    "qualifier": adjudicated[0], "code": adjudicated[1] if len(adjudicated) > 1 else "",
                    "modifiers": [m for m in adjudicated[2:6] if m], "charge": charge, "paid": paid,
                    "revenue_code": (e[4] if size > 4 else "") or None, "units": units,
                    "submitted_code": submitted[1] if len(submitted) > 1 else "",
                    "submitted_modifiers": [m for m in submitted[2:6] if m],
                    "submitted_units": (quantities.get(value) or _quantity(Segment(number, tag, e), 7))
                    if value else None,
                    "adjustments": [], "remarks": [], "segment": number,
                }
                claim["lines"].append(line)
            elif tag == "NM1":
                role = roles.get(e[1]) if size > 1 else None
                if claim is not None and role:
                    claim[role] = {"last_name": e[3] if size > 3 else "", "first_name": e[4] if size > 4 else "",
                                   "identifier": e[9] if size > 9 else ""}
            elif tag == "CAS":
                owner = line if line is not None else claim
                if owner is None:
                    raise X12Error("CAS outside a claim or service line", segment_number=number, segment_id=tag)
                group, found = e[1] if size > 1 else "", owner["adjustments"]
                for index in range(2, min(size, 20), 3):
                    reason = e[index]
                    if not reason:
                        continue
                    cash = texts.get(e[index + 1]) if index + 1 < size else None
                    if cash is None:
                        cash = _amount(Segment(number, tag, e), index + 1, problems)
                    units = e[index + 2] if index + 2 < size else ""
                    found.append({"group": group, "reason": reason, "amount": cash,
                                  "quantity": (quantities.get(units) or _quantity(Segment(number, tag, e), index + 2))
                                  if units else None})
            elif tag == "REF" and (line is not None or claim is not None):
                qualifier, value = (e[1] if size > 1 else ""), (e[2] if size > 2 else "")
                if line is not None:
                    if qualifier in ("6R", "LU"):
                        line["control_number" if qualifier == "6R" else "location"] = value
                elif claim is not None:
                    claim.setdefault("references", {})[qualifier] = value
            elif tag == "LQ":
                if line is not None:
                    line["remarks"].append(e[2] if size > 2 else "")
            elif tag in CLOSES_CLAIM:
                self._claim, self._line = claim, line
                closed = self._close_claim()
                if closed is not None:
                    yield closed
                if tag == "CLP":
                    self._clp(Segment(number, tag, e))
                elif tag == "PLB":
                    self._plb(Segment(number, tag, e))
                claim, line = self._claim, None
                if tag == "SE":
                    self.stopped_at = (number, e)
                    break
            elif tag in _ENVELOPE:
                self.stopped_at = (number, e)
                break
            else:
                handler = self._handlers.get(tag)
                if handler is not None:
                    self._claim, self._line = claim, line
                    handler(Segment(number, tag, e))
                    claim, line = self._claim, self._line
        self._claim, self._line = claim, line

    def balance(self) -> Json:
        """The transaction-level check, after the last claim."""
        problems = list(self.problems)
        total = self.header["payment"].get("amount")
        adjustments = sum((_decimal(a["amount"]) for plb in self.header["provider_adjustments"]
                           for a in plb["adjustments"]), Decimal(0))
        if total is not None and _decimal(total) != self.claims_paid - adjustments:
            off = abs(_decimal(total) - (self.claims_paid - adjustments))
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
            "patient_control_number": s.get(1), "status_code": s.get(2), "charge": _amount(s, 3, self.problems),
            "paid": _amount(s, 4, self.problems),
            "patient_responsibility": _amount(s, 5, None) or "0",
            "filing_indicator": s.get(6), "payer_claim_control_number": s.get(7), "facility_code": s.get(8),
            "frequency_code": s.get(9), "adjustments": [], "remarks": [], "dates": {}, "lines": [],
            "segment": s.number,
        }
        self._line = None

    def _moa(self, s: Segment) -> None:
        if self._claim is not None:
            self._claim["remarks"] += [code for code in s.elements[3:8] if code]

    def _mia(self, s: Segment) -> None:
        if self._claim is not None:
            self._claim["remarks"] += [s.get(i) for i in (5, 20, 21, 22, 23) if s.get(i)]

    def _qty(self, s: Segment) -> None:
        if self._claim is not None and self._line is None:
            self._claim.setdefault("quantities", {})[s.get(1)] = quantity(s, 2)

    def _close_claim(self) -> Json | None:
        claim = self._claim
        if claim is None:
            return None
        self._claim, self._line = None, None
        self.claim_count += 1
        # CLP05 as read is its amount's text (``values.amount``: a Decimal's own text); the balancing rules are
        # checked in whole cents, and again in Decimal (for the words of the problem) only when they fail.
        cents = _CENTS
        try:
            line_adjustments = 0
            for line in claim["lines"]:
                adjusted = 0
                for adjustment in line["adjustments"]:
                    adjusted += cents[adjustment["amount"]][0]
                if cents[line["charge"]][0] - adjusted != cents[line["paid"]][0]:
                    raise KeyError(line["charge"])
                line_adjustments += adjusted
            adjusted = 0
            for adjustment in claim["adjustments"]:
                adjusted += cents[adjustment["amount"]][0]
            paid, places = cents[claim["paid"]]
            if cents[claim["charge"]][0] - adjusted - line_adjustments != paid:
                raise KeyError(claim["charge"])
        except KeyError:  # an amount missing, with fractions of a cent, or not balancing
            self._check_claim(claim)
            self._paid_decimal += _decimal(claim["paid"])
            return claim
        self._paid_cents += paid
        self._paid_places = max(self._paid_places, places)
        return claim

    @property
    def claims_paid(self) -> Decimal:
        """What the claims read so far pay (CLP04), as the sum of their Decimal amounts (its exponent theirs)."""
        whole = Decimal(self._paid_cents).scaleb(-2).quantize(Decimal(1).scaleb(-self._paid_places))
        return self._paid_decimal + whole

    def _check_claim(self, claim: Json) -> None:
        where = f"claim {claim['patient_control_number']} (segment {claim['segment']})"
        line_adjustments = Decimal(0)
        for line in claim["lines"]:
            adjusted = sum((_decimal(a["amount"]) for a in line["adjustments"]), Decimal(0))
            line_adjustments += adjusted
            if _decimal(line["charge"]) - adjusted != _decimal(line["paid"]):
                off = abs(_decimal(line["charge"]) - adjusted - _decimal(line["paid"]))
                self.problems.append(f"{where}, line {line['code']} (segment {line['segment']}): charge "
                                     f"{line['charge']} less adjustments {adjusted} is not the paid {line['paid']}: "
                                     f"{off} apart")
        claim_adjustments = sum((_decimal(a["amount"]) for a in claim["adjustments"]), Decimal(0))
        if _decimal(claim["charge"]) - claim_adjustments - line_adjustments != _decimal(claim["paid"]):
            off = abs(_decimal(claim["charge"]) - claim_adjustments - line_adjustments - _decimal(claim["paid"]))
            self.problems.append(f"{where}: charge {claim['charge']} less adjustments "
                                 f"{claim_adjustments + line_adjustments} is not the paid {claim['paid']}: "
                                 f"{off} apart")


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
    segments = iter([(segment.number, segment.elements) for segment in transaction.segments])
    claims: list[Json] = []
    while True:
        claims += reader.read(segments)
        if reader.stopped_at is None:
            break
        number, elements = reader.stopped_at
        if elements[0].strip().upper() == "ST":
            reader._st(Segment(number, "ST", elements))
    return read_835_end(reader, transaction, claims)


def read_835_end(reader: Remittance835, transaction: TransactionSet, claims: list[Json]) -> Json:
    """The JSON of an 835 read to its end (``claims``: those read, or [] when they were given out as read)."""
    last = reader.finish()
    if last is not None:
        claims.append(last)
    balance = reader.balance()
    if transaction.defects:  # cut short or spliced: the amounts may balance, but the set is not whole
        balance = {"balanced": False, "problems": [*(f"the transaction set is not whole: {defect}"
                                                     for defect in transaction.defects), *balance["problems"]]}
    return {**reader.header, "claims": claims, "balance": balance,
            "notices": [*transaction.notices, *reader.notices]}


@dataclass(slots=True)
class Set835:
    """An 835 transaction set being read from a stream: its envelope (``transaction``, with no segments kept), the
    reader (header, problems as read so far), and, when asked for, its content hash and kept bytes (the same as
    ``content_hash`` and ``keep_transaction`` of the whole set, without holding it)."""

    transaction: TransactionSet
    reader: Remittance835
    start: int  # ST's segment number
    count: int = 1  # the set's segments so far (ST counted)
    following: int = 0  # the number of the first segment not yet hashed or kept
    digest: Any = None  # hashlib.sha256 when keeping
    kept: KeptWriter | None = None
    claims: int = 0
    scanner: Scanner | None = None  # read_835_raw's: groups the claims and checks them in cents

    def content_hash(self) -> str:
        """``era_posting.content_hash`` of the whole set (once it is read to its end)."""
        digest = self.digest.copy()
        for defect in self.transaction.defects:
            digest.update(f"defect:{defect}~".encode())
        return str(digest.hexdigest())

    def take(self, texts: list[str], first: int, upto: int, element: str, *, hashed: bool = True) -> None:
        """The set's segments ``following`` .. ``upto`` - 1 of a batch (texts from number ``first``); ``hashed``:
        part of the content hash (all but ST and SE)."""
        if upto <= self.following:
            return
        part = texts[self.following - first:upto - first]
        self.count += len(part)
        if self.digest is not None and self.kept is not None:
            if hashed and element == "*" and self.transaction.delimiters.segment == "~":
                data = ("~".join(part) + "~").encode("utf-8")  # one join: the hashed bytes are the kept bytes
                self.digest.update(data)
                self.kept.write_encoded(data)
            else:
                if hashed:
                    starred = part if element == "*" else [text.replace(element, "*") for text in part]
                    self.digest.update(("~".join(starred) + "~").encode("utf-8"))
                self.kept.write(part)
        self.following = upto

    def settle(self) -> None:
        """The set is read to its end: what the claims that ``scanner`` checked pay goes into the reader's total."""
        scanner, reader = self.scanner, self.reader
        if scanner is not None:
            reader._paid_cents += scanner.paid_cents
            reader._paid_places = max(reader._paid_places, scanner.paid_places)
            reader.claim_count += scanner.clean_claims


def read_835_stream(stream: BinaryIO, *, keep: bool = False) -> Iterator[tuple[str, Any]]:
    """Every transaction set of an X12 byte stream, 835s claim by claim, in memory flat in the file's size.

    Yields ``("835", Set835)`` at an 835's ST, ``("claim", claim JSON)`` for each of its claims as it closes, and
    ``("end", Set835)`` after its SE (or the end of the file), when ``read_835_end`` gives its header, balance and
    notices; ``("other", TransactionSet)`` for a transaction set of another type (whole). ``keep``: compute each
    835's content hash and kept bytes as it is read. Envelope errors are raised as ``transaction_sets`` raises them.
    """
    return _read_sets(stream, keep=keep, raw=False)


def read_835_raw(stream: BinaryIO, *, keep: bool = False) -> Iterator[tuple[str, Any]]:
    """``read_835_stream`` with each claim as a ``RawClaim`` (its segments' texts), grouped and balanced in cents by
    the compiled scanner (``claims_835``): the same sets, envelope, header, balance, problems, notices, errors,
    content hash and kept bytes, at a fraction of the cost. ``raw_claim_json`` and ``raw_claim_payment`` read a raw
    claim (with the set's ``transaction.delimiters``) when it is needed."""
    return _read_sets(stream, keep=keep, raw=True)


@dataclass(slots=True)
class Read835:
    """An 835 read to its end without typing its claims (``read_835_sets``): its file's receiver (ISA08/GS03), its
    JSON without claims (header, provider adjustments, balance, notices), content hash, kept bytes, and its claims'
    patient control numbers in order (None when the scanner could not check a claim whole)."""

    receiver: str
    data: Json
    digest: str
    kept: bytes
    pcns: list[str] | None


def read_835_sets(stream: BinaryIO) -> Iterator[Read835]:
    """Every 835 of an X12 byte stream read raw (``read_835_raw``), its claims let go as they are checked: what
    ``era post`` reads first, in memory flat in the file's size; ``kept_claims`` gives the claims again."""
    pcns: list[str] = []
    checked, element = True, "*"
    for kind, item in read_835_raw(stream, keep=True):
        if kind == "claim":
            if checked and item.json is None:
                pcns.append(item.segments[0].split(element, 2)[1])
            else:
                checked = False
        elif kind == "835":
            pcns, checked, element = [], True, item.transaction.delimiters.element
        elif kind == "end":
            assert item.kept is not None
            yield Read835(item.transaction.receiver, read_835_end(item.reader, item.transaction, []),
                          item.content_hash(), item.kept.finish(), pcns if checked else None)


def raw_claim_json(claim: RawClaim, delimiters: Delimiters) -> Json:
    """A raw claim's JSON: what ``read_835_stream`` gives for it."""
    if claim.json is not None:
        return claim.json
    reader = Remittance835(delimiters)
    for _ in reader.read(zip(itertools.count(claim.first), map(str.split, claim.segments,
                                                                itertools.repeat(delimiters.element)))):
        raise InvalidInput(f"segment {claim.first}: a raw claim is one claim (CLP up to the next CLP, LX, PLB or SE)")
    read = reader.finish()
    if read is None or reader.problems or reader.notices:
        raise InvalidInput(f"segment {claim.first}: a raw claim without its JSON is one checked claim")
    return read


def kept_claims(content: bytes) -> tuple[Delimiters, Iterator[RawClaim]]:
    """The claims of an 835 kept in format 2 (``Set835.kept``), read back raw as ``read_835_raw`` gave them, claim by
    claim as the kept bytes are decompressed: a claim is its CLP up to the next CLP, LX, PLB or SE. Only for a set
    whose claims the scanner checked whole (each comes with ``json`` None, for ``raw_claim_payment``) and whose
    segment identifiers are written as the guide writes them (upper case, no spaces): the caller compares what it
    reads with what the first reading gave (the claims' count and patient control numbers)."""
    delimiters, first, pieces = kept_texts(content)
    return delimiters, _kept_claims(pieces, first, delimiters.element, delimiters.segment)


def _kept_claims(pieces: Iterator[str], number: int, element: str, terminator: str) -> Iterator[RawClaim]:
    opening = f"{terminator}CLP{element}"
    closing = tuple(f"{terminator}{tag}{element}" for tag in ("LX", "PLB", "SE"))
    rest = ""  # the text of the claim still open at the end of a piece, from its CLP
    lead = ""  # else the terminator that ended the piece (the next piece may begin with a CLP)
    for piece in pieces:
        parts = (lead + rest + piece).split(opening)
        if len(parts) == 1:  # no claim begins or goes on here
            number += piece.count(terminator)
            lead = terminator
            continue
        if parts[0]:  # the segments before the first CLP (the lead ended a segment counted already)
            number += parts[0].count(terminator) + 1 - len(lead)
        lead, rest = "", opening + parts.pop()  # the last claim may go on in the next piece
        for part in parts[1:]:
            yield RawClaim(number, _claim_texts(part, element, terminator, closing), None)
            number += part.count(terminator) + 1
    if rest:
        yield RawClaim(number, _claim_texts(rest[len(opening):], element, terminator, closing), None)


def _claim_texts(part: str, element: str, terminator: str, closing: tuple[str, ...]) -> list[str]:
    """The texts of a claim's segments: ``part`` follows its CLP's identifier and runs to the next CLP."""
    end = len(part)
    for closer in closing:
        found = part.find(closer, 0, end)
        if found >= 0:
            end = found
    texts = f"CLP{element}{part[:end]}".split(terminator)
    if texts[-1] == "":
        texts.pop()
    return texts


def raw_claim_payment(claim: RawClaim, delimiters: Delimiters, problems: list[str]) -> ClaimPayment:
    """A raw claim as the typed claim payment: what ``claim_payment`` gives for its JSON (an amount in fractions of
    a cent goes to ``problems``), read straight from its segments when the scanner checked it whole."""
    if claim.json is not None:
        return _claim(claim.json, problems)
    element, component, known = delimiters.element, delimiters.component, _TAGS
    clp: list[str] = []
    patient: list[str] = []
    crossover: list[str] = []
    remarks: list[str] = []
    claim_adjustments: list[Adjustment] = []
    received: datetime.date | None = None
    lines: list[_RawLine] = []
    line: _RawLine | None = None
    for text in claim.segments:
        e = text.split(element)
        tag = e[0]
        if tag not in known:
            tag = tag.strip().upper()
        size = len(e)
        if tag == "CAS":
            found = line.adjustments if line is not None else claim_adjustments
            group = e[1] if size > 1 else ""
            for index in range(2, min(size, 20), 3):
                reason = e[index]
                if reason:
                    units = e[index + 2] if index + 2 < size else ""
                    found.append(_raw_adjustment(group, reason, e[index + 1], units))
        elif tag == "DTM":
            qualifier = e[1] if size > 1 else ""
            if line is not None and qualifier in LINE_DATES:
                if qualifier != "151":
                    line.dates[qualifier] = _raw_day(e[2] if size > 2 else "")
            elif qualifier == "050":
                received = _raw_day(e[2] if size > 2 else "")
        elif tag == "SVC":
            line = _RawLine(e, component)
            lines.append(line)
        elif tag == "AMT":
            if line is not None and size > 1 and e[1] == "B6":
                line.allowed = _raw_money(e[2]) if size > 2 and e[2] else None
        elif tag == "REF":
            if line is not None and size > 1 and e[1] == "6R":
                line.control_number = e[2] if size > 2 else ""
        elif tag == "LQ":
            if line is not None:
                line.remarks.append(e[2] if size > 2 else "")
        elif tag == "NM1":
            role = e[1] if size > 1 else ""
            if role == "QC" or role == "PR" or role == "TT":
                who = [e[3] if size > 3 else "", e[4] if size > 4 else "", e[9] if size > 9 else ""]
                if role == "QC":
                    patient = who
                else:
                    crossover = who
        elif tag == "MOA":
            remarks += [code for code in e[3:8] if code]
        elif tag == "MIA":
            remarks += [e[i] for i in (5, 20, 21, 22, 23) if i < size and e[i]]
        elif tag == "CLP":
            clp = e
    if not clp:
        raise InvalidInput(f"segment {claim.first}: a raw claim starts with its CLP")
    typed = tuple(line.typed() for line in lines)
    charge, paid = _raw_money(clp[3]), _raw_money(clp[4])
    summed = sum(line.charge.cents for line in typed)
    adjusted = sum(a.amount.cents for a in claim_adjustments)
    computed = sum(line.paid.cents for line in typed) - adjusted if typed else charge.cents - adjusted
    size = len(clp)
    crossover_id = crossover[2] if crossover else ""
    return ClaimPayment(
        clp[1], clp[2], clp[6] if size > 6 else "", clp[7] if size > 7 else "",
        patient[0] if patient else "", patient[1] if patient else "", patient[2] if patient else "", typed,
        tuple(remarks), crossover_id, (crossover[0] or "SUPPLEMENTAL PAYER") if crossover_id else "SUPPLEMENTAL PAYER",
        received, tuple(claim_adjustments), charge if charge.cents != summed else None,
        paid if paid.cents != computed else None)


class _RawLine:
    """A service line of a raw claim while its segments are read (SVC, then its DTM, CAS, REF, AMT, LQ)."""

    __slots__ = ("adjustments", "allowed", "charge", "code", "control_number", "dates", "modifiers", "paid",
                 "remarks", "submitted", "submitted_modifiers", "units")

    def __init__(self, e: list[str], component: str) -> None:
        size = len(e)
        value = e[1] if size > 1 else ""
        adjudicated = value.split(component) if component in value else composite(value, component)
        value = e[6] if size > 6 else ""
        submitted = (value.split(component) if component in value else composite(value, component)) \
            if value else adjudicated
        self.code = adjudicated[1] if len(adjudicated) > 1 else ""
        self.modifiers = tuple(m for m in adjudicated[2:6] if m)
        self.submitted = submitted[1] if len(submitted) > 1 else ""
        self.submitted_modifiers = tuple(m for m in submitted[2:6] if m)
        self.charge, self.paid = _raw_money(e[2]), _raw_money(e[3])
        value = e[5] if size > 5 else ""
        self.units = _raw_units(value) if value else _ONE
        self.adjustments: list[Adjustment] = []
        self.remarks: list[str] = []
        self.dates: dict[str, datetime.date | None] = {}
        self.control_number = ""
        self.allowed: Money | None = None

    def typed(self) -> ServiceLinePayment:
        changed = (self.submitted, self.submitted_modifiers) != (self.code, self.modifiers)
        dates = self.dates
        computed = self.charge.cents - sum(a.amount.cents for a in self.adjustments)
        return ServiceLinePayment(
            self.code, self.modifiers, self.charge, self.units, dates.get("472") or dates.get("150"),
            tuple(self.adjustments), tuple(self.remarks), self.control_number, self.allowed,
            self.submitted if changed else None, self.submitted_modifiers if changed else (),
            self.paid if self.paid.cents != computed else None)


_ONE = Decimal("1")
_RAW_MONEY: dict[str, Money] = {}
_RAW_UNITS: dict[str, Decimal] = {}
_RAW_DAYS: dict[str, datetime.date] = {}
_RAW_ADJUSTMENTS: dict[tuple[str, str, str, str], Adjustment] = {}


def _raw_money(text: str) -> Money:
    """An amount the scanner checked: whole cents, at most 13 digits before the point."""
    found = _RAW_MONEY.get(text)
    if found is None:
        whole, _, fraction = text.partition(".")
        cents = abs(int(whole)) * 100 + int(fraction.ljust(2, "0"))
        found = Money(-cents if whole.startswith("-") else cents)
        if len(_RAW_MONEY) >= CACHED:
            _RAW_MONEY.clear()
        _RAW_MONEY[text] = found
    return found


def _raw_units(text: str) -> Decimal:
    found = _RAW_UNITS.get(text)
    if found is None:
        if len(_RAW_UNITS) >= CACHED:
            _RAW_UNITS.clear()
        found = _RAW_UNITS[text] = Decimal(text)
    return found


def _raw_day(text: str) -> datetime.date | None:
    """A CCYYMMDD the scanner checked (a day that exists), or None when empty."""
    if not text:
        return None
    found = _RAW_DAYS.get(text)
    if found is None:
        found = datetime.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
        if len(_RAW_DAYS) < CACHED:
            _RAW_DAYS[text] = found
    return found


def _raw_adjustment(group: str, reason: str, amount_text: str, units: str) -> Adjustment:
    key = (group, reason, amount_text, units)
    found = _RAW_ADJUSTMENTS.get(key)
    if found is None:
        found = Adjustment(group, reason, _raw_money(amount_text), _raw_units(units) if units else None)
        if len(_RAW_ADJUSTMENTS) >= CACHED:
            _RAW_ADJUSTMENTS.clear()
        _RAW_ADJUSTMENTS[key] = found
    return found


def _read_sets(stream: BinaryIO, *, keep: bool, raw: bool) -> Iterator[tuple[str, Any]]:
    """``read_835_stream`` (``raw``: ``read_835_raw``): one envelope, content hash and kept bytes for both."""
    isa: list[str] | None = None
    gs: list[str] | None = None
    current: Set835 | None = None
    other: TransactionSet | None = None
    last = 0
    batches = segment_batches(stream)
    element = "*"
    while True:
        try:
            delimiters, first, texts = next(batches)
        except StopIteration:
            break
        except X12Error:
            if current is not None:
                _read_open_claim(current, element)
            raise
        element = delimiters.element
        end = first + len(texts)
        last = end - 1
        # The JSON reader and the envelope share one iterator of split segments; the raw reader reads the texts by
        # index (``index``), splitting only those outside the claims.
        segments = None if raw else zip(itertools.count(first), map(str.split, texts, itertools.repeat(element)))
        index = 0
        if current is not None and current.scanner is not None:
            current.scanner.rebatch(element)
        while True:
            if current is not None:
                if current.scanner is not None:
                    stop = yield from _raw_claims(current, texts, first, index, element)
                else:
                    assert segments is not None
                    reader = current.reader
                    for claim in reader.read(segments):
                        current.claims += 1
                        yield "claim", claim
                    stop = reader.stopped_at
                if stop is None:
                    current.take(texts, first, end, element)
                    break
                number, elements = stop
                index = number - first + 1
                current.take(texts, first, number, element)
                tag = elements[0].strip().upper()
                if tag == "SE":
                    current.take(texts, first, number + 1, element, hashed=False)  # SE: kept, counted
                    _close_set(current.transaction, Segment(number, tag, elements), current.count)
                    current.settle()
                    yield "end", current
                    current = None
                    continue
                current.following = number + 1
                segment = Segment(number, tag, elements)
                if tag == "ST":
                    _read_open_claim(current, element)
                    raise segment.fail(f"transaction set {current.transaction.control_number} has no SE before "
                                       "this ST")
                if tag == "ISA":
                    isa = elements
                elif tag == "GS":
                    gs = elements
                continue
            if segments is None:
                if index == len(texts):
                    break
                number, elements = first + index, texts[index].split(element)
                index += 1
            else:
                step = next(segments, None)
                if step is None:
                    break
                number, elements = step
            segment = Segment(number, elements[0].strip().upper(), elements)
            if other is not None:
                if segment.id == "SE":
                    other.segments.append(segment)
                    _close_set(other, segment, len(other.segments))
                    yield "other", other
                    other = None
                elif segment.id == "ST":
                    raise segment.fail(f"transaction set {other.control_number} has no SE before this ST")
                elif segment.id == "ISA":
                    isa = elements
                elif segment.id == "GS":
                    gs = elements
                elif segment.id not in ("GE", "IEA"):
                    other.segments.append(segment)
                continue
            if segment.id == "ISA":
                isa = elements
            elif segment.id == "GS":
                gs = elements
            elif segment.id == "ST":
                isa_segment = Segment(0, "ISA", isa) if isa else None
                gs_segment = Segment(0, "GS", gs) if gs else None
                transaction = TransactionSet(
                    type=segment.get(1), control_number=segment.get(2),
                    version=segment.get(3) or (gs_segment.get(8) if gs_segment else ""), delimiters=delimiters,
                    segments=[segment],
                    sender=(gs_segment.get(2) if gs_segment else "") or (isa_segment.get(6).strip()
                                                                          if isa_segment else ""),
                    receiver=(gs_segment.get(3) if gs_segment else "") or (isa_segment.get(8).strip()
                                                                            if isa_segment else ""),
                    interchange_control_number=isa_segment.get(13) if isa_segment else "",
                    group_control_number=gs_segment.get(6) if gs_segment else "")
                if transaction.type != "835":
                    other = transaction
                    continue
                current = Set835(transaction, Remittance835(delimiters), number, following=number + 1,
                                 scanner=claim_scanner(element) if raw else None)
                current.reader._st(segment)
                if keep:
                    current.digest = hashlib.sha256()
                    current.kept = KeptWriter(transaction)
                    current.kept.write([texts[number - first]])
                yield "835", current
            elif segment.id == "SE":
                raise segment.fail("SE without a transaction set started by ST")
            elif segment.id in ("GE", "IEA", "TA1"):
                continue
            else:
                raise segment.fail("segment outside a transaction set (expected ST first)")
    if current is not None:  # the file ends inside an 835: its open claim is its last
        if current.scanner is not None:
            closed: Scanned = []
            current.scanner.finish(closed)
            yield from _raw_closed(current, closed, current.transaction.delimiters.element)
        else:
            last_claim = current.reader.finish()
            if last_claim is not None:
                current.claims += 1
                yield "claim", last_claim
        current.settle()
    for open_set in ((current.transaction, current.count, current.start) if current is not None else None,
                     (other, len(other.segments), other.segments[0].number) if other is not None else None):
        if open_set is None:
            continue
        transaction, _, start = open_set
        transaction.defect(f"end of file after segment {last}: no SE closes transaction set "
                           f"{transaction.control_number} (segment {start})")
        if current is not None and transaction is current.transaction:
            yield "end", current
        else:
            yield "other", transaction


def _raw_claims(current: Set835, texts: list[str], first: int, index: int,
                element: str) -> Generator[tuple[str, Any], None, tuple[int, list[str]] | None]:
    """The claims of ``texts[index:]`` as the scanner closes them; the header segments between them go to the
    reader. Returns the envelope segment it stopped at (number, elements), or None at the end of the batch."""
    scanner = current.scanner
    assert scanner is not None
    closed: Scanned = []
    while True:
        # A few claims at a time: those the caller holds stay few, so the garbage collector seldom runs.
        stop = scanner.scan(texts, index, first, closed, CLAIMS_AT_A_TIME)
        if closed:
            yield from _raw_closed(current, closed, element)
            closed.clear()
        if stop == len(texts):
            return None
        elements = texts[stop].split(element)
        tag = elements[0].strip().upper()
        if tag in _ENVELOPE or tag == "SE":
            return first + stop, elements
        if tag in ("CLP", "LX"):  # the scanner stopped after CLAIMS_AT_A_TIME claims
            index = stop
            continue
        for _ in current.reader.read(iter(((first + stop, elements),))):  # a header segment (PLB, N1 ...)
            pass
        index = stop + 1


def _read_open_claim(current: Set835, element: str) -> None:
    """Before an envelope error inside a claim that ``read_835_raw``'s scanner left to the reader: its segments so far
    read, so that an error in them comes first, as it does in ``read_835_stream``."""
    claim = current.scanner.open_claim() if current.scanner is not None else None
    if claim is not None:
        first, texts, split = claim
        _read_claim(Remittance835(current.transaction.delimiters), first, texts, split, element)


def _read_claim(reader: Remittance835, first: int, texts: list[str], split: list[list[str]] | None,
                element: str) -> None:
    """A claim's segments (``split``: the first ones split already) fed to ``reader``, the envelope segments inside
    it passed over (the envelope loop reads them); the claim is left open."""
    done = len(split) if split is not None else 0
    rows: Iterator[list[str]] = itertools.chain(
        split or [], map(str.split, texts[done:] if done else texts, itertools.repeat(element)))
    segments = zip(itertools.count(first), rows)
    while True:
        for _ in reader.read(segments):  # the claim's own CLP opens it; nothing closes it before its end
            pass
        if reader.stopped_at is None:
            break


def _raw_closed(current: Set835, closed: Scanned, element: str) -> Iterator[tuple[str, RawClaim]]:
    """Claims the scanner closed; those it could not check whole read by the set's reader (in order, so that
    their problems, notices and errors come where ``read_835_stream`` says them)."""
    reader = current.reader
    current.claims += len(closed)
    for claim in closed:
        if isinstance(claim, RawClaim):
            yield "claim", claim
            continue
        first, texts, split = claim
        _read_claim(reader, first, texts, split, element)
        yield "claim", RawClaim(first, texts, reader.finish())


def _close_set(transaction: TransactionSet, se: Segment, count: int) -> None:
    """SE's checks (``transaction_sets``'): its count and control number."""
    where = f"segment {se.number} (SE)"
    declared = se.get(1)
    if declared != str(count):
        transaction.defect(f"{where}: SE01 says {declared or 'nothing'} segments; the set has {count}")
    if se.get(2) != transaction.control_number:
        start = transaction.segments[0].number if transaction.segments else "?"
        transaction.defect(f"{where}: SE02 '{se.get(2)}' does not match ST02 '{transaction.control_number}' "
                           f"(segment {start})")


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


def remittance_of(data: Json, claims: tuple[ClaimPayment, ...] | None = None,
                  claim_problems: list[str] | None = None) -> Remittance:
    """The typed remittance of ``read_835_json``'s JSON; ``claims``: its claims typed already (by
    ``claim_payment``, as they were read, with the problems they gave in ``claim_problems``), when its JSON has
    none."""
    payment, payer, payee = data["payment"], data["payer"], data["payee"]
    problems = list(data["balance"]["problems"])
    if claims is None:
        claims = tuple(_claim(claim, problems) for claim in data["claims"])
    else:
        problems += claim_problems or []
    plbs = data["provider_adjustments"]
    remittance = Remittance(
        payer_name=payer.get("name") or "", payer_id=payer.get("identifier") or "", payee_name=payee.get("name") or "",
        payee_npi=payee.get("npi") or "", trace_number=payment.get("trace_number") or "",
        trace_originator=payment.get("originator") or "", trace_reference=payment.get("trace_reference") or "",
        paid_on=_day(payment.get("date")), claims=claims,
        provider_adjustments=tuple(ProviderAdjustment(a["reason"], a["reference"], _money(a["amount"], problems))
                                   for plb in plbs for a in plb["adjustments"]),
        fiscal_period_end=_day(plbs[0]["date"]) if plbs else None, problems=tuple(problems),
        notices=tuple(data["notices"]))
    # An amount the 835 states is kept only when it is not what its parts add up to (it does not balance).
    given = _money(payment.get("amount"), problems)
    return remittance if given == remittance.total else replace(remittance, stated_total=given)


def claim_payment(claim: Json, problems: list[str]) -> ClaimPayment:
    """One claim's JSON as read (``read_835_stream``'s "claim") as the typed claim payment; an amount in fractions
    of a cent goes to ``problems``."""
    return _claim(claim, problems)


def read_835_remittances(stream: BinaryIO, *, keep: bool = False) -> Iterator[tuple[Set835, Remittance]]:
    """Every 835 of an X12 byte stream as the typed remittance, one at a time, with its envelope (and, ``keep``, its
    content hash and kept bytes): what ``era post`` posts. Other transaction sets are passed over. Read raw
    (``read_835_raw``), each claim typed straight from its segments (``raw_claim_payment``)."""
    claims: list[ClaimPayment] = []
    problems: list[str] = []
    # The cyclic garbage collector is held off while a set's claims are read (they are acyclic values, freed by
    # reference counting; each collection would walk all those held so far: a third of the time), not while the
    # caller has the remittance.
    enabled = gc.isenabled()
    gc.disable()
    try:
        delimiters = Delimiters()
        for kind, item in read_835_raw(stream, keep=keep):
            if kind == "claim":
                claims.append(raw_claim_payment(item, delimiters, problems))
            elif kind == "835":
                delimiters = item.transaction.delimiters
            elif kind == "end":
                data = read_835_end(item.reader, item.transaction, [])
                read = remittance_of(data, tuple(claims), problems)
                claims, problems = [], []
                if enabled:
                    gc.enable()
                yield item, read
                gc.disable()
    finally:
        if enabled:
            gc.enable()


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
    # Adjustments are values that repeat (CO-45 of the same fee, PR-2 of the same coinsurance): one of each.
    key = (adjustment["group"], adjustment["reason"], adjustment["amount"], adjustment.get("quantity"))
    found = _ADJUSTMENTS.get(key)
    if found is not None:
        return found
    quantity = key[3]
    before = len(problems)
    found = Adjustment(key[0], key[1], _money(key[2], problems),
                       Decimal(quantity) if quantity and _is_number(quantity) else None)
    if len(problems) == before:  # one whose amount is a problem is said each time it comes
        if len(_ADJUSTMENTS) >= CACHED:
            _ADJUSTMENTS.clear()
        _ADJUSTMENTS[key] = found
    return found


_ADJUSTMENTS: dict[tuple[str, str, str | None, str | None], Adjustment] = {}
_MONEY: dict[str, Money] = {}


def _money(text: str | None, problems: list[str]) -> Money:
    """An amount as Money; one with fractions of a cent is a problem (nothing of it may be posted)."""
    found = _MONEY.get(text or "0")
    if found is not None:
        return found
    try:
        found = _parsed(text or "0")
    except InvalidInput as exc:
        problems.append(str(exc))
        return Money.zero()
    if len(_MONEY) >= CACHED:
        _MONEY.clear()
    _MONEY[text or "0"] = found
    return found


@functools.lru_cache(maxsize=65536)
def _parsed(text: str) -> Money:
    """Amounts repeat (charges, fee schedule amounts): each text is parsed once."""
    return Money.parse(text)


def _day(text: str | None) -> datetime.date | None:
    found = _DAYS.get(text) if text else None
    if found is None and text:
        found = _iso_day(text)
        if found is not None and len(_DAYS) < CACHED:
            _DAYS[text] = found
    return found


_DAYS: dict[str, datetime.date] = {}


def _iso_day(text: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        return None
