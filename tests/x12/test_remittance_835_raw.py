"""The raw 835 reader (``read_835_raw``, what ``era post`` is to read with): the same sets, header, balance, problems,
notices, errors, content hash and kept bytes as ``read_835_stream``, and its raw claims read into the same JSON and
the same typed claim payments, with the compiled scanner and with its pure-Python twin alike."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import sysconfig
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_hostile_input import HOSTILE, REMIT, REMIT_PLACES, _put
from test_readers import REMIT as THREE_CLAIMS
from test_remittance_835_round_trip import NOW, PROFILE, remittances
from tests_paths import SHARED

import dermbill.x12.remittance_835 as remittance_835
from dermbill.core.errors import InvalidInput
from dermbill.core.remittance import Remittance
from dermbill.x12 import claims_835, kept_transactions, scanning, tokenizer
from dermbill.x12.claims_835 import PureClaimScanner, RawClaim, Scanned
from dermbill.x12.envelope import ControlNumbers
from dermbill.x12.remittance_835 import (
    claim_payment,
    kept_claims,
    raw_claim_json,
    raw_claim_payment,
    read_835_end,
    read_835_json,
    read_835_raw,
    read_835_stream,
)
from dermbill.x12.remittance_835_writer import write_835
from dermbill.x12.scanning import COMPILED, WHY_PURE
from dermbill.x12.tokenizer import segments_of
from dermbill.x12.transactions import transaction_sets

SAMPLES = SHARED / "x12-samples"
FILES = sorted(p for p in SAMPLES.rglob("*") if p.is_file() and p.suffix != ".md") if SAMPLES.exists() else []
SCANNERS = ["compiled", "pure"]


def _use(compiled: bool) -> None:
    """The compiled inner loops (tokenizer and scanner), or their pure-Python twins."""
    if compiled:
        assert COMPILED is not None
        tokenizer.split_segments = COMPILED.split_segments
        claims_835.ClaimScanner = COMPILED.ClaimScanner
    else:
        tokenizer.split_segments = tokenizer._split_segments
        claims_835.ClaimScanner = PureClaimScanner


@pytest.fixture(params=SCANNERS)
def scanner(request: pytest.FixtureRequest) -> Iterator[str]:
    """Each test runs with the compiled loops and with the pure-Python ones."""
    if request.param == "compiled" and COMPILED is None:
        pytest.skip(f"the compiled loops are not in use: {WHY_PURE}")
    saved = tokenizer.split_segments, claims_835.ClaimScanner
    _use(request.param == "compiled")
    yield str(request.param)
    tokenizer.split_segments, claims_835.ClaimScanner = saved


def _events(data: bytes, *, raw: bool, chunk: int | None = None) -> list[Any]:
    """What a reader gives, comparable between the two: each claim's JSON and typed payment (with the problems the
    typing found), each 835's end JSON, content hash and kept bytes; an error as its type and message, last."""
    original = remittance_835.segment_batches
    if chunk is not None:
        remittance_835.segment_batches = lambda stream: original(stream, chunk_size=chunk)  # type: ignore[assignment]
    found: list[Any] = []
    try:
        read = read_835_raw(io.BytesIO(data), keep=True) if raw else read_835_stream(io.BytesIO(data), keep=True)
        delimiters = None
        for kind, item in read:
            if kind == "835":
                delimiters = item.transaction.delimiters
                found.append(("835", item.transaction.control_number))
            elif kind == "claim":
                problems: list[str] = []
                if raw:
                    assert isinstance(item, RawClaim) and delimiters is not None
                    found.append(("claim", raw_claim_json(item, delimiters),
                                  raw_claim_payment(item, delimiters, problems), problems))
                else:
                    found.append(("claim", item, claim_payment(item, problems), problems))
            elif kind == "end":
                found.append(("end", read_835_end(item.reader, item.transaction, []), item.claims,
                              item.content_hash(), item.kept.finish()))
            else:
                found.append((kind, item))
    except InvalidInput as exc:
        found.append(("error", type(exc).__name__, str(exc)))
    finally:
        remittance_835.segment_batches = original
    return found


def _same(data: bytes, chunk: int | None = None) -> list[Any]:
    streamed = _events(data, raw=False, chunk=chunk)
    assert _events(data, raw=True, chunk=chunk) == streamed
    return streamed


@pytest.mark.skipif(not FILES, reason=f"{SAMPLES} not found")
@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.name}" for p in FILES])
def test_every_sample_reads_raw_as_the_stream_reads_it(path: Path, scanner: str) -> None:
    _same(path.read_bytes())
    _same(path.read_bytes(), chunk=97)


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("element", sorted(REMIT_PLACES))
def test_a_hostile_amount_is_the_same_error_raw(element: str, value: str, scanner: str) -> None:
    [*_, error] = _same(_put(REMIT, REMIT_PLACES[element], value).encode())
    assert error[0] == "error" and f"({element[:3]}): {element} " in error[2]


