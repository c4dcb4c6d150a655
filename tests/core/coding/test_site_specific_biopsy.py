"""Biopsies of sites that are not skin take their own codes (RULES.md 1.1): the lip vermilion 40490, the mucosa
of the mouth 40808; skin of the lip keeps 11102-11107; a site the skin codes may not fit is never coded
silently (a warning names the codes to consider)."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from typing import Any

import pytest
from encounters import codes, encounter, lesion

from dermbill.core.coding.encounter import parse_encounter
from dermbill.core.coding.engine import code_encounter
from dermbill.core.coding.tables import CodeRules, CodingTables
from dermbill.core.dates import DateRange
from dermbill.reference.pfs_rvu import shipped_rvu_table

SKIN_BIOPSY_CODES = {"11100", "11101", "11102", "11103", "11104", "11105", "11106", "11107"}


def _biopsy(lesion_id: str, site: str, technique: str | None = "tangential", diagnosis: str = "bcc",
            **facts: Any) -> dict[str, Any]:
    procedure = {"type": "biopsy"} | ({"technique": technique} if technique else {})
    return lesion(lesion_id, site, diagnosis, procedure, **facts)


@pytest.mark.parametrize(("site", "expected_code", "expected_icd"), [
    ("lip_vermilion", "40490", "C00.2"),
    ("oral_mucosa", "40808", "C06.0"),
])
@pytest.mark.parametrize("technique", ["tangential", "punch", "incisional"])
def test_lip_vermilion_and_mouth_mucosa_biopsies_take_their_own_codes(code: Any, site: str, expected_code: str,
                                                                       expected_icd: str, technique: str) -> None:
    result = code(encounter(_biopsy("A", site, technique)))
    assert codes(result) == [(expected_code, 1, ())]
    assert result.lines[0].diagnoses == (expected_icd,)
    assert site in result.lines[0].explanation and "not skin" in result.lines[0].explanation
    assert result.warnings == ()


def test_skin_of_the_lip_keeps_the_skin_biopsy_codes(code: Any) -> None:
    result = code(encounter(_biopsy("A", "lip_upper_cutaneous"), _biopsy("B", "lip_lower_cutaneous", "punch")))
    assert codes(result) == [("11103", 1, ()), ("11104", 1, ())]
    assert set(result.diagnoses) == {"C44.01"}


def test_a_site_specific_biopsy_is_neither_primary_nor_add_on_of_the_skin_biopsies(code: Any) -> None:
    doc = encounter(_biopsy("A", "lip_vermilion", "incisional"), _biopsy("B", "back_upper", "punch"),
                    _biopsy("C", "oral_mucosa", "punch", diagnosis="benign_neoplasm"),
                    _biopsy("D", "forearm", "tangential", laterality="left"))
    result = code(doc)
    # NCCI pairs 40490/11104 and 40808/11103 (2024 Q3): the skin biopsies of other lesions take XS.
    assert codes(result) == [("11103", 1, ("XS",)), ("11104", 1, ("XS",)), ("40490", 1, ()), ("40808", 1, ())]


def test_a_skin_biopsy_of_the_same_lesion_is_bundled_into_the_site_code(tables: CodingTables) -> None:
    assert tables.ptp.edit_between("40490", "11102", on=datetime.date(2026, 5, 4)) is not None
    assert tables.ptp.edit_between("40808", "11104", on=datetime.date(2026, 5, 4)) is not None


def test_each_lip_lesion_biopsied_is_a_unit(code: Any) -> None:
    doc = encounter(_biopsy("A", "lip_vermilion"), _biopsy("B", "lip_vermilion", "punch", count=2))
    assert codes(code(doc)) == [("40490", 3, ())]


def test_the_technique_does_not_choose_a_site_specific_code(code: Any) -> None:
    result = code(encounter(_biopsy("A", "lip_vermilion", technique=None)))
    assert codes(result) == [("40490", 1, ())] and result.warnings == ()


def test_benign_and_in_situ_lip_and_mouth_diagnoses_are_not_skin_codes(code: Any) -> None:
    doc = encounter(_biopsy("A", "lip_vermilion", diagnosis="melanocytic_nevus"),
                    _biopsy("B", "oral_mucosa", diagnosis="scc_in_situ"))
    result = code(doc)
    assert set(result.diagnoses) == {"D10.0", "D00.02"}


def _without_site_biopsy_rules_after(tables: CodingTables, last_day: datetime.date) -> CodingTables:
    rules = tuple(dataclasses.replace(rule, effective=DateRange(rule.effective.effective_from, last_day))
                  if rule.family == "site_biopsy" else rule for rule in tables.rules.rules)
    return dataclasses.replace(tables, rules=CodeRules(rules))


def test_no_skin_code_when_the_site_code_is_not_in_force(tables: CodingTables) -> None:
    """The rows' effective dates decide: the day after a site code ends, nothing is coded and a coder is told."""
    ended = _without_site_biopsy_rules_after(tables, datetime.date(2026, 5, 3))
    doc = encounter(_biopsy("A", "lip_vermilion"), dos="2026-05-03")
    assert codes(code_encounter(parse_encounter(doc), ended)) == [("40490", 1, ())]
    doc["date_of_service"] = "2026-05-04"
    result = code_encounter(parse_encounter(doc), ended)
    assert result.lines == ()
    assert [w.code for w in result.warnings] == ["code_not_in_force"]
    assert "lip_vermilion" in result.warnings[0].message


