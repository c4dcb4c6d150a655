"""Mutations: byte-level damage to any X12 file, and the mistakes payers make in 835s that still parse.

Byte-level: flip, insert or delete bytes, swap a delimiter, cut the file, duplicate a segment. Payer mistakes
keep the envelope readable (SE01 is counted again) and often the balance too, so the file reaches posting:
amounts moved between a line's payment and its adjustment (balanced) or changed outright (quarantined),
dates (DTM*405, BPR16, ISA09, GS04, DTM*472), the trace number TRN02 (another file's, or changed), claim loops
reordered, duplicated or dropped, CLP02 changed (1, 2, 4, 19, 22), a whole claim reversed, SVC05 units
(0.5, -3, 0), a negative CLP04, another claim's CLP01, another practice's payee NPI, a PLB recoupment.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

Segment = list[bytes]


def damage_bytes(data: bytes, rng: random.Random) -> bytes:
    """One to four byte-level changes."""
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not buffer:
            break
        choice = rng.randrange(6)
        at = rng.randrange(len(buffer))
        if choice == 0:
            buffer[at] = rng.randrange(256)
        elif choice == 1:
            buffer[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif choice == 2:
            del buffer[at:at + rng.randint(1, 16)]
        elif choice == 3:
            buffer = buffer.replace(b"*", rng.choice([b"|", b"~", b":", b""]), rng.randint(1, 50))
        elif choice == 4:
            buffer = buffer[:at]
        else:
            end = buffer.find(b"~", at)
            if end > at:
                buffer[end:end] = buffer[at:end + 1]
    return bytes(buffer)


@dataclass(slots=True)
class X12Text:
    """A file as segments of elements, written back with its own delimiters and line breaks."""

    element: bytes
    terminator: bytes
    newline: bytes
    segments: list[Segment] = field(default_factory=list)

    @classmethod
    def of(cls, data: bytes) -> X12Text:
        element, terminator = b"*", b"~"
        if data.startswith(b"ISA") and len(data) >= 106:
            element, terminator = data[3:4], data[105:106]
        newline = b"\r\n" if terminator + b"\r\n" in data else b"\n" if terminator + b"\n" in data else b""
        pieces = data.split(terminator)
        if pieces and not pieces[-1].strip():
            pieces.pop()
        strip = terminator not in (b"\r", b"\n")
        return cls(element, terminator, newline,
                   [(piece.strip(b"\r\n") if strip else piece).split(element) for piece in pieces])

    def to_bytes(self) -> bytes:
        return b"".join(self.element.join(s) + self.terminator + self.newline for s in self.segments)

    def where(self, *ids: bytes) -> list[int]:
        return [i for i, s in enumerate(self.segments) if s[0] in ids]

    def claim_loops(self) -> list[tuple[int, int]]:
        """(start, end) of each CLP loop: from its CLP to the next CLP, LX, PLB or SE."""
        loops, start = [], None
        for i, s in enumerate(self.segments):
            if s[0] in (b"CLP", b"LX", b"PLB", b"SE", b"ST"):
                if start is not None:
                    loops.append((start, i))
                start = i if s[0] == b"CLP" else None
        if start is not None:
            loops.append((start, len(self.segments)))
        return loops

    def count_segments(self) -> None:
        """SE01 counted again, as a payer's translator would."""
        start = None
        for i, s in enumerate(self.segments):
            if s[0] == b"ST":
                start = i
            elif s[0] == b"SE" and start is not None and len(s) > 1:
                s[1] = str(i - start + 1).encode()


def element(segment: Segment, index: int) -> bytes:
    return segment[index] if index < len(segment) else b""


def set_element(segment: Segment, index: int, value: bytes) -> None:
    while len(segment) <= index:
        segment.append(b"")
    segment[index] = value


def cents(value: bytes) -> int | None:
    try:
        amount = Decimal(value.decode("ascii"))
    except (InvalidOperation, UnicodeDecodeError, ValueError):
        return None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")) or abs(amount) > 10**9:
        return None
    return int(amount * 100)


def amount(value: int) -> bytes:
    text = str((Decimal(value) / 100).quantize(Decimal("0.01"))).rstrip("0").rstrip(".")
    return (text or "0").encode()


def odd_amount(rng: random.Random, old: bytes) -> bytes:
    was = cents(old) or 0
    return rng.choice([amount(rng.randint(-50000, 500000)), b"0", amount(-was), amount(was * 10), b"1.005",
                       b"", b"99999999999", b"1E3", amount(was + 1)])


def odd_date(rng: random.Random, short: bool = False) -> bytes:
    day = rng.choice([f"{rng.randint(2019, 2031)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}", "20260230",
                      "20261301", "", "2026112", "99991231", "00000000", "20261127", "20251126"])
    return day.encode()[2:] if short and len(day) == 8 else day.encode()


