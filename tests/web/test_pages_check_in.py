"""The check-in pages (SQLite): the day's list, an appointment's checklist with who ticked what, the estimate and its
assumptions, the ABN and Good Faith Estimate downloads, a referral recorded, the copay collected once with its
receipt; the permissions (CHECK_IN, COLLECT_PATIENT_PAYMENTS) and the audit of every read."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from check_in_world import CheckInWorld, check_in_world
from fastapi.testclient import TestClient
from migrated_databases import migrated_sqlite_url
from sqlalchemy import select
from test_pages_auth import PASSWORD, csrf_of, sign_in

from dermbill.clock import TODAY_VARIABLE
from dermbill.core.access import Role
from dermbill.db.engine import Database, open_database
from dermbill.db.models import AuditEventRow, CopayReceiptRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.users import add_user, set_company_totp
from dermbill.web.app import create_app


class Desk:
    def __init__(self, client: TestClient, world: CheckInWorld, database: Database) -> None:
        self.client, self.world, self.database = client, world, database
        self.csrf = ""

    def as_(self, role: Role) -> Desk:
        self.client.cookies.clear()
        sign_in(self.client, f"{role.value}@era.test")
        self.csrf = csrf_of(self.client)
        return self

    def page(self, appointment: int) -> str:
        answer = self.client.get(f"/front-desk/appointments/{appointment}/check-in")
        assert answer.status_code == 200, answer.text[:500]
        return html.unescape(answer.text)

    def post(self, path: str, **fields: str) -> httpx.Response:
        return self.client.post(path, data={"csrf_token": self.csrf, **fields})


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    monkeypatch.setenv(TODAY_VARIABLE, "2026-03-10")
    url = migrated_sqlite_url(tmp_path / "desk.db")
    database = open_database(url)
    world = check_in_world(database)
    set_company_totp(database, "ERA TEST BILLING", required=False, actor="test")
    for role in (Role.FRONT_DESK, Role.BILLER, Role.CODER):
        add_user(database, company="ERA TEST BILLING", email=f"{role.value}@era.test", display_name=role.value,
                 roles=[role], practices=["ERA"], password=PASSWORD, actor="test")
    try:
        with TestClient(create_app(url), raise_server_exceptions=False, follow_redirects=False) as client:
            yield Desk(client, world, database)
    finally:
        database.dispose()


def test_the_front_desk_checks_an_hmo_patient_in_for_mohs(desk: Desk) -> None:
    desk.as_(Role.FRONT_DESK)
    listing = html.unescape(desk.client.get("/front-desk/check-in").text)  # today is 2026-03-10
    assert "Check-in: 2026-03-10" in listing
    assert f'href="/front-desk/appointments/{desk.world.hmo}/check-in">TESTBRAVO, BEA' in listing
    assert listing.count("/check-in\">") == 3
    assert 'href="/front-desk/check-in"' in desk.client.get("/dashboard").text  # the navigation reaches it

    page = desk.page(desk.world.hmo)
    assert "TEST COMMUNITY HMO, member ID HMO12345" in page
    assert "wants prior authorization for 17311" in page and "ci-attention" in page
    assert "TEST COMMUNITY HMO's allowed amounts" in page and "the final amount depends on" in page
    assert "Good Faith Estimate (PDF)" not in page and "abn.pdf" not in page

    done = desk.post(f"/front-desk/appointments/{desk.world.hmo}/check-in/marks", item="identity",
                     note="driver's licence and card")
    assert done.status_code == 303
    page = desk.page(desk.world.hmo)
    row = re.search(r'<tr id="item-identity">.*?</tr>', page, re.S)
    assert row and "driver's licence and card" in row.group(0) and "front_desk@era.test" in row.group(0)

    bad = desk.post(f"/front-desk/appointments/{desk.world.hmo}/check-in/authorizations", kind="prior_authorization",
                    number="", codes="17311")
    assert bad.status_code == 422 and "The referral or authorization was not saved" in bad.text
    for kind, number, codes in (("referral", "REF-9", ""), ("prior_authorization", "PA-17311", "17311")):
        assert desk.post(f"/front-desk/appointments/{desk.world.hmo}/check-in/authorizations", kind=kind,
                         number=number, codes=codes).status_code == 303
    page = desk.page(desk.world.hmo)
    assert "referral REF-9 on file; prior authorization PA-17311 on file" in page


def test_the_copay_is_collected_once_with_a_receipt_and_never_a_card_number(desk: Desk) -> None:
    desk.as_(Role.FRONT_DESK)
    page = desk.page(desk.world.hmo)
    assert re.search(r'id="copay-amount" name="amount" type="text" value="40.00"', page)
    path = f"/front-desk/appointments/{desk.world.hmo}/check-in/copay"
    refused = desk.post(path, amount="40.00", method="card", reference="4111-1111-1111-1111")
    assert refused.status_code == 422
    assert "looks like a card number" in html.unescape(refused.text)
    assert "4111-1111-1111-1111" not in refused.text  # never stored, nor shown back
    first = desk.post(path, amount="40.00", method="card", reference="TERM-0042")
    second = desk.post(path, amount="40.00", method="card", reference="TERM-0042")  # a double click
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    with UnitOfWork(desk.database, actor="test") as uow:
        assert uow.session.query(CopayReceiptRow).count() == 1
    receipt = desk.client.get(first.headers["location"])
    assert receipt.status_code == 200 and "TERM-0042" in receipt.text and "data-print" in receipt.text
    pdf = desk.client.get(first.headers["location"] + "/receipt.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert "Copay collected" in desk.page(desk.world.hmo)


def test_the_abn_and_the_good_faith_estimate_download_where_they_apply(desk: Desk) -> None:
    desk.as_(Role.FRONT_DESK)
    page = desk.page(desk.world.medicare)
    assert "ABN for 11200, 17110 (PDF)" in page
    abn = desk.client.get(f"/front-desk/appointments/{desk.world.medicare}/abn.pdf")
    assert abn.status_code == 200 and abn.headers["content-type"] == "application/pdf"
    assert f'filename="ABN-{desk.world.medicare}-20260310.pdf"' in abn.headers["content-disposition"]
    page = desk.page(desk.world.self_pay)
    assert "Estimate for a self-pay patient" in page and "Good Faith Estimate (PDF)" in page
    gfe = desk.client.get(f"/front-desk/appointments/{desk.world.self_pay}/good-faith-estimate.pdf")
    assert gfe.status_code == 200 and gfe.content.startswith(b"%PDF")
    insured = desk.client.get(f"/front-desk/appointments/{desk.world.hmo}/good-faith-estimate.pdf")
    assert insured.status_code == 409 and "has insurance" in html.unescape(insured.text)


def test_permissions_and_the_audit_of_every_read(desk: Desk) -> None:
    desk.as_(Role.CODER)
    assert desk.client.get(f"/front-desk/appointments/{desk.world.hmo}/check-in").status_code == 403
    assert desk.client.get("/front-desk/check-in").status_code == 403
    desk.as_(Role.BILLER)  # takes payments, does not check patients in
    assert desk.client.get(f"/front-desk/appointments/{desk.world.hmo}/check-in").status_code == 403
    assert desk.client.get("/front-desk/appointments/999999/check-in").status_code == 403
    desk.as_(Role.FRONT_DESK)
    assert desk.client.get("/front-desk/appointments/999999/check-in").status_code == 404
    desk.page(desk.world.hmo)
    with UnitOfWork(desk.database, actor="test") as uow:
        reads = uow.session.execute(select(AuditEventRow.actor, AuditEventRow.source).where(
            AuditEventRow.action == "check_in.read").order_by(AuditEventRow.id)).all()
    assert reads and tuple(reads[-1]) == ("front_desk@era.test",
                                          "GET /front-desk/appointments/{appointment_id}/check-in")
