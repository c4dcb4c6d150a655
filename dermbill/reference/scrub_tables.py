"""Load the scrubber's tables: the coding tables plus coverage policies, payer rules and derived lookups."""

from __future__ import annotations

import csv
import datetime
import functools
from pathlib import Path

from dermbill.core.coding.tables import CodingTables
from dermbill.core.dates import DateRange, parse_iso_date
from dermbill.core.errors import InvalidInput
from dermbill.core.scrubber.tables import CoveragePolicy, PayerRule, ScrubTables
from dermbill.reference.coding_tables import TABLES, coding_tables, reference_dir
from dermbill.reference.pfs_rvu import shipped_rvu_table

# Code-rule families whose codes the scrubber checks against the diagnosis (category and site group).
CHECKED_FAMILIES = frozenset({
    "shave_removal", "excision_benign", "excision_malignant", "destruction_malignant", "mohs_first_stage",
    "destruction_premalignant", "destruction_benign", "skin_tag_removal", "paring",
})


def _rows(path: Path) -> list[tuple[str, dict[str, str]]]:
    with path.open(newline="") as handle:
        return [(f"{path.name} line {n}", {k: (v or "").strip() for k, v in row.items()})
                for n, row in enumerate(csv.DictReader(handle), start=2)]


def load_policies(path: Path = TABLES / "coverage" / "policies.csv") -> tuple[CoveragePolicy, ...]:
    policies = []
    for where, row in _rows(path):
        if row["kind"] not in ("benign_lesion_removal", "actinic_keratosis", "routine_foot_care", "screening"):
            raise InvalidInput(f"{where}: kind '{row['kind']}' is not one the scrubber knows")
        end = row["effective_to"]
        policies.append(CoveragePolicy(
            policy_id=row["policy_id"], title=row["title"], kind=row["kind"], payer=row["payer"],
            codes=frozenset(row["codes"].split()), supporting_diagnoses=tuple(row["supporting_diagnoses"].split()),
            excluded_when_only=tuple(row["excluded_when_only"].split()),
            effective=DateRange(parse_iso_date(row["effective_from"], field=f"{where}: effective_from"),
                                parse_iso_date(end, field=f"{where}: effective_to") if end else None),
        ))
    return tuple(policies)


def load_payer_rules(path: Path = TABLES / "payer_rules" / "rules.csv") -> dict[str, PayerRule]:
    rules = {}
    for where, row in _rows(path):
        if row["distinct_modifier"] not in ("either", "XS", "59"):
            raise InvalidInput(f"{where}: distinct_modifier must be either, XS or 59")
        if row["wants_modifier_51"] not in ("true", "false"):
            raise InvalidInput(f"{where}: wants_modifier_51 must be true or false")
        rules[row["payer"]] = PayerRule(
            row["payer"], row["distinct_modifier"], row["wants_modifier_51"] == "true",
            timely_filing_days=_days(where, row, "timely_filing_days"), appeal_days=_days(where, row, "appeal_days"),
            corrected_claim_days=_days(where, row, "corrected_claim_days"))
    if "default" not in rules:
        raise InvalidInput(f"{path.name}: a 'default' row is required")
    return rules


def _days(where: str, row: dict[str, str], column: str) -> int:
    try:
        days = int(row[column])
    except (KeyError, TypeError, ValueError):
        raise InvalidInput(f"{where}: {column} must be a whole number of days") from None
    if days < 0:
        raise InvalidInput(f"{where}: {column} cannot be negative")
    return days


def _max_units(path: Path = TABLES / "procedure_codes" / "codes.csv") -> dict[str, int]:
    return {row["code"]: int(row["max_units_per_line"]) for _, row in _rows(path) if row["max_units_per_line"]}


def _icd_groups(coding: CodingTables) -> dict[str, frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for (_, site, _, _), code in coding.site_diagnoses.codes.items():
        info = coding.sites.get(site)
        groups.setdefault(code, set()).update({info.lesion_group, info.mohs_group})
    return {code: frozenset(g) for code, g in groups.items()}


def _code_groups(coding: CodingTables) -> dict[str, tuple[str, str]]:
    groups: dict[str, tuple[str, str]] = {}
    for rule in coding.rules.rules:
        if rule.family in CHECKED_FAMILIES:
            groups.setdefault(rule.code, (rule.family, rule.key))
            if rule.add_on_code and rule.family != "mohs_first_stage":
                groups.setdefault(rule.add_on_code, (rule.family, rule.key))
    return groups


@functools.cache
def _fixed_parts() -> tuple[tuple[CoveragePolicy, ...], dict[str, PayerRule], dict[str, int], dict[str, str]]:
    fee = shipped_rvu_table()
    other = {code: fee.for_code(code, on=datetime.date.max).entry.global_days for code in fee.codes()}
    return load_policies(), load_payer_rules(), _max_units(), other


def scrub_tables(reference: Path | None = None) -> ScrubTables:
    """The scrubber's tables, built once per reference folder."""
    return _scrub_tables((reference or reference_dir()).resolve())


@functools.cache
def _scrub_tables(reference: Path) -> ScrubTables:
    coding = coding_tables(reference)
    policies, payer_rules, units, other = _fixed_parts()
    ranges = tuple((row["first"], row["last"]) for _, row in _rows(TABLES / "procedure_codes" / "complete_ranges.csv"))
    return ScrubTables(coding=coding, other_codes=other, policies=policies, payer_rules=payer_rules,
                       icd_groups=_icd_groups(coding), code_groups=_code_groups(coding), units_per_claim_line=units,
                       complete_ranges=ranges)
