"""`dermbill users ...` as an administrator runs it: the password or token on the last line, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_helpers import assert_one_line_error, run
from migrated_databases import migrated_sqlite_url
from sqlalchemy import select

from dermbill.db.engine import open_database
from dermbill.db.models import ApiTokenRow, PracticeRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.users import Authenticated, authenticate, token_user

COMPANY = "TEST BILLING CO"


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A database with two billing companies: practices A1 and A2 of TEST BILLING CO, B1 of another."""
    url = migrated_sqlite_url(tmp_path / "users.db")
    database = open_database(url)
    try:
        with UnitOfWork(database, actor="test") as uow:
            for company, codes in ((COMPANY, ("A1", "A2")), ("OTHER TEST BILLING CO", ("B1",))):
                organization = uow.add_organization(company)
                for code in codes:
                    uow.add_practice(PracticeRow(
                        organization_id=organization.id, code=code, legal_name=f"TEST PRACTICE {code}",
                        tin="990000001", billing_npi="1234567893", taxonomy="207N00000X", address_line1="1 TEST ST",
                        city="ANYTOWN", state="PA", zip_code="19099"))
            uow.commit()
    finally:
        database.dispose()
    return url


def test_add_prints_a_one_time_password_on_the_last_line_that_signs_in(db: str) -> None:
    result = run("users", "add", "Jane@Example.com", "--company", COMPANY, "--role", "biller", "--role",
                 "front-desk", "--practice", "A1", "--name", "Jane Test", "--db", db)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"added jane@example.com to {COMPANY}: roles biller, front_desk; practices A1"
    password = lines[-1]
    assert len(password) == 20
    database = open_database(db)
    try:
        from dermbill import clock

        signed_in = authenticate(database, "jane@example.com", password, None, now=clock.utc_now())
        assert isinstance(signed_in, Authenticated) and signed_in.must_change_password
    finally:
        database.dispose()


def test_list_json_gives_each_users_email_roles_and_practices(db: str) -> None:
    for email, roles, practices in (("b@example.com", ["coder"], ["A2", "A1"]), ("a@example.com", ["auditor"], [])):
        args = [arg for role in roles for arg in ("--role", role)] + [a for p in practices for a in ("--practice", p)]
        assert run("users", "add", email, "--company", COMPANY, *args, "--db", db).returncode == 0
    assert run("users", "disable", "a@example.com", "--db", db).stdout == "disabled a@example.com\n"
    result = run("users", "list", "--json", "--db", db)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"users": [
        {"email": "a@example.com", "name": "a@example.com", "company": COMPANY, "roles": ["auditor"],
         "practices": [], "disabled": True, "totp": False, "totp_required": True},
        {"email": "b@example.com", "name": "b@example.com", "company": COMPANY, "roles": ["coder"],
         "practices": ["A1", "A2"], "disabled": False, "totp": False, "totp_required": True},
    ]}
    table = run("users", "list", "--db", db).stdout
    assert "b@example.com" in table and "A1, A2" in table and "disabled" in table


def test_a_password_from_standard_input_is_checked_and_not_printed(db: str) -> None:
    command = [sys.executable, "-m", "dermbill", "users", "add", "c@example.com", "--company", COMPANY, "--role",
               "manager", "--practice", "A1", "--password-stdin", "--db", db]
    weak = subprocess.run(command, input="short\n", capture_output=True, text=True, timeout=120)
    assert_one_line_error(weak, "the password for c@example.com is shorter than 12 characters")
    assert "short" not in weak.stderr.replace("shorter", "")
    good = subprocess.run(command, input="correct horse battery staple\n", capture_output=True, text=True,
                          timeout=120)
    assert good.returncode == 0, good.stderr
    assert "correct horse" not in good.stdout and good.stdout.count("\n") == 1


def test_token_create_prints_the_token_last_and_revoke_stops_it(db: str) -> None:
    assert run("users", "add", "jane@example.com", "--company", COMPANY, "--role", "biller", "--practice", "A1",
               "--db", db).returncode == 0
    created = run("users", "token", "create", "jane@example.com", "--name", "reporting", "--db", db)
    assert created.returncode == 0, created.stderr
    token = created.stdout.splitlines()[-1]
    assert token.startswith("dbt_")
    database = open_database(db)
    try:
        from dermbill import clock

        with UnitOfWork(database, actor="test") as uow:
            token_id = uow.session.scalars(select(ApiTokenRow.id)).one()
        assert created.stdout.splitlines()[0] == f"token {token_id} (reporting) for jane@example.com; it is shown " \
                                                 "only now:"
        user = token_user(database, token, now=clock.utc_now())
        assert user is not None and user.email == "jane@example.com"
        assert run("users", "token", "revoke", str(token_id), "--db", db).stdout == f"revoked token {token_id}\n"
        assert token_user(database, token, now=clock.utc_now()) is None
        listed = json.loads(run("users", "token", "list", "jane@example.com", "--json", "--db", db).stdout)
        assert [(t["id"], t["name"], t["revoked_at"] is not None) for t in listed["tokens"]] == [
            (token_id, "reporting", True)]
        assert token not in str(listed)
    finally:
        database.dispose()


def test_reset_password_prints_a_new_one_time_password(db: str) -> None:
    assert run("users", "add", "jane@example.com", "--company", COMPANY, "--role", "coder", "--db", db).returncode == 0
    result = run("users", "reset-password", "JANE@example.com", "--db", db)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("new one-time password for jane@example.com")
    assert len(result.stdout.splitlines()[-1]) == 20


@pytest.mark.parametrize(("args", "fragments"), [
    (("--role", "boss", "--practice", "A1"), ("'boss' is not a role; the roles are: front_desk, coder, biller",)),
    (("--role", "coder", "--practice", "B1"), ("practice 'B1' is not a practice of TEST BILLING CO",
                                               "its practices: A1, A2")),
])
def test_bad_roles_and_practices_of_another_company_are_one_line(db: str, args: tuple[str, ...],
                                                                 fragments: tuple[str, ...]) -> None:
    assert_one_line_error(run("users", "add", "x@example.com", "--company", COMPANY, *args, "--db", db), *fragments)


def test_unknown_users_tokens_and_companies_are_one_line(db: str) -> None:
    assert_one_line_error(run("users", "disable", "nobody@example.com", "--db", db), "no user nobody@example.com")
    assert_one_line_error(run("users", "token", "revoke", "42", "--db", db), "no API token 42")
    assert_one_line_error(run("users", "add", "x@example.com", "--company", "NOBODY", "--role", "coder", "--db", db),
                          "no billing company is named 'NOBODY'")
