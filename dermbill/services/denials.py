"""The denial work queue: every denied or underpaid line becomes an item with its cause, action, deadline and money.

``refresh_queue`` reads the payers' line adjudications (stored by ERA posting) and makes one item per claim and
payer answer (same group, reason and remarks) that is a denial, and one per paid line allowed below the payer's
contracted fee schedule. It is idempotent (an item's ``source_key`` is unique) and also resolves items whose
money came in (a corrected claim paid, an appeal won). People assign, note, snooze and resolve items; every change
is an audit event, and so is every read of items (PHI: an item names a patient and their care). The functions
the staff application calls take ``practice_ids``: the practices the user may see (another practice's item is
``NotFound``); ``None`` means every practice (the CLI, run by the billing company's own staff on its database).
``correct_claim`` applies a certain fix as a corrected claim (frequency 7) or rebills the payer in force;
``write_appeal`` writes the appeal letter (PDF) and tracks it until the payer answers (``preview_appeal`` shows it
first, and the staff application records the letter its user downloaded with ``mark_appeal_sent``).
"""

from __future__ import annotations

import datetime
import os
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

from dermbill.core.claims import ClaimStatus
from dermbill.core.denial_codes import DenialCodeTable
from dermbill.core.denials import (
    Action,
    ClaimFacts,
    PayerAnswer,
    PayerDeadlines,
    RootCause,
    Urgency,
    appeal_refusal,
    deadline_for,
    find_root_cause,
    priority,
    underpayment_cause,
    urgency,
)
from dermbill.core.errors import InvalidInput, InvalidTransition, NotFound
from dermbill.core.ledger import DENIED_AR, INSURANCE_AR, PATIENT_AR, WRITE_OFF, JournalEntry, Posting
from dermbill.core.money import Money
from dermbill.core.scrubber.tables import ScrubTables
from dermbill.db.engine import Database
from dermbill.db.models import (
    AppealRow,
    AuditEventRow,
    ClaimLineRow,
    ClaimRow,
    ClaimStatusEventRow,
    CoverageRow,
    DenialItemRow,
    FeeScheduleItemRow,
    FeeScheduleRow,
    LedgerAccountRow,
    LineAdjudicationRow,
    PatientRow,
    PayerRow,
    PostingRow,
    PracticeRow,
    RemittanceRow,
)
from dermbill.db.repositories import PracticeRepository, UnitOfWork
from dermbill.pdf.appeal_letter import AppealLetter, appeal_file_name, appeal_letter_text
from dermbill.reference.denial_codes import denial_code_table
from dermbill.reference.scrub_tables import scrub_tables
from dermbill.services.appeal_letters import appeal_letter_for
from dermbill.services.claim_facts import claim_facts
from dermbill.services.claim_lifecycle import move_claim
from dermbill.services.learned_rules import payer_tables_with_learned_rules
from dermbill.services.scrubbing import scrub_stored_claims

UNDERPAYMENT_TOLERANCE = Money(100)  # a line allowed at least $1.00 below the contract is worth a person's time
OPEN_STATUSES = ("open", "snoozed", "waiting")
RESOLUTIONS = ("write_off", "bill_patient", "paid", "appeal_won", "appeal_lost", "no_action")
# Reads of an item are audited, but they are not part of the item's history as people read it.
READ_ACTIONS = ("denial.read", "denial.appeal_previewed")


@dataclass(slots=True)
class RefreshReport:
    created: int = 0
    resolved: int = 0
    by_category: dict[str, int] = field(default_factory=lambda: defaultdict(int))


@dataclass(frozen=True, slots=True)
class WorkItem:
    """A work item as people see it (and as ``dermbill denials list --json`` prints it)."""

    id: int
    practice: str
    claim: str
    patient: str
    payer: str
    kind: str
    lines: tuple[int, ...]
    codes: tuple[str, ...]
    carc: str | None
    rarc: tuple[str, ...]
    category: str
    action: str
    cause: str
    amount: Money
    deadline: datetime.date | None
    status: str
    assigned_to: str | None
    snoozed_until: datetime.date | None
    certain_fix: bool
    follow_up_claim: str | None
    resolution: str | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "practice": self.practice, "claim": self.claim, "patient": self.patient,
                "payer": self.payer, "kind": self.kind, "lines": list(self.lines), "codes": list(self.codes),
                "carc": self.carc, "rarc": list(self.rarc), "category": self.category, "action": self.action,
                "cause": self.cause, "amount": self.amount.plain(),
                "deadline": self.deadline.isoformat() if self.deadline else None, "status": self.status,
                "assigned_to": self.assigned_to,
                "snoozed_until": self.snoozed_until.isoformat() if self.snoozed_until else None,
                "certain_fix": self.certain_fix, "follow_up_claim": self.follow_up_claim,
                "resolution": self.resolution}


# ----------------------------------------------------------------------------------------------------------------
# Building the queue


def refresh_queue(database: Database, *, today: datetime.date, actor: str = "denials",
                  practice_ids: Collection[int] | None = None) -> RefreshReport:
    """Make the items of answers not yet in the queue, and resolve the items whose money came in (of these
    practices; ``None``: of every practice)."""
    try:
        return _refresh_queue(database, today=today, actor=actor, practice_ids=practice_ids)
    except InvalidInput:  # SQLite has no row locks: a refresh running at the same time made them first; read again
        return _refresh_queue(database, today=today, actor=actor, practice_ids=practice_ids)


def _refresh_queue(database: Database, *, today: datetime.date, actor: str,
                   practice_ids: Collection[int] | None) -> RefreshReport:
    report = RefreshReport()
    codes = denial_code_table()
    query = select(PracticeRow.id).order_by(PracticeRow.id)
    if practice_ids is not None:
        query = query.where(PracticeRow.id.in_(sorted(practice_ids)))
    with UnitOfWork(database, actor=actor) as uow:
        for practice_id in uow.session.scalars(query):
            repo = uow.practice(practice_id)
            builder = _ItemBuilder(repo, codes, today)
            for item in builder.new_items():
                report.created += 1
                report.by_category[item.category] += 1
            report.resolved += _resolve_settled(repo, today)
        uow.commit()
    return report


