"""The synthetic encounter generator: schema-valid, right laterality, deterministic, a plausible mix."""

from __future__ import annotations

import collections
import datetime
import functools
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dermbill.core.errors import InvalidInput
from dermbill.synthetic.encounters import (
    ENCOUNTER_KINDS,
    PAIRED_SITES,
    SITES_BY_REGION,
    choose_encounter_kind,
    document_encounter,
)

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "dermbill" / "schemas" / "encounter.schema.json"  # shipped
PAYERS = ("medicare", "medicaid", "commercial", "self_pay")
SEXES = ("F", "M", "U")
# Written out from encounter.md ("Site keys"), not imported, so a misclassified site in the module fails here.
EXPECTED_PAIRED_SITES = frozenset({
    "eyelid_upper", "eyelid_lower", "eyebrow", "ear", "cheek", "temple",
    "breast", "axilla", "buttock", "groin",
    "shoulder", "upper_arm", "elbow", "forearm", "wrist", "hand_dorsum", "palm", "finger",
    "hip", "thigh", "knee", "lower_leg", "ankle", "foot_dorsum", "sole", "toe",
})
EXPECTED_UNPAIRED_SITES = frozenset({
    "scalp", "forehead", "nose", "lip_vermilion", "lip_upper_cutaneous", "lip_lower_cutaneous", "chin", "jaw",
    "oral_mucosa", "neck", "chest", "abdomen", "back_upper", "back_lower", "flank", "perianal", "genitalia",
})
LESION_PROCEDURE_TYPES = (
    "biopsy", "shave_removal", "excision", "destruction", "mohs", "repair", "adjacent_tissue_transfer",
    "intralesional_injection", "incision_drainage", "skin_tag_removal", "paring",
)
SERVICE_TYPES = ("photodynamic_therapy", "phototherapy", "nail_debridement", "nail_avulsion")
MALIGNANT = frozenset({"bcc", "scc", "scc_in_situ", "melanoma", "melanoma_in_situ", "merkel_cell"})
HEAD_NECK_HANDS = frozenset(SITES_BY_REGION["head_neck"]) | {"hand_dorsum", "palm", "finger"}

seeds = st.integers(min_value=0, max_value=2**64 - 1)
kinds = st.sampled_from((*ENCOUNTER_KINDS, None))
ages = st.integers(min_value=0, max_value=100)
dates = st.dates(min_value=datetime.date(2024, 1, 1), max_value=datetime.date(2027, 12, 31))


@functools.cache
def _validator() -> Any:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def _assert_valid(document: dict[str, object]) -> None:
    if not SCHEMA_PATH.is_file():
        pytest.skip(f"encounter schema not found at {SCHEMA_PATH} (../shared/derm-coding next to the repo)")
    errors = sorted(_validator().iter_errors(document), key=str)
    assert not errors, f"{errors[0].message} at {list(errors[0].absolute_path)} in {json.dumps(document)}"


def _generate(seed: int, *, age: int = 70, kind: str | None = None, payer: str = "medicare",
              sex: str = "F", date_of_service: datetime.date = datetime.date(2026, 3, 2)) -> dict[str, Any]:
    return document_encounter(random.Random(seed), date_of_service=date_of_service, age=age, sex=sex,
                              payer=payer, kind=kind)


