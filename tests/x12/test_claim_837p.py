"""837P writer: golden files, the independent validator pyx12, and reading back what was written."""

from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path

import pytest
from claim_strategies import lines
from hypothesis import given, settings
from hypothesis import strategies as st

from dermbill.core.money import Money
from dermbill.x12.claim_837p import (
    Address,
    Adjustment,
    Batch837,
    BillingProvider,
    Claim837,
    LineAdjudication,
    OtherPayer,
    Payer,
    Person,
    ServiceLine,
    write_837p,
)
from dermbill.x12.envelope import ClearinghouseProfile, ControlNumbers
from dermbill.x12.parse import parse_text

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "x12" / "837p"
NOW = datetime.datetime(2026, 3, 5, 12, 0, tzinfo=datetime.UTC)
PROFILE = ClearinghouseProfile("DERMBILLTEST", "TEST DERM BILLING CO", "TEST CONTACT", "2155550100",
                               "CLEARINGHOUSE", "TEST CLEARINGHOUSE")
OFFICE = Address("100 TEST ALPHA AVE", "ANYTOWN", "PA", "190990001")
BILLING = BillingProvider("TEST DERMATOLOGY ASSOCIATES", "1234561003", "990000001", "207N00000X", OFFICE,
                          pay_to=Address("PO BOX 100", "ANYTOWN", "PA", "190990100"))
HOME = Address("1 TEST ST", "ANYTOWN", "PA", "19099")
PATIENT = Person("TESTALPHA", "BRAVO", datetime.date(1950, 1, 2), "F", HOME)
MEDICARE = Payer("TEST MEDICARE", "TSTMCR")
BLUE = Payer("TEST BLUE PLAN", "TSTBLU")
DOS = datetime.date(2026, 3, 2)


def _line(pcn: str, n: int, code: str, cents: int, pointers: tuple[int, ...], modifiers: tuple[str, ...] = (),
          units: int = 1, adjudication: LineAdjudication | None = None) -> ServiceLine:
    return ServiceLine(code, modifiers, Money(cents), units, pointers, DOS, f"{pcn}-{n}", adjudication)


def _original() -> Claim837:
    lines = (_line("D1E0000001", 1, "11642", 61000, (1,)), _line("D1E0000001", 2, "17000", 12000, (2,), ("XS",)),
             _line("D1E0000001", 3, "17003", 2000, (2,), units=2))
    return Claim837("D1E0000001", Money(75000), "11", "1", ("C44.311", "L57.0"), lines, MEDICARE, "P", "MB",
                    PATIENT, "1EG4TE5MK73", None, "18", PATIENT, rendering_npi="1234560013",
                    rendering_name=Person("TESTDOC", "ALPHA"), rendering_taxonomy="207N00000X")


def _dependent_replacement() -> Claim837:
    child = Person("TESTALPHA", "CHARLIE", datetime.date(2010, 5, 6), "M", HOME)
    lines = (_line("D1E0000002", 1, "99213", 15000, (1,), ("25",)), _line("D1E0000002", 2, "11102", 24000, (2,)))
    return Claim837("D1E0000002", Money(39000), "11", "7", ("L70.0", "D22.5"), lines, BLUE, "P", "BL", PATIENT,
                    "TBLU123456789", "TG1234", "19", child, payer_claim_number="BLUEICN777",
                    prior_authorization="AUTH42", facility_name="D1 NORTH OFFICE",
                    facility_address=Address("7 TEST BRAVO RD", "ANYTOWN", "PA", "190990007"))


def _secondary() -> Claim837:
    adjustments = (Adjustment("CO", "45", Money(13600)), Adjustment("PR", "2", Money(2000)))
    adjudicated = LineAdjudication("TSTMCR", Money(8400), "11102", (), 1, adjustments, datetime.date(2026, 3, 20))
    other = OtherPayer(MEDICARE, "P", PATIENT, "1EG4TE5MK73", "18", "MB", Money(8400))
    return Claim837("D1E0000003", Money(24000), "11", "1", ("D22.5",),
                    (_line("D1E0000003", 1, "11102", 24000, (1,), adjudication=adjudicated),), BLUE, "S", "BL",
                    PATIENT, "TBLU555", "TG1234", "18", PATIENT, other_payers=(other,))


