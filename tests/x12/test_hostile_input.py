"""Hostile amounts and quantities, and a file with no segment terminator: a typed error (or a finding), fast.

Every value here once crashed a reader with an untyped error (ValueError, OverflowError, InvalidOperation) or hung
it (``int(Decimal('1e100000000'))``); each must now be an InvalidInput naming the segment and element, or a
problem/finding of the file, and nothing else.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from cli_helpers import assert_one_line_error, run
from hypothesis import given, settings
from hypothesis import strategies as st
from tests_paths import REPO_ROOT

from dermbill.core.errors import InvalidInput
from dermbill.core.money import MAX_DIGITS, Money, plain_decimal
from dermbill.services.x12_files import validate_x12_file
from dermbill.x12.claim_837p_reader import read_837p
from dermbill.x12.remittance_835 import read_835
from dermbill.x12.tokenizer import MAX_SEGMENT, X12Error, iter_segments, segments_of
from dermbill.x12.transactions import transaction_sets

HOSTILE = ["NaN", "sNaN", "-sNaN", "Infinity", "-Infinity", "inf", "1e999999", "1e100000000", "1E2", "9" * 5000,
           "9" * (MAX_DIGITS + 1), "92233720368547758.08", "-92233720368547758.08", "9223372036854775808",
           "0x10", "1_000", "99999999999999999.9", "10000000000000.00", "-922337203685477.58", "١٢٣", "--1",
           "1.2.3", "+-1", "1 000"]

ENVELOPE = ("ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *260302*1200*^*00501*000000001*0*T*:~"
            "GS*HP*SUBMITTER*RECEIVER*20260302*1200*1*X*005010X221A1~")
REMIT = ENVELOPE + (
    "ST*835*0001~BPR*I*84.00*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999999999*DA*98765*20260310~"
    "TRN*1*TRACE42*1512345678~N1*PR*TEST PAYER~REF*2U*TSTMCR~N1*PE*TEST DERMATOLOGY*XX*1234567893~"
    "LX*1~CLP*D1E0000001*1*240.00*84.00*20.00*MB*PAYERICN1~NM1*QC*1*TEST*ALPHA****MI*TMCR1~"
    "SVC*HC:11102*240.00*84.00**1*HC:11102:XS~DTM*472*20260302~CAS*CO*45*136.00~CAS*PR*2*20.00~LQ*HE*M15~"
    "SE*13*0001~GE*1*1~IEA*1*000000001~"
)
# Where an 835 carries amounts and quantities: the element's name, the text to replace and its replacement.
REMIT_PLACES = {
    "BPR02": ("BPR*I*84.00*", "BPR*I*{}*"),
    "CLP03": ("CLP*D1E0000001*1*240.00*", "CLP*D1E0000001*1*{}*"),
    "CLP04": ("*240.00*84.00*20.00*", "*240.00*{}*20.00*"),
    "CLP05": ("*84.00*20.00*MB", "*84.00*{}*MB"),
    "SVC02": ("SVC*HC:11102*240.00*", "SVC*HC:11102*{}*"),
    "SVC05": ("*84.00**1*HC:11102:XS", "*84.00**{}*HC:11102:XS"),
    "CAS03": ("CAS*CO*45*136.00~", "CAS*CO*45*{}~"),
    "CAS04": ("CAS*CO*45*136.00~", "CAS*CO*45*136.00*{}~"),
}
CLEAN_837 = (REPO_ROOT / "tests" / "golden" / "x12" / "837p" / "original-medicare" / "expected.x12").read_text()
CLAIM_PLACES = {
    "CLM02": ("CLM*D1E0000001*750*", "CLM*D1E0000001*{}*"),
    "SV102": ("SV1*HC:11642*610*", "SV1*HC:11642*{}*"),
    "SV104": ("SV1*HC:11642*610*UN*1*", "SV1*HC:11642*610*UN*{}*"),
}


def _put(text: str, place: tuple[str, str], value: str) -> str:
    old, new = place
    assert old in text, old
    return text.replace(old, new.format(value), 1)


def _read_835(text: str) -> None:
    for transaction in transaction_sets(segments_of(text)):
        read_835(transaction)


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("element", sorted(REMIT_PLACES))
def test_a_hostile_835_amount_or_quantity_is_an_invalid_input_naming_the_element(element: str, value: str) -> None:
    with pytest.raises(InvalidInput, match=rf"segment \d+ \({element[:3]}\): {element} "):
        _read_835(_put(REMIT, REMIT_PLACES[element], value))


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("element", sorted(CLAIM_PLACES))
def test_a_hostile_837_amount_or_quantity_is_a_problem_naming_the_element(element: str, value: str) -> None:
    [transaction] = transaction_sets(segments_of(_put(CLEAN_837, CLAIM_PLACES[element], value)))
    received = read_837p(transaction)
    assert any(p.segment_id == element[:3] and p.message.startswith(element) for p in received.problems), \
        received.problems


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("element", sorted(CLAIM_PLACES))
def test_validate_reports_a_hostile_837_amount_as_a_finding(tmp_path: Path, element: str, value: str) -> None:
    if element == "SV104":  # validate checks totals, not units: only an exception would be wrong
        path = tmp_path / "claim.x12"
        path.write_text(_put(CLEAN_837, CLAIM_PLACES[element], value))
        validate_x12_file(path)
        return
    path = tmp_path / "claim.x12"
    path.write_text(_put(CLEAN_837, CLAIM_PLACES[element], value))
    findings = validate_x12_file(path)
    assert any(f"({element[:3]}): {element} " in finding for finding in findings), findings


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("element", sorted(REMIT_PLACES))
def test_validate_of_a_hostile_835_gives_an_invalid_input(tmp_path: Path, element: str, value: str) -> None:
    path = tmp_path / "remit.x12"
    path.write_text(_put(REMIT, REMIT_PLACES[element], value))
    with pytest.raises(InvalidInput, match=element):
        validate_x12_file(path)


@settings(max_examples=300, deadline=None)
@given((st.text(alphabet="0123456789.-+eEnaNIfityxs_ ", min_size=1, max_size=40)
        | st.from_regex(r"[0-9]{17,60}(\.[0-9]{0,4})?", fullmatch=True)).filter(lambda v: v.strip()))
def test_any_amount_text_gives_a_remittance_or_an_invalid_input_naming_it(value: str) -> None:
    for element in ("BPR02", "CLP04", "SVC05", "CAS04"):
        try:
            _read_835(_put(REMIT, REMIT_PLACES[element], value))
        except InvalidInput as exc:
            assert f"{element} '" in str(exc)
        else:  # accepted: then it was a plain decimal of at most 18 digits
            plain_decimal(value, element)


@pytest.mark.parametrize("value", ["92233720368547758.08", "10000000000000.00", "9" * 19, "1e3", "NaN", "9" * 5000])
def test_money_parse_refuses_what_no_column_can_hold(value: str) -> None:
    with pytest.raises(InvalidInput):
        Money.parse(value)


def test_the_largest_amount_still_parses() -> None:
    assert Money.parse("9999999999999.99") == Money(10**15 - 1)
    assert Money.parse("-9999999999999.99") == Money(-(10**15 - 1))
    assert plain_decimal("-12.50", "CLP04") == plain_decimal("-12.5", "CLP04")


def test_a_file_without_a_segment_terminator_is_refused_naming_the_offset() -> None:
    head = ENVELOPE + "ST*835*0001~BPR*I*"
    data = (head + "9" * (8 << 20)).encode()
    with pytest.raises(X12Error, match=rf"segment 4: the segment starting at character {len(head) - 6} runs on for "
                                       rf"more than {MAX_SEGMENT:,} characters without the segment terminator '~'"):
        list(iter_segments(io.BytesIO(data)))


def test_a_long_but_terminated_file_is_still_read_across_chunks() -> None:
    text = ENVELOPE + "ST*835*0001~" + "REF*ZZ*" + "A" * 70 + "~" * 1 + ("NTE*" + "B" * 900 + "~") * 3000
    segments = list(iter_segments(io.BytesIO(text.encode()), chunk_size=4096))
    assert len(segments) == 3 + 1 + 3000


@pytest.mark.parametrize(("element", "value"), [("BPR02", "9" * 5000), ("CLP04", "-922337203685477.58"),
                                                ("SVC05", "1e100000000"), ("CAS04", "sNaN"), ("SVC02", "Infinity")])
def test_era_post_of_a_hostile_835_is_one_line_naming_the_element(
        tmp_path: Path, element: str, value: str) -> None:
    url = f"sqlite:///{tmp_path / 'scratch.db'}"
    assert run("init", "--db", url).returncode == 0
    path = tmp_path / "remit.x12"
    path.write_text(_put(REMIT, REMIT_PLACES[element], value))
    assert_one_line_error(run("era", "post", "--db", url, str(path)), f"({element[:3]}): {element} '")
