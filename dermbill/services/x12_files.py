"""X12 file use cases: parse any supported file; validate one (envelope, counts, balancing, NPIs, totals)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from dermbill.core.identifiers import npi_problem
from dermbill.x12.parse import parse_file, parsed_transactions, write_parsed_json
from dermbill.x12.tokenizer import Segment, X12Error, open_x12, read_file
from dermbill.x12.transactions import EnvelopeCheck
from dermbill.x12.values import number

# Where a segment carries an NPI: segment id -> (qualifier element, identifier element); qualifier XX = NPI.
NPI_ELEMENTS = {"NM1": (8, 9), "N1": (3, 4)}


def parse_x12_file(path: Path) -> dict[str, Any]:
    return parse_file(path)


def write_x12_json(path: Path, write: Callable[[str], object]) -> None:
    """The file's JSON (``parse_x12_file``'s), written as it is read: an 835 of any size in flat memory."""
    write_parsed_json(path, write)


def x12_transactions(path: Path) -> Iterator[dict[str, Any]]:
    """Each transaction set's JSON, an 835's without its claims (``claim_count`` says how many), one at a time."""
    with open_x12(path) as stream:
        count = 0
        for kind, item in parsed_transactions(stream):
            if kind == "claim":
                count += 1
            elif kind == "end":
                yield {**item, "claim_count": count}
                count = 0
            elif kind == "set":
                yield item


def validate_x12_file(path: Path) -> list[str]:
    """Problems found, one a line naming the segment and element: each transaction set's own problems (SE
    counts, unbalanced 835s), then claim totals, NPIs and the envelopes of the whole file, in file order."""
    findings = []
    for transaction in x12_transactions(path):
        where = f"{transaction['type']} {transaction.get('control_number', '')}"
        findings += [f"{where}: {notice}" for notice in transaction.get("notices", [])]
        if transaction["type"] == "835":
            findings += [f"{where}: {problem}" for problem in transaction["balance"]["problems"]]
    envelope, totals = EnvelopeCheck(), ClaimTotals()
    for _, segment in read_file(path):
        said = len(envelope.findings)
        envelope.feed(segment)
        findings += totals.feed(segment) + _npi_findings(segment) + envelope.findings[said:]
    said = len(envelope.findings)
    # One finding, one line: a value read from a file with a missing terminator can hold a line break.
    findings += envelope.finish()[said:]
    return [finding.replace("\r", "\\r").replace("\n", "\\n") for finding in findings]


def _npi_findings(segment: Segment) -> list[str]:
    """An NPI (qualifier XX) that is not a valid NPI, saying what is wrong with it."""
    elements = NPI_ELEMENTS.get(segment.id)
    if elements is None or segment.get(elements[0]) != "XX":
        return []
    npi = segment.get(elements[1])
    problem = npi_problem(npi)
    if problem is None:
        return []
    return [f"segment {segment.number} ({segment.id}): {segment.id}{elements[1]:02d} NPI '{npi}' of "
            f"{segment.id}*{segment.get(1)} {problem}"]


class ClaimTotals:
    """Each 837 claim's CLM02 must equal the sum of its service lines' charges (SV102)."""

    def __init__(self) -> None:
        self._claim: Segment | None = None
        self._lines = Decimal(0)

    def feed(self, segment: Segment) -> list[str]:
        if segment.id == "SV1":
            line, problem = _number(segment, 2)
            if problem:  # an unreadable line charge: the claim's total cannot be checked
                self._claim = None
            self._lines += line or Decimal(0)
            return problem
        if segment.id not in ("CLM", "SE", "ST"):
            return []
        claim, lines = self._claim, self._lines
        findings: list[str] = []
        self._claim, self._lines = None, Decimal(0)
        if segment.id == "CLM":
            charge, findings = _number(segment, 2)
            self._claim = segment if charge is not None else None
        if claim is None:
            return findings
        charge, _ = _number(claim, 2)
        if charge is None or charge == lines:
            return findings
        return [f"segment {claim.number} (CLM): claim {claim.get(1)}: CLM02 {claim.get(2)} is not the sum of its "
                f"lines' charges (SV102) {lines}", *findings]


def _number(segment: Segment, index: int) -> tuple[Decimal | None, list[str]]:
    """An amount element, or None with a finding naming it when it is there but not a plain decimal in range."""
    if not segment.get(index).strip():
        return None, []
    try:
        return number(segment, index), []
    except X12Error as exc:
        return None, [str(exc)]
