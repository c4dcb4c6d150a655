"""The acknowledgment dermbill answers each message with (HL7 v2 original mode): an ACK whose MSA says AA (taken),
AE (understood, but something in it is wrong: not applied) or AR (not a message dermbill takes), and for AE and
AR an ERR segment naming the segment and field (ERR-2), the HL7 error code (ERR-3, table 0357) and what is wrong
in words (ERR-8, and MSA-3 for older receivers).
"""

from __future__ import annotations

import datetime
import re

from dermbill.hl7.read import Header, Hl7Problem

APPLICATION = "DERMBILL"
CODES = ("AA", "AE", "AR")
ERROR_NAMES = {
    "101": "Required field missing", "102": "Data type error", "103": "Table value not found",
    "200": "Unsupported message type", "201": "Unsupported event code", "202": "Unsupported processing id",
    "203": "Unsupported version id", "204": "Unknown key identifier", "207": "Application internal error",
}
_PLACE = re.compile(r"([A-Z][A-Z0-9]{2})(?:\[(\d+)\])?(?:-(\d+))?")


def escaped(text: str, header: Header | None = None) -> str:
    """Text made safe inside a field: the delimiters written as HL7 escape sequences."""
    field, encoding = (header.field_separator, header.encoding_characters) if header else ("|", "^~\\&")
    component, repetition, escape, sub = (list(encoding) + ["^", "~", "\\", "&"][len(encoding):])[:4]
    out = text.replace(escape, f"{escape}E{escape}")
    for char, code in ((field, "F"), (component, "S"), (repetition, "R"), (sub, "T")):
        out = out.replace(char, f"{escape}{code}{escape}")
    return " ".join(out.split())  # no segment break inside a field


def acknowledgment(header: Header | None, code: str, *, control_id: str, now: datetime.datetime,
                   problem: Hl7Problem | None = None, text: str | None = None) -> str:
    """The ACK for a message (``header`` None when its MSH could not be read), segments ended by CR."""
    if code not in CODES:
        raise ValueError(f"acknowledgment code {code!r} is not one of {CODES}")
    sep = header.field_separator if header else "|"
    enc = header.encoding_characters if header else "^~\\&"
    comp = enc[:1] or "^"
    event = header.message_type.split("^")[1] if header and "^" in header.message_type else ""
    msh = sep.join([
        "MSH", enc, APPLICATION, escaped(header.receiving_facility, header) if header else "",
        escaped(header.sending_application, header) if header else "",
        escaped(header.sending_facility, header) if header else "", now.strftime("%Y%m%d%H%M%S"), "",
        comp.join(["ACK", event, "ACK"]) if event else "ACK", control_id,
        (header.processing_id or "P") if header else "P", (header.version or "2.5.1") if header else "2.5.1",
    ])
    message = text if text is not None else (problem.reason if problem else "")
    msa = sep.join(["MSA", code, escaped(header.control_id, header) if header else "",
                    escaped(message, header)[:80]]).rstrip(sep)
    segments = [msh, msa]
    if problem is not None and code != "AA":
        segments.append(sep.join([
            "ERR", "", _location(problem.where, comp),
            comp.join([problem.code, ERROR_NAMES.get(problem.code, ""), "HL70357"]), "E", "", "", "",
            escaped(f"{problem.where}: {problem.reason}" if problem.where else problem.reason, header),
        ]))
    return "\r".join(segments) + "\r"


def _location(where: str | None, comp: str) -> str:
    """ERR-2 (ERL): segment ID, its sequence among segments of that name, field position."""
    found = _PLACE.fullmatch(where or "")
    if found is None:
        return ""
    return comp.join([found[1], found[2] or "1", found[3] or ""]).rstrip(comp)
