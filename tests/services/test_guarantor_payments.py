"""Guarantor payments across visits and payment plans (services.patient_balances), on SQLite and PostgreSQL: a
payment goes to the oldest visit first, line by line, the rest a credit, once per reference; a plan's installments
take payments in due order, two missed ones break it and its hold lifts."""

from __future__ import annotations

import datetime
import io
import multiprocessing
from pathlib import Path

import pdfplumber
import pytest
from balances_world import ACCOUNT, NOW, OLDER_VISIT, account_balances, lines_owing, owing_world, pay_in_process

from dermbill.core.errors import InvalidInput
from dermbill.core.ledger import CASH, PATIENT_AR, PATIENT_CREDIT
from dermbill.core.money import Money
from dermbill.core.statements import Hold
from dermbill.db.engine import Database, open_database
from dermbill.db.migrate import upgrade
from dermbill.db.repositories import UnitOfWork
from dermbill.pdf.front_desk import payment_receipt_pdf
from dermbill.services.ledger_check import check_ledger
from dermbill.services.patient_balances import (
    active_plan_patient_ids,
    balance_holds,
    cancel_payment_plan,
    create_payment_plan,
    list_payment_plans,
    missed_installment_follow_up,
    post_guarantor_payment,
)


def test_a_payment_goes_to_the_oldest_visit_first_then_becomes_a_credit_once_per_reference(
        database: Database, tmp_path: Path) -> None:
    world = owing_world(database, tmp_path)
    cash_before = account_balances(database, world.practice_id)[CASH]  # what insurance paid
    assert [(line.date_of_service, line.owed) for line in sorted(lines_owing(database, world.practice_id),
                                                                  key=lambda line: line.date_of_service)] == [
        (OLDER_VISIT, Money(1200)), (datetime.date(2026, 3, 2), Money(3500))]

    payment = post_guarantor_payment(database, world.practice_id, ACCOUNT, Money(5000), "check", "CHK 1001",
                                     actor="front-desk", now=NOW)
    assert payment.posted
    assert [(part.date_of_service, part.procedure_code, part.amount) for part in payment.applied] == [
        (OLDER_VISIT, "17000", Money(1200)), (datetime.date(2026, 3, 2), "11102", Money(3500))]
    assert payment.credit == Money(300)
    balances = account_balances(database, world.practice_id)
    assert (balances[PATIENT_AR], balances[PATIENT_CREDIT]) == (Money(0), Money(-300))
    assert balances[CASH] - cash_before == Money(5000)
    with pdfplumber.open(io.BytesIO(payment_receipt_pdf(payment.receipt))) as pdf:
        text = " ".join(page.extract_text() or "" for page in pdf.pages)
    assert "$50.00" in text and "CHK 1001" in text
    assert text.index("2026-02-02") < text.index("2026-03-02")  # the oldest visit first
    assert "$12.00" in text and "$35.00" in text and "Held as a credit on the account $3.00" in text

    again = post_guarantor_payment(database, world.practice_id, ACCOUNT, Money(5000), "check", "CHK 1001",
                                   actor="someone else", now=NOW + datetime.timedelta(hours=1))
    assert (again.posted, again.entry_id, again.applied, again.credit) == (
        False, payment.entry_id, payment.applied, payment.credit)
    assert again.receipt == payment.receipt  # the same receipt: when and by whom it was first posted
    with pytest.raises(InvalidInput, match="posted before for 50.00"):
        post_guarantor_payment(database, world.practice_id, ACCOUNT, Money(100), "check", "CHK 1001",
                               actor="front-desk", now=NOW)
    with pytest.raises(InvalidInput, match="looks like a card number"):
        post_guarantor_payment(database, world.practice_id, ACCOUNT, Money(100), "card", "4111 1111 1111 1111",
                               actor="front-desk", now=NOW)
    assert account_balances(database, world.practice_id)[CASH] - cash_before == Money(5000)
    assert check_ledger(database).clean


