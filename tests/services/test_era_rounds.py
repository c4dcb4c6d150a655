"""Issue 19: an 835 posted in rounds (its claims' balances and answers read once, before anything is written;
statuses settled from what posting knows, not read back) posts what one round would, exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest
from era_world import World, denied, paid_claim, remittance, settled, submitted_claims, write
from sqlalchemy import select

import dermbill.services.era_posting as era_posting
from dermbill.core.claims import ClaimStatus
from dermbill.core.money import Money
from dermbill.core.posting import settled_status
from dermbill.db.engine import Database
from dermbill.db.models import ClaimRow
from dermbill.db.remittances import RemittanceStore
from dermbill.db.repositories import UnitOfWork
from dermbill.services.era_posting import post_era_file
from dermbill.services.ledger_check import check_ledger
from dermbill.x12.remittance_835_writer import PaidClaim

SPEC = [("11102", (), 15000), ("17110", (), 12000)]
CLAIMS = 11


def _payments(world: World) -> tuple[PaidClaim, ...]:
    """Paid, denied, partly paid and paid-then-reversed claim payments, spread over rounds of three."""
    payments = []
    for number, claim in enumerate(world.claims):
        first, second = claim.lines
        if number % 4 == 1:
            payments.append(paid_claim(claim, (denied(first, "CO", "50"), denied(second, "CO", "50")), status="4"))
        elif number % 4 == 2:
            payments.append(paid_claim(claim, (settled(first, 9000, patient=(("2", 1800),)),
                                               denied(second, "CO", "97"))))
        else:
            payments.append(paid_claim(claim, (settled(first, 9000), settled(second, 7000))))
    reversed_claim = world.claims[0]  # taken back in a later round of the same file, then paid again
    payments.append(paid_claim(reversed_claim, tuple(line.negated() for line in payments[0].lines), status="22"))
    payments.append(paid_claim(reversed_claim, (settled(reversed_claim.lines[0], 8000),
                                                settled(reversed_claim.lines[1], 7000)), icn="ICNAGAIN"))
    return tuple(payments)


@pytest.mark.parametrize("per_round", [3, 2000])
def test_an_835_posted_in_rounds_settles_each_claim_from_its_balances_and_posts_once(
        database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, per_round: int) -> None:
    monkeypatch.setattr(era_posting, "CLAIMS_PER_ROUND", per_round)
    world = submitted_claims(database, [SPEC] * CLAIMS)
    path = write(tmp_path / "era.835", (remittance(_payments(world)),))
    read_back: list[int] = []
    original = RemittanceStore.settlement_sums
    monkeypatch.setattr(RemittanceStore, "settlement_sums",
                        lambda self, claims, up_to=None: read_back.append(len(claims)) or original(self, claims, up_to))

    [outcome] = post_era_file(database, path)

    assert read_back == []  # the statuses were settled from what posting knew, nothing read back
    monkeypatch.setattr(RemittanceStore, "settlement_sums", original)

    assert outcome.status == "posted" and outcome.claims_posted == CLAIMS + 2 and not outcome.unmatched
    report = check_ledger(database)
    assert report.clean, report.violations
    with UnitOfWork(database, actor="test") as uow:
        store = RemittanceStore(uow.practice(world.practice_id))
        claims = list(uow.session.scalars(select(ClaimRow).order_by(ClaimRow.id)))
        sums, _ = store.settlement_sums(claims)  # read back after the post: what the statuses must agree with
        for claim in claims:
            assert claim.status == settled_status(ClaimStatus.SUBMITTED, sums[claim.id],
                                                  Money(claim.total_charge_cents), replaced=False).value
        statuses = [claim.status for claim in claims]
    assert statuses[1] == "denied" and statuses[2] == "partially_paid" and statuses[0] == "paid"

    [again] = post_era_file(database, path)  # the same file again: nothing more
    assert again.status == "already posted" and again.claims_posted == 0
    assert check_ledger(database).totals == report.totals


def test_the_next_rounds_claims_are_read_before_the_round_before_settles_unless_they_share_a_claim(
        database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rounds of three: each round's claims are read while the round before still has its last part (which settles
    its claims) to write, so the writer is not left idle while the next round is read and planned; a round naming a
    claim the round before posted (the reversed claim, paid again) is read after that round settles."""
    monkeypatch.setattr(era_posting, "CLAIMS_PER_ROUND", 3)
    world = submitted_claims(database, [SPEC] * CLAIMS)
    path = write(tmp_path / "era.835", (remittance(_payments(world)),))
    events: list[tuple[str, tuple[int, ...]]] = []
    read, settle = RemittanceStore.claims, era_posting._settle_statuses

    def claims(self: RemittanceStore, ids: list[int]) -> list[ClaimRow]:
        found = read(self, ids)  # (on PostgreSQL, once the writes before are done)
        events.append(("read", tuple(sorted(set(ids)))))
        return found

    def settled_claims(store: RemittanceStore, rows: list[ClaimRow], *args: object) -> None:
        events.append(("settle", tuple(sorted(row.id for row in rows))))
        settle(store, rows, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(RemittanceStore, "claims", claims)
    monkeypatch.setattr(era_posting, "_settle_statuses", settled_claims)

    [outcome] = post_era_file(database, path)

    assert outcome.claims_posted == CLAIMS + 2
    ids = [claim.id for claim in world.claims]
    rounds = [tuple(sorted(set(part))) for part in
              (ids[0:3], ids[3:6], ids[6:9], (ids[9], ids[10], ids[0]), (ids[0],))]
    assert events == [("read", rounds[0]),
                      ("read", rounds[1]), ("settle", rounds[0]),
                      ("read", rounds[2]), ("settle", rounds[1]),
                      ("read", rounds[3]), ("settle", rounds[2]),
                      ("settle", rounds[3]), ("read", rounds[4]),  # claim 0 again: read after its round settles
                      ("settle", rounds[4])]
