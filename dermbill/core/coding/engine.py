"""The coding engine: a parsed encounter and the reference tables in, a ``CodingResult`` out.

Order of work: per lesion, decide what is held (pending pathology), not covered (benign removal without
a covered indication, Medicare) or included in another service on the same lesion; code each family;
sum the repairs; code the visit; apply the NCCI pairs in force between lines (same lesion: the
column-two service is left out; different lesions: XS on the column-two code; indicator 0: never
together); add global-period modifiers (24, 58, 79); merge like lines and order them by value.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from dermbill.core.coding import destruction, lesion_removal, repair, services, visits
from dermbill.core.coding.context import Context, Draft
from dermbill.core.coding.diagnoses import REMOVAL_NECESSARY_BY_DIAGNOSIS, Category, category_of, is_icd10_code
from dermbill.core.coding.encounter import Encounter, Lesion, Procedure
from dermbill.core.coding.result import CodedLine, CodingResult, Notice
from dermbill.core.coding.tables import CodingTables
from dermbill.core.errors import InvalidInput

REMOVALS = frozenset({"shave_removal", "excision", "destruction", "mohs", "adjacent_tissue_transfer"})
# A lesion's code waits on the final pathology when the category (benign/malignant) chooses the code.
PATHOLOGY_DEPENDENT = frozenset({"excision", "destruction"})
# Removals the Medicare benign-lesion LCDs cover only with a documented indication.
LCD_REMOVALS = frozenset({"shave_removal", "excision", "destruction", "skin_tag_removal"})
SERVICE_CODERS = {
    "nail_debridement": services.code_nail_debridement,
    "nail_avulsion": services.code_nail_avulsion,
    "photodynamic_therapy": services.code_photodynamic_therapy,
    "phototherapy": services.code_phototherapy,
}
MAX_LINE_DIAGNOSES = 4
MAX_CLAIM_DIAGNOSES = 12


def code_encounter(encounter: Encounter, tables: CodingTables) -> CodingResult:
    """Code one encounter: the billable lines with their explanations, diagnoses, holds and warnings."""
    ctx = Context(encounter, tables)
    release, in_force = tables.icd10.release_for(encounter.date_of_service)
    _check_given_icd10_codes(encounter, tables, release.billable, release.name)
    if not in_force:
        ctx.warn("code_set_out_of_date", f"no loaded ICD-10-CM release covers {encounter.date_of_service}; "
                 f"diagnoses were checked against {release.name}. Load the release in force with "
                 "'dermbill reference load-icd10cm FILE'")
    buckets = _sort_procedures(ctx)
    _code_families(ctx, buckets)
    _code_repairs(ctx, buckets["repair"])
    ctx.performed_procedures += sum(1 for d in ctx.drafts if d.family != "drug")
    visits.code_visit(ctx, evaluated_lesion_codes=_untreated_lesion_codes(ctx))
    drafts = _merge(ctx.drafts)
    drafts = _apply_ncci_pairs(ctx, drafts)
    drafts = _apply_global_periods(ctx, drafts)
    drafts = _drop_codes_not_in_force(ctx, drafts)
    drafts = _order(ctx, drafts)
    return _result(ctx, drafts)


def _check_given_icd10_codes(encounter: Encounter, tables: CodingTables, billable: frozenset[str], name: str) -> None:
    """An ICD-10-CM code written in the documentation must be a billable code of the release in force."""
    given: list[tuple[str, str]] = []
    for lesion in encounter.lesions:
        given.append((f"{lesion.where}.diagnosis", lesion.diagnosis))
        if lesion.pathology not in (None, "pending"):
            given.append((f"{lesion.where}.pathology", lesion.pathology or ""))
    if encounter.visit:
        given.extend((f"visit.diagnoses[{i}]", d) for i, d in enumerate(encounter.visit.diagnoses))
    for service in encounter.services:
        given.extend((f"{service.where}.diagnoses[{i}]", d) for i, d in enumerate(service.diagnoses))
    given.extend((f"{h.where}.diagnosis", h.diagnosis) for h in encounter.history)
    for where, code in given:
        if is_icd10_code(code) and code not in billable:
            has_subcodes = any(code in release.categories for release in tables.icd10.releases)
            why = "it is a category with subcodes: give the full code" if has_subcodes else "it is not in that release"
            raise InvalidInput(f"{where}: '{code}' is not a billable ICD-10-CM code in {name} ({why})")


def _sort_procedures(ctx: Context) -> dict[str, list[tuple[Lesion, Procedure]]]:
    """Decide, per lesion, what is held, not covered or included elsewhere; bucket the rest by family."""
    buckets: dict[str, list[tuple[Lesion, Procedure]]] = defaultdict(list)
    encounter = ctx.encounter
    for lesion in encounter.lesions:
        types = {p.type for p in lesion.procedures}
        removal = types & REMOVALS
        if lesion.pathology_pending and (types & PATHOLOGY_DEPENDENT) - _included_removals(types):
            ctx.lesion_codes[lesion.id] = None
            ctx.performed_procedures += 1
            ctx.holds.append(Notice("pathology_pending", f"{lesion.where}: the code for lesion {lesion.id} depends on "
                                    "the final pathology (benign or malignant); code it when the report is final",
                                    lesion.id))
            continue
        ctx.lesion_codes[lesion.id] = ctx.icd_for_lesion(lesion)
        not_covered = _not_covered_reason(ctx, lesion)
        # A biopsy, then destruction of the same lesion: the destruction is reported when the final
        # pathology is malignant, otherwise only the biopsy (AAD, "When can I bill a biopsy ...", 2012).
        biopsy_instead = removal == {"destruction"} and "biopsy" in types and not ctx.category(
            lesion).excised_as_malignant
        for procedure in _one_of_each(lesion.procedures):
            kind = procedure.type
            if not_covered and kind in LCD_REMOVALS | {"repair", "paring"}:
                continue
            if kind == "destruction" and biopsy_instead:
                ctx.note(lesion.id, "the destruction of the same lesion is not reported: the final pathology is "
                         "not malignant, so only the biopsy is")
                continue
            if kind == "biopsy" and removal and not biopsy_instead:
                ctx.note(lesion.id, "the biopsy of the same lesion is included (one removal code per lesion)")
                continue
            if kind == "excision" and "adjacent_tissue_transfer" in types:
                continue  # the flap includes the excision; said in the flap's explanation
            if kind == "intralesional_injection" and removal:
                ctx.note(lesion.id, "the injection of the same lesion is included")
                continue
            if kind == "incision_drainage" and removal:
                ctx.note(lesion.id, "the drainage of the same lesion is part of its removal")
                continue
            buckets[kind].append((lesion, procedure))
        if not_covered:
            ctx.warn("not_covered", not_covered, lesion.id)
    return buckets


def _one_of_each(procedures: tuple[Procedure, ...]) -> list[Procedure]:
    """One biopsy unit per lesion (the highest technique) and one excision (the widest) however many samples."""
    chosen: list[Procedure] = []
    for procedure in procedures:
        same = next((p for p in chosen if p.type == procedure.type and p.type in ("biopsy", "excision")), None)
        if same is None:
            chosen.append(procedure)
        elif _outranks(procedure, same):
            chosen[chosen.index(same)] = procedure
    return chosen


def _outranks(new: Procedure, old: Procedure) -> bool:
    if new.type == "biopsy":
        rank = lesion_removal.BIOPSY_RANK
        return rank.get(new.technique or "", 9) < rank.get(old.technique or "", 9)
    size = (new.excised_diameter_cm or Decimal(0)) + 2 * (new.margin_cm or Decimal(0))
    return size > (old.excised_diameter_cm or Decimal(0)) + 2 * (old.margin_cm or Decimal(0))


def _included_removals(types: set[str]) -> set[str]:
    return {"excision"} if "adjacent_tissue_transfer" in types else set()


def _not_covered_reason(ctx: Context, lesion: Lesion) -> str | None:
    """Why Medicare will not pay for this lesion's removal (benign-lesion LCDs, routine foot care), or None."""
    if ctx.encounter.payer != "medicare":
        return None
    types = {p.type for p in lesion.procedures}
    if "paring" in types:
        return (f"{lesion.where}: paring of corns and calluses is routine foot care, excluded by Medicare unless "
                "class findings qualify (Q7-Q9); the patient may be billed directly")
    if not types & LCD_REMOVALS or lesion.symptoms:
        return None
    diagnosis = lesion.final_diagnosis
    if category_of(diagnosis) != Category.BENIGN or diagnosis in REMOVAL_NECESSARY_BY_DIAGNOSIS:
        return None
    if diagnosis == "seborrheic_keratosis" and ctx.lesion_codes.get(lesion.id) == "L82.0":
        return None
    return (f"{lesion.where}: removal of a benign lesion ({diagnosis}) with no documented symptom or indication "
            "(bleeding, itching, pain, inflammation, irritation, growth, obstruction, infection, suspicion of "
            "malignancy) is cosmetic under the Medicare benign skin lesion LCDs (e.g. L34200, L35498): not billed "
            "to Medicare; the patient may be billed directly (GY if a claim is needed for a denial)")


