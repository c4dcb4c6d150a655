"""One interface for every way files reach a clearinghouse and come back.

A connection sends files under their own names and fetches new inbound files into a local inbox.
- ``send`` is idempotent by name: a file already delivered (same name on the other side) is not sent
  again, so retrying after a failure cannot deliver a batch twice. It writes each file under a
  temporary name first and renames it, so the other side never picks up half a file.
- ``fetch`` copies each inbound file into the inbox (temporary name, then rename) and only then
  removes it from the other side (or moves it to the other side's archive); a file that is fetched
  twice after a crash is harmless, because processing is idempotent (835 by trace and content, 999
  and 277CA by their control numbers).
- A name the other side lists is used as a local file name only when it is a plain base name (see
  ``unsafe_name``): a listed ``../x``, ``/etc/x`` or ``a/b`` is skipped, left where it is, and reported in
  the connection's ``refused`` list, never written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from dermbill.core.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Delivery:
    name: str
    sent: bool  # False when the other side already had it


class Connection(Protocol):
    name: str
    refused: list[str]  # after ``fetch``: one line for each listed file that was skipped, and why

    def send(self, files: Sequence[Path]) -> list[Delivery]:
        """Deliver files; a file whose name the other side already has is skipped."""
        ...

    def fetch(self, inbox: Path) -> list[Path]:
        """Move every new inbound file into ``inbox``; returns the local paths, oldest name first."""
        ...


def unsafe_name(name: str) -> str | None:
    """Why ``name`` (from the other side's listing) cannot be a file name in the inbox; None when it can.

    Only a plain base name is accepted: not empty, not ``.`` or ``..``, no path separator (``/`` or
    ``\\``), no NUL or other control character, so the file cannot land outside the inbox.
    """
    if not name:
        return "the name is empty"
    if name in (".", ".."):
        return f"{name!r} is not a file name"
    if "/" in name or "\\" in name:
        return "the name contains a path separator"
    if any(ord(character) < 32 or ord(character) == 127 for character in name):
        return "the name contains a control character"
    return None


def unique_target(inbox: Path, name: str) -> Path:
    """Where a fetched file goes: its own name, or name.1, name.2 ... when a different file holds it.

    ``name`` must be a plain base name (``unsafe_name``); anything else is refused, never joined to ``inbox``.
    """
    reason = unsafe_name(name)
    if reason is not None:
        raise InvalidInput(f"fetched file name {name!r} refused: {reason}; only plain file names are accepted")
    target = inbox / name
    number = 0
    while target.exists():
        number += 1
        target = inbox / f"{name}.{number}"
    return target