class _ItemBuilder:
    def __init__(self, repo: PracticeRepository, codes: DenialCodeTable, today: datetime.date) -> None:
        self.repo, self.codes, self.today = repo, codes, today
        self._tables: ScrubTables | None = None
        self.payers = {payer.id: payer for payer in repo.payers()}
        self.known: set[str] = set()
        self.contracts: Contracts | None = None

    @property
    def tables(self) -> ScrubTables:
        """The scrub tables (NCCI, policies, payer rules with the learned ones), loaded when an item needs them."""
        if self._tables is None:
            self._tables = payer_tables_with_learned_rules(self.repo, scrub_tables())
        return self._tables

    def new_items(self) -> list[DenialItemRow]:
        """Items from the remittances not read yet (each is read once), then those remittances marked read."""
        # Locked: a second refresh at the same time waits, then finds them read (PostgreSQL re-checks the WHERE).
        fresh = list(self.repo.session.scalars(
            select(RemittanceRow).where(RemittanceRow.practice_id == self.repo.practice_id,
                                        RemittanceRow.queued_at.is_(None), RemittanceRow.status == "posted")
            .order_by(RemittanceRow.id).with_for_update()))
        if not fresh:
            return []  # nothing new: reading the queue costs no more than this query
        self.known = set(self.repo.session.scalars(select(DenialItemRow.source_key)
                                                   .where(DenialItemRow.practice_id == self.repo.practice_id)))
        self.contracts = Contracts(self.repo)
        rows = self.repo.rows(LineAdjudicationRow, LineAdjudicationRow.remittance_id.in_([r.id for r in fresh]),
                              order_by=LineAdjudicationRow.id)
        reversed_after = _reversals(rows)
        groups: dict[tuple[int, int, str, str, tuple[str, ...]], list[tuple[LineAdjudicationRow, dict[str, Any]]]]
        groups = defaultdict(list)
        underpaid: list[LineAdjudicationRow] = []
        for row in rows:
            if row.status_code == "22" or reversed_after.get(row.id):
                continue
            for adjustment in row.adjustments:
                group, carc, cents = adjustment["group"], adjustment["reason"], int(adjustment["cents"])
                category = self.codes.category_with_remarks(group, carc, tuple(row.remarks))
                if cents > 0 and category.is_denial:
                    groups[(row.claim_id, row.remittance_id, group, carc, tuple(row.remarks))].append(
                        (row, adjustment))
            if row.paid_cents > 0 and row.allowed_cents is not None:
                underpaid.append(row)
        made = []
        for (claim_id, remittance_id, group, carc, rarcs), found in groups.items():
            key = f"d:{remittance_id}:{claim_id}:{group}-{carc}:{'/'.join(rarcs)}"[:120]
            if key in self.known:
                continue
            if (item := self._denial_item(key, claim_id, remittance_id, group, carc, rarcs, found)) is not None:
                made.append(item)
        for row in underpaid:
            key = f"u:{row.id}"
            if key not in self.known and (item := self._underpayment_item(key, row)) is not None:
                made.append(item)
        self.repo.add_all(made)
        now = self.repo.uow.clock()
        for remittance in fresh:
            remittance.queued_at = now
        self.repo.flush()
        for item in made:
            self.repo.audit("denial.created", "denial_item", item.id, {"category": item.category,
                                                                       "action": item.action})
        return made

    def _denial_item(self, key: str, claim_id: int, remittance_id: int, group: str, carc: str,
                     rarcs: tuple[str, ...], found: list[tuple[LineAdjudicationRow, dict[str, Any]]]
                     ) -> DenialItemRow | None:
        claim = self.repo.get(ClaimRow, claim_id)
        lines = self.repo.rows(ClaimLineRow, ClaimLineRow.claim_id == claim.id, order_by=ClaimLineRow.line_number)
        by_charged = {line.charged_line_id: line for line in lines}
        answers, line_rows = [], []
        for row, adjustment in found:
            line = by_charged.get(row.claim_line_id)
            if line is None:
                continue
            line_rows.append(line)
            answers.append(PayerAnswer(line.line_number, group, carc, rarcs, Money(int(adjustment["cents"])),
                                       Money(row.paid_cents)))
        if not answers:  # the adjudication names no line of this claim (cannot happen after ERA matching)
            return None
        facts = claim_facts(self.repo, claim, lines, self.tables, self.payers,
                            category=self.codes.category_with_remarks(group, carc, rarcs))
        cause = find_root_cause(facts, answers, self.codes, _ptp_lookup(self.tables, facts.date_of_service))
        adjudicated_on = max(row.adjudicated_on for row, _ in found)
        return self._item(key, claim, remittance_id, "denial", line_rows, group, carc, rarcs, cause,
                          sum((a.amount for a in answers), Money.zero()), adjudicated_on, facts)

    def _underpayment_item(self, key: str, row: LineAdjudicationRow) -> DenialItemRow | None:
        contracts = self.contracts
        if contracts is None or row.payer_id is None or row.allowed_cents is None \
                or not contracts.has_payer(row.payer_id):
            return None
        claim = self.repo.get(ClaimRow, row.claim_id)
        if claim.payer_id is None or claim.primary_claim_id is not None:
            return None  # a secondary payer's allowed amount is not priced by its contract alone
        line = self.repo.get(ClaimLineRow, row.claim_line_id)
        expected = contracts.amount(claim.payer_id, row.code, row.modifiers, line.service_date_from)
        if expected is None:
            return None
        own = self.repo.rows(ClaimLineRow, ClaimLineRow.claim_id == claim.id, order_by=ClaimLineRow.line_number)
        line = next((x for x in own if x.charged_line_id == row.claim_line_id), line)
        reduced = any(a["reason"] == "59" for a in row.adjustments)  # the multiple-procedure rule: half the fee
        expected = Money(expected.cents * max(row.units, 1) // (2 if reduced else 1))
        allowed = Money(row.allowed_cents)
        if expected - allowed < UNDERPAYMENT_TOLERANCE:
            return None
        payer = self.payers[claim.payer_id]
        cause = underpayment_cause(payer.name, row.code, allowed, expected)
        facts = claim_facts(self.repo, claim, own, self.tables, self.payers)
        return self._item(key, claim, row.remittance_id, "underpayment", [line], None, None, (), cause,
                          expected - allowed, row.adjudicated_on, facts)

    def _item(self, key: str, claim: ClaimRow, remittance_id: int, kind: str, lines: Sequence[ClaimLineRow],
              group: str | None, carc: str | None, rarcs: tuple[str, ...], cause: RootCause, amount: Money,
              adjudicated_on: datetime.date, facts: ClaimFacts) -> DenialItemRow:
        payer = self.payers.get(claim.payer_id or 0)
        rebill = next((p for p in self.payers.values() if p.name == cause.rebill_to), None)
        deadline = deadline_for(cause.action, adjudicated_on=adjudicated_on, date_of_service=facts.date_of_service,
                                payer=self.deadlines(payer), rebill_payer=self.deadlines(rebill) if rebill else None)
        now = self.repo.uow.clock()
        self.known.add(key)
        return DenialItemRow(
            claim_id=claim.id, remittance_id=remittance_id, payer_id=claim.payer_id, source_key=key, kind=kind,
            line_ids=[line.id for line in lines], line_numbers=[line.line_number for line in lines],
            codes=list(dict.fromkeys(line.procedure_code for line in lines)), group_code=group, carc=carc,
            rarcs=list(rarcs), category=cause.category, action=cause.action.value, cause=cause.cause,
            fixes=[{"line": f.line_number, "add": list(f.add), "remove": list(f.remove)} for f in cause.fixes],
            rebill_payer_id=rebill.id if rebill else None, relies_on=list(cause.relies_on),
            amount_cents=amount.cents, adjudicated_on=adjudicated_on, deadline=deadline, status="open",
            created_at=now, updated_at=now)

    def deadlines(self, payer: PayerRow | None) -> PayerDeadlines:
        rule = self.tables.payer_rule(payer.payer_identifier, payer.kind) if payer else self.tables.payer_rule(None)
        filing = payer.timely_filing_days if payer else rule.timely_filing_days
        return PayerDeadlines(rule.appeal_days, rule.corrected_claim_days, filing)


def _reversals(rows: Sequence[LineAdjudicationRow]) -> dict[int, bool]:
    """The adjudications a later reversal (CLP02 22) of the same payer claim and line took back."""
    taken: dict[int, bool] = {}
    open_by_key: dict[tuple[int, str | None, int | None], list[int]] = defaultdict(list)
    for row in rows:
        key = (row.claim_line_id, row.payer_claim_number, row.payer_id)
        if row.status_code == "22":
            for earlier in open_by_key.pop(key, []):
                taken[earlier] = True
        else:
            open_by_key[key].append(row.id)
    return taken


def _ptp_lookup(tables: ScrubTables, day: datetime.date) -> Any:
    def lookup(code_a: str, code_b: str) -> tuple[str, str] | None:
        edit = tables.coding.ptp.edit_between(code_a, code_b, on=day)
        return (edit.column1, edit.modifier_indicator) if edit else None
    return lookup


class Contracts:
    """The payers' contracted fee schedules of a practice, read once."""

    def __init__(self, repo: PracticeRepository) -> None:
        self.schedules: dict[int, list[tuple[FeeScheduleRow, dict[tuple[str, str], int]]]] = defaultdict(list)
        rows = repo.rows(FeeScheduleRow, FeeScheduleRow.payer_id.is_not(None),
                         order_by=FeeScheduleRow.effective_from.desc())
        items: dict[int, dict[tuple[str, str], int]] = defaultdict(dict)
        if rows:
            for item in repo.rows(FeeScheduleItemRow, FeeScheduleItemRow.fee_schedule_id.in_([r.id for r in rows])):
                items[item.fee_schedule_id][(item.procedure_code, item.modifier)] = item.amount_cents
        for schedule in rows:
            self.schedules[schedule.payer_id or 0].append((schedule, items[schedule.id]))

    def has_payer(self, payer_id: int) -> bool:
        return payer_id in self.schedules

    def amount(self, payer_id: int, code: str, modifiers: Sequence[str], day: datetime.date) -> Money | None:
        """The expected amount for one unit of the code on the day: the schedule in force, the code with its
        pricing modifier or without one."""
        for schedule, items in self.schedules.get(payer_id, []):
            if schedule.effective_from <= day and (schedule.effective_to is None or day <= schedule.effective_to):
                for modifier in [*modifiers, ""]:
                    if (code, modifier) in items:
                        return Money(items[(code, modifier)])
                return None
        return None


def _resolve_settled(repo: PracticeRepository, today: datetime.date) -> int:
    """Resolve the items whose money came in: the corrected or rebilled claim made for them is paid; the claim is
    paid after the payer reprocessed the denied lines (an appeal won); an underpaid line was paid again at the
    contracted amount. Reads the open items' claims and adjudications once."""
    items = repo.rows(DenialItemRow, DenialItemRow.status.in_(OPEN_STATUSES))
    if not items:
        return 0
    claims: dict[int, ClaimRow] = {}
    adjudications: dict[int, list[LineAdjudicationRow]] = defaultdict(list)
    wanted = sorted({i.claim_id for i in items} | {i.follow_up_claim_id for i in items if i.follow_up_claim_id})
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        claims.update({c.id: c for c in repo.rows(ClaimRow, ClaimRow.id.in_(chunk))})
        for row in repo.rows(LineAdjudicationRow, LineAdjudicationRow.claim_id.in_(chunk)):
            adjudications[row.claim_id].append(row)
    charged = {line.id: line.charged_line_id for line in repo.rows(
        ClaimLineRow, ClaimLineRow.id.in_(sorted({line for i in items for line in i.line_ids})))}
    resolved = 0
    for item in items:
        lines = {charged.get(line_id) for line_id in item.line_ids}
        later = [row for row in adjudications[item.claim_id] if row.remittance_id != item.remittance_id
                 and row.claim_line_id in lines and row.status_code != "22" and row.paid_cents > 0]
        if item.kind == "underpayment":
            first = next((row for row in adjudications[item.claim_id] if f"u:{row.id}" == item.source_key), None)
            owed = (first.allowed_cents or 0) + item.amount_cents if first else None
            if owed is not None and any((row.allowed_cents or 0) + UNDERPAYMENT_TOLERANCE.cents > owed
                                        for row in later):
                _close(repo, item, "paid", "the payer reprocessed the line at the contracted amount")
                resolved += 1
            continue
        target = claims[item.follow_up_claim_id or item.claim_id]
        if target.status == ClaimStatus.PAID.value and (item.follow_up_claim_id or later):
            outcome = "appeal_won" if _open_appeal(repo, item) else "paid"
            _close(repo, item, outcome, f"paid on claim {target.patient_control_number}")
            _answer_appeals(repo, item, "won", today)
            resolved += 1
    return resolved


def _open_appeal(repo: PracticeRepository, item: DenialItemRow) -> bool:
    return repo.count(AppealRow, AppealRow.denial_item_id == item.id, AppealRow.status.in_(("written", "sent"))) > 0


def _answer_appeals(repo: PracticeRepository, item: DenialItemRow, outcome: str, today: datetime.date) -> None:
    for appeal in repo.rows(AppealRow, AppealRow.denial_item_id == item.id, AppealRow.status.in_(("written", "sent"))):
        appeal.status, appeal.answered_on = outcome, today
        repo.audit("appeal.answered", "appeal", appeal.id, {"outcome": outcome})


def _close(repo: PracticeRepository, item: DenialItemRow, outcome: str, why: str) -> None:
    now = repo.uow.clock()
    item.status, item.resolution, item.resolved_at, item.updated_at = "resolved", f"{outcome}: {why}", now, now
    repo.audit("denial.resolved", "denial_item", item.id, {"outcome": outcome, "why": why})


# ----------------------------------------------------------------------------------------------------------------
# Reading the queue


def list_items(database: Database, *, today: datetime.date, statuses: Sequence[str] = ("open", "waiting"),
               assigned_to: str | None = None, category: str | None = None, action: str | None = None,
               payer: str | None = None, practice_ids: Collection[int] | None = None,
               practice: str | None = None, urgent: Urgency | None = None, actor: str = "denials") -> list[WorkItem]:
    """The work items of these practices (``None``: all), most urgent first (see ``priority``); a snoozed item
    comes back on its day. ``practice`` keeps one practice's (by code), ``urgent`` the items of that urgency on
    ``today``. The read is audited: one event per practice, naming the items shown."""
    query = select(DenialItemRow).order_by(DenialItemRow.id)
    if practice_ids is not None:
        query = query.where(DenialItemRow.practice_id.in_(sorted(practice_ids)))
    with UnitOfWork(database, actor=actor) as uow:
        rows = [row for row in uow.session.scalars(query).all() if _shown(row, today, statuses)]
        found = [(row, _work_item(uow, row)) for row in rows]
        found = [(row, item) for row, item in found
                 if (assigned_to is None or item.assigned_to == assigned_to)
                 and (category is None or item.category == category)
                 and (action is None or item.action == action)
                 and (payer is None or payer.lower() in item.payer.lower())
                 and (practice is None or item.practice.lower() == practice.strip().lower())
                 and (urgent is None or urgency(item.deadline, today) is urgent)]
        shown: dict[int, list[int]] = defaultdict(list)
        for row, _ in found:
            shown[row.practice_id].append(row.id)
        for practice_id, ids in sorted(shown.items()):
            uow.practice(practice_id).audit("denial.list", "denial_item", None, {"items": ids})
        uow.commit()
    return sorted((item for _, item in found), key=lambda item: priority(item.amount, item.deadline, today))


def in_queue(row: DenialItemRow, today: datetime.date, statuses: Sequence[str] = ("open", "waiting")) -> bool:
    """Whether the work queue lists the item on ``today`` (as ``list_items`` does; the dashboard counts these)."""
    return _shown(row, today, statuses)


def _shown(row: DenialItemRow, today: datetime.date, statuses: Sequence[str]) -> bool:
    status = row.status
    if status == "snoozed" and row.snoozed_until is not None and row.snoozed_until <= today:
        status = "open"
    return status in statuses or "all" in statuses


def _work_item(uow: UnitOfWork, row: DenialItemRow) -> WorkItem:
    session = uow.session
    claim = session.get(ClaimRow, row.claim_id)
    patient = session.get(PatientRow, claim.patient_id) if claim else None
    payer = session.get(PayerRow, row.payer_id) if row.payer_id else None
    practice = session.get(PracticeRow, row.practice_id)
    follow = session.get(ClaimRow, row.follow_up_claim_id) if row.follow_up_claim_id else None
    return WorkItem(
        row.id, practice.code if practice else "", claim.patient_control_number if claim else "",
        f"{patient.last_name}, {patient.first_name}" if patient else "", payer.name if payer else "self-pay",
        row.kind, tuple(row.line_numbers), tuple(row.codes), row.carc, tuple(row.rarcs), row.category, row.action,
        row.cause, Money(row.amount_cents), row.deadline, row.status, row.assigned_to, row.snoozed_until,
        has_certain_fix(row),
        follow.patient_control_number if follow else None, row.resolution)


@dataclass(frozen=True, slots=True)
class ItemDetail:
    item: WorkItem
    fixes: tuple[str, ...]
    relies_on: tuple[str, ...]
    history: tuple[tuple[datetime.datetime, str, str, str], ...]  # when, who, what, detail
    appeals: tuple[tuple[str, str, datetime.date | None], ...]  # file, status, deadline

    def to_json(self) -> dict[str, Any]:
        return {**self.item.to_json(), "fixes": list(self.fixes), "relies_on": list(self.relies_on),
                "history": [{"at": at.isoformat(), "actor": who, "action": what, "detail": detail}
                            for at, who, what, detail in self.history],
                "appeals": [{"file": name, "status": status, "deadline": deadline.isoformat() if deadline else None}
                            for name, status, deadline in self.appeals]}


def show_item(database: Database, item_id: int, *, practice_ids: Collection[int] | None = None,
              actor: str = "denials") -> ItemDetail:
    """One item in full, with its history (changes, not reads); the read is audited."""
    with UnitOfWork(database, actor=actor) as uow:
        row = _item_row(uow, item_id, practice_ids=practice_ids)
        history = uow.session.scalars(select(AuditEventRow).where(
            AuditEventRow.entity_type == "denial_item", AuditEventRow.entity_id == row.id,
            AuditEventRow.practice_id == row.practice_id, AuditEventRow.action.not_in(READ_ACTIONS))
            .order_by(AuditEventRow.id)).all()
        repo = uow.practice(row.practice_id)
        appeals = repo.rows(AppealRow, AppealRow.denial_item_id == row.id)
        repo.audit("denial.read", "denial_item", row.id)
        detail = ItemDetail(
            _work_item(uow, row),
            fix_words(row.fixes),
            tuple(row.relies_on),
            tuple((event.occurred_at, event.actor, event.action,
                   "; ".join(f"{k}: {_detail_words(v)}" for k, v in event.detail.items())) for event in history),
            tuple((a.file_name, a.status, a.deadline) for a in appeals))
        uow.commit()
        return detail


def _detail_words(value: Any) -> str:
    """A history detail's value for people: a list as its items joined, not Python's brackets and quotes."""
    return ", ".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)


