"""The key figures' parts, each practice's kept until its data moves: what makes a billing company's figures fast.

A company's key figures and denial report are its practices' parts added (``core.reports.parts``). ``parts`` reads
the practices' data versions (``report_version``, raised by every commit that writes a practice's rows), then the
parts kept for the same period and as-of day (``report_parts``); a practice whose kept parts were computed under
another version, or have none, is summed again on its own and its parts kept under the version read first. So after
a posting only that practice is summed again, and the company's figures are otherwise a read of 200 small rows.

A/R aging is kept the same way in ``report_aging_parts`` (``aging``): each practice's open balances as of the day on
one basis, by kind, bucket and dimension (practice, payer, provider, code), added for the company.

A filter naming a payer or provider is summed directly (its parts are not kept: few read them, and each such
filter would keep parts of its own).

The versions are read before the data: a commit landing while a practice is summed moves its version past the one
its parts are kept under, so the next read sums it again; kept parts are never newer than their version claims.
Parts are written in a transaction of their own that writes no practice's data, so keeping them moves no version.
"""

from __future__ import annotations

import contextvars
import dataclasses
import datetime
import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import and_, delete, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from dermbill.core.reports.aging import Basis
from dermbill.core.reports.filters import ReportFilter
from dermbill.core.reports.parts import (
    AgingParts,
    FigureParts,
    add_aging_parts,
    add_parts,
    aging_parts_from_json,
    aging_parts_to_json,
    parts_from_json,
    parts_to_json,
)
from dermbill.db.engine import Database
from dermbill.db.models import PracticeRow, ReportAgingPartsRow, ReportPartsRow, ReportVersionRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services import report_aging, report_denials, report_kpis, report_ledger

P = TypeVar("P")


def figure_parts(uow: UnitOfWork, f: ReportFilter) -> FigureParts:
    """The parts of the filter's figures, summed by the database now (nothing kept is read)."""
    return FigureParts(report_kpis.revenue_sums(uow, f), tuple(report_denials.denial_facts(uow.session, f)),
                       report_denials.coding_sums(uow, f), report_denials.patient_sums(uow, f),
                       report_kpis.charges_by_payer(uow, f))


def data_versions(database: Database, practice_ids: Iterable[int]) -> tuple[tuple[int, int], ...]:
    """Each practice's data version (0 before its first write; random at the first), in practice order."""
    ids = sorted(set(practice_ids))
    with UnitOfWork(database, actor="reports") as uow:
        found = {practice_id: version for practice_id, version in uow.session.execute(
            select(ReportVersionRow.practice_id, ReportVersionRow.version)
            .where(ReportVersionRow.practice_id.in_(ids)))}
    return tuple((i, int(found.get(i, 0))) for i in ids)


@dataclass(frozen=True, slots=True)
class _Shelf(Generic[P]):
    """One kind of kept parts: its table and key columns (besides the practice), how a practice's parts are summed,
    written, read and added."""

    table: type[ReportPartsRow] | type[ReportAgingPartsRow]
    key: Callable[[ReportFilter], dict[str, object]]
    summed: Callable[[UnitOfWork, ReportFilter], P]
    to_json: Callable[[P], dict[str, Any]]
    from_json: Callable[[dict[str, Any]], P]
    add: Callable[[Iterable[P]], P]


def _figures_shelf() -> _Shelf[FigureParts]:
    return _Shelf(ReportPartsRow,
                  lambda f: {"period_start": f.period.start, "period_end": f.period.end, "as_of": f.as_of},
                  lambda uow, f: figure_parts(uow, f), parts_to_json, parts_from_json, add_parts)


def _aging_shelf(basis: Basis) -> _Shelf[AgingParts]:
    return _Shelf(ReportAgingPartsRow, lambda f: {"as_of": f.as_of, "basis": basis.value},
                  lambda uow, f: report_aging.aging_parts(uow.session, f, basis), aging_parts_to_json,
                  aging_parts_from_json, add_aging_parts)


