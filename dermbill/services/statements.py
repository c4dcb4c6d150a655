"""Patient statements (issue 16): the statement plan of a run day and the statement run, read from the ledger.

Each guarantor's account is built as ``core.statements`` takes it, from the ledger's sums by charged line (every
posting about a service names the line that charged it, whichever claim carried it: the primary, a secondary or a
corrected claim):
- a visit is the claim that charged the lines; what the patient owes on it is its lines' patient A/R (1200);
- a payer still owes on it while any of its lines has insurance A/R (1100) or denied A/R being worked (1150);
- a visit's first statement is the earliest statement that listed it (``statement_claim``): its aging and the
  cadence count from that day; the guarantor's last statement decides whether this cycle was billed already;
- the unapplied credit is the patient's credit balance (2100).
``core.statements.statement_decision`` then says who is billed and why not, and ``dunning_step`` which step's
words the statement carries. The amounts are the ledger's, to the cent: a statement never shows a figure the ledger
does not hold. For each guarantor billed, the statement's document (``core.statement_document``) lists every
line of the visits with what was charged (the line's charge), what insurance paid (cash naming a payer), what the
patient paid (cash naming none, or a credit applied to the line), what is owed (1200) and, the rest, what
insurance's contract or the practice took off.

The patient is the guarantor until guarantors are kept apart.
"""

from __future__ import annotations

import datetime
import functools
import secrets
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import func, insert, select

from dermbill.core.errors import InvalidInput, NotFound
from dermbill.core.ledger import CASH, DENIED_AR, INSURANCE_AR, PATIENT_AR, PATIENT_CREDIT
from dermbill.core.money import Money, total
from dermbill.core.statement_document import StatementDocument, StatementLine, StatementPayment, StatementVisit
from dermbill.core.statements import (
    AGING_BUCKETS,
    Account,
    Hold,
    Policy,
    StatementDecision,
    Step,
    Visit,
    aging,
    dunning_step,
    statement_decision,
)
from dermbill.db.engine import Database
from dermbill.db.models import (
    ClaimLineRow,
    ClaimRow,
    JournalEntryRow,
    LedgerAccountRow,
    PatientRow,
    PayerRow,
    PostingRow,
    PracticeRow,
    ProviderRow,
    StatementClaimRow,
    StatementPolicyRow,
    StatementRow,
)
from dermbill.db.repositories import UnitOfWork, utc_now

_ACCOUNTS = (PATIENT_AR, PATIENT_CREDIT, INSURANCE_AR, DENIED_AR, CASH)
_CHUNK = 5000  # ids per IN list (SQLite's bound on query parameters)
_BATCH = 1000  # statements whose documents are built and kept at a time: the run's memory does not hold them all
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read off paper and typed by patients
CODE_LENGTH = 10
PAYMENTS_SHOWN_DAYS = 120  # a first statement shows the patient's payments of this many days before it

HoldSource = Callable[[UnitOfWork, int], dict[int, set[Hold]]]


def hold_sources() -> tuple[HoldSource, ...]:
    """What stops a guarantor's cadence, per practice (patient id -> holds): the holds the collections team placed
    (dispute, insurance re-bill, hardship review) and the active payment plans. Imported here, when a run reads
    them, so that every process that runs statements sees every source (those services import this module)."""
    from dermbill.services.collections import collection_holds
    from dermbill.services.patient_balances import balance_holds

    return (collection_holds, balance_holds)


def load_policy(uow: UnitOfWork, practice_id: int) -> Policy:
    """The practice's statement policy (``statement_policy``), or the defaults when it has set none."""
    row = _policy_row(uow, practice_id)
    if row is None:
        return Policy()
    return Policy(minimum_balance=Money(row.minimum_balance_cents), due_days=row.due_days,
                  reminder_days=row.reminder_days, past_due_days=row.past_due_days,
                  final_notice_days=row.final_notice_days, agency_days=row.agency_days,
                  small_balance=Money(row.small_balance_cents), cycle_billing=row.cycle_billing,
                  wording={Step(step): words for step, words in (row.wording or {}).items()})


def _policy_row(uow: UnitOfWork, practice_id: int) -> StatementPolicyRow | None:
    return uow.session.scalars(select(StatementPolicyRow).where(StatementPolicyRow.practice_id == practice_id)).first()


