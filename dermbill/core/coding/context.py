"""The working state of one coding run: draft lines, holds, warnings, and lookups by date of service."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from dermbill.core.coding.diagnoses import Category, category_of, icd10_for
from dermbill.core.coding.encounter import Encounter, Lesion
from dermbill.core.coding.result import Notice
from dermbill.core.coding.tables import CodeRule, CodingTables, ProcedureCode

TENTH = Decimal("0.1")


def cm(value: Decimal) -> str:
    """A measurement as documented: 1.80 -> '1.8', 3 -> '3.0'."""
    return str(value.quantize(TENTH, rounding=ROUND_HALF_UP)) if value == value.quantize(TENTH) else str(value)


def to_tenth(value: Decimal) -> Decimal:
    """Sizes are binned on one decimal (documented in 0.1 cm), rounded half up."""
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass(slots=True)
class Draft:
    """A line being built: what it bills, for which lesions, and why."""

    code: str
    units: int
    explanation: str
    family: str
    lesions: tuple[str, ...] = ()
    diagnoses: tuple[str, ...] = ()
    modifiers: list[str] = field(default_factory=list)
    follows: str | None = None  # the code of the line an add-on or drug belongs with


@dataclass(slots=True)
class Context:
    encounter: Encounter
    tables: CodingTables
    drafts: list[Draft] = field(default_factory=list)
    holds: list[Notice] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)
    lesion_codes: dict[str, str | None] = field(default_factory=dict)  # lesion id -> ICD-10-CM (None: held)
    performed_procedures: int = 0  # procedure lines billed or held: an E/M beside them needs 25
    unbilled_diagnoses: list[str] = field(default_factory=list)  # listed though no line carries them
    notes: dict[str | None, list[str]] = field(default_factory=dict)  # lesion id (None: the claim) -> why
    _entries: dict[str, ProcedureCode | None] = field(default_factory=dict)

    @property
    def on(self) -> datetime.date:
        return self.encounter.date_of_service

    def entry(self, code: str) -> ProcedureCode | None:
        """The code-set entry of ``code`` in force on the date of service (looked up once per run)."""
        try:
            return self._entries[code]
        except KeyError:
            found = self._entries[code] = self.tables.code_set.in_force(code, self.on)
            return found

    def lesion(self, lesion_id: str) -> Lesion:
        return next(lesion for lesion in self.encounter.lesions if lesion.id == lesion_id)

    def category(self, lesion: Lesion) -> Category:
        return category_of(lesion.final_diagnosis)

    def icd_for_lesion(self, lesion: Lesion) -> str:
        code = icd10_for(
            lesion.final_diagnosis, site=lesion.site, laterality=lesion.laterality, sex=self.encounter.sex,
            symptoms=lesion.symptoms, site_codes=self.tables.site_diagnoses,
        )
        if code is None:  # the site table covers every site and side; reaching here is a data error
            raise LookupError(f"no ICD-10-CM code for {lesion.final_diagnosis} at {lesion.site}")
        return code

    def diagnoses_of(self, lesion_ids: tuple[str, ...]) -> tuple[str, ...]:
        codes = [self.lesion_codes.get(i) for i in lesion_ids]
        return tuple(dict.fromkeys(c for c in codes if c is not None))

    def rule(self, family: str, key: str, value: Decimal) -> CodeRule | None:
        return self.tables.rules.choose(family, key, value, on=self.on)

    def rule_for(self, family: str, key: str, value: Decimal, where: str) -> CodeRule | None:
        """The rule for a value, or None after warning that no code is in force on the date of service."""
        rule = self.rule(family, key, value)
        if rule is None:
            self.no_code_in_force(family, key, where)
        return rule

    def bin(self, rule: CodeRule, unit: str = "cm") -> str:
        return self.tables.rules.label(rule, unit)

    def add(self, draft: Draft) -> Draft:
        self.drafts.append(draft)
        return draft

    def note(self, lesion_id: str | None, text: str) -> None:
        """Something left out or included, said in the explanation of the line that covers it."""
        self.notes.setdefault(lesion_id, []).append(text)

    def warn(self, code: str, message: str, lesion: str | None = None) -> None:
        self.warnings.append(Notice(code, message, lesion))

    def missing(self, lesion: Lesion | None, what: str, where: str, *, gap: str) -> None:
        """A fact the code needs is absent: no line is guessed. ``gap`` names the fact (``core.coding.gaps``)."""
        self.warnings.append(Notice("missing_documentation", f"{where}: {what}; no line was coded for it (query the "
                                    "provider)", lesion.id if lesion else None, gap))

    def no_code_in_force(self, family: str, key: str, where: str) -> None:
        self.warn("code_not_in_force", f"{where}: no {family.replace('_', ' ')} code for '{key}' is in force on "
                  f"{self.on}", None)
