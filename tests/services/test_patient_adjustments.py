"""Refunds, hardship adjustments and small-balance write-offs (services.patient_adjustments), on SQLite and
PostgreSQL: asked for by one person, approved by a manager who is not the requester, posted once, each to its own
account."""

from __future__ import annotations

from pathlib import Path

import pytest
from balances_world import (
    ACCOUNT,
    BILLER,
    MANAGER,
    NOW,
    OLDER_VISIT,
    OTHER_BILLER,
    SECOND_MANAGER,
    account_balances,
    lines_owing,
    owing_world,
    staff,
)
from era_world import add_claim, paid_claim, remittance, settled, write

from dermbill.core.errors import InvalidInput, InvalidTransition
from dermbill.core.ledger import CASH, CHARITY, PATIENT_AR, PATIENT_CREDIT, SMALL_BALANCE
from dermbill.core.money import Money
from dermbill.db.engine import Database
from dermbill.db.repositories import UnitOfWork
from dermbill.services.era_posting import post_era_file
from dermbill.services.ledger_check import check_ledger
from dermbill.services.overpayments import patient_credit_queue
from dermbill.services.patient_adjustments import (
    approve_adjustment,
    list_adjustments,
    reject_adjustment,
    request_hardship,
    request_refund,
    write_off_small_balances,
)
from dermbill.services.patient_balances import (
    balance_holds,
    create_payment_plan,
    hardship_review_patient_ids,
    list_payment_plans,
    post_guarantor_payment,
)


def _under_review(database: Database, practice_id: int) -> int:
    with UnitOfWork(database, actor="test") as uow:
        held = hardship_review_patient_ids(uow, practice_id)
        assert set(balance_holds(uow, practice_id)) == held
        return len(held)


def test_a_refund_is_approved_by_another_person_with_the_right_and_posted_once(
        database: Database, tmp_path: Path) -> None:
    world = owing_world(database, tmp_path)
    staff(database)
    post_guarantor_payment(database, world.practice_id, ACCOUNT, Money(5000), "check", "CHK 1", actor="desk", now=NOW)
    assert [c.amount for c in patient_credit_queue(database)] == [Money(300)]
    with pytest.raises(InvalidInput, match="has a credit of 3.00"):
        request_refund(database, world.practice_id, ACCOUNT, amount=Money(301), reason="paid twice",
                       requested_by=BILLER, now=NOW)
    asked = request_refund(database, world.practice_id, ACCOUNT, reason="paid more than owed", requested_by=MANAGER,
                           now=NOW)
    assert (asked.amount, asked.status) == (Money(300), "requested")
    with pytest.raises(InvalidInput, match="waiting for a decision"):
        request_refund(database, world.practice_id, ACCOUNT, reason="again", requested_by=BILLER, now=NOW)

    with pytest.raises(InvalidInput, match="another person must decide it"):
        approve_adjustment(database, asked.id, approver=MANAGER.upper(), now=NOW)
    with pytest.raises(InvalidInput, match="manager role"):
        approve_adjustment(database, asked.id, approver=OTHER_BILLER, now=NOW)
    cash = account_balances(database, world.practice_id)[CASH]
    posted = approve_adjustment(database, asked.id, approver=SECOND_MANAGER, reference="CHK 9001", now=NOW)
    assert (posted.status, posted.decided_by, posted.reference) == ("posted", SECOND_MANAGER, "CHK 9001")
    balances = account_balances(database, world.practice_id)
    assert (balances[PATIENT_CREDIT], balances[CASH] - cash) == (Money(0), Money(-300))
    with pytest.raises(InvalidTransition, match="already posted"):
        approve_adjustment(database, asked.id, approver=SECOND_MANAGER, now=NOW)
    assert account_balances(database, world.practice_id)[CASH] - cash == Money(-300)
    assert patient_credit_queue(database) == []
    assert [r.status for r in list_adjustments(database, world.practice_id, "refund", actor="test")] == ["posted"]
    assert check_ledger(database).clean


