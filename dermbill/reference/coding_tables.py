"""Load the coding engine's tables from the package's versioned data (and any releases the user loaded).

- ``tables/anatomic_sites/sites.csv``: each site's groups for every code family (``biopsy_group``: skin, or
  the key of the site's own biopsy code; ``biopsy_caution``: codes to consider for part of the site;
  ``malignant_excision_caution``: the site is not named by 11600-11646, and what to code instead).
- ``tables/code_rules/rules.csv``: size bins, counts and keys -> codes, with effective dates.
- ``tables/procedure_codes/codes.csv``: the CPT/HCPCS code set (our own short descriptions), add-on
  primaries and effective dates; global days come from the fee schedule table (``pfs_rvu``).
- ``tables/ncci_ptp/*.csv``: NCCI practitioner PTP edits (the same table the scrubber uses).
- ``tables/icd10cm_by_site/codes.csv``: ICD-10-CM code by diagnosis family, site and laterality;
  ``exceptions.csv``: the site where a diagnosis whose one code is a skin code takes another.
- ICD-10-CM: the release shipped by the ``simple-icd-10-cm`` package (FY2026, April 2026 update), plus
  CMS code files loaded with ``dermbill reference load-icd10cm`` into the reference folder.
Every row is validated; a bad row fails the load naming the file and line.
"""

from __future__ import annotations

import csv
import datetime
import functools
import os
import warnings
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path

from dermbill.core.coding.tables import (
    Bound,
    CodeRule,
    CodeRules,
    CodeSet,
    CodingTables,
    Icd10Catalog,
    Icd10Release,
    ProcedureCode,
    SiteDiagnoses,
    SiteInfo,
    SiteTable,
)
from dermbill.core.dates import DateRange, parse_iso_date
from dermbill.core.errors import InvalidInput
from dermbill.core.ncci import MueTable, PtpTable
from dermbill.reference.ncci import mue_release, ptp_release
from dermbill.reference.pfs_rvu import shipped_rvu_table

TABLES = Path(__file__).resolve().parent / "tables"
SHIPPED_ICD10_RELEASE = "ICD-10-CM FY2026 (April 1, 2026 update, simple-icd-10-cm 1.5.0)"
SHIPPED_ICD10_EFFECTIVE = DateRange(datetime.date(2025, 10, 1), datetime.date(2026, 9, 30))


def reference_dir() -> Path:
    """Where user-loaded reference releases live: $DERMBILL_REFERENCE_DIR, default var/reference."""
    return Path(os.environ.get("DERMBILL_REFERENCE_DIR") or "var/reference")


