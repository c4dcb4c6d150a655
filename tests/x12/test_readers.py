"""X12 readers on the public sample corpus, on hand-made files, and on garbage (typed errors, never crashes)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests_paths import SHARED

from dermbill.core.errors import InvalidInput
from dermbill.x12.parse import parse_file, parse_text
from dermbill.x12.tokenizer import X12Error, segments_of

SAMPLES = SHARED / "x12-samples"
FILES = sorted(p for p in SAMPLES.rglob("*") if p.is_file() and p.suffix != ".md") if SAMPLES.exists() else []
BROKEN_ON_PURPOSE = {"ims-err-no-isa-line.txt"}

ENVELOPE = ("ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *260302*1200*^*00501*000000001*0*T*:~"
            "GS*HP*SUBMITTER*RECEIVER*20260302*1200*1*X*005010X221A1~")
REMIT = ENVELOPE + (
    "ST*835*0001~BPR*I*84.00*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999999999*DA*98765*20260310~"
    "TRN*1*TRACE42*1512345678~N1*PR*TEST PAYER~REF*2U*TSTMCR~N1*PE*TEST DERMATOLOGY*XX*1234567893~"
    "LX*1~CLP*D1E0000001*1*240.00*84.00*20.00*MB*PAYERICN1~NM1*QC*1*TEST*ALPHA****MI*TMCR1~"
    "SVC*HC:11102*240.00*84.00**1*HC:11102:XS~DTM*472*20260302~CAS*CO*45*136.00~CAS*PR*2*20.00~LQ*HE*M15~"
    "CLP*D1E0000001*22*-240.00*-84.00*-20.00*MB*PAYERICN0~CAS*CO*45*-136.00~CAS*PR*2*-20.00~"
    "CLP*D1E0000001*1*240.00*84.00*20.00*MB*PAYERICN2~CAS*CO*45*130.00**253*6.00~CAS*PR*2*20.00~"
    "SE*21*0001~GE*1*1~IEA*1*000000001~"
)


@pytest.mark.skipif(not FILES, reason=f"{SAMPLES} not found")
@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.name}" for p in FILES])
def test_every_sample_parses_or_gives_a_typed_error(path: Path) -> None:
    if path.name in BROKEN_ON_PURPOSE:
        with pytest.raises(X12Error):
            parse_file(path)
        return
    parsed = parse_file(path)
    assert parsed["transactions"]
    assert parsed["transactions"][0]["type"] in {"835", "837", "999", "277", "277CA", "271", "270", "276"}


def test_835_claims_lines_adjustments_reversals_and_balance() -> None:
    [remit] = parse_text(REMIT)["transactions"]
    assert remit["payment"] == {"handling": "I", "amount": "84.00", "credit_debit": "C", "method": "ACH",
                                "date": "2026-03-10", "trace_number": "TRACE42", "originator": "1512345678",
                                  "trace_reference": ""}
    assert remit["payer"] == {"name": "TEST PAYER", "identifier": "TSTMCR"}
    assert remit["payee"]["npi"] == "1234567893"
    first, reversal, corrected = remit["claims"]
    assert (first["charge"], first["paid"], first["patient_responsibility"]) == ("240.00", "84.00", "20.00")
    [line] = first["lines"]
    assert (line["code"], line["modifiers"], line["submitted_modifiers"]) == ("11102", [], ["XS"])
    assert line["adjustments"] == [{"group": "CO", "reason": "45", "amount": "136.00", "quantity": None},
                                   {"group": "PR", "reason": "2", "amount": "20.00", "quantity": None}]
    assert line["remarks"] == ["M15"] and line["service_date"] == "2026-03-02"
    assert reversal["status_code"] == "22" and reversal["paid"] == "-84.00"
    assert [a["reason"] for a in reversal["adjustments"]] == ["45", "2"]
    assert corrected["payer_claim_control_number"] == "PAYERICN2"
    assert [a["reason"] for a in corrected["adjustments"]] == ["45", "253", "2"]  # two triples in one CAS
    assert remit["balance"] == {"balanced": True, "problems": []}


def test_an_unbalanced_835_is_reported() -> None:
    [remit] = parse_text(REMIT.replace("BPR*I*84.00", "BPR*I*85.00"))["transactions"]
    assert remit["balance"]["balanced"] is False
    assert "BPR02 85.00 does not equal the claims paid 84.00" in remit["balance"]["problems"][0]
    [remit] = parse_text(REMIT.replace("CAS*CO*45*136.00~CAS*PR*2*20.00~LQ", "CAS*CO*45*130.00~CAS*PR*2*20.00~LQ"))[
        "transactions"]
    assert any("line 11102" in p for p in remit["balance"]["problems"])


def test_a_bad_amount_names_the_segment_and_element() -> None:
    with pytest.raises(X12Error, match=r"segment 10 \(CLP\): CLP04 'abc' is not an amount"):
        parse_text(REMIT.replace("CLP*D1E0000001*1*240.00*84.00", "CLP*D1E0000001*1*240.00*abc", 1))


def test_delimiters_come_from_the_isa() -> None:
    odd = REMIT.replace("*", "|").replace("~", "\n").replace("HC:", "HC>").replace("|:\n", "|>\n", 1)
    [remit] = parse_text("\ufeff" + odd)["transactions"]
    assert remit["claims"][0]["lines"][0]["code"] == "11102"
    assert remit["balance"]["balanced"]


def test_one_file_may_hold_several_interchanges() -> None:
    assert len(parse_text(REMIT + "\r\n" + REMIT)["transactions"]) == 2


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes_never_crash(data: bytes) -> None:
    with contextlib.suppress(InvalidInput):
        parse_text(data)


@settings(max_examples=300, deadline=None)
@given(position=st.integers(0, len(REMIT) - 1), replacement=st.text(max_size=3), cut=st.booleans())
def test_mutated_remittances_never_crash(position: int, replacement: str, cut: bool) -> None:
    text = REMIT[:position] if cut else REMIT[:position] + replacement + REMIT[position + 1:]
    with contextlib.suppress(InvalidInput):
        parse_text(text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.text(alphabet="ABCDEFGHIJ0123456789.-", max_size=8), min_size=1, max_size=6),
                min_size=1, max_size=20),
       st.sampled_from(["~", "~\n", "~\r\n", "~\n    "]))
def test_segments_read_back_as_written(segments: list[list[str]], terminator: str) -> None:
    body = "".join("ZZ*" + "*".join(elements) + terminator for elements in segments)
    text = ENVELOPE + "ST*835*0001~" + body
    read = [s.elements[1:] for _, s in segments_of(text)][3:]
    assert read == segments


def test_validate_checks_claim_totals_and_npis(tmp_path: Path) -> None:
    from dermbill.services.x12_files import validate_x12_file

    sample = SAMPLES / "837p" / "ims-valid.txt"
    if not sample.exists():
        pytest.skip(f"{sample} not found")
    findings = validate_x12_file(sample)
    assert any("SE01 says" in f for f in findings) and any("fails its check digit" in f for f in findings)
    broken = tmp_path / "broken.x12"
    text = sample.read_text()
    clm_start = text.index("CLM*")
    amount = text[clm_start:].split("*")[2]
    broken.write_text(text[:clm_start] + text[clm_start:].replace(f"*{amount}*", "*99999*", 1))
    assert any("is not the sum of its lines' charges" in f for f in validate_x12_file(broken))
