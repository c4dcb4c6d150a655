"""Deterministic generator of realistic dermatology encounter documentation for a demo practice.

Documents follow the encounter format, version 1 (``docs/encounter-format.md``): plain,
JSON-ready dicts that carry clinical facts and never a CPT code for today's services. The mix is
weighted the way a general dermatology practice sees it: E/M visits first, then biopsies, actinic
keratosis destruction, excisions, benign destructions and surveillance, with Mohs, PDT, nail work and
phototherapy rarer. Older patients get more actinic keratoses and skin cancers. Every random draw
comes from the ``rng`` passed in, so one seed always gives the same document.

Example: ``document_encounter(random.Random(3), date_of_service=date(2026, 3, 2), age=74, sex="F",
payer="medicare", kind="mohs")`` gives ``"visit": null``, ``"services": []`` and one lesion,
``{"id": "A", "site": "forehead", "diagnosis": "bcc", "diameter_cm": 1.2, "procedures": [{"type": "mohs",
"stages": [{"blocks": 1}, {"blocks": 1}]}, {"type": "repair", "complexity": "intermediate",
"length_cm": 6.0}]}``.
"""

from __future__ import annotations

import datetime
import math
import random
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from dermbill.core.errors import InvalidInput

Json = dict[str, object]
Weighted = tuple[tuple[str, float], ...]
# Weights per age band: child (<18), adult (18-49), older (50-69), elderly (70+).
BandWeights = tuple[float, float, float, float]
T = TypeVar("T")

PAYERS: tuple[str, ...] = ("medicare", "medicaid", "commercial", "self_pay")
SEXES: tuple[str, ...] = ("F", "M", "U")
AGE_BAND_LIMITS: tuple[int, ...] = (18, 50, 70)
LATERALITIES: tuple[str, ...] = ("left", "right")

SITES_BY_REGION: Mapping[str, tuple[str, ...]] = {
    "head_neck": ("scalp", "forehead", "temple", "eyebrow", "eyelid_upper", "eyelid_lower", "nose", "cheek",
                  "ear", "lip_vermilion", "lip_upper_cutaneous", "lip_lower_cutaneous", "chin", "jaw",
                  "oral_mucosa", "neck"),
    "trunk": ("chest", "breast", "abdomen", "back_upper", "back_lower", "flank", "axilla", "buttock", "groin",
              "perianal", "genitalia"),
    "upper_limb": ("shoulder", "upper_arm", "elbow", "forearm", "wrist", "hand_dorsum", "palm", "finger"),
    "lower_limb": ("hip", "thigh", "knee", "lower_leg", "ankle", "foot_dorsum", "sole", "toe"),
}
# encounter.md: the eyelids, eyebrow, ear, cheek, temple, breast, axilla, buttock, groin, every limb site.
PAIRED_SITES: frozenset[str] = frozenset(
    ("eyelid_upper", "eyelid_lower", "eyebrow", "ear", "cheek", "temple",
     "breast", "axilla", "buttock", "groin")
    + SITES_BY_REGION["upper_limb"] + SITES_BY_REGION["lower_limb"]
)
DIGITS: tuple[str, ...] = tuple(
    f"{side}_{digit}" for side in LATERALITIES
    for digit in ("thumb", "finger_2", "finger_3", "finger_4", "finger_5",
                  "great_toe", "toe_2", "toe_3", "toe_4", "toe_5")
)
# Flaps are documented only on face-group sites the flap code groups name (temple and jaw are left out).
FLAP_SITES: frozenset[str] = frozenset(
    ("nose", "cheek", "forehead", "chin", "eyelid_lower", "ear", "lip_upper_cutaneous", "lip_lower_cutaneous")
)
FACE_GROUP_SITES: frozenset[str] = frozenset(SITES_BY_REGION["head_neck"]) - {"scalp", "neck"}
SCALP_NECK_HANDS_FEET_SITES: frozenset[str] = frozenset(
    ("scalp", "neck", "hand_dorsum", "palm", "finger", "foot_dorsum", "sole", "toe", "genitalia")
)
MALIGNANT_PATHOLOGY: frozenset[str] = frozenset(
    ("bcc", "scc", "scc_in_situ", "melanoma", "melanoma_in_situ", "merkel_cell")
)

# Site pools: where each kind of lesion is found, weighted by how often.
KERATINOCYTE_SITES: Weighted = (
    ("nose", 10), ("cheek", 9), ("forehead", 8), ("scalp", 7), ("ear", 6), ("temple", 4), ("neck", 5),
    ("lip_upper_cutaneous", 2), ("chin", 2), ("jaw", 2), ("eyelid_lower", 1), ("back_upper", 6), ("chest", 5),
    ("shoulder", 5), ("forearm", 6), ("hand_dorsum", 5), ("upper_arm", 3), ("lower_leg", 5),
    ("back_lower", 2), ("thigh", 1),
)
MELANOCYTIC_SITES: Weighted = (
    ("back_upper", 12), ("back_lower", 6), ("chest", 6), ("abdomen", 5), ("shoulder", 6), ("upper_arm", 5),
    ("forearm", 3), ("thigh", 5), ("lower_leg", 5), ("neck", 3), ("cheek", 3), ("scalp", 2), ("flank", 3),
    ("buttock", 1), ("breast", 1), ("foot_dorsum", 1),
)
SEBORRHEIC_SITES: Weighted = (
    ("back_upper", 12), ("back_lower", 6), ("chest", 8), ("abdomen", 5), ("flank", 4), ("neck", 4),
    ("temple", 3), ("forehead", 3), ("cheek", 2), ("scalp", 2), ("shoulder", 4), ("upper_arm", 2),
    ("thigh", 2), ("breast", 2),
)
AK_SITES: Weighted = (
    ("scalp", 10), ("forehead", 10), ("cheek", 8), ("nose", 6), ("temple", 6), ("ear", 6), ("forearm", 8),
    ("hand_dorsum", 8), ("lip_lower_cutaneous", 1), ("neck", 2), ("chest", 2), ("shoulder", 2),
    ("upper_arm", 1), ("lower_leg", 2),
)
FIELD_AK_SITES: Weighted = (("forehead", 10), ("scalp", 8), ("cheek", 6), ("nose", 3), ("temple", 4))
MOHS_SITES: Weighted = (
    ("nose", 12), ("cheek", 8), ("forehead", 6), ("ear", 6), ("scalp", 5), ("temple", 4), ("eyelid_lower", 2),
    ("lip_upper_cutaneous", 3), ("chin", 2), ("neck", 4), ("hand_dorsum", 3), ("lower_leg", 2),
    ("forearm", 1), ("chest", 1), ("back_upper", 1),
)
WART_SITES: Weighted = (
    ("finger", 10), ("hand_dorsum", 8), ("knee", 4), ("elbow", 3), ("palm", 2), ("foot_dorsum", 1),
)
ACROCHORDON_SITES: Weighted = (
    ("neck", 10), ("axilla", 10), ("groin", 4), ("eyelid_upper", 2), ("chest", 3), ("breast", 2),
    ("back_upper", 1),
)
CYST_SITES: Weighted = (
    ("back_upper", 10), ("neck", 5), ("chest", 4), ("ear", 3), ("cheek", 3), ("scalp", 3), ("shoulder", 3),
    ("back_lower", 3), ("forehead", 2), ("buttock", 2), ("abdomen", 1),
)
ABSCESS_SITES: Weighted = (
    ("axilla", 8), ("groin", 6), ("buttock", 6), ("thigh", 5), ("back_upper", 3), ("neck", 3), ("abdomen", 2),
    ("upper_arm", 2), ("lower_leg", 2),
)


