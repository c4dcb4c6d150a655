"""The demo's patient statements: one statement cycle and one dunning step, for the demo's first practice.

After the revenue cycle every demo practice sets its statement policy (its billing phone and pay-online address;
guarantors billed on any run day rather than spread over the month, as a small practice does). The first practice
then shows a month of statements:
- its statement cycle, a month before the demo's day (``as_of`` less ``CYCLE_DAYS_AGO``): a first statement to each
  guarantor whose visits no payer still owes on;
- a few of them pay after it (cash, check and card, at the front desk);
- on the demo's day the next run is the cadence's first step: a friendly reminder to each guarantor still owing.
After each run the e-mail notices are written to the demo's mail pickup folder (``mail/``: no mail server is needed),
the demo's mail system reports one address in ``BOUNCE_SHARE`` as bounced (those statements go to print), and the
print batch is written (``statements/``: a PDF and its CSV manifest).
The other practices are left for the daily statement job: ``dermbill statements run --dry-run`` lists them.

The ledger of the demo is posted on the demo's day (its claims were paid "today"), so the first cycle's statements
show the balances as they stand on the demo's day; nothing is dated after ``as_of``.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from dermbill.core.money import Money, total
from dermbill.db.engine import Database
from dermbill.db.models import PracticeRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.demo_cycle import demo_time
from dermbill.services.patient_balances import post_guarantor_payment
from dermbill.services.statement_mail import deliver_statement_emails, mark_bounced
from dermbill.services.statement_printing import print_statements
from dermbill.services.statements import StatementRun, run_statements, statement_policy
from dermbill.settings import SmtpSettings

MAIL = "mail"  # the demo's mail pickup folder (under its output folder): the notices as .eml files
PRINTED = "statements"  # its print batches
PUBLIC_URL = "http://127.0.0.1:8000"  # the statement page of `make demo`'s server
CYCLE_DAYS_AGO = 30  # the first statement cycle: this many days before the demo's day (the reminder's days)
PAYERS_SHARE = 5  # one guarantor in this many pays after the first statement
BOUNCE_SHARE = 8  # one e-mail notice in this many bounces (the address is no longer in use)


@dataclass(slots=True)
class Delivered:
    """How one run's statements went out."""

    emailed: int = 0
    bounced: int = 0
    printed: int = 0
    batches: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"emailed": self.emailed, "bounced_to_print": self.bounced, "printed": self.printed,
                "print_batches": self.batches}


@dataclass(slots=True)
class StatementsSummary:
    practice: str = ""
    first_day: datetime.date | None = None
    first: StatementRun | None = None
    paid_after: list[tuple[str, Money]] = field(default_factory=list)
    dunning: StatementRun | None = None
    delivered: list[Delivered] = field(default_factory=list)  # of the first run, then of the dunning step

    def to_json(self) -> dict[str, Any]:
        def run(r: StatementRun | None) -> dict[str, Any] | None:
            if r is None:
                return None
            summary = r.to_json()
            return {"day": summary["day"], "statements": summary["statements_count"], "amount": summary["amount"],
                    "by_delivery": summary["by_delivery"],
                    "by_step": {step: sum(s.planned.step.value == step for s in r.statements)
                                for step in sorted({s.planned.step.value for s in r.statements})}}

        return {"practice": self.practice, "statement_cycle": run(self.first),
                "paid_after_statement": [{"account": a, "amount": m.plain()} for a, m in self.paid_after],
                "dunning_step": run(self.dunning), "delivered": [d.to_json() for d in self.delivered]}

    def lines(self) -> list[str]:
        if self.first is None or self.dunning is None:
            return []
        reminders = sum(s.planned.step.value == "reminder" for s in self.dunning.statements)
        words = [f"{d.emailed} e-mailed, {d.bounced} bounced to print, {d.printed} printed "
                 f"({', '.join(d.batches) or 'no print batch'})" for d in self.delivered]
        return [f"Statements ({self.practice}): {len(self.first.statements)} first statements on "
                f"{self.first.day.isoformat()} for ${self.first.amount} ({words[0] if words else 'not sent'}); "
                f"{len(self.paid_after)} guarantors paid ${total([m for _, m in self.paid_after])} after them; on "
                f"{self.dunning.day.isoformat()} {len(self.dunning.statements)} statements for "
                f"${self.dunning.amount}, {reminders} of them friendly reminders "
                f"({words[1] if len(words) > 1 else 'not sent'}). "
                "dermbill statements run --dry-run lists the other practices' guarantors."]


