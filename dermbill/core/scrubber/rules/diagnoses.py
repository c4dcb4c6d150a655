"""Diagnoses: icd-invalid, dx-procedure-mismatch and medical-necessity.

- Every diagnosis must be a billable ICD-10-CM code of the release in force on the date of service.
- A malignant excision, destruction or Mohs line must point to a malignant or in-situ diagnosis; a
  benign excision must not; premalignant destruction (17000-17004) needs actinic keratosis; the site of
  the diagnosis must fit the code's site group (a face-group excision for a forearm lesion is wrong).
- Coverage policies (data): Medicare's benign skin lesion LCDs (removal needs a documented indication),
  NCD 250.4 (actinic keratosis), routine foot care, skin-cancer screening.
"""

from __future__ import annotations

from dermbill.core.coding.diagnoses import REMOVAL_NECESSARY_BY_DIAGNOSIS, Category, category_of
from dermbill.core.scrubber.check import Check
from dermbill.core.scrubber.claim import ClaimLine
from dermbill.core.scrubber.findings import ScrubFinding, error
from dermbill.core.scrubber.tables import CoveragePolicy

MALIGNANT_FAMILIES = frozenset({"excision_malignant", "destruction_malignant", "mohs_first_stage"})
FAMILY_WORDS = {"excision_malignant": "malignant excision", "destruction_malignant": "malignant destruction",
                "mohs_first_stage": "Mohs surgery", "excision_benign": "benign excision",
                "destruction_premalignant": "premalignant destruction", "destruction_benign": "benign destruction",
                "shave_removal": "shave removal", "skin_tag_removal": "skin tag removal", "paring": "paring"}
GROUP_WORDS = {"trunk_arms_legs": "trunk, arms or legs", "scalp_neck_hands_feet_genitalia":
               "scalp, neck, hands, feet or genitalia", "face": "face, ears, eyelids, nose, lips or mucosa",
               "head_neck_hands_feet_genitalia": "head, neck, hands, feet or genitalia"}
LIABILITY = frozenset({"GA", "GY", "GZ", "GX"})
FOOT_CARE_CLASS_FINDINGS = frozenset({"Q7", "Q8", "Q9"})


def icd_codes(check: Check) -> list[ScrubFinding]:
    release, _ = check.tables.coding.icd10.release_for(check.day)
    found = []
    for index, code in enumerate(check.claim.diagnoses, start=1):
        if code in release.billable:
            continue
        lines = tuple(line.number for line in check.claim.lines if index in line.pointers)
        if any(code in r.categories for r in check.tables.coding.icd10.releases):
            why, fix = "is a category with subcodes, not a billable code", "use the most specific code beneath it"
        else:
            why, fix = "is not an ICD-10-CM code", "correct the code"
        found.append(error("icd-invalid", lines, f"diagnosis {index} '{code}' {why} in {release.name}", fix))
    return found


def _categories(codes: tuple[str, ...]) -> set[Category]:
    return {category_of(code) for code in codes}


def procedure_diagnoses(check: Check) -> list[ScrubFinding]:
    release, _ = check.tables.coding.icd10.release_for(check.day)
    found = []
    for line in check.claim.lines:
        # Invalid codes are icd-invalid's to report; judging the procedure by them would say it twice.
        pointed = tuple(code for code in check.pointed(line) if code in release.billable)
        family_group = check.tables.code_groups.get(line.code)
        if not pointed or family_group is None:
            continue
        family, group = family_group
        categories = _categories(pointed)
        malignant = {Category.MALIGNANT, Category.IN_SITU} & categories
        what = FAMILY_WORDS.get(family, family)
        n = (line.number,)
        if family in MALIGNANT_FAMILIES and not malignant:
            found.append(error("dx-procedure-mismatch", n, f"line {line.number}: {line.code} is a {what} code but it "
                               f"points to no malignant diagnosis ({', '.join(pointed)})", "use the benign code if the "
                               "final pathology was benign, or point to the malignant diagnosis"))
        elif family == "excision_benign" and malignant and not categories - malignant:
            found.append(error("dx-procedure-mismatch", n, f"line {line.number}: {line.code} is a benign excision "
                               f"code but the diagnosis is malignant ({', '.join(pointed)})", "use the malignant "
                               "excision code of the same site group and size (116xx)"))
        elif family == "destruction_premalignant" and Category.PREMALIGNANT not in categories:
            found.append(error("dx-procedure-mismatch", n, f"line {line.number}: {line.code} destroys premalignant "
                               f"lesions but points to no actinic keratosis ({', '.join(pointed)})", "point to L57.0, "
                               "or use the benign (17110) or malignant (172xx) destruction code"))
        elif family == "destruction_benign" and (malignant or Category.PREMALIGNANT in categories):
            found.append(error("dx-procedure-mismatch", n, f"line {line.number}: {line.code} is for benign lesions "
                               f"but the diagnosis is not benign ({', '.join(pointed)})", "use 17000-17004 for actinic "
                               "keratoses or 172xx for malignant lesions"))
        elif family == "skin_tag_removal" and "L91.8" not in pointed:
            found.append(error("dx-procedure-mismatch", n, f"line {line.number}: {line.code} removes skin tags but "
                               f"points to {', '.join(pointed)}", "point to L91.8 (acrochordon)"))
        else:
            found += _site_mismatch(check, line, pointed, family, group)
    return found


