"""Bank deposits and the day's cash: each deposit a person enters (date, amount, the bank's reference) is matched
to the cash receipts it holds, and the difference is shown until they agree.

A cash receipt is a posted remittance's payment (BPR02, with its TRN trace number: an 835, or a paper EOB entered
by hand) or a journal entry's cash from a patient payment (a check, cash, a card's settlement). Each receipt is
in one deposit at most; a deposit is of one practice. Everything is within the user's practices and audited.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from dermbill.core.errors import InvalidFields, InvalidInput, NotFound, Problem
from dermbill.core.ledger import CASH
from dermbill.core.money import Money
from dermbill.db.engine import Database
from dermbill.db.models import (
    DepositItemRow,
    DepositRow,
    JournalEntryRow,
    LedgerAccountRow,
    PostingRow,
    PracticeRow,
    RemittanceRow,
)
from dermbill.db.repositories import UnitOfWork, utc_now

PATIENT_CASH_KINDS = ("patient_payment",)


@dataclass(frozen=True, slots=True)
class Receipt:
    key: str  # remittance:<id> or entry:<id>: what a deposit is matched with
    practice: str
    kind: str  # "835 payment", "paper EOB check", "patient payment"
    day: datetime.date
    amount: Money
    reference: str  # the TRN trace number, the check number
    from_whom: str  # the payer, or the entry's memo
    deposit_id: int | None


@dataclass(frozen=True, slots=True)
class Deposit:
    id: int
    practice: str
    day: datetime.date
    amount: Money
    reference: str
    created_by: str
    receipts: tuple[Receipt, ...]

    @property
    def matched(self) -> Money:
        return Money(sum(r.amount.cents for r in self.receipts))

    @property
    def difference(self) -> Money:
        """The deposit less the receipts matched to it: zero when it reconciles."""
        return self.amount - self.matched


@dataclass(frozen=True, slots=True)
class DayOfCash:
    day: datetime.date
    receipts: tuple[Receipt, ...]
    deposits: tuple[Deposit, ...]

    @property
    def received(self) -> Money:
        return Money(sum(r.amount.cents for r in self.receipts))

    @property
    def deposited(self) -> Money:
        return Money(sum(d.amount.cents for d in self.deposits))

    @property
    def difference(self) -> Money:
        """The day's deposits less the day's cash postings."""
        return self.deposited - self.received

    @property
    def unmatched(self) -> tuple[Receipt, ...]:
        return tuple(r for r in self.receipts if r.deposit_id is None)


def practice_choices(database: Database, practice_ids: Collection[int]) -> list[tuple[int, str]]:
    """The user's practices, (id, code), for a form's choice."""
    with UnitOfWork(database, actor="deposits") as uow:
        return [(int(pid), str(code)) for pid, code in uow.session.execute(
            select(PracticeRow.id, PracticeRow.code).where(PracticeRow.id.in_(sorted(practice_ids)))
            .order_by(PracticeRow.code))]


def _receipts(uow: UnitOfWork, practice_ids: Collection[int], *, day: datetime.date | None = None,
              deposit_id: int | None = None) -> list[Receipt]:
    scope = sorted(practice_ids)
    codes = dict(uow.session.execute(select(PracticeRow.id, PracticeRow.code).where(PracticeRow.id.in_(scope))).all())
    in_deposit = {(("remittance", r) if r is not None else ("entry", e)): d for r, e, d in uow.session.execute(
        select(DepositItemRow.remittance_id, DepositItemRow.journal_entry_id, DepositItemRow.deposit_id)
        .where(DepositItemRow.practice_id.in_(scope),
               *([DepositItemRow.deposit_id == deposit_id] if deposit_id is not None else [])))}
    wanted_remittances = [r for kind, r in in_deposit if kind == "remittance"] if deposit_id is not None else None
    wanted_entries = [e for kind, e in in_deposit if kind == "entry"] if deposit_id is not None else None
    found: list[Receipt] = []
    query = select(RemittanceRow).where(RemittanceRow.practice_id.in_(scope), RemittanceRow.status == "posted",
                                        RemittanceRow.payment_cents != 0)
    query = query.where(RemittanceRow.id.in_(wanted_remittances)) if wanted_remittances is not None else \
        query.where(RemittanceRow.payment_date == day)
    for row in uow.session.scalars(query.order_by(RemittanceRow.id)):
        paper = row.file_name.startswith("paper EOB")
        found.append(Receipt(f"remittance:{row.id}", codes[row.practice_id],
                             "paper EOB check" if paper else "835 payment", row.payment_date or day or
                             row.received_at.date(), Money(row.payment_cents),
                             row.trace_number.rsplit(" ", 1)[0] if paper else row.trace_number, row.payer_identifier,
                             in_deposit.get(("remittance", row.id))))
    cash = (select(JournalEntryRow, func.sum(PostingRow.amount_cents))
            .join(PostingRow, PostingRow.journal_entry_id == JournalEntryRow.id)
            .join(LedgerAccountRow, LedgerAccountRow.id == PostingRow.account_id)
            .where(JournalEntryRow.practice_id.in_(scope), JournalEntryRow.kind.in_(PATIENT_CASH_KINDS),
                   LedgerAccountRow.code == CASH)
            .group_by(JournalEntryRow.id))
    cash = cash.where(JournalEntryRow.id.in_(wanted_entries)) if wanted_entries is not None else \
        cash.where(JournalEntryRow.entry_date == day)
    for entry, cents in uow.session.execute(cash.order_by(JournalEntryRow.id)):
        if int(cents):
            found.append(Receipt(f"entry:{entry.id}", codes[entry.practice_id], "patient payment", entry.entry_date,
                                 Money(int(cents)), entry.idempotency_key.rsplit(":", 1)[-1] if entry.idempotency_key
                                 else "", entry.memo[:80], in_deposit.get(("entry", entry.id))))
    return found


def _deposit(uow: UnitOfWork, practice_ids: Collection[int], row: DepositRow, code: str) -> Deposit:
    return Deposit(row.id, code, row.deposit_date, Money(row.amount_cents), row.reference, row.created_by,
                   tuple(_receipts(uow, [row.practice_id], deposit_id=row.id)))


def day_of_cash(database: Database, practice_ids: Collection[int], day: datetime.date, *, actor: str) -> DayOfCash:
    """The day's cash receipts and deposits of these practices, to reconcile (audited)."""
    if not practice_ids:
        return DayOfCash(day, (), ())
    with UnitOfWork(database, actor=actor) as uow:
        receipts = _receipts(uow, practice_ids, day=day)
        deposits = [_deposit(uow, practice_ids, row, code) for row, code in uow.session.execute(
            select(DepositRow, PracticeRow.code).join(PracticeRow, PracticeRow.id == DepositRow.practice_id)
            .where(DepositRow.practice_id.in_(sorted(practice_ids)), DepositRow.deposit_date == day)
            .order_by(DepositRow.id))]
        uow.audit_practices("deposit.day_viewed", "deposit", practice_ids, detail={"day": day.isoformat()})
        uow.commit()
        return DayOfCash(day, tuple(receipts), tuple(deposits))


