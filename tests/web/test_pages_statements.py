"""The statements page (/statements) and the call list (/collections/calls): a biller sees what today's run would
make, makes it once, opens a statement as it was sent, works the call list and logs a promise; the front desk
(neither permission) gets 403."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from collections_world import billed_guarantor
from era_world import paid_claim, remittance, settled, submitted_claims, write
from fastapi.testclient import TestClient
from test_pages_auth import PASSWORD, csrf_of, sign_in

from dermbill.clock import TODAY_VARIABLE
from dermbill.core.access import Role
from dermbill.db.engine import Database
from dermbill.services.era_posting import post_era_file
from dermbill.services.statements import statement_policy
from dermbill.services.users import add_user, set_company_totp

DAY = datetime.date(2026, 4, 20)


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_biller_previews_makes_and_opens_the_days_statements(database: Database, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    world = submitted_claims(database, [[("11102", (), 15000)]])
    [claim] = world.claims
    post_era_file(database, write(tmp_path / "a.835", (remittance((paid_claim(claim, (
        settled(claim.lines[0], 10000, patient=(("2", 2000),)),)),)),)))
    statement_policy(database, "ERA", {"cycle_billing": False}, actor="test")
    set_company_totp(database, "ERA TEST BILLING", required=False, actor="test")
    for email, role in (("biller@era.test", Role.BILLER), ("desk@era.test", Role.FRONT_DESK)):
        add_user(database, company="ERA TEST BILLING", email=email, display_name=email, roles=[role],
                 practices=["ERA"], password=PASSWORD, actor="test")
    monkeypatch.setenv(TODAY_VARIABLE, DAY.isoformat())
    from dermbill.web.app import create_app

    url = database.engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(url), raise_server_exceptions=False, follow_redirects=False) as client:
        page = sign_in(client, "biller@era.test").get("/statements")
        assert page.status_code == 200 and "Make today's 1 statement ($20.00)" in page.text
        assert "No statement has been made yet" in page.text
        made = client.post("/statements/run", data={"csrf_token": csrf_of(client)})
        assert made.status_code == 303
        after = client.get("/statements").text
        assert "1 statement(s) made for $20.00: 0 to e-mail, 1 to print." in after
        assert "No statement is due today" in after and "already billed" in after
        statement_id = after.split('<a href="/statements/')[1].split('"')[0]
        shown = client.get(f"/statements/{statement_id}").text
        assert "Amount due</dt><dd><strong>$20.00</strong> by 2026-05-11" in shown and "(11102)" in shown
        desk = sign_in(TestClient(client.app, raise_server_exceptions=False, follow_redirects=False),
                       "desk@era.test")
        assert desk.get("/statements").status_code == 403
        pdf = client.get(f"/statements/{statement_id}.pdf")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF") and pdf.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_a_biller_works_the_call_list_and_logs_a_promise(database: Database, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    billed_guarantor(database, tmp_path)  # $47.00, first billed on 2026-04-20: past due on 2026-06-25
    set_company_totp(database, "ERA TEST BILLING", required=False, actor="test")
    for email, role in (("biller@era.test", Role.BILLER), ("desk@era.test", Role.FRONT_DESK)):
        add_user(database, company="ERA TEST BILLING", email=email, display_name=email, roles=[role],
                 practices=["ERA"], password=PASSWORD, actor="test")
    monkeypatch.setenv(TODAY_VARIABLE, "2026-06-25")
    from dermbill.web.app import create_app

    url = database.engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(url), raise_server_exceptions=False, follow_redirects=False) as client:
        page = sign_in(client, "biller@era.test").get("/collections/calls").text
        assert "1 call, most urgent first" in page and "$47.00" in page and "66 days" in page
        assert "date of birth" in page and '<a href="/collections/calls" aria-current="page">' in page
        form = {"csrf_token": csrf_of(client), "practice": "ERA", "account": "A-1", "outcome": "promise_to_pay",
                "promise_date": "2026-06-01", "promise_amount": "47.00", "note": ""}
        refused = client.post("/collections/contact", data=form)
        assert refused.status_code == 422 and "Account A-1:" in refused.text  # a promise in the past
        assert client.post("/collections/contact", data={**form, "practice": "OTH"}).status_code == 404
        logged = client.post("/collections/contact", data={**form, "promise_date": "2026-07-01"})
        assert logged.status_code == 303
        after = client.get("/collections/calls").text
        assert "Logged: A-1, promise to pay." in after and "No call is due today." in after
        desk = sign_in(TestClient(client.app, raise_server_exceptions=False, follow_redirects=False),
                       "desk@era.test")
        assert desk.get("/collections/calls").status_code == 403
