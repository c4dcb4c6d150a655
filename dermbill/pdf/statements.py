"""The patient statement as a US Letter PDF, and the print batch a print-and-mail vendor receives (issue 16).

A statement is written for the person who pays it, in plain words: what is due, by when and how to pay first;
then each visit by date of service with every service in words and what was charged, what insurance paid, what
its contract took off, what the patient paid and what is left; the payments received; how old the balance is;
and a tear-off remittance stub to send back with a check. It reads a ``StatementDocument`` only: every amount
printed is the document's (so the ledger's), and the account summary's totals are sums of its lines.

The remittance stub is always at the foot of **page 1**, below a dashed cut line at the lower third of the
sheet (the lower fold of a tri-fold, so the stub folds off cleanly). Page 1 is the page every patient reads first:
the amount due, the due date, how to pay, the account at a glance and the stub are all on it however many visits
follow, and the stub's place on the sheet never moves (a mail vendor's folding and a lockbox's scanning can count
on it). On the last page instead, the stub of a long statement would move from sheet to sheet and come after pages
of detail a patient may never reach. A long statement continues its visit
detail on the pages after, each with a running head (practice, account, statement date) and "Page n of N".

The same document always renders to the same bytes (no creation time or random id in the file).

The print batch (``render_print_batch``) is one PDF in which every statement starts on a new page, in the order
given, and a CSV manifest (our own format; comma-separated, a header row, RFC 4180 quoting, CRLF line ends) with
one row per statement:

==================  ==========================================================================================
``sequence``        1, 2, 3 ... the statement's place in the batch (and in the PDF)
``statement_code``  the code printed on the statement (the patient types it on the statement page)
``account_number``  the practice's account number of the person billed
``guarantor_name``  the person the statement is mailed to
``address_line_1``  the street lines of the mailing address: every line but the city/state/ZIP line, in order;
``address_line_2``  when the last line cannot be read as "City, ST 12345[-6789]", every line is put here and city,
``address_line_3``  state and zip are left empty (lines past the third are joined to the third with ", ")
``city``            from the mailing address's last line, when it reads "City, ST 12345" (else empty)
``state``           the two-letter state, as above
``zip``             the ZIP or ZIP+4, as above
``page_start``      the statement's first page in the batch PDF (1-based)
``page_count``      how many pages the statement has (a statement is always printed whole, from page_start)
``amount_due``      the amount due printed on the statement, dollars with two decimals ("109.50"); a statement
                    whose credit exceeds what is owed shows (and lists) 0.00
==================  ==========================================================================================
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import letter as us_letter
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money, total
from dermbill.core.statement_document import StatementDocument, StatementVisit
from dermbill.core.statements import Step

FONT = "Helvetica"
BOLD = "Helvetica-Bold"
ITALIC = "Helvetica-Oblique"
PAGE_WIDTH, PAGE_HEIGHT = us_letter
MARGIN = 0.5 * inch
WIDTH = PAGE_WIDTH - 2 * MARGIN
# The cut line sits on the lower fold of a tri-fold: the stub is the bottom third of page 1.
CUT_LINE = PAGE_HEIGHT / 3
# Room between page 1's text and the cut line for "Page 1 of N" and "continued".
FIRST_PAGE_FOOT = 0.3 * inch
# Room at the top of later pages for the running head.
RUNNING_HEAD = 0.35 * inch
SHADE = colors.Color(0.92, 0.92, 0.92)
RULE = colors.Color(0.55, 0.55, 0.55)

MANIFEST_COLUMNS = ("sequence", "statement_code", "account_number", "guarantor_name", "address_line_1",
                    "address_line_2", "address_line_3", "city", "state", "zip", "page_start", "page_count",
                    "amount_due")

# What the patient sees over the statement: the cadence step in plain, respectful words.
_TITLES = {Step.STATEMENT: "Statement", Step.REMINDER: "Statement: friendly reminder",
           Step.PAST_DUE: "Statement: past due", Step.FINAL_NOTICE: "Statement: final notice"}
# core.statements.AGING_BUCKETS, as a patient reads them.
_AGING_LABELS = {"0-30": "Current (0-30 days)", "31-60": "31-60 days", "61-90": "61-90 days",
                 "91-120": "91-120 days", "120+": "Over 120 days"}
# Letters with no Unicode decomposition to a base letter, spelled as they are without their stroke.
_NO_DECOMPOSITION = {"\u0110": "D", "\u0111": "d", "\u0141": "L", "\u0142": "l", "\u0131": "i", "\u0127": "h",
                     "\u0126": "H", "\u0167": "t", "\u0166": "T"}
_CITY_STATE_ZIP = re.compile(r"(?P<city>[^,]+?),?\s+(?P<state>[A-Z]{2})\s+(?P<zip>\d{5}(?:-\d{4})?)")

ADJUSTMENT_NOTE = ("Insurance adjustments are the discount your insurer's contract with us takes off our charge (or "
                   "a discount we gave). Nobody owes that part: not you, not your insurer.")
NO_CARD_NUMBERS = "For your safety, please do not write a card number on this form."

def render_statement(document: StatementDocument) -> bytes:
    """The statement as a PDF: page 1 with the amount due, how to pay and the remittance stub, the visit detail
    flowing onto further pages when it does not fit."""
    content, _ = _render([document])
    return content


def render_print_batch(documents: Sequence[StatementDocument]) -> tuple[bytes, str]:
    """One PDF with every statement starting on a new page, and its CSV manifest (columns in the module docstring)."""
    if not documents:
        raise InvalidInput("a print batch needs at least one statement")
    content, pages = _render(documents)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(MANIFEST_COLUMNS)
    for sequence, (document, (start, count)) in enumerate(zip(documents, pages, strict=True), start=1):
        writer.writerow([sequence, document.statement_code, document.account_number, document.guarantor_name,
                         *_mailing_address(document.guarantor_address), start, count,
                         _amount_due(document).plain()])
    return content, out.getvalue()


# --- a small table layout, drawn straight on the canvas ------------------------------------------------------------
#
# Platypus (Paragraph's markup parser and line breaker, Table's general cell geometry, the doc template's frame
# and flowable machinery) took 14 ms for a two-visit statement on a quiet core (three times that on a busy one);
# a statement run of 100,000 guarantors at 200 a second leaves the PDF 3 to 5 ms (issue 16), and this takes 3.
# Every block of a statement is a grid of cells whose words are broken into lines once, at the column's width, so
# its height is known before it is drawn, and the few rules of the page flow that a statement needs (a visit is
# kept on one page unless it is taller than a page, when it goes on with its heading rows repeated; a heading stays
# with what follows it) are written out below. The measures are platypus's: a cell's
# padding, its lines a leading apart, the first baseline one font size below the top of its words.

_Run = tuple[str, str]  # words and the font they are set in
_Line = tuple[_Run, ...]
_Rule = tuple[float, colors.Color]  # line width and colour


def _wrap(runs: Sequence[_Run], size: float, width: float) -> list[_Line]:
    """``runs`` broken into lines no wider than ``width`` at their spaces (a "\\n" breaks a line; a word wider
    than the line is left whole on a line of its own), with runs of one font on a line joined."""
    if all("\n" not in text and "  " not in text for text, _ in runs) and sum(
            pdfmetrics.stringWidth(text, font, size) for text, font in runs) <= width:
        return [_joined(list(runs))]  # most cells: one line, measured once rather than word by word
    words: list[list[_Run] | None] = []  # None: a line break asked for
    word: list[_Run] = []
    for text, font in runs:
        for number, part in enumerate(text.split("\n")):
            if number:
                if word:
                    words.append(word)
                    word = []
                words.append(None)
            for position, piece in enumerate(part.split(" ")):
                if position and word:
                    words.append(word)
                    word = []
                if piece:
                    word.append((piece, font))
    if word:
        words.append(word)
    lines: list[_Line] = []
    line: list[_Run] = []
    used = 0.0
    for each in words:
        if each is None:
            lines.append(_joined(line))
            line, used = [], 0.0
            continue
        wide = sum(pdfmetrics.stringWidth(text, font, size) for text, font in each)
        if line:
            space = pdfmetrics.stringWidth(" ", line[-1][1], size)
            if used + space + wide > width:
                lines.append(_joined(line))
                line, used = [], 0.0
            else:
                line.append((" ", line[-1][1]))
                used += space
        line += each
        used += wide
    lines.append(_joined(line))
    return lines


def _joined(line: list[_Run]) -> _Line:
    out: list[_Run] = []
    for text, font in line:
        if out and out[-1][1] == font:
            out[-1] = (out[-1][0] + text, font)
        else:
            out.append((text, font))
    return tuple(out)


@dataclasses.dataclass(slots=True)
class _Cell:
    lines: list[_Line]
    size: float
    leading: float
    align: str = "LEFT"  # LEFT, RIGHT or CENTER

    @property
    def height(self) -> float:
        return len(self.lines) * self.leading


def _plain(text: str, font: str = FONT, size: float = 9, align: str = "LEFT") -> _Cell:
    """One line of words, as a string in a platypus table cell (its leading 1.2 times its size)."""
    return _Cell([((text, font),)], size, size * 1.2, align)


def _words(runs: Sequence[_Run], size: float, leading: float, width: float, align: str = "LEFT") -> _Cell:
    """Words broken into lines at ``width``, as a Paragraph."""
    return _Cell(_wrap(runs, size, width), size, leading, align)


@dataclasses.dataclass(slots=True)
class _Row:
    cells: Sequence[_Cell | None]  # None: an empty cell
    top: float = 3  # padding, as a platypus table's default
    bottom: float = 3
    height: float | None = None  # None: as tall as its tallest cell and padding
    spans: bool = False  # the first cell spans the row
    background: colors.Color | None = None
    above: _Rule | None = None
    below: _Rule | None = None

    def measure(self) -> float:
        if self.height is None:
            self.height = max((cell.height for cell in self.cells if cell), default=0.0) + self.top + self.bottom
        return self.height


@dataclasses.dataclass(slots=True)
class _Grid:
    """Rows of cells at fixed column widths; a table of platypus with the few styles a statement uses."""

    widths: Sequence[float]
    rows: list[_Row]
    left: Sequence[float]  # each column's padding
    right: Sequence[float]
    valign: str = "TOP"  # TOP, MIDDLE or BOTTOM
    grid: _Rule | None = None
    box: _Rule | None = None
    heading_rows: int = 0  # repeated at the top of each page a split table runs onto
    height: float = 0.0

    def __post_init__(self) -> None:
        self.height = sum(row.measure() for row in self.rows)

    def draw(self, canvas: Canvas, x: float, top: float) -> None:
        self.draw_rows(canvas, x, top, self.rows)

    def draw_rows(self, canvas: Canvas, x: float, top: float, rows: Sequence[_Row]) -> None:
        width = sum(self.widths)
        heights = [row.measure() for row in rows]
        bottom = top - sum(heights)
        y = top
        for row, height in zip(rows, heights, strict=True):
            if row.background is not None:
                canvas.setFillColor(row.background)
                canvas.rect(x, y - height, width, height, stroke=0, fill=1)
            y -= height
        canvas.setFillColor(colors.black)
        y = top
        for row, height in zip(rows, heights, strict=True):
            for rule, at in ((row.above, y), (row.below, y - height)):
                if rule is not None:
                    canvas.setLineWidth(rule[0])
                    canvas.setStrokeColor(rule[1])
                    canvas.line(x, at, x + width, at)
            y -= height
        if self.grid is not None:
            canvas.setLineWidth(self.grid[0])
            canvas.setStrokeColor(self.grid[1])
            y = top
            for height in heights[:-1]:
                y -= height
                canvas.line(x, y, x + width, y)
            edge = x
            for column in self.widths[:-1]:
                edge += column
                canvas.line(edge, top, edge, bottom)
        for rule in (self.grid, self.box):
            if rule is not None:
                canvas.setLineWidth(rule[0])
                canvas.setStrokeColor(rule[1])
                canvas.rect(x, bottom, width, top - bottom, stroke=1, fill=0)
        canvas.setStrokeColor(colors.black)
        text = canvas.beginText()
        font: tuple[str, float] | None = None
        y = top
        for row, height in zip(rows, heights, strict=True):
            left = x
            for column, cell in enumerate(row.cells):
                cell_width = width if row.spans and not column else self.widths[column]
                if isinstance(cell, _StackCell):
                    cell.stack.draw(canvas, left + self.left[column], y - row.top)
                elif cell is not None and cell.lines:
                    inner = cell_width - self.left[column] - self.right[column]
                    if self.valign == "TOP":
                        first = y - row.top
                    elif self.valign == "MIDDLE":
                        first = y - height + (height + row.bottom - row.top + cell.height) / 2
                    else:
                        first = y - height + row.bottom + cell.height
                    baseline = first - cell.size
                    for line in cell.lines:
                        shift = 0.0
                        if cell.align != "LEFT":
                            free = inner - sum(pdfmetrics.stringWidth(words, face, cell.size) for words, face in line)
                            shift = free if cell.align == "RIGHT" else free / 2
                        text.setTextOrigin(left + self.left[column] + shift, baseline)
                        for words, face in line:
                            if font != (face, cell.size):
                                font = (face, cell.size)
                                text.setFont(face, cell.size)
                            text.textOut(words)
                        baseline -= cell.leading
                if row.spans:
                    break
                left += cell_width
            y -= height
        canvas.drawText(text)


def _grid(widths: Sequence[float], rows: list[_Row], *, pad: float = 6, first_pad: float | None = None,
          **options: Any) -> _Grid:
    """A grid with ``pad`` at each side of each cell (``first_pad`` at the left of the first column)."""
    left = [pad] * len(widths)
    if first_pad is not None:
        left[0] = first_pad
    return _Grid(widths, rows, left, [pad] * len(widths), **options)


def _paragraph(runs: Sequence[_Run], size: float, leading: float, width: float) -> _Grid:
    """Words at the full ``width``, as a Paragraph flowable."""
    return _Grid([width], [_Row([_words(runs, size, leading, width)], top=0, bottom=0)], [0], [0])


@dataclasses.dataclass(slots=True)
class _Gap:
    height: float

    def draw(self, canvas: Canvas, x: float, top: float) -> None:
        return None


_Block = _Grid | _Gap


@dataclasses.dataclass(slots=True)
class _Stack:
    """Blocks one under the other, kept on one page when they fit on one."""

    blocks: list[_Block]
    space_before: float = 0.0  # dropped at the top of a page

    @property
    def height(self) -> float:
        return sum(block.height for block in self.blocks)

    def draw(self, canvas: Canvas, x: float, top: float) -> None:
        for block in self.blocks:
            block.draw(canvas, x, top)
            top -= block.height


# --- the document and its pages ------------------------------------------------------------------------------------

class _Pages(Canvas):
    """A canvas that writes each page's foot ("Page 2 of 5") when the file is saved, once every statement's page
    count is known: each page draws a form named after it, and the forms are defined at the end (a form may be
    used before it is defined)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.page_owners: list[int] = []  # the statement on each page of the file, in order

    def own_page(self, statement_index: int) -> None:
        """The page being drawn belongs to statement ``statement_index``; its foot follows at the end."""
        self.page_owners.append(statement_index)
        self.doForm(f"foot-{len(self.page_owners)}")

    def save(self) -> None:
        counts = Counter(self.page_owners)
        seen: Counter[int] = Counter()
        for page, owner in enumerate(self.page_owners, start=1):
            seen[owner] += 1
            self.beginForm(f"foot-{page}")
            _draw_page_number(self, seen[owner], counts[owner])
            self.endForm()
        super().save()


