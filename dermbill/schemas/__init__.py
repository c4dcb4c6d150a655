"""The JSON Schemas of the documents dermbill reads, shipped as package data: ``encounter.schema.json`` (what
``dermbill code`` reads) and ``claim.schema.json`` (what ``dermbill scrub`` reads). docs/encounter-format.md and
docs/claim-format.md explain them. Imports nothing of ours.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any, Literal

SchemaName = Literal["encounter", "claim"]


def schema_text(name: SchemaName) -> str:
    """The schema as shipped (JSON text, draft 2020-12)."""
    return files(__name__).joinpath(f"{name}.schema.json").read_text(encoding="utf-8")


def schema(name: SchemaName) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(schema_text(name))
    return loaded
