"""Claim adjustment reason codes (CARC), remittance advice remark codes (RARC) and their root-cause category.

An 835 says why a line was paid differently from its charge with a CAS group code (who owes the
difference: CO, PR, OA, PI, CR), a CARC (why) and, often, RARCs (more detail). The code values are X12's
public external code lists; the rows themselves live in ``dermbill/reference/tables/denial_codes/`` with
dermbill's own short descriptions. This module holds the value types and the one piece of logic: which
root-cause category an adjustment falls in, so denials can be counted and worked by cause.

Worked example, with the shipped table:

- ``CO-97`` with ``M15`` (paid as part of another procedure): coding and bundling.
- ``CO-16`` with ``MA130`` and ``M62`` (missing information; the missing item is the authorization
  number): authorization, because the remark refines the generic CARC.
- ``PR-2`` (coinsurance): patient responsibility, not a denial.
- ``PR-96`` (non-covered, and the patient owes it): non-covered; the payer still denied the service.
- ``CO-45`` (charge above the fee schedule): contractual, not a denial.

Lookups never fail: an unknown code comes back as a ``ReasonCode`` in the ``unknown`` category, so a new
code in a payer's remittance is reported, not fatal.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from dermbill.core.errors import InvalidInput

ReasonCodeKind = Literal["CARC", "RARC"]


class DenialCategory(StrEnum):
    """The root cause of an adjustment, for counting denials and routing them to the person who fixes them."""

    ELIGIBILITY_COVERAGE = "eligibility_coverage"
    AUTHORIZATION = "authorization"
    CODING_BUNDLING = "coding_bundling"
    MODIFIERS = "modifiers"
    MEDICAL_NECESSITY = "medical_necessity"
    DUPLICATE = "duplicate"
    TIMELY_FILING = "timely_filing"
    MISSING_INFORMATION = "missing_information"
    NON_COVERED = "non_covered"
    CONTRACTUAL = "contractual"
    PATIENT_RESPONSIBILITY = "patient_responsibility"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        """Plain words for people: "Coding and bundling"."""
        return _LABELS[self]

    @property
    def is_denial(self) -> bool:
        """False for contractual reductions and the patient's share; True otherwise, ``unknown`` included.

        An unknown code counts as a denial so that it reaches a person rather than being written off unseen.
        """
        return self not in (DenialCategory.CONTRACTUAL, DenialCategory.PATIENT_RESPONSIBILITY)


_LABELS: dict[DenialCategory, str] = {
    DenialCategory.ELIGIBILITY_COVERAGE: "Eligibility and coverage",
    DenialCategory.AUTHORIZATION: "Authorization",
    DenialCategory.CODING_BUNDLING: "Coding and bundling",
    DenialCategory.MODIFIERS: "Modifiers",
    DenialCategory.MEDICAL_NECESSITY: "Medical necessity",
    DenialCategory.DUPLICATE: "Duplicate",
    DenialCategory.TIMELY_FILING: "Timely filing",
    DenialCategory.MISSING_INFORMATION: "Missing or invalid information",
    DenialCategory.NON_COVERED: "Non-covered or cosmetic",
    DenialCategory.CONTRACTUAL: "Contractual (not a denial)",
    DenialCategory.PATIENT_RESPONSIBILITY: "Patient responsibility (not a denial)",
    DenialCategory.UNKNOWN: "Unknown code",
}

# Categories that say only "something was wrong or missing" (or nothing at all): a remark may name the cause.
_REFINABLE = frozenset({DenialCategory.MISSING_INFORMATION, DenialCategory.UNKNOWN})


@dataclass(frozen=True, slots=True)
class ReasonCode:
    """One CARC or RARC: its category (a RARC may have none: no opinion) and dermbill's short description.

    ``effective_from`` and ``effective_to`` are inclusive; None means open at that end (not verified, or
    still in use).
    """

    kind: ReasonCodeKind
    code: str
    category: DenialCategory | None
    description: str
    effective_from: datetime.date | None = None
    effective_to: datetime.date | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("CARC", "RARC"):
            raise InvalidInput(f"reason code kind '{self.kind}' is not CARC or RARC")
        if self.kind == "CARC" and self.category is None:
            raise InvalidInput(f"CARC {self.code} needs a category (use 'unknown' when the code names no cause)")
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            raise InvalidInput(f"{self.kind} {self.code} ends ({self.effective_to}) before it starts "
                               f"({self.effective_from})")

    def in_effect(self, day: datetime.date) -> bool:
        """True when ``day`` (a date of service or a remittance date) is within the code's dates."""
        starts_ok = self.effective_from is None or self.effective_from <= day
        return starts_ok and (self.effective_to is None or day <= self.effective_to)


def _normalised(code: str) -> str:
    return code.strip().upper()