# Where the words of page 1 and of the pages after go.
_FIRST_TOP = PAGE_HEIGHT - MARGIN
_FIRST_BOTTOM = CUT_LINE + FIRST_PAGE_FOOT
_LATER_TOP = PAGE_HEIGHT - MARGIN - RUNNING_HEAD
_LATER_BOTTOM = MARGIN + 0.25 * inch


class _Flow:
    """Lays one statement's blocks down page 1 and the pages after, as platypus's frames would."""

    def __init__(self, canvas: _Pages, index: int, document: StatementDocument) -> None:
        self.canvas, self.index, self.document = canvas, index, document
        self.started = False
        self.y = self.bottom = 0.0
        self.at_top = True

    def first_page(self) -> None:
        if self.canvas.page_owners:
            self.canvas.showPage()
        self.canvas.own_page(self.index)
        _draw_stub(self.canvas, self.document)
        self.y, self.bottom, self.at_top = _FIRST_TOP, _FIRST_BOTTOM, True

    def next_page(self) -> None:
        self.canvas.showPage()
        self.canvas.own_page(self.index)
        _draw_running_head(self.canvas, self.document)
        self.y, self.bottom, self.at_top = _LATER_TOP, _LATER_BOTTOM, True

    def add(self, stack: _Stack) -> None:
        """``stack`` where it fits; on the next page when it does not; split by rows when no page holds it."""
        if not self.at_top:
            if stack.space_before + stack.height <= self.y - self.bottom:
                self._place(stack.blocks, stack.space_before)
                return
            self.next_page()
        if stack.height <= self.y - self.bottom:
            self._place(stack.blocks, 0.0)
            return
        for block in stack.blocks:
            if isinstance(block, _Grid) and block.height > self.y - self.bottom:
                self._split(block)
            else:
                self._place([block], 0.0)

    def _place(self, blocks: Sequence[_Block], space: float) -> None:
        self.y -= space
        for block in blocks:
            block.draw(self.canvas, MARGIN, self.y)
            self.y -= block.height
        self.at_top = False

    def _split(self, grid: _Grid) -> None:
        """A table taller than the room left: as many rows as fit on each page, its heading rows repeated."""
        heading, rows = grid.rows[:grid.heading_rows], grid.rows[grid.heading_rows:]
        heading_height = sum(row.measure() for row in heading)
        start = 0
        while start < len(rows):
            room = self.y - self.bottom - heading_height
            end = start
            while end < len(rows) and rows[end].measure() <= room:
                room -= rows[end].measure()
                end += 1
            if end == start and not self.at_top:
                self.next_page()
                continue
            end = max(end, start + 1)  # a row taller than a page is drawn whole, past the foot
            part = [*heading, *rows[start:end]]
            grid.draw_rows(self.canvas, MARGIN, self.y, part)
            self.y -= sum(row.measure() for row in part)
            self.at_top = False
            start = end
            if start < len(rows):
                self.next_page()


