"""Diagnosis keys: their category (malignant, benign ...) and their ICD-10-CM code by site and laterality.

Keys that are not site-specific map to one code (encounter.md); site-specific keys map through the
site table of ICD-10-CM codes (``SiteDiagnoses``). An ICD-10-CM code given instead of a key is used as
given; its category comes from its chapter block.
Example: ``bcc`` on the left forearm -> C44.619; ``seborrheic_keratosis`` with ``inflamed`` -> L82.0;
``pyogenic_granuloma`` -> L98.0, but K13.4 in the mouth (``oral_mucosa``: L98.0 excludes oral mucosa).
"""

from __future__ import annotations

from enum import Enum

from dermbill.core.coding.tables import SiteDiagnoses


class Category(Enum):
    MALIGNANT = "malignant"
    IN_SITU = "in situ"
    PREMALIGNANT = "premalignant"
    UNCERTAIN = "uncertain behaviour"
    UNSPECIFIED = "unspecified behaviour"
    BENIGN = "benign"
    OTHER = "other"

    @property
    def excised_as_malignant(self) -> bool:
        """Carcinoma and melanoma in situ take the malignant excision and destruction codes."""
        return self in (Category.MALIGNANT, Category.IN_SITU)


CATEGORY_OF_KEY: dict[str, Category] = {
    "bcc": Category.MALIGNANT, "scc": Category.MALIGNANT, "melanoma": Category.MALIGNANT,
    "merkel_cell": Category.MALIGNANT, "scc_in_situ": Category.IN_SITU, "melanoma_in_situ": Category.IN_SITU,
    "actinic_keratosis": Category.PREMALIGNANT, "neoplasm_uncertain_behavior": Category.UNCERTAIN,
    "neoplasm_unspecified_behavior": Category.UNSPECIFIED,
    **{key: Category.BENIGN for key in (
        "seborrheic_keratosis", "melanocytic_nevus", "dysplastic_nevus", "dermatofibroma", "benign_neoplasm",
        "epidermoid_cyst", "pilar_cyst", "lipoma", "acrochordon", "hemangioma", "pyogenic_granuloma", "wart",
        "plantar_wart", "anogenital_wart", "molluscum", "keloid", "corn_callus",
    )},
    **{key: Category.OTHER for key in (
        "abscess", "ingrown_nail", "onychomycosis", "psoriasis", "atopic_dermatitis", "acne", "rosacea",
    )},
}

# Keys whose code does not depend on the site (encounter.md).
FIXED_CODE: dict[str, str] = {
    "psoriasis": "L40.0", "atopic_dermatitis": "L20.9", "acne": "L70.0", "rosacea": "L71.9", "wart": "B07.8",
    "plantar_wart": "B07.0", "anogenital_wart": "A63.0", "molluscum": "B08.1", "acrochordon": "L91.8",
    "keloid": "L91.0", "corn_callus": "L84", "actinic_keratosis": "L57.0", "ingrown_nail": "L60.0",
    "onychomycosis": "B35.1", "pyogenic_granuloma": "L98.0", "hemangioma": "D18.01", "epidermoid_cyst": "L72.0",
    "pilar_cyst": "L72.11",
}
SEBORRHEIC_KERATOSIS_INFLAMED = "L82.0"
SEBORRHEIC_KERATOSIS_OTHER = "L82.1"

# Site-specific keys and the family of codes they take in the ICD-10-CM site table.
SITE_FAMILY: dict[str, str] = {
    "bcc": "bcc", "scc": "scc", "melanoma": "melanoma", "merkel_cell": "merkel_cell",
    "scc_in_situ": "scc_in_situ", "melanoma_in_situ": "melanoma_in_situ",
    "melanocytic_nevus": "melanocytic_nevus", "dysplastic_nevus": "melanocytic_nevus",
    "dermatofibroma": "benign_neoplasm", "benign_neoplasm": "benign_neoplasm", "lipoma": "lipoma",
    "abscess": "abscess", "neoplasm_uncertain_behavior": "uncertain_behavior",
    "neoplasm_unspecified_behavior": "unspecified_behavior",
}

# Personal history (Z85/Z86/Z87) of a treated condition.
HISTORY_CODE: dict[str, str] = {
    "melanoma": "Z85.820", "merkel_cell": "Z85.821", "bcc": "Z85.828", "scc": "Z85.828",
    "melanoma_in_situ": "Z86.006", "scc_in_situ": "Z86.007",
}
HISTORY_OF_SKIN_DISEASE = "Z87.2"
FOLLOW_UP_AFTER_TREATMENT = "Z08"
SCREENING_FOR_SKIN_CANCER = "Z12.83"
SYMPTOMS_OF_INFLAMED_SK = frozenset({"inflamed", "irritated"})
# Benign diagnoses whose removal the benign skin lesion LCDs treat as medically necessary by themselves
# (condyloma and molluscum are named indications; a dysplastic nevus or pyogenic granuloma carries
# clinical uncertainty or bleeds).
REMOVAL_NECESSARY_BY_DIAGNOSIS = frozenset({"molluscum", "anogenital_wart", "A63.0", "B08.1", "dysplastic_nevus",
                                            "pyogenic_granuloma", "L98.0"})


def is_icd10_code(value: str) -> bool:
    return value not in CATEGORY_OF_KEY


def category_of(diagnosis: str) -> Category:
    """The category of a key, or of an ICD-10-CM code by its block (C: malignant, D00-D09: in situ ...)."""
    if diagnosis in CATEGORY_OF_KEY:
        return CATEGORY_OF_KEY[diagnosis]
    letter, number = diagnosis[0], diagnosis[1:3]
    if letter == "C":
        return Category.MALIGNANT
    if letter == "D" and number.isdigit():
        block = int(number)
        if block <= 9:
            return Category.IN_SITU
        if block <= 36:
            return Category.BENIGN
        if block <= 48:
            return Category.UNCERTAIN
        return Category.UNSPECIFIED
    if diagnosis == "L57.0":
        return Category.PREMALIGNANT
    if diagnosis.startswith(("L82", "L72", "L91", "B07", "B08", "A63.0", "L84", "D18", "L98.0")):
        return Category.BENIGN
    return Category.OTHER


def icd10_for(
    diagnosis: str,
    *,
    site: str | None,
    laterality: str | None,
    sex: str,
    symptoms: frozenset[str],
    site_codes: SiteDiagnoses,
) -> str | None:
    """The ICD-10-CM code of a diagnosis at a site; None when the site is needed and not known."""
    if is_icd10_code(diagnosis):
        return diagnosis
    if diagnosis == "seborrheic_keratosis":
        inflamed = symptoms & SYMPTOMS_OF_INFLAMED_SK
        return SEBORRHEIC_KERATOSIS_INFLAMED if inflamed else SEBORRHEIC_KERATOSIS_OTHER
    if diagnosis in FIXED_CODE:
        # The one code is a skin code; a site it excludes (the mouth) has its own.
        return site_codes.exceptions.get((diagnosis, site or ""), FIXED_CODE[diagnosis])
    family = SITE_FAMILY[diagnosis]
    if site is None:
        return None
    return site_codes.code_for(family, site, laterality, sex)


def history_code(diagnosis: str) -> str:
    if is_icd10_code(diagnosis):
        return diagnosis
    return HISTORY_CODE.get(diagnosis, HISTORY_OF_SKIN_DISEASE)
