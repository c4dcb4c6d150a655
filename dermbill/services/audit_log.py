"""The audit log as an auditor searches and exports it, within their billing company.

An auditor sees the events of the practices they were granted, and the company-level events of their own billing
company (users, sign-ins, tokens, reads of this log: ``practice_id`` empty, ``organization_id`` theirs). Events
that name neither (written outside any company, e.g. by scripts) are for the CLI's ``dermbill audit list`` only.

A search filters by actor, record type and id, claim number (the events on the claim, on its work items and
appeals, and those naming it in their detail), action (``denial`` matches ``denial.created``...), a range of
days (UTC, both ends included) and text (in the actor, action, record type, source or detail; any case; the
detail of a read of this log is not searched, or each search would find the ones before it); it
answers newest first, a page at a time (keyset paging on the chain's sequence). The CSV export streams every
match in the same order, in batches, so an export of millions of events keeps memory flat. Reading the log is
itself audited (``audit.read``, ``audit.export``), with the search but not what it found.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, String, and_, cast, false, func, or_, select

from dermbill.core.errors import InvalidInput
from dermbill.db.audit_trail import READ_BATCH
from dermbill.db.engine import Database
from dermbill.db.models import AppealRow, AuditEventRow, ClaimRow, DenialItemRow
from dermbill.db.repositories import UnitOfWork
from dermbill.services.audit import AuditEntry

MAX_PAGE = 500
CSV_COLUMNS = ("sequence", "time", "actor", "source", "address", "action", "entity", "entity_id", "detail")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run a cell starting so as a formula


@dataclass(frozen=True, slots=True)
class AuditSearch:
    """What an auditor looks for; every field is optional, and the fields given must all match."""

    actor: str | None = None
    entity_type: str | None = None
    entity_id: int | None = None
    claim: str | None = None  # a claim number (patient control number)
    action: str | None = None  # an action, or the start of one up to a dot ("denial" finds "denial.noted")
    since: datetime.date | None = None  # UTC days, both included
    until: datetime.date | None = None
    text: str | None = None

    def problems(self) -> list[tuple[str, str]]:
        """What is wrong with the search, as (field, message); empty when it can run."""
        found = []
        if self.since is not None and self.until is not None and self.until < self.since:
            found.append(("until", f"{self.until} is before the first day ({self.since}); give a later day"))
        if self.entity_id is not None and self.entity_id < 0:
            found.append(("entity_id", "a record id is a positive number"))
        return found

    def to_json(self) -> dict[str, Any]:
        """The fields given (for the audit of the search itself)."""
        values = {"actor": self.actor, "entity_type": self.entity_type, "entity_id": self.entity_id,
                  "claim": self.claim, "action": self.action, "text": self.text,
                  "since": self.since.isoformat() if self.since else None,
                  "until": self.until.isoformat() if self.until else None}
        return {key: value for key, value in values.items() if value not in (None, "")}


@dataclass(frozen=True, slots=True)
class AuditScope:
    """Whose events a user may read: their billing company's, and their practices'."""

    organization_id: int
    practice_ids: frozenset[int]


@dataclass(frozen=True, slots=True)
class AuditPage:
    entries: tuple[AuditEntry, ...]
    next_before: int | None  # the sequence to pass as ``before`` for the next (older) page; None on the last


def search_audit_log(database: Database, search: AuditSearch, scope: AuditScope, *, actor: str, limit: int = 100,
                     before: int | None = None) -> AuditPage:
    """Up to ``limit`` events matching ``search`` in ``scope``, newest first, older than sequence ``before``."""
    _check(search)
    limit = max(1, min(limit, MAX_PAGE))
    with UnitOfWork(database, actor=actor) as uow:
        criteria = _criteria(uow, search, scope)
        if before is not None:
            criteria.append(AuditEventRow.sequence < before)
        rows = uow.guarded(partial(_newest, uow, criteria, limit + 1))
        entries = tuple(_entry(row) for row in rows[:limit])
        uow.audit("audit.read", "audit_event", None, organization_id=scope.organization_id,
                  detail={"search": search.to_json(), "before": before, "events": len(entries)})
        uow.commit()
    return AuditPage(entries, entries[-1].sequence if len(rows) > limit else None)


def export_audit_log(database: Database, search: AuditSearch, scope: AuditScope, *, actor: str,
                     batch: int = READ_BATCH) -> Iterator[AuditEntry]:
    """Every event matching ``search`` in ``scope``, newest first, read ``batch`` at a time as they are consumed.
    The export is recorded (``audit.export``) before the first event is read, so an export cut short is still
    on record."""
    _check(search)
    with UnitOfWork(database, actor=actor) as uow:
        uow.audit("audit.export", "audit_event", None, organization_id=scope.organization_id,
                  detail={"search": search.to_json()})
        uow.commit()
    return _exported(database, search, scope, actor, batch)


def _exported(database: Database, search: AuditSearch, scope: AuditScope, actor: str,
              batch: int) -> Iterator[AuditEntry]:
    # A unit of work per batch: no transaction stays open, nor a session crosses threads, while a client downloads.
    criteria: list[ColumnElement[bool]] | None = None
    before: int | None = None
    while True:
        with UnitOfWork(database, actor=actor) as uow:
            if criteria is None:
                criteria = _criteria(uow, search, scope)
            page = [*criteria, *([AuditEventRow.sequence < before] if before is not None else [])]
            entries = [_entry(row) for row in uow.guarded(partial(_newest, uow, page, batch))]
        yield from entries
        if len(entries) < batch:
            return
        before = entries[-1].sequence


def _newest(uow: UnitOfWork, criteria: list[ColumnElement[bool]], limit: int) -> list[AuditEventRow]:
    return list(uow.session.scalars(select(AuditEventRow).where(*criteria)
                                    .order_by(AuditEventRow.sequence.desc()).limit(limit)))


def audit_csv(entries: Iterable[AuditEntry]) -> Iterator[str]:
    """The entries as CSV text, a line at a time, header first (``CSV_COLUMNS``; the detail as JSON). A text cell
    that a spreadsheet would take for a formula is prefixed with an apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells: Iterable[object]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(cells)
        return buffer.getvalue()

    yield line(CSV_COLUMNS)
    for entry in entries:
        yield line([entry.sequence, entry.occurred_at.isoformat(), _cell(entry.actor), _cell(entry.source),
                    _cell(entry.address or ""), _cell(entry.action), _cell(entry.entity_type),
                    "" if entry.entity_id is None else entry.entity_id,
                    json.dumps(entry.detail, sort_keys=True, ensure_ascii=False)])


