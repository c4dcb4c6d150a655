"""Editing claims: a line changed on a claim not yet adjudicated (checked whole, audited before and after, in the
claim's history, re-scrubbed), sent; a corrected or void claim after adjudication; scoped to the user's
practices."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from edit_world import AS_OF, GOOD_MEMBER_ID, paid, rejected_for_member_id, set_member_id, status_of
from era_world import (
    NOW,
    LineSpec,
    World,
    add_claim,
    denied,
    paid_claim,
    practice_world,
    remittance,
    settled,
    write,
)
from sqlalchemy import select

from dermbill.core.claim_edits import LineChange
from dermbill.core.errors import InvalidFields, InvalidTransition, NotFound
from dermbill.db.engine import Database
from dermbill.db.models import AuditEventRow, ClaimLineRow, ClaimRow, ClaimStatusEventRow, DenialItemRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.claim_editing import correct_claim, edit_claim_line, read_claim, scrub_claim, send_claim
from dermbill.services.denials import refresh_queue
from dermbill.services.era_posting import post_era_file
from dermbill.services.ledger_check import check_ledger
from dermbill.services.transmission import fix_queue

LINES: list[LineSpec] = [("11102", (), 15000), ("11103", (), 5000)]


class Audit(NamedTuple):
    actor: str
    entity_id: int | None
    detail: dict[str, Any]
    source: str


def audits(database: Database, action: str) -> list[Audit]:
    with UnitOfWork(database, actor="test") as uow:
        return [Audit(e.actor, e.entity_id, e.detail, e.source) for e in uow.session.scalars(
            select(AuditEventRow).where(AuditEventRow.action == action).order_by(AuditEventRow.id))]


def history(world: World, pcn: str) -> list[tuple[str, str, str]]:
    with UnitOfWork(world.database, actor="test") as uow:
        claim = uow.session.scalars(select(ClaimRow).where(ClaimRow.patient_control_number == pcn,
                                                           ClaimRow.practice_id == world.practice_id)).one()
        return [(e.from_status, e.to_status, e.reason) for e in uow.session.scalars(
            select(ClaimStatusEventRow).where(ClaimStatusEventRow.claim_id == claim.id)
            .order_by(ClaimStatusEventRow.id))]


def line_rows(world: World, pcn: str) -> list[tuple[str, list[str], int, list[int], int]]:
    with UnitOfWork(world.database, actor="test") as uow:
        claim = uow.session.scalars(select(ClaimRow).where(ClaimRow.patient_control_number == pcn,
                                                           ClaimRow.practice_id == world.practice_id)).one()
        return [(x.procedure_code, x.modifiers, x.units, x.diagnosis_pointers, x.charge_cents) for x in
                uow.session.scalars(select(ClaimLineRow).where(ClaimLineRow.claim_id == claim.id)
                                    .order_by(ClaimLineRow.line_number))]


def test_a_line_edit_is_saved_audited_before_and_after_in_the_history_and_re_scrubbed(database: Database) -> None:
    world = practice_world(database)
    claim = add_claim(world, LINES, submit=False)

    view = edit_claim_line(database, [world.practice_id], claim.pcn, 2, LineChange(
        units=2, modifiers=("59",), charge=Decimal("100.00")), actor="coder@era.test", as_of=AS_OF)

    assert (view.status, str(view.total_charge)) == ("ready", "250.00")
    assert line_rows(world, claim.pcn)[1] == ("11103", ["59"], 2, [1], 10000)
    [event] = audits(database, "claim.line_edited")
    assert event.actor == "coder@era.test" and event.detail == {
        "claim": claim.pcn, "line": 2, "before": {"modifiers": [], "units": 1, "charge": "50.00"},
        "after": {"modifiers": ["59"], "units": 2, "charge": "100.00"}}
    assert ("ready", "ready", "line 2 edited: modifiers none -> 59; units 1 -> 2; charge 50.00 -> 100.00") in \
        history(world, claim.pcn)


def test_a_refused_edit_saves_nothing_and_names_every_problem(database: Database) -> None:
    world = practice_world(database)
    claim = add_claim(world, LINES, submit=False)
    before = line_rows(world, claim.pcn)

    with pytest.raises(InvalidFields) as refused:
        edit_claim_line(database, [world.practice_id], claim.pcn, 1, LineChange(
            procedure_code="11104", units=0, diagnosis_pointers=(2,)), actor="coder", as_of=AS_OF)

    assert [(p.field, p.message) for p in refused.value.problems] == [
        ("units", "line 1: units must be a whole number from 1 to 999 (got 0)"),
        ("diagnosis_pointers", "line 1: diagnosis pointer 2 points at no diagnosis (the claim has 1: pointers 1 to 1)")]
    assert line_rows(world, claim.pcn) == before  # not even the valid procedure code
    assert audits(database, "claim.line_edited") == [] and history(world, claim.pcn) == []


def test_another_practices_claim_and_a_missing_line_are_not_found(database: Database) -> None:
    ours = practice_world(database)
    theirs = practice_world(database, company="OTHER BILLING CO", submitter="OTHERCO", code="OTH")
    mine = add_claim(ours, LINES, submit=False)
    other = [add_claim(theirs, LINES, submit=False) for _ in range(2)][-1]  # ERA-2: only the other practice's

    with pytest.raises(NotFound, match="no claim ERA-2 among your practices' claims"):
        edit_claim_line(database, [ours.practice_id], other.pcn, 1, LineChange(units=2), actor="c", as_of=AS_OF)
    with pytest.raises(NotFound, match="no claim ERA-1 among"):
        scrub_claim(database, [], mine.pcn, actor="c", as_of=AS_OF)
    with pytest.raises(NotFound, match="has no line 3 \\(its lines: 1, 2\\)"):
        edit_claim_line(database, [ours.practice_id], mine.pcn, 3, LineChange(units=2), actor="c", as_of=AS_OF)
    assert line_rows(theirs, other.pcn)[0][2] == 1


def test_a_claim_the_payer_adjudicated_is_not_edited_but_corrected(database: Database, tmp_path: Path) -> None:
    world = practice_world(database)
    claim = paid(world, tmp_path, LINES)
    assert status_of(world, claim.pcn) == "paid"

    with pytest.raises(InvalidTransition, match="send a corrected claim \\(frequency 7\\) or void it"):
        edit_claim_line(database, [world.practice_id], claim.pcn, 1, LineChange(units=2), actor="c", as_of=AS_OF)

    corrected = correct_claim(database, [world.practice_id], claim.pcn, frequency="7", reason="units were 1, not 2",
                              actor="ds@era.test", as_of=AS_OF)
    assert (corrected.claim_number, corrected.frequency_code, corrected.replaces) == (f"{claim.pcn}C1", "7",
                                                                                      claim.pcn)
    assert corrected.payer_claim_number == f"ICN{claim.id:08d}" and corrected.status == "ready"
    assert status_of(world, claim.pcn) == "closed"
    [event] = audits(database, "claim.corrected")
    assert event.detail["before"] == {"status": "paid"} and event.detail["after"] == {
        "status": "closed", "frequency": "7", "new_claim": f"{claim.pcn}C1"}
    assert event.detail["reason"] == "units were 1, not 2"

    # The replacement is edited (not its charge: that was charged on the original) and sent with REF*F8.
    view = edit_claim_line(database, [world.practice_id], corrected.claim_number, 2, LineChange(units=2),
                           actor="ds", as_of=AS_OF)
    assert view.lines[1].units == 2 and view.status == "ready"
    with pytest.raises(InvalidFields, match=f"the charge is the one made on claim {claim.pcn} line 1"):
        edit_claim_line(database, [world.practice_id], corrected.claim_number, 1, LineChange(charge=Decimal("9")),
                        actor="ds", as_of=AS_OF)
    sent = send_claim(database, [world.practice_id], corrected.claim_number, outbox=tmp_path / "out", route=None,
                      actor="biller", now=NOW)
    text = (tmp_path / "out" / sent.file_name).read_text()
    assert f"REF*F8*ICN{claim.id:08d}~" in text and ":B:7*" in text
    assert sent.status == "submitted" and check_ledger(database).clean

    with pytest.raises(InvalidTransition, match=f"already replaced or voided by claim {claim.pcn}C1"):
        correct_claim(database, [world.practice_id], claim.pcn, frequency="8", reason="again", actor="ds",
                      as_of=AS_OF)


def test_a_void_carries_the_payers_number_and_cannot_be_edited(database: Database, tmp_path: Path) -> None:
    world = practice_world(database)
    claim = paid(world, tmp_path, LINES)
    void = correct_claim(database, [world.practice_id], claim.pcn, frequency="8", reason="billed the wrong patient",
                         actor="ds", as_of=AS_OF)
    assert (void.claim_number, void.frequency_code) == (f"{claim.pcn}V1", "8")
    assert [a.detail["after"]["new_claim"] for a in audits(database, "claim.voided")] == [void.claim_number]
    with pytest.raises(InvalidTransition, match="is a void"):
        edit_claim_line(database, [world.practice_id], void.claim_number, 1, LineChange(units=2), actor="c",
                        as_of=AS_OF)
    with pytest.raises(InvalidTransition, match="already replaced or voided"):
        correct_claim(database, [world.practice_id], claim.pcn, frequency="7", reason="x", actor="ds", as_of=AS_OF)


def test_a_correction_needs_an_adjudicated_claim_and_a_reason(database: Database) -> None:
    world = practice_world(database)
    claim = add_claim(world, LINES, submit=False)
    with pytest.raises(InvalidFields, match="reason"):
        correct_claim(database, [world.practice_id], claim.pcn, frequency="7", reason="  ", actor="ds", as_of=AS_OF)
    with pytest.raises(InvalidTransition, match="is ready; only a claim the payer adjudicated"):
        correct_claim(database, [world.practice_id], claim.pcn, frequency="7", reason="x", actor="ds", as_of=AS_OF)


def test_a_rejected_claim_edited_leaves_the_fix_queue_and_its_ledger_charge_follows(database: Database,
                                                                                    tmp_path: Path) -> None:
    world = practice_world(database)
    claim = rejected_for_member_id(world, tmp_path, LINES)
    assert status_of(world, claim.pcn) == "rejected" and [i["claim"] for i in fix_queue(database)] == [claim.pcn]
    set_member_id(world, GOOD_MEMBER_ID)  # fixed outside the claim; the charge is corrected on the claim too

    view = edit_claim_line(database, [world.practice_id], claim.pcn, 1, LineChange(charge=Decimal("175.00")),
                           actor="biller", as_of=AS_OF)

    assert view.status == "ready" and fix_queue(database) == []
    assert [e[1] for e in history(world, claim.pcn)][-3:] == ["rejected", "corrected", "ready"]
    assert check_ledger(database).clean  # the charge posted at the first sending moved with the line
    send_claim(database, [world.practice_id], claim.pcn, outbox=tmp_path / "outbox", route=None, actor="b", now=NOW)
    with pytest.raises(InvalidTransition, match="is submitted; its lines can be edited only"):
        edit_claim_line(database, [world.practice_id], claim.pcn, 1, LineChange(units=3), actor="b", as_of=AS_OF)


def test_only_a_ready_claim_is_sent(database: Database, tmp_path: Path) -> None:
    world = practice_world(database)
    claim = rejected_for_member_id(world, tmp_path, LINES)
    with pytest.raises(InvalidTransition, match="is rejected, not ready; only a ready claim is sent: fix what"):
        send_claim(database, [world.practice_id], claim.pcn, outbox=tmp_path / "o", route=None, actor="b", now=NOW)
    held = scrub_claim(database, [world.practice_id], claim.pcn, actor="b", as_of=AS_OF)
    assert held.status == "rejected" and "rejected-unchanged" in {f.rule for f in held.findings}
    approved = scrub_claim(database, [world.practice_id], claim.pcn, actor="b", as_of=AS_OF, resubmit_unchanged=True)
    assert approved.status == "ready"
    with pytest.raises(InvalidTransition, match="is ready; only a rejected claim is approved"):
        scrub_claim(database, [world.practice_id], claim.pcn, actor="b", as_of=AS_OF, resubmit_unchanged=True)
    assert [(a.detail["before"], a.detail["after"]) for a in audits(database, "claim.scrubbed")][-1] == (
        {"status": "rejected"}, {"status": "ready"})


def test_the_denial_work_items_of_a_corrected_claim_wait_for_the_corrected_claims_answer(database: Database,
                                                                                        tmp_path: Path) -> None:
    world = practice_world(database)
    claim = add_claim(world, LINES)
    answer = paid_claim(claim, (settled(claim.lines[0], 9000), denied(claim.lines[1], "CO", "4")))
    post_era_file(database, write(tmp_path / "835.x12", (remittance((answer,)),)))
    refresh_queue(database, today=AS_OF)
    assert status_of(world, claim.pcn) == "partially_paid"

    corrected = correct_claim(database, [world.practice_id], claim.pcn, frequency="7", reason="modifier 59 missing",
                              actor="ds", as_of=AS_OF)

    with UnitOfWork(database, actor="test") as uow:
        items = [(i.status, i.follow_up_claim_id) for i in uow.session.scalars(select(DenialItemRow))]
        new_id = uow.session.scalars(select(ClaimRow.id).where(
            ClaimRow.patient_control_number == corrected.claim_number)).one()
    assert items == [("waiting", new_id)]


def test_reading_a_claim_shows_its_lines_and_findings_and_is_audited(database: Database) -> None:
    world = practice_world(database)
    claim = add_claim(world, LINES, submit=False)
    edit_claim_line(database, [world.practice_id], claim.pcn, 2, LineChange(units=9), actor="c", as_of=AS_OF)

    view = read_claim(database, [world.practice_id], claim.pcn.lower(), actor="coder")

    assert [(x.procedure_code, x.units) for x in view.lines] == [("11102", 1), ("11103", 9)]
    assert view.status == "scrub_errors" and view.findings and all(f.message for f in view.findings)
    [event] = audits(database, "claim.read")
    assert (event.actor, event.detail) == ("coder", {"claim": claim.pcn})
    with pytest.raises(NotFound):
        read_claim(database, [world.practice_id + 1000], claim.pcn, actor="coder")
