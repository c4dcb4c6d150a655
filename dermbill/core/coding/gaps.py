"""Documentation gaps in a provider's words: what the note is missing, and what that stops the coder from choosing.

The engine names each missing fact (``Notice.gap``, on its ``missing_documentation`` warnings); ``gap_sentence``
turns it into the sentence a coder sends the provider as a query:

    lesion B (left forearm), excision without a margin ->
    "Lesion B (left forearm): no margin documented, so the excised diameter and the code cannot be chosen."

Holds (a pathology report not final) and the engine's other warnings are said as the engine says them, after the
lesion they concern.
"""

from __future__ import annotations

from dataclasses import dataclass

from dermbill.core.coding.result import CodingResult, Notice

# gap kind -> what is missing, so what cannot be chosen (after "Lesion B (left forearm): " or the service's name)
SENTENCES = {
    "biopsy_technique": "the biopsy technique (shave, punch or incisional) is not documented, so the biopsy code "
                        "cannot be chosen",
    "shave_diameter": "no lesion size documented, so the shave removal code (chosen by size) cannot be chosen",
    "excision_diameter": "no lesion size documented, so the excised diameter and the code cannot be chosen",
    "excision_margin": "no margin documented, so the excised diameter and the code cannot be chosen",
    "flap_area": "the flap's defect area (primary plus secondary defect, in sq cm) is not documented, so the flap "
                 "code cannot be chosen",
    "repair_complexity": "the repair's complexity (simple, intermediate or complex) is not documented, so the repair "
                         "cannot be coded",
    "repair_length": "the length of the repaired wound is not documented, so the repair code cannot be chosen",
    "vascular_area": "the area treated (sq cm) is not documented, so the destruction code cannot be chosen",
    "destruction_diameter": "no lesion size documented, so the destruction code (chosen by size) cannot be chosen",
    "mohs_stages": "the Mohs stages and the tissue blocks of each are not documented, so the Mohs codes cannot be "
                   "chosen",
    "injection_dose": "the drug injected and its total dose (mg) are not documented, so the drug cannot be billed",
    "nail_count": "the number of nails debrided is not documented, so the code cannot be chosen",
    "avulsion_digits": "which nails were removed is not documented, so the avulsion codes and their digit modifiers "
                       "cannot be chosen",
    "pdt_illumination": "who applied the drug and the light (the physician or staff) is not documented, so the code "
                        "cannot be chosen",
    "pdt_drug": "the photosensitizing drug and the amount used are not documented, so the drug cannot be billed",
    "phototherapy_modality": "the kind of light treatment (UVB, tar and UVB, PUVA or excimer laser) is not "
                             "documented, so the code cannot be chosen",
    "excimer_area": "the total skin area treated with the excimer laser (sq cm) is not documented, so the code "
                    "cannot be chosen",
}
SERVICE_NAMES = {
    "nail_debridement": "Nail debridement", "nail_avulsion": "Nail avulsion",
    "photodynamic_therapy": "Photodynamic therapy", "phototherapy": "Phototherapy",
}
PENDING_SENTENCE = ("the pathology report is not final, so its code (benign or malignant) and diagnosis wait for "
                    "the report")


@dataclass(frozen=True, slots=True)
class Gap:
    """One thing a coder reads beside the codes: a documentation gap, a hold or another warning."""

    kind: str  # the gap kind, "pathology_pending", or the warning's code
    lesion: str | None
    sentence: str
    askable: bool  # a documentation gap: it may be sent to the provider as a query


def gap_sentence(notice: Notice, place: str | None = None, service: str | None = None) -> str:
    """The notice in a provider's words. ``place`` is where the lesion is ("left forearm"); ``service`` the type of
    the service a gap of no lesion concerns ("phototherapy")."""
    if notice.lesion is not None:
        subject = f"Lesion {notice.lesion}" + (f" ({place})" if place else "")
    elif service is not None:
        subject = SERVICE_NAMES.get(service, service.replace("_", " ").capitalize())
    else:
        subject = "The encounter"
    if notice.code == "pathology_pending":
        words = PENDING_SENTENCE
    elif notice.gap in SENTENCES:
        words = SENTENCES[notice.gap]
    else:
        message = notice.message
        # The engine's message starts with the field it concerns (lesions[1].procedures[0]: ...): said above.
        head, colon, rest = message.partition(": ")
        words = rest if colon and ("[" in head or head in ("visit",)) else message
    return f"{subject}: {words.rstrip('.')}."


def gaps_of(result: CodingResult, places: dict[str, str], services: dict[str, str]) -> list[Gap]:
    """Every hold and warning of a result, in words; ``places`` maps lesion id -> where, ``services`` a service's
    position in the documentation ("services[0]") -> its type."""
    found = []
    for notice in (*result.holds, *result.warnings):
        service = next((kind for where, kind in services.items() if notice.message.startswith(where)), None)
        sentence = gap_sentence(notice, places.get(notice.lesion or ""), service)
        found.append(Gap(notice.gap or notice.code, notice.lesion, sentence, bool(notice.gap)))
    return found
