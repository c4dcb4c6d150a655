"""HL7 v2 messages for the HL7 tests, written as an EHR's interface engine sends them (segments ended by CR), about
the world of era_world.practice_world: practice ERA, patient A-1, provider NPI 1234567893, location OFFICE."""

from __future__ import annotations

import datetime

from era_world import DOS, NPI, PAYER_ID

MLLP_START, MLLP_END = b"\x0b", b"\x1c\r"


def msh(kind: str, control: str, *, facility: str = "ERA", version: str = "2.5.1", sent: str = "20260302120000"
        ) -> str:
    return f"MSH|^~\\&|DERMEHR|{facility}|DERMBILL|BILLING|{sent}||{kind}|{control}|P|{version}"


def pv1(location: str, visit: str, provider: str) -> str:
    fields = [""] * 20  # PV1-1 .. PV1-19
    fields[1], fields[2], fields[3], fields[19] = "1", "O", location, visit
    fields[7] = f"{provider}^TESTDOC^ANN" if provider else ""
    return "PV1" + "|".join(fields)


def dft(control: str, *charges: str, account: str = "A-1", visit: str = "V1001", day: datetime.date = DOS,
        diagnoses: tuple[str, ...] = ("L57.0",), provider: str = NPI, location: str = "OFFICE",
        facility: str = "ERA") -> str:
    """A DFT^P03 with one FT1 per charge: ``code[-MOD-MOD][*units][@amount][/site]`` (11102-59*1@125.00/left hand)."""
    d = day.strftime("%Y%m%d")
    segments = [msh("DFT^P03^DFT_P03", control, facility=facility), f"EVN|P03|{d}",
                f"PID|1||{account}^^^EHR^MR||DOE^JANE||19500101|F",
                pv1(location, visit, provider)]
    for number, charge in enumerate(charges or ("11102",), start=1):
        charge, _, site = charge.partition("/")
        charge, _, amount = charge.partition("@")
        charge, _, units = charge.partition("*")
        code, *modifiers = charge.split("-")
        fields = [""] * 27  # FT1-1 .. FT1-26
        fields[1], fields[4], fields[6], fields[7] = str(number), d, "CG", f"{code}^^CPT"
        fields[10], fields[11] = units or "1", amount
        fields[19] = "~".join(f"{x}^^I10" for x in diagnoses)
        fields[20], fields[25], fields[26] = f"{provider}^TESTDOC^ANN", f"{code}^^CPT", "~".join(modifiers)
        segments.append("FT1" + "|".join(fields))
        if site:
            segments.append(f"NTE|1||{site}")
    segments += [f"DG1|{n}||{code}^^I10" for n, code in enumerate(diagnoses, start=1)]
    return "\r".join(segments) + "\r"


def oru(control: str, results: dict[str, str], *, account: str = "A-1", visit: str = "", status: str = "F",
        collected: datetime.date = DOS) -> str:
    """A pathology report: one OBX per lesion (OBX-4 the lesion's letter, OBX-5 its final diagnosis)."""
    segments = [msh("ORU^R01^ORU_R01", control), f"PID|1||{account}^^^EHR^MR||DOE^JANE||19500101|F",
                pv1("OFFICE", visit, ""),
                f"OBR|1|||88305^Surgical pathology^CPT|||{collected.strftime('%Y%m%d')}"]
    segments += [f"OBX|{n}|CE|22637-3^Pathology report final diagnosis^LN|{lesion}|{value}^^I10||||||{status}"
                 for n, (lesion, value) in enumerate(results.items(), start=1)]
    return "\r".join(segments) + "\r"


def siu(control: str, appointment: str, *, kind: str = "SIU^S12^SIU_S12", start: str = "202603091030",
        minutes: int = 20, account: str = "A-1", provider: str = NPI, visit_type: str = "",
        services: tuple[str, ...] = ("99213^Visit^CPT",)) -> str:
    """An appointment: one AIS per planned service (AIS-3, e.g. "17311^Mohs^CPT"), SCH-8 the visit type."""
    ais = [f"AIS|{n}||{service}|{start}|||{minutes}|min" for n, service in enumerate(services, start=1)]
    return "\r".join([
        msh(kind, control), f"SCH|{appointment}|{appointment}|||||^Skin check|^{visit_type}||{minutes}|min",
        f"PID|1||{account}^^^EHR^MR||DOE^JANE||19500101|F", *ais,
        f"AIP|1||{provider}^TESTDOC^ANN", "AIL|1||OFFICE",
    ]) + "\r"


def adt(control: str, *, kind: str = "ADT^A04^ADT_A01", account: str = "A-2", last: str = "SMITH",
        birth: str = "19610704", street: str = "12 ELM ST", payer: str = PAYER_ID, member: str = "1EG4TE5MK73",
        relationship: str = "SEL", effective: str = "20260101") -> str:
    """A registration: PID with the patient's demographics, one IN1 (payer ID, member ID, relationship) unless
    ``payer`` is empty."""
    segments = [msh(kind, control), f"EVN|{kind.split('^')[1]}|20260302120000",
                f"PID|1||{account}^^^EHR^MR||{last}^ANNA^M||{birth}|F|||{street}^^ANYTOWN^PA^19099||2155550123",
                "PV1|1|O"]
    if payer:
        in1 = [""] * 50  # IN1-1 .. IN1-49
        in1[1], in1[3], in1[4], in1[12], in1[17], in1[36] = "1", f"{payer}^^^", "TEST MEDICARE", effective, \
            relationship, member
        segments.append("IN1" + "|".join(in1))
    return "\r".join(segments) + "\r"


def framed(message: str) -> bytes:
    return MLLP_START + message.encode() + MLLP_END
