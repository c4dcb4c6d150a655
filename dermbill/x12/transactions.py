"""Splitting an interchange into transaction sets and checking the envelope (ISA/IEA, GS/GE, ST/SE).

Readers get one transaction set's segments at a time; envelope problems (control numbers that do not
match, counts that are off) are collected as notices, so that a reader can still show what the set holds.
Those of a set's own SE (missing, or its count or control number off) are also its ``defects``: the set may
be cut short or spliced, and a remittance with defects is never posted. ``EnvelopeCheck`` checks the
interchange and group envelopes of the whole file. ``dermbill x12 validate`` reports both.
"""

from __future__ import annotations

import re
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
    # The notices that mean the set may be cut short or spliced (no SE closes it, SE01's count or SE02's control
    # number is off): its content cannot be trusted whole, so nothing of it may be posted.
    defects: list[str] = field(default_factory=list)

    def defect(self, message: str) -> None:
        self.notices.append(message)
        self.defects.append(message)


def transaction_sets(segments: Iterator[tuple[Delimiters, Segment]]) -> Iterator[TransactionSet]:
    """Group a segment stream into transaction sets; ST/SE mismatches become the set's notices, not errors.

    The interchange and group envelopes (ISA/IEA, GS/GE) are checked by ``EnvelopeCheck``.
    """
    current: TransactionSet | None = None
    isa: Segment | None = None
    gs: Segment | None = None
    last = 0
    for delimiters, segment in segments:
        sid = segment.id
        last = segment.number
        if sid == "ISA":
            isa = segment
        elif sid == "GS":
            gs = segment
        elif sid == "ST":
            if current is not None:
                raise segment.fail(f"transaction set {current.control_number} has no SE before this ST")
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
            where = f"segment {segment.number} (SE)"
            declared = segment.get(1)
            if declared != str(len(current.segments)):
                current.defect(f"{where}: SE01 says {declared or 'nothing'} segments; the set has "
                                       f"{len(current.segments)}")
            if segment.get(2) != current.control_number:
                current.defect(f"{where}: SE02 '{segment.get(2)}' does not match ST02 "
                                       f"'{current.control_number}' (segment {current.segments[0].number})")
            yield current
            current = None
        elif sid in ("GE", "IEA"):
            continue
        elif current is not None:
            current.segments.append(segment)
        elif sid not in ("TA1",):
            raise segment.fail("segment outside a transaction set (expected ST first)")
    if current is not None:
        current.defect(f"end of file after segment {last}: no SE closes transaction set "
                               f"{current.control_number} (segment {current.segments[0].number})")
        yield current


# The implementation guide (GS08/ST03 "005010X222A1" -> X222) each transaction set type may use, and the
# functional identifier code (GS01) of the group that carries it.
GUIDES = {"X222": "837", "X223": "837", "X224": "837", "X221": "835", "X231": "999", "X279": "270/271",
          "X212": "276/277", "X214": "277", "X217": "278", "X220": "834", "X218": "820"}
FUNCTIONAL_GROUPS = {"837": "HC", "835": "HP", "999": "FA", "270": "HS", "271": "HB", "276": "HR", "277": "HN",
                     "278": "HI", "834": "BE", "820": "RA"}
_GUIDE = re.compile(r"X[0-9]{3}")


