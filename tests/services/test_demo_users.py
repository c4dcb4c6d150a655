"""The demo's staff: a user per role and a coder of one practice, whose logins.txt passwords sign in at once."""

from __future__ import annotations

import datetime
import stat
from pathlib import Path

import pytest

from dermbill import clock
from dermbill.core.access import Role
from dermbill.db.engine import Database
from dermbill.db.repositories import UnitOfWork
from dermbill.services.demo import DemoOptions, build_demo, reset_demo
from dermbill.services.demo_users import DEMO_DOMAIN
from dermbill.services.users import Authenticated, authenticate, list_users
from dermbill.synthetic.people import ORGANIZATION_NAME

AS_OF = datetime.date(2026, 11, 26)


# Tests marked SQLITE_ONLY run on SQLite only, to keep CI within its time: what they check does not depend on
# the backend (a demo twice; PostgreSQL: the other tests).
SQLITE_ONLY = pytest.mark.parametrize("database", ["sqlite"], indirect=True)


def _build(database: Database, out: Path) -> Path:
    summary = build_demo(database, DemoOptions(out_dir=out, as_of=AS_OF, patients=4, seed=5, code=False,
                                               cycle=False))
    assert summary.logins == out / "logins.txt"
    return summary.logins


def _logins(path: Path) -> dict[str, tuple[str, str, str]]:
    """E-mail -> (roles, practices, password), from the lines that are not comments."""
    rows = [line.split() for line in path.read_text().splitlines() if line and not line.startswith("#")]
    assert all(len(row) == 4 for row in rows), rows
    return {email: (roles, practices, password) for email, roles, practices, password in rows}


def test_the_demo_has_a_user_per_role_and_a_coder_of_the_first_practice_only(database: Database,
                                                                            tmp_path: Path) -> None:
    path = _build(database, tmp_path / "out")
    users = {user.email: user for user in list_users(database, company=ORGANIZATION_NAME)}
    practices = ("D1", "D2")
    expected = {f"{role.value.replace('_', '')}@{DEMO_DOMAIN}": (frozenset({role}), practices) for role in Role}
    expected[f"coder.d1@{DEMO_DOMAIN}"] = (frozenset({Role.CODER}), ("D1",))
    assert {email: (user.roles, user.practices) for email, user in users.items()} == expected
    assert not any(user.disabled or user.totp_required for user in users.values())

    logins = _logins(path)
    written = {email: (roles, practices) for email, (roles, practices, _) in logins.items()}
    assert written == {email: (",".join(sorted(r.value for r in roles)), ",".join(codes))
                       for email, (roles, codes) in expected.items()}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text()
    assert "dermbill users token create EMAIL" in text and "http://127.0.0.1:8000/" in text

    for email, (_, _, password) in logins.items():
        assert len(password) >= 20
        signed_in = authenticate(database, email, password, None, now=clock.utc_now())
        assert isinstance(signed_in, Authenticated), (email, signed_in)
        assert not signed_in.must_change_password and not signed_in.must_enroll_totp
    assert len({password for _, _, password in logins.values()}) == len(logins)


def test_the_demo_company_asks_no_second_factor(database: Database, tmp_path: Path) -> None:
    _build(database, tmp_path / "out")
    with UnitOfWork(database, actor="test") as uow:
        organization = uow.find_organization(ORGANIZATION_NAME)
        assert organization is not None and organization.require_totp is False


@SQLITE_ONLY
def test_a_rebuild_after_reset_makes_new_passwords_and_the_old_ones_stop_working(database: Database,
                                                                                tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = _logins(_build(database, out))
    for _ in range(2):
        reset_demo(database, out)
        assert not (out / "logins.txt").exists()
        again = _logins(_build(database, out))
        assert again.keys() == first.keys()
        email = f"manager@{DEMO_DOMAIN}"
        assert again[email][2] != first[email][2]
        assert isinstance(authenticate(database, email, again[email][2], None, now=clock.utc_now()), Authenticated)
        assert not isinstance(authenticate(database, email, first[email][2], None, now=clock.utc_now()),
                              Authenticated)
        first = again
