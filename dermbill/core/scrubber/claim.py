"""The claim format for the scrubber, version 1 (docs/claim-format.md).

``parse_claim(doc)`` is strict about the shape (unknown keys and wrong JSON types are errors naming the
field) and lenient about values: a malformed NPI, a missing place of service or a pointer out of range
is what the scrubber reports as a finding, not a reason to refuse the claim.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from dermbill.core.errors import InvalidInput
from dermbill.core.money import Money
from dermbill.core.validation import expect_object, field_error

CLAIM_KEYS = frozenset({
    "date_of_service", "payer", "patient", "billing_provider", "rendering_provider", "place_of_service",
    "diagnoses", "lines", "documentation", "prior_procedures", "submitted_on", "prior_authorization",
})
LINE_KEYS = frozenset({"code", "units", "modifiers", "diagnoses", "charge"})


class ClaimLine(NamedTuple):
    number: int  # 1-based
    code: str
    units: int | None
    modifiers: tuple[str, ...]
    pointers: tuple[int, ...]
    charge: Money | None
    problems: tuple[str, ...]  # malformed values, reported as missing-field findings


class PriorService(NamedTuple):
    date_of_service: datetime.date
    code: str
    related: bool | None
    site: str | None
    laterality: str | None


class Claim(NamedTuple):
    date_of_service: datetime.date | None
    payer: str | None
    age: int | None
    sex: str | None
    billing_npi: str | None
    billing_taxonomy: str | None
    rendering_npi: str | None
    rendering_taxonomy: str | None
    place_of_service: str | None
    diagnoses: tuple[str, ...]
    lines: tuple[ClaimLine, ...]
    documentation: dict[str, Any] | None
    prior_procedures: tuple[PriorService, ...]
    submitted_on: datetime.date | None
    problems: tuple[tuple[str, str], ...]  # (field, what is wrong): malformed claim-level values
    prior_authorization: str | None = None  # the payer's authorization number (837P REF*G1)

    def line(self, number: int) -> ClaimLine:
        return self.lines[number - 1]


def _optional_date(value: Any, where: str, problems: list[tuple[str, str]]) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    problems.append((where, f"'{value}' is not a date written YYYY-MM-DD"))
    return None


def _text(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise field_error(where, f"must be text, not {type(value).__name__}")
    return value.strip() or None


def _provider(raw: Any, where: str) -> tuple[str | None, str | None]:
    if raw is None:
        return None, None
    data = expect_object(raw, where, frozenset({"npi", "taxonomy"}))
    return _text(data.get("npi"), f"{where}.npi"), _text(data.get("taxonomy"), f"{where}.taxonomy")


def _line(raw: Any, number: int) -> ClaimLine:
    where = f"lines[{number - 1}]"
    data = expect_object(raw, where, LINE_KEYS)
    problems = []
    code = _text(data.get("code"), f"{where}.code") or ""
    units = data.get("units")
    if units is not None and (isinstance(units, bool) or not isinstance(units, int)):
        problems.append(f"units {units!r} is not a whole number")
        units = None
    modifiers = data.get("modifiers") or []
    if not isinstance(modifiers, list) or not all(isinstance(m, str) for m in modifiers):
        raise field_error(f"{where}.modifiers", "must be a list of two-character modifiers, e.g. [\"25\"]")
    pointers_raw = data.get("diagnoses") or []
    if not isinstance(pointers_raw, list):
        raise field_error(f"{where}.diagnoses", "must be a list of 1-based diagnosis pointers, e.g. [1, 2]")
    pointers = []
    for pointer in pointers_raw:
        if isinstance(pointer, bool) or not isinstance(pointer, int):
            problems.append(f"diagnosis pointer {pointer!r} is not a whole number")
        else:
            pointers.append(pointer)
    charge = None
    raw_charge = data.get("charge")
    if raw_charge is not None:
        try:
            charge = Money.parse(raw_charge if isinstance(raw_charge, str) else str(Decimal(str(raw_charge))))
        except InvalidInput as exc:
            problems.append(f"charge: {exc}")
    return ClaimLine(number, code, units, tuple(m.strip().upper() for m in modifiers), tuple(pointers), charge,
                     tuple(problems))


def _prior(raw: Any, where: str, problems: list[tuple[str, str]]) -> PriorService | None:
    data = expect_object(raw, where, frozenset({"date_of_service", "code", "related", "site", "laterality"}))
    day = _optional_date(data.get("date_of_service"), f"{where}.date_of_service", problems)
    code = _text(data.get("code"), f"{where}.code")
    if day is None or code is None:
        problems.append((where, "an earlier procedure needs its date_of_service and code"))
        return None
    related = data.get("related")
    if related is not None and not isinstance(related, bool):
        raise field_error(f"{where}.related", "must be true or false")
    return PriorService(day, code, related, _text(data.get("site"), f"{where}.site"),
                        _text(data.get("laterality"), f"{where}.laterality"))


def parse_claim(doc: Any) -> Claim:
    """Read one claim; InvalidInput only for an unusable shape (unknown keys, wrong JSON types)."""
    data = expect_object(doc, "", CLAIM_KEYS)
    problems: list[tuple[str, str]] = []
    patient = data.get("patient")
    age = sex = None
    if patient is not None:
        patient = expect_object(patient, "patient", frozenset({"age", "sex"}))
        age = patient.get("age") if isinstance(patient.get("age"), int) else None
        sex = patient.get("sex") if patient.get("sex") in ("F", "M", "U") else None
    billing_npi, billing_taxonomy = _provider(data.get("billing_provider"), "billing_provider")
    rendering_npi, rendering_taxonomy = _provider(data.get("rendering_provider"), "rendering_provider")
    diagnoses = data.get("diagnoses") or []
    if not isinstance(diagnoses, list) or not all(isinstance(d, str) for d in diagnoses):
        raise field_error("diagnoses", "must be a list of ICD-10-CM codes, e.g. [\"C44.311\"]")
    lines = data.get("lines") or []
    if not isinstance(lines, list):
        raise field_error("lines", "must be a list of service lines")
    documentation = data.get("documentation")
    if documentation is not None and not isinstance(documentation, dict):
        raise field_error("documentation", "must be the encounter document (an object) or null")
    prior = data.get("prior_procedures") or []
    if not isinstance(prior, list):
        raise field_error("prior_procedures", "must be a list")
    payer = data.get("payer")
    if payer is not None and payer not in ("medicare", "medicaid", "commercial", "self_pay"):
        problems.append(("payer", f"'{payer}' is not medicare, medicaid, commercial or self_pay"))
        payer = None
    place = _text(data.get("place_of_service"), "place_of_service")
    return Claim(
        date_of_service=_optional_date(data.get("date_of_service"), "date_of_service", problems),
        payer=payer,
        age=age,
        sex=sex,
        billing_npi=billing_npi,
        billing_taxonomy=billing_taxonomy,
        rendering_npi=rendering_npi,
        rendering_taxonomy=rendering_taxonomy,
        place_of_service=place,
        diagnoses=tuple(d.strip().upper() for d in diagnoses),
        lines=tuple(_line(line, i) for i, line in enumerate(lines, start=1)),
        documentation=documentation,
        prior_procedures=tuple(p for i, raw in enumerate(prior)
                               if (p := _prior(raw, f"prior_procedures[{i}]", problems)) is not None),
        submitted_on=_optional_date(data.get("submitted_on"), "submitted_on", problems),
        prior_authorization=_authorization(data.get("prior_authorization"), problems),
        problems=tuple(problems),
    )


def _authorization(value: Any, problems: list[tuple[str, str]]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > 50:
        problems.append(("prior_authorization", "must be the payer's authorization number (1 to 50 characters)"))
        return None
    return value.strip()
