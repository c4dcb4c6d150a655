"""The CMS-1500 (02/12) claim form as a PDF: values only, to print on the red pre-printed form, or the full form.

Every value is printed at its field's line and column of the form's print grid (``cms1500_layout.FIELDS``), in
Courier 12 point (10 characters to the inch), upper case, the way the NUCC 1500 Claim Form Reference
Instruction Manual asks for OCR: no punctuation in addresses, no periods in names or diagnosis codes, no
hyphens in tax ids or telephone numbers, dates as MM DD YY (MM DD YYYY for birth dates), amounts without a
dollar sign or decimal point, the dollars right-justified before the form's divider and the cents after it.
The full form draws the boxes, captions and checkboxes on the same grid, so the two outputs never disagree.
"""

from __future__ import annotations

import dataclasses
import datetime
import io
import re
from collections.abc import Sequence

from reportlab.pdfgen import canvas

from dermbill.core.claim_form import Address, BillingProvider, Person, ProfessionalClaim
from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money
from dermbill.pdf.cms1500_layout import (
    BOXES,
    FIELDS,
    FIRST_SERVICE_LINE,
    LABELS,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    SERVICE_LINES,
    Field,
    Label,
    top_of,
    x_of,
)

VALUE_FONT = "Courier"
VALUE_SIZE = 12.0  # Courier 12 point is exactly 10 characters per inch
BASELINE = 9.65  # points below the top of a print line: Courier's 12-point body fills the line's 12 points
CAPTION_FONT = "Helvetica"
CAPTION_SIZE = 5.5
FORM_RED = (0.86, 0.16, 0.18)
SHADE = (0.99, 0.88, 0.88)
INSURANCE_TYPE = {  # SBR09 claim filing indicator -> box 1
    "MA": "1.medicare", "MB": "1.medicare", "MC": "1.medicaid", "CH": "1.tricare", "VA": "1.champva",
    "FI": "1.feca", "CI": "1.group", "BL": "1.group", "HM": "1.group", "DS": "1.group",
    **{code: "1.group" for code in ("11", "12", "13", "14", "15", "16", "17")},
}
RELATIONSHIP = {"18": "6.self", "01": "6.spouse", "19": "6.child"}
NO_OTHER_ID = ("MA", "MB")  # Medicare wants no non-NPI ids in 24J (shaded), 32b and 33b


def form_pages(claim: ProfessionalClaim, billing: BillingProvider, *,
               signed_on: datetime.date | None = None) -> list[dict[str, str]]:
    """The value of each field (``FIELDS`` names), one dict a page: six service lines to a form.

    Each page stands alone: box 28 totals its own lines, box 29 (paid by others) is on the first page only.
    """
    chunks = [claim.lines[start:start + SERVICE_LINES] for start in range(0, max(len(claim.lines), 1),
                                                                         SERVICE_LINES)]
    pages = []
    for index, lines in enumerate(chunks):
        page = dataclasses.replace(claim, lines=lines, total_charge=Money(sum(line.charge.cents for line in lines)))
        pages.append(form_values(page, billing, signed_on=signed_on, first_page=index == 0))
    return pages


