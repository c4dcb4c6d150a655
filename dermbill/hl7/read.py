"""Reading HL7 v2 messages: the header of any message, and the values of the messages dermbill takes.

A problem is an ``Hl7Problem`` naming where in the message it is (``FT1-25``: segment and field, with the
segment's number when there are several, ``FT1[2]-25``), an HL7 error code (table 0357) and whether the message is
rejected (AR: not a message we take at all) or in error (AE: understood, but something in it is wrong).

The values are those the services take; each comes with the place it was read from (``Located.where``), so a
problem the service finds later (an unknown provider NPI) is answered at that place too.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import hl7

from dermbill.core.errors import DermbillError
from dermbill.services.charges_in import ChargeLine, VisitCharges

SUPPORTED = {
    "ADT^A04": "register a patient", "ADT^A08": "update a patient", "DFT^P03": "post charges",
    "SIU^S12": "book an appointment", "SIU^S13": "reschedule an appointment", "SIU^S14": "change an appointment",
    "SIU^S15": "cancel an appointment", "ORU^R01": "report a pathology result",
}
VERSIONS = ("2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.7.1", "2.8")
# HL7 table 0357 (message error condition codes) that dermbill answers with.
REQUIRED_MISSING, DATA_TYPE, TABLE_VALUE, UNSUPPORTED_TYPE, UNSUPPORTED_EVENT = "101", "102", "103", "200", "201"
UNSUPPORTED_PROCESSING, UNSUPPORTED_VERSION, UNKNOWN_KEY, INTERNAL = "202", "203", "204", "207"
# Insured's relationship to the patient (HL7 table 0063; some EHRs send the X12 codes) -> X12 SBR02.
RELATIONSHIPS = {"SEL": "18", "SPO": "01", "CHD": "19", "EME": "20", "EMP": "20", "OTH": "G8",
                 "18": "18", "01": "01", "19": "19", "20": "20", "G8": "G8"}
SEXES = {"F": "F", "M": "M", "U": "U", "O": "U", "A": "U", "N": "U"}
_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SEGMENT_BREAK = re.compile(r"\r\n|\n|\r")


class Hl7Problem(DermbillError):
    """What is wrong with a message, and where: answered AR (``reject``) or AE, and kept for replay."""

    def __init__(self, where: str | None, message: str, *, code: str = INTERNAL, reject: bool = False) -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.reason = message
        self.code = code
        self.reject = reject


@dataclass(frozen=True, slots=True)
class Header:
    """MSH: who sent the message, to whom, its control ID and type (``DFT^P03``)."""

    sending_application: str
    sending_facility: str
    receiving_application: str
    receiving_facility: str
    control_id: str
    message_type: str
    version: str
    processing_id: str
    field_separator: str = "|"
    encoding_characters: str = "^~\\&"


@dataclass(frozen=True, slots=True)
class Located:
    """Values read from a message, with where each field came from (field name -> ``SEG-N``)."""

    value: Any
    where: Mapping[str, str] = field(default_factory=dict)

    def place(self, name: str) -> str | None:
        """Where a service's field name (``lines[1].code``, ``diagnoses[0]``) came from: the longest known prefix."""
        while name:
            if name in self.where:
                return self.where[name]
            name = name.rsplit("[", 1)[0] if name.endswith("]") else name.rsplit(".", 1)[0] if "." in name else ""
        return None


def normalized(raw: str) -> str:
    """The message with segments ended by CR (files and some senders use LF or CRLF), without trailing blanks."""
    return "\r".join(segment for segment in _SEGMENT_BREAK.split(raw.strip("\x0b\x1c\r\n ")) if segment.strip())


