"""Scrubbing claim documents: one claim (a file), a JSON Lines stream, and the claim a coded encounter becomes.

No database here (``services.scrubbing`` scrubs stored claims): ``dermbill scrub FILE`` imports this module
and so starts without SQLAlchemy.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from dermbill.core.coding.result import CodingResult
from dermbill.core.errors import DermbillError, InvalidInput
from dermbill.core.scrubber.claim import parse_claim
from dermbill.core.scrubber.findings import ScrubResult
from dermbill.core.scrubber.registry import scrub_claim
from dermbill.core.scrubber.tables import ScrubTables
from dermbill.reference.scrub_tables import scrub_tables
from dermbill.schemas import schema_text


def claim_schema_text() -> str:
    """The JSON Schema of what ``dermbill scrub`` reads (``dermbill scrub --schema``)."""
    return schema_text("claim")


def edit_releases_note(day: datetime.date, tables: ScrubTables | None = None) -> str:
    """Which NCCI quarters answer for ``day``, and how to load a newer one (for the people reading findings)."""
    coding = (tables or scrub_tables()).coding
    ptp = coding.ptp.release_for(day).name if coding.ptp.releases else "none"
    mue_release = coding.mue.release_for(day)
    mue = mue_release.name if mue_release else "none"
    return (f"Edits used for {day}: {ptp}; {mue}. Load the current quarter with 'dermbill reference load-ncci' "
            "and 'load-mue'.")


def scrub_document(doc: Any, *, as_of: datetime.date, tables: ScrubTables | None = None) -> ScrubResult:
    """Validate the claim's shape and run every rule; ``as_of`` is the day the claim would be sent by default."""
    return scrub_claim(parse_claim(doc), tables or scrub_tables(), as_of=as_of)


def scrub_text(text: str, *, as_of: datetime.date, tables: ScrubTables | None = None) -> ScrubResult:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    return scrub_document(doc, as_of=as_of, tables=tables)


def scrub_lines(lines: Iterable[str], *, as_of: datetime.date) -> Iterator[dict[str, Any]]:
    """One result per input line, in order; a line that fails gives ``{"error": ...}`` and the run goes on."""
    tables = scrub_tables()
    for number, line in enumerate(lines, start=1):
        try:
            yield scrub_text(line, as_of=as_of, tables=tables).to_json()
        except DermbillError as exc:
            yield {"error": f"line {number}: {exc}"}


def claim_document(
    coded: CodingResult,
    documentation: Mapping[str, Any],
    *,
    billing_npi: str,
    taxonomy: str,
    rendering_npi: str,
    place_of_service: str,
    charges: Mapping[str, int],
    submitted_on: datetime.date | None = None,
) -> dict[str, Any]:
    """The claim (docs/claim-format.md) that a coded encounter becomes: what the scrubber and the 837P writer read."""
    diagnoses = list(coded.diagnoses[:12])
    lines = []
    for line in coded.lines:
        pointers = [diagnoses.index(code) + 1 for code in line.diagnoses if code in diagnoses][:4]
        cents = charges.get(line.code, 0) * line.units
        lines.append({"code": line.code, "units": line.units, "modifiers": list(line.modifiers),
                      "diagnoses": pointers or [1], "charge": f"{cents // 100}.{cents % 100:02d}"})
    return {
        "date_of_service": documentation["date_of_service"],
        "payer": documentation["payer"],
        "patient": dict(documentation["patient"]),
        "billing_provider": {"npi": billing_npi, "taxonomy": taxonomy},
        "rendering_provider": {"npi": rendering_npi},
        "place_of_service": place_of_service,
        "diagnoses": diagnoses,
        "lines": lines,
        "documentation": dict(documentation),
        "prior_procedures": list(documentation.get("prior_procedures") or []),
        "submitted_on": (submitted_on or datetime.date.fromisoformat(documentation["date_of_service"])).isoformat(),
    }
