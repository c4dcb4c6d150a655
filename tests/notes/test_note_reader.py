"""Whole notes through read_note and code_note: spans, gaps, ignored mentions and exact codes.

The notes are written here for the tests (fake patients); none is a worked case of the shared examples.
"""

from __future__ import annotations

import datetime

import pytest

from dermbill.notes import code_note, read_note

DAY = datetime.date(2026, 6, 1)


def _codes(text: str, **kw: object) -> list[tuple[str, int, tuple[str, ...]]]:
    result = code_note(text, date_of_service=DAY, payer=kw.get("payer", "medicare"), age=70, sex="F")  # type: ignore[arg-type]
    assert result.coding is not None, result.error
    return sorted((line.code, line.units, tuple(line.modifiers)) for line in result.coding.lines)


def test_every_fact_quotes_the_text_at_its_span() -> None:
    text = ("DOS: 2026-06-01. 70 yo F, Medicare.\nProcedure: excision of biopsy-proven SCC, L dorsal hand. "
            "Lesion 1.2 x 0.8 cm, excised with 4 mm margins. Layered closure, length 3.2 cm.")
    reading = read_note(text)
    assert reading.facts
    for fact in reading.facts:
        assert text[fact.start:fact.end] == fact.quote
    quoted = {f.field: f.quote for f in reading.facts}
    assert quoted["lesions[0].diameter_cm"] == "1.2 x 0.8 cm"
    assert quoted["lesions[0].procedures[0].margin_cm"] == "4 mm"
    assert quoted["lesions[0].procedures[1].length_cm"] == "3.2 cm"
    assert quoted["lesions[0].site"] == "L dorsal hand"
    assert quoted["date_of_service"] == "2026-06-01"


def test_header_facts_are_read_and_keyword_arguments_override_them() -> None:
    text = "DOS: 04/14/2026   71 yo M   Ins: Medicare\nCryotherapy of 3 AKs on the scalp."
    encounter = read_note(text).encounter
    assert (encounter["date_of_service"], encounter["payer"], encounter["patient"]) == \
        ("2026-04-14", "medicare", {"age": 71, "sex": "M"})
    encounter = read_note(text, payer="commercial", age=60, sex="F").encounter
    assert (encounter["payer"], encounter["patient"]) == ("commercial", {"age": 60, "sex": "F"})


def test_excision_with_intermediate_repair() -> None:
    text = ("Excision of biopsy-proven SCC, L dorsal hand. Lesion measured 1.2 x 0.8 cm. Excised with 4 mm margins. "
            "Closed in layers; repaired length 3.2 cm. Pathology: squamous cell carcinoma, margins clear.")
    assert _codes(text) == [("11622", 1, ()), ("12042", 1, ())]


def test_biopsies_of_three_lesions_with_path_by_number() -> None:
    text = ("#1 R anterior thigh: 0.5 cm papule, 4 mm punch biopsy.\n#2 mid upper back: 0.7 cm macule, shave biopsy.\n"
            "#3 L shoulder: 0.8 cm plaque, shave biopsy.\nPath: #1 dermatofibroma. #2 compound nevus. #3 superficial "
            "basal cell carcinoma.")
    result = code_note(text, date_of_service=DAY, payer="commercial", age=58, sex="F")
    assert result.coding is not None
    assert sorted((line.code, line.units) for line in result.coding.lines) == [("11103", 2), ("11104", 1)]
    assert set(result.coding.diagnoses) == {"D23.71", "D22.5", "C44.619"}


def test_mohs_stages_and_flap() -> None:
    text = ("Mohs surgery note. Site: R nasal tip. Pre-op diagnosis: BCC.\nStage I: 3 blocks, positive.\n"
            "Stage II: 2 blocks, positive.\nStage III: 1 block, clear.\nRepair: bilobed flap; primary and secondary "
            "defect total 6.5 sq cm.")
    assert _codes(text) == [("14060", 1, ()), ("17311", 1, ()), ("17312", 2, ())]


def test_destruction_of_aks_on_both_forearms_counts_each_side() -> None:
    text = "Liquid nitrogen to 14 actinic keratoses: 4 on each forearm and 3 on each dorsal hand."
    assert _codes(text) == [("17000", 1, ()), ("17003", 13, ())]


def test_intralesional_dose_from_concentration_and_volume() -> None:
    reading = read_note("ILK to a keloid on the chest: Kenalog 10 mg/mL, 0.3 cc injected.")
    [procedure] = reading.encounter["lesions"][0]["procedures"]
    assert procedure == {"type": "intralesional_injection", "drug": "triamcinolone_acetonide", "dose_mg": 3}


@pytest.mark.parametrize(("sentence", "reason"), [
    ("Will schedule Mohs for the BCC of the R nasal ala.", "planned"),
    ("RTC for excision of the back cyst.", "planned"),
    ("Consider ED&C of the SCC on the L forearm.", "hypothetical"),
    ("S/p excision of melanoma of the upper back in 2019.", "historical"),
    ("Pt declined cryotherapy of the AKs on the scalp.", "negated"),
    ("No biopsy of the L cheek lesion today.", "negated"),
    ("Family history: melanoma in mother.", "family"),
])
def test_what_was_not_done_is_never_coded(sentence: str, reason: str) -> None:
    result = code_note(sentence, date_of_service=DAY, payer="medicare", age=70, sex="F")
    assert result.coding is None or result.coding.lines == ()
    assert reason in {i.reason for i in result.reading.ignored}
    for item in result.reading.ignored:
        assert sentence[item.start:item.end] == item.quote


