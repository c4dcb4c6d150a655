"""The payments screen and its API: unmatched claim payments and overpayments of the user's practices only,
each listing audited; roles without remittances are refused."""

from __future__ import annotations

from pathlib import Path

from era_world import add_claim, paid_claim, practice_world, remittance, settled, write
from fastapi.testclient import TestClient
from sqlalchemy import select
from test_pages_auth import PASSWORD, sign_in

from dermbill.db.engine import Database
from dermbill.db.models import AuditEventRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.era_posting import post_era_file
from dermbill.services.users import add_user, create_token, set_company_totp
from dermbill.web.app import create_app

LINES = [("11102", (), 15000)]


def _company_id(database: Database, name: str) -> int:
    with UnitOfWork(database, actor="test") as uow:
        found = uow.find_organization(name)
        assert found is not None
        return found.id


def test_unmatched_payments_are_listed_for_the_users_practices_only(database: Database, tmp_path: Path) -> None:
    ours = practice_world(database)
    theirs = practice_world(database, company="OTHER BILLING CO", submitter="OTHERCO", code="OTH")
    claim, other = add_claim(ours, LINES), add_claim(theirs, LINES)
    stranger = paid_claim(type(claim)(0, "NOT-OURS-1", ()), ())
    post_era_file(database, write(tmp_path / "ours.835", (remittance((
        paid_claim(claim, tuple(settled(line, 9000) for line in claim.lines)), stranger), trace="EFT-OURS"),)))
    their_stranger = paid_claim(type(other)(0, "NOT-THEIRS-2", ()), ())
    post_era_file(database, write(tmp_path / "theirs.835", (remittance((their_stranger,), trace="EFT-T"),)),
                  organization_id=_company_id(database, "OTHER BILLING CO"))
    set_company_totp(database, "ERA TEST BILLING", required=False, actor="test")
    for email, role in (("biller@era.test", "biller"), ("desk@era.test", "front_desk")):
        add_user(database, company="ERA TEST BILLING", email=email, display_name=email, roles=[role],
                 practices=["ERA"], password=PASSWORD, actor="test")
    token = create_token(database, "biller@era.test", actor="test").token
    url = database.engine.url.render_as_string(hide_password=False)

    with TestClient(create_app(url), raise_server_exceptions=False, follow_redirects=False) as client:
        listed = client.get("/api/v1/payments/unmatched", headers={"Authorization": f"Bearer {token}"})
        overpaid = client.get("/api/v1/payments/overpayments", headers={"Authorization": f"Bearer {token}"})
        sign_in(client, "biller@era.test")
        page = client.get("/payments")
        desk = TestClient(client.app, follow_redirects=False, raise_server_exceptions=False)
        sign_in(desk, "desk@era.test")
        refused = desk.get("/payments")

    assert listed.status_code == 200
    assert [(i["claim"], i["practice"], i["paid"]) for i in listed.json()] == [("NOT-OURS-1", "ERA", "0.00")]
    assert overpaid.status_code == 200 and overpaid.json() == []
    assert page.status_code == 200 and "NOT-OURS-1" in page.text and "NOT-THEIRS-2" not in page.text
    assert "EFT-OURS" in page.text and "EFT-T<" not in page.text
    assert refused.status_code == 403
    with UnitOfWork(database, actor="test") as uow:
        reads = list(uow.session.execute(select(AuditEventRow.actor, AuditEventRow.source, AuditEventRow.detail)
                                         .where(AuditEventRow.action == "unmatched.list")))
    assert ("biller@era.test", "GET /api/v1/payments/unmatched") in [(a, s) for a, s, _ in reads]
    assert ("biller@era.test", "GET /payments") in [(a, s) for a, s, _ in reads]
    assert all(detail["records"] == ["NOT-OURS-1"] for _, _, detail in reads)
