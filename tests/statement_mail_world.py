"""Statements to deliver and look up (the e-mail notices, the bounces, the patient statement page): the ERA practice
with patients who each have one statement (its document: tests/statement_samples.py), and a real SMTP server on
127.0.0.1 (aiosmtpd) that records what it is sent and refuses the addresses it is told to."""

from __future__ import annotations

import datetime
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from era_world import NOW, practice_world
from statement_samples import sample_document

from dermbill.db.engine import Database
from dermbill.db.models import PatientRow, StatementRow
from dermbill.db.repositories import UnitOfWork
from dermbill.settings import SmtpSecurity, SmtpSettings

BASE_URL = "https://bills.example.test"
SENDER = "statements@billing.example.test"
BIRTH = datetime.date(1961, 7, 14)


@dataclass(frozen=True, slots=True)
class Statement:
    id: int
    code: str
    patient_id: int
    email: str | None


def statement_practice(database: Database) -> int:
    """The ERA practice (no claims needed: a statement keeps its own document)."""
    return practice_world(database).practice_id


def add_statement(database: Database, practice_id: int, *, code: str, email: str | None, account: str,
                  birth: datetime.date = BIRTH, delivery: str = "email") -> Statement:
    """A patient (Jordan Avery, as on the sample document) and their pending statement ``code``."""
    document = sample_document(code=code, account=account)
    with UnitOfWork(database, actor="test", clock=lambda: NOW) as uow:
        repo = uow.practice(practice_id)
        patient = repo.add(PatientRow(account_number=account, last_name="AVERY", first_name="JORDAN",
                                      date_of_birth=birth, sex="U", address_line1="8 OAK LANE", city="SPRINGFIELD",
                                      state="IL", zip_code="62704", email=email, created_at=NOW))
        repo.flush()
        row = repo.add(StatementRow(patient_id=patient.id, statement_date=document.statement_date,
                                    due_on=document.due_on, amount_cents=document.balance_due.cents,
                                    step=document.step, code=code, delivery=delivery, delivery_status="pending",
                                    document=document.to_json(), created_by="test", created_at=NOW))
        repo.flush()
        uow.commit()
        return Statement(row.id, code, patient.id, email)


def statement_row(database: Database, statement_id: int) -> StatementRow:
    with UnitOfWork(database, actor="test") as uow:
        row = uow.session.get(StatementRow, statement_id)
        assert row is not None
        uow.session.expunge(row)
        return row


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Recorder:
    """The SMTP server's handler: keeps each message it accepts; answers ``refuse``'s addresses with their code."""

    refuse: dict[str, str] = field(default_factory=dict)  # address -> "550 5.1.1 no such user"
    refuse_data: dict[str, str] = field(default_factory=dict)  # address -> the answer to the message (DATA)
    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    port: int = 0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        for address in envelope.rcpt_tos:
            if address in self.refuse_data:
                return self.refuse_data[address]
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server(refuse: dict[str, str] | None = None,
                refuse_data: dict[str, str] | None = None) -> Iterator[Recorder]:
    recorder = Recorder(refuse=dict(refuse or {}), refuse_data=dict(refuse_data or {}), port=free_port())
    controller = Controller(recorder, hostname="127.0.0.1", port=recorder.port)
    controller.start()
    try:
        yield recorder
    finally:
        controller.stop()


def smtp_settings(port: int) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, sender=SENDER, security=SmtpSecurity.NONE, timeout_seconds=5)