def read_header(raw: str) -> Header:
    """The MSH of a message, read on its own (so that even a message whose body is broken is named and answered)."""
    text = normalized(raw)
    first = text.split("\r", 1)[0]
    if not first.startswith("MSH") or len(first) < 8:
        raise Hl7Problem("MSH", "the message does not start with an MSH segment", code=REQUIRED_MISSING, reject=True)
    separator = first[3]
    fields = first.split(separator)
    # MSH-1 is the separator itself, so MSH-n is fields[n - 1].
    def get(n: int) -> str:
        return fields[n - 1] if len(fields) >= n else ""
    encoding = get(2)
    component = encoding[:1] or "^"
    header = Header(
        sending_application=get(3).split(component)[0], sending_facility=get(4).split(component)[0],
        receiving_application=get(5).split(component)[0], receiving_facility=get(6).split(component)[0],
        control_id=get(10).strip(), message_type="^".join(get(9).split(component)[:2]),
        version=get(12).split(component)[0], processing_id=get(11).split(component)[0],
        field_separator=separator, encoding_characters=encoding or "^~\\&",
    )
    if not header.control_id:
        raise Hl7Problem("MSH-10", "no message control ID: every message needs one, unique for its sender",
                         code=REQUIRED_MISSING, reject=True)
    return header


def check_header(header: Header) -> None:
    """Refuse (AR) what dermbill does not take: an unsupported type, version or processing ID."""
    if header.message_type not in SUPPORTED:
        known = ", ".join(SUPPORTED)
        code = UNSUPPORTED_EVENT if header.message_type.split("^")[0] in {t.split("^")[0] for t in SUPPORTED} \
            else UNSUPPORTED_TYPE
        raise Hl7Problem("MSH-9", f"{header.message_type or 'no message type'} is not a message dermbill takes "
                         f"(it takes {known})", code=code, reject=True)
    if header.version and header.version not in VERSIONS:
        raise Hl7Problem("MSH-12", f"HL7 version {header.version} is not one dermbill reads "
                         f"({', '.join(VERSIONS)})", code=UNSUPPORTED_VERSION, reject=True)
    if header.processing_id not in ("P", "T", "D", ""):
        raise Hl7Problem("MSH-11", f"processing ID {header.processing_id!r} is not P, T or D",
                         code=UNSUPPORTED_PROCESSING, reject=True)


def parse(raw: str) -> hl7.Message:
    try:
        return hl7.parse(normalized(raw))
    except (hl7.ParseException, IndexError, ValueError) as exc:
        raise Hl7Problem(None, f"the message cannot be read as HL7 v2: {exc}", code=DATA_TYPE, reject=True) from None


class _Reader:
    """Field access on a parsed message: 1-based field, repetition, component and subcomponent, unescaped."""

    def __init__(self, message: hl7.Message) -> None:
        self.message = message

    def segments(self, name: str) -> list[hl7.Segment]:
        return [s for s in self.message if str(s[0]) == name]

    def one(self, name: str, *, required: bool = True) -> hl7.Segment | None:
        found = self.segments(name)
        if not found and required:
            raise Hl7Problem(name, f"the message has no {name} segment", code=REQUIRED_MISSING)
        return found[0] if found else None

    def value(self, segment: hl7.Segment | None, number: int, component: int = 1, *, repetition: int = 1,
              sub: int = 1) -> str:
        if segment is None or number >= len(segment):
            return ""
        item: Any = segment[number]
        for index in (repetition, component, sub):
            if isinstance(item, str):
                return str(self.message.unescape(item)).strip() if index == 1 else ""
            if index > len(item):
                return ""
            item = item[index - 1]
        return str(self.message.unescape(str(item))).strip()

    def repetitions(self, segment: hl7.Segment | None, number: int) -> int:
        if segment is None or number >= len(segment):
            return 0
        item = segment[number]
        if isinstance(item, str) or not item:
            return 1 if str(item) else 0
        return len(item) if not isinstance(item[0], str) else 1


def where(segment: str, number: int, index: int = 1, count: int = 1) -> str:
    return f"{segment}[{index}]-{number}" if count > 1 else f"{segment}-{number}"


def hl7_date(text: str, place: str, *, required: bool = True) -> datetime.date | None:
    if not text:
        if required:
            raise Hl7Problem(place, "no date was sent", code=REQUIRED_MISSING)
        return None
    found = _DATE.match(text)
    try:
        if found is None:
            raise ValueError
        return datetime.date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        raise Hl7Problem(place, f"{text!r} is not a date (YYYYMMDD)", code=DATA_TYPE) from None