def fix_words(fixes: Sequence[dict[str, Any]]) -> tuple[str, ...]:
    """A work item's certain fixes in words: "line 2: take XS off and add 59"."""
    return tuple(f"line {f['line']}: " + " and ".join(
        ([f"take {', '.join(f['remove'])} off"] if f["remove"] else []) +
        ([f"add {', '.join(f['add'])}"] if f["add"] else [])) for f in fixes)


def has_certain_fix(row: DenialItemRow) -> bool:
    """Whether dermbill can fix the item by itself: line changes the chart settles, or a rebill to the payer in
    force (the stored form of ``RootCause.is_certain``)."""
    return bool(row.fixes) or (row.action == Action.CHECK_ELIGIBILITY_AND_REBILL.value
                               and row.rebill_payer_id is not None)


def _item_row(uow: UnitOfWork, item_id: int, *, lock: bool = False,
              practice_ids: Collection[int] | None = None) -> DenialItemRow:
    """The item (among these practices' items; ``None``: any practice's); with ``lock``, held until commit (on
    PostgreSQL two people working the same item at once take turns: the second sees what the first did, so one
    corrected claim is made, one write-off posted)."""
    scope = [DenialItemRow.id == item_id]
    if practice_ids is not None:
        scope.append(DenialItemRow.practice_id.in_(sorted(practice_ids)))
    if lock and uow.session.get_bind().dialect.name == "sqlite":
        # SQLite has no row locks, and its driver begins a transaction only at the first write, so a read before
        # it could be stale by the time we write. Writing first (the row unchanged) takes the database's write
        # lock, waiting for anyone else's commit: what is read next is what they committed.
        uow.session.execute(update(DenialItemRow).where(*scope).values(status=DenialItemRow.status))
    query = select(DenialItemRow).where(*scope)
    row = uow.session.scalars(query.with_for_update() if lock else query).first()
    if row is None:
        if practice_ids is not None:  # another practice's item is not there for this user (never "forbidden")
            raise NotFound(f"work item {item_id} not found among your practices' work items")
        raise NotFound(f"work item {item_id} not found; `dermbill denials list` shows the open items")
    return row


