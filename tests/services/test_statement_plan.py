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
from dermbill.services.patient_payments import post_patient_payment
from dermbill.services.statements import plan_statements, run_statements, statement_document

DAY = datetime.date(2026, 4, 20)
NOW = datetime.datetime(2026, 4, 19, 15, 0, tzinfo=datetime.UTC)


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


def test_the_run_makes_one_statement_whose_lines_are_the_ledgers_and_a_second_run_none(
        database: Database, tmp_path: Path) -> None:
    world = submitted_claims(database, [[("11102", (), 15000), ("17000", (), 9000)]])
    [claim] = world.claims
    # Allowed $100.00 of the biopsy ($20.00 coinsurance on the patient) and $60.00 of the destruction ($12.00).
    post_era_file(database, write(tmp_path / "a.835", (remittance((paid_claim(claim, (
        settled(claim.lines[0], 10000, patient=(("2", 2000),)),
        settled(claim.lines[1], 6000, patient=(("2", 1200),)))),)),)))
    post_patient_payment(database, world.practice_id, claim.id, Money(1000), "T-1", now=NOW)

    dry = run_statements(database, DAY, dry_run=True, cycle_billing=False, now=NOW)
    assert [(s.planned.account_number, s.planned.decision.amount, s.code) for s in dry.statements] == [
        ("A-1", Money(2200), None)]
    run = run_statements(database, DAY, cycle_billing=False, now=NOW)
    [made] = run.statements
    assert made.delivery == "print" and made.code and len(made.code) == 10  # the patient has no e-mail address
    document = statement_document(database, made.statement_id or 0, None, actor="test")
    [visit] = document.visits
    # Line by line: charged = insurance paid + adjusted + patient paid + owed; the $10.00 went to the first line.
    assert [(line.charged, line.insurance_paid, line.adjusted, line.patient_paid, line.you_owe)
            for line in visit.lines] == [(Money(15000), Money(8000), Money(5000), Money(1000), Money(1000)),
                                         (Money(9000), Money(4800), Money(3000), Money(0), Money(1200))]
    assert visit.lines[0].description.endswith("(11102)") and document.balance_due == Money(2200)
    assert [(p.amount, "T-1" in p.description) for p in document.payments] == [(Money(1000), True)]
    assert run_statements(database, DAY, cycle_billing=False, now=NOW).statements == ()  # billed this cycle
    later = plan_statements(database, None, DAY + datetime.timedelta(days=45), cycle_billing=False)
    assert later[0].visits[0].first_billed == DAY and later[0].step.value == "reminder"
    assert later[0].aging["31-60"] == Money(2200)
