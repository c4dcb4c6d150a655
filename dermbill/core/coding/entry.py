"""The encounter entry screen's fields as an encounter document (encounter format v1), and its errors back in words.

A lesion is a row of the lesion table: site, side, diagnosis, pathology, size, count, one procedure with its detail
(technique for a biopsy, margin for an excision, method for a destruction) and a repair of its wound. Rows are
lettered A, B, C ... in order; a row with nothing typed in it is no lesion. Numbers stay text here: the engine's
parser reads them exactly and names a bad one (``lesions[1].diameter_cm``), which ``in_words`` says as the screen
does ("lesion B, size: ...").

Example: the row (forearm, left, seborrheic_keratosis, size 0.8, shave_removal) ->
``{"id": "A", "site": "forearm", "laterality": "left", "diagnosis": "seborrheic_keratosis", "diameter_cm": "0.8",
"procedures": [{"type": "shave_removal"}]}``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from typing import Any

LESION_FIELDS = ("site", "side", "diagnosis", "pathology", "diameter_cm", "count", "procedure", "technique",
                 "margin_cm", "method", "repair", "repair_length_cm")
PROCEDURES = ("biopsy", "shave_removal", "excision", "destruction", "skin_tag_removal", "paring")
DETAIL = {"biopsy": "technique", "destruction": "method"}  # the procedure -> the field naming how it was done
LETTERS = string.ascii_uppercase
FIELD_WORDS = {
    "site": "site", "laterality": "side", "diagnosis": "diagnosis", "pathology": "pathology",
    "diameter_cm": "size", "count": "count", "technique": "technique", "margin_cm": "margin", "method": "method",
    "complexity": "repair", "length_cm": "repair length", "type": "procedure", "date_of_service": "date of service",
    "payer": "payer", "patient.age": "age", "patient.sex": "sex", "visit.level": "visit level",
    "visit.category": "visit", "id": "letter",
}


def lesion_id(index: int) -> str:
    """The letter of the row at ``index`` (0 -> A ... 25 -> Z, 26 -> AA)."""
    return LETTERS[index] if index < len(LETTERS) else LETTERS[index // len(LETTERS) - 1] + LETTERS[index % 26]


def is_blank(row: Mapping[str, str]) -> bool:
    return not any((row.get(name) or "").strip() for name in LESION_FIELDS if name != "side")


def _number(text: str) -> Any:
    """A typed number as the document holds it: an int when whole, else the text (read exactly by the parser)."""
    text = text.strip()
    return int(text) if text.isdigit() else text


def lesion_document(index: int, row: Mapping[str, str]) -> dict[str, Any]:
    """One row of the lesion table as a lesion of the encounter format."""
    value = {name: (row.get(name) or "").strip() for name in LESION_FIELDS}
    lesion: dict[str, Any] = {"id": lesion_id(index), "site": value["site"], "diagnosis": value["diagnosis"]}
    if value["side"]:
        lesion["laterality"] = value["side"]
    if value["pathology"]:
        lesion["pathology"] = value["pathology"]
    if value["diameter_cm"]:
        lesion["diameter_cm"] = _number(value["diameter_cm"])
    if value["count"]:
        lesion["count"] = _number(value["count"])
    procedures: list[dict[str, Any]] = []
    kind = value["procedure"]
    if kind:
        procedure: dict[str, Any] = {"type": kind}
        detail = DETAIL.get(kind)
        if detail and value[detail]:
            procedure[detail] = value[detail]
        if kind == "excision" and value["margin_cm"]:
            procedure["margin_cm"] = _number(value["margin_cm"])
        procedures.append(procedure)
    if value["repair"] or value["repair_length_cm"]:
        repair: dict[str, Any] = {"type": "repair"}
        if value["repair"]:
            repair["complexity"] = value["repair"]
        if value["repair_length_cm"]:
            repair["length_cm"] = _number(value["repair_length_cm"])
        procedures.append(repair)
    lesion["procedures"] = procedures
    return lesion


def encounter_document(header: Mapping[str, str], rows: Sequence[Mapping[str, str]]) -> dict[str, Any]:
    """The document of the screen: the header (date_of_service, payer, age, sex, visit_category, visit_level,
    separately_identifiable) and the lesion rows, blank rows left out (the letters stay those of the rows)."""
    def typed(name: str) -> str:
        return (header.get(name) or "").strip()

    document: dict[str, Any] = {
        "date_of_service": typed("date_of_service"), "payer": typed("payer"),
        "patient": {"age": _number(typed("age")) if typed("age") else "", "sex": typed("sex")},
        "visit": None,
        "lesions": [lesion_document(index, row) for index, row in enumerate(rows) if not is_blank(row)],
        "services": [],
    }
    if typed("visit_category"):
        document["visit"] = {"category": typed("visit_category"),
                             "level": _number(typed("visit_level")) if typed("visit_level") else "",
                             "separately_identifiable": typed("separately_identifiable") in ("on", "true", "1")}
    return document


def rows_of(document: Mapping[str, Any]) -> list[dict[str, str]]:
    """The lesion table's rows of a saved document (the screen shows a saved encounter as it was typed)."""
    rows: list[dict[str, str]] = []
    for lesion in document.get("lesions") or []:
        row = {name: "" for name in LESION_FIELDS}
        row.update(site=str(lesion.get("site", "")), side=str(lesion.get("laterality") or ""),
                   diagnosis=str(lesion.get("diagnosis", "")), pathology=str(lesion.get("pathology") or ""),
                   diameter_cm=_text(lesion.get("diameter_cm")), count=_text(lesion.get("count")))
        for procedure in lesion.get("procedures") or []:
            kind = procedure.get("type")
            if kind == "repair":
                row.update(repair=str(procedure.get("complexity") or ""),
                           repair_length_cm=_text(procedure.get("length_cm")))
            elif not row["procedure"]:
                row.update(procedure=str(kind), technique=str(procedure.get("technique") or ""),
                           margin_cm=_text(procedure.get("margin_cm")), method=str(procedure.get("method") or ""))
        position = LETTERS.find(str(lesion.get("id", ""))) if len(str(lesion.get("id", ""))) == 1 else -1
        while len(rows) < position:  # a row left blank when it was typed keeps its place (and the letters theirs)
            rows.append({name: "" for name in LESION_FIELDS})
        rows.append(row)
    return rows


