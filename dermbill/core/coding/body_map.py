"""The body map of the encounter entry screen: the coding engine's anatomic sites drawn as clickable regions.

Four views: the body from the front and from the back, the face and the hands (drawn enlarged: most lesions a
dermatologist removes are there). ``body_map(sites)`` builds the regions from the engine's site table: one region
for each site key and, where the site is paired, each side; ``PLACES`` only says where a site is drawn. A site of
the table with no drawing, or a drawing of no site, is an error (``InvalidInput``), so the map cannot drift from
the table the engine codes with.

Coordinates are SVG user units of one drawing (``WIDTH`` x ``HEIGHT``). A paired site is drawn for the patient's
right as it appears in that view (the viewer's left on the front view, the face and the hands; the viewer's right on
the back view); the left is its mirror image about the view's centre line.

Example: the site ``forearm`` (paired) gives the regions "right forearm" and "left forearm", each drawn on the front
and the back view.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dermbill.core.errors import InvalidInput

WIDTH, HEIGHT = 1040, 520
SIDES = ("right", "left")


@dataclass(frozen=True, slots=True)
class Shape:
    """An ellipse (x, y: the centre; w, h: the radii) or a rounded rectangle (x, y: the corner; w, h: the size)."""

    kind: str  # "ellipse" or "rect"
    x: int
    y: int
    w: int
    h: int

    @property
    def centre(self) -> tuple[int, int]:
        if self.kind == "ellipse":
            return self.x, self.y
        return self.x + self.w // 2, self.y + self.h // 2

    def shifted(self, dx: int) -> Shape:
        return Shape(self.kind, self.x + dx, self.y, self.w, self.h)

    def mirrored(self) -> Shape:
        """The shape reflected about x = 0."""
        if self.kind == "ellipse":
            return Shape(self.kind, -self.x, self.y, self.w, self.h)
        return Shape(self.kind, -(self.x + self.w), self.y, self.w, self.h)


@dataclass(frozen=True, slots=True)
class View:
    key: str
    title: str
    centre: int  # x of the view's centre line
    side_labels: tuple[tuple[str, int, int], ...]  # ("Right", x, y) written on the view


VIEWS = (
    View("front", "Front", 125, (("Right", 40, 40), ("Left", 210, 40))),
    View("back", "Back", 385, (("Left", 300, 40), ("Right", 470, 40))),
    View("face", "Face", 650, (("Right", 545, 40), ("Left", 755, 40))),
    View("hands", "Hands", 915, (("Right hand", 822, 40), ("Left hand", 952, 40))),
)


def E(x: int, y: int, w: int, h: int) -> Shape:
    return Shape("ellipse", x, y, w, h)


def R(x: int, y: int, w: int, h: int) -> Shape:
    return Shape("rect", x, y, w, h)


# Where each site is drawn: view -> site -> shapes (x relative to the view's centre line; the patient's right for a
# paired site). A site drawn in several places (the forearm front and back) is one region drawn several times.
_FINGERS = (R(-92, 82, 10, 42), R(-79, 70, 10, 50), R(-66, 66, 10, 54), R(-53, 72, 10, 48))
_PALM_FINGERS = tuple(R(s.x, s.y + 230, s.w, s.h) for s in _FINGERS)
PLACES: dict[str, dict[str, tuple[Shape, ...]]] = {
    "front": {
        "scalp": (E(0, 36, 20, 9),), "neck": (R(-11, 88, 22, 18),),
        "chest": (R(-32, 106, 64, 24),), "breast": (E(-17, 142, 14, 11),), "axilla": (E(-37, 138, 6, 10),),
        "abdomen": (R(-26, 156, 52, 52),), "flank": (R(-35, 150, 8, 56),), "groin": (E(-19, 218, 9, 6),),
        "genitalia": (E(0, 228, 7, 9),), "hip": (E(-37, 218, 8, 12),), "shoulder": (E(-45, 113, 15, 10),),
        "upper_arm": (R(-64, 124, 16, 58),), "elbow": (E(-57, 190, 9, 7),), "forearm": (R(-70, 198, 16, 56),),
        "wrist": (E(-62, 261, 8, 5),), "palm": (E(-64, 278, 9, 11),), "finger": (R(-71, 290, 14, 14),),
        "thigh": (R(-34, 234, 28, 78),), "knee": (E(-20, 324, 13, 11),), "lower_leg": (R(-31, 338, 22, 88),),
        "ankle": (E(-20, 434, 10, 6),), "foot_dorsum": (E(-22, 451, 13, 9),), "toe": (E(-27, 467, 10, 5),),
    },
    "back": {
        "scalp": (E(0, 58, 22, 26),), "neck": (R(-11, 88, 22, 18),),
        "back_upper": (R(-32, 106, 64, 54),), "back_lower": (R(-27, 162, 54, 42),), "flank": (R(27, 150, 8, 56),),
        "buttock": (E(15, 224, 14, 16),), "perianal": (E(0, 238, 4, 6),), "hip": (E(37, 214, 8, 12),),
        "shoulder": (E(45, 113, 15, 10),), "upper_arm": (R(48, 124, 16, 58),), "elbow": (E(57, 190, 9, 7),),
        "forearm": (R(54, 198, 16, 56),), "wrist": (E(62, 261, 8, 5),), "hand_dorsum": (E(64, 278, 9, 11),),
        "thigh": (R(6, 244, 28, 68),), "knee": (E(20, 324, 13, 11),), "lower_leg": (R(9, 338, 22, 88),),
        "ankle": (E(20, 434, 10, 6),), "sole": (E(22, 455, 11, 14),),
    },
    "face": {
        "scalp": (E(0, 128, 84, 26),), "forehead": (R(-58, 150, 116, 44),), "temple": (E(-84, 200, 12, 26),),
        "eyebrow": (R(-62, 202, 40, 9),), "eyelid_upper": (E(-41, 222, 20, 6),),
        "eyelid_lower": (E(-41, 238, 20, 6),), "nose": (E(0, 256, 12, 30),), "cheek": (E(-58, 280, 22, 24),),
        "ear": (E(-107, 248, 11, 28),), "lip_upper_cutaneous": (R(-22, 290, 44, 10),),
        "lip_vermilion": (E(0, 309, 26, 7),), "lip_lower_cutaneous": (R(-22, 319, 44, 10),),
        "chin": (E(0, 345, 26, 13),), "jaw": (E(-64, 326, 14, 20), E(64, 326, 14, 20)),
        "neck": (R(-42, 372, 84, 36),), "oral_mucosa": (R(40, 440, 80, 24),),
    },
    "hands": {
        "hand_dorsum": (E(-60, 160, 32, 36),), "finger": (*_FINGERS, R(-103, 140, 10, 34)),
        "wrist": (R(-84, 198, 48, 14),),
        "palm": (E(-60, 390, 32, 36),), "finger_palm": (*_PALM_FINGERS, R(-27, 370, 10, 34)),
        "wrist_palm": (R(-84, 428, 48, 14),),
    },
}
# Second drawings of a site in the same view (the palm side of the fingers and wrist) name the site they draw.
ALIASES = {"finger_palm": "finger", "wrist_palm": "wrist"}
# Outlines drawn behind the regions (not clickable): the heads of the body views and the face.
OUTLINES: dict[str, tuple[Shape, ...]] = {
    "front": (E(0, 60, 24, 30),), "back": (E(0, 60, 24, 30),), "face": (E(0, 258, 100, 132),),
}
# Words written on the drawing (the site's name stays in the region's accessible label).
CAPTIONS: dict[str, tuple[tuple[str, int, int], ...]] = {
    "face": (("inside the mouth", 80, 480),),
    "hands": (("backs", 0, 248), ("palms", 0, 478)),
}

# The sites in a provider's words (a paired site takes "left"/"right" before it).
SITE_WORDS = {
    "scalp": "scalp", "forehead": "forehead", "temple": "temple", "eyebrow": "eyebrow",
    "eyelid_upper": "upper eyelid", "eyelid_lower": "lower eyelid", "nose": "nose", "cheek": "cheek", "ear": "ear",
    "lip_vermilion": "lip (vermilion)", "lip_upper_cutaneous": "upper lip (skin)",
    "lip_lower_cutaneous": "lower lip (skin)", "chin": "chin", "jaw": "jaw", "oral_mucosa": "inside of the mouth",
    "neck": "neck", "chest": "chest", "breast": "breast", "abdomen": "abdomen", "back_upper": "upper back",
    "back_lower": "lower back", "flank": "flank", "axilla": "armpit", "buttock": "buttock", "groin": "groin",
    "perianal": "perianal skin", "genitalia": "genitalia", "shoulder": "shoulder", "upper_arm": "upper arm",
    "elbow": "elbow", "forearm": "forearm", "wrist": "wrist", "hand_dorsum": "back of the hand", "palm": "palm",
    "finger": "finger", "hip": "hip", "thigh": "thigh", "knee": "knee", "lower_leg": "lower leg", "ankle": "ankle",
    "foot_dorsum": "top of the foot", "sole": "sole", "toe": "toe",
}


@dataclass(frozen=True, slots=True)
class Region:
    """One clickable place: a site key and side of the site table, drawn on one view."""

    view: str
    site: str
    side: str | None
    shapes: tuple[Shape, ...]  # in drawing coordinates

    @property
    def label(self) -> str:
        return site_words(self.site, self.side)

    @property
    def centre(self) -> tuple[int, int]:
        return self.shapes[0].centre


@dataclass(frozen=True, slots=True)
class BodyMap:
    views: tuple[View, ...]
    regions: tuple[Region, ...]
    captions: tuple[tuple[str, int, int], ...]  # (words, x, y)
    outlines: tuple[Shape, ...]

    def keys(self) -> set[tuple[str, str | None]]:
        """Every (site, side) the map lets a person choose."""
        return {(region.site, region.side) for region in self.regions}

    def in_view(self, view: str) -> list[Region]:
        return [region for region in self.regions if region.view == view]


def site_words(site: str, side: str | None) -> str:
    """``('forearm', 'left')`` -> 'left forearm'; an unpaired site is its words alone."""
    words = SITE_WORDS.get(site, site.replace("_", " "))
    return f"{side} {words}" if side else words


def body_map(sites: Iterable[tuple[str, bool]]) -> BodyMap:
    """The map of the site table's ``(site key, paired)`` pairs; InvalidInput when the drawing and the table differ."""
    table = dict(sites)
    drawn = {ALIASES.get(site, site) for places in PLACES.values() for site in places}
    undrawn = sorted(set(table) - drawn)
    unknown = sorted(drawn - set(table))
    if undrawn or unknown:
        raise InvalidInput(f"the body map and the site table differ: sites not drawn {undrawn or 'none'}; drawn "
                           f"sites not in the table {unknown or 'none'}")
    regions: list[Region] = []
    for view in VIEWS:
        for name, shapes in PLACES[view.key].items():
            site = ALIASES.get(name, name)
            if not table[site]:
                regions.append(Region(view.key, site, None, tuple(s.shifted(view.centre) for s in shapes)))
                continue
            for side in SIDES:
                # Drawn for the patient's right; the left is the mirror image.
                placed = shapes if side == "right" else tuple(s.mirrored() for s in shapes)
                regions.append(Region(view.key, site, side, tuple(s.shifted(view.centre) for s in placed)))
    captions = tuple((words, x + view.centre, y) for view in VIEWS for words, x, y in CAPTIONS.get(view.key, ()))
    outlines = tuple(s.shifted(view.centre) for view in VIEWS for s in OUTLINES.get(view.key, ()))
    return BodyMap(VIEWS, tuple(regions), captions, outlines)
