"""Patient statements (issue 16), first part: the statement plan of a run day, read from the ledger.

For each patient with a patient balance (posting account 1200, by claim) or a patient credit (2100), the account is
built as ``core.statements`` takes it: one visit per claim (its date of service and what the patient owes on it),
whether a payer still owes on that claim (insurance A/R, 1100, or denied A/R being worked, 1150, not zero), and
the unapplied credit. ``core.statements.statement_decision`` then says who is billed and why not. The amounts are
the ledger's, to the cent: a statement never shows a figure the ledger does not hold.

The patient is the guarantor until guarantors are kept apart. No statement history is kept yet, so every balance
ages from today (``first_billed`` is None) and no guarantor counts as billed this cycle: that comes with the
statement run that records what it sent.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from dermbill.core.errors import NotFound
from dermbill.core.ledger import DENIED_AR, INSURANCE_AR, PATIENT_AR, PATIENT_CREDIT
from dermbill.core.money import Money
from dermbill.core.statements import Account, Policy, StatementDecision, Step, Visit, aging, statement_decision
from dermbill.db.engine import Database
from dermbill.db.models import (
    ClaimRow,
    LedgerAccountRow,
    PatientRow,
    PostingRow,
    PracticeRow,
    StatementPolicyRow,
)
from dermbill.db.repositories import UnitOfWork

_ACCOUNTS = (PATIENT_AR, PATIENT_CREDIT, INSURANCE_AR, DENIED_AR)


def load_policy(uow: UnitOfWork, practice_id: int) -> Policy:
    """The practice's statement policy (``statement_policy``), or the defaults when it has set none."""
    row = uow.session.scalars(select(StatementPolicyRow).where(StatementPolicyRow.practice_id == practice_id)).first()
    if row is None:
        return Policy()
    return Policy(minimum_balance=Money(row.minimum_balance_cents), due_days=row.due_days,
                  reminder_days=row.reminder_days, past_due_days=row.past_due_days,
                  final_notice_days=row.final_notice_days, agency_days=row.agency_days,
                  small_balance=Money(row.small_balance_cents), cycle_billing=row.cycle_billing,
                  wording={Step(step): words for step, words in (row.wording or {}).items()})


@dataclass(frozen=True, slots=True)
class PlannedStatement:
    practice: str
    account_number: str
    patient_name: str
    decision: StatementDecision
    visits: tuple[Visit, ...]
    credit: Money
    aging: dict[str, Money]

    def to_json(self) -> dict[str, Any]:
        return {"practice": self.practice, "account_number": self.account_number, "patient": self.patient_name,
                "send": self.decision.send, "reason": self.decision.reason,
                "amount": self.decision.amount.plain(),
                "due_on": self.decision.due_on.isoformat() if self.decision.due_on else None,
                "credit": self.credit.plain(),
                "visits": [{"date_of_service": v.date_of_service.isoformat(),
                            "patient_owes": v.patient_balance.plain(), "payer_pending": v.payer_pending}
                           for v in self.visits],
                "aging": {bucket: amount.plain() for bucket, amount in self.aging.items()}}


def plan_statements(database: Database, practice_ids: Collection[int] | None, day: datetime.date, *,
                    practices: Collection[str] | None = None, policy: Policy | None = None,
                    cycle_billing: bool = True, actor: str = "statements") -> list[PlannedStatement]:
    """Every patient of these practices (ids; None: every practice, or those whose codes ``practices`` names) with
    a patient balance or credit, and whether a statement goes out on ``day`` (and why not). Reading the balances
    is audited per practice."""
    chosen = policy or Policy()
    planned: list[PlannedStatement] = []
    with UnitOfWork(database, actor=actor) as uow:
        query = select(PracticeRow).order_by(PracticeRow.code)
        if practice_ids is not None:
            query = query.where(PracticeRow.id.in_(set(practice_ids)))
        if practices is not None:
            query = query.where(PracticeRow.code.in_(set(practices)))
        chosen_practices = list(uow.session.scalars(query))
        if practices is not None:
            missing = sorted(set(practices) - {p.code for p in chosen_practices})
            if missing:
                raise NotFound(f"no practice {', '.join(missing)}")
        for practice in chosen_practices:
            planned += _plan_practice(uow, practice, day, chosen, cycle_billing)
        if chosen_practices:
            uow.audit_practices("statements.planned", "patient", [p.id for p in chosen_practices],
                                detail={"day": day.isoformat(), "guarantors": len(planned),
                                        "to_send": sum(p.decision.send for p in planned)})
        uow.commit()
    return planned


def _plan_practice(uow: UnitOfWork, practice: PracticeRow, day: datetime.date, policy: Policy,
                   cycle_billing: bool) -> list[PlannedStatement]:
    sums = uow.session.execute(
        select(PostingRow.patient_id, PostingRow.claim_id, LedgerAccountRow.code, func.sum(PostingRow.amount_cents))
        .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
        .where(PostingRow.practice_id == practice.id, LedgerAccountRow.practice_id == practice.id,
               LedgerAccountRow.code.in_(_ACCOUNTS))
        .group_by(PostingRow.patient_id, PostingRow.claim_id, LedgerAccountRow.code))
    by_claim: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    credit: dict[int, int] = defaultdict(int)
    for patient_id, claim_id, code, cents in sums:
        if code == PATIENT_CREDIT and patient_id is not None:
            credit[patient_id] += -int(cents)  # a liability: credits are negative postings
        elif claim_id is not None:
            by_claim[claim_id][code] += int(cents)
    claims = {c.id: c for c in uow.session.scalars(select(ClaimRow).where(
        ClaimRow.practice_id == practice.id, ClaimRow.id.in_(list(by_claim))))} if by_claim else {}
    visits: dict[int, list[Visit]] = defaultdict(list)
    for claim_id, codes in by_claim.items():
        claim = claims.get(claim_id)
        if claim is None or not (codes[PATIENT_AR] or codes[INSURANCE_AR] or codes[DENIED_AR]):
            continue  # settled: nobody owes anything on it
        visits[claim.patient_id].append(Visit(claim.date_of_service, Money(codes[PATIENT_AR]),
                                              payer_pending=bool(codes[INSURANCE_AR] or codes[DENIED_AR])))
    people = [p for p in set(visits) | set(credit)
              if any(v.patient_balance.cents for v in visits.get(p, [])) or credit.get(p)]
    patients = {p.id: p for p in uow.session.scalars(select(PatientRow).where(
        PatientRow.practice_id == practice.id, PatientRow.id.in_(people)))} if people else {}
    planned = []
    for patient_id in sorted(patients, key=lambda i: patients[i].account_number):
        patient = patients[patient_id]
        own = tuple(sorted(visits.get(patient_id, []), key=lambda v: v.date_of_service))
        account = Account(patient.account_number, own, credit=Money(credit.get(patient_id, 0)))
        planned.append(PlannedStatement(
            practice.code, patient.account_number, f"{patient.last_name}, {patient.first_name}",
            statement_decision(account, day, policy, cycle_billing=cycle_billing), own, account.credit,
            aging(own, day)))
    return planned