def _code_families(ctx: Context, buckets: dict[str, list[tuple[Lesion, Procedure]]]) -> None:
    lesion_removal.code_biopsies(ctx, buckets["biopsy"])
    for lesion, procedure in buckets["shave_removal"]:
        lesion_removal.code_shave(ctx, lesion, procedure)
    for lesion, procedure in buckets["excision"]:
        lesion_removal.code_excision(ctx, lesion, procedure)
    for lesion, procedure in buckets["adjacent_tissue_transfer"]:
        lesion_removal.code_adjacent_tissue_transfer(ctx, lesion, procedure)
    kinds: dict[str, list[tuple[Lesion, Procedure]]] = defaultdict(list)
    for lesion, procedure in buckets["destruction"]:
        kinds[destruction.destruction_kind(ctx, lesion)].append((lesion, procedure))
    destruction.code_premalignant(ctx, [lesion for lesion, _ in kinds["premalignant"]])
    destruction.code_benign(ctx, [lesion for lesion, _ in kinds["benign"]])
    destruction.code_vascular(ctx, kinds["vascular"])
    for lesion, procedure in kinds["malignant"]:
        destruction.code_malignant(ctx, lesion, procedure)
    for lesion, procedure in buckets["mohs"]:
        destruction.code_mohs(ctx, lesion, procedure)
    tags = [lesion for lesion, _ in buckets["skin_tag_removal"]] + [lesion for lesion, _ in kinds["skin_tag"]]
    services.code_skin_tags(ctx, list(dict.fromkeys(tags)))
    services.code_paring(ctx, list(dict.fromkeys(lesion for lesion, _ in buckets["paring"])))
    services.code_injections(ctx, buckets["intralesional_injection"])
    services.code_incision_drainage(ctx, buckets["incision_drainage"])
    for service in ctx.encounter.services:
        diagnoses = visits.diagnosis_codes(ctx, service.diagnoses, f"{service.where}.diagnoses")
        if not diagnoses and service.type == "photodynamic_therapy":
            diagnoses = _untreated_lesion_codes(ctx)  # the lesions the photosensitizer treated
        SERVICE_CODERS[service.type](ctx, service, diagnoses)


