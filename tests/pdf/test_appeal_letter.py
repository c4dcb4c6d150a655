"""The appeal letter PDF read back with pdfplumber: what a reviewer needs is on the page, long letters flow on."""

from __future__ import annotations

import dataclasses
import datetime
import io
import re

import pdfplumber
import pytest

from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money
from dermbill.pdf.appeal_letter import (
    AppealedLine,
    AppealLetter,
    Letterhead,
    Underpaid,
    appeal_file_name,
    appeal_letter_pdf,
    appeal_letter_text,
)

DOS = datetime.date(2026, 3, 2)
DEADLINE = datetime.date(2026, 8, 29)
LETTERHEAD = Letterhead("TEST DERMATOLOGY ASSOCIATES", ("100 TEST ALPHA AVE, SUITE 2", "ANYTOWN, PA 19099"),
                        "215-555-0100", "1234567893", tax_id="99-0000001")
DENIED = AppealedLine(1, DOS, "17110", (), 1, Money(18500), "CO-50 / N115",
                      "Not deemed medically necessary; the payer says the LCD does not support it")
VISIT = AppealedLine(2, DOS, "99213", ("25",), 1, Money(12540), "CO-97",
                     "Bundled into the procedure; the visit addressed a separate problem")
DOCUMENTATION = (
    "Lesion A, left forearm: 0.6 cm verrucous papule, bleeding when caught on clothing for 3 weeks",
    "Lesion A: patient reports itching that disturbs sleep; no prior treatment",
    "Destruction by liquid nitrogen cryotherapy, 2 freeze-thaw cycles; consent documented",
)
POLICIES = (
    "LCD L35498 (Removal of Benign Skin Lesions): covered when a lesion bleeds, itches or is inflamed",
    "NCCI PTP edit 11642/11102: not billed together on the same lesion",
)
LETTER = AppealLetter(
    letterhead=LETTERHEAD,
    written_on=datetime.date(2026, 4, 15),
    payer_name="TEST MEDICARE ADMINISTRATIVE CONTRACTOR",
    payer_address_lines=("PO BOX 0000", "TESTVILLE, PA 19000"),
    title="Request for redetermination",
    patient_name="TEST, ALICE",
    patient_date_of_birth=datetime.date(1950, 1, 2),
    member_id="1EG4TE5MK73",
    claim_number="D1E0000042",
    payer_claim_number="MCRICN0000042",
    rendering_provider="Jane TEST, MD",
    lines=(DENIED, VISIT),
    summary="The payer denied the destruction of a benign lesion (17110) as not medically necessary. The lesion "
            "bled and itched, which LCD L35498 names as reasons to remove a benign lesion, and the chart says so.",
    documentation=DOCUMENTATION,
    policies=POLICIES,
    request="Please reverse the denial of lines 1 and 2 and reprocess the claim for payment.",
    enclosures=("Progress note of 03/02/2026", "Remittance advice of 03/30/2026"),
    signer="Jane TEST, MD, FAAD",
    deadline=DEADLINE,
)


