"""The statement's own layout (drawn on the canvas, not by platypus): words are broken at the width they are given,
a long service description stays in its column, and no page's words run into the stub or the page's foot."""

from __future__ import annotations

import dataclasses
import io

import pdfplumber
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from statement_samples import line, long_document, sample_document

from dermbill.pdf.statements import (
    _VISIT_WIDTHS,
    BOLD,
    CUT_LINE,
    FIRST_PAGE_FOOT,
    FONT,
    MARGIN,
    PAGE_HEIGHT,
    _wrap,
    render_statement,
)

_LONG_WORDS = ("Excision of a benign lesion of the trunk, arms or legs, excised diameter 1.1 to 2.0 cm, including "
               "margins (11402)")


def test_words_are_broken_at_the_width_given_in_order_and_at_every_line_break_asked_for() -> None:
    runs = [("Online:", BOLD), (" https://pay.example/statement with your code ", FONT), ("K7M2Q9TX4P", BOLD),
            ("\nsecond line", FONT)]
    lines = _wrap(runs, 9, 160)
    widths = [sum(pdfmetrics.stringWidth(text, font, 9) for text, font in each) for each in lines]
    assert all(width <= 160 for width in widths)
    assert len(lines) > 2 and "".join(text for text, _ in lines[-1]) == "second line"
    words = " ".join("".join(text for text, _ in each) for each in lines).split()
    assert words == ["Online:", "https://pay.example/statement", "with", "your", "code", "K7M2Q9TX4P", "second", "line"]
    assert ("K7M2Q9TX4P", BOLD) in [run for each in lines for run in each]
    assert _wrap([("Short", FONT)], 9, 120) == [(("Short", FONT),)]


def test_a_service_description_too_long_for_its_column_wraps_inside_it() -> None:
    document = sample_document()
    first = document.visits[0]
    visit = dataclasses.replace(first, lines=(line(_LONG_WORDS, "120.00", "62.10", "38.40", "0.00", "19.50"),
                                              *first.lines[1:]))
    document = dataclasses.replace(document, visits=(visit, *document.visits[1:]))
    with pdfplumber.open(io.BytesIO(render_statement(document))) as pdf:
        words = pdf.pages[0].extract_words()
    charged = next(word for word in words if word["text"] == "Charged")
    visit_total = next(word for word in words if word["text"] == "Total" and word["top"] > charged["top"])
    rows = [word for word in words if charged["bottom"] < word["top"] < visit_total["top"]]
    money_from = MARGIN + _VISIT_WIDTHS[0]  # the left edge of the "Charged" column
    left = [word for word in rows if word["x0"] < money_from]
    money = [word for word in rows if word["x0"] >= money_from]
    assert " ".join(word["text"] for word in left).startswith(_LONG_WORDS)
    assert all(word["x1"] < money_from for word in left)
    assert all(word["text"].lstrip("-").startswith("$") for word in money)
    assert len({round(word["top"]) for word in left}) > 2  # the description on more than one line


def test_no_words_run_into_the_stub_or_a_page_foot() -> None:
    with pdfplumber.open(io.BytesIO(render_statement(long_document()))) as pdf:
        pages = [page.extract_words() for page in pdf.pages]
    first_foot = PAGE_HEIGHT - CUT_LINE - FIRST_PAGE_FOOT  # pdfplumber measures from the top of the page
    # "Page 1 of N" is written in the foot (its top 14 points above the cut line); the rest must stay above it.
    above_cut = [word for word in pages[0] if word["top"] < PAGE_HEIGHT - CUT_LINE - 16]
    assert above_cut and all(word["bottom"] <= first_foot + 3 for word in above_cut)
    later_foot = PAGE_HEIGHT - MARGIN - 0.25 * inch
    for words in pages[1:]:
        detail = [word for word in words if word["top"] < PAGE_HEIGHT - MARGIN - 12]  # the page number is below
        assert detail and all(word["bottom"] <= later_foot + 3 for word in detail)


def test_a_visit_taller_than_a_page_goes_on_with_its_heading_and_column_heads_repeated() -> None:
    with pdfplumber.open(io.BytesIO(render_statement(long_document()))) as pdf:
        texts = [page.extract_text() or "" for page in pdf.pages]
    pages = [text for text in texts if "with Dr. Test 15, billed to" in text]  # the visit of 45 services
    assert len(pages) >= 2
    assert all("Service Charged Insurance paid Insurance adjustments You paid You owe" in text for text in pages)
    assert sum("Total for this visit $5,175.00" in text for text in pages) == 1