def test_a_hardship_adjustment_goes_to_charity_oldest_visit_first_after_a_managers_approval(
        database: Database, tmp_path: Path) -> None:
    world = owing_world(database, tmp_path)
    staff(database)
    with pytest.raises(InvalidInput, match="needs a reason"):
        request_hardship(database, world.practice_id, ACCOUNT, Money(3000), reason="  ", requested_by=BILLER)
    first = request_hardship(database, world.practice_id, ACCOUNT, Money(3000), reason="lost job; income below "
                             "200% of the poverty line", requested_by=BILLER, now=NOW)
    assert _under_review(database, world.practice_id) == 1  # the statement cadence holds meanwhile
    with pytest.raises(InvalidInput, match="manager role"):
        reject_adjustment(database, first.id, approver=OTHER_BILLER, note="no")
    rejected = reject_adjustment(database, first.id, approver=MANAGER, note="ask for the income statement", now=NOW)
    assert rejected.status == "rejected" and _under_review(database, world.practice_id) == 0
    with pytest.raises(InvalidTransition, match="already rejected"):
        approve_adjustment(database, first.id, approver=MANAGER, now=NOW)

    asked = request_hardship(database, world.practice_id, ACCOUNT, Money(3000), reason="income statement seen",
                             requested_by=BILLER, now=NOW)
    approve_adjustment(database, asked.id, approver=MANAGER, now=NOW)
    balances = account_balances(database, world.practice_id)
    assert (balances[CHARITY], balances[PATIENT_AR]) == (Money(3000), Money(1700))
    # The older visit (the destruction, $12.00) is adjusted in full, then $18.00 of the biopsy.
    assert [(line.date_of_service == OLDER_VISIT, line.owed) for line in lines_owing(database, world.practice_id)] \
        == [(False, Money(1700))]
    assert check_ledger(database).clean


def test_small_balances_are_listed_then_written_off_once_and_not_while_a_payer_owes(
        database: Database, tmp_path: Path) -> None:
    world = owing_world(database, tmp_path)
    post_guarantor_payment(database, world.practice_id, ACCOUNT, Money(4000), "cash", "R-1", actor="desk", now=NOW)
    pending = add_claim(world, [("11102", (), 15000)])  # a third visit, still with the payer
    threshold, listed = write_off_small_balances(database, world.practice_id, dry_run=True, actor="biller", now=NOW)
    assert (threshold, listed) == (Money(1000), [])

    post_era_file(database, write(tmp_path / "c.835", (remittance((
        paid_claim(pending, (settled(pending.lines[0], 10000),)),), trace="EFT0009"),)))
    _, listed = write_off_small_balances(database, world.practice_id, dry_run=True, actor="biller", now=NOW)
    assert [(s.account_number, s.amount, s.request_id) for s in listed] == [(ACCOUNT, Money(700), None)]
    assert account_balances(database, world.practice_id)[PATIENT_AR] == Money(700)  # the dry run posts nothing

    create_payment_plan(database, world.practice_id, ACCOUNT, 2, NOW.date(), actor="biller", now=NOW)
    _, written = write_off_small_balances(database, world.practice_id, dry_run=False, actor="biller", now=NOW)
    assert [(s.amount, s.journal_entry_id is not None) for s in written] == [(Money(700), True)]
    balances = account_balances(database, world.practice_id)
    assert (balances[SMALL_BALANCE], balances[PATIENT_AR]) == (Money(700), Money(0))
    assert [p.status for p in list_payment_plans(database, world.practice_id, status=None, actor="t")] == [
        "completed"]  # nothing is left to pay on the plan
    assert write_off_small_balances(database, world.practice_id, dry_run=False, actor="biller", now=NOW)[1] == []
    assert [r.status for r in list_adjustments(database, world.practice_id, "small_balance", actor="t")] == [
        "posted"]
    assert check_ledger(database).clean
