"""Synthetic, obviously fake people and organizations for the demo: practices, providers, payers, patients.

Names are TEST names (last name TEST plus a NATO word), NPIs follow the 1234567893 example pattern
(123456xxx plus its check digit), phones are 555-01xx, e-mails are @example.com, addresses are on
TEST streets in ANYTOWN. Nothing here looks like a real person. Deterministic for a given rng.
"""

from __future__ import annotations

import datetime
import random
import string
from dataclasses import dataclass

from dermbill.core.identifiers import npi_check_digit

NATO = (
    "ALPHA", "BRAVO", "CHARLIE", "DELTA", "ECHO", "FOXTROT", "GOLF", "HOTEL", "INDIA", "JULIETT",
    "KILO", "LIMA", "MIKE", "NOVEMBER", "OSCAR", "PAPA", "QUEBEC", "ROMEO", "SIERRA", "TANGO",
    "UNIFORM", "VICTOR", "WHISKEY", "XRAY", "YANKEE", "ZULU",
)
DERMATOLOGY_TAXONOMY = "207N00000X"
MOHS_TAXONOMY = "207ND0101X"  # dermatology, MOHS-micrographic surgery
# Medicare Beneficiary Identifier alphabet: letters except S, L, O, I, B, Z.
_MBI_LETTERS = "".join(c for c in string.ascii_uppercase if c not in "SLOIBZ")


def fake_npi(serial: int) -> str:
    """A valid NPI in the 123456xxx example range: 123456000 + serial, plus its check digit."""
    base = f"{123456000 + serial:09d}"
    return base + str(npi_check_digit(base))


@dataclass(frozen=True, slots=True)
class FakeAddress:
    line1: str
    city: str
    state: str
    zip_code: str


@dataclass(frozen=True, slots=True)
class FakeProvider:
    last_name: str
    first_name: str
    credential: str
    npi: str
    taxonomy: str


@dataclass(frozen=True, slots=True)
class FakeLocation:
    name: str
    place_of_service: str
    address: FakeAddress


@dataclass(frozen=True, slots=True)
class FakePractice:
    code: str
    legal_name: str
    tin: str
    billing_npi: str
    taxonomy: str
    phone: str
    address: FakeAddress
    pay_to: FakeAddress | None
    providers: tuple[FakeProvider, ...]
    locations: tuple[FakeLocation, ...]
    charge_multiplier_percent: int  # the practice's charges as a percentage of the Medicare amount
    share_of_patients_percent: int


@dataclass(frozen=True, slots=True)
class FakePayer:
    key: str
    name: str
    payer_identifier: str
    kind: str
    claim_filing_indicator_code: str
    timely_filing_days: int
    copay_cents: tuple[int, ...]  # office-visit copays its plans carry (empty: none)
    appeals: FakeAddress | None = None  # where appeals are mailed


@dataclass(frozen=True, slots=True)
class FakeCoverage:
    payer_key: str
    member_id: str
    group_number: str | None
    coverage_order: str
    relationship_code: str
    subscriber_last_name: str | None
    subscriber_first_name: str | None
    subscriber_date_of_birth: datetime.date | None
    subscriber_sex: str | None
    copay_cents: int | None
    effective_date: datetime.date
    termination_date: datetime.date | None


@dataclass(frozen=True, slots=True)
class FakePatient:
    account_number: str
    last_name: str
    first_name: str
    date_of_birth: datetime.date
    sex: str
    address: FakeAddress
    phone: str
    email: str
    coverages: tuple[FakeCoverage, ...]


def _address(rng: random.Random) -> FakeAddress:
    return FakeAddress(
        line1=f"{rng.randint(1, 9999)} TEST {rng.choice(NATO)} ST",
        city="ANYTOWN",
        state="PA",
        zip_code=f"1{rng.randint(5000, 9699):04d}",
    )


ORGANIZATION_NAME = "TEST DERM BILLING CO (DEMO)"

