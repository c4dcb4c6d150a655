"""CMS reference releases (NCCI PTP and MUE, PFS relative values, HCPCS, ICD-10-CM) and what changed between two.

A release is one kind of CMS file for one period: a quarter (``2026q4``: NCCI edits every quarter, the fee schedule
and HCPCS several times a year) or an ICD-10-CM fiscal year (``FY2027``, in force from 1 October 2026). A corrected
re-release of the same period is a new revision; both are kept and the newest revision answers.

``diff_releases(old, new)`` compares two releases of one kind and returns typed changes, each able to say itself in
words a biller reads. Worked example (the numbers are illustrative, not CMS's)::

    PTP 2026q3 has 11102/11104 with indicator 0; 2026q4 has it with indicator 1
    -> PtpIndicatorChanged: "NCCI edit 11102 with 11104 (modifier indicator 0 -> 1): from now on a modifier may
       bypass the edit (59 or XS, for a separate lesion or site)"

Pure: no I/O, no clock; the reading of CMS's file layouts is in ``reference.release_files``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from enum import StrEnum
from typing import Any

from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money


class ReleaseKind(StrEnum):
    PTP = "ptp"
    MUE = "mue"
    RVU = "rvu"
    HCPCS = "hcpcs"
    ICD10CM = "icd10cm"

    @property
    def label(self) -> str:
        return {"ptp": "NCCI PTP edits", "mue": "NCCI MUE values", "rvu": "PFS relative values",
                "hcpcs": "HCPCS Level II codes", "icd10cm": "ICD-10-CM codes"}[self.value]


_QUARTER = re.compile(r"^(\d{4})q([1-4])$", re.IGNORECASE)
_FISCAL_YEAR = re.compile(r"^fy(\d{4})$", re.IGNORECASE)


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """When a release starts to answer: ``2026q4`` (1 October 2026) or ``FY2027`` (also 1 October 2026)."""

    starts: datetime.date
    label: str

    @classmethod
    def parse(cls, text: str) -> Period:
        """'2026q4' or 'FY2027'; anything else is refused, saying what is accepted."""
        quarter = _QUARTER.match(text.strip())
        if quarter:
            return cls.quarter(int(quarter.group(1)), int(quarter.group(2)))
        fiscal = _FISCAL_YEAR.match(text.strip())
        if fiscal:
            return cls.fiscal_year(int(fiscal.group(1)))
        raise InvalidInput(f"period '{text}' is not one dermbill knows; use a quarter like 2026q4 or an ICD-10-CM "
                           "fiscal year like FY2027")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if not 1 <= quarter <= 4 or not 1990 <= year <= 2200:
            raise InvalidInput(f"quarter {year}q{quarter} does not exist")
        return cls(datetime.date(year, 3 * quarter - 2, 1), f"{year}q{quarter}")

    @classmethod
    def quarter_of(cls, day: datetime.date) -> Period:
        return cls.quarter(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def fiscal_year(cls, year: int) -> Period:
        if not 1990 <= year <= 2200:
            raise InvalidInput(f"fiscal year FY{year} is out of range")
        return cls(datetime.date(year - 1, 10, 1), f"FY{year}")

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, slots=True)
class MueLimit:
    code: str
    units: int
    adjudication_indicator: str  # 1 claim line, 2 date of service (policy), 3 date of service (clinical)


@dataclass(frozen=True, slots=True)
class RvuValues:
    code: str
    modifier: str
    status_code: str
    work: Decimal
    nonfacility_pe: Decimal
    facility_pe: Decimal
    malpractice: Decimal
    global_days: str
    conversion_factor: Decimal

    @property
    def nonfacility_total(self) -> Decimal:
        return self.work + self.nonfacility_pe + self.malpractice

    def fee(self) -> Money:
        """National non-facility allowed amount per unit: total RVU x conversion factor, to the cent."""
        return Money.round_half_up(self.nonfacility_total * self.conversion_factor)


@dataclass(frozen=True, slots=True)
class Release:
    """One loaded release. Only the mapping of its own kind is filled.

    - ``ptp``: (column 1, column 2) -> modifier indicator, the edits in force on the period's first day;
    - ``mue``: code -> limit; ``rvu``: (code, modifier) -> values;
    - ``hcpcs``: code -> short description (CMS's Level II text); ``icd10cm``: billable code (with its dot) ->
      description ("" when the source had none).
    """

    kind: ReleaseKind
    period: Period
    name: str
    revision: int = 1
    ptp: Mapping[tuple[str, str], str] = field(default_factory=dict)
    mue: Mapping[str, MueLimit] = field(default_factory=dict)
    rvu: Mapping[tuple[str, str], RvuValues] = field(default_factory=dict)
    hcpcs: Mapping[str, str] = field(default_factory=dict)
    icd10cm: Mapping[str, str] = field(default_factory=dict)

    @property
    def entries(self) -> int:
        sizes = {ReleaseKind.PTP: len(self.ptp), ReleaseKind.MUE: len(self.mue), ReleaseKind.RVU: len(self.rvu),
                 ReleaseKind.HCPCS: len(self.hcpcs), ReleaseKind.ICD10CM: len(self.icd10cm)}
        return sizes[self.kind]


def release_in_force(releases: Iterable[Release], kind: ReleaseKind, on: datetime.date) -> Release | None:
    """The release of ``kind`` answering a date of service: the latest period starting on or before it, newest
    revision of that period; None when every release starts after the date."""
    candidates = [r for r in releases if r.kind is kind and r.period.starts <= on]
    return max(candidates, key=lambda r: (r.period.starts, r.revision), default=None)


# --- changes ---------------------------------------------------------------------------------------------------

def counted(count: int, noun: str, plural: str | None = None) -> str:
    """'1 unit', '12 units', '0 units' ('1 entry', '3 entries' with ``plural``): a count with its noun in the right
    number."""
    return f"{count} {noun}" if count == 1 else f"{count} {plural or noun + 's'}"


_INDICATOR_WORDS = {"0": "never billed together, not even with a modifier",
                    "1": "a modifier may bypass the edit (59 or XS, for a separate lesion or site)",
                    "9": "the edit does not apply"}
# The MUE adjudication indicator says what the limit counts: one claim line, or the whole date of service.
_MAI_PER = {"1": "per claim line", "2": "per day", "3": "per day"}


@dataclass(frozen=True, slots=True)
class Change:
    """One change between two releases. ``describe()`` is what a biller reads; ``as_dict()`` what --json prints."""

    def describe(self) -> str:
        raise NotImplementedError

    @property
    def change(self) -> str:
        return re.sub(r"(?<!^)(?=[A-Z])", "_", type(self).__name__).lower()

    @property
    def audience(self) -> tuple[str, ...]:
        """Who must hear of it: coders, billers, front desk."""
        return ("coders", "billers")

    def as_dict(self) -> dict[str, Any]:
        values: dict[str, Any] = {"change": self.change}
        for item in fields(self):
            value = getattr(self, item.name)
            values[item.name] = (str(value) if isinstance(value, Decimal) else value.plain() if isinstance(value, Money)
                            else list(value) if isinstance(value, tuple) else value)
        values["message"] = self.describe()
        return values


@dataclass(frozen=True, slots=True)
class PtpPairAdded(Change):
    column1: str
    column2: str
    modifier_indicator: str

    def describe(self) -> str:
        return (f"new NCCI edit: {self.column2} is bundled into {self.column1} on the same day "
                f"(modifier indicator {self.modifier_indicator}: {_INDICATOR_WORDS[self.modifier_indicator]})")


@dataclass(frozen=True, slots=True)
class PtpPairDeleted(Change):
    column1: str
    column2: str
    modifier_indicator: str

    def describe(self) -> str:
        return f"NCCI edit removed: {self.column1} and {self.column2} may now be billed together without a modifier"


@dataclass(frozen=True, slots=True)
class PtpIndicatorChanged(Change):
    column1: str
    column2: str
    old_indicator: str
    new_indicator: str

    def describe(self) -> str:
        return (f"NCCI edit {self.column1} with {self.column2} (modifier indicator {self.old_indicator} -> "
                f"{self.new_indicator}): from now on {_INDICATOR_WORDS[self.new_indicator]}")


@dataclass(frozen=True, slots=True)
class MueChanged(Change):
    code: str
    old_units: int
    new_units: int
    old_indicator: str
    new_indicator: str

    def describe(self) -> str:
        per = _MAI_PER.get(self.new_indicator, "per day")
        mai = "" if self.old_indicator == self.new_indicator else \
            f"; adjudication indicator {self.old_indicator} -> {self.new_indicator}"
        if self.old_units == self.new_units:
            return f"MUE for {self.code}: still {counted(self.new_units, 'unit')}, now counted {per}{mai}"
        way = "up" if self.new_units > self.old_units else "down"
        return f"MUE for {self.code}: {self.old_units} -> {counted(self.new_units, 'unit')} {per} ({way}){mai}"


@dataclass(frozen=True, slots=True)
class MueAdded(Change):
    code: str
    units: int
    indicator: str

    def describe(self) -> str:
        return (f"new MUE for {self.code}: at most {counted(self.units, 'unit')} "
                f"{_MAI_PER.get(self.indicator, 'per day')} (adjudication indicator {self.indicator})")


@dataclass(frozen=True, slots=True)
class MueRemoved(Change):
    code: str
    old_units: int

    def describe(self) -> str:
        return f"MUE for {self.code} removed (was {counted(self.old_units, 'unit')}): no CMS unit limit now"


@dataclass(frozen=True, slots=True)
class RvuChanged(Change):
    code: str
    modifier: str
    old_total_rvu: Decimal
    new_total_rvu: Decimal
    old_global_days: str
    new_global_days: str
    old_conversion_factor: Decimal
    new_conversion_factor: Decimal
    fee_change: Money  # per unit, national non-facility
    volume: int  # the practice's units in the volume window (0 when not asked for a practice)
    fee_effect: Money  # fee_change x volume

    @property
    def audience(self) -> tuple[str, ...]:
        return ("coders", "billers") if self.old_global_days != self.new_global_days else ("billers",)

    def describe(self) -> str:
        shown = f"{self.code}-{self.modifier}" if self.modifier else self.code
        parts = []
        if self.old_total_rvu != self.new_total_rvu:
            parts.append(f"total RVU {self.old_total_rvu} -> {self.new_total_rvu}")
        if self.old_conversion_factor != self.new_conversion_factor:
            parts.append(f"conversion factor {self.old_conversion_factor} -> {self.new_conversion_factor}")
        if self.old_global_days != self.new_global_days:
            parts.append(f"global days {self.old_global_days} -> {self.new_global_days}")
        if not self.fee_change.cents:
            return f"{shown}: " + ", ".join(parts) + "; fee unchanged"
        sign = "+" if self.fee_change.cents > 0 else "-"
        fee = f"; fee {sign}${Money(abs(self.fee_change.cents))} per unit"
        if self.volume:
            fee += f", {sign}${Money(abs(self.fee_effect.cents))} at the practice's {counted(self.volume, 'unit')}"
        return f"{shown}: " + ", ".join(parts) + fee


@dataclass(frozen=True, slots=True)
class CodeAdded(Change):
    code_set: str  # "HCPCS" or "ICD-10-CM"
    code: str
    description: str
    site_table_entries: tuple[str, ...] = ()  # entries whose code this one refines (they must follow)

    @property
    def audience(self) -> tuple[str, ...]:
        return ("coders", "front desk") if self.code_set == "ICD-10-CM" else ("coders", "billers")

    def describe(self) -> str:
        follow = f"; site table entries to review: {', '.join(self.site_table_entries)}" \
            if self.site_table_entries else ""
        text = f" ({self.description})" if self.description else ""
        return f"new {self.code_set} code {self.code}{text}{follow}"


@dataclass(frozen=True, slots=True)
class CodeDeleted(Change):
    code_set: str
    code: str
    description: str
    replaced_by: tuple[str, ...] = ()  # new codes that start with the deleted one (its expansion)
    site_table_entries: tuple[str, ...] = ()  # dermbill's site-table entries coding it: they must follow
    engine_produces: bool = False  # the coding engine can suggest this code

    @property
    def audience(self) -> tuple[str, ...]:
        return ("coders", "front desk", "billers") if self.code_set == "ICD-10-CM" else ("coders", "billers")

    def describe(self) -> str:
        text = f" ({self.description})" if self.description else ""
        said = f"{self.code_set} code {self.code}{text} deleted: not valid for dates of service in the new release"
        if len(self.replaced_by) == 1:
            said += f"; use {self.replaced_by[0]} instead"
        elif self.replaced_by:
            said += f"; use one of {', '.join(self.replaced_by)}"
        if self.site_table_entries:
            said += f"; site table entries that must follow: {', '.join(self.site_table_entries)}"
        if self.engine_produces:
            said += "; the coding engine still suggests it"
        return said


@dataclass(frozen=True, slots=True)
class CodeRevised(Change):
    code_set: str
    code: str
    old_description: str
    new_description: str
    site_table_entries: tuple[str, ...] = ()

    def describe(self) -> str:
        return f"{self.code_set} code {self.code} reworded: '{self.old_description}' -> '{self.new_description}'"


# ICD-10-CM chapters and categories dermatology codes from (skin, skin cancers, in situ and benign skin neoplasms,
# skin infections and infestations, the history and screening codes that go with them).
DERMATOLOGY_ICD10_PREFIXES = (
    "L", "C43", "C44", "C4A", "D03", "D04", "D22", "D23", "D48.5", "D49.2", "D17", "D18.0", "B07", "B08.1", "B00",
    "B02", "B35", "B36", "B86", "A63.0", "Q82", "R21", "R23", "Z85.82", "Z12.83", "Z86.00",
)


def is_dermatology_icd10(code: str) -> bool:
    return code.startswith(DERMATOLOGY_ICD10_PREFIXES)


def _wanted(code: str, practice_codes: Mapping[str, int] | None) -> bool:
    return practice_codes is None or code in practice_codes


def diff_releases(
    old: Release, new: Release, *, practice_codes: Mapping[str, int] | None = None,
    site_entries: Mapping[str, tuple[str, ...]] | None = None, engine_codes: frozenset[str] = frozenset(),
) -> list[Change]:
    """What changed from ``old`` to ``new`` (one kind). ``practice_codes``: the procedure codes the practice bills
    and their volume (units); None means every code in the releases. ``site_entries``: ICD-10-CM code -> the
    site-table entries (``family/site/laterality``) that code it. ``engine_codes``: the codes the coding engine can
    produce, so that a deletion of one is marked."""
    if old.kind is not new.kind:
        raise InvalidInput(f"cannot compare {old.kind.label} with {new.kind.label}")
    if new.kind is ReleaseKind.PTP:
        return _ptp_changes(old, new, practice_codes)
    if new.kind is ReleaseKind.MUE:
        return _mue_changes(old, new, practice_codes)
    if new.kind is ReleaseKind.RVU:
        return _rvu_changes(old, new, practice_codes)
    if new.kind is ReleaseKind.HCPCS:
        return _code_changes("HCPCS", old.hcpcs, new.hcpcs, lambda c: _wanted(c, practice_codes) or c[:1] in "JQG",
                             {}, engine_codes)
    return _code_changes("ICD-10-CM", old.icd10cm, new.icd10cm, is_dermatology_icd10, site_entries or {},
                         engine_codes)


def _ptp_changes(old: Release, new: Release, practice: Mapping[str, int] | None) -> list[Change]:
    changes: list[Change] = []
    for pair in sorted(old.ptp.keys() | new.ptp.keys()):
        if not (_wanted(pair[0], practice) and _wanted(pair[1], practice)):
            continue
        before, after = old.ptp.get(pair), new.ptp.get(pair)
        if before is None and after is not None:
            changes.append(PtpPairAdded(pair[0], pair[1], after))
        elif after is None and before is not None:
            changes.append(PtpPairDeleted(pair[0], pair[1], before))
        elif before is not None and after is not None and before != after:
            changes.append(PtpIndicatorChanged(pair[0], pair[1], before, after))
    return changes


def _mue_changes(old: Release, new: Release, practice: Mapping[str, int] | None) -> list[Change]:
    changes: list[Change] = []
    for code in sorted(old.mue.keys() | new.mue.keys()):
        if not _wanted(code, practice):
            continue
        before, after = old.mue.get(code), new.mue.get(code)
        if before is None and after is not None:
            changes.append(MueAdded(code, after.units, after.adjudication_indicator))
        elif after is None and before is not None:
            changes.append(MueRemoved(code, before.units))
        elif before is not None and after is not None and (before.units, before.adjudication_indicator) != (
                after.units, after.adjudication_indicator):
            changes.append(MueChanged(code, before.units, after.units, before.adjudication_indicator,
                                      after.adjudication_indicator))
    return changes


def _rvu_changes(old: Release, new: Release, practice: Mapping[str, int] | None) -> list[Change]:
    changes: list[Change] = []
    for key in sorted(old.rvu.keys() & new.rvu.keys()):
        if not _wanted(key[0], practice):
            continue
        before, after = old.rvu[key], new.rvu[key]
        if (before.nonfacility_total, before.global_days, before.conversion_factor) == (
                after.nonfacility_total, after.global_days, after.conversion_factor):
            continue
        volume = practice.get(key[0], 0) if practice is not None and not key[1] else 0
        fee_change = after.fee() - before.fee()
        changes.append(RvuChanged(
            key[0], key[1], before.nonfacility_total, after.nonfacility_total, before.global_days,
            after.global_days, before.conversion_factor, after.conversion_factor, fee_change, volume,
            fee_change * volume))
    return changes


def _code_changes(code_set: str, old: Mapping[str, str], new: Mapping[str, str], relevant: Any,
                  site_entries: Mapping[str, tuple[str, ...]], engine_codes: frozenset[str]) -> list[Change]:
    changes: list[Change] = []
    added = sorted(code for code in new.keys() - old.keys() if relevant(code))
    deleted = sorted(code for code in old.keys() - new.keys() if relevant(code))
    for code in deleted:
        expansion = tuple(c for c in added if c.startswith(code) and c != code)
        changes.append(CodeDeleted(code_set, code, old[code], expansion, site_entries.get(code, ()),
                                   code in engine_codes))
    for code in added:
        # A new code refining an older one (L57.0 -> L57.00): the entries that coded the older one must choose.
        parents = [code[:n] for n in range(len(code) - 1, 2, -1) if code[:n] in site_entries]
        entries = site_entries.get(parents[0], ()) if parents else ()
        changes.append(CodeAdded(code_set, code, new[code], entries))
    for code in sorted(old.keys() & new.keys()):
        if relevant(code) and old[code] and new[code] and old[code] != new[code]:
            changes.append(CodeRevised(code_set, code, old[code], new[code], site_entries.get(code, ())))
    return changes


def engine_codes_deleted(release: Release, engine_codes: Iterable[str]) -> list[str]:
    """The codes the coding engine can produce that ``release`` (ICD-10-CM or HCPCS) does not hold as billable."""
    present = release.icd10cm if release.kind is ReleaseKind.ICD10CM else release.hcpcs
    return sorted(code for code in set(engine_codes) if code not in present)


AUDIENCES = ("coders", "billers", "front desk")
_AUDIENCE_HEADINGS = {
    "coders": "For coders: edits, unit limits, global periods and diagnosis codes",
    "billers": "For billers: what claims and payments will show",
    "front desk": "For the front desk: diagnosis codes on orders and referrals",
}


def bulletin_sections(changes: Iterable[Change]) -> list[tuple[str, list[str]]]:
    """A staff bulletin's sections: for each audience, the changes that touch its work, in words (an audience with
    nothing to read is left out)."""
    listed = list(changes)
    sections = []
    for audience in AUDIENCES:
        lines = [change.describe() for change in listed if audience in change.audience]
        if lines:
            sections.append((_AUDIENCE_HEADINGS[audience], lines))
    return sections
