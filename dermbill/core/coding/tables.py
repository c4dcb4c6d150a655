"""Typed reference tables the coding engine reads: anatomic sites, code rules, the code set, NCCI pairs, ICD-10-CM.

Each table is built once from data by ``dermbill.reference.coding_tables`` and answers by date of service.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from dermbill.core.dates import DateRange
from dermbill.core.errors import InvalidInput
from dermbill.core.ncci import MueTable, PtpTable


@dataclass(frozen=True, slots=True)
class SiteInfo:
    """Everything that depends on an anatomic site: its groups for each code family."""

    site: str
    region: str
    paired: bool
    lesion_group: str  # excision, shave and malignant destruction
    simple_repair_group: str
    intermediate_repair_group: str
    complex_repair_group: str
    adjacent_tissue_transfer_group: str
    mohs_group: str
    # 'skin' (11102-11107), or the key of the site's own biopsy code in the code rules (family
    # site_biopsy): the lip vermilion and the mucosa of the mouth are not skin (RULES.md 1.1).
    biopsy_group: str = "skin"
    # Skin codes are used, but part of the site has its own biopsy codes: what a coder should consider.
    biopsy_caution: str = ""
    # The malignant excision codes (11600-11646) do not name this site: what to code instead. No skin line
    # is coded for it; a coder is told.
    malignant_excision_caution: str = ""


@dataclass(frozen=True, slots=True)
class SiteTable:
    sites: dict[str, SiteInfo]

    def get(self, site: str) -> SiteInfo:
        try:
            return self.sites[site]
        except KeyError:
            raise InvalidInput(f"'{site}' is not a site") from None

    def repair_group(self, site: str, complexity: str) -> str:
        info = self.get(site)
        return {
            "simple": info.simple_repair_group,
            "intermediate": info.intermediate_repair_group,
            "complex": info.complex_repair_group,
        }[complexity]


@dataclass(frozen=True, slots=True)
class Bound:
    """An upper bound on a size or count: ``<= 1.0`` (inclusive) or ``< 250`` (exclusive); None = open."""

    limit: Decimal | None
    inclusive: bool = True

    @classmethod
    def parse(cls, text: str) -> Bound:
        text = text.strip()
        if not text:
            return cls(None)
        inclusive = text.startswith("<=")
        number = text[2:] if inclusive else text[1:]
        try:
            if not text.startswith("<"):
                raise InvalidOperation
            return cls(Decimal(number), inclusive=inclusive)
        except InvalidOperation:
            raise InvalidInput(f"bound '{text}' must look like '<=1.0', '<250' or be empty") from None

    def admits(self, value: Decimal) -> bool:
        if self.limit is None:
            return True
        return value <= self.limit if self.inclusive else value < self.limit

    def __str__(self) -> str:
        if self.limit is None:
            return "any larger"
        return f"{'<=' if self.inclusive else '<'} {self.limit}"


@dataclass(frozen=True, slots=True)
class CodeRule:
    """One row of the code rules: within ``family``/``key``, values up to ``bound`` take ``code``.

    ``add_on_code`` (when set) is reported for the part of the value above ``add_on_above``, one unit
    per ``add_on_step`` or part of it: skin tags 22 -> 11200 + 11201 x ceil((22 - 15) / 10) = 1.
    """

    family: str
    key: str
    bound: Bound
    code: str
    add_on_code: str | None
    add_on_above: Decimal | None
    add_on_step: Decimal | None
    effective: DateRange

    def add_on_units(self, value: Decimal) -> int:
        if self.add_on_code is None or self.add_on_above is None or self.add_on_step is None:
            return 0
        if value <= self.add_on_above:
            return 0
        steps = (value - self.add_on_above) / self.add_on_step
        return int(steps.to_integral_value(rounding="ROUND_CEILING"))


@dataclass(frozen=True, slots=True)
class CodeRules:
    rules: tuple[CodeRule, ...]
    _index: dict[tuple[str, str], tuple[CodeRule, ...]] = field(default_factory=dict, compare=False)
    _labels: dict[tuple[int, str], str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        index: dict[tuple[str, str], list[CodeRule]] = {}
        for rule in self.rules:
            index.setdefault((rule.family, rule.key), []).append(rule)
        self._index.update({k: tuple(v) for k, v in index.items()})

    def choose(self, family: str, key: str, value: Decimal, *, on: datetime.date) -> CodeRule | None:
        """The first rule (in file order) of family/key in force on ``on`` whose bound admits ``value``."""
        for rule in self._index.get((family, key), ()):
            if rule.effective.contains(on) and rule.bound.admits(value):
                return rule
        return None

    def label(self, rule: CodeRule, unit: str = "cm") -> str:
        """The range a rule covers, as a coder reads it: '1.1-2.0 cm', '0.5 cm or less', 'over 4.0 cm'."""
        key = (id(rule), unit)
        if key not in self._labels:
            self._labels[key] = self._label(rule, unit)
        return self._labels[key]

    def _label(self, rule: CodeRule, unit: str) -> str:
        siblings = [r for r in self._index.get((rule.family, rule.key), ()) if r.effective == rule.effective]
        position = siblings.index(rule) if rule in siblings else 0
        previous = siblings[position - 1].bound if position > 0 else None
        suffix = f" {unit}" if unit else ""
        limit = rule.bound.limit
        if previous is None or previous.limit is None:
            if limit is None:
                return "any"
            return f"{limit}{suffix} or less" if rule.bound.inclusive else f"under {limit}{suffix}"
        low = previous.limit
        exponent = low.as_tuple().exponent
        step = Decimal(1).scaleb(exponent) if isinstance(exponent, int) else Decimal(1)
        start = low + step if previous.inclusive else low
        if limit is None:
            return f"over {low}{suffix}" if previous.inclusive else f"{low}{suffix} or more"
        return f"{start}-{limit}{suffix}"

    def keyed(self, family: str, key: str, *, on: datetime.date) -> CodeRule | None:
        """The rule for a family and key that has no size (E/M level, technique, drug)."""
        return self.choose(family, key, Decimal(0), on=on)


@dataclass(frozen=True, slots=True)
class ProcedureCode:
    """A CPT/HCPCS code in dermbill's code set: our own short description, never AMA descriptor text."""

    code: str
    kind: str  # procedure, visit, drug
    description: str
    add_on_to: tuple[str, ...]
    global_days: str  # 000, 010, 090, XXX, ZZZ ...
    effective: DateRange

    @property
    def is_add_on(self) -> bool:
        return bool(self.add_on_to)

    @property
    def global_period_days(self) -> int | None:
        """Days of post-operative global period (0, 10, 90), or None when the code has none."""
        return int(self.global_days) if self.global_days.isdigit() else None