# ----------------------------------------------------------------------------------------------------------------
# Working an item


def assign_item(database: Database, item_id: int, person: str, *, actor: str,
                practice_ids: Collection[int] | None = None) -> None:
    if not person.strip():
        raise InvalidInput("assign: give the person's name or login")
    _change(database, item_id, actor, "denial.assigned", {"to": person.strip()},
            lambda row: setattr(row, "assigned_to", person.strip()), practice_ids)


def note_item(database: Database, item_id: int, text: str, *, actor: str,
              practice_ids: Collection[int] | None = None) -> None:
    if not text.strip():
        raise InvalidInput("note: the note is empty")
    _change(database, item_id, actor, "denial.noted", {"note": text.strip()}, lambda row: None, practice_ids)


def snooze_item(database: Database, item_id: int, until: datetime.date, *, actor: str, today: datetime.date,
                practice_ids: Collection[int] | None = None) -> None:
    if until <= today:
        raise InvalidInput(f"snooze: {until} is not after today ({today}); give a later day")

    def snooze(row: DenialItemRow) -> None:
        row.status, row.snoozed_until = "snoozed", until
    _change(database, item_id, actor, "denial.snoozed", {"until": until.isoformat()}, snooze, practice_ids)


def _change(database: Database, item_id: int, actor: str, action: str, detail: dict[str, Any],
            apply: Any, practice_ids: Collection[int] | None) -> None:
    with UnitOfWork(database, actor=actor) as uow:
        row = _item_row(uow, item_id, lock=True, practice_ids=practice_ids)
        if row.status == "resolved" and action != "denial.noted":
            raise InvalidTransition(f"work item {item_id} is resolved ({row.resolution}); it cannot be changed")
        apply(row)
        row.updated_at = uow.clock()
        uow.practice(row.practice_id).audit(action, "denial_item", row.id, detail)
        uow.commit()