def hl7_datetime(text: str, place: str) -> datetime.datetime:
    day = hl7_date(text, place)
    assert day is not None
    digits = re.match(r"\d{8}(\d{2})?(\d{2})?", text)
    hour = int(digits[1]) if digits and digits[1] else 0
    minute = int(digits[2]) if digits and digits[2] else 0
    if hour > 23 or minute > 59:
        raise Hl7Problem(place, f"{text!r} is not a time of day", code=DATA_TYPE)
    # The wall-clock time the EHR sent (HL7 v2 times are the sender's local time): kept as given, marked UTC so
    # that it is never shifted.
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=datetime.UTC)


def money_cents(text: str, place: str) -> int | None:
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise Hl7Problem(place, f"{text!r} is not an amount", code=DATA_TYPE) from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise Hl7Problem(place, f"{text!r} is not an amount in dollars and cents", code=DATA_TYPE)
    return int(amount * 100)


def whole_number(text: str, place: str, default: int) -> int:
    if not text:
        return default
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise Hl7Problem(place, f"{text!r} is not a number", code=DATA_TYPE) from None
    if number != number.to_integral_value():
        raise Hl7Problem(place, f"{text!r} is not a whole number of units", code=DATA_TYPE)
    return int(number)


def account_number(reader: _Reader, pid: hl7.Segment) -> tuple[str, str]:
    """The patient's account number here: PID-18 (patient account number) when sent, else PID-3 (the EHR's
    medical record number)."""
    for number in (18, 3):
        value = reader.value(pid, number)
        if value:
            return value, f"PID-{number}"
    raise Hl7Problem("PID-3", "no patient identifier (PID-3) or account number (PID-18) was sent",
                     code=REQUIRED_MISSING)


def read_charges(message: hl7.Message, header: Header) -> Located:
    """DFT^P03: the visit's charges (one FT1 per charge; an NTE after an FT1 gives the charge's site in words)."""
    reader = _Reader(message)
    pid = reader.one("PID")
    assert pid is not None
    account, account_place = account_number(reader, pid)
    pv1 = reader.one("PV1", required=False)
    places = {"account_number": account_place, "visit_id": "PV1-19", "location": "PV1-3"}
    charges = reader.segments("FT1")
    if not charges:
        raise Hl7Problem("FT1", "a DFT^P03 carries its charges in FT1 segments; there are none",
                         code=REQUIRED_MISSING)
    sites = _sites_by_charge(message)
    lines: list[ChargeLine] = []
    days: set[datetime.date] = set()
    providers: set[str] = set()
    count = len(charges)
    for index, ft1 in enumerate(charges, start=1):
        kind = reader.value(ft1, 6)
        if kind and kind.upper() not in ("CG", "CD"):
            raise Hl7Problem(where("FT1", 6, index, count), f"transaction type {kind!r}: dermbill takes charges "
                             "(CG); payments and adjustments come from the payer's 835", code=TABLE_VALUE)
        day = hl7_date(reader.value(ft1, 4), where("FT1", 4, index, count))
        assert day is not None
        days.add(day)
        code, code_place = reader.value(ft1, 25), where("FT1", 25, index, count)
        if not code:
            code, code_place = reader.value(ft1, 7), where("FT1", 7, index, count)
        if not code:
            raise Hl7Problem(where("FT1", 25, index, count), "no procedure code (FT1-25, or FT1-7)",
                             code=REQUIRED_MISSING)
        n = index - 1
        places[f"lines[{n}].code"] = code_place
        places[f"lines[{n}].units"] = where("FT1", 10, index, count)
        places[f"lines[{n}].modifiers"] = where("FT1", 26, index, count)
        places[f"lines[{n}].charge"] = where("FT1", 11, index, count)
        places[f"lines[{n}].diagnoses"] = where("FT1", 19, index, count)
        modifiers = tuple(m for r in range(1, reader.repetitions(ft1, 26) + 1)
                          if (m := reader.value(ft1, 26, repetition=r).upper()))
        diagnoses = tuple(d for r in range(1, reader.repetitions(ft1, 19) + 1)
                          if (d := reader.value(ft1, 19, repetition=r)))
        sign = -1 if (kind or "").upper() == "CD" else 1
        amount = money_cents(reader.value(ft1, 11), where("FT1", 11, index, count))
        lines.append(ChargeLine(
            code=code.upper(), units=whole_number(reader.value(ft1, 10), where("FT1", 10, index, count), 1),
            modifiers=modifiers, diagnoses=diagnoses, charge_cents=None if amount is None else sign * amount,
            site=sites.get(index)))
        npi = reader.value(ft1, 20)
        if npi:
            providers.add(npi)
            places["provider_npi"] = where("FT1", 20, index, count)
    if len(days) > 1:
        raise Hl7Problem("FT1-4", f"the charges are for {len(days)} days ({', '.join(sorted(map(str, days)))}): "
                         "send one message per visit", code=DATA_TYPE)
    if len(providers) > 1:
        raise Hl7Problem("FT1-20", f"the charges name {len(providers)} performing providers; a claim has one "
                         "rendering provider: send one message per provider", code=DATA_TYPE)
    visit: list[str] = []
    dg1s = reader.segments("DG1")
    for index, dg1 in enumerate(dg1s, start=1):
        code = reader.value(dg1, 3)
        if not code:
            raise Hl7Problem(where("DG1", 3, index, len(dg1s)), "no diagnosis code", code=REQUIRED_MISSING)
        places[f"diagnoses[{len(visit)}]"] = where("DG1", 3, index, len(dg1s))
        visit.append(code)
    return Located(VisitCharges(
        account_number=account, date_of_service=days.pop(), lines=tuple(lines), diagnoses=tuple(visit),
        visit_id=reader.value(pv1, 19) or None, provider_npi=providers.pop() if providers else None,
        location=reader.value(pv1, 3) or None,
        source=f"HL7 {header.message_type} from {header.sending_facility or '?'} control ID {header.control_id}",
    ), places)


