"""Parse any supported X12 file into JSON: one entry per transaction set, read by its type."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from dermbill.x12.acknowledgment_999 import read_999
from dermbill.x12.claim_status_277 import read_277
from dermbill.x12.eligibility_271 import read_271
from dermbill.x12.remittance_835 import read_835_json
from dermbill.x12.tokenizer import Delimiters, Segment, read_file, segments_of
from dermbill.x12.transactions import TransactionSet, transaction_sets

Json = dict[str, Any]
READERS: dict[str, Callable[[TransactionSet], Json]] = {
    "835": read_835_json, "999": read_999, "277": read_277, "271": read_271,
}


def generic(transaction: TransactionSet) -> Json:
    """A transaction type without its own reader (837, 270, 276): the segments as lists of elements."""
    return {"type": transaction.type, "control_number": transaction.control_number, "version": transaction.version,
            "segments": [s.elements for s in transaction.segments], "notices": transaction.notices}


def parse_segments(segments: Iterator[tuple[Delimiters, Segment]]) -> Json:
    transactions = [READERS.get(t.type, generic)(t) for t in transaction_sets(segments)]
    return {"transactions": transactions}


def parse_file(path: Path) -> Json:
    return parse_segments(read_file(path))


def parse_text(text: str | bytes) -> Json:
    return parse_segments(segments_of(text))
