"""The folder drop: outbound files into one folder, inbound files from another (a mounted share, a
clearinghouse's sync client, or the simulated payer)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dermbill.clearinghouse.connection import Delivery, unique_target
from dermbill.core.errors import StorageUnavailable


@dataclass
class FolderDrop:
    name: str
    outbound: Path
    inbound: Path
    refused: list[str] = field(default_factory=list, init=False)  # always empty: a folder lists plain names

    def send(self, files: Sequence[Path]) -> list[Delivery]:
        deliveries = []
        for path in files:
            target = self.outbound / path.name
            if target.exists():
                deliveries.append(Delivery(path.name, sent=False))
                continue
            try:
                self.outbound.mkdir(parents=True, exist_ok=True)
                partial = self.outbound / f".{path.name}.partial"
                shutil.copyfile(path, partial)
                os.replace(partial, target)
            except OSError as exc:
                raise StorageUnavailable(f"cannot deliver {path.name} to {self.outbound}: {exc.strerror}") from None
            deliveries.append(Delivery(path.name, sent=True))
        return deliveries

    def fetch(self, inbox: Path) -> list[Path]:
        self.refused = []
        if not self.inbound.is_dir():
            return []
        fetched = []
        try:
            inbox.mkdir(parents=True, exist_ok=True)
            for source in sorted(p for p in self.inbound.iterdir() if p.is_file() and not p.name.startswith(".")):
                target = unique_target(inbox, source.name)
                partial = inbox / f".{target.name}.partial"
                shutil.copyfile(source, partial)
                os.replace(partial, target)
                source.unlink()
                fetched.append(target)
        except OSError as exc:
            raise StorageUnavailable(f"cannot fetch from {self.inbound}: {exc.strerror}") from None
        return fetched
