"""Report tables and figures as XLSX workbooks (openpyxl), for the report pages' exports.

The sheet opens with the report's title and the filters it was made with (one row each), then a blank row, the
header (bold) and the rows, the total row last (bold). Numbers stay numbers with a number format: dollars as
``$#,##0.00``, rates as percentages (6.12% is stored as 0.0612), days with one decimal, counts as whole numbers,
dates as dates. Text goes through the CSV export's formula guard: openpyxl would store text starting with "=" as
a formula.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from dermbill.core.money import Money
from dermbill.core.reports.export import safe_text
from dermbill.core.reports.figures import Figure, Unit
from dermbill.core.reports.table import Cell, ColumnKind, ReportTable

FORMATS = {ColumnKind.MONEY: '"$"#,##0.00', ColumnKind.PERCENT: "0.00%", ColumnKind.DAYS: "0.0",
           ColumnKind.COUNT: "#,##0", ColumnKind.DATE: "yyyy-mm-dd"}
UNIT_KINDS = {Unit.MONEY: ColumnKind.MONEY, Unit.PERCENT: ColumnKind.PERCENT, Unit.DAYS: ColumnKind.DAYS,
              Unit.COUNT: ColumnKind.COUNT}
BOLD = Font(bold=True)
SHEET_TITLE = 31  # Excel's longest sheet name


def _value(value: Cell, kind: ColumnKind) -> object:
    """A cell as the spreadsheet stores it."""
    if value is None:
        return None
    if isinstance(value, Money):
        return value.to_decimal()
    if kind is ColumnKind.PERCENT and isinstance(value, Decimal | int):
        return Decimal(value) / 100
    if isinstance(value, Decimal | int | datetime.date):
        return value
    return safe_text(str(value))


def _sheet(title: str, filters: Sequence[tuple[str, str]], kinds: Sequence[ColumnKind], header: Sequence[str],
           rows: Sequence[Sequence[Cell]], total: Sequence[Cell] | None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "".join(c for c in title if c not in "[]:*?/\\")[:SHEET_TITLE] or "Report"
    sheet.append([safe_text(title)])
    sheet.cell(row=1, column=1).font = BOLD
    for name, value in filters:
        sheet.append([safe_text(name), safe_text(value)])
    sheet.append([])
    sheet.append([safe_text(h) for h in header])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = BOLD
    for row in (*rows, *((total,) if total is not None else ())):
        sheet.append([_value(v, k) for v, k in zip(row, kinds, strict=True)])
        for column, kind in enumerate(kinds, start=1):
            if kind in FORMATS:
                sheet.cell(row=sheet.max_row, column=column).number_format = FORMATS[kind]
    if total is not None:
        for cell in sheet[sheet.max_row]:
            cell.font = BOLD
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    for column, name in enumerate(header, start=1):
        sheet.column_dimensions[sheet.cell(row=header_row, column=column).column_letter].width = max(12, len(name) + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def table_workbook(table: ReportTable, filters: Sequence[tuple[str, str]]) -> bytes:
    """One report table as a workbook of one sheet."""
    return _sheet(table.title, filters, [c.kind for c in table.columns], [c.label for c in table.columns],
                  [r.cells for r in table.rows], table.total.cells if table.total else None)


def figures_workbook(title: str, figures: Sequence[Figure], filters: Sequence[tuple[str, str]]) -> bytes:
    """Key figures, one a row: the value, the previous period's and the change in the figure's unit, the formula."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Key figures"
    sheet.append([safe_text(title)])
    sheet.cell(row=1, column=1).font = BOLD
    for name, value in filters:
        sheet.append([safe_text(name), safe_text(value)])
    sheet.append([])
    sheet.append(["Figure", "Value", "Previous period", "Change", "Unit", "Formula"])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = BOLD
    for figure in figures:
        kind = UNIT_KINDS[figure.unit]
        sheet.append([safe_text(figure.label), *(_value(v, kind) for v in (figure.value, figure.previous,
                                                                          figure.change)),
                      figure.unit.value, safe_text(figure.formula)])
        for column in (2, 3, 4):
            sheet.cell(row=sheet.max_row, column=column).number_format = FORMATS[kind]
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["F"].width = 80
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