def form_values(claim: ProfessionalClaim, billing: BillingProvider, *, signed_on: datetime.date | None = None,
                first_page: bool = True) -> dict[str, str]:
    """The value of each field for one form (at most six service lines: see ``form_pages``)."""
    if len(claim.lines) > SERVICE_LINES:
        raise InvalidInput(f"claim {claim.patient_control_number}: a form holds {SERVICE_LINES} service lines; "
                           f"use form_pages")
    patient, insured = claim.patient, claim.subscriber
    values: dict[str, str] = {}
    for number, text in enumerate(_payer_block(claim), start=1):
        values[f"carrier.{number}"] = text
    values[INSURANCE_TYPE.get(claim.filing_indicator, "1.other")] = "X"
    values["1a"] = _text(claim.member_id)
    values["2"] = _name(patient)
    values.update(_birth("3", patient))
    values["4"] = _name(insured)
    values.update(_address("5", patient.address, patient.phone))
    values[RELATIONSHIP.get(claim.relationship_code, "6.other")] = "X"
    values.update(_address("7", insured.address, insured.phone))
    medicare_primary = claim.filing_indicator in NO_OTHER_ID and claim.order == "P"
    values["11"] = _text(claim.group_number or ("NONE" if medicare_primary else ""))
    values.update(_birth("11a", insured))
    values["11c"] = _text(claim.payer.name)
    if claim.other_payers:
        other = claim.other_payers[0]
        values["9"] = _name(other.subscriber)
        values["9a"] = _text(other.member_id)
        values["9d"] = _text(other.payer.name)
    values["11d.yes" if claim.other_payers else "11d.no"] = "X"
    for box in ("10a", "10b", "10c"):
        values[f"{box}.no"] = "X"  # dermatology claims are not related to employment or an accident
    values["12"] = values["13"] = "SIGNATURE ON FILE"
    if claim.onset_date is not None:
        values.update(_date("14", claim.onset_date))
        values["14.qualifier"] = "431"  # onset of current symptoms or illness
    if claim.referring_provider is not None:
        values["17.qualifier"] = "DN"
        values["17"] = _text(" ".join(part for part in (claim.referring_provider.first_name,
                                                         (claim.referring_provider.middle_name or "")[:1],
                                                         claim.referring_provider.last_name) if part))
        values["17b"] = _text(claim.referring_npi or "")
    values["19"] = _text(claim.additional_claim_information or "")
    values["21.indicator"] = "0"  # ICD-10-CM
    for letter, code in zip("ABCDEFGHIJKL", claim.diagnoses[:12], strict=False):
        values[f"21.{letter}"] = _text(code.replace(".", ""))
    if claim.frequency_code in ("7", "8"):
        values["22.code"] = claim.frequency_code
        values["22.original"] = _text(claim.payer_claim_number or "")
    values["23"] = _text(claim.prior_authorization or "")
    for number, line in enumerate(claim.lines, start=1):
        p = f"24.{number}"
        values.update(_date(f"{p}.a.from", line.date_of_service))
        values.update(_date(f"{p}.a.to", line.date_of_service))
        values[f"{p}.b"] = claim.place_of_service
        values[f"{p}.d.code"] = _text(line.code)
        for k, modifier in enumerate(line.modifiers[:4], start=1):
            values[f"{p}.d.modifier{k}"] = _text(modifier)
        values[f"{p}.e"] = "".join("ABCDEFGHIJKL"[pointer - 1] for pointer in line.pointers[:4]
                                   if 1 <= pointer <= 12)
        values.update(_amount(f"{p}.f", line.charge))
        values[f"{p}.g"] = str(line.units)
        values[f"{p}.j.npi"] = claim.rendering_npi or billing.npi
        if claim.rendering_taxonomy and claim.filing_indicator not in NO_OTHER_ID:
            values[f"{p}.i.qualifier"] = "ZZ"
            values[f"{p}.j.other_id"] = claim.rendering_taxonomy
    values["25"] = re.sub(r"\D", "", billing.tin)
    values["25.ein"] = "X"
    values["26"] = _text(claim.patient_control_number)
    values["27.yes"] = "X"
    values.update(_amount("28", claim.total_charge))
    paid = Money(sum(other.paid.cents for other in claim.other_payers))
    if first_page and paid.cents:
        values.update(_amount("29", paid))
    values["31"] = "SIGNATURE ON FILE"
    if signed_on is not None:
        values["31.date"] = f"{signed_on:%m %d %y}"
    if claim.facility_name and claim.facility_address is not None:
        values["32.1"] = _text(claim.facility_name)
        values.update(_address_lines("32", claim.facility_address, first=2))
        values["32a"] = claim.facility_npi or ""
    values["33.area"], values["33.phone"] = _phone(billing.phone)
    values["33.1"] = _text(billing.name)
    values.update(_address_lines("33", billing.address, first=2))
    values["33a"] = billing.npi
    if billing.taxonomy and claim.filing_indicator not in NO_OTHER_ID:
        values["33b"] = f"ZZ{billing.taxonomy}"
    return {name: _fit(text, FIELDS[name].width) for name, text in values.items() if text}