def _sites_by_charge(message: hl7.Message) -> dict[int, str]:
    """NTE-3 of the NTE segments right after an FT1: that charge's site in the EHR's words."""
    sites: dict[int, str] = {}
    charges, current = 0, 0
    reader = _Reader(message)
    for segment in message:
        name = str(segment[0])
        if name == "FT1":
            charges += 1
            current = charges
        elif name == "NTE" and current:
            text = reader.value(segment, 3)
            if text:
                sites[current] = f"{sites[current]}; {text}" if current in sites else text
        else:
            current = 0
    return sites


@dataclass(frozen=True, slots=True)
class Registration:
    """ADT^A04/A08: a patient's demographics and insurance, as field names of dermbill's patient and coverage
    (``dermbill.core.patient_edits``) mapped to the text sent."""

    account_number: str
    patient: Mapping[str, Any]
    coverages: tuple[Mapping[str, Any], ...]
    sent_on: datetime.date  # MSH-7: a new coverage's first day when IN1-12 is not sent


def read_registration(message: hl7.Message) -> Located:
    reader = _Reader(message)
    pid = reader.one("PID")
    assert pid is not None
    account, account_place = account_number(reader, pid)
    birth = hl7_date(reader.value(pid, 7), "PID-7")
    assert birth is not None
    sex = reader.value(pid, 8).upper()
    if sex and sex not in SEXES:
        raise Hl7Problem("PID-8", f"sex {sex!r} is not one of F, M, U, O, A, N", code=TABLE_VALUE)
    phone = reader.value(pid, 13) or (reader.value(pid, 13, 6) + reader.value(pid, 13, 7))
    patient = {
        "last_name": reader.value(pid, 5, 1), "first_name": reader.value(pid, 5, 2),
        "middle_name": reader.value(pid, 5, 3) or None, "date_of_birth": birth.isoformat(),
        "sex": SEXES.get(sex, "U"), "address_line1": reader.value(pid, 11, 1),
        "address_line2": reader.value(pid, 11, 2) or None, "city": reader.value(pid, 11, 3),
        "state": reader.value(pid, 11, 4), "zip_code": reader.value(pid, 11, 5), "phone": phone or None,
    }
    places = {"account_number": account_place, "last_name": "PID-5", "first_name": "PID-5", "middle_name": "PID-5",
              "date_of_birth": "PID-7", "sex": "PID-8", "address_line1": "PID-11", "address_line2": "PID-11",
              "city": "PID-11", "state": "PID-11", "zip_code": "PID-11", "phone": "PID-13"}
    coverages = []
    sent_on = hl7_date(reader.value(reader.one("MSH"), 7), "MSH-7")
    assert sent_on is not None
    in1s = reader.segments("IN1")
    orders = ("primary", "secondary", "tertiary")
    for index, in1 in enumerate(in1s, start=1):
        if index > len(orders):
            raise Hl7Problem(where("IN1", 1, index, len(in1s)), "more than three insurances", code=DATA_TYPE)
        relation = reader.value(in1, 17).upper() or "SEL"
        if relation not in RELATIONSHIPS:
            raise Hl7Problem(where("IN1", 17, index, len(in1s)), f"relationship {relation!r} is not one dermbill "
                             f"knows ({', '.join(RELATIONSHIPS)})", code=TABLE_VALUE)
        effective = hl7_date(reader.value(in1, 12), where("IN1", 12, index, len(in1s)), required=False)
        ends = hl7_date(reader.value(in1, 13), where("IN1", 13, index, len(in1s)), required=False)
        subscriber_birth = hl7_date(reader.value(in1, 18), where("IN1", 18, index, len(in1s)), required=False)
        code = RELATIONSHIPS[relation]
        coverage = {
            "payer": reader.value(in1, 3), "member_id": reader.value(in1, 36) or reader.value(in1, 49),
            "group_number": reader.value(in1, 8) or None, "coverage_order": orders[index - 1],
            "relationship_code": code,
            "subscriber_last_name": reader.value(in1, 16, 1) if code != "18" else None,
            "subscriber_first_name": reader.value(in1, 16, 2) if code != "18" else None,
            "subscriber_date_of_birth": subscriber_birth.isoformat() if subscriber_birth and code != "18" else None,
            "subscriber_sex": (SEXES.get(reader.value(in1, 43).upper()) if code != "18" else None) or None,
            # Not sent: left out, so a coverage registered before keeps its own; a new one is in force from the day
            # the EHR sent it (MSH-7), as far as dermbill can know (Registration.sent_on).
            **({"effective_date": effective.isoformat()} if effective else {}),
            "termination_date": ends.isoformat() if ends else None,
        }
        coverages.append(coverage)
        n = index - 1
        for name, number in (("payer", 3), ("member_id", 36), ("group_number", 8), ("relationship_code", 17),
                             ("subscriber_last_name", 16), ("subscriber_first_name", 16),
                             ("subscriber_date_of_birth", 18), ("subscriber_sex", 43), ("effective_date", 12),
                             ("termination_date", 13)):
            places[f"coverages[{n}].{name}"] = where("IN1", number, index, len(in1s))
    return Located(Registration(account, patient, tuple(coverages), sent_on), places)