def deposit_of(database: Database, practice_ids: Collection[int], deposit_id: int, *,
               actor: str) -> tuple[Deposit, DayOfCash]:
    """A deposit with its receipts, and its day's cash (the receipts it may be matched with)."""
    with UnitOfWork(database, actor=actor) as uow:
        found = uow.session.execute(
            select(DepositRow, PracticeRow.code).join(PracticeRow, PracticeRow.id == DepositRow.practice_id)
            .where(DepositRow.id == deposit_id, DepositRow.practice_id.in_(sorted(practice_ids)))).first()
        if found is None:
            raise NotFound(f"no deposit {deposit_id} among your practices' deposits")
        row, code = found
        deposit = _deposit(uow, practice_ids, row, code)
        practice_id = row.practice_id
    return deposit, day_of_cash(database, [practice_id], deposit.day, actor=actor)


def record_deposit(database: Database, practice_ids: Collection[int], practice_id: int | None, day_text: str,
                   amount_text: str, reference: str, *, actor: str, now: datetime.datetime | None = None) -> int:
    """Enter a bank deposit (InvalidFields naming each wrong field); returns its id."""
    problems: list[Problem] = []
    if practice_id is None or practice_id not in practice_ids:
        problems.append(Problem("practice", "choose one of your practices"))
    day: datetime.date | None = None
    try:
        day = datetime.date.fromisoformat(day_text.strip())
    except ValueError:
        problems.append(Problem("deposit_date", f"'{day_text.strip()[:20]}' is not a date; e.g. 2026-11-30"))
    amount = Money(0)
    try:
        amount = Money.parse(amount_text.strip())
        if amount.cents <= 0:
            problems.append(Problem("amount", "must be more than zero"))
    except InvalidInput as bad:
        problems.append(Problem("amount", f"'{amount_text.strip()[:20]}' is not an amount ({bad}); e.g. 1250.00"))
    if not reference.strip():
        problems.append(Problem("reference", "is required (the deposit slip or bank reference)"))
    elif len(reference.strip()) > 80:
        problems.append(Problem("reference", "is longer than 80 characters"))
    if problems:
        raise InvalidFields("the deposit was not recorded", tuple(problems))
    assert practice_id is not None and day is not None
    moment = now or utc_now()
    with UnitOfWork(database, actor=actor, clock=lambda: moment) as uow:
        repo = uow.practice(practice_id)
        if repo.rows(DepositRow, DepositRow.deposit_date == day, DepositRow.reference == reference.strip()):
            raise InvalidFields("the deposit was not recorded", (Problem(
                "reference", f"a deposit of {day} with reference {reference.strip()} was entered already"),))
        row = repo.add(DepositRow(deposit_date=day, amount_cents=amount.cents, reference=reference.strip(),
                                  created_by=actor[:100], created_at=moment))
        repo.flush()
        repo.audit("deposit.recorded", "deposit", row.id, {"day": day.isoformat(), "amount": str(amount),
                                                           "reference": reference.strip()})
        uow.commit()
        return row.id


