"""A guarantor's balance across visits (issue 16): payments applied oldest visit first, and payment plans.

- ``post_guarantor_payment``: cash, a check or a card payment (only the card terminal's reference: a card number
  is refused) applied to what the patient owes on every visit, oldest date of service first and line by line
  (``core.patient_balances.allocate_oldest_first``), the rest a patient credit (2100). A reference posts once: the
  same reference again returns what the first posting did (the same receipt), and with another amount is refused.
  Payments count toward the installments of the guarantor's active plan, in due order.
- Payment plans: ``create_payment_plan`` splits the guarantor's balance into monthly installments;
  ``missed_installment_follow_up`` lists the installments unpaid ``grace_days`` (10 unless told) after they fell
  due, and breaks a plan at its second missed one; ``cancel_payment_plan`` ends one.
- Holds: ``active_plan_patient_ids`` (``Hold.PAYMENT_PLAN``: an account on an active plan) and
  ``hardship_review_patient_ids`` (``Hold.HARDSHIP_REVIEW``: a hardship request awaiting its decision) say whose
  statement cadence stops; ``balance_holds`` gives both in the shape of the statement run's hold sources.

The patient is the guarantor until guarantors are kept apart (as in ``services.statements``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dermbill.core.check_in import looks_like_card_number
from dermbill.core.errors import InvalidInput, NotFound
from dermbill.core.ledger import CASH, PATIENT_AR, PATIENT_CREDIT, JournalEntry, Posting
from dermbill.core.money import Money
from dermbill.core.patient_balances import (
    MISSED_GRACE_DAYS,
    Installment,
    OpenLine,
    allocate_oldest_first,
    count_toward_installments,
    installment_amounts,
    installment_dates,
    missed_installments,
    plan_is_broken,
)
from dermbill.core.statements import Hold
from dermbill.db.engine import Database
from dermbill.db.models import (
    PAYMENT_METHODS,
    ClaimLineRow,
    ClaimRow,
    JournalEntryRow,
    LedgerAccountRow,
    PatientAdjustmentRequestRow,
    PatientRow,
    PaymentPlanInstallmentRow,
    PaymentPlanRow,
    PostingRow,
    PracticeRow,
)
from dermbill.db.repositories import PracticeRepository, UnitOfWork, utc_now
from dermbill.pdf.front_desk import PaymentReceipt, ReceiptLine
from dermbill.services.check_in import _practice_party, payment_reference_problem

# --- reading balances ---------------------------------------------------------------------------------------------


def practice_id_for(database: Database, code: str) -> int:
    """The id of the practice with code ``code`` (NotFound in words otherwise)."""
    with UnitOfWork(database, actor="balances") as uow:
        ids = list(uow.session.scalars(select(PracticeRow.id).where(PracticeRow.code == code.strip())))
    if len(ids) != 1:
        raise NotFound(f"practice '{code}' not found" if not ids else f"practice code '{code}' names several "
                                                                      "practices")
    return ids[0]


def patient_by_account(repo: PracticeRepository, account_number: str, *, lock: bool = False) -> PatientRow:
    """The practice's patient with this account number. ``lock``: the row is locked until the unit of work ends
    (PostgreSQL), so that two payments, plans or adjustments of one guarantor never read the same open balances
    at once and both apply to them."""
    query = select(PatientRow).where(PatientRow.practice_id == repo.practice_id,
                                     PatientRow.account_number == account_number.strip())
    patient = repo.session.scalars(query.with_for_update() if lock else query).first()
    if patient is None:
        raise NotFound(f"no patient with account number '{account_number}' in practice {repo.practice.code}")
    return patient


def open_lines(repo: PracticeRepository, patient_id: int) -> list[OpenLine]:
    """What the patient owes (patient A/R, 1200) on each claim line with a balance above zero, with the visit's
    date of service: the lines a payment or an adjustment is spread over."""
    rows = repo.session.execute(
        select(PostingRow.claim_id, PostingRow.claim_line_id, func.sum(PostingRow.amount_cents))
        .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
        .where(PostingRow.practice_id == repo.practice_id, PostingRow.patient_id == patient_id,
               LedgerAccountRow.code == PATIENT_AR, PostingRow.claim_line_id.is_not(None))
        .group_by(PostingRow.claim_id, PostingRow.claim_line_id)
        .having(func.sum(PostingRow.amount_cents) > 0)).all()
    if not rows:
        return []
    claims = {c.id: c for c in repo.rows(ClaimRow, ClaimRow.id.in_({claim_id for claim_id, _, _ in rows}))}
    lines = {line.id: line for line in repo.rows(ClaimLineRow, ClaimLineRow.id.in_({i for _, i, _ in rows}))}
    return [OpenLine(claim_id, line_id, claims[claim_id].date_of_service, lines[line_id].line_number,
                     Money(int(cents))) for claim_id, line_id, cents in rows
            if claim_id is not None and line_id is not None]


def patient_balance(repo: PracticeRepository, patient_id: int) -> Money:
    """What the guarantor owes in all: patient A/R (1200) less any unapplied credit (2100)."""
    sums = repo.balances(PostingRow.patient_id == patient_id)
    return sums.get(PATIENT_AR, Money.zero()) + sums.get(PATIENT_CREDIT, Money.zero())


# --- payments -----------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class AppliedPart:
    claim: str  # our claim number
    date_of_service: datetime.date
    line_number: int
    procedure_code: str
    amount: Money

    def to_json(self) -> dict[str, Any]:
        return {"claim": self.claim, "date_of_service": self.date_of_service.isoformat(), "line": self.line_number,
                "procedure_code": self.procedure_code, "amount": self.amount.plain()}


@dataclass(frozen=True, slots=True)
class GuarantorPayment:
    entry_id: int
    posted: bool  # False when this reference was posted before (nothing more was posted)
    account_number: str
    method: str
    reference: str
    amount: Money
    applied: tuple[AppliedPart, ...]
    credit: Money
    receipt: PaymentReceipt

    def to_json(self) -> dict[str, Any]:
        return {"entry_id": self.entry_id, "posted": self.posted, "account_number": self.account_number,
                "method": self.method, "reference": self.reference, "amount": self.amount.plain(),
                "applied": [part.to_json() for part in self.applied], "credit": self.credit.plain()}


def post_guarantor_payment(database: Database, practice_id: int, account_number: str, amount: Money, method: str,
                           reference: str, *, actor: str, now: datetime.datetime | None = None) -> GuarantorPayment:
    """A payment from the guarantor, applied to the patient's open balances oldest date of service first, line by
    line; the rest a credit (2100). Posted once per reference; counted toward the installments of an active plan."""
    if amount.cents <= 0:
        raise InvalidInput(f"a patient payment must be more than zero (got {amount})")
    if method not in PAYMENT_METHODS:
        raise InvalidInput(f"method '{method}' is not a payment method (one of {', '.join(PAYMENT_METHODS)})")
    problem = payment_reference_problem(method, reference)
    if problem is not None:
        raise InvalidInput(f"reference: {problem}")
    reference = reference.strip()
    moment = now or utc_now()
    with UnitOfWork(database, actor=actor, clock=lambda: moment) as uow:
        repo = uow.practice(practice_id)
        repo.open_standard_chart()
        patient = patient_by_account(repo, account_number, lock=True)
        allocation = allocate_oldest_first(amount, open_lines(repo, patient.id))
        postings: list[Posting] = []
        for line, part in allocation.parts:  # cash and the patient balance both name the line: its sum holds
            dims = {"patient_id": patient.id, "claim_id": line.claim_id, "claim_line_id": line.claim_line_id}
            postings += [Posting(CASH, part, **dims), Posting(PATIENT_AR, -part, **dims)]
        if allocation.left_over.cents:
            postings += [Posting(CASH, allocation.left_over, patient_id=patient.id),
                         Posting(PATIENT_CREDIT, -allocation.left_over, patient_id=patient.id)]
        entry_id, posted = repo.post(JournalEntry(
            moment.date(), f"patient payment {reference} ({method}) from account {patient.account_number}",
            tuple(postings), idempotency_key=f"guarantor-payment:{patient.id}:{reference}",
            kind="patient_payment"))
        if posted:
            count_toward_plan(repo, patient.id, allocation.applied, moment)
            repo.audit("patient_payment.posted", "patient", patient.id,
                       {"reference": reference, "method": method, "amount": str(amount), "entry": entry_id,
                        "applied": str(allocation.applied), "credit": str(allocation.left_over)})
        payment = _payment_of_entry(repo, patient, entry_id, posted, method, reference)
        if payment.amount != amount:
            raise InvalidInput(f"reference {reference} was posted before for {payment.amount} (journal entry "
                               f"{entry_id}); a different payment needs its own reference")
        uow.commit()
    return payment


def _payment_of_entry(repo: PracticeRepository, patient: PatientRow, entry_id: int, posted: bool, method: str,
                      reference: str) -> GuarantorPayment:
    """The payment as its journal entry holds it: a reference posted before shows what it did then, when and by
    whom."""
    entry = repo.load_entry(entry_id)
    stored = repo.get(JournalEntryRow, entry_id)
    cash = [p for p in entry.postings if p.account_code == CASH]
    claim_ids = {p.claim_id for p in cash if p.claim_id is not None}
    line_ids = {p.claim_line_id for p in cash if p.claim_line_id is not None}
    claims = {c.id: c for c in repo.rows(ClaimRow, ClaimRow.id.in_(claim_ids))} if claim_ids else {}
    lines = {c.id: c for c in repo.rows(ClaimLineRow, ClaimLineRow.id.in_(line_ids))} if line_ids else {}
    applied = tuple(AppliedPart(claims[p.claim_id].patient_control_number, claims[p.claim_id].date_of_service,
                                lines[p.claim_line_id].line_number, lines[p.claim_line_id].procedure_code, p.amount)
                    for p in cash if p.claim_id is not None and p.claim_line_id is not None)
    credit = Money(sum(p.amount.cents for p in cash if p.claim_line_id is None))
    amount = Money(sum(p.amount.cents for p in cash))
    receipt = PaymentReceipt(
        practice=_practice_party(repo.practice), receipt_number=f"PP{entry_id}",
        patient_name=f"{patient.first_name} {patient.last_name}", patient_account=patient.account_number,
        received_on=stored.created_at, method=method, reference=reference, amount=amount,
        lines=tuple(ReceiptLine(part.date_of_service, f"{part.claim} line {part.line_number} ({part.procedure_code})",
                                part.amount) for part in applied),
        credit=credit, received_by=stored.created_by)
    return GuarantorPayment(entry_id, posted, patient.account_number, method, reference, amount, applied, credit,
                            receipt)


# --- payment plans ------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PlanView:
    id: int
    practice: str
    account_number: str
    patient: str
    status: str
    total: Money
    autopay_reference: str | None
    installments: tuple[tuple[Installment, str], ...]  # each with its status: due, paid, missed

    @property
    def paid(self) -> Money:
        return Money(sum(i.paid.cents for i, _ in self.installments))

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "practice": self.practice, "account_number": self.account_number,
                "patient": self.patient, "status": self.status, "total": self.total.plain(),
                "paid": self.paid.plain(), "autopay_reference": self.autopay_reference,
                "installments": [{"number": i.number, "due_on": i.due_on.isoformat(), "amount": i.amount.plain(),
                                  "paid": i.paid.plain(), "status": status} for i, status in self.installments]}


def create_payment_plan(database: Database, practice_id: int, account_number: str, installments: int,
                        first_due_on: datetime.date, *, autopay_reference: str | None = None, actor: str,
                        now: datetime.datetime | None = None) -> PlanView:
    """A plan for the guarantor's whole balance: ``installments`` monthly amounts from ``first_due_on`` summing
    exactly to it. One active plan per guarantor."""
    token = (autopay_reference or "").strip() or None
    if token is not None and (looks_like_card_number(token) or len(token) > 80):
        raise InvalidInput("autopay reference: give the card terminal's or processor's token for the stored "
                           "payment method (at most 80 characters), never a card number")
    moment = now or utc_now()
    with UnitOfWork(database, actor=actor, clock=lambda: moment) as uow:
        repo = uow.practice(practice_id)
        patient = patient_by_account(repo, account_number, lock=True)
        if repo.rows(PaymentPlanRow, PaymentPlanRow.patient_id == patient.id, PaymentPlanRow.status == "active"):
            raise InvalidInput(f"account {patient.account_number} already has an active payment plan "
                               "(`dermbill balances plan list`)")
        balance = patient_balance(repo, patient.id)
        amounts = installment_amounts(balance, installments)
        dates = installment_dates(first_due_on, installments)
        plan = repo.add(PaymentPlanRow(patient_id=patient.id, total_cents=balance.cents,
                                       installment_count=installments, first_due_on=first_due_on,
                                       autopay_reference=token, status="active", created_by=actor,
                                       created_at=moment))
        repo.flush()
        repo.add_all(PaymentPlanInstallmentRow(plan_id=plan.id, number=number, due_on=due_on,
                                               amount_cents=amount.cents, paid_cents=0, status="due")
                     for number, (due_on, amount) in enumerate(zip(dates, amounts, strict=True), start=1))
        repo.flush()
        repo.audit("payment_plan.created", "payment_plan", plan.id,
                   {"account": patient.account_number, "total": str(balance), "installments": installments,
                    "first_due_on": first_due_on.isoformat(), "autopay": token is not None})
        view = _plan_views(repo, [plan])[0]
        uow.commit()
    return view


def cancel_payment_plan(database: Database, practice_id: int, plan_id: int, *, reason: str, actor: str,
                        now: datetime.datetime | None = None) -> PlanView:
    """End an active plan at the patient's or the practice's wish (the reason is kept): its hold on the statement
    cadence lifts; what was paid stays paid."""
    words = " ".join(reason.split())
    if not words:
        raise InvalidInput("say why the plan is cancelled (--reason)")
    moment = now or utc_now()
    with UnitOfWork(database, actor=actor, clock=lambda: moment) as uow:
        repo = uow.practice(practice_id)
        plan = repo.get(PaymentPlanRow, plan_id)
        if plan.status != "active":
            raise InvalidInput(f"payment plan {plan_id} is already {plan.status}; only an active plan can be "
                               "cancelled")
        plan.status, plan.ended_on, plan.end_reason = "cancelled", moment.date(), words[:200]
        repo.audit("payment_plan.cancelled", "payment_plan", plan.id, {"reason": words[:200]})
        view = _plan_views(repo, [plan])[0]
        uow.commit()
    return view


def list_payment_plans(database: Database, practice_id: int, *, status: str | None = "active",
                       actor: str) -> list[PlanView]:
    """The practice's payment plans (of ``status``; None: all), by account number. The read is audited."""
    with UnitOfWork(database, actor=actor) as uow:
        repo = uow.practice(practice_id)
        plans = repo.rows(PaymentPlanRow, *(() if status is None else (PaymentPlanRow.status == status,)))
        views = sorted(_plan_views(repo, plans), key=lambda v: (v.account_number, v.id))
        uow.audit_practices("payment_plan.listed", "payment_plan", [practice_id],
                            detail={"status": status, "plans": len(views)})
        uow.commit()
    return views


