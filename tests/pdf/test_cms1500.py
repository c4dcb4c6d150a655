"""The CMS-1500 PDF read back with pdfplumber: every value sits in its box, on the full form and the red form."""

from __future__ import annotations

import dataclasses
import datetime
import io

import pdfplumber
import pytest

from dermbill.core.claim_form import Address, BillingProvider, Payer, Person, ProfessionalClaim, ServiceLine
from dermbill.core.money import Money
from dermbill.pdf.cms1500 import BOXES, form_values, render

PAGE_HEIGHT = 792
OFFICE = Address("100 TEST ALPHA AVE", "ANYTOWN", "PA", "190990001")
BILLING = BillingProvider("TEST DERMATOLOGY ASSOCIATES", "1234561003", "990000001", "207N00000X", OFFICE,
                          phone="2155550100")
PATIENT = Person("TESTALPHA", "BRAVO", datetime.date(1950, 1, 2), "F", Address("1 TEST ST", "ANYTOWN", "PA", "19099"))
DOS = datetime.date(2026, 3, 2)
CLAIM = ProfessionalClaim(
    "D1E0000001", Money(75000), "11", "7", ("C44.311", "L57.0"),
    (ServiceLine("11642", (), Money(61000), 1, (1,), DOS, "D1E0000001-1"),
     ServiceLine("17000", ("XS",), Money(12000), 1, (2,), DOS, "D1E0000001-2"),
     ServiceLine("17003", (), Money(2000), 2, (2,), DOS, "D1E0000001-3")),
    Payer("TEST MEDICARE", "TSTMCR"), "P", "MB", PATIENT, "1EG4TE5MK73", None, "18", PATIENT,
    rendering_npi="1234560013", payer_claim_number="MCRICN1", prior_authorization="AUTH42",
)


def _box_text(page: pdfplumber.page.Page, name: str) -> str:
    box = BOXES[name]
    top = PAGE_HEIGHT - (box.y + box.height)
    return page.crop((box.x, top, box.x + box.width, top + box.height)).extract_text() or ""


@pytest.mark.parametrize("full_form", [True, False])
def test_every_value_is_in_its_box(full_form: bool) -> None:
    with pdfplumber.open(io.BytesIO(render([(CLAIM, BILLING)], full_form=full_form))) as pdf:
        [page] = pdf.pages
        for name, lines in form_values(CLAIM, BILLING).items():
            text = " ".join(_box_text(page, name).split())  # the PDF's text runs fold repeated spaces
            for line in lines:
                assert " ".join(line.split())[:20] in text, (name, line, text)
        whole = page.extract_text()
        assert ("HEALTH INSURANCE CLAIM FORM" in whole) == full_form


def test_the_boxes_hold_the_claims_facts() -> None:
    with pdfplumber.open(io.BytesIO(render([(CLAIM, BILLING)], full_form=True))) as pdf:
        page = pdf.pages[0]
        assert "1EG4TE5MK73" in _box_text(page, "1a")
        assert "A. C44311" in _box_text(page, "21") and "B. L570" in _box_text(page, "21")
        assert "7" in _box_text(page, "22") and "MCRICN1" in _box_text(page, "22")
        assert "17000 XS" in _box_text(page, "24.2D") and "B" in _box_text(page, "24.2E")
        assert "610 00" in _box_text(page, "24.1F") and "2" in _box_text(page, "24.3G")
        assert "750 00" in _box_text(page, "28") and "1234561003" in _box_text(page, "33a")
        assert "99-0000001" in _box_text(page, "25")


def test_a_claim_with_more_than_six_lines_continues_on_another_page() -> None:
    lines = tuple(ServiceLine("11102" if i == 0 else "11103", (), Money(10000), 1, (1,), DOS, f"L{i}")
                  for i in range(8))
    long_claim = dataclasses.replace(CLAIM, lines=lines)
    with pdfplumber.open(io.BytesIO(render([(long_claim, BILLING), (CLAIM, BILLING)], full_form=False))) as pdf:
        assert len(pdf.pages) == 3
        assert "11103" in _box_text(pdf.pages[1], "24.1D") and not _box_text(pdf.pages[1], "24.3D")
