"""Rules of the note language found on the independent review notes (tests/notes/REVIEW.md).

Each rule has a sentence it must read and one it must not. The notes are written here for the tests (fake
patients); none is a review note.
"""

from __future__ import annotations

from functools import partial

from note_rules import DAY, lines, read_lesions

from dermbill.notes import code_note, read_note

_codes = partial(lines, payer="medicare", age=70, sex="F")




# (1) a number followed by a unit is never a count of lesions
def test_a_number_with_a_unit_is_not_a_count() -> None:
    lesions = read_lesions("Shave biopsy of 7 mm pearly papule on the L cheek.")
    assert "count" not in lesions[0]
    assert lesions[0]["diameter_cm"] == 0.7


def test_a_number_of_lesions_on_a_site_is_a_count() -> None:
    lesions = read_lesions("Cryotherapy of 7 AKs on the L cheek.")
    assert lesions[0]["count"] == 7


def test_passes_and_blades_are_not_counts() -> None:
    for text in ("ED&C of a BCC of the R upper back x3 cycles.", "Shave removal of irritated SK on the R upper back "
                 "with #11 blade.", "LN2 to one AK on the R upper back, 2 FTC."):
        assert "count" not in read_lesions(text)[0], text


def test_lesion_noun_times_n_is_a_count() -> None:
    assert read_lesions("LN2 to AKs x3 on the R upper back.")[0]["count"] == 3


# (7) Roman-numeral stages and layers, "sections" for blocks
def test_roman_numeral_layers_are_mohs_stages() -> None:
    text = "Mohs surgery, L temple, SCC (prior bx confirmed).\nLayer I: 6 blocks, positive.\nLayer II: 2 blocks, clear."
    assert _codes(text) == [("17311", 1, ()), ("17312", 1, ()), ("17315", 1, ())]


def test_stage_without_blocks_is_not_read_as_blocks() -> None:
    text = "Mohs surgery, L temple, SCC (prior bx confirmed). Layer I clear."
    reading = read_note(text, date_of_service=DAY)
    assert any(g.field == "stages" for g in reading.gaps)


# a heading in capitals followed by "Site:" is the procedure, not a procedure site's trace
def test_capital_mohs_heading_before_a_site_line_is_mohs() -> None:
    text = ("MOHS MICROGRAPHIC SURGERY\nSite: L upper arm. Dx: invasive SCC (bx 4/12/26).\n"
            "Stage 1: 3 sections. Stage 2: 1 section.")
    assert _codes(text) == [("17313", 1, ()), ("17314", 1, ())]


def test_biopsy_site_is_still_a_trace() -> None:
    text = "Biopsy site L upper arm well healed. Path: SCC."
    assert _codes(text) == []


# the proof written after the diagnosis ("SCC (bx 4/12/26)", "BCC, biopsy proven") makes it proven
def test_dated_biopsy_after_diagnosis_proves_it() -> None:
    text = "Excision of BCC (bx 4/2/26) of the R upper back, 1.0 cm, 4 mm margins."
    assert read_lesions(text)[0]["diagnosis"] == "bcc"


def test_undated_suspected_diagnosis_is_not_proven() -> None:
    text = "Shave biopsy of suspected BCC of the R upper back, 1.0 cm."
    assert read_lesions(text)[0]["diagnosis"] == "neoplasm_unspecified_behavior"


# (11) per-site volumes with the strength named once are summed once; "1 mL each" counts every lesion
def test_per_site_volumes_share_the_strength_named_once() -> None:
    text = ("Keloids on the L ear lobe and the upper back.\n"
            "Procedure: ILK 40 mg/mL, 0.1 cc to L earlobe keloid and 0.4 cc to upper back keloid.")
    lesions = read_lesions(text)
    doses = [p.get("dose_mg") for lesion in lesions for p in lesion["procedures"]]  # type: ignore[attr-defined]
    assert doses == [4, 16]
    assert ("J3301", 2, ()) in _codes(text)


def test_a_volume_without_any_strength_is_still_a_gap() -> None:
    text = "Keloid of the upper back injected with 0.4 cc of triamcinolone."
    reading = read_note(text, date_of_service=DAY)
    assert any(g.field == "dose_mg" for g in reading.gaps)


def test_volume_each_is_multiplied_by_the_count() -> None:
    text = "3 inflamed epidermoid cysts of the upper back injected with Kenalog 10 mg/mL, 1 mL each."
    assert ("J3301", 3, ()) in _codes(text, payer="commercial")


def test_volume_without_each_is_the_total() -> None:
    text = "3 inflamed epidermoid cysts of the upper back injected with Kenalog 10 mg/mL, 1 mL total."
    assert ("J3301", 1, ()) in _codes(text, payer="commercial")


# (14) the E/M written in a paragraph with "Modifier 25"
def test_em_in_a_paragraph_with_modifier_25() -> None:
    text = ("Established patient, 99213 for atopic dermatitis: discussed dupilumab, started triamcinolone. "
            "Modifier 25.\nAlso: 2 inflamed epidermoid cysts of the upper back injected with Kenalog 10 mg/mL, "
            "0.5 mL total.")
    assert ("99213", 1, ("25",)) in _codes(text, payer="commercial")


