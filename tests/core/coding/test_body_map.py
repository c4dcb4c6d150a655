"""The body map's regions are the site table's keys and sides, no more and no fewer, drawn where a person looks."""

from __future__ import annotations

import pytest

from dermbill.core.coding.body_map import HEIGHT, PLACES, VIEWS, WIDTH, body_map, site_words
from dermbill.core.coding.encounter import PAIRED_SITES, SITES
from dermbill.core.coding.tables import CodingTables
from dermbill.core.errors import InvalidInput


def _table(tables: CodingTables) -> list[tuple[str, bool]]:
    return [(site, info.paired) for site, info in tables.sites.sites.items()]


def test_every_site_key_and_side_of_the_site_table_has_a_region_and_every_region_is_one(tables: CodingTables) -> None:
    expected = {(site, side) for site, info in tables.sites.sites.items()
                for side in (("left", "right") if info.paired else (None,))}

    assert body_map(_table(tables)).keys() == expected


def test_the_site_table_and_the_encounter_format_agree_on_sites_and_pairs(tables: CodingTables) -> None:
    assert set(tables.sites.sites) == set(SITES)
    assert {site for site, info in tables.sites.sites.items() if info.paired} == PAIRED_SITES


def test_a_site_the_drawing_lacks_or_a_drawing_of_no_site_is_refused(tables: CodingTables) -> None:
    with pytest.raises(InvalidInput, match=r"sites not drawn \['tail'\]"):
        body_map([*_table(tables), ("tail", False)])
    with pytest.raises(InvalidInput, match=r"not in the table \['nose'\]"):
        body_map([(site, paired) for site, paired in _table(tables) if site != "nose"])


def test_the_left_is_the_mirror_of_the_right_about_the_views_centre_line(tables: CodingTables) -> None:
    regions = body_map(_table(tables)).regions
    centres = {view.key: view.centre for view in VIEWS}
    lefts = [r for r in regions if r.side == "left"]
    rights = [r for r in regions if r.side == "right"]
    assert len(lefts) == len(rights)
    for left, right in zip(lefts, rights, strict=True):  # built side by side, in the same order
        assert (left.view, left.site) == (right.view, right.site)
        assert left.centre[0] - centres[left.view] == -(right.centre[0] - centres[right.view])
        assert left.centre[1] == right.centre[1]


def test_the_patients_right_is_the_viewers_left_from_the_front_and_the_viewers_right_from_the_back(
        tables: CodingTables) -> None:
    regions = body_map(_table(tables)).regions
    [front] = [r for r in regions if (r.view, r.site, r.side) == ("front", "forearm", "right")]
    [back] = [r for r in regions if (r.view, r.site, r.side) == ("back", "forearm", "right")]
    assert front.centre[0] < 125 and back.centre[0] > 385


def test_every_shape_lies_inside_the_drawing_and_face_and_hands_are_drawn_enlarged(tables: CodingTables) -> None:
    regions = body_map(_table(tables)).regions
    for region in regions:
        for shape in region.shapes:
            left, top = (shape.x - shape.w, shape.y - shape.h) if shape.kind == "ellipse" else (shape.x, shape.y)
            right, bottom = (shape.x + shape.w, shape.y + shape.h)
            assert left >= 0 and right <= WIDTH and top >= 0 and bottom <= HEIGHT, (region.site, shape)
    nose_on_face = PLACES["face"]["nose"][0]
    scalp_on_body = PLACES["front"]["scalp"][0]
    assert nose_on_face.h > scalp_on_body.h  # the face view is the enlargement


def test_a_region_is_labelled_in_words_with_its_side() -> None:
    assert site_words("hand_dorsum", "left") == "left back of the hand"
    assert site_words("lip_upper_cutaneous", None) == "upper lip (skin)"
