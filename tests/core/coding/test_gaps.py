"""Each documentation gap the engine names becomes a sentence a provider understands, naming the lesion and where it
is, what is missing and what that stops the coder from choosing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from encounters import encounter, lesion

from dermbill.core.coding.gaps import SENTENCES, gap_sentence, gaps_of
from dermbill.core.coding.result import CodingResult, Notice

Code = Callable[[dict[str, Any]], CodingResult]

# gap kind -> (an encounter missing that fact, the words its sentence must hold)
CASES: dict[str, tuple[dict[str, Any], str]] = {
    "biopsy_technique": (encounter(lesion("A", "back_upper", "neoplasm_unspecified_behavior", {"type": "biopsy"})),
                         "Lesion A (upper back): the biopsy technique"),
    "shave_diameter": (encounter(lesion("A", "forearm", "seborrheic_keratosis", {"type": "shave_removal"},
                                        laterality="left", symptoms=["bleeding"])),
                       "Lesion A (left forearm): no lesion size documented"),
    "excision_diameter": (encounter(lesion("B", "back_upper", "bcc", {"type": "excision", "margin_cm": 0.3})),
                          "Lesion B (upper back): no lesion size documented, so the excised diameter"),
    "excision_margin": (encounter(lesion("B", "back_upper", "bcc", {"type": "excision"}, diameter_cm=1.0)),
                        "Lesion B (upper back): no margin documented, so the excised diameter and the code cannot "
                        "be chosen."),
    "flap_area": (encounter(lesion("A", "nose", "bcc", {"type": "adjacent_tissue_transfer"}, diameter_cm=1.0)),
                  "the flap's defect area"),
    "repair_complexity": (encounter(lesion("A", "back_upper", "bcc", {"type": "excision", "margin_cm": 0.3},
                                           {"type": "repair", "length_cm": 3.0}, diameter_cm=1.0)),
                          "the repair's complexity"),
    "repair_length": (encounter(lesion("A", "back_upper", "bcc", {"type": "excision", "margin_cm": 0.3},
                                       {"type": "repair", "complexity": "intermediate"}, diameter_cm=1.0)),
                      "the length of the repaired wound"),
    "vascular_area": (encounter(lesion("A", "cheek", "Q82.5", {"type": "destruction", "method": "laser"},
                                       laterality="right")),
                      "the area treated (sq cm)"),
    "destruction_diameter": (encounter(lesion("A", "back_upper", "bcc",
                                              {"type": "destruction", "method": "curettage"})),
                             "no lesion size documented, so the destruction code"),
    "mohs_stages": (encounter(lesion("A", "nose", "bcc", {"type": "mohs"}, diameter_cm=1.0)),
                    "the Mohs stages and the tissue blocks"),
    "injection_dose": (encounter(lesion("A", "back_upper", "keloid", {"type": "intralesional_injection"})),
                       "the drug injected and its total dose"),
    "nail_count": (encounter(services=[{"type": "nail_debridement", "diagnoses": ["onychomycosis"]}]),
                   "Nail debridement: the number of nails debrided"),
    "avulsion_digits": (encounter(services=[{"type": "nail_avulsion", "diagnoses": ["ingrown_nail"]}]),
                        "Nail avulsion: which nails were removed"),
    "pdt_illumination": (encounter(services=[{"type": "photodynamic_therapy",
                                              "diagnoses": ["actinic_keratosis"]}]),
                         "Photodynamic therapy: who applied the drug and the light"),
    "pdt_drug": (encounter(services=[{"type": "photodynamic_therapy", "illumination": "by_staff",
                                      "diagnoses": ["actinic_keratosis"]}]),
                 "Photodynamic therapy: the photosensitizing drug"),
    "phototherapy_modality": (encounter(services=[{"type": "phototherapy", "diagnoses": ["psoriasis"]}]),
                              "Phototherapy: the kind of light treatment"),
    "excimer_area": (encounter(services=[{"type": "phototherapy", "modality": "laser_excimer",
                                          "diagnoses": ["psoriasis"]}]),
                     "Phototherapy: the total skin area treated with the excimer laser"),
}


def _places(doc: dict[str, Any]) -> dict[str, str]:
    from dermbill.core.coding.body_map import site_words
    return {item["id"]: site_words(item["site"], item.get("laterality")) for item in doc["lesions"]}


def _services(doc: dict[str, Any]) -> dict[str, str]:
    return {f"services[{i}]": item["type"] for i, item in enumerate(doc["services"])}


def test_every_gap_kind_has_a_sentence_and_a_case() -> None:
    assert set(CASES) == set(SENTENCES)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_the_engine_names_the_gap_and_it_is_said_in_a_providers_words(code: Code, kind: str) -> None:
    doc, words = CASES[kind]
    result = code(doc)

    gaps = [g for g in gaps_of(result, _places(doc), _services(doc)) if g.askable]
    assert [g.kind for g in gaps] == [kind]
    assert words in gaps[0].sentence
    assert "lesions[" not in gaps[0].sentence and "services[" not in gaps[0].sentence
    assert gaps[0].sentence.endswith(".")


def test_a_fully_documented_lesion_has_no_gap(code: Code) -> None:
    doc = encounter(lesion("B", "back_upper", "bcc", {"type": "excision", "margin_cm": 0.3}, diameter_cm=1.0))
    assert gaps_of(code(doc), _places(doc), {}) == []


def test_a_pending_pathology_is_a_hold_in_words_and_not_a_query(code: Code) -> None:
    doc = encounter(lesion("C", "nose", "neoplasm_unspecified_behavior", {"type": "excision", "margin_cm": 0.2},
                           diameter_cm=0.8, pathology="pending"))
    [gap] = gaps_of(code(doc), _places(doc), {})
    assert gap.kind == "pathology_pending" and not gap.askable
    assert gap.sentence.startswith("Lesion C (nose): the pathology report is not final")


def test_another_warning_keeps_the_engines_words_without_the_field_path() -> None:
    notice = Notice("not_covered", "lesions[0]: removal of a benign lesion is not covered without a symptom", "A")
    assert gap_sentence(notice, "left forearm") == ("Lesion A (left forearm): removal of a benign lesion is not "
                                                    "covered without a symptom.")
