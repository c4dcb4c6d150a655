"""claim_detail.html renders a ClaimDetail readably and safely: a heading per section, header cells with a scope,
the EOB's reasons in words, amounts right-aligned, text escaped, no inline script or style (the CSP), and a
withheld section saying so. Rendered through Jinja2 directly (no database, no route)."""

from __future__ import annotations

import datetime
import re

from dermbill.core.money import Money
from dermbill.services.claim_detail import (
    ClaimDetail,
    DetailAcknowledgment,
    DetailBatch,
    DetailDenialItem,
    DetailEvent,
    DetailFinding,
    DetailLine,
    DetailPatient,
    DetailPosting,
    DetailRemittance,
    DetailSections,
    EobAdjustment,
    EobLine,
    ReasonWords,
)
from dermbill.services.claim_views import ClaimSummary
from dermbill.web.pages.common import TEMPLATES

DOS = datetime.date(2026, 3, 2)
AT = datetime.datetime(2026, 4, 2, 9, 0, tzinfo=datetime.UTC)
BUNDLED = "Paid as part of another service already decided (bundled)"


def _detail(sections: DetailSections) -> ClaimDetail:
    eob = DetailRemittance(
        "TEST MEDICARE", "EFT-1", datetime.date(2026, 4, 1), datetime.date(2026, 4, 1), "835.x12", "1",
        "processed as primary", "PCN-1", (
            EobLine(1, "11642", (), 1, Money(125000), Money(12000), Money(9600), (
                EobAdjustment("CO", "contractual obligation: the practice writes it off", "45",
                              "Charge above the fee schedule", Money(113000)),
                EobAdjustment("PR", "patient responsibility", "2", "The patient's coinsurance share",
                              Money(2400))), ()),
            EobLine(2, "11104", ("XS",), 1, Money(15000), None, Money(0), (
                EobAdjustment("CO", "contractual obligation: the practice writes it off", "97", BUNDLED,
                              Money(15000)),), (ReasonWords("M15", "Billed separately, bundled"),))))
    return ClaimDetail(
        summary=ClaimSummary("D1E0000537", "D1", "partially_paid", "TEST MEDICARE", DOS, Money(140000)),
        patient=DetailPatient("O'BRIEN <TEST>, JANE", "A-1", "1EG4TE5MK72"), payer_claim_number="PCN-1",
        frequency_code="1", rendering_provider="TESTDOC, ANN MD", diagnosis_codes=("C44.319", "L82.1"),
        original_claim=None, primary_claim=None,
        lines=(DetailLine(1, "11642", (), 1, Money(125000), ("C44.319",), DOS, None, "malignant excision of A"),
               DetailLine(2, "11104", ("XS",), 1, Money(15000), ("L82.1",), DOS, None, "punch biopsy of B")),
        findings=(DetailFinding("lcd-documentation", "warning", (2,), "indication not documented",
                                "add the reason for the biopsy", AT),),
        events=(DetailEvent(AT, "ready", "submitted", "x12", "sent in 837P-D1-000000001.x12"),
                DetailEvent(AT, "submitted", "accepted", "sync", "277CA: accepted by the payer")),
        batches=(DetailBatch("837P-D1-000000001.x12", "000000001", "1", "0001", AT, AT, 3, Money(300000),
                             "accepted"),),
        acknowledgments=(DetailAcknowledgment("999", True, "the file was accepted", "837P-D1-000000001.x12", None),
                         DetailAcknowledgment("277CA", True, "accepted by the payer", None, AT)),
        remittances=(eob,) if sections.payments else (),
        postings=(DetailPosting(DOS, "charge", "charges of claim D1E0000537", "1100", "Accounts receivable: "
                                "insurance", Money(125000), 1),
                  DetailPosting(DOS, "charge", "charges of claim D1E0000537", "4000", "Gross patient service "
                                "charges", Money(-140000), None)) if sections.payments else (),
        denial_items=(DetailDenialItem(
            "denial", "open", (2,), ("11104",), "CO", ReasonWords("97", BUNDLED), (ReasonWords("M15", "bundled"),),
            "Coding and bundling", "Correct and resubmit", "11104 was bundled into 11642", (
                "line 2: take XS off and add 59",), Money(15000), datetime.date(2026, 4, 1),
            datetime.date(2027, 4, 1), None, None, None),) if sections.denials else (),
        sections=sections)


def _render(detail: ClaimDetail) -> str:
    return TEMPLATES.env.get_template("claim_detail.html").render(
        claim=detail, title=f"Claim {detail.claim_number}", user=None, navigation=[], csrf_token=None)


def test_every_section_has_a_heading_and_every_header_cell_a_scope() -> None:
    page = _render(_detail(DetailSections(payments=True, denials=True)))

    assert '<h1 id="claim-title">Claim D1E0000537</h1>' in page
    assert re.findall(r"<h2[^>]*>([^<]+)</h2>", page) == [
        "Lines", "Scrub findings", "History", "837P files", "Acknowledgments (999 and 277CA)",
        "Payments (explanation of benefits)", "Ledger postings", "Denial work items"]
    header_cells = re.findall(r"<th\b[^>]*>", page)
    assert header_cells and all('scope="' in cell for cell in header_cells)


def test_the_eob_says_each_reason_in_words_and_amounts_are_right_aligned() -> None:
    page = _render(_detail(DetailSections(payments=True, denials=True)))

    assert "TEST MEDICARE: processed as primary" in page
    assert BUNDLED in page and "M15: Billed separately, bundled" in page
    assert "patient responsibility" in page
    assert '<td class="money">1,250.00</td>' in page  # billed
    assert '<td class="money">96.00</td>' in page  # paid
    assert '<td class="money">1,400.00</td>' in page  # the credit of gross charges, in the credit column
    assert "line 2: take XS off and add 59" in page
    assert "malignant excision of A" in page


def test_text_is_escaped_and_there_is_no_inline_script_or_style() -> None:
    page = _render(_detail(DetailSections(payments=True, denials=True)))

    assert "O&#39;BRIEN &lt;TEST&gt;, JANE" in page and "<TEST>" not in page
    assert " style=" not in page and "<style" not in page
    assert all(' src="' in tag for tag in re.findall(r"<script\b[^>]*>", page))
    assert "onclick" not in page.lower()


def test_a_section_the_role_may_not_see_says_so() -> None:
    page = _render(_detail(DetailSections(payments=False, denials=False)))

    assert "Your role may not see remittances." in page
    assert "Your role may not see the claim's ledger." in page
    assert "Your role may not see the denial work queue." in page
    assert BUNDLED not in page