@dataclass(frozen=True, slots=True)
class _Line:
    """A charged line's ledger figures, in cents."""

    insurance_paid: int = 0
    patient_paid: int = 0
    patient_owes: int = 0
    payer_owes: int = 0


class _Patient(NamedTuple):
    """What a statement needs of a patient (plain values: a run holds 100,000 of them, ORM rows weigh more)."""

    id: int
    account_number: str
    last_name: str
    first_name: str
    email: str | None
    phone: str | None  # the collections call list's (services.patient_accounts)
    address_line1: str
    address_line2: str | None
    city: str
    state: str
    zip_code: str


class _Claim(NamedTuple):
    id: int
    patient_id: int
    payer_id: int | None
    rendering_provider_id: int
    date_of_service: datetime.date


class _ClaimLine(NamedTuple):
    id: int
    claim_id: int
    line_number: int
    procedure_code: str
    charge_cents: int


@dataclass(slots=True)
class _Guarantor:
    patient: _Patient
    claims: list[int] = field(default_factory=list)  # the visits with anything owed, by claim id


@dataclass(frozen=True, slots=True)
class PlannedStatement:
    practice: str
    account_number: str
    patient_name: str
    decision: StatementDecision
    visits: tuple[Visit, ...]
    credit: Money
    aging: dict[str, Money]
    step: Step = Step.STATEMENT

    def to_json(self) -> dict[str, Any]:
        return {"practice": self.practice, "account_number": self.account_number, "patient": self.patient_name,
                "send": self.decision.send, "reason": self.decision.reason,
                "amount": self.decision.amount.plain(),
                "due_on": self.decision.due_on.isoformat() if self.decision.due_on else None,
                "step": self.step.value, "credit": self.credit.plain(),
                "visits": [{"date_of_service": v.date_of_service.isoformat(),
                            "patient_owes": v.patient_balance.plain(), "payer_pending": v.payer_pending,
                            "first_billed": v.first_billed.isoformat() if v.first_billed else None}
                           for v in self.visits],
                "aging": {bucket: amount.plain() for bucket, amount in self.aging.items()}}


@dataclass(slots=True)
class _PracticeBook:
    """One practice's accounts on the run day, as read from the ledger and the statement history."""

    practice: PracticeRow
    policy: Policy
    lines: dict[int, _Line]
    claim_lines: dict[int, list[_ClaimLine]]  # claim id -> its charged lines, in order
    claims: dict[int, _Claim]
    guarantors: dict[int, _Guarantor]
    credits: dict[int, int]
    first_billed: dict[int, datetime.date]  # claim id -> its first statement's day
    last_statement: dict[int, datetime.date]  # patient id -> their last statement's day
    holds: dict[int, set[Hold]]
    planned: list[tuple[PlannedStatement, _Guarantor]] = field(default_factory=list)


def plan_statements(database: Database, practice_ids: Collection[int] | None, day: datetime.date, *,
                    practices: Collection[str] | None = None, policy: Policy | None = None,
                    cycle_billing: bool | None = None, actor: str = "statements") -> list[PlannedStatement]:
    """Every patient of these practices (ids; None: every practice, or those whose codes ``practices`` names) with
    a patient balance or credit, and whether a statement goes out on ``day`` (and why not). ``policy`` and
    ``cycle_billing`` override the practice's own (None: the practice's). Reading the balances is audited."""
    with UnitOfWork(database, actor=actor) as uow:
        books = _read_books(uow, practice_ids, practices, day, policy, cycle_billing)
        planned = [p for book in books for p, _ in book.planned]
        if books:
            uow.audit_practices("statements.planned", "patient", [b.practice.id for b in books],
                                detail={"day": day.isoformat(), "guarantors": len(planned),
                                        "to_send": sum(p.decision.send for p in planned)})
        uow.commit()
    return planned


@dataclass(frozen=True, slots=True)
class SentStatement:
    """A statement of a run: made (or, on a dry run, to be made) for a guarantor."""

    planned: PlannedStatement
    delivery: str  # email or print
    code: str | None  # None on a dry run
    statement_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        data = self.planned.to_json()
        del data["send"]
        return {**data, "delivery": self.delivery, "code": self.code, "statement_id": self.statement_id}