@dataclass(frozen=True, slots=True)
class LesionProfile:
    """Where a diagnosis is found and its usual clinical diameter range in cm."""

    sites: Weighted
    diameter_cm: tuple[float, float]


LESION_PROFILES: Mapping[str, LesionProfile] = {
    "bcc": LesionProfile(KERATINOCYTE_SITES, (0.3, 1.8)),
    "scc": LesionProfile(KERATINOCYTE_SITES, (0.4, 2.0)),
    "scc_in_situ": LesionProfile(KERATINOCYTE_SITES, (0.4, 2.0)),
    "actinic_keratosis": LesionProfile(AK_SITES, (0.2, 0.8)),
    "melanoma": LesionProfile(MELANOCYTIC_SITES, (0.5, 1.5)),
    "melanoma_in_situ": LesionProfile(MELANOCYTIC_SITES, (0.4, 1.5)),
    "merkel_cell": LesionProfile(
        (("cheek", 3), ("scalp", 2), ("neck", 2), ("forearm", 2), ("nose", 1)), (0.6, 2.0)),
    "neoplasm_uncertain_behavior": LesionProfile(MELANOCYTIC_SITES, (0.3, 1.0)),
    "melanocytic_nevus": LesionProfile(MELANOCYTIC_SITES, (0.3, 1.0)),
    "dysplastic_nevus": LesionProfile(MELANOCYTIC_SITES, (0.4, 1.2)),
    "seborrheic_keratosis": LesionProfile(SEBORRHEIC_SITES, (0.4, 1.8)),
    "dermatofibroma": LesionProfile(
        (("lower_leg", 10), ("thigh", 6), ("upper_arm", 4), ("shoulder", 2), ("forearm", 2)), (0.3, 1.0)),
    "benign_neoplasm": LesionProfile(MELANOCYTIC_SITES, (0.3, 1.2)),
    "pyogenic_granuloma": LesionProfile(
        (("finger", 6), ("lip_lower_cutaneous", 3), ("hand_dorsum", 2), ("cheek", 2), ("scalp", 1),
         ("toe", 1), ("lip_vermilion", 1)), (0.3, 1.0)),
    "epidermoid_cyst": LesionProfile(CYST_SITES, (0.6, 3.0)),
    "pilar_cyst": LesionProfile((("scalp", 1),), (0.8, 2.5)),
    "lipoma": LesionProfile(
        (("back_upper", 8), ("shoulder", 6), ("upper_arm", 5), ("flank", 4), ("neck", 4), ("forearm", 3),
         ("thigh", 3), ("abdomen", 3), ("back_lower", 3)), (1.5, 4.5)),
    "acrochordon": LesionProfile(ACROCHORDON_SITES, (0.1, 0.4)),
    "wart": LesionProfile(WART_SITES, (0.2, 0.8)),
    "plantar_wart": LesionProfile((("sole", 10), ("toe", 3)), (0.3, 1.2)),
    "anogenital_wart": LesionProfile((("genitalia", 5), ("perianal", 4), ("groin", 2)), (0.2, 0.8)),
    "molluscum": LesionProfile(
        (("abdomen", 5), ("flank", 5), ("axilla", 5), ("thigh", 4), ("chest", 3), ("back_lower", 2),
         ("groin", 2), ("upper_arm", 2), ("buttock", 2), ("knee", 1), ("elbow", 1)), (0.1, 0.4)),
    "hemangioma": LesionProfile(
        (("chest", 5), ("abdomen", 4), ("back_upper", 4), ("upper_arm", 2), ("flank", 2)), (0.1, 0.5)),
    "Q82.5": LesionProfile((("cheek", 5), ("forehead", 2), ("neck", 2), ("temple", 1)), (2.0, 8.0)),
    "keloid": LesionProfile(
        (("chest", 8), ("shoulder", 6), ("ear", 5), ("back_upper", 4), ("jaw", 2), ("upper_arm", 2)),
        (0.5, 4.0)),
    "acne": LesionProfile(
        (("cheek", 8), ("jaw", 6), ("chin", 5), ("forehead", 3), ("back_upper", 4), ("chest", 3)),
        (0.5, 1.5)),
    "L63.9": LesionProfile((("scalp", 10), ("eyebrow", 1), ("chin", 1)), (1.0, 4.0)),
    "abscess": LesionProfile(ABSCESS_SITES, (1.0, 5.0)),
    "L73.2": LesionProfile((("axilla", 6), ("groin", 4), ("buttock", 2)), (1.0, 3.0)),
    "corn_callus": LesionProfile((("sole", 10), ("toe", 8)), (0.3, 1.5)),
    "psoriasis": LesionProfile((("elbow", 5), ("knee", 5), ("scalp", 3), ("back_lower", 2)), (1.0, 4.0)),
    "L30.9": LesionProfile((("forearm", 3), ("lower_leg", 3), ("back_upper", 2), ("abdomen", 2)), (1.0, 4.0)),
}

