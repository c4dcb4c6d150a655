"""The tables the scrubber reads: the coding tables plus coverage policies, payer rules and lookups."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from dermbill.core.coding.tables import CodingTables, ProcedureCode
from dermbill.core.dates import DateRange


@dataclass(frozen=True, slots=True)
class CoveragePolicy:
    """A coverage policy (LCD or NCD) as data: which codes it governs and which diagnoses support them."""

    policy_id: str
    title: str
    kind: str  # benign_lesion_removal, actinic_keratosis, routine_foot_care, screening
    payer: str  # the payer kind it applies to (medicare)
    codes: frozenset[str]
    supporting_diagnoses: tuple[str, ...]  # ICD-10-CM codes or prefixes that show the service is necessary
    excluded_when_only: tuple[str, ...]  # diagnoses that, all a line points to, mark it excluded (cosmetic, screening)
    effective: DateRange


@dataclass(frozen=True, slots=True)
class PayerRule:
    """What one payer (a payer kind or payer identifier) wants differently: small and typed."""

    payer: str
    distinct_modifier: str  # "either", "XS" or "59"
    wants_modifier_51: bool
    timely_filing_days: int
    appeal_days: int = 90  # from the remittance date
    corrected_claim_days: int = 90  # from the remittance date
    authorization_codes: frozenset[str] = frozenset()  # codes this payer wants prior authorization for


@dataclass(frozen=True, slots=True)
class ScrubTables:
    coding: CodingTables
    other_codes: dict[str, str]  # codes outside the procedure code set (fee schedule table) -> global days
    policies: tuple[CoveragePolicy, ...]
    payer_rules: dict[str, PayerRule]
    icd_groups: dict[str, frozenset[str]]  # ICD-10-CM code -> lesion site groups it can be
    code_groups: dict[str, tuple[str, str]]  # procedure code -> (family, site group)
    units_per_claim_line: dict[str, int]  # codes whose descriptor allows at most this many units
    complete_ranges: tuple[tuple[str, str], ...]  # code ranges where dermbill knows every code that exists

    def entry(self, code: str, on: datetime.date) -> ProcedureCode | None:
        return self.coding.code_set.in_force(code, on)

    def known(self, code: str) -> bool:
        return code in self.coding.code_set.codes or code in self.other_codes

    def knows_range_of(self, code: str) -> bool:
        """Whether ``code`` falls in a range whose every code dermbill knows (else: a code we cannot judge)."""
        return any(first <= code <= last and len(code) == len(first) for first, last in self.complete_ranges)

    def global_days(self, code: str, on: datetime.date) -> int | None:
        entry = self.entry(code, on)
        days = entry.global_days if entry else self.other_codes.get(code, "")
        return int(days) if days.isdigit() else None

    def payer_rule(self, identifier: str | None, kind: str | None = None) -> PayerRule:
        """The payer's own rule (by payer identifier), else its kind's (medicare, commercial...), else the default."""
        rules = self.payer_rules
        return rules.get(identifier or "") or rules.get(kind or "") or rules["default"]

    def policies_for(self, payer: str | None, code: str, on: datetime.date) -> list[CoveragePolicy]:
        return [p for p in self.policies if p.payer == payer and code in p.codes and p.effective.contains(on)]