def test_the_scanner_checks_clean_claims_and_leaves_the_rest_to_the_reader(scanner: str) -> None:
    clean = [item for kind, item in read_835_raw(io.BytesIO(REMIT.encode())) if kind == "claim"]
    assert [claim.json is None for claim in clean] == [True]
    unbalanced = REMIT.replace("CAS*PR*2*20.00~", "CAS*PR*2*20.01~")
    [claim] = [item for kind, item in read_835_raw(io.BytesIO(unbalanced.encode())) if kind == "claim"]
    assert claim.json is not None and claim.json["patient_control_number"] == "D1E0000001"
    assert any("less adjustments" in problem for problem in _same(unbalanced.encode())[-1][1]["balance"]["problems"])


def test_a_cut_set_gives_its_last_claim_as_the_whole_set_reader_does(scanner: str) -> None:
    cut = REMIT[:REMIT.index("SE*")]
    events = _same(cut.encode())
    [transaction] = transaction_sets(segments_of(cut))
    assert [event[1] for event in events if event[0] == "claim"] == read_835_json(transaction)["claims"]


@pytest.mark.parametrize("where", ["SVC", "CLP"])
def test_an_interchange_with_other_delimiters_inside_a_set_reads_as_the_stream_reads_it(where: str,
                                                                                      scanner: str) -> None:
    isa = THREE_CLAIMS.split("~")[0].replace("*", "|")
    segments = THREE_CLAIMS.split("~")
    at = next(i for i, text in enumerate(segments) if text.startswith(where))  # inside the first claim, or before
    text = "~".join([*segments[:at], isa, *(text.replace("*", "|") for text in segments[at:])])
    events = _same(text.encode())
    assert [event[1]["patient_control_number"] for event in events if event[0] == "claim"] == ["D1E0000001"] * 3
    raw = [item for kind, item in read_835_raw(io.BytesIO(text.encode())) if kind == "claim"]
    assert all(claim.json is not None for claim in raw)  # split with the later separator: read by Remittance835


@pytest.mark.parametrize("amount", ["abc", "84.00"])
@pytest.mark.parametrize("inside", ["ST*835*0002", "ISA*cut short"])
def test_an_error_inside_a_claim_comes_before_the_envelope_error_after_it(amount: str, inside: str,
                                                                          scanner: str) -> None:
    text = _put(REMIT, REMIT_PLACES["CLP04"], amount).replace("CAS*CO*45*136.00~", f"CAS*CO*45*136.00~{inside}~")
    [*_, error] = _same(text.encode())
    assert error[0] == "error" and ("CLP04 'abc'" in error[2]) == (amount == "abc")


# Odd values and segments: each takes the scanner off its clean path somewhere (or looks as if it should).
ODD_VALUES = ["", " ", "1.005", "12.5", "12.", ".5", "+3", "-0", "-0.00", "007", "1e3", "abc", "99999999999999",
              "9999999999999.99", "-9999999999999.99", "20260230", "20240229", "2026023", "00000101", "20261301", "-2",
              "1.23456", "123456789", "\u017f", "€", " 12", "12 ", "\u00a012", "HC:11102:XS", "0", "1"]
ODD_SEGMENTS = ["BPR*I*1*C", "N1*PR*OTHER", "N1*PE*X*XX*1", "REF*2U*X", "TRN*1*T*1", "GS*HP*A*B*20260101*1*9*X*1",
                "GE*1*1", "IEA*1*1", "LX*9", "DTM*050*20269999", "DTM*405*20260101", "QTY*CA*1e2", "QTY*CA*2",
                "AMT*B6*", "AMT*B6* 3", "AMT*AU*3.5", "MOA***MA01*MA02", "MIA*1****M1", "clp*X*1*1*1",
                "CAS *CO*45*1", "\u017fE*1*1", "\u017fT*835*9", "TS3*1*11*20261231*1*100", "PLB*1*20261231*WO:X*1",
                "SVC*HC:1*1*1", "SVC*HC:1*10*5**-1", "CAS*CO**1", "CAS*CO*45", "CAS*CO*45*1*1e9", "CAS*CO*45*1*-1",
                "NM1*TT*2*NEXT PAYER*****PI*99", "NM1*PR*2*PAYER*****PI*98", "REF*6R*L1", "LQ*HE*N1", "DTM*472*",
                "DTM*151*20260101", "SE*1*0001", "CLP*X*1*0*0", "CLP*X*1**1", "CLP*X*1*5*5*abc"]


