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
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from dermbill.core.eligibility import Benefits, EligibilityAnswer, Outcome, answer_of, no_answer
from dermbill.core.money import Money
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
            chunk = [(answer, _trace_of(answer)) for answer in read[start:start + BATCH]]
            known = Known.of(uow, organization_id, [trace for _, trace in chunk if trace])
            for answer, trace in chunk:
                results.append(_apply_one(uow, known, answer, trace, now))
            uow.commit()
    return results


def _trace_of(read: dict[str, Any]) -> str:
    traces = [p["trace_number"] for p in read["subscribers"] if p.get("trace_number")]
    return str(traces[-1]) if traces else ""


@dataclass
class Known:
    """What a batch of answers needs, read at once: the checks by trace number (the billing company's), the
    coverages' kept benefits and open work-list items, a repository per practice."""

    checks: dict[str, EligibilityCheckRow] = field(default_factory=dict)
    benefits: dict[int, CoverageBenefitsRow] = field(default_factory=dict)  # by coverage
    problems: dict[int, list[EligibilityProblemRow]] = field(default_factory=dict)  # open ones, by coverage
    repos: dict[int, PracticeRepository] = field(default_factory=dict)
    loaded: set[int] = field(default_factory=set)  # the coverages whose benefits and items were read

    @classmethod
    def of(cls, uow: UnitOfWork, organization_id: int, traces: Sequence[str]) -> Known:
        known = cls()
        if not traces:
            return known
        known.checks = {c.trace_number: c for c in uow.session.scalars(select(EligibilityCheckRow).join(
            PracticeRow, PracticeRow.id == EligibilityCheckRow.practice_id).where(
            EligibilityCheckRow.trace_number.in_(sorted(set(traces))),
            PracticeRow.organization_id == organization_id))}
        coverage_ids = sorted({c.coverage_id for c in known.checks.values()})
        known.loaded = set(coverage_ids)
        known.benefits = {b.coverage_id: b for b in uow.session.scalars(select(CoverageBenefitsRow).where(
            CoverageBenefitsRow.coverage_id.in_(coverage_ids)))}
        for problem in uow.session.scalars(select(EligibilityProblemRow).where(
                EligibilityProblemRow.coverage_id.in_(coverage_ids), EligibilityProblemRow.status == "open")
                .order_by(EligibilityProblemRow.id)):
            known.problems.setdefault(problem.coverage_id, []).append(problem)
        return known

    def repo(self, uow: UnitOfWork, practice_id: int) -> PracticeRepository:
        found = self.repos.get(practice_id)
        if found is None:
            found = self.repos[practice_id] = uow.practice(practice_id)
        return found


def _apply_one(uow: UnitOfWork, known: Known, read: dict[str, Any], trace: str,
               now: datetime.datetime) -> dict[str, Any]:
    check = known.checks.get(trace) if trace else None
    if check is None:
        return {"trace": trace, "result": "unknown trace"}
    if check.answered_at is not None:
        return {"trace": trace, "result": "already answered", "outcome": check.outcome}
    answer = answer_of(read["subscribers"], read["errors"], trace_number=trace)
    record_answer(known.repo(uow, check.practice_id), check, answer, now, known)
    return {"trace": trace, "result": "applied", "outcome": answer.outcome.value}


def record_answer(repo: PracticeRepository, check: EligibilityCheckRow, answer: EligibilityAnswer,
                  now: datetime.datetime, known: Known | None = None) -> None:
    """Keep an answer on its check, and what follows from it (benefits, work list, proposal); audited. ``known``:
    the coverage's benefits and open items, read already (else they are read here)."""
    if known is None or check.coverage_id not in known.loaded:
        known = _known_for(repo, check)
    if answer.outcome is not Outcome.NO_ANSWER:
        check.answered_at = now
    check.outcome = answer.outcome.value
    check.benefits = answer.benefits.to_json()
    check.errors = [error.to_json() for error in answer.errors]
    check.fix = answer.fix or None
    check.other_payer_name = (answer.other_payer_name or "")[:60] or None
    check.other_payer_identifier = answer.other_payer_identifier
    repo.audit("eligibility.answered", "eligibility_check", check.id, {
        "trace": check.trace_number, "outcome": answer.outcome.value, "coverage": check.coverage_id,
        "errors": [error.reason for error in answer.errors]})
    if answer.outcome in (Outcome.ACTIVE, Outcome.INACTIVE, Outcome.OTHER_PAYER_PRIMARY):
        _keep_benefits(repo, check, answer, now, known)
    _work_list(repo, check, answer, now, known)
    if answer.outcome is Outcome.OTHER_PAYER_PRIMARY:
        _propose_order(repo, check, answer, now)