@dataclass(frozen=True, slots=True)
class StatementRun:
    day: datetime.date
    dry_run: bool
    statements: tuple[SentStatement, ...]
    not_billed: dict[str, int]  # why not, in words -> how many guarantors

    @property
    def amount(self) -> Money:
        return total([s.planned.decision.amount for s in self.statements])

    def to_json(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "dry_run": self.dry_run, "statements_count": len(self.statements),
                "amount": self.amount.plain(),
                "by_delivery": {kind: sum(s.delivery == kind for s in self.statements) for kind in ("email", "print")},
                "statements": [s.to_json() for s in self.statements],
                "not_billed": dict(sorted(self.not_billed.items()))}


def run_statements(database: Database, day: datetime.date, *, practices: Collection[str] | None = None,
                   practice_ids: Collection[int] | None = None, dry_run: bool = False,
                   cycle_billing: bool | None = None, actor: str = "statements",
                   now: datetime.datetime | None = None) -> StatementRun:
    """The statement run of ``day``: for each guarantor the plan bills, a statement (its document from the ledger,
    a code for the statement page, e-mail when the patient has an address, else print). Run twice on a day, the
    second run makes none (the guarantor was billed this cycle). ``dry_run``: what would be made, nothing kept."""
    moment = now or utc_now()
    made: list[SentStatement] = []
    not_billed: dict[str, int] = defaultdict(int)
    with UnitOfWork(database, actor=actor, clock=lambda: moment) as uow:
        books = _read_books(uow, practice_ids, practices, day, None, cycle_billing)
        for book in books:
            sending = [(p, g) for p, g in book.planned if p.decision.send]
            for planned, _ in book.planned:
                if not planned.decision.send:
                    not_billed[_reason_kind(planned.decision.reason)] += 1
            ids: list[int] = []
            for start in range(0, len(sending), _BATCH):  # documents are built, kept and let go a batch at a time
                batch = sending[start:start + _BATCH]
                documents = _documents(uow, book, batch, day)
                if dry_run:
                    made += [SentStatement(planned, _delivery(guarantor), None) for planned, guarantor in batch]
                    continue
                kept = _keep(uow, book, batch, documents, day, actor, moment)
                ids += kept
                made += [SentStatement(planned, _delivery(guarantor), document.statement_code, statement_id)
                         for (planned, guarantor), document, statement_id in zip(batch, documents, kept, strict=True)]
            uow.audit_practices("statements.dry_run" if dry_run else "statements.made", "statement",
                                [book.practice.id], detail={"day": day.isoformat(), "statements": len(sending),
                                                            "first_id": min(ids, default=None),
                                                            "last_id": max(ids, default=None)})
        uow.commit()  # a dry run keeps only its audit event
    return StatementRun(day, dry_run, tuple(made), dict(not_billed))


def _delivery(guarantor: _Guarantor) -> str:
    return "email" if guarantor.patient.email else "print"


def _keep(uow: UnitOfWork, book: _PracticeBook, batch: Sequence[tuple[PlannedStatement, _Guarantor]],
          documents: Sequence[StatementDocument], day: datetime.date, actor: str,
          moment: datetime.datetime) -> list[int]:
    """Insert a batch's statements and the visits they list, two INSERTs for the batch (not a flush per
    statement); returns the statements' ids, in the batch's order."""
    rows = [dict(practice_id=book.practice.id, patient_id=guarantor.patient.id, statement_date=day,
                 due_on=document.due_on, amount_cents=document.balance_due.cents, step=document.step,
                 code=document.statement_code, delivery=_delivery(guarantor), delivery_status="pending",
                 document=document.to_json(), created_by=actor, created_at=moment)
            for (_, guarantor), document in zip(batch, documents, strict=True)]
    ids = list(uow.session.scalars(insert(StatementRow).returning(StatementRow.id, sort_by_parameter_order=True),
                                   rows))
    visits = [dict(practice_id=book.practice.id, statement_id=statement_id, claim_id=claim_id,
                   patient_owes_cents=_owed(book, claim_id))
              for statement_id, (_, guarantor) in zip(ids, batch, strict=True) for claim_id in guarantor.claims]
    if visits:
        uow.session.execute(insert(StatementClaimRow), visits)
    return ids


