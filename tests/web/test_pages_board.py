"""The dashboard and the claims board as staff see them: queues by role, claims of their practices only,
searches with paging, a bad search answered next to its field."""

from __future__ import annotations

from era_world import add_claim, practice_world
from fastapi.testclient import TestClient
from test_pages_auth import PASSWORD, sign_in

from dermbill.db.engine import Database
from dermbill.services.users import add_user, set_company_totp
from dermbill.web.app import create_app


def test_board_search_paging_and_dashboard(database: Database) -> None:
    ours = practice_world(database)
    theirs = practice_world(database, company="OTHER BILLING CO", submitter="OTHERCO", code="OTH")
    mine = [add_claim(ours, [("11102", (), 15000)]).pcn for _ in range(3)]
    other = [add_claim(theirs, [("11102", (), 15000)]).pcn for _ in range(5)][-1]
    set_company_totp(database, "ERA TEST BILLING", required=False, actor="test")
    for email, role in (("biller@era.test", "biller"), ("desk@era.test", "front_desk")):
        add_user(database, company="ERA TEST BILLING", email=email, display_name=email, roles=[role],
                 practices=["ERA"], password=PASSWORD, actor="test")
    url = database.engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(url), raise_server_exceptions=False, follow_redirects=False) as client:
        sign_in(client, "biller@era.test")
        board = client.get("/claims")
        bad = client.get("/claims", params={"date_from": "2026-13-40"})
        dashboard = client.get("/dashboard")
        desk = TestClient(client.app, follow_redirects=False, raise_server_exceptions=False)
        sign_in(desk, "desk@era.test")
        refused = desk.get("/claims")
        desk_dashboard = desk.get("/dashboard")

    assert board.status_code == 200
    assert all(number in board.text for number in mine) and other not in board.text
    assert bad.status_code == 422 and 'id="date_from-error"' in bad.text and 'value="2026-13-40"' in bad.text
    assert dashboard.status_code == 200 and "claims ready to send" in dashboard.text
    assert 'href="/fix-queue"' in dashboard.text
    assert refused.status_code == 403
    assert desk_dashboard.status_code == 200 and "claims ready to send" not in desk_dashboard.text
