"""Procedure words -> procedure types and techniques; repair complexity."""

from __future__ import annotations

import pytest

from dermbill.notes.procedures import find_procedures, repair_complexity


@pytest.mark.parametrize(("text", "kind", "detail"), [
    ("shave biopsy", "biopsy", "tangential"), ("sbx", "biopsy", "tangential"), ("pbx", "biopsy", "punch"),
    ("4 mm punch biopsy", "biopsy", "punch"), ("incisional biopsy", "biopsy", "incisional"),
    ("biopsy", "biopsy", None), ("shave removal", "shave_removal", None),
    ("excision", "excision", None), ("elliptical excision", "excision", None),
    ("ED&C", "destruction", "electrosurgery"), ("ED+C", "destruction", "electrosurgery"),
    ("C&D", "destruction", "electrosurgery"), ("LN2", "destruction", "cryotherapy"),
    ("cryotherapy", "destruction", "cryotherapy"), ("liquid nitrogen", "destruction", "cryotherapy"),
    ("curettage", "destruction", "curettage"), ("Mohs", "mohs", None),
    ("advancement flap", "adjacent_tissue_transfer", None), ("I&D", "incision_drainage", None),
    ("ILK", "intralesional_injection", None), ("snip excision", "skin_tag_removal", None),
    ("pared", "paring", None), ("PDT", "photodynamic_therapy", None), ("NB-UVB", "phototherapy", None),
    ("layered closure", "repair", None),
])
def test_procedure_words(text: str, kind: str, detail: str | None) -> None:
    found = find_procedures(text)
    assert found and (found[0].type, found[0].detail) == (kind, detail)


def test_not_procedures() -> None:
    assert find_procedures("biopsy-proven BCC") == []
    assert find_procedures("anesthetized with lidocaine injection") == []
    assert find_procedures("hemostasis achieved, dressing applied") == []
    assert find_procedures("prior biopsy showed BCC") == []


def test_a_curette_biopsy_is_tangential() -> None:
    [found] = find_procedures("curette biopsy")
    assert (found.type, found.detail) == ("biopsy", "tangential")


@pytest.mark.parametrize(("text", "complexity"), [
    ("layered closure", "intermediate"), ("closed in layers", "intermediate"), ("intermediate repair", "intermediate"),
    ("complex repair with extensive undermining", "complex"), ("simple interrupted sutures", "simple"),
    ("closure 3 cm", None),
])
def test_repair_complexity(text: str, complexity: str | None) -> None:
    assert repair_complexity(text) == complexity
