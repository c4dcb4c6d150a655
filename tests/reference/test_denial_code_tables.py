"""The shipped CARC and RARC tables are complete and well formed, and a bad row fails the load naming file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from dermbill.core.denial_codes import DenialCategory
from dermbill.core.errors import InvalidInput
from dermbill.reference.denial_codes import (
    COLUMNS,
    MAX_DESCRIPTION,
    denial_code_table,
    load_reason_codes,
    parse_reason_codes,
)

HEADER = ",".join(COLUMNS) + "\n"

REQUIRED_CARCS = (
    "1", "2", "3", "4", "5", "6", "9", "10", "11", "15", "16", "18", "19", "22", "23", "24", "26", "27", "29", "31",
    "32", "39", "40", "45", "49", "50", "51", "54", "55", "56", "58", "59", "96", "97", "107", "109", "110", "119",
    "129", "131", "133", "140", "144", "146", "150", "151", "167", "170", "171", "181", "182", "183", "184", "185",
    "189", "197", "198", "199", "204", "222", "226", "227", "234", "236", "242", "252", "253", "256", "A1", "B1",
    "B7", "B9", "B11", "B13", "B15", "B16", "B20",
)

REQUIRED_RARCS = (
    "M15", "M16", "M20", "M51", "M62", "M76", "M77", "M80", "M86", "M119", "M127", "M144", "MA04", "MA13", "MA18",
    "MA61", "MA63", "MA120", "MA130", "N4", "N19", "N20", "N30", "N54", "N56", "N115", "N122", "N130", "N179",
    "N180", "N211", "N264", "N265", "N290", "N362", "N381", "N386", "N425", "N432", "N519", "N522", "N657", "N674",
    "N823",
)

# Category choices the rest of dermbill relies on (simulated payer denials, ERA posting, the denial work queue).
EXPECTED_CATEGORIES = {
    "CARC": {
        "4": DenialCategory.MODIFIERS, "11": DenialCategory.CODING_BUNDLING, "15": DenialCategory.AUTHORIZATION,
        "16": DenialCategory.MISSING_INFORMATION, "18": DenialCategory.DUPLICATE,
        "22": DenialCategory.ELIGIBILITY_COVERAGE, "24": DenialCategory.ELIGIBILITY_COVERAGE,
        "26": DenialCategory.ELIGIBILITY_COVERAGE, "27": DenialCategory.ELIGIBILITY_COVERAGE,
        "29": DenialCategory.TIMELY_FILING, "31": DenialCategory.ELIGIBILITY_COVERAGE,
        "49": DenialCategory.NON_COVERED, "50": DenialCategory.MEDICAL_NECESSITY,
        "55": DenialCategory.MEDICAL_NECESSITY, "56": DenialCategory.MEDICAL_NECESSITY,
        "96": DenialCategory.NON_COVERED, "97": DenialCategory.CODING_BUNDLING,
        "109": DenialCategory.ELIGIBILITY_COVERAGE, "119": DenialCategory.ELIGIBILITY_COVERAGE,
        "150": DenialCategory.MEDICAL_NECESSITY, "151": DenialCategory.MEDICAL_NECESSITY,
        "182": DenialCategory.MODIFIERS, "189": DenialCategory.CODING_BUNDLING,
        "197": DenialCategory.AUTHORIZATION, "198": DenialCategory.AUTHORIZATION,
        "204": DenialCategory.NON_COVERED, "226": DenialCategory.MISSING_INFORMATION,
        "227": DenialCategory.MISSING_INFORMATION, "234": DenialCategory.CODING_BUNDLING,
        "236": DenialCategory.CODING_BUNDLING, "252": DenialCategory.MISSING_INFORMATION,
        "256": DenialCategory.NON_COVERED, "B7": DenialCategory.ELIGIBILITY_COVERAGE,
        "1": DenialCategory.PATIENT_RESPONSIBILITY, "2": DenialCategory.PATIENT_RESPONSIBILITY,
        "3": DenialCategory.PATIENT_RESPONSIBILITY, "66": DenialCategory.PATIENT_RESPONSIBILITY,
        "23": DenialCategory.CONTRACTUAL, "42": DenialCategory.CONTRACTUAL, "45": DenialCategory.CONTRACTUAL,
        "59": DenialCategory.CONTRACTUAL, "94": DenialCategory.CONTRACTUAL, "131": DenialCategory.CONTRACTUAL,
        "144": DenialCategory.CONTRACTUAL, "237": DenialCategory.CONTRACTUAL, "253": DenialCategory.CONTRACTUAL,
    },
    "RARC": {
        "M15": DenialCategory.CODING_BUNDLING, "N115": DenialCategory.MEDICAL_NECESSITY,
        "N386": DenialCategory.MEDICAL_NECESSITY, "N362": DenialCategory.MEDICAL_NECESSITY,
        "N425": DenialCategory.NON_COVERED, "M62": DenialCategory.AUTHORIZATION, "N54": DenialCategory.AUTHORIZATION,
        "MA130": DenialCategory.MISSING_INFORMATION, "M76": DenialCategory.MISSING_INFORMATION,
        "N264": DenialCategory.MISSING_INFORMATION, "N265": DenialCategory.MISSING_INFORMATION,
        "N290": DenialCategory.MISSING_INFORMATION, "M86": DenialCategory.DUPLICATE,
        "M144": DenialCategory.MODIFIERS, "N519": DenialCategory.MODIFIERS, "N823": DenialCategory.MODIFIERS,
    },
}


def _write(tmp_path: Path, rows: str, name: str = "carc.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def test_every_required_carc_and_rarc_is_in_the_shipped_tables() -> None:
    table = denial_code_table()
    assert [code for code in REQUIRED_CARCS if not table.is_known_carc(code)] == []
    assert [code for code in REQUIRED_RARCS if not table.is_known_rarc(code)] == []


def test_shipped_categories_match_what_the_rest_of_dermbill_assumes() -> None:
    table = denial_code_table()
    for code, category in EXPECTED_CATEGORIES["CARC"].items():
        assert table.carc(code).category is category, code
    for code, category in EXPECTED_CATEGORIES["RARC"].items():
        assert table.rarc(code).category is category, code
    assert table.rarc("MA18").category is None
    assert table.rarc("N211").category is None


def test_every_category_is_used_by_at_least_one_carc() -> None:
    used = {entry.category for entry in denial_code_table().carcs()}
    assert used == set(DenialCategory)


def test_every_description_is_short_one_line_and_present() -> None:
    table = denial_code_table()
    for entry in (*table.carcs(), *table.rarcs()):
        assert entry.description.strip(), entry.code
        assert len(entry.description) <= MAX_DESCRIPTION, entry.code
        assert "\n" not in entry.description, entry.code
        assert not entry.description.lower().startswith("unknown"), entry.code


def test_shipped_rows_have_the_right_kind_and_no_rarc_is_unknown() -> None:
    table = denial_code_table()
    assert {entry.kind for entry in table.carcs()} == {"CARC"}
    assert {entry.kind for entry in table.rarcs()} == {"RARC"}
    assert all(entry.category is not DenialCategory.UNKNOWN for entry in table.rarcs())


def test_shipped_table_is_read_once() -> None:
    assert denial_code_table() is denial_code_table()


def test_loading_a_good_file_from_a_path(tmp_path: Path) -> None:
    path = _write(tmp_path, "45,contractual,Above the fee schedule,1995-01-01,\n"
                            "42,contractual,Retired,1995-01-01,2007-05-31\n")
    codes = load_reason_codes(path, kind="CARC")
    assert [c.code for c in codes] == ["45", "42"]
    assert codes[1].effective_to is not None and codes[1].effective_to.isoformat() == "2007-05-31"
    assert codes[0].effective_to is None


def test_rarc_with_an_empty_category_has_no_opinion() -> None:
    (entry,) = parse_reason_codes(HEADER + "N211,,Alert: no appeal,,\n", kind="RARC", source="rarc.csv")
    assert entry.category is None


def test_unknown_category_fails_naming_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "45,contractual,Above the fee schedule,,\n97,bundling,Bundled,,\n")
    with pytest.raises(InvalidInput, match=r"^carc.csv line 3: category 'bundling' is not one of: eligibility_cov"):
        load_reason_codes(path, kind="CARC")


def test_duplicate_code_fails_naming_both_lines(tmp_path: Path) -> None:
    path = _write(tmp_path, "45,contractual,Above the fee schedule,,\n97,coding_bundling,Bundled,,\n"
                            "45,contractual,Again,,\n")
    with pytest.raises(InvalidInput, match=r"^carc.csv line 4: CARC 45 is listed twice \(first on line 2\)"):
        load_reason_codes(path, kind="CARC")


def test_empty_description_fails(tmp_path: Path) -> None:
    path = _write(tmp_path, "45,contractual,  ,,\n")
    with pytest.raises(InvalidInput, match=r"^carc.csv line 2: CARC 45 has no description"):
        load_reason_codes(path, kind="CARC")


def test_description_over_120_characters_fails(tmp_path: Path) -> None:
    path = _write(tmp_path, "45,contractual," + "x" * 121 + ",,\n")
    with pytest.raises(InvalidInput, match=r"^carc.csv line 2: CARC 45's description is 121 characters"):
        load_reason_codes(path, kind="CARC")
    assert load_reason_codes(_write(tmp_path, "45,contractual," + "x" * 120 + ",,\n"), kind="CARC")


def test_multi_line_description_fails() -> None:
    with pytest.raises(InvalidInput, match=r"^carc.csv line 3: CARC 45's description must be one line"):
        parse_reason_codes(HEADER + '45,contractual,"two\nlines",,\n', kind="CARC", source="carc.csv")


def test_carc_without_a_category_fails() -> None:
    with pytest.raises(InvalidInput, match=r"^carc.csv line 2: CARC 45 needs a category"):
        parse_reason_codes(HEADER + "45,,Above the fee schedule,,\n", kind="CARC", source="carc.csv")


def test_rarc_marked_unknown_fails() -> None:
    with pytest.raises(InvalidInput, match=r"^rarc.csv line 2: RARC N211: leave the category empty"):
        parse_reason_codes(HEADER + "N211,unknown,Alert,,\n", kind="RARC", source="rarc.csv")


def test_bad_date_fails_naming_file_line_and_column() -> None:
    with pytest.raises(InvalidInput, match=r"^carc.csv line 2: effective_from: '2007-13-01' is not a date"):
        parse_reason_codes(HEADER + "45,contractual,Fee,2007-13-01,\n", kind="CARC", source="carc.csv")


def test_end_before_start_fails_naming_file_and_line() -> None:
    with pytest.raises(InvalidInput, match=r"^carc.csv line 2: CARC 45 ends \(2000-01-01\) before it starts"):
        parse_reason_codes(HEADER + "45,contractual,Fee,2001-01-01,2000-01-01\n", kind="CARC", source="carc.csv")


def test_malformed_code_fails() -> None:
    with pytest.raises(InvalidInput, match=r"^rarc.csv line 2: code 'ma130' is not a RARC"):
        parse_reason_codes(HEADER + "ma130,missing_information,Unprocessable,,\n", kind="RARC", source="rarc.csv")


def test_wrong_columns_fail_naming_the_file() -> None:
    with pytest.raises(InvalidInput, match=r"^carc.csv: the columns must be code,category,description"):
        parse_reason_codes("code,description\n45,Fee\n", kind="CARC", source="carc.csv")


def test_row_with_missing_or_extra_fields_fails() -> None:
    with pytest.raises(InvalidInput, match=r"^carc.csv line 2: expected 5 fields"):
        parse_reason_codes(HEADER + "45,contractual\n", kind="CARC", source="carc.csv")
    with pytest.raises(InvalidInput, match=r"^carc.csv line 2: expected 5 fields"):
        parse_reason_codes(HEADER + "45,contractual,Fee,,,extra\n", kind="CARC", source="carc.csv")


def test_unreadable_file_fails_with_its_path(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot read"):
        load_reason_codes(tmp_path / "missing.csv", kind="CARC")
