"""Load the CARC and RARC tables (``tables/denial_codes/carc.csv`` and ``rarc.csv``) into a DenialCodeTable.

Columns: ``code,category,description,effective_from,effective_to``. ``category`` is a DenialCategory value
(required for a CARC; empty for a RARC means no opinion), ``description`` is dermbill's own short text (one
line, at most 120 characters), dates are ISO and inclusive (empty: open). Every row is validated; a bad row
fails the load naming the file and line. See the table's README for its source and licence.
"""

from __future__ import annotations

import csv
import functools
import io
from importlib import resources
from pathlib import Path

from dermbill.core.dates import parse_iso_date
from dermbill.core.denial_codes import DenialCategory, DenialCodeTable, ReasonCode, ReasonCodeKind
from dermbill.core.errors import InvalidInput

COLUMNS = ("code", "category", "description", "effective_from", "effective_to")
MAX_DESCRIPTION = 120
_CATEGORY_NAMES = ", ".join(c.value for c in DenialCategory)


def denial_code_table() -> DenialCodeTable:
    """The shipped CARCs and RARCs (read once)."""
    return _shipped_table()


@functools.cache
def _shipped_table() -> DenialCodeTable:
    folder = resources.files("dermbill.reference").joinpath("tables", "denial_codes")
    carcs = parse_reason_codes(folder.joinpath("carc.csv").read_text(encoding="utf-8"), kind="CARC",
                               source="carc.csv")
    rarcs = parse_reason_codes(folder.joinpath("rarc.csv").read_text(encoding="utf-8"), kind="RARC",
                               source="rarc.csv")
    return DenialCodeTable(carcs, rarcs)


def load_reason_codes(path: Path, *, kind: ReasonCodeKind) -> tuple[ReasonCode, ...]:
    """Read one table file (carc.csv or rarc.csv layout) from ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path.name}: not UTF-8 text") from None
    return parse_reason_codes(text, kind=kind, source=path.name)


def parse_reason_codes(text: str, *, kind: ReasonCodeKind, source: str) -> tuple[ReasonCode, ...]:
    """Parse a table's CSV text; ``source`` (the file name) starts every error message."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise InvalidInput(f"{source}: the columns must be {','.join(COLUMNS)} "
                           f"(found {','.join(reader.fieldnames or ()) or 'none'})")
    entries: list[ReasonCode] = []
    first_line: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        where = f"{source} line {line}"
        if None in row or any(value is None for value in row.values()):
            raise InvalidInput(f"{where}: expected {len(COLUMNS)} fields ({','.join(COLUMNS)})")
        entry = _entry({k: v.strip() for k, v in row.items() if k is not None and v is not None}, kind, where)
        if entry.code in first_line:
            raise InvalidInput(f"{where}: {kind} {entry.code} is listed twice (first on line {first_line[entry.code]})")
        first_line[entry.code] = line
        entries.append(entry)
    return tuple(entries)


def _entry(row: dict[str, str], kind: ReasonCodeKind, where: str) -> ReasonCode:
    code = row["code"]
    if not code or not code.isalnum() or code != code.upper():
        raise InvalidInput(f"{where}: code '{code}' is not a {kind} (capital letters and digits, e.g. "
                           f"{'45, A1, B7' if kind == 'CARC' else 'M15, MA130, N115'})")
    description = row["description"]
    if not description:
        raise InvalidInput(f"{where}: {kind} {code} has no description")
    if len(description) > MAX_DESCRIPTION:
        raise InvalidInput(f"{where}: {kind} {code}'s description is {len(description)} characters; "
                           f"keep it to {MAX_DESCRIPTION} (our own short words, never the official text)")
    if "\n" in description or "\r" in description:
        raise InvalidInput(f"{where}: {kind} {code}'s description must be one line")
    start = parse_iso_date(row["effective_from"], field=f"{where}: effective_from") if row["effective_from"] else None
    end = parse_iso_date(row["effective_to"], field=f"{where}: effective_to") if row["effective_to"] else None
    category = _category(row["category"], kind, code, where)
    try:
        return ReasonCode(kind, code, category, description, start, end)
    except InvalidInput as exc:
        raise InvalidInput(f"{where}: {exc}") from None


def _category(text: str, kind: ReasonCodeKind, code: str, where: str) -> DenialCategory | None:
    if not text:
        if kind == "CARC":
            raise InvalidInput(f"{where}: CARC {code} needs a category (one of: {_CATEGORY_NAMES})")
        return None
    try:
        category = DenialCategory(text)
    except ValueError:
        raise InvalidInput(f"{where}: category '{text}' is not one of: {_CATEGORY_NAMES}") from None
    if kind == "RARC" and category is DenialCategory.UNKNOWN:
        raise InvalidInput(f"{where}: RARC {code}: leave the category empty for a remark with no opinion, "
                           "rather than 'unknown'")
    return category
