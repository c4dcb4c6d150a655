"""Staff accounts on SQLite and PostgreSQL: adding users, signing in (lockout, second factor), API tokens, scoping."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from dermbill import credentials
from dermbill.core.access import Role
from dermbill.core.errors import InvalidInput, NotFound
from dermbill.db.engine import Database
from dermbill.db.models import (
    ApiTokenRow,
    AuditEventRow,
    LoginAttemptRow,
    PracticeRow,
    RecoveryCodeRow,
    UserAccountRow,
)
from dermbill.db.repositories import UnitOfWork, clock_for_units_of_work
from dermbill.services import users
from dermbill.services.users import Authenticated, LoginRefused, Refusal

NOW = datetime.datetime(2026, 3, 2, 15, 0, tzinfo=datetime.UTC)
MINUTE = datetime.timedelta(minutes=1)
PASSWORD = "correct horse battery staple"
COMPANY, OTHER = "TEST BILLING CO", "OTHER TEST BILLING CO"


@dataclass(frozen=True)
class Companies:
    database: Database
    practice_ids: dict[str, int]  # by code: A1, A2 of COMPANY; B1 of OTHER


def _practice(uow: UnitOfWork, organization_id: int, code: str) -> int:
    return uow.add_practice(PracticeRow(
        organization_id=organization_id, code=code, legal_name=f"TEST PRACTICE {code}", tin="990000001",
        billing_npi="1234567893", taxonomy="207N00000X", address_line1="1 TEST ST", city="ANYTOWN", state="PA",
        zip_code="19099")).id


@pytest.fixture
def companies(database: Database) -> Companies:
    with UnitOfWork(database, actor="test", clock=lambda: NOW) as uow:
        first, second = uow.add_organization(COMPANY), uow.add_organization(OTHER)
        ids = {"A1": _practice(uow, first.id, "A1"), "A2": _practice(uow, first.id, "A2"),
               "B1": _practice(uow, second.id, "B1")}
        uow.commit()
    return Companies(database, ids)


def add(companies: Companies, email: str = "jane@example.com", roles: tuple[str, ...] = ("biller",),
        practices: tuple[str, ...] = ("A1",), password: str | None = PASSWORD) -> users.AddedUser:
    with clock_for_units_of_work(lambda: NOW):
        return users.add_user(companies.database, company=COMPANY, email=email, display_name="Jane Test",
                              roles=roles, practices=practices, password=password, actor="admin@example.com")


def sign_in(companies: Companies, at: datetime.datetime, password: str = PASSWORD, code: str | None = None,
            email: str = "jane@example.com") -> Authenticated | LoginRefused:
    return users.authenticate(companies.database, email, password, code, now=at)


def test_a_user_gets_roles_and_practices_of_their_company_and_the_password_as_argon2id(
        companies: Companies) -> None:
    added = add(companies, email="  Jane@Example.COM ", roles=("biller", "front-desk"), practices=("A2", "A1"))
    user = added.user
    assert added.password is None
    assert (user.email, user.company, user.roles, user.practices) == (
        "jane@example.com", COMPANY, {Role.BILLER, Role.FRONT_DESK}, ("A1", "A2"))
    assert user.totp_required and not user.totp_enabled and not user.password_must_change
    assert users.practice_ids_for(companies.database, user.id) == {companies.practice_ids["A1"],
                                                                   companies.practice_ids["A2"]}
    with UnitOfWork(companies.database, actor="test") as uow:
        stored = uow.session.scalars(select(UserAccountRow)).one()
        assert stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash
        audit = uow.session.scalars(select(AuditEventRow).where(AuditEventRow.action == "user.added")).one()
        assert audit.detail == {"email": "jane@example.com", "roles": ["biller", "front_desk"],
                                "practices": ["A1", "A2"]}
        assert audit.actor == "admin@example.com"


def test_a_practice_of_another_company_is_refused(companies: Companies) -> None:
    with pytest.raises(InvalidInput, match=r"practice 'B1' is not a practice of TEST BILLING CO \(its practices: "
                                           r"A1, A2\)"):
        add(companies, practices=("A1", "B1"))
    assert users.list_users(companies.database) == []


def test_bad_input_is_refused_saying_what_would_do(companies: Companies) -> None:
    with pytest.raises(InvalidInput, match="'boss' is not a role; the roles are: front_desk, coder"):
        add(companies, roles=("boss",))
    with pytest.raises(InvalidInput, match="'jane' is not an e-mail address"):
        add(companies, email="jane")
    with pytest.raises(InvalidInput, match="is shorter than 12 characters"):
        add(companies, password="short")
    with pytest.raises(NotFound, match="no billing company is named 'NOBODY'"):
        users.add_user(companies.database, company="NOBODY", email="x@example.com", display_name="", roles=["coder"],
                       practices=[], actor="test")
    add(companies)
    with pytest.raises(InvalidInput, match="there is already a user jane@example.com"):
        add(companies, email="JANE@example.com")


def test_a_generated_password_signs_in_once_and_must_then_change(companies: Companies) -> None:
    added = add(companies, password=None)
    assert added.password is not None and len(added.password) == 20
    result = sign_in(companies, NOW, password=added.password)
    assert isinstance(result, Authenticated) and result.must_change_password and result.must_enroll_totp
    users.change_password(companies.database, added.user.id, "a brand new long passphrase", actor="jane")
    result = sign_in(companies, NOW + MINUTE, password="a brand new long passphrase")
    assert isinstance(result, Authenticated) and not result.must_change_password


def test_five_wrong_passwords_in_15_minutes_lock_the_account_for_15_minutes(companies: Companies) -> None:
    add(companies)
    for minute in range(4):
        assert sign_in(companies, NOW + minute * MINUTE, password="wrong password!") == LoginRefused(Refusal.WRONG)
    assert isinstance(sign_in(companies, NOW + 4 * MINUTE), Authenticated)  # a success starts the count over
    for minute in range(5, 10):
        assert sign_in(companies, NOW + minute * MINUTE, password="wrong password!") == LoginRefused(Refusal.WRONG)
    until = NOW + 24 * MINUTE  # 15 minutes after the fifth failure
    # Locked: even the right password is refused, without being checked.
    assert sign_in(companies, NOW + 10 * MINUTE) == LoginRefused(Refusal.LOCKED, locked_until=until)
    assert sign_in(companies, until - MINUTE) == LoginRefused(Refusal.LOCKED, locked_until=until)
    assert isinstance(sign_in(companies, until), Authenticated)
    with UnitOfWork(companies.database, actor="test") as uow:
        outcomes = list(uow.session.scalars(select(LoginAttemptRow.outcome).order_by(LoginAttemptRow.id)))
        assert outcomes == ["wrong"] * 4 + ["succeeded"] + ["wrong"] * 5 + ["locked"] * 2 + ["succeeded"]
        locks = list(uow.session.scalars(select(AuditEventRow).where(AuditEventRow.action == "user.locked")))
        assert [(e.detail["email"], e.detail["until"]) for e in locks] == [("jane@example.com", until.isoformat())]


def test_an_unknown_email_is_answered_as_a_wrong_password_and_locks_the_same(companies: Companies) -> None:
    for minute in range(5):
        assert sign_in(companies, NOW + minute * MINUTE, email="nobody@example.com") == LoginRefused(Refusal.WRONG)
    refused = sign_in(companies, NOW + 5 * MINUTE, email="nobody@example.com")
    assert isinstance(refused, LoginRefused) and refused.reason is Refusal.LOCKED


def test_whatever_is_typed_as_the_email_is_logged_and_locks_without_a_database_error(companies: Companies) -> None:
    typed = "x" * 300 + "@example.com"
    for minute in range(6):
        sign_in(companies, NOW + minute * MINUTE, email=typed)
    with UnitOfWork(companies.database, actor="test") as uow:
        outcomes = list(uow.session.scalars(select(LoginAttemptRow.outcome).order_by(LoginAttemptRow.id)))
        assert outcomes == ["wrong"] * 5 + ["locked"]
        lock = uow.session.scalars(select(AuditEventRow).where(AuditEventRow.action == "user.locked")).one()
        assert lock.actor == "x" * 100 and lock.entity_id is None


def test_a_disabled_user_cannot_sign_in_or_use_a_token(companies: Companies) -> None:
    user = add(companies).user
    token = users.create_token(companies.database, "jane@example.com", name="ci", actor="admin").token
    users.disable_user(companies.database, "jane@example.com", actor="admin")
    assert sign_in(companies, NOW, password="wrong password!") == LoginRefused(Refusal.WRONG)
    assert sign_in(companies, NOW) == LoginRefused(Refusal.DISABLED)
    assert users.token_user(companies.database, token, now=NOW) is None
    assert users.practice_ids_for(companies.database, user.id) == frozenset()
    users.enable_user(companies.database, "jane@example.com", actor="admin")
    assert isinstance(sign_in(companies, NOW + MINUTE), Authenticated)


def test_the_second_factor_is_asked_for_checked_at_a_fixed_time_and_never_accepted_twice(
        companies: Companies) -> None:
    user = add(companies).user
    enrollment = users.begin_totp_enrollment(companies.database, user.id, actor="jane")
    assert enrollment.provisioning_uri.startswith("otpauth://totp/dermbill:jane%40example.com?secret=")
    with pytest.raises(InvalidInput, match="not the authenticator's current one"):
        users.confirm_totp(companies.database, user.id, "000000", now=NOW, actor="jane")
    recovery = users.confirm_totp(companies.database, user.id, credentials.totp_code(enrollment.secret, NOW),
                                  now=NOW, actor="jane")
    assert len(recovery) == 10
    later = NOW + 2 * MINUTE
    assert sign_in(companies, later) == LoginRefused(Refusal.TOTP_REQUIRED)
    assert sign_in(companies, later, code="000000") == LoginRefused(Refusal.WRONG)
    code = credentials.totp_code(enrollment.secret, later)
    result = sign_in(companies, later, code=code)
    assert isinstance(result, Authenticated) and not result.must_enroll_totp
    assert sign_in(companies, later + datetime.timedelta(seconds=5), code=code) == LoginRefused(Refusal.WRONG)
    # A recovery code stands in for the authenticator, once.
    assert isinstance(sign_in(companies, later + MINUTE, code=recovery[3].upper()), Authenticated)
    assert sign_in(companies, later + 2 * MINUTE, code=recovery[3]) == LoginRefused(Refusal.WRONG)
    with UnitOfWork(companies.database, actor="test") as uow:
        stored = list(uow.session.scalars(select(RecoveryCodeRow.code_hash)))
        assert len(stored) == 10 and not set(recovery) & set(stored)


def test_a_token_is_shown_once_stored_hashed_finds_its_user_and_stops_when_revoked(companies: Companies) -> None:
    user = add(companies, practices=("A1", "A2")).user
    with clock_for_units_of_work(lambda: NOW):
        created = users.create_token(companies.database, "jane@example.com", name="reporting", actor="admin")
    assert created.token.startswith("dbt_")
    assert users.bearer_token(f"Bearer {created.token}") == created.token
    assert users.bearer_token(f"Basic {created.token}") is None
    found = users.token_user(companies.database, created.token, now=NOW + MINUTE)
    assert found is not None and (found.id, found.practice_ids) == (user.id, user.practice_ids)
    assert users.token_user(companies.database, created.token[:-1] + "x", now=NOW) is None
    assert users.token_user(companies.database, "not-a-token", now=NOW) is None
    with UnitOfWork(companies.database, actor="test") as uow:
        row = uow.session.scalars(select(ApiTokenRow)).one()
        assert (row.name, row.last_used_at, row.token_hash) == ("reporting", NOW + MINUTE,
                                                                credentials.secret_hash(created.token))
        details = " ".join(str(e.detail) for e in uow.session.scalars(select(AuditEventRow)))
        assert created.token not in details and "reporting" in details
    users.revoke_token(companies.database, created.id, actor="admin")
    assert users.token_user(companies.database, created.token, now=NOW + 2 * MINUTE) is None
    listed = users.list_tokens(companies.database, "jane@example.com")
    assert [(t.id, t.name, t.last_used_at, t.revoked_at is not None) for t in listed] == [
        (created.id, "reporting", NOW + MINUTE, True)]
    assert created.token not in str(listed[0].to_json())
    with pytest.raises(NotFound, match="no API token 999"):
        users.revoke_token(companies.database, 999, actor="admin")


def test_the_plain_token_and_password_are_nowhere_in_the_database(companies: Companies) -> None:
    add(companies)
    token = users.create_token(companies.database, "jane@example.com", actor="admin").token
    sign_in(companies, NOW)
    with companies.database.engine.connect() as connection:
        for table in UserAccountRow.metadata.sorted_tables:
            for row in connection.execute(select(table)):
                text = " ".join(str(value) for value in row)
                assert token not in text and PASSWORD not in text, table.name


def test_a_reset_password_is_one_time_and_moves_password_changed_at(companies: Companies) -> None:
    user = add(companies).user
    with clock_for_units_of_work(lambda: NOW + 5 * MINUTE):
        password = users.reset_password(companies.database, "jane@example.com", actor="admin")
    assert sign_in(companies, NOW + 6 * MINUTE) == LoginRefused(Refusal.WRONG)
    result = sign_in(companies, NOW + 7 * MINUTE, password=password)
    assert isinstance(result, Authenticated) and result.must_change_password
    assert result.user.password_changed_at == NOW + 5 * MINUTE > user.password_changed_at


def test_a_company_may_turn_the_second_factor_off_for_its_demo(companies: Companies) -> None:
    add(companies)
    users.set_company_totp(companies.database, COMPANY, required=False, actor="admin")
    result = sign_in(companies, NOW)
    assert isinstance(result, Authenticated) and not result.must_enroll_totp and not result.user.totp_required