def _render(documents: Sequence[StatementDocument]) -> tuple[bytes, list[tuple[int, int]]]:
    """The PDF of ``documents`` one after another, and each one's (first page, page count)."""
    printable = [_printable_document(document) for document in documents]
    first = printable[0]
    buffer = io.BytesIO()
    canvas = _Pages(buffer, pagesize=us_letter, invariant=1)  # no creation time or random id: the same bytes
    canvas.setCreator("dermbill")
    canvas.setAuthor(first.practice_name)
    if len(printable) == 1:
        canvas.setTitle(f"Statement {first.statement_code}")
        canvas.setSubject(f"Statement for account {first.account_number}")
    else:
        canvas.setTitle(f"Print batch of {len(printable)} statements")
        canvas.setSubject("Patient statements")
    for index, document in enumerate(printable):
        flow = _Flow(canvas, index, document)
        flow.first_page()
        for stack in _story(document):
            flow.add(stack)
    canvas.showPage()
    canvas.save()
    counts = Counter(canvas.page_owners)
    starts: dict[int, int] = {}
    for number, owner in enumerate(canvas.page_owners, start=1):
        starts.setdefault(owner, number)
    return buffer.getvalue(), [(starts[index], counts[index]) for index in range(len(documents))]


# --- page 1 and the detail -----------------------------------------------------------------------------------------

