"""Destruction (CPT 17000-17286) and Mohs micrographic surgery (17311-17315).

- Premalignant (actinic keratoses), counted over the encounter: 1-14 -> 17000 + 17003 x (n - 1);
  15 or more -> 17004 alone.
- Benign (warts, molluscum, seborrheic keratoses ...), counted: up to 14 -> 17110; 15 or more -> 17111.
  Skin tags destroyed are skin-tag removals (11200/11201); vascular proliferative lesions are coded by
  treated area (17106-17108).
- Malignant, per lesion by site group and diameter (17260-17286).
- Mohs, per lesion: the first stage by site group (17311 head, neck, hands, feet, genitalia; 17313 trunk,
  arms, legs), each further stage (17312/17314), and each block beyond five in any stage (17315), summed.
"""

from __future__ import annotations

from decimal import Decimal

from dermbill.core.coding.context import Context, Draft, cm, to_tenth
from dermbill.core.coding.diagnoses import Category
from dermbill.core.coding.encounter import Lesion, Procedure

VASCULAR_DIAGNOSES = frozenset({"hemangioma", "Q82.5", "I78.1", "D18.00", "D18.01"})
BLOCKS_PER_STAGE = 5


def destruction_kind(ctx: Context, lesion: Lesion) -> str:
    diagnosis = lesion.final_diagnosis
    if diagnosis == "acrochordon" or diagnosis == "L91.8":
        return "skin_tag"
    if diagnosis in VASCULAR_DIAGNOSES:
        return "vascular"
    category = ctx.category(lesion)
    if category == Category.PREMALIGNANT:
        return "premalignant"
    if category.excised_as_malignant:
        return "malignant"
    return "benign"


def code_premalignant(ctx: Context, lesions: list[Lesion]) -> None:
    if not lesions:
        return
    total = sum(lesion.count for lesion in lesions)
    ids = tuple(lesion.id for lesion in lesions)
    rule = ctx.rule_for("destruction_premalignant", "any", Decimal(total), "lesions")
    if rule is None:
        return
    if rule.add_on_code is None:
        ctx.add(Draft(rule.code, 1, f"destruction of {total} premalignant lesions ({', '.join(ids)}): 15 or more "
                      f"-> {rule.code} alone, never with 17000/17003", "destruction", ids))
        return
    ctx.add(Draft(rule.code, 1, f"destruction of premalignant lesions ({', '.join(ids)}): first lesion of {total}",
                  "destruction", ids))
    extra = rule.add_on_units(Decimal(total))
    if extra:
        ctx.add(Draft(rule.add_on_code, extra, f"lesions 2 to {total} of the premalignant destructions "
                      f"({extra} units)", "destruction", ids))


def code_benign(ctx: Context, lesions: list[Lesion]) -> None:
    if not lesions:
        return
    total = sum(lesion.count for lesion in lesions)
    ids = tuple(lesion.id for lesion in lesions)
    rule = ctx.rule_for("destruction_benign", "any", Decimal(total), "lesions")
    if rule is None:
        return
    ctx.add(Draft(rule.code, 1, f"destruction of {total} benign lesions ({', '.join(ids)}) -> "
                  f"{ctx.bin(rule, 'lesions')}, one unit for the session", "destruction", ids))


def code_vascular(ctx: Context, items: list[tuple[Lesion, Procedure]]) -> None:
    if not items:
        return
    measured = [(lesion, p) for lesion, p in items if p.area_cm2 is not None]
    for lesion, procedure in items:
        if procedure.area_cm2 is None:
            ctx.missing(lesion, "the treated area (sq cm) of the vascular lesion is not documented", procedure.where,
                        gap="vascular_area")
    if not measured:
        return
    area = to_tenth(sum((p.area_cm2 for _, p in measured if p.area_cm2 is not None), Decimal(0)))
    ids = tuple(lesion.id for lesion, _ in measured)
    rule = ctx.rule_for("destruction_vascular", "any", area, "lesions")
    if rule is None:
        return
    ctx.add(Draft(rule.code, 1, f"destruction of vascular proliferative lesions ({', '.join(ids)}), treated area "
                  f"{cm(area)} sq cm -> {ctx.bin(rule, 'sq cm')}", "destruction", ids))


def code_malignant(ctx: Context, lesion: Lesion, procedure: Procedure) -> None:
    if lesion.diameter_cm is None:
        ctx.missing(lesion, "the lesion diameter (which sizes a malignant destruction) is not documented",
                    procedure.where, gap="destruction_diameter")
        return
    info = ctx.tables.sites.get(lesion.site)
    size = to_tenth(lesion.diameter_cm)
    rule = ctx.rule_for("destruction_malignant", info.lesion_group, size, procedure.where)
    if rule is None:
        return
    ctx.add(Draft(rule.code, lesion.count, f"destruction of malignant lesion {lesion.id}, "
                  f"{info.lesion_group.replace('_', '-')} group, diameter {cm(size)} cm -> {ctx.bin(rule)}",
                  "destruction", (lesion.id,)))


def code_mohs(ctx: Context, lesion: Lesion, procedure: Procedure) -> None:
    if not procedure.stages:
        ctx.missing(lesion, "the Mohs stages and blocks are not documented", procedure.where, gap="mohs_stages")
        return
    info = ctx.tables.sites.get(lesion.site)
    stages = len(procedure.stages)
    rule = ctx.rule("mohs_first_stage", info.mohs_group, Decimal(stages))
    blocks_rule = ctx.rule("mohs_extra_blocks", "any", Decimal(0))
    if rule is None or blocks_rule is None:
        ctx.no_code_in_force("mohs_first_stage", info.mohs_group, procedure.where)
        return
    blocks = ", ".join(str(b) for b in procedure.stages)
    group = info.mohs_group.replace("_", "-")
    ctx.add(Draft(rule.code, 1, f"Mohs surgery of lesion {lesion.id}, {group} group: first stage "
                  f"(stages of {blocks} blocks)", "mohs", (lesion.id,)))
    further = rule.add_on_units(Decimal(stages))
    if further and rule.add_on_code:
        ctx.add(Draft(rule.add_on_code, further, f"Mohs of lesion {lesion.id}: {further} further stage(s)", "mohs",
                      (lesion.id,)))
    extra_blocks = sum(max(0, b - BLOCKS_PER_STAGE) for b in procedure.stages)
    if extra_blocks:
        per_stage = ", ".join(f"stage {i + 1}: {b - BLOCKS_PER_STAGE}" for i, b in enumerate(procedure.stages)
                              if b > BLOCKS_PER_STAGE)
        ctx.add(Draft(blocks_rule.code, extra_blocks, f"Mohs of lesion {lesion.id}: blocks beyond five per stage "
                      f"({per_stage})", "mohs", (lesion.id,)))