def _untreated_lesion_codes(ctx: Context) -> tuple[str, ...]:
    """Diagnoses of lesions documented without a procedure: evaluated at the visit, or treated by PDT."""
    codes = (ctx.lesion_codes.get(lesion.id) for lesion in ctx.encounter.lesions if not lesion.procedures)
    return tuple(dict.fromkeys(code for code in codes if code is not None))


def _code_repairs(ctx: Context, repairs: list[tuple[Lesion, Procedure]]) -> None:
    """Leave out repairs included in another service on the same wound, then sum the rest."""
    reported = []
    for lesion, procedure in repairs:
        types = {p.type for p in lesion.procedures}
        if "adjacent_tissue_transfer" in types:
            ctx.note(lesion.id, "the repair of the same defect is included in the flap")
            continue
        if procedure.complexity == "simple" and types & {"excision", "biopsy", "shave_removal", "destruction"}:
            ctx.note(lesion.id, "the simple repair is included")
            continue
        single = repair.single_repair_code(ctx, lesion, procedure)
        bundling = [d for d in ctx.drafts if lesion.id in d.lesions and single is not None and (edit := ctx.tables.ptp
                    .edit_between(d.code, single, on=ctx.on)) is not None and edit.column2 == single]
        if bundling:
            ctx.note(lesion.id, f"the {procedure.complexity} repair of the same wound ({single}) is bundled into "
                     f"{bundling[0].code} by NCCI")
            continue
        reported.append((lesion, procedure))
    repair.code_repairs(ctx, reported)


