"""Checks on the records a billing company sets a practice up with: the practice itself, its providers and service
locations, the payers it bills, the practice's fees and the payers' contracted (allowed) amounts.

Each ``new_*`` function takes the values as text (field name to text; a field left out or empty is empty), checks
every field and returns a typed value, or raises InvalidFields listing every problem by field, so a record is never
saved half-checked. The field rules are those the 837P needs (names, addresses, NPIs with their check digit, TINs,
taxonomy and place-of-service codes) and are shared with the patient checks (``core.patient_edits``) and the
identifier checks (``core.identifiers``): one rule per kind of value.

Example: ``new_provider("provider", {"npi": "1234567890", ...})`` is refused with
"npi: '1234567890' fails its check digit (the last digit would be 3)".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, fields
from typing import Any

from dermbill.core.claim_edits import _MODIFIER, _PROCEDURE_CODE  # the line's rules, one place
from dermbill.core.errors import InvalidFields, InvalidInput, Problem
from dermbill.core.identifiers import (
    npi_problem,
    validate_place_of_service,
    validate_taxonomy,
    validate_tin,
)
from dermbill.core.money import Money
from dermbill.core.patient_edits import _BAD, _address, _cut, _name, _phone, _state, _zip

PAYER_KINDS = ("medicare", "medicaid", "commercial", "self_pay")
# 837P SBR09 claim filing indicator codes.
CLAIM_FILING_CODES = frozenset({"09", "11", "12", "13", "14", "15", "16", "17", "AM", "BL", "CH", "CI", "DS", "FI",
                                "HM", "LM", "MA", "MB", "MC", "OF", "TV", "VA", "WC", "ZZ"})
MAX_TIMELY_FILING_DAYS = 3650
MAX_STATUS_INQUIRY_DAYS = 365
MAX_FEE = Money(99_999_999)  # $999,999.99, as a claim line's charge
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]{0,19}")
_PAYER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]{1,79}")
_LEGAL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 &'.,/\-]*")
_CREDENTIAL = re.compile(r"[A-Za-z][A-Za-z.\-]{0,9}")
_YES = {"yes", "y", "true", "1", "active"}
_NO = {"no", "n", "false", "0", "inactive"}


@dataclass(frozen=True, slots=True)
class PracticeValues:
    """A practice: the billing provider of its claims (837P 2010AA) and where payers send its money (2010AB)."""

    code: str
    legal_name: str
    tin: str
    billing_npi: str
    taxonomy: str
    address_line1: str
    address_line2: str | None
    city: str
    state: str
    zip_code: str
    phone: str | None
    pay_to_address_line1: str | None
    pay_to_address_line2: str | None
    pay_to_city: str | None
    pay_to_state: str | None
    pay_to_zip_code: str | None


@dataclass(frozen=True, slots=True)
class PayerValues:
    """A payer the billing company bills (``payer_identifier``: the electronic payer ID, 837P 2010BB NM109)."""

    payer_identifier: str
    name: str
    kind: str
    claim_filing_indicator_code: str
    timely_filing_days: int
    appeal_address_line1: str | None
    appeal_address_line2: str | None
    appeal_city: str | None
    appeal_state: str | None
    appeal_zip_code: str | None
    status_inquiry_days: int = 30  # days without an answer before a 276 asks about a claim (claim follow-up)


@dataclass(frozen=True, slots=True)
class ProviderValues:
    """A rendering provider of the practice (837P 2310B)."""

    npi: str
    last_name: str
    first_name: str
    credential: str | None
    taxonomy: str
    active: bool


@dataclass(frozen=True, slots=True)
class LocationValues:
    """A service location of the practice (837P 2310C)."""

    name: str
    place_of_service: str
    npi: str | None
    address_line1: str
    address_line2: str | None
    city: str
    state: str
    zip_code: str


@dataclass(frozen=True, slots=True)
class FeeValues:
    """One code's amount in a fee schedule: the practice's charge, or a payer's contracted allowed amount."""

    procedure_code: str
    modifier: str  # "" for none
    amount: Money


Check = Callable[[str, str, list[Problem]], Any]


def _text(length: int, pattern: re.Pattern[str], what: str) -> Check:
    def check(name: str, text: str, problems: list[Problem]) -> Any:
        if len(text) > length or not pattern.fullmatch(text):
            problems.append(Problem(name, f"'{_cut(text)}' is not {what}"))
            return _BAD
        return text
    return check


def _raising(rule: Callable[[str], str]) -> Check:
    """A check from one of ``core.identifiers``' validators (which raise InvalidInput)."""
    def check(name: str, text: str, problems: list[Problem]) -> Any:
        try:
            return rule(text)
        except InvalidInput as refused:
            problems.append(Problem(name, str(refused)))
            return _BAD
    return check


