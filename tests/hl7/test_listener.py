"""The MLLP listener over a real socket on 127.0.0.1: `dermbill hl7 listen` started by the test, as an EHR's
interface engine talks to it."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from era_world import practice_world
from hl7_messages import MLLP_END, MLLP_START, dft, framed
from migrated_databases import migrated_sqlite_url
from sqlalchemy import func, select

from dermbill.db.engine import open_database
from dermbill.db.models import ClaimLineRow, Hl7MessageRow
from dermbill.db.repositories import UnitOfWork


class Listener:
    def __init__(self, url: str) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        env.pop("DERMBILL_DATABASE_URL", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dermbill", "hl7", "listen", "--db", url, "--port", "0", "--facility", "ERA=ERA"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        assert self.process.stdout is not None
        self.lines: list[str] = []
        for line in self.process.stdout:
            self.lines.append(line)
            found = re.search(r"listening for HL7 v2 \(MLLP\) on 127\.0\.0\.1:(\d+)", line)
            if found:
                self.port = int(found[1])
                return
        raise AssertionError(f"the listener did not start: {''.join(self.lines)} {self.process.stderr.read()}")

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=30)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> str:
        self.process.send_signal(signal.SIGTERM)
        out, _ = self.process.communicate(timeout=30)
        return "".join(self.lines) + out


def exchange(connection: socket.socket, message: str) -> str:
    connection.sendall(framed(message))
    received = b""
    while not received.endswith(MLLP_END):
        chunk = connection.recv(65536)
        assert chunk, "the listener closed the connection without an answer"
        received += chunk
    assert received.startswith(MLLP_START)
    return received[1:-2].decode()


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    address = migrated_sqlite_url(tmp_path / "hl7.db")
    database = open_database(address)
    practice_world(database)
    database.dispose()
    yield address


def counts(url: str) -> tuple[int, int]:
    database = open_database(url)
    try:
        with UnitOfWork(database, actor="test") as uow:
            messages = uow.session.scalar(select(func.count()).select_from(Hl7MessageRow))
            lines = uow.session.scalar(select(func.count()).select_from(ClaimLineRow))
            return int(messages or 0), int(lines or 0)
    finally:
        database.dispose()


def test_the_listener_acknowledges_after_commit_answers_errors_and_takes_a_resend_once(url: str) -> None:
    listener = Listener(url)
    try:
        with listener.connect() as connection:
            ack = exchange(connection, dft("M1", "11102", "17000"))
            assert "\rMSA|AA|M1" in ack
            assert counts(url) == (1, 2)  # answered: so already committed
            again = exchange(connection, dft("M1", "11102", "17000"))
            assert "MSA|AA|M1|already received and processed" in again
            bad = exchange(connection, dft("M2", "11102", provider="1679576722"))
            assert "MSA|AE|M2" in bad and "ERR||FT1^1^20|" in bad
            garbage = exchange(connection, "NOT HL7 AT ALL")
            assert "MSA|AR|" in garbage
        assert counts(url) == (3, 2)
    finally:
        output = listener.stop()
    assert "message #1: AA processed" in output
    assert "DOE" not in output  # no protected health information on the console


def test_a_listener_killed_mid_message_loses_nothing_and_the_resend_is_processed_once(url: str) -> None:
    listener = Listener(url)
    message = dft("M1", "11102")
    with listener.connect() as connection:
        connection.sendall(MLLP_START + message.encode()[:40])  # half a message, then the listener dies
        listener.kill()
    assert counts(url) == (0, 0)  # nothing half-stored
    restarted = Listener(url)
    try:
        with restarted.connect() as connection:
            assert "MSA|AA|M1" in exchange(connection, message)  # the sender had no answer: it sends again
        with restarted.connect() as connection:
            assert "already received and processed" in exchange(connection, message)
    finally:
        restarted.stop()
    assert counts(url) == (1, 1)


def test_a_message_stored_before_a_kill_is_processed_when_the_listener_starts(url: str) -> None:
    from era_world import NOW

    database = open_database(url)
    with UnitOfWork(database, actor="test") as uow:
        uow.session.add(Hl7MessageRow(sending_application="DERMEHR", sending_facility="ERA", control_id="M9",
                                      message_type="DFT^P03", raw=dft("M9"), status="received", outcome={},
                                      attempts=0, received_at=NOW))
        uow.commit()
    database.dispose()
    listener = Listener(url)
    try:
        assert any("processed 1 message(s) stored before the last stop" in line for line in listener.lines)
        with listener.connect() as connection:
            assert "already received and processed" in exchange(connection, dft("M9"))
    finally:
        listener.stop()
    assert counts(url) == (1, 1)
