"""Clinical site words -> the encounter format's site keys, with laterality where the site is paired.

"L dorsal hand" -> hand_dorsum, left; "R nasal ala" -> nose (midline: no side); "preauricular cheek" -> cheek.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dermbill.notes.alternation import word_alternation

PAIRED = frozenset({
    "eyelid_upper", "eyelid_lower", "eyebrow", "ear", "cheek", "temple", "breast", "axilla", "buttock", "groin",
    "shoulder", "upper_arm", "elbow", "forearm", "wrist", "hand_dorsum", "palm", "finger",
    "hip", "thigh", "knee", "lower_leg", "ankle", "foot_dorsum", "sole", "toe",
})

# phrase (regex, lower case) -> site key; longer phrases are tried first
SITE_WORDS: dict[str, str] = {
    r"scalp|vertex|occiput|occipital scalp|crown|parietal scalp|frontal scalp": "scalp",
    r"forehead|frontal": "forehead",
    r"temples?|temporal": "temple",
    r"eyebrows?|brows?": "eyebrow",
    r"upper (?:eye)?lids?": "eyelid_upper",
    # "R infraorbital cheek" is the cheek below the orbit (alone, "infraorbital" is read as the lower lid)
    r"lower (?:eye)?lids?|infraorbital(?! cheek)": "eyelid_lower",
    r"(?:nasal )?(?:alae?|alar crease)|nasal (?:tip|dorsum|sidewall|side ?wall|bridge|root)|nasal|nose|columella|"
    r"nasolabial fold": "nose",
    r"face|facial": "forehead",
    r"(?:pre-?auricular |malar |medial |lateral |buccal |infraorbital |submalar )?cheeks?|malar|zygoma\w*|"
    r"preauricular": "cheek",
    r"ears?|helix|helical rim|antihelix|ear ?lobes?|lobule|tragus|concha|(?:post|retro)-?auricular|"
    r"pinna": "ear",
    r"vermill?ion(?: border)?(?: of the (?:upper |lower )?lip)?|(?:upper |lower )?lip vermill?ion": "lip_vermilion",
    r"upper (?:cutaneous )?lip|cutaneous upper lip|philtrum": "lip_upper_cutaneous",
    r"lower (?:cutaneous )?lip|cutaneous lower lip": "lip_lower_cutaneous",
    r"chin|mentum": "chin",
    r"jaw ?line|jaw|mandib\w*": "jaw",
    r"(?:anterior |posterior |lateral )?neck|nape": "neck",
    # "under bra line": where the band of a bra sits, the lower chest
    r"(?:upper |mid |anterior |central )?chest|sternum|presternal|(?:upper )?sternal|"
    r"bra[ -]?(?:strap[ -]?)?line": "chest",
    r"breasts?|inframammary": "breast",
    # "along waistband", "at the belt line": the waist is the abdomen's lower edge
    r"abdomen|abdominal wall|abdominal|abd|periumbilical|umbilicus|belly|waist(?:band|line)?|belt ?line": "abdomen",
    r"(?:mid[- ]?|left |right )?upper back|mid[- ]back|upper mid back|scapula\w*|interscapular|"
    r"(?:mid|central) back|back": "back_upper",
    r"lower back|low back|lumbar|lumbosacral|sacral": "back_lower",
    r"flanks?": "flank",
    # "the trunk" names no one part: every part of the trunk but the axillae and genitalia codes alike (one
    # lesion group, repair groups and ICD-10-CM "other part of trunk"), so the chest stands for it
    r"trunk|torso": "chest",
    r"axill(?:a|ae|ary)|underarms?|armpits?": "axilla",
    r"buttocks?|gluteal|glutes?": "buttock",
    r"groin|inguinal(?: fold)?": "groin",
    r"perianal|perineum|perineal": "perianal",
    r"genitals?|genitalia|penis|penile|scrotum|scrotal|vulva|vulvar|labia\w*|labium(?: majus| minus)?|"
    r"pubic": "genitalia",
    r"shoulders?": "shoulder",
    r"(?:upper )?arms?|deltoid|biceps|triceps": "upper_arm",
    r"elbows?|antecubital(?: fossae?)?|olecranon": "elbow",
    r"(?:dorsal |volar |extensor |flexor |distal |proximal )?forearms?": "forearm",
    r"wrists?": "wrist",
    r"(?:dorsal )?hands?|dorsum of (?:the )?hands?|backs? of (?:the |both )?hands?|dorsal hands?|"
    r"knuckles?": "hand_dorsum",
    r"palms?|palmar": "palm",
    r"fingers?|thumbs?|index finger|digits?": "finger",
    r"hips?": "hip",
    r"(?:anterior |posterior |lateral |medial |inner |outer )?thighs?": "thigh",
    r"knees?|patella\w*|popliteal": "knee",
    r"shins?|calf|calves|lower legs?|pretibial|anterior legs?|legs?": "lower_leg",
    r"ankles?|malleol\w*": "ankle",
    r"(?:dorsal )?feet|(?:dorsal )?foot|dorsum of (?:the )?foot|top of (?:the )?foot": "foot_dorsum",
    # "R sub-5th MTH", "plantar L 2nd MPJ": under a metatarsal head is the sole
    r"soles?|plantar foot|heels?|plantar|ball of (?:the )?foot|sub-?(?:[1-5](?:st|nd|rd|th)?\s*)?"
    r"(?:mth|mpj|mtpj?|metatarsal heads?)|[1-5](?:st|nd|rd|th)\s+(?:mth|mpj|mtpj?|metatarsal heads?)": "sole",
    r"(?:great |big |second |third |fourth |fifth |little )?toes?|"
    # "soft corn, L 4th interdigital web space": between two toes
    r"(?:[1-4](?:st|nd|rd|th)\s+)?(?:interdigital\s+)?web[- ]?spaces?|interdigital spaces?": "toe",
}
# one word boundary, then the alternatives (tested once per position, not once per word; only those that can start
# with the word's first letter)
_SITE_WORDS = word_alternation("\\b", [(f"s{i}", words) for i, words in enumerate(SITE_WORDS)], "\\b", re.IGNORECASE)
_PATTERN = _SITE_WORDS.pattern
_KEYS = list(SITE_WORDS.values())
_SIDE_BEFORE = re.compile(r"\b(left|right|l|r|lt|rt|bilateral|both|each|b/l)\.?\s+(?:\w+\s+){0,3}$", re.IGNORECASE)
_BETWEEN_BEFORE = re.compile(r"\bbetween\s+(?:the\s+|his\s+|her\s+)?$", re.IGNORECASE)
_SIDE_WORD = re.compile(r"\b(?:left|right|l|r|lt|rt|bilateral|both|each|b/l)\b", re.IGNORECASE)
_SIDE_AFTER = re.compile(r"^\s*[,(]?\s*(left|right|bilateral(?:ly)?)\b", re.IGNORECASE)


# "a hand mirror", "the back table", "face shield": a body word naming a thing, not where a lesion is; "came back",
# "call back"; "the H-zone of the face" says why Mohs is appropriate, it is no lesion's site
_NOT_A_SITE_AFTER = re.compile(r"[- ]?(?:mirror|held|hygiene|wash\w*|shield|mask|table|board|rest|towel|cannula|drape|"
                               r"sanitizer|lotion|cream|soap)\b|"
                               # "vermilion border preserved", "nail fold spared", "(face and genitals spared)": a
                               # part left untouched
                               r"(?:\s+(?:border|margin))?(?:\s*(?:and|&|/|,)\s*[a-z]{2,20}){0,2}"
                               r"\s*(?:was\s+|is\s+|were\s+|are\s+)?"
                               r"(?:preserved|spared|not involved|uninvolved|untouched)\b",
                               re.IGNORECASE)
# "the back of the R hand", "back of his neck": "back" naming the side of another part, not the back
_BACK_OF = re.compile(r"\s+of\s+(?:the\s+|his\s+|her\s+|their\s+|both\s+)?(?:(?:l|r|lt|rt|left|right)\.?\s+)?"
                      r"(?:hands?|neck|head|scalp|knees?|thighs?|arms?|upper arms?|legs?|calf|calves|ears?|heels?|"
                      r"fingers?|thumbs?|wrists?|shoulders?|forearms?)\b", re.IGNORECASE)
# "came back", "call back", "grew back": a verb's "back" (searched up to the word, so the word itself is checked apart)
_BACK_VERB = re.compile(r"\b(?:come|came|comes|coming|call|called|calls|go|goes|went|get|got|bring|brought|"
                        r"send|sent|grew|grow|grows|growing|grown|return|returns|returned|fold|folded|pull|"
                        r"pulled|hold|held|report|reported|check|checked|sit|sat|lie|lay|lying)\s+$", re.IGNORECASE)
_NOT_A_SITE_BEFORE = re.compile(r"\bh-?zone\s+of\s+(?:the\s+)?$|\bmask\s+area\s+of\s+(?:the\s+)?$|"
                                # "dog-ear repair": a repair's standing cone, not the ear
                                r"\bdog[- ]?$|"
                                # "papule of the upper lip, 5 mm from the vermilion": a distance from a landmark
                                r"\b\d+(?:\.\d+)?\s*(?:mm|cm)\s+(?:away\s+)?from\s+(?:the\s+)?$", re.IGNORECASE)


# Each item a whole word or a separator, then spaces: one way to match a parenthesis (the earlier
# "(?:\s*(?:[a-z]+|...)\s*)+" could split each word and each space many ways, and took 27 s to give up on
# "(just above the vermilion border; vermilion spared)")
_SUBSITES = re.compile(r"\s*\(\s*(?:(?:[a-z]+\b|[/,&])\s*)+\)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SiteMention:
    """A site word in the note: the site key, its side (left/right/both or None) and the span."""

    site: str
    laterality: str | None
    start: int
    end: int


def side_of(word: str) -> str:
    """left, right or both, from a side word as written ("L", "rt.", "Left", "bilateral")."""
    w = word.lower().rstrip(".")
    if w in ("left", "l", "lt"):
        return "left"
    if w in ("right", "r", "rt"):
        return "right"
    return "both"


def find_sites(text: str, offset: int = 0) -> list[SiteMention]:
    """Every site word in ``text``, longest phrase first, with the side written just before or after it."""
    found: list[SiteMention] = []
    for m in _PATTERN.finditer(text):
        group = m.lastgroup
        if group is None:
            continue
        site = _KEYS[_SITE_WORDS.index[group]]
        word = m.group(0).lower()
        if _NOT_A_SITE_AFTER.match(text, m.end()) or _NOT_A_SITE_BEFORE.search(text, max(0, m.start() - 25),
                                                                                 m.start()):
            continue
        if word.startswith("back") and _BACK_VERB.search(text, max(0, m.start() - 12), m.start()):
            continue
        if word == "back" and _BACK_OF.match(text, m.end()):
            continue  # "on the back of the R hand": the hand's back, named by the words after it
        if site == "back_upper" and word.startswith(("left ", "right ")):
            pass
        side: str | None = None
        start = m.start()
        window = text[max(0, m.start() - 30):m.start()]
        before = None
        for candidate in _SIDE_WORD.finditer(window):
            before = _SIDE_BEFORE.fullmatch(window[candidate.start():]) or before
        after = _SIDE_AFTER.match(text[m.end():m.end() + 15])
        if before and not re.search(r"[,;:.]", before.group(0)):
            side = side_of(before.group(1))
            start = m.start() - len(before.group(0))
        elif after:
            side = side_of(after.group(1))
        if word.startswith(("backs of both", "both")):
            side = "both"
        if side is None and site in PAIRED and re.search(r"(?:[^s]s|ae|ves|feet)$", word) and \
                not word.endswith(("ss", "biceps", "triceps", "calves")) and \
                not _BETWEEN_BEFORE.search(text, max(0, m.start() - 12), m.start()):
            # ("a corn between the toes": the space between two digits of one foot, not each side)
            side = "both"  # "dorsal hands", "both cheeks": a plural paired site with no side is each side
        if site not in PAIRED:
            side = None
        previous = found[-1] if found else None
        if previous and m.start() + offset < previous.end:
            continue  # a part named in the parenthesis of the site before
        inside = _SUBSITES.match(text, previous.end - offset) if previous else None
        if previous and inside and m.start() < inside.end() and side is None:
            # "scalp (vertex/frontal) x10": the parenthesis names parts of the site before it, which now ends there
            found[-1] = SiteMention(previous.site, previous.laterality, previous.start, inside.end() + offset)
            continue
        if previous and previous.site == site and not text[previous.end - offset:m.start()].strip(" ,"):
            # "scalp vertex", "nose, nasal tip": one site written twice
            found[-1] = SiteMention(site, previous.laterality or side, previous.start, m.end() + offset)
            continue
        found.append(SiteMention(site, side, start + offset, m.end() + offset))
    return found
