"""NCCI edits: ncci-ptp (procedure-to-procedure pairs) and mue (medically unlikely units).

PTP (NCCI Policy Manual, ch. I and III): when two lines form a pair in force on the date of service,
the column-two line is not paid unless, for indicator 1, an NCCI-associated modifier (XS, 59, ...)
shows a distinct lesion, site or encounter; indicator 0 pairs are never paid together. Visit pairs are
left to modifier-missing (25).
MUE: MAI 1 limits the units of each line; MAI 2 and 3 limit the units of the code on the date of service.
"""

from __future__ import annotations

from collections import defaultdict

from dermbill.core.ncci import NCCI_ASSOCIATED_MODIFIERS
from dermbill.core.scrubber.check import Check
from dermbill.core.scrubber.findings import ScrubFinding, error

MAI_MEANING = {"1": "per line", "2": "per day, by policy (absolute)", "3": "per day, by clinical data"}


def ptp_pairs(check: Check) -> list[ScrubFinding]:
    lines = [line for line in check.claim.lines if line.code and check.kind(line.code) != "visit"]
    found = []
    ptp = check.tables.coding.ptp
    for i, first in enumerate(lines):
        for second in lines[i + 1:]:
            if first.code == second.code:
                continue
            edit = ptp.edit_between(first.code, second.code, on=check.day)
            if edit is None:
                continue
            column1, column2 = (first, second) if edit.column1 == first.code else (second, first)
            numbers = (column1.number, column2.number)
            if edit.modifier_indicator == "0":
                found.append(error("ncci-ptp", numbers, f"{column2.code} (line {column2.number}) is never paid with "
                                   f"{column1.code} (line {column1.number}) on the same day: NCCI edit with modifier "
                                   "indicator 0, no modifier bypasses it", f"remove line {column2.number}"))
                continue
            modifiers = set(column1.modifiers) | set(column2.modifiers)
            if not modifiers & NCCI_ASSOCIATED_MODIFIERS:
                distinct = check.payer.distinct_modifier if check.payer.distinct_modifier != "either" else "XS"
                found.append(error("ncci-ptp", numbers, f"{column2.code} (line {column2.number}) is bundled into "
                                   f"{column1.code} (line {column1.number}) on the same day unless it was a separate "
                                   "lesion or site", f"append modifier {distinct} to line {column2.number} if it was "
                                   f"a different lesion; otherwise remove line {column2.number}"))
    return found


def medically_unlikely(check: Check) -> list[ScrubFinding]:
    by_day: dict[str, list[int]] = defaultdict(list)
    found = []
    mue = check.tables.coding.mue
    over_descriptor = {line.number for line in check.claim.lines if line.units is not None and line.units > check.tables
                       .units_per_claim_line.get(line.code, 10**6)}
    for line in check.claim.lines:
        if line.code and line.units and line.number not in over_descriptor:
            by_day[line.code].append(line.number)
    for code, numbers in by_day.items():
        value = mue.value(code, on=check.day)
        if value is None:
            continue
        if value.adjudication_indicator == "1":
            for number in numbers:
                units = check.claim.line(number).units or 0
                if units > value.units:
                    found.append(_over(code, (number,), units, value.units, value.adjudication_indicator))
        else:
            total = sum(check.claim.line(n).units or 0 for n in numbers)
            if total > value.units:
                found.append(_over(code, tuple(numbers), total, value.units, value.adjudication_indicator))
    return found


def _over(code: str, lines: tuple[int, ...], units: int, limit: int, mai: str) -> ScrubFinding:
    where = f"line {lines[0]}" if len(lines) == 1 else f"lines {', '.join(map(str, lines))}"
    fix = f"bill at most {limit} unit(s) of {code}"
    if mai == "1":
        fix += " per line (further units on separate lines with an anatomic or XS modifier, if documented)"
    elif mai == "3":
        fix += "; units above it are denied and can be appealed with the records"
    return error("mue", lines, f"{where}: {units} units of {code}; its medically unlikely edit allows {limit} "
                 f"({MAI_MEANING[mai]})", fix)
