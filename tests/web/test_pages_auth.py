"""Signing in to the web application as staff do: sessions in the database, CSRF on every form, the idle and
absolute timeouts, sign-out, password change, the second factor and the lockout."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator

import pytest
from era_world import practice_world
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from dermbill import credentials
from dermbill.clock import utc_now
from dermbill.core.access import LOCKOUT_FAILURES
from dermbill.db.engine import Database
from dermbill.db.models import AuditEventRow, WebSessionRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.users import add_user, disable_user, enable_user, reset_password, set_company_totp
from dermbill.web.app import create_app
from dermbill.web.pages.common import SESSION_COOKIE

PASSWORD = "correct horse battery staple 9"
COMPANY = "ERA TEST BILLING"


@pytest.fixture
def database_url_of(database: Database) -> str:
    return database.engine.url.render_as_string(hide_password=False)


@pytest.fixture
def web(database: Database, database_url_of: str) -> Iterator[TestClient]:
    practice_world(database)
    set_company_totp(database, COMPANY, required=False, actor="test")
    add_user(database, company=COMPANY, email="biller@era.test", display_name="Bea Biller", roles=["biller"],
             practices=["ERA"], password=PASSWORD, actor="test")
    with TestClient(create_app(database_url_of), raise_server_exceptions=False, follow_redirects=False) as client:
        yield client


def login_csrf(client: TestClient, path: str = "/login") -> str:
    page = client.get(path)
    assert page.status_code == 200
    found = re.search(r'name="login_csrf" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def sign_in(client: TestClient, email: str = "biller@era.test", password: str = PASSWORD, code: str = "",
            next_path: str = "") -> TestClient:
    answer = client.post("/login", data={"email": email, "password": password, "code": code,
                                         "login_csrf": login_csrf(client), "next": next_path})
    client.last = answer  # type: ignore[attr-defined]
    return client


def csrf_of(client: TestClient, path: str = "/dashboard") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, "a signed-in page carries the session's CSRF token"
    return found.group(1)


def test_signing_in_starts_a_database_session_with_a_safe_cookie(web: TestClient, database: Database) -> None:
    answer = sign_in(web).last  # type: ignore[attr-defined]

    assert answer.status_code == 303 and answer.headers["location"] == "/dashboard"
    cookie = answer.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http on 127.0.0.1; see the TLS test
    dashboard = web.get("/dashboard")
    assert dashboard.status_code == 200 and "Bea Biller" in dashboard.text
    token = web.cookies[SESSION_COOKIE]
    with UnitOfWork(database, actor="test") as uow:
        hashes = list(uow.session.scalars(select(WebSessionRow.token_hash)))
        signed_in = list(uow.session.scalars(select(AuditEventRow.actor)
                                             .where(AuditEventRow.action == "user.signed_in")))
    assert hashes == [credentials.secret_hash(token)] and token not in hashes
    assert signed_in == ["biller@era.test"]


def test_the_session_cookie_is_secure_over_tls(database: Database, database_url_of: str) -> None:
    practice_world(database)
    set_company_totp(database, COMPANY, required=False, actor="test")
    add_user(database, company=COMPANY, email="biller@era.test", display_name="B", roles=["biller"],
             practices=["ERA"], password=PASSWORD, actor="test")
    with TestClient(create_app(database_url_of), base_url="https://testserver", follow_redirects=False) as client:
        answer = sign_in(client).last  # type: ignore[attr-defined]
    assert answer.status_code == 303 and "Secure" in answer.headers["set-cookie"]


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer_and_no_session(web: TestClient) -> None:
    wrong = sign_in(web, password="not the password at all").last  # type: ignore[attr-defined]
    unknown = sign_in(web, email="nobody@era.test").last  # type: ignore[attr-defined]

    for answer in (wrong, unknown):
        assert answer.status_code == 401
        assert "The e-mail, password or code is not right." in answer.text
        assert SESSION_COOKIE not in answer.headers.get("set-cookie", "")
    assert 'value="nobody@era.test"' in unknown.text  # the e-mail stays in its field


def test_a_sign_in_without_the_forms_token_is_refused(web: TestClient) -> None:
    answer = web.post("/login", data={"email": "biller@era.test", "password": PASSWORD, "login_csrf": "forged"})
    assert answer.status_code == 400 and "expired" in answer.text
    assert SESSION_COOKIE not in web.cookies


def test_pages_send_a_visitor_to_sign_in_and_back(web: TestClient) -> None:
    plain = web.get("/dashboard?x=1")
    htmx = web.get("/dashboard", headers={"HX-Request": "true"})

    assert plain.status_code == 303 and plain.headers["location"] == "/login?next=/dashboard%3Fx%3D1"
    assert htmx.status_code == 204 and htmx.headers["HX-Redirect"] == "/login"
    back = sign_in(web, next_path="/dashboard?x=1").last  # type: ignore[attr-defined]
    assert back.headers["location"] == "/dashboard?x=1"


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_signing_in_never_redirects_to_another_site(web: TestClient, target: str) -> None:
    answer = sign_in(web, next_path=target).last  # type: ignore[attr-defined]
    assert answer.headers["location"] == "/dashboard"


def test_a_form_without_the_sessions_csrf_token_changes_nothing(web: TestClient) -> None:
    sign_in(web)
    forged = web.post("/logout", data={"csrf_token": "not-it"})
    missing = web.post("/logout")

    assert forged.status_code == 403 and missing.status_code == 403
    assert web.get("/dashboard").status_code == 200  # still signed in


def test_signing_out_ends_the_session_for_good(web: TestClient) -> None:
    sign_in(web)
    token = web.cookies[SESSION_COOKIE]
    out = web.post("/logout", data={"csrf_token": csrf_of(web)})

    assert out.status_code == 303 and out.headers["location"] == "/login?ended=signed_out"
    web.cookies.set(SESSION_COOKIE, token)  # a copied cookie is worth nothing now
    again = web.get("/dashboard")
    assert again.status_code == 303 and again.headers["location"].startswith("/login")


@pytest.mark.parametrize(("column", "ended"), [("last_seen_at", "idle"), ("expires_at", "expired")])
def test_a_session_ends_when_idle_and_at_its_lifetime(web: TestClient, database: Database, column: str,
                                                      ended: str) -> None:
    sign_in(web)
    moment = utc_now() - datetime.timedelta(minutes=16 if column == "last_seen_at" else 1)
    with UnitOfWork(database, actor="test") as uow:
        uow.session.execute(update(WebSessionRow).values({column: moment}))
        uow.commit()

    answer = web.get("/dashboard")
    assert answer.status_code == 303 and answer.headers["location"] == f"/login?ended={ended}"
    assert "without activity" in web.get(answer.headers["location"]).text if ended == "idle" else True
    with UnitOfWork(database, actor="test") as uow:
        assert uow.session.scalars(select(WebSessionRow.revoked_at)).one() is not None


def test_a_session_used_within_the_idle_time_lives_on(web: TestClient, database: Database) -> None:
    sign_in(web)
    with UnitOfWork(database, actor="test") as uow:
        uow.session.execute(update(WebSessionRow).values(last_seen_at=utc_now() - datetime.timedelta(minutes=14)))
        uow.commit()
    assert web.get("/dashboard").status_code == 200
    with UnitOfWork(database, actor="test") as uow:
        seen = uow.session.scalars(select(WebSessionRow.last_seen_at)).one()
    assert utc_now() - seen < datetime.timedelta(minutes=1)  # the request moved it on


def test_a_password_change_ends_every_other_session(web: TestClient, database: Database,
                                                    database_url_of: str) -> None:
    with TestClient(create_app(database_url_of), follow_redirects=False) as elsewhere:
        sign_in(elsewhere)
        sign_in(web)
        new = "a much longer passphrase 42"
        refused = web.post("/account/password", data={"csrf_token": csrf_of(web), "current": "wrong",
                                                      "new": new, "again": new})
        assert refused.status_code == 422 and "not your current password" in refused.text
        changed = web.post("/account/password", data={"csrf_token": csrf_of(web), "current": PASSWORD,
                                                      "new": new, "again": new})

        assert changed.status_code == 303
        assert web.get("/dashboard").status_code == 200  # this browser got a new session
        assert elsewhere.get("/dashboard").status_code == 303  # the other one is signed out
    assert sign_in(web, password=new).last.status_code == 303  # type: ignore[attr-defined]


def test_a_one_time_password_must_be_changed_before_anything_else(web: TestClient, database: Database) -> None:
    one_time = reset_password(database, "biller@era.test", actor="test")
    answer = sign_in(web, password=one_time).last  # type: ignore[attr-defined]

    assert answer.headers["location"] == "/account/password"
    assert web.get("/dashboard").headers["location"] == "/account/password"
    weak = web.post("/account/password", data={"csrf_token": csrf_of(web, "/account/password"),
                                               "current": one_time, "new": "short", "again": "short"})
    assert weak.status_code == 422 and 'aria-invalid="true"' in weak.text and "12" in weak.text


def test_a_company_requiring_totp_has_its_staff_set_it_up_then_sign_in_with_it(web: TestClient,
                                                                              database: Database) -> None:
    set_company_totp(database, COMPANY, required=True, actor="test")
    assert sign_in(web).last.headers["location"] == "/account/totp"  # type: ignore[attr-defined]
    assert web.get("/dashboard").headers["location"] == "/account/totp"
    page = web.get("/account/totp")
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page.text)
    assert secret and "<svg" in page.text and "<script" not in page.text.split("</head>")[1]

    wrong = web.post("/account/totp", data={"csrf_token": csrf_of(web, "/account/password"), "code": "000000"})
    assert wrong.status_code == 422
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', wrong.text)  # a new key to scan
    assert secret
    done = web.post("/account/totp", data={"csrf_token": csrf_of(web, "/account/password"),
                                           "code": credentials.totp_code(secret.group(1), utc_now())})
    assert done.status_code == 200 and len(re.findall(r"<li><code>", done.text)) == 10
    assert web.get("/dashboard").status_code == 200

    fresh = TestClient(web.app, follow_redirects=False)
    assert sign_in(fresh).last.status_code == 401  # type: ignore[attr-defined]
    recovery = re.findall(r"<li><code>([^<]+)</code>", done.text)[0]
    assert sign_in(fresh, code=recovery).last.headers["location"] == "/dashboard"  # type: ignore[attr-defined]


def test_repeated_failures_lock_the_account_and_the_page_says_until_when(web: TestClient) -> None:
    for _ in range(LOCKOUT_FAILURES):
        assert sign_in(web, password="wrong wrong wrong").last.status_code == 401  # type: ignore[attr-defined]
    locked = sign_in(web).last  # type: ignore[attr-defined]  (the right password, too late)
    assert locked.status_code == 401 and "locked until" in locked.text and "UTC" in locked.text


def test_disabling_a_user_or_resetting_the_password_signs_them_out(web: TestClient, database: Database) -> None:
    sign_in(web)
    disable_user(database, "biller@era.test", actor="admin@era.test")
    assert web.get("/dashboard").status_code == 303
    enable_user(database, "biller@era.test", actor="admin@era.test")
    assert web.get("/dashboard").status_code == 303  # enabling again does not revive the old session
    sign_in(web)
    reset_password(database, "biller@era.test", actor="admin@era.test")
    assert web.get("/dashboard").status_code == 303
