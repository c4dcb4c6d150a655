"""Finding a stored claim from what a person types: its claim number, or its internal id.

The claim number is the patient control number (837P CLM01) that every output shows (`denials list`,
`claims fix-queue`, `era unmatched`, the 835s). It is unique within a practice; where two practices use the
same number, ``PRACTICE:NUMBER`` (``D1:D1E0000537``) names one. A reference of digits alone is also the
internal id, which is still accepted. Every command that takes a claim resolves it here.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from dermbill.core.errors import InvalidInput, NotFound
from dermbill.db.models import ClaimRow, PracticeRow
from dermbill.db.repositories import UnitOfWork

QUALIFIER = ":"


def find_claim(uow: UnitOfWork, ref: int | str) -> ClaimRow:
    """The one claim ``ref`` names: an int is the internal id; text is a claim number (``D1E0000537``), a
    practice-qualified claim number (``D1:D1E0000537``) or an id. NotFound or InvalidInput (ambiguous) when not
    exactly one claim answers."""
    if isinstance(ref, int):
        row = uow.session.get(ClaimRow, ref)
        if row is None:
            raise NotFound(_unknown(uow, str(ref)))
        return row
    text = ref.strip()
    if not text:
        raise InvalidInput("a claim reference is empty; give the claim number, e.g. " + _example(uow))
    practice, _, number = text.rpartition(QUALIFIER)
    if practice and not _by_number(uow, text):  # a claim number may itself hold a colon
        return _qualified(uow, practice, number, text)
    by_number = _by_number(uow, text)
    by_id = uow.session.get(ClaimRow, int(text)) if text.isdigit() and int(text) < 2**63 else None
    candidates = {row.id: row for row in [*by_number, *([by_id] if by_id is not None else [])]}
    if len(candidates) == 1:
        return next(iter(candidates.values()))
    if not candidates:
        raise NotFound(_unknown(uow, text))
    raise InvalidInput(f"'{text}' names {len(candidates)} claims: {_choices(uow, list(candidates.values()))}")


def find_claims(uow: UnitOfWork, refs: Sequence[int | str]) -> list[ClaimRow]:
    """The claims ``refs`` name, in order, each once."""
    found: dict[int, ClaimRow] = {}
    for ref in refs:
        row = find_claim(uow, ref)
        found.setdefault(row.id, row)
    return list(found.values())


def _by_number(uow: UnitOfWork, number: str, practice_ids: list[int] | None = None) -> list[ClaimRow]:
    """Claims with this claim number: exactly as typed, else ignoring case."""
    exact = ClaimRow.patient_control_number == number
    for condition in (exact, func.upper(ClaimRow.patient_control_number) == number.upper()):
        query = select(ClaimRow).where(condition)
        if practice_ids is not None:
            query = query.where(ClaimRow.practice_id.in_(practice_ids))
        rows = list(uow.session.scalars(query.order_by(ClaimRow.id)))
        if rows:
            return rows
    return []


def _qualified(uow: UnitOfWork, practice: str, number: str, text: str) -> ClaimRow:
    practice_ids = list(uow.session.scalars(select(PracticeRow.id).where(
        func.upper(PracticeRow.code) == practice.strip().upper())))
    if not practice_ids:
        codes = ", ".join(uow.session.scalars(select(PracticeRow.code).distinct().order_by(PracticeRow.code)))
        raise NotFound(f"no practice '{practice.strip()}' in '{text}'; the practices are {codes or 'none yet'}")
    rows = _by_number(uow, number.strip(), practice_ids)
    if not rows:
        raise NotFound(_unknown(uow, text))
    if len(rows) > 1:  # the same practice code in two organizations
        raise InvalidInput(f"'{text}' names {len(rows)} claims: {_choices(uow, rows)}")
    return rows[0]


def _practice_codes(uow: UnitOfWork, rows: list[ClaimRow]) -> dict[int, str]:
    ids = sorted({row.practice_id for row in rows})
    rows_found = uow.session.execute(select(PracticeRow.id, PracticeRow.code).where(PracticeRow.id.in_(ids)))
    return {practice_id: code for practice_id, code in rows_found}


def _choices(uow: UnitOfWork, rows: list[ClaimRow]) -> str:
    codes = _practice_codes(uow, rows)
    named = [f"{codes.get(row.practice_id, '?')}{QUALIFIER}{row.patient_control_number}"
             for row in sorted(rows, key=lambda r: r.id)]
    return ", ".join(named) + " (practice:claim number); give one of those"


def _example(uow: UnitOfWork) -> str:
    number = uow.session.scalars(select(ClaimRow.patient_control_number).order_by(ClaimRow.id).limit(1)).first()
    return number or "D1E0000537"


def _unknown(uow: UnitOfWork, text: str) -> str:
    number = uow.session.scalars(select(ClaimRow.patient_control_number).order_by(ClaimRow.id).limit(1)).first()
    if number is None:
        return f"no claim {text}; there are no claims in this database yet"
    return f"no claim {text}; claim numbers look like {number} (as `denials list` and `claims fix-queue` show them)"
