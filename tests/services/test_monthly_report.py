"""The monthly practice report on a small hand-built ledger: its figures, and the PDF reading them back.

Practice P1, November 2026 as of 30 November (Medicare MCR unless said):
- October: A seen 5 Oct, $200, sent 6 Oct; 835 of 20 Oct pays $120, $80 contractual. October: 1 claim first
  adjudicated, none denied (0.0%); payments $120.
- November: B seen 2 Nov, $300, sent 3 Nov; 835 of 20 Nov denies it all (coverage ended, CO-27, $300).
  C (commercial CIG) seen 5 Nov, $100, sent 6 Nov; 835 of 25 Nov pays $70, $30 contractual.
  November: payments $70; charges $400; net collection 70 / (400 - 30) = 18.92%; 2 claims first adjudicated,
  1 denied: 50.0% of claims, 300 / 400 = 75.0% of their charges; the only cause, eligibility and coverage: 100%.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pdfplumber
from report_world import ReportWorld, day

from dermbill.core.reports.periods import month_period
from dermbill.db.engine import Database
from dermbill.pdf.monthly_report import change_text, monthly_report_pdf
from dermbill.services.monthly_report import monthly_report

NOVEMBER = month_period(2026, 11)


def _world(database: Database) -> ReportWorld:
    w = ReportWorld(database)
    a = w.claim("P1", dos=day(10, 5), lines=[("11102", 20000)], submitted_on=day(10, 6))
    r1 = w.remittance("P1", "MCR", on=day(10, 20))
    w.adjudicate(a, 1, r1, on=day(10, 20), paid=12000)
    w.pay(a, 1, 12000, on=day(10, 20))
    w.adjust(a, 1, 8000, on=day(10, 20))

    b = w.claim("P1", dos=day(11, 2), lines=[("11102", 30000)], submitted_on=day(11, 3))
    r2 = w.remittance("P1", "MCR", on=day(11, 20))
    w.adjudicate(b, 1, r2, on=day(11, 20), paid=0)
    w.denial_item(b, [1], on=day(11, 20), amount=30000, remittance_id=r2, carc="27",
                  category="eligibility_coverage", action="verify_coverage")
    w.deny(b, 1, 30000, on=day(11, 20))

    c = w.claim("P1", dos=day(11, 5), payer="CIG", lines=[("11102", 10000)], submitted_on=day(11, 6))
    r3 = w.remittance("P1", "CIG", on=day(11, 25))
    w.adjudicate(c, 1, r3, on=day(11, 25), paid=7000)
    w.pay(c, 1, 7000, on=day(11, 25))
    w.adjust(c, 1, 3000, on=day(11, 25))
    return w


def _text(path: Path) -> list[str]:
    """Each page's words, whitespace made single spaces (a sentence wrapped over lines reads whole)."""
    with pdfplumber.open(path) as pdf:
        return [" ".join((page.extract_text() or "").split()) for page in pdf.pages]


def test_the_month_figures_and_narrative(database: Database) -> None:
    w = _world(database)
    report = monthly_report(database, "P1", NOVEMBER)
    assert report.as_of == day(11, 30) and report.practice_code == "P1"
    values = {f.key: (f.value, f.previous) for f in report.figures}
    assert values["payments"] == (Decimal("70.00"), Decimal("120.00"))
    assert values["charges"] == (Decimal("400.00"), Decimal("200.00"))
    assert values["net_collection_rate"][0] == Decimal("18.92")
    assert values["denial_rate_count"] == (Decimal("50.00"), Decimal("0.00"))
    assert values["denial_rate_dollars"][0] == Decimal("75.00")
    assert report.narrative[1] == ("The denial rate rose from 0.0% to 50.0% of claims (1 of 2 first adjudicated in "
                                   "November; 75.0% of their charges); the largest cause is eligibility and "
                                   "coverage, 100.0% of denied dollars.")
    assert [p.label for p in report.trend] == ["Jun 2026", "Jul 2026", "Aug 2026", "Sep 2026", "Oct 2026",
                                               "Nov 2026"]
    assert [p.payments for p in report.trend][-2:] == [Decimal("120.00"), Decimal("70.00")]
    assert report.trend[-1].denial_rate == Decimal("50.00")
    assert w.practices["P1"]


def test_the_pdf_prints_the_computed_figures(database: Database, tmp_path: Path) -> None:
    _world(database)
    report = monthly_report(database, "P1", NOVEMBER)
    content = monthly_report_pdf(report)
    assert content == monthly_report_pdf(report)  # the same report, the same bytes
    path = tmp_path / "m.pdf"
    path.write_bytes(content)
    pages = _text(path)
    first = pages[0]
    assert "REPORT TEST DERMATOLOGY 1" in first and "Monthly practice report: November 2026" in first
    assert "as of November 30, 2026" in first and "Page 1 of" in first and "docs/reports.md" in first
    for key in ("payments", "charges", "net_collection_rate", "denial_rate_count", "denial_rate_dollars",
                "days_in_ar"):
        figure = report.figure(key)
        assert f"{figure.label} {figure.shown()} " in first, key
        assert change_text(figure) in first
    assert "Payments $70.00 $120.00 -$50.00" in first
    assert "Denial rate (claims) 50.0% 0.0% +50.0 pts" in first
    for sentence in report.narrative:
        assert sentence in first
    rest = " ".join(pages[1:])
    assert "Denials by root cause, November 2026" in rest and "Eligibility and coverage" in rest
    assert "A/R aging by payer" in rest and "Days in A/R by payer" in rest
    assert "PATIENT" not in " ".join(pages)  # no patient is named


def test_a_month_with_nothing_in_it_says_so(database: Database, tmp_path: Path) -> None:
    _world(database)
    report = monthly_report(database, "P2", NOVEMBER)
    assert "No claims were adjudicated in November, so there is no denial rate." in report.narrative
    path = tmp_path / "empty.pdf"
    path.write_bytes(monthly_report_pdf(report))
    pages = _text(path)
    assert "No denials in November 2026" in pages[1] and "Nothing owed on this day" in pages[1]
