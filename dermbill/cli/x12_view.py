"""``dermbill x12 parse|validate``: read X12 files and show what is in them, or what is wrong with them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from dermbill.services.x12_files import validate_x12_file, write_x12_json, x12_transactions


def run_parse(out: Console, path: str, *, as_json: bool) -> None:
    """The file's transaction sets, a line each, or its JSON (streamed: an 835's claims a line each)."""
    if as_json:
        write_x12_json(Path(path), sys.stdout.write)
        sys.stdout.flush()
        return
    for transaction in x12_transactions(Path(path)):
        out.print(_summary(transaction), markup=False)


def _summary(transaction: dict[str, Any]) -> str:
    kind = transaction["type"]
    head = f"{kind} {transaction.get('control_number', '')}:"
    if kind == "835":
        payment = transaction["payment"]
        balance = "balanced" if transaction["balance"]["balanced"] else "NOT balanced"
        return (f"{head} payment {payment.get('amount')} ({payment.get('method')}, trace {payment.get('trace_number')})"
                f", {transaction.get('claim_count', len(transaction.get('claims', [])))} claims, {balance}")
    if kind == "999":
        return f"{head} {len(transaction['transaction_sets'])} transaction sets acknowledged, group " \
               f"{transaction['functional_group'].get('status_text', 'unknown')}"
    if kind in ("277", "277CA"):
        rejected = sum(c["rejected"] for c in transaction["claims"])
        return f"{head} {len(transaction['claims'])} claims, {rejected} rejected"
    if kind == "271":
        return f"{head} {len(transaction['subscribers'])} people, {len(transaction['errors'])} request errors"
    return f"{head} {len(transaction.get('segments', []))} segments"


def run_validate(out: Console, path: str) -> int:
    """Print each problem on its own line; the exit status is 1 when there is any, 0 when the file is clean."""
    findings = validate_x12_file(Path(path))
    for finding in findings:
        out.print(finding, markup=False, soft_wrap=True)
    if not findings:
        out.print("no problems found")
        return 0
    return 1
