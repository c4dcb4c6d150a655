"""Counted and session services: skin tags, paring, intralesional injection, incision and drainage, nails,
photodynamic therapy and phototherapy, with their drug codes.

- Skin tags: up to 15 -> 11200; each further 10 or part -> 11201 (22 tags -> 11200 + 11201 x1).
- Paring: 1 -> 11055, 2-4 -> 11056, more -> 11057. Injection: up to 7 lesions -> 11900, more -> 11901;
  triamcinolone J3301 per 10 mg, rounded up. I&D: one simple abscess -> 10060, complicated or several -> 10061.
- Nails: debridement 1-5 -> 11720, 6+ -> 11721; avulsion: first digit 11730, each further 11732, each with
  its digit modifier (TA left great toe ... F9 right fifth finger).
- PDT: by staff 96567, by physician 96573, with physician debridement 96574; the drug in its HCPCS units.
- Phototherapy: UVB 96900, tar + UVB 96910, PUVA 96912, excimer by area (96920 < 250 sq cm ...).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from dermbill.core.coding.context import Context, Draft, cm
from dermbill.core.coding.encounter import Lesion, Procedure, Service

DIGIT_MODIFIERS = {
    "left_thumb": "FA", "left_finger_2": "F1", "left_finger_3": "F2", "left_finger_4": "F3", "left_finger_5": "F4",
    "right_thumb": "F5", "right_finger_2": "F6", "right_finger_3": "F7", "right_finger_4": "F8",
    "right_finger_5": "F9", "left_great_toe": "TA", "left_toe_2": "T1", "left_toe_3": "T2", "left_toe_4": "T3",
    "left_toe_5": "T4", "right_great_toe": "T5", "right_toe_2": "T6", "right_toe_3": "T7", "right_toe_4": "T8",
    "right_toe_5": "T9",
}
TRIAMCINOLONE_MG_PER_UNIT = Decimal(10)


def _ids(lesions: list[Lesion]) -> tuple[str, ...]:
    return tuple(lesion.id for lesion in lesions)


def code_skin_tags(ctx: Context, lesions: list[Lesion]) -> None:
    if not lesions:
        return
    total = sum(lesion.count for lesion in lesions)
    rule = ctx.rule_for("skin_tag_removal", "any", Decimal(total), "lesions")
    if rule is None:
        return
    ctx.add(Draft(rule.code, 1, f"removal of skin tags ({', '.join(_ids(lesions))}): first 15 of {total}",
                  "skin_tags", _ids(lesions)))
    extra = rule.add_on_units(Decimal(total))
    if extra and rule.add_on_code:
        ctx.add(Draft(rule.add_on_code, extra, f"skin tags 16 to {total}: one unit per further 10 or part",
                      "skin_tags", _ids(lesions)))


def code_paring(ctx: Context, lesions: list[Lesion]) -> None:
    if not lesions:
        return
    total = sum(lesion.count for lesion in lesions)
    rule = ctx.rule_for("paring", "any", Decimal(total), "lesions")
    if rule is None:
        return
    ctx.add(Draft(rule.code, 1, f"paring of {total} corn(s)/callus(es) ({', '.join(_ids(lesions))}) -> "
                  f"{ctx.bin(rule, 'lesions')}, one code per session", "paring", _ids(lesions)))


def code_injections(ctx: Context, items: list[tuple[Lesion, Procedure]]) -> None:
    if not items:
        return
    lesions = list(dict.fromkeys(lesion for lesion, _ in items))
    total = sum(lesion.count for lesion in lesions)
    rule = ctx.rule_for("intralesional_injection", "any", Decimal(total), "lesions")
    if rule is None:
        return
    ctx.add(Draft(rule.code, 1, f"intralesional injection of {total} lesion(s) ({', '.join(_ids(lesions))}) -> "
                  f"{ctx.bin(rule, 'lesions')}, one code per session", "injection", _ids(lesions)))
    doses: dict[str, Decimal] = {}
    for lesion, procedure in items:
        if procedure.drug is None or procedure.dose_mg is None:
            ctx.missing(lesion, "the injected drug and total dose (mg) are not documented, so the drug cannot be "
                        "billed", procedure.where, gap="injection_dose")
            continue
        doses[procedure.drug] = doses.get(procedure.drug, Decimal(0)) + procedure.dose_mg
    for drug, dose in doses.items():
        drug_rule = ctx.tables.rules.keyed("injection_drug", drug, on=ctx.on)
        if drug_rule is None:
            ctx.no_code_in_force("injection_drug", drug, "lesions")
            continue
        units = int((dose / TRIAMCINOLONE_MG_PER_UNIT).to_integral_value(rounding=ROUND_CEILING))
        ctx.add(Draft(drug_rule.code, units, f"{drug.replace('_', ' ')} {cm(dose)} mg at 10 mg per unit, rounded up "
                      f"-> {units}", "drug", _ids(lesions), follows=rule.code))


def code_incision_drainage(ctx: Context, items: list[tuple[Lesion, Procedure]]) -> None:
    if not items:
        return
    lesions = list(dict.fromkeys(lesion for lesion, _ in items))
    total = sum(lesion.count for lesion in lesions)
    complicated = any(p.complicated for _, p in items)
    key = "complicated" if complicated else "simple"
    rule = ctx.rule_for("incision_drainage", key, Decimal(total), "lesions")
    if rule is None:
        return
    why = "complicated" if complicated else ("multiple" if total > 1 else "simple, single")
    ctx.add(Draft(rule.code, 1, f"incision and drainage of {total} abscess(es) ({', '.join(_ids(lesions))}): "
                  f"{why}", "incision_drainage", _ids(lesions)))


def code_nail_debridement(ctx: Context, service: Service, diagnoses: tuple[str, ...]) -> None:
    if service.nails is None:
        ctx.missing(None, "the number of nails debrided is not documented", service.where,
                    gap="nail_count")
        return
    rule = ctx.rule_for("nail_debridement", "any", Decimal(service.nails), service.where)
    if rule is None:
        return
    ctx.add(Draft(rule.code, 1, f"debridement of {service.nails} nail(s) -> {ctx.bin(rule, 'nails')}", "nails",
                  diagnoses=diagnoses))


def code_nail_avulsion(ctx: Context, service: Service, diagnoses: tuple[str, ...]) -> None:
    if not service.digits:
        ctx.missing(None, "the digits whose nail plates were avulsed are not documented", service.where,
                    gap="avulsion_digits")
        return
    rule = ctx.rule("nail_avulsion", "any", Decimal(len(service.digits)))
    if rule is None or rule.add_on_code is None:
        ctx.no_code_in_force("nail_avulsion", "any", service.where)
        return
    first, *others = service.digits
    ctx.add(Draft(rule.code, 1, f"avulsion of the nail plate of the {first.replace('_', ' ')} (first nail)", "nails",
                  diagnoses=diagnoses, modifiers=[DIGIT_MODIFIERS[first]]))
    for digit in others:
        ctx.add(Draft(rule.add_on_code, 1, f"avulsion of a further nail plate: {digit.replace('_', ' ')}", "nails",
                      diagnoses=diagnoses, modifiers=[DIGIT_MODIFIERS[digit]]))


def code_photodynamic_therapy(ctx: Context, service: Service, diagnoses: tuple[str, ...]) -> None:
    if service.illumination is None:
        ctx.missing(None, "who applied and illuminated the photosensitizer (by_physician or by_staff) is not "
                    "documented", service.where, gap="pdt_illumination")
        return
    key = "by_staff" if service.illumination == "by_staff" else (
        "by_physician_with_debridement" if service.debridement else "by_physician")
    rule = ctx.tables.rules.keyed("photodynamic_therapy", key, on=ctx.on)
    if rule is None:
        ctx.no_code_in_force("photodynamic_therapy", key, service.where)
        return
    how = {"by_staff": "photosensitizer applied and illuminated by staff",
           "by_physician": "applied and illuminated by the physician",
           "by_physician_with_debridement": "physician debridement of the lesions, then application and "
                                            "illumination"}[key]
    ctx.add(Draft(rule.code, 1, f"photodynamic therapy, {how}", "pdt", diagnoses=diagnoses))
    if service.drug is None or service.drug_units is None:
        ctx.missing(None, "the photosensitizer drug and its billing units are not documented, so the drug cannot "
                    "be billed", service.where, gap="pdt_drug")
        return
    drug_rule = ctx.tables.rules.keyed("pdt_drug", service.drug, on=ctx.on)
    if drug_rule is None:
        ctx.no_code_in_force("pdt_drug", service.drug, service.where)
        return
    ctx.add(Draft(drug_rule.code, service.drug_units, f"{service.drug.replace('_', ' ')}: {service.drug_units} "
                  "billing unit(s) as documented", "drug", diagnoses=diagnoses, follows=rule.code))


def code_phototherapy(ctx: Context, service: Service, diagnoses: tuple[str, ...]) -> None:
    if service.modality is None:
        ctx.missing(None, "the phototherapy modality is not documented", service.where, gap="phototherapy_modality")
        return
    value = Decimal(0)
    if service.modality == "laser_excimer":
        if service.area_cm2 is None:
            ctx.missing(None, "the total area treated with the excimer laser (sq cm) is not documented",
                        service.where, gap="excimer_area")
            return
        value = service.area_cm2
    rule = ctx.rule_for("phototherapy", service.modality, value, service.where)
    if rule is None:
        return
    laser = service.modality == "laser_excimer"
    area = f", treated area {cm(value)} sq cm -> {ctx.bin(rule, 'sq cm')}" if laser else ""
    ctx.add(Draft(rule.code, 1, f"phototherapy: {service.modality.replace('_', ' ')}{area}, one unit per session",
                  "phototherapy", diagnoses=diagnoses))
