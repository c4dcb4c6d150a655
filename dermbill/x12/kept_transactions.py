"""A transaction set kept as bytes (compressed JSON of its segments, delimiters, envelope and defects) and read
back as the same ``TransactionSet``: what a remittance was recorded from, so that it can be read again (its EOB,
a quarantined 835 posted once its cause is resolved, a held claim payment matched by hand) with the same content
hash and the same reading as the first time."""

from __future__ import annotations

import json
import zlib
from typing import Any

from dermbill.core.errors import InvalidInput
from dermbill.x12.tokenizer import Delimiters, Segment
from dermbill.x12.transactions import TransactionSet

FORMAT = 1


def keep_transaction(transaction: TransactionSet) -> bytes:
    """The transaction set as compressed bytes."""
    d = transaction.delimiters
    data: dict[str, Any] = {
        "format": FORMAT, "type": transaction.type, "control_number": transaction.control_number,
        "version": transaction.version, "delimiters": [d.element, d.component, d.repetition, d.segment],
        "sender": transaction.sender, "receiver": transaction.receiver,
        "interchange_control_number": transaction.interchange_control_number,
        "group_control_number": transaction.group_control_number, "notices": transaction.notices,
        "defects": transaction.defects,
        "segments": [[s.number, s.id, s.elements] for s in transaction.segments]}
    return zlib.compress(json.dumps(data, separators=(",", ":")).encode("utf-8"), 6)


def kept_transaction(content: bytes) -> TransactionSet:
    """The transaction set ``keep_transaction`` kept."""
    try:
        data = json.loads(zlib.decompress(content).decode("utf-8"))
    except (zlib.error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput(f"the kept transaction set cannot be read ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InvalidInput("the kept transaction set is in a format this version of dermbill does not read")
    element, component, repetition, terminator = data["delimiters"]
    return TransactionSet(
        type=data["type"], control_number=data["control_number"], version=data["version"],
        delimiters=Delimiters(element, component, repetition, terminator),
        segments=[Segment(int(number), str(sid), [str(e) for e in elements])
                  for number, sid, elements in data["segments"]],
        sender=data["sender"], receiver=data["receiver"],
        interchange_control_number=data["interchange_control_number"],
        group_control_number=data["group_control_number"], notices=list(data["notices"]),
        defects=list(data["defects"]))