def _fit(text: str, width: int) -> str:
    """The text cut to its field, without a dangling separator at the cut."""
    return text if len(text) <= width else text[:width].rstrip(" ,.-/(&")


def _payer_block(claim: ProfessionalClaim) -> list[str]:
    address = claim.payer.address
    if address is None:
        return [_text(claim.payer.name)]
    return [_text(claim.payer.name), *(_street(line) for line in (address.line1, address.line2) if line),
            _city_state_zip(address)]


def _text(value: str) -> str:
    """Upper case, single spaces: what OCR reads best."""
    return " ".join(value.upper().split())


def _street(value: str) -> str:
    """An address line without punctuation (123 N MAIN ST 101, not 123 N. Main St., #101)."""
    return _text(re.sub(r"[^\w\s-]", " ", value))


def _zip(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return f"{digits[:5]}-{digits[5:]}" if len(digits) == 9 else digits


def _city_state_zip(address: Address) -> str:
    return f"{_street(address.city)} {address.state.upper()} {_zip(address.zip_code)}"


def _name(person: Person) -> str:
    """LAST, FIRST, M: commas between the parts, no periods."""
    parts = [person.last_name, person.first_name, (person.middle_name or "")[:1]]
    return _text(", ".join(part.replace(".", "") for part in parts if part))


def _date(prefix: str, day: datetime.date, *, four_digit_year: bool = False) -> dict[str, str]:
    return {f"{prefix}.mm": f"{day:%m}", f"{prefix}.dd": f"{day:%d}",
            f"{prefix}.yy": f"{day:%Y}" if four_digit_year else f"{day:%y}"}


def _birth(prefix: str, person: Person) -> dict[str, str]:
    values = _date(prefix, person.date_of_birth, four_digit_year=True) if person.date_of_birth else {}
    if person.sex in ("M", "F"):
        values[f"{prefix}.{person.sex.lower()}"] = "X"
    return values


def _phone(phone: str | None) -> tuple[str, str]:
    digits = re.sub(r"\D", "", phone or "")
    return (digits[:3], digits[3:10]) if len(digits) == 10 else ("", digits)


def _address(box: str, address: Address | None, phone: str | None) -> dict[str, str]:
    if address is None:
        return {}
    area, number = _phone(phone)
    street = " ".join(_street(line) for line in (address.line1, address.line2) if line)
    return {f"{box}.street": street, f"{box}.city": _street(address.city), f"{box}.state": address.state.upper(),
            f"{box}.zip": _zip(address.zip_code), f"{box}.area": area, f"{box}.phone": number}


def _address_lines(box: str, address: Address, *, first: int) -> dict[str, str]:
    street = " ".join(_street(line) for line in (address.line1, address.line2) if line)
    return {f"{box}.{first}": street, f"{box}.{first + 1}": _city_state_zip(address)}


def _amount(prefix: str, amount: Money) -> dict[str, str]:
    if amount.cents < 0:
        raise InvalidInput(f"box {prefix}: the form takes no negative amounts ({amount.cents} cents)")
    dollars, cents = divmod(amount.cents, 100)
    if len(str(dollars)) > FIELDS[f"{prefix}.dollars"].width:
        raise InvalidInput(f"box {prefix}: {dollars}.{cents:02d} does not fit the form's dollar field")
    return {f"{prefix}.dollars": str(dollars), f"{prefix}.cents": f"{cents:02d}"}


def render(claims: Sequence[tuple[ProfessionalClaim, BillingProvider]], *, full_form: bool,
           signed_on: datetime.date | None = None) -> bytes:
    """A PDF with one page per claim (claims with more than six lines continue on further pages)."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=1)
    pdf.setTitle("CMS-1500 (02/12) claims")
    for claim, billing in claims:
        for values in form_pages(claim, billing, signed_on=signed_on):
            if full_form:
                _draw_form(pdf)
            _draw_values(pdf, values)
            pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _y(top: float) -> float:
    """reportlab's y (from the bottom) of a distance from the top of the page."""
    return PAGE_HEIGHT - top


def _draw_values(pdf: canvas.Canvas, values: dict[str, str]) -> None:
    pdf.setFillColorRGB(0, 0, 0)
    pdf.setFont(VALUE_FONT, VALUE_SIZE)
    for name, text in values.items():
        field = FIELDS[name]
        column = field.column + (field.width - len(text) if field.align == "right" else 0)
        pdf.drawString(x_of(column), _y(top_of(field.line) + BASELINE), text)


def _draw_form(pdf: canvas.Canvas) -> None:
    pdf.saveState()
    pdf.setStrokeColorRGB(*FORM_RED)
    pdf.setFillColorRGB(*FORM_RED)
    pdf.setFont("Helvetica-Bold", 11)
    pdf.drawString(x_of(1) - 2, _y(top_of(6) + 7), "HEALTH INSURANCE CLAIM FORM")
    pdf.setFont(CAPTION_FONT, 5.5)
    pdf.drawString(x_of(1) - 2, _y(top_of(7) + 6), "APPROVED BY NATIONAL UNIFORM CLAIM COMMITTEE (NUCC) 02/12")
    for column in (1, 2, 3, 76, 77, 78):  # the PICA boxes
        pdf.rect(x_of(column - 0.5), _y(top_of(9)), x_of(1) - x_of(0), 7, stroke=1, fill=0)
    _shade_supplemental_lines(pdf)
    pdf.setLineWidth(0.5)
    for box in BOXES:
        x0, top, x1, bottom = box.bbox
        pdf.rect(x0, _y(bottom), x1 - x0, bottom - top, stroke=1, fill=0)
        if box.caption:
            _caption(pdf, box.caption, x0 + 1.5, top + 5.2, CAPTION_SIZE, x1 - x0 - 3)
    _dividers(pdf)
    for field in FIELDS.values():
        if field.check:
            x0, top, x1, bottom = field.bbox
            pdf.rect(x0 - 1, _y(bottom - 0.5), x1 - x0 + 2, bottom - top - 1.5, stroke=1, fill=0)
    for label in LABELS:
        _label(pdf, label)
    pdf.setLineWidth(2)
    for line in (9, 33, 64):  # the heavy rules: top, start of the physician section, bottom
        pdf.line(x_of(0.5), _y(top_of(line)), x_of(80), _y(top_of(line)))
    _side_titles(pdf)
    pdf.setFont(CAPTION_FONT, 6)
    pdf.drawString(x_of(1) - 2, _y(top_of(65) + 2), "NUCC Instruction Manual available at: www.nucc.org")
    pdf.setFont("Helvetica-BoldOblique", 6.5)
    pdf.drawCentredString(x_of(40), _y(top_of(65) + 2), "PLEASE PRINT OR TYPE")
    pdf.setFont(CAPTION_FONT, 6)
    pdf.drawRightString(x_of(80), _y(top_of(65) + 2), "APPROVED OMB-0938-1197 FORM 1500 (02-12)")
    pdf.restoreState()


def _caption(pdf: canvas.Canvas, text: str, x: float, top: float, size: float, width: float) -> None:
    """A caption in small type, shrunk to fit its box's width."""
    while size > 3.5 and pdf.stringWidth(text, CAPTION_FONT, size) > width:
        size -= 0.25
    pdf.setFont(CAPTION_FONT, size)
    pdf.drawString(x, _y(top), text)


def _label(pdf: canvas.Canvas, label: Label) -> None:
    top = top_of(label.line)
    baseline = {"top": top + label.size + 0.3, "middle": top + 6 + label.size * 0.36, "bottom": top + 11.2}
    pdf.setFont(CAPTION_FONT, label.size)
    pdf.drawString(x_of(label.edge), _y(baseline[label.place]), label.text)


def _shade_supplemental_lines(pdf: canvas.Canvas) -> None:
    pdf.setFillColorRGB(*SHADE)
    for n in range(SERVICE_LINES):
        line = FIRST_SERVICE_LINE - 1 + 2 * n
        pdf.rect(x_of(0.5), _y(top_of(line + 1)), x_of(80) - x_of(0.5), top_of(line + 1) - top_of(line),
                 stroke=0, fill=1)
    pdf.setFillColorRGB(*FORM_RED)
    pdf.setFont("Helvetica-Bold", 10)
    for n in range(SERVICE_LINES):  # the line numbers in the left margin
        pdf.drawString(x_of(0.5) - 9, _y(top_of(FIRST_SERVICE_LINE + 2 * n) + 4), str(n + 1))


def _dividers(pdf: canvas.Canvas) -> None:
    """The short rules inside boxes: date parts, 24D's modifiers, 24F's cents, the dashed line in 24I/J."""
    pdf.setLineWidth(0.4)

    def tick(edge: float, line: int, fraction: float = 0.6) -> None:
        bottom = top_of(line + 1)
        pdf.line(x_of(edge), _y(bottom), x_of(edge), _y(bottom - (bottom - top_of(line)) * fraction))

    for n in range(SERVICE_LINES):
        line = FIRST_SERVICE_LINE + 2 * n
        for edge in (3.5, 6.5, 9.5, 12.5, 15.5, 32.0, 35.5, 38.5, 41.5, 55.5):
            tick(edge, line)
        pdf.setDash(2, 2)
        pdf.line(x_of(64.5), _y(top_of(line)), x_of(80), _y(top_of(line)))
        pdf.setDash()
    for line, edges in ((12, (33.5, 36.5)), (22, (55.5, 58.5)), (34, (4.5, 7.5, 39.5, 42.5, 56.5, 59.5, 70.5, 73.5)),
                        (36, (56.5, 59.5, 70.5, 73.5)), (40, (61.0,)), (58, (57.5, 67.5)), (24, (53.0,)),
                        (36, (3.0, 32.0)), (35, (32.0,)), (38, (69.5,)), (39, (41.7, 43.3))):
        for edge in edges:
            tick(edge, line)
    pdf.setDash(2, 2)
    pdf.line(x_of(27.5), _y(top_of(36)), x_of(49.5), _y(top_of(36)))
    pdf.setDash()
    for i in range(12):  # the underlines of 21 A-L
        line, column = 40 + i // 4, 3 + 13 * (i % 4)
        pdf.line(x_of(column - 0.3), _y(top_of(line + 1) - 0.5), x_of(column + 9), _y(top_of(line + 1) - 0.5))


def _side_titles(pdf: canvas.Canvas) -> None:
    """The vertical titles in the right margin, with their arrows."""
    x = x_of(80) + 8
    pdf.setLineWidth(0.6)
    for title, first, last in (("CARRIER", 2, 8), ("PATIENT AND INSURED INFORMATION", 9, 32),
                               ("PHYSICIAN OR SUPPLIER INFORMATION", 33, 63)):
        top, bottom = top_of(first) + 3, top_of(last + 1) - 3
        middle = (top + bottom) / 2
        half = pdf.stringWidth(title, "Helvetica-Bold", 7) / 2 + 4
        pdf.line(x, _y(top), x, _y(middle - half))
        pdf.line(x, _y(middle + half), x, _y(bottom))
        pdf.line(x - 2.5, _y(bottom - 4), x, _y(bottom))
        pdf.line(x + 2.5, _y(bottom - 4), x, _y(bottom))
        pdf.saveState()
        pdf.translate(x + 2.5, _y(middle))
        pdf.rotate(90)
        pdf.setFont("Helvetica-Bold", 7)
        pdf.drawCentredString(0, 0, title)
        pdf.restoreState()


__all__ = ["FIELDS", "Field", "form_pages", "form_values", "render"]
