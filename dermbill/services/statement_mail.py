"""Statement delivery by e-mail (issue 16): a notice to each patient whose statement goes by e-mail, and the fall
back to the print batch when the e-mail cannot get through.

``deliver_statement_emails`` sends, for every statement with ``delivery='email'`` still ``pending``, the notice of
``core.statement_notice`` (no PHI: the patient reads the statement on the statement page) to the patient's
e-mail address, over one SMTP connection, and marks it ``sent``. What happens when it cannot:

- refused for good (no e-mail address, one a notice cannot go to, a 5xx to the recipient or to the message):
  the statement moves to the print batch (``delivery='print'``, ``pending``), ``delivery_note`` saying why;
- refused for now (the server unreachable, a 4xx, a broken connection): it stays pending for the next run, and
  the run stops there (the report's ``problem`` says what happened, never the password).

A bounce that arrives later (a delivery status notification, ``core.statement_notice.read_bounce``) moves a sent
statement to print the same way: ``mark_bounced``.

Statements are taken in batches of ``BATCH`` by id, each batch one transaction committed after its notices are
sent (on PostgreSQL its rows are locked, and rows another run holds are skipped, so two runs do not both send one
statement). A crash mid-batch can send a batch's notices twice; a second "your statement is ready" is harmless.
Every delivery, fall back and bounce is audited with the statement's id and practice, never the address.
"""

from __future__ import annotations

import datetime
import os
import secrets
import smtplib
import ssl
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, select

from dermbill.core.errors import InvalidInput, NotFound
from dermbill.core.statement_notice import (
    NotABounce,
    is_deliverable_address,
    is_permanent_refusal,
    notice_message,
    read_bounce,
    statement_code_of,
)
from dermbill.db.audit_origin import person_or
from dermbill.db.engine import Database
from dermbill.db.models import PatientRow, PracticeRow, StatementRow
from dermbill.db.repositories import UnitOfWork
from dermbill.settings import SmtpSecurity, SmtpSettings

BATCH = 100
NOTE_LENGTH = 200  # statement.delivery_note


@dataclass(frozen=True, slots=True)
class MovedToPrint:
    code: str
    practice: str
    reason: str


@dataclass
class DeliveryReport:
    """What a run did: the codes e-mailed, those moved to print and why, how many are left pending, and the
    problem that stopped the run (None: it went through)."""

    sent: list[str] = field(default_factory=list)
    to_print: list[MovedToPrint] = field(default_factory=list)
    still_pending: int = 0
    problem: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"sent": len(self.sent), "to_print": [{"code": m.code, "practice": m.practice, "reason": m.reason}
                                                     for m in self.to_print],
                "still_pending": self.still_pending, "problem": self.problem}


class _Transient(Exception):
    """The server cannot take mail now: stop, leave the rest pending."""


class _Refused(Exception):
    """The server will not take this message for this address: send it on paper."""