def _npi(name: str, text: str, problems: list[Problem]) -> Any:
    problem = npi_problem(text)
    if problem is not None:
        problems.append(Problem(name, f"'{_cut(text)}' {problem}"))
        return _BAD
    return text


def _length(length: int, check: Callable[[str, str, int, list[Problem]], Any]) -> Check:
    return lambda name, text, problems: check(name, text, length, problems)


def _one_of(choices: Collection[str], *, upper: bool = False) -> Check:
    def check(name: str, text: str, problems: list[Problem]) -> Any:
        value = text.upper() if upper else text.lower()
        if value not in choices:
            problems.append(Problem(name, f"'{_cut(text)}' is not one of {', '.join(sorted(choices))}"))
            return _BAD
        return value
    return check


def _days(name: str, text: str, problems: list[Problem]) -> Any:
    if not text.isdigit() or not 1 <= int(text) <= MAX_TIMELY_FILING_DAYS:
        problems.append(Problem(name, f"'{_cut(text)}' is not a number of days from 1 to {MAX_TIMELY_FILING_DAYS}"))
        return _BAD
    return int(text)


def _wait_days(name: str, text: str, problems: list[Problem]) -> Any:
    if not text.isdigit() or not 1 <= int(text) <= MAX_STATUS_INQUIRY_DAYS:
        problems.append(Problem(name, f"'{_cut(text)}' is not a number of days from 1 to {MAX_STATUS_INQUIRY_DAYS}"))
        return _BAD
    return int(text)


def _flag(name: str, text: str, problems: list[Problem]) -> Any:
    if text.lower() in _YES:
        return True
    if text.lower() in _NO:
        return False
    problems.append(Problem(name, f"'{_cut(text)}' is not yes or no"))
    return _BAD


def _procedure_code(name: str, text: str, problems: list[Problem]) -> Any:
    code = text.upper()
    if not _PROCEDURE_CODE.fullmatch(code):
        problems.append(Problem(name, f"'{_cut(text)}' is not a procedure code (five characters: a CPT code such as "
                                "11102, or a HCPCS code such as J3301)"))
        return _BAD
    return code


def _modifier(name: str, text: str, problems: list[Problem]) -> Any:
    modifier = text.upper()
    if not _MODIFIER.fullmatch(modifier):
        problems.append(Problem(name, f"'{_cut(text)}' is not a modifier (two letters or digits, e.g. 26, TC)"))
        return _BAD
    return modifier


def _amount(name: str, text: str, problems: list[Problem]) -> Any:
    try:
        amount = Money.parse(text.replace("$", "", 1) if text.startswith("$") else text)
    except InvalidInput as refused:
        problems.append(Problem(name, str(refused)))
        return _BAD
    if amount.cents < 0 or amount > MAX_FEE:
        problems.append(Problem(name, f"'{_cut(text)}' is out of range (0.00 to {MAX_FEE.plain()})"))
        return _BAD
    return amount


_ADDRESS_LINE = _length(55, _address)
_CITY = _length(30, _name)

PRACTICE_RULES: dict[str, Check] = {
    "code": _text(20, _CODE, "a practice code (up to 20 letters, digits or hyphens, e.g. NORTH)"),
    "legal_name": _text(200, _LEGAL_NAME, "a legal name (up to 200 letters, digits, spaces and & ' . , / -)"),
    "tin": _raising(lambda text: validate_tin(text, field="TIN")),
    "billing_npi": _npi,
    "taxonomy": _raising(lambda text: validate_taxonomy(text.upper())),
    "address_line1": _ADDRESS_LINE, "address_line2": _ADDRESS_LINE, "city": _CITY, "state": _state,
    "zip_code": _zip, "phone": _phone,
    "pay_to_address_line1": _ADDRESS_LINE, "pay_to_address_line2": _ADDRESS_LINE, "pay_to_city": _CITY,
    "pay_to_state": _state, "pay_to_zip_code": _zip,
}
PAYER_RULES: dict[str, Check] = {
    "payer_identifier": _text(80, _PAYER_ID, "a payer ID (2 to 80 letters, digits or hyphens, e.g. 12502)"),
    "name": _text(60, _LEGAL_NAME, "a payer name (up to 60 letters, digits, spaces and & ' . , / -)"),
    "kind": _one_of(PAYER_KINDS),
    "claim_filing_indicator_code": _one_of(CLAIM_FILING_CODES, upper=True),
    "timely_filing_days": _days,
    "appeal_address_line1": _ADDRESS_LINE, "appeal_address_line2": _ADDRESS_LINE, "appeal_city": _CITY,
    "appeal_state": _state, "appeal_zip_code": _zip, "status_inquiry_days": _wait_days,
}
PROVIDER_RULES: dict[str, Check] = {
    "npi": _npi, "last_name": _length(60, _name), "first_name": _length(35, _name),
    "credential": _text(10, _CREDENTIAL, "a credential (up to 10 letters, e.g. MD, DO, PA-C)"),
    "taxonomy": _raising(lambda text: validate_taxonomy(text.upper())), "active": _flag,
}
LOCATION_RULES: dict[str, Check] = {
    "name": _text(100, _LEGAL_NAME, "a location name (up to 100 letters, digits, spaces and & ' . , / -)"),
    "place_of_service": _raising(validate_place_of_service), "npi": _npi,
    "address_line1": _ADDRESS_LINE, "address_line2": _ADDRESS_LINE, "city": _CITY, "state": _state,
    "zip_code": _zip,
}
FEE_RULES: dict[str, Check] = {"procedure_code": _procedure_code, "modifier": _modifier, "amount": _amount}

