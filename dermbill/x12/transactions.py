"""Splitting an interchange into transaction sets and checking the envelope (ISA/IEA, GS/GE, ST/SE).

Readers get one transaction set's segments at a time; envelope problems (control numbers that do not
match, counts that are off) are collected as notices, because real files often get SE01 wrong and
their content is still readable. ``dermbill x12 validate`` reports them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from dermbill.x12.tokenizer import Delimiters, Segment, X12Error


@dataclass(slots=True)
class TransactionSet:
    """The segments of one ST..SE transaction set, with its envelope context."""

    type: str  # ST01: 835, 837, 999, 271, 277, 270, 276
    control_number: str  # ST02
    version: str  # ST03 or GS08
    delimiters: Delimiters
    segments: list[Segment]
    sender: str = ""
    receiver: str = ""
    interchange_control_number: str = ""
    group_control_number: str = ""  # GS06
    notices: list[str] = field(default_factory=list)


def transaction_sets(segments: Iterator[tuple[Delimiters, Segment]]) -> Iterator[TransactionSet]:
    """Group a segment stream into transaction sets; envelope mismatches become notices, not errors."""
    current: TransactionSet | None = None
    isa: Segment | None = None
    gs: Segment | None = None
    counts = {"groups": 0, "sets": 0}
    pending_notices: list[str] = []
    for delimiters, segment in segments:
        sid = segment.id
        if sid == "ISA":
            isa, counts["groups"] = segment, 0
        elif sid == "GS":
            gs, counts["sets"] = segment, 0
            counts["groups"] += 1
        elif sid == "ST":
            if current is not None:
                raise segment.fail(f"transaction set {current.control_number} has no SE before this ST")
            counts["sets"] += 1
            current = TransactionSet(
                type=segment.get(1), control_number=segment.get(2),
                version=segment.get(3) or (gs.get(8) if gs else ""), delimiters=delimiters, segments=[segment],
                sender=(gs.get(2) if gs else "") or (isa.get(6).strip() if isa else ""),
                receiver=(gs.get(3) if gs else "") or (isa.get(8).strip() if isa else ""),
                interchange_control_number=isa.get(13) if isa else "",
                group_control_number=gs.get(6) if gs else "",
            )
        elif sid == "SE":
            if current is None:
                raise segment.fail("SE without a transaction set started by ST")
            current.segments.append(segment)
            declared = segment.get(1)
            if declared != str(len(current.segments)):
                current.notices.append(f"SE01 says {declared or 'nothing'} segments; the set has "
                                       f"{len(current.segments)}")
            if segment.get(2) != current.control_number:
                current.notices.append(f"SE02 '{segment.get(2)}' does not match ST02 '{current.control_number}'")
            current.notices.extend(pending_notices)
            pending_notices.clear()
            yield current
            current = None
        elif sid == "GE":
            if gs is not None and segment.get(2) != gs.get(6):
                pending_notices.append(f"GE02 '{segment.get(2)}' does not match GS06 '{gs.get(6)}'")
            if segment.get(1) and segment.get(1) != str(counts["sets"]):
                pending_notices.append(f"GE01 says {segment.get(1)} transaction sets; the group has {counts['sets']}")
        elif sid == "IEA":
            if isa is not None and segment.get(2) != isa.get(13):
                pending_notices.append(f"IEA02 '{segment.get(2)}' does not match ISA13 '{isa.get(13)}'")
        elif current is not None:
            current.segments.append(segment)
        elif sid not in ("TA1",):
            raise segment.fail("segment outside a transaction set (expected ST first)")
    if current is not None:
        current.notices.append("the file ends before SE")
        yield current


def require_type(transaction: TransactionSet, expected: str) -> None:
    if transaction.type != expected:
        raise X12Error(f"transaction set {transaction.control_number} is a {transaction.type}, not a {expected}")