def _rows(path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    with path.open(newline="") as handle:
        for line_number, row in enumerate(csv.DictReader(handle), start=2):
            yield f"{path.name} line {line_number}", {k: (v or "").strip() for k, v in row.items()}


def _range(row: dict[str, str], where: str, start: str = "effective_from", end: str = "effective_to") -> DateRange:
    first = parse_iso_date(row[start], field=f"{where}: {start}") if row.get(start) else datetime.date(1900, 1, 1)
    last = parse_iso_date(row[end], field=f"{where}: {end}") if row.get(end) else None
    return DateRange(first, last)


def _decimal(text: str, where: str, field: str) -> Decimal | None:
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise InvalidInput(f"{where}: {field} '{text}' is not a number") from None


def load_sites(path: Path = TABLES / "anatomic_sites" / "sites.csv") -> SiteTable:
    sites = {}
    for where, row in _rows(path):
        if row["paired"] not in ("Y", "N"):
            raise InvalidInput(f"{where}: paired must be Y or N")
        sites[row["site"]] = SiteInfo(
            site=row["site"], region=row["region"], paired=row["paired"] == "Y", lesion_group=row["lesion_group"],
            simple_repair_group=row["simple_repair_group"],
            intermediate_repair_group=row["intermediate_repair_group"],
            complex_repair_group=row["complex_repair_group"], adjacent_tissue_transfer_group=row["att_group"],
            mohs_group=row["mohs_group"], biopsy_group=row["biopsy_group"] or "skin",
            biopsy_caution=row["biopsy_caution"], malignant_excision_caution=row["malignant_excision_caution"],
        )
    return SiteTable(sites)


def load_rules(path: Path = TABLES / "code_rules" / "rules.csv") -> CodeRules:
    rules = []
    for where, row in _rows(path):
        try:
            bound = Bound.parse(row["bound"])
        except InvalidInput as exc:
            raise InvalidInput(f"{where}: {exc}") from None
        rules.append(CodeRule(
            family=row["family"], key=row["key"], bound=bound, code=row["code"],
            add_on_code=row["add_on_code"] or None,
            add_on_above=_decimal(row["add_on_above"], where, "add_on_above"),
            add_on_step=_decimal(row["add_on_step"], where, "add_on_step"),
            effective=_range(row, where),
        ))
    return CodeRules(tuple(rules))


def load_code_set(path: Path = TABLES / "procedure_codes" / "codes.csv") -> CodeSet:
    fee_schedule = shipped_rvu_table()
    codes: dict[str, list[ProcedureCode]] = {}
    values: dict[str, Decimal] = {}
    for where, row in _rows(path):
        code = row["code"]
        global_days = row["global_days"]
        if code in fee_schedule.codes():
            newest = fee_schedule.for_code(code, on=datetime.date.max).entry
            global_days = global_days or newest.global_days
            values[code] = newest.total_rvu(facility=False)
        if not global_days:
            raise InvalidInput(f"{where}: {code} has no global days here or in the fee schedule table")
        codes.setdefault(code, []).append(ProcedureCode(
            code=code, kind=row["kind"], description=row["description"],
            add_on_to=tuple(row["add_on_to"].split()), global_days=global_days, effective=_range(row, where),
        ))
    return CodeSet({code: tuple(versions) for code, versions in codes.items()}, values)


def load_ptp(directory: Path = TABLES / "ncci_ptp", reference: Path | None = None) -> PtpTable:
    """The shipped quarter(s) and every quarter loaded into the reference folder, oldest first."""
    paths = sorted(directory.glob("*.csv")) + sorted(((reference or reference_dir()) / "ncci").glob("ptp-*.csv"))
    releases = sorted((ptp_release(path) for path in paths), key=lambda r: r.starts)
    return PtpTable(tuple(releases))


def load_mue(directory: Path = TABLES / "ncci_mue", reference: Path | None = None) -> MueTable:
    paths = sorted(directory.glob("*.csv")) + sorted(((reference or reference_dir()) / "ncci").glob("mue-*.csv"))
    releases = sorted((mue_release(path) for path in paths), key=lambda r: r.starts)
    return MueTable(tuple(releases))


def load_site_diagnoses(path: Path = TABLES / "icd10cm_by_site" / "codes.csv",
                        exceptions: Path = TABLES / "icd10cm_by_site" / "exceptions.csv") -> SiteDiagnoses:
    codes = {}
    for _, row in _rows(path):
        codes[(row["family"], row["site"], row["laterality"], row.get("sex", ""))] = row["code"]
    return SiteDiagnoses(codes, {(row["diagnosis"], row["site"]): row["code"] for _, row in _rows(exceptions)})


@functools.cache
def shipped_icd10_release() -> Icd10Release:
    """The release in the simple-icd-10-cm package: every billable (leaf) code, with dots.

    Importing the package parses its XML (over 2 s, on every command that codes or scrubs), so the two code sets
    dermbill takes from it are kept in a compact file the first time (``icd10_cache_path``) and read from there
    after (a few hundredths of a second). The file names the package's version; a file that does not read back
    whole is built again, and a folder that cannot be written only means the package is read every time."""
    cached = icd10_cache_path()
    if cached is not None:
        found = _read_icd10_cache(cached)
        if found is not None:
            return Icd10Release(SHIPPED_ICD10_RELEASE, SHIPPED_ICD10_EFFECTIVE, *found)
    billable, categories = _icd10_from_package()
    if cached is not None:
        _write_icd10_cache(cached, billable, categories)
    return Icd10Release(SHIPPED_ICD10_RELEASE, SHIPPED_ICD10_EFFECTIVE, billable, categories)


ICD10_CACHE_FORMAT = 1


def icd10_cache_path() -> Path | None:
    """$DERMBILL_CACHE_DIR (or $XDG_CACHE_HOME/dermbill, or ~/.cache/dermbill)/icd10cm-<package version>.txt;
    None when the package's version cannot be read."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        package = version("simple-icd-10-cm")
    except PackageNotFoundError:
        return None
    folder = os.environ.get("DERMBILL_CACHE_DIR") or str(
        Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dermbill")
    return Path(folder) / f"icd10cm-simple-icd-10-cm-{package}-v{ICD10_CACHE_FORMAT}.txt"


def _icd10_from_package() -> tuple[frozenset[str], frozenset[str]]:
    with warnings.catch_warnings():
        # The package reads its data with importlib.resources' legacy API (deprecated, still correct).
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm as icd  # type: ignore[import-untyped]

        codes = [code for code in icd.get_all_codes(True) if "." in code or code[:1].isalpha()]
    billable = frozenset(code for code in codes if icd.is_leaf(code) and _looks_like_code(code))
    categories = frozenset(code for code in codes if not icd.is_leaf(code) and _looks_like_code(code))
    return billable, categories


def _read_icd10_cache(path: Path) -> tuple[frozenset[str], frozenset[str]] | None:
    """(billable, categories) from the compact file; None when it is missing or not whole.

    Layout: a first line ``# <billable count> <category count>``, then one code per line, billable first."""
    try:
        lines = path.read_text(encoding="ascii").split("\n")
    except (OSError, UnicodeDecodeError):
        return None
    try:
        marker, billable_count, category_count = lines[0].split(" ")
        counts = int(billable_count), int(category_count)
    except ValueError:
        return None
    codes = lines[1:-1] if lines[-1] == "" else lines[1:]
    if marker != "#" or len(codes) != sum(counts) or lines[-1] != "":
        return None
    return frozenset(codes[:counts[0]]), frozenset(codes[counts[0]:])


def _write_icd10_cache(path: Path, billable: frozenset[str], categories: frozenset[str]) -> None:
    text = "\n".join([f"# {len(billable)} {len(categories)}", *sorted(billable), *sorted(categories)]) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        partial.write_text(text, encoding="ascii")
        os.replace(partial, path)  # whole or not at all, whoever else is writing it
    except OSError:
        return


def _looks_like_code(code: str) -> bool:
    return len(code) >= 3 and code[0].isalpha() and code[1].isdigit() and "-" not in code


def with_dot(code: str) -> str:
    """CMS files write codes without the dot (C44619); ICD-10-CM puts it after the third character."""
    code = code.strip().upper()
    return code if len(code) <= 3 or "." in code else f"{code[:3]}.{code[3:]}"


def read_cms_icd10_file(path: Path) -> tuple[frozenset[str], frozenset[str]]:
    """Read a CMS ICD-10-CM code file: the order file (with billable flags) or the codes file (billable only).

    Returns (billable codes, non-billable header codes).
    """
    billable: set[str] = set()
    headers: set[str] = set()
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) >= 3 and parts[0].isdigit() and len(parts[0]) == 5 and parts[2] in ("0", "1"):
            code, flag = parts[1], parts[2]  # order file: 00001 A00     0 ...
        else:
            code, flag = parts[0], "1"  # codes file: A000    Cholera ...
        if not (_looks_like_code(code) and code.isalnum()):
            raise InvalidInput(f"{path.name} line {number}: '{code}' is not an ICD-10-CM code; expected CMS's "
                               "icd10cm-codes-YYYY.txt or icd10cm-order-YYYY.txt layout")
        (billable if flag == "1" else headers).add(with_dot(code))
    if not billable:
        raise InvalidInput(f"{path.name}: no billable ICD-10-CM codes found")
    return frozenset(billable), frozenset(headers)


