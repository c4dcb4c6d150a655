"""Biopsies, shave removals, excisions and adjacent tissue transfer (CPT 11102-11107, 11300-11646, 14000-14302).

- Biopsy: one primary code per encounter by the hierarchy incisional > punch > tangential; every other
  biopsy takes the add-on of its own technique (1 punch + 2 shave -> 11104, 11103 x2). 11102-11107 are for
  skin only: a site that is not skin (the lip vermilion, the mucosa of the mouth) takes its own code from
  the site table's ``biopsy_group`` (lip vermilion -> 40490, mouth mucosa -> 40808), one unit per lesion.
- Shave removal: by site group and the lesion's diameter (no margin).
- Excision: by site group, final pathology (in situ as malignant) and the excised diameter = lesion
  diameter + 2 x narrowest margin, rounded to 0.1 cm (1.2 + 2 x 0.3 = 1.8 -> 1.1-2.0 cm).
- Adjacent tissue transfer: by group and defect area (primary + secondary); it includes the excision.
"""

from __future__ import annotations

from decimal import Decimal

from dermbill.core.coding.context import Context, Draft, cm, to_tenth
from dermbill.core.coding.encounter import Lesion, Procedure

BIOPSY_RANK = {"incisional": 0, "punch": 1, "tangential": 2}
SKIN = "skin"


def code_biopsies(ctx: Context, biopsies: list[tuple[Lesion, Procedure]]) -> None:
    ordered: list[tuple[Lesion, Procedure]] = []
    for lesion, procedure in biopsies:
        info = ctx.tables.sites.get(lesion.site)
        if info.biopsy_group != SKIN:
            code_site_biopsy(ctx, lesion, procedure, info.biopsy_group)
            continue
        if info.biopsy_caution:
            ctx.warn("site_specific_code", f"{procedure.where}: the biopsy of lesion {lesion.id} ({lesion.site}) is "
                     f"coded with the skin biopsy codes; part of this site has its own biopsy codes: "
                     f"{info.biopsy_caution}. Use them instead when the documentation places the lesion there",
                     lesion.id)
        if procedure.technique is None:
            ctx.missing(lesion, "the biopsy technique (tangential, punch or incisional) is not documented",
                        procedure.where, gap="biopsy_technique")
        else:
            ordered.append((lesion, procedure))
    if not ordered:
        return
    ordered.sort(key=lambda item: BIOPSY_RANK[item[1].technique or "tangential"])
    primary_technique = ordered[0][1].technique or "tangential"
    first = True
    for lesion, procedure in ordered:
        technique = procedure.technique or "tangential"
        rule = ctx.tables.rules.keyed("biopsy", technique, on=ctx.on)
        if rule is None or rule.add_on_code is None:
            ctx.no_code_in_force("biopsy", technique, procedure.where)
            continue
        for _ in range(lesion.count):
            if first:
                ctx.add(Draft(rule.code, 1, f"{technique} biopsy of lesion {lesion.id} ({lesion.site}): the "
                              f"primary biopsy (technique hierarchy incisional > punch > tangential)", "biopsy",
                              (lesion.id,)))
                first = False
            else:
                note = "" if technique == primary_technique else f", after the {primary_technique} primary"
                ctx.add(Draft(rule.add_on_code, 1, f"{technique} biopsy of lesion {lesion.id}: each further "
                              f"{technique} biopsy{note}", "biopsy", (lesion.id,)))


def code_site_biopsy(ctx: Context, lesion: Lesion, procedure: Procedure, group: str) -> None:
    """A biopsy of a site that is not skin: the site's own code, one unit per lesion, whatever the technique.

    Never a skin biopsy code: when no code of the site is in force, a coder is told and nothing is coded.
    """
    rule = ctx.tables.rules.keyed("site_biopsy", group, on=ctx.on)
    if rule is None:
        ctx.no_code_in_force("site_biopsy", lesion.site, procedure.where)
        return
    ctx.add(Draft(rule.code, lesion.count, f"biopsy of lesion {lesion.id} ({lesion.site}): not skin, so the site's "
                  f"own biopsy code, not 11102-11107 (one unit per lesion)", "biopsy", (lesion.id,)))


