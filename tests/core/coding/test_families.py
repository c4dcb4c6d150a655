"""A test per coding rule: the case that triggers it, the near miss, and the bin edges."""

from __future__ import annotations

from typing import Any

import pytest
from encounters import codes, encounter, excision, lesion, repair

from dermbill.core.errors import InvalidInput

# Biopsies ---------------------------------------------------------------------------------------


def _biopsy(lesion_id: str, technique: str, site: str = "back_upper", **facts: Any) -> dict[str, Any]:
    return lesion(lesion_id, site, "neoplasm_unspecified_behavior", {"type": "biopsy", "technique": technique},
                  **facts)


@pytest.mark.parametrize(("techniques", "expected"), [
    (["tangential"], [("11102", 1, ())]),
    (["punch", "punch"], [("11104", 1, ()), ("11105", 1, ())]),
    (["tangential", "punch", "tangential"], [("11103", 2, ()), ("11104", 1, ())]),
    (["tangential", "punch", "incisional"], [("11103", 1, ()), ("11105", 1, ()), ("11106", 1, ())]),
    (["incisional", "incisional"], [("11106", 1, ()), ("11107", 1, ())]),
])
def test_one_primary_biopsy_by_hierarchy_and_add_ons_by_technique(code: Any, techniques: list[str],
                                                                  expected: list[Any]) -> None:
    doc = encounter(*(_biopsy(chr(65 + i), t) for i, t in enumerate(techniques)))
    assert codes(code(doc)) == expected


def test_a_lesion_count_counts_biopsies(code: Any) -> None:
    assert codes(code(encounter(_biopsy("A", "punch", count=3)))) == [("11104", 1, ()), ("11105", 2, ())]


def test_biopsies_before_2019_use_11100_and_11101(code: Any) -> None:
    doc = encounter(_biopsy("A", "punch"), _biopsy("B", "tangential"), dos="2018-12-31")
    assert codes(code(doc)) == [("11100", 1, ()), ("11101", 1, ())]
    doc["date_of_service"] = "2019-01-01"
    assert codes(code(doc)) == [("11103", 1, ()), ("11104", 1, ())]


def test_biopsy_of_the_lesion_removed_the_same_day_is_not_reported(code: Any) -> None:
    doc = encounter(lesion("A", "nose", "bcc", {"type": "biopsy", "technique": "tangential"}, excision(0.3),
                           diameter_cm=0.8, pathology="bcc"))
    result = code(doc)
    assert codes(result) == [("11642", 1, ())]
    assert "biopsy of the same lesion is included" in result.lines[0].explanation


def test_biopsy_of_a_different_lesion_takes_xs_on_the_column_two_code(code: Any) -> None:
    doc = encounter(lesion("A", "nose", "bcc", excision(0.3), diameter_cm=0.8, pathology="bcc"),
                    _biopsy("B", "tangential", site="forearm", laterality="left"))
    assert codes(code(doc)) == [("11102", 1, ("XS",)), ("11642", 1, ())]


def test_biopsy_without_technique_is_missing_documentation(code: Any) -> None:
    doc = encounter(lesion("A", "back_upper", "neoplasm_unspecified_behavior", {"type": "biopsy"}))
    result = code(doc)
    assert result.lines == () and [w.code for w in result.warnings] == ["missing_documentation"]


# Shave removal ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("site", "laterality", "diameter", "expected"), [
    ("back_upper", None, 0.5, "11300"), ("back_upper", None, 0.6, "11301"), ("back_upper", None, 1.0, "11301"),
    ("back_upper", None, 1.1, "11302"), ("back_upper", None, 2.0, "11302"), ("back_upper", None, 2.1, "11303"),
    ("scalp", None, 0.5, "11305"), ("neck", None, 0.8, "11306"), ("hand_dorsum", "left", 1.5, "11307"),
    ("genitalia", None, 2.5, "11308"), ("sole", "right", 0.4, "11305"),
    ("nose", None, 0.5, "11310"), ("ear", "left", 0.9, "11311"), ("lip_vermilion", None, 1.2, "11312"),
    ("eyelid_upper", "right", 2.2, "11313"), ("forearm", "left", 0.7, "11301"), ("thigh", "right", 2.5, "11303"),
])
def test_shave_removal_by_site_group_and_lesion_diameter(code: Any, site: str, laterality: str | None,
                                                         diameter: float, expected: str) -> None:
    doc = encounter(lesion("A", site, "melanocytic_nevus", {"type": "shave_removal"}, laterality=laterality,
                           diameter_cm=diameter, symptoms=["irritated"]))
    assert codes(code(doc)) == [(expected, 1, ())]