def resolve_item(database: Database, item_id: int, resolution: str, *, actor: str, note: str = "",
                 today: datetime.date, practice_ids: Collection[int] | None = None) -> Money:
    """Close an item. ``write_off`` moves the denied balance of its lines to denial write-offs (4200), and
    ``bill_patient`` to the patient's balance (1200), in one balanced entry; returns the amount moved."""
    if resolution not in RESOLUTIONS:
        raise InvalidInput(f"resolve: '{resolution}' is not a resolution; use one of {', '.join(RESOLUTIONS)}")
    with UnitOfWork(database, actor=actor) as uow:
        row = _item_row(uow, item_id, lock=True, practice_ids=practice_ids)
        if row.status == "resolved":
            raise InvalidTransition(f"work item {item_id} is already resolved ({row.resolution})")
        repo = uow.practice(row.practice_id)
        moved = Money.zero()
        if resolution in ("write_off", "bill_patient") and row.kind == "denial":
            moved = _move_denied_balance(repo, row, WRITE_OFF if resolution == "write_off" else PATIENT_AR, today)
        if resolution in ("appeal_won", "appeal_lost"):
            _answer_appeals(repo, row, "won" if resolution == "appeal_won" else "lost", today)
        _close(repo, row, resolution, note or f"resolved by {actor}")
        uow.commit()
        return moved


def _denied_balances(repo: PracticeRepository, claim: ClaimRow, charged: Sequence[int] | None = None
                     ) -> list[tuple[int, Money]]:
    """What the claim still has in denials being worked (1150), by charged line, where positive."""
    query = (select(PostingRow.claim_line_id, func.sum(PostingRow.amount_cents))
             .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
             .where(PostingRow.practice_id == repo.practice_id, PostingRow.claim_id == claim.id,
                    LedgerAccountRow.code == DENIED_AR, PostingRow.claim_line_id.is_not(None))
             .group_by(PostingRow.claim_line_id).order_by(PostingRow.claim_line_id))
    if charged is not None:
        query = query.where(PostingRow.claim_line_id.in_(charged))
    return [(int(line), Money(int(cents))) for line, cents in repo.session.execute(query)
            if line is not None and cents and cents > 0]


