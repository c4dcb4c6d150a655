"""Which connection carries which claims: named connections and routes, from a TOML file.

    # dermbill.toml (or the file named by --config / $DERMBILL_CONFIG)
    [connections.simulated]
    kind = "simulated"            # the simulated payer (demo, end-to-end tests)
    folder = "var/simulated-payer"

    [connections.drop]
    kind = "folder"
    outbound = "/mnt/clearinghouse/in"
    inbound = "/mnt/clearinghouse/out"

    [connections.availity]
    kind = "sftp"                 # settings as in dermbill.clearinghouse.sftp
    host = "sftp.example.test"
    ...

    [[routes]]                    # first match wins; "*" matches any practice code or payer ID
    practice = "P1"
    payer = "TSTMCR"
    connection = "drop"

    [[routes]]
    practice = "*"
    payer = "*"
    connection = "simulated"

Relative folders are relative to the configuration file. Secrets never go here in clear (see sftp.py).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dermbill.clearinghouse.connection import Connection
from dermbill.core.errors import InvalidInput, NotFound

KINDS = ("folder", "sftp", "simulated")


@dataclass(frozen=True, slots=True)
class Route:
    practice: str
    payer: str
    connection: str

    def matches(self, practice: str, payer: str) -> bool:
        return self.practice in ("*", practice) and self.payer in ("*", payer)


@dataclass(frozen=True, slots=True)
class ClearinghouseConfig:
    connections: Mapping[str, Mapping[str, Any]]
    routes: tuple[Route, ...]
    base: Path  # the folder relative paths are relative to

    def route(self, practice: str, payer: str) -> str:
        for route in self.routes:
            if route.matches(practice, payer):
                return route.connection
        if len(self.connections) == 1:
            return next(iter(self.connections))
        raise NotFound(f"no route sends practice {practice}'s claims to payer {payer}; add a [[routes]] entry "
                       "(practice, payer, connection) or name one with --via")

    def open(self, name: str) -> Connection:
        """The connection named ``name``, ready to send and fetch."""
        settings = self.connections.get(name)
        if settings is None:
            known = ", ".join(sorted(self.connections)) or "none"
            raise NotFound(f"no clearinghouse connection named {name!r} (configured: {known})")
        kind = settings.get("kind")
        if kind == "folder":
            from dermbill.clearinghouse.folder import FolderDrop

            return FolderDrop(name, self._path(settings, "outbound", name), self._path(settings, "inbound", name))
        if kind == "sftp":
            from dermbill.clearinghouse.sftp import SftpConnection

            return SftpConnection.from_settings({**{k: v for k, v in settings.items() if k != "kind"}, "name": name})
        if kind == "simulated":
            from dermbill.clearinghouse.simulated_payer.service import SimulatedPayer

            return SimulatedPayer.open(name, self._path(settings, "folder", name), seed=int(settings.get("seed", 1)))
        raise InvalidInput(f"connection {name!r}: kind must be one of {', '.join(KINDS)} (got {kind!r})")

    def _path(self, settings: Mapping[str, Any], key: str, name: str) -> Path:
        value = settings.get(key)
        if not isinstance(value, str) or not value:
            raise InvalidInput(f"connection {name!r}: set {key} to a folder")
        path = Path(value).expanduser()
        return path if path.is_absolute() else self.base / path


def read_config(path: Path) -> ClearinghouseConfig:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput(f"no configuration file at {path}; create it (see 'dermbill clearinghouse --help') "
                           "or pass --config") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{path} is not valid TOML: {exc}") from None
    return parse_config(data, path.parent.resolve(), where=str(path))


def parse_config(data: Mapping[str, Any], base: Path, *, where: str = "configuration") -> ClearinghouseConfig:
    connections = data.get("connections", {})
    if not isinstance(connections, dict) or not all(isinstance(v, dict) for v in connections.values()):
        raise InvalidInput(f"{where}: [connections.NAME] tables are expected")
    for name, settings in connections.items():
        if settings.get("kind") not in KINDS:
            raise InvalidInput(f"{where}: connection {name!r} needs kind = one of {', '.join(KINDS)}")
    routes = []
    for number, entry in enumerate(data.get("routes", []), start=1):
        if not isinstance(entry, dict) or not entry.get("connection"):
            raise InvalidInput(f"{where}: route {number} needs a connection")
        if entry["connection"] not in connections:
            raise InvalidInput(f"{where}: route {number} names connection {entry['connection']!r}, which is not "
                               "configured")
        routes.append(Route(str(entry.get("practice", "*")), str(entry.get("payer", "*")), entry["connection"]))
    return ClearinghouseConfig(connections, tuple(routes), base)
