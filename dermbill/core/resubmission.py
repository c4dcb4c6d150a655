"""A rejected claim goes out again only once something on it or its coverage changed, or a person says so.

When the clearinghouse (999) or the payer (277CA) rejects a claim, what the claim said is kept as a fingerprint:
a digest of everything the payer reads (its lines, diagnoses, providers, the payer, the member ID and the
patient's demographics). Sending the same content again gets the same rejection, so the scrubber stops a rejected
claim whose fingerprint has not changed (rule ``rejected-unchanged``) until it is corrected, or until a person
approves sending it as it was (the fix was outside the claim: the clearinghouse setup, the payer's own records).
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import hashlib
import json
from dataclasses import dataclass

REJECTION_RULE = "payer-rejection"  # the finding a rejection leaves on the claim (the fix queue lists them)
UNCHANGED_RULE = "rejected-unchanged"


@dataclass(frozen=True, slots=True)
class RejectedBefore:
    """A claim's last rejection, and whether the claim still says what it said then."""

    reason: str  # the field in error and the payer's words, e.g. "member ID: SUBSCRIBER NOT FOUND"
    fix: str  # what the rejection asks for
    fingerprint: str  # the claim's fingerprint when it was rejected
    current: str  # its fingerprint now

    @property
    def unchanged(self) -> bool:
        return self.fingerprint == self.current


def fingerprint(content: object) -> str:
    """A digest of ``content`` (dataclasses, mappings, sequences, dates, enums, scalars): equal content, equal
    digest, whatever the order of a mapping's keys; any changed value changes it."""
    text = json.dumps(_plain(content), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _plain(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"__type__": type(value).__name__,
                **{f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, frozenset, set)):
        items = [_plain(item) for item in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if value is None or isinstance(value, (str, int, bool)):
        return value
    raise TypeError(f"cannot fingerprint a {type(value).__name__}")