def _plan_views(repo: PracticeRepository, plans: list[PaymentPlanRow]) -> list[PlanView]:
    if not plans:
        return []
    patients = {p.id: p for p in repo.rows(PatientRow, PatientRow.id.in_({plan.patient_id for plan in plans}))}
    installments: dict[int, list[PaymentPlanInstallmentRow]] = defaultdict(list)
    for row in repo.rows(PaymentPlanInstallmentRow, PaymentPlanInstallmentRow.plan_id.in_([p.id for p in plans]),
                         order_by=PaymentPlanInstallmentRow.number):
        installments[row.plan_id].append(row)
    return [PlanView(plan.id, repo.practice.code, patients[plan.patient_id].account_number,
                     f"{patients[plan.patient_id].last_name}, {patients[plan.patient_id].first_name}", plan.status,
                     Money(plan.total_cents), plan.autopay_reference,
                     tuple((_installment(row), row.status) for row in installments[plan.id])) for plan in plans]


def _installment(row: PaymentPlanInstallmentRow) -> Installment:
    return Installment(row.number, row.due_on, Money(row.amount_cents), Money(row.paid_cents))


def count_toward_plan(repo: PracticeRepository, patient_id: int, paid: Money, moment: datetime.datetime) -> None:
    """A payment counted toward the guarantor's active plan, installments in due order; the plan is completed once
    every installment is paid or nothing is owed any more (after a write-off too: ``paid`` zero)."""
    plan = next(iter(repo.rows(PaymentPlanRow, PaymentPlanRow.patient_id == patient_id,
                               PaymentPlanRow.status == "active")), None)
    if plan is None:
        return
    rows = {row.number: row for row in repo.rows(PaymentPlanInstallmentRow,
                                                PaymentPlanInstallmentRow.plan_id == plan.id)}
    if paid.cents:
        counted, _ = count_toward_installments(paid, [_installment(row) for row in rows.values()])
        for installment in counted:
            row = rows[installment.number]
            row.paid_cents = installment.paid.cents
            if installment.is_paid:
                row.status = "paid"
    repo.flush()
    if all(row.status == "paid" for row in rows.values()) or patient_balance(repo, patient_id).cents <= 0:
        plan.status, plan.ended_on, plan.end_reason = "completed", moment.date(), "the balance is paid"
        repo.audit("payment_plan.completed", "payment_plan", plan.id, {"paid": str(paid)})


