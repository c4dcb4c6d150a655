"""Read NCCI PTP and MUE files (CMS's quarterly layouts and dermbill's CSV layout) into quarterly releases.

Layouts understood:
- PTP, CMS: tab-delimited text (or a CSV export) with a preamble, a header row starting "Column 1",
  then Column 1, Column 2, "*=in existence prior to 1996", Effective Date (YYYYMMDD), Deletion Date
  (YYYYMMDD or "*"), Modifier (0/1/9), PTP Edit Rationale.
- PTP, CSV with a header: ``column1,column2,modifier_indicator,effective_from,deletion_date`` (dermbill's) or
  ``column1,column2,deletion_date,modifier_indicator`` (the extract in shared/cms-data).
- MUE, CMS: CSV with a preamble and the header "HCPCS/CPT Code", "Practitioner Services MUE Values",
  "MUE Adjudication Indicator" ("2 Date of Service Edit: Policy"), "MUE Rationale".
- MUE, CSV: ``hcpcs,mue_value,mai,mue_rationale``.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import gc
import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from dermbill.core.errors import InvalidInput
from dermbill.core.ncci import NO_DELETION, MueRelease, MueValue, PtpEdit, PtpRelease

TABLES = Path(__file__).resolve().parent / "tables"
_QUARTER_FILE = re.compile(r"(\d{4})q([1-4])", re.IGNORECASE)
_DATE = re.compile(r"^\d{8}$")


def quarter_start(name: str) -> datetime.date | None:
    """The first day of the quarter a file name names: '2024q3' -> 2024-07-01; 'Eff_07-01-2024' -> 2024-07-01."""
    found = _QUARTER_FILE.search(name)
    if found:
        return datetime.date(int(found.group(1)), 3 * int(found.group(2)) - 2, 1)
    dated = re.search(r"(\d{2})-(\d{2})-(\d{4})", name) or re.search(r"(\d{4})-(\d{2})-(\d{2})", name)
    if dated:
        parts = [int(p) for p in dated.groups()]
        year, month, day = (parts[2], parts[0], parts[1]) if parts[2] > 31 else (parts[0], parts[1], parts[2])
        try:
            return datetime.date(year, month, day)
        except ValueError:
            return None
    return None


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="latin-1")
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None


def read_ptp_edits(path: Path) -> dict[tuple[str, str], tuple[PtpEdit, ...]]:
    """Every edit in a PTP file, grouped by (column 1, column 2). A bad row fails the load naming the line."""
    return ptp_edits_from_text(_read_text(path), path.name)


def ptp_edits_from_text(text: str, name: str) -> dict[tuple[str, str], tuple[PtpEdit, ...]]:
    """``read_ptp_edits`` for a file already read (a member of a zip, a release kept in the database)."""
    with _no_garbage_collection():
        return _read_ptp_edits(text, name)


@contextlib.contextmanager
def _no_garbage_collection() -> Iterator[None]:
    """A full quarter is millions of small tuples without cycles; the cycle collector only slows building them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_ptp_edits(text: str, name: str) -> dict[tuple[str, str], tuple[PtpEdit, ...]]:
    first, _, body = text.partition("\n")
    header = first.strip().lower()
    rows: Iterable[list[str]]
    if header.startswith("column1,column2,modifier_indicator"):
        rows = (line.split(",") for line in body.split("\n"))
        first_line = 2
    elif header.startswith("column1,column2,deletion_date,modifier_indicator"):
        rows = ([c[0], c[1], c[3], "", c[2]] if len(c) == 4 else c
                for c in (line.split(",") for line in body.split("\n")))
        first_line = 2
    else:
        rows = _cms_ptp_rows(text, name)
        first_line = 0
    edits: dict[tuple[str, str], tuple[PtpEdit, ...]] = {}
    indicators = {"0", "1", "9"}
    make = tuple.__new__  # PtpEdit's own __new__ costs a Python call per row; a quarter has millions
    for index, cells in enumerate(rows):
        try:
            column1, column2, indicator, effective, deleted = cells
            start = int(effective) if effective else 0
            end = int(deleted) if deleted else NO_DELETION
        except ValueError:
            if cells == [""]:
                continue  # a blank line
            where = f"line {index + first_line}" if first_line else f"row {index + 1} after the header"
            raise InvalidInput(f"{name} {where}: expected column1, column2, modifier indicator, effective "
                               "date and deletion date (YYYYMMDD)") from None
        if indicator not in indicators or not (start == 0 or 19000101 <= start <= NO_DELETION) or not (
                19000101 <= end <= NO_DELETION):
            where = f"line {index + first_line}" if first_line else f"row {index + 1} after the header"
            raise InvalidInput(f"{name} {where}: modifier indicator must be 0, 1 or 9 and dates YYYYMMDD")
        key = (column1, column2)
        earlier = edits.get(key)
        edit = make(PtpEdit, (column1, column2, indicator, start, end))
        edits[key] = (edit,) if earlier is None else (*earlier, edit)
    if not edits:
        raise InvalidInput(f"{name}: no PTP edits found (expected CMS's Column 1 / Column 2 layout)")
    return edits