class DenialCodeTable:
    """The CARCs and RARCs dermbill knows, by code; lookups of codes it does not know still answer."""

    def __init__(self, carcs: Iterable[ReasonCode] = (), rarcs: Iterable[ReasonCode] = ()) -> None:
        self._carcs = self._index(carcs, "CARC")
        self._rarcs = self._index(rarcs, "RARC")

    @staticmethod
    def _index(entries: Iterable[ReasonCode], kind: ReasonCodeKind) -> dict[str, ReasonCode]:
        by_code: dict[str, ReasonCode] = {}
        for entry in entries:
            if entry.kind != kind:
                raise InvalidInput(f"{entry.kind} {entry.code} given where {kind}s are expected")
            if entry.code in by_code:
                raise InvalidInput(f"{kind} {entry.code} is listed twice")
            by_code[entry.code] = entry
        return by_code

    def carcs(self) -> tuple[ReasonCode, ...]:
        return tuple(self._carcs.values())

    def rarcs(self) -> tuple[ReasonCode, ...]:
        return tuple(self._rarcs.values())

    def is_known_carc(self, code: str) -> bool:
        return _normalised(code) in self._carcs

    def is_known_rarc(self, code: str) -> bool:
        return _normalised(code) in self._rarcs

    def carc(self, code: str) -> ReasonCode:
        """The CARC, or an ``unknown``-category stand-in that keeps the code and says it is not in the list."""
        key = _normalised(code)
        known = self._carcs.get(key)
        if known is not None:
            return known
        return ReasonCode("CARC", key, DenialCategory.UNKNOWN,
                          f"unknown reason code '{key}': not in dermbill's list; see the payer's remittance")

    def rarc(self, code: str) -> ReasonCode:
        """The RARC, or a stand-in with no category (no opinion) that keeps the code and says it is unknown."""
        key = _normalised(code)
        known = self._rarcs.get(key)
        if known is not None:
            return known
        return ReasonCode("RARC", key, None,
                          f"unknown remark code '{key}': not in dermbill's list; see the payer's remittance")

    def category(self, group: str, carc: str) -> DenialCategory:
        """The root cause of one CAS adjustment (group code and CARC).

        The category comes from the CARC's row, so the facts stay in the table:

        - Patient-share CARCs (1 deductible, 2 coinsurance, 3 copay, 66 blood deductible, 142, 187) are
          ``patient_responsibility`` in the table, so ``PR-1``/``PR-2``/``PR-3`` are the patient's share.
        - A denial CARC under group PR (``PR-96``, ``PR-204``, ``PR-50``) keeps the CARC's own category: the
          payer denied the service and says the patient owes it, which is still a denial to work (and to
          explain to the patient).
        - Pricing reductions (23 prior payer, 42, 45 fee schedule, 59 multiple procedures, 131, 144, 253
          sequestration ...) are ``contractual`` in the table. Under group PR such a reduction is the patient's
          to pay (e.g. ``PR-45``, the amount a non-contracted provider may bill above the allowed amount), so
          it is ``patient_responsibility``: still not a denial, but not a write-off either.
        - An unknown CARC is ``unknown`` under every group: the code, not the group, is what someone must read.
        - Groups CO, OA, PI and CR (and any unrecognised group, which the 835 reader should already have
          rejected) do not change the CARC's category.
        """
        own = self.carc(carc).category or DenialCategory.UNKNOWN
        if _normalised(group) == "PR" and own is DenialCategory.CONTRACTUAL:
            return DenialCategory.PATIENT_RESPONSIBILITY
        return own

    def category_with_remarks(self, group: str, carc: str, rarcs: Sequence[str]) -> DenialCategory:
        """The adjustment's category, refined by its remark codes when the CARC alone names no clear cause.

        Only a generic category is refined: ``missing_information`` (CARC 16, 125, 252 ...) and ``unknown``
        (CARC A1, or a code dermbill does not know). The first remark, in remittance order, whose category
        is more specific than ``missing_information`` wins: ``CO-16`` with ``MA130`` and ``M62`` is
        ``authorization``. For an ``unknown`` CARC a ``missing_information`` remark is still an improvement
        (``CO-A1`` with ``M76``). Remarks with no category (alerts such as ``N211`` or ``MA18``) and unknown
        remarks are ignored. A CARC with a specific category keeps it whatever the remarks say (``CO-97``
        with ``M144`` stays ``coding_bundling``), so the CARC stays the primary reason, as X12 intends.
        """
        base = self.category(group, carc)
        if base not in _REFINABLE:
            return base
        categories = [c for c in (self.rarc(code).category for code in rarcs) if c is not None]
        specific = [c for c in categories if c not in _REFINABLE]
        if specific:
            return specific[0]
        if base is DenialCategory.UNKNOWN and categories:
            return categories[0]
        return base


# CAS01 claim adjustment group codes (X12's list): who bears the amount, in plain words.
GROUP_WORDS: dict[str, str] = {
    "CO": "contractual obligation: the practice writes it off",
    "PR": "patient responsibility",
    "OA": "other adjustment",
    "PI": "payer-initiated reduction",
    "CR": "correction or reversal",
}


def group_words(group: str) -> str:
    """Plain words for a CAS group code: ``group_words("PR")`` is "patient responsibility"."""
    return GROUP_WORDS.get(_normalised(group), f"unknown group code '{_normalised(group)}'")
