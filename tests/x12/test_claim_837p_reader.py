"""837P reader: what the writer writes reads back as the same claim, tampered files give problems, not crashes.

The round trip compares the claim read with ``as_written(claim)``: the claim as an 837P can carry it. Exact
equality is impossible where the writer cleans, cuts or leaves out data (listed in ``as_written``); every
other field must come back exactly.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from pathlib import Path

import pytest
from claim_strategies import billing_providers, payers, professional_claims
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests_paths import SHARED

from dermbill.core.claim_form import (
    Address,
    Adjustment,
    BillingProvider,
    LineAdjudication,
    OtherPayer,
    Payer,
    Person,
    ProfessionalClaim,
    ServiceLine,
)
from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money
from dermbill.x12.claim_837p import Batch837, write_837p
from dermbill.x12.claim_837p_reader import Party, Problem, Received837, read_837p, read_837p_file
from dermbill.x12.envelope import ClearinghouseProfile, ControlNumbers, clean
from dermbill.x12.tokenizer import X12Error, read_file, segments_of
from dermbill.x12.transactions import transaction_sets

SAMPLES = SHARED / "x12-samples"
SAMPLES_837P = sorted((SAMPLES / "837p").iterdir()) if (SAMPLES / "837p").exists() else []
NOT_X12 = {"ims-err-no-isa-line.txt"}  # starts at GS: the tokenizer refuses it
NOW = datetime.datetime(2026, 3, 5, 12, 0, tzinfo=datetime.UTC)
PROFILE = ClearinghouseProfile("DERMBILLTEST", "TEST DERM BILLING CO", "TEST CONTACT", "2155550100",
                               "CLEARINGHOUSE", "TEST CLEARINGHOUSE")
OFFICE = Address("100 TEST ALPHA AVE", "ANYTOWN", "PA", "190990001")
BILLING = BillingProvider("TEST DERMATOLOGY ASSOCIATES", "1234567893", "990000001", "207N00000X", OFFICE,
                          pay_to=Address("PO BOX 100", "ANYTOWN", "PA", "190990100"))
HOME = Address("1 TEST ST", "ANYTOWN", "PA", "19099", "APT 2")
SUBSCRIBER = Person("TESTALPHA", "BRAVO", datetime.date(1950, 1, 2), "F", HOME, "Q")
CHILD = Person("TESTALPHA", "CHARLIE", datetime.date(2010, 5, 6), "M", HOME)
MEDICARE = Payer("TEST MEDICARE", "TSTMCR", Address("PO BOX 1", "ANYTOWN", "PA", "19099"))
BLUE = Payer("TEST BLUE PLAN", "TSTBLU")
DOS = datetime.date(2026, 3, 2)


def _line(pcn: str, n: int, code: str, cents: int, pointers: tuple[int, ...], modifiers: tuple[str, ...] = (),
          units: int = 1, adjudication: LineAdjudication | None = None) -> ServiceLine:
    return ServiceLine(code, modifiers, Money(cents), units, pointers, DOS, f"{pcn}-{n}", adjudication)


def _self_insured() -> ProfessionalClaim:
    lines = (_line("D1E0000001", 1, "11642", 61000, (1,)), _line("D1E0000001", 2, "17000", 12000, (2,), ("XS",)),
             _line("D1E0000001", 3, "17003", 2000, (2, 1), units=2))
    return ProfessionalClaim("D1E0000001", Money(75000), "11", "1", ("C44.311", "L57.0"), lines, MEDICARE, "P", "MB",
                             SUBSCRIBER, "1EG4TE5MK73", None, "18", SUBSCRIBER, rendering_npi="1234567893",
                             rendering_name=Person("TESTDOC", "ALPHA"), rendering_taxonomy="207N00000X")


def _dependent() -> ProfessionalClaim:
    lines = (_line("D1E0000002", 1, "99213", 15000, (1,), ("25",)), _line("D1E0000002", 2, "11102", 24000, (2,)))
    return ProfessionalClaim("D1E0000002", Money(39000), "11", "7", ("L70.0", "D22.5"), lines, BLUE, "P", "BL",
                             SUBSCRIBER, "TBLU123456789", "TG1234", "19", CHILD, payer_claim_number="BLUEICN777",
                             prior_authorization="AUTH42", facility_name="D1 NORTH OFFICE",
                             facility_address=Address("7 TEST BRAVO RD", "ANYTOWN", "PA", "190990007"))


def _secondary() -> ProfessionalClaim:
    line_adjustments = (Adjustment("CO", "45", Money(13600)), Adjustment("PR", "2", Money(2000)))
    adjudicated = LineAdjudication("TSTMCR", Money(8400), "11102", ("XS",), 1, line_adjustments,
                                   datetime.date(2026, 3, 20))
    medicare = OtherPayer(Payer("TEST MEDICARE", "TSTMCR"), "P", Person("TESTALPHA", "BRAVO", middle_name="Q"),
                          "1EG4TE5MK73", "18", "MB", Money(8000), (Adjustment("OA", "253", Money(400)),))
    return ProfessionalClaim("D1E0000003", Money(24000), "11", "1", ("D22.5",),
                             (_line("D1E0000003", 1, "11102", 24000, (1,), ("XS",), adjudication=adjudicated),),
                             BLUE, "S", "BL", CHILD, "TBLU555", "TG1234", "19", CHILD, other_payers=(medicare,))


def _write(*claims: ProfessionalClaim, billing: BillingProvider = BILLING) -> str:
    return write_837p(Batch837(billing, claims, "BATCH1"), PROFILE, ControlNumbers(41, 42, 43), NOW)


def _read(text: str) -> list[Received837]:
    return [read_837p(transaction) for transaction in transaction_sets(segments_of(text))]


def _read_one(text: str) -> Received837:
    [received] = _read(text)
    return received


# What the 837P carries of a claim -------------------------------------------------------------------


def _text(value: str | None, length: int) -> str:
    """Free text as the writer sends it: cleaned, cut to the element's length (the reader drops the trailing space
    a cut can leave)."""
    return clean(value, length).strip()


def _address(address: Address) -> Address:
    return Address(_text(address.line1, 55), _text(address.city, 30), address.state, address.zip_code,
                   _text(address.line2, 55) or None)


def _person(person: Person, *, name_only: bool = False) -> Person:
    if name_only:
        return Person(_text(person.last_name, 60), _text(person.first_name, 35),
                      middle_name=_text(person.middle_name, 25) or None)
    born = person.date_of_birth
    return Person(_text(person.last_name, 60), _text(person.first_name, 35), born,
                  (person.sex or "U") if born else None,
                  _address(person.address) if person.address else None, _text(person.middle_name, 25) or None)


def _grouped(adjustments: tuple[Adjustment, ...]) -> tuple[Adjustment, ...]:
    by_group: dict[str, list[Adjustment]] = defaultdict(list)
    for adjustment in adjustments:
        by_group[adjustment.group].append(adjustment)
    return tuple(a for group in by_group.values() for a in group)


def _adjudication(a: LineAdjudication | None) -> LineAdjudication | None:
    if a is None:
        return None
    return LineAdjudication(_text(a.payer_id, 80), a.paid, a.code, a.modifiers[:4], a.units,
                            _grouped(a.adjustments), a.adjudicated_on)


def as_written(claim: ProfessionalClaim) -> ProfessionalClaim:
    """``claim`` as an 837P carries it; what cannot survive the writer:

    - free text is upper case with delimiters and other punctuation turned to spaces, cut to the element's
      length (last, first, middle name 60/35/25; address line 55, city 30; identifiers 38 to 80);
    - at most 12 diagnoses, 4 modifiers and 4 diagnosis pointers;
    - sex is sent only with a date of birth, as U when it is not known;
    - with SBR02 18 there is no patient loop: the patient is the subscriber;
    - the other payer's subscriber is sent by name only, the other payer without its address;
    - CAS adjustments come back grouped by group code, in the order each group first appears;
    - REF*F8 is sent only for a replacement or void, the rendering provider only with both NPI and name,
      the service facility only with both name and address.
    """
    subscriber = _person(claim.subscriber)
    has_rendering = bool(claim.rendering_npi) and claim.rendering_name is not None
    has_facility = claim.facility_address is not None and bool(claim.facility_name)
    lines = tuple(ServiceLine(line.code, line.modifiers[:4], line.charge, line.units, line.pointers[:4],
                              line.date_of_service, _text(line.control_number, 50), _adjudication(line.adjudication))
                  for line in claim.lines)
    others = tuple(OtherPayer(Payer(_text(o.payer.name, 60), _text(o.payer.payer_id, 80)), o.order,
                              _person(o.subscriber, name_only=True), _text(o.member_id, 80), o.relationship_code,
                              o.filing_indicator, o.paid, _grouped(o.adjustments)) for o in claim.other_payers)
    payer = claim.payer
    return dataclasses.replace(
        claim, patient_control_number=_text(claim.patient_control_number, 38), diagnoses=claim.diagnoses[:12],
        lines=lines,
        payer=Payer(_text(payer.name, 60), _text(payer.payer_id, 80),
                    _address(payer.address) if payer.address else None),
        subscriber=subscriber, member_id=_text(claim.member_id, 80),
        group_number=_text(claim.group_number, 50) or None,
        patient=subscriber if claim.relationship_code == "18" else _person(claim.patient),
        rendering_npi=claim.rendering_npi if has_rendering else None,
        rendering_name=_person(claim.rendering_name, name_only=True) if has_rendering and claim.rendering_name
        else None,
        rendering_taxonomy=(claim.rendering_taxonomy or None) if has_rendering else None,
        facility_name=_text(claim.facility_name, 60) if has_facility else None,
        facility_address=_address(claim.facility_address) if has_facility and claim.facility_address else None,
        payer_claim_number=_text(claim.payer_claim_number, 50) or None if claim.frequency_code in "78" else None,
        prior_authorization=_text(claim.prior_authorization, 50) or None, other_payers=others)


def _billing_as_written(billing: BillingProvider) -> BillingProvider:
    """The billing provider's phone is not sent (the submitter's PER carries the contact)."""
    return BillingProvider(_text(billing.name, 60), billing.npi, billing.tin, billing.taxonomy,
                           _address(billing.address), _address(billing.pay_to) if billing.pay_to else None)


def _in_file_order(claims: list[ProfessionalClaim]) -> list[ProfessionalClaim]:
    """The writer sends one transaction set per payer, in the order each payer first appears."""
    payer_ids = list(dict.fromkeys(claim.payer.payer_id for claim in claims))
    return sorted(claims, key=lambda claim: payer_ids.index(claim.payer.payer_id))


@st.composite
def batches(draw: st.DrawFn, orders: str = "PST") -> tuple[BillingProvider, list[ProfessionalClaim]]:
    shared_payer = draw(st.none() | payers())
    claims = draw(st.lists(professional_claims(shared_payer, orders), min_size=1, max_size=3))
    return draw(billing_providers()), claims


# Round trips ----------------------------------------------------------------------------------------


def _assert_reads_back(billing: BillingProvider, claims: list[ProfessionalClaim]) -> None:
    received = _read(_write(*claims, billing=billing))
    assert [r.problems for r in received] == [() for _ in received]
    assert all(r.notices == () for r in received)
    assert all(r.billing == _billing_as_written(billing) for r in received)
    assert all(r.batch_id == "BATCH1" and r.version == "005010X222A1" for r in received)
    read = [claim for r in received for claim in r.claims]
    assert read == [as_written(claim) for claim in _in_file_order(claims)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=batches())
def test_any_claim_written_reads_back_as_written(batch: tuple[BillingProvider, list[ProfessionalClaim]]) -> None:
    _assert_reads_back(*batch)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=batches(orders="ST"))
def test_secondary_and_tertiary_claims_read_back_with_their_other_payers(
        batch: tuple[BillingProvider, list[ProfessionalClaim]]) -> None:
    _assert_reads_back(*batch)


def test_a_secondary_claim_reads_back_with_the_primary_adjudication() -> None:
    received = _read_one(_write(_secondary()))
    assert received.problems == ()
    [claim] = received.claims
    assert claim == _secondary()  # nothing in this claim is lost by the writer
    [medicare] = claim.other_payers
    assert (medicare.order, medicare.paid, medicare.adjustments) == ("P", Money(8000),
                                                                    (Adjustment("OA", "253", Money(400)),))
    adjudication = claim.lines[0].adjudication
    assert adjudication is not None and adjudication.paid == Money(8400)
    assert adjudication.adjustments == (Adjustment("CO", "45", Money(13600)), Adjustment("PR", "2", Money(2000)))


def test_the_header_parties_and_billing_provider_read_back() -> None:
    received = _read_one(_write(_self_insured()))
    assert received.submitter == Party("TEST DERM BILLING CO", "DERMBILLTEST", "TEST CONTACT", "2155550100")
    assert received.receiver == Party("TEST CLEARINGHOUSE", "CLEARINGHOUSE")
    assert received.billing == BILLING and received.billing_providers == (BILLING,)
    assert received.control_number == "0043" and received.claim_billing == (0,)
    assert received.is_clean


def test_a_subscriber_who_is_the_patient_has_no_patient_loop() -> None:
    text = _write(_self_insured())
    assert "SBR*P*18*" in text and "HL*3" not in text and "PAT*" not in text
    [claim] = _read_one(text).claims
    assert claim == _self_insured()
    assert claim.relationship_code == "18" and claim.patient == claim.subscriber == SUBSCRIBER


def test_a_dependent_patient_reads_from_the_patient_loop() -> None:
    text = _write(_dependent())
    assert "HL*3*2*23*0~\nPAT*19~\nNM1*QC*1*TESTALPHA*CHARLIE" in text
    received = _read_one(text)
    assert received.problems == ()
    [claim] = received.claims
    assert claim == _dependent()
    assert (claim.relationship_code, claim.patient, claim.subscriber) == ("19", CHILD, SUBSCRIBER)
    assert (claim.payer_claim_number, claim.prior_authorization) == ("BLUEICN777", "AUTH42")


def test_claims_of_one_payer_share_a_transaction_set_in_order() -> None:
    second = dataclasses.replace(_self_insured(), patient_control_number="D1E0000009")
    [medicare, blue] = _read(_write(_self_insured(), _dependent(), second))
    assert [c.patient_control_number for c in medicare.claims] == ["D1E0000001", "D1E0000009"]
    assert [c.patient_control_number for c in blue.claims] == ["D1E0000002"]


# Problems in tampered files -------------------------------------------------------------------------


def _tampered(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def _only_problem(received: Received837) -> Problem:
    [problem] = received.problems
    return problem


def test_a_wrong_claim_total_is_a_problem_naming_the_clm() -> None:
    received = _read_one(_tampered(_write(_self_insured()), "CLM*D1E0000001*750*", "CLM*D1E0000001*760*"))
    problem = _only_problem(received)
    assert problem == Problem(problem.segment_number, "CLM", "CLM02 total 760.00 does not equal the sum of the "
                                                             "lines 750.00", 0)
    assert str(problem).startswith(f"segment {problem.segment_number} (CLM): CLM02 total 760.00")
    assert received.claims[0].total_charge == Money(76000)  # the claim is still read, as sent


def test_a_missing_member_id_is_a_problem() -> None:
    text = _tampered(_write(_self_insured()), "NM1*IL*1*TESTALPHA*BRAVO*Q***MI*1EG4TE5MK73~",
                     "NM1*IL*1*TESTALPHA*BRAVO*Q~")
    problem = _only_problem(_read_one(text))
    assert (problem.segment_id, problem.claim_index) == ("NM1", 0)
    assert problem.message.startswith("NM109 member id is missing")


def test_a_service_line_without_a_date_of_service_is_a_problem() -> None:
    text = _tampered(_write(_self_insured()), "REF*6R*D1E0000001-1~\n",
                     "REF*6R*D1E0000001-1~\nLX*9~\nSV1*HC:11102*0*UN*1***1~\n")
    received = _read_one(text)
    problem = _only_problem(received)
    assert (problem.segment_id, problem.message) == ("SV1", "service line 2 has no date of service (DTP*472)")
    assert received.claims[0].lines[1].date_of_service == datetime.date.min


@pytest.mark.parametrize(("old", "new", "segment_id", "message"), [
    ("CLM*D1E0000001*750*", "CLM*D1E0000001*7.5O*", "CLM", "CLM02 '7.5O' is not an amount"),
    ("CLM*D1E0000001*750*", "CLM*D1E0000001*750.001*", "CLM", "CLM02 '750.001' has fractions of a cent"),
    ("11:B:1*", "11:B*", "CLM", "CLM05-3 frequency code is missing"),
    ("11:B:1*", "11:B:8*", "CLM", "a void (CLM05-3 8) needs the payer's claim number (REF*F8)"),
    ("HI*ABK:C44311*ABF:L570~\n", "", "CLM", "no diagnosis"),
    ("*UN*2***2:1~", "*UN*2***3:1~", "SV1", "SV107 pointer 3 points past the 2 diagnoses in HI"),
    ("*UN*2***2:1~", "*UN*2.5***2:1~", "SV1", "SV104 '2.5' is not a whole number of units"),
    ("*UN*2***2:1~", "*UN*2~", "SV1", "SV107 diagnosis pointer is missing"),
    ("DTP*472*D8*20260302~", "DTP*472*D8*20260231~", "DTP", "DTP03 '20260231' is not a date"),
    ("SBR*P*18*", "SBR*P**", "SBR", "SBR02 is empty (the patient is not the subscriber) but no patient loop"),
    ("SBR*P*18*******MB~", "SBR*P*18~", "SBR", "SBR09 claim filing indicator is missing"),
    ("SBR*P*18*", "SBR*X*18*", "SBR", "SBR01 payer responsibility is 'X'"),
    ("NM1*PR*2*TEST MEDICARE*****PI*TSTMCR~", "NM1*PR*2*TEST MEDICARE~", "NM1", "NM109 payer id is missing"),
    ("REF*EI*990000001~\n", "", "NM1", "the billing provider's tax id (REF*EI) is missing"),
    ("NM1*82*1*TESTDOC*ALPHA****XX*1234567893~", "NM1*82*1*TESTDOC*ALPHA~", "NM1",
     "NM109 rendering provider NPI is missing"),
])
def test_tampered_claims_report_what_is_wrong(old: str, new: str, segment_id: str, message: str) -> None:
    received = _read_one(_tampered(_write(_self_insured()), old, new))
    problem = _only_problem(received)
    assert problem.segment_id == segment_id and problem.message.startswith(message), problem
    assert len(received.claims) == 1


@pytest.mark.parametrize(("old", "new", "segment_id", "message"), [
    ("AMT*D*80~", "AMT*D*81~", "AMT", "payer TSTMCR: CLM02 240.00 less its adjustments 160.00 does not equal its paid "
                                      "amount AMT*D 81.00"),
    ("AMT*D*80~\n", "", "SBR", "the other payer's paid amount (AMT*D) is missing; payer P adjudicated before"),
    ("SVD*TSTMCR*84*", "SVD*TSTMCR*85*", "SVD", "service line 1: SV102 240.00 less the adjustments 156.00 does not "
                                                "equal SVD02 85.00"),
    ("SVD*TSTMCR*", "SVD*TSTXXX*", "SVD", "SVD01 'TSTXXX' is not one of the other payers (2330B NM109: TSTMCR)"),
    ("DTP*573*D8*20260320~\n", "", "SVD", "service line 1: the line adjudication has no date (DTP*573)"),
    ("NM1*PR*2*TEST MEDICARE*****PI*TSTMCR~\n", "", "SBR", "the payer (2330B NM1*PR) is missing"),
    ("CAS*CO*45*136~", "CAS*XX*45*136~", "CAS", "CAS01 'XX' is not an adjustment group"),
])
def test_tampered_coordination_of_benefits_reports_what_is_wrong(old: str, new: str, segment_id: str,
                                                                  message: str) -> None:
    received = _read_one(_tampered(_write(_secondary()), old, new))
    assert any(p.segment_id == segment_id and p.message.startswith(message) for p in received.problems), \
        received.problems


def test_a_secondary_claim_without_its_primary_payer_is_a_problem() -> None:
    claim = dataclasses.replace(_secondary(), other_payers=(),
                                lines=(dataclasses.replace(_secondary().lines[0], adjudication=None),))
    problem = _only_problem(_read_one(_write(claim)))
    assert (problem.segment_id, problem.message) == (
        "CLM", "the claim is for payer S (SBR01) but names no earlier payer (2320 SBR) with its adjudication")


def test_a_separate_patient_loop_must_match_sbr02() -> None:
    text = _tampered(_write(_dependent()), "SBR*P**", "SBR*P*18*")
    assert any("SBR02 18 says the subscriber is the patient" in p.message for p in _read_one(text).problems)
    text = _tampered(_write(_dependent()), "PAT*19~", "PAT*18~")
    assert any(p.message.startswith("PAT01 '18' is not a patient relationship") for p in _read_one(text).problems)


def test_problems_name_their_claim_so_one_bad_claim_does_not_reject_the_others() -> None:
    second = dataclasses.replace(_self_insured(), patient_control_number="D1E0000009")
    text = _tampered(_write(_self_insured(), second), "CLM*D1E0000009*750*", "CLM*D1E0000009*1*")
    received = _read_one(text)
    assert received.problems_of(0) == ()
    assert [p.message for p in received.problems_of(1)] == [
        "CLM02 total 1.00 does not equal the sum of the lines 750.00"]


def test_a_transaction_without_claims_or_billing_provider_is_a_problem() -> None:
    text = _write(_self_insured())
    start, end = text.index("HL*1*"), text.index("\nSE*") + 1
    received = _read_one(text[:start] + text[end:])
    assert received.claims == ()
    assert [p.message for p in received.problems] == [
        "the billing provider (2000A HL*20 with NM1*85) is missing", "the transaction set has no claims (CLM)"]


# Not an 837P at all: the exception, like the tokenizer's --------------------------------------------


def test_text_that_is_not_x12_raises() -> None:
    with pytest.raises(X12Error, match="not an X12 file"):
        _read("Dear payer, please pay this claim.")


def test_another_transaction_type_raises() -> None:
    text = _write(_self_insured()).replace("ST*837*", "ST*835*")
    with pytest.raises(X12Error, match="is a 835, not a 837"):
        _read(text)


def test_an_institutional_837_raises() -> None:
    text = _write(_self_insured()).replace("*005010X222A1~", "*005010X223A2~")
    with pytest.raises(X12Error, match=r"is an 837I \(institutional\) \(005010X223A2\), not an 837P"):
        _read(text)


@st.composite
def _damaged(draw: st.DrawFn) -> str:
    """Our 837P with segments dropped, duplicated or with an element replaced by arbitrary text."""
    segments = _write(_secondary(), _dependent(), dataclasses.replace(_secondary(), payer=BLUE)).splitlines()
    for _ in range(draw(st.integers(1, 6))):
        index = draw(st.integers(0, len(segments) - 1))
        action = draw(st.sampled_from(["drop", "repeat", "element"]))
        if action == "drop":
            del segments[index]
        elif action == "repeat":
            segments.insert(index, segments[index])
        else:
            elements = segments[index].rstrip("~").split("*")
            position = draw(st.integers(1, max(len(elements), 2)))
            value = draw(st.text(st.characters(blacklist_characters="*~\r\n", blacklist_categories=["Cs"]),
                                 max_size=12))
            elements[position:position + 1] = [value]
            segments[index] = "*".join(elements) + "~"
        if not segments:
            break
    return "\n".join(segments)


@settings(max_examples=300, deadline=None)
@given(text=_damaged())
def test_a_damaged_file_gives_problems_or_an_x12_error_never_a_crash(text: str) -> None:
    try:
        for received in _read(text):
            assert len(received.claims) == len(received.claim_billing)
            assert all(p.claim_index is None or 0 <= p.claim_index < len(received.claims) for p in received.problems)
    except InvalidInput:  # X12Error is one: a file that is not X12 or not an 837P
        pass


# The public sample corpus (../shared/x12-samples, never copied into the repository) ------------------


@pytest.mark.skipif(not SAMPLES_837P, reason=f"{SAMPLES / '837p'} not found")
@pytest.mark.parametrize("path", SAMPLES_837P, ids=[p.name for p in SAMPLES_837P])
def test_every_837p_sample_reads_without_crashing(path: Path) -> None:
    if path.name in NOT_X12:
        with pytest.raises(X12Error):
            read_837p_file(path)
        return
    received = read_837p_file(path)
    clm_count = sum(1 for _, segment in read_file(path) if segment.id == "CLM")
    assert sum(len(r.claims) for r in received) == clm_count
    for r in received:
        assert len(r.claims) == len(r.claim_billing)
        assert all(isinstance(p.message, str) and p.segment_id for p in r.problems)


@pytest.mark.skipif(not SAMPLES_837P, reason=f"{SAMPLES / '837p'} not found")
def test_the_implementation_guide_cob_sample_reads_clean() -> None:
    [received] = read_837p_file(SAMPLES / "837p" / "lfh-cob-example3-B.837")
    assert received.problems == ()
    [claim] = received.claims
    assert (claim.patient_control_number, claim.total_charge, claim.order, claim.relationship_code) == (
        "26407789", Money(7904), "S", "19")
    assert (claim.patient.first_name, claim.subscriber.first_name, claim.payer.payer_id) == ("TED", "JACK", "567890")
    assert claim.diagnoses == ("4779", "2724", "2780", "53081")  # ICD-9 (BK/BF): kept as sent
    [primary] = claim.other_payers
    assert (primary.payer.payer_id, primary.order, primary.paid) == ("999996666", "P", Money(3915))
    assert primary.adjustments == (Adjustment("PR", "1", Money(2189)), Adjustment("PR", "2", Money(1500)))
    assert [line.adjudication.paid if line.adjudication else None for line in claim.lines] == [
        Money(4000), Money(1500), Money(2104)]
    assert claim.lines[0].units == 1 and claim.lines[0].pointers == (1, 2, 3, 4)
    assert claim.rendering_npi == "1999996666" and claim.facility_name == "KILDARE ASSOCIATES"


@pytest.mark.skipif(not SAMPLES_837P, reason=f"{SAMPLES / '837p'} not found")
def test_a_sample_with_several_billing_providers_ties_each_claim_to_its_own() -> None:
    [received] = read_837p_file(SAMPLES / "837p" / "ims-many-claims.txt")
    assert len(received.billing_providers) > 1
    assert set(received.claim_billing) == set(range(len(received.billing_providers)))


@pytest.mark.skipif(not SAMPLES_837P, reason=f"{SAMPLES / '837p'} not found")
def test_an_835_sample_is_not_an_837p() -> None:
    with pytest.raises(X12Error, match="not a 837"):
        read_837p_file(SAMPLES / "835" / "lfh-secondary.835")
