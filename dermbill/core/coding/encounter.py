"""The encounter documentation format, version 1 (docs/encounter-format.md), parsed strictly.

``parse_encounter(doc)`` turns a JSON-like dict into frozen dataclasses or raises ``InvalidInput``
naming the field: ``lesions[1].site: 'nose tip' is not a site; did you mean 'nose'?``. Unknown keys
are errors (a typo must not silently drop a fact). Sizes become ``Decimal`` exactly (never floats).
The records are immutable NamedTuples: three times cheaper to build than frozen dataclasses, which
matters when a batch codes tens of thousands of encounters.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from dermbill.core.validation import expect_object, field_error, suggest

SITES = (
    "scalp", "forehead", "temple", "eyebrow", "eyelid_upper", "eyelid_lower", "nose", "cheek", "ear",
    "lip_vermilion", "lip_upper_cutaneous", "lip_lower_cutaneous", "chin", "jaw", "oral_mucosa", "neck",
    "chest", "breast", "abdomen", "back_upper", "back_lower", "flank", "axilla", "buttock", "groin", "perianal",
    "genitalia", "shoulder", "upper_arm", "elbow", "forearm", "wrist", "hand_dorsum", "palm", "finger",
    "hip", "thigh", "knee", "lower_leg", "ankle", "foot_dorsum", "sole", "toe",
)
PAIRED_SITES = frozenset({
    "eyelid_upper", "eyelid_lower", "eyebrow", "ear", "cheek", "temple", "breast", "axilla", "buttock", "groin",
    "shoulder", "upper_arm", "elbow", "forearm", "wrist", "hand_dorsum", "palm", "finger",
    "hip", "thigh", "knee", "lower_leg", "ankle", "foot_dorsum", "sole", "toe",
})
DIAGNOSIS_KEYS = (
    "bcc", "scc", "melanoma", "merkel_cell", "scc_in_situ", "melanoma_in_situ", "actinic_keratosis",
    "neoplasm_uncertain_behavior", "neoplasm_unspecified_behavior", "seborrheic_keratosis", "melanocytic_nevus",
    "dysplastic_nevus", "dermatofibroma", "benign_neoplasm", "epidermoid_cyst", "pilar_cyst", "lipoma",
    "acrochordon", "hemangioma", "pyogenic_granuloma", "wart", "plantar_wart", "anogenital_wart", "molluscum",
    "keloid", "corn_callus", "abscess", "ingrown_nail", "onychomycosis", "psoriasis", "atopic_dermatitis", "acne",
    "rosacea",
)
SITE_SET = frozenset(SITES)
DIAGNOSIS_KEY_SET = frozenset(DIAGNOSIS_KEYS)
ICD10_PATTERN = re.compile(r"[A-TV-Z][0-9][0-9AB](\.[0-9A-TV-Z]{1,4})?")
PAYERS = ("medicare", "medicaid", "commercial", "self_pay")
SYMPTOMS = (
    "bleeding", "itching", "pain", "inflamed", "irritated", "rapid_growth", "obstructs_vision",
    "obstructs_orifice", "infected", "suspicious_for_malignancy",
)
LESION_PROCEDURES = (
    "biopsy", "shave_removal", "excision", "destruction", "mohs", "repair", "adjacent_tissue_transfer",
    "intralesional_injection", "incision_drainage", "skin_tag_removal", "paring",
)
SERVICES = ("photodynamic_therapy", "phototherapy", "nail_debridement", "nail_avulsion")
DIGITS = tuple(
    f"{side}_{digit}"
    for side in ("left", "right")
    for digit in ("thumb", "finger_2", "finger_3", "finger_4", "finger_5", "great_toe", "toe_2", "toe_3", "toe_4",
                  "toe_5")
)
PROCEDURE_KEYS = frozenset({
    "type", "technique", "margin_cm", "excised_diameter_cm", "method", "stages", "complexity", "length_cm",
    "defect_area_cm2", "complicated", "drug", "dose_mg", "area_cm2",
})
SERVICE_KEYS = frozenset({
    "type", "illumination", "debridement", "drug", "drug_units", "modality", "area_cm2", "nails", "digits",
    "diagnoses",
})
ENUMS: dict[str, tuple[str, ...]] = {
    "technique": ("tangential", "punch", "incisional"),
    "method": ("cryotherapy", "electrosurgery", "curettage", "laser", "chemical"),
    "complexity": ("simple", "intermediate", "complex"),
    "drug": ("triamcinolone_acetonide",),
    "illumination": ("by_physician", "by_staff"),
    "service_drug": ("aminolevulinic_acid_20", "aminolevulinic_acid_10_gel", "methyl_aminolevulinate"),
    "modality": ("uvb", "tar_uvb", "puva", "laser_excimer"),
}


class Procedure(NamedTuple):
    type: str
    where: str
    technique: str | None = None
    margin_cm: Decimal | None = None
    excised_diameter_cm: Decimal | None = None
    method: str | None = None
    stages: tuple[int, ...] = ()
    complexity: str | None = None
    length_cm: Decimal | None = None
    defect_area_cm2: Decimal | None = None
    complicated: bool = False
    drug: str | None = None
    dose_mg: Decimal | None = None
    area_cm2: Decimal | None = None


class Lesion(NamedTuple):
    id: str
    where: str  # e.g. "lesions[1]"
    site: str
    laterality: str | None
    diagnosis: str  # a diagnosis key or an ICD-10-CM code
    pathology: str | None  # None (no specimen), "pending", or a key or code
    diameter_cm: Decimal | None
    count: int  # type: ignore[assignment]  # shadows tuple.count on purpose
    symptoms: frozenset[str]
    procedures: tuple[Procedure, ...]

    @property
    def pathology_pending(self) -> bool:
        return self.pathology == "pending"

    @property
    def final_diagnosis(self) -> str:
        """The final pathology when there is one, else the clinical diagnosis."""
        return self.pathology if self.pathology not in (None, "pending") else self.diagnosis

    def has(self, *types: str) -> bool:
        return any(p.type in types for p in self.procedures)


class Service(NamedTuple):
    type: str
    where: str
    illumination: str | None = None
    debridement: bool = False
    drug: str | None = None
    drug_units: int | None = None
    modality: str | None = None
    area_cm2: Decimal | None = None
    nails: int | None = None
    digits: tuple[str, ...] = ()
    diagnoses: tuple[str, ...] = ()


class Visit(NamedTuple):
    category: str
    level: int
    separately_identifiable: bool
    diagnoses: tuple[str, ...]
    reason: str


class PriorProcedure(NamedTuple):
    date_of_service: datetime.date
    code: str
    related: bool
    site: str | None
    laterality: str | None
    where: str


class HistoryItem(NamedTuple):
    diagnosis: str
    site: str | None
    laterality: str | None
    treatment_completed: bool
    where: str


class Encounter(NamedTuple):
    date_of_service: datetime.date
    payer: str
    age: int
    sex: str
    visit: Visit | None
    lesions: tuple[Lesion, ...]
    services: tuple[Service, ...]
    prior_procedures: tuple[PriorProcedure, ...]
    history: tuple[HistoryItem, ...]


def _choice(value: Any, where: str, choices: tuple[str, ...] | frozenset[str], what: str) -> str:
    if not isinstance(value, str):
        raise field_error(where, f"must be text (one of the {what}s), not {type(value).__name__}")
    if value not in choices:
        raise field_error(where, f"'{value}' is not a {what}{suggest(value, choices)}")
    return value


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise field_error(where, f"must be true or false, not {value!r}")
    return value


def _int(value: Any, where: str, minimum: int, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise field_error(where, f"must be a whole number, not {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        upper = f" and at most {maximum}" if maximum is not None else ""
        raise field_error(where, f"{value} must be at least {minimum}{upper}")
    return value


def _size(value: Any, where: str, *, allow_zero: bool = False) -> Decimal:
    """A measurement as an exact Decimal: 0.7 stays 0.7 (from its shortest repr), never 0.69999."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        raise field_error(where, f"must be a number, not {value!r}")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise field_error(where, f"'{value}' is not a number") from None
    if not number.is_finite() or number < 0 or (number == 0 and not allow_zero):
        raise field_error(where, f"{value} must be {'zero or more' if allow_zero else 'more than zero'}")
    return number


