"""Statement and dunning rules (core.statements): who is billed on a run day, the aging of a balance, the cadence's
step, and what stops it. Worked by hand; the aging adds up whatever the visits (Hypothesis)."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money, total
from dermbill.core.statements import (
    AGING_BUCKETS,
    Account,
    Hold,
    Policy,
    Step,
    Visit,
    aging,
    cycle_day,
    dunning_step,
    statement_decision,
)

DAY = datetime.date(2026, 11, 10)
POLICY = Policy()  # $5.00 minimum, due in 21 days, reminder 30, past due 60, final 90, agency 120


def _account_billed_on(day_of_month: int, *visits: Visit, **extra: object) -> Account:
    """An account whose number falls on the given cycle day."""
    number = next(f"A-{n}" for n in range(10_000) if cycle_day(f"A-{n}") == day_of_month)
    return Account(number, visits, **extra)  # type: ignore[arg-type]


def test_a_balance_no_payer_owes_is_billed_on_the_guarantors_day_with_its_due_date() -> None:
    account = _account_billed_on(DAY.day, Visit(datetime.date(2026, 10, 1), Money(4250)),
                                 Visit(datetime.date(2026, 10, 20), Money(1000)), credit=Money(250))
    decision = statement_decision(account, DAY, POLICY)
    assert (decision.send, decision.amount, decision.due_on) == (True, Money(5000), datetime.date(2026, 12, 1))
    off_day = statement_decision(account, DAY + datetime.timedelta(days=1), POLICY)
    assert not off_day.send and "not the guarantor's billing day" in off_day.reason
    assert statement_decision(account, DAY + datetime.timedelta(days=1), POLICY, cycle_billing=False).send


def test_nothing_is_billed_while_a_payer_still_owes_on_a_visit() -> None:
    account = _account_billed_on(DAY.day, Visit(datetime.date(2026, 10, 1), Money(4250)),
                                 Visit(datetime.date(2026, 10, 20), Money(9000), payer_pending=True))
    decision = statement_decision(account, DAY, POLICY)
    assert not decision.send and "a payer still owes" in decision.reason
    # a pending claim with nothing on the patient yet holds the guarantor too: its answer may add to the balance
    waiting = _account_billed_on(DAY.day, Visit(datetime.date(2026, 10, 1), Money(4250)),
                                 Visit(datetime.date(2026, 10, 20), Money(0), payer_pending=True))
    assert not statement_decision(waiting, DAY, POLICY).send
    cleared = _account_billed_on(DAY.day, Visit(datetime.date(2026, 10, 1), Money(4250)),
                                 Visit(datetime.date(2026, 10, 20), Money(0)))
    assert statement_decision(cleared, DAY, POLICY).send


@pytest.mark.parametrize(("balance", "credit", "said"), [
    (Money(499), Money(0), "below the practice's minimum"), (Money(0), Money(0), "nothing owed"),
    (Money(1000), Money(1500), "a credit balance")])
def test_small_paid_and_credit_balances_get_no_statement(balance: Money, credit: Money, said: str) -> None:
    decision = statement_decision(_account_billed_on(DAY.day, Visit(DAY, balance), credit=credit), DAY, POLICY)
    assert not decision.send and said in decision.reason


def test_one_statement_per_cycle() -> None:
    account = _account_billed_on(DAY.day, Visit(datetime.date(2026, 10, 1), Money(4250)),
                                 last_statement=DAY - datetime.timedelta(days=27))
    assert "already billed" in statement_decision(account, DAY, POLICY, cycle_billing=False).reason
    again = _account_billed_on(DAY.day, Visit(datetime.date(2026, 10, 1), Money(4250)),
                               last_statement=DAY - datetime.timedelta(days=28))
    assert statement_decision(again, DAY, POLICY).send


def test_cycle_days_are_stable_and_spread_over_the_month() -> None:
    assert cycle_day("A-1001") == cycle_day(" a-1001 ")
    days = Counter(cycle_day(f"ACCT{n:05d}") for n in range(2_800))
    assert set(days) == set(range(1, 29)) and max(days.values()) < 2 * min(days.values())
    with pytest.raises(InvalidInput, match="account number"):
        cycle_day("  ")


def test_aging_counts_from_each_visits_first_statement() -> None:
    visits = (Visit(datetime.date(2026, 5, 1), Money(10000), first_billed=datetime.date(2026, 6, 1)),  # 162 days
              Visit(datetime.date(2026, 8, 1), Money(2000), first_billed=datetime.date(2026, 9, 11)),  # 60 days
              Visit(datetime.date(2026, 9, 1), Money(3000), first_billed=datetime.date(2026, 9, 10)),  # 61 days
              Visit(datetime.date(2026, 11, 1), Money(500)),  # never billed: current
              Visit(datetime.date(2026, 7, 1), Money(0), first_billed=datetime.date(2026, 7, 20)))  # paid: nothing
    assert aging(visits, DAY) == {"0-30": Money(500), "31-60": Money(2000), "61-90": Money(3000),
                                  "91-120": Money(0), "120+": Money(10000)}
    with pytest.raises(InvalidInput, match="first billed"):
        aging((Visit(DAY, Money(100), first_billed=DAY + datetime.timedelta(days=1)),), DAY)


@given(st.lists(st.tuples(st.integers(min_value=-5_000, max_value=500_000), st.integers(min_value=0, max_value=400),
                          st.booleans()), max_size=12))
def test_the_aging_buckets_add_up_to_the_owed_balances(rows: list[tuple[int, int, bool]]) -> None:
    visits = [Visit(DAY - datetime.timedelta(days=age), Money(cents),
                    first_billed=DAY - datetime.timedelta(days=age) if billed else None) for cents, age, billed in rows]
    buckets = aging(visits, DAY)
    assert list(buckets) == list(AGING_BUCKETS)
    assert total(list(buckets.values())) == total([v.patient_balance for v in visits if v.patient_balance.cents > 0])


@pytest.mark.parametrize(("days", "step"), [(0, Step.STATEMENT), (29, Step.STATEMENT), (30, Step.REMINDER),
                                            (59, Step.REMINDER), (60, Step.PAST_DUE), (90, Step.FINAL_NOTICE),
                                            (119, Step.FINAL_NOTICE), (120, Step.AGENCY), (400, Step.AGENCY)])
def test_the_cadence_steps_follow_the_days_since_the_oldest_unpaid_first_statement(days: int, step: Step) -> None:
    oldest = DAY - datetime.timedelta(days=days)
    account = Account("A-1", (Visit(oldest, Money(8000), first_billed=oldest),
                              Visit(DAY, Money(2000), first_billed=DAY)))
    decision = dunning_step(account, DAY, POLICY)
    assert decision.step is step and decision.needs_approval is (step is Step.AGENCY)


def test_the_cadence_stops_for_a_hold_a_pending_payer_or_a_paid_balance() -> None:
    old = DAY - datetime.timedelta(days=100)
    visit = Visit(old, Money(8000), first_billed=old)
    for hold in Hold:
        decision = dunning_step(Account("A-1", (visit,), holds=(hold,)), DAY, POLICY)
        assert decision.step is None and hold.label in decision.reason
    pending = Account("A-1", (visit, Visit(DAY, Money(100), payer_pending=True)))
    assert dunning_step(pending, DAY, POLICY).step is None
    assert dunning_step(Account("A-1", (visit,), credit=Money(8000)), DAY, POLICY).reason == "the balance is paid"
    assert dunning_step(Account("A-1", (Visit(old, Money(8000)),)), DAY, POLICY).step is Step.STATEMENT


def test_a_policy_whose_steps_do_not_grow_is_refused() -> None:
    with pytest.raises(InvalidInput, match="reminder < past due < final notice < agency"):
        Policy(reminder_days=30, past_due_days=30)
    with pytest.raises(InvalidInput, match="due date"):
        Policy(due_days=0)