_HEADING_SPACE = 9.0  # above a heading, but at the top of a page
_HEADING_AFTER = 3.0


def _heading(words: str) -> list[_Block]:
    return [_paragraph([(words, BOLD)], 11, 14, WIDTH), _Gap(_HEADING_AFTER)]


def _story(document: StatementDocument) -> list[_Stack]:
    story = [_Stack([_top(document), _Gap(8)])]
    if document.message.strip() or document.balance_due.cents < 0:
        story.append(_Stack([_message(document), _Gap(2)]))
    if document.visits:
        for number, visit in enumerate(document.visits):
            if number:
                story.append(_Stack([_visit_table(visit), _Gap(5)]))
            else:  # the heading stays with the first visit
                story.append(_Stack([*_heading("Your visits"), _visit_table(visit), _Gap(5)], _HEADING_SPACE))
        story.append(_Stack([_totals_table(document), _Gap(4),
                             _paragraph([(ADJUSTMENT_NOTE, FONT)], 8, 10, WIDTH)]))
    if document.payments:
        story.append(_Stack([*_heading("Recent payments: thank you"), _payments_table(document)], _HEADING_SPACE))
    if document.aging:
        story.append(_Stack([*_heading("How old your balance is"), _aging(document),
                             _paragraph([("Days are counted from the date we first billed you for each visit.",
                                          FONT)], 8, 10, WIDTH)], _HEADING_SPACE))
    return story


