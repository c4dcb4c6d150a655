"""The front desk's printed documents (US Letter PDFs): the Good Faith Estimate for a self-pay patient, the Advance
Beneficiary Notice of Non-coverage (ABN, form CMS-R-131) and the receipt of a copay.

- The **Good Faith Estimate** carries what 45 CFR 149.610(c) asks of one: the patient, the provider and location
  with NPI and TIN, the items and services with their codes and expected charges, the diagnosis when known, the
  disclaimers (an estimate, not a contract; items not listed; the right to dispute a bill $400 or more above it)
  and the date it was given. Its wording is ours.
- The **ABN** follows the layout of CMS-R-131 (OMB 0938-0566): notifier (A), patient name (B) and identification
  number (C), the items (D) with the reason Medicare may not pay (E) and the estimated cost (F), the three options
  with check boxes (G), additional information (H), signature (I) and date (J). Its standard sentences are the
  public form's, which a notifier may not change. CMS publishes the form's current version with its expiration
  date at cms.gov ("Beneficiary Notices Initiative"): compare before using this one in production.
- The **receipt** names the payment's method and reference (a card's terminal reference, never a card number).
  A copay's says what went to the visit's claim; a payment on the account's balance lists each visit and line it
  paid, oldest first, and what is held as a credit.

The same input always renders to the same bytes.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import letter as us_letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table

from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money, total

FONT = "Helvetica"
BOLD = "Helvetica-Bold"
MARGIN = 0.75 * inch
WIDTH = us_letter[0] - 2 * MARGIN
BULLET = "\u2022"

_BODY = ParagraphStyle("fd-body", fontName=FONT, fontSize=10, leading=13, spaceAfter=5)
_SMALL = ParagraphStyle("fd-small", parent=_BODY, fontSize=8.5, leading=10.5, spaceAfter=3)
_CELL = ParagraphStyle("fd-cell", parent=_BODY, fontSize=9.5, leading=11.5, spaceAfter=0)
_CELL_HEAD = ParagraphStyle("fd-cell-head", parent=_CELL, fontName=BOLD)
_TITLE = ParagraphStyle("fd-title", parent=_BODY, fontName=BOLD, fontSize=15, leading=19, spaceAfter=6,
                        alignment=1)
_HEADING = ParagraphStyle("fd-heading", parent=_BODY, fontName=BOLD, fontSize=11, leading=14, spaceBefore=6,
                          spaceAfter=3, keepWithNext=1)
_NOTIFIER = ParagraphStyle("fd-notifier", parent=_BODY, fontName=BOLD, fontSize=12, leading=15, spaceAfter=1)
# The ABN fits one page, as the form does: a tighter body, the Paperwork Reduction Act notice in small print.
ABN_MARGIN = 0.5 * inch
ABN_WIDTH = us_letter[0] - 2 * ABN_MARGIN
_ABN = ParagraphStyle("abn-body", parent=_BODY, fontSize=9, leading=10.8, spaceAfter=2.5)
_ABN_CELL = ParagraphStyle("abn-cell", parent=_ABN, spaceAfter=0)
_ABN_HEAD = ParagraphStyle("abn-head", parent=_ABN_CELL, fontName=BOLD)
_ABN_HEADING = ParagraphStyle("abn-heading", parent=_ABN, fontName=BOLD, fontSize=10.5, spaceBefore=3,
                              keepWithNext=1)
_ABN_TITLE = ParagraphStyle("abn-title", parent=_TITLE, fontSize=13.5, leading=16, spaceAfter=3)
_ABN_FINE = ParagraphStyle("abn-fine", parent=_ABN, fontSize=6.5, leading=7.8, spaceAfter=1)


@dataclass(frozen=True, slots=True)
class Party:
    """A provider, facility or the practice as printed: name, address lines, NPI, TIN, phone."""

    name: str
    address_lines: tuple[str, ...]
    npi: str | None = None
    tin: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class EstimatedItem:
    code: str
    description: str
    quantity: int
    expected_charge: Money


@dataclass(frozen=True, slots=True)
class GoodFaithEstimate:
    patient_name: str
    patient_date_of_birth: datetime.date
    patient_account: str
    practice: Party  # the convening provider's practice (the billing provider)
    provider: Party  # the clinician
    location: Party  # where the service is given
    service_summary: str  # the primary service in plain words
    scheduled_for: datetime.date | None
    items: tuple[EstimatedItem, ...]
    diagnoses: tuple[str, ...]  # codes or words, when known
    issued_on: datetime.date
    not_included: tuple[str, ...]  # what may follow and is not in this estimate (pathology, a repair ...)
    estimate_number: str

    @property
    def total(self) -> Money:
        return total([item.expected_charge for item in self.items])


@dataclass(frozen=True, slots=True)
class AbnItem:
    items: str  # the items or services in plain words (with the code)
    reason: str  # why Medicare may not pay
    estimated_cost: Money


@dataclass(frozen=True, slots=True)
class AdvanceBeneficiaryNotice:
    notifier: Party
    patient_name: str
    identification: str  # the practice's account number (never the Medicare number: CMS says not to print it)
    items: tuple[AbnItem, ...]
    additional_information: str
    prepared_on: datetime.date


@dataclass(frozen=True, slots=True)
class Receipt:
    practice: Party
    receipt_number: str
    patient_name: str
    patient_account: str
    received_on: datetime.datetime
    visit: str  # the appointment: date, time, provider
    method: str  # cash, card, check
    reference: str  # receipt number or the card terminal's transaction reference
    amount: Money
    applied: Money  # to the visit's claim
    credit: Money  # held as a credit until the claim's patient balance exists
    received_by: str


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    date_of_service: datetime.date
    what: str  # the claim and line in words
    amount: Money


@dataclass(frozen=True, slots=True)
class PaymentReceipt:
    """A payment on the account's balance across visits: where each part of it went."""

    practice: Party
    receipt_number: str
    patient_name: str
    patient_account: str
    received_on: datetime.datetime
    method: str  # cash, card, check
    reference: str  # the check or receipt number, or the card terminal's transaction reference
    amount: Money
    lines: tuple[ReceiptLine, ...]  # oldest visit first
    credit: Money  # more than the balance: held as a credit on the account
    received_by: str


