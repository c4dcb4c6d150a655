"""The ABN reasons table: which planned codes Medicare may not pay, and why, in a patient's words (tables/abn)."""

from __future__ import annotations

import csv
import functools
from pathlib import Path

from dermbill.core.check_in import AbnReason
from dermbill.core.errors import InvalidInput
from dermbill.reference.coding_tables import TABLES


def load_abn_reasons(path: Path = TABLES / "abn" / "reasons.csv") -> tuple[AbnReason, ...]:
    """Every row, validated: a bad row fails the load, naming file and line."""
    reasons = []
    seen: dict[str, str] = {}
    with path.open(newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            where = f"{path.name} line {number}"
            cells = {key: (value or "").strip() for key, value in row.items()}
            codes = cells.get("codes", "").split()
            if not codes or any(len(code) != 5 for code in codes):
                raise InvalidInput(f"{where}: codes must be five-character procedure codes separated by spaces")
            for code in codes:
                if code in seen:
                    raise InvalidInput(f"{where}: code {code} is already listed on {seen[code]}")
                seen[code] = where
            if not cells.get("items") or not cells.get("reason") or not cells.get("policy"):
                raise InvalidInput(f"{where}: policy, items and reason are required")
            if cells.get("screening_visit_only") not in ("true", "false"):
                raise InvalidInput(f"{where}: screening_visit_only must be true or false")
            reasons.append(AbnReason(frozenset(codes), cells["policy"], cells["items"], cells["reason"],
                                     cells["screening_visit_only"] == "true"))
    return tuple(reasons)


@functools.cache
def shipped_abn_reasons() -> tuple[AbnReason, ...]:
    return load_abn_reasons()
