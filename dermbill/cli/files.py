"""Reading the files a command is given, and writing JSON Lines output."""

from __future__ import annotations

import json
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
