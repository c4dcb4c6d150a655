"""Charts as SVG, drawn on the server: a line chart, a bar chart and a stacked bar chart.

Pure: text in, text out (no I/O, no script, nothing fetched). Every chart is an ``<svg role="img">`` labelled by its
``<title>`` and ``<desc>``; the page shows the same numbers in a table beside it (the fallback for a screen reader
and for print). Colours come from the Okabe-Ito palette (told apart with the common colour-vision deficiencies) and
are given as presentation attributes: the content security policy allows no inline style.

Coordinates are computed with Decimal from the values (dollars, percentages, days), never floats.

    svg = bar_chart("Denied dollars by cause", "...", [("Eligibility", Decimal("1200.00"))], unit="$")
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from html import escape

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000")
WIDTH = 640
ROW_HEIGHT = 28
PLOT_LEFT = 230  # room for the row labels of a horizontal bar chart
LINE_HEIGHT = 220
LINE_LEFT, LINE_RIGHT, LINE_TOP, LINE_BOTTOM = 80, 40, 20, 40


def _n(value: Decimal | int) -> str:
    """A coordinate to one decimal place."""
    return str(Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _label(value: Decimal, unit: str) -> str:
    if unit == "$":
        return f"${value:,.2f}"
    if unit == "%":
        return f"{value:.1f}%"
    return f"{value:,.1f}" if value != value.to_integral_value() else f"{value:,.0f}"


def _short(label: str, most: int = 34) -> str:
    return label if len(label) <= most else label[:most - 1] + "\u2026"


def _axis(value: Decimal, unit: str) -> str:
    """An axis tick, short: '$1.2M', '$950k', '50%', '12'."""
    if unit == "$":
        for size, suffix in ((Decimal(1_000_000), "M"), (Decimal(1000), "k")):
            if abs(value) >= size:
                return f"${value / size:,.1f}{suffix}"
        return f"${value:,.0f}"
    if unit == "%":
        return f"{value:.0f}%"
    return f"{value:,.0f}"


def _open(title: str, desc: str, height: int, prefix: str) -> str:
    # The same chart always gets the same id (a page never shows one chart twice).
    ident = f"{prefix}-{hashlib.sha256((title + desc).encode()).hexdigest()[:10]}"
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
            f'role="img" aria-labelledby="{ident}-t {ident}-d" focusable="false">'
            f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>')
    return head


def _nice_top(values: Sequence[Decimal]) -> Decimal:
    """The axis's top: the largest value rounded up to 1, 2 or 5 times a power of ten (1 when all are zero)."""
    top = max((v for v in values), default=Decimal(0))
    if top <= 0:
        return Decimal(1)
    scale = Decimal(10) ** (top.adjusted())
    for step in (1, 2, 5, 10):
        if top <= scale * step:
            return scale * step
    return scale * 10


def _legend(names: Sequence[str], y: int) -> str:
    parts = []
    x = 0
    for index, name in enumerate(names):
        colour = PALETTE[index % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{x + 16}" y="{y + 11}" class="legend">{escape(name)}</text>')
        x += 24 + 7 * len(name)
    return f'<g class="legend" aria-hidden="true">{"".join(parts)}</g>'


def bar_chart(title: str, desc: str, bars: Sequence[tuple[str, Decimal]], *, unit: str = "") -> str:
    """Horizontal bars, one per (label, value), longest scale at the largest value; negative values drawn as 0."""
    return stacked_bar_chart(title, desc, [(label, [value]) for label, value in bars], [title], unit=unit,
                             legend=False)


def stacked_bar_chart(title: str, desc: str, rows: Sequence[tuple[str, Sequence[Decimal]]],
                      segments: Sequence[str], *, unit: str = "", legend: bool = True) -> str:
    """Horizontal bars, each the sum of its segments (in ``segments``' order and colours), with its total."""
    legend_height = 24 if legend else 0
    height = legend_height + ROW_HEIGHT * max(len(rows), 1) + 8
    head = _open(title, desc, height, "bars")
    totals = [sum((max(v, Decimal(0)) for v in values), Decimal(0)) for _, values in rows]
    top = _nice_top(totals)
    span = Decimal(WIDTH - PLOT_LEFT - 90)
    parts = [head]
    if legend:
        parts.append(_legend(segments, 4))
    for index, ((label, values), total) in enumerate(zip(rows, totals, strict=True)):
        y = legend_height + ROW_HEIGHT * index
        parts.append(f'<text x="{PLOT_LEFT - 6}" y="{y + 18}" text-anchor="end" class="axis">'
                     f'{escape(_short(label))}</text>')
        x = Decimal(PLOT_LEFT)
        for part, value in enumerate(values):
            width = span * max(value, Decimal(0)) / top
            if width > 0:
                colour = PALETTE[part % len(PALETTE)]
                name = segments[part] if part < len(segments) else ""
                parts.append(f'<rect x="{_n(x)}" y="{y + 5}" width="{_n(width)}" height="{ROW_HEIGHT - 10}" '
                             f'fill="{colour}"><title>{escape(label)}, {escape(name)}: '
                             f'{escape(_label(value, unit))}</title></rect>')
            x += width
        parts.append(f'<text x="{_n(x + 6)}" y="{y + 18}" class="value">{escape(_label(total, unit))}</text>')
    if not rows:
        parts.append(f'<text x="{PLOT_LEFT}" y="{legend_height + 18}" class="axis">no data</text>')
    parts.append("</svg>")
    return "".join(parts)


def line_chart(title: str, desc: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[Decimal | None]]],
               *, unit: str = "") -> str:
    """Lines over ``labels`` (months, say), one per (name, values); a missing value (None) breaks the line."""
    height = LINE_HEIGHT + 24
    head = _open(title, desc, height, "lines")
    values = [v for _, vs in series for v in vs if v is not None]
    top = _nice_top([abs(v) for v in values])
    bottom = min([Decimal(0), *values])
    plot_w = Decimal(WIDTH - LINE_LEFT - LINE_RIGHT)
    plot_h = Decimal(LINE_HEIGHT - LINE_TOP - LINE_BOTTOM)
    step = plot_w / max(len(labels) - 1, 1)

    def y_of(value: Decimal) -> Decimal:
        return Decimal(24 + LINE_TOP) + plot_h * (top - value) / (top - bottom)

    parts = [head, _legend([name for name, _ in series], 4)]
    for tick in (bottom, (bottom + top) / 2, top):
        y = y_of(tick)
        parts.append(f'<line x1="{LINE_LEFT}" y1="{_n(y)}" x2="{WIDTH - LINE_RIGHT}" y2="{_n(y)}" class="grid" '
                     f'stroke="#ccc"/><text x="{LINE_LEFT - 6}" y="{_n(y + 4)}" text-anchor="end" class="axis">'
                     f'{escape(_axis(tick, unit))}</text>')
    for index, label in enumerate(labels):
        parts.append(f'<text x="{_n(LINE_LEFT + step * index)}" y="{height - 10}" text-anchor="middle" '
                     f'class="axis">{escape(label)}</text>')
    for number, (name, points) in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        runs: list[list[str]] = [[]]
        for index, value in enumerate(points):
            if value is None:
                runs.append([])
                continue
            x, y = LINE_LEFT + step * index, y_of(value)
            runs[-1].append(f"{_n(x)},{_n(y)}")
            parts.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3.5" fill="{colour}"><title>{escape(name)}, '
                         f'{escape(labels[index])}: {escape(_label(value, unit))}</title></circle>')
        parts.extend(f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2"/>'
                     for run in runs if len(run) > 1)
    parts.append("</svg>")
    return "".join(parts)
