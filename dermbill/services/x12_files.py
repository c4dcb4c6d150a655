"""X12 file use cases: parse any supported file; validate one (envelope, counts, balancing, NPIs, totals)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from dermbill.core.identifiers import is_valid_npi
from dermbill.x12.parse import parse_file


def parse_x12_file(path: Path) -> dict[str, Any]:
    return parse_file(path)


def validate_x12_file(path: Path) -> list[str]:
    """Problems found, one a line: envelope notices, unbalanced 835s, NPIs failing their check digit."""
    findings = []
    for transaction in parse_file(path)["transactions"]:
        where = f"{transaction['type']} {transaction.get('control_number', '')}"
        findings += [f"{where}: {notice}" for notice in transaction.get("notices", [])]
        if transaction["type"] == "835":
            findings += [f"{where}: {problem}" for problem in transaction["balance"]["problems"]]
            npi = transaction["payee"].get("npi")
            if npi and not is_valid_npi(npi):
                findings.append(f"{where}: payee NPI {npi} fails its check digit")
        for segment in transaction.get("segments", []):
            if segment and segment[0] == "NM1" and len(segment) > 9 and segment[8] == "XX" and not is_valid_npi(
                    segment[9]):
                findings.append(f"{where}: NM1*{segment[1]} NPI {segment[9]} fails its check digit")
        if transaction["type"] == "837":
            findings += [f"{where}: {problem}" for problem in _claim_totals(transaction["segments"])]
    return findings


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