class EnvelopeCheck:
    """The interchange and group envelopes of a whole file, fed one segment at a time; findings one a line.

    ISA13/IEA02 and GS06/GE02 must match, IEA01 and GE01 count the groups and sets they close, every ISA
    needs its IEA and every GS its GE (a truncated file is not clean), ISA13 is unique within the file,
    GS06 within its interchange and ST02 within its group, ST sits inside a GS whose GS01 and GS08 fit it,
    and ST03 (when sent) equals GS08.
    """

    def __init__(self) -> None:
        self.findings: list[str] = []
        self._isa: Segment | None = None
        self._gs: Segment | None = None
        self._groups = 0
        self._sets = 0
        self._seen_isa13: dict[str, int] = {}  # ISA13 -> its segment: unique within the file
        self._seen_gs06: dict[str, int] = {}  # unique within the interchange
        self._seen_st02: dict[str, int] = {}  # unique within the functional group
        self._bare = False
        self._last = 0
        self._handlers = {"ISA": self._isa_segment, "GS": self._gs_segment, "ST": self._st_segment,
                          "GE": self._ge_segment, "IEA": self._iea_segment}

    def feed(self, segment: Segment) -> None:
        self._last = segment.number
        handler = self._handlers.get(segment.id)
        if handler is not None:
            handler(segment)

    def finish(self) -> list[str]:
        """The findings, once the whole file has been fed (closes what the file left open)."""
        end = f"end of file after segment {self._last}"
        if self._gs is not None:
            self.findings.append(f"{end}: no GE closes {_group(self._gs)}")
        if self._isa is not None:
            self.findings.append(f"{end}: no IEA closes {_interchange(self._isa)}")
        self._gs = self._isa = None
        return self.findings

    def _say(self, segment: Segment, message: str) -> None:
        self.findings.append(f"segment {segment.number} ({segment.id}): {message}")

    def _repeated(self, segment: Segment, index: int, seen: dict[str, int], what: str, scope: str) -> None:
        control = segment.get(index)
        if control in seen:
            self._say(segment, f"{segment.id}{index:02d} '{control}' repeats the {what} of segment {seen[control]} "
                               f"({scope} needs its own)")
        seen.setdefault(control, segment.number)

    def _isa_segment(self, segment: Segment) -> None:
        if self._gs is not None:
            self._say(segment, f"no GE closes {_group(self._gs)} before this ISA")
        if self._isa is not None:
            self._say(segment, f"no IEA closes {_interchange(self._isa)} before this ISA")
        self._repeated(segment, 13, self._seen_isa13, "interchange control number", "each interchange")
        self._isa, self._gs, self._groups = segment, None, 0
        self._seen_gs06 = {}

    def _gs_segment(self, segment: Segment) -> None:
        if self._gs is not None:
            self._say(segment, f"no GE closes {_group(self._gs)} before this GS")
        if self._isa is None:
            self._say(segment, "functional group outside an interchange (no ISA before it)")
        self._repeated(segment, 6, self._seen_gs06, "group control number", "each group in an interchange")
        self._gs, self._sets = segment, 0
        self._groups += 1
        self._seen_st02 = {}

    def _st_segment(self, segment: Segment) -> None:
        kind = segment.get(1)
        if self._gs is None:
            if self._isa is not None:
                self._say(segment, f"transaction set {segment.get(2)} is not inside a functional group "
                                   "(no GS before it)")
            elif self._seen_isa13:
                self._say(segment, f"transaction set {segment.get(2)} is outside an interchange "
                                   "(no ISA and GS before it)")
            elif not self._bare:  # a file of bare transaction sets: said once
                self._bare = True
                self._say(segment, "the file has no interchange envelope (ISA/GS before ST, GE/IEA after SE)")
            return
        self._sets += 1
        self._repeated(segment, 2, self._seen_st02, "transaction set control number", "each set in a group")
        gs = self._gs
        st03, gs08 = segment.get(3), gs.get(8)
        if st03 and st03 != gs08:
            self._say(segment, f"ST03 '{st03}' does not match GS08 '{gs08}' (segment {gs.number})")
        for element, version in (("GS08", gs08), ("ST03", st03)):
            guide = _GUIDE.search(version)
            fits = GUIDES.get(guide.group()) if guide else None
            if fits is not None and kind not in fits.split("/"):
                self._say(segment, f"{element} '{version}' is the guide for {_a(fits)}, not for this {kind}")
        needed = FUNCTIONAL_GROUPS.get(kind)
        if needed is not None and gs.get(1) != needed:
            self._say(segment, f"{_a(kind)} does not belong in a GS01 '{gs.get(1)}' functional group "
                               f"(it needs {needed})")

    def _ge_segment(self, segment: Segment) -> None:
        gs = self._gs
        if gs is None:
            self._say(segment, "GE without a functional group started by GS")
            return
        if segment.get(2) != gs.get(6):
            self._say(segment, f"GE02 '{segment.get(2)}' does not match GS06 '{gs.get(6)}' (segment {gs.number})")
        if segment.get(1) != str(self._sets):
            self._say(segment, f"GE01 says {segment.get(1) or 'nothing'} transaction sets; the group has "
                               f"{self._sets}")
        self._gs = None

    def _iea_segment(self, segment: Segment) -> None:
        isa = self._isa
        if self._gs is not None:
            self._say(segment, f"no GE closes {_group(self._gs)} before this IEA")
            self._gs = None
        if isa is None:
            self._say(segment, "IEA without an interchange started by ISA")
            return
        if segment.get(2) != isa.get(13):
            self._say(segment, f"IEA02 '{segment.get(2)}' does not match ISA13 '{isa.get(13)}' "
                               f"(segment {isa.number})")
        if segment.get(1) != str(self._groups):
            self._say(segment, f"IEA01 says {segment.get(1) or 'nothing'} functional groups; the interchange has "
                               f"{self._groups}")
        self._isa = None


def _group(gs: Segment) -> str:
    return f"functional group GS06 '{gs.get(6)}' (segment {gs.number})"


def _interchange(isa: Segment) -> str:
    return f"interchange ISA13 '{isa.get(13)}' (segment {isa.number})"


def _a(kind: str) -> str:
    """'an 835', 'an 837', 'a 999'."""
    return ("an " if kind.startswith("8") else "a ") + kind


def require_type(transaction: TransactionSet, expected: str) -> None:
    if transaction.type != expected:
        raise X12Error(f"transaction set {transaction.control_number} is a {transaction.type}, not a {expected}")
