"""The monthly practice report as a US Letter PDF, for a practice owner (issue 17).

Page 1 is what an owner reads: the practice, the month and the as-of day; the headline figures beside the previous
month's with the change (green when it went the good way, red when the bad way); and the narrative in a few
sentences. Then the charts (A/R by age, insurance and patient stacked; denied dollars by root cause; six months of
charges, payments and the denial rate) and the tables behind them (aging by payer, denials by root cause, days in
A/R by payer). Every page carries the practice, the month, "page n of N" and where the figures are defined.

No patient is named: the report reads a ``core.reports.monthly.MonthlyReport`` only. The same report always
renders to the same bytes (no creation time or random id in the file).

The charts are drawn with reportlab.graphics from whole numbers: dollars as cents and rates as hundredths of a
percent, formatted back for the axes, so no amount passes through a float on its way in.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.pagesizes import letter as us_letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    HRFlowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
)

from dermbill.core.money import Money
from dermbill.core.reports.aging import BUCKETS, AgingRow, Kind
from dermbill.core.reports.figures import Figure, Unit, show
from dermbill.core.reports.monthly import HIGHER_IS_BETTER, MonthlyReport
from dermbill.core.reports.table import ColumnKind, ReportTable, Row, text_cell

FONT = "Helvetica"
BOLD = "Helvetica-Bold"
ITALIC = "Helvetica-Oblique"
PAGE_WIDTH, PAGE_HEIGHT = us_letter
MARGIN = 0.6 * inch
WIDTH = PAGE_WIDTH - 2 * MARGIN
SHADE = colors.HexColor("#E8E8E8")
RULE = colors.HexColor("#9A9A9A")
GOOD = colors.HexColor("#1B7A3A")
BAD = colors.HexColor("#B3261E")
INSURANCE = colors.HexColor("#2F5C8A")
PATIENT = colors.HexColor("#E09F3E")
PAYMENTS = colors.HexColor("#1B7A3A")
DEFINITIONS = ("How each figure is computed: docs/reports.md (or dermbill reports kpis --json for its formula and "
               "inputs)")

_BODY = ParagraphStyle("monthly-body", fontName=FONT, fontSize=10, leading=13.5, spaceAfter=4)
_SMALL = ParagraphStyle("monthly-small", parent=_BODY, fontSize=8.5, leading=11, spaceAfter=0)
_NOTE = ParagraphStyle("monthly-note", parent=_SMALL, fontName=ITALIC, textColor=colors.HexColor("#444444"),
                       spaceBefore=2, spaceAfter=8)
_CELL = ParagraphStyle("monthly-cell", parent=_BODY, fontSize=8.5, leading=10.5, spaceAfter=0)
_CELL_RIGHT = ParagraphStyle("monthly-cell-right", parent=_CELL, alignment=2)
_CELL_HEAD = ParagraphStyle("monthly-cell-head", parent=_CELL, fontName=BOLD)
_CELL_HEAD_RIGHT = ParagraphStyle("monthly-cell-head-right", parent=_CELL_HEAD, alignment=2)
_PRACTICE = ParagraphStyle("monthly-practice", parent=_BODY, fontName=BOLD, fontSize=16, leading=19, spaceAfter=2)
_TITLE = ParagraphStyle("monthly-title", parent=_BODY, fontName=BOLD, fontSize=13, leading=16, spaceAfter=2)
_HEADING = ParagraphStyle("monthly-heading", parent=_BODY, fontName=BOLD, fontSize=11.5, leading=14, spaceBefore=10,
                          spaceAfter=5, keepWithNext=1)
_BULLET = ParagraphStyle("monthly-bullet", parent=_BODY, leftIndent=14, bulletIndent=2, spaceAfter=5)

FIRST_COLUMN = 120.0
NARROW = {"owed_by": 50.0}
CHART_WIDTH = int(WIDTH / 2) - 6  # whole points: reportlab's chart geometry is typed int
CHART_HEIGHT = 190


def monthly_report_pdf(report: MonthlyReport) -> bytes:
    """The report as a US Letter PDF; the same report gives the same bytes."""
    buffer = io.BytesIO()
    title = f"Monthly practice report, {report.period.label}"
    doc = SimpleDocTemplate(
        buffer, pagesize=us_letter, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN + 10, title=f"{report.practice_name}: {title}", author="dermbill",
        subject=f"{report.practice_code} {report.period.label} as of {report.as_of.isoformat()}", creator="dermbill",
        invariant=True,  # no creation time or random document id: the same report, the same bytes
    )
    footer = f"{report.practice_name} ({report.practice_code}) \u2014 {title}, as of {_long_date(report)}"
    doc.build(_story(report), canvasmaker=_numbered(footer))
    return buffer.getvalue()


# --- the story ------------------------------------------------------------------------------------------------------

def _story(report: MonthlyReport) -> list[Flowable]:
    before = report.previous.label
    story: list[Flowable] = [
        Paragraph(_text(report.practice_name), _PRACTICE),
        Paragraph(f"Monthly practice report: {_text(report.period.label)}", _TITLE),
        Paragraph(f"Practice {_text(report.practice_code)} &nbsp;|&nbsp; balances as of {_long_date(report)} "
                  f"&nbsp;|&nbsp; compared with {_text(before)}", _SMALL),
        HRFlowable(width="100%", thickness=0.75, color=colors.black, spaceBefore=6, spaceAfter=4),
        *([Paragraph(f"<b>Month to date.</b> {_text(report.period.label)} is not over on {_long_date(report)}: "
                     f"its figures cover part of the month and are compared with all of {_text(before)}.", _BODY)]
          if report.as_of < report.period.end else []),
        Paragraph("The month at a glance", _HEADING),
        _headline_table(report),
        Paragraph("Flows (payments, charges, denials, statements) count what was posted or answered in the month; "
                  f"balances (days in A/R, A/R over 90 days) are as of {_long_date(report)}. Rates show their change "
                  "in percentage points (pts). " + _text(DEFINITIONS) + ".", _NOTE),
        Paragraph("In brief", _HEADING),
        *(Paragraph(_text(sentence), _BULLET, bulletText="\u2022") for sentence in report.narrative),
        PageBreak(),
        Paragraph("Charts", _HEADING),
        _side_by_side(_aging_chart(report), _denials_chart(report)),
        Spacer(1, 14),
        _side_by_side(_money_trend_chart(report), _denial_trend_chart(report)),
        Paragraph("A/R by age is by date of service, as of the as-of day. Denied dollars are the denial items "
                  "adjudicated in the month. The trend shows each month as of its last day (the report's month as "
                  "of the as-of day); the denial rate is by claims first adjudicated in the month.", _NOTE),
        CondPageBreak(3 * inch),
        *_table_section(_with_aging_total(report.aging_by_payer, report.aging), "A/R aging by payer, as of "
                        f"{_long_date(report)} (by date of service)"),
        *_table_section(report.denials_by_cause, f"Denials by root cause, {report.period.label}"),
        *_table_section(report.days_in_ar_by_payer, f"Days in A/R by payer, as of {_long_date(report)}"),
    ]
    return story


def _headline_table(report: MonthlyReport) -> Table:
    month, before = report.period.label, report.previous.label
    rows: list[list[Any]] = [[Paragraph("Figure", _CELL_HEAD), Paragraph(_text(month), _CELL_HEAD_RIGHT),
                              Paragraph(_text(before), _CELL_HEAD_RIGHT), Paragraph("Change", _CELL_HEAD_RIGHT)]]
    for figure in report.headline:
        change = _text(change_text(figure))
        tone = _tone(figure)
        if tone is not None:
            change = f'<font color="#{tone.hexval()[2:]}">{change}</font>'
        rows.append([Paragraph(_text(figure.label), _CELL), Paragraph(f"<b>{_text(figure.shown())}</b>", _CELL_RIGHT),
                     Paragraph(_text(show(figure.previous, figure.unit)), _CELL_RIGHT), Paragraph(change, _CELL_RIGHT)])
    table = Table(rows, colWidths=[WIDTH - 3 * 110, 110, 110, 110], repeatRows=1, hAlign="LEFT")
    table.setStyle([
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ])
    return table


def change_text(figure: Figure) -> str:
    """'+1.2 pts' for a rate, '+$8,065.44' for money, '-2.1 days', '+4' for a count; '-' when either month has no
    value."""
    change = figure.change
    if change is None:
        return "\u2013"
    if figure.unit is Unit.PERCENT:
        return f"{change:+.1f} pts"
    sign = "+" if change >= 0 else "-"
    if figure.unit is Unit.MONEY:
        return f"{sign}${Money.round_half_up(abs(change))}"
    if figure.unit is Unit.DAYS:
        return f"{sign}{abs(change):.1f} days"
    return f"{sign}{abs(change):,.0f}"


def _tone(figure: Figure) -> colors.Color | None:
    better = HIGHER_IS_BETTER.get(figure.key)
    change = figure.change
    if better is None or change is None or figure.shown() == show(figure.previous, figure.unit):
        return None
    return GOOD if (change > 0) == better else BAD


def _with_aging_total(table: ReportTable, totals: dict[Kind, AgingRow] | Any) -> ReportTable:
    """The aging-by-payer table with a total row (insurance and patient together), which the report's own table
    leaves to its summary."""
    grand = AgingRow("total", "Total")
    for row in totals.values():
        for index, amount in enumerate(row.buckets):
            grand.add(index, amount)
        grand.add(None, row.not_billed)
    total = Row(("Total", "", *grand.buckets, grand.not_billed, grand.total))
    keep = [i for i, c in enumerate(table.columns) if c.key != "not_billed" or grand.not_billed.cents]
    return ReportTable(table.key, table.title, tuple(table.columns[i] for i in keep),
                       tuple(Row(tuple(r.cells[i] for i in keep), r.drill) for r in table.rows),
                       Row(tuple(total.cells[i] for i in keep)), table.note, table.drill_report)


def _table_section(table: ReportTable, title: str) -> list[Flowable]:
    return [KeepTogether([Paragraph(_text(title), _HEADING), _report_table(table)]),
            *([Paragraph(_text(table.note), _NOTE)] if table.note else [Spacer(1, 8)])]


def _report_table(table: ReportTable) -> Table:
    """A report table as printed: text left, numbers right, the total row bold and ruled above."""
    head = [Paragraph(_text(c.label), _CELL_HEAD if c.kind is ColumnKind.TEXT else _CELL_HEAD_RIGHT)
            for c in table.columns]
    body: list[list[Any]] = [head]
    for row in table.rows:
        body.append(_cells(table, row, bold=False))
    if not table.rows:
        body.append([Paragraph("None in this period", _CELL), *([""] * (len(table.columns) - 1))])
    if table.total is not None:
        body.append(_cells(table, table.total, bold=True))
    widths = _widths(table)
    shown = Table(body, colWidths=widths, repeatRows=1, hAlign="LEFT")
    style: list[Any] = [("BACKGROUND", (0, 0), (-1, 0), SHADE), ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 2),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 2), ("LEFTPADDING", (0, 0), (-1, -1), 3),
                        ("RIGHTPADDING", (0, 0), (-1, -1), 3)]
    if table.total is not None:
        style.append(("LINEABOVE", (0, -1), (-1, -1), 0.9, colors.black))
    shown.setStyle(style)
    return shown


def _cells(table: ReportTable, row: Row, *, bold: bool) -> list[Paragraph]:
    out = []
    for column, value in zip(table.columns, row.cells, strict=True):
        text = _text(text_cell(value, column.kind))
        out.append(Paragraph(f"<b>{text}</b>" if bold else text,
                             _CELL if column.kind is ColumnKind.TEXT else _CELL_RIGHT))
    return out


def _widths(table: ReportTable) -> list[float]:
    """Numbers share the width evenly (74 points at most); "Owed by" is narrow; the first text column takes the
    rest, at least ``FIRST_COLUMN`` points."""
    fixed = {i: NARROW[c.key] for i, c in enumerate(table.columns) if i and c.key in NARROW}
    numbers = [i for i, c in enumerate(table.columns) if c.kind is not ColumnKind.TEXT]
    number = min(74.0, (WIDTH - FIRST_COLUMN - sum(fixed.values())) / max(len(numbers), 1))
    first = WIDTH - number * len(numbers) - sum(fixed.values())
    return [first if i == 0 else fixed.get(i, number) for i in range(len(table.columns))]


def _side_by_side(left: Drawing, right: Drawing) -> Table:
    table = Table([[left, right]], colWidths=[WIDTH / 2, WIDTH / 2], hAlign="LEFT")
    table.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0)])
    return table


# --- charts ---------------------------------------------------------------------------------------------------------

def _chart_frame(title: str) -> Drawing:
    drawing = Drawing(CHART_WIDTH, CHART_HEIGHT)
    drawing.add(String(0, CHART_HEIGHT - 12, title, fontName=BOLD, fontSize=9.5))
    return drawing


def _empty(drawing: Drawing, message: str) -> Drawing:
    drawing.add(String(CHART_WIDTH / 2, CHART_HEIGHT / 2, message, fontName=ITALIC, fontSize=9,
                       textAnchor="middle", fillColor=colors.HexColor("#555555")))
    return drawing


def _dollar_axis(cents: float) -> str:
    """An axis tick in dollars, shortened: $0, $950, $12k, $1.2M."""
    sign, dollars = ("-" if cents < 0 else ""), abs(cents) / 100
    if dollars >= 1_000_000:
        return f"{sign}${dollars / 1_000_000:,.1f}M"
    if dollars >= 10_000:
        return f"{sign}${dollars / 1000:,.0f}k"
    if dollars >= 1000:
        return f"{sign}${dollars / 1000:,.1f}k"
    return f"{sign}${dollars:,.0f}"


def _legend(drawing: Drawing, items: Sequence[tuple[colors.Color, str]], x: int, y: int) -> None:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.fontName, legend.fontSize = FONT, 8
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 90
    legend.dxTextSpace = 4
    legend.boxAnchor = "nw"
    legend.colorNamePairs = list(items)
    drawing.add(legend)


def _aging_chart(report: MonthlyReport) -> Drawing:
    drawing = _chart_frame(f"A/R by age (days), as of {_long_date(report)}")
    insurance = [m.cents for m in report.aging[Kind.INSURANCE].buckets]
    patient = [m.cents for m in report.aging[Kind.PATIENT].buckets]
    owed = sum(insurance) + sum(patient)
    if owed <= 0:
        # Credits posted ahead of their charges can leave less than nothing owed: no chart of negative bars.
        return _empty(drawing, "Nothing owed on this day" if not owed else
                      f"Nothing owed: balances net to {_signed(Money(owed))} (see the table)")
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 48, 38, CHART_WIDTH - 60, CHART_HEIGHT - 80
    chart.data = [insurance, patient]
    chart.categoryAxis.categoryNames = list(BUCKETS)
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = min(0, *insurance, *patient, *(i + p for i, p in zip(insurance, patient, strict=True)))
    chart.valueAxis.labelTextFormat = _dollar_axis
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7.5
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#DDDDDD")
    chart.bars[0].fillColor, chart.bars[1].fillColor = INSURANCE, PATIENT
    chart.bars.strokeColor = None
    chart.barWidth = 14
    drawing.add(chart)
    _legend(drawing, [(INSURANCE, "Insurance"), (PATIENT, "Patient")], 48, CHART_HEIGHT - 20)
    return drawing


def _denials_chart(report: MonthlyReport) -> Drawing:
    drawing = _chart_frame(f"Denied dollars by root cause, {report.period.label}")
    table = report.denials_by_cause
    label_at, denied_at, share_at = table.column("category"), table.column("denied"), table.column("share")
    rows = [r for r in table.rows if isinstance(r.cells[denied_at], Money)][:7]
    if not rows:
        return _empty(drawing, f"No denials in {report.period.label}")
    # Largest at the top: a horizontal bar chart draws its first category at the bottom.
    rows = rows[::-1]
    chart = HorizontalBarChart()
    chart.x, chart.y = 112, 20
    chart.width, chart.height = CHART_WIDTH - chart.x - 40, CHART_HEIGHT - 48
    chart.data = [[_cents(r.cells[denied_at]) for r in rows]]
    chart.categoryAxis.categoryNames = [_short(str(r.cells[label_at]), 24) for r in rows]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7.5
    chart.valueAxis.valueMin = 0
    chart.valueAxis.maximumTicks = 5
    chart.valueAxis.labelTextFormat = _dollar_axis
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7.5
    chart.bars[0].fillColor = BAD
    chart.bars.strokeColor = None
    chart.barLabelFormat = _share_labels([r.cells[share_at] for r in rows])
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing


def _share_labels(shares: Sequence[object]) -> Callable[[float], str]:
    """Bar labels: each bar's share of denied dollars, in the bars' order (reportlab gives the value only)."""
    texts = iter([f"{s:.0f}%" if isinstance(s, Decimal) else "" for s in shares] * 4)

    def label(_: float) -> str:
        return next(texts, "")
    return label


def _money_trend_chart(report: MonthlyReport) -> Drawing:
    drawing = _chart_frame(f"Charges and payments, {_months(report)}")
    charges = [_cents_of(p.charges) for p in report.trend]
    payments = [_cents_of(p.payments) for p in report.trend]
    if not any(charges) and not any(payments):
        return _empty(drawing, "No charges or payments in these months")
    chart = _line_chart([charges, payments], [f"{p.period.start:%b}" for p in report.trend])
    chart.valueAxis.labelTextFormat = _dollar_axis
    chart.valueAxis.valueMin = min(0, *charges, *payments)
    chart.lines[0].strokeColor, chart.lines[1].strokeColor = INSURANCE, PAYMENTS
    drawing.add(chart)
    _legend(drawing, [(INSURANCE, "Charges"), (PAYMENTS, "Payments")], 48, CHART_HEIGHT - 20)
    return drawing


def _denial_trend_chart(report: MonthlyReport) -> Drawing:
    drawing = _chart_frame(f"Denial rate (claims), {_months(report)}")
    rates = [None if p.denial_rate is None else int(p.denial_rate * 100) for p in report.trend]
    if all(r is None for r in rates):
        return _empty(drawing, "No claims adjudicated in these months")
    chart = _line_chart([rates], [f"{p.period.start:%b}" for p in report.trend])
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(500, *(r for r in rates if r is not None)) * 1.2
    chart.valueAxis.labelTextFormat = lambda v: f"{v / 100:.0f}%"
    chart.lines[0].strokeColor = BAD
    drawing.add(chart)
    if any(r is None for r in rates):
        drawing.add(String(48, CHART_HEIGHT - 26, "No point: no claims first adjudicated that month",
                           fontName=ITALIC, fontSize=7, fillColor=colors.HexColor("#555555")))
    return drawing


def _months(report: MonthlyReport) -> str:
    """'Jul to Dec 2026', or 'Nov 2026 to Apr 2027' across a year's end."""
    first, last = report.trend[0].period.start, report.trend[-1].period.start
    if first.year == last.year:
        return f"{first:%b} to {last:%b %Y}"
    return f"{first:%b %Y} to {last:%b %Y}"


