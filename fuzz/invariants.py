"""What must hold in the scratch database after any sequence of ``era post`` calls.

- ``ledger check`` is clean (``services.ledger_check.check_ledger``);
- no payment is posted twice: one posted remittance per practice, payer and trace number (TRN02), whatever
  else in the file differs;
- every dollar of BPR02 lands in the ledger: the cash (account 1000) the run added equals the payments
  (BPR02) of the remittances it posted. Measured from the database as the demo left it, since the demo's
  check-in copays are cash too.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, text

from dermbill.core.ledger import CASH
from dermbill.core.money import Money
from dermbill.db.engine import Database
from dermbill.db.models import LedgerAccountRow, PostingRow, RemittanceRow
from dermbill.services.ledger_check import check_ledger

EXAMPLES = 3  # violations quoted per invariant


@dataclass(frozen=True, slots=True)
class InvariantResult:
    name: str
    held: bool
    detail: str  # figures, and a few examples when it broke


@dataclass(frozen=True, slots=True)
class Baseline:
    cash_cents: int
    payments_cents: int
    remittances: int


def _cash_cents(database: Database) -> int:
    with database.engine.connect() as connection:
        return int(connection.execute(
            select(func.coalesce(func.sum(PostingRow.amount_cents), 0))
            .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
            .where(LedgerAccountRow.code == CASH)).scalar_one())


def _posted(database: Database) -> tuple[int, int]:
    """Posted remittances: their number and the sum of their payments (BPR02)."""
    with database.engine.connect() as connection:
        count, total = connection.execute(
            select(func.count(), func.coalesce(func.sum(RemittanceRow.payment_cents), 0))
            .where(RemittanceRow.status == "posted")).one()
    return int(count), int(total)


def baseline(database: Database) -> Baseline:
    count, total = _posted(database)
    return Baseline(_cash_cents(database), total, count)


def ledger_clean(database: Database) -> InvariantResult:
    report = check_ledger(database)
    detail = f"{report.entries} entries, {report.postings} postings, {report.lines_checked} claim lines, " \
             f"{len(report.violations)} violations"
    if report.violations:
        detail += ": " + "; ".join(report.violations[:EXAMPLES])
    return InvariantResult("ledger check clean", report.clean, detail)


def posted_once(database: Database) -> InvariantResult:
    with database.engine.connect() as connection:
        twice = connection.execute(text(
            "SELECT practice_id, payer_identifier, trace_number, COUNT(*) FROM remittance WHERE status = 'posted' "
            "GROUP BY practice_id, payer_identifier, trace_number HAVING COUNT(*) > 1 "
            "ORDER BY COUNT(*) DESC, payer_identifier, trace_number")).all()
    posted = sum(int(row[3]) for row in twice)
    detail = f"{len(twice)} payments (practice, payer, TRN02) posted more than once, {posted} postings of them"
    if twice:
        detail += ": " + ", ".join(f"{payer} {trace!r} x{count}" for _, payer, trace, count in twice[:EXAMPLES])
    return InvariantResult("no payment posted twice", not twice, detail)


def cash_is_payments(database: Database, before: Baseline) -> InvariantResult:
    count, total = _posted(database)
    cash = _cash_cents(database) - before.cash_cents
    payments = total - before.payments_cents
    detail = f"cash +{Money(cash)} against BPR02 +{Money(payments)} of {count - before.remittances} " \
             f"remittances posted (difference {Money(payments - cash)})"
    return InvariantResult("cash equals BPR02 posted", cash == payments, detail)


def check_invariants(database: Database, before: Baseline) -> list[InvariantResult]:
    return [ledger_clean(database), posted_once(database), cash_is_payments(database, before)]
