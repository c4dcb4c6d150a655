"""A real SFTP server on 127.0.0.1 for the connection tests: asyncssh on its own event loop in a
background thread, serving one local folder as ``/`` (chroot), with a fresh ed25519 host key.

Logins: ``username`` with ``password``, or any key in ``client_keys``. Folders named in ``denied``
(relative to the root, e.g. ``"locked"``) refuse uploads with "permission denied", the way a
clearinghouse's read-only folder does; a chmod cannot show that when the tests run as root.
Names in ``extra_names`` (raw bytes, e.g. ``b"../x"``) are added to every folder listing as regular
files, the way a hostile or broken server could list them; a real file system cannot hold such names.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncssh


@dataclass(frozen=True)
class SftpServer:
    port: int
    root: Path
    host_key: asyncssh.SSHKey

    def known_hosts_line(self) -> str:
        """The known_hosts entry for this server (non-standard port, so ``[host]:port``)."""
        public = self.host_key.export_public_key("openssh").decode().strip()
        return f"[127.0.0.1]:{self.port} {public}\n"


class _Login(asyncssh.SSHServer):
    def __init__(self, username: str, password: str) -> None:
        self._username = username
        self._password = password

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return username == self._username and password == self._password


def _sftp_factory(root: Path, denied: Sequence[str], extra_names: Sequence[bytes]) -> type[asyncssh.SFTPServer]:
    denied_paths = tuple(f"/{name.strip('/')}/".encode() for name in denied)

    class RootedSftpServer(asyncssh.SFTPServer):
        def __init__(self, chan: asyncssh.SSHServerChannel[bytes]) -> None:
            super().__init__(chan, chroot=str(root).encode())

        def open(self, path: bytes, pflags: int, attrs: asyncssh.SFTPAttrs) -> object:
            if pflags & asyncssh.FXF_WRITE and path.startswith(denied_paths):
                raise asyncssh.SFTPPermissionDenied("Permission denied")
            return super().open(path, pflags, attrs)

        async def scandir(self, path: bytes) -> AsyncIterator[asyncssh.SFTPName]:
            for name in extra_names:
                yield asyncssh.SFTPName(name, attrs=asyncssh.SFTPAttrs(type=asyncssh.FILEXFER_TYPE_REGULAR, size=1))
            async for entry in super().scandir(path):
                yield entry

    return RootedSftpServer


@contextmanager
def running_sftp_server(
    root: Path,
    *,
    username: str,
    password: str,
    client_keys: Sequence[asyncssh.SSHKey] = (),
    denied: Sequence[str] = (),
    extra_names: Sequence[bytes] = (),
) -> Iterator[SftpServer]:
    """Serve ``root`` over SFTP on a free port of 127.0.0.1 until the block ends."""
    host_key = asyncssh.generate_private_key("ssh-ed25519")
    authorized = asyncssh.import_authorized_keys(
        "".join(key.export_public_key("openssh").decode() for key in client_keys)
    )
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="test-sftp-server", daemon=True)
    thread.start()

    async def start() -> asyncssh.SSHAcceptor:
        return await asyncssh.listen(
            "127.0.0.1",
            0,
            server_host_keys=[host_key],
            server_factory=lambda: _Login(username, password),
            authorized_client_keys=authorized,
            sftp_factory=_sftp_factory(root, denied, extra_names),
            allow_scp=False,
        )

    acceptor = asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=10)
    try:
        yield SftpServer(port=acceptor.get_port(), root=root, host_key=host_key)
    finally:

        async def stop() -> None:
            acceptor.close()
            await acceptor.wait_closed()

        asyncio.run_coroutine_threadsafe(stop(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