SYMPTOMS: Mapping[str, tuple[tuple[tuple[str, ...], float], ...]] = {
    # Seborrheic keratoses are sometimes removed without symptoms: Medicare will not cover those.
    "seborrheic_keratosis": (((), 3), (("irritated",), 4), (("inflamed",), 2), (("bleeding", "irritated"), 2),
                             (("itching",), 2)),
    "melanocytic_nevus": (((), 1), (("irritated",), 4), (("bleeding",), 2), (("bleeding", "irritated"), 2),
                          (("suspicious_for_malignancy",), 2)),
    "dysplastic_nevus": (((), 3), (("suspicious_for_malignancy",), 2)),
    "benign_neoplasm": (((), 2), (("irritated",), 2), (("rapid_growth",), 1)),
    "pyogenic_granuloma": ((("bleeding",), 5), (("bleeding", "rapid_growth"), 3)),
    "acrochordon": (((), 3), (("irritated",), 4), (("bleeding", "irritated"), 2), (("inflamed",), 1)),
    "wart": (((), 5), (("pain",), 1), (("bleeding",), 1), (("itching",), 1)),
    "plantar_wart": (((), 2), (("pain",), 6)),
    "molluscum": (((), 4), (("itching",), 2), (("inflamed",), 1)),
    "epidermoid_cyst": (((), 3), (("inflamed",), 4), (("inflamed", "pain"), 2), (("infected", "pain"), 1)),
    "pilar_cyst": (((), 2), (("irritated",), 2), (("pain",), 1)),
    "lipoma": (((), 3), (("pain",), 2), (("rapid_growth",), 1)),
    "dermatofibroma": (((), 2), (("irritated",), 2), (("itching",), 1)),
    "abscess": ((("infected", "pain"), 6), (("inflamed", "pain"), 2)),
    "L73.2": ((("inflamed", "pain"), 1),),
    "corn_callus": ((("pain",), 5), ((), 1)),
    "neoplasm_unspecified_behavior": (((), 5), (("suspicious_for_malignancy",), 3), (("bleeding",), 1),
                                      (("rapid_growth",), 1), (("itching",), 1)),
}

KIND_WEIGHTS: Mapping[str, BandWeights] = {
    # kind:                 child adult older elderly
    "visit_only":           (40.0, 34.0, 27.0, 22.0),
    "surveillance":         (0.0, 2.0, 8.0, 11.0),
    "biopsy":               (4.0, 12.0, 16.0, 16.0),
    "shave_removal":        (2.0, 5.0, 5.0, 4.0),
    "excision":             (2.0, 6.0, 8.0, 8.0),
    "destruction_ak":       (0.0, 2.0, 12.0, 16.0),
    "destruction_benign":   (20.0, 8.0, 5.0, 4.0),
    "mohs":                 (0.0, 0.4, 3.0, 4.0),
    "skin_tags":            (0.2, 3.0, 2.0, 1.0),
    "injection":            (4.0, 4.0, 1.0, 0.5),
    "incision_drainage":    (3.0, 3.0, 1.5, 1.0),
    "nail":                 (1.0, 2.0, 2.5, 3.0),
    "paring":               (0.3, 1.0, 1.0, 1.5),
    "pdt":                  (0.0, 0.3, 1.5, 2.0),
    "phototherapy":         (1.0, 3.0, 2.0, 1.0),
}
ENCOUNTER_KINDS: tuple[str, ...] = tuple(KIND_WEIGHTS)

BIOPSY_PATHOLOGY: Mapping[str, BandWeights] = {
    "bcc": (0.0, 6.0, 22.0, 26.0), "scc": (0.0, 2.0, 8.0, 12.0), "scc_in_situ": (0.0, 2.0, 7.0, 9.0),
    "melanoma_in_situ": (0.0, 1.5, 3.0, 3.0), "melanoma": (0.0, 0.5, 1.0, 1.2),
    "merkel_cell": (0.0, 0.0, 0.1, 0.3),
    "actinic_keratosis": (0.0, 1.0, 5.0, 6.0), "neoplasm_uncertain_behavior": (1.0, 0.5, 0.3, 0.2),
    "dysplastic_nevus": (6.0, 14.0, 8.0, 4.0), "melanocytic_nevus": (14.0, 14.0, 6.0, 3.0),
    "seborrheic_keratosis": (0.0, 5.0, 12.0, 12.0), "dermatofibroma": (1.0, 5.0, 3.0, 2.0),
    "benign_neoplasm": (2.0, 3.0, 2.0, 2.0), "pyogenic_granuloma": (2.0, 1.0, 0.5, 0.5),
    "psoriasis": (1.0, 2.0, 1.0, 1.0), "L30.9": (2.0, 2.0, 2.0, 2.0),
}
BIOPSY_TECHNIQUES: Mapping[str, Weighted] = {
    "default": (("tangential", 70), ("punch", 25), ("incisional", 5)),
    "melanocytic": (("tangential", 55), ("punch", 35), ("incisional", 10)),
    "deep": (("punch", 90), ("incisional", 10)),
}
BIOPSY_TECHNIQUE_GROUP: Mapping[str, str] = {
    "melanoma": "melanocytic", "melanoma_in_situ": "melanocytic", "dysplastic_nevus": "melanocytic",
    "dermatofibroma": "deep", "merkel_cell": "deep", "psoriasis": "deep", "L30.9": "deep",
}
# Clinical impression written before the report: a documented "neoplasm of skin", or a rash.
BIOPSY_CLINICAL: Mapping[str, Weighted] = {
    "default": (("neoplasm_unspecified_behavior", 85), ("L98.9", 15)),
    "psoriasis": (("L30.9", 1),),
    "L30.9": (("L30.9", 1),),
}
SHAVE_DIAGNOSES: Mapping[str, BandWeights] = {
    "melanocytic_nevus": (4.0, 6.0, 3.0, 2.0), "seborrheic_keratosis": (0.0, 3.0, 6.0, 7.0),
    "pyogenic_granuloma": (2.0, 1.0, 0.5, 0.5), "benign_neoplasm": (1.0, 1.0, 1.0, 1.0),
}
# A shaved lesion the pathologist reads as something else.
SHAVE_SURPRISES: Mapping[str, str] = {
    "melanocytic_nevus": "dysplastic_nevus", "seborrheic_keratosis": "scc_in_situ", "benign_neoplasm": "bcc",
    "pyogenic_granuloma": "pyogenic_granuloma",
}
EXCISION_PATHOLOGY: Mapping[str, BandWeights] = {
    "bcc": (0.0, 3.0, 10.0, 12.0), "scc": (0.0, 1.0, 5.0, 8.0), "scc_in_situ": (0.0, 1.0, 3.0, 4.0),
    "melanoma_in_situ": (0.0, 1.5, 2.0, 2.0), "melanoma": (0.0, 0.3, 0.6, 0.6),
    "epidermoid_cyst": (2.0, 8.0, 6.0, 4.0), "pilar_cyst": (0.5, 2.0, 2.0, 1.5),
    "lipoma": (0.5, 3.0, 3.0, 2.0),
    "dysplastic_nevus": (3.0, 5.0, 2.0, 1.0), "melanocytic_nevus": (4.0, 3.0, 1.0, 0.5),
    "dermatofibroma": (0.5, 2.0, 1.0, 0.5), "benign_neoplasm": (1.0, 1.0, 1.0, 1.0),
}
SUSPICIOUS_EXCISION_PATHOLOGY: frozenset[str] = frozenset(
    ("melanocytic_nevus", "dysplastic_nevus", "melanoma_in_situ")
)
# Margins follow what was known when the surgeon cut (the biopsy result), not the final report.
MARGINS_CM: Mapping[str, tuple[float, ...]] = {
    "benign": (0.1, 0.1, 0.2), "dysplastic_nevus": (0.2,), "neoplasm_unspecified_behavior": (0.2,),
    "bcc": (0.3, 0.4), "scc": (0.4, 0.5), "scc_in_situ": (0.3, 0.4), "melanoma_in_situ": (0.5,),
    "melanoma": (1.0,),
}
EXCISION_CLOSURES: Mapping[str, Weighted] = {
    "malignant": (("intermediate", 65), ("complex", 18), ("simple", 12), ("none", 5)),
    "benign": (("intermediate", 55), ("simple", 30), ("complex", 8), ("none", 7)),
}
MOHS_CLOSURES: Weighted = (("intermediate", 40), ("complex", 35), ("none", 25))
FLAP_PROBABILITY: Mapping[str, float] = {"excision": 0.25, "mohs": 0.35}
REEXCISION_PRIOR_CODES: Mapping[str, str] = {
    "face": "11642", "scalp_neck_hands_feet": "11622", "other": "11602",
}
MOHS_DIAGNOSES: Weighted = (("bcc", 70), ("scc", 22), ("scc_in_situ", 5), ("melanoma_in_situ", 3))
MOHS_STAGE_COUNTS: tuple[tuple[int, float], ...] = ((1, 50), (2, 35), (3, 15))
MOHS_FIRST_STAGE_BLOCKS: tuple[tuple[int, float], ...] = ((1, 2), (2, 4), (3, 4), (4, 3), (5, 2))
MOHS_LATER_STAGE_BLOCKS: tuple[tuple[int, float], ...] = ((1, 5), (2, 3), (3, 1), (4, 0.5), (5, 0.2))

