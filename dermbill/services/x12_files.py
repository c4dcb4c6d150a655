"""X12 file use cases: parse any supported file; validate one (envelope, counts, balancing, NPIs, totals)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from dermbill.core.identifiers import npi_problem
from dermbill.x12.parse import parse_file
from dermbill.x12.tokenizer import Segment, read_file
from dermbill.x12.transactions import EnvelopeCheck

# Where a segment carries an NPI: segment id -> (qualifier element, identifier element); qualifier XX = NPI.
NPI_ELEMENTS = {"NM1": (8, 9), "N1": (3, 4)}


def parse_x12_file(path: Path) -> dict[str, Any]:
    return parse_file(path)


def validate_x12_file(path: Path) -> list[str]:
    """Problems found, one a line naming the segment and element: each transaction set's own problems (SE
    counts, unbalanced 835s, claim totals), then the envelopes and NPIs of the whole file in file order."""
    findings = []
    for transaction in parse_file(path)["transactions"]:
        where = f"{transaction['type']} {transaction.get('control_number', '')}"
        findings += [f"{where}: {notice}" for notice in transaction.get("notices", [])]
        if transaction["type"] == "835":
            findings += [f"{where}: {problem}" for problem in transaction["balance"]["problems"]]
        if transaction["type"] == "837":
            findings += [f"{where}: {problem}" for problem in _claim_totals(transaction["segments"])]
    envelope = EnvelopeCheck()
    for _, segment in read_file(path):
        envelope.feed(segment)
        findings += _npi_findings(segment)
    # One finding, one line: a value read from a file with a missing terminator can hold a line break.
    return [finding.replace("\r", "\\r").replace("\n", "\\n") for finding in findings + envelope.finish()]


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


def _claim_totals(segments: list[list[str]]) -> list[str]:
    """Each claim's CLM02 must equal the sum of its service lines' charges (SV102)."""
    problems = []
    claim: list[str] | None = None
    lines = Decimal(0)

    def close() -> None:
        if claim is not None and len(claim) > 2 and _number(claim[2]) is not None and _number(claim[2]) != lines:
            problems.append(f"claim {claim[1]}: CLM02 {claim[2]} is not the sum of its lines' charges {lines}")

    for segment in segments:
        if segment[0] in ("CLM", "SE"):
            close()
            claim, lines = (segment if segment[0] == "CLM" else None), Decimal(0)
        elif segment[0] == "SV1" and len(segment) > 2:
            lines += _number(segment[2]) or Decimal(0)
    return problems


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except ArithmeticError:
        return None