PAYERS: tuple[FakePayer, ...] = (
    FakePayer("medicare", "TEST MEDICARE PART B (DEMO)", "TSTMCR", "medicare", "MB", 365, (),
              FakeAddress("PO BOX 10001 REDETERMINATIONS", "ANYTOWN", "PA", "190990101")),
    FakePayer("medicaid", "TEST STATE MEDICAID (DEMO)", "TSTMCD", "medicaid", "MC", 180, (0, 300),
              FakeAddress("PO BOX 10002 PROVIDER APPEALS", "ANYTOWN", "PA", "190990102")),
    FakePayer("blue", "TEST BLUE PLAN (DEMO)", "TSTBLU", "commercial", "BL", 180, (3000, 4000, 5000),
              FakeAddress("PO BOX 10003 RECONSIDERATIONS", "ANYTOWN", "PA", "190990103")),
    FakePayer("national", "TEST NATIONAL HEALTH (DEMO)", "TSTNAT", "commercial", "CI", 90, (2500, 4000, 6000),
              FakeAddress("PO BOX 10004 CLAIM APPEALS", "ANYTOWN", "PA", "190990104")),
    FakePayer("hmo", "TEST COMMUNITY HMO (DEMO)", "TSTHMO", "commercial", "HM", 120, (2000, 3500),
              FakeAddress("PO BOX 10005 PROVIDER DISPUTES", "ANYTOWN", "PA", "190990105")),
)


def demo_practices() -> tuple[FakePractice, ...]:
    """Two dermatology practices with five providers between them (fixed, not random)."""
    return (
        FakePractice(
            code="D1",
            legal_name="TEST DERMATOLOGY ASSOCIATES (DEMO)",
            tin="990000001",
            billing_npi=fake_npi(100),
            taxonomy=DERMATOLOGY_TAXONOMY,
            phone="2155550100",
            address=FakeAddress("100 TEST ALPHA AVE", "ANYTOWN", "PA", "190990001"),
            pay_to=FakeAddress("PO BOX 100", "ANYTOWN", "PA", "190990100"),
            providers=(
                FakeProvider("TESTDOC", "ALPHA", "MD", fake_npi(1), DERMATOLOGY_TAXONOMY),
                FakeProvider("TESTDOC", "BRAVO", "DO", fake_npi(2), DERMATOLOGY_TAXONOMY),
                FakeProvider("TESTDOC", "CHARLIE", "PA-C", fake_npi(3), "363A00000X"),
            ),
            locations=(
                FakeLocation("D1 MAIN OFFICE", "11", FakeAddress("100 TEST ALPHA AVE", "ANYTOWN", "PA", "190990001")),
                FakeLocation("D1 NORTH OFFICE", "11", FakeAddress("7 TEST BRAVO RD", "ANYTOWN", "PA", "190990007")),
            ),
            charge_multiplier_percent=250,
            share_of_patients_percent=60,
        ),
        FakePractice(
            code="D2",
            legal_name="TEST SKIN AND MOHS CENTER (DEMO)",
            tin="990000002",
            billing_npi=fake_npi(200),
            taxonomy=DERMATOLOGY_TAXONOMY,
            phone="2155550200",
            address=FakeAddress("200 TEST DELTA BLVD", "ANYTOWN", "PA", "190980002"),
            pay_to=None,
            providers=(
                FakeProvider("TESTDOC", "DELTA", "MD", fake_npi(4), MOHS_TAXONOMY),
                FakeProvider("TESTDOC", "ECHO", "MD", fake_npi(5), DERMATOLOGY_TAXONOMY),
            ),
            locations=(
                FakeLocation("D2 SKIN CENTER", "11", FakeAddress("200 TEST DELTA BLVD", "ANYTOWN", "PA", "190980002")),
            ),
            charge_multiplier_percent=300,
            share_of_patients_percent=40,
        ),
    )


def _mbi(rng: random.Random) -> str:
    """A Medicare Beneficiary Identifier in the CMS format (C A AN N A AN N A A N N)."""
    alnum = _MBI_LETTERS + string.digits
    pattern = ("123456789", _MBI_LETTERS, alnum, string.digits, _MBI_LETTERS, alnum, string.digits,
               _MBI_LETTERS, _MBI_LETTERS, string.digits, string.digits)
    return "".join(rng.choice(chars) for chars in pattern)


def _member_id(rng: random.Random, payer: FakePayer) -> str:
    if payer.kind == "medicare":
        return _mbi(rng)
    return f"T{payer.payer_identifier[3:]}{rng.randint(10**8, 10**9 - 1)}"


