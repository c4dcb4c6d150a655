"""Validation helpers shared by the document parsers: errors that name the field and suggest a value."""

from __future__ import annotations

import difflib
from typing import Any

from dermbill.core.errors import InvalidInput


def field_error(where: str, message: str) -> InvalidInput:
    return InvalidInput(f"{where}: {message}" if where else message)


def suggest(value: str, choices: tuple[str, ...] | frozenset[str]) -> str:
    close = difflib.get_close_matches(value.replace(" ", "_").lower(), list(choices), n=1, cutoff=0.5)
    if not close:
        close = [c for c in choices if value.lower().split(" ")[0] in c][:1]
    return f"; did you mean '{close[0]}'?" if close else ""


def expect_object(value: Any, where: str, allowed: frozenset[str], required: tuple[str, ...] = ()) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise field_error(where, f"must be an object, not {type(value).__name__}")
    for key in value:
        if key not in allowed:
            hint = suggest(str(key), allowed) or f" (expected: {', '.join(sorted(allowed))})"
            raise field_error(f"{where}.{key}" if where else str(key), f"is not a known field{hint}")
    for key in required:
        if key not in value:
            raise field_error(where, f"'{key}' is required") if where else field_error(key, "is required")
    return value
