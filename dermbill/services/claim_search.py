"""The claims list with its search, and the claim board: always within the practices a user may see.

A search returns one page, newest date of service first (then newest claim), after the cursor of the page before
(keyset paging: each page is one index range however deep). Every search is audited as a read of protected health
information, with the claim numbers it returned and the filters asked. The board counts and sums the claims by
state from one index (``ix_claim_practice_status_charge``), at most ``BOARD_MAX_AGE`` seconds old.
"""

from __future__ import annotations

import datetime
import threading
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, func, or_, select, tuple_, union
from sqlalchemy.orm import Session

from dermbill.core.claim_search import (
    ClaimSearch,
    Cursor,
    InvalidSearch,
    NameQuery,
    is_npi_like,
    like_prefix,
    prefix_bounds,
)
from dermbill.core.claims import ClaimStatus
from dermbill.core.money import Money
from dermbill.db.engine import Database
from dermbill.db.models import ClaimRow, PatientRow, PayerRow, PracticeRow, ProviderRow
from dermbill.db.repositories import UnitOfWork


@dataclass(frozen=True, slots=True)
class ClaimListItem:
    claim_number: str
    practice: str
    status: str
    patient: str  # LAST, FIRST
    payer: str
    date_of_service: datetime.date
    total_charge: Money
    cursor: Cursor  # pass the last one as ``after`` for the next page


@dataclass(frozen=True, slots=True)
class BoardColumn:
    status: ClaimStatus
    claims: int
    total_charge: Money


def search_claims(database: Database, practice_ids: Collection[int], search: ClaimSearch, *, limit: int,
                  after: Cursor | None, actor: str) -> list[ClaimListItem]:
    """Up to ``limit`` claims of these practices that match ``search``, after ``after``, newest first."""
    if not practice_ids:
        return []
    scope = sorted(practice_ids)
    with UnitOfWork(database, actor=actor) as uow:
        session = uow.session
        scope = _practice_scope(session.execute(select(PracticeRow.id, PracticeRow.code)
                                                .where(PracticeRow.id.in_(scope))).all(), search.practice)
        patients = named_patients(session, search, scope)
        rows = session.execute(search_query(scope, search, after=after, limit=limit, patients=patients)).all()
        found = [ClaimListItem(number, practice, status, f"{last}, {first}", payer or "", day, Money(cents),
                               Cursor(day, claim_id))
                 for claim_id, number, status, day, cents, practice, payer, last, first in rows]
        uow.audit_practices("claim.list", "claim", scope,
                            detail={"claims": [c.claim_number for c in found], "search": _asked(search, after)})
        uow.commit()
        return found


# A patient search that matches at most this many patients reads their claims by patient (an index range for
# each); one that matches more (a prefix like "S") walks the claims newest first, where matches are dense.
PATIENT_LIST_CAP = 2000


def named_patients(session: Session, search: ClaimSearch, scope: list[int]) -> dict[str, list[int]]:
    """For ``q`` and ``patient`` when they name patients: the patients they match, when at most PATIENT_LIST_CAP
    (a filter left out here is joined by the query instead)."""
    found = {}
    for field, query in (("q", _patients_matching_text(search, scope)),
                         ("patient", _patients_matching_patient(search, scope))):
        if query is not None:
            ids = list(session.scalars(query.limit(PATIENT_LIST_CAP + 1)))
            if len(ids) <= PATIENT_LIST_CAP:
                found[field] = sorted(ids)
    return found