def statement_document(database: Database, statement_id: int, practice_ids: Collection[int] | None, *,
                       actor: str) -> StatementDocument:
    """A kept statement's document, as it was sent (audited: it shows a patient's visits and balance)."""
    with UnitOfWork(database, actor=actor) as uow:
        row = uow.session.get(StatementRow, statement_id)
        if row is None or (practice_ids is not None and row.practice_id not in practice_ids):
            raise NotFound(f"no statement {statement_id}")
        uow.practice(row.practice_id).audit("statement.read", "statement", row.id)
        document = StatementDocument.from_json(row.document)
        uow.commit()
    return document


@dataclass(frozen=True, slots=True)
class StatementListed:
    id: int
    practice: str
    account_number: str
    patient: str
    statement_date: datetime.date
    due_on: datetime.date
    amount: Money
    step: Step
    delivery: str
    delivery_status: str
    code: str
    delivery_note: str | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "practice": self.practice, "account_number": self.account_number,
                "patient": self.patient, "statement_date": self.statement_date.isoformat(),
                "due_on": self.due_on.isoformat(), "amount": self.amount.plain(), "step": self.step.value,
                "delivery": self.delivery, "delivery_status": self.delivery_status, "code": self.code,
                "delivery_note": self.delivery_note}


def recent_statements(database: Database, practice_ids: Collection[int] | None, *, actor: str, limit: int = 200,
                      account_number: str | None = None) -> list[StatementListed]:
    """The latest statements of these practices (None: all), newest first; of one account when given. Audited."""
    with UnitOfWork(database, actor=actor) as uow:
        query = (select(StatementRow, PatientRow.account_number, PatientRow.last_name, PatientRow.first_name,
                        PracticeRow.code)
                 .join(PatientRow, (PatientRow.id == StatementRow.patient_id)
                       & (PatientRow.practice_id == StatementRow.practice_id))
                 .join(PracticeRow, PracticeRow.id == StatementRow.practice_id)
                 .order_by(StatementRow.statement_date.desc(), StatementRow.id.desc()).limit(limit))
        if practice_ids is not None:
            query = query.where(StatementRow.practice_id.in_(set(practice_ids)))
        if account_number is not None:
            query = query.where(PatientRow.account_number == account_number.strip())
        found = [StatementListed(row.id, code, account, f"{last}, {first}", row.statement_date, row.due_on,
                                 Money(row.amount_cents), Step(row.step), row.delivery, row.delivery_status, row.code,
                                 row.delivery_note)
                 for row, account, last, first, code in uow.session.execute(query)]
        ids = practice_ids if practice_ids is not None else list(uow.session.scalars(select(PracticeRow.id)))
        if ids:
            uow.audit_practices("statements.listed", "statement", ids, detail={"statements": len(found)})
        uow.commit()
    return found


def _reason_kind(reason: str) -> str:
    """The kind of a 'why not' (its words before any figures), to count them."""
    for kind in ("a payer still owes", "below the practice's minimum", "not the guarantor's billing day",
                 "already billed", "nothing owed", "a credit balance"):
        if kind in reason:
            return kind
    return reason


def _read_books(uow: UnitOfWork, practice_ids: Collection[int] | None, practices: Collection[str] | None,
                day: datetime.date, policy: Policy | None, cycle_billing: bool | None) -> list[_PracticeBook]:
    query = select(PracticeRow).order_by(PracticeRow.code)
    if practice_ids is not None:
        query = query.where(PracticeRow.id.in_(set(practice_ids)))
    if practices is not None:
        query = query.where(PracticeRow.code.in_(set(practices)))
    chosen = list(uow.session.scalars(query))
    if practices is not None:
        missing = sorted(set(practices) - {p.code for p in chosen})
        if missing:
            raise NotFound(f"no practice {', '.join(missing)}")
    books = []
    for practice in chosen:
        book = _read_book(uow, practice, policy or load_policy(uow, practice.id))
        _plan(book, day, book.policy.cycle_billing if cycle_billing is None else cycle_billing)
        books.append(book)
    return books


