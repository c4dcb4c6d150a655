"""The coder's "read a note" panel: a pasted note in, its facts highlighted where they were read, the codes, the
gaps as provider queries, the mentions not coded; the encounter corrected and coded again."""

from __future__ import annotations

import html
import re

from page_world import Pages, pages  # noqa: F401 (the fixture)

from dermbill.notes.model import Fact, Ignored
from dermbill.web.pages.note_reading import segments

NOTE = """DOS: 2026-04-14. 71 yo M, Medicare.
Procedure: shave biopsy of a 0.6 cm pearly papule on the left dorsal forearm.
Patient declined cryotherapy of the SKs on the back. Will schedule Mohs if path shows BCC.
"""
HEADER = {"date_of_service": "", "payer": "", "age": "", "sex": ""}


def test_a_note_is_read_highlighted_and_coded(pages: Pages) -> None:  # noqa: F811
    pages.as_("coder")
    page = pages.client.get("/coding/note")
    assert page.status_code == 200 and 'name="note"' in page.text
    answer = pages.post("/coding/note", note=NOTE, action="read", **HEADER)
    assert answer.status_code == 200, answer.text[:500]
    text = answer.text
    assert "<th scope=\"row\">11102</th>" in text  # the shave biopsy, and only it
    assert "17110" not in text and "17311" not in text  # declined and planned are not coded
    marked = [html.unescape(m) for m in re.findall(r'<mark class="fact"[^>]*>(.*?)</mark>', text, re.S)]
    assert any("0.6 cm" in m for m in marked) and any("forearm" in m for m in marked)
    assert re.search(r'<mark class="ignored"[^>]*>[^<]*(cryotherapy|Mohs)', text)
    assert 'name="encounter_json"' in text and "&#34;forearm&#34;" in text


def test_the_encounter_is_corrected_and_coded_again(pages: Pages) -> None:  # noqa: F811
    pages.as_("coder")
    encounter = ('{"date_of_service": "2026-04-14", "payer": "medicare", "patient": {"age": 71, "sex": "M"}, '
                 '"visit": null, "lesions": [{"id": "A", "site": "forearm", "laterality": "left", '
                 '"diagnosis": "neoplasm_unspecified_behavior", "diameter_cm": 0.6, '
                 '"procedures": [{"type": "biopsy", "technique": "punch"}]}], "services": []}')
    answer = pages.post("/coding/note", note=NOTE, action="recode", encounter_json=encounter, **HEADER)
    assert answer.status_code == 200 and "<th scope=\"row\">11104</th>" in answer.text  # punch now
    broken = pages.post("/coding/note", note=NOTE, action="recode", encounter_json="{not json", **HEADER)
    assert broken.status_code == 422 and "not valid JSON (line 1, column 2" in broken.text


def test_bad_input_is_named_and_only_coders_may_read_notes(pages: Pages) -> None:  # noqa: F811
    pages.as_("coder")
    assert "Paste the provider" in pages.post("/coding/note", note="  ", action="read", **HEADER).text
    bad = pages.post("/coding/note", note=NOTE, action="read", **(HEADER | {"age": "old"}))
    assert bad.status_code == 422 and "Age: give the age in whole years" in bad.text
    assert pages.client.post("/coding/note", data={"note": NOTE}).status_code == 403  # no CSRF token
    pages.as_("front_desk")
    assert pages.client.get("/coding/note").status_code == 403


def test_segments_join_back_to_the_note_and_overlaps_keep_the_first() -> None:
    text = "shave bx 0.6 cm L forearm; declined LN2"
    facts = [Fact("lesions[0].diameter_cm", 0.6, 9, 15, "0.6 cm"), Fact("lesions[0].site", "forearm", 18, 25,
                                                                          "forearm"),
             Fact("lesions[0].laterality", "left", 16, 25, "L forearm")]
    ignored = [Ignored("negated", "declined LN2", 27, 39)]
    parts = segments(text, facts, ignored)
    assert "".join(p.text for p in parts) == text
    assert [(p.text, p.field, p.ignored) for p in parts if p.field or p.ignored] == [
        ("0.6 cm", "lesions[0].diameter_cm", None), ("L forearm", "lesions[0].laterality", None),
        ("declined LN2", None, "negated")]