def _site_mismatch(check: Check, line: ClaimLine, pointed: tuple[str, ...], family: str,
                   group: str) -> list[ScrubFinding]:
    if not group or group == "any":
        return []
    groups = [check.tables.icd_groups.get(code) for code in pointed]
    known = [g for g in groups if g]
    if not known or any(group in g for g in known):
        return []
    sites = " / ".join(sorted({GROUP_WORDS.get(g, g) for g in known[0]}))
    return [error("dx-procedure-mismatch", (line.number,), f"line {line.number}: {line.code} is a "
                  f"{FAMILY_WORDS.get(family, family)} code for the {GROUP_WORDS.get(group, group)}, but the "
                  f"diagnosis is of the {sites}", "use the code of the diagnosis's site group, or correct the "
                  "diagnosis's site")]


def coverage(check: Check) -> list[ScrubFinding]:
    if check.claim.payer is None:
        return []
    found = []
    for line in check.claim.lines:
        if not line.code or set(line.modifiers) & LIABILITY:
            continue  # the provider already marked the expected denial (ABN, GY)
        for policy in check.tables.policies_for(check.claim.payer, line.code, check.day):
            problem = _policy_problem(check, line, policy)
            if problem:
                found.append(error("medical-necessity", (line.number,), f"line {line.number}: {problem} "
                                   f"({policy.policy_id}: {policy.title})", _policy_fix(policy, line)))
    return found


def _policy_problem(check: Check, line: ClaimLine, policy: CoveragePolicy) -> str | None:
    pointed = check.pointed(line)
    supported = any(code.startswith(policy.supporting_diagnoses) for code in pointed)
    if policy.kind == "routine_foot_care":
        if set(line.modifiers) & FOOT_CARE_CLASS_FINDINGS:
            return None
        return f"{line.code} is routine foot care, excluded unless class findings qualify (Q7, Q8, Q9)"
    if policy.kind == "screening":
        if pointed and all(code.startswith(policy.excluded_when_only) for code in pointed):
            return f"{line.code} is a skin-cancer screening visit ({', '.join(pointed)}), which is not covered"
        return None
    if policy.kind == "actinic_keratosis" or supported:
        return None
    documented = _documented_indication(check, pointed)
    if documented is True:
        return None
    benign_only = pointed and all(category_of(code) == Category.BENIGN for code in pointed)
    cosmetic = any(code.startswith(policy.excluded_when_only) for code in pointed)
    if benign_only and (documented is False or cosmetic):
        return (f"removal of a benign lesion ({', '.join(pointed)}) with no documented symptom or indication is "
                "cosmetic")
    return None


def _documented_indication(check: Check, pointed: tuple[str, ...]) -> bool | None:
    """True/False when the attached documentation shows (or not) a symptom on the removed lesions; None if absent."""
    documentation = check.claim.documentation
    if not isinstance(documentation, dict):
        return None
    lesions = [lesion for lesion in documentation.get("lesions") or [] if isinstance(lesion, dict)
               and any(p.get("type") in ("shave_removal", "excision", "destruction", "skin_tag_removal")
                       for p in lesion.get("procedures") or [] if isinstance(p, dict))]
    if not lesions:
        return None
    return any(_indicated(lesion) for lesion in lesions)


def _indicated(lesion: dict[str, object]) -> bool:
    """A removed lesion with a documented symptom, or whose diagnosis makes removal necessary by itself."""
    pathology = lesion.get("pathology")
    final = pathology if isinstance(pathology, str) and pathology != "pending" else lesion.get("diagnosis")
    return bool(lesion.get("symptoms")) or (isinstance(final, str) and (
        final in REMOVAL_NECESSARY_BY_DIAGNOSIS or category_of(final) != Category.BENIGN))


def _policy_fix(policy: CoveragePolicy, line: ClaimLine) -> str:
    if policy.kind == "routine_foot_care":
        return ("append the class-findings modifier (Q7-Q9) if documented; otherwise bill the patient "
                f"(GY on line {line.number})")
    if policy.kind == "screening":
        return "bill the patient (GY) or code the problem the visit addressed"
    return (f"add the sign or symptom diagnosis that makes removal necessary (e.g. L29.89 itching, R58 bleeding, "
            f"L82.0 inflamed seborrheic keratosis) if documented; otherwise get an ABN and append GA, or bill the "
            f"patient with GY on line {line.number}")
