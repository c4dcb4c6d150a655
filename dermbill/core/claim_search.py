"""What a claim search asks for, checked: the filters of the claims list (``GET /api/v1/claims``) parsed from
text into typed values, and the keyset cursor of its pages.

Pure: no database. A bad filter raises ``InvalidSearch`` naming the field and what would be accepted, e.g.
``date_to: 2026-02-30 is not a date; write it as YYYY-MM-DD (e.g. 2026-03-02)``.

Order of the results: newest date of service first, then the claim's id (newest first), so the order is total and
stable while claims are added; the cursor names the last claim of a page by those two values (``2026-03-02.1234``).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from dermbill.core.claims import ClaimStatus
from dermbill.core.errors import InvalidInput

MAX_TEXT = 60  # longer than any claim number, name, NPI or payer ID
NPI_PATTERN = re.compile(r"\d{10}")


class InvalidSearch(InvalidInput):
    """A search filter that cannot be used: ``field`` names it, the message says what would be accepted."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.problem = message


@dataclass(frozen=True, slots=True)
class NameQuery:
    """A patient name as people type it: ``DOE``, ``doe, ja`` (last name prefix, then first name prefix)."""

    last: str
    first: str = ""


@dataclass(frozen=True, slots=True)
class ClaimSearch:
    """Every filter is optional; the filters given must all hold (``statuses``: any of them)."""

    text: str | None = None  # a claim number prefix (with a digit in it), or a patient name (NameQuery of it)
    patient: str | None = None  # a patient account number, or a patient name
    date_from: datetime.date | None = None  # date of service, inclusive
    date_to: datetime.date | None = None
    payer: str | None = None  # the payer's name (prefix) or its payer ID
    provider: str | None = None  # an NPI (rendering or billing), or a name prefix
    statuses: frozenset[ClaimStatus] = frozenset()
    practice: str | None = None  # a practice code, one of the user's

    @property
    def text_is_claim_number(self) -> bool:
        """``q`` with a digit in it is a claim number prefix (names have none), otherwise a patient's name: each
        is then one index range, where "either" would read every claim."""
        return self.text is not None and any(ch.isdigit() for ch in self.text)

    @property
    def text_as_name(self) -> NameQuery | None:
        return name_query(self.text) if self.text and not self.text_is_claim_number else None

    @property
    def patient_as_name(self) -> NameQuery | None:
        return name_query(self.patient) if self.patient else None


@dataclass(frozen=True, slots=True, order=True)
class Cursor:
    """Where a page ended: the last claim's date of service and id (the order is both, descending)."""

    date_of_service: datetime.date
    claim_id: int

    def __str__(self) -> str:
        return f"{self.date_of_service.isoformat()}.{self.claim_id}"


def like_prefix(text: str) -> str:
    """A LIKE pattern for the strings starting with ``text`` (its wildcards escaped with ``/``)."""
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"


def name_query(text: str) -> NameQuery:
    """``'doe, ja'`` -> NameQuery('DOE', 'JA'); case does not matter (names are compared upper-cased)."""
    last, _, first = text.partition(",")
    return NameQuery(" ".join(last.split()).upper(), " ".join(first.split()).upper())


def parse_cursor(text: str) -> Cursor:
    """The cursor ``next_after`` gave (``YYYY-MM-DD.<id>``)."""
    day, _, number = text.strip().partition(".")
    try:
        return Cursor(datetime.date.fromisoformat(day), int(number))
    except ValueError:
        raise InvalidSearch("after", f"'{text[:40]}' is not a page cursor; pass the next_after value of the page "
                                     "before, unchanged (or leave it out for the first page)") from None


def parse_date(field: str, text: str) -> datetime.date:
    """A date of service filter, ``YYYY-MM-DD``."""
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidSearch(field, f"'{text[:20]}' is not a date; write it as YYYY-MM-DD (e.g. 2026-03-02)") from None


def parse_statuses(text: str) -> frozenset[ClaimStatus]:
    """One claim state or several separated by commas (``rejected,denied``)."""
    found = set()
    for part in (p.strip().lower() for p in text.split(",")):
        if not part:
            continue
        try:
            found.add(ClaimStatus(part))
        except ValueError:
            raise InvalidSearch("status", f"'{part[:30]}' is not a claim state; use one of "
                                          f"{', '.join(s.value for s in ClaimStatus)} (several: comma-separated)"
                                ) from None
    return frozenset(found)


def _text(field: str, value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    if len(value) > MAX_TEXT:
        raise InvalidSearch(field, f"is longer than {MAX_TEXT} characters; search for a shorter part of it")
    return value.strip()


def parse_search(*, q: str | None = None, patient: str | None = None, date_from: str | None = None,
                 date_to: str | None = None, payer: str | None = None, provider: str | None = None,
                 status: str | None = None, practice: str | None = None) -> ClaimSearch:
    """The search the query parameters ask for; raises InvalidSearch on the first bad one."""
    start = parse_date("date_from", date_from) if date_from and date_from.strip() else None
    end = parse_date("date_to", date_to) if date_to and date_to.strip() else None
    if start and end and end < start:
        raise InvalidSearch("date_to", f"{end.isoformat()} is before date_from {start.isoformat()}; give a date_to "
                                       "on or after date_from (the same day for one day)")
    return ClaimSearch(
        text=_text("q", q), patient=_text("patient", patient), date_from=start, date_to=end,
        payer=_text("payer", payer), provider=_text("provider", provider),
        statuses=parse_statuses(status) if status else frozenset(),
        practice=(_text("practice", practice) or "").upper() or None)


def is_npi_like(text: str) -> bool:
    """Ten digits: looked up as an NPI rather than a name."""
    return NPI_PATTERN.fullmatch(text) is not None


def prefix_bounds(prefix: str) -> tuple[str, str]:
    """``[low, high)`` bounds of the strings starting with ``prefix`` in code point order, so that a B-tree index
    can answer a prefix search (``LIKE 'x%'`` cannot use one under most database collations)."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1) if prefix else ""
