"""The patient statement page's lookup (issue 16): a patient types the statement code and their date of birth, and
sees the statement as it was sent. No sign-in: the code (random, printed on the statement and in the e-mail notice)
and the date of birth together are the key.

- The answer is the same for a code that does not exist and for a wrong date of birth, and the birth date is
  compared in constant time even when there is no statement to compare it with.
- Failures are throttled per client address and per code, as staff sign-ins are (``core.access.locked_until``: 5
  failures less than 15 minutes apart lock for 15 minutes), counted in the ``login_attempt`` table under keys a
  sign-in cannot produce (a sign-in's e-mail is stored lower-case; these keys start with a capital), so every
  worker process of ``dermbill serve`` sees the same counts. A success clears the code's count, never the
  address's (one's own statement must not buy more guesses at others).
- Every view, download and failed attempt is audited: the statement (when the code exists) and its practice, and
  the client's address from the request's audit origin; never the date of birth, and never what was typed as the
  code (a person may type their name or birth date there by mistake). A refusal while locked is not audited (it
  checks nothing); the throttle's table records it.
"""

from __future__ import annotations

import datetime
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from sqlalchemy import and_, select

from dermbill.core.access import LOCKOUT_LOOKBACK, LoginAttempt, LoginOutcome, locked_until
from dermbill.core.errors import InvalidInput
from dermbill.core.statement_document import StatementDocument
from dermbill.db.engine import Database
from dermbill.db.models import LoginAttemptRow, PatientRow, PracticeRow, StatementRow
from dermbill.db.repositories import UnitOfWork

PAGE_ACTOR = "patient (statement page)"
CODE_LENGTH = 12  # statement.code
_KEY_LENGTH = 254  # login_attempt.email
_NO_BIRTH_DATE = "0000-00-00"  # compared against when no statement has the code, so the answer takes as long
_BIRTH_FORMS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), (1, 2, 3)),  # 1961-07-14 (what a date field sends)
    (re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$"), (3, 1, 2)),  # 07/14/1961, as a US patient writes it
    (re.compile(r"^(\d{2})(\d{2})(\d{4})$"), (3, 1, 2)),  # 07141961
)


class Purpose(Enum):
    VIEW = "statement.viewed_by_patient"
    DOWNLOAD = "statement.downloaded_by_patient"


class Refusal(Enum):
    NOT_FOUND = "not_found"  # no such code, or the date of birth is not the patient's: one answer for both
    LOCKED = "locked"


@dataclass(frozen=True, slots=True)
class StatementShown:
    statement_id: int
    code: str
    document: StatementDocument


@dataclass(frozen=True, slots=True)
class LookupRefused:
    reason: Refusal
    retry_at: datetime.datetime | None = None  # when LOCKED: when the next try is accepted


def normalized_code(text: str) -> str:
    """The code as printed (upper case), whatever the patient typed around it: spaces, dashes, lower case."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def parse_birth_date(text: str) -> datetime.date:
    """A date of birth as typed: 1961-07-14, 07/14/1961 (month first), 7/14/1961 or 07141961."""
    typed = text.strip()
    for pattern, (year, month, day) in _BIRTH_FORMS:
        found = pattern.match(typed)
        if found:
            try:
                return datetime.date(int(found.group(year)), int(found.group(month)), int(found.group(day)))
            except ValueError:
                break
    raise InvalidInput("enter the date of birth as MM/DD/YYYY, for example 07/14/1961")


def address_key(address: str | None) -> str:
    return f"Statement page: address {address or 'unknown'}"[:_KEY_LENGTH]


def code_key(code: str) -> str:
    return f"Statement page: code {code}"[:_KEY_LENGTH]


def open_statement(database: Database, code_text: str, birth_date: datetime.date, *, address: str | None,
                   now: datetime.datetime, purpose: Purpose = Purpose.VIEW) -> StatementShown | LookupRefused:
    """The statement whose code is ``code_text`` if ``birth_date`` is its patient's; else why not (see above)."""
    code = normalized_code(code_text)[:CODE_LENGTH + 1]  # one past the column: a longer code matches nothing
    keys = (address_key(address), code_key(code))
    with UnitOfWork(database, actor=PAGE_ACTOR, clock=lambda: now) as uow:
        history: dict[str, list[LoginAttempt]] = {key: [] for key in keys}
        for key, at, outcome in uow.session.execute(
                select(LoginAttemptRow.email, LoginAttemptRow.attempted_at, LoginAttemptRow.outcome)
                .where(LoginAttemptRow.email.in_(keys), LoginAttemptRow.attempted_at > now - LOCKOUT_LOOKBACK)):
            history[key].append(LoginAttempt(at, LoginOutcome(outcome)))
        lock = _latest(locked_until(history[key], now) for key in keys)
        if lock is not None:
            uow.session.add(LoginAttemptRow(email=keys[0], outcome=LoginOutcome.LOCKED.value, attempted_at=now))
            uow.commit()
            return LookupRefused(Refusal.LOCKED, lock)
        found = uow.session.execute(
            select(StatementRow, PatientRow.date_of_birth, PracticeRow.organization_id)
            .join(PatientRow, and_(PatientRow.practice_id == StatementRow.practice_id,
                                   PatientRow.id == StatementRow.patient_id))
            .join(PracticeRow, PracticeRow.id == StatementRow.practice_id)
            .where(StatementRow.code.in_(_code_forms(code_text, code)))).first()
        expected = found[1].isoformat() if found is not None else _NO_BIRTH_DATE
        matches = secrets.compare_digest(birth_date.isoformat(), expected) and found is not None
        if found is None or not matches:
            for key in keys:
                uow.session.add(LoginAttemptRow(email=key, outcome=LoginOutcome.WRONG.value, attempted_at=now))
                history[key].append(LoginAttempt(now, LoginOutcome.WRONG))
            statement = found[0] if found is not None else None
            uow.audit("statement.lookup_refused", "statement", statement.id if statement else None,
                      organization_id=found[2] if found is not None else None,
                      practice_id=statement.practice_id if statement else None,
                      detail={"for": purpose.name.lower()})
            uow.commit()
            lock = _latest(locked_until(history[key], now) for key in keys)
            return LookupRefused(Refusal.LOCKED, lock) if lock else LookupRefused(Refusal.NOT_FOUND)
        statement, _, organization_id = found
        document = StatementDocument.from_json(statement.document)
        uow.session.add(LoginAttemptRow(email=keys[1], outcome=LoginOutcome.SUCCEEDED.value, attempted_at=now))
        uow.audit(purpose.value, "statement", statement.id, organization_id=organization_id,
                  practice_id=statement.practice_id)
        uow.commit()
        return StatementShown(statement.id, statement.code, document)


def _code_forms(typed: str, code: str) -> set[str]:
    """The code as printed (upper case, no separators) and as typed: the unique index finds either at once, whatever
    the form the statement run gave its codes."""
    return {code, typed.strip()[:CODE_LENGTH + 1], typed.strip().upper()[:CODE_LENGTH + 1]}


def _latest(moments: Iterable[datetime.datetime | None]) -> datetime.datetime | None:
    found = [moment for moment in moments if moment is not None]
    return max(found) if found else None
