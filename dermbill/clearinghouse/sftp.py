"""SFTP to a clearinghouse: claim files up to one remote folder, responses down from another.

Same semantics as the folder drop (see ``connection.py``): ``send`` skips a name the outbound folder
already holds and renames into place from ``.NAME.partial``; ``fetch`` renames each download into the
inbox before it removes (or archives) the remote file.

Two safety rules:
- The server's host key is always verified, against a known_hosts file or one configured public key.
  There is no "accept on first use": an unknown or changed key refuses the connection.
- Secrets never sit in settings we store: ``key_file`` is a path to a private key, and ``password_env``
  names the environment variable that holds the password, read only when connecting.

Settings, e.g. one TOML table::

    [clearinghouse.sftp]
    host = "sftp.example-clearinghouse.test"
    port = 22
    username = "practice1042"
    outbound = "/inbound-claims"     # where our 837 files go (their inbound, our outbound)
    inbound = "/outbound-responses"  # where 999, 277CA and 835 files come from
    archive = "/outbound-responses/archive"   # optional: move fetched files here instead of deleting
    known_hosts = "~/.config/dermbill/known_hosts"
    key_file = "~/.config/dermbill/sftp_ed25519"
    password_env = "DERMBILL_SFTP_PASSWORD"
"""

from __future__ import annotations

import asyncio
import os
import posixpath
from collections.abc import AsyncIterator, Coroutine, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import asyncssh

from dermbill.clearinghouse.connection import Delivery, unique_target, unsafe_name
from dermbill.core.errors import DermbillError, InvalidInput, StorageUnavailable

_T = TypeVar("_T")

_REQUIRED_SETTINGS = ("host", "username", "outbound", "inbound")
_OPTIONAL_SETTINGS = ("name", "port", "archive", "known_hosts", "host_key", "key_file", "password_env")