def _date(value: Any, where: str) -> datetime.date:
    if not isinstance(value, str):
        raise field_error(where, f"must be a date written YYYY-MM-DD, not {value!r}")
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise field_error(where, f"'{value}' is not a date (use YYYY-MM-DD)") from None


def _dx(value: Any, where: str) -> str:
    """A diagnosis key or an ICD-10-CM code (whether the code is billable is checked against the code set)."""
    if not isinstance(value, str):
        raise field_error(where, f"must be a diagnosis key or an ICD-10-CM code, not {value!r}")
    if value in DIAGNOSIS_KEY_SET or ICD10_PATTERN.fullmatch(value):
        return value
    if ICD10_PATTERN.fullmatch(value.upper()):
        raise field_error(where, f"'{value}' must be written in capitals: '{value.upper()}'")
    raise field_error(where, f"'{value}' is not a diagnosis key or an ICD-10-CM code{suggest(value, DIAGNOSIS_KEYS)}")


def _laterality(raw: dict[str, Any], site: str | None, where: str, *, required: bool) -> str | None:
    laterality = raw.get("laterality")
    if laterality is not None:
        laterality = _choice(laterality, f"{where}.laterality", ("left", "right"), "side (left or right)")
    if site is None:
        return laterality
    if site in PAIRED_SITES and laterality is None and required:
        raise field_error(f"{where}.laterality", f"is required for '{site}' (a paired site): give 'left' or 'right'")
    if site not in PAIRED_SITES and laterality is not None:
        raise field_error(f"{where}.laterality", f"'{site}' is not a paired site; leave laterality out")
    return laterality


