"""A transaction set kept as bytes (compressed JSON of its segments, delimiters, envelope and defects) and read
back as the same ``TransactionSet``: what a remittance was recorded from, so that it can be read again (its EOB,
a quarantined 835 posted once its cause is resolved, a held claim payment matched by hand) with the same content
hash and the same reading as the first time."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from typing import Any

from dermbill.core.errors import InvalidInput
from dermbill.x12.tokenizer import Delimiters, Segment
from dermbill.x12.transactions import TransactionSet

FORMAT = 1
# Format 2: the set's segment texts as read, compressed as they stream by (a 250 MB 835 is never held whole), then
# its envelope and defects: MAGIC, the length of the compressed envelope JSON (4 bytes), the envelope, the texts.
MAGIC = b"DX2"


class KeptWriter:
    """A transaction set kept in format 2, written as its segments are read."""

    def __init__(self, transaction: TransactionSet) -> None:
        self.transaction = transaction
        self._compressor = zlib.compressobj(1)  # fast: kept as it streams by, read back seldom
        self._parts: list[bytes] = []

    def write(self, texts: list[str]) -> None:
        """The set's next segments, as read (each segment's text, without its terminator)."""
        if not texts:
            return
        terminator = self.transaction.delimiters.segment
        self._parts.append(self._compressor.compress((terminator.join(texts) + terminator).encode("utf-8")))

    def write_encoded(self, data: bytes) -> None:
        """The set's next segments as ``write`` would encode them (each text and its terminator, in UTF-8)."""
        self._parts.append(self._compressor.compress(data))

    def finish(self) -> bytes:
        """The kept bytes (once the set is read to its end, its defects known)."""
        t, d = self.transaction, self.transaction.delimiters
        envelope = {"format": 2, "type": t.type, "control_number": t.control_number, "version": t.version,
                    "delimiters": [d.element, d.component, d.repetition, d.segment], "sender": t.sender,
                    "receiver": t.receiver, "interchange_control_number": t.interchange_control_number,
                    "group_control_number": t.group_control_number, "notices": t.notices, "defects": t.defects,
                    "first": t.segments[0].number if t.segments else 1}
        head = zlib.compress(json.dumps(envelope, separators=(",", ":")).encode("utf-8"))
        return b"".join([MAGIC, len(head).to_bytes(4, "big"), head, *self._parts, self._compressor.flush()])


def keep_transaction(transaction: TransactionSet) -> bytes:
    """The transaction set as compressed bytes."""
    writer = KeptWriter(transaction)
    element = transaction.delimiters.element
    writer.write([element.join(segment.elements) for segment in transaction.segments])
    return writer.finish()


def _keep_format_1(transaction: TransactionSet) -> bytes:
    """Format 1 (what dermbill kept before format 2; kept here to test that it still reads)."""
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
    if content.startswith(MAGIC):
        return _kept_format_2(content)
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


def kept_texts(content: bytes, *, chunk: int = 1 << 16) -> tuple[Delimiters, int, Iterator[str]]:
    """A set kept in format 2 read back as it streams: its delimiters, the number of its first segment (ST), and
    its text in pieces of whole segments (each segment with its terminator), decompressed from ``chunk``
    compressed bytes at a time: the set is never held whole. InvalidInput for content of format 1 (or none)."""
    if not content.startswith(MAGIC):
        raise InvalidInput("the kept transaction set is not in format 2")
    data, body = _envelope(content)
    element, component, repetition, terminator = data["delimiters"]
    return (Delimiters(element, component, repetition, terminator), int(data["first"]),
            _text_batches(content, body, terminator, chunk))


def _envelope(content: bytes) -> tuple[dict[str, Any], int]:
    """Format 2's envelope JSON, and where the compressed segment texts start."""
    try:
        size = int.from_bytes(content[3:7], "big")
        return json.loads(zlib.decompress(content[7:7 + size]).decode("utf-8")), 7 + size
    except (zlib.error, UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput(f"the kept transaction set cannot be read ({exc})") from None


def _text_batches(content: bytes, start: int, terminator: str, chunk: int) -> Iterator[str]:
    inflate = zlib.decompressobj()
    encoded = terminator.encode("utf-8")
    rest = b""
    try:
        for offset in range(start, len(content) + chunk, chunk):
            data = rest + (inflate.decompress(content[offset:offset + chunk]) if offset < len(content)
                           else inflate.flush())
            cut = data.rfind(encoded)
            rest = data[cut + len(encoded):] if cut >= 0 else data
            if cut >= 0:
                yield data[:cut + len(encoded)].decode("utf-8")
    except (zlib.error, UnicodeDecodeError) as exc:
        raise InvalidInput(f"the kept transaction set cannot be read ({exc})") from None
    if rest or not inflate.eof:
        raise InvalidInput("the kept transaction set is cut short")


def _kept_format_2(content: bytes) -> TransactionSet:
    data, body = _envelope(content)
    try:
        text = zlib.decompress(content[body:]).decode("utf-8")
    except (zlib.error, UnicodeDecodeError) as exc:
        raise InvalidInput(f"the kept transaction set cannot be read ({exc})") from None
    element, component, repetition, terminator = data["delimiters"]
    texts = text.split(terminator)
    texts.pop()  # after the last terminator
    segments = []
    for number, piece in enumerate(texts, start=int(data["first"])):
        elements = piece.split(element)
        segments.append(Segment(number, elements[0].strip().upper(), elements))
    return TransactionSet(
        type=data["type"], control_number=data["control_number"], version=data["version"],
        delimiters=Delimiters(element, component, repetition, terminator), segments=segments,
        sender=data["sender"], receiver=data["receiver"],
        interchange_control_number=data["interchange_control_number"],
        group_control_number=data["group_control_number"], notices=list(data["notices"]),
        defects=list(data["defects"]))