@dataclass(kw_only=True)
class SftpConnection:
    """One clearinghouse SFTP account; remote folders are POSIX paths on the server."""

    name: str
    host: str
    port: int = 22
    username: str
    outbound: str
    inbound: str
    archive: str | None = None
    known_hosts: Path | None = None
    host_key: str | None = None  # the server's public key in OpenSSH form, instead of a known_hosts file
    key_file: Path | None = None
    password_env: str | None = None  # the NAME of the environment variable holding the password
    timeout: float = 30.0
    refused: list[str] = field(default_factory=list, init=False)  # set by fetch: listed names skipped, and why

    def __post_init__(self) -> None:
        where = f"SFTP connection {self.name!r}"
        if not 1 <= self.port <= 65535:
            raise InvalidInput(f"{where}: port must be from 1 to 65535, got {self.port}")
        for setting in ("host", "username", "outbound", "inbound"):
            if not getattr(self, setting):
                raise InvalidInput(f"{where}: {setting} is empty")
        if self.known_hosts is None and self.host_key is None:
            raise InvalidInput(
                f"{where}: no known_hosts configured; set known_hosts to a file holding the server's host key "
                "(or host_key to its public key): host keys are never accepted unverified"
            )
        if self.known_hosts is not None and self.host_key is not None:
            raise InvalidInput(f"{where}: set known_hosts or host_key, not both")
        if self.host_key is not None:
            self._trusted_host_key()
        if self.key_file is None and not self.password_env:
            raise InvalidInput(f"{where}: no credentials configured; set key_file, password_env, or both")

    @classmethod
    def from_settings(cls, settings: Mapping[str, object]) -> SftpConnection:
        """Build a connection from plain settings (one TOML table); raises InvalidInput naming a bad key."""
        if "password" in settings:
            raise InvalidInput(
                "SFTP settings: do not put the password in the settings; put it in an environment variable "
                "and set password_env to that variable's name"
            )
        unknown = sorted(set(settings) - set(_REQUIRED_SETTINGS) - set(_OPTIONAL_SETTINGS))
        if unknown:
            accepted = ", ".join((*_REQUIRED_SETTINGS, *_OPTIONAL_SETTINGS))
            raise InvalidInput(f"SFTP settings: unknown key {unknown[0]!r} (accepted: {accepted})")
        for key in _REQUIRED_SETTINGS:
            if key not in settings:
                raise InvalidInput(f"SFTP settings: missing key {key!r} (required: {', '.join(_REQUIRED_SETTINGS)})")
        if "known_hosts" not in settings and "host_key" not in settings:
            raise InvalidInput(
                "SFTP settings: missing key 'known_hosts' (a file holding the server's host key; "
                "host keys are never accepted unverified)"
            )
        if "key_file" not in settings and "password_env" not in settings:
            raise InvalidInput("SFTP settings: missing key 'key_file' or 'password_env' (no credentials configured)")

        password_env = _optional_text(settings, "password_env")
        if password_env is not None and not os.environ.get(password_env):
            raise InvalidInput(
                f"SFTP settings: password_env names {password_env!r}, but that environment variable is not set"
            )
        host = _text(settings, "host")
        known_hosts = _optional_text(settings, "known_hosts")
        key_file = _optional_text(settings, "key_file")
        return cls(
            name=_optional_text(settings, "name") or f"sftp {host}",
            host=host,
            port=_port(settings),
            username=_text(settings, "username"),
            outbound=_text(settings, "outbound"),
            inbound=_text(settings, "inbound"),
            archive=_optional_text(settings, "archive"),
            known_hosts=Path(known_hosts).expanduser() if known_hosts is not None else None,
            host_key=_optional_text(settings, "host_key"),
            key_file=Path(key_file).expanduser() if key_file is not None else None,
            password_env=password_env,
        )

    def send(self, files: Sequence[Path]) -> list[Delivery]:
        """Upload files into the outbound folder; a name the folder already holds is skipped."""
        for path in files:
            if not path.is_file():
                raise InvalidInput(f"{path} is not a file; nothing was sent")
        if not files:
            return []
        return self._run(self._send(files))

    def fetch(self, inbox: Path) -> list[Path]:
        """Download every inbound file into ``inbox``, then remove it (or archive it) on the server.

        A listed name that is not a plain base name (``../x``, ``/x``, ``a/b``, NUL ...) is not downloaded
        and stays on the server; ``refused`` says which and why.
        """
        self.refused = []
        return self._run(self._fetch(inbox))

    @property
    def _where(self) -> str:
        return f"SFTP server {self.host}:{self.port}"

    def _run(self, work: Coroutine[Any, Any, _T]) -> _T:
        try:
            return asyncio.run(work)
        except DermbillError:
            raise
        except asyncssh.Error as exc:
            raise StorageUnavailable(f"{self._where}: connection failed: {_reason(exc)}; try again later") from exc
        except OSError as exc:
            raise StorageUnavailable(f"{self._where}: connection failed: {_os_reason(exc)}; try again later") from exc

    async def _send(self, files: Sequence[Path]) -> list[Delivery]:
        deliveries = []
        async with self._session() as sftp:
            for path in files:
                target = posixpath.join(self.outbound, path.name)
                if await self._exists(sftp, target, "outbound"):
                    deliveries.append(Delivery(path.name, sent=False))
                    continue
                partial = posixpath.join(self.outbound, f".{path.name}.partial")
                try:
                    await sftp.put(str(path), partial)
                    await _rename(sftp, partial, target)
                except asyncssh.SFTPError as exc:
                    raise self._remote_error(exc, f"cannot deliver {path.name} to", target, "outbound") from exc
                except OSError as exc:
                    raise StorageUnavailable(f"cannot read {path}: {_os_reason(exc)}") from exc
                deliveries.append(Delivery(path.name, sent=True))
        return deliveries

    async def _fetch(self, inbox: Path) -> list[Path]:
        fetched = []
        async with self._session() as sftp:
            names = await self._inbound_names(sftp)
            for name in names:
                remote = posixpath.join(self.inbound, name)
                target = unique_target(inbox, name)
                partial = inbox / f".{target.name}.partial"
                try:
                    inbox.mkdir(parents=True, exist_ok=True)
                    await sftp.get(remote, str(partial))
                    os.replace(partial, target)
                except asyncssh.SFTPError as exc:
                    raise self._remote_error(exc, "cannot download", remote, "inbound") from exc
                except OSError as exc:
                    raise StorageUnavailable(f"cannot write {target}: {_os_reason(exc)}") from exc
                # Only now that the file is safe locally may it leave the server.
                try:
                    if self.archive is None:
                        await sftp.remove(remote)
                    else:
                        await _rename(sftp, remote, await self._archive_target(sftp, self.archive, name))
                except asyncssh.SFTPError as exc:
                    if self.archive is None:
                        raise self._remote_error(exc, f"fetched {name} but cannot remove", remote, "inbound") from exc
                    action = f"fetched {name} but cannot move it to"
                    raise self._remote_error(exc, action, self.archive, "archive") from exc
                fetched.append(target)
        return fetched

    async def _inbound_names(self, sftp: asyncssh.SFTPClient) -> list[str]:
        names = []
        try:
            async for entry in sftp.scandir(self.inbound):
                name = os.fsdecode(entry.filename)
                if name in (".", ".."):
                    continue
                reason = unsafe_name(name)
                if reason is not None:
                    self.refused.append(f"{self._where}: skipped {name!r} in {self.inbound}: {reason}; "
                                        "it was not downloaded (only plain file names are accepted)")
                    continue
                if name.startswith("."):
                    continue
                kind = entry.attrs.type
                if kind == asyncssh.FILEXFER_TYPE_UNKNOWN:
                    # A server that sends no permissions in listings: ask about the file itself.
                    is_file = await sftp.isfile(posixpath.join(self.inbound, name))
                else:
                    is_file = kind == asyncssh.FILEXFER_TYPE_REGULAR
                if is_file:
                    names.append(name)
        except asyncssh.SFTPError as exc:
            raise self._remote_error(exc, "cannot list", self.inbound, "inbound") from exc
        return sorted(names)

    async def _archive_target(self, sftp: asyncssh.SFTPClient, archive: str, name: str) -> str:
        """The archived file's path: its own name, or name.1, name.2 ... when the archive holds it."""
        target = posixpath.join(archive, name)
        number = 0
        while await self._exists(sftp, target, "archive"):
            number += 1
            target = posixpath.join(archive, f"{name}.{number}")
        return target

    async def _exists(self, sftp: asyncssh.SFTPClient, path: str, setting: str) -> bool:
        try:
            return await sftp.exists(path)
        except asyncssh.SFTPError as exc:
            raise self._remote_error(exc, "cannot check", path, setting) from exc

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[asyncssh.SFTPClient]:
        known_hosts = self._known_hosts()
        password = self._password()
        if self.key_file is not None and not self.key_file.is_file():
            raise InvalidInput(f"SFTP connection {self.name!r}: key_file {self.key_file} does not exist")
        try:
            connection = await asyncssh.connect(
                self.host,
                self.port,
                username=self.username,
                known_hosts=known_hosts,
                client_keys=[str(self.key_file)] if self.key_file is not None else None,
                password=password,
                # Only what is configured here: no ~/.ssh/config, agent, default keys or Kerberos.
                config=None,
                agent_path=None,
                gss_host=None,
                connect_timeout=self.timeout,
            )
        except asyncssh.HostKeyNotVerifiable as exc:
            trusted = f"known_hosts file {self.known_hosts}" if self.known_hosts is not None else "host_key"
            raise StorageUnavailable(
                f"{self._where}: host key not trusted by {trusted} ({_reason(exc)}); do not connect until the "
                "clearinghouse confirms the key's fingerprint, then add the key for "
                f"{_known_hosts_pattern(self.host, self.port)}"
            ) from exc
        except asyncssh.PermissionDenied as exc:
            raise StorageUnavailable(
                f"{self._where}: login refused for user {self.username!r}; check {self._credentials()}"
            ) from exc
        except asyncssh.KeyImportError as exc:
            raise InvalidInput(
                f"SFTP connection {self.name!r}: cannot load key_file {self.key_file}: {_reason(exc)} "
                "(an unencrypted OpenSSH or PEM private key is accepted)"
            ) from exc
        except asyncssh.Error as exc:
            raise StorageUnavailable(f"{self._where}: connection failed: {_reason(exc)}; try again later") from exc
        except OSError as exc:
            raise StorageUnavailable(
                f"{self._where}: cannot connect ({_os_reason(exc)}); check host and port, and that the server is up"
            ) from exc
        async with connection:
            try:
                sftp = await connection.start_sftp_client()
            except (asyncssh.ChannelOpenError, asyncssh.SFTPError) as exc:
                raise StorageUnavailable(
                    f"{self._where}: no SFTP service for user {self.username!r} ({_reason(exc)}); "
                    "ask the clearinghouse to enable SFTP for this account"
                ) from exc
            async with sftp:
                yield sftp

    def _known_hosts(self) -> str | tuple[list[asyncssh.SSHKey], list[asyncssh.SSHKey], list[asyncssh.SSHKey]]:
        # Never None (asyncssh would skip verification) and never empty (it would fall back to ~/.ssh).
        if self.host_key is not None:
            return ([self._trusted_host_key()], [], [])
        if self.known_hosts is None or not self.known_hosts.is_file():
            raise InvalidInput(
                f"SFTP connection {self.name!r}: known_hosts file {self.known_hosts} does not exist; create it "
                f"with the server's host key for {_known_hosts_pattern(self.host, self.port)}, as confirmed by "
                "the clearinghouse"
            )
        return str(self.known_hosts)

    def _trusted_host_key(self) -> asyncssh.SSHKey:
        try:
            return asyncssh.import_public_key(self.host_key or "")
        except asyncssh.KeyImportError as exc:
            raise InvalidInput(
                f"SFTP connection {self.name!r}: host_key is not a public key ({_reason(exc)}); "
                "expected one line like 'ssh-ed25519 AAAA...'"
            ) from exc

    def _password(self) -> str | None:
        if not self.password_env:
            return None
        password = os.environ.get(self.password_env)
        if not password:
            raise InvalidInput(
                f"SFTP connection {self.name!r}: environment variable {self.password_env} (password_env) is not set"
            )
        return password

    def _credentials(self) -> str:
        parts = ["the username"]
        if self.key_file is not None:
            parts.append(f"that the server accepts the key in {self.key_file}")
        if self.password_env:
            parts.append(f"the password in ${self.password_env}")
        return ", ".join(parts[:-1]) + " and " + parts[-1]

    def _remote_error(self, exc: asyncssh.SFTPError, action: str, path: str, setting: str) -> StorageUnavailable:
        if isinstance(exc, asyncssh.SFTPNoSuchFile | asyncssh.SFTPNoSuchPath):
            advice = f"{path} does not exist on the server; check the {setting} setting"
        elif isinstance(exc, asyncssh.SFTPPermissionDenied):
            advice = f"permission denied; ask the clearinghouse to give user {self.username!r} access"
        else:
            advice = f"{_reason(exc)}; try again later"
        return StorageUnavailable(f"{self._where}: {action} {path}: {advice}")


async def _rename(sftp: asyncssh.SFTPClient, source: str, target: str) -> None:
    """Rename atomically when the server offers posix-rename, else with the plain (non-replacing) rename."""
    try:
        await sftp.posix_rename(source, target)
    except asyncssh.SFTPOpUnsupported:
        await sftp.rename(source, target)


def _known_hosts_pattern(host: str, port: int) -> str:
    return host if port == 22 else f"[{host}]:{port}"


def _reason(exc: Exception) -> str:
    """One line of explanation from a library exception (asyncssh reasons can span lines)."""
    text = getattr(exc, "reason", "") or str(exc) or type(exc).__name__
    return " ".join(str(text).split())


def _os_reason(exc: OSError) -> str:
    return exc.strerror or _reason(exc)


def _text(settings: Mapping[str, object], key: str) -> str:
    value = settings[key]
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"SFTP settings: {key} must be non-empty text, got {value!r}")
    return value.strip()


def _optional_text(settings: Mapping[str, object], key: str) -> str | None:
    return _text(settings, key) if settings.get(key) is not None else None


def _port(settings: Mapping[str, object]) -> int:
    value = settings.get("port", 22)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise InvalidInput(f"SFTP settings: port must be a whole number from 1 to 65535, got {value!r}")
    return value
