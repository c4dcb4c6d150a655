"""Money paid twice is never applied twice: payer overpayments and patient credits are liabilities, queued for a
refund (or, for a payer, a recoupment on a later remittance), and `ledger check` catches any negative line."""

from __future__ import annotations

import datetime
from dataclasses import replace
from pathlib import Path

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
from sqlalchemy import func, select

from dermbill.core.errors import InvalidInput
from dermbill.core.ledger import (
    CASH,
    CONTRACTUAL,
    DENIED_AR,
    INSURANCE_AR,
    PATIENT_AR,
    PATIENT_CREDIT,
    PAYER_CREDIT,
    PROVIDER_ADJUSTMENT,
    JournalEntry,
    Posting,
)
from dermbill.core.money import Money
from dermbill.db.engine import Database
from dermbill.db.models import DenialItemRow, LineAdjudicationRow, PostingRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.denials import refresh_queue
from dermbill.services.era_posting import post_era_file
from dermbill.services.ledger_check import check_ledger
from dermbill.services.overpayments import (
    overpayment_queue,
    patient_credit_queue,
    refund_overpayment,
    refund_patient_credit,
)
from dermbill.services.patient_payments import post_patient_payment
from dermbill.x12.remittance_835_writer import Adjusted, PaidClaim, PaidLine, ProviderAdjustment

TWO_LINES = [("11102", (), 15000), ("17110", (), 12000)]
TODAY = datetime.date(2026, 5, 1)


def balances(world: World, **where: int) -> dict[str, Money]:
    with UnitOfWork(world.database, actor="test") as uow:
        repo = uow.practice(world.practice_id)
        return repo.balances(*[getattr(PostingRow, column) == value for column, value in where.items()])


def count(database: Database, row: type) -> int:
    with UnitOfWork(database, actor="test") as uow:
        return int(uow.session.scalar(select(func.count()).select_from(row)) or 0)


def reversal(claim: PaidClaim) -> PaidClaim:
    return replace(claim, status_code="22", lines=tuple(
        PaidLine(line.code, line.modifiers, -line.charge, -1, line.date_of_service,
                 tuple(Adjusted(a.group, a.reason, -a.amount) for a in line.adjustments),
                 control_number=line.control_number) for line in claim.lines))


def test_the_same_claim_payments_under_a_new_trace_number_go_to_the_payer_credit_balance(
        database: Database, tmp_path: Path) -> None:
    world = submitted_claims(database, [TWO_LINES, TWO_LINES])
    paid, refused = world.claims
    claims = (paid_claim(paid, (settled(paid.lines[0], 9000, patient=(("2", 1800),)), settled(paid.lines[1], 8000))),
              paid_claim(refused, tuple(denied(line, "CO", "97", remarks=("M15",)) for line in refused.lines),
                         status="4"))
    post_era_file(database, write(tmp_path / "first.835", (remittance(claims, trace="EFT1"),)))
    refresh_queue(database, today=TODAY)
    items, adjudications = count(database, DenialItemRow), count(database, LineAdjudicationRow)
    before = balances(world)

    [outcome] = post_era_file(database, write(tmp_path / "again.835", (remittance(claims, trace="EFT2"),),
                                              interchange=2))
    refresh_queue(database, today=TODAY)

    assert outcome.status == "posted"
    after = balances(world)
    assert after[INSURANCE_AR] == before[INSURANCE_AR] == Money(0)
    assert after[DENIED_AR] == before[DENIED_AR] and after[PATIENT_AR] == before[PATIENT_AR]
    assert after[CONTRACTUAL] == before[CONTRACTUAL]
    assert after[CASH] == before[CASH] + Money(7200 + 8000)
    assert after[PAYER_CREDIT] == -Money(7200 + 8000)
    assert (count(database, DenialItemRow), count(database, LineAdjudicationRow)) == (items, adjudications)
    [item] = overpayment_queue(database)
    assert (item.claim, item.amount, item.original_trace, item.trace) == (paid.pcn, Money(15200), "EFT1", "EFT2")
    assert outcome.overpaid == [paid.pcn]
    report = check_ledger(database)
    assert report.clean, report.violations
    assert report.totals["payer_credit"] == Money(15200)


def test_a_refund_sent_clears_the_overpayment(database: Database, tmp_path: Path) -> None:
    world = submitted_claims(database, [TWO_LINES])
    claim = world.claims[0]
    paid = paid_claim(claim, tuple(settled(line, 9000) for line in claim.lines))
    post_era_file(database, write(tmp_path / "first.835", (remittance((paid,), trace="EFT1"),)))
    post_era_file(database, write(tmp_path / "second.835", (remittance((replace(paid, payer_claim_number="ICN2"),),
                                                                       trace="EFT2"),), interchange=2))
    [item] = overpayment_queue(database)

    refund_overpayment(database, item.id, "CHK1001", actor="test", today=TODAY)

    assert overpayment_queue(database) == []
    assert balances(world)[PAYER_CREDIT] == Money(0)
    assert balances(world)[CASH] == Money(18000)
    with pytest.raises(InvalidInput, match="already"):
        refund_overpayment(database, item.id, "CHK1002", actor="test", today=TODAY)
    assert check_ledger(database).clean