def _move_denied_balance(repo: PracticeRepository, row: DenialItemRow, account: str, day: datetime.date) -> Money:
    """The item's lines' denied balance to ``account`` (4200 write-off, 1200 the patient), one balanced entry."""
    claim = repo.get(ClaimRow, row.claim_id)
    charged = [line.charged_line_id for line in repo.rows(ClaimLineRow, ClaimLineRow.id.in_(row.line_ids))]
    dims = {"patient_id": claim.patient_id, "payer_id": claim.payer_id, "claim_id": claim.id}
    postings: list[Posting] = []
    total = Money.zero()
    for line_id, amount in _denied_balances(repo, claim, charged):
        postings += [Posting(account, amount, **dims, claim_line_id=line_id),
                     Posting(DENIED_AR, -amount, **dims, claim_line_id=line_id)]
        total += amount
    if postings:
        what = "written off" if account == WRITE_OFF else "billed to the patient"
        repo.post(JournalEntry(day, f"denial {row.group_code}-{row.carc} on claim {claim.patient_control_number} "
                               f"{what}", tuple(postings), idempotency_key=f"denial:{row.id}:{account}",
                               kind="adjustment"))
    return total


# ----------------------------------------------------------------------------------------------------------------
# Corrected and rebilled claims


@dataclass(frozen=True, slots=True)
class Correction:
    item_id: int
    original: str
    corrected: str
    status: str
    changes: tuple[str, ...]
    findings: tuple[str, ...]


def correct_claim(database: Database, item_id: int, *, actor: str, today: datetime.date,
                  authorization: str | None = None, practice_ids: Collection[int] | None = None) -> Correction:
    """Apply the item's certain fix: a corrected claim (frequency 7, the payer's claim number in REF*F8) with the
    lines changed, or the same lines rebilled to the payer in force; scrubbed before it can go. For an
    authorization denial, ``authorization`` is the number the payer gave afterwards: the corrected claim
    carries it (REF*G1)."""
    if authorization is not None and not (0 < len(authorization.strip()) <= 50):
        raise InvalidInput("--authorization: give the payer's authorization number (1 to 50 characters)")
    try:
        return _correct_claim(database, item_id, actor=actor, today=today, authorization=authorization,
                              practice_ids=practice_ids)
    except InvalidInput as exc:
        if not str(exc).startswith("the database refused the change"):
            raise
        # SQLite, which has no row locks: the same item was corrected by someone else at the same moment.
        raise InvalidTransition(f"work item {item_id} was already corrected by someone else just now; "
                                f"`dermbill denials show {item_id}` shows the corrected claim") from None


def _correct_claim(database: Database, item_id: int, *, actor: str, today: datetime.date,
                   authorization: str | None, practice_ids: Collection[int] | None) -> Correction:
    with UnitOfWork(database, actor=actor) as uow:
        row = _item_row(uow, item_id, lock=True, practice_ids=practice_ids)
        if row.status == "resolved":
            raise InvalidTransition(f"work item {item_id} is resolved ({row.resolution}); nothing to correct")
        if row.follow_up_claim_id is not None:
            follow = uow.session.get(ClaimRow, row.follow_up_claim_id)
            raise InvalidTransition(f"work item {item_id} was already corrected as claim "
                                    f"{follow.patient_control_number if follow else row.follow_up_claim_id}")
        repo = uow.practice(row.practice_id)
        original = repo.get(ClaimRow, row.claim_id)
        if authorization is not None:
            if row.action != Action.GET_AUTHORIZATION.value:
                raise InvalidInput(f"work item {item_id} is not an authorization denial ({row.action.replace('_', ' ')}"
                                   "); --authorization applies to those only")
            claim, changes = _corrected_claim(repo, original, row, authorization=authorization.strip())
        elif row.fixes:
            claim, changes = _corrected_claim(repo, original, row)
        elif row.action == Action.CHECK_ELIGIBILITY_AND_REBILL.value and row.rebill_payer_id is not None:
            claim, changes = _rebilled_claim(repo, original, row, today)
        elif row.action == Action.GET_AUTHORIZATION.value:  # the number is what is missing: an input
            raise InvalidInput(f"work item {item_id} has no certain fix ({row.action.replace('_', ' ')}): give the "
                               "number with --authorization")
        else:
            raise InvalidTransition(f"work item {item_id} has no certain fix ({row.action.replace('_', ' ')}): "
                                    "correct the claim by hand, or appeal")
        row.follow_up_claim_id, row.status, row.updated_at = claim.id, "waiting", uow.clock()
        repo.audit("denial.corrected", "denial_item", row.id, {"claim": claim.patient_control_number,
                                                               "changes": list(changes)})
        uow.commit()
        claim_id, number = claim.id, claim.patient_control_number
    scrub = scrub_stored_claims(database, claim_ids=[claim_id], as_of=today, actor=actor)[0]
    findings = tuple(f"{f.rule}: {f.message}" for f in scrub.result.findings if f.severity.value == "error")
    return Correction(item_id, original.patient_control_number, number, scrub.status, changes, findings)


def next_claim_number(repo: PracticeRepository, base: str, suffix: str) -> str:
    """The number of a claim made from claim ``base``: ``base`` + ``suffix`` (C corrected, B rebilled, V void) + n."""
    for n in range(1, 100):
        candidate = f"{base}{suffix}{n}"
        if not repo.count(ClaimRow, ClaimRow.patient_control_number == candidate):
            return candidate
    raise InvalidInput(f"claim {base} was corrected 99 times; review it by hand")


def copy_claim(repo: PracticeRepository, original: ClaimRow, number: str, **overrides: Any) -> ClaimRow:
    """A new claim (coded) made from ``original``, its creation in its history; ``overrides`` change columns."""
    now = repo.uow.clock()
    values = dict(patient_id=original.patient_id, encounter_id=original.encounter_id,
                  coverage_id=original.coverage_id, payer_id=original.payer_id,
                  rendering_provider_id=original.rendering_provider_id, location_id=original.location_id,
                  status="coded", frequency_code="1", patient_control_number=number,
                  prior_authorization=original.prior_authorization, diagnosis_codes=list(original.diagnosis_codes),
                  total_charge_cents=original.total_charge_cents, primary_claim_id=original.primary_claim_id,
                  date_of_service=original.date_of_service, created_at=now, updated_at=now)
    values.update(overrides)
    claim = repo.add(ClaimRow(**values))
    repo.flush()
    repo.add(ClaimStatusEventRow(claim_id=claim.id, from_status="draft", to_status="coded", actor=repo.uow.actor,
                                 reason=f"made from claim {original.patient_control_number}", occurred_at=now))
    return claim


