"""E/M office visits (99202-99215) beside procedures.

- New patient levels 2-5 -> 99202-99205; established 1-5 -> 99211-99215 (99201 ended 2020-12-31).
- With a minor procedure the same day the visit is billed only when significant and separately
  identifiable, with modifier 25; otherwise it is part of the procedure. A visit that decides on a
  90-day-global procedure takes 57.
- Diagnoses: the conditions the visit addressed; for a surveillance visit Z08 first with the personal
  history codes; a screening visit Z12.83 (not covered by Medicare).
"""

from __future__ import annotations

from dermbill.core.coding.context import Context, Draft
from dermbill.core.coding.diagnoses import (
    FOLLOW_UP_AFTER_TREATMENT,
    SCREENING_FOR_SKIN_CANCER,
    SITE_FAMILY,
    history_code,
    icd10_for,
)
from dermbill.core.errors import InvalidInput


def diagnosis_codes(ctx: Context, diagnoses: tuple[str, ...], where: str) -> tuple[str, ...]:
    """ICD-10-CM codes for keys or codes given without a site (visit or service diagnoses)."""
    codes = []
    for i, diagnosis in enumerate(diagnoses):
        if diagnosis in SITE_FAMILY:
            raise InvalidInput(f"{where}[{i}]: '{diagnosis}' depends on the site; document it as a lesion or give "
                               "its ICD-10-CM code")
        code = icd10_for(diagnosis, site=None, laterality=None, sex=ctx.encounter.sex, symptoms=frozenset(),
                         site_codes=ctx.tables.site_diagnoses)
        if code is not None:
            codes.append(code)
    return tuple(codes)


def history_codes(ctx: Context) -> tuple[str, ...]:
    """Personal-history codes (Z85.x ...) for completed treatment; the active code while still treated."""
    codes = []
    for item in ctx.encounter.history:
        if item.treatment_completed or item.site is None or item.diagnosis not in SITE_FAMILY:
            codes.append(history_code(item.diagnosis))
        else:
            active = icd10_for(item.diagnosis, site=item.site, laterality=item.laterality, sex=ctx.encounter.sex,
                               symptoms=frozenset(), site_codes=ctx.tables.site_diagnoses)
            if active is not None:
                codes.append(active)
    return tuple(dict.fromkeys(codes))


def code_visit(ctx: Context, *, evaluated_lesion_codes: tuple[str, ...]) -> None:
    visit = ctx.encounter.visit
    if visit is None:
        return
    key = f"{visit.category}-{visit.level}"
    rule = ctx.tables.rules.keyed("visit", key, on=ctx.on)
    if rule is None:
        ctx.no_code_in_force("visit", key, "visit")
        return
    reason_codes: tuple[str, ...] = ()
    if visit.reason == "surveillance":
        reason_codes = (FOLLOW_UP_AFTER_TREATMENT,)
    elif visit.reason == "screening":
        reason_codes = (SCREENING_FOR_SKIN_CANCER,)
    addressed = diagnosis_codes(ctx, visit.diagnoses, "visit.diagnoses")
    diagnoses = tuple(dict.fromkeys((*reason_codes, *addressed, *evaluated_lesion_codes, *history_codes(ctx))))
    if not diagnoses:
        diagnoses = tuple(dict.fromkeys(c for c in ctx.lesion_codes.values() if c is not None))
    if visit.reason == "screening" and ctx.encounter.payer == "medicare":
        ctx.unbilled_diagnoses.extend(diagnoses)
        ctx.warn("not_covered", f"visit: a skin-cancer screening visit ({rule.code}, Z12.83) is not covered by "
                 "Medicare; the patient may be billed directly (GY if a claim is needed for a denial)")
        return
    level = f"{visit.category} patient, level {visit.level}"
    procedures = [d for d in ctx.drafts if d.family not in ("visit", "drug")]
    major = [d for d in procedures if _global_days(ctx, d.code) == "090"]
    if major:
        ctx.add(Draft(rule.code, 1, f"{level}: the visit at which the decision for {major[0].code} (90-day global) "
                      "was made -> 57", "visit", diagnoses=diagnoses, modifiers=["57"]))
    elif procedures or ctx.performed_procedures:
        if visit.separately_identifiable:
            ctx.add(Draft(rule.code, 1, f"{level}: significant and separately identifiable from the same-day "
                          "procedure(s) -> 25", "visit", diagnoses=diagnoses, modifiers=["25"]))
        else:
            ctx.note(None, f"the visit ({rule.code}) is not billed: it led only to the decision for the minor "
                     "procedure(s) and is part of them (a separately identifiable visit would take 25)")
    else:
        ctx.add(Draft(rule.code, 1, f"{level}, no procedure the same day", "visit", diagnoses=diagnoses))


def _global_days(ctx: Context, code: str) -> str | None:
    entry = ctx.entry(code)
    return entry.global_days if entry else None
