"""Interchange (ISA/IEA) and functional group (GS/GE) envelopes, and the segment writer.

A clearinghouse profile gives the submitter and receiver identifiers, their qualifiers, the test or
production indicator and the delimiters. Control numbers come from the caller (persisted, never reused).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from dermbill.x12.tokenizer import Delimiters

STANDARD_DELIMITERS = Delimiters("*", ":", "^", "~")


@dataclass(frozen=True, slots=True)
class ClearinghouseProfile:
    submitter_id: str  # ISA06 / GS02 / 1000A NM109
    submitter_name: str
    submitter_contact: str
    submitter_phone: str
    receiver_id: str  # ISA08 / GS03 / 1000B NM109
    receiver_name: str
    sender_qualifier: str = "ZZ"
    receiver_qualifier: str = "ZZ"
    production: bool = False  # ISA15: P production, T test
    delimiters: Delimiters = STANDARD_DELIMITERS


@dataclass(frozen=True, slots=True)
class ControlNumbers:
    interchange: int  # ISA13, 1-999999999
    group: int  # GS06
    transaction: int  # ST02 of the first transaction set


class SegmentWriter:
    """Builds segments with the profile's delimiters; strips trailing empty elements as the guides require."""

    def __init__(self, delimiters: Delimiters) -> None:
        self.d = delimiters
        self.segments: list[str] = []

    def add(self, *elements: str | None) -> None:
        values = ["" if e is None else str(e) for e in elements]
        while len(values) > 1 and values[-1] == "":
            values.pop()
        for value in values:
            # Composites carry the component separator on purpose; free text goes through clean().
            if self.d.element in value or self.d.segment in value:
                raise ValueError(f"'{value}' contains a delimiter")
        self.segments.append(self.d.element.join(values))

    def composite(self, *parts: str | None) -> str:
        values = ["" if p is None else str(p) for p in parts]
        while len(values) > 1 and values[-1] == "":
            values.pop()
        return self.d.component.join(values)

    def text(self) -> str:
        return "".join(segment + self.d.segment + "\n" for segment in self.segments)


def interchange_header(writer: SegmentWriter, profile: ClearinghouseProfile, control: int,
                       now: datetime.datetime) -> None:
    d = profile.delimiters
    # The ISA is fixed length and ends with the component separator itself, so it is joined by hand.
    elements = ["ISA", "00", " " * 10, "00", " " * 10, profile.sender_qualifier, profile.submitter_id.ljust(15)[:15],
                profile.receiver_qualifier, profile.receiver_id.ljust(15)[:15], now.strftime("%y%m%d"),
                now.strftime("%H%M"), d.repetition or "^", "00501", f"{control:09d}", "0",
                "P" if profile.production else "T", d.component]
    writer.segments.append(d.element.join(elements))


def group_header(writer: SegmentWriter, profile: ClearinghouseProfile, functional_id: str, control: int,
                 version: str, now: datetime.datetime) -> None:
    writer.add("GS", functional_id, profile.submitter_id, profile.receiver_id, now.strftime("%Y%m%d"),
               now.strftime("%H%M"), str(control), "X", version)


@contextmanager
def transaction_set(writer: SegmentWriter, kind: str, control_number: str,
                    version: str | None = None) -> Iterator[None]:
    """ST before and SE after what the block writes; SE01 counts the segments from ST to SE."""
    start = len(writer.segments)
    writer.add("ST", kind, control_number, version)
    yield
    writer.add("SE", str(len(writer.segments) - start + 1), control_number)


def close_group(writer: SegmentWriter, transactions: int, control: int) -> None:
    writer.add("GE", str(transactions), str(control))


def close_interchange(writer: SegmentWriter, control: int) -> None:
    writer.add("IEA", "1", f"{control:09d}")


def clean(text: str | None, length: int | None = None) -> str:
    """A value safe for an X12 element: upper case, no delimiter characters, trimmed to ``length``."""
    if not text:
        return ""
    value = "".join(ch if ch.isalnum() or ch in " .-,&'/#()" else " " for ch in text.upper())
    value = " ".join(value.split())
    return value[:length] if length else value
