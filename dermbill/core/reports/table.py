"""A report table: what every screen, CSV and XLSX export and the monthly PDF show, built once.

Cells are typed values (text, a whole number, Money, a percentage or days as Decimal, a date); the interfaces
format them. A row may name a drill-down: the filter, added to the report's own, that lists the claims behind it.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from dermbill.core.money import Money

Cell = str | int | Money | Decimal | datetime.date | None


class ColumnKind(StrEnum):
    TEXT = "text"
    COUNT = "count"
    MONEY = "money"
    PERCENT = "percent"
    DAYS = "days"
    DATE = "date"


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    kind: ColumnKind = ColumnKind.TEXT


@dataclass(frozen=True, slots=True)
class Row:
    cells: tuple[Cell, ...]
    # The claims behind this row: filter names and values (practice, payer, provider, code, bucket, cause ...)
    # that services.reports.claims_behind understands, on top of the report's own filters.
    drill: Mapping[str, str] | None = None


@dataclass(frozen=True, slots=True)
class ReportTable:
    key: str  # stable: the export's file name and the page's anchor ("aging_by_payer")
    title: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    total: Row | None = None  # a total row, shown last and set apart
    note: str = ""  # what the table counts, in a sentence
    drill_report: str | None = None  # the drill-down the rows' filters refine ("ar", "denials" ...)

    def __post_init__(self) -> None:
        for row in (*self.rows, *((self.total,) if self.total else ())):
            if len(row.cells) != len(self.columns):
                raise ValueError(f"table {self.key}: a row has {len(row.cells)} cells for {len(self.columns)} "
                                 "columns")

    def column(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)

    def to_json(self) -> dict[str, object]:
        def row_json(row: Row) -> dict[str, object]:
            out: dict[str, object] = {c.key: json_cell(v) for c, v in zip(self.columns, row.cells, strict=True)}
            if row.drill:
                out["drill"] = dict(row.drill)
            return out
        return {"title": self.title, "note": self.note,
                "columns": [{"key": c.key, "label": c.label, "kind": c.kind.value} for c in self.columns],
                "rows": [row_json(r) for r in self.rows],
                "total": row_json(self.total) if self.total else None}


def json_cell(value: Cell) -> object:
    if isinstance(value, Money):
        return value.plain()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def text_cell(value: Cell, kind: ColumnKind) -> str:
    """A cell as a person reads it on a screen or in the PDF."""
    if value is None:
        return "" if kind is ColumnKind.TEXT else "-"
    if isinstance(value, Money):
        return f"${value}"
    if kind is ColumnKind.PERCENT:
        return f"{value:.1f}%"
    if kind is ColumnKind.DAYS:
        return f"{value:.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True, slots=True)
class Report:
    """A set of tables and figures for one filter: what a page, an export or the PDF renders."""

    key: str
    title: str
    tables: tuple[ReportTable, ...] = ()
    meta: Mapping[str, object] = field(default_factory=dict)

    def table(self, key: str) -> ReportTable:
        return next(t for t in self.tables if t.key == key)