def _procedure(raw: Any, where: str) -> Procedure:
    data = expect_object(raw, where, PROCEDURE_KEYS, ("type",))
    kind = _choice(data["type"], f"{where}.type", LESION_PROCEDURES, "procedure type")
    values: dict[str, Any] = {"type": kind, "where": where}
    for key in ("technique", "method", "complexity", "drug"):
        if key in data:
            values[key] = _choice(data[key], f"{where}.{key}", ENUMS[key], key)
    for key in ("excised_diameter_cm", "length_cm", "defect_area_cm2", "dose_mg", "area_cm2"):
        if key in data:
            values[key] = _size(data[key], f"{where}.{key}")
    if "margin_cm" in data:
        values["margin_cm"] = _size(data["margin_cm"], f"{where}.margin_cm", allow_zero=True)
    if "complicated" in data:
        values["complicated"] = _bool(data["complicated"], f"{where}.complicated")
    if "stages" in data:
        stages = data["stages"]
        if not isinstance(stages, list) or not stages:
            raise field_error(f"{where}.stages", "must be a list of at least one stage, e.g. [{\"blocks\": 3}]")
        values["stages"] = tuple(
            _int(expect_object(stage, f"{where}.stages[{i}]", frozenset({"blocks"}), ("blocks",))["blocks"],
                 f"{where}.stages[{i}].blocks", 1)
            for i, stage in enumerate(stages)
        )
    return Procedure(**values)