def search_query(scope: list[int], search: ClaimSearch, *, after: Cursor | None, limit: int,
                 patients: dict[str, list[int]] | None = None
                 ) -> Select[int, str, str, datetime.date, int, str, str, str, str]:
    """The query of one page (``patients``: what ``named_patients`` found)."""
    query = (select(ClaimRow.id, ClaimRow.patient_control_number, ClaimRow.status, ClaimRow.date_of_service,
                    ClaimRow.total_charge_cents, PracticeRow.code, PayerRow.name, PatientRow.last_name,
                    PatientRow.first_name)
             .join(PracticeRow, PracticeRow.id == ClaimRow.practice_id)
             .join(PatientRow, PatientRow.id == ClaimRow.patient_id)
             .outerjoin(PayerRow, PayerRow.id == ClaimRow.payer_id)
             .where(ClaimRow.practice_id.in_(scope), *_conditions(search, scope, patients)))
    if after is not None:
        query = query.where(tuple_(ClaimRow.date_of_service, ClaimRow.id) < tuple_(after.date_of_service,
                                                                                   after.claim_id))
    return query.order_by(ClaimRow.date_of_service.desc(), ClaimRow.id.desc()).limit(limit)


def board_query(scope: list[int]) -> Select[str, int, int]:
    """Claims and charges by state (an index-only scan of ix_claim_practice_status_charge on PostgreSQL)."""
    return (select(ClaimRow.status, func.count(), func.coalesce(func.sum(ClaimRow.total_charge_cents), 0))
            .where(ClaimRow.practice_id.in_(scope)).group_by(ClaimRow.status))


# The board is a glance, not a ledger: a count of a million claims takes a third of a second, so each worker process
# keeps each practice set's board for BOARD_MAX_AGE seconds; once that has passed, one request counts again while the
# others are answered from the board before (never older than the count in progress).
BOARD_MAX_AGE = 10.0
_boards: dict[tuple[str, frozenset[int]], tuple[float, list[BoardColumn]]] = {}
_counting: set[tuple[str, frozenset[int]]] = set()
_boards_lock = threading.Lock()


def claim_board(database: Database, practice_ids: Collection[int], *, actor: str,
                max_age: float = BOARD_MAX_AGE) -> list[BoardColumn]:
    """How many claims, and how much charged, in each state (every state, zero ones too), for these practices; at
    most ``max_age`` seconds old (0: counted now)."""
    key = (database.url, frozenset(practice_ids))
    with _boards_lock:
        kept = _boards.get(key)
        fresh = kept is not None and time.monotonic() - kept[0] < max_age
        someone_counts = key in _counting
        if kept is not None and (fresh or someone_counts):
            return kept[1]
        _counting.add(key)
    try:
        started = time.monotonic()
        board = _count_board(database, practice_ids, actor=actor)
        with _boards_lock:
            _boards[key] = (started, board)
        return board
    finally:
        with _boards_lock:
            _counting.discard(key)


def _count_board(database: Database, practice_ids: Collection[int], *, actor: str) -> list[BoardColumn]:
    totals: dict[str, tuple[int, int]] = {}
    if practice_ids:
        with UnitOfWork(database, actor=actor) as uow:
            rows = uow.session.execute(board_query(sorted(practice_ids))).all()
            totals = {status: (int(count), int(cents)) for status, count, cents in rows}
    return [BoardColumn(status, totals.get(status.value, (0, 0))[0], Money(totals.get(status.value, (0, 0))[1]))
            for status in ClaimStatus]


def _practice_scope(practices: Sequence[Row[int, str]], code: str | None) -> list[int]:
    """The practice ids to search: the user's, or the one of theirs that ``code`` names."""
    if code is None:
        return sorted(practice_id for practice_id, _ in practices)
    for practice_id, practice_code in practices:
        if practice_code.upper() == code:
            return [practice_id]
    yours = ", ".join(sorted(practice_code for _, practice_code in practices))
    raise InvalidSearch("practice", f"'{code}' is not one of your practices; use one of: {yours}")


