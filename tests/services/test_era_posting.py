"""Posting 835s: balanced entries where the money belongs, exactly once, nothing partial, nothing guessed."""

from __future__ import annotations

import datetime
import multiprocessing
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from era_world import (
    Claim,
    World,
    denied,
    paid_claim,
    post_in_process,
    remittance,
    settled,
    submitted_claims,
    write,
)
from sqlalchemy import event, func, select, update

from dermbill.core.claims import ClaimStatus
from dermbill.core.money import Money
from dermbill.db.engine import Database, open_database
from dermbill.db.migrate import upgrade
from dermbill.db.models import (
    AuditEventRow,
    ClaimRow,
    ClaimStatusEventRow,
    JournalEntryRow,
    LedgerAccountRow,
    PostingRow,
    RemittanceRow,
    UnmatchedRemittanceRow,
)
from dermbill.db.repositories import UnitOfWork
from dermbill.services.denials import list_items, refresh_queue, resolve_item
from dermbill.services.era_posting import post_era_file
from dermbill.services.ledger_check import check_ledger
from dermbill.x12.remittance_835_writer import Adjusted, PaidLine, ProviderAdjustment

TWO_LINES = [("11102", (), 15000), ("17110", (), 12000)]
CONCURRENT_CLAIMS = 150


def balances(world: World, **where: int) -> dict[str, Money]:
    with UnitOfWork(world.database, actor="test") as uow:
        repo = uow.practice(world.practice_id)
        criteria = [getattr(PostingRow, column) == value for column, value in where.items()]
        return repo.balances(*criteria)


def status(world: World, claim: Claim) -> str:
    with UnitOfWork(world.database, actor="test") as uow:
        return uow.practice(world.practice_id).get(ClaimRow, claim.id).status


def snapshot(database: Database) -> dict[str, Any]:
    """Everything a posting may write."""
    with UnitOfWork(database, actor="test") as uow:
        counts: dict[str, Any] = {
            row.__tablename__: uow.session.scalar(select(func.count()).select_from(row))
            for row in (RemittanceRow, JournalEntryRow, PostingRow, ClaimStatusEventRow, UnmatchedRemittanceRow,
                        AuditEventRow)
        }
        counts["statuses"] = sorted(tuple(row) for row in uow.session.execute(select(ClaimRow.id, ClaimRow.status)))
        return counts


def test_a_paid_claim_posts_payment_contractual_and_patient_share_per_line(database: Database,
                                                                          tmp_path: Path) -> None:
    world = submitted_claims(database, [TWO_LINES])
    claim = world.claims[0]
    first, second = claim.lines
    # Line 1: allowed 90.00, coinsurance 18.00, paid 72.00. Line 2: allowed 80.00, all to the deductible.
    paid = paid_claim(claim, (settled(first, 9000, patient=(("2", 1800),)),
                              settled(second, 8000, patient=(("1", 8000),))))
    [outcome] = post_era_file(database, write(tmp_path / "era.835", (remittance((paid,)),)))

    assert (outcome.status, outcome.claims_posted, outcome.paid) == ("posted", 1, Money(7200))
    assert balances(world, claim_line_id=first.id) == {"1000": Money(7200), "1100": Money(0),
                                                       "1200": Money(1800), "4100": Money(6000)}
    assert balances(world, claim_line_id=second.id) == {"1100": Money(0), "1200": Money(8000),
                                                        "4100": Money(4000)}
    assert status(world, claim) == "paid"
    report = check_ledger(database)
    assert report.clean, report.violations
    assert report.totals["patient_balance"] == Money(9800)
    assert report.totals["charges"] == Money(27000)
    assert report.totals["cash"] == Money(7200)