def _read_book(uow: UnitOfWork, practice: PracticeRow, policy: Policy) -> _PracticeBook:
    session = uow.session
    sums = session.execute(
        select(PostingRow.patient_id, PostingRow.claim_line_id, LedgerAccountRow.code,
               PostingRow.payer_id.is_(None), func.sum(PostingRow.amount_cents))
        .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
        .where(PostingRow.practice_id == practice.id, LedgerAccountRow.practice_id == practice.id,
               LedgerAccountRow.code.in_(_ACCOUNTS))
        .group_by(PostingRow.patient_id, PostingRow.claim_line_id, LedgerAccountRow.code,
                  PostingRow.payer_id.is_(None)))
    figures: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    credits: dict[int, int] = defaultdict(int)
    for patient_id, line_id, code, no_payer, cents in sums:
        if code == PATIENT_CREDIT:
            if patient_id is not None:
                credits[patient_id] -= int(cents)  # a liability: credits are negative postings
            if line_id is not None:  # a credit applied to a line (Dr 2100 naming it): the patient paid it ahead
                figures[line_id]["patient_cash"] += int(cents)
        elif line_id is not None:
            key = "patient_cash" if code == CASH and no_payer else code
            figures[line_id][key] += int(cents)
    lines = {line_id: _Line(insurance_paid=f[CASH], patient_paid=f["patient_cash"],
                            patient_owes=f[PATIENT_AR], payer_owes=f[INSURANCE_AR] + f[DENIED_AR])
             for line_id, f in figures.items()}
    open_lines = [i for i, line in lines.items() if line.patient_owes or line.payer_owes]
    claim_ids = set(_chunked(session, open_lines, lambda ids: select(ClaimLineRow.claim_id).where(
        ClaimLineRow.practice_id == practice.id, ClaimLineRow.id.in_(ids)), int))
    claims = {c.id: c for c in _chunked(session, claim_ids, lambda ids: select(*_columns(ClaimRow, _Claim)).where(
        ClaimRow.practice_id == practice.id, ClaimRow.id.in_(ids)), _Claim)}
    claim_lines: dict[int, list[_ClaimLine]] = defaultdict(list)
    for line in sorted(_chunked(session, claims, lambda ids: select(*_columns(ClaimLineRow, _ClaimLine)).where(
            ClaimLineRow.practice_id == practice.id, ClaimLineRow.claim_id.in_(ids)), _ClaimLine),
            key=lambda row: (row.claim_id, row.line_number)):
        claim_lines[line.claim_id].append(line)
    people = {c.patient_id for c in claims.values()} | {p for p, cents in credits.items() if cents}
    patients = {p.id: p for p in _chunked(session, people, lambda ids: select(*_columns(PatientRow, _Patient)).where(
        PatientRow.practice_id == practice.id, PatientRow.id.in_(ids)), _Patient)}
    guarantors = {p: _Guarantor(patients[p]) for p in patients}
    for claim in sorted(claims.values(), key=lambda c: (c.date_of_service, c.id)):
        guarantors[claim.patient_id].claims.append(claim.id)
    first_billed = dict(session.execute(
        select(StatementClaimRow.claim_id, func.min(StatementRow.statement_date))
        .join(StatementRow, StatementRow.id == StatementClaimRow.statement_id)
        .where(StatementClaimRow.practice_id == practice.id).group_by(StatementClaimRow.claim_id)).all())
    last_statement = dict(session.execute(
        select(StatementRow.patient_id, func.max(StatementRow.statement_date))
        .where(StatementRow.practice_id == practice.id).group_by(StatementRow.patient_id)).all())
    holds: dict[int, set[Hold]] = defaultdict(set)
    for source in hold_sources():
        for patient_id, kinds in source(uow, practice.id).items():
            holds[patient_id] |= kinds
    return _PracticeBook(practice, policy, lines, dict(claim_lines), claims, guarantors, dict(credits), first_billed,
                         last_statement, dict(holds))


def _chunked(session: Any, ids: Iterable[int], query: Callable[[list[int]], Any],
             make: Callable[..., Any]) -> Iterator[Any]:
    """The rows of ``query`` over ``ids`` in IN lists of at most ``_CHUNK`` (SQLite bounds a query's parameters),
    each as ``make(*row)``."""
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), _CHUNK):
        for row in session.execute(query(ordered[start:start + _CHUNK])):
            yield make(*row)


