"""Reading HL7 v2 messages and answering them: pure, no database."""

from __future__ import annotations

import datetime

import hl7
import pytest
from era_world import DOS, NPI
from hl7_messages import dft, oru, siu
from hypothesis import given
from hypothesis import strategies as st

from dermbill.cli.hl7_cmds import split_messages
from dermbill.hl7.ack import acknowledgment
from dermbill.hl7.read import (
    Hl7Problem,
    check_header,
    parse,
    read_booking,
    read_charges,
    read_header,
    read_pathology,
    read_registration,
)

NOW = datetime.datetime(2026, 3, 2, 12, 30, tzinfo=datetime.UTC)


def charges_of(message: str):  # type: ignore[no-untyped-def]
    return read_charges(parse(message), read_header(message))


def test_the_header_names_sender_control_id_and_type() -> None:
    header = read_header(dft("M42"))
    assert (header.sending_application, header.sending_facility, header.control_id, header.message_type,
            header.version) == ("DERMEHR", "ERA", "M42", "DFT^P03", "2.5.1")


@pytest.mark.parametrize(("change", "where", "code"), [
    (("DFT^P03^DFT_P03", "VXU^V04^VXU_V04"), "MSH-9", "200"),
    (("DFT^P03^DFT_P03", "DFT^P11^DFT_P11"), "MSH-9", "201"),
    (("|2.5.1", "|9.9"), "MSH-12", "203"),
    (("|M1|P|", "|M1|X|"), "MSH-11", "202"),
])
def test_what_dermbill_does_not_take_is_rejected_at_its_field(change: tuple[str, str], where: str, code: str
                                                              ) -> None:
    with pytest.raises(Hl7Problem) as refused:
        check_header(read_header(dft("M1").replace(*change)))
    assert (refused.value.where, refused.value.code, refused.value.reject) == (where, code, True)


def test_a_dft_reads_codes_units_modifiers_amounts_diagnoses_and_sites() -> None:
    located = charges_of(dft("M1", "11102-59-RT*1@125.50/left dorsal hand", "17003*12", diagnoses=("L57.0",
                                                                                                   "L82.1")))
    charges = located.value
    assert (charges.account_number, charges.date_of_service, charges.visit_id, charges.provider_npi,
            charges.location) == ("A-1", DOS, "V1001", NPI, "OFFICE")
    first, second = charges.lines
    assert (first.code, first.modifiers, first.units, first.charge_cents, first.site) == (
        "11102", ("59", "RT"), 1, 12550, "left dorsal hand")
    assert (second.code, second.units, second.charge_cents, second.site) == ("17003", 12, None, None)
    assert charges.diagnoses == ("L57.0", "L82.1")
    assert located.place("lines[1].units") == "FT1[2]-10"
    assert located.place("lines[0].diagnoses[1]") == "FT1[1]-19"
    assert located.place("diagnoses[1]") == "DG1[2]-3"
    assert located.place("provider_npi") == "FT1[2]-20"


@pytest.mark.parametrize(("message", "where", "fragment"), [
    (dft("M1", "11102@12.345"), "FT1-11", "dollars and cents"),
    (dft("M1", "11102*1.5"), "FT1-10", "whole number"),
    (dft("M1").replace("|20260302||CG|", "|2026-13-45||CG|"), "FT1-4", "not a date"),
    (dft("M1").replace("||CG|", "||PY|"), "FT1-6", "payments and adjustments come from the payer's 835"),
    (dft("M1").replace("PID|1||A-1^^^EHR^MR|", "PID|1|||"), "PID-3", "no patient identifier"),
])
def test_a_bad_field_of_a_dft_is_named(message: str, where: str, fragment: str) -> None:
    with pytest.raises(Hl7Problem) as refused:
        charges_of(message)
    assert refused.value.where == where
    assert fragment in refused.value.reason
    assert not refused.value.reject


def test_charges_of_two_days_or_two_providers_are_refused() -> None:
    two_days = dft("M1", "11102", "17000").replace("FT1|2|||20260302", "FT1|2|||20260303")
    with pytest.raises(Hl7Problem, match="one message per visit"):
        charges_of(two_days)


def in1(values: dict[int, str]) -> str:
    fields = [""] * (max(values) + 1)
    for number, value in values.items():
        fields[number] = value
    return "IN1" + "|".join(fields)