def test_the_same_835_posts_once_even_in_a_new_envelope(database: Database, tmp_path: Path) -> None:
    world = submitted_claims(database, [TWO_LINES])
    claim = world.claims[0]
    remit = remittance((paid_claim(claim, tuple(settled(line, 9000) for line in claim.lines)),))
    [first] = post_era_file(database, write(tmp_path / "era.835", (remit,)))
    after_first = snapshot(database)
    [again] = post_era_file(database, tmp_path / "era.835")
    [rewrapped] = post_era_file(database, write(tmp_path / "era-again.835", (remit,), interchange=77))

    assert (first.status, again.status, rewrapped.status) == ("posted", "already posted", "already posted")
    assert snapshot(database) == after_first
    assert balances(world)["1000"] == Money(18000)


def test_an_835_that_does_not_balance_is_quarantined_and_posts_nothing(database: Database, tmp_path: Path) -> None:
    world = submitted_claims(database, [TWO_LINES])
    claim = world.claims[0]
    paid = paid_claim(claim, tuple(settled(line, 9000) for line in claim.lines))
    path = write(tmp_path / "era.835", (remittance((paid,)),))
    path.write_text(path.read_text().replace("BPR*I*180*", "BPR*I*181*"))
    before = snapshot(database)
    [outcome] = post_era_file(database, path)
    [again] = post_era_file(database, path)

    assert outcome.status == "quarantined" and outcome.problems
    assert again.status == "quarantined before"
    after = snapshot(database)
    assert after["journal_entry"] == before["journal_entry"] and after["statuses"] == before["statuses"]
    with UnitOfWork(database, actor="test") as uow:
        [row] = uow.session.scalars(select(RemittanceRow)).all()
        assert row.status == "quarantined" and row.problems == outcome.problems


def test_denials_go_to_the_denied_balance_and_set_the_claim_status(database: Database, tmp_path: Path) -> None:
    world = submitted_claims(database, [TWO_LINES, [("11102", (), 15000)]])
    partly, wholly = world.claims
    bundled, paid_line = partly.lines
    partial = paid_claim(partly, (denied(bundled, "CO", "97", remarks=("M15",)), settled(paid_line, 8000)))
    whole = paid_claim(wholly, (denied(wholly.lines[0], "CO", "96", remarks=("N130",)),), status="4")
    [outcome] = post_era_file(database, write(tmp_path / "era.835", (remittance((partial, whole)),)))

    assert outcome.denied == [wholly.pcn]
    assert balances(world, claim_line_id=bundled.id) == {"1100": Money(0), "1150": Money(15000)}
    assert status(world, partly) == "partially_paid"
    assert status(world, wholly) == "denied"
    assert check_ledger(database).clean


def test_a_payer_that_changes_the_code_or_drops_a_modifier_still_matches(database: Database,
                                                                        tmp_path: Path) -> None:
    world = submitted_claims(database, [[("11102", (), 15000), ("11103", ("59",), 9000)]])
    claim = world.claims[0]
    first, second = claim.lines
    recoded = settled(first, 7000, code="11104")  # paid as another code; SVC06 names ours
    # No line control number and the modifier dropped: matched by the code.
    bare = PaidLine("11103", (), second.charge, 1, recoded.date_of_service,
                    (Adjusted("CO", "45", Money(4000)),), allowed=Money(5000))
    path = write(tmp_path / "era.835", (remittance((paid_claim(claim, (bare, recoded)),)),))
    [outcome] = post_era_file(database, path)

    assert outcome.unmatched == [] and outcome.claims_posted == 1
    assert balances(world, claim_line_id=first.id)["1000"] == Money(7000)
    assert balances(world, claim_line_id=second.id)["1000"] == Money(5000)