PROCEDURE_CODE = re.compile(r"[0-9A-Z][0-9]{3}[0-9A-Z]")  # CPT or HCPCS Level II: 17311, 0419T, J7308


@dataclass(frozen=True, slots=True)
class Booking:
    """SIU^S12-S15: an appointment as the EHR's scheduling sends it."""

    appointment_id: str
    account_number: str
    starts_at: datetime.datetime
    minutes: int
    reason: str | None
    provider_npi: str | None
    location: str | None
    status: str  # booked, cancelled
    visit_type: str | None = None  # SCH-8, the appointment type
    planned_codes: tuple[str, ...] = ()  # AIS-3 of each AIS that names a procedure code (CPT or HCPCS)


def read_booking(message: hl7.Message, header: Header) -> Located:
    reader = _Reader(message)
    sch = reader.one("SCH")
    pid = reader.one("PID")
    assert sch is not None and pid is not None
    appointment = reader.value(sch, 2) or reader.value(sch, 1)
    if not appointment:
        raise Hl7Problem("SCH-2", "no appointment ID (SCH-2 filler or SCH-1 placer)", code=REQUIRED_MISSING)
    account, account_place = account_number(reader, pid)
    ais = reader.one("AIS", required=False)
    start_text, start_place = reader.value(ais, 4), "AIS-4"
    if not start_text:
        start_text, start_place = reader.value(sch, 11, 4), "SCH-11"
    minutes_text = reader.value(ais, 7) or reader.value(sch, 9) or reader.value(sch, 11, 3).lstrip("M")
    minutes = whole_number(minutes_text, "SCH-9", 15)
    if not 1 <= minutes <= 480:
        raise Hl7Problem("SCH-9", f"{minutes} minutes: an appointment lasts 1 to 480 minutes", code=DATA_TYPE)
    aip = reader.one("AIP", required=False)
    ail = reader.one("AIL", required=False)
    cancelled = header.message_type == "SIU^S15" or reader.value(sch, 25).lower() in ("cancelled", "deleted")
    return Located(Booking(
        appointment_id=appointment, account_number=account, starts_at=hl7_datetime(start_text, start_place),
        minutes=minutes, reason=(reader.value(sch, 7, 2) or reader.value(sch, 7, 1))[:200] or None,
        provider_npi=reader.value(aip, 3) or None, location=reader.value(ail, 3) or None,
        status="cancelled" if cancelled else "booked",
        visit_type=(reader.value(sch, 8, 2) or reader.value(sch, 8, 1))[:40] or None,
        planned_codes=tuple(dict.fromkeys(
            code for code in (reader.value(a, 3).strip().upper() for a in reader.segments("AIS"))
            if PROCEDURE_CODE.fullmatch(code))),
    ), {"account_number": account_place, "provider_npi": "AIP-3", "location": "AIL-3", "appointment_id": "SCH-2"})