def test_a_recoupment_on_a_later_remittance_offsets_the_overpayment(database: Database, tmp_path: Path) -> None:
    world = submitted_claims(database, [TWO_LINES, TWO_LINES])
    first, second = world.claims
    paid = paid_claim(first, tuple(settled(line, 9000) for line in first.lines))
    post_era_file(database, write(tmp_path / "1.835", (remittance((paid,), trace="EFT1"),)))
    post_era_file(database, write(tmp_path / "2.835", (remittance((paid,), trace="EFT2"),), interchange=2))
    # The payer pays the second claim and takes its duplicate payment back on the same remittance (PLB WO).
    later = replace(remittance((paid_claim(second, tuple(settled(line, 9000) for line in second.lines)),),
                               trace="EFT3"),
                    provider_adjustments=(ProviderAdjustment("WO", paid.payer_claim_number, Money(18000)),))
    post_era_file(database, write(tmp_path / "3.835", (later,), interchange=3))

    assert overpayment_queue(database) == []
    totals = balances(world)
    assert totals[PAYER_CREDIT] == Money(0) and totals.get(PROVIDER_ADJUSTMENT, Money(0)) == Money(0)
    assert totals[CASH] == Money(3 * 18000 - 18000)
    assert check_ledger(database).clean


def test_a_reversal_after_the_patient_paid_leaves_a_patient_credit_to_refund(database: Database,
                                                                             tmp_path: Path) -> None:
    world = submitted_claims(database, [[("11102", (), 15000)]])
    claim = world.claims[0]
    paid = paid_claim(claim, (settled(claim.lines[0], 9000, patient=(("2", 1800),)),))
    post_era_file(database, write(tmp_path / "1.835", (remittance((paid,), trace="EFT1"),)))
    post_patient_payment(database, world.practice_id, claim.id, Money(1800), "RCPT1")
    post_era_file(database, write(tmp_path / "2.835", (remittance((reversal(paid),), trace="EFT2"),),
                                  interchange=2))

    line = balances(world, claim_line_id=claim.lines[0].id)
    assert line[PATIENT_AR] == Money(0) and line[INSURANCE_AR] == Money(15000)
    [credit] = patient_credit_queue(database)
    assert credit.amount == Money(1800) and credit.patient == "DOE, JANE"
    assert check_ledger(database).clean

    refund_patient_credit(database, credit.practice, credit.account_number, "CHK77", actor="test", today=TODAY)
    assert patient_credit_queue(database) == []
    assert balances(world)[PATIENT_CREDIT] == Money(0)
    assert check_ledger(database).clean


@pytest.mark.parametrize(("reason", "account"), [("44", CONTRACTUAL), ("104", CONTRACTUAL), ("222", CONTRACTUAL),
                                                 ("P24", DENIED_AR), ("97", DENIED_AR)])
def test_a_co_adjustment_posts_where_the_denial_code_table_puts_its_carc(database: Database, tmp_path: Path,
                                                                         reason: str, account: str) -> None:
    world = submitted_claims(database, [[("11102", (), 15000)]])
    claim = world.claims[0]
    line = claim.lines[0]
    answer = PaidLine(line.code, (), line.charge, 1, settled(line, 1).date_of_service,
                      (Adjusted("CO", reason, Money(5000)),), control_number=line.control)
    post_era_file(database, write(tmp_path / "era.835", (remittance((paid_claim(claim, (answer,)),)),)))

    assert balances(world, claim_line_id=line.id)[account] == Money(5000)


def test_ledger_check_names_a_negative_insurance_or_patient_balance(database: Database) -> None:
    world = submitted_claims(database, [TWO_LINES])
    claim = world.claims[0]
    line = claim.lines[1]
    with UnitOfWork(database, actor="test") as uow:
        repo = uow.practice(world.practice_id)
        dims = {"claim_id": claim.id, "claim_line_id": line.id}
        repo.post(JournalEntry(TODAY, "planted", (Posting(CASH, Money(20000), **dims),
                                                  Posting(INSURANCE_AR, Money(-20000), **dims))))
        repo.post(JournalEntry(TODAY, "planted too", (Posting(CASH, Money(500), **dims),
                                                      Posting(PATIENT_AR, Money(-500), **dims))))
        uow.commit()

    report = check_ledger(database)
    assert not report.clean
    assert any(f"claim {claim.pcn} line 2" in v and "insurance balance is -80.00" in v for v in report.violations)
    assert any(f"claim {claim.pcn} line 2" in v and "patient balance is -5.00" in v for v in report.violations)