def test_shave_without_diameter_is_not_guessed(code: Any) -> None:
    result = code(encounter(lesion("A", "back_upper", "melanocytic_nevus", {"type": "shave_removal"})))
    assert result.lines == () and result.warnings[0].code == "missing_documentation"


# Excisions --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("diameter", "margin", "benign", "malignant"), [
    (0.3, 0.1, "11400", "11600"), (0.4, 0.1, "11401", "11601"), (0.6, 0.2, "11401", "11601"),
    (0.7, 0.2, "11402", "11602"), (1.2, 0.4, "11402", "11602"), (1.3, 0.4, "11403", "11603"),
    (2.6, 0.2, "11403", "11603"), (2.7, 0.2, "11404", "11604"), (3.0, 0.5, "11404", "11604"),
    (3.1, 0.5, "11406", "11606"),
])
def test_excision_bins_on_exact_excised_diameter(code: Any, diameter: float, margin: float, benign: str,
                                                 malignant: str) -> None:
    """Edges 0.5/0.6, 1.0/1.1, 2.0/2.1, 3.0/3.1, 4.0/4.1 with sums that float arithmetic gets wrong."""
    benign_doc = encounter(lesion("A", "back_upper", "epidermoid_cyst", excision(margin), diameter_cm=diameter,
                                  pathology="epidermoid_cyst"))
    malignant_doc = encounter(lesion("A", "back_upper", "bcc", excision(margin), diameter_cm=diameter,
                                     pathology="bcc"))
    assert codes(code(benign_doc)) == [(benign, 1, ())]
    assert codes(code(malignant_doc)) == [(malignant, 1, ())]


@pytest.mark.parametrize(("site", "laterality", "expected"), [
    ("chest", None, "11602"), ("upper_arm", "left", "11602"), ("thigh", "right", "11602"),
    ("axilla", "left", "11602"), ("scalp", None, "11622"), ("neck", None, "11622"), ("palm", "left", "11622"),
    ("foot_dorsum", "right", "11622"), ("genitalia", None, "11622"), ("nose", None, "11642"),
    ("cheek", "left", "11642"), ("ear", "right", "11642"), ("eyelid_lower", "left", "11642"),
    ("lip_upper_cutaneous", None, "11642"),
])
def test_excision_site_groups(code: Any, site: str, laterality: str | None, expected: str) -> None:
    doc = encounter(lesion("A", site, "scc", excision(0.3), laterality=laterality, diameter_cm=0.8,
                           pathology="scc"))
    assert codes(code(doc))[0][0] == expected


def test_final_pathology_decides_benign_or_malignant_and_in_situ_is_malignant(code: Any) -> None:
    suspicious = lesion("A", "back_upper", "neoplasm_unspecified_behavior", excision(0.2), diameter_cm=1.0,
                        pathology="melanocytic_nevus", symptoms=["suspicious_for_malignancy"])
    assert codes(code(encounter(suspicious))) == [("11402", 1, ())]
    for final in ("melanoma_in_situ", "scc_in_situ", "bcc"):
        suspicious["pathology"] = final
        assert codes(code(encounter(suspicious))) == [("11602", 1, ())]
    suspicious["pathology"] = "neoplasm_uncertain_behavior"
    assert codes(code(encounter(suspicious))) == [("11402", 1, ())]


def test_measured_excised_diameter_is_used_as_documented(code: Any) -> None:
    doc = encounter(lesion("A", "back_upper", "bcc", excision(excised_diameter_cm=2.1), pathology="bcc"))
    assert codes(code(doc)) == [("11603", 1, ())]


