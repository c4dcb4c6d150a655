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