def test_an_adt_reads_the_patient_and_each_insurance_in_order() -> None:
    message = "\r".join([
        "MSH|^~\\&|DERMEHR|ERA|DERMBILL|BILLING|20260302120000||ADT^A04^ADT_A01|A1|P|2.5.1",
        "PID|1||MRN9^^^EHR^MR||O\\T\\NEIL^PAT^Q||19480515|M|||12 MAIN ST^APT 2^SPRINGFIELD^PA^19064||"
        "^^^^^215^5550100|||||ACCT-9",
        in1({1: "1", 3: "TSTMCR", 4: "TEST MEDICARE", 12: "20250101", 17: "SEL", 36: "1EG4TE5MK72"}),
        in1({1: "2", 3: "ACME01", 4: "ACME", 8: "GRP77", 12: "20250601", 13: "20261231", 16: "O\\T\\NEIL^MARY",
             17: "SPO", 18: "19500101", 36: "XAC998877"}),
    ])
    located = read_registration(parse(message))
    registration = located.value
    assert registration.account_number == "ACCT-9"
    assert registration.patient["last_name"] == "O&NEIL"
    assert (registration.patient["date_of_birth"], registration.patient["sex"], registration.patient["city"],
            registration.patient["phone"]) == ("1948-05-15", "M", "SPRINGFIELD", "2155550100")
    primary, secondary = registration.coverages
    assert (primary["payer"], primary["member_id"], primary["coverage_order"], primary["relationship_code"],
            primary["effective_date"]) == ("TSTMCR", "1EG4TE5MK72", "primary", "18", "2025-01-01")
    assert (secondary["coverage_order"], secondary["relationship_code"], secondary["subscriber_last_name"],
            secondary["group_number"], secondary["termination_date"]) == (
        "secondary", "01", "O&NEIL", "GRP77", "2026-12-31")
    assert located.place("coverages[1].relationship_code") == "IN1[2]-17"


def test_a_booking_and_a_pathology_report_are_read() -> None:
    booking = read_booking(parse(siu("S1", "APT7")), read_header(siu("S1", "APT7"))).value
    assert (booking.appointment_id, booking.minutes, booking.reason, booking.status, booking.provider_npi) == (
        "APT7", 20, "Skin check", "booked", NPI)
    assert booking.starts_at.replace(tzinfo=None) == datetime.datetime(2026, 3, 9, 10, 30)
    assert (booking.visit_type, booking.planned_codes) == (None, ("99213",))
    mohs = siu("S2", "APT8", visit_type="Mohs surgery", services=("17311^Mohs^CPT", "NOTE^Bring ID^L", "17312^^CPT"))
    planned = read_booking(parse(mohs), read_header(mohs)).value
    assert (planned.visit_type, planned.planned_codes) == ("Mohs surgery", ("17311", "17312"))
    report = read_pathology(parse(oru("P1", {"a": "C44.311", "B": "L82.1"}, visit="V9"))).value
    assert (dict(report.results), report.visit_id, report.preliminary) == (
        {"A": "C44.311", "B": "L82.1"}, "V9", False)
    assert read_pathology(parse(oru("P1", {"A": "C44.311"}, status="P"))).value.preliminary


def test_the_ack_names_the_message_the_segment_and_the_field() -> None:
    header = read_header(dft("M7"))
    problem = Hl7Problem("FT1[2]-25", "'99999' is not a code | at all", code="103")
    ack = acknowledgment(header, "AE", control_id="DB9", now=NOW, problem=problem)
    parsed = hl7.parse(ack)
    assert str(parsed.segment("MSH")[9]) == "ACK^P03^ACK"
    assert (str(parsed.segment("MSH")[3]), str(parsed.segment("MSH")[5]), str(parsed.segment("MSH")[6])) == (
        "DERMBILL", "DERMEHR", "ERA")
    assert str(parsed.segment("MSH")[7]) == "20260302123000"
    msa = parsed.segment("MSA")
    assert (str(msa[1]), str(msa[2])) == ("AE", "M7")
    err = parsed.segment("ERR")
    assert str(err[2]) == "FT1^2^25"
    assert str(err[3]) == "103^Table value not found^HL70357"
    assert parsed.unescape(str(err[8])) == "FT1[2]-25: '99999' is not a code | at all"


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=60))
def test_any_text_escaped_into_a_field_reads_back_the_same(text: str) -> None:
    header = read_header(dft("M1"))
    problem = Hl7Problem("PID-5", text)
    parsed = hl7.parse(acknowledgment(header, "AE", control_id="DB1", now=NOW, problem=problem))
    assert parsed.unescape(str(parsed.segment("ERR")[8])) == " ".join(f"PID-5: {text}".split())


def test_a_file_of_messages_is_split_at_each_msh_and_batch_segments_are_left_out() -> None:
    one, two = dft("M1"), dft("M2", "17000")
    text = "FHS|^~\\&|EHR\nBHS|^~\\&|EHR\n" + one.replace("\r", "\n") + "\n\n" + two.replace("\r", "\r\n") + \
        "BTS|2\nFTS|1\n"
    assert [read_header(m).control_id for m in split_messages(text)] == ["M1", "M2"]
    framed = f"\x0b{one}\x1c\r\x0b{two}\x1c\r"
    assert [read_header(m).control_id for m in split_messages(framed)] == ["M1", "M2"]
