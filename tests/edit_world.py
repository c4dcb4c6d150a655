"""Claims to edit: the ERA world's practice with a claim sent and rejected by the payer's 277CA for its member ID,
or paid by an 835 (tests of claim and patient editing)."""

from __future__ import annotations

import datetime
from pathlib import Path

from era_world import (
    DOS,
    NOW,
    NPI,
    PROFILE,
    Claim,
    LineSpec,
    World,
    add_claim,
    paid_claim,
    remittance,
    settled,
    write,
)
from sqlalchemy import select

from dermbill.core.claim_form import Payer, Person
from dermbill.core.money import Money
from dermbill.db.models import ClaimRow, CoverageRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.claim_editing import send_claim
from dermbill.services.era_posting import post_era_file
from dermbill.services.transmission import SyncReport, process_inbound_file
from dermbill.x12.envelope import ControlNumbers
from dermbill.x12.responses import BatchAcknowledgment, ClaimAcknowledgment, write_277ca

AS_OF = datetime.date(2026, 3, 10)
GOOD_MEMBER_ID = "1EG4TE5MK72"
WRONG_MEMBER_ID = "1EG4TE5MK79"


def set_member_id(world: World, member_id: str) -> None:
    with UnitOfWork(world.database, actor="test") as uow:
        coverage = uow.practice(world.practice_id).rows(CoverageRow)[0]
        coverage.member_id = member_id
        uow.commit()


def status_of(world: World, pcn: str) -> str:
    with UnitOfWork(world.database, actor="test") as uow:
        return uow.session.scalars(select(ClaimRow.status).where(ClaimRow.practice_id == world.practice_id,
                                                                 ClaimRow.patient_control_number == pcn)).one()


def rejected_for_member_id(world: World, tmp_path: Path, lines: list[LineSpec]) -> Claim:
    """A claim keyed with a wrong member ID, sent (its charges posted), and rejected by the payer's 277CA (A3:33,
    subscriber not found): in the fix queue."""
    set_member_id(world, WRONG_MEMBER_ID)
    claim = add_claim(world, lines, submit=False)
    send_claim(world.database, [world.practice_id], claim.pcn, outbox=tmp_path / "outbox", route=None, actor="test",
               now=NOW)
    ack = ClaimAcknowledgment(claim.pcn, False, Person("DOE", "JANE"), WRONG_MEMBER_ID,
                              Money(sum(cents for _, _, cents in lines)), DOS, category="A3", status_code="33",
                              message="SUBSCRIBER NOT FOUND")
    batch = BatchAcknowledgment("TRACE1", Payer("TEST MEDICARE", "TSTMCR"), "B1", DOS, "ERA TEST DERMATOLOGY", NPI,
                                (ack,))
    path = tmp_path / f"277CA-{claim.pcn}.x12"
    path.write_text(write_277ca((batch,), PROFILE, ControlNumbers(700 + claim.id, 700 + claim.id, 1), NOW))
    report = SyncReport()
    process_inbound_file(world.database, path, "test", report, now=NOW)
    assert [pcn for pcn, _ in report.rejected] == [claim.pcn], report
    return claim


def paid(world: World, tmp_path: Path, lines: list[LineSpec]) -> Claim:
    """A claim sent and paid by an 835 (the payer's claim number ICN{id:08d})."""
    claim = add_claim(world, lines)
    answer = paid_claim(claim, tuple(settled(line, line.charge.cents * 6 // 10) for line in claim.lines))
    post_era_file(world.database, write(tmp_path / f"835-{claim.pcn}.x12", (remittance((answer,),
                                                                                        trace=f"EFT{claim.id}"),),
                                        interchange=claim.id))
    return claim