def test_discussed_before_a_diagnosis_keeps_it_hypothetical() -> None:
    text = "Options include excision if melanoma of the R upper back is found. Return in 3 months."
    reading = read_note(text, date_of_service=DAY)
    assert any(i.reason == "hypothetical" and "melanoma" in i.quote for i in reading.ignored)
    assert reading.encounter["lesions"] == []


# the base of a removal electrodesiccated is its hemostasis, not a destruction
def test_base_electrodesiccated_after_a_shave_is_no_destruction() -> None:
    text = "Irritated SK of the R upper back, 6 mm, removed by shave and the base electrodesiccated."
    codes = [c for c, _, _ in _codes(text)]
    assert codes == ["11301"]


def test_electrodesiccation_of_a_lesion_is_a_destruction() -> None:
    text = "Irritated SK of the R upper back, electrodesiccated."
    assert [c for c, _, _ in _codes(text)] == ["17110"]


# a numbered procedure line after a pathology line starts a new lesion
def test_numbered_procedure_after_a_path_line_is_a_new_lesion() -> None:
    text = ("1) Shave biopsy, L forehead, 0.6 cm pink papule. Path: SCC in situ.\n"
            "2) LN2 to 3 AKs on the L dorsal hand.")
    codes = [c for c, _, _ in _codes(text)]
    assert "17000" in codes and "17003" in codes


def test_lettered_pathology_lines_stay_pathology() -> None:
    text = ("Shave biopsies of the L forehead and the R cheek.\nPath:\nA. L forehead shave bx: actinic keratosis.\n"
            "B. R cheek shave bx: basal cell carcinoma.")
    lesions = read_lesions(text)
    assert [lesion.get("pathology") for lesion in lesions] == ["actinic_keratosis", "bcc"]


# (15) long notes stay linear: sentences and mentions are looked up by bisection
def test_sentence_bounds_by_bisection() -> None:
    from dermbill.notes.reader import sentence_bounds

    text = "Shave bx of 0.5 cm papule. LN2 to AKs; 2 FTC.\nbx.Shave"
    assert sentence_bounds(text, text.index("0.5"), text.index("0.5") + 3) == (0, text.index(". LN2"))
    assert sentence_bounds(text, text.index("LN2"), text.index("LN2") + 3) == (text.index(". LN2") + 1, text.index(";"))
    assert sentence_bounds(text, text.index("Shave", 5), len(text)) == (text.index("Shave", 5), len(text))


