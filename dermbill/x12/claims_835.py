"""An 835's segments grouped into claims, each checked to balance in whole cents: the raw reader's inner loop.

``ClaimScanner`` is the compiled one (``_scanning.pyx``, see ``scanning``) when it is built from its present
source, else ``PureClaimScanner``, its pure-Python twin (the same results, slower); ``COMPILED`` says which, and
``WHY_PURE`` why the pure one is used. Both read a batch of segment texts (as
``tokenizer.segment_batches`` yields them) and give each claim back raw, its segments' texts not yet split.

A claim is CLP up to the segment that closes it (CLP, LX, PLB, SE), as ``Remittance835.read`` groups them. The
scanner gives a ``RawClaim`` (first, texts, None) for a claim it could check whole: every amount in it whole cents
(an optional minus, 1 to 13 digits, an optional point and 1 or 2 decimals), every date a real CCYYMMDD, every
quantity an optional minus, 1 to 8 digits and at most 4 decimals, no segment that changes the header (BPR, TRN,
N1) or the envelope inside it, and it balances (each line: SVC02 - its CAS = SVC03; the claim: CLP03 - claim and
line CAS = CLP04). Reading such a claim later gives no problem, notice or error. Any other claim comes as a plain
tuple (first, texts, split), for ``Remittance835`` to read in order with the header, saying what is wrong in the
words it always has; ``split`` holds its first texts split with an earlier interchange's element separator, when an
ISA with other delimiters came inside the claim (else None).
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple, Protocol

from dermbill.x12.scanning import COMPILED

MAX_AMOUNTS = 4000  # adjustments in one claim (the compiled twin sums them in 64 bits)
_AMOUNT = re.compile(r"(-?)([0-9]{1,13})(?:\.([0-9]{1,2}))?")
_QUANTITY = re.compile(r"-?[0-9]{1,8}(?:\.[0-9]{1,4})?")
_CLOSES = frozenset({"CLP", "LX", "PLB", "SE"})
_ENVELOPE = frozenset({"ST", "ISA", "GS", "GE", "IEA"})
_HEADER = frozenset({"BPR", "TRN", "N1"})
_CHECKED = frozenset({"CLP", "SVC", "CAS", "AMT", "DTM", "QTY"})
_TAGS = _CLOSES | _ENVELOPE | _HEADER | _CHECKED  # identifiers as they are (others are stripped and upper-cased)
_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
CACHED = 100_000  # texts of amounts and dates remembered (they repeat); a cache is cleared, never grown past it
_CENTS: dict[str, tuple[int, int] | None] = {}
_DATES: dict[str, bool] = {}



class RawClaim(NamedTuple):
    """One claim of an 835 as the raw reader gives it: its segments' texts, not yet read into JSON or types.

    ``json`` is the claim as ``Remittance835`` read it when the scanner could not check it whole (an amount not in
    whole cents or missing, a date or quantity to check, a claim that does not balance, a segment of the header or
    envelope inside it): its problems and notices are the set's already. Else None: the claim balances, and reading
    it gives no problem, notice or error.
    """

    first: int  # the segment number of its CLP
    segments: list[str]  # its segments' texts, CLP first (the set's element separator)
    json: dict[str, Any] | None


Unchecked = tuple[int, list[str], list[list[str]] | None]  # (first, texts, split): for Remittance835 to read
Scanned = list[RawClaim | Unchecked]


class Scanner(Protocol):
    """What both scanners offer (see ``PureClaimScanner``)."""

    paid_places: int
    clean_claims: int

    @property
    def paid_cents(self) -> int: ...

    def scan(self, texts: list[str], index: int, first: int, out: Scanned, limit: int) -> int: ...

    def rebatch(self, element: str) -> None: ...

    def open_claim(self) -> Unchecked | None: ...

    def finish(self, out: Scanned) -> None: ...


def cents(text: str) -> tuple[int, int] | None:
    """An amount's text as (cents, decimal places) when it is whole cents in the scanner's plain form."""
    if text in _CENTS:
        return _CENTS[text]
    match = _AMOUNT.fullmatch(text)
    found = None
    if match is not None:
        sign, whole, fraction = match.groups()
        value = int(whole) * 100 + int((fraction or "").ljust(2, "0"))
        found = (-value if sign else value), len(fraction or "")
    if len(_CENTS) >= CACHED:
        _CENTS.clear()
    _CENTS[text] = found
    return found


def is_date(text: str) -> bool:
    """Exactly CCYYMMDD, a day that exists."""
    found = _DATES.get(text)
    if found is None:
        found = len(text) == 8 and all("0" <= c <= "9" for c in text)
        if found:
            year, month, day = int(text[:4]), int(text[4:6]), int(text[6:])
            leap = month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
            found = year >= 1 and 1 <= month <= 12 and 1 <= day <= _DAYS[month - 1] + leap
        if len(_DATES) >= CACHED:
            _DATES.clear()
        _DATES[text] = found
    return found


class PureClaimScanner:
    """Groups one 835 transaction set's segments into claims, batch by batch (a claim may span batches)."""

    def __init__(self, element: str, claim_type: type[RawClaim] = RawClaim) -> None:
        self.claim_type = claim_type
        self.element = element
        self.open = False
        self.foreign = False  # an interchange with another element separator came inside the set
        self.claim_first = 0
        self.pending: list[str] | None = None  # the open claim's texts from earlier calls
        self.split: list[list[str]] | None = None
        self.clean = self.in_line = False
        self.charge = self.paid = self.claim_adjusted = self.lines_adjusted = 0
        self.line_charge = self.line_paid = self.line_adjusted = 0
        self.places = self.amounts = 0
        self._paid_cents = 0
        self.paid_places = 0
        self.clean_claims = 0

    @property
    def paid_cents(self) -> int:
        """What the clean claims pay (CLP04), in cents."""
        return self._paid_cents

    def scan(self, texts: list[str], index: int, first: int, out: Scanned, limit: int) -> int:
        """Reads ``texts[index:]`` (``texts[i]`` is segment ``first + i``), appending each claim that closes to
        ``out``; returns the index of the first segment it leaves to the caller (one outside the claims other than
        LX, or an envelope segment), or ``len(texts)``; or, once ``out`` holds ``limit`` claims, that of the CLP or
        LX after the last, not yet read (the caller goes on from there)."""
        element = self.element
        start = index
        for i in range(index, len(texts)):
            text = texts[i]
            tag = text.partition(element)[0]
            if tag not in _TAGS:
                tag = tag.strip().upper()
            if self.open:
                if tag in _CLOSES:
                    self._close(texts[start:i], out)
                    if len(out) >= limit:
                        return i
                elif tag in _ENVELOPE:
                    self.clean = False  # the caller reads the envelope segment; the claim goes on after it
                    self._keep(texts[start:i + 1])
                    return i
                else:
                    if self.clean and (tag in _CHECKED or tag in _HEADER):
                        self._check(tag, text.split(element))
                    continue
            if tag == "CLP":
                self._begin(first + i)
                start = i
                self._check(tag, text.split(element))
            elif tag != "LX":
                return i
        if self.open:
            self._keep(texts[start:])
        return len(texts)

    def rebatch(self, element: str) -> None:
        """A new batch's element separator. Another one (a later interchange's, inside the set): the open claim's
        texts so far are split with the one they were written with, and this claim and those after it are left to the
        Python reader (a raw claim's texts are in the set's element separator)."""
        if element == self.element:
            return
        self.foreign = True
        if self.open and self.pending:
            done = len(self.split) if self.split is not None else 0
            self.split = (self.split or []) + [text.split(self.element) for text in self.pending[done:]]
            self.clean = False
        self.element = element

    def open_claim(self) -> Unchecked | None:
        """The open claim so far, (first, texts, split), when a segment of it is left to the Python reader (which may
        raise an error there); else None."""
        if not self.open or self.clean:
            return None
        return self.claim_first, self.pending if self.pending is not None else [], self.split

    def finish(self, out: Scanned) -> None:
        """The end of the set's segments with a claim still open (the file ends before SE): it is closed."""
        if self.open:
            self._close([], out)

    def _begin(self, number: int) -> None:
        self.open, self.claim_first, self.clean, self.in_line = True, number, not self.foreign, False
        self.charge = self.paid = self.claim_adjusted = self.lines_adjusted = 0
        self.line_charge = self.line_paid = self.line_adjusted = 0
        self.places = self.amounts = 0

    def _keep(self, part: list[str]) -> None:
        self.pending = part if self.pending is None else self.pending + part

    def _close(self, part: list[str], out: Scanned) -> None:
        if self.pending is not None:
            part = self.pending + part
            self.pending = None
        split, self.split = self.split, None
        self.open = False
        if self.clean:
            self._end_line()
            if self.charge - self.claim_adjusted - self.lines_adjusted != self.paid:
                self.clean = False
        if self.clean:
            self._paid_cents += self.paid
            self.paid_places = max(self.paid_places, self.places)
            self.clean_claims += 1
            out.append(self.claim_type(self.claim_first, part, None))
        else:
            out.append((self.claim_first, part, split))

    def _end_line(self) -> None:
        if self.in_line:
            if self.line_charge - self.line_adjusted != self.line_paid:
                self.clean = False
            self.lines_adjusted += self.line_adjusted
            self.in_line = False

    def _check(self, tag: str, e: list[str]) -> None:
        """One segment of the open claim: its amounts, dates and quantities read, or the claim left to the reader."""
        if tag in _HEADER:  # they change the header: read in order by the Python reader
            self.clean = False
            return
        size = len(e)
        if tag == "CLP":
            charge, paid = (cents(e[3]), cents(e[4])) if size > 4 else (None, None)
            if charge is None or paid is None or (size > 5 and e[5] and cents(e[5]) is None):
                self.clean = False
                return
            self.charge, (self.paid, self.places) = charge[0], paid
        elif tag == "SVC":
            self._end_line()
            self.in_line, self.line_adjusted = True, 0
            charge, paid = (cents(e[2]), cents(e[3])) if size > 3 else (None, None)
            if charge is None or paid is None or any(size > i and e[i] and not _QUANTITY.fullmatch(e[i])
                                                     for i in (5, 7)):
                self.clean = False
                return
            self.line_charge, self.line_paid = charge[0], paid[0]
        elif tag == "CAS":
            for index in range(2, min(size, 20), 3):
                if not e[index]:
                    continue
                amount = cents(e[index + 1]) if index + 1 < size else None
                self.amounts += 1
                if amount is None or self.amounts > MAX_AMOUNTS or (index + 2 < size and e[index + 2]
                                                                    and not _QUANTITY.fullmatch(e[index + 2])):
                    self.clean = False
                    return
                if self.in_line:
                    self.line_adjusted += amount[0]
                else:
                    self.claim_adjusted += amount[0]
        elif size > 2 and e[2] and not (cents(e[2]) is not None if tag == "AMT" else is_date(e[2]) if tag == "DTM"
                                        else _QUANTITY.fullmatch(e[2])):  # AMT, DTM, QTY
            self.clean = False


ClaimScanner: Any = COMPILED.ClaimScanner if COMPILED is not None else PureClaimScanner


def claim_scanner(element: str) -> Scanner:
    """The scanner in use for a set whose element separator is ``element``."""
    scanner: Scanner = ClaimScanner(element, RawClaim)
    return scanner