def test_pending_pathology_holds_the_excision_and_its_diagnosis_only(code: Any) -> None:
    doc = encounter(lesion("A", "back_upper", "neoplasm_unspecified_behavior", excision(0.2), diameter_cm=1.0,
                           pathology="pending"),
                    _biopsy("B", "punch", site="forearm", laterality="right", pathology="pending"))
    result = code(doc)
    assert codes(result) == [("11104", 1, ())]
    assert result.diagnoses == ("D49.2",)
    assert [(h.code, h.lesion) for h in result.holds] == [("pathology_pending", "A")]


# Repairs ----------------------------------------------------------------------------------------

def _excised(lesion_id: str, site: str, *extra: dict[str, Any], laterality: str | None = None,
             diameter: float = 1.0) -> dict[str, Any]:
    return lesion(lesion_id, site, "bcc", excision(0.2), *extra, laterality=laterality, diameter_cm=diameter,
                  pathology="bcc")


def test_simple_repair_is_included_in_the_excision(code: Any) -> None:
    assert codes(code(encounter(_excised("A", "back_upper", repair("simple", 3.0))))) == [("11602", 1, ())]


def test_intermediate_repairs_of_one_group_are_summed(code: Any) -> None:
    doc = encounter(_excised("A", "back_upper", repair("intermediate", 2.5)),
                    _excised("B", "forearm", repair("intermediate", 5.1), laterality="left"))
    assert ("12034", 1, ()) in codes(code(doc))  # 2.5 + 5.1 = 7.6 -> 7.6-12.5


def test_repairs_of_different_groups_or_complexities_are_separate(code: Any) -> None:
    doc = encounter(_excised("A", "back_upper", repair("intermediate", 2.0)),
                    _excised("B", "neck", repair("intermediate", 2.0)),
                    _excised("C", "nose", repair("intermediate", 2.0)))
    lines = [c for c, _, _ in codes(code(doc))]
    assert {"12031", "12041", "12051"} <= set(lines)


@pytest.mark.parametrize(("length", "expected"), [
    (1.0, [("12031", 1, ())]),
    (1.1, [("13120", 1, ())]), (2.5, [("13120", 1, ())]), (2.6, [("13121", 1, ())]), (7.5, [("13121", 1, ())]),
    (8.5, [("13121", 1, ()), ("13122", 1, ())]), (12.5, [("13121", 1, ()), ("13122", 1, ())]),
    (12.6, [("13121", 1, ()), ("13122", 2, ())]),
])
def test_complex_repair_minimum_and_add_on_math(code: Any, length: float, expected: list[Any]) -> None:
    doc = encounter(_excised("A", "thigh", repair("complex", length), laterality="left"))
    assert [c for c in codes(code(doc)) if c[0][:2] in ("12", "13")] == expected


def test_complex_repairs_of_arm_and_back_are_not_summed(code: Any) -> None:
    doc = encounter(_excised("A", "back_upper", repair("complex", 2.0)),
                    _excised("B", "upper_arm", repair("complex", 2.0), laterality="right"))
    assert {"13100", "13120"} <= {c for c, _, _ in codes(code(doc))}


def test_small_benign_excision_bundles_its_own_repair_by_ncci(code: Any) -> None:
    doc = encounter(lesion("A", "back_upper", "epidermoid_cyst", excision(0.1), repair("intermediate", 2.0),
                           diameter_cm=0.3, pathology="epidermoid_cyst"))
    result = code(doc)
    assert codes(result) == [("11400", 1, ())]
    assert "bundled into 11400 by NCCI" in result.lines[0].explanation


# Adjacent tissue transfer -----------------------------------------------------------------------

@pytest.mark.parametrize(("site", "laterality", "area", "expected"), [
    ("back_upper", None, 10.0, [("14000", 1, ())]), ("back_upper", None, 10.1, [("14001", 1, ())]),
    ("scalp", None, 30.0, [("14021", 1, ())]), ("cheek", "left", 8.5, [("14040", 1, ())]),
    ("nose", None, 12.0, [("14061", 1, ())]), ("thigh", "left", 30.1, [("14301", 1, ())]),
    ("thigh", "left", 60.0, [("14301", 1, ())]), ("thigh", "left", 75.0, [("14301", 1, ()), ("14302", 1, ())]),
])
def test_flap_includes_the_excision_and_repair(code: Any, site: str, laterality: str | None, area: float,
                                               expected: list[Any]) -> None:
    doc = encounter(_excised("A", site, {"type": "adjacent_tissue_transfer", "defect_area_cm2": area},
                             repair("intermediate", 3.0), laterality=laterality))
    assert codes(code(doc)) == expected


