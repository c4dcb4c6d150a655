"""``dermbill x12 validate``: envelope errors (control numbers, counts, missing trailers, repeated ISA13, GS08 that
does not fit the transaction), NPIs, one line per problem naming segment and element; compared with pyx12."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests_paths import REPO_ROOT, SHARED

from dermbill.core.errors import InvalidInput
from dermbill.services.x12_files import validate_x12_file

# A small 837P that pyx12 accepts (the writer's golden file); each case below breaks one thing in it.
CLEAN = (REPO_ROOT / "tests" / "golden" / "x12" / "837p" / "original-medicare" / "expected.x12").read_text()
LINES = CLEAN.splitlines(keepends=True)
SEGMENTS = len(LINES)  # 42: ISA is segment 1, IEA segment 42
SAMPLES = SHARED / "x12-samples"


def _replace(old: str, new: str) -> str:
    assert CLEAN.count(old) == 1
    return CLEAN.replace(old, new)


def _without(*prefixes: str) -> str:
    return "".join(line for line in LINES if not line.startswith(prefixes))


CASES = {
    "ge02-does-not-match-gs06": (_replace("GE*1*42~", "GE*1*43~"),
                                 ["segment 41 (GE): GE02 '43' does not match GS06 '42' (segment 2)"]),
    "iea02-does-not-match-isa13": (_replace("IEA*1*000000041~", "IEA*1*000000042~"),
                                   ["segment 42 (IEA): IEA02 '000000042' does not match ISA13 '000000041' "
                                    "(segment 1)"]),
    "ge01-count": (_replace("GE*1*42~", "GE*2*42~"),
                   ["segment 41 (GE): GE01 says 2 transaction sets; the group has 1"]),
    "iea01-count": (_replace("IEA*1*000000041~", "IEA*2*000000041~"),
                    ["segment 42 (IEA): IEA01 says 2 functional groups; the interchange has 1"]),
    "no-iea": (_without("IEA"),
               ["end of file after segment 41: no IEA closes interchange ISA13 '000000041' (segment 1)"]),
    "no-ge-no-iea": (_without("GE", "IEA"),
                     ["end of file after segment 40: no GE closes functional group GS06 '42' (segment 2)",
                      "end of file after segment 40: no IEA closes interchange ISA13 '000000041' (segment 1)"]),
    "no-gs": (_without("GS", "GE"),
              ["segment 2 (ST): transaction set 0043 is not inside a functional group (no GS before it)",
               "segment 40 (IEA): IEA01 says 1 functional groups; the interchange has 0"]),
    "truncated": ("".join(LINES[:20]),
                  ["837 0043: end of file after segment 20: no SE closes transaction set 0043 (segment 3)",
                   "end of file after segment 20: no GE closes functional group GS06 '42' (segment 2)",
                   "end of file after segment 20: no IEA closes interchange ISA13 '000000041' (segment 1)"]),
    "repeated-isa13": (CLEAN + CLEAN,
                       ["segment 43 (ISA): ISA13 '000000041' repeats the interchange control number of segment 1"
                        " (each interchange needs its own)"]),
    "repeated-st02-in-a-group": (
        _replace("GE*1*42~", "".join(LINES[2:40]) + "GE*2*42~"),
        ["segment 41 (ST): ST02 '0043' repeats the transaction set control number of segment 3"
         " (each set in a group needs its own)"]),
    "gs08-guide-of-another-transaction": (
        _replace("*42*X*005010X222A1~", "*42*X*005010X221A1~"),
        ["segment 3 (ST): ST03 '005010X222A1' does not match GS08 '005010X221A1' (segment 2)",
         "segment 3 (ST): GS08 '005010X221A1' is the guide for an 835, not for this 837"]),
    "st03-differs-from-gs08": (
        _replace("ST*837*0043*005010X222A1~", "ST*837*0043*005010X222~"),
        ["segment 3 (ST): ST03 '005010X222' does not match GS08 '005010X222A1' (segment 2)"]),
    "gs01-of-another-transaction": (
        _replace("GS*HC*", "GS*HP*"),
        ["segment 3 (ST): an 837 does not belong in a GS01 'HP' functional group (it needs HC)"]),
}
# pyx12 4.0 chooses its map by GS01 and GS08 and never compares ST03 with GS08 (which 005010 requires);
# the other envelope errors it reports as we do.
PYX12_SILENT = {"st03-differs-from-gs08"}


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.x12"
    path.write_text(text)
    return path


def _pyx12_accepts(path: Path) -> bool:
    validator = Path(sys.executable).parent / "x12valid"
    result = subprocess.run([str(validator), str(path)], capture_output=True, text=True, timeout=120)
    return f"{path}: OK" in result.stderr


def test_the_clean_file_has_no_findings_and_pyx12_agrees(tmp_path: Path) -> None:
    path = _write(tmp_path, "clean", CLEAN)
    assert validate_x12_file(path) == []
    assert _pyx12_accepts(path)


@pytest.mark.parametrize("name", sorted(CASES))
def test_envelope_errors_are_found_one_line_each(tmp_path: Path, name: str) -> None:
    text, expected = CASES[name]
    findings = validate_x12_file(_write(tmp_path, name, text))
    assert findings == expected
    assert all("\n" not in finding for finding in findings)


@pytest.mark.parametrize("name", sorted(set(CASES) - PYX12_SILENT))
def test_pyx12_also_rejects_each_broken_envelope(tmp_path: Path, name: str) -> None:
    assert not _pyx12_accepts(_write(tmp_path, name, CASES[name][0]))


def test_a_bare_transaction_set_without_an_envelope_is_reported(tmp_path: Path) -> None:
    body = "".join(LINES[2:-2])
    findings = validate_x12_file(_write(tmp_path, "bare", body))
    assert findings == ["segment 1 (ST): the file has no interchange envelope (ISA/GS before ST, GE/IEA after SE)"]


def test_se01_and_se02_notices_name_their_segment(tmp_path: Path) -> None:
    text = _replace("SE*38*0043~", "SE*37*0044~")
    assert validate_x12_file(_write(tmp_path, "se", text)) == [
        "837 0043: segment 40 (SE): SE01 says 37 segments; the set has 38",
        "837 0043: segment 40 (SE): SE02 '0044' does not match ST02 '0043' (segment 3)",
    ]


def test_a_claim_total_that_is_not_the_sum_of_its_lines_names_the_clm_segment(tmp_path: Path) -> None:
    text = _replace("CLM*D1E0000001*750*", "CLM*D1E0000001*760*")
    assert validate_x12_file(_write(tmp_path, "clm", text)) == [
        "segment 24 (CLM): claim D1E0000001: CLM02 760 is not the sum of its lines' charges (SV102) 750"]


@pytest.mark.parametrize(("npi", "problem"), [
    ("9876543213", "must start with 1 or 2"),  # check digit right for its base; the first digit is wrong
    ("1234567890", "fails its check digit (the last digit would be 3)"),
    ("123456789", "must be exactly ten digits"),
])
def test_npi_findings_say_what_is_wrong(tmp_path: Path, npi: str, problem: str) -> None:
    text = _replace("XX*1234560013~", f"XX*{npi}~")
    assert validate_x12_file(_write(tmp_path, "npi", text)) == [
        f"segment 26 (NM1): NM109 NPI '{npi}' of NM1*82 {problem}"]


def test_validate_exits_1_on_findings_0_when_clean_2_when_unreadable(tmp_path: Path) -> None:
    clean = run("x12", "validate", str(_write(tmp_path, "clean", CLEAN)))
    assert (clean.returncode, clean.stdout.strip()) == (0, "no problems found")
    broken = run("x12", "validate", str(_write(tmp_path, "broken", _replace("GE*1*42~", "GE*1*43~"))))
    assert broken.returncode == 1 and "GE02 '43' does not match GS06 '42'" in broken.stdout
    missing = run("x12", "validate", str(tmp_path / "nosuch.x12"))
    assert missing.returncode == 2 and missing.stderr.startswith("error: cannot read")


# Public samples with no envelope, NPI, balancing or claim-total problem: they must stay clean.
CLEAN_SAMPLES = [
    "270/lfh-dependent.270", "270/lfh-subscriber.270", "270/oop-ig-example1.txt", "270/oop-ig-example1-0x1d.txt",
    "271/lfh-dependent.271", "271/lfh-subscriber.271", "277/lfh-information-receiver-level-status.277",
    "835/kei-uhc-legacy.txt", "835/lfh-cob-contractual.835", "835/lfh-secondary.835", "835/pyx12-mult-loops.txt",
    "837p/lfh-example1.837", "837p/lfh-drug-example10-1.837", "999/ims-rejected.txt", "999/oop-dhs-wisconsin.txt",
]


@pytest.mark.skipif(not SAMPLES.exists(), reason=f"{SAMPLES} not found")
@pytest.mark.parametrize("name", CLEAN_SAMPLES)
def test_public_samples_without_problems_stay_clean(name: str) -> None:
    assert validate_x12_file(SAMPLES / name) == []


# Public samples whose envelopes are wrong: what we report, and what pyx12 reports on the same file.
ENVELOPE_SAMPLES = {
    "999/ims-accepted.txt": (["segment 10 (IEA): IEA02 '000000001' does not match ISA13 '000000286' (segment 1)"],
                             ["IEA id=000000001 does not match ISA id=000000286"]),
    "837p/ims-multiple-st.txt": (
        ["segment 37 (ST): ST02 '987654' repeats the transaction set control number of segment 3 (each set in a "
         "group needs its own)",
         "segment 71 (GE): GE01 says 1 transaction sets; the group has 2"],
        ["ST Interchange Control Number 987654 not unique", "GE count of 1 for GE02=1 is wrong"]),
    "837p/ims-multiple-gs.txt": (
        ["segment 38 (GS): GS06 '1' repeats the group control number of segment 2 (each group in an interchange "
         "needs its own)",
         "segment 74 (GS): GS06 '1' repeats the group control number of segment 2 (each group in an interchange "
         "needs its own)",
         "segment 110 (IEA): IEA01 says 1 functional groups; the interchange has 3"],
        ["GS Interchange Control Number 1 not unique", "IEA count for IEA02=000000905 is wrong"]),
}


@pytest.mark.skipif(not SAMPLES.exists(), reason=f"{SAMPLES} not found")
@pytest.mark.parametrize("name", sorted(ENVELOPE_SAMPLES))
def test_envelope_errors_in_public_samples_match_pyx12(tmp_path: Path, name: str) -> None:
    ours, theirs = ENVELOPE_SAMPLES[name]
    findings = validate_x12_file(SAMPLES / name)
    envelope = ("(ISA)", "(GS)", "(ST)", "(GE)", "(IEA)")
    assert [f for f in findings if f.startswith("end of file") or f.split(":")[0].endswith(envelope)] == ours
    # x12valid writes its 997 beside the file it reads: give it a copy, never the shared original.
    copy = tmp_path / Path(name).name
    copy.write_bytes((SAMPLES / name).read_bytes())
    validator = Path(sys.executable).parent / "x12valid"
    result = subprocess.run([str(validator), str(copy)], capture_output=True, text=True, timeout=120)
    assert all(message in result.stderr for message in theirs), result.stderr[-3000:]


GOLDEN = sorted((REPO_ROOT / "tests" / "golden" / "x12").rglob("expected.x12"))


@pytest.mark.parametrize("path", GOLDEN, ids=[p.parent.relative_to(REPO_ROOT / "tests" / "golden").as_posix()
                                               for p in GOLDEN])
def test_every_file_our_writers_produce_validates_clean(path: Path) -> None:
    """GS01 and GS08 fit each transaction type we write (HC/X222A1, FA/X231A1, HN/X214, HB/X279A1 ...)."""
    assert validate_x12_file(path) == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(0, len(CLEAN) - 1), replacement=st.sampled_from(["", "~", "*", "GE*", "IEA*", "ST*"]),
       cut=st.booleans())
def test_a_mangled_file_gives_findings_or_a_typed_error(tmp_path: Path, position: int, replacement: str,
                                                        cut: bool) -> None:
    text = CLEAN[:position] if cut else CLEAN[:position] + replacement + CLEAN[position + 1:]
    path = _write(tmp_path, "mangled", text)
    try:
        findings = validate_x12_file(path)
    except InvalidInput:
        return
    assert all(isinstance(f, str) and "\n" not in f for f in findings)
    if cut and position < len(CLEAN) - len(LINES[-1]):
        assert findings  # a file cut before its IEA is never clean