AK_MAX_COUNT: tuple[int, int, int, int] = (2, 6, 14, 20)
AK_METHODS: Weighted = (("cryotherapy", 92), ("electrosurgery", 3), ("curettage", 3), ("chemical", 2))


@dataclass(frozen=True, slots=True)
class DestructionProfile:
    """A benign lesion destroyed in the office: who gets it, how, how many at one session."""

    band_weights: BandWeights
    methods: Weighted
    count: tuple[int, int]
    area_cm2: tuple[float, float] | None = None  # vascular lesions are sized by treated area


BENIGN_DESTRUCTIONS: Mapping[str, DestructionProfile] = {
    "wart": DestructionProfile((10.0, 6.0, 3.0, 2.0), (("cryotherapy", 90), ("chemical", 6),
                                                       ("electrosurgery", 4)), (1, 12)),
    "plantar_wart": DestructionProfile((6.0, 4.0, 2.0, 1.0), (("cryotherapy", 70), ("chemical", 20),
                                                              ("electrosurgery", 10)), (1, 6)),
    "molluscum": DestructionProfile((10.0, 1.0, 0.1, 0.1), (("curettage", 45), ("chemical", 35),
                                                            ("cryotherapy", 20)), (2, 24)),
    "seborrheic_keratosis": DestructionProfile((0.0, 2.0, 8.0, 10.0), (("cryotherapy", 60), ("curettage", 30),
                                                                       ("electrosurgery", 10)), (1, 10)),
    "anogenital_wart": DestructionProfile((0.0, 2.0, 0.5, 0.2), (("cryotherapy", 50), ("chemical", 30),
                                                                 ("electrosurgery", 20)), (1, 8)),
    "hemangioma": DestructionProfile((0.0, 1.0, 1.5, 1.0), (("laser", 1),), (1, 1), (0.5, 12.0)),
    "Q82.5": DestructionProfile((0.5, 0.3, 0.1, 0.1), (("laser", 1),), (1, 1), (6.0, 80.0)),
}


@dataclass(frozen=True, slots=True)
class InjectionProfile:
    """A condition treated with intralesional triamcinolone: total mg per lesion, lesions per session."""

    band_weights: BandWeights
    mg_per_lesion: tuple[float, float]
    count: tuple[int, int]


INJECTIONS: Mapping[str, InjectionProfile] = {
    "keloid": InjectionProfile((1.0, 4.0, 2.0, 1.0), (5.0, 20.0), (1, 4)),
    "acne": InjectionProfile((6.0, 3.0, 0.3, 0.1), (0.3, 1.0), (1, 6)),
    "L63.9": InjectionProfile((2.0, 3.0, 1.5, 0.5), (2.0, 8.0), (1, 10)),  # alopecia areata patches
}
INCISION_DRAINAGE_DIAGNOSES: Weighted = (("abscess", 70), ("epidermoid_cyst", 25), ("L73.2", 5))

VISIT_DIAGNOSES: Mapping[str, BandWeights] = {
    "psoriasis": (1.0, 6.0, 6.0, 4.0), "atopic_dermatitis": (12.0, 6.0, 3.0, 2.0),
    "acne": (14.0, 8.0, 1.0, 0.2), "rosacea": (0.2, 5.0, 6.0, 3.0), "onychomycosis": (0.5, 2.0, 3.0, 4.0),
    "seborrheic_keratosis": (0.0, 1.0, 4.0, 5.0),
    "actinic_keratosis": (0.0, 0.5, 4.0, 6.0), "L30.9": (4.0, 5.0, 5.0, 5.0), "L63.9": (2.0, 2.0, 1.0, 0.5),
    "L28.0": (0.5, 1.0, 1.0, 1.0), "L73.2": (0.5, 2.0, 1.0, 0.2), "L29.89": (0.5, 1.0, 3.0, 5.0),
    "L92.0": (0.5, 1.0, 1.0, 0.5), "L56.5": (0.0, 0.2, 1.0, 1.5),
}
VISIT_DIAGNOSIS_COUNTS: tuple[tuple[int, float], ...] = ((1, 70), (2, 25), (3, 5))
NEW_VISIT_LEVELS: tuple[tuple[int, float], ...] = ((2, 20), (3, 45), (4, 30), (5, 5))
ESTABLISHED_VISIT_LEVELS: tuple[tuple[int, float], ...] = ((1, 1), (2, 20), (3, 50), (4, 25), (5, 4))
# Chance that a procedure encounter also carries an E/M visit.
VISIT_PROBABILITY: Mapping[str, float] = {
    "biopsy": 0.5, "shave_removal": 0.4, "excision": 0.2, "destruction_ak": 0.45, "destruction_benign": 0.4,
    "mohs": 0.05, "skin_tags": 0.3, "injection": 0.4, "incision_drainage": 0.5, "nail": 0.3, "paring": 0.3,
    "pdt": 0.1, "phototherapy": 0.05,
}
SEPARATELY_IDENTIFIABLE_PROBABILITY = 0.7
HISTORY_DIAGNOSES: Mapping[str, BandWeights] = {
    "bcc": (0.0, 3.0, 8.0, 10.0), "scc": (0.0, 1.0, 4.0, 6.0), "melanoma": (0.1, 2.0, 2.0, 2.0),
    "melanoma_in_situ": (0.0, 1.5, 2.0, 2.0), "scc_in_situ": (0.0, 1.0, 2.0, 2.0),
}
HISTORY_PROBABILITY: BandWeights = (0.0, 0.04, 0.12, 0.2)
EXTRA_BIOPSY_PROBABILITY: Mapping[str, float] = {
    "destruction_ak": 0.15, "surveillance": 0.15, "excision": 0.05, "shave_removal": 0.05,
    "destruction_benign": 0.03,
}
EXTRA_AK_PROBABILITY: Mapping[str, float] = {
    "surveillance": 0.3, "biopsy": 0.2, "excision": 0.1, "shave_removal": 0.1,
}
AK_PROPENSITY: BandWeights = (0.0, 0.2, 1.0, 1.2)
PENDING_PATHOLOGY_PROBABILITY = 0.15


