"""Modifiers: modifier-missing, modifier-invalid and global-period.

- A visit beside a minor procedure needs 25 (57 beside a 90-day-global procedure); a nail avulsion
  needs its digit modifier.
- Known modifiers only; 24, 25 and 57 belong on visits, 58, 78 and 79 on procedures; 59 is not used
  with an X{EPSU} modifier; a payer that wants 59 (or XS) gets told.
- During an earlier procedure's global period a visit needs 24 (or is part of the package when related)
  and a procedure needs 58, 78 or 79 (CMS global surgery rules; NCCI Policy Manual ch. I).
"""

from __future__ import annotations

from dermbill.core.scrubber.check import Check
from dermbill.core.scrubber.claim import ClaimLine, PriorService
from dermbill.core.scrubber.findings import Fix, ScrubFinding, error, warning

DIGIT_MODIFIERS = frozenset({"FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9",
                             "TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9"})
VISIT_ONLY = frozenset({"24", "25", "57"})
PROCEDURE_ONLY = frozenset({"58", "78", "79", "76", "77"})
DISTINCT = frozenset({"59", "XE", "XS", "XP", "XU"})
LIABILITY = frozenset({"GA", "GY", "GZ", "GX"})
KNOWN_MODIFIERS = DIGIT_MODIFIERS | VISIT_ONLY | PROCEDURE_ONLY | DISTINCT | LIABILITY | frozenset({
    "22", "26", "TC", "50", "51", "52", "53", "54", "55", "62", "80", "82", "AS", "91", "27",
    "E1", "E2", "E3", "E4", "LT", "RT", "Q7", "Q8", "Q9", "KX", "JW", "JZ", "GC", "GE", "Q5", "Q6", "95", "93",
})
NAIL_AVULSION = frozenset({"11730", "11732"})
GLOBAL_MODIFIERS_VISIT = frozenset({"24", "25", "57"})
GLOBAL_MODIFIERS_PROCEDURE = frozenset({"58", "78", "79"})


def missing_modifiers(check: Check) -> list[ScrubFinding]:
    found = []
    procedures = check.procedures()
    if procedures:
        major = [p for p in procedures if check.tables.global_days(p.code, check.day) == 90]
        needed = "57" if major else "25"
        separately = _visit_separately_identifiable(check)
        for line in check.claim.lines:
            if not check.is_visit(line) or set(line.modifiers) & {"25", "57"}:
                continue
            why = (f"the decision for {major[0].code} (90-day global) was made at this visit" if major else
                   "a visit the same day as a minor procedure is part of it unless significant and separately "
                   "identifiable")
            if needed == "25" and separately is False:
                found.append(error("modifier-missing", (line.number,), f"line {line.number}: {line.code} beside "
                                   f"{procedures[0].code}: {why}, and the documentation says it was not",
                                   f"remove line {line.number} (the visit is included in the procedure)"))
                continue
            autofix = Fix(line.number, needed) if needed == "57" or separately else None
            fix = (f"append {needed} to line {line.number}" if autofix else f"append 25 to line {line.number} if the "
                   f"visit was significant and separately identifiable; otherwise remove line {line.number}")
            found.append(error("modifier-missing", (line.number,), f"line {line.number}: {line.code} is billed with "
                               f"{procedures[0].code} without modifier {needed}: {why}", fix, autofix))
    for line in check.claim.lines:
        if line.code in NAIL_AVULSION and not set(line.modifiers) & DIGIT_MODIFIERS:
            found.append(error("modifier-missing", (line.number,), f"line {line.number}: nail avulsion {line.code} "
                               "without the digit modifier (FA-F9, TA-T9)", "append the modifier of the digit whose "
                               "nail plate was removed, e.g. T5 for the right great toe"))
    return found


def _visit_separately_identifiable(check: Check) -> bool | None:
    documentation = check.claim.documentation or {}
    visit = documentation.get("visit")
    if not isinstance(visit, dict):
        return None
    value = visit.get("separately_identifiable")
    return value if isinstance(value, bool) else False