def _cms_ptp_rows(text: str, name: str) -> list[list[str]]:
    delimiter = "\t" if text.count("\t") > text.count(",") else ","
    rows: list[list[str]] = []
    header_seen = False
    for cells in csv.reader(io.StringIO(text), delimiter=delimiter):
        cells = [c.strip() for c in cells]
        if not header_seen:
            header_seen = bool(cells) and cells[0].lower().startswith("column 1")
            continue
        if len(cells) < 6 or not re.fullmatch(r"[0-9A-Z]{5}", cells[0] or "") or not _DATE.match(cells[3]):
            continue  # the legend rows under the header ("0=not allowed" ...)
        rows.append([cells[0], cells[1], cells[5][:1], cells[3], cells[4].strip("*").strip()])
    if not header_seen:
        raise InvalidInput(f"{name}: no header row starting 'Column 1'; expected a CMS NCCI PTP file")
    return rows


def read_mue_values(path: Path) -> dict[str, MueValue]:
    return mue_values_from_text(_read_text(path), path.name)


def mue_values_from_text(text: str, name: str) -> dict[str, MueValue]:
    """Every MUE value in an MUE file already read, by code. A bad row fails the load naming the line."""
    values: dict[str, MueValue] = {}
    reader = csv.reader(io.StringIO(text))
    columns: dict[str, int] | None = None
    for number, cells in enumerate(reader, start=1):
        cells = [c.strip() for c in cells]
        if columns is None:
            lowered = [c.lower() for c in cells]
            if lowered[:2] == ["hcpcs", "mue_value"]:
                columns = {"code": 0, "units": 1, "mai": 2, "rationale": 3}
            elif lowered and "hcpcs" in lowered[0] and any("mue values" in c for c in lowered):
                columns = {"code": 0, "units": next(i for i, c in enumerate(lowered) if "mue values" in c),
                           "mai": next(i for i, c in enumerate(lowered) if "adjudication" in c),
                           "rationale": next((i for i, c in enumerate(lowered) if "rationale" in c), -1)}
            continue
        if not cells or not cells[0]:
            continue
        where = f"{name} line {number}"
        try:
            units = int(cells[columns["units"]])
        except (ValueError, IndexError):
            raise InvalidInput(f"{where}: MUE value must be a whole number of units") from None
        mai = cells[columns["mai"]][:1]
        if mai not in ("1", "2", "3"):
            raise InvalidInput(f"{where}: MUE adjudication indicator '{cells[columns['mai']]}' must start with 1, 2 "
                               "or 3")
        rationale = cells[columns["rationale"]] if columns["rationale"] >= 0 else ""
        values[cells[0]] = MueValue(cells[0], units, mai, rationale)
    if columns is None:
        raise InvalidInput(f"{name}: no MUE header row (expected 'HCPCS/CPT Code' ... 'MUE Values')")
    return values


def _quarter(path: Path, starts: datetime.date | None, kind: str) -> tuple[str, datetime.date]:
    start = starts or quarter_start(path.name)
    if start is None:
        raise InvalidInput(f"cannot tell which quarter '{path.name}' is; give --quarter YYYYqN")
    return f"NCCI {kind} practitioner {start:%Y} Q{(start.month - 1) // 3 + 1} ({path.name})", start


def ptp_release(path: Path, starts: datetime.date | None = None) -> PtpRelease:
    name, start = _quarter(path, starts, "PTP")
    return PtpRelease(name, start, read_ptp_edits(path))


def mue_release(path: Path, starts: datetime.date | None = None) -> MueRelease:
    name, start = _quarter(path, starts, "MUE")
    return MueRelease(name, start, read_mue_values(path))