# Destruction ------------------------------------------------------------------------------------

def _destroyed(lesion_id: str, diagnosis: str, count: int, site: str = "forehead", **facts: Any) -> dict[str, Any]:
    return lesion(lesion_id, site, diagnosis, {"type": "destruction", "method": "cryotherapy"}, count=count, **facts)


@pytest.mark.parametrize(("count", "expected"), [
    (1, [("17000", 1, ())]), (2, [("17000", 1, ()), ("17003", 1, ())]),
    (14, [("17000", 1, ()), ("17003", 13, ())]), (15, [("17004", 1, ())]), (40, [("17004", 1, ())]),
])
def test_premalignant_destruction_counts(code: Any, count: int, expected: list[Any]) -> None:
    assert codes(code(encounter(_destroyed("A", "actinic_keratosis", count), payer="medicare"))) == expected


@pytest.mark.parametrize(("count", "expected"), [(1, "17110"), (14, "17110"), (15, "17111")])
def test_benign_destruction_counts(code: Any, count: int, expected: str) -> None:
    doc = encounter(_destroyed("A", "wart", count, site="hand_dorsum", laterality="left"))
    assert codes(code(doc)) == [(expected, 1, ())]


@pytest.mark.parametrize(("site", "diameter", "expected"), [
    ("back_upper", 0.5, "17260"), ("back_upper", 0.6, "17261"), ("scalp", 2.0, "17272"), ("nose", 4.1, "17286"),
])
def test_malignant_destruction_by_site_group_and_diameter(code: Any, site: str, diameter: float,
                                                          expected: str) -> None:
    doc = encounter(_destroyed("A", "bcc", 1, site=site, diameter_cm=diameter, pathology="bcc"))
    assert codes(code(doc)) == [(expected, 1, ())]


def test_destruction_waiting_on_pathology_is_held(code: Any) -> None:
    doc = encounter(_destroyed("A", "neoplasm_unspecified_behavior", 1, diameter_cm=0.8, pathology="pending"))
    result = code(doc)
    assert result.lines == () and result.holds[0].code == "pathology_pending"


@pytest.mark.parametrize(("area", "expected"), [(9.9, "17106"), (10.0, "17107"), (50.0, "17107"), (50.1, "17108")])
def test_vascular_lesions_by_treated_area(code: Any, area: float, expected: str) -> None:
    doc = encounter(lesion("A", "cheek", "hemangioma", {"type": "destruction", "method": "laser", "area_cm2": area},
                           laterality="left"))
    assert codes(code(doc)) == [(expected, 1, ())]


def test_skin_tags_destroyed_are_skin_tag_removals(code: Any) -> None:
    doc = encounter(_destroyed("A", "acrochordon", 4, site="neck", symptoms=["irritated"]))
    assert codes(code(doc)) == [("11200", 1, ())]


# Mohs -------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("site", "laterality", "stages", "expected"), [
    ("nose", None, [4], [("17311", 1, ())]),
    ("back_lower", None, [3, 2], [("17313", 1, ()), ("17314", 1, ())]),
    ("hand_dorsum", "left", [7, 3], [("17311", 1, ()), ("17312", 1, ()), ("17315", 2, ())]),
    ("scalp", None, [7, 6, 5], [("17311", 1, ()), ("17312", 2, ()), ("17315", 3, ())]),
    ("thigh", "right", [5, 5], [("17313", 1, ()), ("17314", 1, ())]),
])
def test_mohs_stages_and_blocks_beyond_five_per_stage(code: Any, site: str, laterality: str | None,
                                                      stages: list[int], expected: list[Any]) -> None:
    doc = encounter(lesion("A", site, "bcc", {"type": "mohs", "stages": [{"blocks": b} for b in stages]},
                           laterality=laterality), payer="medicare")
    assert codes(code(doc)) == expected


