"""Validating resources with fhir.resources (the R4B models, R4's shape) and writing and reading FHIR JSON with
exact decimals.

A resource is built here as plain JSON-ready data (amounts as ``Decimal``) and checked by the model of its type;
what is written is that data, not the model's dump, because the models turn decimals into floats ("125.40" would
come out as 125.4). JSON numbers are read back as ``Decimal``, never ``float``.

A problem names the resource and the FHIRPath-like place: ``Patient/p1.birthDate``, ``Claim/7.item[0].net``.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ValidationError

from dermbill.core.errors import InvalidFields, InvalidInput, Problem

Resource = dict[str, Any]

_MODULES = {
    "Bundle": "bundle", "Patient": "patient", "Coverage": "coverage", "Encounter": "encounter",
    "Procedure": "procedure", "Condition": "condition", "Claim": "claim", "ClaimResponse": "claimresponse",
    "ExplanationOfBenefit": "explanationofbenefit", "OperationOutcome": "operationoutcome",
    "Practitioner": "practitioner", "Organization": "organization", "RelatedPerson": "relatedperson",
    "Location": "location",
}
_DECIMAL = re.compile(r'"\\u0000D([-0-9.E+]+)\\u0000"')


def model_of(resource_type: str) -> type[BaseModel]:
    """The fhir.resources R4B model of a resource type dermbill reads or writes."""
    if resource_type not in _MODULES:
        raise InvalidInput(f"{resource_type!r} is not a resource type dermbill reads or writes "
                           f"({', '.join(sorted(_MODULES))})")
    module = importlib.import_module(f"fhir.resources.R4B.{_MODULES[resource_type]}")
    model: type[BaseModel] = getattr(module, resource_type)
    return model


def label(resource: Mapping[str, Any]) -> str:
    """``Patient/p1``: how problems name a resource (``Patient/?`` when it has no id)."""
    return f"{resource.get('resourceType') or '?'}/{resource.get('id') or '?'}"


def problems_of(resource: Mapping[str, Any], *, name: str | None = None) -> list[Problem]:
    """Everything fhir.resources finds wrong with a resource, each at its FHIRPath-like place."""
    where = name or label(resource)
    kind = resource.get("resourceType")
    if not isinstance(kind, str) or kind not in _MODULES:
        return [Problem(f"{where}.resourceType", f"{kind!r} is not a resource type read here")]
    try:
        model_of(kind).model_validate(dict(resource))
    except ValidationError as invalid:
        return [Problem(f"{where}{fhir_path(error['loc'])}", _message(error)) for error in invalid.errors()]
    return []


def validated(resource: Resource) -> Resource:
    """The resource, once fhir.resources accepts it; InvalidFields naming every problem otherwise (a resource
    dermbill built that does not validate is a bug, said plainly rather than sent)."""
    problems = problems_of(resource)
    if problems:
        raise InvalidFields(f"{label(resource)} is not valid FHIR R4", tuple(problems))
    return resource


def fhir_path(location: Sequence[int | str]) -> str:
    """``('identifier', 0, 'value')`` -> ``.identifier[0].value`` (pydantic's location as FHIRPath)."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part not in ("__root__", ""):
            path += f".{part}"
    return path


def _message(error: Mapping[str, Any]) -> str:
    message = str(error.get("msg", "not valid")).removeprefix("Value error, ")
    return " ".join(message.split())


def dumps(data: Any, *, indent: int | None = 2) -> str:
    """FHIR JSON text with every ``Decimal`` written exactly as a JSON number (``125.40``, never ``125.4``)."""
    text = json.dumps(_marked(data), indent=indent, ensure_ascii=False)
    return _DECIMAL.sub(lambda match: match.group(1), text)


def _marked(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"\x00D{value}\x00"
    if isinstance(value, Mapping):
        return {key: _marked(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_marked(item) for item in value]
    return value


def loads(text: str) -> Any:
    """FHIR JSON read with decimals as ``Decimal``; InvalidInput naming the line and column of a syntax error."""
    try:
        return json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"line {exc.lineno}, column {exc.colno}: not JSON ({exc.msg})") from None
