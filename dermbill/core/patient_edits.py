"""Checks on what a person changes about a patient (demographics) and the patient's insurance (coverage).

A change names only the fields it changes (a mapping of field to new value; ``None`` clears a field that may be
empty). Every field is checked and every problem reported at once, naming the field, so nothing is saved half-way.
Example: ``{"date_of_birth": "2031-01-01", "zip_code": "1910"}`` on 2026-03-02 is refused with
"date_of_birth: 2031-01-01 is after today (2026-03-02)" and "zip_code: '1910' must be five or nine digits".

The values are those the 837P carries (2010BA/2010CA NM1, N3, N4, DMG; 2000B SBR; 2010BA NM109 member ID), with
its lengths. A Medicare member ID is a Medicare Beneficiary Identifier (CMS "MBI format specifications").
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from dermbill.core.errors import InvalidFields, Problem

SEXES = ("F", "M", "U")
COVERAGE_ORDERS = ("primary", "secondary", "tertiary")
# X12 individual relationship codes (SBR02/PAT01) a dermatology office meets: self, spouse, child, employee, other.
RELATIONSHIPS = {"18": "self", "01": "spouse", "19": "child", "20": "employee", "G8": "other"}
_STATES = ("AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND "
           "OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR VI AA AE AP")
US_STATES = frozenset(_STATES.split(" "))
OLDEST = 130  # years: an older date of birth is a keying slip
_NAME = re.compile(r"[A-Za-z][A-Za-z '.\-]*")
_ADDRESS = re.compile(r"[A-Za-z0-9 #'.,/\-]+")
_ZIP = re.compile(r"[0-9]{5}(?:-?[0-9]{4})?")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_MEMBER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]*")
_GROUP = re.compile(r"[A-Za-z0-9][A-Za-z0-9 \-]*")
_MBI_LETTER = "ACDEFGHJKMNPQRTUVWXY"  # no S, L, O, I, B, Z
_MBI = re.compile(f"[1-9][{_MBI_LETTER}][{_MBI_LETTER}0-9][0-9][{_MBI_LETTER}][{_MBI_LETTER}0-9][0-9]"
                  f"[{_MBI_LETTER}][{_MBI_LETTER}][0-9][0-9]")


@dataclass(frozen=True, slots=True)
class PatientValues:
    """A patient's demographics, as the claim carries them."""

    last_name: str
    first_name: str
    middle_name: str | None
    date_of_birth: datetime.date
    sex: str
    address_line1: str
    address_line2: str | None
    city: str
    state: str
    zip_code: str
    phone: str | None
    email: str | None


@dataclass(frozen=True, slots=True)
class CoverageValues:
    """A patient's insurance with one payer (``payer`` is its electronic payer ID)."""

    payer: str
    member_id: str
    group_number: str | None
    coverage_order: str
    relationship_code: str
    subscriber_last_name: str | None
    subscriber_first_name: str | None
    subscriber_date_of_birth: datetime.date | None
    subscriber_sex: str | None
    effective_date: datetime.date
    termination_date: datetime.date | None


PATIENT_FIELDS = tuple(f.name for f in fields(PatientValues))
COVERAGE_FIELDS = tuple(f.name for f in fields(CoverageValues))
_REQUIRED = frozenset({"last_name", "first_name", "date_of_birth", "sex", "address_line1", "city", "state",
                       "zip_code", "payer", "member_id", "coverage_order", "relationship_code", "effective_date"})


