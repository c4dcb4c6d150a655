"""Unit of work and tenant-scoped repositories.

``UnitOfWork`` owns one session; only services open one and commit. ``uow.practice(id)`` returns a
``PracticeRepository`` that can only read and write that practice's rows: every query it builds
filters on ``practice_id``, and a row of another practice is "not found", never returned.
"""

from __future__ import annotations

import datetime
import json
import secrets
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from operator import itemgetter
from types import TracebackType
from typing import Any, TypeVar, cast

import psycopg
from sqlalchemy import (
    ARRAY,
    JSON,
    Column,
    ColumnElement,
    MetaData,
    Table,
    any_,
    bindparam,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from dermbill.clock import utc_now as utc_now  # the services take their default clock from here
from dermbill.core.errors import InvalidInput, NotFound, StorageUnavailable
from dermbill.core.ledger import (
    DENIED_AR,
    INSURANCE_AR,
    PATIENT_AR,
    STANDARD_CHART,
    JournalEntry,
    Posting,
    reversal_of,
)
from dermbill.core.money import Money
from dermbill.db.audit_origin import current_origin
from dermbill.db.audit_trail import append_events, normalized_detail
from dermbill.db.engine import Database, first_line
from dermbill.db.models import (
    ClaimLineRow,
    ClaimRow,
    JournalEntryRow,
    LedgerAccountRow,
    LedgerDayTotalRow,
    OrganizationRow,
    PayerRow,
    PostingRow,
    PracticeRow,
    ReceivableBalanceRow,
    ReportVersionRow,
    TenantRow,
)

T = TypeVar("T", bound=TenantRow)
R = TypeVar("R")
Clock = Callable[[], datetime.datetime]
ENTRIES_PER_INSERT = 100  # journal entries per multi-row INSERT on SQLite (8 values each: under its 999 parameters)



KEYS_PER_QUERY = 500  # idempotency keys per IN (...) lookup


def _label(row_type: type[Any]) -> str:
    return str(row_type.__tablename__).replace("_", " ")


_default_clock: ContextVar[Clock | None] = ContextVar("dermbill_default_clock", default=None)
_writer = threading.local()  # ``active`` on a unit of work's writer thread (``UnitOfWork.write_behind``)


@contextmanager
def clock_for_units_of_work(clock: Clock) -> Iterator[None]:
    """Within the block, every unit of work opened without a clock of its own reads ``clock``: the demo runs a
    whole billing day as of one date, through services that do not take one."""
    token = _default_clock.set(clock)
    try:
        yield
    finally:
        _default_clock.reset(token)


class UnitOfWork:
    """One transaction: ``with UnitOfWork(db, actor="cli") as uow: ...; uow.commit()``.

    Leaving the block without commit rolls back. Database errors surface as DermbillErrors.
    """

    def __init__(self, database: Database, *, actor: str, clock: Clock | None = None) -> None:
        self.database = database
        self.actor = actor
        self.clock: Clock = clock or _default_clock.get() or utc_now
        self.origin = current_origin()
        self._session: Session | None = None
        self._pending_audit: list[dict[str, Any]] = []
        self._pending_write: Future[None] | None = None  # the writes running behind (``write_behind``)
        self._opened: set[int] = set()  # the practices whose repositories this unit of work opened
        self.written: set[int] = set()  # the practices whose rows this transaction wrote (their versions move)

    def __enter__(self) -> UnitOfWork:
        self._session = self.database.sessions()
        # Events of a rolled-back change are forgotten with it.
        event.listen(self._session, "after_rollback", self._forget_pending_audit)
        event.listen(self._session, "after_flush", self._note_flushed)
        event.listen(self._session, "do_orm_execute", self._note_statement)
        return self

    def _forget_pending_audit(self, _session: Session) -> None:
        self._pending_audit.clear()
        self.written.clear()

    def _note_flushed(self, session: Session, _context: object) -> None:
        for row in (*session.new, *session.dirty, *session.deleted):
            if isinstance(row, TenantRow) and row.practice_id is not None:
                self.written.add(row.practice_id)

    def _note_statement(self, state: Any) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            table = getattr(state.statement, "table", None)
            if table is None or "practice_id" in getattr(table, "c", {}):
                # a bulk statement on practices' rows: any practice this unit of work works on
                self.written.update(self._opened)

    def _raise_versions(self) -> None:
        """Add one to the data version of every practice written, last in the transaction (practices in order,
        so two commits wait for each other instead of deadlocking)."""
        if not self.written:
            return
        statement: Any = (postgresql_insert(ReportVersionRow) if self.session.get_bind().dialect.name == "postgresql"
                          else sqlite_insert(ReportVersionRow))
        statement = statement.on_conflict_do_update(index_elements=["practice_id"],
                                                    set_={"version": ReportVersionRow.version + 1})
        for practice_id in sorted(self.written):
            # a practice's first version is random, so that a database made again (a demo reset) never repeats
            # the versions a process remembers from the one before
            self.session.connection().execute(statement, {"practice_id": practice_id,
                                                          "version": secrets.randbits(62)})
        self.written.clear()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        pending, self._pending_write = self._pending_write, None
        if pending is not None:
            pending.exception()  # waited for, its error dropped: whatever it wrote is rolled back with the rest
        session = self.session
        try:
            session.rollback()
        finally:
            session.close()
            self._session = None
            self._pending_audit.clear()

    @property
    def session(self) -> Session:
        """The transaction's session; while writes run behind, the caller waits here for them to finish first (and
        gets their error), so the session and its connection serve one thread at a time."""
        if self._pending_write is not None and not getattr(_writer, "active", False):
            self.wait_for_writes()
        if self._session is None:
            raise RuntimeError("the unit of work is not open; use it in a with block")
        return self._session

    def write_behind(self, action: Callable[[], None]) -> None:
        """Run ``action``, writes of this transaction, on a writer thread while the caller goes on computing: on
        PostgreSQL, where the driver lets go of the interpreter while the server works, a large write (a COPY of
        postings) runs on the server while the next ones are planned. One at a time and in order: this waits for
        the one before. The caller's next use of the session waits for it (``session``), and its error is raised
        there, or by ``wait_for_writes`` or ``commit``; the transaction is the same. On SQLite (a connection
        belongs to its thread) the action runs here, now."""
        self.wait_for_writes()
        if self.session.get_bind().dialect.name != "postgresql":
            action()
            return
        done: Future[None] = Future()

        def write() -> None:
            _writer.active = True
            try:
                action()
            except BaseException as exc:  # handed to the caller's thread, raised there
                done.set_exception(exc)
            else:
                done.set_result(None)

        self._pending_write = done
        threading.Thread(target=write, name="dermbill-writer", daemon=True).start()

    def wait_for_writes(self) -> None:
        """Wait for the writes running behind, if any; their error is raised here."""
        pending, self._pending_write = self._pending_write, None
        if pending is not None:
            pending.result()

    def flush(self) -> None:
        self.guarded(self.session.flush)

    def commit(self) -> None:
        """Commit, appending the audit events of the transaction to the chain last: the chain's lock is taken
        after every other change is flushed and held only until the commit."""
        self.wait_for_writes()
        if self._pending_audit:
            self.flush()
            pending, self._pending_audit = self._pending_audit, []
            self.guarded(partial(append_events, self.session, pending))
        self.flush()
        self.guarded(self._raise_versions)
        self.guarded(self.session.commit)

    def guarded(self, action: Callable[[], R]) -> R:
        """Run a database action; a refused change becomes InvalidInput, a failure StorageUnavailable. Inside a
        ``savepoint`` only the savepoint is rolled back (the transaction goes on, as its caller decides)."""
        try:
            return action()
        except IntegrityError as exc:
            self._roll_back()
            raise InvalidInput(f"the database refused the change: {first_line(exc.orig)}") from None
        except DataError as exc:  # a value it cannot hold or compare: a NUL character, a number out of range
            self._roll_back()
            raise InvalidInput(f"a value cannot be stored or looked up ({first_line(exc.orig)}): check what was "
                               "given") from None
        except DBAPIError as exc:
            self._roll_back()
            raise StorageUnavailable(f"database error at {self.database.url}: {first_line(exc.orig)}") from None

    def _roll_back(self) -> None:
        nested = self.session.get_nested_transaction()
        if nested is not None and nested.is_active:
            nested.rollback()
        else:
            self.session.rollback()

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A part of the transaction that can fail on its own: an exception inside undoes its changes and the audit
        events it recorded, and is raised again; the rest of the transaction is kept and can still commit."""
        recorded = list(self._pending_audit)  # a rollback, even of a savepoint, forgets them all
        nested = self.session.begin_nested()
        try:
            yield
        except BaseException:
            if nested.is_active:
                nested.rollback()
            self._pending_audit[:] = recorded
            raise
        nested.commit()

    # Organization-level records (not tenant-owned).
    def add_organization(self, name: str) -> OrganizationRow:
        row = OrganizationRow(name=name, created_at=self.clock())
        self.session.add(row)
        self.flush()
        self.audit("organization.created", "organization", row.id, organization_id=row.id)
        return row

    def find_organization(self, name: str) -> OrganizationRow | None:
        return self.session.scalars(select(OrganizationRow).where(OrganizationRow.name == name)).first()

    def organization_names(self) -> list[str]:
        return list(self.session.scalars(select(OrganizationRow.name).order_by(OrganizationRow.id)))

    def add_practice(self, row: PracticeRow) -> PracticeRow:
        row.created_at = self.clock()
        self.session.add(row)
        self.flush()
        self.audit("practice.created", "practice", row.id, organization_id=row.organization_id, practice_id=row.id)
        return row

    def practice_by_code(self, organization_id: int, code: str) -> PracticeRow:
        row = self.session.scalars(
            select(PracticeRow).where(PracticeRow.organization_id == organization_id, PracticeRow.code == code)
        ).first()
        if row is None:
            raise NotFound(f"practice '{code}' not found")
        return row

    def add_payers(self, rows: Sequence[PayerRow]) -> None:
        self.session.add_all(rows)
        self.flush()

    def practice(self, practice_id: int) -> PracticeRepository:
        practice = self.session.get(PracticeRow, practice_id)
        if practice is None:
            raise NotFound(f"practice {practice_id} not found")
        self._opened.add(practice_id)
        return PracticeRepository(self, practice)

    def audit(
        self,
        action: str,
        entity_type: str,
        entity_id: int | None,
        *,
        organization_id: int | None = None,
        practice_id: int | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """Record who did what to which record, now; written to the chain when the unit of work commits."""
        self._pending_audit.append({
            "organization_id": organization_id,
            "practice_id": practice_id,
            "occurred_at": self.clock(),
            "actor": self.actor,
            "action": action,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "detail": normalized_detail(detail),
            "source": self.origin.source,
            "address": self.origin.address,
        })

    def audit_practices(self, action: str, entity_type: str, practice_ids: Iterable[int], *,
                        detail: dict[str, Any] | None = None) -> None:
        """Record an event about records of these practices (a listing): with their billing company when they
        share one, and with the practice when there is one, so the company's auditors find it."""
        ids = sorted(set(practice_ids))
        companies = set(self.session.scalars(select(PracticeRow.organization_id).where(PracticeRow.id.in_(ids))))
        self.audit(action, entity_type, None, organization_id=companies.pop() if len(companies) == 1 else None,
                   practice_id=ids[0] if len(ids) == 1 else None, detail=detail)


class PracticeRepository:
    """Everything of one practice, and nothing of any other."""

    def __init__(self, uow: UnitOfWork, practice: PracticeRow) -> None:
        self.uow = uow
        self.practice = practice
        self.practice_id = practice.id
        self._account_ids: dict[str, int] | None = None

    @property
    def session(self) -> Session:
        return self.uow.session

    # Generic tenant-scoped access.
    def get(self, row_type: type[T], row_id: int) -> T:
        row = self.session.scalars(
            select(row_type).where(row_type.id == row_id, row_type.practice_id == self.practice_id)
        ).first()
        if row is None:
            raise NotFound(f"{_label(row_type)} {row_id} not found in practice {self.practice.code}")
        return row

    def rows(
        self,
        row_type: type[T],
        *criteria: ColumnElement[bool],
        order_by: Any = None,
        limit: int | None = None,
    ) -> list[T]:
        query = select(row_type).where(row_type.practice_id == self.practice_id, *criteria)
        query = query.order_by(order_by if order_by is not None else row_type.id)
        if limit is not None:
            query = query.limit(limit)
        return list(self.session.scalars(query))

    def among(self, column: Any, values: Sequence[Any], size: int = 500) -> Iterator[ColumnElement[bool]]:
        """``column IN values`` as the conditions of as few queries as the backend allows: one on PostgreSQL, where
        ``column = ANY(:values)`` binds every value as one array parameter (a short statement, compiled and
        converted once however many values), ``size`` values a query on SQLite (its limit on parameters)."""
        if not values:
            return
        if self.session.get_bind().dialect.name == "postgresql":
            yield column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
            return
        for start in range(0, len(values), size):
            yield column.in_(values[start:start + size])

    def count(self, row_type: type[T], *criteria: ColumnElement[bool]) -> int:
        query = select(func.count()).select_from(row_type).where(row_type.practice_id == self.practice_id, *criteria)
        return int(self.session.scalar(query) or 0)

    def add(self, row: T) -> T:
        self.add_all([row])
        return row

    def add_all(self, rows: Iterable[T]) -> None:
        """Stage rows for this practice; a row that already names another practice is refused."""
        staged = []
        for row in rows:
            if row.practice_id is not None and row.practice_id != self.practice_id:
                raise InvalidInput(
                    f"{_label(type(row))} belongs to practice {row.practice_id}, not {self.practice.code}"
                )
            row.practice_id = self.practice_id
            staged.append(row)
        self.session.add_all(staged)

    def flush(self) -> None:
        self.uow.flush()

    def payers(self) -> list[PayerRow]:
        """The payers of the practice's organization."""
        return list(
            self.session.scalars(
                select(PayerRow).where(PayerRow.organization_id == self.practice.organization_id).order_by(PayerRow.id)
            )
        )

    def audit(self, action: str, entity_type: str, entity_id: int | None, detail: dict[str, Any] | None = None) -> None:
        self.uow.audit(
            action,
            entity_type,
            entity_id,
            organization_id=self.practice.organization_id,
            practice_id=self.practice_id,
            detail=detail,
        )

    # The ledger.
    def open_standard_chart(self) -> None:
        """Create the standard chart of accounts (idempotent)."""
        existing = {row.code for row in self.rows(LedgerAccountRow)}
        self.add_all(
            LedgerAccountRow(code=a.code, name=a.name, kind=a.kind.value)
            for a in STANDARD_CHART
            if a.code not in existing
        )
        self.flush()
        self._account_ids = None

    def account_ids(self) -> dict[str, int]:
        if self._account_ids is None:
            self._account_ids = {row.code: row.id for row in self.rows(LedgerAccountRow)}
        return self._account_ids

    def post(self, entry: JournalEntry) -> tuple[int, bool]:
        """Append a balanced entry; returns (entry id, True) or, if its idempotency key was posted, (that id, False)."""
        return self.post_many([entry])[0]

    def post_many(self, entries: Sequence[JournalEntry], *, keys_are_new: bool = False) -> list[tuple[int, bool]]:
        """Append balanced entries in a few round trips; an idempotency key already posted is not posted again.

        ``keys_are_new``: the caller knows no entry has these keys yet (they derive from a record it has just
        created), so the lookup is skipped; the unique key on them still refuses a duplicate.
        Returns, per entry in order, (entry id, True if posted now).
        """
        keys = [e.idempotency_key for e in entries if e.idempotency_key is not None]
        if len(set(keys)) != len(keys):
            raise InvalidInput("the same idempotency key appears twice in one batch of journal entries")
        existing: dict[str, int] = {}
        for start in range(0, 0 if keys_are_new else len(keys), KEYS_PER_QUERY):
            found = self.session.execute(
                select(JournalEntryRow.idempotency_key, JournalEntryRow.id).where(
                    JournalEntryRow.practice_id == self.practice_id,
                    JournalEntryRow.idempotency_key.in_(keys[start:start + KEYS_PER_QUERY]),
                )
            )
            existing.update({key: entry_id for key, entry_id in found if key is not None})
        accounts = self.account_ids()
        fresh = [e for e in entries if e.idempotency_key not in existing]
        for entry in fresh:
            unknown = sorted({p.account_code for p in entry.postings} - accounts.keys())
            if unknown:
                raise InvalidInput(
                    f"journal entry '{entry.memo}' names accounts {', '.join(unknown)} that practice "
                    f"{self.practice.code} does not have"
                )
            if entry.reverses_entry_id is not None:
                self.get(JournalEntryRow, entry.reverses_entry_id)
        self.flush()  # whatever the entries refer to must be in the database first
        now = self.uow.clock()
        ids: list[int] = []
        if fresh:
            # Core bulk inserts (RETURNING in parameter order): thousands of entries in a few round trips.
            rows = [{"entry_date": e.entry_date, "kind": e.kind, "memo": e.memo,
                     "idempotency_key": e.idempotency_key, "reverses_entry_id": e.reverses_entry_id,
                     "created_at": now, "created_by": self.uow.actor} for e in fresh]
            if self.session.get_bind().dialect.name == "postgresql":  # ids from the sequence, then one COPY
                ids = self.uow.guarded(lambda: list(self.session.scalars(
                    text("SELECT nextval(pg_get_serial_sequence('journal_entry', 'id')) FROM generate_series(1, :n)"),
                    {"n": len(rows)})))
                self.insert_rows(JournalEntryRow, [{"id": i, **row} for i, row in zip(ids, rows, strict=True)])
            elif all(e.idempotency_key is not None for e in fresh):
                # SQLite: multi-row INSERT ... RETURNING in chunks, each id told by its entry's (unique) key; a
                # RETURNING in parameter order would insert one row per statement.
                table = cast(Table, JournalEntryRow.__table__)
                values = [{"practice_id": self.practice_id, **row} for row in rows]
                by_key: dict[str, int] = {}
                for start in range(0, len(values), ENTRIES_PER_INSERT):
                    statement = insert(table).values(values[start:start + ENTRIES_PER_INSERT]).returning(
                        table.c.id, table.c.idempotency_key)
                    by_key.update({key: entry_id for entry_id, key in self.uow.guarded(
                        partial(lambda s: list(self.session.execute(s)), statement))})
                ids = [by_key[str(e.idempotency_key)] for e in fresh]
            else:
                statement = insert(JournalEntryRow).returning(JournalEntryRow.id, sort_by_parameter_order=True)
                values = [{"practice_id": self.practice_id, **row} for row in rows]
                ids = self.uow.guarded(lambda: [row[0] for row in self.session.execute(statement, values)])
            postings = [
                {"practice_id": self.practice_id, "journal_entry_id": entry_id,
                 "account_id": accounts[p.account_code], "amount_cents": p.amount.cents, "patient_id": p.patient_id,
                 "payer_id": p.payer_id, "claim_id": p.claim_id, "claim_line_id": p.claim_line_id}
                for entry_id, entry in zip(ids, fresh, strict=True) for p in entry.postings
            ]
            self.insert_rows(PostingRow, postings)
            self._keep_summaries(fresh)
        posted = iter(ids)
        return [
            (existing[e.idempotency_key], False) if e.idempotency_key in existing else (next(posted), True)
            for e in entries
        ]

    def _keep_summaries(self, entries: Sequence[JournalEntry]) -> None:
        """Add the entries just posted to the ledger's summaries (``ledger_day_total``, ``receivable_balance``), in
        this transaction: an upsert adding each key's amounts, keys in sorted order (two transactions posting to
        the same keys wait for each other instead of deadlocking)."""
        accounts = self.account_ids()
        receivable = {accounts[code] for code in (INSURANCE_AR, DENIED_AR, PATIENT_AR) if code in accounts}
        days: dict[tuple[int, datetime.date], int] = {}
        balances: dict[tuple[int, int, int, int, int], int] = {}
        for entry in entries:
            for p in entry.postings:
                account = accounts[p.account_code]
                days[(account, entry.entry_date)] = days.get((account, entry.entry_date), 0) + p.amount.cents
                if account in receivable:
                    key = (account, p.claim_line_id or 0, (p.claim_id or 0) if p.claim_line_id is None else 0,
                           p.payer_id or 0, p.patient_id or 0)
                    balances[key] = balances.get(key, 0) + p.amount.cents
        self._upsert(LedgerDayTotalRow, ("account_id", "entry_date"), "amount_cents",
                     [{"account_id": a, "entry_date": d, "amount_cents": c} for (a, d), c in sorted(days.items())])
        dims = self._aging_dimensions({line for (_, line, _, _, _) in balances if line},
                                      {claim for (_, _, claim, _, _) in balances if claim})
        none: dict[str, Any] = {"claim_ref": 0, "service_date": None, "provider_key": 0, "procedure_code": None,
                                "claim_payer_key": 0}
        self._upsert(ReceivableBalanceRow, ("account_id", "claim_line_key", "claim_key", "payer_key", "patient_key"),
                     "balance_cents",
                     [{"account_id": a, "claim_line_key": line, "claim_key": claim, "payer_key": payer,
                       "patient_key": patient, "balance_cents": c,
                       **dims.get(("line", line) if line else ("claim", claim), none)}
                      for (a, line, claim, payer, patient), c in sorted(balances.items())])

    def _aging_dimensions(self, lines: set[int], claims: set[int]) -> dict[tuple[str, int], dict[str, Any]]:
        """What aging groups a balance by, from its line (or, for a balance naming no line, its claim): read once
        per batch, written with the balance's first posting (a charged line's claim, date, provider and code do
        not change)."""
        found: dict[tuple[str, int], dict[str, Any]] = {}
        line, claim = ClaimLineRow, ClaimRow
        for among in self.among(line.id, sorted(lines), 1000):
            for row in self.session.execute(
                    select(line.id, line.claim_id, line.service_date_from, claim.date_of_service,
                           line.rendering_provider_id, claim.rendering_provider_id, line.procedure_code, claim.payer_id)
                    .join(claim, claim.id == line.claim_id)
                    .where(line.practice_id == self.practice_id, among)):
                found[("line", row[0])] = {"claim_ref": row[1], "service_date": row[2] or row[3],
                                           "provider_key": row[4] or row[5] or 0, "procedure_code": row[6],
                                           "claim_payer_key": row[7] or 0}
        for among in self.among(claim.id, sorted(claims), 1000):
            for claim_id, day, provider, payer in self.session.execute(
                    select(claim.id, claim.date_of_service, claim.rendering_provider_id, claim.payer_id)
                    .where(claim.practice_id == self.practice_id, among)):
                found[("claim", claim_id)] = {"claim_ref": claim_id, "service_date": day, "provider_key": provider or 0,
                                              "procedure_code": None, "claim_payer_key": payer or 0}
        return found

    def _upsert(self, row_type: type[TenantRow], keys: Sequence[str], amount: str,
                rows: Sequence[dict[str, Any]]) -> None:
        """Insert each row of this practice, or add its ``amount`` to the row with the same keys."""
        if not rows:
            return
        table = cast(Table, row_type.__table__)
        values = [{**row, "practice_id": self.practice_id} for row in rows]
        self.uow.written.add(self.practice_id)
        if self.session.get_bind().dialect.name == "postgresql":
            # The rows COPied into a temporary table of the same columns, then one INSERT ... SELECT ... ON CONFLICT:
            # two statements for any number of rows (the keys are unique within ``rows``).
            staged = _staging_table(table)
            self.uow.guarded(partial(_stage_rows, self.session, staged, values))
            columns = list(values[0])
            staging = postgresql_insert(table).from_select(columns, select(*(staged.c[c] for c in columns)))
            staging = staging.on_conflict_do_update(index_elements=["practice_id", *keys],
                                                    set_={amount: table.c[amount] + staging.excluded[amount]})
            self.uow.guarded(partial(self.session.execute, staging))
            return
        statement = sqlite_insert(table)
        statement = statement.on_conflict_do_update(
            index_elements=["practice_id", *keys], set_={amount: table.c[amount] + statement.excluded[amount]})
        self.uow.guarded(partial(self.session.execute, statement, values))

    def insert_rows(self, row_type: type[TenantRow], rows: Sequence[dict[str, Any]]) -> None:
        """Insert many rows of this practice at once, in this transaction: COPY on PostgreSQL (tens of thousands
        of rows a second, constraints and triggers checked as for INSERT), one executemany on SQLite. Every row
        must have the same keys."""
        if not rows:
            return
        self.uow.written.add(self.practice_id)
        if self.session.get_bind().dialect.name == "postgresql":  # the practice as a column of its own: no copies
            self.uow.guarded(partial(_copy_rows, self.session, row_type, rows, {"practice_id": self.practice_id}))
            return
        values = [{**row, "practice_id": self.practice_id} for row in rows]
        # the table, not the mapped class: a Core executemany, no ORM bookkeeping per row
        self.uow.guarded(partial(self.session.execute, insert(cast(Table, row_type.__table__)), values))

    def update_claims(self, values: Sequence[dict[str, Any]]) -> None:
        """Set the status, ``updated_at`` and payer's claim number of many claims of this practice at once (a dict
        per claim: id, status, updated_at, payer_claim_number).

        PostgreSQL: one ``UPDATE ... FROM unnest(...)`` whose columns are bound as arrays, one parameter each, so
        the statement is as short for 60,000 claims as for one (nothing to compile or split per claim). SQLite:
        one executemany."""
        if not values:
            return
        self.uow.written.add(self.practice_id)
        if self.session.get_bind().dialect.name != "postgresql":
            self.uow.guarded(partial(self.session.execute, update(ClaimRow), list(values)))
            return
        for day in sorted({v["updated_at"] for v in values}):  # one moment per service call, in practice
            moved = [v for v in values if v["updated_at"] == day]
            self.uow.guarded(partial(self.session.execute, _UPDATE_CLAIMS, {
                "ids": [v["id"] for v in moved], "statuses": [v["status"] for v in moved],
                "numbers": [v["payer_claim_number"] for v in moved], "updated_at": day,
                "practice_id": self.practice_id}))

    def load_entry(self, entry_id: int) -> JournalEntry:
        row = self.get(JournalEntryRow, entry_id)
        codes = {v: k for k, v in self.account_ids().items()}
        postings = self.rows(PostingRow, PostingRow.journal_entry_id == entry_id)
        return JournalEntry(
            entry_date=row.entry_date,
            memo=row.memo,
            postings=tuple(_to_posting(p, codes) for p in postings),
            idempotency_key=row.idempotency_key,
            reverses_entry_id=row.reverses_entry_id,
            kind=row.kind,
        )

    def reverse(self, entry_id: int, *, entry_date: datetime.date, memo: str) -> int:
        """Append the entry that undoes entry ``entry_id``; an entry can be reversed once."""
        already = self.session.scalar(
            select(JournalEntryRow.id).where(
                JournalEntryRow.practice_id == self.practice_id, JournalEntryRow.reverses_entry_id == entry_id
            )
        )
        if already is not None:
            raise InvalidInput(f"journal entry {entry_id} was already reversed by entry {already}")
        original = self.load_entry(entry_id)
        if original.reverses_entry_id is not None:
            raise InvalidInput(f"journal entry {entry_id} is itself a reversal; post a new entry instead")
        entry_row_id, _ = self.post(reversal_of(original, entry_id=entry_id, entry_date=entry_date, memo=memo))
        return entry_row_id

    def postings(self, *criteria: ColumnElement[bool]) -> list[Posting]:
        codes = {v: k for k, v in self.account_ids().items()}
        return [_to_posting(p, codes) for p in self.rows(PostingRow, *criteria)]

    def balances(self, *criteria: ColumnElement[bool]) -> dict[str, Money]:
        """Balance per account code, summed by the database over this practice's postings (and ``criteria``)."""
        codes = {v: k for k, v in self.account_ids().items()}
        query = (
            select(PostingRow.account_id, func.sum(PostingRow.amount_cents))
            .where(PostingRow.practice_id == self.practice_id, *criteria)
            .group_by(PostingRow.account_id)
        )
        return {codes[account_id]: Money(int(cents)) for account_id, cents in self.session.execute(query)}


def _to_posting(row: PostingRow, codes: dict[int, str]) -> Posting:
    return Posting(
        account_code=codes[row.account_id],
        amount=Money(row.amount_cents),
        patient_id=row.patient_id,
        payer_id=row.payer_id,
        claim_id=row.claim_id,
        claim_line_id=row.claim_line_id,
    )


# PostgreSQL: the claims' new values as arrays (one parameter per column), joined to the claims by id. The ids are
# named again as ``claim.id = ANY``: the claims are then found through the key's index, where a join to the unnest
# alone was planned as a hash of every claim of the database (a scan of all of them for each round of an 835).
_UPDATE_CLAIMS = text(
    "UPDATE claim SET status = moved.status, payer_claim_number = moved.payer_claim_number, updated_at = :updated_at "
    "FROM unnest(CAST(:ids AS integer[]), CAST(:statuses AS varchar[]), CAST(:numbers AS varchar[])) "
    "AS moved (id, status, payer_claim_number) "
    "WHERE claim.id = moved.id AND claim.practice_id = :practice_id AND claim.id = ANY(CAST(:ids AS integer[]))"
).bindparams(bindparam("updated_at", type_=ClaimRow.updated_at.type))

_STAGING: dict[str, Table] = {}


def _staging_table(table: Table) -> Table:
    """A temporary table with ``table``'s columns (no constraints), emptied at commit: where an upsert's rows are
    COPied first."""
    if table.name not in _STAGING:
        _STAGING[table.name] = Table(f"staged_{table.name}", MetaData(), *(Column(c.name, c.type) for c in table.c),
                                     prefixes=["TEMPORARY"], postgresql_on_commit="DELETE ROWS")
    return _STAGING[table.name]


def _stage_rows(session: Session, staged: Table, rows: list[dict[str, Any]]) -> None:
    staged.create(session.connection(), checkfirst=True)
    session.execute(staged.delete())  # rows a failed statement of this transaction left
    _copy_into(session, staged, staged.name, rows)


def _copy_rows(session: Session, row_type: type[TenantRow], rows: Sequence[dict[str, Any]],
               constants: dict[str, Any]) -> None:
    """COPY rows into a PostgreSQL table on the session's connection (psycopg 3)."""
    _copy_into(session, cast(Table, row_type.__table__), row_type.__tablename__, rows, constants)


def _copy_into(session: Session, table: Table, name: str, rows: Sequence[dict[str, Any]],
               constants: dict[str, Any] | None = None) -> None:
    """COPY rows (dicts with the same keys) into ``table``; ``constants``: columns of one value for every row, which
    win over a row's own."""
    fixed = constants or {}
    columns = [column for column in rows[0] if column not in fixed]
    as_json = [at for at, column in enumerate(columns) if isinstance(table.c[column].type, JSON)]
    values_of = itemgetter(*columns) if len(columns) > 1 else lambda row: (row[columns[0]],)
    tail = tuple(fixed.values())
    raw = session.connection().connection.driver_connection
    statement = f"COPY {name} ({', '.join([*columns, *fixed])}) FROM STDIN"
    try:
        with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for row in rows:
                values = values_of(row)
                if as_json:
                    values = tuple(json.dumps(value) if at in as_json else value for at, value in enumerate(values))
                copy.write_row(values + tail)
    except psycopg.Error as exc:  # as SQLAlchemy raises a refused INSERT, for ``UnitOfWork.guarded`` to translate
        raise DBAPIError.instance(statement, None, exc, psycopg.Error) from exc
