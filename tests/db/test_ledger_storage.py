"""The stored ledger on both backends: balanced, append-only, exactly-once, tenant-scoped."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from tenant_records import DOS, TwoPractices, fixed_clock

from dermbill.core.errors import InvalidInput
from dermbill.core.ledger import STANDARD_CHART, JournalEntry, Posting, balances
from dermbill.core.money import Money
from dermbill.db.models import JournalEntryRow, PostingRow
from dermbill.db.repositories import UnitOfWork

ACCOUNTS = [a.code for a in STANDARD_CHART]


@st.composite
def balanced_entries(draw: st.DrawFn) -> JournalEntry:
    amounts = draw(st.lists(st.integers(min_value=1, max_value=10**8), min_size=1, max_size=4))
    debit_accounts = draw(st.lists(st.sampled_from(ACCOUNTS), min_size=len(amounts), max_size=len(amounts)))
    postings = [Posting(code, Money(a)) for code, a in zip(debit_accounts, amounts, strict=True)]
    postings.append(Posting(draw(st.sampled_from(ACCOUNTS)), Money(-sum(amounts))))
    return JournalEntry(DOS, "random", tuple(postings))


def _nonzero(balances_by_account: dict[str, Money]) -> dict[str, Money]:
    return {code: amount for code, amount in balances_by_account.items() if amount.cents}


def _charge(key: str | None = None, cents: int = 61000) -> JournalEntry:
    return JournalEntry(DOS, "11642 charge", (Posting("1100", Money(cents)), Posting("4000", Money(-cents))),
                        idempotency_key=key, kind="charge")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(balanced_entries(), min_size=1, max_size=6), reverse_index=st.integers(min_value=0))
def test_stored_balances_equal_the_sum_of_postings_and_reversal_restores_them(
    two_practices: TwoPractices, entries: list[JournalEntry], reverse_index: int
) -> None:
    practice_id = two_practices.practice_ids[0]
    with UnitOfWork(two_practices.database, actor="test", clock=fixed_clock) as uow:
        repo = uow.practice(practice_id)
        before = repo.balances()
        ids = [repo.post(entry)[0] for entry in entries]
        uow.commit()
        added = balances(p for e in entries for p in e.postings)
        expected = {code: before.get(code, Money(0)) + added.get(code, Money(0)) for code in {*before, *added}}
        stored = repo.balances()
        assert _nonzero(stored) == _nonzero(expected)
        assert sum(m.cents for m in stored.values()) == 0
        # Reverse one entry and post it again: the balances do not move.
        chosen = ids[reverse_index % len(ids)]
        repo.reverse(chosen, entry_date=DOS, memo="correction")
        repo.post(entries[reverse_index % len(ids)])
        uow.commit()
        assert _nonzero(repo.balances()) == _nonzero(stored)


def test_posting_the_same_event_twice_posts_it_once(two_practices: TwoPractices) -> None:
    with UnitOfWork(two_practices.database, actor="test", clock=fixed_clock) as uow:
        repo = uow.practice(two_practices.practice_ids[0])
        first_id, created = repo.post(_charge("835:TRN1:CLP1"))
        again_id, created_again = repo.post(_charge("835:TRN1:CLP1"))
        uow.commit()
        assert (created, created_again) == (True, False)
        assert first_id == again_id
        assert repo.count(JournalEntryRow) == 1
        assert repo.balances()["1100"] == Money(61000)


def test_the_same_key_in_another_practice_is_another_event(two_practices: TwoPractices) -> None:
    with UnitOfWork(two_practices.database, actor="test", clock=fixed_clock) as uow:
        for practice_id in two_practices.practice_ids:
            assert uow.practice(practice_id).post(_charge("copay:1"))[1] is True
        uow.commit()
        first, second = (uow.practice(p) for p in two_practices.practice_ids)
        assert first.balances() == second.balances() == {"1100": Money(61000), "4000": Money(-61000)}


def test_an_entry_is_reversed_once_and_a_reversal_is_not_reversed(two_practices: TwoPractices) -> None:
    with UnitOfWork(two_practices.database, actor="test", clock=fixed_clock) as uow:
        repo = uow.practice(two_practices.practice_ids[0])
        entry_id, _ = repo.post(_charge())
        reversal_id = repo.reverse(entry_id, entry_date=DOS, memo="charged in error")
        with pytest.raises(InvalidInput, match="already reversed"):
            repo.reverse(entry_id, entry_date=DOS, memo="again")
        with pytest.raises(InvalidInput, match="itself a reversal"):
            repo.reverse(reversal_id, entry_date=DOS, memo="undo the undo")
        uow.commit()
        assert _nonzero(repo.balances()) == {}
        assert repo.load_entry(reversal_id).reverses_entry_id == entry_id


def test_ledger_queries_see_only_the_practices_postings(two_practices: TwoPractices) -> None:
    first, second = two_practices.practice_ids
    with UnitOfWork(two_practices.database, actor="test", clock=fixed_clock) as uow:
        entry_id, _ = uow.practice(first).post(_charge(cents=100))
        uow.commit()
        assert uow.practice(second).balances() == {}
        assert uow.practice(second).postings() == []
        with pytest.raises(Exception, match="not found in practice P2"):
            uow.practice(second).reverse(entry_id, entry_date=DOS, memo="not mine")


def test_posting_to_an_unknown_account_is_refused(two_practices: TwoPractices) -> None:
    entry = JournalEntry(DOS, "typo", (Posting("1100", Money(5)), Posting("9999", Money(-5))))
    with UnitOfWork(two_practices.database, actor="test", clock=fixed_clock) as uow, pytest.raises(
        InvalidInput, match="9999"
    ):
        uow.practice(two_practices.practice_ids[0]).post(entry)


@pytest.mark.parametrize("statement", [
    "UPDATE posting SET amount_cents = amount_cents + 1",
    "DELETE FROM posting",
    "UPDATE journal_entry SET memo = 'changed'",
    "DELETE FROM journal_entry",
    "UPDATE audit_event SET actor = 'someone else'",
    "DELETE FROM audit_event",
])
def test_the_database_refuses_to_change_or_delete_ledger_and_audit_rows(
    two_practices: TwoPractices, statement: str
) -> None:
    with UnitOfWork(two_practices.database, actor="test", clock=fixed_clock) as uow:
        uow.practice(two_practices.practice_ids[0]).post(_charge())
        uow.commit()
    with pytest.raises(Exception, match="append-only"), two_practices.database.engine.begin() as connection:
        connection.execute(text(statement))


def test_postgresql_refuses_to_commit_an_unbalanced_entry_written_around_the_code(two_practices: TwoPractices) -> None:
    database = two_practices.database
    if database.backend != "postgresql":
        pytest.skip("SQLite has no balance trigger; there the code path is the only writer")
    practice_id = two_practices.practice_ids[0]
    with UnitOfWork(database, actor="test", clock=fixed_clock) as uow:
        repo = uow.practice(practice_id)
        account_id = repo.account_ids()["1100"]
        entry = JournalEntryRow(practice_id=practice_id, entry_date=DOS, kind="general", memo="raw",
                                created_at=fixed_clock(), created_by="test")
        uow.session.add(entry)
        uow.flush()
        uow.session.add(PostingRow(practice_id=practice_id, journal_entry_id=entry.id, account_id=account_id,
                                   amount_cents=500))
        with pytest.raises(InvalidInput, match="does not balance"):
            uow.commit()
    with UnitOfWork(database, actor="test") as uow:
        assert uow.practice(practice_id).count(JournalEntryRow) == 0


def _raw_entries(uow: UnitOfWork, practice_id: int, count: int) -> list[int]:
    entries = [JournalEntryRow(practice_id=practice_id, entry_date=DOS, kind="general", memo=f"raw {n}",
                               created_at=fixed_clock(), created_by="test") for n in range(count)]
    uow.session.add_all(entries)
    uow.flush()
    return [entry.id for entry in entries]


def _rows(entry_ids: list[int], offsets: tuple[int, ...], cash: int, charges: int) -> list[dict[str, object]]:
    return [{"journal_entry_id": entry_id, "account_id": account, "amount_cents": cents, "patient_id": None,
             "payer_id": None, "claim_id": None, "claim_line_id": None}
            for entry_id, off in zip(entry_ids, offsets, strict=True)
            for account, cents in ((cash, 700 + off), (charges, -700))]


@pytest.mark.parametrize("how", ["copy", "insert"])
def test_postgresql_refuses_to_commit_an_entry_a_bulk_statement_left_unbalanced(
        two_practices: TwoPractices, how: str) -> None:
    """The balance is summed once per statement (migration 0036), for COPY as for INSERT: three entries written in
    one statement, the second off by a cent, and the commit is refused; nothing is kept."""
    database = two_practices.database
    if database.backend != "postgresql":
        pytest.skip("SQLite has no balance trigger; there the code path is the only writer")
    practice_id = two_practices.practice_ids[0]
    with UnitOfWork(database, actor="test", clock=fixed_clock) as uow:
        repo = uow.practice(practice_id)
        entry_ids = _raw_entries(uow, practice_id, 3)
        rows = _rows(entry_ids, (0, 1, 0), repo.account_ids()["1000"], repo.account_ids()["4000"])
        if how == "copy":
            repo.insert_rows(PostingRow, rows)
        else:
            uow.session.execute(PostingRow.__table__.insert(), [{**row, "practice_id": practice_id} for row in rows])
        with pytest.raises(InvalidInput, match=f"journal entry {entry_ids[1]} does not balance"):
            uow.commit()
    with UnitOfWork(database, actor="test") as uow:
        assert uow.practice(practice_id).count(JournalEntryRow) == 0


def test_postgresql_commits_an_entry_whose_postings_came_in_two_statements(two_practices: TwoPractices) -> None:
    """Unbalanced after its first statement, balanced by the second: the balance is what the commit sees."""
    database = two_practices.database
    if database.backend != "postgresql":
        pytest.skip("SQLite has no balance trigger; there the code path is the only writer")
    practice_id = two_practices.practice_ids[0]
    with UnitOfWork(database, actor="test", clock=fixed_clock) as uow:
        repo = uow.practice(practice_id)
        [entry_id] = _raw_entries(uow, practice_id, 1)
        first, second = _rows([entry_id], (0,), repo.account_ids()["1000"], repo.account_ids()["4000"])
        repo.insert_rows(PostingRow, [first])
        repo.insert_rows(PostingRow, [second])
        uow.commit()
    with UnitOfWork(database, actor="test") as uow:
        assert uow.practice(practice_id).balances() == {"1000": Money(700), "4000": Money(-700)}
    with database.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM journal_entry_to_check")).scalar_one() == 0


def test_postgresql_refuses_a_posting_added_to_an_entry_committed_balanced(two_practices: TwoPractices) -> None:
    database = two_practices.database
    if database.backend != "postgresql":
        pytest.skip("SQLite has no balance trigger; there the code path is the only writer")
    practice_id = two_practices.practice_ids[0]
    with UnitOfWork(database, actor="test", clock=fixed_clock) as uow:
        entry_id, _ = uow.practice(practice_id).post(_charge("charge-1"))
        uow.commit()
    with UnitOfWork(database, actor="test", clock=fixed_clock) as uow:
        repo = uow.practice(practice_id)
        repo.insert_rows(PostingRow, [{"journal_entry_id": entry_id, "account_id": repo.account_ids()["1100"],
                                       "amount_cents": 5}])
        with pytest.raises(InvalidInput, match=f"journal entry {entry_id} does not balance"):
            uow.commit()
    with UnitOfWork(database, actor="test") as uow:
        assert uow.practice(practice_id).balances() == {"1100": Money(61000), "4000": Money(-61000)}


@pytest.mark.parametrize("table", ["audit_event", "journal_entry", "posting"])
def test_postgresql_refuses_to_truncate_ledger_and_audit_tables(two_practices: TwoPractices, table: str) -> None:
    database = two_practices.database
    if database.backend != "postgresql":
        pytest.skip("SQLite has no TRUNCATE; DELETE is refused by its triggers")
    with UnitOfWork(database, actor="test", clock=fixed_clock) as uow:
        uow.practice(two_practices.practice_ids[0]).post(_charge())
        uow.commit()
    count = f"SELECT count(*) FROM {table}"
    with database.engine.connect() as connection:
        before = connection.execute(text(count)).scalar_one()
    assert before > 0
    with pytest.raises(Exception, match="append-only"), database.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {table} CASCADE"))
    with database.engine.connect() as connection:
        assert connection.execute(text(count)).scalar_one() == before
