"""The front desk's PDFs: the ABN fits one page as CMS-R-131 does, the same input gives the same bytes, and an empty
estimate or notice is refused (their content is checked through the check-in service's tests)."""

from __future__ import annotations

import datetime
import io

import pdfplumber
import pytest

from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money
from dermbill.pdf.front_desk import (
    AbnItem,
    AdvanceBeneficiaryNotice,
    GoodFaithEstimate,
    Party,
    abn_pdf,
    good_faith_estimate_pdf,
)
from dermbill.reference.abn_reasons import shipped_abn_reasons

PRACTICE = Party("TEST DERMATOLOGY", ("1 TEST ST", "ANYTOWN, PA 19099"), "1234567893", "990000001", "2155550100")
NOTICE = AdvanceBeneficiaryNotice(PRACTICE, "JANE DOE", "A-1", tuple(
    AbnItem(f"{reason.items} ({sorted(reason.codes)[0]})", reason.reason, Money(12000))
    for reason in shipped_abn_reasons()[:4]), "Visit of 03/10/2026.", datetime.date(2026, 3, 1))


def test_the_abn_fits_one_page_with_four_services_and_renders_the_same_bytes_each_time() -> None:
    content = abn_pdf(NOTICE)
    assert content == abn_pdf(NOTICE)
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        assert len(pdf.pages) == 1
        text = pdf.pages[0].extract_text() or ""
    assert text.count("OPTION") >= 3 and "0938-0566" in text


def test_an_empty_notice_or_estimate_is_refused() -> None:
    with pytest.raises(InvalidInput, match="at least one item"):
        abn_pdf(AdvanceBeneficiaryNotice(PRACTICE, "JANE DOE", "A-1", (), "", datetime.date(2026, 3, 1)))
    with pytest.raises(InvalidInput, match="at least one item or service"):
        good_faith_estimate_pdf(GoodFaithEstimate("JANE DOE", datetime.date(1950, 1, 1), "A-1", PRACTICE, PRACTICE,
                                                  PRACTICE, "visit", None, (), (), datetime.date(2026, 3, 1), (),
                                                  "GFE-1"))