def _pages(pdf_bytes: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def _text(letter: AppealLetter) -> str:
    return " ".join(_pages(appeal_letter_pdf(letter)))


def _words(text: str) -> str:
    """The text with line breaks and repeated spaces folded, so a wrapped sentence still reads as one."""
    return " ".join(text.split())


def test_the_letter_names_practice_payer_patient_claim_lines_and_signer() -> None:
    words = _words(_text(LETTER))
    for expected in ("TEST DERMATOLOGY ASSOCIATES", "1234567893", "99-0000001", "TEST MEDICARE ADMINISTRATIVE "
                     "CONTRACTOR", "PO BOX 0000", "TEST, ALICE", "01/02/1950", "1EG4TE5MK73", "D1E0000042",
                     "MCRICN0000042", "Jane TEST, MD", "April 15, 2026", "Request for redetermination",
                     "To the appeals reviewer:", "Sincerely,", "Jane TEST, MD, FAAD", "Progress note of 03/02/2026"):
        assert expected in words, expected
    for line in LETTER.lines:
        assert line.code in words and line.denial in words
    assert "99213 25" in words or "25" in words.split("99213", 1)[1][:20]
    assert "$185.00" in words and "$125.40" in words and "$310.40" in words  # the total of the appealed lines


def test_every_documentation_fact_and_policy_is_printed_as_written() -> None:
    words = _words(" ".join(_pages(appeal_letter_pdf(LETTER))))
    for fact in (*DOCUMENTATION, *POLICIES, LETTER.summary, LETTER.request):
        assert _words(fact) in words, fact
    assert "Documentation" in words and "Coverage policy and coding rules relied on" in words


def test_the_sections_come_in_letter_order() -> None:
    words = _words(_text(LETTER))
    order = ["TEST DERMATOLOGY ASSOCIATES", "April 15, 2026", "TEST MEDICARE ADMINISTRATIVE", "RE:",
             "Request for redetermination", "To the appeals reviewer:", "The payer denied", "Denial",
             "Documentation", "Coverage policy", "Please reverse", "Sincerely,", "Jane TEST, MD, FAAD", "Enclosures"]
    positions = [words.index(marker) for marker in order]
    assert positions == sorted(positions)


def test_the_deadline_is_in_the_metadata_subject_and_not_in_the_body() -> None:
    pdf_bytes = appeal_letter_pdf(LETTER)
    with pdfplumber.open(io.BytesIO(pdf_bytes)) as pdf:
        metadata = pdf.metadata
    assert metadata["Subject"] == "Appeal of claim D1E0000042, file by 2026-08-29"
    assert metadata["Author"] == "TEST DERMATOLOGY ASSOCIATES"
    assert "Request for redetermination" in metadata["Title"] and "D1E0000042" in metadata["Title"]
    body = _text(LETTER)
    assert "2026-08-29" not in body and "08/29/2026" not in body and "August 29" not in body


def test_without_a_deadline_the_subject_names_only_the_claim() -> None:
    with pdfplumber.open(io.BytesIO(appeal_letter_pdf(dataclasses.replace(LETTER, deadline=None)))) as pdf:
        assert pdf.metadata["Subject"] == "Appeal of claim D1E0000042"


def test_forty_documentation_bullets_flow_onto_more_pages_each_with_the_footer() -> None:
    facts = tuple(f"Fact {n:02d}: lesion {n} on the left forearm measured {n} mm, bled when scratched and itched "
                  "daily; photographed and documented in the progress note" for n in range(1, 41))
    pages = _pages(appeal_letter_pdf(dataclasses.replace(LETTER, documentation=facts)))
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert f"Claim D1E0000042 \u2014 page {number}" in text
    words = _words(" ".join(pages))
    for fact in facts:
        assert _words(fact) in words, fact
    assert "Jane TEST, MD, FAAD" in _words(pages[-1])  # the signature follows the bullets to the last page


def test_a_short_letter_fits_on_one_page_with_the_footer() -> None:
    short = dataclasses.replace(LETTER, lines=(DENIED,), documentation=DOCUMENTATION[:1], policies=POLICIES[:1],
                                enclosures=())
    [text] = _pages(appeal_letter_pdf(short))
    assert "Claim D1E0000042 \u2014 page 1" in text


def test_ampersands_and_angle_brackets_in_user_text_print_literally() -> None:
    letter = dataclasses.replace(
        LETTER, payer_name="TEST HEALTH & WELLNESS PLAN",
        documentation=("Lesion B <1 cm & bleeding; <b>not bold</b>",),
        summary="Denied as CO-50 & N115 <medical necessity>.",
    )
    words = _words(_text(letter))
    assert "TEST HEALTH & WELLNESS PLAN" in words
    assert "Lesion B <1 cm & bleeding; <b>not bold</b>" in words
    assert "Denied as CO-50 & N115 <medical necessity>." in words
    assert "&amp;" not in words


def test_without_a_payer_address_the_appeals_department_is_addressed() -> None:
    words = _words(_text(dataclasses.replace(LETTER, payer_address_lines=())))
    assert "TEST MEDICARE ADMINISTRATIVE CONTRACTOR Appeals department" in words


def test_the_same_letter_renders_to_the_same_bytes() -> None:
    assert appeal_letter_pdf(LETTER) == appeal_letter_pdf(dataclasses.replace(LETTER))


def test_a_different_letter_renders_to_different_bytes() -> None:
    assert appeal_letter_pdf(LETTER) != appeal_letter_pdf(dataclasses.replace(LETTER, signer="John TEST, PA-C"))


def test_an_appeal_without_lines_is_refused() -> None:
    with pytest.raises(InvalidInput, match="D1E0000042"):
        appeal_letter_pdf(dataclasses.replace(LETTER, lines=()))


def test_the_file_name_names_the_appeal_claim_work_item_and_date() -> None:
    assert appeal_file_name(LETTER, 7) == "appeal-D1E0000042-item7-20260415.pdf"
    assert appeal_file_name(LETTER, 8) != appeal_file_name(LETTER, 7)  # two items of one claim, two files


def test_a_second_copy_of_the_same_days_letter_gets_its_own_name() -> None:
    assert appeal_file_name(LETTER, 7, 2) == "appeal-D1E0000042-item7-20260415-2.pdf"
    assert appeal_file_name(LETTER, 7, 1) == appeal_file_name(LETTER, 7)


UNDERPAID = AppealedLine(1, DOS, "11102", (), 1, Money(15000), "Underpaid", "allowed below the contracted amount",
                         Underpaid(contracted=Money(10000), allowed=Money(8000), paid=Money(6400)))


def test_an_underpaid_line_asks_for_the_shortfall_with_contract_allowed_and_paid() -> None:
    words = _words(_text(dataclasses.replace(LETTER, lines=(UNDERPAID,))))
    assert "Contracted Allowed Paid Short" in words
    assert "$100.00 $80.00 $64.00 $20.00" in words
    assert "Total underpaid $20.00" in words
    assert "150.00" not in words and "Total appealed" not in words


def test_a_denied_line_asks_for_its_charge() -> None:
    words = _words(_text(LETTER))
    assert "Total appealed $310.40" in words and "Total underpaid" not in words


@pytest.mark.parametrize("claim_number", ["C/1042 <x>", "../../etc/passwd", "  ", "ÄÖ#1", "." * 5, "A" * 200])
def test_the_file_name_is_safe_whatever_the_claim_number(claim_number: str) -> None:
    name = appeal_file_name(dataclasses.replace(LETTER, claim_number=claim_number))
    assert re.fullmatch(r"[A-Za-z0-9._-]+", name), name
    assert "appeal" in name and name.endswith("-20260415.pdf") and not name.startswith(".")
    assert ".." not in name.removesuffix(".pdf") and "/" not in name and len(name) <= 100


def test_the_letter_as_text_says_what_the_pdf_says_in_its_order() -> None:
    text = appeal_letter_text(LETTER)
    order = ["TEST DERMATOLOGY ASSOCIATES", "April 15, 2026", "TEST MEDICARE ADMINISTRATIVE",
             "RE: Patient: TEST, ALICE", "Request for redetermination", "To the appeals reviewer:",
             "The payer denied", "Line 1, 03/02/2026, 17110", "Line 2, 03/02/2026, 99213 25",
             "Total appealed: $310.40", "Documentation", "Coverage policy", "Please reverse", "Sincerely,",
             "Jane TEST, MD, FAAD", "Enclosures", "Progress note of 03/02/2026"]
    positions = [text.index(marker) for marker in order]
    assert positions == sorted(positions)
    for fact in (*DOCUMENTATION, *POLICIES, "MCRICN0000042", "1EG4TE5MK73", "01/02/1950", "CO-50 / N115"):
        assert fact in text, fact
    assert "2026-08-29" not in text and "08/29/2026" not in text  # the deadline is for our tracking only


def test_an_underpaid_letter_as_text_asks_for_the_shortfall() -> None:
    text = appeal_letter_text(dataclasses.replace(LETTER, lines=(UNDERPAID,)))
    assert "contracted $100.00, allowed $80.00, paid $64.00, short $20.00" in text
    assert "Total underpaid: $20.00" in text and "$150.00" not in text