@dataclass(frozen=True, slots=True)
class PriorProcedure:
    """An earlier procedure whose global period an encounter may fall in."""

    code: str
    global_days: int
    sites: Weighted


PRIOR_PROCEDURES: tuple[tuple[PriorProcedure, float], ...] = (
    (PriorProcedure("17000", 10, AK_SITES), 5),
    (PriorProcedure("17110", 10, WART_SITES), 3),
    (PriorProcedure("11402", 10, (("back_upper", 3), ("chest", 2), ("shoulder", 2), ("thigh", 1))), 2),
    (PriorProcedure("11602", 10, (("back_upper", 3), ("chest", 2), ("forearm", 2), ("lower_leg", 2))), 2),
    (PriorProcedure("11642", 10, (("nose", 2), ("cheek", 2), ("forehead", 1))), 2),
    (PriorProcedure("10060", 10, (("axilla", 2), ("groin", 1), ("buttock", 1))), 1),
    (PriorProcedure("14040", 90, (("cheek", 2), ("forehead", 1), ("chin", 1))), 1),
    (PriorProcedure("14060", 90, (("nose", 2), ("ear", 1))), 1),
)
PRIOR_UNRELATED_PROBABILITY = 0.04
REEXCISION_PROBABILITY = 0.08

PDT_DRUG_UNITS: Mapping[str, tuple[int, ...]] = {
    "aminolevulinic_acid_20": (1, 1, 1, 2),  # Kerastick: one unit per stick
    "aminolevulinic_acid_10_gel": (100, 150, 200, 200),  # per 10 mg of gel: a 2 g tube is 200 units
    "methyl_aminolevulinate": (1, 2),
}
PDT_DRUGS: Weighted = (("aminolevulinic_acid_20", 45), ("aminolevulinic_acid_10_gel", 40),
                       ("methyl_aminolevulinate", 15))
PHOTOTHERAPY_MODALITIES: Weighted = (("uvb", 60), ("laser_excimer", 22), ("puva", 12), ("tar_uvb", 6))
PHOTOTHERAPY_DIAGNOSES: Weighted = (("psoriasis", 70), ("atopic_dermatitis", 15), ("L80", 10), ("L28.0", 5))
NAIL_SERVICES: tuple[tuple[tuple[str, ...], float], ...] = (
    (("nail_debridement",), 60), (("nail_avulsion",), 32), (("nail_debridement", "nail_avulsion"), 8),
)
DEBRIDED_NAIL_COUNTS: tuple[tuple[int, float], ...] = (
    (1, 6), (2, 5), (3, 4), (4, 4), (5, 5), (6, 6), (7, 5), (8, 5), (9, 3), (10, 8),
)
# Ingrown nails are mostly great toenails; lesser toes and fingers are rare.
AVULSION_DIGITS: Weighted = tuple(
    (digit, 20.0 if digit.endswith("great_toe") else 1.5 if "_toe_" in digit else 0.5) for digit in DIGITS
)
AVULSION_DIGIT_COUNTS: tuple[tuple[int, float], ...] = ((1, 75), (2, 20), (3, 5))
NAIL_DIAGNOSES: Mapping[str, Weighted] = {
    "nail_debridement": (("onychomycosis", 90), ("L60.3", 10)),
    "nail_avulsion": (("ingrown_nail", 75), ("onychomycosis", 15), ("L60.3", 10)),
}


@dataclass(frozen=True, slots=True)
class _Context:
    rng: random.Random
    date_of_service: datetime.date
    band: int


@dataclass(frozen=True, slots=True)
class _Parts:
    lesions: tuple[Json, ...] = ()
    services: tuple[Json, ...] = ()
    prior_procedures: tuple[Json, ...] = ()
    history: tuple[Json, ...] = ()


def document_encounter(
    rng: random.Random,
    *,
    date_of_service: datetime.date,
    age: int,
    sex: str,
    payer: str,
    kind: str | None = None,
) -> dict[str, object]:
    """One encounter document in the format of encounter.md (a JSON-ready dict).

    kind=None picks a kind by realistic weights (see `choose_encounter_kind`).
    """
    if payer not in PAYERS:
        raise InvalidInput(f"payer {payer!r} is not recognised (expected one of {', '.join(PAYERS)})")
    if sex not in SEXES:
        raise InvalidInput(f"sex {sex!r} is not recognised (expected one of {', '.join(SEXES)})")
    if not 0 <= age <= 120:
        raise InvalidInput(f"age {age} is out of range (expected 0 to 120)")
    if kind is None:
        kind = choose_encounter_kind(rng, age=age)
    elif kind not in KIND_WEIGHTS:
        raise InvalidInput(
            f"encounter kind {kind!r} is not recognised (expected one of {', '.join(ENCOUNTER_KINDS)})"
        )
    ctx = _Context(rng, date_of_service, _age_band(age))
    parts = _BUILDERS[kind](ctx)
    lesions = list(parts.lesions)
    if rng.random() < EXTRA_BIOPSY_PROBABILITY.get(kind, 0.0):
        lesions.append(_biopsy_lesion(ctx))
    if rng.random() < EXTRA_AK_PROBABILITY.get(kind, 0.0) * AK_PROPENSITY[ctx.band]:
        lesions.extend(_actinic_keratoses(ctx, AK_SITES, max_count=8, method=_pick(rng, AK_METHODS)))
    history = list(parts.history)
    if kind != "surveillance" and rng.random() < HISTORY_PROBABILITY[ctx.band]:
        history.append(_history_entry(ctx))
    prior = list(parts.prior_procedures)
    if rng.random() < PRIOR_UNRELATED_PROBABILITY:
        prior.append(_unrelated_prior_procedure(ctx))
    has_procedures = bool(parts.services) or any(lesion["procedures"] for lesion in lesions)
    if kind == "visit_only":
        visit: Json | None = _problem_visit(ctx)
    elif kind == "surveillance":
        visit = _surveillance_visit(ctx, has_procedures=has_procedures)
    else:
        visit = _procedure_visit(ctx, VISIT_PROBABILITY[kind])
    document: Json = {
        "date_of_service": date_of_service.isoformat(),
        "payer": payer,
        "patient": {"age": age, "sex": sex},
        "visit": visit,
        "lesions": [{"id": _lesion_id(index), **lesion} for index, lesion in enumerate(lesions)],
        "services": list(parts.services),
    }
    if prior:
        document["prior_procedures"] = prior
    if history:
        document["history"] = history
    return document


