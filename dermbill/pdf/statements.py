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
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import letter as us_letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table
from reportlab.platypus.doctemplate import ActionFlowable, BaseDocTemplate, PageTemplate
from reportlab.platypus.frames import Frame

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

_BODY = ParagraphStyle("st-body", fontName=FONT, fontSize=9.5, leading=12, spaceAfter=0)
_SMALL = ParagraphStyle("st-small", parent=_BODY, fontSize=8, leading=10)
_PRACTICE = ParagraphStyle("st-practice", parent=_BODY, fontName=BOLD, fontSize=15, leading=18)
_TITLE = ParagraphStyle("st-title", parent=_BODY, fontName=BOLD, fontSize=12, leading=15)
_HEADING = ParagraphStyle("st-heading", parent=_BODY, fontName=BOLD, fontSize=11, leading=14, spaceBefore=9,
                          spaceAfter=3, keepWithNext=1)
_MESSAGE = ParagraphStyle("st-message", parent=_BODY, fontSize=10.5, leading=13.5)
_CELL = ParagraphStyle("st-cell", parent=_BODY, fontSize=9, leading=11)
_CELL_HEAD = ParagraphStyle("st-cell-head", parent=_CELL, fontName=BOLD, fontSize=8.5, leading=10)
_COLUMN_HEAD = ParagraphStyle("st-column-head", parent=_CELL_HEAD, fontSize=8, alignment=2)
_CELL_HEAD_RIGHT = ParagraphStyle("st-cell-head-right", parent=_CELL_HEAD, alignment=2)
_CELL_HEAD_CENTER = ParagraphStyle("st-cell-head-center", parent=_CELL_HEAD, alignment=1)
_AMOUNT_DUE = ParagraphStyle("st-amount-due", parent=_BODY, fontName=BOLD, fontSize=17, leading=21, alignment=2)


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


class _StatementBegins(ActionFlowable):
    """Between two statements of a batch: the next one starts on a fresh page 1 (with its own stub)."""

    def __init__(self, index: int) -> None:
        super().__init__(("statementBegins", index))


