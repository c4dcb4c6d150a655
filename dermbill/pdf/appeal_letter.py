"""An appeal of denied claim lines as a printable letter (US Letter PDF, flowing onto further pages).

The letter carries the practice's letterhead, the payer's address, a "RE:" block identifying the claim, the
appealed lines with their denials, the chart facts and coverage rules the appeal relies on, and what we ask
the payer to do. The filing deadline is for our own tracking: it goes into the PDF's metadata subject only,
never into the body a payer reads. The same letter always renders to the same bytes.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import letter as us_letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, HRFlowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table
from reportlab.platypus.doctemplate import BaseDocTemplate

from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money, total

FONT = "Helvetica"
BOLD = "Helvetica-Bold"
MARGIN = inch
NO_PAYER_ADDRESS = "Appeals department"
SALUTATION = "To the appeals reviewer:"
SIGNATURE_SPACE = 30  # points left blank above the signer's name for a wet signature

_BODY = ParagraphStyle("appeal-body", fontName=FONT, fontSize=10.5, leading=14, spaceAfter=6)
_SMALL = ParagraphStyle("appeal-small", parent=_BODY, fontSize=10, leading=12.5, spaceAfter=0)
_CELL = ParagraphStyle("appeal-cell", parent=_SMALL, fontSize=9.5, leading=11.5)
_CELL_HEAD = ParagraphStyle("appeal-cell-head", parent=_CELL, fontName=BOLD)
_PRACTICE = ParagraphStyle("appeal-practice", parent=_BODY, fontName=BOLD, fontSize=14, leading=17, spaceAfter=2)
_TITLE = ParagraphStyle("appeal-title", parent=_BODY, fontName=BOLD, fontSize=12, leading=15, spaceBefore=6,
                        spaceAfter=8)
_HEADING = ParagraphStyle("appeal-heading", parent=_BODY, fontName=BOLD, fontSize=11, leading=14, spaceBefore=8,
                          spaceAfter=4, keepWithNext=1)
_BULLET = ParagraphStyle("appeal-bullet", parent=_BODY, leftIndent=16, bulletIndent=4, bulletFontName="Symbol",
                         spaceAfter=3)

# Column widths of the appealed-lines table, in points; they add up to the 6.5-inch text width.
_LINE_COLUMNS = (("Line", 34.0), ("Date", 62.0), ("Code", 44.0), ("Modifiers", 56.0), ("Units", 38.0),
                 ("Charge", 64.0), ("Denial", 170.0))
# An underpayment shows the contract, what the payer allowed and paid, and the shortfall (the charge is not owed).
_UNDERPAID_COLUMNS = (("Line", 32.0), ("Date", 60.0), ("Code", 42.0), ("Modifiers", 56.0), ("Units", 36.0),
                      ("Contracted", 64.0), ("Allowed", 60.0), ("Paid", 58.0), ("Short", 60.0))
_UNSAFE_IN_FILE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class Letterhead:
    """The practice sending the appeal, as printed at the top of the letter."""

    name: str
    address_lines: tuple[str, ...]
    phone: str
    npi: str  # the billing provider's NPI
    tax_id: str | None = None


@dataclass(frozen=True, slots=True)
class Underpaid:
    """What the payer did with a line it paid below the contract: the letter asks for ``shortfall``."""

    contracted: Money  # what the contract sets for the line (its units, any multiple-procedure reduction)
    allowed: Money
    paid: Money

    @property
    def shortfall(self) -> Money:
        """The contracted amount less the amount allowed: what reprocessing at the contract adds (the payer's
        part and any coinsurance on it); equal to contracted minus paid when the patient owed nothing."""
        return self.contracted - self.allowed


@dataclass(frozen=True, slots=True)
class AppealedLine:
    """One denied (or underpaid) service line of the claim, with the payer's codes and what they mean in plain
    words; ``underpaid`` is set on an underpayment appeal, which asks for the shortfall, not the charge."""

    line_number: int
    date_of_service: datetime.date
    code: str
    modifiers: tuple[str, ...]
    units: int
    charge: Money
    denial: str  # e.g. "CO-50 / N115"
    denial_meaning: str
    underpaid: Underpaid | None = None

    @property
    def appealed(self) -> Money:
        """The amount this line asks for: the shortfall of an underpaid line, else its charge."""
        return self.underpaid.shortfall if self.underpaid is not None else self.charge


@dataclass(frozen=True, slots=True)
class AppealLetter:
    """Everything an appeal letter says; ``deadline`` is for our tracking and is not printed in the letter."""

    letterhead: Letterhead
    written_on: datetime.date
    payer_name: str
    payer_address_lines: tuple[str, ...]  # empty: "Appeals department" is printed under the name
    title: str  # "Request for redetermination", "Request for reconsideration"
    patient_name: str
    patient_date_of_birth: datetime.date
    member_id: str
    claim_number: str  # ours (the patient control number)
    payer_claim_number: str | None
    rendering_provider: str
    lines: tuple[AppealedLine, ...]
    summary: str  # what was denied and why we disagree
    documentation: tuple[str, ...]  # facts from the chart, one bullet each
    policies: tuple[str, ...]  # coverage policies and coding rules relied on, one bullet each
    request: str  # what we ask the payer to do
    enclosures: tuple[str, ...]
    signer: str  # name and credentials
    deadline: datetime.date | None  # the last day the payer accepts this appeal


def appeal_letter_pdf(letter: AppealLetter) -> bytes:
    """The letter as a US Letter PDF; identical input gives identical bytes."""
    if not letter.lines:
        raise InvalidInput(f"appeal of claim {letter.claim_number}: no appealed lines; an appeal names at least one "
                           "denied line")
    buffer = io.BytesIO()
    subject = f"Appeal of claim {letter.claim_number}"
    if letter.deadline is not None:
        subject += f", file by {letter.deadline:%Y-%m-%d}"
    doc = SimpleDocTemplate(
        buffer, pagesize=us_letter, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN,
        title=f"{letter.title}: claim {letter.claim_number}", author=letter.letterhead.name, subject=subject,
        creator="dermbill",
        # Without this reportlab stamps the creation time and a random document id into every file.
        invariant=True,
    )
    footer = _footer(letter.claim_number)
    doc.build(_story(letter), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def appeal_letter_text(letter: AppealLetter) -> str:
    """The letter as plain text, to read on screen before the PDF is downloaded: what the PDF says, in its order
    (the deadline, for our tracking only, is not in it either)."""
    head = letter.letterhead
    contact = f"Phone {head.phone} | NPI {head.npi}" + (f" | TIN {head.tax_id}" if head.tax_id else "")
    dates = sorted({line.date_of_service for line in letter.lines})
    parts = [head.name, *head.address_lines, contact, "", _long_date(letter.written_on), "",
             letter.payer_name, *(letter.payer_address_lines or (NO_PAYER_ADDRESS,)), "",
             f"RE: Patient: {letter.patient_name}", f"    Date of birth: {letter.patient_date_of_birth:%m/%d/%Y}",
             f"    Member ID: {letter.member_id}", f"    Our claim number: {letter.claim_number}",
             f"    Payer claim number: {letter.payer_claim_number or 'not yet assigned'}",
             f"    Date(s) of service: {', '.join(f'{d:%m/%d/%Y}' for d in dates)}",
             f"    Rendering provider: {letter.rendering_provider}", "", letter.title, "", SALUTATION, "",
             letter.summary, ""]
    for line in letter.lines:
        modifiers = f" {' '.join(line.modifiers)}" if line.modifiers else ""
        if line.underpaid is not None:
            money = (f"contracted ${line.underpaid.contracted}, allowed ${line.underpaid.allowed}, paid "
                     f"${line.underpaid.paid}, short ${line.underpaid.shortfall}")
        else:
            money = f"charge ${line.charge}; {line.denial}: {line.denial_meaning}"
        parts.append(f"Line {line.line_number}, {line.date_of_service:%m/%d/%Y}, {line.code}{modifiers}, "
                     f"{line.units} unit(s): {money}")
    underpaid = all(line.underpaid is not None for line in letter.lines)
    appealed = total([line.appealed for line in letter.lines])
    parts.append(f"Total {'underpaid' if underpaid else 'appealed'}: ${appealed}")
    for heading, items in (("Documentation", letter.documentation),
                           ("Coverage policy and coding rules relied on", letter.policies)):
        if items:
            parts += ["", heading, *(f"- {item}" for item in items)]
    parts += ["", letter.request, "", "Sincerely,", "", letter.signer, head.name]
    if letter.enclosures:
        parts += ["", "Enclosures", *(f"- {item}" for item in letter.enclosures)]
    return "\n".join(parts) + "\n"


def appeal_file_name(letter: AppealLetter, item: int | None = None, copy: int = 1) -> str:
    """A file name safe on any system, only ``[A-Za-z0-9._-]``: ``appeal-<claim number>-item<N>-<YYYYMMDD>.pdf``
    for work item N (two items of one claim never share a name), ``-<copy>`` before ``.pdf`` from the second copy
    on (a letter written again the same day goes beside the first, never over it)."""
    claim = _UNSAFE_IN_FILE_NAME.sub("-", letter.claim_number).strip(".-")[:64].strip(".-")
    parts = ["appeal", *([claim] if claim else []), *([f"item{item}"] if item is not None else []),
             f"{letter.written_on:%Y%m%d}", *([str(copy)] if copy > 1 else [])]
    return "-".join(parts) + ".pdf"


def _story(letter: AppealLetter) -> list[Flowable]:
    payer_address = letter.payer_address_lines or (NO_PAYER_ADDRESS,)
    story: list[Flowable] = [
        *_letterhead(letter.letterhead),
        Paragraph(_long_date(letter.written_on), _BODY),
        Paragraph("<br/>".join(_text(line) for line in (letter.payer_name, *payer_address)), _BODY),
        _regarding(letter),
        Paragraph(_text(letter.title), _TITLE),
        Paragraph(SALUTATION, _BODY),
        Paragraph(_text(letter.summary), _BODY),
        Spacer(1, 4),
        _lines_table(letter.lines),
        Spacer(1, 6),
    ]
    story += _bulleted("Documentation", letter.documentation)
    story += _bulleted("Coverage policy and coding rules relied on", letter.policies)
    story += [
        Spacer(1, 4),
        Paragraph(_text(letter.request), _BODY),
        KeepTogether([Paragraph("Sincerely,", _BODY), Spacer(1, SIGNATURE_SPACE),
                      Paragraph(_text(letter.signer), _SMALL), Paragraph(_text(letter.letterhead.name), _SMALL)]),
    ]
    story += _bulleted("Enclosures", letter.enclosures)
    return story


def _letterhead(head: Letterhead) -> list[Flowable]:
    contact = f"Phone {_text(head.phone)} &nbsp;|&nbsp; NPI {_text(head.npi)}"
    if head.tax_id:
        contact += f" &nbsp;|&nbsp; TIN {_text(head.tax_id)}"
    return [
        Paragraph(_text(head.name), _PRACTICE),
        Paragraph("<br/>".join([*(_text(line) for line in head.address_lines), contact]), _SMALL),
        HRFlowable(width="100%", thickness=0.75, color=colors.black, spaceBefore=6, spaceAfter=10),
    ]


def _regarding(letter: AppealLetter) -> Table:
    dates = sorted({line.date_of_service for line in letter.lines})
    facts = [
        ("Patient", letter.patient_name),
        ("Date of birth", f"{letter.patient_date_of_birth:%m/%d/%Y}"),
        ("Member ID", letter.member_id),
        ("Our claim number", letter.claim_number),
        ("Payer claim number", letter.payer_claim_number or "not yet assigned"),
        ("Date(s) of service", ", ".join(f"{d:%m/%d/%Y}" for d in dates)),
        ("Rendering provider", letter.rendering_provider),
    ]
    rows = [[Paragraph("<b>RE:</b>" if i == 0 else "", _SMALL), Paragraph(f"{label}:", _SMALL),
             Paragraph(_text(value), _SMALL)] for i, (label, value) in enumerate(facts)]
    table = Table(rows, colWidths=[30, 110, 6.5 * inch - 140], hAlign="LEFT")
    table.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 0.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5)])
    return table


def _lines_table(lines: tuple[AppealedLine, ...]) -> Table:
    underpaid = [(line, line.underpaid) for line in lines if line.underpaid is not None]
    if underpaid and len(underpaid) == len(lines):
        return _underpaid_table(underpaid)
    header: list[Paragraph | str] = [Paragraph(name, _CELL_HEAD) for name, _ in _LINE_COLUMNS]
    rows: list[list[Paragraph | str]] = [header] + [[
        *_line_cells(line),
        Paragraph(f"${line.charge}", _CELL),
        Paragraph(f"<b>{_text(line.denial)}</b><br/>{_text(line.denial_meaning)}", _CELL),
    ] for line in lines]
    rows.append([Paragraph("Total appealed", _CELL_HEAD), "", "", "", "",
                 Paragraph(f"${total([line.appealed for line in lines])}", _CELL_HEAD), ""])
    return _grid(rows, _LINE_COLUMNS)


def _line_cells(line: AppealedLine) -> list[Paragraph]:
    """The cells both line tables open with: line, date of service, code, modifiers, units."""
    return [Paragraph(str(line.line_number), _CELL), Paragraph(f"{line.date_of_service:%m/%d/%Y}", _CELL),
            Paragraph(_text(line.code), _CELL), Paragraph(_text(" ".join(line.modifiers)), _CELL),
            Paragraph(str(line.units), _CELL)]


def _underpaid_table(lines: list[tuple[AppealedLine, Underpaid]]) -> Table:
    header: list[Paragraph | str] = [Paragraph(name, _CELL_HEAD) for name, _ in _UNDERPAID_COLUMNS]
    rows: list[list[Paragraph | str]] = [header]
    for line, amounts in lines:
        rows.append([
            *_line_cells(line),
            *(Paragraph(f"${amount}", _CELL) for amount in (amounts.contracted, amounts.allowed, amounts.paid)),
            Paragraph(f"<b>${amounts.shortfall}</b>", _CELL),
        ])
    rows.append([Paragraph("Total underpaid", _CELL_HEAD), "", "", "", "", "", "", "",
                 Paragraph(f"${total([amounts.shortfall for _, amounts in lines])}", _CELL_HEAD)])
    return _grid(rows, _UNDERPAID_COLUMNS, total_span=7)


def _grid(rows: list[list[Paragraph | str]], columns: tuple[tuple[str, float], ...], total_span: int = 4) -> Table:
    """The lines in a ruled table with a shaded header, and the total row's label spanning ``total_span`` + 1
    columns."""
    table = Table(rows, colWidths=[width for _, width in columns], repeatRows=1, hAlign="LEFT")
    last = len(rows) - 1
    table.setStyle([
        ("GRID", (0, 0), (-1, last - 1), 0.5, colors.grey),
        ("BOX", (0, last), (-1, last), 0.5, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8E8E8")),
        ("SPAN", (0, last), (total_span, last)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ])
    return table


def _bulleted(heading: str, items: tuple[str, ...]) -> list[Flowable]:
    if not items:
        return []
    return [Paragraph(heading, _HEADING), *(Paragraph(_text(item), _BULLET, bulletText="\u2022") for item in items)]


def _footer(claim_number: str) -> Callable[[Canvas, BaseDocTemplate], None]:
    def draw(canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8.5)
        canvas.drawCentredString(us_letter[0] / 2, MARGIN / 2,
                                 f"Claim {claim_number} \u2014 page {canvas.getPageNumber()}")
        canvas.restoreState()
    return draw


def _text(value: str) -> str:
    """User text made literal for Paragraph's mini-markup (so "A & B <1 cm>" prints as written)."""
    return escape(value)


def _long_date(day: datetime.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"