def _columns(row_type: type[Any], values: type[tuple[Any, ...]]) -> list[Any]:
    """The columns of ``row_type`` named as the fields of the NamedTuple ``values``, in its order."""
    return [getattr(row_type, name) for name in values._fields]  # type: ignore[attr-defined]


def _owed(book: _PracticeBook, claim_id: int) -> int:
    return sum(book.lines.get(line.id, _Line()).patient_owes for line in book.claim_lines.get(claim_id, []))


def _payer_owes(book: _PracticeBook, claim_id: int) -> bool:
    return any(book.lines.get(line.id, _Line()).payer_owes for line in book.claim_lines.get(claim_id, []))


def _plan(book: _PracticeBook, day: datetime.date, cycle_billing: bool) -> None:
    for guarantor in sorted(book.guarantors.values(), key=lambda g: g.patient.account_number):
        patient = guarantor.patient
        guarantor.claims = [c for c in guarantor.claims if book.claims[c].date_of_service <= day]  # none ahead
        visits = tuple(Visit(book.claims[c].date_of_service, Money(_owed(book, c)), payer_pending=_payer_owes(book, c),
                             first_billed=book.first_billed.get(c)) for c in guarantor.claims)
        if not any(v.patient_balance.cents for v in visits) and not book.credits.get(patient.id):
            continue  # only insurance owes: nothing of the patient's yet
        account = Account(patient.account_number, visits, credit=Money(book.credits.get(patient.id, 0)),
                          last_statement=book.last_statement.get(patient.id),
                          holds=tuple(sorted(book.holds.get(patient.id, set()))))
        decision = statement_decision(account, day, book.policy, cycle_billing=cycle_billing)
        step = dunning_step(account, day, book.policy).step
        step = Step.FINAL_NOTICE if step is Step.AGENCY else step or Step.STATEMENT
        book.planned.append((PlannedStatement(book.practice.code, patient.account_number,
                                              f"{patient.last_name}, {patient.first_name}", decision, visits,
                                              account.credit, aging(visits, day), step), guarantor))


def _documents(uow: UnitOfWork, book: _PracticeBook, sending: Sequence[tuple[PlannedStatement, _Guarantor]],
               day: datetime.date) -> list[StatementDocument]:
    if not sending:
        return []
    session = uow.session
    practice = book.practice
    row = _policy_row(uow, practice.id)
    providers = {p.id: p for p in session.scalars(select(ProviderRow).where(ProviderRow.practice_id == practice.id))}
    payer_ids = {book.claims[c].payer_id for _, g in sending for c in g.claims} - {None}
    payers = dict(session.execute(select(PayerRow.id, PayerRow.name).where(PayerRow.id.in_(payer_ids))).all()) \
        if payer_ids else {}
    payments = _payments(uow, practice.id, {g.patient.id for _, g in sending}, day)  # at most _CHUNK
    address = (practice.address_line1, *((practice.address_line2,) if practice.address_line2 else ()),
               f"{practice.city}, {practice.state} {_zip(practice.zip_code)}")
    remit = ((practice.pay_to_address_line1, *((practice.pay_to_address_line2,) if practice.pay_to_address_line2
                                                 else ()),
              f"{practice.pay_to_city}, {practice.pay_to_state} {_zip(practice.pay_to_zip_code or '')}")
             if practice.pay_to_address_line1 and practice.pay_to_city else address)
    documents = []
    for planned, guarantor in sending:
        patient = guarantor.patient
        since = book.last_statement.get(patient.id) or day - datetime.timedelta(days=PAYMENTS_SHOWN_DAYS)
        visits = []
        for claim_id in guarantor.claims:
            claim = book.claims[claim_id]
            provider = providers.get(claim.rendering_provider_id)
            visits.append(StatementVisit(
                claim.date_of_service, f"Dr. {provider.first_name} {provider.last_name}" if provider else "",
                payers.get(claim.payer_id) if claim.payer_id else None,
                tuple(_statement_line(line, book.lines.get(line.id, _Line()), claim.date_of_service)
                      for line in book.claim_lines.get(claim_id, []))))
        documents.append(StatementDocument(
            practice_name=practice.legal_name, practice_address=address,
            remit_to_name=practice.legal_name, remit_to_address=remit,
            billing_phone=_phone((row.billing_phone if row else None) or practice.phone or ""),
            pay_url=row.pay_url if row else None, statement_date=day,
            due_on=planned.decision.due_on or day, account_number=patient.account_number,
            statement_code=new_statement_code(), guarantor_name=f"{patient.first_name} {patient.last_name}",
            guarantor_address=(patient.address_line1, *((patient.address_line2,) if patient.address_line2 else ()),
                               f"{patient.city}, {patient.state} {_zip(patient.zip_code)}"),
            step=planned.step.value, message=book.policy.message(planned.step), visits=tuple(visits),
            payments=tuple(p for p in payments.get(patient.id, []) if p.paid_on > since),
            credit=planned.credit, aging=tuple((b, planned.aging[b]) for b in AGING_BUCKETS),
            balance_due=planned.decision.amount))
    return documents