@dataclass(frozen=True, slots=True)
class PathologyReport:
    """ORU^R01: the final pathology of an encounter's specimens, by lesion (OBX-4, the lesion's letter)."""

    account_number: str
    visit_id: str | None
    date_of_service: datetime.date | None  # the specimen's collection date (OBR-7)
    results: Mapping[str, str]  # lesion -> final diagnosis (an ICD-10-CM code or a diagnosis key)
    preliminary: bool


def read_pathology(message: hl7.Message) -> Located:
    reader = _Reader(message)
    pid = reader.one("PID")
    assert pid is not None
    account, account_place = account_number(reader, pid)
    pv1 = reader.one("PV1", required=False)
    obr = reader.one("OBR", required=False)
    collected = hl7_date(reader.value(obr, 7), "OBR-7", required=False)
    results: dict[str, str] = {}
    statuses: set[str] = set()
    places = {"account_number": account_place, "visit_id": "PV1-19", "date_of_service": "OBR-7"}
    obxs = reader.segments("OBX")
    for index, obx in enumerate(obxs, start=1):
        lesion = reader.value(obx, 4).upper()
        value = reader.value(obx, 5, 1)
        if not lesion:
            raise Hl7Problem(where("OBX", 4, index, len(obxs)), "no lesion letter (OBX-4, the specimen's "
                             "lesion as documented: A, B ...)", code=REQUIRED_MISSING)
        if not value:
            raise Hl7Problem(where("OBX", 5, index, len(obxs)), "no diagnosis (OBX-5: an ICD-10-CM code, or a "
                             "diagnosis of the encounter format)", code=REQUIRED_MISSING)
        results[lesion] = value
        statuses.add(reader.value(obx, 11).upper() or "F")
        places[f"results.{lesion}"] = where("OBX", 5, index, len(obxs))
    if not results:
        raise Hl7Problem("OBX", "the result has no OBX segment with a diagnosis", code=REQUIRED_MISSING)
    return Located(PathologyReport(account, reader.value(pv1, 19) or None, collected, results,
                                   preliminary=not statuses <= {"F", "C"}), places)
