"""The reports' SVG charts (dermbill/web/charts.py): labelled for assistive technology, drawn to scale, escaped,
and made of nothing but SVG (no script, no style, nothing fetched)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from decimal import Decimal

from dermbill.web.charts import PALETTE, bar_chart, line_chart, stacked_bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def _parsed(svg: str) -> ElementTree.Element:
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert not re.search(r"<script|style=|href=|url\(", svg)
    return root


def test_a_bar_chart_draws_each_bar_to_scale_with_its_value() -> None:
    svg = bar_chart("Denied dollars by cause", "One bar per cause.",
                    [("Eligibility", Decimal("500.00")), ("Bundling", Decimal("250.00"))], unit="$")
    root = _parsed(svg)
    bars = root.findall(f"{SVG}rect")
    assert len(bars) == 2
    widths = [Decimal(bar.get("width") or "0") for bar in bars]
    assert widths[0] == 2 * widths[1]
    assert "$500.00" in svg and "$250.00" in svg
    assert [bar.findtext(f"{SVG}title") for bar in bars] == [
        "Eligibility, Denied dollars by cause: $500.00", "Bundling, Denied dollars by cause: $250.00"]


def test_a_stacked_bar_splits_each_bar_into_its_segments_in_order_with_a_legend() -> None:
    svg = stacked_bar_chart("A/R by payer", "Aged.", [("MEDICARE", [Decimal(100), Decimal(0), Decimal(300)])],
                            ["0-30", "31-60", "61-90"], unit="$")
    root = _parsed(svg)
    drawn = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert [r.get("fill") for r in drawn] == [PALETTE[0], PALETTE[2]]  # the empty segment is not drawn
    assert Decimal(drawn[1].get("x") or "0") == Decimal(drawn[0].get("x") or "0") + Decimal(drawn[0].get("width")
                                                                                             or "0")
    legend = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "legend"]
    assert legend == ["0-30", "31-60", "61-90"]
    assert "$400.00" in svg  # the bar's total


def test_a_line_chart_breaks_at_a_month_with_no_data_and_names_every_point() -> None:
    svg = line_chart("Rates", "Monthly.", ["Jan", "Feb", "Mar", "Apr"],
                     [("Denial rate", [Decimal("5.0"), Decimal("7.5"), None, Decimal("4.0")])], unit="%")
    root = _parsed(svg)
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 1 and len((lines[0].get("points") or "").split()) == 2  # Jan-Feb; Apr stands alone
    points = [c.findtext(f"{SVG}title") for c in root.findall(f"{SVG}circle")]
    assert points == ["Denial rate, Jan: 5.0%", "Denial rate, Feb: 7.5%", "Denial rate, Apr: 4.0%"]


def test_text_is_escaped_and_the_same_chart_is_drawn_the_same_way() -> None:
    name = '<script>alert("x")</script> & Co'
    svg = bar_chart(name, "desc", [(name, Decimal(1))])
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    _parsed(svg)
    assert bar_chart(name, "desc", [(name, Decimal(1))]) == svg


def test_a_chart_with_nothing_to_draw_says_so() -> None:
    assert "no data" in stacked_bar_chart("Empty", "Nothing.", [], ["0-30"])
    _parsed(line_chart("Empty", "Nothing.", ["Jan"], [("A", [None])]))
