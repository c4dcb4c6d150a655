"""Stored claims printed on the CMS-1500: each claim's own facts read back from the red form's cells."""

from __future__ import annotations

import datetime
from pathlib import Path

import pdfplumber
import pytest
from sqlalchemy import select

from dermbill.db.engine import Database
from dermbill.db.models import ClaimLineRow, ClaimRow
from dermbill.db.repositories import UnitOfWork
from dermbill.pdf.cms1500_layout import FIELDS
from dermbill.services.demo import DemoOptions, build_demo
from dermbill.services.printing import print_claims


def _read(page: pdfplumber.page.Page, name: str) -> str:
    x0, top, x1, bottom = FIELDS[name].bbox
    return (page.within_bbox((x0 - 0.5, top - 0.5, x1 + 0.5, bottom + 0.5)).extract_text() or "").strip()


def test_stored_claims_print_their_own_facts_in_the_boxes(database: Database, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    build_demo(database, DemoOptions(out_dir=tmp_path / "demo", as_of=datetime.date(2026, 11, 26), patients=10,
                                     seed=3, cycle=False))
    with UnitOfWork(database, actor="test") as uow:
        claims = uow.session.scalars(select(ClaimRow).where(ClaimRow.coverage_id.is_not(None))
                                     .order_by(ClaimRow.id)).all()[:3]
        expected, pages = [], []
        for claim in claims:
            lines = uow.session.scalars(select(ClaimLineRow).where(ClaimLineRow.claim_id == claim.id)
                                        .order_by(ClaimLineRow.line_number)).all()
            expected.append((claim.id, claim.patient_control_number, lines[0].service_date_from,
                             lines[0].procedure_code, sum(line.charge_cents for line in lines[:6])))
            pages.append(-(-len(lines) // 6))
    target = tmp_path / "claims.pdf"
    assert print_claims(database, [claim_id for claim_id, *_ in expected], target, full_form=False,
                        signed_on=datetime.date(2026, 11, 27)) == len(expected) == 3
    with pdfplumber.open(target) as pdf:
        assert len(pdf.pages) == sum(pages)
        first_pages = [pdf.pages[sum(pages[:index])] for index in range(len(pages))]
        for page, (_, account, service_date, code, total) in zip(first_pages, expected, strict=True):
            assert _read(page, "26") == account
            assert (_read(page, "24.1.a.from.mm"), _read(page, "24.1.a.from.dd"),
                    _read(page, "24.1.a.from.yy")) == (f"{service_date:%m}", f"{service_date:%d}",
                                                         f"{service_date:%y}")
            assert _read(page, "24.1.d.code") == code
            assert (_read(page, "28.dollars"), _read(page, "28.cents")) == (str(total // 100), f"{total % 100:02d}")
            assert (_read(page, "31.date"), _read(page, "21.indicator")) == ("11 27 26", "0")
    # Box 31 is dated the day the form is printed unless told otherwise: dermbill's today (DERMBILL_TODAY here).
    monkeypatch.setenv("DERMBILL_TODAY", "2031-02-28")
    print_claims(database, [expected[0][0]], target, full_form=False)
    with pdfplumber.open(target) as pdf:
        assert _read(pdf.pages[0], "31.date") == "02 28 31"