def _line_chart(data: list[list[int]] | list[list[int | None]], labels: list[str]) -> HorizontalLineChart:
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 48, 38, CHART_WIDTH - 60, CHART_HEIGHT - 80
    chart.data = data
    chart.joinedLines = 1
    chart.categoryAxis.categoryNames = labels
    chart.valueAxis.maximumTicks = 6
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7.5
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7.5
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#DDDDDD")
    chart.lines.strokeWidth = 1.6
    # A marker on every month: a single month with data is a point, not an invisible line.
    chart.lines.symbol = makeMarker("FilledCircle", size=4)  # type: ignore[no-untyped-call]
    return chart


def _signed(amount: Money) -> str:
    """'-$8,175.44' rather than '$-8,175.44'."""
    return f"-${-amount}" if amount.cents < 0 else f"${amount}"


def _cents(value: object) -> int:
    return value.cents if isinstance(value, Money) else 0


def _cents_of(dollars: Decimal) -> int:
    return Money.round_half_up(dollars).cents


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "\u2026"


# --- page furniture -------------------------------------------------------------------------------------------------

def _numbered(footer: str) -> type[Canvas]:
    """A canvas that prints the footer and "page n of N" on every page (N is known once all are laid out)."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()  # type: ignore[attr-defined]  # what Canvas.showPage does after drawing

        def save(self) -> None:
            count = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(count)
                super().showPage()
            super().save()

        def _footer(self, count: int) -> None:
            self.saveState()
            self.setFont(FONT, 7.5)
            self.setFillColor(colors.HexColor("#444444"))
            self.drawString(MARGIN, MARGIN / 2 + 9, footer)
            self.drawRightString(PAGE_WIDTH - MARGIN, MARGIN / 2 + 9, f"Page {self.getPageNumber()} of {count}")
            self.drawString(MARGIN, MARGIN / 2, DEFINITIONS)
            self.restoreState()

    return NumberedCanvas


def _long_date(report: MonthlyReport) -> str:
    day = report.as_of
    return f"{day:%B} {day.day}, {day.year}"


def _text(value: str) -> str:
    """Text made literal for Paragraph's mini-markup."""
    return escape(value)