def test_a_performed_procedure_next_to_a_planned_one() -> None:
    text = "Shave biopsy of a 0.6 cm papule on the L forearm performed. Will schedule Mohs if path shows BCC."
    assert _codes(text) == [("11102", 1, ())]


def test_examined_but_not_treated() -> None:
    text = "Exam: scattered SKs on the back, reassured. Cryotherapy of 2 AKs on the forehead."
    reading = read_note(text)
    assert [lesion["diagnosis"] for lesion in reading.encounter["lesions"]] == ["actinic_keratosis"]
    assert "examined_only" in {i.reason for i in reading.ignored}


def test_missing_margins_is_a_gap_and_no_excision_code_is_guessed() -> None:
    text = "Excision of biopsy-proven BCC, L forearm, lesion 1.0 cm. Simple closure 3.0 cm."
    result = code_note(text, date_of_service=DAY, payer="medicare", age=70, sex="F")
    [gap] = [g for g in result.reading.gaps if g.field == "margin_cm"]
    assert "forearm" in gap.message and gap.default_used is None
    assert text[gap.start:gap.end] == "Excision"
    assert result.coding is not None and not result.coding.lines
    assert "missing_documentation" in {w.code for w in result.coding.warnings}


def test_biopsy_technique_missing_uses_the_lowest_code_and_says_so() -> None:
    result = code_note("Biopsy of a 0.5 cm papule, R forearm.", date_of_service=DAY, payer="medicare", age=70, sex="F")
    [gap] = [g for g in result.reading.gaps if g.field == "technique"]
    assert gap.default_used and "11102" in gap.default_used
    assert result.coding is not None and [line.code for line in result.coding.lines] == ["11102"]


def test_missing_side_of_a_paired_site_is_a_gap_and_the_encounter_waits() -> None:
    result = code_note("Shave biopsy of a 0.5 cm papule on the forearm.", date_of_service=DAY, payer="medicare",
                       age=70, sex="F")
    assert "laterality" in {g.field for g in result.reading.gaps}
    assert result.coding is None and result.error


def test_mohs_without_blocks_assumes_no_more_than_five() -> None:
    result = code_note("Mohs for BCC of the nasal tip, 2 stages, clear after stage 2.", date_of_service=DAY,
                       payer="medicare", age=70, sex="F")
    assert "stages" in {g.field for g in result.reading.gaps}
    assert result.coding is not None
    assert sorted((line.code, line.units) for line in result.coding.lines) == [("17311", 1), ("17312", 1)]


def test_separate_visit_with_its_own_problem_gets_25() -> None:
    text = ("Est. pt. Psoriasis vulgaris of the elbows reviewed, topical changed; documented level 99213, separate "
            "from procedure. Also cryotherapy of 4 AKs on scalp.")
    assert _codes(text) == [("17000", 1, ()), ("17003", 3, ()), ("99213", 1, ("25",))]


def test_to_json_has_every_part() -> None:
    result = code_note("Cryotherapy of 3 AKs on the scalp.", date_of_service=DAY, payer="medicare", age=70, sex="F")
    data = result.to_json()
    assert set(data) == {"encounter", "codes", "facts", "gaps", "ignored"}
    assert set(data["codes"]) == {"lines", "diagnoses", "holds", "warnings"}


def test_surveillance_visit_codes_the_history_of_a_treated_melanoma() -> None:
    text = ("Est pt, 6-month skin check. HPI: Hx melanoma R upper back, s/p WLE 2022, completed treatment. "
            "Exam: TBSE - WLE scar well healed, no suspicious lesions. No lesions treated today. "
            "A/P: Personal history of melanoma, NED. Surveillance q6mo. (99213)")
    result = code_note(text, date_of_service=DAY, payer="medicare", age=67, sex="M")
    encounter = result.reading.encounter
    assert encounter["lesions"] == []
    assert encounter["history"] == [{"diagnosis": "melanoma", "site": "back_upper", "treatment_completed": True}]
    assert encounter["visit"]["reason"] == "surveillance"
    assert result.coding is not None
    assert [line.code for line in result.coding.lines] == ["99213"]
    assert set(result.coding.diagnoses) == {"Z08", "Z85.820"}


def test_re_excision_in_the_global_period_takes_58() -> None:
    text = ("Re-excision, SCC L forearm - positive margin on excision of 05/22/2026 (11602). Scar 1.5 cm; re-excised "
            "with 3 mm margins. Simple closure. Path: residual SCC, margins now clear.")
    assert _codes(text) == [("11603", 1, ("58",))]


def test_a_trace_of_an_earlier_procedure_is_not_a_procedure() -> None:
    reading = read_note("Exam: WLE scar of the R upper back well healed; biopsy site on the L cheek clean.")
    assert reading.encounter["lesions"] == []
