"""A world for the web tests that walk the whole application (browsers, route scoping, API fuzzing).

The demo billing company (two practices, D1 and D2, with claims, patients, remittances and denial work items)
with staff who sign in without a second factor, and a second billing company with one user. It is built once per
test process into a template SQLite file (the demo takes seconds) and every test gets its own copy, so tests run
in parallel (pytest -n) and may change what they are given.
"""

from __future__ import annotations

import atexit
import datetime
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from era_world import practice_world
from migrated_databases import migrated_sqlite_url

from dermbill.core.access import Role
from dermbill.db.engine import open_database
from dermbill.services.demo import DemoOptions, build_demo
from dermbill.services.users import add_user, set_company_totp
from dermbill.synthetic.people import ORGANIZATION_NAME

AS_OF = datetime.date(2026, 11, 26)  # the demo's day: its data never depends on today's date
PATIENTS = 40  # enough for claims, remittances and denial work items in both practices
COMPANY = ORGANIZATION_NAME
PRACTICES = ("D1", "D2")
OTHER_COMPANY = "OTHER BILLING CO"
OTHER_USER = "admin@other.test"
PASSWORD = "correct horse battery staple 9"
ALL_ROLES = "all-roles@staff.test"


def staff_email(role: Role) -> str:
    """The world's user who holds only ``role``, with both demo practices."""
    return f"{role.value.replace('_', '-')}@staff.test"


@dataclass(frozen=True, slots=True)
class WebWorld:
    url: str  # a SQLite database of this test's own
    out_dir: Path  # the demo's files (outbox, appeal letters)


_template: list[Path] = []


def _build_template() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="dermbill-web-world-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "world.db"
    database = open_database(migrated_sqlite_url(path))
    try:
        build_demo(database, DemoOptions(out_dir=folder / "out", as_of=AS_OF, patients=PATIENTS, seed=7))
        set_company_totp(database, COMPANY, required=False, actor="test")
        for role in Role:
            add_user(database, company=COMPANY, email=staff_email(role), display_name=f"Staff {role.label}",
                     roles=[role], practices=list(PRACTICES), password=PASSWORD, actor="test")
        add_user(database, company=COMPANY, email=ALL_ROLES, display_name="Every Role", roles=list(Role),
                 practices=list(PRACTICES), password=PASSWORD, actor="test")
        practice_world(database, company=OTHER_COMPANY, submitter="OTHERCO", code="OTH")
        set_company_totp(database, OTHER_COMPANY, required=False, actor="test")
        add_user(database, company=OTHER_COMPANY, email=OTHER_USER, display_name="Other Admin",
                 roles=[Role.ADMINISTRATOR], practices=[], password=PASSWORD, actor="test")
    finally:
        database.dispose()
    return path


def web_world(folder: Path) -> WebWorld:
    """A copy of the world in ``folder`` (the template is built at the first call in this process)."""
    if not _template:
        _template.append(_build_template())
    template = _template[0]
    path = folder / "world.db"
    shutil.copyfile(template, path)
    out = folder / "out"
    shutil.copytree(template.parent / "out", out)
    return WebWorld(url=f"sqlite:///{path}", out_dir=out)
