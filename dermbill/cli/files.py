"""Reading the files a command is given, writing JSON Lines output, and writing a private file whole."""

from __future__ import annotations

import json
import os
import secrets
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from dermbill.core.errors import InvalidInput


def read_input(path: str) -> str:
    """The text of ``path`` (``-`` for standard input), or InvalidInput saying why it cannot be read."""
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"cannot read '{path}': no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InvalidInput(f"cannot read '{path}': {reason}") from None


def jsonl_lines(text: str) -> list[str]:
    """The lines of a JSON Lines text; a final newline does not make an extra line."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def write_jsonl(results: Iterable[dict[str, Any]]) -> None:
    for result in results:
        sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


def write_json(result: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(result, indent=2) + "\n")


def write_private_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all, readable by its owner only (0600): a temporary file beside
    it, created 0600, flushed to disk and renamed over ``path``. A reader never sees half a file, and a file that
    was there (perhaps 0644) is replaced, not rewritten in place."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InvalidInput(f"cannot write '{path}': no folder {str(folder)!r}")
    if path.is_dir():
        raise InvalidInput(f"cannot write '{path}': it is a folder; give a file name")
    partial = folder / f".{path.name}.{secrets.token_hex(4)}.partial"
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise InvalidInput(f"cannot write '{path}': {exc.strerror or exc}") from None
