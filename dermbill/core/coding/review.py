"""Coding review: a second coder's decision on each line the engine coded, and how often the engine was right.

A reviewer accepts a line as the engine coded it, or changes it (code, units, modifiers, diagnoses) and says why.
The engine's agreement rate of a code family is the share of its reviewed lines accepted unchanged:

    biopsy lines reviewed 8, accepted 7 -> 87.5 %

A line's family comes from the code rules the engine chose it by (``CodeRules``: the family of the rule whose code
or add-on code it is), grouped as a coder reports them (all destructions together, all repairs together).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from dermbill.core.coding.tables import CodeRules

# Report families, in the order a page lists them: key -> words.
FAMILIES = {
    "biopsy": "Biopsy", "shave": "Shave removal", "excision_benign": "Excision, benign",
    "excision_malignant": "Excision, malignant", "destruction": "Destruction", "repair": "Repair",
    "flap": "Adjacent tissue transfer", "mohs": "Mohs surgery", "em": "E/M visit", "other": "Other",
}
# The engine's rule families (code_rules.csv) -> report families; any other rule family is "other".
RULE_FAMILIES = {
    "biopsy": "biopsy", "site_biopsy": "biopsy", "shave_removal": "shave",
    "excision_benign": "excision_benign", "excision_malignant": "excision_malignant",
    "destruction_benign": "destruction", "destruction_malignant": "destruction",
    "destruction_premalignant": "destruction", "destruction_vascular": "destruction",
    "repair_simple": "repair", "repair_intermediate": "repair", "repair_complex": "repair",
    "adjacent_tissue_transfer": "flap", "mohs_first_stage": "mohs", "mohs_extra_blocks": "mohs", "visit": "em",
}
HUNDRED = Decimal(100)


def code_family(code: str, rules: CodeRules, on: datetime.date) -> str:
    """The report family of a code: that of the code rule in force on ``on`` which yields it (as code or add-on)."""
    for rule in rules.rules:
        if code in (rule.code, rule.add_on_code) and rule.effective.contains(on):
            return RULE_FAMILIES.get(rule.family, "other")
    return "other"


@dataclass(frozen=True, slots=True)
class LineDecision:
    """A reviewer's decision on one engine line: ``accepted`` unchanged, or changed."""

    family: str
    accepted: bool


@dataclass(frozen=True, slots=True)
class FamilyAgreement:
    family: str
    label: str
    reviewed: int
    accepted: int

    @property
    def changed(self) -> int:
        return self.reviewed - self.accepted

    @property
    def rate_percent(self) -> Decimal:
        """Accepted lines per hundred reviewed, to one decimal (half up); 0 when none was reviewed."""
        if not self.reviewed:
            return Decimal(0)
        return (Decimal(self.accepted) * HUNDRED / Decimal(self.reviewed)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def agreement_by_family(decisions: Iterable[LineDecision]) -> list[FamilyAgreement]:
    """The engine's agreement rate per family with at least one reviewed line, in ``FAMILIES`` order, then the total
    (family ``all``)."""
    reviewed: dict[str, int] = {}
    accepted: dict[str, int] = {}
    for decision in decisions:
        family = decision.family if decision.family in FAMILIES else "other"
        reviewed[family] = reviewed.get(family, 0) + 1
        accepted[family] = accepted.get(family, 0) + decision.accepted
    rows = [FamilyAgreement(key, label, reviewed[key], accepted[key]) for key, label in FAMILIES.items()
            if key in reviewed]
    if rows:
        rows.append(FamilyAgreement("all", "All families", sum(reviewed.values()), sum(accepted.values())))
    return rows


def is_change(engine: tuple[str, int, tuple[str, ...], tuple[str, ...]],
              reviewed: tuple[str, int, tuple[str, ...], tuple[str, ...]]) -> bool:
    """Whether a reviewer's line (code, units, modifiers, diagnoses) differs from the engine's; modifier order and
    diagnosis order beyond the first (the primary) do not count."""
    code, units, modifiers, diagnoses = engine
    new_code, new_units, new_modifiers, new_diagnoses = reviewed
    return (code != new_code or units != new_units or sorted(modifiers) != sorted(new_modifiers)
            or diagnoses[:1] != new_diagnoses[:1] or sorted(diagnoses) != sorted(new_diagnoses))