def test_a_long_pasted_note_reads_in_seconds() -> None:
    import time

    line = "Cryotherapy of 3 AKs on the L dorsal hand with LN2. Shave biopsy of 0.6 cm pink papule on the R cheek.\n"
    text = line * (34000 // len(line))
    began = time.perf_counter()
    read_note(text, date_of_service=DAY)
    assert time.perf_counter() - began < 10  # it took 20 s when each mention re-scanned the whole note


# (3) one lesion without its side is held; the others are coded
def test_a_sideless_lesion_is_held_and_the_rest_coded() -> None:
    text = "Shave biopsy of 0.6 cm pink papule on the R cheek. Shave biopsy of 0.5 cm scaly papule on the forearm."
    result = code_note(text, date_of_service=DAY, payer="medicare", age=70, sex="F")
    assert result.coding is not None
    assert [(line.code, line.units) for line in result.coding.lines] == [("11102", 1)]
    assert [(h.code, h.lesion) for h in result.coding.holds] == [("missing_documentation", "B")]
    assert "laterality" not in result.reading.encounter["lesions"][1]


def test_lesions_with_their_sides_are_not_held() -> None:
    text = "Shave biopsy of 0.6 cm pink papule on the R cheek. Shave biopsy of 0.5 cm scaly papule on the L forearm."
    result = code_note(text, date_of_service=DAY, payer="medicare", age=70, sex="F")
    assert result.coding is not None and not result.coding.holds
    assert [(line.code, line.units) for line in result.coding.lines] == [("11102", 1), ("11103", 1)]


# (4) a procedure word with an earlier date is historical
def test_a_dated_biopsy_is_historical() -> None:
    text = "Dx: BCC R upper back (biopsy 4/2026). ED&C x3 cycles performed today, 0.8 cm."
    reading = read_note(text, date_of_service=DAY)
    assert any(i.reason == "historical" and "biopsy" in i.quote for i in reading.ignored)
    assert [p["type"] for p in reading.encounter["lesions"][0]["procedures"]] == ["destruction"]


def test_a_biopsy_dated_today_is_today() -> None:
    text = "Shave biopsy 6/1/2026 of a 0.6 cm pink papule on the R cheek."
    assert _codes(text) == [("11102", 1, ())]


# (5) a declined or planned mention gives its procedure to no lesion
def test_a_declined_biopsy_gives_no_procedure_to_its_lesion() -> None:
    text = ("Pink papule R forearm. Patient declined biopsy today, will return next week for shave bx. "
            "LN2 to 3 AKs on the scalp.")
    codes = [c for c, _, _ in _codes(text)]
    assert "11102" not in codes and "17000" in codes


def test_a_biopsy_done_today_is_coded() -> None:
    text = "Pink papule R forearm. Shave biopsy performed today. LN2 to 3 AKs on the scalp."
    codes = [c for c, _, _ in _codes(text)]
    assert "11102" in codes and "17000" in codes


# (13) nail services: "great toenail" names the digit; a deferred service's diagnosis is not today's
def test_partial_avulsion_of_both_great_toenails() -> None:
    text = ("Ingrown toenails bilateral great toes. Procedure: partial nail avulsion of the left great toenail "
            "and of the right great toenail.")
    services = read_note(text, date_of_service=DAY).encounter["services"]
    assert services[0]["digits"] == ["left_great_toe", "right_great_toe"]


def test_great_toes_without_a_side_name_no_digit() -> None:
    text = "Ingrown toenails of the great toes; partial nail avulsion performed."
    services = read_note(text, date_of_service=DAY).encounter["services"]
    assert services[0]["digits"] == []


def test_a_deferred_services_diagnosis_is_not_todays() -> None:
    text = ("Ingrown toenail, L great toe. Partial nail avulsion of the L great toenail performed. Mechanical "
            "debridement of 3 dystrophic toenails (onychomycosis) was deferred to next visit.")
    services = read_note(text, date_of_service=DAY).encounter["services"]
    assert services[0]["diagnoses"] == ["ingrown_nail"]


def test_debridement_done_today_keeps_its_diagnosis() -> None:
    text = "Mechanical debridement of 7 mycotic toenails, onychomycosis."
    services = read_note(text, date_of_service=DAY).encounter["services"]
    assert services[0] == {"type": "nail_debridement", "nails": 7, "diagnoses": ["onychomycosis"]}


def test_nb_uvb_for_vitiligo_carries_l80() -> None:
    services = read_note("NB-UVB for vitiligo, session 12.", date_of_service=DAY).encounter["services"]
    assert services[0]["modality"] == "uvb" and services[0]["diagnoses"] == ["L80"]


# templated notes: "Location:" opens the lesion, "Number treated:" is its count
def test_location_and_number_treated_headings() -> None:
    text = ("Procedure: Destruction of premalignant lesions.\nDiagnosis: Actinic keratoses.\n"
            "Location: scalp and forehead. Number treated: 16.\nMethod: liquid nitrogen, 2 freeze-thaw cycles.")
    assert _codes(text) == [("17004", 1, ())]


def test_a_number_in_a_heading_with_a_unit_is_no_count() -> None:
    text = ("Procedure: Destruction of premalignant lesion.\nDiagnosis: Actinic keratosis.\n"
            "Location: scalp. Size: 4 mm.\nMethod: liquid nitrogen.")
    lesions = read_lesions(text)
    assert lesions[0]["site"] == "scalp" and "count" not in lesions[0]


# a one-letter subtype before BCC ("nBCC", "sBCC") is still a BCC
def test_subtype_letter_before_bcc() -> None:
    for word in ("nBCC", "sBCC"):
        text = f"Excision of {word} (bx 4/2/26) of the R upper back, 1.0 cm, 4 mm margins."
        assert read_lesions(text)[0]["diagnosis"] == "bcc", word


def test_a_word_ending_in_bcc_letters_is_not_bcc() -> None:
    assert read_note("Abcc lotion applied to the R upper back.", date_of_service=DAY).encounter["lesions"] == []


def test_a_siteless_procedure_paragraph_describes_the_lesion_already_given_that_procedure() -> None:
    # Must: the Procedure paragraph's biopsy is lesion 1's (the shave bx), not the AKs named last.
    note = ("DOS: 2026-11-30. 68 yo F, Medicare.\nA/P:\n1. R nasal ala, r/o BCC - shave bx performed.\n"
            "2. AKs x6 bilateral dorsal hands - LN2 x6.\nProcedure: consent obtained. Tangential biopsy with "
            "DermaBlade, hemostasis with AlCl.\n")
    assert _codes(note) == [("11102", 1, ()), ("17000", 1, ("XS",)), ("17003", 5, ())]
    # Must not: a closure written right after a lesion in the same list is that lesion's, even when an earlier
    # lesion already had a repair.
    listed = ("DOS 2026-07-01\n39F, commercial\nA. Upper back: 0.8 cm irritated nevus. Excised with 0.2 cm margins. "
              "Intermediate layered closure 3.5 cm.\nB. R upper arm: 0.6 cm inflamed nevus. Excised with 0.2 cm "
              "margins. Intermediate layered closure 2.5 cm.\nPath: A and B: benign compound nevi, margins clear.\n")
    assert ("12032", 1, ()) in _codes(listed, payer="commercial")
