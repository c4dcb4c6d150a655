"""Rules of the note language added for the second review round (tests/notes/REVIEW.md, "Round 2").

Each rule has a sentence it must read and one it must not; the sentences are written here for the tests (fake
patients), none is a review note.
"""

from __future__ import annotations

from functools import partial

from note_rules import DAY, lines, read_lesions

from dermbill.notes import code_note, read_note

_codes = partial(lines, payer="commercial", age=50, sex="F")




# "trunk" is a site when something was done there; a region named with no procedure is where a condition is
def test_the_trunk_is_a_site_of_a_treated_lesion() -> None:
    lesions = read_lesions("Cryotherapy to 4 ISKs on the torso.")
    assert [(x["site"], x.get("count")) for x in lesions] == [("chest", 4)]


def test_a_region_with_no_procedure_gives_its_diagnosis_to_the_sites_treated() -> None:
    text = ("Verruca vulgaris, trunk, spreading.\nExam: 5 warts on the abdomen.\n"
            "Procedure: LN2 to 5 warts on the abdomen.")
    lesions = read_lesions(text)
    assert [(x["site"], x["diagnosis"]) for x in lesions] == [("abdomen", "wart")]


# a count may have adjectives (with commas) between the number and the lesion noun
def test_adjectives_between_a_number_and_its_lesion_noun() -> None:
    assert read_lesions("LN2 to 6 thick, scaly AKs on the L forearm.")[0]["count"] == 6


def test_a_number_with_a_unit_before_adjectives_is_still_not_a_count() -> None:
    assert "count" not in read_lesions("LN2 to 6 mm thick, scaly AK on the L forearm.")[0]


# a site on both sides followed by a count for each side
def test_counts_per_side_after_a_site_on_both_sides() -> None:
    lesions = read_lesions("Warts on the dorsal hands: 5 on the right, 9 on the left. LN2 to all.")
    assert sorted((x["laterality"], x["count"]) for x in lesions) == [("left", 9), ("right", 5)]
    lesions = read_lesions("AKs of both forearms (R 2, L 6), treated with LN2.")
    assert sorted((x["laterality"], x["count"]) for x in lesions) == [("left", 6), ("right", 2)]


def test_one_total_on_both_sides_is_still_split() -> None:
    lesions = read_lesions("LN2 to 6 warts on both hands.")
    assert sorted((x["laterality"], x["count"]) for x in lesions) == [("left", 3), ("right", 3)]


# "site xN" and "site (xN)" in a list: each site's own count, not the list's total
def test_times_n_after_each_site_of_a_list() -> None:
    lesions = read_lesions("LN2 to 9 AKs - R cheek x2, L temple x7.")
    assert sorted((x["site"], x["count"]) for x in lesions) == [("cheek", 2), ("temple", 7)]


def test_a_duration_after_a_site_is_not_a_count() -> None:
    text = "Cyst on mid upper back x3 yrs, inflamed. Excision of 1.2 cm cyst with 0.1 cm margins, upper back."
    assert "count" not in read_lesions(text)[0]
    text = "Epidermoid cyst of the lower back (3 episodes this year). Cyst 1.0 cm excised with 0.2 cm margins."
    assert "count" not in read_lesions(text)[0]


# paronychia: cellulitis of a digit, coded by finger or toe and side; its I&D is 10060
def test_paronychia_of_a_finger() -> None:
    result = code_note("Paronychia L ring finger, fluctuant. I&D performed, pus expressed.", date_of_service=DAY,
                       payer="commercial", age=30, sex="M")
    assert result.reading.encounter["lesions"][0]["diagnosis"] == "L03.012"
    assert result.coding is not None and [line.code for line in result.coding.lines] == ["10060"]


def test_paronychia_of_a_toe_without_its_side() -> None:
    lesions = read_lesions("Paronychia of the great toe. Incised and drained.")
    assert lesions[0]["diagnosis"] == "L03.039"


def test_an_abscess_is_not_a_paronychia() -> None:
    assert read_lesions("Abscess of the R index finger, I&D.")[0]["diagnosis"] == "abscess"


# a procedure after "referred after" was the referring surgeon's: the repair is coded, the Mohs is not
def test_the_referring_surgeons_mohs_is_not_coded() -> None:
    text = ("Patient referred after Mohs for BCC of the L temple by Dr. Lee. Defect 1.5 x 1.2 cm. "
            "Intermediate layered repair, 3.0 cm.")
    assert _codes(text) == [("12052", 1, ())]
    reading = read_note(text, date_of_service=DAY)
    assert reading.encounter["lesions"][0]["diagnosis"] == "bcc"


def test_a_repair_after_our_own_mohs_keeps_the_mohs() -> None:
    text = ("Mohs surgery, BCC of the L temple. Stage 1: 2 blocks, clear. Repair after Mohs: intermediate "
            "layered, 3.0 cm.")
    assert ("17311", 1, ()) in _codes(text)


# "MMS" is Mohs micrographic surgery
def test_mms_is_mohs() -> None:
    text = "MMS, BCC R nasal tip (bx proven). Stage 1: 2 blocks - positive. Stage 2: 1 block - clear."
    assert _codes(text) == [("17311", 1, ()), ("17312", 1, ())]


def test_mms_in_other_words_is_not_mohs() -> None:
    assert _codes("Shave biopsy of 6 mm papule R forearm; MMSE normal.") == [("11102", 1, ())]


# an ellipse's length is the wound closed; "closed in 2 layers" is layered (intermediate)
def test_an_ellipse_length_is_the_repair_length() -> None:
    text = ("Excision, R upper back: 1.0 cm atypical nevus, 2 mm margins. Ellipse 3.5 cm long, closed in 2 layers. "
            "Path: dysplastic nevus, severe atypia.")
    assert _codes(text) == [("11402", 1, ()), ("12032", 1, ())]


def test_an_ellipse_without_a_length_word_is_still_the_excised_size() -> None:
    lesion = read_lesions("Excision of a 0.8 cm cyst of the R upper back, ellipse 1.2 cm, simple closure 3 cm.")[0]
    assert lesion["procedures"][0]["excised_diameter_cm"] == 1.2


# a numbered procedure line ending on a dash introduces the lettered lesion that follows
def test_a_numbered_procedure_leads_into_the_lettered_lesion() -> None:
    text = ("1. LN2 to 4 AKs - R forearm x2, L forearm x2.\n"
            "2. Punch biopsy - A: L upper arm, 6 mm pink papule.\n")
    lesions = read_lesions(text)
    by_site = {(x["site"], x.get("laterality")): [p["type"] for p in x["procedures"]]
               for x in lesions}
    assert by_site == {("forearm", "right"): ["destruction"], ("forearm", "left"): ["destruction"],
                       ("upper_arm", "left"): ["biopsy"]}


def test_a_heading_with_a_colon_still_covers_the_list_below() -> None:
    text = "Shave removals x2 (both irritated):\n- R cheek, 0.5 cm nevus.\n- L neck, 0.9 cm SK."
    lesions = read_lesions(text)
    assert [[p["type"] for p in x["procedures"]] for x in lesions] == [["shave_removal"], ["shave_removal"]]