def copy_claim_lines(repo: PracticeRepository, original: ClaimRow, claim: ClaimRow,
                     fixes: dict[int, dict[str, Any]]) -> list[str]:
    """The lines of ``original`` on ``claim``, each billing the original's charged line again (``billed_line_id``),
    with ``fixes`` (by line number: modifiers to add and remove) applied; what changed, for people."""
    changes = []
    for line in repo.rows(ClaimLineRow, ClaimLineRow.claim_id == original.id, order_by=ClaimLineRow.line_number):
        modifiers = list(line.modifiers)
        fix = fixes.get(line.line_number)
        if fix:
            modifiers = [m for m in modifiers if m not in fix["remove"]]
            modifiers += [m for m in fix["add"] if m not in modifiers]
            changes.append(f"line {line.line_number} ({line.procedure_code}): modifiers "
                           f"{' '.join(line.modifiers) or 'none'} -> {' '.join(modifiers[:4]) or 'none'}")
        repo.add(ClaimLineRow(
            claim_id=claim.id, line_number=line.line_number, procedure_code=line.procedure_code,
            modifiers=modifiers[:4], units=line.units, charge_cents=line.charge_cents,
            diagnosis_pointers=list(line.diagnosis_pointers), service_date_from=line.service_date_from,
            service_date_to=line.service_date_to, rendering_provider_id=line.rendering_provider_id,
            billed_line_id=line.charged_line_id))
    repo.flush()
    return changes


def _corrected_claim(repo: PracticeRepository, original: ClaimRow, row: DenialItemRow, *,
                     authorization: str | None = None) -> tuple[ClaimRow, tuple[str, ...]]:
    if not original.payer_claim_number:
        raise InvalidInput(f"claim {original.patient_control_number} has no payer claim number; a corrected claim "
                           "needs it (REF*F8)")
    claim = copy_claim(repo, original, next_claim_number(repo, original.patient_control_number, "C"),
                       frequency_code="7", payer_claim_number=original.payer_claim_number,
                       original_claim_id=original.id, prior_authorization=authorization or original.prior_authorization)
    changes = copy_claim_lines(repo, original, claim, {f["line"]: f for f in row.fixes})
    if authorization:
        changes.append(f"prior authorization {authorization}")
    # Closed, not "corrected": a corrected claim is one being fixed to go out again, the original never goes again.
    move_claim(repo, original, ClaimStatus.CLOSED, f"replaced by corrected claim {claim.patient_control_number}")
    return claim, tuple(changes)


def _rebilled_claim(repo: PracticeRepository, original: ClaimRow, row: DenialItemRow,
                    today: datetime.date) -> tuple[ClaimRow, tuple[str, ...]]:
    day = min(line.service_date_from for line in repo.rows(ClaimLineRow, ClaimLineRow.claim_id == original.id))
    coverage = next((c for c in repo.rows(CoverageRow, CoverageRow.patient_id == original.patient_id,
                                          CoverageRow.payer_id == row.rebill_payer_id)
                     if c.effective_date <= day and (c.termination_date is None or day <= c.termination_date)), None)
    if coverage is None:
        raise InvalidInput("the patient has no coverage with that payer in force on the date of service any more")
    claim = copy_claim(repo, original, next_claim_number(repo, original.patient_control_number, "B"),
                       coverage_id=coverage.id, payer_id=coverage.payer_id, primary_claim_id=None)
    copy_claim_lines(repo, original, claim, {})
    moved = _move_to_new_payer(repo, original, claim, today)
    move_claim(repo, original, ClaimStatus.CLOSED, f"rebilled to the payer in force as claim "
                                                   f"{claim.patient_control_number}")
    payer = repo.session.get(PayerRow, coverage.payer_id)
    return claim, (f"rebilled to {payer.name if payer else coverage.payer_id} ({moved} moved from the denied "
                   "balance)",)


def _move_to_new_payer(repo: PracticeRepository, original: ClaimRow, claim: ClaimRow, day: datetime.date) -> Money:
    """The denied balance of the original claim's lines becomes the new payer's receivable on the new claim."""
    postings: list[Posting] = []
    total = Money.zero()
    for line_id, amount in _denied_balances(repo, original):
        postings += [Posting(INSURANCE_AR, amount, patient_id=claim.patient_id, payer_id=claim.payer_id,
                             claim_id=claim.id, claim_line_id=line_id),
                     Posting(DENIED_AR, -amount, patient_id=original.patient_id, payer_id=original.payer_id,
                             claim_id=original.id, claim_line_id=line_id)]
        total += amount
    if postings:
        repo.post(JournalEntry(day, f"claim {original.patient_control_number} rebilled as "
                               f"{claim.patient_control_number}", tuple(postings),
                               idempotency_key=f"rebill:claim:{original.id}:{claim.id}", kind="transfer"))
    return total


# ----------------------------------------------------------------------------------------------------------------
# Appeals


@dataclass(frozen=True, slots=True)
class WrittenAppeal:
    item_id: int
    claim: str
    path: Path
    deadline: datetime.date | None
    replaced_name_taken: str | None = None  # the item's usual file name, when a file there was kept (not overwritten)


MAX_LETTER_COPIES = 99


def write_appeal(database: Database, item_id: int, out_dir: Path, *, actor: str, today: datetime.date,
                 signer: str | None = None, practice_ids: Collection[int] | None = None) -> WrittenAppeal:
    """Write the appeal letter (PDF) for an item, record it, and set the item waiting for the payer's answer.

    One file per item (``appeal-<claim>-item<N>-<date>.pdf``); an existing file is never overwritten: the letter
    takes the next free name (``...-2.pdf``) and ``replaced_name_taken`` says which name was kept. An item whose
    answer an appeal cannot change (coverage ended, the patient's share, a write-off) is refused with the reason."""
    with UnitOfWork(database, actor=actor) as uow:
        row = _item_row(uow, item_id, lock=True, practice_ids=practice_ids)
        _check_appealable(row, today)
        repo = uow.practice(row.practice_id)
        letter, name, pdf = appeal_letter_for(repo, row, today, signer=signer)
        path = _write_new_file(out_dir, [name, *(appeal_file_name(letter, row.id, copy)
                                                 for copy in range(2, MAX_LETTER_COPIES + 1))], pdf)
        name = path.name
        appeal = repo.add(AppealRow(denial_item_id=row.id, claim_id=row.claim_id, file_name=name, written_on=today,
                                    deadline=row.deadline, status="written"))
        repo.flush()
        row.status, row.updated_at = "waiting", uow.clock()
        repo.audit("denial.appeal_written", "denial_item", row.id, {"file": name, "appeal": appeal.id,
                                                                    "title": letter.title})
        uow.commit()
        claim = repo.get(ClaimRow, row.claim_id).patient_control_number
        usual = appeal_file_name(letter, row.id)
        return WrittenAppeal(item_id, claim, path, row.deadline, usual if name != usual else None)


