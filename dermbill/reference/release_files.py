"""Recognise a CMS release file from its name and content, read it into a ``core.releases.Release``, and keep it.

Files dermbill knows (where CMS publishes each, and how often: docs/reference-releases.md):

| kind | CMS file name | period |
| --- | --- | --- |
| NCCI PTP, practitioner | ``ccipra-v323r0-f1.txt`` (parts f1..f4; v = year - 1994, then quarter - 1) | 2026q4 |
| NCCI MUE, practitioner | ``MCR_MUE_PractitionerServices_Eff_10-01-2026.csv`` | 2026q4 |
| PFS relative values | ``PPRRVU26_OCT.csv`` (or ``PPRRVU2026_Oct.csv``) | 2026q4 |
| HCPCS Level II | ``HCPC2026_OCT_ANWEB.txt`` (the fixed-width record file) | 2026q4 |
| ICD-10-CM | ``icd10cm_codes_2027.txt`` or ``icd10cm_order_2027.txt`` (hyphens too) | FY2027 |

The name says the kind and period; the content must agree (a PTP name over an MUE table is refused). A file that
fits none of these is refused, naming what was expected. ``release_text`` writes a release in one canonical text
form (what is stored and hashed: the same content always gives the same text), ``release_from_text`` reads it back.
"""

from __future__ import annotations

import csv
import datetime
import functools
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

from dermbill.core.errors import InvalidInput
from dermbill.core.ncci import day_number
from dermbill.core.releases import MueLimit, Period, Release, ReleaseKind, RvuValues
from dermbill.reference.coding_tables import TABLES, shipped_icd10_release, with_dot
from dermbill.reference.ncci import mue_values_from_text, ptp_edits_from_text
from dermbill.reference.pfs_rvu import GLOBAL_DAYS

EXPECTED = ("ccipra-vNNNrN-fN.txt (NCCI PTP, practitioner), MCR_MUE_PractitionerServices_Eff_MM-DD-YYYY.csv "
            "(NCCI MUE), PPRRVUYY_MON.csv (PFS relative values), HCPCYYYY_MON_*.txt (HCPCS) or "
            "icd10cm_codes_YYYY.txt / icd10cm_order_YYYY.txt (ICD-10-CM)")
_MONTH_QUARTER = {"jan": 1, "apr": 2, "jul": 3, "oct": 4}

