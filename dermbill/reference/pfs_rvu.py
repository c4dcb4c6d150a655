"""The Medicare Physician Fee Schedule RVU table, by code, modifier and date of service.

Allowed amount (national, before GPCI and any reductions) = (work + PE + MP RVUs) x conversion factor,
rounded to the cent; PE is the non-facility or facility value by place of service.
Example: 11102 in 2025, non-facility: (0.66 + 2.24 + 0.06) x 32.3465 = 95.75 (values from the table).
"""

from __future__ import annotations

import csv
import datetime
import functools
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from dermbill.core.dates import DateRange, parse_iso_date
from dermbill.core.errors import InvalidInput, NotFound
from dermbill.core.money import Money

TABLE_DIR = Path(__file__).resolve().parent / "tables" / "pfs_rvu"
GLOBAL_DAYS = frozenset({"000", "010", "090", "XXX", "YYY", "ZZZ", "MMM"})


@dataclass(frozen=True, slots=True)
class RvuEntry:
    code: str
    modifier: str
    status_code: str
    work_rvu: Decimal
    nonfacility_pe_rvu: Decimal
    facility_pe_rvu: Decimal
    malpractice_rvu: Decimal
    global_days: str
    multiple_procedure_indicator: str
    conversion_factor: Decimal
    effective: DateRange

    def total_rvu(self, *, facility: bool) -> Decimal:
        pe = self.facility_pe_rvu if facility else self.nonfacility_pe_rvu
        return self.work_rvu + pe + self.malpractice_rvu

    def allowed_amount(self, *, facility: bool = False) -> Money:
        return Money.round_half_up(self.total_rvu(facility=facility) * self.conversion_factor)


@dataclass(frozen=True, slots=True)
class RvuLookup:
    """An entry and whether it came from the table in force on the date asked, or the newest one as a fallback."""

    entry: RvuEntry
    in_force: bool


class RvuTable:
    def __init__(self, entries: list[RvuEntry]) -> None:
        self._by_key: dict[tuple[str, str], list[RvuEntry]] = {}
        for entry in entries:
            self._by_key.setdefault((entry.code, entry.modifier), []).append(entry)
        for versions in self._by_key.values():
            versions.sort(key=lambda e: e.effective.effective_from)

    def codes(self) -> list[str]:
        return sorted({code for code, _ in self._by_key})

    def modifiers(self, code: str) -> list[str]:
        """The modifiers with their own rows for ``code`` ("" for the global service, 26, TC ...)."""
        return sorted(modifier for c, modifier in self._by_key if c == code)

    def for_code(self, code: str, *, on: datetime.date, modifier: str = "") -> RvuLookup:
        """The entry in force on ``on``, else the newest earlier one (``in_force`` False); NotFound if none."""
        versions = self._by_key.get((code, modifier), [])
        for entry in reversed(versions):
            if entry.effective.contains(on):
                return RvuLookup(entry, in_force=True)
        earlier = [e for e in versions if e.effective.effective_from <= on]
        if earlier:
            return RvuLookup(earlier[-1], in_force=False)
        shown = f"{code}-{modifier}" if modifier else code
        raise NotFound(f"no fee schedule relative values for {shown} on {on}")


def _decimal(value: str, *, where: str, field: str) -> Decimal:
    try:
        number = Decimal(value or "0")
    except InvalidOperation:
        raise InvalidInput(f"{where}: {field} '{value}' is not a number") from None
    if not number.is_finite() or number < 0:
        raise InvalidInput(f"{where}: {field} '{value}' must be a number of zero or more")
    return number


def read_rvu_file(path: Path) -> list[RvuEntry]:
    """Read one curated table file; a bad row fails the load, naming file and line."""
    entries = []
    with path.open(newline="") as handle:
        for line_number, row in enumerate(csv.DictReader(handle), start=2):
            where = f"{path.name} line {line_number}"
            code = (row.get("hcpcs") or "").strip()
            if len(code) != 5:
                raise InvalidInput(f"{where}: hcpcs '{code}' must be five characters")
            global_days = (row.get("glob_days") or "").strip()
            if global_days not in GLOBAL_DAYS:
                raise InvalidInput(f"{where}: glob_days '{global_days}' is not one of {sorted(GLOBAL_DAYS)}")
            effective_to = (row.get("effective_to") or "").strip()
            entries.append(
                RvuEntry(
                    code=code,
                    modifier=(row.get("modifier") or "").strip(),
                    status_code=(row.get("status_code") or "").strip(),
                    work_rvu=_decimal(row["work_rvu"], where=where, field="work_rvu"),
                    nonfacility_pe_rvu=_decimal(row["nonfac_pe_rvu"], where=where, field="nonfac_pe_rvu"),
                    facility_pe_rvu=_decimal(row["facility_pe_rvu"], where=where, field="facility_pe_rvu"),
                    malpractice_rvu=_decimal(row["mp_rvu"], where=where, field="mp_rvu"),
                    global_days=global_days,
                    multiple_procedure_indicator=(row.get("mult_proc") or "").strip(),
                    conversion_factor=_decimal(row["conv_factor"], where=where, field="conv_factor"),
                    effective=DateRange(
                        parse_iso_date(row["effective_from"], field=f"{where}: effective_from"),
                        parse_iso_date(effective_to, field=f"{where}: effective_to") if effective_to else None,
                    ),
                )
            )
    return entries


@functools.cache
def shipped_rvu_table() -> RvuTable:
    """The tables shipped in the package (read once)."""
    entries: list[RvuEntry] = []
    for path in sorted(TABLE_DIR.glob("*.csv")):
        entries.extend(read_rvu_file(path))
    return RvuTable(entries)
