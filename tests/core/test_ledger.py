from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dermbill.core.errors import InvalidInput, UnbalancedEntry
from dermbill.core.ledger import STANDARD_CHART, JournalEntry, Posting, balances, reversal_of, trial_balance_is_zero
from dermbill.core.money import Money

DAY = datetime.date(2026, 3, 2)
ACCOUNTS = [a.code for a in STANDARD_CHART]


@st.composite
def balanced_entries(draw: st.DrawFn) -> JournalEntry:
    """A random balanced entry: random debits and credits, the last posting balancing the rest."""
    amounts = draw(st.lists(st.integers(min_value=-10**9, max_value=10**9).filter(bool), min_size=1, max_size=6))
    rest = -sum(amounts)
    if rest == 0:
        amounts = [*amounts[:-1], amounts[-1] + 1] if len(amounts) > 1 else [amounts[0]]
        rest = -sum(amounts)
    postings = [Posting(draw(st.sampled_from(ACCOUNTS)), Money(a)) for a in amounts]
    postings.append(Posting(draw(st.sampled_from(ACCOUNTS)), Money(rest)))
    return JournalEntry(DAY, "random entry", tuple(postings))


def test_a_charge_is_a_balanced_entry() -> None:
    entry = JournalEntry(DAY, "11102 charge", (Posting("1100", Money(15000)), Posting("4000", Money(-15000))))
    assert entry.amount == Money(15000)
    assert balances(entry.postings) == {"1100": Money(15000), "4000": Money(-15000)}


def test_unbalanced_entry_is_refused_with_the_difference() -> None:
    with pytest.raises(UnbalancedEntry, match=r"debits minus credits is 0\.01"):
        JournalEntry(DAY, "bad", (Posting("1100", Money(15001)), Posting("4000", Money(-15000))))


def test_entry_needs_two_postings_and_no_zero_amounts() -> None:
    with pytest.raises(UnbalancedEntry):
        JournalEntry(DAY, "one-sided", (Posting("1100", Money(1)),))
    with pytest.raises(InvalidInput, match="zero amount"):
        Posting("1100", Money(0))


@given(st.lists(st.integers(min_value=-10**9, max_value=10**9).filter(bool), min_size=2, max_size=8))
def test_any_postings_that_do_not_sum_to_zero_are_refused(amounts: list[int]) -> None:
    postings = tuple(Posting("1000", Money(a)) for a in amounts)
    if sum(amounts) == 0:
        assert JournalEntry(DAY, "x", postings).amount.cents > 0
    else:
        with pytest.raises(UnbalancedEntry):
            JournalEntry(DAY, "x", postings)


@given(st.lists(balanced_entries(), max_size=15))
def test_balances_of_balanced_entries_always_sum_to_zero(entries: list[JournalEntry]) -> None:
    assert trial_balance_is_zero(p for e in entries for p in e.postings)


@given(st.lists(balanced_entries(), min_size=1, max_size=10), st.randoms())
def test_posting_order_does_not_change_balances(entries: list[JournalEntry], rng: object) -> None:
    postings = [p for e in entries for p in e.postings]
    shuffled = list(postings)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    assert balances(shuffled) == balances(postings)


@given(st.lists(balanced_entries(), min_size=1, max_size=8), balanced_entries())
def test_reversal_then_repost_leaves_balances_unchanged(history: list[JournalEntry], entry: JournalEntry) -> None:
    before = balances(p for e in [*history, entry] for p in e.postings)
    reversal = reversal_of(entry, entry_id=99, entry_date=DAY, memo="reverse")
    after = balances(p for e in [*history, entry, reversal, entry] for p in e.postings)
    assert {k: v for k, v in after.items() if v.cents} == {k: v for k, v in before.items() if v.cents}
    assert reversal.reverses_entry_id == 99
    assert all(r.amount == -o.amount for r, o in zip(reversal.postings, entry.postings, strict=True))