def changed(before: object, after: object) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields that differ between two values of one dataclass: (before, after), JSON-ready, for the audit."""
    old, new = {}, {}
    for f in fields(before):  # type: ignore[arg-type]
        a, b = getattr(before, f.name), getattr(after, f.name)
        if a != b:
            old[f.name], new[f.name] = _shown(a), _shown(b)
    return old, new


def _shown(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime.date) else value


def edited_patient(who: str, current: PatientValues, changes: Mapping[str, Any], *,
                   as_of: datetime.date) -> PatientValues:
    """The demographics with ``changes`` applied, or InvalidFields listing every problem."""
    problems = _unknown(changes, PATIENT_FIELDS)
    values: dict[str, Any] = {}
    for name, raw in changes.items():
        if name not in PATIENT_FIELDS:
            continue
        value = _checked_patient_field(name, raw, as_of, problems)
        if value is not _BAD:
            values[name] = value
    if problems:
        raise InvalidFields(f"{who} was not changed", tuple(problems))
    return replace(current, **values)


def edited_coverage(who: str, current: CoverageValues, changes: Mapping[str, Any], *, payers: Collection[str],
                    medicare_payers: Collection[str], as_of: datetime.date) -> CoverageValues:
    """The coverage with ``changes`` applied, or InvalidFields listing every problem. ``payers`` are the payer
    IDs the billing company bills (``medicare_payers`` those of Medicare, whose member IDs are MBIs)."""
    problems = _unknown(changes, COVERAGE_FIELDS)
    values: dict[str, Any] = {}
    for name, raw in changes.items():
        if name not in COVERAGE_FIELDS:
            continue
        value = _checked_coverage_field(name, raw, payers, as_of, problems)
        if value is not _BAD:
            values[name] = value
    if problems:
        raise InvalidFields(f"{who} was not changed", tuple(problems))
    return _checked_across(who, "was not changed", replace(current, **values), changes.keys(), medicare_payers)


def _checked_across(who: str, refused: str, result: CoverageValues, named: Collection[str],
                    medicare_payers: Collection[str]) -> CoverageValues:
    """Checks across fields, on the values as they would be (``named``: the fields the change gave)."""
    problems = []
    if result.termination_date is not None and result.termination_date < result.effective_date:
        problems.append(Problem("termination_date", f"{result.termination_date} is before the effective date "
                                f"({result.effective_date})"))
    if result.payer in medicare_payers and not _MBI.fullmatch(result.member_id.replace("-", "").upper()) and \
            ({"member_id", "payer"} & set(named)):
        problems.append(Problem("member_id", f"'{_cut(result.member_id)}' is not a Medicare Beneficiary "
                                "Identifier (11 characters such as 1EG4-TE5-MK72, as on the Medicare card)"))
    if result.relationship_code != "18" and not (result.subscriber_last_name and result.subscriber_first_name):
        problems.append(Problem("subscriber_last_name", "the patient is not the subscriber (relationship "
                                f"{result.relationship_code}): give the subscriber's last and first name"))
    if problems:
        raise InvalidFields(f"{who} {refused}", tuple(problems))
    if result.payer in medicare_payers:
        result = replace(result, member_id=result.member_id.replace("-", "").upper())
    return result


def new_patient(who: str, values: Mapping[str, Any], *, as_of: datetime.date) -> PatientValues:
    """A new patient's demographics from ``values`` (field name to text or date; a field left out is empty), or
    InvalidFields listing every problem: the same rule per field as a change, and every required field given."""
    problems = [Problem(str(name), f"is not a patient field (the fields: {', '.join(PATIENT_FIELDS)})")
                for name in values if name not in PATIENT_FIELDS]
    checked: dict[str, Any] = {}
    for name in PATIENT_FIELDS:
        value = _checked_patient_field(name, values.get(name), as_of, problems)
        checked[name] = None if value is _BAD else value
    if problems:
        raise InvalidFields(f"{who} was not registered", tuple(problems))
    return PatientValues(**checked)


def new_coverage(who: str, values: Mapping[str, Any], *, payers: Collection[str], medicare_payers: Collection[str],
                 as_of: datetime.date) -> CoverageValues:
    """A new coverage from ``values`` (field name to text or date; a field left out is empty; the relationship
    defaults to 18, self), or InvalidFields listing every problem: the same rules as a change, across fields too."""
    problems = [Problem(str(name), f"is not a coverage field (the fields: {', '.join(COVERAGE_FIELDS)})")
                for name in values if name not in COVERAGE_FIELDS]
    given = {**values}
    if given.get("relationship_code") in (None, ""):
        given["relationship_code"] = "18"
    checked: dict[str, Any] = {}
    for name in COVERAGE_FIELDS:
        value = _checked_coverage_field(name, given.get(name), payers, as_of, problems)
        checked[name] = None if value is _BAD else value
    if problems:
        raise InvalidFields(f"{who} was not registered", tuple(problems))
    return _checked_across(who, "was not registered", CoverageValues(**checked), COVERAGE_FIELDS, medicare_payers)


# An account number as practice systems print them (the EHR's MRN or account): letters, digits and - . / _.
ACCOUNT_NUMBER_LENGTH = 20
_ACCOUNT = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-./_]*")


def account_number_problem(text: str | None) -> Problem | None:
    """What is wrong with an account number (the patient's key within the practice), or None."""
    value = (text or "").strip()
    if not value:
        return Problem("account_number", "may not be empty (the practice's account number of the patient)")
    if len(value) > ACCOUNT_NUMBER_LENGTH or not _ACCOUNT.fullmatch(value):
        return Problem("account_number", f"'{_cut(value)}' is not an account number (up to {ACCOUNT_NUMBER_LENGTH} "
                       "letters, digits and - . / _, as the practice's system shows it)")
    return None


_BAD = object()


def _unknown(changes: Mapping[str, Any], known: tuple[str, ...]) -> list[Problem]:
    problems = [Problem(str(name), f"is not a field that can be changed (the fields: {', '.join(known)})")
                for name in changes if name not in known]
    if not changes:
        problems.append(Problem("body", f"name at least one field to change ({', '.join(known)})"))
    return problems


def _checked_patient_field(name: str, raw: Any, as_of: datetime.date, problems: list[Problem]) -> Any:
    if raw is None:
        if name in _REQUIRED:
            problems.append(Problem(name, "may not be empty"))
            return _BAD
        return None
    if name == "date_of_birth":
        return _birth_date(name, raw, as_of, problems)
    if not isinstance(raw, str):
        problems.append(Problem(name, f"must be text, not {type(raw).__name__}"))
        return _BAD
    text = " ".join(raw.split())
    if not text:
        if name in _REQUIRED:
            problems.append(Problem(name, "may not be empty"))
            return _BAD
        return None
    checks = {
        "last_name": lambda: _name(name, text, 60, problems), "first_name": lambda: _name(name, text, 35, problems),
        "middle_name": lambda: _name(name, text, 25, problems), "sex": lambda: _sex(name, text, problems),
        "address_line1": lambda: _address(name, text, 55, problems),
        "address_line2": lambda: _address(name, text, 55, problems),
        "city": lambda: _name(name, text, 30, problems), "state": lambda: _state(name, text, problems),
        "zip_code": lambda: _zip(name, text, problems), "phone": lambda: _phone(name, text, problems),
        "email": lambda: _email(name, text, problems),
    }
    return checks[name]()


def _checked_coverage_field(name: str, raw: Any, payers: Collection[str], as_of: datetime.date,
                            problems: list[Problem]) -> Any:
    if raw is None:
        if name in _REQUIRED:
            problems.append(Problem(name, "may not be empty"))
            return _BAD
        return None
    if name in ("effective_date", "termination_date"):
        return _date(name, raw, problems)
    if name == "subscriber_date_of_birth":
        return _birth_date(name, raw, as_of, problems)
    if not isinstance(raw, str):
        problems.append(Problem(name, f"must be text, not {type(raw).__name__}"))
        return _BAD
    text = raw.strip()
    if not text:
        if name in _REQUIRED:
            problems.append(Problem(name, "may not be empty"))
            return _BAD
        return None
    if name == "payer":
        if text not in payers:
            problems.append(Problem(name, f"'{_cut(text)}' is not one of the billing company's payers (payer IDs: "
                                    f"{', '.join(sorted(payers)) or 'none yet'})"))
            return _BAD
        return text
    if name == "member_id":
        if not (2 <= len(text) <= 80 and _MEMBER_ID.fullmatch(text)):
            problems.append(Problem(name, f"'{_cut(text)}' is not a member ID (2 to 80 letters, digits or "
                                    "hyphens, as printed on the insurance card)"))
            return _BAD
        return text
    if name == "group_number":
        if not (len(text) <= 50 and _GROUP.fullmatch(text)):
            problems.append(Problem(name, f"'{_cut(text)}' is not a group number (up to 50 letters, digits, "
                                    "spaces or hyphens)"))
            return _BAD
        return text
    if name == "coverage_order":
        if text not in COVERAGE_ORDERS:
            problems.append(Problem(name, f"'{_cut(text)}' is not an order ({', '.join(COVERAGE_ORDERS)})"))
            return _BAD
        return text
    if name == "relationship_code":
        if text not in RELATIONSHIPS:
            known = ", ".join(f"{code} {what}" for code, what in RELATIONSHIPS.items())
            problems.append(Problem(name, f"'{_cut(text)}' is not a relationship code ({known})"))
            return _BAD
        return text
    if name == "subscriber_sex":
        return _sex(name, text, problems)
    return _name(name, " ".join(text.split()), 60 if name == "subscriber_last_name" else 35, problems)


def _name(name: str, text: str, length: int, problems: list[Problem]) -> Any:
    if len(text) > length or not _NAME.fullmatch(text):
        problems.append(Problem(name, f"'{_cut(text)}' is not a name (up to {length} letters, spaces, hyphens, "
                                "apostrophes or periods)"))
        return _BAD
    return text


def _address(name: str, text: str, length: int, problems: list[Problem]) -> Any:
    if len(text) > length or not _ADDRESS.fullmatch(text):
        problems.append(Problem(name, f"'{_cut(text)}' is not an address line (up to {length} letters, digits, "
                                "spaces and # ' . , / -)"))
        return _BAD
    return text


def _sex(name: str, text: str, problems: list[Problem]) -> Any:
    if text.upper() not in SEXES:
        problems.append(Problem(name, f"'{_cut(text)}' is not F, M or U (unknown)"))
        return _BAD
    return text.upper()


def _state(name: str, text: str, problems: list[Problem]) -> Any:
    if text.upper() not in US_STATES:
        problems.append(Problem(name, f"'{_cut(text)}' is not a US state or territory code (two letters, e.g. PA)"))
        return _BAD
    return text.upper()


def _zip(name: str, text: str, problems: list[Problem]) -> Any:
    if not _ZIP.fullmatch(text):
        problems.append(Problem(name, f"'{_cut(text)}' must be five or nine digits, e.g. 19103 or 19103-1234"))
        return _BAD
    return text.replace("-", "")


def _phone(name: str, text: str, problems: list[Problem]) -> Any:
    digits = re.sub(r"[\s().\-+]", "", text)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if not (len(digits) == 10 and digits.isdigit() and digits[0] not in "01"):
        problems.append(Problem(name, f"'{_cut(text)}' is not a US phone number (ten digits, e.g. 215-555-0100)"))
        return _BAD
    return digits


def _email(name: str, text: str, problems: list[Problem]) -> Any:
    if len(text) > 254 or not _EMAIL.fullmatch(text):
        problems.append(Problem(name, f"'{_cut(text)}' is not an e-mail address"))
        return _BAD
    return text.lower()


def _date(name: str, raw: Any, problems: list[Problem]) -> Any:
    if isinstance(raw, datetime.date) and not isinstance(raw, datetime.datetime):
        return raw
    if isinstance(raw, str):
        try:
            return datetime.date.fromisoformat(raw.strip())
        except ValueError:
            pass
    problems.append(Problem(name, f"'{_cut(str(raw))}' is not a date (YYYY-MM-DD)"))
    return _BAD


def _birth_date(name: str, raw: Any, as_of: datetime.date, problems: list[Problem]) -> Any:
    day = _date(name, raw, problems)
    if day is _BAD:
        return _BAD
    if day > as_of:
        problems.append(Problem(name, f"{day} is after today ({as_of})"))
        return _BAD
    if as_of.year - day.year > OLDEST:
        problems.append(Problem(name, f"{day} is more than {OLDEST} years ago"))
        return _BAD
    return day


def _cut(text: str) -> str:
    return text if len(text) <= 24 else text[:24] + "..."
