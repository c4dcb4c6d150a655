"""Reference-data use cases: load a newer ICD-10-CM release; list the releases in use."""

from __future__ import annotations

import csv
import datetime
import re
from dataclasses import dataclass
from pathlib import Path

from dermbill.core.dates import DateRange
from dermbill.core.errors import InvalidInput
from dermbill.core.ncci import NO_DELETION
from dermbill.reference.coding_tables import (
    coding_tables,
    fiscal_year_range,
    loaded_icd10_releases,
    read_cms_icd10_file,
    reference_dir,
    shipped_icd10_release,
)
from dermbill.reference.ncci import mue_release, ptp_release, quarter_start
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


@dataclass(frozen=True, slots=True)
class SavedQuarter:
    name: str
    entries: int
    starts: datetime.date
    path: Path


def load_ncci_file(source: Path, *, kind: str, quarter: str | None = None,
                   directory: Path | None = None) -> SavedQuarter:
    """Read a CMS PTP or MUE file (or dermbill's CSV layout), keep it as a quarter answered by date of service."""
    starts = quarter_start(quarter) if quarter else quarter_start(source.name)
    if quarter and starts is None:
        raise InvalidInput(f"--quarter '{quarter}' must look like 2026q4")
    if starts is None:
        raise InvalidInput(f"cannot tell which quarter '{source.name}' is; give --quarter YYYYqN (e.g. 2026q4)")
    folder = (directory or reference_dir()) / "ncci"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{kind}-{starts:%Y-%m-%d}.csv"
    if kind == "ptp":
        release = ptp_release(source, starts)
        rows = sorted(edit for edits in release.edits.values() for edit in edits)
        body = ["column1,column2,modifier_indicator,effective_from,deletion_date"]
        body += [f"{e.column1},{e.column2},{e.modifier_indicator},{e.effective_from or ''},"
                 f"{'' if e.deleted_after == NO_DELETION else e.deleted_after}" for e in rows]
        entries = len(rows)
    else:
        mue = mue_release(source, starts)
        with target.open("w", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(("hcpcs", "mue_value", "mai", "mue_rationale"))
            writer.writerows((v.code, v.units, v.adjudication_indicator, v.rationale)
                             for v in sorted(mue.values.values()))
        return SavedQuarter(mue.name, len(mue.values), starts, target)
    target.write_text("\n".join(body) + "\n")
    return SavedQuarter(release.name, entries, starts, target)
