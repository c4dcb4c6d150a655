"""Rules of the note language from the misses of blind6 (tests/notes/REVIEW.md, "Round 7").

Each rule has a sentence it must read and one it must not (the historical, untreated or other-procedure variant, or
a near miss); the sentences are written here for the tests (fake patients, day of service 2026-06-01), none is a
review note.
"""

from __future__ import annotations

from note_rules import lines, read_encounter, read_lesions


def _lines(text: str, payer: str = "commercial") -> list[tuple[str, int, tuple[str, ...]]]:
    return lines(text, payer=payer, age=60, sex="F")


def _codes(text: str, payer: str = "commercial") -> list[str]:
    return [code for code, _, _ in _lines(text, payer)]


# --- forbidden: another day's procedures, untreated lesions ------------------------------------------------------

_FLAP_VISIT = ("1. Wound check, R nasal ala advancement flap (Mohs + flap by me 5/4/26): healing, sutures out.\n"
               "2. New problem, unrelated to the surgery: LN2 to 3 AKs L dorsal hand.")


def test_procedures_joined_before_a_date_were_all_done_that_day() -> None:
    codes = _codes(_FLAP_VISIT, payer="medicare")
    assert "17311" not in codes and not any(code.startswith("140") for code in codes)


def test_a_flap_of_another_day_opens_its_global_period() -> None:
    encounter = read_encounter(_FLAP_VISIT)
    assert {p["code"] for p in encounter["prior_procedures"]} == {"14060", "17311"}
    assert ("17000", 1, ("79",)) in _lines(_FLAP_VISIT, payer="medicare")


def test_a_date_in_a_parenthesis_of_a_biopsy_stays_the_biopsys() -> None:
    # the near miss: the date after "bx" is the biopsy's, the Mohs is today's
    assert "17311" in _codes("Mohs, BCC R nasal ala (bx 5/4/26). Stage 1: 2 blocks, clear.", payer="medicare")


def test_other_lesions_left_alone_add_no_count_to_the_last_lesion() -> None:
    text = ("Shave removal of an irritated 6 mm nevus, L upper back.\n"
            "5 other nevi (abdomen) examined with dermoscopy, benign, no tx.")
    assert _lines(text) == [("11301", 1, ())]


def test_a_count_of_the_treated_lesions_still_counts() -> None:
    assert ("17003", 4, ()) in _lines("AKs L forearm: 5 lesions treated with LN2.", payer="medicare")


# --- what a procedure word is ---------------------------------------------------------------------------------------

def test_a_saucerization_is_a_tangential_biopsy() -> None:
    text = "L calf 5 mm irregular pigmented macule, ? dysplastic - saucerization (deep shave), sent to path."
    assert [p["type"] for p in read_lesions(text)[0]["procedures"]] == ["biopsy"]


def test_a_shave_removal_named_alone_stays_a_removal() -> None:
    text = "L calf 5 mm irritated nevus catching on clothing - shave removal, flush."
    assert [p["type"] for p in read_lesions(text)[0]["procedures"]] == ["shave_removal"]


def test_tissue_trimmed_in_a_repair_is_no_paring() -> None:
    text = ("Mohs, SCC R helix. Stage 1: 2 blocks, clear. Complex repair: exposed cartilage trimmed, skin undermined,"
            " length 2.5 cm.")
    assert "11055" not in _codes(text, payer="medicare")


def test_a_callus_trimmed_is_pared() -> None:
    assert _codes("Callus R heel trimmed with #15 blade.") == ["11055"]


# --- counts: nails, tallies --------------------------------------------------------------------------------------

def test_a_nail_count_written_after_the_nails_counts_them() -> None:
    assert _codes("Mechanical debridement of dystrophic toenails x7 with nippers and burr.") == ["11721"]


def test_fewer_nails_after_the_nails_stay_under_six() -> None:
    assert _codes("Mechanical debridement of dystrophic toenails x3 with nippers and burr.") == ["11720"]


_TALLY = "Irritated skin tags, catching on collar, removed with scissors:\n  neck ......... {n}\n  L axilla .... 6\n"


def test_a_tally_with_dot_leaders_counts_each_site() -> None:
    counts = {(lesion["site"], lesion.get("laterality")): lesion.get("count")
              for lesion in read_lesions(_TALLY.format(n="12"))}
    assert counts == {("neck", None): 12, ("axilla", "left"): 6}


def test_a_size_on_a_tally_line_is_no_count() -> None:
    lesions = read_lesions(_TALLY.format(n="4 mm"))
    assert [lesion.get("count") for lesion in lesions if lesion["site"] == "neck"] == [None]


# --- injections: a total written after the dose ------------------------------------------------------------------

def _doses(text: str) -> list[float]:
    return [p["dose_mg"] for lesion in read_lesions(text) for p in lesion["procedures"] if "dose_mg" in p]


def test_a_dose_followed_by_total_is_the_sessions() -> None:
    assert _doses("Plaques both knees: ILK 10 mg/mL, 0.3 mL each knee (6 mg total).") == [3, 3]


def test_a_dose_without_total_is_the_lesions() -> None:
    assert _doses("Keloid R earlobe: ILK 10 mg/mL, 0.3 mL (3 mg).") == [3]


# --- sizes: the width of an ellipse, the length of a closure -----------------------------------------------------

def _excised(text: str) -> list[float]:
    return [p["excised_diameter_cm"] for lesion in read_lesions(text) for p in lesion["procedures"]
            if "excised_diameter_cm" in p]


def test_an_ellipse_measured_long_by_wide_is_excised_across_its_width() -> None:
    text = "L flank 0.6 cm atypical nevus, re-excised: ellipse 3.6 x 1.2 cm, layered closure 3.6 cm."
    assert _excised(text) == [1.2]


def test_an_excised_specimen_is_measured_along_its_length() -> None:
    text = "Two adjacent nevi R flank removed in one fusiform excision; excised specimen 1.9 x 0.7 cm. Simple closure."
    assert _excised(text) == [1.9]


def _repair_lengths(text: str) -> list[float]:
    return [p["length_cm"] for lesion in read_lesions(text) for p in lesion["procedures"]
            if p["type"] == "repair" and "length_cm" in p]


def test_a_closure_length_after_its_sutures_and_a_semicolon_is_the_repairs() -> None:
    text = ("L cheek 0.8 cm cyst excised with 1 mm margin. Layered closure, 5-0 Monocryl buried + 6-0 nylon; "
            "final 2.4 cm.")
    assert _repair_lengths(text) == [2.4]


def test_how_far_the_skin_was_undermined_is_no_repair_length() -> None:
    text = "R back 1.5 cm SCC excised with 4 mm margins. Complex closure - wide undermining all around (~3 cm)."
    assert _repair_lengths(text) == []