def test_what_cannot_be_matched_goes_to_the_unmatched_queue(database: Database, tmp_path: Path) -> None:
    world = submitted_claims(database, [TWO_LINES, TWO_LINES])
    known, other = world.claims
    stranger = Claim(0, "NOT-OURS-1", known.lines)
    wrong_lines = paid_claim(other, (PaidLine("99213", (), Money(11111), 1, settled(other.lines[0], 1).date_of_service,
                                              (Adjusted("CO", "45", Money(1111)),)),))
    paid = paid_claim(known, tuple(settled(line, 9000) for line in known.lines))
    [outcome] = post_era_file(database, write(tmp_path / "era.835",
                                              (remittance((paid, paid_claim(stranger, ()), wrong_lines)),)))

    assert outcome.claims_posted == 1
    assert [u.split(":")[0] for u in outcome.unmatched] == ["NOT-OURS-1", other.pcn]
    with UnitOfWork(database, actor="test") as uow:
        queue = uow.session.scalars(select(UnmatchedRemittanceRow).order_by(UnmatchedRemittanceRow.id)).all()
        assert [(q.patient_control_number, q.paid_cents) for q in queue] == [("NOT-OURS-1", 0), (other.pcn, 10000)]
    assert status(world, other) == "submitted"
    assert balances(world, claim_id=other.id) == {"1100": Money(27000), "4000": Money(-27000)}


def test_a_reversal_undoes_the_payment_and_the_correction_replaces_it(database: Database, tmp_path: Path) -> None:
    world = submitted_claims(database, [TWO_LINES])
    claim = world.claims[0]
    original = paid_claim(claim, tuple(settled(line, 6000) for line in claim.lines))
    post_era_file(database, write(tmp_path / "first.835", (remittance((original,), trace="EFT1"),)))

    def negated(line: PaidLine) -> PaidLine:
        return PaidLine(line.code, line.modifiers, -line.charge, -1, line.date_of_service,
                        tuple(Adjusted(a.group, a.reason, -a.amount) for a in line.adjustments),
                        control_number=line.control_number)

    reversal = paid_claim(claim, tuple(negated(line) for line in original.lines), status="22")
    corrected = paid_claim(claim, tuple(settled(line, 9000, patient=(("2", 1800),)) for line in claim.lines))
    [outcome] = post_era_file(database, write(tmp_path / "second.835", (remittance((reversal, corrected),
                                                                                   trace="EFT2"),)))

    assert outcome.status == "posted" and outcome.claims_posted == 2
    assert balances(world, claim_id=claim.id) == {
        "1000": Money(2 * 7200), "1100": Money(0), "1200": Money(2 * 1800), "4000": Money(-27000),
        "4100": Money(6000 + 3000)}
    assert status(world, claim) == "paid"
    assert check_ledger(database).clean


def test_a_reversal_alone_puts_the_claim_back_with_the_payer(database: Database, tmp_path: Path) -> None:
    world = submitted_claims(database, [TWO_LINES])
    claim = world.claims[0]
    original = paid_claim(claim, tuple(settled(line, 6000, patient=(("2", 1200),)) for line in claim.lines))
    post_era_file(database, write(tmp_path / "first.835", (remittance((original,), trace="EFT1"),)))
    reversal = paid_claim(claim, tuple(
        PaidLine(line.code, line.modifiers, -line.charge, -1, line.date_of_service,
                 tuple(Adjusted(a.group, a.reason, -a.amount) for a in line.adjustments),
                 control_number=line.control_number) for line in original.lines), status="22")
    post_era_file(database, write(tmp_path / "second.835", (remittance((reversal,), trace="EFT2"),)))

    assert status(world, claim) == "accepted"
    assert balances(world, claim_id=claim.id) == {"1000": Money(0), "1100": Money(27000), "1200": Money(0),
                                                  "4000": Money(-27000), "4100": Money(0)}


def test_provider_level_adjustments_post_against_cash(database: Database, tmp_path: Path) -> None:
    world = submitted_claims(database, [TWO_LINES])
    claim = world.claims[0]
    remit = remittance((paid_claim(claim, tuple(settled(line, 9000) for line in claim.lines)),))
    remit = replace(remit, provider_adjustments=(ProviderAdjustment("WO", "OLDICN1", Money(2500)),))
    path = write(tmp_path / "era.835", (remit,))
    assert "BPR*I*155*" in path.read_text()
    [outcome] = post_era_file(database, path)

    assert outcome.status == "posted"
    assert balances(world)["4400"] == Money(2500)
    assert balances(world)["1000"] == Money(18000 - 2500)
    assert check_ledger(database).clean


