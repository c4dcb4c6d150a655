"""Report tables and figures as CSV: the same rows a screen shows, with plain values a spreadsheet or a script
reads (dollars as 1234.50, rates as 6.12, dates as 2026-11-30).

Text cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) are
prefixed with an apostrophe: a payer's or patient's name is never executed when a manager opens the file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from dermbill.core.reports.figures import Figure
from dermbill.core.reports.table import Cell, ColumnKind, ReportTable, json_cell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FIGURE_COLUMNS = ("key", "label", "unit", "value", "previous", "change", "numerator", "denominator", "formula")


def safe_text(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def plain_cell(value: Cell, kind: ColumnKind) -> object:
    """A cell as a spreadsheet value: a number, an ISO date, text (formula-safe), or empty."""
    if value is None:
        return ""
    if kind is ColumnKind.TEXT:
        return safe_text(str(value))
    return json_cell(value)


def table_rows(table: ReportTable, *, header: str = "label") -> Iterable[list[object]]:
    """The header (column labels, or keys for scripts) and every row, the total row last."""
    yield [c.label if header == "label" else c.key for c in table.columns]
    for row in (*table.rows, *((table.total,) if table.total else ())):
        yield [plain_cell(v, c.kind) for c, v in zip(table.columns, row.cells, strict=True)]


def figure_rows(figures: Sequence[Figure]) -> Iterable[list[object]]:
    yield list(FIGURE_COLUMNS)
    for figure in figures:
        shown = figure.to_json()
        yield [figure.key, safe_text(figure.label), figure.unit.value,
               *(shown[name] if shown[name] is not None else "" for name in FIGURE_COLUMNS[3:8]),
               safe_text(figure.formula)]


def to_csv(rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue()
