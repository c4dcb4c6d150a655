"""Diagnosis words and abbreviations -> diagnosis keys; symptoms that make removal necessary."""

from __future__ import annotations

import pytest

from dermbill.notes.vocabulary import find_diagnoses, find_symptoms


@pytest.mark.parametrize(("text", "key"), [
    ("BCC", "bcc"), ("nodular basal cell carcinoma", "bcc"), ("SCC", "scc"), ("SCCIS", "scc_in_situ"),
    ("squamous cell carcinoma in situ", "scc_in_situ"), ("Bowen's disease", "scc_in_situ"),
    ("MIS", "melanoma_in_situ"), ("MM", "melanoma"), ("malignant melanoma", "melanoma"),
    ("AKs", "actinic_keratosis"), ("actinic keratoses", "actinic_keratosis"), ("ISK", "seborrheic_keratosis"),
    ("SK", "seborrheic_keratosis"), ("dysplastic nevus", "dysplastic_nevus"), ("compound nevus", "melanocytic_nevus"),
    ("epidermal inclusion cyst", "epidermoid_cyst"), ("skin tags", "acrochordon"), ("verruca vulgaris", "wart"),
    ("plantar wart", "plantar_wart"), ("keloid", "keloid"), ("psoriasis", "psoriasis"),
])
def test_diagnosis_words(text: str, key: str) -> None:
    found = find_diagnoses(text)
    assert found and found[0].key == key


def test_lower_case_abbreviations_that_are_ordinary_words_are_not_diagnoses() -> None:
    assert find_diagnoses("4 mm margins, sk in the text, mis-typed") == []


def test_hedged_and_proven() -> None:
    [hedged] = find_diagnoses("r/o BCC")
    [proven] = find_diagnoses("biopsy-proven BCC")
    assert hedged.hedged and not hedged.proven
    assert proven.proven and not proven.hedged


def test_inflamed_sk() -> None:
    [isk] = find_diagnoses("ISK")
    assert isk.inflamed


def test_symptoms_and_negated_symptoms() -> None:
    assert [s for s, _, _ in find_symptoms("bleeding and itching lesion")] == ["bleeding", "itching"]
    assert find_symptoms("No itching, bleeding or change.") == []
