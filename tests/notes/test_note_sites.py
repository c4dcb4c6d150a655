"""Clinical site words -> site keys, with the side only where the site is paired."""

from __future__ import annotations

import pytest

from dermbill.notes.sites import find_sites


@pytest.mark.parametrize(("text", "site", "side"), [
    ("L dorsal hand", "hand_dorsum", "left"),
    ("R nasal ala", "nose", None),
    ("preauricular cheek, right", "cheek", "right"),
    ("right upper back", "back_upper", None),
    ("left shin", "lower_leg", "left"),
    ("R calf", "lower_leg", "right"),
    ("left helix", "ear", "left"),
    ("mid upper back", "back_upper", None),
    ("lower back", "back_lower", None),
    ("scalp vertex", "scalp", None),
    ("backs of both hands", "hand_dorsum", "both"),
    ("each axilla", "axilla", "both"),
    ("Rt forearm", "forearm", "right"),
])
def test_site_words(text: str, site: str, side: str | None) -> None:
    [found] = find_sites(text)
    assert (found.site, found.laterality) == (site, side)


def test_the_nearest_side_word_wins() -> None:
    sites = find_sites("R hand and L hand")
    assert [(s.site, s.laterality) for s in sites] == [("hand_dorsum", "right"), ("hand_dorsum", "left")]


def test_words_that_are_not_sites() -> None:
    assert find_sites("pearly papule with telangiectasia, hemostasis achieved") == []
    assert find_sites("forearms") != [] and find_sites("nearby") == []


def test_span_covers_side_and_site() -> None:
    text = "lesion on the L dorsal hand."
    [found] = find_sites(text)
    assert text[found.start:found.end] == "L dorsal hand"


def test_a_parenthesis_naming_parts_of_the_site_before_belongs_to_it() -> None:
    text = "scalp (vertex/frontal, and occiput) x10"
    [found] = find_sites(text)
    assert (found.site, text[found.start:found.end]) == ("scalp", "scalp (vertex/frontal, and occiput)")


def test_a_parenthesis_that_says_more_than_parts_is_read_once_and_left_alone() -> None:
    # A parenthesis of many words that does not close as a list of parts ("; ... spared)") once took 27 s to give
    # up on (each word and space could be split many ways); the alarm ends a reading that hangs as a failure.
    import signal

    def hung(*_: object) -> None:
        raise TimeoutError("find_sites did not return: the parenthesis pattern backtracks")

    text = ("SCC, L upper cutaneous lip (just above the vermilion border and the white roll and the philtral column "
            "and the commissure and the mucosa; vermilion spared).")
    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(10)
    try:
        sites = find_sites(text)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert sites[0].site == "lip_upper_cutaneous" and text[sites[0].start:sites[0].end] == "L upper cutaneous lip"