class _Statements(BaseDocTemplate):
    def __init__(self, buffer: io.BytesIO, documents: Sequence[StatementDocument]) -> None:
        first = documents[0]
        super().__init__(
            buffer, pagesize=us_letter, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
            bottomMargin=MARGIN, creator="dermbill", author=first.practice_name,
            title=(f"Statement {first.statement_code}" if len(documents) == 1
                   else f"Print batch of {len(documents)} statements"),
            subject=(f"Statement for account {first.account_number}" if len(documents) == 1
                     else "Patient statements"),
            invariant=True)  # no creation time or random id: the same statements, the same bytes
        self.documents = documents
        self.current = 0
        self.page_owners: list[int] = []  # the statement on each page of the file, in order
        first_frame = Frame(MARGIN, CUT_LINE + FIRST_PAGE_FOOT, WIDTH,
                            PAGE_HEIGHT - MARGIN - CUT_LINE - FIRST_PAGE_FOOT, id="first",
                            leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        later_frame = Frame(MARGIN, MARGIN + 0.25 * inch, WIDTH,
                            PAGE_HEIGHT - 2 * MARGIN - RUNNING_HEAD - 0.25 * inch, id="later",
                            leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([
            PageTemplate(id="first", frames=[first_frame], onPage=self._first_page, autoNextPageTemplate="later"),
            PageTemplate(id="later", frames=[later_frame], onPage=self._later_page),
        ])

    def handle_statementBegins(self, index: int) -> None:  # reportlab calls handle_<action> of an ActionFlowable
        self.current = index
        self.handle_nextPageTemplate("first")
        self.handle_pageBreak()

    def _own(self, canvas: Canvas) -> StatementDocument:
        self.page_owners.append(self.current)
        if isinstance(canvas, _Pages):
            canvas.own_page(self.current)
        return self.documents[self.current]

    def _first_page(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        _draw_stub(canvas, self._own(canvas))

    def _later_page(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        _draw_running_head(canvas, self._own(canvas))


def _render(documents: Sequence[StatementDocument]) -> tuple[bytes, list[tuple[int, int]]]:
    """The PDF of ``documents`` one after another, and each one's (first page, page count)."""
    printable = [_printable_document(document) for document in documents]
    story: list[Flowable] = []
    for index, document in enumerate(printable):
        if index:
            story.append(_StatementBegins(index))
        story += _story(document)
    buffer = io.BytesIO()
    doc = _Statements(buffer, printable)
    doc.build(story, canvasmaker=_Pages)
    counts = Counter(doc.page_owners)
    starts: dict[int, int] = {}
    for number, owner in enumerate(doc.page_owners, start=1):
        starts.setdefault(owner, number)
    return buffer.getvalue(), [(starts[index], counts[index]) for index in range(len(documents))]


# --- page 1 and the detail -----------------------------------------------------------------------------------------

def _story(document: StatementDocument) -> list[Flowable]:
    story: list[Flowable] = [_top(document), Spacer(1, 8)]
    if document.message.strip() or document.balance_due.cents < 0:
        story += [_message(document), Spacer(1, 2)]
    if document.visits:
        story.append(Paragraph("Your visits", _HEADING))
        story += [KeepTogether([_visit_table(visit), Spacer(1, 5)]) for visit in document.visits]
        story.append(KeepTogether([_totals_table(document), Spacer(1, 4), Paragraph(escape(ADJUSTMENT_NOTE), _SMALL)]))
    if document.payments:
        story.append(KeepTogether([Paragraph("Recent payments: thank you", _HEADING), _payments_table(document)]))
    story += _aging(document)
    return story


def _top(document: StatementDocument) -> Table:
    """Two columns: the practice, the person billed and the account at a glance at the left; the statement's
    facts with the amount due, and how to pay, at the right."""
    left: list[Flowable] = [
        Paragraph(escape(document.practice_name), _PRACTICE),
        Paragraph("<br/>".join(escape(line) for line in document.practice_address), _BODY),
        Paragraph(f"Billing questions: {escape(document.billing_phone)}", _BODY),
        Spacer(1, 14),
        Paragraph("<br/>".join(escape(line) for line in (document.guarantor_name, *document.guarantor_address)),
                  _BODY),
        Spacer(1, 14),
        _summary(document),
    ]
    right: list[Flowable] = [_facts(document), Spacer(1, 8), _how_to_pay(document)]
    table = Table([[left, right]], colWidths=[WIDTH - 3.2 * inch, 3.2 * inch])
    table.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0)])
    return table


def _facts(document: StatementDocument) -> Table:
    facts = Table([
        [Paragraph(_title(document), _TITLE), ""],
        ["Statement date", _long_date(document.statement_date)],
        ["Account number", document.account_number],
        ["Please pay by", _long_date(document.due_on)],
        [Paragraph("AMOUNT DUE", ParagraphStyle("st-due-label", parent=_TITLE, fontSize=11, leading=21)),
         Paragraph(_dollars(_amount_due(document)), _AMOUNT_DUE)],
    ], colWidths=[1.3 * inch, 1.9 * inch])
    facts.setStyle([
        ("SPAN", (0, 0), (1, 0)), ("BOX", (0, 0), (-1, -1), 1, colors.black),
        ("FONT", (0, 1), (0, 3), FONT, 9.5), ("FONT", (1, 1), (1, 3), BOLD, 9.5), ("ALIGN", (1, 1), (1, 3), "RIGHT"),
        ("BACKGROUND", (0, 4), (-1, 4), SHADE), ("LINEABOVE", (0, 4), (-1, 4), 1, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("TOPPADDING", (0, 1), (-1, 3), 1.5),
        ("BOTTOMPADDING", (0, 1), (-1, 3), 1.5),
    ])
    return facts


def _how_to_pay(document: StatementDocument) -> Table:
    ways: list[Flowable] = [Paragraph("How to pay", _CELL_HEAD)]
    if document.pay_url:
        ways.append(Paragraph(f"<b>Online:</b> {escape(document.pay_url)} with your statement code "
                              f"<b>{escape(document.statement_code)}</b>", _CELL))
    ways += [Paragraph(f"<b>By phone:</b> call {escape(document.billing_phone)} to pay by card", _CELL),
             Paragraph(f"<b>By check:</b> payable to {escape(document.remit_to_name)}, sent with the slip below",
                       _CELL),
             Spacer(1, 3),
             Paragraph(f"<b>Questions?</b> Call us at {escape(document.billing_phone)}. Cannot pay it all by the "
                       "due date? Call us about a payment plan.", _CELL)]
    table = Table([[ways]], colWidths=[3.2 * inch])
    table.setStyle([("BOX", (0, 0), (-1, -1), 0.5, RULE), ("LEFTPADDING", (0, 0), (-1, -1), 6),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 6), ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5)])
    return table


def _message(document: StatementDocument) -> Table:
    text = escape(document.message)
    if document.balance_due.cents < 0:
        text += (f"<br/>Your account has a credit of {_dollars(-document.balance_due)}: nothing is due. Call us if "
                 "you would like it refunded.")
    table = Table([[Paragraph(text, _MESSAGE)]], colWidths=[WIDTH])
    table.setStyle([("BACKGROUND", (0, 0), (-1, -1), SHADE), ("LEFTPADDING", (0, 0), (-1, -1), 8),
                    ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 7)])
    return table


