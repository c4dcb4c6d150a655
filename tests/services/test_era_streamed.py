"""Issue 19: an 835 posted from its kept bytes a round at a time (its claims typed as each round comes) posts
exactly what the same 835 typed whole posts; any set that is not new and clean is posted as before."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from era_world import (
    World,
    denied,
    paid_claim,
    remittance,
    settled,
    submitted_claims,
    write,
)
from migrated_databases import migrated_sqlite_url
from sqlalchemy import select

from dermbill.db.engine import Database, open_database
from dermbill.db.models import ClaimRow, RemittanceRow, UnmatchedRemittanceRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services import era_posting
from dermbill.services.era_posting import RemittanceOutcome, post_era_file, post_remittance
from dermbill.services.ledger_check import check_ledger
from dermbill.x12.tokenizer import read_file
from dermbill.x12.transactions import transaction_sets

SPECS = [[("11102", (), 15000), ("17110", (), 12000)], [("17000", (), 9000)], [("11402", (), 30000)],
         [("11102", (), 15000)], [("17003", (), 2500), ("17000", (), 9000)]]


def _payments(world: World) -> tuple[Any, ...]:
    """A payment for each claim (one denied, one with a patient share), and one for a claim we never sent."""
    first, second, third, fourth, fifth = world.claims
    unknown = paid_claim(first, tuple(settled(line, 5000) for line in first.lines))
    return (paid_claim(first, tuple(settled(line, 9000, patient=(("2", 1000),)) for line in first.lines)),
            paid_claim(second, tuple(denied(line, "CO", "50") for line in second.lines)),
            paid_claim(third, tuple(settled(line, 20000) for line in third.lines)),
            replace(unknown, patient_control_number="NOSUCHCLAIM", payer_claim_number="ICNNOSUCH"),
            paid_claim(fourth, tuple(settled(line, 7000) for line in fourth.lines)),
            paid_claim(fifth, tuple(settled(line, 800) for line in fifth.lines)))


def _state(database: Database, outcome: RemittanceOutcome) -> dict[str, Any]:
    report = check_ledger(database)
    assert report.clean, report.violations
    with UnitOfWork(database, actor="test") as uow:
        [row] = uow.session.scalars(select(RemittanceRow))
        return {"totals": report.totals, "statuses": sorted(uow.session.execute(
                    select(ClaimRow.patient_control_number, ClaimRow.status, ClaimRow.payer_claim_number)).all()),
                "held": sorted(r.reason for r in uow.session.scalars(select(UnmatchedRemittanceRow))),
                "row": (row.status, row.content_hash, row.payment_cents, row.summary, row.problems),
                "outcome": {name: getattr(outcome, name) for name in outcome.__slots__ if name != "remittance_id"}}


def _typed_whole(path: Path) -> tuple[Database, RemittanceOutcome]:
    """The same practice in a database of its own, the 835 posted typed whole (``post_remittance``)."""
    other = open_database(migrated_sqlite_url(path.parent / "typed-whole.db"))
    submitted_claims(other, SPECS)
    [transaction] = transaction_sets(read_file(path))
    return other, post_remittance(other, transaction, path.name, actor="era", now=era_posting.utc_now())


@pytest.fixture
def rounds_of_two(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(era_posting, "CLAIMS_PER_ROUND", 2)


def test_a_clean_835_is_posted_round_by_round_as_the_whole_set_would_be(database: Database, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch,
                                                                       rounds_of_two: None) -> None:
    world = submitted_claims(database, SPECS)
    path = write(tmp_path / "era.835", (remittance(_payments(world)),))
    now = era_posting.utc_now()
    monkeypatch.setattr(era_posting, "utc_now", lambda: now)
    monkeypatch.setattr(era_posting, "_typed_set", lambda *_: pytest.fail("read again and typed whole"))

    [outcome] = post_era_file(database, path)

    monkeypatch.undo()
    monkeypatch.setattr(era_posting, "utc_now", lambda: now)
    other, whole = _typed_whole(path)
    assert outcome.status == "posted" and outcome.claims_posted == 5 and len(outcome.unmatched) == 1
    assert _state(database, outcome) == _state(other, whole)
    other.dispose()
    [again] = post_era_file(database, path)
    assert again.status == "already posted"


def test_the_same_claim_payment_in_two_rounds_quarantines_the_835_as_before(database: Database, tmp_path: Path,
                                                                           rounds_of_two: None) -> None:
    world = submitted_claims(database, SPECS)
    payments = _payments(world)
    path = write(tmp_path / "era.835", (remittance((payments[0], payments[2], payments[0])),))  # rounds 1 and 2

    [outcome] = post_era_file(database, path)

    assert outcome.status == "quarantined"
    assert "is in the file 2 times" in outcome.problems[0]
    assert check_ledger(database).totals["cash"].cents == 0


def test_a_set_posted_before_is_read_again_whole_and_told_apart(database: Database, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    world = submitted_claims(database, SPECS)
    payments = _payments(world)
    post_era_file(database, write(tmp_path / "first.835", (remittance(payments[:2]),)))
    read_again = []
    typed = era_posting._typed_set
    monkeypatch.setattr(era_posting, "_typed_set", lambda *a: read_again.append(a[1]) or typed(*a))

    [conflict] = post_era_file(database, write(tmp_path / "second.835", (remittance(payments[:3]),), interchange=2))

    assert conflict.status == "conflict" and read_again == [0]
    assert any("not in the posted payment" in problem for problem in conflict.problems)