# Counted services -------------------------------------------------------------------------------

@pytest.mark.parametrize(("count", "expected"), [
    (15, [("11200", 1, ())]), (16, [("11200", 1, ()), ("11201", 1, ())]), (25, [("11200", 1, ()), ("11201", 1, ())]),
    (26, [("11200", 1, ()), ("11201", 2, ())]),
])
def test_skin_tags(code: Any, count: int, expected: list[Any]) -> None:
    doc = encounter(lesion("A", "neck", "acrochordon", {"type": "skin_tag_removal"}, count=count,
                           symptoms=["irritated"]))
    assert codes(code(doc)) == expected


@pytest.mark.parametrize(("count", "expected"), [(1, "11055"), (2, "11056"), (4, "11056"), (5, "11057")])
def test_paring(code: Any, count: int, expected: str) -> None:
    doc = encounter(lesion("A", "sole", "corn_callus", {"type": "paring"}, laterality="left", count=count))
    assert codes(code(doc)) == [(expected, 1, ())]


def test_paring_for_medicare_is_routine_foot_care(code: Any) -> None:
    doc = encounter(lesion("A", "sole", "corn_callus", {"type": "paring"}, laterality="left"), payer="medicare")
    result = code(doc)
    assert result.lines == () and result.warnings[0].code == "not_covered"


@pytest.mark.parametrize(("count", "dose", "expected"), [
    (7, 20, [("11900", 1, ()), ("J3301", 2, ())]), (8, 25, [("11901", 1, ()), ("J3301", 3, ())]),
    (1, 10, [("11900", 1, ()), ("J3301", 1, ())]),
])
def test_injection_per_session_and_drug_per_10_mg_rounded_up(code: Any, count: int, dose: float,
                                                             expected: list[Any]) -> None:
    doc = encounter(lesion("A", "chest", "keloid", {"type": "intralesional_injection",
                                                    "drug": "triamcinolone_acetonide", "dose_mg": dose}, count=count))
    assert codes(code(doc)) == expected


@pytest.mark.parametrize(("abscesses", "complicated", "expected"), [(1, False, "10060"), (1, True, "10061"),
                                                                    (2, False, "10061")])
def test_incision_and_drainage(code: Any, abscesses: int, complicated: bool, expected: str) -> None:
    doc = encounter(*(lesion(chr(65 + i), "axilla", "abscess", {"type": "incision_drainage",
                                                                "complicated": complicated},
                             laterality=("left", "right")[i]) for i in range(abscesses)))
    result = code(doc)
    assert codes(result) == [(expected, 1, ())]
    assert set(result.diagnoses) <= {"L02.411", "L02.412"}


@pytest.mark.parametrize(("nails", "expected"), [(1, "11720"), (5, "11720"), (6, "11721")])
def test_nail_debridement(code: Any, nails: int, expected: str) -> None:
    doc = encounter(services=[{"type": "nail_debridement", "nails": nails, "diagnoses": ["onychomycosis"]}])
    result = code(doc)
    assert codes(result) == [(expected, 1, ())] and result.diagnoses == ("B35.1",)


def test_nail_avulsions_carry_digit_modifiers(code: Any) -> None:
    doc = encounter(services=[{"type": "nail_avulsion", "digits": ["left_thumb", "right_finger_5", "left_toe_4"],
                               "diagnoses": ["ingrown_nail"]}])
    assert codes(code(doc)) == [("11730", 1, ("FA",)), ("11732", 1, ("F9",)), ("11732", 1, ("T3",))]


@pytest.mark.parametrize(("illumination", "debridement", "drug", "expected"), [
    ("by_staff", False, "aminolevulinic_acid_20", [("96567", 1, ()), ("J7308", 1, ())]),
    ("by_physician", False, "methyl_aminolevulinate", [("96573", 1, ()), ("J7309", 1, ())]),
    ("by_physician", True, "aminolevulinic_acid_10_gel", [("96574", 1, ()), ("J7345", 1, ())]),
])
def test_photodynamic_therapy_and_its_drug(code: Any, illumination: str, debridement: bool, drug: str,
                                           expected: list[Any]) -> None:
    doc = encounter(lesion("A", "forehead", "actinic_keratosis", count=6),
                    services=[{"type": "photodynamic_therapy", "illumination": illumination,
                               "debridement": debridement, "drug": drug, "drug_units": 1}], payer="medicare")
    result = code(doc)
    assert codes(result) == expected and result.diagnoses == ("L57.0",)


