"""The one 835 path: ``read_835_stream`` (what ``x12 parse``, ``x12 validate`` and ``era post`` read with) gives
what the whole-set reader gives, whatever the chunks the file is read in; its content hash and kept bytes are
those of the whole set; ``x12 parse --json`` streams the same JSON."""

from __future__ import annotations

import datetime
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_remittance_835_round_trip import NOW, PROFILE, remittances

from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money
from dermbill.core.remittance import Adjustment, ClaimPayment, Remittance, ServiceLinePayment
from dermbill.services.era_posting import content_hash
from dermbill.x12.envelope import ControlNumbers
from dermbill.x12.kept_transactions import _keep_format_1, keep_transaction, kept_transaction
from dermbill.x12.parse import parse_file, parse_text, write_parsed_json
from dermbill.x12.remittance_835 import read_835, read_835_json, read_835_remittances, read_835_stream
from dermbill.x12.remittance_835_writer import write_835
from dermbill.x12.tokenizer import X12Error, iter_segments, segment_batches, segments_of
from dermbill.x12.transactions import transaction_sets

LINE = ServiceLinePayment("11102", (), Money(15000), 1, datetime.date(2026, 3, 2),
                          (Adjustment("CO", "45", Money(6000)), Adjustment("PR", "2", Money(1800))))
REMITTANCE = Remittance("TEST PAYER", "TSTMCR", "TEST DERMATOLOGY", "1234567893", "EFT1", datetime.date(2026, 4, 1),
                        tuple(ClaimPayment(f"C{n}", "1", "MB", f"ICN{n}", "TEST", "ALPHA", "M1", (LINE, LINE))
                              for n in range(1, 40)))
TEXT = write_835((REMITTANCE, REMITTANCE), PROFILE, ControlNumbers(1, 1, 1), NOW)
SHAPES = ["~", "~\n", "~\r\n  "]


def _streamed(data: bytes, chunk_size: int) -> list[tuple[str, object]]:
    import dermbill.x12.remittance_835 as reader

    original = reader.segment_batches
    reader.segment_batches = lambda stream: original(stream, chunk_size=chunk_size)  # type: ignore[assignment]
    try:
        return list(read_835_stream(io.BytesIO(data), keep=True))
    finally:
        reader.segment_batches = original


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(remittances(), st.integers(5, 400), st.sampled_from(SHAPES))
def test_the_stream_reads_what_the_whole_set_reader_reads_in_any_chunks(remittance: Remittance, chunk: int,
                                                                        terminator: str) -> None:
    text = write_835((remittance,), PROFILE, ControlNumbers(1, 1, 1), NOW).replace("~", terminator)
    [transaction] = transaction_sets(segments_of(text))
    whole = read_835_json(transaction)
    events = _streamed(text.encode(), chunk)

    assert [kind for kind, _ in events] == ["835", *["claim"] * len(whole["claims"]), "end"]
    assert [item for kind, item in events if kind == "claim"] == whole["claims"]
    [(read, typed)] = read_835_remittances(io.BytesIO(text.encode()), keep=True)
    assert typed == read_835(transaction) == remittance
    assert read.content_hash() == content_hash(transaction)
    assert read.kept is not None
    assert kept_transaction(read.kept.finish()) == transaction


def test_segments_are_the_same_in_any_chunks() -> None:
    data = TEXT.replace("~", "~\r\n").encode()
    expected = [segment for _, segment in iter_segments(io.BytesIO(data))]
    for chunk in (1, 2, 3, 17, 1000):
        assert [segment for _, segment in iter_segments(io.BytesIO(data), chunk_size=chunk)] == expected
        assert sum(len(texts) for _, _, texts in segment_batches(io.BytesIO(data), chunk_size=chunk)) == len(expected)


def test_a_later_interchange_with_other_delimiters_is_read_with_its_own() -> None:
    other = TEXT.replace("*", "|").replace(":", ">")
    other = other[:other.index("|00501|")] + other[other.index("|00501|"):].replace("|>~", "|:~", 1)
    parsed = parse_text(TEXT + "\n" + other.replace("|:~", "|>~", 1))
    assert [t["type"] for t in parsed["transactions"]] == ["835"] * 4
    assert all(t["balance"]["balanced"] for t in parsed["transactions"])
    assert parsed["transactions"][3]["claims"][0]["lines"][0]["code"] == "11102"


def test_kept_bytes_of_the_earlier_format_still_read() -> None:
    [transaction, _] = transaction_sets(segments_of(TEXT))
    assert kept_transaction(_keep_format_1(transaction)) == transaction
    assert kept_transaction(keep_transaction(transaction)) == transaction


def test_a_set_cut_short_is_not_whole_and_hashes_as_other_content() -> None:
    cut = TEXT[:TEXT.index("SE*")]
    [(read, remit)] = read_835_remittances(io.BytesIO(cut.encode()), keep=True)
    [transaction] = transaction_sets(segments_of(cut))
    assert not remit.balanced and "not whole" in remit.problems[0] and "no SE closes" in remit.problems[0]
    assert read.content_hash() == content_hash(transaction)
    assert read.content_hash() != next(read_835_remittances(io.BytesIO(TEXT.encode()), keep=True))[0].content_hash()


def test_envelope_errors_are_the_whole_set_readers() -> None:
    no_se = TEXT.replace("SE*", "XX*", 1)
    with pytest.raises(X12Error, match=r"\(ST\): transaction set 0001 has no SE before this ST"):
        list(read_835_stream(io.BytesIO(no_se.encode())))
    with pytest.raises(X12Error, match=r"segment outside a transaction set"):
        parse_text(TEXT.replace("GS*", "ZZ*", 1).replace("ST*835", "XX*835", 1))
    clp = next(segment for _, segment in segments_of(TEXT) if segment.id == "CLP")
    bad = TEXT.replace("*".join(clp.elements), "*".join([*clp.elements[:4], "abc", *clp.elements[5:]]), 1)
    with pytest.raises(X12Error, match=rf"segment {clp.number} \(CLP\): CLP04 'abc' is not an amount"):
        parse_text(bad)


@pytest.mark.parametrize("terminator", SHAPES)
def test_parse_json_streams_the_same_json(tmp_path: Path, terminator: str) -> None:
    path = tmp_path / "two.835"
    path.write_text(TEXT.replace("~", terminator) + "ISA*bad")
    with pytest.raises(InvalidInput):
        parse_file(path)
    path.write_text(TEXT.replace("~", terminator))
    written: list[str] = []
    write_parsed_json(path, written.append)
    streamed = json.loads("".join(written))
    assert streamed == json.loads(json.dumps(parse_file(path)))
    assert "".join(written).count("\n") > len(REMITTANCE.claims)  # a claim a line
