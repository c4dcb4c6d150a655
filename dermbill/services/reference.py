"""Reference-data use cases: load a newer ICD-10-CM release; list the releases in use."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

from dermbill.core.dates import DateRange
from dermbill.core.errors import InvalidInput
from dermbill.reference.coding_tables import (
    coding_tables,
    fiscal_year_range,
    loaded_icd10_releases,
    read_cms_icd10_file,
    reference_dir,
    shipped_icd10_release,
)
from dermbill.reference.pfs_rvu import TABLE_DIR as RVU_DIR


@dataclass(frozen=True, slots=True)
class SavedRelease:
    name: str
    billable: int
    effective_from: datetime.date
    effective_to: datetime.date | None
    path: Path


@dataclass(frozen=True, slots=True)
class ReleaseInUse:
    kind: str
    name: str
    coverage: str


def load_icd10cm_release(
    source: Path, *, fiscal_year: int | None = None, effective_from: datetime.date | None = None,
    directory: Path | None = None,
) -> SavedRelease:
    """Read CMS's ICD-10-CM code file and keep it, by fiscal year, for coding dates of service in that year."""
    if fiscal_year is None:
        found = re.search(r"(20\d\d)", source.name)
        if not found:
            raise InvalidInput(f"cannot tell the fiscal year from '{source.name}'; give --fiscal-year YYYY")
        fiscal_year = int(found.group(1))
    billable, headers = read_cms_icd10_file(source)
    year = fiscal_year_range(fiscal_year)
    effective = DateRange(effective_from or year.effective_from, year.effective_to)
    if not year.contains(effective.effective_from):
        raise InvalidInput(f"--effective-from {effective.effective_from} is outside fiscal year {fiscal_year} "
                           f"({year.effective_from} to {year.effective_to})")
    label = "" if effective.effective_from == year.effective_from else f" ({effective.effective_from:%B %Y} update)"
    name = f"ICD-10-CM FY{fiscal_year}{label}, loaded from {source.name}"
    folder = (directory or reference_dir()) / "icd10cm"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"FY{fiscal_year}-{effective.effective_from:%Y%m%d}.txt"
    body = [f"# release: {name}", f"# effective: {effective.effective_from} to {effective.effective_to}"]
    body += [f"{code}\t1" for code in sorted(billable)] + [f"{code}\t0" for code in sorted(headers)]
    target.write_text("\n".join(body) + "\n")
    return SavedRelease(name, len(billable), effective.effective_from, effective.effective_to, target)


def reference_releases(directory: Path | None = None) -> list[ReleaseInUse]:
    shipped = shipped_icd10_release()
    releases = [ReleaseInUse("ICD-10-CM", shipped.name, _coverage(shipped.effective))]
    releases += [ReleaseInUse("ICD-10-CM", r.name, _coverage(r.effective)) for r in loaded_icd10_releases(directory)]
    tables = coding_tables(directory)
    releases += [ReleaseInUse("NCCI PTP", r.name, f"dates of service from {r.starts}") for r in tables.ptp.releases]
    releases += [ReleaseInUse("NCCI MUE", r.name, f"dates of service from {r.starts}") for r in tables.mue.releases]
    releases += [ReleaseInUse("PFS RVU", f"Medicare PFS relative values {p.stem}", "see its README")
                 for p in sorted(RVU_DIR.glob("*.csv"))]
    return releases


def _coverage(effective: DateRange) -> str:
    end = effective.effective_to.isoformat() if effective.effective_to else "open"
    return f"dates of service {effective.effective_from} to {end}"
