"""What the error log may hold: no secrets, no patient data (issue 12, point 14).

The log keeps what a maintainer needs to find a fault (the command and option names, the code path of
the traceback, the exception types) and nothing a command was given to work on: argument and option
values are replaced by ``<value>``, except database and server URLs, which are kept with their password
masked (``user:***@``, ``password=***``). Exception messages are left out, since they can quote patient
data (names, member IDs, SQL parameters).
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterable

MASK = "***"
VALUE = "<value>"

_URL_PASSWORD = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.\-]*://[^:/@\s]*):(?P<secret>[^\s/]*)@")
_QUERY_SECRET = re.compile(r"(?P<head>[?&;](?:password|passwd|pwd|pass|secret|token|api_key|apikey)=)[^&;#\s]*",
                           re.IGNORECASE)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_CAUSE = "\nThe above exception was the direct cause of the following exception:\n\n"
_CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n\n"


def redact_text(text: str) -> str:
    """Mask the passwords in every URL found in ``text``."""
    text = _URL_PASSWORD.sub(lambda m: f"{m.group('head')}:{MASK}@", text)
    return _QUERY_SECRET.sub(lambda m: f"{m.group('head')}{MASK}", text)


def _redact_value(value: str) -> str:
    return redact_text(value) if _URL.match(value) else VALUE


def redact_argv(argv: Iterable[str], commands: Iterable[str]) -> str:
    """The command line as it may be logged: command names and options, values redacted."""
    known = set(commands)
    shown: list[str] = []
    for arg in argv:
        if arg.startswith("-") and len(arg) > 1:
            name, equals, value = arg.partition("=")
            shown.append(f"{name}={_redact_value(value)}" if equals else name)
        elif arg in known:
            shown.append(arg)
        else:
            shown.append(_redact_value(arg))
    return " ".join(shown)


def _one_exception(exc: BaseException) -> list[str]:
    lines = ["Traceback (most recent call last):\n"]
    lines.extend(traceback.StackSummary.extract(traceback.walk_tb(exc.__traceback__)).format())
    kind = type(exc)
    lines.append(f"{kind.__module__}.{kind.__qualname__} (message withheld: it may hold patient data)\n")
    return lines


def redacted_traceback(exc: BaseException) -> str:
    """The traceback's code path and exception types, chained causes included, without any message."""
    chain: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    link = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, _CAUSE
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = current.__context__, _CONTEXT
        else:
            current = None
    lines: list[str] = []
    for index, (item, _) in enumerate(reversed(chain)):
        if index:
            lines.append(chain[len(chain) - index][1])
        lines.extend(_one_exception(item))
    return redact_text("".join(lines))