def invalid_modifiers(check: Check) -> list[ScrubFinding]:
    found = []
    for line in check.claim.lines:
        n = (line.number,)
        modifiers = line.modifiers
        for modifier in modifiers:
            if modifier not in KNOWN_MODIFIERS:
                found.append(error("modifier-invalid", n, f"line {line.number}: '{modifier}' is not a recognised "
                                   "modifier", "use a valid modifier (examples: 25, 59, XS, 79, T5)"))
        visit = check.is_visit(line)
        misplaced = sorted(set(modifiers) & (PROCEDURE_ONLY if visit else VISIT_ONLY))
        if misplaced:
            kind = "a visit" if visit else "a procedure"
            found.append(error("modifier-invalid", n, f"line {line.number}: modifier {', '.join(misplaced)} does "
                               f"not apply to {kind} ({line.code})", f"remove {', '.join(misplaced)} from line "
                               f"{line.number}" + ("; a visit inside a global period takes 24" if visit else "")))
        if "59" in modifiers and set(modifiers) & (DISTINCT - {"59"}):
            found.append(error("modifier-invalid", n, f"line {line.number}: 59 is used together with an X modifier",
                               "keep the more specific X{EPSU} modifier and remove 59"))
        if len(set(modifiers)) != len(modifiers):
            found.append(error("modifier-invalid", n, f"line {line.number} lists a modifier twice",
                               "list each modifier once"))
        if len(modifiers) > 4:
            found.append(error("modifier-invalid", n, f"line {line.number} has {len(modifiers)} modifiers; the 837P "
                               "allows four", "keep the four that matter for payment, pricing first"))
        if visit and set(modifiers) & DIGIT_MODIFIERS:
            found.append(error("modifier-invalid", n, f"line {line.number}: a digit modifier on a visit",
                               "remove the digit modifier"))
        preferred = check.payer.distinct_modifier
        if preferred != "either" and set(modifiers) & DISTINCT and preferred not in modifiers:
            others = tuple(m for m in modifiers if m in DISTINCT)
            found.append(warning("modifier-invalid", n, f"line {line.number}: this payer wants {preferred} as the "
                                 "distinct-service modifier", f"use {preferred} on line {line.number}",
                                 Fix(line.number, preferred, others)))
        if "51" in modifiers and not check.payer.wants_modifier_51:
            found.append(warning("modifier-invalid", n, f"line {line.number}: modifier 51 is not needed; this payer "
                                 "applies multiple-procedure rules itself", f"remove 51 from line {line.number}"))
    return found


def global_periods(check: Check) -> list[ScrubFinding]:
    claim = check.claim
    if claim.date_of_service is None:
        return []
    open_globals = []
    for prior in claim.prior_procedures:
        days = check.tables.global_days(prior.code, prior.date_of_service)
        elapsed = (claim.date_of_service - prior.date_of_service).days
        if days and 1 <= elapsed <= days:
            open_globals.append((prior, days))
    found = []
    for prior, days in open_globals:
        opened = f"the {days}-day global period of {prior.code} ({prior.date_of_service})"
        for line in claim.lines:
            if not line.code or check.kind(line.code) == "drug" or check.is_add_on(line.code):
                continue
            if check.is_visit(line):
                found += _visit_in_global(line, prior, opened)
            elif not set(line.modifiers) & GLOBAL_MODIFIERS_PROCEDURE:
                found.append(_procedure_in_global(line, prior, opened))
    return found


def _visit_in_global(line: ClaimLine, prior: PriorService, opened: str) -> list[ScrubFinding]:
    n = (line.number,)
    if prior.related:
        return [error("global-period", n, f"line {line.number}: a visit for the same problem inside {opened} is part "
                      "of the surgical package", f"remove line {line.number} (post-operative care is not billed)")]
    if "24" in line.modifiers:
        return []
    autofix = Fix(line.number, "24") if prior.related is False else None
    return [error("global-period", n, f"line {line.number}: {line.code} falls inside {opened} without modifier 24",
                  f"append 24 to line {line.number} if the visit was unrelated to {prior.code}", autofix)]


def _procedure_in_global(line: ClaimLine, prior: PriorService, opened: str) -> ScrubFinding:
    n = (line.number,)
    if prior.related is False:
        return error("global-period", n, f"line {line.number}: {line.code} falls inside {opened} without a modifier",
                     f"append 79 to line {line.number} (unrelated to {prior.code})", Fix(line.number, "79"))
    if prior.related:
        return error("global-period", n, f"line {line.number}: {line.code} falls inside {opened} and is related to "
                     "it", f"append 58 to line {line.number} if staged or planned (re-excision), 78 if a return to "
                     "the procedure room for a complication")
    return error("global-period", n, f"line {line.number}: {line.code} falls inside {opened} without 58, 78 or 79",
                 f"append 79 to line {line.number} if unrelated to {prior.code}, 58 if staged or planned, 78 for a "
                 "complication")
