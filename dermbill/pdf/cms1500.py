"""The CMS-1500 (02/12) claim form as a PDF: values only, to print on the red pre-printed form, or the full form.

Each box is a rectangle on a US Letter page (points from the bottom left); a value is written at the
top left of its box's data area, in 10-point Courier as the NUCC instructions expect. The same box
table draws the outlines and captions of the plain full form, and lets tests read values back by box.
"""

from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass

from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

from dermbill.core.claim_form import BillingProvider, ProfessionalClaim
from dermbill.core.money import Money

FONT = "Courier"
SIZE = 9
LINES_ON_FORM = 6


@dataclass(frozen=True, slots=True)
class Box:
    name: str
    caption: str
    x: float
    y: float  # bottom of the box
    width: float
    height: float


def _row(y: float, height: float, *boxes: tuple[str, str, float, float]) -> list[Box]:
    return [Box(name, caption, x, y, width, height) for name, caption, x, width in boxes]


TOP = 700.0
BOXES: dict[str, Box] = {box.name: box for box in [
    *_row(TOP, 24, ("1", "1. MEDICARE / MEDICAID / GROUP HEALTH PLAN / OTHER", 24, 340),
          ("1a", "1a. INSURED'S I.D. NUMBER", 364, 224)),
    *_row(TOP - 26, 24, ("2", "2. PATIENT'S NAME (Last, First, MI)", 24, 210), ("3", "3. BIRTH DATE / SEX", 234, 130),
          ("4", "4. INSURED'S NAME (Last, First, MI)", 364, 224)),
    *_row(TOP - 52, 24, ("5", "5. PATIENT'S ADDRESS", 24, 210), ("6", "6. RELATIONSHIP TO INSURED", 234, 130),
          ("7", "7. INSURED'S ADDRESS", 364, 224)),
    *_row(TOP - 78, 24, ("5b", "CITY / STATE / ZIP", 24, 210), ("8", "8. RESERVED", 234, 130),
          ("7b", "CITY / STATE / ZIP", 364, 224)),
    *_row(TOP - 104, 24, ("9", "9. OTHER INSURED'S NAME", 24, 210), ("10", "10. CONDITION RELATED TO", 234, 130),
          ("11", "11. INSURED'S POLICY GROUP OR FECA NUMBER", 364, 224)),
    *_row(TOP - 130, 24, ("9d", "9d. OTHER INSURANCE PLAN NAME", 24, 210), ("10d", "10d. CLAIM CODES", 234, 130),
          ("11c", "11c. INSURANCE PLAN NAME", 364, 224)),
    *_row(TOP - 156, 24, ("12", "12. PATIENT'S SIGNATURE", 24, 340), ("13", "13. INSURED'S SIGNATURE", 364, 224)),
    *_row(TOP - 182, 24, ("17", "17. REFERRING PROVIDER", 24, 340), ("23", "23. PRIOR AUTHORIZATION NUMBER", 364, 224)),
    *_row(TOP - 226, 42, ("21", "21. DIAGNOSIS (ICD Ind. 0)  A-L", 24, 340),
          ("22", "22. RESUBMISSION CODE / ORIGINAL REF. NO.", 364, 224)),
    *_row(TOP - 240, 12, ("24h", "24. A DATE(S)   B POS  D CPT/HCPCS  MODIFIER   E PTR  F CHARGES  G UNITS  J NPI",
                          24, 564)),
    *[box for n in range(1, LINES_ON_FORM + 1) for box in _row(
        TOP - 240 - 24 * n, 24, (f"24.{n}A", "", 24, 112), (f"24.{n}B", "", 136, 28), (f"24.{n}D", "", 164, 150),
        (f"24.{n}E", "", 314, 40), (f"24.{n}F", "", 354, 70), (f"24.{n}G", "", 424, 40), (f"24.{n}J", "", 464, 124))],
    *_row(TOP - 412, 24, ("25", "25. FEDERAL TAX I.D. NUMBER (EIN)", 24, 140),
          ("26", "26. PATIENT'S ACCOUNT NO.", 164, 150),
          ("27", "27. ACCEPT ASSIGNMENT?", 314, 50), ("28", "28. TOTAL CHARGE", 364, 110),
          ("29", "29. AMOUNT PAID", 474, 114)),
    *_row(TOP - 480, 66, ("31", "31. SIGNATURE OF PHYSICIAN OR SUPPLIER", 24, 140),
          ("32", "32. SERVICE FACILITY LOCATION INFORMATION", 164, 200),
          ("33", "33. BILLING PROVIDER INFO & PH #", 364, 224)),
    *_row(TOP - 496, 16, ("32a", "32a. NPI", 164, 200), ("33a", "33a. NPI", 364, 224)),
]}
INSURANCE_TYPE = {"MB": "MEDICARE", "MC": "MEDICAID", "CH": "TRICARE", "09": "SELF PAY"}
RELATIONSHIP = {"18": "SELF", "01": "SPOUSE", "19": "CHILD"}


def _money(amount: Money) -> str:
    dollars, cents = divmod(abs(amount.cents), 100)
    return f"{'-' if amount.cents < 0 else ''}{dollars} {cents:02d}"


