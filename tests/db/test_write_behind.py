"""Writes run behind (``UnitOfWork.write_behind``): in the same transaction, one at a time, their errors raised to
the caller, and the caller's next use of the session waits for them."""

from __future__ import annotations

import threading
import time

import pytest
from tenant_records import DOS, TwoPractices, fixed_clock

from dermbill.core.errors import InvalidInput
from dermbill.core.ledger import JournalEntry, Posting
from dermbill.core.money import Money
from dermbill.db.models import JournalEntryRow
from dermbill.db.repositories import UnitOfWork


def _charge(key: str, cents: int = 61000) -> JournalEntry:
    return JournalEntry(DOS, "11642 charge", (Posting("1100", Money(cents)), Posting("4000", Money(-cents))),
                        idempotency_key=key, kind="charge")


def test_the_next_use_of_the_session_waits_for_the_writes_behind_and_sees_them(two_practices: TwoPractices) -> None:
    practice_id = two_practices.practice_ids[0]
    writers: list[str] = []
    with UnitOfWork(two_practices.database, actor="test", clock=fixed_clock) as uow:
        repo = uow.practice(practice_id)
        repo.account_ids()

        def write(key: str) -> None:
            time.sleep(0.05)  # still writing when the caller goes on
            writers.append(threading.current_thread().name)
            repo.post_many([_charge(key)], keys_are_new=True)

        uow.write_behind(lambda: write("first"))
        uow.write_behind(lambda: write("second"))  # waits for the first: one at a time, in order
        assert repo.count(JournalEntryRow) == 2
        uow.commit()
    with UnitOfWork(two_practices.database, actor="test") as uow:
        keys = [row.idempotency_key for row in uow.practice(practice_id).rows(JournalEntryRow)]
        assert keys == ["first", "second"]
    on_postgresql = two_practices.database.backend == "postgresql"
    assert all((name != threading.current_thread().name) == on_postgresql for name in writers)


def test_an_error_of_the_writes_behind_is_raised_to_the_caller_and_nothing_is_committed(
        two_practices: TwoPractices) -> None:
    practice_id = two_practices.practice_ids[0]
    with UnitOfWork(two_practices.database, actor="test", clock=fixed_clock) as uow:
        repo = uow.practice(practice_id)
        repo.post(_charge("charge-1"))
        with pytest.raises(InvalidInput, match="refused"):
            # the same key again, told new: the database's unique key refuses it, on the writer's thread
            uow.write_behind(lambda: repo.post_many([_charge("charge-1")], keys_are_new=True))
            uow.commit()
    with UnitOfWork(two_practices.database, actor="test") as uow:
        assert uow.practice(practice_id).count(JournalEntryRow) == 0
