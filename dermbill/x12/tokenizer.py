"""Reading X12 interchanges as a stream of segments, with the delimiters the ISA declares.

Tolerant of what real files do: a UTF-8 byte order mark, CR/LF or indentation between segments,
several ISA/GS/ST in one file, any element, component, repetition and segment separators, and files
that start at ST with no envelope (then ``*``, ``:`` and ``~`` are assumed). Streaming: the file is read
in chunks, so memory stays flat for a 1 GB file.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, NamedTuple

from dermbill.core.errors import InvalidInput
from dermbill.x12.scanning import COMPILED

CHUNK = 1 << 20
# No segment of any transaction comes near this: a longer run without a terminator is refused, not buffered.
MAX_SEGMENT = 1 << 20
ISA_ELEMENTS = 16
HEAD = 4096  # bytes read before the delimiters are: the ISA and a bare ST's first segments


class X12Error(InvalidInput):
    """A malformed X12 file: names the segment number, the segment and what is wrong."""

    def __init__(self, message: str, *, segment_number: int | None = None, segment_id: str | None = None) -> None:
        where = ""
        if segment_number is not None:
            where = f"segment {segment_number}" + (f" ({segment_id})" if segment_id else "") + ": "
        super().__init__(where + message)
        self.segment_number = segment_number
        self.segment_id = segment_id


@dataclass(frozen=True, slots=True)
class Delimiters:
    element: str = "*"
    component: str = ":"
    repetition: str | None = "^"
    segment: str = "~"


class Segment(NamedTuple):
    """One segment: its position in the file (1-based), its identifier and its elements (index 1 = XX01)."""

    number: int
    id: str
    elements: list[str]

    def get(self, index: int) -> str:
        """Element ``index`` (1-based, as the guides number them), or '' when absent."""
        return self.elements[index] if index < len(self.elements) else ""

    def fail(self, message: str) -> X12Error:
        return X12Error(message, segment_number=self.number, segment_id=self.id)


def delimiters_from(head: str) -> tuple[Delimiters, str]:
    """The delimiters declared by the interchange header at the start of ``head``, and ``head`` without the BOM.

    Raises X12Error when the text is neither an ISA interchange nor a bare ST transaction set.
    """
    text = head.lstrip("\ufeff \t\r\n")
    if text.startswith("ISA") and len(text) > 3:
        element = text[3]
        if element.isalnum() or element.isspace():
            raise X12Error(f"the ISA segment's element separator '{element}' is not a separator character")
        positions = [i for i, ch in enumerate(text[:200]) if ch == element]
        if len(positions) < ISA_ELEMENTS or positions[ISA_ELEMENTS - 1] + 2 >= len(text):
            raise X12Error("the ISA segment is cut short: it needs 16 elements and a segment terminator",
                           segment_number=1, segment_id="ISA")
        at = positions[ISA_ELEMENTS - 1]
        component, terminator = text[at + 1], text[at + 2]
        isa11 = text[positions[10] + 1:positions[11]]
        version = text[positions[11] + 1:positions[12]]
        repetition = isa11 if len(isa11) == 1 and not isa11.isalnum() and version >= "00501" else None
        return Delimiters(element, component, repetition, terminator), text
    if text.startswith("ST") and len(text) > 2 and not text[2].isalnum():
        element = text[2]
        terminator = "~" if "~" in text[:4096] else "\n"
        component = ">" if "HC>" in text[:CHUNK] else ":"
        return Delimiters(element, component, None, terminator), text
    shown = text[:20].replace("\n", " ")
    raise X12Error(f"not an X12 file: it starts with '{shown}', not with ISA (or ST)")


def segment_batches(stream: BinaryIO, *, chunk_size: int = CHUNK) -> Iterator[tuple[Delimiters, int, list[str]]]:
    """The segments of a byte stream as batches of their texts (stripped, never empty), in order: (the delimiters
    of their interchange, the number of the batch's first segment, the texts).

    What the fast readers use: no object per segment but its text, the chunk cut in one pass (``split_segments``).
    A batch never spans two interchanges with other delimiters (a later ISA starts a batch of its own).
    """
    first = stream.read(chunk_size)
    while len(first) < HEAD:  # the delimiters are read from the head: small chunks are read on to it
        more = stream.read(chunk_size)
        if not more:
            break
        first += more
    decoder = codecs.getincrementaldecoder(_encoding(first))(errors="replace")
    buffer = decoder.decode(first)
    if not buffer.strip():
        raise X12Error("the file is empty")
    delimiters, buffer = delimiters_from(buffer)
    terminator = delimiters.segment
    number = 0
    offset = 0  # characters of the decoded text before ``buffer``
    while True:
        texts, rest, isa = split_segments(buffer, terminator, number == 0)
        offset += len(buffer) - len(rest)
        if len(rest) > MAX_SEGMENT:  # never re-split a growing buffer: time linear, memory bounded
            raise X12Error(f"the segment starting at character {offset} runs on for more than {MAX_SEGMENT:,} "
                           f"characters without the segment terminator '{terminator}': not an X12 file "
                           "(or its terminator is wrong)", segment_number=number + 1)
        if texts:
            for declared, batch in _by_interchange(delimiters, texts, number, isa):
                yield declared, number + 1, batch
                number += len(batch)
                delimiters = declared
        buffer = rest
        chunk = stream.read(chunk_size)
        if not chunk:
            break
        buffer += decoder.decode(chunk)
    buffer += decoder.decode(b"", final=True)
    text = buffer.strip()
    if text:
        for declared, batch in _by_interchange(delimiters, [text], number, text.startswith("ISA")):
            yield declared, number + 1, batch


def _split_segments(buffer: str, terminator: str, first: bool) -> tuple[list[str], str, bool]:
    """``buffer`` cut at each ``terminator``: the segment texts before the last one (``_clean``), the text after it,
    and whether a text may start with ISA (``first``: the buffer starts the file, whose own ISA is not counted).
    ``scanning.COMPILED.split_segments`` is its compiled twin (it says exactly whether one does)."""
    pieces = buffer.split(terminator)
    rest = pieces.pop()
    return _clean(pieces), rest, "ISA" in (buffer[1:] if first else buffer)


split_segments = COMPILED.split_segments if COMPILED is not None else _split_segments


def _clean(pieces: list[str]) -> list[str]:
    """The segment texts of split pieces: stripped of the line breaks and indentation between segments, empty
    ones dropped (in C: most files have neither, and are not copied)."""
    stripped = list(map(str.strip, pieces))
    if "" in stripped:
        return [text for text in stripped if text]
    return stripped


def _by_interchange(delimiters: Delimiters, texts: list[str], number: int,
                    isa: bool) -> Iterator[tuple[Delimiters, list[str]]]:
    """``texts`` cut where a later interchange (ISA) declares its own delimiters (``isa``: the text may hold one;
    the file's first segment was read for the delimiters already)."""
    if not isa:
        yield delimiters, texts
        return
    start = 0
    for index, text in enumerate(texts):
        if text.startswith("ISA") and number + index > 0:
            if index > start:
                yield delimiters, texts[start:index]
            delimiters, _ = delimiters_from(text + delimiters.segment)
            start = index
    yield delimiters, texts[start:]


def iter_segments(stream: BinaryIO, *, chunk_size: int = CHUNK) -> Iterator[tuple[Delimiters, Segment]]:
    """Every segment of a byte stream, in order, with the delimiters of its interchange."""
    for delimiters, number, texts in segment_batches(stream, chunk_size=chunk_size):
        element = delimiters.element
        for number, text in enumerate(texts, start=number):  # noqa: B020 (the batch's first number, then each)
            elements = text.split(element)
            yield delimiters, Segment(number, elements[0].strip().upper(), elements)


def _encoding(head: bytes) -> str:
    """UTF-8 (the X12 basic and extended character sets are within it), or UTF-16 when the file says so."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if len(head) > 3 and head[1] == 0 and head[3] == 0:
        return "utf-16-le"
    if len(head) > 3 and head[0] == 0 and head[2] == 0:
        return "utf-16-be"
    return "utf-8"


def read_file(path: Path) -> Iterator[tuple[Delimiters, Segment]]:
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InvalidInput(f"cannot read '{path}': {exc.strerror}") from None
    with handle:
        yield from iter_segments(handle)


def segments_of(text: str | bytes) -> Iterator[tuple[Delimiters, Segment]]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return iter_segments(io.BytesIO(data))


def open_x12(path: Path) -> BinaryIO:
    """``path`` opened for reading as bytes; InvalidInput saying why when it cannot be."""
    try:
        return path.open("rb")
    except OSError as exc:
        raise InvalidInput(f"cannot read '{path}': {exc.strerror}") from None


def bytes_of(text: str | bytes) -> BinaryIO:
    """Text or bytes as a byte stream for the readers."""
    return io.BytesIO(text.encode("utf-8") if isinstance(text, str) else text)


def count_sets(path: Path, kind: str) -> int | None:
    """How many transaction sets of ``kind`` (an ST01 such as "835") a file holds, told from the bytes (its ST
    segments, by the delimiters its first interchange declares) without reading it: a total for progress. None
    when the file does not start as X12 does (the reader then says why)."""
    try:
        with open_x12(path) as stream:
            head = stream.read(CHUNK)
            delimiters, _ = delimiters_from(head.decode("utf-8", errors="replace"))
            element = re.escape(delimiters.element.encode())
            mark = re.compile(re.escape(delimiters.segment.encode()) + rb"[\r\n]{0,2}ST" + element +
                              re.escape(kind.encode()) + element)
            found, tail = 0, b""
            while head:
                data = tail + head
                # a mark ending in the tail was counted with the read before
                found += sum(1 for match in mark.finditer(data) if match.end() > len(tail))
                tail = data[-16:]
                head = stream.read(CHUNK)
            return found
    except (X12Error, InvalidInput):
        return None
