"""A world for the web tests that walk the whole application (browsers, route scoping, API fuzzing).

The demo billing company (two practices, D1 and D2, with claims, patients, remittances, denial work items and a
claim in the fix queue) with staff who sign in without a second factor, and a second billing company with one
user. It is built once per run into a template SQLite file (the demo takes seconds; the xdist workers share it,
the first to need it builds it under a lock) and every test gets its own copy, so tests run in parallel and may
change what they are given.
"""

from __future__ import annotations

import datetime
import fcntl
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from era_world import practice_world
from migrated_databases import migrated_sqlite_url
from sqlalchemy import select

from dermbill.core.access import Role
from dermbill.core.claims import ClaimStatus
from dermbill.core.resubmission import REJECTION_RULE
from dermbill.db.engine import Database, open_database
from dermbill.db.models import ClaimFindingRow, ClaimLineRow, ClaimRow, DenialItemRow, PracticeRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.demo import DemoOptions, build_demo
from dermbill.services.demo_cycle import demo_time
from dermbill.services.users import add_user, set_company_totp
from dermbill.synthetic.people import ORGANIZATION_NAME

AS_OF = datetime.date(2026, 11, 26)  # the demo's day: its data never depends on today's date
# The day the browser journeys work on (their server's "today"): soon after the world was built, so its claims
# are as fresh as a practice's would be, whatever the machine's date (timely filing is counted from it).
WORKING_DAY = AS_OF + datetime.timedelta(days=3)
PATIENTS, SEED = 24, 3  # the smallest demo found with denial work items in both practices
COMPANY = ORGANIZATION_NAME
PRACTICES = ("D1", "D2")
OTHER_COMPANY = "OTHER BILLING CO"
OTHER_USER = "admin@other.test"
PASSWORD = "correct horse battery staple 9"
ALL_ROLES = "all-roles@staff.test"


def staff_email(role: Role, practice: str | None = None) -> str:
    """The world's user who holds only ``role``, with both demo practices (or only ``practice``: D1)."""
    return f"{role.value.replace('_', '-')}{'-' + practice.lower() if practice else ''}@staff.test"


def all_roles_email(practice: str) -> str:
    """The world's user with every role and only ``practice`` (D1 or D2)."""
    return f"all-roles-{practice.lower()}@staff.test"


@dataclass(frozen=True, slots=True)
class WebWorld:
    url: str  # a SQLite database of this test's own
    out_dir: Path  # the demo's files (outbox, appeal letters)


def _build_template(folder: Path) -> None:
    path = folder / "world.db"
    database = open_database(migrated_sqlite_url(path))
    try:
        build_demo(database, DemoOptions(out_dir=folder / "out", as_of=AS_OF, patients=PATIENTS, seed=SEED))
        set_company_totp(database, COMPANY, required=False, actor="test")
        _reject_a_claim_of_each_practice(database)
        _deny_a_modifier_of_a_d1_claim(database)
        for role in Role:
            add_user(database, company=COMPANY, email=staff_email(role), display_name=f"Staff {role.label}",
                     roles=[role], practices=list(PRACTICES), password=PASSWORD, actor="test")
        add_user(database, company=COMPANY, email=ALL_ROLES, display_name="Every Role", roles=list(Role),
                 practices=list(PRACTICES), password=PASSWORD, actor="test")
        # Users of one practice (the route scoping walk): each role in D1, every role in D1, every role in D2.
        for role in Role:
            add_user(database, company=COMPANY, email=staff_email(role, "D1"), display_name=f"D1 {role.label}",
                     roles=[role], practices=["D1"], password=PASSWORD, actor="test")
        for practice in PRACTICES:
            add_user(database, company=COMPANY, email=all_roles_email(practice), display_name=f"{practice} Everyone",
                     roles=list(Role), practices=[practice], password=PASSWORD, actor="test")
        practice_world(database, company=OTHER_COMPANY, submitter="OTHERCO", code="OTH")
        set_company_totp(database, OTHER_COMPANY, required=False, actor="test")
        add_user(database, company=OTHER_COMPANY, email=OTHER_USER, display_name="Other Admin",
                 roles=[Role.ADMINISTRATOR], practices=[], password=PASSWORD, actor="test")
    finally:
        database.dispose()