def _void() -> Claim837:
    return Claim837("D1E0000004", Money(12000), "11", "8", ("L57.0",), (_line("D1E0000004", 1, "17000", 12000, (1,)),),
                    MEDICARE, "P", "MB", PATIENT, "1EG4TE5MK73", None, "18", PATIENT, payer_claim_number="MCRICN1")


CASES = {
    "original-medicare": (_original(),),
    "dependent-replacement-facility": (_dependent_replacement(),),
    "secondary-with-primary-adjudication": (_secondary(),),
    "void": (_void(),),
    "two-payers-one-file": (_original(), _dependent_replacement(), _secondary()),
}


def _write(name: str) -> str:
    return write_837p(Batch837(BILLING, CASES[name], "BATCH1"), PROFILE, ControlNumbers(41, 42, 43), NOW)


@pytest.mark.parametrize("name", sorted(CASES))
def test_837p_matches_its_golden_file(name: str, request: pytest.FixtureRequest) -> None:
    text = _write(name)
    golden = GOLDEN / name / "expected.x12"
    if request.config.getoption("--update-golden"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text)
    assert text == golden.read_text(), f"regenerate with pytest --update-golden and review {golden}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_837p_passes_the_independent_validator(name: str, tmp_path: Path) -> None:
    path = tmp_path / f"{name}.x12"
    path.write_text(_write(name))
    validator = Path(sys.executable).parent / "x12valid"
    result = subprocess.run([str(validator), str(path)], capture_output=True, text=True, timeout=120)
    assert f"{path}: OK" in result.stderr, result.stderr[-3000:]


@pytest.mark.parametrize("name", sorted(CASES))
def test_837p_reads_back_as_written(name: str) -> None:
    claims = CASES[name]
    parsed = parse_text(_write(name))["transactions"]
    payers = {claim.payer.payer_id for claim in claims}
    assert len(parsed) == len(payers)
    segments = [s for t in parsed for s in t["segments"]]
    clm = [s for s in segments if s[0] == "CLM"]
    assert [s[1] for s in clm] == [c.patient_control_number for c in sorted(
        claims, key=lambda c: list(dict.fromkeys(x.payer.payer_id for x in claims)).index(c.payer.payer_id))]
    sv1 = [s for s in segments if s[0] == "SV1"]
    assert sorted(s[1].split(":")[1] for s in sv1) == sorted(line.code for c in claims for line in c.lines)
    for transaction in parsed:
        assert transaction["notices"] == []  # SE counts and control numbers agree


@settings(max_examples=60, deadline=None)
@given(lines=lines, diagnoses=st.lists(st.sampled_from(["C44.311", "L57.0", "D22.5", "L82.0", "B07.8"]),
                                       min_size=1, max_size=5, unique=True))
def test_what_is_written_reads_back(lines: list[tuple[str, Money, int, list[str]]], diagnoses: list[str]) -> None:
    service = tuple(ServiceLine(code, tuple(mods), charge, units, (1 + i % len(diagnoses),), DOS, f"P-{i}")
                    for i, (code, charge, units, mods) in enumerate(lines))
    total = Money(sum(line.charge.cents for line in service))
    claim = _original()
    claim = Claim837(claim.patient_control_number, total, "11", "1", tuple(diagnoses), service, MEDICARE, "P", "MB",
                     PATIENT, "1EG4TE5MK73", None, "18", PATIENT)
    text = write_837p(Batch837(BILLING, (claim,), "B"), PROFILE, ControlNumbers(1, 1, 1), NOW)
    [transaction] = parse_text(text)["transactions"]
    assert transaction["notices"] == []
    segments = transaction["segments"]
    [clm] = [s for s in segments if s[0] == "CLM"]
    assert Money.parse(clm[2]) == total
    sv1 = [s for s in segments if s[0] == "SV1"]
    read = [(s[1].split(":")[1], Money.parse(s[2]), int(s[4]), s[1].split(":")[2:]) for s in sv1]
    assert read == [(code, charge, units, mods) for code, charge, units, mods in lines]
    [hi] = [s for s in segments if s[0] == "HI"]
    assert [h.split(":")[1] for h in hi[1:]] == [d.replace(".", "") for d in diagnoses]
