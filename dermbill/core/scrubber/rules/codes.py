"""The codes themselves: code-invalid-on-dos, add-on-without-primary, units-invalid, duplicate-line."""

from __future__ import annotations

import re
from collections import Counter

from dermbill.core.scrubber.check import Check
from dermbill.core.scrubber.findings import ScrubFinding, error

CODE_FORMAT = re.compile(r"[0-9A-Z][0-9]{3}[0-9A-Z]")


def codes_in_force(check: Check) -> list[ScrubFinding]:
    found = []
    day = check.day
    for line in check.claim.lines:
        if not line.code:
            continue
        n = (line.number,)
        if not CODE_FORMAT.fullmatch(line.code):
            found.append(error("code-invalid-on-dos", n, f"line {line.number}: '{line.code}' is not a CPT/HCPCS code "
                               "(five characters, e.g. 11602 or J3301)", "correct the code"))
            continue
        versions = check.tables.coding.code_set.codes.get(line.code)
        if versions is not None and check.tables.entry(line.code, day) is None:
            spans = "; ".join(f"{v.effective.effective_from} to {v.effective.effective_to or 'now'}"
                              for v in versions)
            found.append(error("code-invalid-on-dos", n, f"line {line.number}: {line.code} is not in force on {day} "
                               f"(in force {spans})", _replacement_hint(line.code)))
        elif versions is None and not check.tables.known(line.code) and check.tables.knows_range_of(line.code):
            found.append(error("code-invalid-on-dos", n, f"line {line.number}: {line.code} is not a code in force on "
                               f"{day}", "check the code against the CPT/HCPCS code set of the date of service"))
    return found


def _replacement_hint(code: str) -> str:
    replaced = {"11100": "11102, 11104 or 11106 by technique", "11101": "11103, 11105 or 11107 by technique",
                "99201": "99202 (new patient visits start at level 2 since 2021)"}
    return f"use {replaced[code]}" if code in replaced else "use the code in force on the date of service"


def add_ons(check: Check) -> list[ScrubFinding]:
    present = {line.code for line in check.claim.lines}
    found = []
    for line in check.claim.lines:
        entry = check.tables.entry(line.code, check.day) if line.code else None
        if entry is not None and entry.is_add_on and present.isdisjoint(entry.add_on_to):
            found.append(error("add-on-without-primary", (line.number,), f"line {line.number}: {line.code} is an "
                               f"add-on code and none of its primary codes ({', '.join(entry.add_on_to)}) is on the "
                               "claim", f"add the primary code or remove line {line.number}"))
    return found


def units(check: Check) -> list[ScrubFinding]:
    found = []
    for line in check.claim.lines:
        if line.units is None:
            continue
        n = (line.number,)
        if line.units < 1:
            found.append(error("units-invalid", n, f"line {line.number}: {line.units} units; units are 1 or more",
                               "bill at least one unit or remove the line"))
            continue
        most = check.tables.units_per_claim_line.get(line.code)
        if most is not None and line.units > most:
            found.append(error("units-invalid", n, f"line {line.number}: {line.code} is reported once per session "
                               f"(its descriptor covers all of it), not {line.units} units",
                               f"bill line {line.number} with 1 unit (use the add-on code for each further lesion, "
                               "or sum the lengths of the repairs)"))
    return found


def duplicates(check: Check) -> list[ScrubFinding]:
    found = []
    seen = Counter((line.code, tuple(sorted(line.modifiers))) for line in check.claim.lines if line.code)
    reported = set()
    for line in check.claim.lines:
        key = (line.code, tuple(sorted(line.modifiers)))
        if line.code and seen[key] > 1 and key not in reported:
            reported.add(key)
            numbers = tuple(x.number for x in check.claim.lines if (x.code, tuple(sorted(x.modifiers))) == key)
            found.append(error("duplicate-line", numbers, f"lines {', '.join(map(str, numbers))} bill {line.code} "
                               "twice with the same modifiers", "put the units on one line; if the service was "
                               "repeated on a distinct lesion, add XS (or 76 for a repeat) to the second line"))
    day = check.claim.date_of_service
    for prior in check.claim.prior_procedures:
        if day is not None and prior.date_of_service == day:
            for line in check.claim.lines:
                if line.code == prior.code:
                    found.append(error("duplicate-line", (line.number,), f"line {line.number}: {line.code} was already "
                                       f"billed for this patient on {day}", "remove the line, or add XS/76 if this "
                                       "is a second, distinct service"))
    return found
