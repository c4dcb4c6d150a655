"""Administrators manage their own billing company's users in the app; nobody else's, and nobody else may."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from era_world import practice_world
from fastapi.testclient import TestClient
from sqlalchemy import select
from test_pages_auth import PASSWORD, csrf_of, sign_in

from dermbill.db.engine import Database
from dermbill.db.models import AuditEventRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.users import add_user, get_user, set_company_totp
from dermbill.web.app import create_app


@pytest.fixture
def admin(database: Database) -> Iterator[TestClient]:
    practice_world(database)
    practice_world(database, company="OTHER BILLING CO", submitter="OTHERCO", code="OTH")
    for company in ("ERA TEST BILLING", "OTHER BILLING CO"):
        set_company_totp(database, company, required=False, actor="test")
    add_user(database, company="ERA TEST BILLING", email="admin@era.test", display_name="Ada Admin",
             roles=["administrator"], practices=[], password=PASSWORD, actor="test")
    add_user(database, company="ERA TEST BILLING", email="desk@era.test", display_name="Dee Desk",
             roles=["front_desk"], practices=["ERA"], password=PASSWORD, actor="test")
    add_user(database, company="OTHER BILLING CO", email="coder@other.test", display_name="O",
             roles=["coder"], practices=["OTH"], password=PASSWORD, actor="test")
    url = database.engine.url.render_as_string(hide_password=False)
    with TestClient(create_app(url), raise_server_exceptions=False, follow_redirects=False) as client:
        sign_in(client, "admin@era.test")
        yield client


def test_an_administrator_lists_and_adds_users_of_their_company_only(admin: TestClient, database: Database) -> None:
    listed = admin.get("/admin/users")
    assert listed.status_code == 200
    assert "desk@era.test" in listed.text and "coder@other.test" not in listed.text

    refused = admin.post("/admin/users", data={"csrf_token": csrf_of(admin), "email": "new@era.test",
                                               "name": "New", "practices": ["OTH"], "roles": ["coder"]})
    assert refused.status_code == 422 and "not a practice of ERA TEST BILLING" in refused.text
    assert 'value="new@era.test"' in refused.text  # what was typed stays
    added = admin.post("/admin/users", data={"csrf_token": csrf_of(admin), "email": "new@era.test",
                                             "name": "New", "practices": ["ERA"], "roles": ["coder", "biller"]})
    assert added.status_code == 201
    one_time = re.search(r"one-time password is <code>([^<]+)</code>", added.text)
    assert one_time
    fresh = TestClient(admin.app, follow_redirects=False)
    assert sign_in(fresh, "new@era.test", one_time.group(1)).last.headers["location"] == "/account/password"  # type: ignore[attr-defined]


def test_changing_a_users_access_is_audited_with_before_and_after(admin: TestClient, database: Database) -> None:
    answer = admin.post("/admin/users/desk@era.test/access",
                        data={"csrf_token": csrf_of(admin), "roles": ["front_desk", "biller"], "practices": ["ERA"]})
    assert answer.status_code == 303
    assert {r.value for r in get_user(database, "desk@era.test").roles} == {"front_desk", "biller"}
    with UnitOfWork(database, actor="test") as uow:
        event = uow.session.scalars(select(AuditEventRow)
                                    .where(AuditEventRow.action == "user.access_changed")).one()
        assert event.actor == "admin@era.test"
        assert event.detail["before"]["roles"] == ["front_desk"]
        assert event.detail["after"]["roles"] == ["biller", "front_desk"]
    none = admin.post("/admin/users/desk@era.test/access", data={"csrf_token": csrf_of(admin), "practices": ["ERA"]})
    assert none.status_code == 422 and "at least one role" in none.text


def test_disable_and_one_time_password_from_the_user_page(admin: TestClient, database: Database) -> None:
    disabled = admin.post("/admin/users/desk@era.test/disable", data={"csrf_token": csrf_of(admin)})
    assert disabled.status_code == 200 and get_user(database, "desk@era.test").disabled
    reset = admin.post("/admin/users/desk@era.test/reset-password", data={"csrf_token": csrf_of(admin)})
    assert reset.status_code == 200 and "One-time password for desk@era.test" in reset.text
    own = admin.post("/admin/users/admin@era.test/disable", data={"csrf_token": csrf_of(admin)})
    assert own.status_code == 422 and not get_user(database, "admin@era.test").disabled


def test_another_companys_user_is_404_and_other_roles_are_403(admin: TestClient) -> None:
    assert admin.get("/admin/users/coder@other.test").status_code == 404
    assert admin.post("/admin/users/coder@other.test/disable", data={"csrf_token": csrf_of(admin)}).status_code == 404
    desk = TestClient(admin.app, follow_redirects=False, raise_server_exceptions=False)
    sign_in(desk, "desk@era.test")
    assert desk.get("/admin/users").status_code == 403
    assert "Users" not in re.sub(r"<main.*", "", desk.get("/dashboard").text, flags=re.S)  # not in its navigation