def match_receipts(database: Database, practice_ids: Collection[int], deposit_id: int, keys: Sequence[str], *,
                   actor: str, now: datetime.datetime | None = None) -> Deposit:
    """Match cash receipts (their keys) to a deposit; each must be of the deposit's practice and in no deposit."""
    moment = now or utc_now()
    with UnitOfWork(database, actor=actor, clock=lambda: moment) as uow:
        row = uow.session.scalars(select(DepositRow).where(
            DepositRow.id == deposit_id, DepositRow.practice_id.in_(sorted(practice_ids)))).first()
        if row is None:
            raise NotFound(f"no deposit {deposit_id} among your practices' deposits")
        if not keys:
            raise InvalidInput("choose the receipts that are in this deposit")
        repo = uow.practice(row.practice_id)
        candidates = {r.key: r for r in _receipts(uow, [row.practice_id], day=row.deposit_date)}
        for key in keys:
            receipt = candidates.get(key)
            if receipt is None:
                raise InvalidInput(f"{key[:40]} is not a cash receipt of {row.deposit_date} in practice "
                                   f"{repo.practice.code}")
            if receipt.deposit_id is not None:
                raise InvalidInput(f"{receipt.kind} {receipt.reference} ({receipt.amount}) is in deposit "
                                   f"{receipt.deposit_id} already")
            kind, _, ident = key.partition(":")
            repo.add(DepositItemRow(deposit_id=row.id, remittance_id=int(ident) if kind == "remittance" else None,
                                    journal_entry_id=int(ident) if kind == "entry" else None,
                                    amount_cents=receipt.amount.cents, matched_by=actor[:100], matched_at=moment))
        repo.flush()
        repo.audit("deposit.matched", "deposit", row.id, {"receipts": list(keys)})
        code = repo.practice.code
        deposit = _deposit(uow, practice_ids, row, code)
        uow.commit()
        return deposit