def parts(database: Database, f: ReportFilter) -> FigureParts:
    """The filter's parts: kept ones where the practice's version has not moved, the others summed again (and
    kept)."""
    if f.payer_id is not None or f.provider_id is not None:
        with UnitOfWork(database, actor="reports") as uow:
            report_ledger.for_reports(uow.session)
            return figure_parts(uow, f)
    return _gathered(database, f, _figures_shelf())[0]


def aging(database: Database, f: ReportFilter, basis: Basis) -> AgingParts:
    """The filter's A/R aging parts as of its day on ``basis`` (by kind, bucket and each of
    ``report_aging.KEPT_DIMENSIONS``): kept ones where the practice's version has not moved, the others summed again
    (and kept). A filter naming a payer or provider is summed directly."""
    if f.payer_id is not None or f.provider_id is not None:
        with UnitOfWork(database, actor="reports") as uow:
            return report_aging.aging_parts(report_ledger.for_reports(uow.session), f, basis)
    return _gathered(database, f, _aging_shelf(basis))[0]


KEEPING_LOCK = 1917  # the first key of the transaction-level advisory lock taken while a practice's parts are kept
# On PostgreSQL, practices summed at once (the server's work). The dashboard's three reads also run at once, each
# summing its own stale practices, so a cold dashboard has up to four summing connections.
SUMMING_THREADS = 2


def in_threads(database: Database, calls: Sequence[Callable[[], Any]]) -> list[Any]:
    """Run ``calls`` and return their results in order: at once in ``SUMMING_THREADS`` threads on PostgreSQL (each
    call opens its own unit of work, so its own connection; the calls wait mostly on the server), one after another
    on SQLite. Each thread runs in a copy of the caller's context (its clock and audit origin)."""
    if database.backend != "postgresql" or len(calls) < 2:
        return [call() for call in calls]
    with ThreadPoolExecutor(max_workers=min(SUMMING_THREADS, len(calls))) as pool:
        futures = [pool.submit(contextvars.copy_context().run, call) for call in calls]
        return [future.result() for future in futures]


def _gathered(database: Database, f: ReportFilter, shelf: _Shelf[P]) -> tuple[P, int]:
    """The parts of a filter naming no payer or provider, and how many practices were summed again."""
    versions = dict(data_versions(database, f.practice_ids))
    found = _kept(database, f, versions, shelf)
    stale = [(practice_id, version) for practice_id, version in versions.items() if practice_id not in found]

    def summed(practice_id: int, version: int) -> P:
        one = dataclasses.replace(f, practice_ids=frozenset({practice_id}))
        with UnitOfWork(database, actor="reports") as uow:
            report_ledger.for_reports(uow.session)
            parts = shelf.summed(uow, one)
        _keep(database, f, practice_id, version, shelf, parts)
        return parts

    calls = [functools.partial(summed, practice_id, version) for practice_id, version in stale]
    found.update(zip((practice_id for practice_id, _ in stale), in_threads(database, calls), strict=True))
    return shelf.add(found[practice_id] for practice_id in sorted(found)), len(stale)


# Practices whose parts keep_current sums and keeps between two reports of its progress (a company's refresh takes
# minutes: the job shows how far it got).
KEEP_IN_STEPS_OF = 10


