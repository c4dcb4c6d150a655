"""The SFTP connection against a real asyncssh SFTP server on 127.0.0.1 (see sftp_server.py)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncssh
import pytest
from sftp_server import SftpServer, running_sftp_server

from dermbill.clearinghouse.connection import Delivery
from dermbill.clearinghouse.sftp import SftpConnection
from dermbill.core.errors import InvalidInput, StorageUnavailable

USERNAME = "practice1042"
PASSWORD = "correct horse battery staple"
PASSWORD_ENV = "DERMBILL_TEST_SFTP_PASSWORD"


@dataclass(frozen=True)
class Site:
    """The running server, its folders as the server's disk sees them, and the client's files."""

    server: SftpServer
    known_hosts: Path
    key_file: Path
    local: Path

    @property
    def outbound(self) -> Path:
        return self.server.root / "claims-in"

    @property
    def inbound(self) -> Path:
        return self.server.root / "responses-out"

    @property
    def archive(self) -> Path:
        return self.server.root / "archive"

    def connection(self, **overrides: object) -> SftpConnection:
        settings: dict[str, object] = {
            "name": "test clearinghouse",
            "host": "127.0.0.1",
            "port": self.server.port,
            "username": USERNAME,
            "outbound": "/claims-in",
            "inbound": "/responses-out",
            "known_hosts": self.known_hosts,
            "key_file": self.key_file,
            "timeout": 5.0,
        }
        settings.update(overrides)
        return SftpConnection(**settings)  # type: ignore[arg-type]

    def claim_file(self, name: str, text: str = "ISA*00*~") -> Path:
        path = self.local / "outgoing" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    root = tmp_path / "server-root"
    for folder in ("claims-in", "responses-out", "archive", "locked"):
        (root / folder).mkdir(parents=True)
    client_key = asyncssh.generate_private_key("ssh-ed25519")
    key_file = tmp_path / "client" / "id_ed25519"
    key_file.parent.mkdir()
    client_key.write_private_key(str(key_file))
    key_file.chmod(0o600)
    with running_sftp_server(
        root, username=USERNAME, password=PASSWORD, client_keys=[client_key], denied=["locked"]
    ) as server:
        known_hosts = tmp_path / "client" / "known_hosts"
        known_hosts.write_text(server.known_hosts_line())
        yield Site(server=server, known_hosts=known_hosts, key_file=key_file, local=tmp_path / "client")


def test_send_uploads_into_the_outbound_folder_under_the_file_name(site: Site) -> None:
    files = [site.claim_file("837P-0001.x12", "first"), site.claim_file("837P-0002.x12", "second")]

    deliveries = site.connection().send(files)

    assert deliveries == [Delivery("837P-0001.x12", sent=True), Delivery("837P-0002.x12", sent=True)]
    assert sorted(p.name for p in site.outbound.iterdir()) == ["837P-0001.x12", "837P-0002.x12"]
    assert (site.outbound / "837P-0002.x12").read_text() == "second"
    assert list(site.inbound.iterdir()) == []


def test_send_then_fetch_round_trip_removes_fetched_files_from_the_server(site: Site) -> None:
    connection = site.connection()
    connection.send([site.claim_file("837P-0001.x12")])
    (site.inbound / "999-0001.x12").write_text("acknowledged")
    (site.inbound / "835-0001.x12").write_text("paid")
    (site.inbound / ".835-0002.x12.partial").write_text("still arriving")
    (site.inbound / "subfolder").mkdir()
    inbox = site.local / "inbox"

    fetched = connection.fetch(inbox)

    assert fetched == [inbox / "835-0001.x12", inbox / "999-0001.x12"]
    assert [p.read_text() for p in fetched] == ["paid", "acknowledged"]
    assert sorted(p.name for p in site.inbound.iterdir()) == [".835-0002.x12.partial", "subfolder"]
    assert sorted(p.name for p in inbox.iterdir()) == ["835-0001.x12", "999-0001.x12"]
    assert [p.name for p in site.outbound.iterdir()] == ["837P-0001.x12"]
    assert connection.fetch(inbox) == []


def test_fetch_moves_files_into_the_archive_folder_when_one_is_configured(site: Site) -> None:
    (site.archive / "835-0001.x12").write_text("archived last week")
    (site.inbound / "835-0001.x12").write_text("paid again")
    inbox = site.local / "inbox"
    inbox.mkdir()
    (inbox / "835-0001.x12").write_text("a different local file")

    fetched = site.connection(archive="/archive").fetch(inbox)

    assert fetched == [inbox / "835-0001.x12.1"]
    assert fetched[0].read_text() == "paid again"
    assert list(site.inbound.iterdir()) == []
    assert (site.archive / "835-0001.x12").read_text() == "archived last week"
    assert (site.archive / "835-0001.x12.1").read_text() == "paid again"


def test_file_stays_on_the_server_when_it_cannot_be_archived(site: Site) -> None:
    (site.inbound / "835-0001.x12").write_text("paid")
    inbox = site.local / "inbox"

    with pytest.raises(StorageUnavailable, match="cannot move it to /no-archive: .*check the archive setting"):
        site.connection(archive="/no-archive").fetch(inbox)

    assert (site.inbound / "835-0001.x12").read_text() == "paid"
    assert [p.name for p in inbox.iterdir()] == ["835-0001.x12"]


def test_sending_the_same_file_twice_delivers_it_once(site: Site) -> None:
    connection = site.connection()
    claim = site.claim_file("837P-0001.x12", "original")
    assert connection.send([claim]) == [Delivery("837P-0001.x12", sent=True)]
    claim.write_text("changed locally")

    assert connection.send([claim]) == [Delivery("837P-0001.x12", sent=False)]
    assert [p.name for p in site.outbound.iterdir()] == ["837P-0001.x12"]
    assert (site.outbound / "837P-0001.x12").read_text() == "original"


def test_password_login_from_the_named_environment_variable(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)

    deliveries = site.connection(key_file=None, password_env=PASSWORD_ENV).send([site.claim_file("837P-0001.x12")])

    assert deliveries == [Delivery("837P-0001.x12", sent=True)]


def test_wrong_password_is_refused_with_a_clear_error(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "not the password")
    connection = site.connection(key_file=None, password_env=PASSWORD_ENV)

    with pytest.raises(StorageUnavailable) as refused:
        connection.send([site.claim_file("837P-0001.x12")])

    message = str(refused.value)
    assert message.startswith(f"SFTP server 127.0.0.1:{site.server.port}: login refused for user 'practice1042'")
    assert f"${PASSWORD_ENV}" in message
    assert "\n" not in message
    assert PASSWORD not in message and "not the password" not in message
    assert list(site.outbound.iterdir()) == []


def test_unknown_client_key_is_refused(site: Site) -> None:
    stranger = site.local / "stranger_ed25519"
    asyncssh.generate_private_key("ssh-ed25519").write_private_key(str(stranger))

    with pytest.raises(StorageUnavailable, match="login refused for user 'practice1042'"):
        site.connection(key_file=stranger).fetch(site.local / "inbox")


def test_wrong_host_key_in_known_hosts_is_refused_and_nothing_is_uploaded(site: Site) -> None:
    impostor = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
    site.known_hosts.write_text(f"[127.0.0.1]:{site.server.port} {impostor}")

    with pytest.raises(StorageUnavailable) as refused:
        site.connection().send([site.claim_file("837P-0001.x12")])

    message = str(refused.value)
    assert message.startswith(f"SFTP server 127.0.0.1:{site.server.port}: host key not trusted by known_hosts file")
    assert f"[127.0.0.1]:{site.server.port}" in message and "fingerprint" in message
    assert "\n" not in message
    assert list(site.outbound.iterdir()) == []


def test_server_missing_from_known_hosts_is_refused(site: Site) -> None:
    site.known_hosts.write_text("")

    with pytest.raises(StorageUnavailable, match="host key not trusted"):
        site.connection().fetch(site.local / "inbox")


def test_explicit_host_key_is_trusted_and_a_different_one_refused(site: Site) -> None:
    right = site.server.host_key.export_public_key().decode()
    wrong = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()

    assert site.connection(known_hosts=None, host_key=right).fetch(site.local / "inbox") == []
    with pytest.raises(StorageUnavailable, match="host key not trusted by host_key"):
        site.connection(known_hosts=None, host_key=wrong).fetch(site.local / "inbox")


def test_missing_known_hosts_is_refused(site: Site) -> None:
    with pytest.raises(InvalidInput, match="no known_hosts configured"):
        site.connection(known_hosts=None)


def test_known_hosts_file_that_does_not_exist_is_refused_before_connecting(site: Site) -> None:
    connection = site.connection(known_hosts=site.local / "missing_known_hosts")

    with pytest.raises(InvalidInput, match="missing_known_hosts does not exist"):
        connection.send([site.claim_file("837P-0001.x12")])
    assert list(site.outbound.iterdir()) == []


def test_key_file_that_does_not_exist_is_refused_before_connecting(site: Site) -> None:
    with pytest.raises(InvalidInput, match="key_file .*no_such_key does not exist"):
        site.connection(key_file=site.local / "no_such_key").fetch(site.local / "inbox")


def test_sending_nothing_does_not_connect(site: Site) -> None:
    unreachable = site.connection(host="no-such-host.invalid")

    assert unreachable.send([]) == []


def test_permission_denied_on_the_outbound_folder_is_a_clear_error(site: Site) -> None:
    with pytest.raises(StorageUnavailable) as refused:
        site.connection(outbound="/locked").send([site.claim_file("837P-0001.x12")])

    message = str(refused.value)
    assert message == (
        f"SFTP server 127.0.0.1:{site.server.port}: cannot deliver 837P-0001.x12 to /locked/837P-0001.x12: "
        "permission denied; ask the clearinghouse to give user 'practice1042' access"
    )


def test_missing_remote_folder_names_the_setting_to_check(site: Site) -> None:
    with pytest.raises(StorageUnavailable, match="/no-such-folder does not exist on the server; check the inbound"):
        site.connection(inbound="/no-such-folder").fetch(site.local / "inbox")


def test_connection_refused_names_host_and_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    connection = SftpConnection(
        name="nobody listening", host="127.0.0.1", port=port, username=USERNAME,
        outbound="/claims-in", inbound="/responses-out", host_key=_any_public_key(), password_env=PASSWORD_ENV,
    )

    with pytest.raises(StorageUnavailable, match=rf"^SFTP server 127.0.0.1:{port}: cannot connect \(.*\); check host"):
        connection.fetch(Path("unused-inbox"))


def _any_public_key() -> str:
    return asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()


SETTINGS: dict[str, object] = {
    "host": "127.0.0.1",
    "port": 2222,
    "username": USERNAME,
    "outbound": "/claims-in",
    "inbound": "/responses-out",
    "archive": "/archive",
    "known_hosts": "/etc/dermbill/known_hosts",
    "key_file": "/etc/dermbill/sftp_ed25519",
    "password_env": PASSWORD_ENV,
}


def test_from_settings_reads_every_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)

    connection = SftpConnection.from_settings(SETTINGS)

    assert connection == SftpConnection(
        name="sftp 127.0.0.1", host="127.0.0.1", port=2222, username=USERNAME, outbound="/claims-in",
        inbound="/responses-out", archive="/archive", known_hosts=Path("/etc/dermbill/known_hosts"),
        key_file=Path("/etc/dermbill/sftp_ed25519"), password_env=PASSWORD_ENV,
    )
    assert PASSWORD not in repr(connection)


def test_from_settings_connection_logs_in_with_the_password_from_the_environment(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    settings = {
        "host": "127.0.0.1", "port": site.server.port, "username": USERNAME, "outbound": "/claims-in",
        "inbound": "/responses-out", "known_hosts": str(site.known_hosts), "password_env": PASSWORD_ENV,
    }

    connection = SftpConnection.from_settings(settings)

    assert connection.send([site.claim_file("837P-0001.x12")]) == [Delivery("837P-0001.x12", sent=True)]


@pytest.mark.parametrize("key", ["host", "username", "outbound", "inbound", "known_hosts"])
def test_from_settings_names_a_missing_key(key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    settings = {k: v for k, v in SETTINGS.items() if k != key}

    with pytest.raises(InvalidInput, match=f"^SFTP settings: missing key '{key}'"):
        SftpConnection.from_settings(settings)


def test_from_settings_requires_some_credentials() -> None:
    settings = {k: v for k, v in SETTINGS.items() if k not in ("key_file", "password_env")}

    with pytest.raises(InvalidInput, match="missing key 'key_file' or 'password_env'"):
        SftpConnection.from_settings(settings)


def test_from_settings_names_an_unset_password_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)

    with pytest.raises(InvalidInput, match=f"password_env names '{PASSWORD_ENV}', but that environment variable"):
        SftpConnection.from_settings(SETTINGS)


def test_from_settings_refuses_a_password_in_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)

    with pytest.raises(InvalidInput, match="do not put the password in the settings"):
        SftpConnection.from_settings({**SETTINGS, "password": PASSWORD})


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("port", "22", "port must be a whole number from 1 to 65535, got '22'"),
    ("port", 70000, "port must be a whole number from 1 to 65535, got 70000"),
    ("host", "", "host must be non-empty text"),
    ("known_host", "/etc/dermbill/known_hosts", "unknown key 'known_host'"),
])
def test_from_settings_rejects_bad_values(
    key: str, value: object, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)

    with pytest.raises(InvalidInput, match=expected):
        SftpConnection.from_settings({**SETTINGS, key: value})


@pytest.mark.parametrize(
    ("listed", "where", "reason"),
    [
        (b"../escaped.x12", "escaped.x12", "path separator"),  # the inbox's parent, beside the inbox
        (b"sub/../../escaped.x12", "escaped.x12", "path separator"),
        (b"ABSOLUTE/escaped.x12", "ABSOLUTE/escaped.x12", "path separator"),  # an absolute path, see below
        (b"sub/inner.x12", "responses-out/sub/inner.x12", "path separator"),
        (b"..\\escaped.x12", "escaped.x12", "path separator"),
        (b"bad\x00name.x12", "escaped.x12", "control character"),
    ],
)
def test_fetch_skips_and_reports_a_listed_name_that_is_not_a_plain_file_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, listed: bytes, where: str, reason: str
) -> None:
    root = tmp_path / "server-root"
    client = tmp_path / "client"
    # The absolute name is the client's own folder (the same path on the server, under its root), so that
    # a client that used it would write into this test's folder, not into the machine's /.
    listed = listed.replace(b"ABSOLUTE", bytes(client))
    where = where.replace("ABSOLUTE", str(client).lstrip("/"))
    (root / "responses-out" / "sub").mkdir(parents=True)
    (root / where).parent.mkdir(parents=True, exist_ok=True)
    (root / where).write_text("hostile")
    (root / "responses-out" / "835-0001.x12").write_text("paid")
    inbox = client / "inbox"
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    with running_sftp_server(root, username=USERNAME, password=PASSWORD, extra_names=[listed]) as server:
        connection = SftpConnection(
            name="hostile",
            host="127.0.0.1",
            port=server.port,
            username=USERNAME,
            outbound="/claims-in",
            inbound="/responses-out",
            host_key=server.host_key.export_public_key().decode(),
            password_env=PASSWORD_ENV,
            timeout=5.0,
        )

        fetched = connection.fetch(inbox)

    assert fetched == [inbox / "835-0001.x12"]  # the plain file still comes
    assert [p.name for p in client.iterdir()] == ["inbox"]  # nothing written beside the inbox
    assert [p.name for p in inbox.iterdir()] == ["835-0001.x12"]
    assert (root / where).read_text() == "hostile"  # left on the server, not removed
    [refused] = connection.refused
    assert repr(listed.decode()) in refused and reason in refused and "not downloaded" in refused