@st.composite
def odd_835s(draw: st.DrawFn) -> bytes:
    """A written 835 with odd values, segments and tags put in, taken out or repeated."""
    remittance = draw(remittances())
    text = write_835((remittance, draw(remittances())) if draw(st.booleans()) else (remittance,), PROFILE,
                     ControlNumbers(1, 1, 1), NOW)
    segments = text.split("~")[:-1]
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, len(segments) - 1))
        kind = draw(st.sampled_from(("value", "segment", "drop", "lower", "twice")))
        elements = segments[at].split("*")
        if kind == "value" and len(elements) > 1:
            elements[draw(st.integers(1, len(elements) - 1))] = draw(st.sampled_from(ODD_VALUES))
            segments[at] = "*".join(elements)
        elif kind == "segment":
            segments.insert(at, draw(st.sampled_from(ODD_SEGMENTS)))
        elif kind == "drop" and not segments[at].startswith(("ISA", "GS", "ST")):
            del segments[at]
        elif kind == "lower":
            segments[at] = segments[at].lower()
        elif kind == "twice":
            segments.insert(at, segments[at])
    terminator = draw(st.sampled_from(["~", "~\n", "~\r\n  "]))
    return (terminator.join(segments) + terminator).encode()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(odd_835s(), st.sampled_from([None, 7, 64, 333]))
def test_any_835_reads_raw_as_the_stream_reads_it(data: bytes, chunk: int | None) -> None:
    saved = tokenizer.split_segments, claims_835.ClaimScanner
    try:
        for compiled in (True, False) if COMPILED is not None else (False,):
            _use(compiled)
            _same(data, chunk)
    finally:
        tokenizer.split_segments, claims_835.ClaimScanner = saved


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(remittances())
def test_a_written_835_reads_raw_into_the_remittance_written(remittance: Remittance) -> None:
    text = write_835((remittance,), PROFILE, ControlNumbers(1, 1, 1), NOW)
    problems: list[str] = []
    claims = []
    for kind, item in read_835_raw(io.BytesIO(text.encode())):
        if kind == "835":
            delimiters = item.transaction.delimiters
        elif kind == "claim":
            assert item.json is None  # a written 835 balances: every claim is checked in cents
            claims.append(raw_claim_payment(item, delimiters, problems))
    assert tuple(claims) == remittance.claims and problems == []


# The scanners themselves: the compiled one gives exactly what the pure one gives, on any texts ----------------

TAGS = ["CLP", "SVC", "CAS", "AMT", "DTM", "QTY", "LX", "PLB", "SE", "ST", "ISA", "GS", "GE", "IEA", "BPR", "TRN",
        "N1", "NM1", "REF", "clp", "Svc", " CAS", "LX ", "\u017fE", "CLP\u00a0", "\u03a3VC", "CL", "CLPX", ""]
PIECES = st.sampled_from(["", "0", "1", "-1", "12.34", "12.345", "-0.5", "9999999999999.99", "99999999999999",
                          "20240229", "20230229", "1.2345", "-7", "x", "€", "😀", "HC:1", " ", "1e3"])


@st.composite
def texts(draw: st.DrawFn) -> list[str]:
    return [draw(st.sampled_from(TAGS)) + "".join("*" + draw(PIECES) for _ in range(draw(st.integers(0, 22))))
            for _ in range(draw(st.integers(0, 40)))]


def _scan(make: Any, batches: list[list[str]], limit: int) -> list[Any]:
    """Everything a scanner says, driven as ``read_835_raw`` drives it (a stop read over, then on)."""
    scanner = make("*", RawClaim)
    said: list[Any] = []
    first = 1
    for batch in batches:
        index = 0
        while True:
            out: Scanned = []
            stop = scanner.scan(batch, index, first, out, limit)
            said.append(([(type(claim).__name__, *claim) for claim in out], stop))
            if stop == len(batch):
                break
            index = stop + 1 if batch[stop].split("*")[0] not in ("CLP", "LX") else stop
            if index == stop:  # a stop at CLP or LX is the limit's: the scanner reads it on the next call
                assert len(out) >= limit
        first += len(batch)
    out = []
    scanner.finish(out)
    said.append([(type(claim).__name__, *claim) for claim in out])
    said.append((scanner.paid_cents, scanner.paid_places, scanner.clean_claims))
    return said


@settings(max_examples=300, deadline=None)
@given(st.lists(texts(), max_size=4), st.integers(1, 5))
def test_the_compiled_scanner_says_what_the_pure_one_says(batches: list[list[str]], limit: int) -> None:
    if COMPILED is None:
        pytest.skip(f"the compiled loops are not in use: {WHY_PURE}")
    assert _scan(COMPILED.ClaimScanner, batches, limit) == _scan(PureClaimScanner, batches, limit)