@dataclass(frozen=True, slots=True)
class CodeSet:
    codes: dict[str, tuple[ProcedureCode, ...]]
    relative_values: dict[str, Decimal]  # non-facility total RVUs, to order lines by value

    def in_force(self, code: str, on: datetime.date) -> ProcedureCode | None:
        for version in self.codes.get(code, ()):
            if version.effective.contains(on):
                return version
        return None

    def value(self, code: str) -> Decimal:
        return self.relative_values.get(code, Decimal(0))


@dataclass(frozen=True, slots=True)
class Icd10Release:
    """One ICD-10-CM release: its billable (leaf) codes, with dots, and the dates of service it covers."""

    name: str
    effective: DateRange
    billable: frozenset[str]
    categories: frozenset[str]  # every valid code that is not billable (has children)


@dataclass(frozen=True, slots=True)
class Icd10Catalog:
    releases: tuple[Icd10Release, ...]

    def release_for(self, on: datetime.date) -> tuple[Icd10Release, bool]:
        """The release in force on ``on``; else the nearest one, with False (the caller must warn)."""
        for release in self.releases:
            if release.effective.contains(on):
                return release, True
        earlier = [r for r in self.releases if r.effective.effective_from <= on]
        nearest = max(earlier, key=lambda r: r.effective.effective_from) if earlier else min(
            self.releases, key=lambda r: r.effective.effective_from
        )
        return nearest, False


@dataclass(frozen=True, slots=True)
class SiteDiagnoses:
    """ICD-10-CM codes by diagnosis family, site, laterality (and sex, for genital sites)."""

    codes: dict[tuple[str, str, str, str], str]
    # A diagnosis key whose one code is a skin code, at a site that code excludes: (key, site) -> code.
    exceptions: dict[tuple[str, str], str] = field(default_factory=dict)

    def code_for(self, family: str, site: str, laterality: str | None, sex: str) -> str | None:
        side = laterality or ""
        for sex_key in (sex, ""):
            found = self.codes.get((family, site, side, sex_key))
            if found is not None:
                return found
        return None


@dataclass(frozen=True, slots=True)
class CodingTables:
    sites: SiteTable
    rules: CodeRules
    code_set: CodeSet
    ptp: PtpTable
    icd10: Icd10Catalog
    site_diagnoses: SiteDiagnoses
    mue: MueTable