def fiscal_year_range(fiscal_year: int) -> DateRange:
    """ICD-10-CM fiscal year FY runs from 1 October of FY-1 to 30 September of FY."""
    return DateRange(datetime.date(fiscal_year - 1, 10, 1), datetime.date(fiscal_year, 9, 30))


def load_icd10_release_file(path: Path) -> Icd10Release:
    """A release saved by ``dermbill reference load-icd10cm``: header lines, then code and billable flag."""
    name, effective = "", None
    billable: set[str] = set()
    headers: set[str] = set()
    for line in path.read_text().splitlines():
        if line.startswith("# release: "):
            name = line.removeprefix("# release: ")
        elif line.startswith("# effective: "):
            start, _, end = line.removeprefix("# effective: ").partition(" to ")
            effective = DateRange(datetime.date.fromisoformat(start), datetime.date.fromisoformat(end))
        elif line and not line.startswith("#"):
            code, _, flag = line.partition("\t")
            (billable if flag == "1" else headers).add(code)
    if not name or effective is None:
        raise InvalidInput(f"{path}: not a release saved by dermbill (missing its header)")
    return Icd10Release(name, effective, frozenset(billable), frozenset(headers))


def loaded_icd10_releases(directory: Path | None = None) -> list[Icd10Release]:
    folder = (directory or reference_dir()) / "icd10cm"
    return [load_icd10_release_file(path) for path in sorted(folder.glob("*.txt"))] if folder.exists() else []


@functools.cache
def _shipped_parts() -> tuple[SiteTable, CodeRules, CodeSet, SiteDiagnoses, Icd10Release]:
    return (load_sites(), load_rules(), load_code_set(), load_site_diagnoses(), shipped_icd10_release())


@functools.cache
def _ncci(reference: Path) -> tuple[PtpTable, MueTable]:
    return load_ptp(reference=reference), load_mue(reference=reference)


def coding_tables(reference: Path | None = None) -> CodingTables:
    """The engine's tables: the package's data plus the releases loaded into ``reference`` (read once)."""
    folder = (reference or reference_dir()).resolve()
    sites, rules, code_set, site_codes, shipped = _shipped_parts()
    releases = sorted([shipped, *loaded_icd10_releases(folder)], key=lambda r: r.effective.effective_from)
    ptp, mue = _ncci(folder)
    return CodingTables(sites, rules, code_set, ptp, Icd10Catalog(tuple(releases)), site_codes, mue)
