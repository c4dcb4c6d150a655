"""The payment poster's workspace services: a held claim payment matched by hand to a claim (same ledger rules as
an 835, exactly once, audited), a quarantined 835 posted once its cause is resolved or closed with a note, and an
upload posting only to the poster's practices."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from era_world import NOW, PAID_ON, Claim, World, denied, paid_claim, remittance, settled, submitted_claims, write

from dermbill.core.errors import InvalidFields, InvalidInput, InvalidTransition, NotFound
from dermbill.core.ledger import CASH, INSURANCE_AR, PATIENT_AR, UNAPPLIED_INSURANCE
from dermbill.core.money import Money
from dermbill.db.engine import Database
from dermbill.db.models import AuditEventRow, ClaimRow, PayerRow, PostingRow, RemittanceRow, UnmatchedRemittanceRow
from dermbill.db.repositories import UnitOfWork
from dermbill.reference.denial_codes import denial_code_table
from dermbill.services.deposits import day_of_cash, deposit_of, match_receipts, record_deposit
from dermbill.services.era_posting import (
    close_remittance,
    match_held_payment,
    post_era_file,
    post_era_upload,
    release_remittance,
)
from dermbill.services.ledger_check import check_ledger
from dermbill.services.manual_posting import PaperLine, post_paper_eob, post_patient_check
from dermbill.services.remittance_views import claim_eob

TWO_LINES = [("11102", (), 15000), ("17110", (), 12000)]
DAY = PAID_ON


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


def test_a_paper_eob_posts_by_the_835_rules_once_and_says_each_wrong_line(database: Database) -> None:
    world = submitted_claims(database, [TWO_LINES])
    claim = world.claims[0]
    wrong = [PaperLine(1, allowed="100.00", paid="80.00", adjustments=[("CO", "45", "50.00"), ("XX", "ZZZ", "1")]),
             PaperLine(2, paid="abc")]
    with pytest.raises(InvalidFields) as refused:
        post_paper_eob(database, {world.practice_id}, claim.pcn, check_number="", paid_on=None, lines=wrong,
                       actor="p", now=NOW)
    fields = {p.field for p in refused.value.problems}
    assert {"check_number", "paid_on", "line 1 adjustment 2", "line 2 paid"} <= fields
    assert any("must account for" in p.message for p in refused.value.problems if p.field == "line 1 paid")
    lines = [PaperLine(1, allowed="100.00", paid="80.00", adjustments=[("CO", "45", "50.00"), ("PR", "2", "20.00")]),
             PaperLine(2)]  # line 2 not on this EOB
    outcome = post_paper_eob(database, {world.practice_id}, claim.pcn, check_number="CHK 501", paid_on=DAY,
                             lines=lines, actor="p", now=NOW)
    again = post_paper_eob(database, {world.practice_id}, claim.pcn, check_number="CHK 501", paid_on=DAY,
                           lines=lines, actor="p", now=NOW)
    assert outcome.status == "posted" and outcome.paid == Money(8000) and again.status == "already posted"
    first = balances(world, claim_line_id=claim.lines[0].id)
    assert first.get(INSURANCE_AR, Money(0)) == Money(0) and first[PATIENT_AR] == Money(2000)
    assert balances(world, claim_line_id=claim.lines[1].id)[INSURANCE_AR] == Money(12000)
    assert check_ledger(database).clean


def test_a_patient_check_pays_the_lines_named_and_no_more_than_each_owes(database: Database) -> None:
    world = submitted_claims(database, [TWO_LINES])
    claim = world.claims[0]
    eob = post_paper_eob(database, {world.practice_id}, claim.pcn, check_number="C1", paid_on=DAY, lines=[
        PaperLine(1, paid="80.00", adjustments=[("CO", "45", "50.00"), ("PR", "2", "20.00")]),
        PaperLine(2, paid="100.00", adjustments=[("PR", "3", "20.00")])], actor="p", now=NOW)
    assert eob.status == "posted", eob
    with pytest.raises(InvalidFields, match="more than the patient owes on line 1"):
        post_patient_check(database, {world.practice_id}, claim.pcn, check_number="1001",
                           amounts={1: "25.00", 2: "5.00"}, actor="p", now=NOW)
    paid = post_patient_check(database, {world.practice_id}, claim.pcn, check_number="1001",
                              amounts={1: "20.00", 2: "5.00"}, actor="p", now=NOW)
    again = post_patient_check(database, {world.practice_id}, claim.pcn, check_number="1001",
                               amounts={1: "20.00", 2: "5.00"}, actor="p", now=NOW)
    assert paid.posted and paid.amount == Money(2500) and not again.posted
    assert balances(world, claim_id=claim.id)[PATIENT_AR] == Money(1500)
    assert check_ledger(database).clean


def test_a_deposit_reconciles_with_the_days_835_payments_and_patient_checks(database: Database,
                                                                          tmp_path: Path) -> None:
    world = submitted_claims(database, [TWO_LINES, TWO_LINES])
    first, second = world.claims
    post_era_file(database, write(tmp_path / "a.835", (remittance((paid_claim(first, tuple(
        settled(line, 9000, patient=(("2", 1000),)) for line in first.lines)),), trace="EFT-A"),)))
    post_patient_check(database, {world.practice_id}, first.pcn, check_number="77", amounts={1: "10.00"},
                       actor="p", now=NOW.replace(day=1, month=4))  # the remittance's day (PAID_ON)
    deposit_id = record_deposit(database, {world.practice_id}, world.practice_id, DAY.isoformat(), "170.00",
                                "SLIP-1", actor="p", now=NOW)
    with pytest.raises(InvalidFields, match="entered already"):
        record_deposit(database, {world.practice_id}, world.practice_id, DAY.isoformat(), "1.00", "SLIP-1",
                       actor="p", now=NOW)
    day = day_of_cash(database, {world.practice_id}, DAY, actor="p")
    assert sorted((r.kind, r.reference, r.amount) for r in day.receipts) == [
        ("835 payment", "EFT-A", Money(16000)), ("patient payment", "77", Money(1000))]
    assert day.difference == Money(0) and len(day.unmatched) == 2
    deposit = match_receipts(database, {world.practice_id}, deposit_id, [day.receipts[0].key], actor="p", now=NOW)
    assert deposit.matched == Money(16000) and deposit.difference == Money(1000)
    with pytest.raises(InvalidInput, match="already"):
        match_receipts(database, {world.practice_id}, deposit_id, [day.receipts[0].key], actor="p", now=NOW)
    deposit = match_receipts(database, {world.practice_id}, deposit_id, [day.receipts[1].key], actor="p", now=NOW)
    assert deposit.difference == Money(0)
    with pytest.raises(NotFound):
        deposit_of(database, {world.practice_id + 1000}, deposit_id, actor="p")
    del second


def test_an_eob_shows_each_adjustment_and_remark_in_words(database: Database, tmp_path: Path) -> None:
    world = submitted_claims(database, [TWO_LINES])
    claim = world.claims[0]
    lines = (settled(claim.lines[0], 9000, patient=(("2", 1000),)),
             denied(claim.lines[1], "CO", "97", remarks=("M15",)))
    outcome = post_era_file(database, write(tmp_path / "e.835", (remittance((paid_claim(claim, lines),)),)))[0]
    assert outcome.remittance_id is not None
    view, eob = claim_eob(database, {world.practice_id}, outcome.remittance_id, 0, actor="p")
    assert eob.posted_to == claim.pcn and eob.charge == Money(27000) and eob.paid == Money(8000)
    assert eob.patient_responsibility == Money(1000) and eob.allowed is None  # the denied line gives no allowed
    words = {(a.group, a.reason): (a.group_words, a.reason_words) for line in eob.lines for a in line.adjustments}
    assert words[("PR", "2")][0] == "patient responsibility" and "coinsurance" in words[("PR", "2")][1].lower()
    assert words[("CO", "97")][1] == denial_code_table().carc("97").description
    assert eob.lines[1].remarks[0].words == denial_code_table().rarc("M15").description
    assert view.trace_number == "EFT0001" and view.kept
    with pytest.raises(NotFound):
        claim_eob(database, {world.practice_id}, outcome.remittance_id, 5, actor="p")
    with pytest.raises(NotFound):
        claim_eob(database, {world.practice_id + 1000}, outcome.remittance_id, 0, actor="p")