_RIGHT = 3.2 * inch  # the statement's facts and how to pay, at the right of page 1
_LEFT = WIDTH - _RIGHT


def _top(document: StatementDocument) -> _Grid:
    """Two columns: the practice, the person billed and the account at a glance at the left; the statement's
    facts with the amount due, and how to pay, at the right."""
    left = _Stack([
        _paragraph([(document.practice_name, BOLD)], 15, 18, _LEFT),
        _paragraph([("\n".join((*document.practice_address, f"Billing questions: {document.billing_phone}")),
                     FONT)], 9.5, 12, _LEFT),
        _Gap(14),
        _paragraph([("\n".join((document.guarantor_name, *document.guarantor_address)), FONT)], 9.5, 12, _LEFT),
        _Gap(14),
        _summary(document),
    ])
    right = _Stack([_facts(document), _Gap(8), _how_to_pay(document)])
    return _Grid([_LEFT, _RIGHT], [_Row([_StackCell(left), _StackCell(right)], top=0, bottom=0)], [0, 0], [0, 0])


class _StackCell(_Cell):
    """A cell holding blocks (the two columns of page 1's top)."""

    __slots__ = ("stack",)

    def __init__(self, stack: _Stack) -> None:
        super().__init__([], 0, 0)
        self.stack = stack

    @property
    def height(self) -> float:
        return self.stack.height


def _facts(document: StatementDocument) -> _Grid:
    rows = [_Row([_words([(_title(document), BOLD)], 12, 15, _RIGHT - 12), None], spans=True)]
    rows += [_Row([_plain(label, FONT, 9.5), _plain(value, BOLD, 9.5, "RIGHT")], top=1.5, bottom=1.5)
             for label, value in (("Statement date", _long_date(document.statement_date)),
                                  ("Account number", document.account_number),
                                  ("Please pay by", _long_date(document.due_on)))]
    rows.append(_Row([_words([("AMOUNT DUE", BOLD)], 11, 21, 1.3 * inch - 12),
                      _words([(_dollars(_amount_due(document)), BOLD)], 17, 21, 1.9 * inch - 12, "RIGHT")],
                     background=SHADE, above=(1, colors.black)))
    return _grid([1.3 * inch, 1.9 * inch], rows, valign="MIDDLE", box=(1, colors.black))


def _how_to_pay(document: StatementDocument) -> _Grid:
    inner = _RIGHT - 12
    ways: list[list[_Run]] = []
    if document.pay_url:
        ways.append([("Online:", BOLD), (f" {document.pay_url} with your statement code ", FONT),
                     (document.statement_code, BOLD)])
    ways += [[("By phone:", BOLD), (f" call {document.billing_phone} to pay by card", FONT)],
             [("By check:", BOLD), (f" payable to {document.remit_to_name}, sent with the slip below", FONT)]]
    blocks: list[_Block] = [_paragraph([("How to pay", BOLD)], 8.5, 10, inner)]
    blocks += [_paragraph(runs, 9, 11, inner) for runs in ways]
    blocks += [_Gap(3), _paragraph([("Questions?", BOLD), (f" Call us at {document.billing_phone}. Cannot pay it all "
                                                            "by the due date? Call us about a payment plan.", FONT)],
                                   9, 11, inner)]
    return _Grid([_RIGHT], [_Row([_StackCell(_Stack(blocks))], top=4, bottom=5)], [6], [6], box=(0.5, RULE))