class Injected(Exception):
    """The failure a test injects into one statement of a posting."""


@contextmanager
def failing_at(database: Database, statement: int) -> Iterator[list[int]]:
    seen = [0]

    def count(*_: object) -> None:
        seen[0] += 1
        if seen[0] == statement:
            raise Injected(f"injected at statement {statement}")

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(database.engine, "before_cursor_execute", count)


def test_a_failure_at_any_statement_of_a_posting_leaves_nothing_behind(database: Database, tmp_path: Path) -> None:
    world = submitted_claims(database, [TWO_LINES, TWO_LINES])
    first, second = world.claims
    path = write(tmp_path / "era.835", (remittance((
        paid_claim(first, (settled(first.lines[0], 9000, patient=(("2", 1800),)), denied(first.lines[1], "CO", "97"))),
        paid_claim(second, tuple(settled(line, 9000) for line in second.lines)),
        paid_claim(Claim(0, "NOT-OURS", ()), ()),
    )),))
    before = snapshot(database)
    failures = 0
    for statement in range(1, 500):
        with failing_at(database, statement) as seen:
            try:
                [outcome] = post_era_file(database, path)
            except Injected:
                failures += 1
                assert snapshot(database) == before, f"a failure at statement {statement} left a partial posting"
                continue
        assert seen[0] < statement  # it ran to the end without reaching the failing statement
        break
    assert failures >= 10 and outcome.status == "posted" and outcome.claims_posted == 2
    assert check_ledger(database).clean


@pytest.mark.postgres
def test_eight_processes_posting_one_file_at_once_post_it_once(postgres_url: str, tmp_path: Path) -> None:
    database = open_database(postgres_url)
    upgrade(database)
    world = submitted_claims(database, [TWO_LINES] * 20)
    path = write(tmp_path / "era.835", (remittance(tuple(
        paid_claim(claim, tuple(settled(line, 9000, patient=(("2", 1800),)) for line in claim.lines))
        for claim in world.claims)),))
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        start = manager.Barrier(8)
        with context.Pool(8) as pool:
            statuses = pool.starmap(post_in_process, [(postgres_url, str(path), start)] * 8)

    assert sorted(statuses) == ["already posted"] * 7 + ["posted"]
    with UnitOfWork(database, actor="test") as uow:
        assert uow.session.scalar(select(func.count()).select_from(RemittanceRow)) == 1
    assert balances(world)["1000"] == Money(20 * 2 * 7200)
    report = check_ledger(database)
    assert report.clean, report.violations
    database.dispose()