def _write_new_file(out_dir: Path, names: Sequence[str], content: bytes) -> Path:
    """Write ``content`` under the first of ``names`` that no file in ``out_dir`` has; never overwrites one.

    Written to a temporary file first, then linked to its name: the link fails if the name exists (even when
    another process made it a moment ago), and a reader never sees half a letter."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        temporary = out_dir / f".{names[0]}.{os.getpid()}.part"
        temporary.write_bytes(content)
        try:
            for name in names:
                try:
                    os.link(temporary, out_dir / name)
                except FileExistsError:
                    continue
                return out_dir / name
        finally:
            temporary.unlink(missing_ok=True)
    except OSError as exc:
        raise InvalidInput(f"cannot write the appeal letter to {out_dir}: {exc.strerror}; give another --out "
                           "folder") from None
    raise InvalidInput(f"{out_dir} already holds {len(names)} letters named {names[0].removesuffix('.pdf')}*; "
                       "move the old ones away, or give another --out folder")


def _check_appealable(row: DenialItemRow, today: datetime.date) -> None:
    """Refuse (InvalidTransition) an appeal of a resolved item, of one whose answer an appeal cannot change, or
    past the payer's window."""
    if row.status == "resolved":
        raise InvalidTransition(f"work item {row.id} is resolved ({row.resolution}); there is nothing to appeal")
    refusal = appeal_refusal(Action(row.action))
    if refusal is not None:
        raise InvalidTransition(f"work item {row.id} cannot be appealed: {refusal}")
    if row.deadline is not None and row.deadline < today:
        raise InvalidTransition(f"work item {row.id}: the appeal window closed on {row.deadline}; the payer will "
                                "not hear it (write it off, or ask the payer for a good-cause exception)")


@dataclass(frozen=True, slots=True)
class AppealPreview:
    """The appeal letter of an item as it would be written today: to read on screen, or to download as a PDF."""

    item_id: int
    claim: str
    letter: AppealLetter
    file_name: str
    pdf: bytes
    deadline: datetime.date | None

    @property
    def text(self) -> str:
        return appeal_letter_text(self.letter)


def preview_appeal(database: Database, item_id: int, *, actor: str, today: datetime.date,
                   signer: str | None = None, practice_ids: Collection[int] | None = None) -> AppealPreview:
    """The letter ``write_appeal`` would write today, without recording anything but the read (audited: the
    letter names the patient)."""
    with UnitOfWork(database, actor=actor) as uow:
        row = _item_row(uow, item_id, practice_ids=practice_ids)
        _check_appealable(row, today)
        repo = uow.practice(row.practice_id)
        letter, name, pdf = appeal_letter_for(repo, row, today, signer=signer)
        repo.audit("denial.appeal_previewed", "denial_item", row.id, {"title": letter.title})
        uow.commit()
        return AppealPreview(row.id, letter.claim_number, letter, name, pdf, row.deadline)


def mark_appeal_sent(database: Database, item_id: int, *, actor: str, today: datetime.date,
                     practice_ids: Collection[int] | None = None, record_letter: bool = False,
                     signer: str | None = None) -> None:
    """Record that the item's written appeal went to the payer. With ``record_letter`` (the staff application,
    whose user downloads the letter rather than having it written to a folder), an item with no written appeal
    has today's letter recorded as written and sent at once; an appeal already sent is not sent twice."""
    with UnitOfWork(database, actor=actor) as uow:
        row = _item_row(uow, item_id, lock=True, practice_ids=practice_ids)
        repo = uow.practice(row.practice_id)
        appeals = repo.rows(AppealRow, AppealRow.denial_item_id == row.id, AppealRow.status == "written")
        if not appeals and record_letter:
            sent = repo.rows(AppealRow, AppealRow.denial_item_id == row.id, AppealRow.status == "sent")
            if sent and row.status != "resolved":
                raise InvalidTransition(f"work item {item_id}: its appeal was already sent (written on "
                                        f"{max(a.written_on for a in sent)}); wait for the payer's answer")
            _check_appealable(row, today)
            letter, name, _ = appeal_letter_for(repo, row, today, signer=signer)
            appeal = repo.add(AppealRow(denial_item_id=row.id, claim_id=row.claim_id, file_name=name,
                                        written_on=today, deadline=row.deadline, status="written"))
            repo.flush()
            row.status, row.updated_at = "waiting", uow.clock()
            repo.audit("denial.appeal_written", "denial_item", row.id, {"file": name, "appeal": appeal.id,
                                                                        "title": letter.title})
            appeals = [appeal]
        if not appeals:
            raise InvalidTransition(f"work item {item_id} has no written appeal to send; write it with "
                                    f"`dermbill denials appeal {item_id}`")
        for appeal in appeals:
            appeal.status = "sent"
            repo.audit("appeal.sent", "appeal", appeal.id, {"on": today.isoformat()})
        repo.audit("denial.appeal_sent", "denial_item", row.id, {"on": today.isoformat()})
        uow.commit()


def items_with_certain_fixes(database: Database) -> list[int]:
    """Open items dermbill can fix by itself (the demo corrects them all)."""
    with UnitOfWork(database, actor="denials") as uow:
        rows = uow.session.scalars(select(DenialItemRow).where(DenialItemRow.status == "open",
                                                               DenialItemRow.follow_up_claim_id.is_(None))
                                   .order_by(DenialItemRow.id)).all()
        return [row.id for row in rows if has_certain_fix(row)]


def open_items(database: Database, action: Action) -> list[int]:
    with UnitOfWork(database, actor="denials") as uow:
        return list(uow.session.scalars(select(DenialItemRow.id).where(
            DenialItemRow.status == "open", DenialItemRow.action == action.value).order_by(DenialItemRow.id)))