def _statement_line(line: _ClaimLine, figures: _Line, day: datetime.date) -> StatementLine:
    charged = line.charge_cents  # what the practice charged (a charge edit changes it, with its own entry)
    adjusted = charged - figures.insurance_paid - figures.patient_paid - figures.patient_owes - figures.payer_owes
    return StatementLine(describe(line.procedure_code, day), Money(charged), Money(figures.insurance_paid),
                         Money(adjusted + figures.payer_owes), Money(figures.patient_paid), Money(figures.patient_owes))


def describe(code: str, day: datetime.date) -> str:
    """A service in words with its code after them ("Skin biopsy ... (11102)"): a code never stands alone."""
    known = _code_set().in_force(code, day)
    words = known.description if known else "Medical service"
    return f"{words[:1].upper()}{words[1:]} ({code})"


@functools.cache
def _code_set() -> Any:
    from dermbill.reference.coding_tables import load_code_set

    return load_code_set()


def _payments(uow: UnitOfWork, practice_id: int, patient_ids: set[int],
              day: datetime.date) -> dict[int, list[StatementPayment]]:
    """The patients' own payments (cash naming no payer) of the last months, by patient, oldest first. Read by
    the patients' ids (at most ``_CHUNK``), not over the practice's whole ledger."""
    rows = uow.session.execute(
        select(PostingRow.patient_id, JournalEntryRow.entry_date, JournalEntryRow.idempotency_key,
               func.sum(PostingRow.amount_cents))
        .join(JournalEntryRow, JournalEntryRow.id == PostingRow.journal_entry_id)
        .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
        .where(PostingRow.practice_id == practice_id, LedgerAccountRow.code == CASH, PostingRow.payer_id.is_(None),
               PostingRow.patient_id.in_(sorted(patient_ids)),
               JournalEntryRow.entry_date > day - datetime.timedelta(days=PAYMENTS_SHOWN_DAYS * 6),
               JournalEntryRow.entry_date <= day)
        .group_by(PostingRow.patient_id, JournalEntryRow.id, JournalEntryRow.entry_date,
                  JournalEntryRow.idempotency_key)
        .order_by(JournalEntryRow.entry_date, JournalEntryRow.id))
    found: dict[int, list[StatementPayment]] = defaultdict(list)
    for patient_id, entry_date, key, cents in rows:
        if patient_id in patient_ids and cents:
            reference = key.split(":", 1)[1] if key and key.startswith("patient-payment:") else None
            words = ("Payment received" + (f" (reference {reference})" if reference else "") + ": thank you"
                     if cents > 0 else "Refund sent to you")
            found[patient_id].append(StatementPayment(entry_date, words, Money(abs(int(cents)))))
    return found


def _phone(number: str) -> str:
    """A US phone number as patients read it, (215) 555-0100; anything else as it was kept."""
    digits = "".join(c for c in number if c.isdigit())
    digits = digits[1:] if len(digits) == 11 and digits.startswith("1") else digits
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}" if len(digits) == 10 else number.strip()


def _zip(code: str) -> str:
    return f"{code[:5]}-{code[5:]}" if len(code) == 9 else code


def new_statement_code() -> str:
    """A statement code: 10 characters a patient can read and type (about 49 bits: not guessable; the page also
    wants the date of birth and limits attempts)."""
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(CODE_LENGTH))


