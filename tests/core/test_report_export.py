"""CSV exports: plain values a spreadsheet reads as numbers, and text it never runs as a formula."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from dermbill.core.money import Money
from dermbill.core.reports.export import figure_rows, table_rows, to_csv
from dermbill.core.reports.figures import money_figure, rate_figure
from dermbill.core.reports.table import Column, ColumnKind, ReportTable, Row


def _table(name: str) -> ReportTable:
    return ReportTable("t", "T", (Column("payer", "Payer"), Column("owed", "Owed", ColumnKind.MONEY),
                                  Column("rate", "Rate", ColumnKind.PERCENT), Column("n", "Claims", ColumnKind.COUNT)),
                       (Row((name, Money(-1250), Decimal("6.12"), 1200)), Row((None, None, None, None))),
                       total=Row(("Total", Money(-1250), None, 1200)))


def _read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_values_are_plain_and_the_total_comes_last() -> None:
    rows = _read(to_csv(table_rows(_table("Aetna"))))
    assert rows == [["Payer", "Owed", "Rate", "Claims"], ["Aetna", "-12.50", "6.12", "1200"], ["", "", "", ""],
                    ["Total", "-12.50", "", "1200"]]
    assert _read(to_csv(table_rows(_table("Aetna"), header="key")))[0] == ["payer", "owed", "rate", "n"]


@given(st.text(min_size=1, max_size=30))
def test_text_never_starts_a_formula_and_reads_back(name: str) -> None:
    cell = _read(to_csv(table_rows(_table(name))))[1][0]
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert cell in (name, "'" + name)
    assert (cell == name) == (not name.startswith(("=", "+", "-", "@", "\t", "\r")))


def test_figures_with_their_inputs_and_formula() -> None:
    figures = [rate_figure("denial_rate", "Denial rate", 3, 50, "denied / adjudicated"),
               money_figure("payments", "=Payments", Money(1000050), "cash").with_previous(
                   money_figure("payments", "", Money(900000), ""))]
    rows = _read(to_csv(figure_rows(figures)))
    assert rows[1] == ["denial_rate", "Denial rate", "percent", "6.00", "", "", "3", "50", "denied / adjudicated"]
    assert rows[2] == ["payments", "'=Payments", "money", "10000.50", "9000.00", "1000.50", "", "", "cash"]