@pytest.mark.parametrize(("sex", "organ_code"), [("M", "54100"), ("F", "56605")])
def test_a_genital_biopsy_is_coded_as_skin_with_a_warning_naming_the_organ_codes(code: Any, sex: str,
                                                                                 organ_code: str) -> None:
    result = code(encounter(_biopsy("A", "genitalia", diagnosis="benign_neoplasm"), sex=sex))
    assert codes(result) == [("11102", 1, ())]
    [warning] = result.warnings
    assert warning.code == "site_specific_code" and warning.lesion == "A"
    assert "genitalia" in warning.message and organ_code in warning.message


def test_the_site_table_names_every_site_that_skin_codes_do_not_fit(tables: CodingTables) -> None:
    today = datetime.date(2026, 5, 4)
    for site in tables.sites.sites.values():
        if site.biopsy_group == "skin":
            continue
        rule = tables.rules.keyed("site_biopsy", site.biopsy_group, on=today)
        assert rule is not None, site.site
        assert rule.code not in SKIN_BIOPSY_CODES
    assert {s.site for s in tables.sites.sites.values() if s.biopsy_group != "skin"} == {"lip_vermilion",
                                                                                           "oral_mucosa"}
    assert [s.site for s in tables.sites.sites.values() if s.biopsy_caution] == ["genitalia"]
    assert [s.site for s in tables.sites.sites.values() if s.malignant_excision_caution] == ["oral_mucosa"]


@pytest.mark.parametrize(("code_", "global_days", "work_rvu", "mue"), [("40490", "000", "1.22", 2),
                                                                     ("40808", "010", "1.05", 2)])
def test_site_biopsy_codes_carry_the_cms_values(tables: CodingTables, code_: str, global_days: str, work_rvu: str,
                                               mue: int) -> None:
    """PFS RVU25D and the 2024 Q3 practitioner MUEs (the releases the rest of the tables come from)."""
    on = datetime.date(2025, 6, 1)
    entry = shipped_rvu_table().for_code(code_, on=on).entry
    assert (entry.global_days, entry.work_rvu, entry.status_code) == (global_days, Decimal(work_rvu), "A")
    in_force = tables.code_set.in_force(code_, on)
    assert in_force is not None and in_force.global_days == global_days and not in_force.is_add_on
    limit = tables.mue.value(code_, on=on)
    assert limit is not None and (limit.units, limit.adjudication_indicator) == (mue, "3")


def _excision(lesion_id: str, site: str, diagnosis: str) -> dict[str, Any]:
    return lesion(lesion_id, site, diagnosis, {"type": "excision", "margin_cm": 0.2}, diameter_cm=0.6,
                  pathology=diagnosis)


def test_a_malignant_excision_of_the_mouth_mucosa_is_not_coded_as_skin(code: Any) -> None:
    """11640-11646 name the lips but not mucous membranes (RULES.md 1.3): a coder is told what to code instead."""
    result = code(encounter(_excision("A", "oral_mucosa", "scc")))
    assert result.lines == ()
    [warning] = result.warnings
    assert warning.code == "site_specific_code" and warning.lesion == "A"
    assert "oral_mucosa" in warning.message and "40810" in warning.message
    assert result.diagnoses == ("C06.0",)


def test_benign_mouth_and_malignant_lip_excisions_keep_the_skin_codes_that_name_them(code: Any) -> None:
    """11440-11446 name mucous membranes and 11640-11646 name the lips."""
    assert codes(code(encounter(_excision("A", "oral_mucosa", "benign_neoplasm")))) == [("11441", 1, ())]
    assert codes(code(encounter(_excision("A", "lip_vermilion", "scc")))) == [("11641", 1, ())]


@pytest.mark.parametrize(("diagnosis", "site", "expected"), [
    ("pyogenic_granuloma", "oral_mucosa", "K13.4"),  # L98.0 Excludes2: pyogenic granuloma of oral mucosa
    ("epidermoid_cyst", "oral_mucosa", "K09.8"),  # K09.8 includes epidermoid cyst of the oral region
    ("hemangioma", "oral_mucosa", "D18.09"),  # D18.01 is of skin and subcutaneous tissue only
    ("pyogenic_granuloma", "lip_vermilion", "L98.0"),  # the vermilion is not oral mucosa
    ("pyogenic_granuloma", "finger", "L98.0"),
    ("epidermoid_cyst", "back_upper", "L72.0"),
])
def test_skin_diagnoses_in_the_mouth_take_the_mouth_codes(code: Any, diagnosis: str, site: str,
                                                           expected: str) -> None:
    laterality = "left" if site == "finger" else None
    doc = encounter(lesion("A", site, diagnosis, {"type": "biopsy", "technique": "tangential"},
                           laterality=laterality))
    assert code(doc).diagnoses == (expected,)


def test_every_site_exception_is_a_billable_code_of_the_shipped_release(tables: CodingTables) -> None:
    release, _ = tables.icd10.release_for(datetime.date(2026, 5, 4))
    assert tables.site_diagnoses.exceptions
    for (diagnosis, site), icd in tables.site_diagnoses.exceptions.items():
        assert icd in release.billable, (diagnosis, site, icd)
        assert site in tables.sites.sites
