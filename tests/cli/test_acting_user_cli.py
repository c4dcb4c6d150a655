"""`dermbill --as EMAIL ...`: every action of a command recorded as that user of the database (existing and
enabled), else as the operating-system login; a command's own --by still names who does that one thing."""

from __future__ import annotations

import getpass
from pathlib import Path

import pytest
from cli_helpers import assert_one_line_error, run
from era_world import paid_claim, remittance, settled, submitted_claims, write
from sqlalchemy import func, select

from dermbill.db.engine import Database
from dermbill.db.models import AuditEventRow
from dermbill.services.users import add_user, disable_user

COMPANY = "ERA TEST BILLING"  # era_world's billing company, practice ERA
BILLER = "biller@example.test"
GONE = "gone@example.test"


# Tests marked SQLITE_ONLY run on SQLite only, to keep CI within its time: what they check does not depend on
# the backend (the actor on PostgreSQL: tests/db).
SQLITE_ONLY = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


def url_of(database: Database) -> str:
    return database.engine.url.render_as_string(hide_password=False)


def _staff(database: Database) -> None:
    for email in (BILLER, GONE, "other@example.test"):
        add_user(database, company=COMPANY, email=email, display_name="", roles=["biller"], practices=["ERA"],
                 password="correct horse battery staple", actor="test")
    disable_user(database, GONE, actor="test")


def _last_sequence(database: Database) -> int:
    with database.engine.connect() as connection:
        return int(connection.scalar(select(func.coalesce(func.max(AuditEventRow.sequence), 0))) or 0)


def _events_after(database: Database, sequence: int) -> list[tuple[str, str, str]]:
    with database.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(  # type: ignore[misc]
            select(AuditEventRow.actor, AuditEventRow.action, AuditEventRow.source)
            .where(AuditEventRow.sequence > sequence).order_by(AuditEventRow.sequence))]


@SQLITE_ONLY
def test_an_era_posted_as_a_user_is_recorded_as_that_user(database: Database, tmp_path: Path) -> None:
    world = submitted_claims(database, [[("11102", (), 15000)]])
    _staff(database)
    (claim,) = world.claims
    path = write(tmp_path / "payer.835", (remittance((paid_claim(claim, (settled(claim.lines[0], 9000),)),)),))
    before = _last_sequence(database)

    result = run("--as", "Biller@Example.test", "era", "post", str(path), "--db", url_of(database))

    assert result.returncode == 0, result.stderr
    events = _events_after(database, before)
    assert events and ("remittance.posted" in {action for _, action, _ in events})
    assert {(actor, source) for actor, _, source in events} == {(BILLER, "cli: era post")}


@SQLITE_ONLY
def test_without_as_the_actions_are_the_login_names(database: Database, tmp_path: Path) -> None:
    world = submitted_claims(database, [[("11102", (), 15000)]])
    (claim,) = world.claims
    path = write(tmp_path / "payer.835", (remittance((paid_claim(claim, (settled(claim.lines[0], 9000),)),)),))
    before = _last_sequence(database)

    assert run("era", "post", str(path), "--db", url_of(database)).returncode == 0

    events = _events_after(database, before)
    assert events and {actor for actor, _, _ in events} == {getpass.getuser()}


@SQLITE_ONLY
def test_as_sets_the_actor_and_by_still_names_who_does_one_thing(database: Database) -> None:
    submitted_claims(database, [])
    _staff(database)
    before = _last_sequence(database)

    assert run("--as", BILLER, "users", "disable", "other@example.test", "--db", url_of(database)).returncode == 0
    assert run("--as", BILLER, "users", "enable", "other@example.test", "--by", "Pat Supervisor", "--db",
               url_of(database)).returncode == 0

    assert _events_after(database, before) == [(BILLER, "user.disabled", "cli: users disable"),
                                               ("Pat Supervisor", "user.enabled", "cli: users enable")]


@SQLITE_ONLY
def test_as_an_unknown_or_disabled_user_is_refused_and_changes_nothing(database: Database) -> None:
    submitted_claims(database, [])
    _staff(database)
    before = _last_sequence(database)

    unknown = run("--as", "nobody@example.test", "users", "disable", "other@example.test", "--db", url_of(database))
    assert_one_line_error(unknown, "--as nobody@example.test", "no such user")
    disabled = run("--as", GONE, "users", "disable", "other@example.test", "--db", url_of(database))
    assert_one_line_error(disabled, f"--as {GONE}", "disabled")
    assert_one_line_error(run("--as", " ", "users", "list", "--db", url_of(database)), "--as")

    assert _events_after(database, before) == []


def test_as_does_not_apply_to_serving_the_web_application() -> None:
    assert_one_line_error(run("--as", BILLER, "serve", "--port", "1"), "--as does not apply to serve")
