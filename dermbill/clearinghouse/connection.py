"""One interface for every way files reach a clearinghouse and come back.

A connection sends files under their own names and fetches new inbound files into a local inbox.
- ``send`` is idempotent by name: a file already delivered (same name on the other side) is not sent
  again, so retrying after a failure cannot deliver a batch twice. It writes each file under a
  temporary name first and renames it, so the other side never picks up half a file.
- ``fetch`` copies each inbound file into the inbox (temporary name, then rename) and only then
  removes it from the other side (or moves it to the other side's archive); a file that is fetched
  twice after a crash is harmless, because processing is idempotent (835 by trace and content, 999
  and 277CA by their control numbers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Delivery:
    name: str
    sent: bool  # False when the other side already had it


class Connection(Protocol):
    name: str

    def send(self, files: Sequence[Path]) -> list[Delivery]:
        """Deliver files; a file whose name the other side already has is skipped."""
        ...

    def fetch(self, inbox: Path) -> list[Path]:
        """Move every new inbound file into ``inbox``; returns the local paths, oldest name first."""
        ...


def unique_target(inbox: Path, name: str) -> Path:
    """Where a fetched file goes: its own name, or name.1, name.2 ... when a different file holds it."""
    target = inbox / name
    number = 0
    while target.exists():
        number += 1
        target = inbox / f"{name}.{number}"
    return target