@dataclass(slots=True)
class Pool:
    """What other seed files hold, to borrow from: trace numbers, claim numbers, payee NPIs."""

    traces: list[bytes]
    claims: list[bytes]
    npis: list[bytes]

    @classmethod
    def of(cls, seeds: list[bytes]) -> Pool:
        traces, claims, npis = set(), set(), set()
        for data in seeds:
            text = X12Text.of(data)
            for s in text.segments:
                if s[0] == b"TRN":
                    traces.add(element(s, 2))
                elif s[0] == b"CLP":
                    claims.add(element(s, 1))
                elif s[0] == b"N1" and element(s, 1) == b"PE":
                    npis.add(element(s, 4))
        return cls(sorted(traces) or [b"T"], sorted(claims) or [b"C"], sorted(npis) or [b"1234567893"])


def _pick(rng: random.Random, text: X12Text, *ids: bytes) -> Segment | None:
    found = text.where(*ids)
    return text.segments[rng.choice(found)] if found else None


def shift_payment(text: X12Text, rng: random.Random, pool: Pool) -> None:
    """Pay a line more or less, moving the difference to its adjustment: the 835 still balances."""
    loops = text.claim_loops()
    if not loops:
        return
    start, end = rng.choice(loops)
    lines = [i for i in range(start, end) if text.segments[i][0] == b"SVC"]
    if not lines:
        return
    at = rng.choice(lines)
    svc, clp = text.segments[at], text.segments[start]
    paid, claim_paid = cents(element(svc, 3)), cents(element(clp, 4))
    if paid is None or claim_paid is None:
        return
    delta = rng.choice([1, -1, 100, -100, rng.randint(-abs(paid) - 5000, 5000) or 7])
    cas = next((i for i in range(at + 1, end) if text.segments[i][0] in (b"SVC", b"CAS")), None)
    if cas is not None and text.segments[cas][0] == b"CAS" and cents(element(text.segments[cas], 3)) is not None:
        set_element(text.segments[cas], 3, amount((cents(element(text.segments[cas], 3)) or 0) - delta))
    else:
        text.segments.insert(at + 1, [b"CAS", b"CO", b"45", amount(-delta)])
    set_element(svc, 3, amount(paid + delta))
    set_element(clp, 4, amount(claim_paid + delta))
    rebalance(text)


def rebalance(text: X12Text) -> None:
    """BPR02 as the claims' payments less the PLB adjustments (what a careful payer's total would be)."""
    total = 0
    for s in text.segments:
        if s[0] == b"CLP":
            total += cents(element(s, 4)) or 0
        elif s[0] == b"PLB":
            total -= sum(cents(element(s, i)) or 0 for i in range(4, len(s), 2))
    for s in text.segments:
        if s[0] == b"BPR":
            set_element(s, 2, amount(total))


def change_amount(text: X12Text, rng: random.Random, pool: Pool) -> None:
    places = {b"BPR": [2], b"CLP": [3, 4, 5], b"SVC": [2, 3], b"CAS": [3, 6], b"AMT": [2], b"PLB": [4, 6]}
    segment = _pick(rng, text, *places)
    if segment is not None:
        index = rng.choice(places[segment[0]])
        set_element(segment, index, odd_amount(rng, element(segment, index)))


def change_date(text: X12Text, rng: random.Random, pool: Pool) -> None:
    choice = rng.randrange(5)
    if choice == 0:
        for s in text.segments:
            if s[0] == b"DTM" and element(s, 1) == b"405":
                set_element(s, 2, odd_date(rng))
    elif choice == 1:
        segment = _pick(rng, text, b"BPR")
        if segment is not None:
            set_element(segment, 16, odd_date(rng))
    elif choice == 2:
        segment = _pick(rng, text, b"ISA")
        if segment is not None and len(segment) > 9:
            segment[9] = odd_date(rng, short=True).ljust(6, b"0")[:6]
    elif choice == 3:
        segment = _pick(rng, text, b"GS")
        if segment is not None:
            set_element(segment, 4, odd_date(rng))
    else:
        segment = _pick(rng, text, b"DTM")
        if segment is not None:
            set_element(segment, 2, odd_date(rng))


def change_trace(text: X12Text, rng: random.Random, pool: Pool) -> None:
    segment = _pick(rng, text, b"TRN")
    if segment is not None:
        old = element(segment, 2)
        set_element(segment, 2, rng.choice([rng.choice(pool.traces), old + b"A", b"", b"X" * 60, old.lower(),
                                            b" " + old]))


def reorder_claims(text: X12Text, rng: random.Random, pool: Pool) -> None:
    loops = text.claim_loops()
    if len(loops) < 2:
        return
    blocks = [text.segments[a:b] for a, b in loops]
    rng.shuffle(blocks)
    for (a, b), block in sorted(zip(loops, blocks, strict=True), reverse=True):
        text.segments[a:b] = block