def keep_current(database: Database, as_of: datetime.date,
                 progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Sum and keep, for every practice, the parts the reports pages read first on ``as_of``: the key figures of the
    default period (the 30 days ending that day) and the one before it, and the aging as of the day on each basis.
    What the nightly job runs, so the day's first reader of the dashboard or aging finds every practice kept.
    ``progress(done, total)`` is told after each ``KEEP_IN_STEPS_OF`` practices. Returns the number of practices
    and how many practices' parts were summed again."""
    with UnitOfWork(database, actor="reports") as uow:
        practice_ids = sorted(uow.session.scalars(select(PracticeRow.id)))
    summed = 0
    for start in range(0, len(practice_ids), KEEP_IN_STEPS_OF):
        f = ReportFilter.of(practice_ids[start:start + KEEP_IN_STEPS_OF], as_of)
        summed += sum(_gathered(database, one, _figures_shelf())[1] for one in (f, f.previous()))
        summed += sum(_gathered(database, f, _aging_shelf(basis))[1] for basis in Basis)
        if progress is not None:
            progress(min(start + KEEP_IN_STEPS_OF, len(practice_ids)), len(practice_ids))
    return {"practices": len(practice_ids), "summed": summed}


def _kept(database: Database, f: ReportFilter, versions: dict[int, int], shelf: _Shelf[P]) -> dict[int, P]:
    """The parts kept for this filter's key under each practice's current version (another format: none): from this
    process's memory when it read or summed them under that version, else read from the database (and remembered)."""
    row = shelf.table
    key = shelf.key(f)
    memory_key = (database.url, row.__tablename__, tuple(key.items()))
    out: dict[int, P] = {}
    with _LOCK:
        for practice_id, version in versions.items():
            found = _MEMORY.get((*memory_key, practice_id, version))
            if found is not None:
                _MEMORY.move_to_end((*memory_key, practice_id, version))
                out[practice_id] = found
    missing = sorted(set(versions) - set(out))
    if not missing:
        return out
    with UnitOfWork(database, actor="reports") as uow:
        for practice_id, version, data in uow.session.execute(
                select(row.practice_id, row.version, row.parts)
                .where(row.practice_id.in_(missing), *(getattr(row, name) == value for name, value in key.items()))):
            if versions.get(practice_id) != version:
                continue
            try:
                out[practice_id] = shelf.from_json(data)
            except (ValueError, KeyError, TypeError):  # kept by another format of dermbill: sum it again
                continue
            _remember((*memory_key, practice_id, version), out[practice_id])
    return out


# Parts read or summed by this process, by database, table, key, practice and version: a practice's parts under a
# version never change, so a read after a posting decodes only the practice posted to.
REMEMBERED_PARTS = 8192
_MEMORY: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_LOCK = threading.Lock()


def _remember(key: tuple[Any, ...], parts: object) -> None:
    with _LOCK:
        _MEMORY[key] = parts
        _MEMORY.move_to_end(key)
        while len(_MEMORY) > REMEMBERED_PARTS:
            _MEMORY.popitem(last=False)


def forget_remembered() -> None:
    """Drop the parts this process remembers (the next read takes them from the database)."""
    with _LOCK:
        _MEMORY.clear()


def _keep(database: Database, f: ReportFilter, practice_id: int, version: int, shelf: _Shelf[P], one: P) -> None:
    """Keep a practice's parts (replacing what was kept under the same key) and drop its parts of any other
    version: they can never be read again."""
    row = shelf.table
    key = shelf.key(f)
    values = {"practice_id": practice_id, **key, "version": version, "parts": shelf.to_json(one)}
    with UnitOfWork(database, actor="reports") as uow:
        # Core statements on the connection: no ORM event, so the unit of work notes no practice written.
        connection = uow.session.connection()
        if database.backend == "postgresql":
            # One keeper of a practice's parts at a time (two threads or processes keeping two periods of a practice
            # would each update one row and wait on the other's in dropping older versions: a deadlock).
            connection.execute(select(func.pg_advisory_xact_lock(KEEPING_LOCK, practice_id)))
        insert = postgresql_insert(row) if database.backend == "postgresql" else sqlite_insert(row)
        connection.execute(insert.values(values).on_conflict_do_update(
            index_elements=["practice_id", *key], set_={"version": version, "parts": values["parts"]}))
        connection.execute(delete(row).where(and_(row.practice_id == practice_id, row.version != version)))
        uow.commit()
    _remember((database.url, row.__tablename__, tuple(key.items()), practice_id, version), one)