def _summary(document: StatementDocument) -> Table:
    """How the amount due follows from the visits: their charges less what insurance paid and took off, what the
    patient paid and any credit."""
    visits = document.visits
    rows: list[list[Any]] = [
        [Paragraph("Your account at a glance", _CELL_HEAD), ""],
        ["Charges for the visits below", _dollars(total([v.charged for v in visits]))],
        ["Paid by your insurance", _dollars(-total([v.insurance_paid for v in visits]))],
        ["Insurance adjustments (not owed by you)", _dollars(-total([v.adjusted for v in visits]))],
        ["You paid on these visits", _dollars(-total([v.patient_paid for v in visits]))],
    ]
    rows += [[label, _dollars(amount)] for label, amount in _closing(document)]
    summary = Table(rows, colWidths=[2.5 * inch, 0.95 * inch], hAlign="LEFT")
    summary.setStyle([
        ("FONT", (0, 1), (-1, -1), FONT, 9), ("ALIGN", (1, 0), (1, -1), "RIGHT"),
        ("FONT", (0, -1), (-1, -1), BOLD, 10), ("LINEABOVE", (0, -1), (-1, -1), 0.75, colors.black),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("LEFTPADDING", (0, 0), (0, -1), 0),
    ])
    return summary


def _aging(document: StatementDocument) -> list[Flowable]:
    """How old the balance is, in one row of buckets."""
    if not document.aging:
        return []
    width = WIDTH / len(document.aging)
    rows: list[list[Any]] = [[Paragraph(escape(_AGING_LABELS.get(bucket, f"{bucket} days")), _CELL_HEAD_CENTER)
                              for bucket, _ in document.aging],
                             [_dollars(amount) for _, amount in document.aging]]
    table = Table(rows, colWidths=[width] * len(document.aging))
    table.setStyle([("GRID", (0, 0), (-1, -1), 0.5, RULE), ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                    ("FONT", (0, 1), (-1, 1), FONT, 9.5), ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                    ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)])
    return [KeepTogether([Paragraph("How old your balance is", _HEADING), table,
                          Paragraph("Days are counted from the date we first billed you for each visit.", _SMALL)])]


# The visit table's money columns, in points; the service's words take the rest of the 7.5-inch text width.
_VISIT_COLUMNS = (("Charged", 58.0), ("Insurance paid", 72.0), ("Insurance adjustments", 104.0),
                  ("You paid", 58.0), ("You owe", 58.0))
_MONEY_WIDTH = 58.0


def _visit_table(visit: StatementVisit) -> Table:
    billed = f"billed to {visit.insurer}" if visit.insurer else "self-pay (not billed to insurance)"
    heading = Paragraph(f"<b>Visit on {_long_date(visit.date_of_service)}</b> with {escape(visit.provider)}, "
                        f"{escape(billed)}", _CELL)
    rows: list[list[Any]] = [
        [heading, "", "", "", "", ""],
        [Paragraph("Service", _CELL_HEAD), *(Paragraph(name, _COLUMN_HEAD) for name, _ in _VISIT_COLUMNS)],
    ]
    for line in visit.lines:
        rows.append([Paragraph(escape(line.description), _CELL),
                     *(_dollars(amount) for amount in (line.charged, line.insurance_paid, line.adjusted,
                                                       line.patient_paid, line.you_owe))])
    rows.append(["Total for this visit", *(_dollars(amount) for amount in _figures(visit))])
    money = sum(width for _, width in _VISIT_COLUMNS)
    table = Table(rows, colWidths=[WIDTH - money, *(width for _, width in _VISIT_COLUMNS)], repeatRows=2)
    table.setStyle([
        ("SPAN", (0, 0), (-1, 0)), ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEBELOW", (0, 1), (-1, 1), 0.75, colors.black), ("LINEBELOW", (0, 2), (-1, -2), 0.25, RULE),
        ("FONT", (0, 2), (-1, -1), FONT, 9), ("FONT", (0, -1), (-1, -1), BOLD, 9),
        ("FONT", (-1, 2), (-1, -1), BOLD, 9),  # what is owed stands out
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ])
    return table


def _figures(visit: StatementVisit) -> tuple[Money, Money, Money, Money, Money]:
    """A visit's sums, in the order of the visit table's money columns."""
    return visit.charged, visit.insurance_paid, visit.adjusted, visit.patient_paid, visit.you_owe


