"""The payment poster's workspace services: a held claim payment matched by hand to a claim (same ledger rules as
an 835, exactly once, audited), a quarantined 835 posted once its cause is resolved or closed with a note, and an
upload posting only to the poster's practices."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from era_world import NOW, Claim, World, paid_claim, remittance, settled, submitted_claims, write

from dermbill.core.errors import InvalidInput, InvalidTransition, NotFound
from dermbill.core.ledger import CASH, INSURANCE_AR, PATIENT_AR, UNAPPLIED_INSURANCE
from dermbill.core.money import Money
from dermbill.db.engine import Database
from dermbill.db.models import AuditEventRow, ClaimRow, PayerRow, PostingRow, RemittanceRow, UnmatchedRemittanceRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.era_posting import (
    close_remittance,
    match_held_payment,
    post_era_file,
    post_era_upload,
    release_remittance,
)
from dermbill.services.ledger_check import check_ledger

TWO_LINES = [("11102", (), 15000), ("17110", (), 12000)]


def balances(world: World, **where: int) -> dict[str, Money]:
    with UnitOfWork(world.database, actor="test") as uow:
        repo = uow.practice(world.practice_id)
        return repo.balances(*[getattr(PostingRow, column) == value for column, value in where.items()])


def _mistyped(claim: Claim) -> Claim:
    """The claim as a payer that mistyped its number would pay it (CLP01 matches none of ours)."""
    return dataclasses.replace(claim, pcn="X" + claim.pcn)


def _held(database: Database) -> UnmatchedRemittanceRow:
    with UnitOfWork(database, actor="test") as uow:
        rows = uow.session.query(UnmatchedRemittanceRow).all()
        assert len(rows) == 1
        uow.session.expunge(rows[0])
        return rows[0]


def _paid_by_mistyped_number(world: World, tmp_path: Path) -> tuple[Claim, UnmatchedRemittanceRow]:
    claim = world.claims[0]
    payment = paid_claim(claim, tuple(settled(line, 8000, patient=(("2", 1000),)) for line in claim.lines))
    payment = dataclasses.replace(payment, patient_control_number="X" + claim.pcn)
    outcomes = post_era_file(world.database, write(tmp_path / "one.835", (remittance((payment,)),)))
    assert outcomes[0].status == "posted" and len(outcomes[0].unmatched) == 1
    return claim, _held(world.database)


def test_a_held_payment_matched_by_hand_posts_like_an_835_and_only_once(database: Database, tmp_path: Path) -> None:
    world = submitted_claims(database, [TWO_LINES])
    claim, held = _paid_by_mistyped_number(world, tmp_path)
    assert balances(world)[UNAPPLIED_INSURANCE] == Money(-14000)  # both lines paid 70.00, held

    matched = match_held_payment(database, {world.practice_id}, held.id, claim.pcn, actor="poster@era.test", now=NOW)

    assert matched.claim_number == claim.pcn and matched.paid == Money(14000) and matched.status == "paid"
    assert matched.lines == "11102 to line 1, 17110 to line 2"
    after = balances(world)
    assert after.get(UNAPPLIED_INSURANCE, Money(0)) == Money(0)  # the held cash went to the claim
    assert after[CASH] == Money(14000)  # received once, not twice
    on_claim = balances(world, claim_id=claim.id)
    assert on_claim.get(INSURANCE_AR, Money(0)) == Money(0)
    assert on_claim[PATIENT_AR] == Money(2000)  # PR-2 10.00 on each line
    assert check_ledger(database).clean
    with pytest.raises(InvalidTransition, match="matched already"):
        match_held_payment(database, {world.practice_id}, held.id, claim.pcn, actor="poster@era.test", now=NOW)
    with UnitOfWork(database, actor="test") as uow:
        events = [e for e in uow.session.query(AuditEventRow).all() if e.action == "unmatched.matched"]
        assert [(e.actor, e.detail["claim"], e.detail["payment"]) for e in events] == [
            ("poster@era.test", claim.pcn, "X" + claim.pcn)]


def test_a_hand_match_takes_the_lines_the_person_chose_and_refuses_lines_that_do_not_exist(
        database: Database, tmp_path: Path) -> None:
    world = submitted_claims(database, [TWO_LINES])
    claim, held = _paid_by_mistyped_number(world, tmp_path)
    with pytest.raises(InvalidInput, match="has no line 7"):
        match_held_payment(database, {world.practice_id}, held.id, claim.pcn, [1, 7], actor="p", now=NOW)
    with pytest.raises(InvalidInput, match="same claim line"):
        match_held_payment(database, {world.practice_id}, held.id, claim.pcn, [1, 1], actor="p", now=NOW)
    with pytest.raises(InvalidInput, match="choose a claim line for each"):
        match_held_payment(database, {world.practice_id}, held.id, claim.pcn, [1], actor="p", now=NOW)
    assert balances(world)[UNAPPLIED_INSURANCE] == Money(-14000)  # nothing of a refused match was posted
    with pytest.raises(InvalidInput, match="service line 1 .11102. answers a charge of 150.00; claim line 2"):
        match_held_payment(database, {world.practice_id}, held.id, claim.pcn, [2, 1], actor="p", now=NOW)
    assert balances(world)[UNAPPLIED_INSURANCE] == Money(-14000)  # nothing of a refused match was posted
    matched = match_held_payment(database, {world.practice_id}, held.id, claim.pcn, [1, 2], actor="p", now=NOW)
    assert matched.lines == "11102 to line 1, 17110 to line 2"
    assert check_ledger(database).clean


def test_a_held_payment_of_another_practice_is_not_found(database: Database, tmp_path: Path) -> None:
    world = submitted_claims(database, [TWO_LINES])
    claim, held = _paid_by_mistyped_number(world, tmp_path)
    with pytest.raises(NotFound):
        match_held_payment(database, {world.practice_id + 1000}, held.id, claim.pcn, actor="p", now=NOW)
    with pytest.raises(NotFound, match="no claim NOPE"):
        match_held_payment(database, {world.practice_id}, held.id, "NOPE", actor="p", now=NOW)


def _quarantined_for_an_unknown_payer(world: World, tmp_path: Path) -> int:
    claim = world.claims[0]
    payment = paid_claim(claim, tuple(settled(line, 9000) for line in claim.lines))
    stranger = dataclasses.replace(remittance((payment,), trace="EFT-Q"), payer_id="NEWPAYER")
    outcome = post_era_file(world.database, write(tmp_path / "q.835", (stranger,)))[0]
    assert outcome.status == "quarantined" and outcome.remittance_id is not None
    return outcome.remittance_id


def test_a_quarantined_835_is_posted_once_its_cause_is_resolved(database: Database, tmp_path: Path) -> None:
    world = submitted_claims(database, [TWO_LINES])
    remittance_id = _quarantined_for_an_unknown_payer(world, tmp_path)
    with pytest.raises(InvalidInput, match="still held: the payer NEWPAYER is still not one"):
        release_remittance(database, {world.practice_id}, remittance_id, actor="poster", now=NOW)
    with UnitOfWork(database, actor="test") as uow:  # the payer is added to the billing company
        payer = uow.session.query(PayerRow).one()
        payer.payer_identifier = "NEWPAYER"
        uow.commit()

    outcome = release_remittance(database, {world.practice_id}, remittance_id, actor="poster", now=NOW)

    assert outcome.status == "posted" and outcome.claims_posted == 1 and outcome.paid == Money(18000)
    assert balances(world)[CASH] == Money(18000)
    with UnitOfWork(database, actor="test") as uow:
        assert uow.session.get(RemittanceRow, remittance_id).status == "posted"  # type: ignore[union-attr]
        assert uow.session.get(ClaimRow, world.claims[0].id).status == "paid"  # type: ignore[union-attr]
    with pytest.raises(InvalidTransition, match="only a quarantined 835"):
        release_remittance(database, {world.practice_id}, remittance_id, actor="poster", now=NOW)
    assert check_ledger(database).clean


def test_a_quarantined_835_closed_with_a_note_leaves_the_quarantine(database: Database, tmp_path: Path) -> None:
    world = submitted_claims(database, [TWO_LINES])
    remittance_id = _quarantined_for_an_unknown_payer(world, tmp_path)
    with pytest.raises(InvalidInput, match="say how it was resolved"):
        close_remittance(database, {world.practice_id}, remittance_id, "  ", actor="poster", now=NOW)
    close_remittance(database, {world.practice_id}, remittance_id, "payer sent a corrected 835", actor="poster",
                     now=NOW)
    with pytest.raises(InvalidTransition):
        release_remittance(database, {world.practice_id}, remittance_id, actor="poster", now=NOW)
    with UnitOfWork(database, actor="test") as uow:
        events = [e for e in uow.session.query(AuditEventRow).all() if e.action == "remittance.closed"]
        assert [e.detail["note"] for e in events] == ["payer sent a corrected 835"]


def test_an_upload_posts_once_and_only_to_the_posters_practices(database: Database, tmp_path: Path) -> None:
    world = submitted_claims(database, [TWO_LINES])
    claim = world.claims[0]
    data = write(tmp_path / "u.835", (remittance((paid_claim(claim, tuple(
        settled(line, 9000) for line in claim.lines)),)),)).read_bytes()
    with UnitOfWork(database, actor="test") as uow:
        organization_id = uow.session.query(PayerRow).one().organization_id
    elsewhere = post_era_upload(database, "u.835", data, actor="p", organization_id=organization_id,
                                practice_ids={world.practice_id + 1000})
    assert [o.status for o in elsewhere] == ["no practice"] and "do not work for" in elsewhere[0].problems[0]
    first = post_era_upload(database, "u.835", data, actor="p", organization_id=organization_id,
                            practice_ids={world.practice_id})
    again = post_era_upload(database, "u.835", data, actor="p", organization_id=organization_id,
                            practice_ids={world.practice_id})
    assert [o.status for o in first] == ["posted"] and [o.status for o in again] == ["already posted"]
    with pytest.raises(InvalidInput, match="empty"):
        post_era_upload(database, "e.835", b"  ", actor="p", organization_id=organization_id,
                        practice_ids={world.practice_id})