def _known_for(repo: PracticeRepository, check: EligibilityCheckRow) -> Known:
    known = Known(loaded={check.coverage_id})
    rows = repo.rows(CoverageBenefitsRow, CoverageBenefitsRow.coverage_id == check.coverage_id)
    if rows:
        known.benefits[check.coverage_id] = rows[0]
    known.problems[check.coverage_id] = repo.rows(
        EligibilityProblemRow, EligibilityProblemRow.coverage_id == check.coverage_id,
        EligibilityProblemRow.status == "open")
    return known


def record_no_answer(repo: PracticeRepository, check: EligibilityCheckRow, now: datetime.datetime) -> None:
    """A check nothing came back for (yet): flagged, and in the work list (a late answer still applies)."""
    record_answer(repo, check, no_answer(), now)


def _keep_benefits(repo: PracticeRepository, check: EligibilityCheckRow, answer: EligibilityAnswer,
                   now: datetime.datetime, known: Known) -> None:
    row = known.benefits.get(check.coverage_id)
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
        row = known.benefits[check.coverage_id] = repo.add(CoverageBenefitsRow(coverage_id=check.coverage_id,
                                                                               **values))
    else:
        for name, value in values.items():
            setattr(row, name, value)
    repo.audit("coverage.benefits_kept", "coverage", check.coverage_id, {
        "check": check.id, "active": answer.covered, "plan_end": b.plan_end.isoformat() if b.plan_end else None})


def _cents(value: Any) -> int | None:
    return None if value is None else int(value.cents)


def _work_list(repo: PracticeRepository, check: EligibilityCheckRow, answer: EligibilityAnswer,
               now: datetime.datetime, known: Known) -> None:
    """One open item per coverage: the answer's, when it needs a person; what it supersedes is resolved."""
    kind = answer.outcome.value
    open_items = known.problems.setdefault(check.coverage_id, [])
    for item in open_items:
        if item.kind != kind or not answer.outcome.needs_a_person:
            item.status, item.resolved_at, item.resolved_by = "resolved", now, repo.uow.actor
            item.resolution = f"a later answer (check {check.id}) said: {answer.outcome.label}"
            repo.audit("eligibility.problem_resolved", "eligibility_problem", item.id,
                       {"kind": item.kind, "by_check": check.id})
    open_items[:] = [item for item in open_items if item.status == "open"]
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
    open_items.append(item)
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


@dataclass(frozen=True, slots=True)
class CoverageAnswer:
    """A coverage's latest eligibility answer, as check-in and the patient's estimate read it: when, whether the
    coverage was active (covered, whatever the order) on the date asked for, and the benefits kept (None: not said).
    """

    answered_on: datetime.date
    asked_for: datetime.date
    active: bool
    outcome: str
    summary: str  # the outcome in words, e.g. "coverage ended (2026-03-31)"
    copay: Money | None = None
    coinsurance_percent: int | None = None
    deductible_remaining: Money | None = None
    out_of_pocket_remaining: Money | None = None


def coverage_answer(repo: PracticeRepository, coverage_id: int) -> CoverageAnswer | None:
    """The coverage's latest answered eligibility check (None: never answered), with its kept benefits."""
    check = repo.session.scalars(select(EligibilityCheckRow).where(
        EligibilityCheckRow.practice_id == repo.practice_id, EligibilityCheckRow.coverage_id == coverage_id,
        EligibilityCheckRow.answered_at.is_not(None)).order_by(EligibilityCheckRow.answered_at.desc(),
                                                               EligibilityCheckRow.id.desc()).limit(1)).first()
    if check is None or check.answered_at is None or check.outcome is None:
        return None
    outcome = Outcome(check.outcome)
    kept = Benefits.from_json(check.benefits or {})
    summary = outcome.label + (f" ({kept.plan_end.isoformat()})" if outcome is Outcome.INACTIVE and kept.plan_end
                               else "")
    return CoverageAnswer(check.answered_at.date(), check.asked_for,
                          outcome in (Outcome.ACTIVE, Outcome.OTHER_PAYER_PRIMARY), outcome.value, summary,
                          kept.copay, kept.coinsurance_percent, kept.deductible_remaining,
                          kept.out_of_pocket_remaining)