def _message(document: StatementDocument) -> _Grid:
    text = document.message
    if document.balance_due.cents < 0:
        text += (f"\nYour account has a credit of {_dollars(-document.balance_due)}: nothing is due. Call us if "
                 "you would like it refunded.")
    cell = _words([(text, FONT)], 10.5, 13.5, WIDTH - 14)
    return _Grid([WIDTH], [_Row([cell], top=5, bottom=7, background=SHADE)], [8], [6])


def _summary(document: StatementDocument) -> _Grid:
    """How the amount due follows from the visits: their charges less what insurance paid and took off, what the
    patient paid and any credit."""
    visits = document.visits
    figures = [("Charges for the visits below", _dollars(total([v.charged for v in visits]))),
               ("Paid by your insurance", _dollars(-total([v.insurance_paid for v in visits]))),
               ("Insurance adjustments (not owed by you)", _dollars(-total([v.adjusted for v in visits]))),
               ("You paid on these visits", _dollars(-total([v.patient_paid for v in visits]))),
               *((label, _dollars(amount)) for label, amount in _closing(document))]
    # The empty cell beside the heading is as tall as a line of platypus's default font (10 points on 12).
    rows = [_Row([_words([("Your account at a glance", BOLD)], 8.5, 10, 2.5 * inch - 6), _plain("", FONT, 10)],
                 top=1.5, bottom=1.5)]
    rows += [_Row([_plain(label), _plain(amount, align="RIGHT")], top=1.5, bottom=1.5) for label, amount in figures]
    last = rows[-1]
    last.cells = [_plain(figures[-1][0], BOLD, 10), _plain(figures[-1][1], BOLD, 10, "RIGHT")]
    last.above = (0.75, colors.black)
    return _grid([2.5 * inch, 0.95 * inch], rows, first_pad=0, valign="BOTTOM")


def _aging(document: StatementDocument) -> _Grid:
    """How old the balance is, in one row of buckets."""
    width = WIDTH / len(document.aging)
    heads = [_words([(_AGING_LABELS.get(bucket, f"{bucket} days"), BOLD)], 8.5, 10, width - 12, "CENTER")
             for bucket, _ in document.aging]
    amounts = [_plain(_dollars(amount), FONT, 9.5, "CENTER") for _, amount in document.aging]
    return _grid([width] * len(document.aging), [_Row(heads, top=2, background=SHADE), _Row(amounts, top=2)],
                 grid=(0.5, RULE))


# The visit table's money columns, in points; the service's words take the rest of the 7.5-inch text width.
_VISIT_COLUMNS = (("Charged", 58.0), ("Insurance paid", 72.0), ("Insurance adjustments", 104.0),
                  ("You paid", 58.0), ("You owe", 58.0))
_MONEY_WIDTH = 58.0
_VISIT_WIDTHS = (WIDTH - sum(width for _, width in _VISIT_COLUMNS), *(width for _, width in _VISIT_COLUMNS))
_COLUMN_HEADS = _Row([_words([("Service", BOLD)], 8.5, 10, _VISIT_WIDTHS[0] - 12),
                      *(_words([(name, BOLD)], 8, 10, width - 12, "RIGHT") for name, width in _VISIT_COLUMNS)],
                     top=2, bottom=2, below=(0.75, colors.black))


def _money_cells(amounts: Sequence[Money], font: str = FONT) -> list[_Cell | None]:
    """The money columns of a visit row: what is owed (the last) stands out in bold."""
    return [*(_plain(_dollars(amount), font, 9, "RIGHT") for amount in amounts[:-1]),
            _plain(_dollars(amounts[-1]), BOLD, 9, "RIGHT")]


def _visit_table(visit: StatementVisit) -> _Grid:
    billed = f"billed to {visit.insurer}" if visit.insurer else "self-pay (not billed to insurance)"
    heading = _words([(f"Visit on {_long_date(visit.date_of_service)}", BOLD),
                      (f" with {visit.provider}, {billed}", FONT)], 9, 11, WIDTH - 12)
    # The cells the heading spans are as tall as a line of platypus's default font (12 points) all the same.
    rows = [_Row([heading], top=2, bottom=2, height=max(heading.height, 12.0) + 4, spans=True, background=SHADE),
            _COLUMN_HEADS]
    for item in visit.lines:
        rows.append(_Row([_words([(item.description, FONT)], 9, 11, _VISIT_WIDTHS[0] - 12),
                          *_money_cells((item.charged, item.insurance_paid, item.adjusted, item.patient_paid,
                                         item.you_owe))],
                         top=2, bottom=2, below=(0.25, RULE)))
    rows.append(_Row([_plain("Total for this visit", BOLD), *_money_cells(_figures(visit), BOLD)], top=2, bottom=2))
    return _grid(_VISIT_WIDTHS, rows, heading_rows=2)


def _figures(visit: StatementVisit) -> tuple[Money, Money, Money, Money, Money]:
    """A visit's sums, in the order of the visit table's money columns."""
    return visit.charged, visit.insurance_paid, visit.adjusted, visit.patient_paid, visit.you_owe