def test_the_scanners_read_wide_characters_and_sum_past_64_bits() -> None:
    claim = ["CLP*X€*1*9999999999999.99*9999999999999.99", "NM1*QC*1*😀", "DTM*050*20240229"]
    batch = [*claim * 2000, "SE*1*1"]
    said = _scan(PureClaimScanner, [batch], 10_000)
    assert said[-1] == (2000 * (10**15 - 1), 2, 2000)
    if COMPILED is not None:
        assert _scan(COMPILED.ClaimScanner, [batch], 10_000) == said


def _can_compile() -> bool:
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    return shutil.which(compiler) is not None and Path(sysconfig.get_paths()["include"], "Python.h").exists()


def test_the_compiled_loops_are_in_use_and_built_from_this_source() -> None:
    """``make .venv/.installed`` builds them (setup.py); a build of another source is never used (``scanning``)."""
    if COMPILED is None and not _can_compile() and os.environ.get("CI") != "true":
        pytest.skip(f"no C compiler or Python headers here: the pure-Python loops are in use ({WHY_PURE})")
    assert COMPILED is not None, WHY_PURE
    assert hashlib.sha256(scanning.SOURCE.read_bytes()).hexdigest() == COMPILED.SOURCE_HASH
    assert claims_835.ClaimScanner is COMPILED.ClaimScanner
    assert tokenizer.split_segments is COMPILED.split_segments


# The tokenizer's cut: the compiled one gives the pure one's texts and rest, and says exactly whether an ISA starts one

CUT_PIECES = st.sampled_from(["ISA*1", "ISA", "IS", "ST*835", "CLP*1", " ", "\n", "\r\n", "\t", "\x1c", "\x85",
                              "\u00a0", "\u3000", "\u2028", "~", "|", "€", "😀", "a", "MISA", "\u00ff"])


@settings(max_examples=400, deadline=None)
@given(st.lists(CUT_PIECES, max_size=30).map("".join), st.sampled_from(["~", "|", "\n", "€", "😀", "\u00ff"]),
       st.booleans())
def test_the_compiled_cut_gives_the_pure_cut(buffer: str, terminator: str, first: bool) -> None:
    if COMPILED is None:
        pytest.skip(f"the compiled loops are not in use: {WHY_PURE}")
    texts, rest, isa = COMPILED.split_segments(buffer, terminator, first)
    pure_texts, pure_rest, maybe = tokenizer._split_segments(buffer, terminator, first)
    assert (texts, rest) == (pure_texts, pure_rest)
    assert isa == any(text.startswith("ISA") for text in texts[1 if first else 0:])
    assert maybe or not isa


def test_the_scanner_hands_claims_on_a_few_at_a_time(scanner: str) -> None:
    batch = ["LX*1", "CLP*A*1*10*10", "CLP*B*1*5*5", "SE*4*1"]
    made = claims_835.claim_scanner("*")
    out: Scanned = []
    assert made.scan(batch, 0, 1, out, 1) == 2  # CLP B not read yet: out is full
    assert out == [RawClaim(2, ["CLP*A*1*10*10"], None)]
    out = []
    assert made.scan(batch, 2, 1, out, 1) == 3  # SE: the envelope's
    assert out == [RawClaim(3, ["CLP*B*1*5*5"], None)]
    assert (made.paid_cents, made.paid_places, made.clean_claims) == (1500, 0, 2)


def _kept_and_claims(data: bytes) -> list[tuple[bytes, list[RawClaim]]]:
    """Each 835 of ``data`` read raw: its kept bytes, and its claims when the scanner checked every one whole."""
    found: list[tuple[bytes, list[RawClaim]]] = []
    claims: list[RawClaim] = []
    try:
        for kind, item in read_835_raw(io.BytesIO(data), keep=True):
            if kind == "claim":
                claims.append(item)
            elif kind == "end":
                found.append((item.kept.finish(), claims if all(c.json is None for c in claims) else []))
                claims = []
    except InvalidInput:
        pass
    return found


@pytest.mark.skipif(not FILES, reason=f"{SAMPLES} not found")
@pytest.mark.parametrize("chunk", [7, 1 << 16])
def test_the_kept_bytes_give_back_the_claims_the_first_reading_gave(chunk: int) -> None:
    original = kept_transactions.kept_texts
    compared = 0
    try:
        remittance_835.kept_texts = partial(original, chunk=chunk)  # type: ignore[assignment]
        for data in [path.read_bytes() for path in FILES] + [THREE_CLAIMS.encode()]:
            for kept, claims in _kept_and_claims(data):
                if claims:
                    assert list(kept_claims(kept)[1]) == claims
                    compared += 1
    finally:
        remittance_835.kept_texts = original  # type: ignore[assignment]
    assert compared >= 5


def test_kept_bytes_cut_short_are_refused() -> None:
    [(kept, claims)] = _kept_and_claims(THREE_CLAIMS.encode())
    assert claims
    with pytest.raises(InvalidInput, match="cut short|cannot be read"):
        list(kept_claims(kept[:-9])[1])
