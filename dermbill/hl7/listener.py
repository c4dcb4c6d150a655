"""The MLLP listener: an EHR's interface engine connects over TCP and sends HL7 v2 messages, each framed by MLLP
(start block 0x0B, end block 0x1C 0x0D); every message is answered with an ACK in the same framing, only after
what it carries is committed.

python-hl7's MLLP streams do the framing. Messages are handled one at a time, in the order they arrive (an
interface engine sends in order and waits for each answer); ``handle`` is the inbox's ``receive``.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable
from dataclasses import dataclass

from hl7.mllp import start_hl7_server

READ_LIMIT = 4 * 1024 * 1024  # bytes: a message larger than this is refused and the connection closed


@dataclass(frozen=True, slots=True)
class Reply:
    ack: str  # the acknowledgment's text
    summary: str  # one line for the console, without protected health information


def decode(block: bytes) -> str:
    """A message's bytes as text: UTF-8, else Latin-1 (HL7 v2's default character set, MSH-18 empty)."""
    try:
        return block.decode("utf-8")
    except UnicodeDecodeError:
        return block.decode("latin-1")


async def serve(host: str, port: int, handle: Callable[[str], Reply], *, say: Callable[[str], None],
                ready: Callable[[int], None] | None = None, stop: asyncio.Event | None = None) -> None:
    """Listen until ``stop`` is set (or SIGINT/SIGTERM); ``ready`` is told the port once listening."""
    stop = stop or asyncio.Event()
    lock = asyncio.Lock()

    async def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        try:
            while not reader.at_eof():
                try:
                    block = await reader.readblock()  # type: ignore[attr-defined]
                except asyncio.IncompleteReadError:
                    break  # the sender closed the connection (mid-message: it had no answer, and sends again)
                async with lock:  # one message at a time, in order of arrival
                    reply = handle(decode(block))
                say(reply.summary)
                writer.writeblock(reply.ack.encode("utf-8"))  # type: ignore[attr-defined]
                await writer.drain()
        except Exception as exc:  # a broken frame or connection: close this connection, keep listening
            say(f"connection from {peer[0] if peer else '?'} closed: {type(exc).__name__}")
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
    server = await start_hl7_server(connected, host=host, port=port, limit=READ_LIMIT)
    async with server:
        bound = server.sockets[0].getsockname()[1] if server.sockets else port
        if ready is not None:
            ready(bound)
        await stop.wait()