def _placed(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Everything in a document that names a site: lesions, history entries, prior procedures."""
    yield from document["lesions"]
    yield from document.get("history", [])
    yield from (prior for prior in document.get("prior_procedures", []) if "site" in prior)


def _procedure_types(document: dict[str, Any]) -> set[str]:
    types = {procedure["type"] for lesion in document["lesions"] for procedure in lesion["procedures"]}
    return types | {service["type"] for service in document["services"]}


def _centimetres(value: object) -> Iterator[float]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith(("_cm", "_cm2")):
                assert isinstance(item, float), f"{key}={item!r} is not a float"
                yield item
            else:
                yield from _centimetres(item)
    elif isinstance(value, list):
        for item in value:
            yield from _centimetres(item)


def _population(count: int, seed: int = 2026) -> Iterator[tuple[int, int, str]]:
    """(seed, age, payer) for a practice's patients: more older patients, Medicare from 65."""
    rng = random.Random(seed)
    for index in range(count):
        age = rng.choice((rng.randint(1, 17), rng.randint(18, 49), rng.randint(50, 69), rng.randint(70, 95),
                          rng.randint(50, 95)))
        payer = "medicare" if age >= 65 and rng.random() < 0.9 else rng.choice(
            ("commercial", "commercial", "commercial", "medicaid", "self_pay"))
        yield seed * 100_000 + index, age, payer


@settings(max_examples=300, deadline=None)
@given(seed=seeds, kind=kinds, payer=st.sampled_from(PAYERS),
       sex=st.sampled_from(SEXES), age=st.integers(min_value=0, max_value=120), date_of_service=dates)
def test_every_document_validates_against_the_encounter_schema(
    seed: int, kind: str | None, payer: str, sex: str, age: int, date_of_service: datetime.date
) -> None:
    document = _generate(seed, age=age, kind=kind, payer=payer, sex=sex, date_of_service=date_of_service)
    _assert_valid(document)
    assert document["date_of_service"] == date_of_service.isoformat()
    assert document["patient"] == {"age": age, "sex": sex}
    ids = [lesion["id"] for lesion in document["lesions"]]
    assert ids == ["ABCDEFGHIJKLMNOPQRSTUVWXYZ"[index] for index in range(len(ids))]


@pytest.mark.parametrize("payer", PAYERS)
@pytest.mark.parametrize("kind", ENCOUNTER_KINDS)
def test_every_kind_for_every_payer_validates(kind: str, payer: str) -> None:
    for seed in range(12):
        for age in (6, 34, 61, 83):
            _assert_valid(_generate(seed, age=age, kind=kind, payer=payer))


def test_paired_site_table_matches_encounter_md() -> None:
    all_sites = {site for sites in SITES_BY_REGION.values() for site in sites}
    assert set(PAIRED_SITES) == EXPECTED_PAIRED_SITES
    assert all_sites == EXPECTED_PAIRED_SITES | EXPECTED_UNPAIRED_SITES
    if SCHEMA_PATH.is_file():
        schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
        assert set(schema["$defs"]["site"]["enum"]) == all_sites
        paired_rule = schema["$defs"]["lesion"]["allOf"][0]["if"]["properties"]["site"]["enum"]
        assert set(paired_rule) == EXPECTED_PAIRED_SITES


@settings(max_examples=300, deadline=None)
@given(seed=seeds, kind=kinds, age=ages)
def test_paired_sites_carry_laterality_and_unpaired_sites_never_do(
    seed: int, kind: str | None, age: int
) -> None:
    for placed in _placed(_generate(seed, age=age, kind=kind)):
        if placed["site"] in EXPECTED_PAIRED_SITES:
            assert placed.get("laterality") in ("left", "right"), placed
        else:
            assert placed["site"] in EXPECTED_UNPAIRED_SITES
            assert "laterality" not in placed, placed


@settings(max_examples=300, deadline=None)
@given(seed=seeds, kind=kinds, age=ages, payer=st.sampled_from(PAYERS))
def test_same_seed_gives_identical_document(seed: int, kind: str | None, age: int, payer: str) -> None:
    first = _generate(seed, age=age, kind=kind, payer=payer)
    assert first == _generate(seed, age=age, kind=kind, payer=payer)
    assert json.dumps(first) == json.dumps(_generate(seed, age=age, kind=kind, payer=payer))


def test_different_seeds_give_different_documents() -> None:
    documents = {json.dumps(_generate(seed, kind="biopsy")) for seed in range(50)}
    assert len(documents) > 45


def test_generator_uses_only_the_rng_it_is_given() -> None:
    random.seed(12345)
    before = random.getstate()
    for seed in range(100):
        _generate(seed)
    assert random.getstate() == before


@settings(max_examples=300, deadline=None)
@given(seed=seeds, kind=kinds, age=ages)
def test_documents_round_trip_through_json(seed: int, kind: str | None, age: int) -> None:
    document = _generate(seed, age=age, kind=kind)
    assert json.loads(json.dumps(document, allow_nan=False)) == document
    for value in _centimetres(document):
        assert value > 0 and value == round(value, 1)


@pytest.mark.parametrize("age", [4, 30, 66, 88])
def test_kind_none_draws_the_kind_with_choose_encounter_kind(age: int) -> None:
    for seed in range(40):
        kind = choose_encounter_kind(random.Random(seed), age=age)
        rng = random.Random(seed)
        assert choose_encounter_kind(rng, age=age) == kind
        forced = document_encounter(rng, date_of_service=datetime.date(2026, 3, 2), age=age, sex="F",
                                    payer="commercial", kind=kind)
        assert _generate(seed, age=age, payer="commercial") == forced


def test_mix_over_2000_encounters_covers_every_kind_and_procedure_type_plausibly() -> None:
    kinds: collections.Counter[str] = collections.Counter()
    lines: collections.Counter[str] = collections.Counter()  # documents with at least one such line
    for seed, age, payer in _population(2000):
        kinds[choose_encounter_kind(random.Random(seed), age=age)] += 1
        document = _generate(seed, age=age, payer=payer)
        lines.update(_procedure_types(document) | ({"visit"} if document["visit"] else set()))
    assert set(kinds) == set(ENCOUNTER_KINDS)
    assert set(lines) == {"visit", *LESION_PROCEDURE_TYPES, *SERVICE_TYPES}
    assert lines.most_common(1)[0][0] == "visit"
    assert kinds.most_common(1)[0][0] == "visit_only"
    assert kinds["mohs"] < kinds["biopsy"] / 3
    assert lines["mohs"] < lines["biopsy"] / 3
    assert lines["adjacent_tissue_transfer"] < lines["repair"]
    assert kinds["pdt"] < kinds["destruction_ak"]


def test_older_patients_get_more_actinic_keratoses_and_skin_cancers() -> None:
    def burden(age: int) -> tuple[int, int]:
        keratoses = cancers = 0
        for seed in range(600):
            for lesion in _generate(seed, age=age, payer="commercial")["lesions"]:
                if lesion["diagnosis"] == "actinic_keratosis":
                    keratoses += lesion.get("count", 1)
                if lesion.get("pathology", lesion["diagnosis"]) in MALIGNANT:
                    cancers += 1
        return keratoses, cancers

    young_keratoses, young_cancers = burden(32)
    old_keratoses, old_cancers = burden(78)
    assert old_keratoses > 5 * max(young_keratoses, 1)
    assert old_cancers > 3 * max(young_cancers, 1)


def test_mohs_is_mostly_on_head_neck_and_hands_and_stages_are_realistic() -> None:
    sites = []
    for seed in range(300):
        for lesion in _generate(seed, kind="mohs")["lesions"]:
            sites.append(lesion["site"])
            assert lesion["diagnosis"] in MALIGNANT
            stages = lesion["procedures"][0]["stages"]
            assert 1 <= len(stages) <= 3
            assert all(1 <= stage["blocks"] <= 5 for stage in stages)
    assert sum(site in HEAD_NECK_HANDS for site in sites) > 0.8 * len(sites)


def test_excision_margins_and_repairs_fit_the_lesion() -> None:
    for seed in range(400):
        for lesion in _generate(seed, kind="excision")["lesions"]:
            excision, *closure = lesion["procedures"] or [{"type": "none"}]
            if excision["type"] != "excision":
                continue  # a biopsy or actinic keratoses treated at the same visit
            if "margin_cm" in excision:
                margin = excision["margin_cm"]
            else:
                margin = (excision["excised_diameter_cm"] - lesion["diameter_cm"]) / 2
            diagnosis = lesion["diagnosis"]
            if diagnosis == "melanoma_in_situ":
                assert margin == pytest.approx(0.5, abs=0.11)
            elif diagnosis in MALIGNANT - {"melanoma"}:
                assert 0.3 - 0.01 <= margin <= 0.5 + 0.11
            elif diagnosis not in MALIGNANT:
                assert 0.1 - 0.01 <= margin <= 0.2 + 0.11
            excised = lesion["diameter_cm"] + 2 * margin
            for procedure in closure:
                if procedure["type"] == "repair":
                    assert 2.5 * excised <= procedure["length_cm"] <= 3.5 * excised
                else:
                    assert procedure["type"] == "adjacent_tissue_transfer"
                    assert diagnosis in MALIGNANT and lesion["site"] in HEAD_NECK_HANDS


def test_sites_fit_the_diagnosis() -> None:
    sun_exposed = HEAD_NECK_HANDS | {"forearm", "upper_arm", "shoulder", "chest", "lower_leg"}
    for seed in range(300):
        for kind in ("destruction_ak", "destruction_benign", "pdt"):
            for lesion in _generate(seed, age=seed % 90 + 5, kind=kind)["lesions"]:
                if lesion["diagnosis"] == "actinic_keratosis":
                    assert lesion["site"] in sun_exposed
                if lesion["diagnosis"] == "plantar_wart":
                    assert lesion["site"] in {"sole", "toe"}
                if lesion["diagnosis"] == "anogenital_wart":
                    assert lesion["site"] in {"genitalia", "perianal", "groin"}


def test_seborrheic_keratosis_removals_are_sometimes_asymptomatic_and_sometimes_inflamed() -> None:
    symptoms = []
    for seed in range(400):
        for kind in ("destruction_benign", "shave_removal"):
            for lesion in _generate(seed, age=74, kind=kind)["lesions"]:
                if lesion["diagnosis"] == "seborrheic_keratosis":
                    symptoms.append(set(lesion.get("symptoms", [])))
    assert any(not documented for documented in symptoms)
    assert any(documented & {"irritated", "inflamed"} for documented in symptoms)


def test_pdt_documents_drug_and_units_and_treats_lesions_without_destruction() -> None:
    for seed in range(100):
        document = _generate(seed, kind="pdt")
        (service,) = document["services"]
        assert service["drug_units"] >= 1
        assert not (service["debridement"] and service["illumination"] == "by_staff")
        assert all(lesion["diagnosis"] == "actinic_keratosis" and not lesion["procedures"]
                   for lesion in document["lesions"])


@pytest.mark.parametrize(
    ("field", "value"),
    [("kind", "laser_hair_removal"), ("payer", "medicare_advantage"), ("sex", "X"), ("age", 130)],
)
def test_unknown_inputs_are_rejected_with_invalid_input(field: str, value: object) -> None:
    arguments: dict[str, Any] = {"date_of_service": datetime.date(2026, 3, 2), "age": 50, "sex": "F",
                                 "payer": "commercial", "kind": None}
    arguments[field] = value
    with pytest.raises(InvalidInput, match=str(value)):
        document_encounter(random.Random(0), **arguments)
