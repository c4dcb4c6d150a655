"""Applying an eligibility answer (271) to the check it answers: found by its trace number (TRN02), applied once.

The outcome (``core.eligibility.answer_of``) is kept on the check; the benefits become the coverage's latest
(``coverage_benefits``) when the answer is the newest for that coverage; an answer the front desk must act on opens
(or refreshes) the coverage's item in the eligibility work list, and an answer that says otherwise resolves the
item it supersedes; "another payer is primary" proposes the coverage order change. An answer for a check already
answered changes nothing (the same 271 applied twice, or a late duplicate), and neither does one for a trace number
no check of the billing company sent. ``transmission.sync`` applies the 271s it fetches with this, and so does
``services.eligibility``'s run.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from dermbill.core.eligibility import EligibilityAnswer, Outcome, answer_of, no_answer
from dermbill.db.engine import Database
from dermbill.db.models import (
    CoverageBenefitsRow,
    CoverageOrderProposalRow,
    CoverageRow,
    EligibilityCheckRow,
    EligibilityProblemRow,
    PayerRow,
    PracticeRow,
)
from dermbill.db.repositories import PracticeRepository, UnitOfWork
from dermbill.x12.eligibility_271 import read_271
from dermbill.x12.transactions import TransactionSet

ACTOR = "eligibility"


BATCH = 500  # answers applied per transaction


def apply_271(database: Database, organization_id: int, transaction: TransactionSet, *,
              now: datetime.datetime, actor: str = ACTOR) -> dict[str, Any]:
    """Apply one 271 transaction set; what it did (``applied``, ``already answered`` or ``unknown trace``)."""
    [result] = apply_271s(database, organization_id, [transaction], now=now, actor=actor)
    return result


def apply_271s(database: Database, organization_id: int, transactions: Sequence[TransactionSet], *,
               now: datetime.datetime, actor: str = ACTOR) -> list[dict[str, Any]]:
    """Apply the 271 transaction sets of a file, in order, a batch of them per transaction; what each did. They are
    all read first: a set that cannot be read changes nothing (InvalidInput)."""
    read = [read_271(transaction) for transaction in transactions]
    results: list[dict[str, Any]] = []
    for start in range(0, len(read), BATCH):
        with UnitOfWork(database, actor=actor, clock=lambda: now) as uow:
            for answer in read[start:start + BATCH]:
                results.append(_apply_one(uow, organization_id, answer, now))
            uow.commit()
    return results


def _apply_one(uow: UnitOfWork, organization_id: int, read: dict[str, Any],
               now: datetime.datetime) -> dict[str, Any]:
    people = read["subscribers"]
    traces = [p["trace_number"] for p in people if p.get("trace_number")]
    trace = traces[-1] if traces else ""
    found = uow.session.execute(select(EligibilityCheckRow, PracticeRow.organization_id).join(
        PracticeRow, PracticeRow.id == EligibilityCheckRow.practice_id).where(
        EligibilityCheckRow.trace_number == trace)).first() if trace else None
    if found is None or found[1] != organization_id:
        return {"trace": trace, "result": "unknown trace"}
    check = found[0]
    if check.answered_at is not None:
        return {"trace": trace, "result": "already answered", "outcome": check.outcome}
    answer = answer_of(people, read["errors"], trace_number=trace)
    record_answer(uow.practice(check.practice_id), check, answer, now)
    return {"trace": trace, "result": "applied", "outcome": answer.outcome.value}


def record_answer(repo: PracticeRepository, check: EligibilityCheckRow, answer: EligibilityAnswer,
                  now: datetime.datetime) -> None:
    """Keep an answer on its check, and what follows from it (benefits, work list, proposal); audited."""
    if answer.outcome is not Outcome.NO_ANSWER:
        check.answered_at = now
    check.outcome = answer.outcome.value
    check.benefits = answer.benefits.to_json()
    check.errors = [error.to_json() for error in answer.errors]
    check.fix = answer.fix or None
    check.other_payer_name = (answer.other_payer_name or "")[:60] or None
    check.other_payer_identifier = answer.other_payer_identifier
    repo.flush()
    repo.audit("eligibility.answered", "eligibility_check", check.id, {
        "trace": check.trace_number, "outcome": answer.outcome.value, "coverage": check.coverage_id,
        "errors": [error.reason for error in answer.errors]})
    if answer.outcome in (Outcome.ACTIVE, Outcome.INACTIVE, Outcome.OTHER_PAYER_PRIMARY):
        _keep_benefits(repo, check, answer, now)
    _work_list(repo, check, answer, now)
    if answer.outcome is Outcome.OTHER_PAYER_PRIMARY:
        _propose_order(repo, check, answer, now)


def record_no_answer(repo: PracticeRepository, check: EligibilityCheckRow, now: datetime.datetime) -> None:
    """A check nothing came back for (yet): flagged, and in the work list (a late answer still applies)."""
    record_answer(repo, check, no_answer(), now)


def _keep_benefits(repo: PracticeRepository, check: EligibilityCheckRow, answer: EligibilityAnswer,
                   now: datetime.datetime) -> None:
    rows = repo.rows(CoverageBenefitsRow, CoverageBenefitsRow.coverage_id == check.coverage_id)
    row = rows[0] if rows else None
    if row is not None and (row.answered_at, row.check_id) > (now, check.id):
        return  # a newer answer is kept already
    b = answer.benefits
    values = {"check_id": check.id, "asked_for": check.asked_for, "answered_at": now, "active": answer.covered,
              "plan_name": (b.plan_name or "")[:60] or None, "plan_begin": b.plan_begin, "plan_end": b.plan_end,
              "deductible_cents": _cents(b.deductible), "deductible_remaining_cents": _cents(b.deductible_remaining),
              "out_of_pocket_cents": _cents(b.out_of_pocket),
              "out_of_pocket_remaining_cents": _cents(b.out_of_pocket_remaining), "copay_cents": _cents(b.copay),
              "coinsurance_percent": b.coinsurance_percent, "in_network": b.in_network}
    if row is None:
        row = repo.add(CoverageBenefitsRow(coverage_id=check.coverage_id, **values))
    else:
        for name, value in values.items():
            setattr(row, name, value)
    repo.flush()
    repo.audit("coverage.benefits_kept", "coverage", check.coverage_id, {
        "check": check.id, "active": answer.covered, "plan_end": b.plan_end.isoformat() if b.plan_end else None})


def _cents(value: Any) -> int | None:
    return None if value is None else int(value.cents)


def _work_list(repo: PracticeRepository, check: EligibilityCheckRow, answer: EligibilityAnswer,
               now: datetime.datetime) -> None:
    """One open item per coverage: the answer's, when it needs a person; what it supersedes is resolved."""
    kind = answer.outcome.value
    open_items = repo.rows(EligibilityProblemRow, EligibilityProblemRow.coverage_id == check.coverage_id,
                           EligibilityProblemRow.status == "open")
    for item in open_items:
        if item.kind != kind or not answer.outcome.needs_a_person:
            item.status, item.resolved_at, item.resolved_by = "resolved", now, repo.uow.actor
            item.resolution = f"a later answer (check {check.id}) said: {answer.outcome.label}"
            repo.audit("eligibility.problem_resolved", "eligibility_problem", item.id,
                       {"kind": item.kind, "by_check": check.id})
    if not answer.outcome.needs_a_person:
        return
    message = _message(answer)
    same = [item for item in open_items if item.kind == kind]
    if same:
        item = same[0]
        item.check_id, item.message, item.fix = check.id, message, answer.fix
        item.appointment_id = check.appointment_id or item.appointment_id
        return
    item = repo.add(EligibilityProblemRow(patient_id=check.patient_id, coverage_id=check.coverage_id,
                                          appointment_id=check.appointment_id, check_id=check.id, kind=kind,
                                          message=message, fix=answer.fix, status="open", opened_at=now))
    repo.flush()
    repo.audit("eligibility.problem_opened", "eligibility_problem", item.id, {"kind": kind, "check": check.id})