@pytest.mark.parametrize(("modality", "area", "expected"), [
    ("uvb", None, "96900"), ("tar_uvb", None, "96910"), ("puva", None, "96912"),
    ("laser_excimer", 249.9, "96920"), ("laser_excimer", 250, "96921"), ("laser_excimer", 500, "96921"),
    ("laser_excimer", 500.1, "96922"),
])
def test_phototherapy(code: Any, modality: str, area: float | None, expected: str) -> None:
    service: dict[str, Any] = {"type": "phototherapy", "modality": modality, "diagnoses": ["psoriasis"]}
    if area is not None:
        service["area_cm2"] = area
    assert codes(code(encounter(services=[service]))) == [(expected, 1, ())]


# Visits -----------------------------------------------------------------------------------------

def _visit(level: int = 3, category: str = "established", **facts: Any) -> dict[str, Any]:
    return {"category": category, "level": level, **facts}


@pytest.mark.parametrize(("category", "level", "expected"), [("new", 2, "99202"), ("new", 5, "99205"),
                                                              ("established", 1, "99211"),
                                                              ("established", 4, "99214")])
def test_visit_alone_has_no_modifier(code: Any, category: str, level: int, expected: str) -> None:
    doc = encounter(visit=_visit(level, category, diagnoses=["acne"]))
    assert codes(code(doc)) == [(expected, 1, ())]


def test_visit_with_a_procedure_takes_25_only_when_separately_identifiable(code: Any) -> None:
    ak = _destroyed("A", "actinic_keratosis", 2)
    separate = code(encounter(ak, visit=_visit(separately_identifiable=True, diagnoses=["rosacea"])))
    assert ("99213", 1, ("25",)) in codes(separate)
    included = code(encounter(ak, visit=_visit(separately_identifiable=False)))
    assert "99213" not in {c for c, _, _ in codes(included)}
    assert "the visit (99213) is not billed" in included.lines[0].explanation


def test_visit_deciding_a_90_day_procedure_takes_57(code: Any) -> None:
    doc = encounter(_excised("A", "cheek", {"type": "adjacent_tissue_transfer", "defect_area_cm2": 8.0},
                             laterality="left"), visit=_visit(4))
    assert ("99214", 1, ("57",)) in codes(code(doc))


def test_new_patient_level_1_does_not_exist(code: Any) -> None:
    with pytest.raises(InvalidInput, match="visit.level: 1 must be at least 2"):
        code(encounter(visit=_visit(1, "new")))


def test_screening_visit_is_not_covered_by_medicare(code: Any) -> None:
    result = code(encounter(visit=_visit(reason="screening"), payer="medicare"))
    assert result.lines == () and result.warnings[0].code == "not_covered" and "Z12.83" in result.diagnoses
    assert codes(code(encounter(visit=_visit(reason="screening")))) == [("99213", 1, ())]


def test_surveillance_visit_codes_follow_up_and_history(code: Any) -> None:
    doc = encounter(visit=_visit(reason="surveillance"),
                    history=[{"diagnosis": "bcc", "site": "nose", "treatment_completed": True},
                             {"diagnosis": "melanoma", "treatment_completed": True}])
    result = code(doc)
    assert result.lines[0].diagnoses == ("Z08", "Z85.828", "Z85.820")


# Global periods ---------------------------------------------------------------------------------

def _prior(days_before: int, code_: str = "11602", related: bool = False, **facts: Any) -> list[dict[str, Any]]:
    import datetime

    day = datetime.date(2026, 5, 4) - datetime.timedelta(days=days_before)
    return [{"date_of_service": day.isoformat(), "code": code_, "related": related, **facts}]


def test_unrelated_visit_and_procedure_inside_a_global_take_24_and_79(code: Any) -> None:
    doc = encounter(_destroyed("A", "actinic_keratosis", 1), visit=_visit(separately_identifiable=True,
                                                                           diagnoses=["rosacea"]),
                    prior_procedures=_prior(5))
    assert codes(code(doc)) == [("17000", 1, ("79",)), ("99213", 1, ("24", "25"))]


