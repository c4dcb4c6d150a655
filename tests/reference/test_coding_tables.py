"""The coding tables are complete and consistent with each other and with the encounter format."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from dermbill.core.coding.encounter import PAIRED_SITES, SITES
from dermbill.core.errors import InvalidInput
from dermbill.reference.coding_tables import (
    TABLES,
    coding_tables,
    load_rules,
    read_cms_icd10_file,
    with_dot,
)
from dermbill.services.reference import load_icd10cm_release

TODAY_RANGE = datetime.date(2026, 5, 1)


def test_site_table_covers_every_site_of_the_encounter_format() -> None:
    tables = coding_tables()
    assert set(tables.sites.sites) == set(SITES)
    assert {s for s, info in tables.sites.sites.items() if info.paired} == PAIRED_SITES


def test_every_rule_code_is_in_the_code_set_and_in_force_when_the_rule_is() -> None:
    tables = coding_tables()
    for rule in tables.rules.rules:
        for code in filter(None, (rule.code, rule.add_on_code)):
            assert code in tables.code_set.codes, code
            assert tables.code_set.in_force(code, rule.effective.effective_from) is not None, (code, rule)


def test_add_ons_name_primaries_that_exist() -> None:
    tables = coding_tables()
    for versions in tables.code_set.codes.values():
        for entry in versions:
            assert all(primary in tables.code_set.codes for primary in entry.add_on_to)
            if entry.is_add_on:
                assert entry.global_days == "ZZZ", entry.code


def test_global_days_come_from_the_fee_schedule() -> None:
    code_set = coding_tables().code_set
    assert code_set.in_force("11602", TODAY_RANGE).global_days == "010"  # type: ignore[union-attr]
    assert code_set.in_force("14040", TODAY_RANGE).global_days == "090"  # type: ignore[union-attr]
    assert code_set.in_force("11102", TODAY_RANGE).global_days == "000"  # type: ignore[union-attr]


def test_biopsy_codes_change_on_1_january_2019() -> None:
    code_set = coding_tables().code_set
    assert code_set.in_force("11100", datetime.date(2018, 12, 31)) is not None
    assert code_set.in_force("11100", datetime.date(2019, 1, 1)) is None
    assert code_set.in_force("11102", datetime.date(2018, 12, 31)) is None


def test_ptp_pairs_are_read_with_their_indicator_and_deletion_date() -> None:
    ptp = coding_tables().ptp
    edit = ptp.edit_between("17000", "11102", on=TODAY_RANGE)
    assert edit is not None and (edit.column1, edit.column2, edit.modifier_indicator) == ("11102", "17000", "1")
    assert ptp.edit_between("17004", "17000", on=TODAY_RANGE).modifier_indicator == "0"  # type: ignore[union-attr]
    assert ptp.edit_between("11642", "11401", on=TODAY_RANGE) is None


def test_a_bad_rule_row_fails_the_load_naming_file_and_line(tmp_path: Path) -> None:
    lines = (TABLES / "code_rules" / "rules.csv").read_text().splitlines()
    bad = tmp_path / "rules.csv"
    bad.write_text("\n".join([lines[0], lines[1], lines[2].replace("<=1.0", "<=one")]) + "\n")
    with pytest.raises(InvalidInput, match="rules.csv line 3: bound '<=one'"):
        load_rules(bad)
    bad.write_text("\n".join([lines[0], lines[1].replace("2015-10-01", "2015-13-01")]) + "\n")
    with pytest.raises(InvalidInput, match="rules.csv line 2: effective_from"):
        load_rules(bad)


def test_cms_icd10_code_files_load_as_a_fiscal_year_release(tmp_path: Path) -> None:
    order = tmp_path / "icd10cm-order-2027.txt"
    order.write_text("00001 C44     0 Other malignant neoplasm of skin\n"
                     "00002 C44619  1 BCC left upper limb\n00003 D492    1 Unspecified behaviour\n")
    assert read_cms_icd10_file(order) == (frozenset({"C44.619", "D49.2"}), frozenset({"C44"}))
    saved = load_icd10cm_release(order, directory=tmp_path / "ref")
    assert (saved.effective_from, saved.effective_to) == (datetime.date(2026, 10, 1), datetime.date(2027, 9, 30))
    tables = coding_tables(tmp_path / "ref")
    release, in_force = tables.icd10.release_for(datetime.date(2026, 10, 5))
    assert in_force and "FY2027" in release.name and "C44.619" in release.billable
    assert with_dot("L84") == "L84"
    bad = tmp_path / "icd10cm-codes-2027.txt"
    bad.write_text("this is not a code file\n")
    with pytest.raises(InvalidInput, match="line 1: 'THIS' is not an ICD-10-CM code|line 1: 'this'"):
        read_cms_icd10_file(bad)


def test_each_loaded_ncci_quarter_answers_from_its_first_day(tmp_path: Path) -> None:
    from dermbill.services.reference import load_ncci_file

    mue = tmp_path / "mue.csv"
    mue.write_text('"CPT only copyright"\n"HCPCS/CPT Code","Practitioner Services MUE Values",'
                   '"MUE Adjudication Indicator","MUE Rationale"\n"17003","20","2 Date of Service Edit: Policy","x"\n')
    load_ncci_file(mue, kind="mue", quarter="2026q4", directory=tmp_path / "ref")
    ptp = tmp_path / "ptp.txt"
    ptp.write_text("Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\tDeletion Date\tModifier\tR\n"
                   "11642\t11401\t\t20261001\t*\t0\tnew edit\n")
    load_ncci_file(ptp, kind="ptp", quarter="2026q4", directory=tmp_path / "ref")
    tables = coding_tables(tmp_path / "ref")
    before, first_day = datetime.date(2026, 9, 30), datetime.date(2026, 10, 1)
    assert tables.mue.value("17003", on=before).units == 13  # type: ignore[union-attr]
    assert tables.mue.value("17003", on=first_day).units == 20  # type: ignore[union-attr]
    assert tables.ptp.edit_between("11642", "11401", on=before) is None
    assert tables.ptp.edit_between("11642", "11401", on=first_day).modifier_indicator == "0"  # type: ignore[union-attr]
    with pytest.raises(InvalidInput, match="--quarter"):
        load_ncci_file(ptp, kind="ptp", directory=tmp_path / "ref")