def form_values(claim: ProfessionalClaim, billing: BillingProvider) -> dict[str, list[str]]:
    """The text of each box, line by line (what the tests read back)."""
    patient, insured = claim.patient, claim.subscriber
    values: dict[str, list[str]] = {
        "1": [f"X {INSURANCE_TYPE.get(claim.filing_indicator, 'GROUP HEALTH PLAN')}"],
        "1a": [claim.member_id],
        "2": [f"{patient.last_name}, {patient.first_name}"],
        "3": [f"{patient.date_of_birth:%m %d %Y}  {patient.sex or ''}" if patient.date_of_birth else ""],
        "4": [f"{insured.last_name}, {insured.first_name}"],
        "6": [f"X {RELATIONSHIP.get(claim.relationship_code, 'OTHER')}"],
        "11": [claim.group_number or "NONE"],
        "11c": [claim.payer.name],
        "12": ["SIGNATURE ON FILE"],
        "13": ["SIGNATURE ON FILE"],
        "21": _diagnoses(claim.diagnoses),
        "22": [f"{claim.frequency_code}  {claim.payer_claim_number}" if claim.frequency_code in ("7", "8") else ""],
        "23": [claim.prior_authorization or ""],
        "25": [f"{billing.tin[:2]}-{billing.tin[2:]}  X EIN"],
        "26": [claim.patient_control_number],
        "27": ["X YES"],
        "28": [_money(claim.total_charge)],
        "29": [_money(Money(0))],
        "31": ["SIGNATURE ON FILE"],
        "33": [billing.name, billing.address.line1,
               f"{billing.address.city} {billing.address.state} {billing.address.zip_code}", billing.phone or ""],
        "33a": [billing.npi],
    }
    for address, street, city in ((patient.address, "5", "5b"), (insured.address, "7", "7b")):
        if address is not None:
            values[street] = [address.line1]
            values[city] = [f"{address.city} {address.state} {address.zip_code}"]
    if claim.facility_address is not None and claim.facility_name:
        values["32"] = [claim.facility_name, claim.facility_address.line1,
                        f"{claim.facility_address.city} {claim.facility_address.state} "
                        f"{claim.facility_address.zip_code}"]
    if claim.other_payers:
        other = claim.other_payers[0]
        values["9"] = [f"{other.subscriber.last_name}, {other.subscriber.first_name}"]
        values["9d"] = [other.payer.name]
    letters = "ABCDEFGHIJKL"
    for n, line in enumerate(claim.lines[:LINES_ON_FORM], start=1):
        values[f"24.{n}A"] = [f"{line.date_of_service:%m %d %y}  {line.date_of_service:%m %d %y}"]
        values[f"24.{n}B"] = [claim.place_of_service]
        values[f"24.{n}D"] = [" ".join([line.code, *line.modifiers])]
        values[f"24.{n}E"] = ["".join(letters[p - 1] for p in line.pointers if 1 <= p <= 12)]
        values[f"24.{n}F"] = [_money(line.charge)]
        values[f"24.{n}G"] = [str(line.units)]
        values[f"24.{n}J"] = [claim.rendering_npi or billing.npi]
    return {name: [v for v in lines] for name, lines in values.items() if any(lines)}


def _diagnoses(codes: tuple[str, ...]) -> list[str]:
    letters = "ABCDEFGHIJKL"
    cells = [f"{letters[i]}. {code.replace('.', '')}" for i, code in enumerate(codes[:12])]
    return ["   ".join(cells[start:start + 4]) for start in range(0, len(cells), 4)]


def render(claims: list[tuple[ProfessionalClaim, BillingProvider]], *, full_form: bool) -> bytes:
    """A PDF with one page per claim (claims with more than six lines continue on further pages)."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=letter)
    pdf.setTitle("CMS-1500 claims")
    for claim, billing in claims:
        for start in range(0, max(len(claim.lines), 1), LINES_ON_FORM):
            page = dataclasses.replace(claim, lines=claim.lines[start:start + LINES_ON_FORM])
            if full_form:
                _draw_form(pdf)
            _draw_values(pdf, form_values(page, billing))
            pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _draw_form(pdf: canvas.Canvas) -> None:
    pdf.setStrokeColorRGB(0.8, 0.1, 0.1)
    pdf.setFillColorRGB(0.8, 0.1, 0.1)
    pdf.setFont("Helvetica-Bold", 11)
    pdf.drawString(24, 750, "HEALTH INSURANCE CLAIM FORM")
    pdf.setFont("Helvetica", 6)
    pdf.drawString(24, 740, "APPROVED BY NATIONAL UNIFORM CLAIM COMMITTEE (NUCC) 02/12")
    for box in BOXES.values():
        pdf.rect(box.x, box.y, box.width, box.height, stroke=1, fill=0)
        if box.caption:
            pdf.drawString(box.x + 2, box.y + box.height - 6, box.caption)
    pdf.setFillColorRGB(0, 0, 0)


def _draw_values(pdf: canvas.Canvas, values: dict[str, list[str]]) -> None:
    pdf.setFont(FONT, SIZE)
    for name, lines in values.items():
        box = BOXES[name]
        top = box.y + box.height - (14 if box.caption else 9)
        for index, text in enumerate(lines):
            pdf.drawString(box.x + 4, top - index * (SIZE + 1), text[: int(box.width / 5.4)])
