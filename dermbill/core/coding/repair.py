"""Repairs (CPT 12001-13153): summed by complexity and anatomic group, each complexity grouping sites its own way.

- Simple repair is included in excisions, biopsies, shaves and destructions of the same lesion.
- Intermediate and complex repairs are reported: lengths of the same complexity in the same group are
  summed into one code; a complex repair under 1.1 cm is reported as intermediate of its group.
- Complex over 7.5 cm: the 2.6-7.5 code plus one add-on unit per further 5 cm or part (12.6 -> 13101 + 13102 x2).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from dermbill.core.coding.context import Context, Draft, cm, to_tenth
from dermbill.core.coding.encounter import Lesion, Procedure

COMPLEX_MINIMUM_CM = Decimal("1.1")
COMPLEXITY_ORDER = {"complex": 0, "intermediate": 1, "simple": 2}


def effective_complexity(procedure: Procedure) -> str:
    """A complex (layered) repair of 1.0 cm or less is reported as intermediate."""
    complexity = procedure.complexity or "simple"
    length = procedure.length_cm
    if complexity == "complex" and length is not None and to_tenth(length) < COMPLEX_MINIMUM_CM:
        return "intermediate"
    return complexity


def single_repair_code(ctx: Context, lesion: Lesion, procedure: Procedure) -> str | None:
    """The code this one repair would take on its own (to look up same-wound NCCI bundling)."""
    if procedure.length_cm is None or procedure.complexity is None:
        return None
    complexity = effective_complexity(procedure)
    group = ctx.tables.sites.repair_group(lesion.site, complexity)
    rule = ctx.rule(f"repair_{complexity}", group, to_tenth(procedure.length_cm))
    return rule.code if rule else None


def code_repairs(ctx: Context, repairs: list[tuple[Lesion, Procedure]]) -> None:
    groups: dict[tuple[str, str], list[tuple[Lesion, Procedure]]] = defaultdict(list)
    for lesion, procedure in repairs:
        if procedure.complexity is None or procedure.length_cm is None:
            absent = "complexity" if procedure.complexity is None else "length"
            ctx.missing(lesion, f"the repair {absent} is not documented", procedure.where, gap=f"repair_{absent}")
            continue
        complexity = effective_complexity(procedure)
        groups[(complexity, ctx.tables.sites.repair_group(lesion.site, complexity))].append((lesion, procedure))
    for (complexity, group), items in sorted(groups.items(), key=lambda kv: COMPLEXITY_ORDER[kv[0][0]]):
        total = to_tenth(sum((p.length_cm for _, p in items if p.length_cm is not None), Decimal(0)))
        ids = tuple(dict.fromkeys(lesion.id for lesion, _ in items))
        rule = ctx.rule_for(f"repair_{complexity}", group, total, items[0][1].where)
        if rule is None:
            continue
        parts = " + ".join(f"{cm(p.length_cm)}" for _, p in items if p.length_cm is not None)
        summed = f"{parts} = {cm(total)} cm" if len(items) > 1 else f"{cm(total)} cm"
        downgraded = [lesion.id for lesion, p in items if (p.complexity or "") == "complex" and complexity != "complex"]
        note = (f" (complex repair of lesion {', '.join(downgraded)} is under 1.1 cm, so reported as intermediate)"
                if downgraded else "")
        lesions = f"lesion{'s' if len(ids) > 1 else ''} {', '.join(ids)}"
        ctx.add(Draft(rule.code, 1, f"{complexity} repair, {group.replace('_', '-')} group, {lesions}: {summed} -> "
                      f"{ctx.bin(rule)}{note}", "repair", ids))
        extra = rule.add_on_units(total)
        if extra and rule.add_on_code:
            ctx.add(Draft(rule.add_on_code, extra, f"{complexity} repair beyond 7.5 cm ({cm(total)} cm): {extra} "
                          "unit(s) of each further 5 cm", "repair", ids))