def _totals_table(document: StatementDocument) -> _Grid:
    """After the visits: their total (when there is more than one), the credit, and the amount due."""
    visits = document.visits
    rows: list[_Row] = []
    if len(visits) > 1:
        sums = [total(list(column)) for column in zip(*(_figures(visit) for visit in visits), strict=True)]
        rows.append(_Row([_plain("Total for all visits", BOLD),
                          *(_plain(_dollars(amount), BOLD, 9, "RIGHT") for amount in sums)], top=2))
    rows += [_Row([_plain(label, BOLD), None, None, None, None, _plain(_dollars(amount), BOLD, 9, "RIGHT")], top=2)
             for label, amount in _closing(document)]
    rows[0].above = (0.75, colors.black)
    last = rows[-1]
    last.cells = [_plain(_closing(document)[-1][0], BOLD, 10.5), None, None, None, None,
                  _plain(_dollars(_amount_due(document)), BOLD, 10.5, "RIGHT")]
    last.above, last.background = (0.75, colors.black), SHADE
    return _grid(_VISIT_WIDTHS, rows)


_PAYMENT_WIDTHS = (0.9 * inch, WIDTH - 0.9 * inch - _MONEY_WIDTH, _MONEY_WIDTH)
_PAYMENT_HEADS = _Row([_words([("Date", BOLD)], 8.5, 10, _PAYMENT_WIDTHS[0] - 6),
                       _words([("Payment", BOLD)], 8.5, 10, _PAYMENT_WIDTHS[1] - 12),
                       _words([("Amount", BOLD)], 8.5, 10, _PAYMENT_WIDTHS[2] - 12, "RIGHT")],
                      top=2, bottom=2, below=(0.75, colors.black))


def _payments_table(document: StatementDocument) -> _Grid:
    rows = [_PAYMENT_HEADS]
    rows += [_Row([_plain(f"{payment.paid_on:%m/%d/%Y}"),
                   _words([(payment.description, FONT)], 9, 11, _PAYMENT_WIDTHS[1] - 12),
                   _plain(_dollars(payment.amount), align="RIGHT")], top=2, bottom=2, below=(0.25, RULE))
             for payment in document.payments]
    return _grid(_PAYMENT_WIDTHS, rows, first_pad=0, heading_rows=1)


# --- drawn on the canvas: the stub, the running head, page numbers -----------------------------------------------

_STUB_LEFT = 3.4 * inch


def _draw_stub(canvas: Canvas, document: StatementDocument) -> None:
    """The remittance stub below the cut line, always at the same place on page 1."""
    canvas.saveState()
    canvas.setDash(4, 3)
    canvas.setLineWidth(0.75)
    canvas.line(MARGIN / 2, CUT_LINE, PAGE_WIDTH - MARGIN / 2, CUT_LINE)
    canvas.setDash()
    canvas.setFont(ITALIC, 8.5)
    canvas.drawCentredString(PAGE_WIDTH / 2, CUT_LINE - 12, "Please detach and return this part with your payment")
    top = CUT_LINE - 22
    inner = _STUB_LEFT - 6
    _Stack([
        _paragraph([(document.practice_name, BOLD)], 9.5, 12, inner), _Gap(4),
        _paragraph([("Send your payment to", BOLD),
                    ("\n" + "\n".join((document.remit_to_name, *document.remit_to_address)), FONT)], 9.5, 12, inner),
        _Gap(8),
        _paragraph([("From", BOLD), ("\n" + "\n".join((document.guarantor_name, *document.guarantor_address)),
                                     FONT)], 9.5, 12, inner),
    ]).draw(canvas, MARGIN, top)
    rows = [_Row([_plain(label, FONT, 9.5), _plain(value, BOLD, 9.5, "RIGHT")], height=15)
            for label, value in (("Account number", document.account_number),
                                 ("Statement date", f"{document.statement_date:%m/%d/%Y}"),
                                 ("Please pay by", f"{document.due_on:%m/%d/%Y}"))]
    rows += [_Row([_plain("Amount due", BOLD, 11), _plain(_dollars(_amount_due(document)), BOLD, 11, "RIGHT")],
                  height=19, background=SHADE),
             _Row([_plain("Amount enclosed", BOLD, 9.5), _plain("$ ____________", FONT, 9.5, "RIGHT")], height=24)]
    facts = _grid([1.35 * inch, 1.85 * inch], rows, valign="MIDDLE", grid=(0.5, colors.black))
    right_x = PAGE_WIDTH - MARGIN - _RIGHT
    facts.draw(canvas, right_x, top)
    card: list[_Run] = [("Paying by card?", BOLD), (f" Call {document.billing_phone}", FONT)]
    if document.pay_url:
        card += [(f" or pay online at {document.pay_url} with code ", FONT), (document.statement_code, BOLD)]
    card.append((f". {NO_CARD_NUMBERS}", FONT))
    card_box = _Grid([_RIGHT], [_Row([_words(card, 8, 10, _RIGHT - 11)], top=3, bottom=4)], [5], [6],
                     box=(0.5, colors.black))
    card_top = top - facts.height - 6
    card_box.draw(canvas, right_x, card_top)
    canvas.setFont(FONT, 8)
    canvas.drawString(right_x, card_top - card_box.height - 12, "Please write your account number on your check.")
    canvas.restoreState()