def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _check(search: AuditSearch) -> None:
    problems = search.problems()
    if problems:
        field, message = problems[0]
        raise InvalidInput(f"{field}: {message}")


def _criteria(uow: UnitOfWork, search: AuditSearch, scope: AuditScope) -> list[ColumnElement[bool]]:
    event = AuditEventRow
    practices = sorted(scope.practice_ids)
    criteria: list[ColumnElement[bool]] = [or_(
        event.practice_id.in_(practices) if practices else false(),
        and_(event.practice_id.is_(None), event.organization_id == scope.organization_id))]
    if search.actor:
        criteria.append(func.lower(event.actor) == search.actor.strip().lower())
    if search.entity_type:
        criteria.append(event.entity_type == search.entity_type.strip())
    if search.entity_id is not None:
        criteria.append(event.entity_id == search.entity_id)
    if search.action:
        action = search.action.strip().rstrip(".*")
        criteria.append(or_(event.action == action, event.action.startswith(action + ".", autoescape=True)))
    if search.since is not None:
        criteria.append(event.occurred_at >= datetime.datetime.combine(search.since, datetime.time(), datetime.UTC))
    if search.until is not None:
        end = search.until + datetime.timedelta(days=1)
        criteria.append(event.occurred_at < datetime.datetime.combine(end, datetime.time(), datetime.UTC))
    if search.text and search.text.strip():
        needle = search.text.strip().lower()
        criteria.append(or_(*(func.lower(column).contains(needle, autoescape=True) for column in (
            event.actor, event.action, event.entity_type, event.source)),
            and_(_not_a_search(), func.lower(cast(event.detail, String)).contains(needle, autoescape=True))))
    if search.claim and search.claim.strip():
        criteria.append(_about_claim(uow, search.claim.strip(), practices))
    return criteria


def _about_claim(uow: UnitOfWork, number: str, practices: list[int]) -> ColumnElement[bool]:
    """The events on the claim of this number (in the user's practices), its work items and appeals, and those
    whose detail names it."""
    event = AuditEventRow
    claims = list(uow.session.scalars(select(ClaimRow.id).where(ClaimRow.practice_id.in_(practices),
                                                                ClaimRow.patient_control_number == number)))
    items = list(uow.session.scalars(select(DenialItemRow.id).where(DenialItemRow.practice_id.in_(practices),
                                                                    DenialItemRow.claim_id.in_(claims))))
    appeals = list(uow.session.scalars(select(AppealRow.id).where(AppealRow.practice_id.in_(practices),
                                                                  AppealRow.claim_id.in_(claims))))
    named = and_(_not_a_search(),  # the number, quoted whole
                 cast(event.detail, String).contains(json.dumps(number), autoescape=True))
    return or_(and_(event.entity_type == "claim", event.entity_id.in_(claims)),
               and_(event.entity_type == "denial_item", event.entity_id.in_(items)),
               and_(event.entity_type == "appeal", event.entity_id.in_(appeals)), named)


def _not_a_search() -> ColumnElement[bool]:
    """Not a read of this log: its detail holds what was searched for, which would match every later search."""
    return AuditEventRow.entity_type != "audit_event"


def _entry(row: AuditEventRow) -> AuditEntry:
    return AuditEntry(sequence=row.sequence, id=row.id, occurred_at=row.occurred_at, actor=row.actor,
                      source=row.source, address=row.address, action=row.action, entity_type=row.entity_type,
                      entity_id=row.entity_id, organization_id=row.organization_id, practice_id=row.practice_id,
                      detail=dict(row.detail))
