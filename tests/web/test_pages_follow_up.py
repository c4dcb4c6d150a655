"""The claim follow-up page (/follow-up): a biller sees the claims that need a person with the 277's words, the
age, the timely-filing deadline (marked when near) and the next action; another company's biller sees none of
them; a role without the claim work lists gets 403; the nav links to it for those who may see it."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest
from era_world import practice_world
from fastapi.testclient import TestClient
from follow_up_world import ASKED, FollowUpWorld, follow_up_world
from test_pages_auth import PASSWORD, sign_in

from dermbill.clock import TODAY_VARIABLE
from dermbill.core.access import Role
from dermbill.db.engine import Database
from dermbill.services.claim_status import follow_up_claims
from dermbill.services.users import add_user, set_company_totp

# A day when the claims' filing deadline (2027-03-02) is 20 days away: marked as near.
NEAR = datetime.date(2027, 2, 10)


@pytest.fixture
def site(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient,
                                                                                                  FollowUpWorld]]:
    world = follow_up_world(database, tmp_path)
    follow_up_claims(database, world.config, world.outbox, world.inbox, now=ASKED)
    practice_world(database, company="OTHER BILLING CO", submitter="OTHERCO", code="OTH")
    for company in ("ERA TEST BILLING", "OTHER BILLING CO"):
        set_company_totp(database, company, required=False, actor="test")
    for email, role, company, practice in (("biller@era.test", Role.BILLER, "ERA TEST BILLING", "ERA"),
                                           ("desk@era.test", Role.FRONT_DESK, "ERA TEST BILLING", "ERA"),
                                           ("biller@other.test", Role.BILLER, "OTHER BILLING CO", "OTH")):
        add_user(database, company=company, email=email, display_name=email, roles=[role], practices=[practice],
                 password=PASSWORD, actor="test")
    monkeypatch.setenv(TODAY_VARIABLE, NEAR.isoformat())
    from dermbill.web.app import create_app

    url = database.engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(url), raise_server_exceptions=False, follow_redirects=False) as client:
        yield client, world


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_the_follow_up_page_shows_each_claim_with_the_payers_words_age_deadline_and_next_action(
        site: tuple[TestClient, FollowUpWorld]) -> None:
    client, world = site
    page = sign_in(client, "biller@era.test").get("/follow-up")
    assert page.status_code == 200
    text = page.text
    assert '<a href="/follow-up" aria-current="page">Follow-up</a>' in text
    people, expected = text.split('<h2 id="expected">')
    for kind in ("denied", "records", "not found"):
        assert f'>{world.claims[kind]}</a>' in people
    assert f'>{world.claims["paid"]}</a>' in expected and world.claims["pended"] not in text
    assert "Finished: denied; see the remittance advice for the details" in people
    assert "The payer asks for documents (records or notes)" in people
    assert f"{(NEAR - ASKED.date()).days + 33} days" in people  # the age: since the claims were sent
    assert people.count("<strong>20 days left</strong>") == 3 and 'class="urgency-due_soon"' in people
    assert "The payer has no record of the claim" in people

    other = TestClient(client.app, raise_server_exceptions=False, follow_redirects=False)
    theirs = sign_in(other, "biller@other.test").get("/follow-up")
    assert theirs.status_code == 200 and "No claim needs a person" in theirs.text
    assert all(number not in theirs.text for number in world.claims.values())
    desk = sign_in(TestClient(client.app, raise_server_exceptions=False, follow_redirects=False), "desk@era.test")
    assert desk.get("/follow-up").status_code == 403
    assert 'href="/follow-up"' not in desk.get("/dashboard").text