def _merge(drafts: list[Draft]) -> list[Draft]:
    """Lines of the same code, modifiers and companion become one line with the units added."""
    merged: dict[tuple[str, tuple[str, ...], str | None], Draft] = {}
    for draft in drafts:
        key = (draft.code, tuple(draft.modifiers), draft.follows)
        if key in merged:
            into = merged[key]
            into.units += draft.units
            into.lesions = tuple(dict.fromkeys((*into.lesions, *draft.lesions)))
            into.diagnoses = tuple(dict.fromkeys((*into.diagnoses, *draft.diagnoses)))
            if draft.explanation not in into.explanation:
                into.explanation = f"{into.explanation}; {draft.explanation}"
        else:
            merged[key] = draft
    return list(merged.values())


def _apply_ncci_pairs(ctx: Context, drafts: list[Draft]) -> list[Draft]:
    """NCCI PTP pairs in force between lines: same lesion -> leave column two out; distinct -> XS on column two."""
    ordered = sorted(drafts, key=lambda d: -ctx.tables.code_set.value(d.code))
    dropped: set[int] = set()
    for i, first in enumerate(ordered):
        for second in ordered[i + 1:]:
            if id(first) in dropped or id(second) in dropped:
                continue
            if {first.family, second.family} & {"visit", "drug"}:
                continue
            edit = ctx.tables.ptp.edit_between(first.code, second.code, on=ctx.on)
            if edit is None:
                continue
            column1, column2 = (first, second) if edit.column1 == first.code else (second, first)
            same = bool(column2.lesions) and set(column2.lesions) <= set(column1.lesions)
            if same or edit.modifier_indicator == "0":
                dropped.add(id(column2))
                why = "the same lesion" if same else "NCCI never pays them together (modifier indicator 0)"
                for lesion_id in column1.lesions[:1] or (None,):
                    ctx.note(lesion_id, f"{column2.code} is left out: bundled into {column1.code} ({why})")
            elif not {"XS", "59"} & set(column2.modifiers):
                column2.modifiers.append("XS")
                column2.explanation += (f"; XS: a distinct lesion from {column1.code} (NCCI pair {column1.code}/"
                                        f"{column2.code}, modifier on the column-two code)")
    return [d for d in drafts if id(d) not in dropped]


def _apply_global_periods(ctx: Context, drafts: list[Draft]) -> list[Draft]:
    """Earlier procedures whose global period is open today: 24 on unrelated visits, 58/79 on procedures."""
    on = ctx.on
    open_globals = []
    for prior in ctx.encounter.prior_procedures:
        entry = ctx.tables.code_set.in_force(prior.code, prior.date_of_service)
        days = entry.global_period_days if entry else None
        if days and 1 <= (on - prior.date_of_service).days <= days:
            open_globals.append((prior, days))
    if not open_globals:
        return drafts
    kept = []
    for draft in drafts:
        entry = ctx.entry(draft.code)
        if draft.family == "drug" or (entry is not None and entry.is_add_on):
            kept.append(draft)
            continue
        related = [p for p, _ in open_globals if p.related and _touches(ctx, draft, p.site, p.laterality)]
        unrelated = [p for p, _ in open_globals if p not in related]
        if draft.family == "visit":
            if related:
                ctx.note(None, f"the visit is part of the post-operative care of {related[0].code} "
                         f"({related[0].date_of_service}) and is not billed")
                continue
            draft.modifiers.insert(0, "24")
            draft.explanation += (f"; 24: unrelated to {unrelated[0].code} of {unrelated[0].date_of_service}, "
                                  "inside its global period")
        elif related:
            draft.modifiers.append("58")
            draft.explanation += (f"; 58: staged or related to {related[0].code} of {related[0].date_of_service}, "
                                  "inside its global period")
        else:
            draft.modifiers.append("79")
            draft.explanation += (f"; 79: unrelated to {unrelated[0].code} of {unrelated[0].date_of_service}, "
                                  "inside its global period")
        kept.append(draft)
    return kept