def _conditions(search: ClaimSearch, scope: list[int], patients: dict[str, list[int]] | None
                ) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if search.text and search.text_is_claim_number:
        conditions.append(_claim_number_prefix(search.text))
    for field, query in (("q", _patients_matching_text(search, scope)),
                         ("patient", _patients_matching_patient(search, scope))):
        few = (patients or {}).get(field)
        if few is not None:  # the few patients it names, found before
            conditions.append(ClaimRow.patient_id.in_(few))
        elif query is not None:
            conditions.append(ClaimRow.patient_id.in_(query))
    if search.date_from:
        conditions.append(ClaimRow.date_of_service >= search.date_from)
    if search.date_to:
        conditions.append(ClaimRow.date_of_service <= search.date_to)
    if search.statuses:
        conditions.append(ClaimRow.status.in_(sorted(s.value for s in search.statuses)))
    if search.payer:
        payer = search.payer.upper()
        conditions.append(ClaimRow.payer_id.in_(select(PayerRow.id).where(or_(
            func.upper(PayerRow.payer_identifier) == payer,
            func.upper(PayerRow.name).startswith(payer, autoescape=True)))))
    if search.provider:
        conditions.append(_provider(search.provider, scope))
    return conditions


def _claim_number_prefix(text: str) -> ColumnElement[bool]:
    """Claim numbers starting with ``text`` as typed or upper-cased, as index ranges."""
    ranges = []
    for prefix in dict.fromkeys((text, text.upper())):
        low, high = prefix_bounds(prefix)
        ranges.append(and_(ClaimRow.patient_control_number >= low, ClaimRow.patient_control_number < high))
    return or_(*ranges)


def _patients_matching_text(search: ClaimSearch, scope: list[int]) -> Select[int] | None:
    return _patients_named(search.text_as_name, scope) if search.text and not search.text_is_claim_number else None


def _patients_matching_patient(search: ClaimSearch, scope: list[int]) -> Select[int] | None:
    if not search.patient:
        return None
    by_account = select(PatientRow.id).where(PatientRow.practice_id.in_(scope),
                                             PatientRow.account_number == search.patient)
    return union(by_account, _patients_named(search.patient_as_name, scope)).subquery().select()


def _patients_named(name: NameQuery | None, scope: list[int]) -> Select[int]:
    query = select(PatientRow.id).where(PatientRow.practice_id.in_(scope))
    if name is None or not name.last:
        return query.where(PatientRow.id.is_(None))
    # The pattern is a value, not an expression, so PostgreSQL can answer it from ix_patient_upper_last_name.
    query = query.where(func.upper(PatientRow.last_name).like(like_prefix(name.last), escape="/"))
    if name.first:
        query = query.where(func.upper(PatientRow.first_name).like(like_prefix(name.first), escape="/"))
    return query


def _provider(text: str, scope: list[int]) -> ColumnElement[bool]:
    """The rendering provider (NPI or last name) or the billing provider (the practice's NPI or legal name)."""
    if is_npi_like(text):
        rendering = select(ProviderRow.id).where(ProviderRow.practice_id.in_(scope), ProviderRow.npi == text)
        billing = select(PracticeRow.id).where(PracticeRow.id.in_(scope), PracticeRow.billing_npi == text)
    else:
        name = text.upper()
        rendering = select(ProviderRow.id).where(ProviderRow.practice_id.in_(scope),
                                                 func.upper(ProviderRow.last_name).startswith(name, autoescape=True))
        billing = select(PracticeRow.id).where(PracticeRow.id.in_(scope),
                                               func.upper(PracticeRow.legal_name).startswith(name, autoescape=True))
    return or_(ClaimRow.rendering_provider_id.in_(rendering), ClaimRow.practice_id.in_(billing))


def _asked(search: ClaimSearch, after: Cursor | None) -> dict[str, Any]:
    asked: dict[str, Any] = {
        "q": search.text, "patient": search.patient, "payer": search.payer, "provider": search.provider,
        "practice": search.practice,
        "date_from": search.date_from.isoformat() if search.date_from else None,
        "date_to": search.date_to.isoformat() if search.date_to else None,
        "status": sorted(s.value for s in search.statuses) or None, "after": str(after) if after else None}
    return {key: value for key, value in asked.items() if value is not None}