def run_demo_statements(database: Database, out_dir: Path, *, as_of: datetime.date,
                        seed: int) -> StatementsSummary:
    """Set the demo practices' statement policy; for the first practice, a statement cycle a month ago, some
    payments after it, and the dunning step of the demo's day."""
    with UnitOfWork(database, actor="demo") as uow:
        practices = uow.session.execute(select(PracticeRow.id, PracticeRow.code, PracticeRow.phone)
                                        .order_by(PracticeRow.code)).all()
    for _, code, phone in practices:
        statement_policy(database, code, {"cycle_billing": False, "billing_phone": phone or "(555) 010-0100",
                                          "pay_url": f"https://pay.example.com/{code.lower()}"},
                         actor="demo", now=demo_time(as_of))
    summary = StatementsSummary()
    if not practices:
        return summary
    first_id, summary.practice, _ = practices[0]
    summary.first_day = as_of - datetime.timedelta(days=CYCLE_DAYS_AGO)
    summary.first = run_statements(database, summary.first_day, practices=[summary.practice], actor="demo",
                                   now=demo_time(summary.first_day))
    summary.delivered.append(_deliver(database, out_dir, summary.first_day, seed))
    summary.paid_after = _pay_some(database, first_id, summary.first, as_of, seed)
    summary.dunning = run_statements(database, as_of, practices=[summary.practice], actor="demo",
                                     now=demo_time(as_of))
    summary.delivered.append(_deliver(database, out_dir, as_of, seed))
    return summary


def _deliver(database: Database, out_dir: Path, day: datetime.date, seed: int) -> Delivered:
    """The day's e-mail notices into the demo's pickup folder, a share of them bounced, and the print batch."""
    moment = demo_time(day)
    smtp = SmtpSettings(host="", sender="statements@billing.example.com", pickup_dir=str(out_dir / MAIL))
    report = deliver_statement_emails(database, smtp, None, now=moment, base_url=PUBLIC_URL, actor="demo")
    rng = random.Random(seed + day.toordinal())
    bounced = [code for code in report.sent if rng.randrange(BOUNCE_SHARE) == 0]
    if bounced:
        mark_bounced(database, bounced, now=moment, actor="demo")
    batches = print_statements(database, out_dir / PRINTED, actor="demo", now=moment)
    return Delivered(len(report.sent) - len(bounced), len(bounced), sum(b.statements for b in batches),
                     [f"{PRINTED}/{b.pdf.name}" for b in batches])


def _pay_some(database: Database, practice_id: int, run: StatementRun, as_of: datetime.date,
              seed: int) -> list[tuple[str, Money]]:
    """One guarantor in ``PAYERS_SHARE`` pays the whole balance of the first statement, the rest nothing yet."""
    rng = random.Random(seed)
    paying = [s for s in run.statements if rng.randrange(PAYERS_SHARE) == 0]
    paid: list[tuple[str, Money]] = []
    for index, sent in enumerate(paying):
        amount = sent.planned.decision.amount
        day = as_of - datetime.timedelta(days=rng.randrange(3, CYCLE_DAYS_AGO - 5))
        _pay(database, practice_id, sent.planned.account_number, amount, f"DEMO-STMT-{index + 1:04d}", day)
        paid.append((sent.planned.account_number, amount))
    return paid


def _pay(database: Database, practice_id: int, account_number: str, amount: Money, reference: str,
         day: datetime.date) -> None:
    """A guarantor's payment of a statement's balance at the front desk (oldest visit first)."""
    method = ("cash", "check", "card")[sum(map(ord, reference)) % 3]
    post_guarantor_payment(database, practice_id, account_number, amount, method, reference, actor="demo",
                           now=demo_time(day))