def _draw_running_head(canvas: Canvas, document: StatementDocument) -> None:
    canvas.saveState()
    canvas.setFont(BOLD, 9)
    y = PAGE_HEIGHT - MARGIN - 10
    canvas.drawString(MARGIN, y, document.practice_name)
    canvas.setFont(FONT, 9)
    canvas.drawRightString(PAGE_WIDTH - MARGIN, y, f"Account {document.account_number}, statement of "
                                                    f"{_long_date(document.statement_date)}")
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, y - 6, PAGE_WIDTH - MARGIN, y - 6)
    canvas.restoreState()


def _draw_page_number(canvas: Canvas, number: int, count: int) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 8.5)
    if number == 1:
        if count > 1:
            canvas.drawRightString(PAGE_WIDTH - MARGIN, CUT_LINE + 8,
                                   f"Page 1 of {count}: continued on the next page")
    else:
        canvas.drawCentredString(PAGE_WIDTH / 2, MARGIN - 6, f"Page {number} of {count}")
    canvas.restoreState()


# --- words and figures ---------------------------------------------------------------------------------------------

def _title(document: StatementDocument) -> str:
    try:
        step = Step(document.step)
    except ValueError as error:
        raise InvalidInput(f"statement {document.statement_code}: '{document.step}' is not a step of the cadence "
                           f"(one of {', '.join(s.value for s in _TITLES)})") from error
    if step not in _TITLES:
        raise InvalidInput(f"statement {document.statement_code}: a hand-off to a collection agency is not mailed "
                           "as a statement")
    return _TITLES[step]


def _closing(document: StatementDocument) -> list[tuple[str, Money]]:
    """The rows that close a sum of the visits: the credit taken off, what is left in the patient's favor when the
    credit is larger than what is owed, and the amount due."""
    rows = []
    if document.credit.cents:
        rows.append(("Credit on your account (paid ahead)", -document.credit))
    if document.balance_due.cents < 0:
        rows.append(("Credit left in your favor", -document.balance_due))
    return [*rows, ("Amount due", _amount_due(document))]


def _amount_due(document: StatementDocument) -> Money:
    """What the patient is asked to pay: the balance due, or nothing when their credit exceeds it."""
    return document.balance_due if document.balance_due.cents > 0 else Money(0)


def _dollars(amount: Money) -> str:
    return f"-${-amount}" if amount.cents < 0 else f"${amount}"


def _long_date(day: datetime.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _printable_document(document: StatementDocument) -> StatementDocument:
    """The document with its words in the characters the PDF's standard fonts have (Windows-1252)."""
    def lines(values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_printable(value) for value in values)

    visits = tuple(dataclasses.replace(
        visit, provider=_printable(visit.provider), insurer=visit.insurer and _printable(visit.insurer),
        lines=tuple(dataclasses.replace(line, description=_printable(line.description)) for line in visit.lines))
        for visit in document.visits)
    payments = tuple(dataclasses.replace(payment, description=_printable(payment.description))
                     for payment in document.payments)
    return dataclasses.replace(
        document, practice_name=_printable(document.practice_name), practice_address=lines(document.practice_address),
        remit_to_name=_printable(document.remit_to_name), remit_to_address=lines(document.remit_to_address),
        billing_phone=_printable(document.billing_phone),
        pay_url=document.pay_url and _printable(document.pay_url),
        account_number=_printable(document.account_number), statement_code=_printable(document.statement_code),
        guarantor_name=_printable(document.guarantor_name), guarantor_address=lines(document.guarantor_address),
        message=_printable(document.message), visits=visits, payments=payments)


def _printable(text: str) -> str:
    """``text`` in Windows-1252, the encoding of the standard PDF fonts: a letter outside it loses its accents
    ("Nguyễn" prints as "Nguyen", as a US mailing address would have it) rather than print as a black box; what has
    no such letter becomes "?"."""
    try:
        text.encode("cp1252")
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for character in text:
        try:
            character.encode("cp1252")
            out.append(character)
            continue
        except UnicodeEncodeError:
            pass
        bare = _NO_DECOMPOSITION.get(character) or "".join(
            part for part in unicodedata.normalize("NFKD", character) if not unicodedata.combining(part))
        try:
            bare.encode("cp1252")
        except UnicodeEncodeError:
            bare = "?"
        out.append(bare or "?")
    return "".join(out)


def _mailing_address(lines: Sequence[str]) -> list[str]:
    """address_line_1..3, city, state, zip of the manifest (see the module docstring)."""
    street, city, state, zip_code = list(lines), "", "", ""
    if lines:
        match = _CITY_STATE_ZIP.fullmatch(lines[-1].strip())
        if match:
            street = list(lines[:-1])
            city, state, zip_code = match.group("city").strip(), match.group("state"), match.group("zip")
    if len(street) > 3:
        street = [*street[:2], ", ".join(street[2:])]
    return [*street, *[""] * (3 - len(street)), city, state, zip_code]
