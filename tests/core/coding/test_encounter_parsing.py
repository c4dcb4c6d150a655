"""Strict validation: an invalid document is an error naming the field, never a guess."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from encounters import encounter, excision, lesion

from dermbill.core.coding.encounter import parse_encounter
from dermbill.core.errors import InvalidInput


def _bad(doc: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_encounter(doc)


def test_unknown_site_suggests_the_closest() -> None:
    _bad(encounter(lesion("A", "nose tip", "bcc")),
         r"lesions\[0\].site: 'nose tip' is not a site; did you mean 'nose'\?")


def test_unknown_keys_are_errors_with_a_suggestion() -> None:
    _bad(encounter(lesion("A", "nose", "bcc", diamter_cm=1.0)),
         r"lesions\[0\].diamter_cm: .*did you mean 'diameter_cm'")
    _bad(dict(encounter(), extra=1), r"extra: is not a known field")
    _bad(encounter(lesion("A", "nose", "bcc", excision(0.2, margins_cm=0.2))), r"procedures\[0\].margins_cm")


def test_paired_sites_need_a_side_and_unpaired_sites_refuse_one() -> None:
    _bad(encounter(lesion("A", "forearm", "bcc")), r"lesions\[0\].laterality: is required for 'forearm'")
    _bad(encounter(lesion("A", "nose", "bcc", laterality="left")), "'nose' is not a paired site")


@pytest.mark.parametrize(("field", "value", "message"), [
    ("diameter_cm", -1, "must be more than zero"), ("diameter_cm", "big", "is not a number"),
    ("diameter_cm", True, "must be a number"), ("count", 0, "must be at least 1"), ("count", 1.5, "whole number"),
    ("diagnosis", "basal cell", "is not a diagnosis key or an ICD-10-CM code"),
    ("diagnosis", "c44.311", "must be written in capitals"), ("symptoms", ["sore"], "is not a symptom"),
])
def test_bad_lesion_values_name_the_field(field: str, value: Any, message: str) -> None:
    doc = encounter(lesion("A", "nose", "bcc"))
    doc["lesions"][0][field] = value
    _bad(doc, rf"lesions\[0\].{field}.*{message}")


def test_duplicate_lesion_ids_and_bad_top_level_values() -> None:
    _bad(encounter(lesion("A", "nose", "bcc"), lesion("A", "chin", "bcc")), r"lesions\[1\].id: 'A' is already")
    _bad(encounter(payer="medicaire"), "payer: 'medicaire' is not a payer; did you mean 'medicare'")
    _bad(encounter(dos="03/02/2026"), "date_of_service: '03/02/2026' is not a date")
    _bad({"payer": "medicare"}, "date_of_service")
    _bad([], "must be an object")


def test_prior_procedure_after_the_visit_is_contradictory() -> None:
    _bad(encounter(prior_procedures=[{"date_of_service": "2026-06-01", "code": "11602"}]), "is after this encounter")


def test_sizes_are_exact_decimals() -> None:
    parsed = parse_encounter(encounter(lesion("A", "nose", "bcc", excision(0.2), diameter_cm=0.7)))
    assert parsed.lesions[0].diameter_cm == Decimal("0.7")
    assert parsed.lesions[0].procedures[0].margin_cm == Decimal("0.2")