@dataclass(frozen=True, slots=True)
class MissedInstallment:
    plan_id: int
    account_number: str
    patient: str
    phone: str | None
    number: int
    due_on: datetime.date
    open: Money
    days_late: int
    plan_broken: bool  # this plan now has too many missed installments: the statement cadence resumes

    def to_json(self) -> dict[str, Any]:
        return {"plan_id": self.plan_id, "account_number": self.account_number, "patient": self.patient,
                "phone": self.phone, "installment": self.number, "due_on": self.due_on.isoformat(),
                "open": self.open.plain(), "days_late": self.days_late, "plan_broken": self.plan_broken}


def missed_installment_follow_up(database: Database, practice_id: int, as_of: datetime.date, *,
                                 grace_days: int = MISSED_GRACE_DAYS, actor: str) -> list[MissedInstallment]:
    """The follow-up list of the day: every installment of an active plan unpaid ``grace_days`` after it fell due
    is marked missed and listed (to call the patient); a plan with two missed installments is broken, and its hold
    on the statement cadence lifts (a broken plan is listed that once). Marking is idempotent: run twice on a day,
    the same installments of active plans are listed and nothing more changes."""
    with UnitOfWork(database, actor=actor) as uow:
        repo = uow.practice(practice_id)
        plans = repo.rows(PaymentPlanRow, PaymentPlanRow.status == "active")
        patients = {p.id: p for p in repo.rows(PatientRow, PatientRow.id.in_({p.patient_id for p in plans}))} \
            if plans else {}
        follow_up: list[MissedInstallment] = []
        for plan in plans:
            rows = {row.number: row for row in repo.rows(PaymentPlanInstallmentRow,
                                                        PaymentPlanInstallmentRow.plan_id == plan.id)}
            missed = missed_installments([_installment(row) for row in rows.values()], as_of,
                                         grace_days=grace_days)
            for installment in missed:
                rows[installment.number].status = "missed"
            broken = plan_is_broken(len(missed))
            if broken:
                plan.status, plan.ended_on = "broken", as_of
                plan.end_reason = f"{len(missed)} installments missed"
                repo.audit("payment_plan.broken", "payment_plan", plan.id, {"missed": len(missed)})
            patient = patients[plan.patient_id]
            follow_up += [MissedInstallment(plan.id, patient.account_number,
                                            f"{patient.last_name}, {patient.first_name}", patient.phone,
                                            i.number, i.due_on, i.open, (as_of - i.due_on).days, broken)
                          for i in missed]
        repo.flush()
        uow.audit_practices("payment_plan.missed_listed", "payment_plan", [practice_id],
                            detail={"as_of": as_of.isoformat(), "missed": len(follow_up)})
        uow.commit()
    return sorted(follow_up, key=lambda m: (m.due_on, m.account_number, m.number))


