"""The key figures' parts, each practice's kept until its data moves: what makes a billing company's figures fast.

A company's key figures and denial report are its practices' parts added (``core.reports.parts``). ``parts`` reads
the practices' data versions (``report_version``, raised by every commit that writes a practice's rows), then the
parts kept for the same period and as-of day (``report_parts``); a practice whose kept parts were computed under
another version, or have none, is summed again on its own and its parts kept under the version read first. So after
a posting only that practice is summed again, and the company's figures are otherwise a read of 200 small rows.

A filter naming a payer or provider is summed directly (its parts are not kept: few read them, and each such
filter would keep parts of its own).

The versions are read before the data: a commit landing while a practice is summed moves its version past the one
its parts are kept under, so the next read sums it again; kept parts are never newer than their version claims.
Parts are written in a transaction of their own that writes no practice's data, so keeping them moves no version.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable

from sqlalchemy import ColumnElement, and_, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from dermbill.core.reports.aging import Basis
from dermbill.core.reports.filters import ReportFilter
from dermbill.core.reports.parts import Aged, FigureParts, add_parts, parts_from_json, parts_to_json
from dermbill.db.engine import Database
from dermbill.db.models import PracticeRow, ReportPartsRow, ReportVersionRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services import report_aging, report_denials, report_kpis, report_ledger


def figure_parts(uow: UnitOfWork, f: ReportFilter) -> FigureParts:
    """The parts of the filter's figures, summed by the database now (nothing kept is read)."""
    session = uow.session
    by_payer = report_aging.aged_balances(session, f, Basis.SERVICE, ("payer",))[("payer",)]
    return FigureParts(report_kpis.revenue_sums(uow, f), tuple(report_denials.denial_facts(session, f)),
                       report_denials.coding_sums(uow, f), report_denials.patient_sums(uow, f),
                       report_kpis.ar_by_payer_sums(uow, f),
                       tuple(Aged(b.kind, b.bucket, b.dimensions["payer"][0], b.amount.cents) for b in by_payer),
                       {key: amount.cents for key, amount in report_aging.credits(session, f).items()})


def data_versions(database: Database, practice_ids: Iterable[int]) -> tuple[tuple[int, int], ...]:
    """Each practice's data version (0 before its first write; random at the first), in practice order."""
    ids = sorted(set(practice_ids))
    with UnitOfWork(database, actor="reports") as uow:
        found = {practice_id: version for practice_id, version in uow.session.execute(
            select(ReportVersionRow.practice_id, ReportVersionRow.version)
            .where(ReportVersionRow.practice_id.in_(ids)))}
    return tuple((i, int(found.get(i, 0))) for i in ids)


def parts(database: Database, f: ReportFilter) -> FigureParts:
    """The filter's parts: kept ones where the practice's version has not moved, the others summed again (and
    kept)."""
    if f.payer_id is not None or f.provider_id is not None:
        with UnitOfWork(database, actor="reports") as uow:
            report_ledger.for_reports(uow.session)
            return figure_parts(uow, f)
    return _gathered(database, f)[0]


def _gathered(database: Database, f: ReportFilter) -> tuple[FigureParts, int]:
    """The parts of a filter naming no payer or provider, and how many practices were summed again."""
    versions = dict(data_versions(database, f.practice_ids))
    found = _kept(database, f, versions)
    summed = 0
    for practice_id, version in versions.items():
        if practice_id not in found:
            one = dataclasses.replace(f, practice_ids=frozenset({practice_id}))
            with UnitOfWork(database, actor="reports") as uow:
                report_ledger.for_reports(uow.session)
                found[practice_id] = figure_parts(uow, one)
            _keep(database, f, practice_id, version, found[practice_id])
            summed += 1
    return add_parts(found[practice_id] for practice_id in sorted(found)), summed


def keep_current(database: Database, as_of: datetime.date) -> dict[str, int]:
    """Sum and keep, for every practice, the parts the reports pages read first on ``as_of``: the default period
    (the 30 days ending that day) and the one before it. What the nightly job runs, so the day's first reader of
    the dashboard finds every practice kept. Returns the number of practices and how many were summed again."""
    with UnitOfWork(database, actor="reports") as uow:
        practice_ids = frozenset(uow.session.scalars(select(PracticeRow.id)))
    if not practice_ids:
        return {"practices": 0, "summed": 0}
    f = ReportFilter.of(practice_ids, as_of)
    summed = sum(_gathered(database, one)[1] for one in (f, f.previous()))
    return {"practices": len(practice_ids), "summed": summed}


def _key(f: ReportFilter) -> list[ColumnElement[bool]]:
    row = ReportPartsRow
    return [row.period_start == f.period.start, row.period_end == f.period.end, row.as_of == f.as_of]


def _kept(database: Database, f: ReportFilter, versions: dict[int, int]) -> dict[int, FigureParts]:
    """The parts kept for this period and day under each practice's current version (another format: none)."""
    row = ReportPartsRow
    out: dict[int, FigureParts] = {}
    with UnitOfWork(database, actor="reports") as uow:
        for practice_id, version, data in uow.session.execute(
                select(row.practice_id, row.version, row.parts)
                .where(row.practice_id.in_(sorted(versions)), *_key(f))):
            if versions.get(practice_id) != version:
                continue
            try:
                out[practice_id] = parts_from_json(data)
            except (ValueError, KeyError, TypeError):  # kept by another format of dermbill: sum it again
                continue
    return out


def _keep(database: Database, f: ReportFilter, practice_id: int, version: int, one: FigureParts) -> None:
    """Keep a practice's parts (replacing what was kept for the same period and day) and drop its parts of any
    other version: they can never be read again."""
    row = ReportPartsRow
    values = {"practice_id": practice_id, "period_start": f.period.start, "period_end": f.period.end,
              "as_of": f.as_of, "version": version, "parts": parts_to_json(one)}
    with UnitOfWork(database, actor="reports") as uow:
        # Core statements on the connection: no ORM event, so the unit of work notes no practice written.
        connection = uow.session.connection()
        insert = postgresql_insert(row) if database.backend == "postgresql" else sqlite_insert(row)
        connection.execute(insert.values(values).on_conflict_do_update(
            index_elements=["practice_id", "period_start", "period_end", "as_of"],
            set_={"version": version, "parts": values["parts"]}))
        connection.execute(delete(row).where(and_(row.practice_id == practice_id, row.version != version)))
        uow.commit()