POLICY_FIELDS = ("minimum_balance", "due_days", "reminder_days", "past_due_days", "final_notice_days", "agency_days",
                 "small_balance", "cycle_billing", "billing_phone", "pay_url")


def statement_policy(database: Database, practice_code: str, changes: dict[str, Any] | None = None, *,
                     wording: dict[str, str] | None = None, actor: str,
                     now: datetime.datetime | None = None) -> dict[str, Any]:
    """A practice's statement policy (by its code) as JSON values; with ``changes`` (names of ``POLICY_FIELDS``:
    amounts as Money, days as int) and ``wording`` (step -> words; empty words: back to the default), set them
    first. The whole policy is checked (``core.statements.Policy``) before anything is kept; audited."""
    moment = now or utc_now()
    unknown = sorted(set(changes or {}) - set(POLICY_FIELDS))
    if unknown:
        raise NotFound(f"no statement policy setting {', '.join(unknown)} (settings: {', '.join(POLICY_FIELDS)})")
    with UnitOfWork(database, actor=actor, clock=lambda: moment) as uow:
        found = list(uow.session.scalars(select(PracticeRow).where(PracticeRow.code == practice_code.strip())))
        if len(found) != 1:
            raise NotFound(f"no practice {practice_code.strip()[:20]!r}") if not found else InvalidInput(
                f"{len(found)} billing companies have a practice {practice_code!r}: ask the administrator")
        repo = uow.practice(found[0].id)
        row = _policy_row(uow, repo.practice_id)
        before = _policy_json(load_policy(uow, repo.practice_id), row)
        if not changes and wording is None:
            uow.commit()
            return before
        merged = {**before, **{k: v for k, v in (changes or {}).items()}}
        words = {step: text for step, text in {**before["wording"], **(wording or {})}.items() if text.strip()}
        policy = Policy(minimum_balance=_money(merged["minimum_balance"]), due_days=merged["due_days"],
                        reminder_days=merged["reminder_days"], past_due_days=merged["past_due_days"],
                        final_notice_days=merged["final_notice_days"], agency_days=merged["agency_days"],
                        small_balance=_money(merged["small_balance"]), cycle_billing=merged["cycle_billing"],
                        wording=_wording(words))
        if row is None:
            row = repo.add(StatementPolicyRow(updated_by=actor, updated_at=moment, wording={}))
        row.minimum_balance_cents, row.due_days = policy.minimum_balance.cents, policy.due_days
        row.reminder_days, row.past_due_days = policy.reminder_days, policy.past_due_days
        row.final_notice_days, row.agency_days = policy.final_notice_days, policy.agency_days
        row.small_balance_cents, row.cycle_billing = policy.small_balance.cents, policy.cycle_billing
        row.wording = {step.value: text for step, text in policy.wording.items()}
        row.billing_phone, row.pay_url = merged["billing_phone"] or None, merged["pay_url"] or None
        row.updated_by, row.updated_at = actor, moment
        after = _policy_json(policy, row)
        repo.audit("statements.policy", "practice", repo.practice_id, {"before": before, "after": after})
        uow.commit()
    return after


def _money(value: Any) -> Money:
    return value if isinstance(value, Money) else Money.parse(str(value))


def _wording(words: dict[str, str]) -> dict[Step, str]:
    try:
        return {Step(step): text.strip() for step, text in words.items()}
    except ValueError as error:
        raise InvalidInput(f"no statement step {error.args[0].split()[0]} (steps: statement, reminder, past_due, "
                           "final_notice)") from error


def _policy_json(policy: Policy, row: StatementPolicyRow | None) -> dict[str, Any]:
    return {"minimum_balance": policy.minimum_balance.plain(), "due_days": policy.due_days,
            "reminder_days": policy.reminder_days, "past_due_days": policy.past_due_days,
            "final_notice_days": policy.final_notice_days, "agency_days": policy.agency_days,
            "small_balance": policy.small_balance.plain(), "cycle_billing": policy.cycle_billing,
            "billing_phone": row.billing_phone if row else None, "pay_url": row.pay_url if row else None,
            "wording": {step.value: text for step, text in policy.wording.items()}}