def header_of(document: Mapping[str, Any]) -> dict[str, str]:
    """The entry screen's header fields of a saved document."""
    patient = document.get("patient") or {}
    visit = document.get("visit") or {}
    return {"date_of_service": _text(document.get("date_of_service")), "payer": _text(document.get("payer")),
            "age": _text(patient.get("age")), "sex": _text(patient.get("sex")),
            "visit_category": _text(visit.get("category")), "visit_level": _text(visit.get("level")),
            "separately_identifiable": "on" if visit.get("separately_identifiable") else ""}


def _facts(value: Any, path: str) -> dict[str, str]:
    """Every documented fact as path -> text; a lesion by its letter and a procedure by its kind, so that the order
    the screen writes them in does not count as a change."""
    if isinstance(value, Mapping):
        found: dict[str, str] = {}
        for key, item in value.items():
            found.update(_facts(item, f"{path}.{key}" if path else str(key)))
        return found
    if isinstance(value, list):
        found = {}
        kinds: dict[str, int] = {}
        for index, item in enumerate(value):
            if isinstance(item, Mapping) and ("id" in item or "type" in item):
                key = str(item.get("id") or item.get("type"))
                kinds[key] = kinds.get(key, 0) + 1
                key = key if kinds[key] == 1 else f"{key}#{kinds[key]}"
            else:
                key = str(index)
            found.update(_facts(item, f"{path}[{key}]"))
        return found
    if value is None or value == "" or value is False:
        return {}
    return {path: str(value)}


def beyond_the_form(document: Mapping[str, Any]) -> list[str]:
    """The facts of a saved document that the entry screen has no field for (Mohs stages, a second procedure on a
    lesion, services, history ...): saving the screen's version would lose them, so it must not correct it."""
    kept = _facts(encounter_document(header_of(document), rows_of(document)), "")
    return sorted(path for path, value in _facts(document, "").items() if kept.get(path) != value)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def in_words(message: str, lesion_ids: Sequence[str]) -> str:
    """An engine message naming a field of the document, said as the screen names it:
    ``lesions[1].procedures[0].margin_cm: ...`` -> ``lesion B, margin: ...``."""
    found = re.match(r"lesions\[(\d+)\](?:\.procedures\[\d+\])?\.([\w.]+): (.*)", message, re.S)
    if found:
        index, name, rest = int(found.group(1)), found.group(2), found.group(3)
        letter = lesion_ids[index] if index < len(lesion_ids) else str(index + 1)
        return f"lesion {letter}, {FIELD_WORDS.get(name, name.replace('_', ' '))}: {rest}"
    head, colon, rest = message.partition(": ")
    if colon and head in FIELD_WORDS:
        return f"{FIELD_WORDS[head]}: {rest}"
    return message