def _message(answer: EligibilityAnswer) -> str:
    if answer.errors:
        return "; ".join(f"AAA {e.reason}: {e.meaning}" for e in answer.errors)
    if answer.outcome is Outcome.OTHER_PAYER_PRIMARY:
        return (f"another payer is primary: {answer.other_payer_name or ''} "
                f"({answer.other_payer_identifier or 'no ID given'})").replace(":  (", ": (")
    if answer.outcome is Outcome.INACTIVE and answer.benefits.plan_end:
        return f"coverage ended {answer.benefits.plan_end.isoformat()}"
    return answer.outcome.label


def _propose_order(repo: PracticeRepository, check: EligibilityCheckRow, answer: EligibilityAnswer,
                   now: datetime.datetime) -> None:
    other_id = answer.other_payer_identifier
    other = other_coverage(repo, check.patient_id, check.coverage_id, other_id)
    pending = [p for p in repo.rows(CoverageOrderProposalRow, CoverageOrderProposalRow.coverage_id ==
                                    check.coverage_id, CoverageOrderProposalRow.status == "proposed")
               if p.other_payer_identifier == other_id]
    if pending:
        pending[0].check_id = check.id
        pending[0].other_coverage_id = other.id if other is not None else None
        return
    proposal = repo.add(CoverageOrderProposalRow(
        patient_id=check.patient_id, coverage_id=check.coverage_id, other_coverage_id=other.id if other else None,
        check_id=check.id, other_payer_name=(answer.other_payer_name or "")[:60] or None,
        other_payer_identifier=other_id, status="proposed", created_at=now))
    repo.flush()
    repo.audit("coverage.order_change_proposed", "coverage_order_proposal", proposal.id, {
        "coverage": check.coverage_id, "other_payer": other_id, "other_coverage": proposal.other_coverage_id})


def other_coverage(repo: PracticeRepository, patient_id: int, coverage_id: int,
                   payer_identifier: str | None) -> CoverageRow | None:
    """The patient's coverage with the payer named as primary (by its payer ID), if the practice has it."""
    if not payer_identifier:
        return None
    payer_ids = set(repo.session.scalars(select(PayerRow.id).where(
        PayerRow.organization_id == repo.practice.organization_id,
        PayerRow.payer_identifier == payer_identifier)))
    found = [c for c in repo.rows(CoverageRow, CoverageRow.patient_id == patient_id, CoverageRow.id != coverage_id)
             if c.payer_id in payer_ids]
    return max(found, key=lambda c: (c.effective_date, c.id)) if found else None
