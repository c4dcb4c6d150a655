"""The statement plan read from the ledger (services.statements): the amounts are the ledger's patient balances
to the cent, and a patient with a claim a payer still owes on is not billed."""

from __future__ import annotations

import datetime
from pathlib import Path

from era_world import paid_claim, remittance, settled, submitted_claims, write

from dermbill.core.money import Money
from dermbill.core.statements import Policy
from dermbill.db.engine import Database
from dermbill.services.era_posting import post_era_file
from dermbill.services.ledger_check import check_ledger
from dermbill.services.statements import plan_statements

DAY = datetime.date(2026, 4, 20)


def test_the_plan_bills_the_patients_share_once_no_payer_owes_and_holds_it_while_one_does(
        database: Database, tmp_path: Path) -> None:
    world = submitted_claims(database, [[("11102", (), 15000)], [("17000", (), 9000)]])
    biopsy, destruction = world.claims
    # The biopsy is settled: allowed $100.00, $20.00 coinsurance (PR-2) and $15.00 deductible (PR-1) on the patient.
    post_era_file(database, write(tmp_path / "a.835", (remittance((paid_claim(biopsy, (
        settled(biopsy.lines[0], 10000, patient=(("2", 2000), ("1", 1500))),)),)),)))

    [held] = plan_statements(database, {world.practice_id}, DAY, cycle_billing=False)
    assert not held.decision.send and "a payer still owes" in held.decision.reason  # the destruction is pending
    assert [(v.patient_balance, v.payer_pending) for v in held.visits] == [(Money(3500), False), (Money(0), True)]

    post_era_file(database, write(tmp_path / "b.835", (remittance((paid_claim(destruction, (
        settled(destruction.lines[0], 6000, patient=(("2", 1200),)),)),), trace="EFT0002"),)))
    [planned] = plan_statements(database, {world.practice_id}, DAY, cycle_billing=False)
    assert (planned.account_number, planned.decision.send, planned.decision.amount) == ("A-1", True, Money(4700))
    assert planned.decision.due_on == DAY + datetime.timedelta(days=21)
    assert planned.aging["0-30"] == Money(4700) and planned.to_json()["amount"] == "47.00"
    above = plan_statements(database, {world.practice_id}, DAY, cycle_billing=False,
                            policy=Policy(minimum_balance=Money(5000)))
    assert not above[0].decision.send and "below the practice's minimum" in above[0].decision.reason
    assert check_ledger(database).clean
