"""The engine's agreement rate per code family: the share of reviewed lines a second coder accepted unchanged."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from dermbill.core.coding.review import LineDecision, agreement_by_family, code_family, is_change
from dermbill.core.coding.tables import CodingTables

DAY = datetime.date(2026, 5, 4)


@pytest.mark.parametrize(("code", "family"), [
    ("11102", "biopsy"), ("11103", "biopsy"), ("11106", "biopsy"), ("11301", "shave"), ("11402", "excision_benign"),
    ("11642", "excision_malignant"), ("17000", "destruction"), ("17003", "destruction"), ("17110", "destruction"),
    ("17262", "destruction"), ("12032", "repair"), ("13132", "repair"), ("12001", "repair"), ("14040", "flap"),
    ("17311", "mohs"), ("17312", "mohs"), ("17315", "mohs"), ("99213", "em"), ("99204", "em"), ("J3301", "other"),
])
def test_a_codes_family_comes_from_the_code_rule_that_yields_it(tables: CodingTables, code: str, family: str) -> None:
    assert code_family(code, tables.rules, DAY) == family


def test_a_biopsy_code_before_it_existed_has_no_family(tables: CodingTables) -> None:
    assert code_family("11102", tables.rules, datetime.date(2018, 12, 31)) == "other"


def test_the_rate_is_accepted_lines_per_hundred_reviewed_per_family_then_in_total() -> None:
    decisions = ([LineDecision("biopsy", True)] * 7 + [LineDecision("biopsy", False)]
                 + [LineDecision("repair", True), LineDecision("repair", False), LineDecision("repair", False)]
                 + [LineDecision("em", True)])

    rows = {row.family: row for row in agreement_by_family(decisions)}

    assert list(rows) == ["biopsy", "repair", "em", "all"]  # the families' order, the total last
    assert (rows["biopsy"].reviewed, rows["biopsy"].accepted, rows["biopsy"].rate_percent) == (8, 7, Decimal("87.5"))
    assert rows["repair"].rate_percent == Decimal("33.3") and rows["repair"].changed == 2
    assert rows["em"].rate_percent == Decimal("100.0")
    assert (rows["all"].reviewed, rows["all"].accepted, rows["all"].rate_percent) == (12, 9, Decimal("75.0"))


def test_no_review_gives_no_rate_and_an_unknown_family_counts_as_other() -> None:
    assert agreement_by_family([]) == []
    assert [r.family for r in agreement_by_family([LineDecision("laser_hair", True)])] == ["other", "all"]


def test_a_change_is_a_different_code_units_modifier_set_or_primary_diagnosis() -> None:
    engine = ("11642", 1, ("XS",), ("C44.311", "D48.5"))
    assert not is_change(engine, ("11642", 1, ("XS",), ("C44.311", "D48.5")))
    assert not is_change(engine, ("11642", 1, ("XS",), ("C44.311", "D48.5")))
    assert is_change(engine, ("11643", 1, ("XS",), ("C44.311", "D48.5")))
    assert is_change(engine, ("11642", 2, ("XS",), ("C44.311", "D48.5")))
    assert is_change(engine, ("11642", 1, ("59",), ("C44.311", "D48.5")))
    assert is_change(engine, ("11642", 1, ("XS",), ("D48.5", "C44.311")))  # another primary diagnosis
    assert is_change(engine, ("11642", 1, ("XS",), ("C44.311",)))
