"""Parse any supported X12 file into JSON: one entry per transaction set, read by its type.

835s are read claim by claim (``remittance_835.read_835_stream``, the reader ``era post`` uses too), so that
``write_parsed_json`` streams the JSON of an 835 of any size in flat memory; ``parse_file`` and ``parse_text``
return the whole JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from dermbill.x12.acknowledgment_999 import read_999
from dermbill.x12.claim_status_277 import read_277
from dermbill.x12.eligibility_271 import read_271
from dermbill.x12.remittance_835 import Set835, read_835_end, read_835_json, read_835_stream
from dermbill.x12.tokenizer import Delimiters, Segment, bytes_of, open_x12
from dermbill.x12.transactions import TransactionSet, transaction_sets

Json = dict[str, Any]
READERS: dict[str, Callable[[TransactionSet], Json]] = {
    "835": read_835_json, "999": read_999, "277": read_277, "271": read_271,
}
# The 835's header fields, in the order they are written before its claims.
_HEAD = ("type", "payment", "payer", "payee", "control_number")


def generic(transaction: TransactionSet) -> Json:
    """A transaction type without its own reader (837, 270, 276): the segments as lists of elements."""
    return {"type": transaction.type, "control_number": transaction.control_number, "version": transaction.version,
            "segments": [s.elements for s in transaction.segments], "notices": transaction.notices}


def parse_segments(segments: Iterator[tuple[Delimiters, Segment]]) -> Json:
    transactions = [READERS.get(t.type, generic)(t) for t in transaction_sets(segments)]
    return {"transactions": transactions}


def parsed_transactions(stream: BinaryIO) -> Iterator[tuple[str, Any]]:
    """The transaction sets of a stream: ("835", Set835), ("claim", claim JSON) for each of its claims and
    ("end", the 835's JSON with no claims) for an 835; ("set", JSON) for a set of another type."""
    for kind, item in read_835_stream(stream):
        if kind == "other":
            yield "set", READERS.get(item.type, generic)(item)
        elif kind == "end":
            yield "end", read_835_end(item.reader, item.transaction, [])
        else:
            yield kind, item


def parse_stream(stream: BinaryIO) -> Json:
    transactions: list[Json] = []
    claims: list[Json] = []
    for kind, item in parsed_transactions(stream):
        if kind == "claim":
            claims.append(item)
        elif kind == "end":
            transactions.append({**item, "claims": claims})
            claims = []
        elif kind == "set":
            transactions.append(item)
    return {"transactions": transactions}


def parse_file(path: Path) -> Json:
    with open_x12(path) as stream:
        return parse_stream(stream)


def parse_text(text: str | bytes) -> Json:
    return parse_stream(bytes_of(text))


def write_parsed_json(path: Path, write: Callable[[str], object]) -> None:
    """``parse_file``'s JSON written as it is read: an 835's claims one a line, never all held."""
    with open_x12(path) as stream:
        write('{"transactions": [')
        first_set = True
        current: Set835 | None = None
        first_claim = True
        for kind, item in parsed_transactions(stream):
            if kind in ("835", "set"):
                write("\n" if first_set else ",\n")
                first_set = False
            if kind == "set":
                write(json.dumps(item))
            elif kind == "835":
                current, first_claim = item, True
            elif kind == "claim":
                if first_claim and current is not None:
                    write(_head(current.reader.header) + ', "claims": [\n')
                write(("" if first_claim else ",\n") + json.dumps(item))
                first_claim = False
            elif kind == "end":
                if first_claim:
                    write(_head(item) + ', "claims": [')
                rest = {key: value for key, value in item.items() if key not in _HEAD and key != "claims"}
                write("\n], " + json.dumps(rest)[1:])
        write("\n]}\n")


def _head(header: Json) -> str:
    """The 835's header fields as the start of its JSON object (read before its first claim)."""
    return json.dumps({key: header.get(key, {}) for key in _HEAD})[:-1]