class _Mailer:
    """One SMTP connection, opened at the first notice; smtplib's exceptions end here."""

    def __init__(self, smtp: SmtpSettings) -> None:
        self.smtp = smtp
        self._client: smtplib.SMTP | None = None

    def _where(self) -> str:
        return f"the mail server {self.smtp.host}:{self.smtp.port}"

    def _connect(self) -> smtplib.SMTP:
        smtp = self.smtp
        password = None
        if smtp.user:
            password = os.environ.get(smtp.password_variable)
            if not password:
                raise InvalidInput(f"DERMBILL_SMTP_USER is set, but ${smtp.password_variable} (its password) is not")
        context = ssl.create_default_context()
        try:
            client: smtplib.SMTP
            if smtp.security is SmtpSecurity.SSL:
                client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout_seconds, context=context)
            else:
                client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds)
                if smtp.security is SmtpSecurity.STARTTLS:
                    client.starttls(context=context)
            if smtp.user and password:
                client.login(smtp.user, password)
        except smtplib.SMTPAuthenticationError as refused:
            raise _Transient(f"{self._where()} refused the login of {smtp.user} ({refused.smtp_code}); check "
                             f"DERMBILL_SMTP_USER and ${smtp.password_variable}") from None
        except smtplib.SMTPNotSupportedError:
            raise _Transient(f"{self._where()} does not offer STARTTLS; set DERMBILL_SMTP_TLS to ssl, or to none "
                             "for a relay on this host") from None
        except (smtplib.SMTPException, OSError) as failed:
            raise _Transient(f"{self._where()} could not be reached ({_words(failed)})") from None
        return client

    def send(self, message: Any, sender: str, recipient: str) -> None:
        if self.smtp.pickup_dir is not None:
            self._drop(message)
            return
        try:
            if self._client is None:
                self._client = self._connect()
            self._client.send_message(message, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as refused:
            code, _ = next(iter(refused.recipients.values()), (0, b""))
            if is_permanent_refusal(code):
                raise _Refused(f"the mail server refused the address ({code})") from None
            raise _Transient(f"{self._where()} refused a recipient for now ({code})") from None
        except smtplib.SMTPDataError as refused:
            if is_permanent_refusal(refused.smtp_code):
                raise _Refused(f"the mail server refused the message ({refused.smtp_code})") from None
            raise _Transient(f"{self._where()} did not take a message for now ({refused.smtp_code})") from None
        except smtplib.SMTPSenderRefused as refused:
            raise _Transient(f"{self._where()} refused the sender address {sender} ({refused.smtp_code}); check "
                             "DERMBILL_SMTP_FROM") from None
        except smtplib.SMTPNotSupportedError:
            raise _Refused("the address needs an international mail server (SMTPUTF8)") from None
        except (smtplib.SMTPException, OSError) as failed:
            self._client = None
            raise _Transient(f"{self._where()} broke off ({_words(failed)})") from None

    def _drop(self, message: Any) -> None:
        """The notice as an .eml file in the pickup folder (owner-only: it names the patient's address)."""
        folder = Path(self.smtp.pickup_dir or ".")
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            name = "".join(c for c in str(message["Message-ID"] or "") if c.isalnum() or c in "-.@") or "notice"
            descriptor = os.open(folder / f"{name}.eml", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as file:
                file.write(message.as_bytes())
        except OSError as failed:
            raise _Transient(f"the mail pickup folder {folder} cannot be written ({_words(failed)})") from None

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.quit()
            except (smtplib.SMTPException, OSError):
                self._client.close()
            self._client = None


def _words(failure: BaseException) -> str:
    """An exception in one short line, for the report (smtplib's carry only codes and server text)."""
    text = " ".join(str(failure).split())[:120]
    return f"{type(failure).__name__}: {text}" if text else type(failure).__name__


def deliver_statement_emails(database: Database, smtp: SmtpSettings, practice_ids: Collection[int] | None, *,
                             now: datetime.datetime, base_url: str, practices: Collection[str] | None = None,
                             actor: str | None = None) -> DeliveryReport:
    """E-mail the notice of every pending e-mail statement of these practices (ids; None: every practice, or
    those whose codes ``practices`` names); see the module's docstring for what happens when one cannot go."""
    if not base_url.startswith(("https://", "http://")):
        raise InvalidInput(f"the statement page's address {base_url!r} must start with https:// (or http://); give "
                           "--base-url or set DERMBILL_PUBLIC_URL")
    if not is_deliverable_address(smtp.sender):
        raise InvalidInput(f"the sender address {smtp.sender!r} (DERMBILL_SMTP_FROM) is not an e-mail address")
    who = actor or person_or("statements")
    chosen = _practice_ids(database, practice_ids, practices)
    report = DeliveryReport()
    mailer = _Mailer(smtp)
    last_id = 0
    try:
        while report.problem is None:
            with UnitOfWork(database, actor=who, clock=lambda: now) as uow:
                batch = _pending_batch(uow, chosen, last_id)
                if not batch:
                    break
                for statement, address, practice in batch:
                    last_id = statement.id
                    if report.problem is not None:
                        break  # what is left stays pending (its lock ends with the commit)
                    _deliver(uow, mailer, smtp, statement, address, practice, base_url, now, report)
                uow.commit()
    finally:
        mailer.close()
    with UnitOfWork(database, actor=who) as uow:
        report.still_pending = int(uow.session.scalar(
            select(func.count()).select_from(StatementRow).where(*_pending_email(chosen))) or 0)
    return report


def _practice_ids(database: Database, practice_ids: Collection[int] | None,
                  practices: Collection[str] | None) -> set[int] | None:
    if practices is None:
        return set(practice_ids) if practice_ids is not None else None
    with UnitOfWork(database, actor="statements") as uow:
        query = select(PracticeRow.id, PracticeRow.code).where(PracticeRow.code.in_(set(practices)))
        if practice_ids is not None:
            query = query.where(PracticeRow.id.in_(set(practice_ids)))
        found: dict[int, str] = {practice_id: code for practice_id, code in uow.session.execute(query)}
    missing = sorted(set(practices) - set(found.values()))
    if missing:
        raise NotFound(f"no practice {', '.join(missing)}")
    return set(found)


def _pending_email(practice_ids: set[int] | None) -> list[Any]:
    criteria = [StatementRow.delivery == "email", StatementRow.delivery_status == "pending"]
    if practice_ids is not None:
        criteria.append(StatementRow.practice_id.in_(practice_ids))
    return criteria


def _pending_batch(uow: UnitOfWork, practice_ids: set[int] | None,
                   after_id: int) -> list[tuple[StatementRow, str | None, PracticeRow]]:
    query = (select(StatementRow, PatientRow.email, PracticeRow)
             .join(PatientRow, and_(PatientRow.practice_id == StatementRow.practice_id,
                                    PatientRow.id == StatementRow.patient_id))
             .join(PracticeRow, PracticeRow.id == StatementRow.practice_id)
             .where(*_pending_email(practice_ids), StatementRow.id > after_id)
             .order_by(StatementRow.id).limit(BATCH))
    if uow.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=StatementRow, skip_locked=True)
    return [(statement, address, practice) for statement, address, practice in uow.session.execute(query)]


def _deliver(uow: UnitOfWork, mailer: _Mailer, smtp: SmtpSettings, statement: StatementRow, address: str | None,
             practice: PracticeRow, base_url: str, now: datetime.datetime, report: DeliveryReport) -> None:
    if not address or not address.strip():
        _to_print(uow, statement, practice, "no e-mail address on file", report)
        return
    if not is_deliverable_address(address):
        _to_print(uow, statement, practice, "the e-mail address on file is not one mail can be sent to", report)
        return
    try:
        message = notice_message(code=statement.code, practice_name=practice.legal_name, sender=smtp.sender,
                                 recipient=address, base_url=base_url, unique=secrets.token_hex(6), sent_at=now)
    except InvalidInput as unusable:  # a code a notice cannot carry: the paper statement still can
        _to_print(uow, statement, practice, str(unusable), report)
        return
    try:
        mailer.send(message, smtp.sender, address.strip())
    except _Refused as refused:
        _to_print(uow, statement, practice, str(refused), report)
        return
    except _Transient as transient:
        report.problem = f"{transient}; the statements not sent stay pending for the next run"
        return
    statement.delivery_status = "sent"
    statement.delivered_at = now
    statement.delivery_note = None
    uow.audit("statement.emailed", "statement", statement.id, organization_id=practice.organization_id,
              practice_id=practice.id, detail={"message_id": message["Message-ID"]})
    report.sent.append(statement.code)


def _to_print(uow: UnitOfWork, statement: StatementRow, practice: PracticeRow, reason: str,
              report: DeliveryReport) -> None:
    """The e-mail cannot reach the patient: the statement goes out in the next print batch instead."""
    statement.delivery = "print"
    statement.delivery_status = "pending"
    statement.delivery_note = f"not e-mailed: {reason}; sent to the print batch"[:NOTE_LENGTH]
    uow.audit("statement.email_refused", "statement", statement.id, organization_id=practice.organization_id,
              practice_id=practice.id, detail={"reason": reason})
    report.to_print.append(MovedToPrint(statement.code, practice.code, reason))


@dataclass(frozen=True, slots=True)
class BounceResult:
    """What became of one bounce: the statement moved to print, or why not."""

    identifier: str
    code: str | None
    moved: bool
    words: str

    def to_json(self) -> dict[str, Any]:
        return {"identifier": self.identifier, "code": self.code, "moved_to_print": self.moved, "words": self.words}


def mark_bounced(database: Database, identifiers: Iterable[str], *, now: datetime.datetime,
                 status: str | None = None, actor: str | None = None) -> list[BounceResult]:
    """Statements whose notice bounced (by statement code or the notice's Message-ID) go to the print batch.

    A statement already going by post is left as it is (a second bounce of the same notice changes nothing); an
    unknown code is reported, not an error (a bounce can outlive its statement)."""
    return _bounced(database, [(identifier, status) for identifier in identifiers], now=now, actor=actor)


def record_bounce_reports(database: Database, reports: Iterable[tuple[str, bytes]], *, now: datetime.datetime,
                          actor: str | None = None) -> list[BounceResult]:
    """Delivery status notifications (each named, e.g. by its file): those that say a notice failed move its
    statement to print; the others (a delay, a success, not ours) are reported and change nothing."""
    results: list[BounceResult] = []
    found: list[tuple[str, str | None]] = []
    names: list[str] = []
    for name, raw in reports:
        read = read_bounce(raw)
        if isinstance(read, NotABounce):
            results.append(BounceResult(name, None, False, read.reason))
        else:
            found.append((read.code, read.status))
            names.append(name)
    for name, result in zip(names, _bounced(database, found, now=now, actor=actor), strict=True):
        results.append(BounceResult(name, result.code, result.moved, result.words))
    return results


def _bounced(database: Database, identifiers: list[tuple[str, str | None]], *, now: datetime.datetime,
             actor: str | None) -> list[BounceResult]:
    results: list[BounceResult] = []
    if not identifiers:
        return results
    with UnitOfWork(database, actor=actor or person_or("statements"), clock=lambda: now) as uow:
        for identifier, status in identifiers:
            code = statement_code_of(identifier)
            if code is None:
                results.append(BounceResult(identifier, None, False, "not a statement code or a notice's Message-ID"))
                continue
            # As sent, else as printed (upper case): an operator may type a code in lower case.
            statement = uow.session.scalars(select(StatementRow).where(StatementRow.code.in_({code, code.upper()}))
                                            .order_by(StatementRow.code.desc())).first()
            if statement is None:
                results.append(BounceResult(identifier, code, False, "no statement has this code"))
                continue
            if statement.delivery != "email":
                results.append(BounceResult(identifier, code, False, "already goes by post"))
                continue
            practice = uow.session.get(PracticeRow, statement.practice_id)
            said = f" ({status})" if status else ""
            statement.delivery = "print"
            statement.delivery_status = "pending"
            statement.delivered_at = None  # the print batch sets it when the paper goes out
            statement.delivery_note = (f"the e-mail bounced{said} on {now.date().isoformat()}; sent to the print "
                                       "batch")[:NOTE_LENGTH]
            uow.audit("statement.email_bounced", "statement", statement.id,
                      organization_id=practice.organization_id if practice else None,
                      practice_id=statement.practice_id, detail={"status": status})
            results.append(BounceResult(identifier, code, True, "moved to the print batch"))
        uow.commit()
    return results