class CheckBox(Flowable):
    """An empty square to tick by hand (the standard fonts have no ballot-box glyph)."""

    def __init__(self, size: float = 11) -> None:
        super().__init__()
        self.size = size
        self.width = self.height = size

    def draw(self) -> None:
        self.canv.setLineWidth(1)
        self.canv.rect(0, 0, self.size, self.size, stroke=1, fill=0)


def _document(story: list[Flowable], *, title: str, author: str, subject: str, margin: float = MARGIN) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=us_letter, leftMargin=margin, rightMargin=margin, topMargin=margin,
                            bottomMargin=margin, title=title, author=author, subject=subject, creator="dermbill",
                            invariant=True)  # no creation time or random id: the same input, the same bytes
    doc.build(story)
    return buffer.getvalue()


def _p(text: str, style: ParagraphStyle = _BODY) -> Paragraph:
    return Paragraph(escape(text), style)


def _grid(rows: list[list[Any]], widths: Sequence[float], *, money_columns: Sequence[int] = (),
          header: bool = True, row_height: float | None = None) -> Table:
    table = Table(rows, colWidths=list(widths), repeatRows=1 if header else 0,
                  rowHeights=[row_height] * len(rows) if row_height else None)
    style: list[Any] = [("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                       ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                       ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4)]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)))
    for column in money_columns:
        style.append(("ALIGN", (column, 0), (column, -1), "RIGHT"))
    table.setStyle(style)
    return table


def _party_lines(party: Party) -> list[str]:
    lines = [party.name, *party.address_lines]
    ids = [f"NPI {party.npi}" if party.npi else "", f"TIN {party.tin}" if party.tin else "",
           f"Phone {party.phone}" if party.phone else ""]
    shown = " | ".join(i for i in ids if i)
    return lines + ([shown] if shown else [])


def _long_date(day: datetime.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


# --- Good Faith Estimate ------------------------------------------------------------------------------------------

GFE_DISCLAIMERS = (
    "This Good Faith Estimate shows what we expect to charge for the items and services listed, if you pay for them "
    "yourself (without health insurance). It is an estimate: the items, services and charges you are actually "
    "billed may differ, for example if your clinician finds something during the visit that needs other care, or "
    "if a biopsy's pathology result calls for more treatment.",
    "Items or services that may reasonably be needed but are not listed here (see above) are not included. If they "
    "are needed, you will get a separate estimate from whoever provides them.",
    "If you are billed at least $400 more than the total of this estimate for any provider or facility listed, you "
    "have the right to dispute the bill. Start the dispute within 120 calendar days of the date on the bill. Keep a "
    "copy of this estimate and of the bill. There is a $25 fee to use the dispute process; if the dispute is "
    "decided in your favor, you pay the amount in this estimate and the fee is refunded.",
    "This estimate is not a contract. It does not require you to get the items or services listed.",
    "To learn more about your rights, the dispute process, or to start a dispute, visit www.cms.gov/nosurprises or "
    "call 1-800-985-3059.",
)


def good_faith_estimate_pdf(estimate: GoodFaithEstimate) -> bytes:
    """The Good Faith Estimate for a self-pay (or uninsured) patient."""
    if not estimate.items:
        raise InvalidInput("a Good Faith Estimate lists at least one item or service with its expected charge: plan "
                           "the visit's procedures first")
    story: list[Flowable] = [_p("Good Faith Estimate", _TITLE),
                             _p("for patients paying for their own care (No Surprises Act, 45 CFR 149.610)", _SMALL),
                             Spacer(1, 4)]
    facts = [
        ["Patient", f"{estimate.patient_name} (account {estimate.patient_account})"],
        ["Date of birth", f"{estimate.patient_date_of_birth:%m/%d/%Y}"],
        ["Estimate", f"{estimate.estimate_number}, given on {_long_date(estimate.issued_on)}"],
        ["Service", estimate.service_summary + (f", scheduled for {_long_date(estimate.scheduled_for)}"
                                                if estimate.scheduled_for else "")],
        ["Diagnosis", ", ".join(estimate.diagnoses) if estimate.diagnoses else "not known before the visit"],
    ]
    story.append(_grid([[_p(k, _CELL_HEAD), _p(v, _CELL)] for k, v in facts], (1.4 * inch, WIDTH - 1.4 * inch),
                       header=False))
    story.append(_p("Provider and location", _HEADING))
    parties = [[_p("Provider", _CELL_HEAD), _p("Practice (billing provider)", _CELL_HEAD), _p("Location", _CELL_HEAD)],
               [Paragraph("<br/>".join(escape(line) for line in _party_lines(p)), _CELL)
                for p in (estimate.provider, estimate.practice, estimate.location)]]
    story.append(_grid(parties, (WIDTH / 3,) * 3))
    story.append(_p("Items and services expected", _HEADING))
    rows = [[_p(h, _CELL_HEAD) for h in ("Code", "Item or service", "Quantity", "Expected charge")]]
    for item in estimate.items:
        rows.append([_p(item.code, _CELL), _p(item.description, _CELL), _p(str(item.quantity), _CELL),
                     _p(f"${item.expected_charge}", _CELL)])
    rows.append([_p("", _CELL), _p("Total expected charges", _CELL_HEAD), _p("", _CELL),
                 _p(f"${estimate.total}", _CELL_HEAD)])
    story.append(_grid(rows, (0.8 * inch, WIDTH - 2.9 * inch, 0.8 * inch, 1.3 * inch), money_columns=(2, 3)))
    if estimate.not_included:
        story.append(_p("Not included in this estimate", _HEADING))
        story += [Paragraph(escape(text), _BODY, bulletText=BULLET) for text in estimate.not_included]
    story.append(_p("Disclaimer", _HEADING))
    story += [_p(text) for text in GFE_DISCLAIMERS]
    return _document(story, title=f"Good Faith Estimate {estimate.estimate_number}", author=estimate.practice.name,
                     subject=f"Good Faith Estimate for {estimate.patient_name}")


# --- ABN (CMS-R-131) ----------------------------------------------------------------------------------------------

ABN_TITLE = "Advance Beneficiary Notice of Non-coverage (ABN)"
ABN_WHAT = "services"  # the D. blank: what the notice is about
ABN_OPTIONS = (
    ("OPTION 1.", f"I want the {ABN_WHAT} listed above. You may ask to be paid now, but I also want Medicare billed "
                  "for an official decision on payment, which is sent to me on a Medicare Summary Notice (MSN). I "
                  "understand that if Medicare doesn't pay, I am responsible for payment, but I can appeal to "
                  "Medicare by following the directions on the MSN. If Medicare does pay, you will refund any "
                  "payments I made to you, less co-pays or deductibles."),
    ("OPTION 2.", f"I want the {ABN_WHAT} listed above, but do not bill Medicare. You may ask to be paid now as I am "
                  "responsible for payment. I cannot appeal if Medicare is not billed."),
    ("OPTION 3.", f"I don't want the {ABN_WHAT} listed above. I understand with this choice I am not responsible "
                  "for payment, and I cannot appeal to see if Medicare would pay."),
)
ABN_PRA = ("According to the Paperwork Reduction Act of 1995, no persons are required to respond to a collection of "
           "information unless it displays a valid OMB control number. The valid OMB control number for this "
           "information collection is 0938-0566. The time required to complete this information collection is "
           "estimated to average 7 minutes per response, including the time to review instructions, search existing "
           "data resources, gather the data needed, and complete and review the information collection. If you have "
           "comments concerning the accuracy of the time estimate or suggestions for improving this form, please "
           "write to: CMS, 7500 Security Boulevard, Attn: PRA Reports Clearance Officer, Baltimore, Maryland "
           "21244-1850.")


def abn_pdf(notice: AdvanceBeneficiaryNotice) -> bytes:
    """The ABN, one page, in the layout of form CMS-R-131."""
    if not notice.items:
        raise InvalidInput("an ABN names at least one item or service Medicare may not pay for")
    width = ABN_WIDTH
    head = _party_lines(notice.notifier)
    story: list[Flowable] = [
        _p(f"A. Notifier: {head[0]}", _NOTIFIER), _p("  |  ".join(head[1:]), _ABN),
        _grid([[_p(f"B. Patient Name: {notice.patient_name}", _ABN_CELL),
                _p(f"C. Identification Number: {notice.identification}", _ABN_CELL)]],
              (width * 0.6, width * 0.4), header=False),
        Spacer(1, 3), _p(ABN_TITLE, _ABN_TITLE),
        Paragraph(f"<b>NOTE:</b> If Medicare doesn't pay for <b>D.</b> the {ABN_WHAT} below, you may have to pay.",
                  _ABN),
        _p("Medicare does not pay for everything, even some care that you or your health care provider have good "
           f"reason to think you need. We expect Medicare may not pay for the D. {ABN_WHAT} below.", _ABN),
    ]
    rows = [[_p(h, _ABN_HEAD) for h in ("D. Services", "E. Reason Medicare May Not Pay:", "F. Estimated Cost")]]
    for item in notice.items:
        rows.append([_p(item.items, _ABN_CELL), _p(item.reason, _ABN_CELL), _p(f"${item.estimated_cost}", _ABN_CELL)])
    story.append(_grid(rows, (width * 0.28, width * 0.56, width * 0.16), money_columns=(2,)))
    story += [
        _p("WHAT YOU NEED TO DO NOW:", _ABN_HEADING),
        *(Paragraph(escape(text), _ABN, bulletText=BULLET) for text in (
            "Read this notice, so you can make an informed decision about your care.",
            "Ask us any questions that you may have after you finish reading.",
            f"Choose an option below about whether to receive the D. {ABN_WHAT} listed above.")),
        Paragraph("<b>Note:</b> If you choose Option 1 or 2, we may help you to use any other insurance that you might "
                  "have, but Medicare cannot require us to do this.", _ABN),
        _p("G. OPTIONS: Check only one box. We cannot choose a box for you.", _ABN_HEADING),
    ]
    options = [[CheckBox(), Paragraph(f"<b>{escape(name)}</b> {escape(text)}", _ABN_CELL)]
               for name, text in ABN_OPTIONS]
    story.append(_grid(options, (0.35 * inch, width - 0.35 * inch), header=False))
    signature = _grid([[_p("I. Signature:", _ABN_HEAD), _p("J. Date:", _ABN_HEAD)]], (width * 0.7, width * 0.3),
                      header=False, row_height=0.45 * inch)  # room to sign
    story += [
        _p("H. Additional Information:", _ABN_HEADING),
        _p(notice.additional_information, _ABN),
        _p("This notice gives our opinion, not an official Medicare decision. If you have other questions on this "
           "notice or Medicare billing, call 1-800-MEDICARE (1-800-633-4227/TTY: 1-877-486-2048).", _ABN),
        _p("Signing below means that you have received and understand this notice. You also receive a copy.", _ABN),
        signature,
        Spacer(1, 4), _p(ABN_PRA, _ABN_FINE),
        _p(f"Form CMS-R-131 | Form Approved OMB No. 0938-0566 | prepared {notice.prepared_on.isoformat()}", _ABN_FINE),
    ]
    return _document(story, title=ABN_TITLE, author=notice.notifier.name, subject=f"ABN for {notice.patient_name}",
                     margin=ABN_MARGIN)


# --- receipt ------------------------------------------------------------------------------------------------------

def receipt_pdf(receipt: Receipt) -> bytes:
    """A payment receipt: who paid what, when, how, and where it went."""
    story: list[Flowable] = [_p(receipt.practice.name, _NOTIFIER),
                             *(_p(line, _SMALL) for line in _party_lines(receipt.practice)[1:]),
                             Spacer(1, 8), _p(f"Receipt {receipt.receipt_number}", _TITLE)]
    rows = [
        ["Patient", f"{receipt.patient_name} (account {receipt.patient_account})"],
        ["Received", f"{receipt.received_on:%Y-%m-%d %H:%M} UTC by {receipt.received_by}"],
        ["For", f"copay for the visit of {receipt.visit}"],
        ["Method", receipt.method],
        ["Reference", receipt.reference],
        ["Amount", f"${receipt.amount}"],
        ["Applied to the visit's claim", f"${receipt.applied}"],
        ["Held as a credit on the account", f"${receipt.credit}"],
    ]
    story.append(_grid([[_p(k, _CELL_HEAD), _p(v, _CELL)] for k, v in rows], (2.2 * inch, WIDTH - 2.2 * inch),
                       header=False))
    story.append(Spacer(1, 8))
    story.append(_p("A credit is applied to what you owe for this visit once your insurance has processed the claim. "
                    "Keep this receipt for your records.", _SMALL))
    return _document(story, title=f"Receipt {receipt.receipt_number}", author=receipt.practice.name,
                     subject=f"Copay receipt {receipt.receipt_number}")


def payment_receipt_pdf(receipt: PaymentReceipt) -> bytes:
    """A receipt for a payment on the account's balance: who paid what, when, how, and which visits it paid."""
    story: list[Flowable] = [_p(receipt.practice.name, _NOTIFIER),
                             *(_p(line, _SMALL) for line in _party_lines(receipt.practice)[1:]),
                             Spacer(1, 8), _p(f"Receipt {receipt.receipt_number}", _TITLE)]
    facts = [
        ["Patient", f"{receipt.patient_name} (account {receipt.patient_account})"],
        ["Received", f"{receipt.received_on:%Y-%m-%d %H:%M} UTC by {receipt.received_by}"],
        ["Method", receipt.method],
        ["Reference", receipt.reference],
        ["Amount", f"${receipt.amount}"],
    ]
    story.append(_grid([[_p(k, _CELL_HEAD), _p(v, _CELL)] for k, v in facts], (2.2 * inch, WIDTH - 2.2 * inch),
                       header=False))
    story.append(Spacer(1, 8))
    rows = [[_p(h, _CELL_HEAD) for h in ("Visit", "Paid toward", "Amount")]]
    rows += [[_p(f"{line.date_of_service:%Y-%m-%d}", _CELL), _p(line.what, _CELL), _p(f"${line.amount}", _CELL)]
             for line in receipt.lines]
    rows.append([_p("", _CELL), _p("Held as a credit on the account", _CELL_HEAD), _p(f"${receipt.credit}", _CELL)])
    story.append(_grid(rows, (1.2 * inch, WIDTH - 2.5 * inch, 1.3 * inch), money_columns=(2,)))
    story.append(Spacer(1, 8))
    story.append(_p("Payments go to the oldest visit first. A credit is applied to what you owe next, or refunded "
                    "on request. Keep this receipt for your records.", _SMALL))
    return _document(story, title=f"Receipt {receipt.receipt_number}", author=receipt.practice.name,
                     subject=f"Payment receipt {receipt.receipt_number}")