def code_shave(ctx: Context, lesion: Lesion, procedure: Procedure) -> None:
    if lesion.diameter_cm is None:
        ctx.missing(lesion, "the lesion diameter (which sizes a shave removal) is not documented", procedure.where,
                    gap="shave_diameter")
        return
    info = ctx.tables.sites.get(lesion.site)
    size = to_tenth(lesion.diameter_cm)
    rule = ctx.rule_for("shave_removal", info.lesion_group, size, procedure.where)
    if rule is None:
        return
    ctx.add(Draft(rule.code, lesion.count,
                  f"shave removal of lesion {lesion.id}, {_group(info.lesion_group)} group, lesion diameter "
                  f"{cm(size)} cm -> {ctx.bin(rule)}", "shave_removal", (lesion.id,)))


def excised_diameter(lesion: Lesion, procedure: Procedure) -> tuple[Decimal, str] | None:
    """The excised diameter and how it was obtained, or None when the documentation cannot give it."""
    if procedure.excised_diameter_cm is not None:
        size = to_tenth(procedure.excised_diameter_cm)
        return size, f"measured excised diameter {cm(size)} cm"
    if lesion.diameter_cm is None or procedure.margin_cm is None:
        return None
    size = to_tenth(lesion.diameter_cm + 2 * procedure.margin_cm)
    return size, f"excised diameter {cm(lesion.diameter_cm)} + 2 x {cm(procedure.margin_cm)} = {cm(size)} cm"


def code_excision(ctx: Context, lesion: Lesion, procedure: Procedure) -> None:
    measured = excised_diameter(lesion, procedure)
    if measured is None:
        absent = "the lesion diameter" if lesion.diameter_cm is None else "the margin"
        ctx.missing(lesion, f"{absent} (or the measured excised diameter) is not documented, so the excision "
                    "cannot be sized", procedure.where,
                    gap="excision_diameter" if lesion.diameter_cm is None else "excision_margin")
        return
    size, how = measured
    info = ctx.tables.sites.get(lesion.site)
    category = ctx.category(lesion)
    family = "excision_malignant" if category.excised_as_malignant else "excision_benign"
    if category.excised_as_malignant and info.malignant_excision_caution:
        ctx.warn("site_specific_code", f"{procedure.where}: the malignant excision codes (11600-11646) do not name "
                 f"the site of lesion {lesion.id} ({lesion.site}); no line was coded for it: code "
                 f"{info.malignant_excision_caution} from the operative note", lesion.id)
        return
    rule = ctx.rule_for(family, info.lesion_group, size, procedure.where)
    if rule is None:
        return
    kind = "malignant" if category.excised_as_malignant else "benign"
    basis = "final pathology" if lesion.pathology not in (None, "pending") else "diagnosis"
    ctx.add(Draft(rule.code, lesion.count,
                  f"{kind} excision of lesion {lesion.id} ({basis} {lesion.final_diagnosis}: {category.value}), "
                  f"{_group(info.lesion_group)} group, {how} -> {ctx.bin(rule)}", "excision", (lesion.id,)))


def code_adjacent_tissue_transfer(ctx: Context, lesion: Lesion, procedure: Procedure) -> None:
    if procedure.defect_area_cm2 is None:
        ctx.missing(lesion, "the flap's defect area (primary + secondary, sq cm) is not documented", procedure.where,
                    gap="flap_area")
        return
    info = ctx.tables.sites.get(lesion.site)
    area = to_tenth(procedure.defect_area_cm2)
    rule = ctx.rule_for("adjacent_tissue_transfer", info.adjacent_tissue_transfer_group, area, procedure.where)
    if rule is None:
        return
    group = _group(info.adjacent_tissue_transfer_group)
    ctx.add(Draft(rule.code, 1, f"adjacent tissue transfer for lesion {lesion.id}, {group} group, defect "
                  f"{cm(area)} sq cm -> {ctx.bin(rule, 'sq cm')}; includes the excision and repair of that defect",
                  "adjacent_tissue_transfer", (lesion.id,)))
    extra_units = rule.add_on_units(area)
    if extra_units and rule.add_on_code:
        ctx.add(Draft(rule.add_on_code, extra_units, f"each further 30 sq cm beyond 60 ({cm(area)} sq cm)",
                      "adjacent_tissue_transfer", (lesion.id,), follows=rule.code))


def _group(name: str) -> str:
    return name.replace("_", "-")
