"""Load the claim status tables (``tables/claim_status/``: categories.csv, codes.csv, entities.csv) into a
ClaimStatusTable.

Columns: ``code,[kind,]description,effective_from,effective_to``: ``kind`` (categories only) is a StatusKind value,
``description`` dermbill's own short words (one line, at most 120 characters), dates ISO and inclusive (empty:
open). Every row is validated; a bad row fails the load naming the file and line. See the table's README for its
source (the X12 external code lists 507 and 508) and why the descriptions are our own.
"""

from __future__ import annotations

import csv
import functools
import io
from importlib import resources

from dermbill.core.claim_follow_up import ClaimStatusTable, CodeWords, StatusKind
from dermbill.core.dates import parse_iso_date
from dermbill.core.errors import InvalidInput

MAX_DESCRIPTION = 120
KINDS = ", ".join(k.value for k in StatusKind if k is not StatusKind.UNKNOWN)


def claim_status_table() -> ClaimStatusTable:
    """The shipped claim status tables (read once)."""
    return _shipped()


@functools.cache
def _shipped() -> ClaimStatusTable:
    folder = resources.files("dermbill.reference").joinpath("tables", "claim_status")

    def read(name: str, *, with_kind: bool = False) -> tuple[CodeWords, ...]:
        return parse_code_words(folder.joinpath(name).read_text(encoding="utf-8"), source=name, with_kind=with_kind)

    return ClaimStatusTable(read("categories.csv", with_kind=True), read("codes.csv"), read("entities.csv"))


def parse_code_words(text: str, *, source: str, with_kind: bool = False) -> tuple[CodeWords, ...]:
    """Parse one table's CSV text; ``source`` (the file name) starts every error message."""
    columns = ("code", *(("kind",) if with_kind else ()), "description", "effective_from", "effective_to")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if tuple(reader.fieldnames or ()) != columns:
        raise InvalidInput(f"{source}: the columns must be {','.join(columns)} "
                           f"(found {','.join(reader.fieldnames or ()) or 'none'})")
    entries: list[CodeWords] = []
    seen: dict[str, int] = {}
    for row in reader:
        where = f"{source} line {reader.line_num}"
        if None in row or any(value is None for value in row.values()):
            raise InvalidInput(f"{where}: expected {len(columns)} fields ({','.join(columns)})")
        values = {k: (v or "").strip() for k, v in row.items() if k is not None}
        code, description = values["code"], values["description"]
        if not code or not code.isalnum() or code != code.upper() or len(code) > 5:
            raise InvalidInput(f"{where}: code '{code}' is not a claim status code (capital letters and digits, "
                               "e.g. A4, F2, 65)")
        if code in seen:
            raise InvalidInput(f"{where}: {code} is listed twice (first on line {seen[code]})")
        if not description or len(description) > MAX_DESCRIPTION or "\n" in description:
            raise InvalidInput(f"{where}: {code}'s description must be one line of 1 to {MAX_DESCRIPTION} "
                               "characters (our own short words, never the official text)")
        kind = None
        if with_kind:
            try:
                kind = StatusKind(values["kind"])
            except ValueError:
                raise InvalidInput(f"{where}: kind '{values['kind']}' is not one of: {KINDS}") from None
        start = parse_iso_date(values["effective_from"], field=f"{where}: effective_from") \
            if values["effective_from"] else None
        end = parse_iso_date(values["effective_to"], field=f"{where}: effective_to") if values["effective_to"] else None
        if start and end and end < start:
            raise InvalidInput(f"{where}: effective_to is before effective_from")
        seen[code] = reader.line_num
        entries.append(CodeWords(code, description, start, end, kind))
    return tuple(entries)