def test_a_plan_takes_payments_in_due_order_and_two_missed_installments_break_it(
        database: Database, tmp_path: Path) -> None:
    world = owing_world(database, tmp_path)
    with pytest.raises(InvalidInput, match="never a card number"):
        create_payment_plan(database, world.practice_id, ACCOUNT, 3, datetime.date(2026, 5, 1),
                            autopay_reference="4111111111111111", actor="biller", now=NOW)
    plan = create_payment_plan(database, world.practice_id, ACCOUNT, 3, datetime.date(2026, 5, 1),
                               autopay_reference="tok_TEST_42", actor="biller", now=NOW)
    assert [(i.due_on.isoformat(), i.amount) for i, _ in plan.installments] == [
        ("2026-05-01", Money(1566)), ("2026-06-01", Money(1566)), ("2026-07-01", Money(1568))]
    with pytest.raises(InvalidInput, match="already has an active payment plan"):
        create_payment_plan(database, world.practice_id, ACCOUNT, 2, datetime.date(2026, 5, 1), actor="biller")
    with UnitOfWork(database, actor="test") as uow:
        assert len(active_plan_patient_ids(uow, world.practice_id)) == 1
        assert list(balance_holds(uow, world.practice_id).values()) == [{Hold.PAYMENT_PLAN}]

    post_guarantor_payment(database, world.practice_id, ACCOUNT, Money(2000), "cash", "R-1", actor="desk", now=NOW)
    [listed] = list_payment_plans(database, world.practice_id, actor="biller")
    assert [(i.paid, status) for i, status in listed.installments] == [
        (Money(1566), "paid"), (Money(434), "due"), (Money(0), "due")]

    [late] = missed_installment_follow_up(database, world.practice_id, datetime.date(2026, 6, 11), actor="biller")
    assert (late.number, late.open, late.days_late, late.plan_broken) == (2, Money(1132), 10, False)
    assert missed_installment_follow_up(database, world.practice_id, datetime.date(2026, 6, 11),
                                        actor="biller") == [late]  # listed again, nothing more changed
    follow_up = missed_installment_follow_up(database, world.practice_id, datetime.date(2026, 7, 11), actor="biller")
    assert [(m.number, m.plan_broken) for m in follow_up] == [(2, True), (3, True)]
    with UnitOfWork(database, actor="test") as uow:
        assert active_plan_patient_ids(uow.session, world.practice_id) == set()  # the hold lifts
    assert [p.status for p in list_payment_plans(database, world.practice_id, status=None, actor="biller")] == [
        "broken"]


def test_a_plan_is_completed_when_the_balance_is_paid(database: Database, tmp_path: Path) -> None:
    world = owing_world(database, tmp_path)
    first = create_payment_plan(database, world.practice_id, ACCOUNT, 6, datetime.date(2026, 5, 1), actor="biller",
                                now=NOW)
    assert cancel_payment_plan(database, world.practice_id, first.id, reason="wants fewer installments",
                               actor="biller", now=NOW).status == "cancelled"
    create_payment_plan(database, world.practice_id, ACCOUNT, 2, datetime.date(2026, 5, 1), actor="biller", now=NOW)
    post_guarantor_payment(database, world.practice_id, ACCOUNT, Money(4700), "card", "TERM-77812",
                           actor="desk", now=NOW)
    [_, plan] = list_payment_plans(database, world.practice_id, status=None, actor="biller")
    assert (plan.status, plan.paid) == ("completed", Money(4700))
    with pytest.raises(InvalidInput, match="already completed"):
        cancel_payment_plan(database, world.practice_id, plan.id, reason="patient asked", actor="biller")
    assert check_ledger(database).clean


@pytest.mark.postgres
def test_payments_of_one_guarantor_posted_at_once_never_apply_to_the_same_balance(postgres_url: str,
                                                                                   tmp_path: Path) -> None:
    database = open_database(postgres_url)
    upgrade(database)
    try:
        world = owing_world(database, tmp_path)
        context = multiprocessing.get_context("spawn")
        with context.Manager() as manager, context.Pool(4) as pool:
            start = manager.Barrier(4)
            posted = pool.starmap(pay_in_process, [(postgres_url, world.practice_id, f"RACE-{n}", 4700, start)
                                                   for n in range(4)])
        assert posted == [True] * 4
        balances = account_balances(database, world.practice_id)
        assert (balances[PATIENT_AR], balances[PATIENT_CREDIT]) == (Money(0), Money(-3 * 4700))  # one applied
        assert check_ledger(database).clean  # no line paid below zero
    finally:
        database.dispose()
