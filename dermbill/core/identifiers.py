"""Identifiers whose form can be checked offline: NPI, TIN, provider taxonomy, place of service, ZIP.

The NPI check digit is the Luhn algorithm over the nine base digits prefixed with 80840 (the card
issuer prefix for US health applications), per the CMS "NPI check digit" specification.
Example: 123456789 -> check digit 3, so 1234567893 is a valid NPI.
"""

from __future__ import annotations

import re

from dermbill.core.errors import InvalidInput

_NPI_PREFIX = "80840"
_TAXONOMY = re.compile(r"[0-9]{3}[0-9A-Z]{6}X")
_TIN = re.compile(r"[0-9]{2}-?[0-9]{7}|[0-9]{3}-?[0-9]{2}-?[0-9]{4}")
_ZIP = re.compile(r"[0-9]{5}(?:-?[0-9]{4})?")
_POS = re.compile(r"[0-9]{2}")


def luhn_check_digit(digits: str) -> int:
    """The Luhn check digit that, appended to ``digits``, makes the whole number pass the Luhn test."""
    total = 0
    # Double every second digit from the right of the payload (the check digit will sit to its right).
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def npi_check_digit(base: str) -> int:
    """The check digit of an NPI whose first nine digits are ``base``."""
    if not (len(base) == 9 and base.isdigit()):
        raise InvalidInput(f"NPI base '{base}' must be nine digits")
    return luhn_check_digit(_NPI_PREFIX + base)


def npi_problem(npi: str) -> str | None:
    """What is wrong with ``npi`` (length, first digit, check digit), or None when it is a valid NPI.

    A number can carry the right check digit and still not be an NPI: NPIs start with 1 or 2.
    """
    if not (len(npi) == 10 and npi.isdigit()):
        return "must be exactly ten digits"
    if npi[0] not in "12":
        return "must start with 1 or 2"
    expected = npi_check_digit(npi[:9])
    if expected != int(npi[9]):
        return f"fails its check digit (the last digit would be {expected})"
    return None


def is_valid_npi(npi: str) -> bool:
    """True when ``npi`` is ten digits, starts with 1 or 2, and its check digit is right."""
    return npi_problem(npi) is None


def validate_npi(npi: str, *, field: str = "NPI") -> str:
    """Return ``npi`` if valid, else raise InvalidInput saying what is wrong with it."""
    problem = npi_problem(npi)
    if problem is not None:
        raise InvalidInput(f"{field} '{npi}' {problem}")
    return npi


def validate_taxonomy(code: str, *, field: str = "taxonomy") -> str:
    """A Health Care Provider Taxonomy code: ten characters ending in X, e.g. 207N00000X (dermatology)."""
    if not _TAXONOMY.fullmatch(code):
        raise InvalidInput(f"{field} '{code}' is not a provider taxonomy code (e.g. 207N00000X)")
    return code


def validate_tin(tin: str, *, field: str = "TIN") -> str:
    """An EIN (12-3456789) or SSN (123-45-6789); returned as nine digits."""
    if not _TIN.fullmatch(tin):
        raise InvalidInput(f"{field} '{tin}' must be nine digits, e.g. 12-3456789")
    return tin.replace("-", "")


def validate_zip(code: str, *, field: str = "ZIP code") -> str:
    """A five- or nine-digit ZIP code; returned without the hyphen."""
    if not _ZIP.fullmatch(code):
        raise InvalidInput(f"{field} '{code}' must be five or nine digits, e.g. 19103 or 19103-1234")
    return code.replace("-", "")


def validate_place_of_service(code: str) -> str:
    """A two-digit CMS place-of-service code, e.g. 11 (office), 22 (outpatient hospital)."""
    if not _POS.fullmatch(code):
        raise InvalidInput(f"place of service '{code}' must be a two-digit code such as 11 (office)")
    return code