def duplicate_claim(text: X12Text, rng: random.Random, pool: Pool) -> None:
    loops = text.claim_loops()
    if loops:
        a, b = rng.choice(loops)
        text.segments[b:b] = [list(s) for s in text.segments[a:b]]
        if rng.random() < 0.8:
            rebalance(text)


def drop_claim(text: X12Text, rng: random.Random, pool: Pool) -> None:
    loops = text.claim_loops()
    if loops:
        a, b = rng.choice(loops)
        del text.segments[a:b]
        if rng.random() < 0.8:
            rebalance(text)


def change_status(text: X12Text, rng: random.Random, pool: Pool) -> None:
    segment = _pick(rng, text, b"CLP")
    if segment is not None:
        set_element(segment, 2, rng.choice([b"1", b"2", b"3", b"4", b"19", b"20", b"22", b"23", b"99", b""]))


def reverse_claim(text: X12Text, rng: random.Random, pool: Pool) -> None:
    """A reversal (CLP02 22): every amount of one claim negated, appended after it, the total rebalanced."""
    loops = text.claim_loops()
    if not loops:
        return
    a, b = rng.choice(loops)
    copy = [list(s) for s in text.segments[a:b]]
    places = {b"CLP": [3, 4, 5], b"SVC": [2, 3], b"CAS": [3, 6, 9, 12, 15, 18], b"AMT": [2]}
    for s in copy:
        for index in places.get(s[0], []):
            value = cents(element(s, index))
            if value is not None and index < len(s):
                s[index] = amount(-value)
    set_element(copy[0], 2, b"22")
    text.segments[b:b] = copy
    rebalance(text)


def change_units(text: X12Text, rng: random.Random, pool: Pool) -> None:
    segment = _pick(rng, text, b"SVC")
    if segment is not None:
        set_element(segment, 5, rng.choice([b"0.5", b"-3", b"0", b"", b"99999", b"1.0001", b"2"]))


def negative_paid(text: X12Text, rng: random.Random, pool: Pool) -> None:
    segment = _pick(rng, text, b"CLP")
    if segment is not None:
        value = cents(element(segment, 4))
        set_element(segment, 4, amount(-abs(value)) if value else b"-10")
        if rng.random() < 0.5:
            rebalance(text)


def other_claim_number(text: X12Text, rng: random.Random, pool: Pool) -> None:
    segment = _pick(rng, text, b"CLP")
    if segment is not None:
        set_element(segment, 1, rng.choice(pool.claims))


def other_payee(text: X12Text, rng: random.Random, pool: Pool) -> None:
    for s in text.segments:
        if s[0] == b"N1" and element(s, 1) == b"PE":
            set_element(s, 4, rng.choice([*pool.npis, b"1234567893", b""]))


def recoupment(text: X12Text, rng: random.Random, pool: Pool) -> None:
    """A PLB taking money back (WO or 72) for one of the file's claims, or interest paid (L6)."""
    ses = text.where(b"SE")
    clps = text.where(b"CLP")
    if not ses or not clps:
        return
    claim = text.segments[rng.choice(clps)]
    reference = element(claim, rng.choice([7, 1]))
    reason = rng.choice([b"WO", b"72", b"L6", b"FB"])
    npi = next((element(s, 4) for s in text.segments if s[0] == b"N1" and element(s, 1) == b"PE"), b"1234567893")
    value = amount(rng.choice([500, 2500, -125, cents(element(claim, 4)) or 100]))
    text.segments.insert(ses[0], [b"PLB", npi, b"20261231", reason + b":" + reference, value])
    if rng.random() < 0.8:
        rebalance(text)


PAYER_MISTAKES = (shift_payment, change_amount, change_date, change_trace, reorder_claims, duplicate_claim,
                  drop_claim, change_status, reverse_claim, change_units, negative_paid, other_claim_number,
                  other_payee, recoupment)


def payer_mistakes(data: bytes, rng: random.Random, pool: Pool) -> bytes:
    """One to three payer mistakes; SE01 counted again (most of the time) so that the file still reads."""
    text = X12Text.of(data)
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        rng.choice(PAYER_MISTAKES)(text, rng, pool)
    if rng.random() < 0.9:
        text.count_segments()
    result = text.to_bytes()
    if rng.random() < 0.05:  # cut anywhere: a transfer that stopped
        result = result[:rng.randrange(len(result) + 1)]
    return result


def mutate_835(data: bytes, rng: random.Random, pool: Pool) -> bytes:
    """For posting: the original again (5%), byte damage (15%), otherwise payer mistakes."""
    roll = rng.random()
    if roll < 0.05:
        return data
    if roll < 0.20:
        return damage_bytes(data, rng)
    return payer_mistakes(data, rng, pool)