def _touches(ctx: Context, draft: Draft, site: str | None, laterality: str | None) -> bool:
    """Whether a line treats the site of an earlier procedure (any line, when the site is not given)."""
    if site is None or not draft.lesions:
        return True
    for lesion_id in draft.lesions:
        lesion = ctx.lesion(lesion_id)
        if lesion.site == site and (laterality is None or lesion.laterality == laterality):
            return True
    return False


def _drop_codes_not_in_force(ctx: Context, drafts: list[Draft]) -> list[Draft]:
    kept = []
    for draft in drafts:
        if ctx.entry(draft.code) is None:
            ctx.warn("code_not_in_force", f"{draft.code} is not in force on {ctx.on}; the line was left out")
        else:
            kept.append(draft)
    return kept


def _order(ctx: Context, drafts: list[Draft]) -> list[Draft]:
    """Visit first, then procedures by value, each followed by its add-ons and drugs."""
    code_set = ctx.tables.code_set
    present = {d.code for d in drafts}

    def is_follower(draft: Draft) -> bool:
        entry = ctx.entry(draft.code)
        return draft.follows is not None or (entry is not None and not present.isdisjoint(entry.add_on_to))

    leaders: list[Draft] = []
    followers: list[Draft] = []
    for draft in drafts:
        (followers if is_follower(draft) else leaders).append(draft)
    leaders.sort(key=lambda d: (d.family != "visit", -code_set.value(d.code)))
    ordered: list[Draft] = []
    for leader in leaders:
        ordered.append(leader)
        for follower in list(followers):
            entry = ctx.entry(follower.code)
            primaries = entry.add_on_to if entry else ()
            if follower.follows == leader.code or (follower.follows is None and leader.code in primaries):
                ordered.append(follower)
                followers.remove(follower)
    ordered.extend(followers)
    return ordered


def _result(ctx: Context, drafts: list[Draft]) -> CodingResult:
    lines = []
    for draft in drafts:
        diagnoses = draft.diagnoses or ctx.diagnoses_of(draft.lesions)
        notes = [n for lesion_id in draft.lesions for n in ctx.notes.pop(lesion_id, [])]
        explanation = "; ".join([draft.explanation, *notes])
        if len(diagnoses) > MAX_LINE_DIAGNOSES:
            ctx.warn("too_many_diagnoses", f"{draft.code}: {len(diagnoses)} diagnoses; a line points to at most "
                     f"{MAX_LINE_DIAGNOSES}, the first {MAX_LINE_DIAGNOSES} were kept")
            diagnoses = diagnoses[:MAX_LINE_DIAGNOSES]
        lines.append(CodedLine(draft.code, draft.units, tuple(draft.modifiers), diagnoses, explanation,
                               tuple(draft.lesions)))
    claim_notes = ctx.notes.pop(None, [])
    if claim_notes and lines:
        first = next((i for i, d in enumerate(drafts) if d.family != "visit"), 0)
        line = lines[first]
        lines[first] = CodedLine(line.code, line.units, line.modifiers, line.diagnoses,
                                 "; ".join([line.explanation, *claim_notes]), line.lesions)
    listed = [code for line in lines for code in line.diagnoses]
    listed += [code for code in ctx.lesion_codes.values() if code is not None]
    listed += ctx.unbilled_diagnoses
    listed += visits.history_codes(ctx)
    unique = tuple(dict.fromkeys(listed))
    if len(unique) > MAX_CLAIM_DIAGNOSES:
        ctx.warn("too_many_diagnoses", f"{len(unique)} diagnoses; a claim carries at most {MAX_CLAIM_DIAGNOSES}")
    return CodingResult(tuple(lines), unique, tuple(ctx.holds), tuple(ctx.warnings))