def _lesion(raw: Any, where: str) -> Lesion:
    allowed = frozenset({"id", "site", "laterality", "diagnosis", "pathology", "diameter_cm", "count", "symptoms",
                         "procedures"})
    data = expect_object(raw, where, allowed, ("id", "site", "diagnosis", "procedures"))
    if not isinstance(data["id"], str) or not data["id"]:
        raise field_error(f"{where}.id", "must be a short label such as 'A'")
    site = _choice(data["site"], f"{where}.site", SITE_SET, "site")
    pathology = data.get("pathology")
    if pathology is not None and pathology != "pending":
        pathology = _dx(pathology, f"{where}.pathology")
    symptoms = data.get("symptoms", [])
    if not isinstance(symptoms, list):
        raise field_error(f"{where}.symptoms", "must be a list, e.g. [\"bleeding\"]")
    procedures = data["procedures"]
    if not isinstance(procedures, list):
        raise field_error(f"{where}.procedures", "must be a list (empty when nothing was done)")
    return Lesion(
        id=data["id"],
        where=where,
        site=site,
        laterality=_laterality(data, site, where, required=True),
        diagnosis=_dx(data["diagnosis"], f"{where}.diagnosis"),
        pathology=pathology,
        diameter_cm=_size(data["diameter_cm"], f"{where}.diameter_cm") if "diameter_cm" in data else None,
        count=_int(data.get("count", 1), f"{where}.count", 1),
        symptoms=frozenset(_choice(s, f"{where}.symptoms[{i}]", SYMPTOMS, "symptom") for i, s in enumerate(symptoms)),
        procedures=tuple(_procedure(p, f"{where}.procedures[{i}]") for i, p in enumerate(procedures)),
    )


def _diagnosis_list(raw: Any, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list):
        raise field_error(where, "must be a list of diagnosis keys or ICD-10-CM codes")
    return tuple(_dx(d, f"{where}[{i}]") for i, d in enumerate(raw))


def _service(raw: Any, where: str) -> Service:
    data = expect_object(raw, where, SERVICE_KEYS, ("type",))
    kind = _choice(data["type"], f"{where}.type", SERVICES, "service type")
    values: dict[str, Any] = {"type": kind, "where": where}
    if "illumination" in data:
        values["illumination"] = _choice(data["illumination"], f"{where}.illumination", ENUMS["illumination"],
                                         "illumination")
    if "debridement" in data:
        values["debridement"] = _bool(data["debridement"], f"{where}.debridement")
    if "drug" in data:
        values["drug"] = _choice(data["drug"], f"{where}.drug", ENUMS["service_drug"], "photosensitizer drug")
    if "drug_units" in data:
        values["drug_units"] = _int(data["drug_units"], f"{where}.drug_units", 1)
    if "modality" in data:
        values["modality"] = _choice(data["modality"], f"{where}.modality", ENUMS["modality"], "modality")
    if "area_cm2" in data:
        values["area_cm2"] = _size(data["area_cm2"], f"{where}.area_cm2")
    if "nails" in data:
        values["nails"] = _int(data["nails"], f"{where}.nails", 1, 10)
    if "digits" in data:
        digits = data["digits"]
        if not isinstance(digits, list) or not digits:
            raise field_error(f"{where}.digits", "must be a list of digits, e.g. [\"right_great_toe\"]")
        chosen = tuple(_choice(d, f"{where}.digits[{i}]", DIGITS, "digit") for i, d in enumerate(digits))
        if len(set(chosen)) != len(chosen):
            raise field_error(f"{where}.digits", "lists the same digit twice")
        values["digits"] = chosen
    if "diagnoses" in data:
        values["diagnoses"] = _diagnosis_list(data["diagnoses"], f"{where}.diagnoses")
    return Service(**values)


def _visit(raw: Any) -> Visit | None:
    if raw is None:
        return None
    allowed = frozenset({"category", "level", "separately_identifiable", "diagnoses", "reason"})
    data = expect_object(raw, "visit", allowed, ("category", "level"))
    category = _choice(data["category"], "visit.category", ("new", "established"), "visit category")
    level = _int(data["level"], "visit.level", 2 if category == "new" else 1, 5)
    return Visit(
        category=category,
        level=level,
        separately_identifiable=_bool(data.get("separately_identifiable", False), "visit.separately_identifiable"),
        diagnoses=_diagnosis_list(data.get("diagnoses", []), "visit.diagnoses"),
        reason=_choice(data.get("reason", "problem"), "visit.reason", ("problem", "surveillance", "screening"),
                       "visit reason"),
    )