_PTP_NAME = re.compile(r"ccipra-v(\d\d)(\d)r(\d+)-f(\d)", re.IGNORECASE)
_PTP_OTHER = re.compile(r"cci(oph|opa|prc|phys)", re.IGNORECASE)
_MUE_NAME = re.compile(r"MUE_PractitionerServices_Eff_(\d\d)-(\d\d)-(\d{4})", re.IGNORECASE)
_MUE_OTHER = re.compile(r"MUE_(DME|Outpatient|Facility)", re.IGNORECASE)
_RVU_NAME = re.compile(r"PPRRVU(\d{4}|\d\d)_?(jan|apr|jul|oct)", re.IGNORECASE)
_HCPCS_NAME = re.compile(r"HCPC(\d{4})_?(jan|apr|jul|oct)", re.IGNORECASE)
_ICD_NAME = re.compile(r"icd10cm[-_ ]?(codes|order)[-_ ](\d{4})", re.IGNORECASE)
_ICD_ADDENDA = re.compile(r"addend", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Recognised:
    kind: ReleaseKind
    period: Period
    cms_version: str  # what CMS calls it ("v323r0 f1", "RVU26D" ...), for people


@dataclass(frozen=True, slots=True)
class ReleaseFile:
    """One file to load: its name (the member's, for a zip) and its text."""

    name: str
    text: str


def release_files(paths: list[Path]) -> Iterator[ReleaseFile]:
    """Every file named, the files in each folder named (not hidden), and each member of a zip among them."""
    for path in paths:
        if path.is_dir():
            yield from release_files(sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")))
            continue
        try:
            if path.suffix.lower() == ".zip":
                with zipfile.ZipFile(path) as archive:
                    for member in sorted(archive.namelist()):
                        if not member.endswith("/") and not Path(member).name.startswith("."):
                            yield ReleaseFile(Path(member).name, archive.read(member).decode("latin-1"))
                continue
            yield ReleaseFile(path.name, path.read_text(encoding="latin-1"))
        except (OSError, zipfile.BadZipFile) as exc:
            raise InvalidInput(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None


def recognise(file: ReleaseFile) -> Recognised:
    """The kind and period of a CMS file, from its name, checked against its content."""
    name = file.name
    if _PTP_OTHER.search(name) or _MUE_OTHER.search(name):
        raise InvalidInput(f"{name}: this is a hospital, DME or facility file; dermbill loads the practitioner files "
                           f"only: {EXPECTED}")
    if _ICD_ADDENDA.search(name) and "icd10" in name.lower():
        raise InvalidInput(f"{name}: addenda list changes in words only; load the full code file of the same year "
                           "(icd10cm_codes_YYYY.txt or icd10cm_order_YYYY.txt)")
    found = _PTP_NAME.search(name)
    if found:
        major, minor, revision, part = (int(g) for g in found.groups())
        if minor > 3:
            raise InvalidInput(f"{name}: version v{major}{minor} names no quarter (the last digit is 0 to 3)")
        _expect_content(file, ReleaseKind.PTP, lambda t: "column 1" in t[:20000].lower() or t.lower().startswith(
            "column1,column2"))
        return Recognised(ReleaseKind.PTP, Period.quarter(1994 + major, minor + 1),
                          f"v{major}{minor}r{revision} f{part}")
    found = _MUE_NAME.search(name)
    if found:
        month, day, year = (int(g) for g in found.groups())
        _expect_content(file, ReleaseKind.MUE, lambda t: "mue" in t[:5000].lower())
        return Recognised(ReleaseKind.MUE, _quarter_starting(name, year, month, day), f"effective {month:02}-{day:02}"
                          f"-{year}")
    found = _RVU_NAME.search(name)
    if found:
        year = int(found.group(1)) if len(found.group(1)) == 4 else 2000 + int(found.group(1))
        quarter = _MONTH_QUARTER[found.group(2).lower()]
        _expect_content(file, ReleaseKind.RVU, lambda t: "hcpcs" in t[:5000].lower() and "rvu" in t[:5000].lower())
        return Recognised(ReleaseKind.RVU, Period.quarter(year, quarter), f"RVU{year % 100:02}{'ABCD'[quarter - 1]}")
    found = _HCPCS_NAME.search(name)
    if found:
        year, quarter = int(found.group(1)), _MONTH_QUARTER[found.group(2).lower()]
        _expect_content(file, ReleaseKind.HCPCS, lambda t: _hcpcs_layout(t))
        return Recognised(ReleaseKind.HCPCS, Period.quarter(year, quarter), f"HCPCS {year} {found.group(2).upper()}")
    found = _ICD_NAME.search(name)
    if found:
        _expect_content(file, ReleaseKind.ICD10CM, lambda t: bool(re.match(r"(\d{5} )?[A-Z]\d", t.lstrip()[:12])))
        return Recognised(ReleaseKind.ICD10CM, Period.fiscal_year(int(found.group(2))),
                          f"{found.group(1).lower()} file FY{found.group(2)}")
    raise InvalidInput(f"{name}: cannot tell which CMS release this is; expected one of {EXPECTED}")


def _quarter_starting(name: str, year: int, month: int, day: int) -> Period:
    if day != 1 or month not in (1, 4, 7, 10):
        raise InvalidInput(f"{name}: effective {month:02}-{day:02}-{year} is not the first day of a quarter")
    return Period.quarter(year, (month - 1) // 3 + 1)


def _expect_content(file: ReleaseFile, kind: ReleaseKind, fits: object) -> None:
    if not callable(fits) or not fits(file.text):
        raise InvalidInput(f"{file.name}: the name says {kind.label}, but the content is not in that layout; "
                           f"expected one of {EXPECTED}")


def _hcpcs_layout(text: str) -> bool:
    first = text.split("\n", 1)[0]
    return len(first.rstrip("\r\n")) >= 119 and bool(re.match(r"[A-Z0-9]{5}\d{5}[3-8]", first))


# --- reading ---------------------------------------------------------------------------------------------------


def read_release(file: ReleaseFile, recognised: Recognised | None = None) -> Release:
    """The release a file holds (revision 1; the store numbers revisions). A bad row fails naming file and line."""
    found = recognised or recognise(file)
    name = f"{found.kind.label} {found.period} ({found.cms_version})"
    if found.kind is ReleaseKind.PTP:
        return Release(found.kind, found.period, name, ptp=_ptp_in_force(file, found.period))
    if found.kind is ReleaseKind.MUE:
        values = mue_values_from_text(file.text, file.name)
        return Release(found.kind, found.period, name,
                       mue={code: MueLimit(code, v.units, v.adjudication_indicator) for code, v in values.items()})
    if found.kind is ReleaseKind.RVU:
        return Release(found.kind, found.period, name, rvu=read_rvu_values(file))
    if found.kind is ReleaseKind.HCPCS:
        return Release(found.kind, found.period, name, hcpcs=read_hcpcs_codes(file))
    return Release(found.kind, found.period, name, icd10cm=read_icd10cm_codes(file))


def _ptp_in_force(file: ReleaseFile, period: Period) -> dict[tuple[str, str], str]:
    """The edits in force on the period's first day (indicator 9, "not applicable", is no edit)."""
    day = day_number(period.starts)
    pairs: dict[tuple[str, str], str] = {}
    for key, edits in ptp_edits_from_text(file.text, file.name).items():
        for edit in edits:
            if edit.modifier_indicator != "9" and edit.in_force(day):
                pairs[key] = edit.modifier_indicator
    return pairs


# CMS's PPRRVU CSV: after a preamble, rows of HCPCS, MOD, DESCRIPTION, STATUS CODE, NOT USED FOR MEDICARE PAYMENT,
# WORK RVU, NON-FAC PE RVU, NON-FAC NA INDICATOR, FACILITY PE RVU, FACILITY NA INDICATOR, MP RVU, NON-FACILITY
# TOTAL, FACILITY TOTAL, PCTC IND, GLOB DAYS, PRE OP, INTRA OP, POST OP, MULT PROC, BILAT SURG, ASST SURG, CO SURG,
# TEAM SURG, ENDO BASE, CONV FACTOR, ...
_CMS_RVU_COLUMNS = {"hcpcs": 0, "modifier": 1, "status_code": 3, "work_rvu": 5, "nonfac_pe_rvu": 6,
                    "facility_pe_rvu": 8, "mp_rvu": 10, "glob_days": 14, "conv_factor": 24}
_NAMED_RVU = ("hcpcs", "modifier", "status_code", "work_rvu", "nonfac_pe_rvu", "facility_pe_rvu", "mp_rvu",
              "glob_days", "conv_factor")


def read_rvu_values(file: ReleaseFile) -> dict[tuple[str, str], RvuValues]:
    """CMS's PPRRVU CSV (positional, after its preamble) or a CSV with named columns (the extract's layout)."""
    columns: dict[str, int] | None = None
    values: dict[tuple[str, str], RvuValues] = {}
    for number, cells in enumerate(csv.reader(io.StringIO(file.text)), start=1):
        cells = [c.strip() for c in cells]
        lowered = [c.lower() for c in cells]
        if columns is None:
            if all(n in lowered for n in _NAMED_RVU):
                columns = {n: lowered.index(n) for n in _NAMED_RVU}
            elif lowered[:1] == ["hcpcs"] and "mod" in lowered[1:2]:
                columns = dict(_CMS_RVU_COLUMNS)
            continue
        if not cells or not re.fullmatch(r"[0-9A-Z]{5}", cells[0]):
            continue  # the header's continuation rows, a footer
        where = f"{file.name} line {number}"
        try:
            row = {n: cells[i] for n, i in columns.items()}
        except IndexError:
            raise InvalidInput(f"{where}: expected {max(columns.values()) + 1} columns, found {len(cells)}") from None
        if row["glob_days"] not in GLOBAL_DAYS:
            raise InvalidInput(f"{where}: global days '{row['glob_days']}' is not one of {sorted(GLOBAL_DAYS)}")
        key = (row["hcpcs"], row["modifier"])
        values[key] = RvuValues(
            key[0], key[1], row["status_code"], _number(row["work_rvu"], where, "work RVU"),
            _number(row["nonfac_pe_rvu"], where, "non-facility PE RVU"),
            _number(row["facility_pe_rvu"], where, "facility PE RVU"), _number(row["mp_rvu"], where, "MP RVU"),
            row["glob_days"], _number(row["conv_factor"], where, "conversion factor"))
    if columns is None:
        raise InvalidInput(f"{file.name}: no header row starting HCPCS, MOD (CMS's PPRRVU layout) or naming hcpcs, "
                           "work_rvu, glob_days, conv_factor ...")
    if not values:
        raise InvalidInput(f"{file.name}: no relative values found under the header")
    return values


def _number(text: str, where: str, what: str) -> Decimal:
    try:
        value = Decimal(text or "0")
    except InvalidOperation:
        raise InvalidInput(f"{where}: {what} '{text}' is not a number") from None
    if not value.is_finite() or value < 0:
        raise InvalidInput(f"{where}: {what} '{text}' must be a number of zero or more")
    # One spelling per value ("2.00", "2.0" and "2" are one RVU), so that equal content hashes the same.
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


def read_hcpcs_codes(file: ReleaseFile) -> dict[str, str]:
    """HCPCS Level II record file: code (columns 1-5), record id (11: 3 or 7 opens a code), short description
    (92-119)."""
    codes: dict[str, str] = {}
    for number, line in enumerate(file.text.splitlines(), start=1):
        if not line.strip():
            continue
        if len(line) < 119 or not re.fullmatch(r"[A-Z0-9]{5}", line[:5]):
            raise InvalidInput(f"{file.name} line {number}: not a HCPCS record (a 5-character code, then sequence "
                               "and record id, at least 119 characters)")
        if line[10] in "37":
            codes[line[:5]] = line[91:119].strip()
    return codes


def read_icd10cm_codes(file: ReleaseFile) -> dict[str, str]:
    """CMS's order file (billable flag, short and long description) or codes file (billable codes only)."""
    codes: dict[str, str] = {}
    for number, line in enumerate(file.text.splitlines(), start=1):
        if not line.strip():
            continue
        order = re.match(r"^\d{5} ([A-Z0-9]{3,7})\s+([01]) (.*)$", line)
        if order:  # short description in the next 60 characters, the long one after a space
            if order.group(2) == "1":
                rest = order.group(3)
                codes[with_dot(order.group(1))] = rest[61:].strip() or rest[:60].strip()
            continue
        plain = re.match(r"^([A-Z][0-9][0-9A-Z]{1,5})(?:\s+(.*))?$", line.rstrip())
        if not plain:
            raise InvalidInput(f"{file.name} line {number}: expected an ICD-10-CM code at the start (icd10cm_codes "
                               "layout) or an order number, code and billable flag (icd10cm_order layout)")
        codes[with_dot(plain.group(1))] = (plain.group(2) or "").strip()
    if not codes:
        raise InvalidInput(f"{file.name}: no billable ICD-10-CM codes found")
    return codes


def merge_parts(releases: list[Release]) -> Release:
    """One release from the parts CMS splits a quarter into (PTP f1..f4)."""
    first = releases[0]
    if len(releases) == 1:
        return first
    pairs: dict[tuple[str, str], str] = {}
    for part in releases:
        pairs.update(part.ptp)
    return Release(first.kind, first.period, f"{first.kind.label} {first.period} ({len(releases)} parts)", ptp=pairs)


# --- canonical text ------------------------------------------------------------------------------------------


def release_text(release: Release) -> str:
    """The release's content as sorted CSV rows: the same content always gives the same text (and hash)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if release.kind is ReleaseKind.PTP:
        writer.writerows((c1, c2, ind) for (c1, c2), ind in sorted(release.ptp.items()))
    elif release.kind is ReleaseKind.MUE:
        writer.writerows((v.code, v.units, v.adjudication_indicator) for _, v in sorted(release.mue.items()))
    elif release.kind is ReleaseKind.RVU:
        writer.writerows((v.code, v.modifier, v.status_code, v.work, v.nonfacility_pe, v.facility_pe, v.malpractice,
                          v.global_days, v.conversion_factor) for _, v in sorted(release.rvu.items()))
    else:
        codes = release.hcpcs if release.kind is ReleaseKind.HCPCS else release.icd10cm
        writer.writerows(sorted(codes.items()))
    return out.getvalue()


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def release_from_text(kind: ReleaseKind, period: Period, name: str, revision: int, text: str) -> Release:
    rows = list(csv.reader(io.StringIO(text)))
    if kind is ReleaseKind.PTP:
        return Release(kind, period, name, revision, ptp={(r[0], r[1]): r[2] for r in rows})
    if kind is ReleaseKind.MUE:
        return Release(kind, period, name, revision, mue={r[0]: MueLimit(r[0], int(r[1]), r[2]) for r in rows})
    if kind is ReleaseKind.RVU:
        return Release(kind, period, name, revision, rvu={(r[0], r[1]): RvuValues(
            r[0], r[1], r[2], Decimal(r[3]), Decimal(r[4]), Decimal(r[5]), Decimal(r[6]), r[7], Decimal(r[8]))
            for r in rows})
    codes = {r[0]: r[1] for r in rows}
    if kind is ReleaseKind.HCPCS:
        return Release(kind, period, name, revision, hcpcs=codes)
    return Release(kind, period, name, revision, icd10cm=codes)


# --- what ships ----------------------------------------------------------------------------------------------

SHIPPED_PTP = TABLES / "ncci_ptp" / "2024q3.csv"
SHIPPED_MUE = TABLES / "ncci_mue" / "2024q3.csv"
SHIPPED_RVU = TABLES / "pfs_rvu" / "2025.csv"


@functools.cache
def shipped_releases() -> tuple[Release, ...]:
    """The releases the package ships, as the baseline a loaded release is compared with (revision 0)."""
    q3 = Period.quarter(2024, 3)
    ptp = ReleaseFile(SHIPPED_PTP.name, SHIPPED_PTP.read_text())
    mue = ReleaseFile(SHIPPED_MUE.name, SHIPPED_MUE.read_text())
    rvu = ReleaseFile(SHIPPED_RVU.name, SHIPPED_RVU.read_text())
    icd = shipped_icd10_release()
    return (
        Release(ReleaseKind.PTP, q3, "NCCI PTP edits 2024q3 (shipped)", 0, ptp=_ptp_in_force(ptp, q3)),
        replace(read_release(mue, Recognised(ReleaseKind.MUE, q3, "shipped")), revision=0),
        Release(ReleaseKind.RVU, Period.quarter(2025, 1), "PFS relative values 2025 (shipped, RVU25D)", 0,
                rvu=read_rvu_values(rvu)),
        Release(ReleaseKind.ICD10CM, Period.fiscal_year(icd.effective.effective_from.year + 1),
                f"{icd.name} (shipped)", 0, icd10cm=dict.fromkeys(icd.billable, "")),
    )


def shipped_start(kind: ReleaseKind) -> datetime.date | None:
    return next((r.period.starts for r in shipped_releases() if r.kind is kind), None)
