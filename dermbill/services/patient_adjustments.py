"""Changes to a patient's balance that one person asks for and another approves (issue 16), and the small-balance
write-off batch.

- **Refunds** of a patient credit (2100: a payment above the balance, a share the payer took back after the
  patient paid it; ``overpayments.patient_credit_queue`` lists them): requested, then approved by a different
  person holding ``APPROVE_PATIENT_ADJUSTMENTS`` (a manager), which posts the refund (Dr 2100, Cr cash) once.
- **Hardship or charity adjustments**: requested with a reason, approved by a manager who is not the requester,
  posted to charity care (Dr 4320, Cr 1200) line by line, oldest date of service first.
- **Small-balance write-off**: every guarantor whose whole balance is above zero and under the practice's
  threshold (``statement_policy.small_balance_cents``) with no claim a payer still owes on, written off (Dr 4310,
  Cr 1200) line by line; listed first (dry run), then posted, once (a recorded request row per guarantor, its
  posting keyed by it; a second run finds nothing left to write off).

Every posting's idempotency key names its request row, so a request is posted at most once however often it is
approved. Requests and decisions are audited.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from dermbill.core.access import Permission, allowed
from dermbill.core.errors import InvalidInput, InvalidTransition, NotFound
from dermbill.core.ledger import (
    CASH,
    CHARITY,
    DENIED_AR,
    INSURANCE_AR,
    PATIENT_AR,
    PATIENT_CREDIT,
    SMALL_BALANCE,
    JournalEntry,
    Posting,
)
from dermbill.core.money import Money
from dermbill.core.patient_balances import OpenLine, allocate_oldest_first
from dermbill.db.engine import Database
from dermbill.db.models import (
    LedgerAccountRow,
    PatientAdjustmentRequestRow,
    PatientRow,
    PostingRow,
    UserAccountRow,
)
from dermbill.db.repositories import PracticeRepository, UnitOfWork, utc_now
from dermbill.services.patient_balances import count_toward_plan, open_lines, patient_by_account
from dermbill.services.statements import load_policy
from dermbill.services.users import normalized_email, user_view

_WHAT = {"refund": "refund", "hardship": "hardship adjustment", "small_balance": "small-balance write-off"}


@dataclass(frozen=True, slots=True)
class AdjustmentView:
    id: int
    practice: str
    account_number: str
    patient: str
    kind: str
    amount: Money
    status: str
    reason: str
    reference: str | None
    requested_by: str
    requested_at: datetime.datetime
    decided_by: str | None
    decided_at: datetime.datetime | None
    journal_entry_id: int | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "practice": self.practice, "account_number": self.account_number,
                "patient": self.patient, "kind": self.kind, "amount": self.amount.plain(), "status": self.status,
                "reason": self.reason, "reference": self.reference, "requested_by": self.requested_by,
                "requested_at": self.requested_at.isoformat(), "decided_by": self.decided_by,
                "decided_at": self.decided_at.isoformat() if self.decided_at else None,
                "journal_entry_id": self.journal_entry_id}


def _view(repo: PracticeRepository, row: PatientAdjustmentRequestRow, patient: PatientRow) -> AdjustmentView:
    return AdjustmentView(row.id, repo.practice.code, patient.account_number,
                          f"{patient.last_name}, {patient.first_name}", row.kind, Money(row.amount_cents),
                          row.status, row.reason, row.reference, row.requested_by, row.requested_at, row.decided_by,
                          row.decided_at, row.journal_entry_id)


def list_adjustments(database: Database, practice_id: int, kind: str, *, status: str | None = None,
                     actor: str) -> list[AdjustmentView]:
    """The practice's requests of ``kind`` (refund, hardship, small_balance), of ``status`` when given, oldest
    first. The read is audited."""
    if kind not in _WHAT:
        raise InvalidInput(f"kind '{kind}' is not one of {', '.join(_WHAT)}")
    with UnitOfWork(database, actor=actor) as uow:
        repo = uow.practice(practice_id)
        rows = repo.rows(PatientAdjustmentRequestRow, PatientAdjustmentRequestRow.kind == kind,
                         *(() if status is None else (PatientAdjustmentRequestRow.status == status,)))
        patients = {p.id: p for p in repo.rows(PatientRow, PatientRow.id.in_({r.patient_id for r in rows}))} \
            if rows else {}
        views = [_view(repo, row, patients[row.patient_id]) for row in rows]
        uow.audit_practices("patient_adjustment.listed", "patient_adjustment_request", [practice_id],
                            detail={"kind": kind, "status": status, "requests": len(views)})
        uow.commit()
    return views


# --- requesting ---------------------------------------------------------------------------------------------------

def request_refund(database: Database, practice_id: int, account_number: str, *, amount: Money | None = None,
                   reason: str, requested_by: str, now: datetime.datetime | None = None) -> AdjustmentView:
    """Ask to refund the patient's credit (all of it unless ``amount``): it waits for a manager's approval."""
    return _request(database, practice_id, account_number, "refund", amount, reason, requested_by, now)


def request_hardship(database: Database, practice_id: int, account_number: str, amount: Money, *, reason: str,
                     requested_by: str, now: datetime.datetime | None = None) -> AdjustmentView:
    """Ask to adjust ``amount`` of what the patient owes as hardship or charity care, with the reason (the review
    of the patient's circumstances): it waits for a manager's approval."""
    return _request(database, practice_id, account_number, "hardship", amount, reason, requested_by, now)


def _request(database: Database, practice_id: int, account_number: str, kind: str, amount: Money | None,
             reason: str, requested_by: str, now: datetime.datetime | None) -> AdjustmentView:
    words = " ".join(reason.split())
    if not words:
        raise InvalidInput(f"a {_WHAT[kind]} needs a reason (why it is asked for)")
    if len(words) > 500:
        raise InvalidInput(f"the reason is {len(words)} characters; at most 500")
    moment = now or utc_now()
    with UnitOfWork(database, actor=requested_by, clock=lambda: moment) as uow:
        repo = uow.practice(practice_id)
        repo.open_standard_chart()
        patient = patient_by_account(repo, account_number, lock=True)
        pending = repo.rows(PatientAdjustmentRequestRow, PatientAdjustmentRequestRow.patient_id == patient.id,
                            PatientAdjustmentRequestRow.kind == kind,
                            PatientAdjustmentRequestRow.status.in_(("requested", "approved")))
        if pending:
            raise InvalidInput(f"account {patient.account_number} already has a {_WHAT[kind]} waiting for a "
                               f"decision (request {pending[0].id})")
        available = _available(repo, patient.id, kind)
        chosen = available if amount is None else amount
        if chosen.cents <= 0 or chosen.cents > available.cents:
            owed = "a credit of" if kind == "refund" else "a balance of"
            raise InvalidInput(f"account {patient.account_number} has {owed} {available}; a {_WHAT[kind]} must be "
                               f"more than zero and at most that (got {chosen})")
        row = repo.add(PatientAdjustmentRequestRow(patient_id=patient.id, kind=kind, amount_cents=chosen.cents,
                                                   status="requested", reason=words, requested_by=requested_by,
                                                   requested_at=moment))
        repo.flush()
        repo.audit(f"patient_{kind}.requested", "patient_adjustment_request", row.id,
                   {"account": patient.account_number, "amount": str(chosen)})
        view = _view(repo, row, patient)
        uow.commit()
    return view


def _available(repo: PracticeRepository, patient_id: int, kind: str) -> Money:
    """What a request of ``kind`` can take: the patient's credit for a refund, what they owe for an adjustment."""
    if kind == "refund":
        return -repo.balances(PostingRow.patient_id == patient_id).get(PATIENT_CREDIT, Money.zero())
    return Money(sum(line.owed.cents for line in open_lines(repo, patient_id)))


# --- deciding -----------------------------------------------------------------------------------------------------

def approve_adjustment(database: Database, request_id: int, *, approver: str, kind: str | None = None,
                       reference: str | None = None, now: datetime.datetime | None = None) -> AdjustmentView:
    """Approve a refund or hardship request and post it, once. ``approver`` is the e-mail of a user holding
    ``APPROVE_PATIENT_ADJUSTMENTS`` for the request's practice, who is not the requester. A refund's ``reference``
    is the check or card-refund number sent to the patient. With ``kind``, a request of another kind is not found."""
    moment = now or utc_now()
    with UnitOfWork(database, actor=normalized_email(approver), clock=lambda: moment) as uow:
        repo, row, patient = _decidable(uow, request_id, approver, kind)
        available = _available(repo, patient.id, row.kind)
        amount = Money(row.amount_cents)
        if available.cents < amount.cents:
            raise InvalidTransition(f"request {row.id}: account {patient.account_number} now has only {available} "
                                    f"to {'refund' if row.kind == 'refund' else 'adjust'}, less than the {amount} "
                                    "asked; reject it and ask again")
        repo.open_standard_chart()
        if row.kind == "refund":
            words = (reference or "").strip()[:80] or None
            postings: tuple[Posting, ...] = (Posting(PATIENT_CREDIT, amount, patient_id=patient.id),
                                             Posting(CASH, -amount, patient_id=patient.id))
            memo = f"refund{' ' + words if words else ''} of a credit to patient {patient.account_number}"
            row.reference = words
        else:
            postings = _line_postings(CHARITY, allocate_oldest_first(amount, open_lines(repo, patient.id)).parts,
                                      patient.id)
            memo = f"hardship adjustment for patient {patient.account_number}: {row.reason}"[:500]
        entry_id, _ = repo.post(JournalEntry(moment.date(), memo, postings,
                                             idempotency_key=f"patient-adjustment:{row.id}",
                                             kind="refund" if row.kind == "refund" else "adjustment"))
        row.status, row.decided_by, row.decided_at = "posted", uow.actor, moment
        row.journal_entry_id = entry_id
        if row.kind == "hardship":  # nothing left to pay: a plan for it is done
            count_toward_plan(repo, patient.id, Money.zero(), moment)
        repo.audit(f"patient_{row.kind}.approved", "patient_adjustment_request", row.id,
                   {"account": patient.account_number, "amount": str(amount), "entry": entry_id,
                    "requested_by": row.requested_by})
        view = _view(repo, row, patient)
        uow.commit()
    return view


def reject_adjustment(database: Database, request_id: int, *, approver: str, note: str, kind: str | None = None,
                      now: datetime.datetime | None = None) -> AdjustmentView:
    """Turn down a refund or hardship request, saying why; nothing is posted."""
    words = " ".join(note.split())
    if not words:
        raise InvalidInput("say why the request is rejected (--note)")
    moment = now or utc_now()
    with UnitOfWork(database, actor=normalized_email(approver), clock=lambda: moment) as uow:
        repo, row, patient = _decidable(uow, request_id, approver, kind)
        row.status, row.decided_by, row.decided_at, row.decision_note = "rejected", uow.actor, moment, words[:500]
        repo.audit(f"patient_{row.kind}.rejected", "patient_adjustment_request", row.id,
                   {"account": patient.account_number, "note": words[:500]})
        view = _view(repo, row, patient)
        uow.commit()
    return view


def _decidable(uow: UnitOfWork, request_id: int, approver: str,
               kind: str | None) -> tuple[PracticeRepository, PatientAdjustmentRequestRow, PatientRow]:
    """The request, locked, when ``approver`` may decide it: a known, enabled user with the permission and the
    request's practice, who did not ask for it; and it is still waiting for a decision."""
    row = uow.session.scalars(select(PatientAdjustmentRequestRow).where(
        PatientAdjustmentRequestRow.id == request_id).with_for_update()).first()
    email = normalized_email(approver)
    user_row = uow.session.scalars(select(UserAccountRow).where(UserAccountRow.email == email)).first()
    user = user_view(uow, user_row) if user_row is not None else None
    if row is None or (kind is not None and row.kind != kind) or (
            user is not None and row.practice_id not in user.practice_ids):
        raise NotFound(f"{_WHAT.get(kind or '', 'adjustment')} request {request_id} not found")
    if user is None or user.disabled or not allowed(user.roles, Permission.APPROVE_PATIENT_ADJUSTMENTS):
        raise InvalidInput(f"{email} may not approve patient refunds or adjustments: that takes an enabled user "
                           "with the manager role (act as one with `dermbill --as EMAIL`)")
    if row.requested_by.strip().lower() == email:
        raise InvalidInput(f"request {row.id} was asked for by {email}; another person must decide it")
    if row.status != "requested":
        raise InvalidTransition(f"request {row.id} is already {row.status}; only a request waiting for a decision "
                                "can be approved or rejected")
    repo = uow.practice(row.practice_id)
    patient = repo.session.scalars(select(PatientRow).where(  # locked, as a payment locks it (patient_by_account)
        PatientRow.practice_id == row.practice_id, PatientRow.id == row.patient_id).with_for_update()).one()
    return repo, row, patient


def _line_postings(account: str, parts: tuple[tuple[OpenLine, Money], ...], patient_id: int) -> tuple[Posting, ...]:
    """Dr ``account``, Cr patient A/R, line by line: both name the line, so the line's own sum holds."""
    postings: list[Posting] = []
    for line, part in parts:
        dims = {"patient_id": patient_id, "claim_id": line.claim_id, "claim_line_id": line.claim_line_id}
        postings += [Posting(account, part, **dims), Posting(PATIENT_AR, -part, **dims)]
    return tuple(postings)


# --- small balances -----------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SmallBalance:
    account_number: str
    patient: str
    amount: Money
    request_id: int | None  # the recorded write-off, once posted
    journal_entry_id: int | None

    def to_json(self) -> dict[str, Any]:
        return {"account_number": self.account_number, "patient": self.patient, "amount": self.amount.plain(),
                "request_id": self.request_id, "journal_entry_id": self.journal_entry_id}


def write_off_small_balances(database: Database, practice_id: int, *, dry_run: bool, actor: str,
                             now: datetime.datetime | None = None) -> tuple[Money, list[SmallBalance]]:
    """The guarantors whose whole balance is above zero and under the practice's small-balance threshold, with no
    claim a payer still owes on and no credit; with ``dry_run`` only listed, else each written off to small-balance
    write-offs (Dr 4310, Cr 1200) line by line. Returns the threshold and the guarantors."""
    moment = now or utc_now()
    with UnitOfWork(database, actor=actor, clock=lambda: moment) as uow:
        threshold = load_policy(uow, practice_id).small_balance
        repo = uow.practice(practice_id)
        repo.open_standard_chart()
        candidates = _small_balance_patients(repo, threshold)
        patients: dict[int, PatientRow] = {}
        if candidates:
            query = select(PatientRow).where(PatientRow.practice_id == practice_id,
                                             PatientRow.id.in_(set(candidates)))
            patients = {p.id: p for p in repo.session.scalars(query if dry_run else query.with_for_update())}
            if not dry_run:  # read again under the locks: a payment may have come in meanwhile
                candidates = {i: lines for i, lines in _small_balance_patients(repo, threshold).items()
                              if i in patients}
        written: list[SmallBalance] = []
        for patient_id in sorted(candidates, key=lambda i: patients[i].account_number):
            patient, lines = patients[patient_id], candidates[patient_id]
            amount = Money(sum(line.owed.cents for line in lines))
            name = f"{patient.last_name}, {patient.first_name}"
            if dry_run:
                written.append(SmallBalance(patient.account_number, name, amount, None, None))
                continue
            row = repo.add(PatientAdjustmentRequestRow(
                patient_id=patient_id, kind="small_balance", amount_cents=amount.cents, status="posted",
                reason=f"balance under the small-balance threshold of {threshold}", requested_by=actor,
                requested_at=moment, decided_by=actor, decided_at=moment))
            repo.flush()
            entry_id, _ = repo.post(JournalEntry(
                moment.date(), f"small-balance write-off for patient {patient.account_number}",
                _line_postings(SMALL_BALANCE, allocate_oldest_first(amount, lines).parts, patient_id),
                idempotency_key=f"patient-adjustment:{row.id}", kind="adjustment"))
            row.journal_entry_id = entry_id
            count_toward_plan(repo, patient_id, Money.zero(), moment)
            repo.audit("patient_small_balance.written_off", "patient_adjustment_request", row.id,
                       {"account": patient.account_number, "amount": str(amount), "entry": entry_id})
            written.append(SmallBalance(patient.account_number, name, amount, row.id, entry_id))
        uow.audit_practices("patient_small_balance.listed" if dry_run else "patient_small_balance.batch",
                            "patient", [practice_id],
                            detail={"threshold": str(threshold), "guarantors": len(written),
                                    "amount": str(Money(sum(w.amount.cents for w in written)))})
        uow.commit()
    return threshold, written


def _small_balance_patients(repo: PracticeRepository, threshold: Money) -> dict[int, list[OpenLine]]:
    """The open lines of each patient whose balance qualifies: patient A/R above zero and under ``threshold``, no
    insurance or denied A/R on any of their claims, no unapplied credit."""
    sums = repo.session.execute(
        select(PostingRow.patient_id, PostingRow.claim_id, LedgerAccountRow.code, func.sum(PostingRow.amount_cents))
        .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
        .where(PostingRow.practice_id == repo.practice_id, PostingRow.patient_id.is_not(None),
               LedgerAccountRow.code.in_((PATIENT_AR, PATIENT_CREDIT, INSURANCE_AR, DENIED_AR)))
        .group_by(PostingRow.patient_id, PostingRow.claim_id, LedgerAccountRow.code)).all()
    owed: dict[int, int] = defaultdict(int)
    credit: dict[int, int] = defaultdict(int)
    blocked: set[int] = set()
    for patient_id, _claim_id, code, cents in sums:
        if patient_id is None:
            continue
        if code == PATIENT_AR:
            owed[patient_id] += int(cents)
        elif code == PATIENT_CREDIT:  # the patient's credit is theirs, whichever claim its postings name
            credit[patient_id] += int(cents)
        elif int(cents):  # a payer still owes on a claim
            blocked.add(patient_id)
    blocked |= {patient_id for patient_id, cents in credit.items() if cents}  # a credit to apply first
    chosen: dict[int, list[OpenLine]] = {}
    for patient_id, cents in owed.items():
        if patient_id in blocked or not 0 < cents < threshold.cents:
            continue
        lines = open_lines(repo, patient_id)
        if sum(line.owed.cents for line in lines) == cents:  # every line owes: no line paid beyond its balance
            chosen[patient_id] = lines
    return chosen