def hardship_review_patient_ids(uow_or_session: UnitOfWork | Session, practice_id: int) -> set[int]:
    """The patients of the practice with a hardship adjustment waiting for a manager's decision: the statement run
    holds their cadence (``Hold.HARDSHIP_REVIEW``) until it is decided."""
    session = uow_or_session.session if isinstance(uow_or_session, UnitOfWork) else uow_or_session
    return set(session.scalars(select(PatientAdjustmentRequestRow.patient_id).where(
        PatientAdjustmentRequestRow.practice_id == practice_id, PatientAdjustmentRequestRow.kind == "hardship",
        PatientAdjustmentRequestRow.status == "requested")))


def active_plan_patient_ids(uow_or_session: UnitOfWork | Session, practice_id: int) -> set[int]:
    """The patients of the practice on an active payment plan: the statement run holds their cadence
    (``Hold.PAYMENT_PLAN``). A broken, completed or cancelled plan holds nothing."""
    session = uow_or_session.session if isinstance(uow_or_session, UnitOfWork) else uow_or_session
    return set(session.scalars(select(PaymentPlanRow.patient_id).where(
        PaymentPlanRow.practice_id == practice_id, PaymentPlanRow.status == "active")))


def balance_holds(uow: UnitOfWork, practice_id: int) -> dict[int, set[Hold]]:
    """What stops the statement cadence for the practice's guarantors from here: an active payment plan
    (``Hold.PAYMENT_PLAN``) and a hardship request awaiting its decision (``Hold.HARDSHIP_REVIEW``); patient id ->
    holds. The shape of the statement run's hold sources."""
    holds: dict[int, set[Hold]] = defaultdict(set)
    for patient_id in active_plan_patient_ids(uow, practice_id):
        holds[patient_id].add(Hold.PAYMENT_PLAN)
    for patient_id in hardship_review_patient_ids(uow, practice_id):
        holds[patient_id].add(Hold.HARDSHIP_REVIEW)
    return dict(holds)