def choose_encounter_kind(rng: random.Random, *, age: int) -> str:
    """The kind of encounter a patient of this age comes in for, drawn by practice-mix weights."""
    return _pick_banded(rng, KIND_WEIGHTS, _age_band(age))


def _age_band(age: int) -> int:
    return sum(age >= limit for limit in AGE_BAND_LIMITS)


def _pick(rng: random.Random, table: Sequence[tuple[T, float]]) -> T:
    return rng.choices([item for item, _ in table], weights=[weight for _, weight in table])[0]


def _pick_banded(rng: random.Random, table: Mapping[str, BandWeights], band: int) -> str:
    # A forced kind can ask for a diagnosis no patient of that age has (a child's skin cancer
    # history): fall back to the nearest older band that has one.
    for column in (*range(band, 4), *range(band - 1, -1, -1)):
        weighted = tuple((key, weights[column]) for key, weights in table.items() if weights[column] > 0)
        if weighted:
            return _pick(rng, weighted)
    raise ValueError("weight table has no positive weight in any age band")


def _lesion_id(index: int) -> str:
    return string.ascii_uppercase[index % 26] * (index // 26 + 1)


def _place(rng: random.Random, sites: Weighted) -> Json:
    site = _pick(rng, sites)
    if site in PAIRED_SITES:
        return {"site": site, "laterality": rng.choice(LATERALITIES)}
    return {"site": site}


def _diameter(rng: random.Random, diagnosis: str) -> float:
    low, high = LESION_PROFILES[diagnosis].diameter_cm
    return round(rng.uniform(low, high), 1)


def _symptoms(rng: random.Random, diagnosis: str) -> tuple[str, ...]:
    return _pick(rng, SYMPTOMS.get(diagnosis, (((), 1.0),)))


def _lesion(place: Json, diagnosis: str, procedures: list[Json], *, pathology: str | None = None,
            diameter_cm: float | None = None, count: int = 1, symptoms: Sequence[str] = ()) -> Json:
    lesion: Json = {**place, "diagnosis": diagnosis}
    if pathology is not None:
        lesion["pathology"] = pathology
    if diameter_cm is not None:
        lesion["diameter_cm"] = diameter_cm
    if count > 1:
        lesion["count"] = count
    if symptoms:
        lesion["symptoms"] = list(symptoms)
    lesion["procedures"] = procedures
    return lesion


def _spread(rng: random.Random, total: int, sites: Weighted, max_groups: int) -> list[tuple[Json, int]]:
    """Split `total` like lesions over a few distinct site/laterality groups."""
    wanted = rng.randint(1, max(1, min(total, max_groups)))
    places: list[Json] = []
    for _ in range(wanted * 10):
        place = _place(rng, sites)
        if place not in places:
            places.append(place)
        if len(places) == wanted:
            break
    counts = [1] * len(places)
    for _ in range(total - len(places)):
        counts[rng.randrange(len(places))] += 1
    return list(zip(places, counts, strict=True))


def _biopsy_lesion(ctx: _Context) -> Json:
    rng = ctx.rng
    final = _pick_banded(rng, BIOPSY_PATHOLOGY, ctx.band)
    technique = _pick(rng, BIOPSY_TECHNIQUES[BIOPSY_TECHNIQUE_GROUP.get(final, "default")])
    clinical = _pick(rng, BIOPSY_CLINICAL.get(final, BIOPSY_CLINICAL["default"]))
    pathology = "pending" if rng.random() < PENDING_PATHOLOGY_PROBABILITY else final
    return _lesion(_place(rng, LESION_PROFILES[final].sites), clinical,
                   [{"type": "biopsy", "technique": technique}], pathology=pathology,
                   diameter_cm=_diameter(rng, final), symptoms=_symptoms(rng, clinical))


def _build_biopsy(ctx: _Context) -> _Parts:
    count = _pick(ctx.rng, ((1, 70), (2, 22), (3, 8)))
    return _Parts(lesions=tuple(_biopsy_lesion(ctx) for _ in range(count)))


def _build_shave_removal(ctx: _Context) -> _Parts:
    rng = ctx.rng
    lesions = []
    for _ in range(_pick(rng, ((1, 80), (2, 20)))):
        diagnosis = _pick_banded(rng, SHAVE_DIAGNOSES, ctx.band)
        draw = rng.random()
        pathology = "pending" if draw < 0.1 else SHAVE_SURPRISES[diagnosis] if draw < 0.15 else diagnosis
        lesions.append(_lesion(_place(rng, LESION_PROFILES[diagnosis].sites), diagnosis,
                               [{"type": "shave_removal"}], pathology=pathology,
                               diameter_cm=_diameter(rng, diagnosis), symptoms=_symptoms(rng, diagnosis)))
    return _Parts(lesions=tuple(lesions))


def _closure(
    rng: random.Random, site: str, wound_cm: float, closures: Weighted, flap_probability: float
) -> list[Json]:
    """How the wound was closed: a flap (face only), a documented repair, or nothing documented."""
    if site in FLAP_SITES and rng.random() < flap_probability:
        # primary (round) defect plus a secondary defect two to three times its area
        area = math.pi * (wound_cm / 2) ** 2 * rng.uniform(2.5, 4.0)
        return [{"type": "adjacent_tissue_transfer", "defect_area_cm2": round(area, 1)}]
    complexity = _pick(rng, closures)
    if complexity == "none":
        return []
    # an elliptical closure runs about three times the excised diameter
    length = round(wound_cm * rng.uniform(2.7, 3.3), 1)
    return [{"type": "repair", "complexity": complexity, "length_cm": length}]


def _excision_group(site: str) -> str:
    if site in FACE_GROUP_SITES:
        return "face"
    return "scalp_neck_hands_feet" if site in SCALP_NECK_HANDS_FEET_SITES else "other"


def _build_excision(ctx: _Context) -> _Parts:
    rng = ctx.rng
    lesions: list[Json] = []
    prior: list[Json] = []
    for _ in range(_pick(rng, ((1, 88), (2, 12)))):
        final = _pick_banded(rng, EXCISION_PATHOLOGY, ctx.band)
        place = _place(rng, LESION_PROFILES[final].sites)
        diameter = _diameter(rng, final)
        diagnosis, symptoms = final, _symptoms(rng, final)
        if final in SUSPICIOUS_EXCISION_PATHOLOGY and rng.random() < 0.2:
            # a changing pigmented lesion excised whole without a biopsy first: narrow margins
            diagnosis, symptoms = "neoplasm_unspecified_behavior", ("suspicious_for_malignancy",)
        pathology = "pending" if rng.random() < PENDING_PATHOLOGY_PROBABILITY else final
        is_malignant = diagnosis in MALIGNANT_PATHOLOGY
        margin = rng.choice(MARGINS_CM.get(diagnosis, MARGINS_CM["benign"]))
        excised = round(diameter + 2 * margin, 1)
        if rng.random() < 0.1:
            excision: Json = {"type": "excision", "excised_diameter_cm": excised}
        else:
            excision = {"type": "excision", "margin_cm": margin}
        closures = EXCISION_CLOSURES["malignant" if is_malignant else "benign"]
        flap_probability = FLAP_PROBABILITY["excision"] if is_malignant else 0.0
        closure = _closure(rng, str(place["site"]), excised, closures, flap_probability)
        lesions.append(_lesion(place, diagnosis, [excision, *closure], pathology=pathology,
                               diameter_cm=diameter, symptoms=symptoms))
        if is_malignant and rng.random() < REEXCISION_PROBABILITY:
            # re-excision for a positive margin, inside the first excision's global period
            first = ctx.date_of_service - datetime.timedelta(days=rng.randint(3, 9))
            prior.append({"date_of_service": first.isoformat(),
                          "code": REEXCISION_PRIOR_CODES[_excision_group(str(place["site"]))],
                          "related": True, **place})
    return _Parts(lesions=tuple(lesions), prior_procedures=tuple(prior))


def _actinic_keratoses(ctx: _Context, sites: Weighted, *, max_count: int, method: str | None) -> list[Json]:
    """Actinic keratoses grouped by site; `method` None means field-treated (PDT), not destroyed."""
    total = ctx.rng.randint(1, max_count)
    return [_lesion(place, "actinic_keratosis",
                    [] if method is None else [{"type": "destruction", "method": method}], count=count)
            for place, count in _spread(ctx.rng, total, sites, max_groups=4)]


def _build_destruction_ak(ctx: _Context) -> _Parts:
    method = _pick(ctx.rng, AK_METHODS)
    lesions = _actinic_keratoses(ctx, AK_SITES, max_count=AK_MAX_COUNT[ctx.band], method=method)
    return _Parts(lesions=tuple(lesions))


def _build_destruction_benign(ctx: _Context) -> _Parts:
    rng = ctx.rng
    weights = {diagnosis: profile.band_weights for diagnosis, profile in BENIGN_DESTRUCTIONS.items()}
    diagnosis = _pick_banded(rng, weights, ctx.band)
    profile = BENIGN_DESTRUCTIONS[diagnosis]
    method = _pick(rng, profile.methods)
    sites = LESION_PROFILES[diagnosis].sites
    if profile.area_cm2 is not None:
        area = round(rng.uniform(*profile.area_cm2), 1)
        return _Parts(lesions=(_lesion(_place(rng, sites), diagnosis,
                                       [{"type": "destruction", "method": method, "area_cm2": area}]),))
    symptoms = _symptoms(rng, diagnosis)
    groups = _spread(rng, rng.randint(*profile.count), sites, max_groups=3)
    return _Parts(lesions=tuple(
        _lesion(place, diagnosis, [{"type": "destruction", "method": method}], count=count, symptoms=symptoms)
        for place, count in groups))


def _build_mohs(ctx: _Context) -> _Parts:
    rng = ctx.rng
    lesions = []
    for _ in range(_pick(rng, ((1, 92), (2, 8)))):
        diagnosis = _pick(rng, MOHS_DIAGNOSES)
        place = _place(rng, MOHS_SITES)
        diameter = _diameter(rng, diagnosis)
        stage_count = _pick(rng, MOHS_STAGE_COUNTS)
        stages: list[Json] = [{"blocks": _pick(rng, MOHS_FIRST_STAGE_BLOCKS)}]
        stages += [{"blocks": _pick(rng, MOHS_LATER_STAGE_BLOCKS)} for _ in range(stage_count - 1)]
        # about 0.25 cm taken around the tumour at the first stage, 0.2 cm more at each later one
        defect = round(diameter + 0.5 + 0.4 * (stage_count - 1), 1)
        closure = _closure(rng, str(place["site"]), defect, MOHS_CLOSURES, FLAP_PROBABILITY["mohs"])
        procedures: list[Json] = [{"type": "mohs", "stages": stages}, *closure]
        lesions.append(_lesion(place, diagnosis, procedures, diameter_cm=diameter))
    return _Parts(lesions=tuple(lesions))


def _build_skin_tags(ctx: _Context) -> _Parts:
    rng = ctx.rng
    symptoms = _symptoms(rng, "acrochordon")
    total = round(rng.triangular(1, 35, 6))
    return _Parts(lesions=tuple(
        _lesion(place, "acrochordon", [{"type": "skin_tag_removal"}], count=count, symptoms=symptoms)
        for place, count in _spread(rng, total, ACROCHORDON_SITES, max_groups=3)))


def _build_injection(ctx: _Context) -> _Parts:
    rng = ctx.rng
    diagnosis = _pick_banded(rng, {key: entry.band_weights for key, entry in INJECTIONS.items()}, ctx.band)
    profile = INJECTIONS[diagnosis]
    lesions = []
    sites = LESION_PROFILES[diagnosis].sites
    for place, count in _spread(rng, rng.randint(*profile.count), sites, max_groups=2):
        dose = max(0.1, round(count * rng.uniform(*profile.mg_per_lesion), 1))
        lesions.append(_lesion(place, diagnosis, [{"type": "intralesional_injection",
                                                   "drug": "triamcinolone_acetonide", "dose_mg": dose}],
                               count=count))
    return _Parts(lesions=tuple(lesions))


def _build_incision_drainage(ctx: _Context) -> _Parts:
    rng = ctx.rng
    lesions = []
    for _ in range(_pick(rng, ((1, 85), (2, 15)))):
        diagnosis = _pick(rng, INCISION_DRAINAGE_DIAGNOSES)
        procedure: Json = {"type": "incision_drainage", "complicated": rng.random() < 0.2}
        lesions.append(_lesion(_place(rng, LESION_PROFILES[diagnosis].sites), diagnosis, [procedure],
                               diameter_cm=_diameter(rng, diagnosis), symptoms=_symptoms(rng, diagnosis)))
    return _Parts(lesions=tuple(lesions))


def _build_nail(ctx: _Context) -> _Parts:
    rng = ctx.rng
    services: list[Json] = []
    for service_type in _pick(rng, NAIL_SERVICES):
        diagnoses = [_pick(rng, NAIL_DIAGNOSES[service_type])]
        if service_type == "nail_debridement":
            nails = _pick(rng, DEBRIDED_NAIL_COUNTS)
            services.append({"type": service_type, "nails": nails, "diagnoses": diagnoses})
            continue
        digits: list[str] = []
        wanted = _pick(rng, AVULSION_DIGIT_COUNTS)
        while len(digits) < wanted:
            digit = _pick(rng, AVULSION_DIGITS)
            if digit not in digits:
                digits.append(digit)
        services.append({"type": service_type, "digits": digits, "diagnoses": diagnoses})
    return _Parts(services=tuple(services))


def _build_paring(ctx: _Context) -> _Parts:
    rng = ctx.rng
    symptoms = _symptoms(rng, "corn_callus")
    groups = _spread(rng, rng.randint(1, 6), LESION_PROFILES["corn_callus"].sites, max_groups=3)
    return _Parts(lesions=tuple(
        _lesion(place, "corn_callus", [{"type": "paring"}], count=count, symptoms=symptoms)
        for place, count in groups))


def _build_pdt(ctx: _Context) -> _Parts:
    rng = ctx.rng
    lesions = _actinic_keratoses(ctx, FIELD_AK_SITES, max_count=20, method=None)
    drug = _pick(rng, PDT_DRUGS)
    by_physician = rng.random() < 0.45
    service: Json = {
        "type": "photodynamic_therapy",
        "illumination": "by_physician" if by_physician else "by_staff",
        # targeted curettage before PDT is physician work (96574), so staff-illuminated sessions have none
        "debridement": by_physician and rng.random() < 0.4,
        "drug": drug,
        "drug_units": rng.choice(PDT_DRUG_UNITS[drug]),
    }
    return _Parts(lesions=tuple(lesions), services=(service,))


def _build_phototherapy(ctx: _Context) -> _Parts:
    rng = ctx.rng
    modality = _pick(rng, PHOTOTHERAPY_MODALITIES)
    service: Json = {"type": "phototherapy", "modality": modality}
    if modality == "laser_excimer":
        service["area_cm2"] = float(rng.randrange(30, 610, 10))
    service["diagnoses"] = [_pick(rng, PHOTOTHERAPY_DIAGNOSES)]
    return _Parts(services=(service,))


def _build_surveillance(ctx: _Context) -> _Parts:
    return _Parts(history=tuple(_history_entry(ctx) for _ in range(_pick(ctx.rng, ((1, 75), (2, 25))))))


def _build_nothing(ctx: _Context) -> _Parts:
    return _Parts()


def _history_entry(ctx: _Context) -> Json:
    diagnosis = _pick_banded(ctx.rng, HISTORY_DIAGNOSES, ctx.band)
    place = _place(ctx.rng, LESION_PROFILES[diagnosis].sites)
    return {"diagnosis": diagnosis, **place, "treatment_completed": ctx.rng.random() < 0.95}


def _unrelated_prior_procedure(ctx: _Context) -> Json:
    prior = _pick(ctx.rng, PRIOR_PROCEDURES)
    when = ctx.date_of_service - datetime.timedelta(days=ctx.rng.randint(1, prior.global_days - 1))
    return {"date_of_service": when.isoformat(), "code": prior.code, "related": False,
            **_place(ctx.rng, prior.sites)}


def _visit(ctx: _Context, new_probability: float) -> Json:
    if ctx.rng.random() < new_probability:
        return {"category": "new", "level": _pick(ctx.rng, NEW_VISIT_LEVELS)}
    return {"category": "established", "level": _pick(ctx.rng, ESTABLISHED_VISIT_LEVELS)}


def _visit_diagnoses(ctx: _Context) -> list[str]:
    diagnoses: list[str] = []
    wanted = _pick(ctx.rng, VISIT_DIAGNOSIS_COUNTS)
    for _ in range(wanted * 10):
        diagnosis = _pick_banded(ctx.rng, VISIT_DIAGNOSES, ctx.band)
        if diagnosis not in diagnoses:
            diagnoses.append(diagnosis)
        if len(diagnoses) == wanted:
            break
    return diagnoses


def _problem_visit(ctx: _Context) -> Json:
    visit = _visit(ctx, new_probability=0.3)
    if visit["category"] == "new" and ctx.rng.random() < 0.2:
        visit["reason"] = "screening"
        if ctx.rng.random() < 0.5:
            return visit
    visit["diagnoses"] = _visit_diagnoses(ctx)
    return visit


def _surveillance_visit(ctx: _Context, *, has_procedures: bool) -> Json:
    visit = _visit(ctx, new_probability=0.05)
    if has_procedures:
        visit["separately_identifiable"] = True
    visit["reason"] = "surveillance"
    return visit


def _procedure_visit(ctx: _Context, probability: float) -> Json | None:
    """An E/M alongside a procedure: separately identifiable when it addressed another problem."""
    if ctx.rng.random() >= probability:
        return None
    visit = _visit(ctx, new_probability=0.3)
    if ctx.rng.random() < SEPARATELY_IDENTIFIABLE_PROBABILITY:
        visit["separately_identifiable"] = True
        visit["diagnoses"] = _visit_diagnoses(ctx)
    else:
        visit["separately_identifiable"] = False
    return visit


_BUILDERS: Mapping[str, Callable[[_Context], _Parts]] = {
    "visit_only": _build_nothing,
    "surveillance": _build_surveillance,
    "biopsy": _build_biopsy,
    "shave_removal": _build_shave_removal,
    "excision": _build_excision,
    "destruction_ak": _build_destruction_ak,
    "destruction_benign": _build_destruction_benign,
    "mohs": _build_mohs,
    "skin_tags": _build_skin_tags,
    "injection": _build_injection,
    "incision_drainage": _build_incision_drainage,
    "nail": _build_nail,
    "paring": _build_paring,
    "pdt": _build_pdt,
    "phototherapy": _build_phototherapy,
}
