"""An appointment as the front desk books it, or a CSV schedule brings it: the checks that need no database.

Times are the practice's wall-clock time, as the EHR's scheduling feed (HL7 SIU) sends them: kept as given and
marked UTC so that nothing ever shifts them. A start is written ``YYYY-MM-DD HH:MM`` (or ``YYYY-MM-DDTHH:MM``,
or ``MM/DD/YYYY HH:MM``, with an optional ``AM``/``PM``); planned codes are CPT or HCPCS codes separated by spaces,
commas or semicolons.

Example: ``{"start": "2026-03-02 09:30", "minutes": "20", "planned_codes": "11102; 17000"}`` gives a 20-minute
visit at 09:30 on 2 March 2026 with the codes 11102 and 17000.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dermbill.core.errors import InvalidFields, Problem

APPOINTMENT_STATUSES = ("booked", "cancelled", "no_show", "arrived", "completed")
PROCEDURE_CODE = re.compile(r"[0-9A-Z][0-9]{3}[0-9A-Z]")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::\d{2})?\s*(AM|PM)?", re.IGNORECASE)
_US = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}) +(\d{1,2}):(\d{2})\s*(AM|PM)?", re.IGNORECASE)
MAX_MINUTES = 600
MAX_CODES = 20


@dataclass(frozen=True, slots=True)
class AppointmentValues:
    """An appointment's own fields, checked (the patient, provider and location are found by the service)."""

    starts_at: datetime.datetime
    minutes: int
    visit_type: str | None
    planned_codes: tuple[str, ...]
    reason: str | None
    status: str


def parse_start(text: str) -> datetime.datetime | None:
    """A wall-clock start time, or None when the text is not one (see the module's docstring)."""
    value = text.strip()
    match = _ISO.fullmatch(value)
    if match:
        year, month, day, hour, minute, half = match.groups()
    else:
        match = _US.fullmatch(value)
        if not match:
            return None
        month, day, year, hour, minute, half = match.groups()
    hours = int(hour)
    if half:
        if not 1 <= hours <= 12:
            return None
        hours = hours % 12 + (12 if half.upper() == "PM" else 0)
    try:
        return datetime.datetime(int(year), int(month), int(day), hours, int(minute), tzinfo=datetime.UTC)
    except ValueError:
        return None


def planned_codes(text: str) -> tuple[list[str], list[str]]:
    """(the codes, the parts that are not procedure codes) of a list separated by spaces, commas or semicolons."""
    parts = [part for part in re.split(r"[\s,;]+", text.strip().upper()) if part]
    codes = []
    for part in parts:
        if PROCEDURE_CODE.fullmatch(part) and part not in codes:
            codes.append(part)
    return codes, [part for part in parts if not PROCEDURE_CODE.fullmatch(part)]


def checked_appointment(values: Mapping[str, Any], *, who: str = "the appointment") -> AppointmentValues:
    """The appointment's values checked: InvalidFields naming every field in error, with what is accepted."""
    problems: list[Problem] = []
    raw_start = values.get("start")
    starts_at = raw_start if isinstance(raw_start, datetime.datetime) else None
    if starts_at is None:
        text = str(raw_start or "").strip()
        if not text:
            problems.append(Problem("start", "the start is missing: give the date and time, e.g. 2026-03-02 09:30"))
        else:
            starts_at = parse_start(text)
            if starts_at is None:
                problems.append(Problem("start", f"'{text[:30]}' is not a date and time; write YYYY-MM-DD HH:MM "
                                                 "(e.g. 2026-03-02 09:30) or MM/DD/YYYY HH:MM AM"))
    minutes = 15
    raw_minutes = str(values.get("minutes") or "").strip()
    if raw_minutes:
        if not raw_minutes.isdigit() or not 5 <= int(raw_minutes) <= MAX_MINUTES:
            problems.append(Problem("minutes", f"'{raw_minutes[:10]}' is not a length in minutes (5 to "
                                               f"{MAX_MINUTES})"))
        else:
            minutes = int(raw_minutes)
    visit_type = " ".join(str(values.get("visit_type") or "").split()) or None
    if visit_type is not None and len(visit_type) > 40:
        problems.append(Problem("visit_type", f"the visit type has {len(visit_type)} characters; at most 40"))
    raw_codes = values.get("planned_codes")
    text_codes = " ".join(raw_codes) if isinstance(raw_codes, list | tuple) else str(raw_codes or "")
    codes, bad = planned_codes(text_codes)
    if bad:
        problems.append(Problem("planned_codes", f"'{bad[0][:12]}' is not a procedure code; give CPT or HCPCS "
                                                 "codes (five characters, e.g. 11102 17000) separated by spaces"))
    elif len(codes) > MAX_CODES:
        problems.append(Problem("planned_codes", f"{len(codes)} codes; at most {MAX_CODES} per appointment"))
    reason = " ".join(str(values.get("reason") or "").split()) or None
    if reason is not None and len(reason) > 200:
        problems.append(Problem("reason", f"the reason has {len(reason)} characters; at most 200"))
    status = str(values.get("status") or "booked").strip().lower()
    if status not in APPOINTMENT_STATUSES:
        problems.append(Problem("status", f"'{status[:20]}' is not a status ({', '.join(APPOINTMENT_STATUSES)})"))
    if problems or starts_at is None:
        raise InvalidFields(f"{who} was not saved", tuple(problems))
    return AppointmentValues(starts_at, minutes, visit_type, tuple(codes), reason, status)