PRACTICE_REQUIRED = frozenset({"code", "legal_name", "tin", "billing_npi", "taxonomy", "address_line1", "city",
                               "state", "zip_code"})
PAYER_REQUIRED = frozenset({"payer_identifier", "name", "kind", "claim_filing_indicator_code",
                            "timely_filing_days"})
PROVIDER_REQUIRED = frozenset({"npi", "last_name", "first_name", "taxonomy"})
LOCATION_REQUIRED = frozenset({"name", "place_of_service", "address_line1", "city", "state", "zip_code"})
FEE_REQUIRED = frozenset({"procedure_code", "amount"})
# The pay-to and appeal addresses are all or nothing: a street without a city cannot be mailed to.
_TOGETHER = {
    "pay_to": ("pay_to_address_line1", "pay_to_city", "pay_to_state", "pay_to_zip_code"),
    "appeal": ("appeal_address_line1", "appeal_city", "appeal_state", "appeal_zip_code"),
}


def _checked(who: str, values: Mapping[str, Any], rules: Mapping[str, Check], required: Collection[str],
             defaults: Mapping[str, Any] | None = None) -> dict[str, Any]:
    problems = [Problem(str(name), f"is not a field here (the fields: {', '.join(rules)})")
                for name in values if name not in rules]
    checked: dict[str, Any] = {}
    for name, rule in rules.items():
        raw = values.get(name)
        if raw is not None and not isinstance(raw, str):
            problems.append(Problem(name, f"must be text, not {type(raw).__name__}"))
            continue
        text = " ".join((raw or "").split())
        if not text:
            if name in required:
                problems.append(Problem(name, "may not be empty"))
            checked[name] = (defaults or {}).get(name)
            continue
        value = rule(name, text, problems)
        checked[name] = None if value is _BAD else value
    for fields_together in _TOGETHER.values():
        given = [name for name in fields_together if name in rules and checked.get(name) is not None]
        if given and len(given) < len(fields_together):
            missing = [name for name in fields_together if name not in given]
            problems.append(Problem(missing[0], f"is needed with {', '.join(given)} (a complete address: "
                                    f"{', '.join(fields_together)})"))
    if problems:
        raise InvalidFields(f"{who} was not saved", tuple(problems))
    return checked


def new_practice(who: str, values: Mapping[str, Any]) -> PracticeValues:
    """A practice's values, checked (the billing NPI with its check digit, the TIN, the taxonomy code)."""
    return PracticeValues(**_checked(who, values, PRACTICE_RULES, PRACTICE_REQUIRED))


def new_payer(who: str, values: Mapping[str, Any]) -> PayerValues:
    """A payer's values, checked (the kind, the SBR09 claim filing indicator, the timely filing limit)."""
    return PayerValues(**_checked(who, values, PAYER_RULES, PAYER_REQUIRED, {"status_inquiry_days": 30}))


def new_provider(who: str, values: Mapping[str, Any]) -> ProviderValues:
    """A rendering provider's values, checked (the NPI with its check digit); active unless said otherwise."""
    return ProviderValues(**_checked(who, values, PROVIDER_RULES, PROVIDER_REQUIRED, {"active": True}))


def new_location(who: str, values: Mapping[str, Any]) -> LocationValues:
    """A service location's values, checked (the place-of-service code; its own NPI when it has one)."""
    return LocationValues(**_checked(who, values, LOCATION_RULES, LOCATION_REQUIRED))


def new_fee(who: str, values: Mapping[str, Any]) -> FeeValues:
    """One code's amount: the procedure code, an optional pricing modifier, the amount in dollars and cents
    (exact: "1.005" is refused, never rounded)."""
    return FeeValues(**_checked(who, values, FEE_RULES, FEE_REQUIRED, {"modifier": ""}))


def shown(values: object) -> dict[str, Any]:
    """A value's fields, JSON-ready (for the audit trail)."""
    result: dict[str, Any] = {}
    for f in fields(values):  # type: ignore[arg-type]
        value = getattr(values, f.name)
        result[f.name] = value.plain() if isinstance(value, Money) else value
    return result