def _reject_a_claim_of_each_practice(database: Database) -> None:
    """The fix queue's work in each practice: when the demo's payer rejected none of its claims, the newest claim
    not yet adjudicated (the newest claim without a denial item, else) rejected by a 277CA for its member ID, as
    services.transmission records it."""
    adjudicated = {ClaimStatus.PAID.value, ClaimStatus.PARTIALLY_PAID.value, ClaimStatus.DENIED.value}
    with UnitOfWork(database, actor="test") as uow:
        for practice in PRACTICES:
            practice_id = uow.session.scalars(select(PracticeRow.id).where(PracticeRow.code == practice)).one()
            if uow.session.scalars(select(ClaimRow.id).where(ClaimRow.practice_id == practice_id,
                                                             ClaimRow.status == ClaimStatus.REJECTED.value)).first():
                continue
            worked = select(DenialItemRow.claim_id).where(DenialItemRow.practice_id == practice_id)
            claims = list(uow.session.scalars(select(ClaimRow).where(ClaimRow.practice_id == practice_id,
                                                                     ClaimRow.id.not_in(worked))
                                              .order_by(ClaimRow.id.desc())))
            claim = next((c for c in claims if c.status not in adjudicated), claims[0])
            claim.status = ClaimStatus.REJECTED.value
            uow.session.add(ClaimFindingRow(practice_id=practice_id, claim_id=claim.id, rule=REJECTION_RULE,
                                            severity="error", lines=[], message="member ID: SUBSCRIBER NOT FOUND",
                                            fix="check the member ID on the insurance card",
                                            scrubbed_at=demo_time(AS_OF)))
        uow.commit()


def _deny_a_modifier_of_a_d1_claim(database: Database) -> None:
    """The denial queue's correctable work in D1: the demo's payers deny a line bundled by an NCCI edit when they
    do not accept XS (CO-97/M15), and the demo corrects those itself; this one waits for a person. The first D1
    claim paid with an XS line gets that denial on the line, its certain fix "take XS off and add 59"."""
    with UnitOfWork(database, actor="test") as uow:
        found = uow.session.execute(
            select(ClaimRow, ClaimLineRow).join(ClaimLineRow, ClaimLineRow.claim_id == ClaimRow.id)
            .join(PracticeRow, PracticeRow.id == ClaimRow.practice_id)
            .where(PracticeRow.code == "D1", ClaimRow.status == ClaimStatus.PAID.value,
                   ClaimRow.payer_claim_number.is_not(None))
            .order_by(ClaimRow.id, ClaimLineRow.line_number)).all()
        claim, line = next((c, line) for c, line in found if "XS" in line.modifiers)
        claim.status = ClaimStatus.PARTIALLY_PAID.value
        uow.session.add(DenialItemRow(
            practice_id=claim.practice_id, claim_id=claim.id, payer_id=claim.payer_id,
            source_key=f"test:{claim.id}:CO-97:M15", kind="denial", line_ids=[line.id],
            line_numbers=[line.line_number], codes=[line.procedure_code], group_code="CO", carc="97",
            rarcs=["M15"], category="coding_bundling", action="correct_and_resubmit",
            cause=f"CO-97/M15: {line.procedure_code} was bundled although it treated a different lesion; the payer "
                  "did not accept XS, so use 59 and send a corrected claim",
            fixes=[{"line": line.line_number, "add": ["59"], "remove": ["XS"]}], relies_on=[],
            amount_cents=line.charge_cents, adjudicated_on=AS_OF, deadline=AS_OF + datetime.timedelta(days=180),
            status="open", created_at=demo_time(AS_OF), updated_at=demo_time(AS_OF)))
        uow.commit()


def correctable_denial(database: Database) -> tuple[int, str]:
    """The D1 work item with a certain fix waiting for a person, and its claim's number."""
    with UnitOfWork(database, actor="test") as uow:
        item_id, number = uow.session.execute(
            select(DenialItemRow.id, ClaimRow.patient_control_number)
            .join(ClaimRow, ClaimRow.id == DenialItemRow.claim_id)
            .where(DenialItemRow.source_key.startswith("test:"))).one()
        return int(item_id), str(number)


def rejected_claim(database: Database, practice: str) -> str:
    """The claim number of a claim of the practice in the fix queue."""
    with UnitOfWork(database, actor="test") as uow:
        found = uow.session.scalars(
            select(ClaimRow.patient_control_number).join(PracticeRow, PracticeRow.id == ClaimRow.practice_id)
            .where(PracticeRow.code == practice, ClaimRow.status == ClaimStatus.REJECTED.value)
            .order_by(ClaimRow.id)).first()
        assert found is not None
        return found


def _template(shared: Path) -> Path:
    """The run's template folder under ``shared`` (a folder every worker of the run sees), built at first use."""
    folder = shared / "web-world"
    ready = folder / "ready"
    if ready.exists():
        return folder
    with (shared / "web-world.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one worker builds; the others wait for it
        if not ready.exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a worker that died half-way left
            folder.mkdir()
            _build_template(folder)
            ready.touch()
    return folder


def web_world(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> WebWorld:
    """A copy of the world in ``folder``, a folder of the test's own."""
    base = tmp_path_factory.getbasetemp()
    template = _template(base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base)
    path = folder / "world.db"
    shutil.copyfile(template / "world.db", path)
    out = folder / "out"
    shutil.copytree(template / "out", out)
    return WebWorld(url=f"sqlite:///{path}", out_dir=out)