def test_a_large_835_posted_in_rounds_posts_the_same_as_in_one(database: Database, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import dermbill.services.era_posting as era_posting

    monkeypatch.setattr(era_posting, "CLAIMS_PER_ROUND", 2)
    world = submitted_claims(database, [TWO_LINES] * 5)
    first = world.claims[0]
    original = paid_claim(first, tuple(settled(line, 6000) for line in first.lines))
    post_era_file(database, write(tmp_path / "first.835", (remittance((original,), trace="EFT1"),)))
    reversal = paid_claim(first, tuple(
        PaidLine(line.code, line.modifiers, -line.charge, -1, line.date_of_service,
                 tuple(Adjusted(a.group, a.reason, -a.amount) for a in line.adjustments),
                 control_number=line.control_number) for line in original.lines), status="22")
    others = tuple(paid_claim(c, tuple(settled(line, 9000, patient=(("2", 1800),)) for line in c.lines))
                   for c in world.claims[1:])
    corrected = paid_claim(first, tuple(settled(line, 9000) for line in first.lines))
    # The reversal and the correction of the first claim fall in different rounds.
    [outcome] = post_era_file(database, write(tmp_path / "second.835", (remittance(
        (others[0], reversal, corrected, *others[1:]), trace="EFT2"),)))

    assert outcome.claims_posted == 6 and outcome.unmatched == []
    assert balances(world, claim_id=first.id)["1000"] == Money(18000)
    assert all(status(world, c) == "paid" for c in world.claims)
    report = check_ledger(database)
    assert report.clean and report.totals["cash"] == Money(18000 + 4 * 2 * 7200)


def test_a_payer_that_bundles_lines_pays_what_it_names_and_leaves_the_rest_open(database: Database,
                                                                                  tmp_path: Path) -> None:
    world = submitted_claims(database, [[("17000", (), 15000), ("17003", (), 3000), ("17003", (), 3000)]])
    claim = world.claims[0]
    first, second, third = claim.lines
    # The payer answers for the first line only, having folded the two add-on lines into it.
    [outcome] = post_era_file(database, write(tmp_path / "era.835", (remittance((
        paid_claim(claim, (settled(first, 8000),)),)),)))

    assert outcome.unmatched == [] and outcome.claims_posted == 1
    assert balances(world, claim_line_id=first.id)["1100"] == Money(0)
    assert balances(world, claim_line_id=second.id) == {"1100": Money(3000)}
    assert balances(world, claim_line_id=third.id) == {"1100": Money(3000)}
    assert status(world, claim) == "partially_paid"  # still owed on two lines: it shows up to be worked
    assert check_ledger(database).clean


def test_a_line_two_of_ours_could_be_is_not_guessed(database: Database, tmp_path: Path) -> None:
    world = submitted_claims(database, [[("11102", ("XS",), 15000), ("11102", ("59",), 12000)]])
    claim = world.claims[0]
    # No line control number, the modifier dropped, a charge of neither line: either line could be meant.
    vague = PaidLine("11102", (), Money(13500), 1, settled(claim.lines[0], 1).date_of_service,
                     (Adjusted("CO", "45", Money(5000)),))
    [outcome] = post_era_file(database, write(tmp_path / "era.835", (remittance((paid_claim(claim, (vague,)),)),)))

    assert outcome.claims_posted == 0 and len(outcome.unmatched) == 1
    assert "lines do not match" in outcome.unmatched[0]
    assert balances(world, claim_id=claim.id) == {"1100": Money(27000), "4000": Money(-27000)}


def stale_statuses(database: Database) -> list[str]:
    """The claims whose status is not what ``claim_status`` makes of their ledger balances."""
    from dermbill.core.posting import claim_status

    with UnitOfWork(database, actor="test") as uow:
        sums: dict[int, Counter[str]] = {}
        for claim_id, code, total in uow.session.execute(
                select(PostingRow.claim_id, LedgerAccountRow.code, func.sum(PostingRow.amount_cents))
                .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
                .where(PostingRow.claim_id.is_not(None))
                .group_by(PostingRow.claim_id, LedgerAccountRow.code)):
            sums.setdefault(claim_id, Counter())[code] += int(total)
        return [f"{claim.patient_control_number} is {claim.status}, its ledger says {expected.value}"
                for claim in uow.session.scalars(select(ClaimRow).order_by(ClaimRow.id))
                if (expected := claim_status(sums.get(claim.id, Counter()), Money(claim.total_charge_cents)))
                != ClaimStatus(claim.status)]


def post_at_once(database_url: str, paths: list[Path]) -> list[str]:
    """Post each file from a process of its own, all starting at the same moment; their outcomes."""
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        start = manager.Barrier(len(paths))
        with context.Pool(len(paths)) as pool:
            return pool.starmap(post_in_process, [(database_url, str(path), start) for path in paths])


def test_two_835s_paying_different_lines_of_the_same_claims_at_once_leave_every_status_right(
        database_url: str, tmp_path: Path) -> None:
    """The first 835 pays every claim's first line, the second (another trace) every claim's second line: each
    alone would leave the claims partially paid, both together paid, whichever commits first."""
    database = open_database(database_url)
    upgrade(database)
    world = submitted_claims(database, [TWO_LINES] * CONCURRENT_CLAIMS)
    in_order = {0: world.claims, 1: world.claims[::-1]}  # the second file names the claims the other way round
    paths = [write(tmp_path / f"era-{n}.835", (remittance(tuple(
        paid_claim(claim, (settled(claim.lines[n], 9000),)) for claim in in_order[n]), trace=f"EFT{n}"),),
        interchange=n + 1) for n in (0, 1)]

    assert post_at_once(database_url, paths) == ["posted", "posted"]
    assert balances(world)["1000"] == Money(CONCURRENT_CLAIMS * 2 * 9000)
    stale = stale_statuses(database)
    assert stale == [], f"{len(stale)} of {CONCURRENT_CLAIMS} claims stale, e.g. {stale[:3]}"
    assert {status(world, claim) for claim in world.claims} == {"paid"}
    report = check_ledger(database)
    assert report.clean, report.violations[:5]
    database.dispose()


def test_two_835s_paying_the_same_claims_at_once_apply_one_payment_and_queue_the_other_as_an_overpayment(
        database_url: str, tmp_path: Path) -> None:
    """The payer pays the same claims twice, under two traces, and both files are posted at the same moment: the
    second poster waits for the first and sees its answers, so its cash is owed back to the payer."""
    database = open_database(database_url)
    upgrade(database)
    world = submitted_claims(database, [TWO_LINES] * CONCURRENT_CLAIMS)
    paths = [write(tmp_path / f"era-{n}.835", (remittance(tuple(
        paid_claim(claim, tuple(settled(line, 9000) for line in claim.lines)) for claim in world.claims),
        trace=f"EFT{n}"),), interchange=n + 1) for n in (0, 1)]

    assert post_at_once(database_url, paths) == ["posted", "posted"]
    totals = balances(world)
    assert (totals["1000"], totals["1100"]) == (Money(CONCURRENT_CLAIMS * 2 * 2 * 9000), Money(0))
    assert totals["2150"] == -Money(CONCURRENT_CLAIMS * 2 * 9000)  # the second payment: a refund due to the payer
    assert stale_statuses(database) == []
    report = check_ledger(database)
    assert report.clean, report.violations[:5]
    database.dispose()


def test_ledger_check_names_a_claim_whose_status_its_ledger_contradicts(database: Database, tmp_path: Path) -> None:
    world = submitted_claims(database, [TWO_LINES, TWO_LINES, TWO_LINES])
    paid, part, refused = world.claims
    post_era_file(database, write(tmp_path / "era.835", (remittance((
        paid_claim(paid, tuple(settled(line, 9000) for line in paid.lines)),
        paid_claim(part, (settled(part.lines[0], 9000),)),
        paid_claim(refused, tuple(denied(line, "CO", "96") for line in refused.lines), status="4"))),)))
    assert [status(world, c) for c in world.claims] == ["paid", "partially_paid", "denied"]
    # Written off after the 835: the claim stays denied (what was posted after its last 835 does not count).
    today = datetime.date(2026, 6, 1)
    refresh_queue(database, today=today)
    for item in list_items(database, today=today, statuses=("open", "waiting", "snoozed")):
        resolve_item(database, item.id, "write_off", actor="test", today=today)
    assert balances(world, claim_id=refused.id)["1150"] == Money(0)
    report = check_ledger(database)
    assert report.clean, report.violations

    with UnitOfWork(database, actor="test") as uow:  # a status left behind by a poster that read too early
        uow.session.execute(update(ClaimRow).where(ClaimRow.id.in_([paid.id, part.id]))
                            .values(status="partially_paid"))
        uow.session.execute(update(ClaimRow).where(ClaimRow.id == refused.id).values(status="paid"))
        uow.commit()

    report = check_ledger(database)
    assert not report.clean
    assert report.violations == ["practice ERA: claim ERA-1 is partially_paid but its ledger says paid",
                                 "practice ERA: claim ERA-3 is paid but its ledger says denied"]

    with UnitOfWork(database, actor="test") as uow:  # closed by a person after its 835: not the posting's to say
        uow.session.execute(update(ClaimRow).where(ClaimRow.id == refused.id).values(status="closed"))
        uow.commit()
    assert check_ledger(database).violations == ["practice ERA: claim ERA-1 is partially_paid but its ledger says "
                                                 "paid"]