def test_related_procedure_inside_a_global_takes_58(code: Any) -> None:
    doc = encounter(_excised("A", "back_upper"), prior_procedures=_prior(7, related=True, site="back_upper"))
    assert codes(code(doc)) == [("11602", 1, ("58",))]


def test_no_modifier_once_the_global_period_is_over(code: Any) -> None:
    doc = encounter(_excised("A", "back_upper"), prior_procedures=_prior(11))
    assert codes(code(doc)) == [("11602", 1, ())]


def test_related_visit_inside_the_global_is_post_operative_care(code: Any) -> None:
    doc = encounter(visit=_visit(2, diagnoses=["L57.0"]), prior_procedures=_prior(3, related=True))
    assert code(doc).lines == ()


# Coverage ---------------------------------------------------------------------------------------

def test_medicare_benign_removal_needs_a_documented_indication(code: Any) -> None:
    plain = lesion("A", "back_upper", "seborrheic_keratosis", {"type": "shave_removal"}, diameter_cm=0.6)
    result = code(encounter(plain, payer="medicare"))
    assert result.lines == () and result.warnings[0].code == "not_covered" and result.diagnoses == ("L82.1",)
    assert codes(code(encounter(plain, payer="commercial"))) == [("11301", 1, ())]
    plain["symptoms"] = ["itching"]
    assert codes(code(encounter(plain, payer="medicare"))) == [("11301", 1, ())]


# Diagnoses --------------------------------------------------------------------------------------

def test_explicit_icd10_codes_are_used_and_checked(code: Any) -> None:
    doc = encounter(lesion("A", "lower_leg", "L52", {"type": "biopsy", "technique": "punch"}, laterality="left"))
    assert code(doc).diagnoses == ("L52",)
    doc["lesions"][0]["diagnosis"] = "L29.8"
    with pytest.raises(InvalidInput, match=r"lesions\[0\].diagnosis: 'L29.8' is not a billable .*subcodes"):
        code(doc)


def test_site_specific_key_without_a_site_is_an_error(code: Any) -> None:
    with pytest.raises(InvalidInput, match=r"visit.diagnoses\[0\]: 'bcc' depends on the site"):
        code(encounter(visit=_visit(diagnoses=["bcc"])))


def test_date_of_service_outside_the_icd10_release_warns_naming_it(code: Any) -> None:
    result = code(encounter(_excised("A", "back_upper"), dos="2026-10-05"))
    assert [w.code for w in result.warnings] == ["code_set_out_of_date"]
    assert "FY2026" in result.warnings[0].message


def test_biopsy_then_destruction_reports_the_destruction_only_when_malignant(code: Any) -> None:
    def shave_then_edc(pathology: str) -> dict[str, Any]:
        return encounter(lesion("A", "back_upper", "neoplasm_unspecified_behavior",
                                {"type": "biopsy", "technique": "tangential"},
                                {"type": "destruction", "method": "curettage"}, diameter_cm=0.8,
                                pathology=pathology))

    assert codes(code(shave_then_edc("bcc"))) == [("17261", 1, ())]
    benign = code(shave_then_edc("seborrheic_keratosis"))
    assert codes(benign) == [("11102", 1, ())]
    assert "only the biopsy" in benign.lines[0].explanation


def test_several_samples_of_one_lesion_are_one_biopsy_and_one_excision_on_the_widest(code: Any) -> None:
    doc = encounter(lesion("A", "back_upper", "neoplasm_unspecified_behavior",
                           {"type": "biopsy", "technique": "tangential"}, {"type": "biopsy", "technique": "punch"},
                           pathology="dermatofibroma"))
    assert codes(code(doc)) == [("11104", 1, ())]
    doc = encounter(lesion("A", "back_upper", "bcc", excision(0.2), excision(0.4), diameter_cm=1.0,
                           pathology="bcc"))
    assert codes(code(doc)) == [("11602", 1, ())]  # 1.0 + 2 x 0.4 = 1.8, one code