def _age(rng: random.Random) -> int:
    # Dermatology panels skew older: skin cancer and actinic damage rise with age.
    band = rng.choices(((1, 17), (18, 39), (40, 64), (65, 79), (80, 96)), weights=(8, 20, 36, 26, 10))[0]
    return rng.randint(*band)


def _coverage(
    rng: random.Random, payer: FakePayer, order: str, start: datetime.date, *,
    relationship: str = "18", subscriber: tuple[str, str, datetime.date, str] | None = None,
    termination: datetime.date | None = None,
) -> FakeCoverage:
    return FakeCoverage(
        payer_key=payer.key,
        member_id=_member_id(rng, payer),
        group_number=None if payer.kind in ("medicare", "medicaid") else f"TG{rng.randint(1000, 9999)}",
        coverage_order=order,
        relationship_code=relationship,
        subscriber_last_name=subscriber[0] if subscriber else None,
        subscriber_first_name=subscriber[1] if subscriber else None,
        subscriber_date_of_birth=subscriber[2] if subscriber else None,
        subscriber_sex=subscriber[3] if subscriber else None,
        copay_cents=rng.choice(payer.copay_cents) if payer.copay_cents and order == "primary" else None,
        effective_date=start,
        termination_date=termination,
    )


def fake_patient(rng: random.Random, serial: int, practice_code: str, *, as_of: datetime.date) -> FakePatient:
    """One fake patient with coverages that fit the age: Medicare from 65, commercial or Medicaid below."""
    payers = {p.key: p for p in PAYERS}
    commercial = [p for p in PAYERS if p.kind == "commercial"]
    age = _age(rng)
    sex = rng.choices("FMU", weights=(52, 47, 1))[0]
    birth = as_of.replace(year=as_of.year - age, month=1, day=1) - datetime.timedelta(days=rng.randint(1, 364))
    last_name = f"TEST{NATO[serial % 26]}"
    first_name = f"{NATO[(serial // 26) % 26]}{serial:05d}"
    coverages: list[FakeCoverage] = []
    year_start = as_of.replace(month=1, day=1)
    roll = rng.random()
    if age >= 65:
        # Part B starts the month the patient turns 65.
        medicare_start = birth.replace(year=birth.year + 65, day=1)
        coverages.append(_coverage(rng, payers["medicare"], "primary", medicare_start))
        if roll < 0.45:  # a supplement (Medigap) as secondary
            coverages.append(_coverage(rng, rng.choice(commercial), "secondary", year_start))
        elif roll < 0.55:  # dual eligible
            coverages.append(_coverage(rng, payers["medicaid"], "secondary", year_start))
    elif roll < 0.16:
        coverages.append(_coverage(rng, payers["medicaid"], "primary", year_start))
    elif roll < 0.92:
        payer = rng.choice(commercial)
        if age < 26:  # a dependent on a parent's plan
            parent = (f"TEST{NATO[(serial + 7) % 26]}", f"PARENT{serial:05d}",
                      birth - datetime.timedelta(days=rng.randint(20 * 365, 40 * 365)), rng.choice("FM"))
            coverages.append(_coverage(rng, payer, "primary", year_start, relationship="19", subscriber=parent))
        elif rng.random() < 0.06:  # changed plans this year: the old coverage ended
            switch = year_start + datetime.timedelta(days=rng.randint(30, 200))
            old = rng.choice([p for p in commercial if p is not payer])
            coverages.append(_coverage(rng, old, "primary", year_start.replace(year=year_start.year - 2),
                                       termination=switch - datetime.timedelta(days=1)))
            coverages.append(_coverage(rng, payer, "primary", switch))
        else:
            coverages.append(_coverage(rng, payer, "primary", year_start.replace(year=year_start.year - 1)))
    # else: self-pay, no coverage
    return FakePatient(
        account_number=f"{practice_code}-{serial:06d}",
        last_name=last_name,
        first_name=first_name,
        date_of_birth=birth,
        sex=sex,
        address=_address(rng),
        phone=f"215555{rng.randint(100, 199):04d}"[:10],
        email=f"{first_name.lower()}.{last_name.lower()}@example.com",
        coverages=tuple(coverages),
    )
