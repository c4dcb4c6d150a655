"""The payment poster's pages: upload an 835 (once), read its EOB with every code in words, match a held payment to
a claim by hand, release a quarantined 835, post a paper EOB with per-line errors, reconcile a deposit; roles
that may only read cannot change anything."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from era_world import add_claim, denied, paid_claim, remittance, settled, write
from page_world import Pages, pages  # noqa: F401 - the fixture
from sqlalchemy import func, select

from dermbill.db.engine import Database
from dermbill.db.models import BackgroundJobRow, PayerRow, PracticeRow, RemittanceRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.background_jobs import run_job
from dermbill.web.pages import payment_desk

TWO_LINES = [("11102", (), 15000), ("17110", (), 12000)]


def _upload(desk: Pages, path: Path) -> str:
    answer = desk.client.post("/payments/upload", data={"csrf_token": desk.csrf},
                              files={"file": (path.name, path.read_bytes(), "application/octet-stream")})
    assert answer.status_code == 303, answer.text
    page = desk.client.get("/payments").text
    message = re.search(r'<p class="notice" role="status">([^<]*)</p>', page)
    assert message, page[-3000:]
    return page


def test_a_poster_uploads_an_835_once_reads_its_eob_and_matches_the_held_payment(pages: Pages,  # noqa: F811
                                                                                 tmp_path: Path) -> None:
    paid, typo = add_claim(pages.ours, TWO_LINES), add_claim(pages.ours, TWO_LINES)
    lines = (settled(paid.lines[0], 9000, patient=(("2", 1000),)), denied(paid.lines[1], "CO", "97", remarks=("M15",)))
    stranger = dataclasses.replace(paid_claim(typo, tuple(settled(line, 8000) for line in typo.lines)),
                                   patient_control_number="X" + typo.pcn)
    path = write(tmp_path / "pay.835", (remittance((paid_claim(paid, lines), stranger), trace="EFT-WEB"),))
    pages.as_("biller")

    page = _upload(pages, path)
    assert "EFT-WEB" in page and "posted for ERA" in page and "1 held for a person" in page
    again = _upload(pages, path)
    assert "already posted" in again and "nothing was posted again" in again
    remittance_id = re.search(r'href="/payments/remittances/(\d+)"', page).group(1)  # type: ignore[union-attr]
    eob = pages.client.get(f"/payments/remittances/{remittance_id}/claims/1")
    assert eob.status_code == 200
    assert "Paid as part of another procedure" in eob.text or "M15" in eob.text
    assert "patient responsibility" in eob.text and "$80.00" in eob.text and "data-print" in eob.text
    held_id = re.search(r'href="/payments/unmatched/(\d+)"', page).group(1)  # type: ignore[union-attr]
    found = pages.client.get(f"/payments/unmatched/{held_id}", params={"q": typo.pcn})
    assert found.status_code == 200 and f"claim={typo.pcn}" in found.text
    chosen = pages.client.get(f"/payments/unmatched/{held_id}", params={"q": typo.pcn, "claim": typo.pcn})
    assert 'name="line_1"' in chosen.text and 'name="line_2"' in chosen.text
    matched = pages.post(f"/payments/unmatched/{held_id}/match", claim_number=typo.pcn, line_1="1", line_2="2")
    assert matched.status_code == 303
    after = pages.client.get("/payments").text
    assert f"Posted the held payment to claim {typo.pcn}" in after and "Every claim payment found its claim" in after


def test_a_reader_may_not_upload_or_match(pages: Pages, tmp_path: Path) -> None:  # noqa: F811
    pages.as_("auditor")
    answer = pages.client.post("/payments/upload", data={"csrf_token": pages.csrf},
                               files={"file": ("x.835", b"ISA", "application/octet-stream")})
    assert answer.status_code == 403
    assert pages.client.get("/payments/post").status_code == 403
    pages.as_("front_desk")
    assert pages.client.get("/payments/quarantine").status_code == 403


def test_a_quarantined_835_is_shown_with_its_reason_and_released(pages: Pages, tmp_path: Path) -> None:  # noqa: F811
    claim = add_claim(pages.ours, TWO_LINES)
    unknown = dataclasses.replace(remittance((paid_claim(claim, tuple(settled(line, 9000) for line in claim.lines)),),
                                             trace="EFT-Q"), payer_id="NEWPAYER")
    pages.as_("biller")
    _upload(pages, write(tmp_path / "q.835", (unknown,)))
    page = pages.client.get("/payments/quarantine").text
    assert "EFT-Q" in page and "NEWPAYER" in page and "Release and post" in page
    held = re.search(r'/payments/remittances/(\d+)/release', page).group(1)  # type: ignore[union-attr]
    refused = pages.post(f"/payments/remittances/{held}/release")
    assert "Not released" in pages.client.get(refused.headers["location"]).text
    with UnitOfWork(pages.ours.database, actor="test") as uow:
        uow.session.query(PayerRow).filter(PayerRow.payer_identifier == "TSTMCR").update(
            {PayerRow.payer_identifier: "NEWPAYER"})
        uow.commit()
    released = pages.post(f"/payments/remittances/{held}/release")
    assert released.headers["location"] == f"/payments/remittances/{held}"
    assert "Released" in pages.client.get(released.headers["location"]).text


def test_a_paper_eob_with_a_wrong_line_says_which_and_posts_once_corrected(pages: Pages) -> None:  # noqa: F811
    claim = add_claim(pages.ours, TWO_LINES)
    pages.as_("biller")
    form = pages.client.get("/payments/post", params={"claim": claim.pcn})
    assert form.status_code == 200 and 'name="l1_paid"' in form.text
    wrong = pages.post(f"/payments/post/{claim.pcn}/eob", check_number="CHK9", paid_on="2026-03-09",
                       l1_paid="90.00", l1_a1_group="CO", l1_a1_carc="45", l1_a1_amount="50.00", l2_paid="")
    assert wrong.status_code == 422
    assert "line 1 paid" in wrong.text and "must account for" in wrong.text
    right = pages.post(f"/payments/post/{claim.pcn}/eob", check_number="CHK9", paid_on="2026-03-09",
                       l1_paid="100.00", l1_a1_group="CO", l1_a1_carc="45", l1_a1_amount="50.00", l2_paid="")
    assert right.status_code == 303
    shown = pages.client.get(right.headers["location"]).text
    assert "Paper EOB" in shown and "posted for ERA" in shown


def test_a_deposit_is_entered_matched_and_reconciled(pages: Pages, tmp_path: Path) -> None:  # noqa: F811
    claim = add_claim(pages.ours, TWO_LINES)
    pages.as_("biller")
    _upload(pages, write(tmp_path / "d.835", (remittance((paid_claim(claim, tuple(
        settled(line, 9000) for line in claim.lines)),), trace="EFT-D"),)))
    bad = pages.post("/payments/deposits", practice=str(pages.ours.practice_id), deposit_date="2026-04-01",
                     amount="abc", reference="SLIP-9")
    assert bad.status_code == 422 and "is not an amount" in bad.text
    made = pages.post("/payments/deposits", practice=str(pages.ours.practice_id), deposit_date="2026-04-01",
                      amount="180.00", reference="SLIP-9")
    assert made.status_code == 303
    page = pages.client.get(made.headers["location"]).text
    found = re.search(r'name="receipt" value="([^"]+)"', page)
    assert found, page[page.find("<main"):]
    key = found.group(1)
    matched = pages.post(made.headers["location"] + "/match", receipt=key)
    assert "it reconciles" in pages.client.get(matched.headers["location"]).text


def _posted(database: Database, trace: str) -> int:
    with UnitOfWork(database, actor="test") as uow:
        return int(uow.session.scalar(select(func.count()).select_from(RemittanceRow).where(
            RemittanceRow.trace_number == trace, RemittanceRow.status == "posted")) or 0)


def test_a_large_835_uploaded_on_postgresql_is_posted_by_a_worker_as_the_sender_may(
        pages: Pages, database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    if database.backend != "postgresql":
        pytest.skip("on SQLite jobs run in the asking process: a large upload is posted in the request")
    monkeypatch.setattr(payment_desk, "POST_AS_JOB_BYTES", 100)
    pages.client.app.state.upload_dir = tmp_path / "uploads"  # type: ignore[attr-defined]
    ours = add_claim(pages.ours, TWO_LINES)
    mine = write(tmp_path / "big.835", (remittance(
        (paid_claim(ours, tuple(settled(line, 8000) for line in ours.lines)),), trace="EFT-BIG"),))
    pages.as_("biller")

    page = _upload(pages, mine)
    found = re.search(r"big\.835 \(0 MB\) is posted in the background as job (\d+)", page)
    assert found, page[-2000:]
    [kept] = (tmp_path / "uploads").glob("*/big.835")
    assert kept.read_bytes() == mine.read_bytes() and _posted(database, "EFT-BIG") == 0  # a worker posts it
    summary = run_job(database, int(found.group(1)), attempt=1)  # what the worker does with the job
    assert summary["claims_posted"] == 1 and _posted(database, "EFT-BIG") == 1 and not kept.exists()
    jobs = pages.client.get("/jobs").text
    assert "post 835" in jobs and "<strong>succeeded</strong>" in jobs and "100%" in jobs

    with UnitOfWork(database, actor="test") as uow:  # posted as the sender may: their company and practices
        arguments = uow.session.get(BackgroundJobRow, int(found.group(1))).arguments  # type: ignore[union-attr]
        company = uow.session.get(PracticeRow, pages.ours.practice_id).organization_id  # type: ignore[union-attr]
    assert arguments["organization_id"] == company and arguments["practices"] == [pages.ours.practice_id]
    assert arguments["uploaded"] is True