def _totals_table(document: StatementDocument) -> Table:
    """After the visits: their total (when there is more than one), the credit, and the amount due."""
    visits = document.visits
    rows: list[list[Any]] = []
    if len(visits) > 1:
        sums = [total(list(column)) for column in zip(*(_figures(visit) for visit in visits), strict=True)]
        rows.append(["Total for all visits", *(_dollars(amount) for amount in sums)])
    rows += [[label, "", "", "", "", _dollars(amount)] for label, amount in _closing(document)]
    money = sum(width for _, width in _VISIT_COLUMNS)
    table = Table(rows, colWidths=[WIDTH - money, *(width for _, width in _VISIT_COLUMNS)])
    table.setStyle([
        ("FONT", (0, 0), (-1, -1), BOLD, 9), ("FONT", (0, -1), (-1, -1), BOLD, 10.5),
        ("LINEABOVE", (0, 0), (-1, 0), 0.75, colors.black), ("LINEABOVE", (0, -1), (-1, -1), 0.75, colors.black),
        ("BACKGROUND", (0, -1), (-1, -1), SHADE), ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ])
    return table


def _payments_table(document: StatementDocument) -> Table:
    rows: list[list[Any]] = [[Paragraph(name, style) for name, style in (
        ("Date", _CELL_HEAD), ("Payment", _CELL_HEAD), ("Amount", _CELL_HEAD_RIGHT))]]
    rows += [[f"{payment.paid_on:%m/%d/%Y}", Paragraph(escape(payment.description), _CELL), _dollars(payment.amount)]
             for payment in document.payments]
    table = Table(rows, colWidths=[0.9 * inch, WIDTH - 0.9 * inch - _MONEY_WIDTH, _MONEY_WIDTH], repeatRows=1)
    table.setStyle([("LINEBELOW", (0, 0), (-1, 0), 0.75, colors.black), ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
                    ("FONT", (0, 1), (-1, -1), FONT, 9), ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 2),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2), ("LEFTPADDING", (0, 0), (0, -1), 0)])
    return table


# --- drawn on the canvas: the stub, the running head, page numbers -----------------------------------------------

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
    send_to = Paragraph("<b>Send your payment to</b><br/>" + "<br/>".join(
        escape(line) for line in (document.remit_to_name, *document.remit_to_address)), _BODY)
    payer = Paragraph("<b>From</b><br/>" + "<br/>".join(
        escape(line) for line in (document.guarantor_name, *document.guarantor_address)), _BODY)
    left = Table([[Paragraph(f"<b>{escape(document.practice_name)}</b>", _BODY)], [Spacer(1, 4)], [send_to],
                  [Spacer(1, 8)], [payer]], colWidths=[3.4 * inch])
    left.setStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0),
                   ("BOTTOMPADDING", (0, 0), (-1, -1), 0)])
    _draw_at(canvas, left, MARGIN, top)
    facts = Table([
        ["Account number", document.account_number],
        ["Statement date", f"{document.statement_date:%m/%d/%Y}"],
        ["Please pay by", f"{document.due_on:%m/%d/%Y}"],
        ["Amount due", _dollars(_amount_due(document))],
        ["Amount enclosed", "$ ____________"],
    ], colWidths=[1.35 * inch, 1.85 * inch], rowHeights=[15, 15, 15, 19, 24])
    facts.setStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("FONT", (0, 0), (-1, -1), FONT, 9.5),
        ("FONT", (1, 0), (1, 2), BOLD, 9.5), ("FONT", (0, 3), (-1, 3), BOLD, 11),
        ("BACKGROUND", (0, 3), (-1, 3), SHADE), ("FONT", (0, 4), (0, 4), BOLD, 9.5),
        ("ALIGN", (1, 0), (1, -1), "RIGHT"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ])
    right_x = PAGE_WIDTH - MARGIN - 3.2 * inch
    facts_height = _draw_at(canvas, facts, right_x, top)
    card = f"<b>Paying by card?</b> Call {escape(document.billing_phone)}"
    if document.pay_url:
        card += f" or pay online at {escape(document.pay_url)} with code <b>{escape(document.statement_code)}</b>"
    card_box = Table([[Paragraph(f"{card}. {escape(NO_CARD_NUMBERS)}", _SMALL)]], colWidths=[3.2 * inch])
    card_box.setStyle([("BOX", (0, 0), (-1, -1), 0.5, colors.black), ("LEFTPADDING", (0, 0), (-1, -1), 5),
                       ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)])
    card_height = _draw_at(canvas, card_box, right_x, top - facts_height - 6)
    canvas.setFont(FONT, 8)
    canvas.drawString(right_x, top - facts_height - 6 - card_height - 12,
                      "Please write your account number on your check.")
    canvas.restoreState()


def _draw_at(canvas: Canvas, table: Table, x: float, top: float) -> float:
    """Draws ``table`` with its top-left corner at (``x``, ``top``); returns its height."""
    _, height = table.wrapOn(canvas, PAGE_WIDTH, PAGE_HEIGHT)
    table.drawOn(canvas, x, top - height)
    return float(height)


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