def _prior(raw: Any, where: str, date_of_service: datetime.date) -> PriorProcedure:
    data = expect_object(raw, where, frozenset({"date_of_service", "code", "related", "site", "laterality"}),
                   ("date_of_service", "code"))
    day = _date(data["date_of_service"], f"{where}.date_of_service")
    if day > date_of_service:
        raise field_error(f"{where}.date_of_service",
                          f"{day} is after this encounter's date of service ({date_of_service})")
    code = data["code"]
    if not isinstance(code, str) or not re.fullmatch(r"[0-9A-Z][0-9]{3}[0-9A-Z]", code):
        raise field_error(f"{where}.code", f"'{code}' is not a CPT/HCPCS code (five characters, e.g. 11602)")
    site = _choice(data["site"], f"{where}.site", SITE_SET, "site") if "site" in data else None
    return PriorProcedure(
        date_of_service=day,
        code=code,
        related=_bool(data.get("related", False), f"{where}.related"),
        site=site,
        laterality=_laterality(data, site, where, required=False),
        where=where,
    )


def _history(raw: Any, where: str) -> HistoryItem:
    allowed = frozenset({"diagnosis", "site", "laterality", "treatment_completed"})
    data = expect_object(raw, where, allowed, ("diagnosis",))
    site = _choice(data["site"], f"{where}.site", SITE_SET, "site") if "site" in data else None
    return HistoryItem(
        diagnosis=_dx(data["diagnosis"], f"{where}.diagnosis"),
        site=site,
        laterality=_laterality(data, site, where, required=False),
        treatment_completed=_bool(data.get("treatment_completed", True), f"{where}.treatment_completed"),
        where=where,
    )


def parse_encounter(doc: Any) -> Encounter:
    """Validate one encounter document strictly and return it typed; InvalidInput names the first bad field."""
    allowed = frozenset({"date_of_service", "payer", "patient", "visit", "lesions", "services", "prior_procedures",
                         "history"})
    data = expect_object(doc, "", allowed, ("date_of_service", "payer", "patient", "lesions"))
    date_of_service = _date(data["date_of_service"], "date_of_service")
    patient = expect_object(data["patient"], "patient", frozenset({"age", "sex"}), ("age", "sex"))
    lesions_raw = data["lesions"]
    if not isinstance(lesions_raw, list):
        raise field_error("lesions", "must be a list (empty when no lesion was treated)")
    lesions = tuple(_lesion(lesion, f"lesions[{i}]") for i, lesion in enumerate(lesions_raw))
    seen: dict[str, str] = {}
    for lesion in lesions:
        if lesion.id in seen:
            raise field_error(f"{lesion.where}.id", f"'{lesion.id}' is already the id of {seen[lesion.id]}")
        seen[lesion.id] = lesion.where
    services_raw = data.get("services", [])
    if not isinstance(services_raw, list):
        raise field_error("services", "must be a list")
    prior_raw = data.get("prior_procedures", [])
    history_raw = data.get("history", [])
    if not isinstance(prior_raw, list):
        raise field_error("prior_procedures", "must be a list")
    if not isinstance(history_raw, list):
        raise field_error("history", "must be a list")
    return Encounter(
        date_of_service=date_of_service,
        payer=_choice(data["payer"], "payer", PAYERS, "payer"),
        age=_int(patient["age"], "patient.age", 0, 120),
        sex=_choice(patient["sex"], "patient.sex", ("F", "M", "U"), "sex (F, M or U)"),
        visit=_visit(data.get("visit")),
        lesions=lesions,
        services=tuple(_service(s, f"services[{i}]") for i, s in enumerate(services_raw)),
        prior_procedures=tuple(_prior(p, f"prior_procedures[{i}]", date_of_service) for i, p in enumerate(prior_raw)),
        history=tuple(_history(h, f"history[{i}]") for i, h in enumerate(history_raw)),
    )
