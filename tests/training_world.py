"""A practice with the denials training is assigned from: a CO-27 (coverage ended: the front desk) and a CO-97
(bundled: coding), posted from an 835 and worked into the denial queue; a front-desk person whose coverage edit the
audit trail shows, a second front-desk person, a coder and a manager."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from era_world import PAID_ON, add_claim, denied, paid_claim, practice_world, remittance, write

from dermbill.core.access import Role
from dermbill.db.engine import Database
from dermbill.db.models import CoverageRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.denials import refresh_queue
from dermbill.services.era_posting import post_era_file
from dermbill.services.users import add_user, set_company_totp

COMPANY = "ERA TEST BILLING"
PASSWORD = "correct horse battery staple 9"
AS_OF = PAID_ON + datetime.timedelta(days=1)  # the day training is assigned: the denials are a day old
DESK, OTHER_DESK, CODER, MANAGER = ("desk@era.test", "desk2@era.test", "coder@era.test", "manager@era.test")


@dataclass(frozen=True)
class TrainingWorld:
    database: Database
    practice_id: int


def denied_practice(database: Database, folder: Path) -> TrainingWorld:
    world = practice_world(database)
    ended = add_claim(world, [("99213", (), 12000)])
    bundled = add_claim(world, [("11102", (), 15000)])
    answers = (paid_claim(ended, (denied(ended.lines[0], "CO", "27"),), status="4"),
               paid_claim(bundled, (denied(bundled.lines[0], "CO", "97", remarks=("M15",)),), status="4"))
    assert {o.status for o in post_era_file(database, write(folder / "denials.835", (remittance(answers),)))} \
        == {"posted"}
    refresh_queue(database, today=AS_OF)
    set_company_totp(database, COMPANY, required=False, actor="test")
    for email, role in ((DESK, Role.FRONT_DESK), (OTHER_DESK, Role.FRONT_DESK), (CODER, Role.CODER),
                        (MANAGER, Role.MANAGER)):
        add_user(database, company=COMPANY, email=email, display_name=email.split("@")[0], roles=[role],
                 practices=["ERA"], password=PASSWORD, actor="test")
    with UnitOfWork(database, actor=DESK) as uow:  # the audit trail: DESK keyed the patient's coverage
        repo = uow.practice(world.practice_id)
        coverage = repo.rows(CoverageRow)[0]
        repo.audit("coverage.edited", "coverage", coverage.id, {"patient": "A-1", "after": {"member_id": "x"}})
        uow.commit()
    return TrainingWorld(database, world.practice_id)
