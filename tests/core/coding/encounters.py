"""Small builders of encounter documents for the coding tests (obviously fake patients)."""

from __future__ import annotations

from typing import Any


def encounter(*lesions: dict[str, Any], payer: str = "commercial", visit: dict[str, Any] | None = None,
              services: list[dict[str, Any]] | None = None, dos: str = "2026-05-04", age: int = 60,
              sex: str = "F", **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"date_of_service": dos, "payer": payer, "patient": {"age": age, "sex": sex},
                           "visit": visit, "lesions": list(lesions), "services": services or []}
    doc.update(extra)
    return doc


def lesion(lesion_id: str = "A", site: str = "back_upper", diagnosis: str = "bcc", *procedures: dict[str, Any],
           laterality: str | None = None, **facts: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"id": lesion_id, "site": site, "diagnosis": diagnosis, "procedures": list(procedures)}
    if laterality:
        data["laterality"] = laterality
    data.update(facts)
    return data


def excision(margin: float | None = None, **facts: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"type": "excision", **facts}
    if margin is not None:
        data["margin_cm"] = margin
    return data


def repair(complexity: str, length: float) -> dict[str, Any]:
    return {"type": "repair", "complexity": complexity, "length_cm": length}


def codes(result: Any) -> list[tuple[str, int, tuple[str, ...]]]:
    """(code, units, modifiers) of each line, sorted: what the grading compares."""
    return sorted((line.code, line.units, tuple(sorted(line.modifiers))) for line in result.lines)
