"""Read a dermatology procedure note into the encounter format, citing the span of every fact.

The note is cut into clauses (sentences, semicolons, enumerations such as "(1)" or "Lesion 2:"). A clause that
names a site with a procedure or a diagnosis opens a lesion (one per site named, "each"/"both" opening one per
side); clauses without a site add to the lesion before them (sizes, margins, repairs, Mohs stages, pathology).
Mentions that ConText marks negated, historical, planned, hypothetical or family, and mentions in the family or
past history sections, are set aside as ``ignored``; a lesion with no procedure left is "examined only".
"""

from __future__ import annotations

import bisect
import datetime
import functools
import itertools
import math
import re
from dataclasses import dataclass, field, replace
from decimal import ROUND_CEILING, Decimal
from typing import Any, TypeVar

from dermbill.notes import header, mdm
from dermbill.notes.measurements import Measure, classify_length, find_measures
from dermbill.notes.model import Fact, Gap, Ignored, NoteReading
from dermbill.notes.pipeline import (
    FAMILY,
    HISTORICAL,
    HISTORICAL_AFTER,
    HISTORICAL_BEFORE,
    HYPOTHETICAL,
    HYPOTHETICAL_BEFORE,
    NEGATED,
    PLANNED,
    analyse,
)
from dermbill.notes.procedures import ProcedureMention, find_procedures, repair_complexity
from dermbill.notes.sites import SiteMention, find_sites, side_of
from dermbill.notes.vocabulary import (
    DERMATITIS,
    PARONYCHIA,
    PARONYCHIA_CODES,
    VISIT_ONLY,
    DiagnosisMention,
    find_diagnoses,
    find_symptoms,
)

# "(2) L ear" enumerates, "abdomen (8)" counts; "A. R cheek" labels, "5 y/o F. Lesions" is the patient's sex
_CLAUSE_END = re.compile(r"(?<=[.;!?])(?<!\b[A-Ha-h]\.)(?<!\b\d\.)(?<!\.\.)\s+|\n+(?=\s*[^a-z\s])|"
                         # "6 y/o F. Exam: ~12 umbilicated papules": the patient's sex after the age ends a sentence
                         r"(?:(?<=/o [FM]\.)|(?<=yo [FM]\.)|(?<=\d[FM]\.)|(?<=old [FM]\.))\s+(?=[A-Z])|"
                         r"(?=\(\d+\)\s)(?<![a-z] )(?<![a-z])|"
                         # "1) shave bx ... and 2) LN2" numbers items; "(L cheek 2, R dorsal hand 1) at" closes a count;
                         # "#3 H/o SCC" opens an item ("to AKs (#6)" inside a sentence counts)
                         r"(?=(?<![\w.(])(?:(?<=[\s,]and )|(?<![a-z] ))\d\)\s)|(?=\b(?:Lesion|Site|Specimen)\s+"
                         r"(?:#?\d+|[A-H])\b)|(?=(?<!\w \()#\d\b(?!\s*(?:curettes?|blades?|scalpels?)\b))|"
                         r"(?=(?<![\w.])[A-H]\)\s)|"
                         r"(?=(?<![\w.])(?<!and )(?<!, )(?<!/o )(?<!yo )(?<!old )(?<!\d )[A-H][.:]\s+[A-Za-z])")
# "dog-ear at medial cheek removed", "Burow's triangle at the nasofacial sulcus": where a repair's tissue was
# trimmed, not a lesion
_LANDMARK_BEFORE = re.compile(r"\b(?:proximity to|close to|near|adjacent to|abutting|(?:just )?(?:above|below)|"
                              r"(?:dog-?ears?|burow'?s?\s+triangles?|standing cones?)\s+(?:at|of|toward|towards|in|"
                              r"into|along|on)|"
                              r"(?:lateral|medial|superior|inferior|distal|proximal) to)\s+(?:the\s+)?"
                              r"(?:(?:left|right|l|r|lateral|medial)\s+)?$", re.IGNORECASE)
# (a "Procedure: I&D x2" over a numbered list is the list's heading, read as such elsewhere)
_PROCEDURE_HEADING = re.compile(r"\s*(?:(?:procedure|op(?:erative)?) note\s*[-:\u2013\u2014]|"
                                r"procedure\s*[-\u2013\u2014])\s*[^.;\n]*$",
                                re.IGNORECASE)


_WHY_LINE = re.compile(r"\s*(?:indications?|reasons?(?: for (?:the )?(?:visit|procedures?))?|hx|history|hpi|cc|"
                       r"chief complaint)\s*:", re.IGNORECASE)


def _next_line_sites(text: str, end: int) -> bool:
    """The line after ``end`` names a site."""
    line_start = text.find("\n", end)
    if line_start < 0:
        return False
    following = text[line_start:].lstrip("\n")
    line = following.split("\n", 1)[0]
    # "Indication: tender nodules on the shins; also ... R forearm": why the procedures were done, not their site
    return not _WHY_LINE.match(line) and bool(find_sites(line))


_GARMENT_LINE = re.compile(r"\b(?:bra|waist|belt)", re.IGNORECASE)
_SIDE_FIRST = re.compile(r"(?:left|right|l|r|lt|rt)\.?[ \t]+(?!(?:and|&|/)\b)", re.IGNORECASE)
_REGION = re.compile(r"(?:the\s+)?(?:trunk|torso)", re.IGNORECASE)
# ("Assessment and plan: 1. psoriasis vulgaris, flaring, ...": the first item written after the heading on its line)
_NUMBERED_ITEM = re.compile(r"\s*(?:(?:assessment(?:\s*(?:and|&|/)\s*plan)?|a\s*/\s*p|impression|imp)\s*:\s*)?"
                            r"\d{1,2}[.)]\s", re.IGNORECASE)
# a clause that ends on a dash or colon introduces the next one ("Tangential biopsy - " before "A: L upper arm")
_LEADS_IN = re.compile(r"(?:\s[-\u2013\u2014]|:)\s*$")
_LABEL = re.compile(r"\s*(?:\(|#|lesion\s+|site\s+)?(\d|[A-H])\b[).:]?", re.IGNORECASE)
# ("Number one, squamous cell carcinoma in situ of the right shin": a dictated list)
# ("Lesion 1.5 cm.": a size, not lesion 1)
_ENUMERATED = re.compile(r"^\s*(?:\(\d+\)|\([A-H]\)|\d\)|#\d|(?:Lesion|Site|Specimen)\s+(?:#?\d+(?![.,]\d)|[A-H])|"
                         r"[A-H][.):]|number\s+(?:one|two|three|four|five|six|seven|eight)\b)", re.IGNORECASE)
_PATH_CLAUSE = re.compile(r"^\W*(?:\w+\s+){0,2}(?:path(?:ology)?|dermpath|histo(?:logy|path(?:ology)?)?)\b|"
                          r"\b(?:final |excision |excisional |biopsy |bx )?(?:path(?:ology)?|dermpath|histolog\w*)"
                          r"(?: report| result| results| dx| diagnosis)?\s*(?:showed|shows|revealed|reveals|"
                          r"returned|confirmed|consistent with|c/w|was|is|:|=|-)|\bpath(?:ology)?\s*:|"
                          r"^\W*addendum\b[^:\n]{0,25}:",
                          re.IGNORECASE)
_PATH_START = re.compile(r"\W*(?:final |excision(?:al)? |biopsy |bx )?(?:path(?:ology)?|dermpath|"
                         r"dermatopathology|histo(?:logy|pathology)?)\b|"
                         # "ADDENDUM 02/13/2026: Pathology, ...", "Addendum 4/8/26: H&E - ...": a dated addendum
                         r"\W*addendum\b[^:\n]{0,25}:", re.IGNORECASE)
_PATH_PAREN = re.compile(r"\(\s*(?:final |excision )?(?:path(?:ology)?|histology)\b[^)]*\)", re.IGNORECASE)
_INVASIVE_OF = {"melanoma_in_situ": "melanoma", "scc_in_situ": "scc"}
_BIOPSY_PAREN = re.compile(r"\((?=[^()]{0,40}\b(?:bx|biops\w*)\b)[^()]{0,200}\)", re.IGNORECASE)
_PENDING = re.compile(r"\bpending\b|sent (?:to|for) (?:path|pathology|histo|dermpath)|specimen(?:s)? sent|"
                      r"to pathology|submitted (?:to|for) (?:path|histo)|awaiting", re.IGNORECASE)
# "risks of excision including scarring were discussed" is consent talk; "given the risk of alar notching, a bilobed
# flap was designed" is the reason for what was done
# ("after discussing risks including scarring we went ahead with incision and drainage": what was done)
_RISK_TALK = re.compile(r"\b(?:risks?|benefits|alternatives|complications?)\b(?![^.;]*\b(?:obtained|signed|"
                        r"performed|done|today|went ahead|proceeded|go ahead)\b)[^.;]*$", re.IGNORECASE)
_GRANULATION_BEFORE = re.compile(r"\bgranulation(?: tissue)?\s+(?:was\s+|were\s+)?(?:gently\s+|then\s+|also\s+)?$",
                                 re.IGNORECASE)
_GRANULATION_AFTER = re.compile(r"\s+(?:of\s+)?(?:the\s+)?(?:hypertrophic\s+|excess\s+)?granulation\b", re.IGNORECASE)
# "after verbal consent and discussion of risks, the nine AKs ... were treated": consent given, then the procedure
# ("After discussing the risks and obtaining consent, all three were ... sampled": the talk came before the act)
_AFTER_CONSENT = re.compile(r"\b(?:after|following|with)\s+(?:(?:verbal|written|informed|oral|signed)\s+)?(?:consent|"
                            r"(?:a\s+)?discussion of (?:the\s+)?risks|(?:discussing|reviewing|explaining)\s+(?:the\s+)?"
                            r"risks\b[^.;:]{0,40}?\b(?:obtaining|getting|with)\s+(?:\w+\s+)?consent)\b[^.;:]*$",
                            re.IGNORECASE)
_DONE_AFTER = re.compile(r"^[^.;]*\b(?:(?:was|were) (?:designed|elevated|chosen|selected|performed|used|carried out|"
                         r"inset|transposed|rotated|advanced)|elected|chosen|selected)\b", re.IGNORECASE)
# "after discussion of options (second intent, FTSG, flap), a bilobed transposition flap was designed": the
# procedure the sentence then says was made is done, whatever options were talked over before it
_MADE_RIGHT_AFTER = re.compile(r"\s+(?:was|were)\s+(?:then\s+|subsequently\s+|successfully\s+)?(?:designed|elevated|"
                               r"performed|carried out|inset|transposed|rotated|advanced|raised|incised)\b",
                               re.IGNORECASE)
_CONSENT = re.compile(r"\b(?:risks?|benefits|alternatives|consent|complications? (?:include|including|such as))\b",
                      re.IGNORECASE)
_YEAR = re.compile(r"\b(?:in |\()(?:19|20)\d\d\b(?![/-])|(?<![/\d])\d{1,2}/(?:19|20)\d\d\b")
_UNITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_WORD_NUMBERS: dict[str, int] = {
    **{word: n for n, word in enumerate(_UNITS, start=1)},
    **{word: n for n, word in enumerate(("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
                                         "seventeen", "eighteen", "nineteen"), start=10)},
    **{tens: 10 * k for k, tens in ((2, "twenty"), (3, "thirty"), (4, "forty"))},
    **{f"{tens}-{unit}": 10 * k + n for k, tens in ((2, "twenty"), (3, "thirty"))
       for n, unit in enumerate(_UNITS, start=1)},
    "single": 1, "a": 1, "an": 1,
}
# a number followed by a unit ("8 mm pearly papule", "2 FTC", "#11 blade") measures or names; it counts no lesion
_NOT_UNIT = (r"(?!\s*(?:mm|cm|millimet|centimet|mg|mcg|ml|cc|g\b|%|sq\b|o'?clock|nm\b|j\b|j/|joules?|ftc|"
             r"freeze|cycles?|passes|rounds?|blades?|sutures?|x\s*\d|-(?:mm|cm)|(?:-|\s)?(?:0|o)\b))")
_NUM = r"(?<![\d.#/_])(?<![A-WYZa-wyz])(\d{1,3}(?![\d./])" + _NOT_UNIT + "|" + "|".join(sorted(
    (w for w in _WORD_NUMBERS if w not in ("a", "an", "single")), key=len, reverse=True)) + r"\b" + _NOT_UNIT + ")"
_COUNT_ON_SITE = re.compile(_NUM + r"\s+(?:[a-z]+\s+){0,3}?(?:on|in|of|at|over|to)\s+(?:the\s+)?(?:each|both|left|"
                            r"right|l|r|bilateral)?\s*$", re.IGNORECASE)
# "AKs x 6 (4 scalp, 2 L forehead)": a list's count written just before each site
_COUNT_LISTED_BEFORE = re.compile(r"(?<=[(,;:])\s*(\d{1,2})\s+(?:(?:l|r|lt|rt|left|right)\s+)?"
                                  r"(?:(?:ant|post|anterior|posterior|lat|lateral|medial|mid|upper|lower)\.?\s+)?$",
                                  re.IGNORECASE)
# "forearm: 3", "forearm x3", "forearm (x3)", "forearm (3)"
# "neck ~11", "neck approx. 11": an approximate count is the count
# "neck ......... 16": dot leaders before the count
_COUNT_AFTER_SITE = re.compile(r"\s*(?:\([^)\n]{1,30}\)\s*(?=:))?(?:\.{2,}[ \t]*)?"
                               r"[:=-]?\s*(?:\(\s*(?:x\s?|\u00d7\s?)?(?=\d{1,2}\s*\))|(?:x\s?|\u00d7\s?)?)"
                               r"(?:~\s?|approx(?:imately|\.)?\s|about\s)?"
                               r"(\d{1,2})\b(?!/\d|\s*(?:cm|mm|%|\.\d|x\s*\d|o'?clock|mg|ml|cc|g\b|"
                               r"sq|weeks?|days?|months?|mos?\b|years?|yrs?|wks?|hrs?|hours?|episodes?|times|ftc|freeze|cycles?|passes|rounds?|"
                               r"blades?|-0\b))", re.IGNORECASE)
# ("73 yo M wants SKs removed": a number of years is no count, nor a word of the age; "number three irritated SK" is
# the third item)
_COUNT_NOUN = re.compile(r"(?<![Nn]umber )(?<!#)" + _NUM
                         + r"(?!\s*-?\s*(?:yo|y/o|y\.o\.|years?|yrs?|year-old|[mf]|mo|mos|months?|wks?|weeks?|"
                         r"days?|d|hrs?|hours?)\b)"
                         r"\s+(?:(?!yo\b|y/o\b|years?\b|yrs?\b)[a-z]+,?\s+){0,3}?"
                         r"(?:lesions?|aks?|sks?|isks?|warts?|verrucae?|tags?|"
                         r"acrochordons?|keratos[ie]s|nevi|cysts?|abscess(?:es)?|keloids?|corns?|calluses|"
                         r"callosities|molluscum|papules|spots|areas|sites|scars?|patches|plaques|nodules)\b",
                         re.IGNORECASE)
_SITE_TIMES = re.compile(r"\s*\(?\s*(?:x|\u00d7)\s?\d{1,2}\b(?!\s*(?:cm|mm|\d|\.\d|days?|d\b|weeks?|wks?|months?|mos?|"
                         r"years?|yrs?|cycles?|passes|rounds?|freeze|ft|ftc|sec|seconds?|min))", re.IGNORECASE)
# "neck ......... 16" on a line of its own: a tally of lesions by site (dot leaders or a column of spaces)
_TALLY = re.compile(r"[ \t]*(?:\.{2,}|[ \t]{2,}|[:=-])[ \t]*\d{1,2}[ \t]*(?:\n|$)")
# "Location: face and scalp." in a templated note names where the procedure was done
_SITE_HEADING = re.compile(r"\s*(?:locations?|sites?|areas? treated|anatomic (?:location|site))\s*:", re.IGNORECASE)
# "Number treated: 22", "No. of lesions: 4"
_COUNT_HEADING = re.compile(r"\b(?:number|no\.?|#) (?:of lesions |of aks |of warts )?(?:treated|of lesions|destroyed|"
                            r"removed)\s*[:=]?\s*(\d{1,3})\b(?!\s*(?:mm|cm|%|sq))", re.IGNORECASE)
_HEADING_COUNT = re.compile(r"^\s*(?:\w+\s*){0,2}:")
_LESION_NOUN = re.compile(r"\b(?:lesions?|papules?|nodules?|neoplasms?|growths?|macules?|plaques?|tumou?rs?|spots?|"
                          r"moles?|patch(?:es)?|(?:nodulo)?cysts?|site)\b", re.IGNORECASE)
_COUNT_X = re.compile(r"(?<!specimens )(?<!specimen )(?<!sutures )(?<!nylon )(?<!prolene )(?<!vicryl )"
                      r"(?<!cycles )(?<!times )(?<!curetted )(?<!curettage )(?:\bx|\u00d7)\s?(\d{1,3})\b"
                      r"(?!\s*(?:cm|mm|\d|\.\d|days?|d\b|weeks?|wks?|months?|mos?|"
                      r"years?|yrs?|cycles?|passes|rounds?|freeze|ft|ftc|sec|seconds?|min))", re.IGNORECASE)
# "LN2 cryotherapy to AKs (#6)": a number sign after lesions in the plural counts them ("shave bx R cheek (#2)" after a
# single lesion numbers its item)
_COUNT_HASH = re.compile(r"\b(?:aks|sks|isks|warts|verrucae|lesions|keratoses|papules|spots|tags|acrochordons|nevi|"
                         r"molluscum|condylomas|corns|calluses)\s*\(\s*#\s?(\d{1,2})\s*\)", re.IGNORECASE)
_COUNTABLE_BEFORE = re.compile(r"(?:lesions?|aks?|sks?|isks?|warts?|verrucae?|vulgaris|tags?|acrochordons?|"
                               # "AKs face/scalp - LN2 x17": the treatment's count is the lesions' (not "persisted
                               # after LN2 x2": earlier sessions)
                               r"(?<!after )(?<!s/p )(?<!failed )(?<!prior )(?<!previous )"
                               r"(?:ln2|cryo(?:therapy)?|liquid nitrogen|frozen|treated|destroyed)|"
                               r"keratos[ie]s|nevi|cysts?|papules?|spots?|molluscum|keloids?|condylomas?|corns?|"
                               r"calluse?s?|callosities|sites?|behavior|behaviour|neoplasms?|abscess(?:es)?)\W*$",
                               re.IGNORECASE)
_SPECIMEN_TYPES = ("biopsy", "excision", "shave_removal")
_SYMPTOM_TYPES = ("shave_removal", "excision", "destruction", "skin_tag_removal")
_EXCISION_FAMILIES = {"back_upper": "trunk", "back_lower": "trunk", "chest": "trunk", "abdomen": "trunk"}


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _WORD_NUMBERS[re.sub(r"^(?:a\s+)?single$", "one", word.lower())]


@dataclass
class _Lesion:
    site: SiteMention
    start: int
    end: int
    texts: list[tuple[int, int]] = field(default_factory=list)
    procedures: list[ProcedureMention] = field(default_factory=list)
    diagnoses: list[DiagnosisMention] = field(default_factory=list)
    pathology: list[DiagnosisMention] = field(default_factory=list)
    measures: list[tuple[str, Measure]] = field(default_factory=list)
    symptoms: list[tuple[str, int, int]] = field(default_factory=list)
    count: tuple[int, int, int] | None = None
    laterality: str | None = None
    pending: bool = False
    shared: list[DiagnosisMention] = field(default_factory=list)
    preamble: tuple[int, int, list[ProcedureMention], list[DiagnosisMention]] | None = None
    repair_words: list[tuple[int, int]] = field(default_factory=list)
    enumerated: bool = False
    item: str | None = None  # the number or letter of the list item that opened it ("1)", "B.")
    left_today: bool = False  # "Not treated today." said of it in a clause of its own
    # the diagnoses of a clause said of several lesions at once ("Plantar warts pared, then LN2 to all 7 lesions"),
    # which give way to one said of this lesion alone ("Dx: verruca vulgaris, R fingers")
    group_said: list[DiagnosisMention] = field(default_factory=list)


# the number or letter a list item opens with: "1) L lateral upper arm: ...", "(2) R cheek", "B. L forearm"
_ITEM = re.compile(r"\s*\(?(\d{1,2}|[A-Ha-h])[).:]\s")


@dataclass
class _Reading:
    text: str
    facts: list[Fact] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    ignored: list[Ignored] = field(default_factory=list)

    def fact(self, path: str, value: Any, start: int, end: int) -> None:
        self.facts.append(Fact(path, value, start, end, self.text[start:end]))

    def ignore(self, reason: str, start: int, end: int) -> None:
        sentence_start, sentence_end = sentence_bounds(self.text, start, end)
        while sentence_start < start and self.text[sentence_start].isspace():
            sentence_start += 1
        if any(i.start == sentence_start and i.end == sentence_end for i in self.ignored):
            return
        self.ignored.append(Ignored(reason, self.text[sentence_start:sentence_end], sentence_start, sentence_end))


# "Mohs by Dr. Patel", "options incl. excision", "excision vs. Mohs": an abbreviation's period ends no sentence
_SENTENCE_BREAK = re.compile(r"(?<!\b[Dd]r)(?<!\b[Ii]ncl)(?<!\b[Vv]s)(?<!\b[Aa]pprox)(?<!\be\.g)(?<!\bi\.e)"
                             r"[.;!?](?=\s|$)|\n")


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around ``text[start:end]`` (a decimal point such as "0.5" does not end one)."""
    ends, starts = _breaks(text)
    # linear in the note: the breaks are found once per text and looked up by bisection
    index = bisect.bisect_right(ends, start)
    sentence_start = ends[index - 1] if index else 0
    if start > sentence_start and text[start - 1] in ".;!?":
        sentence_start = start  # a break written right against the mention ("bx.Shave")
    after = bisect.bisect_left(starts, end)
    return sentence_start, (starts[after] if after < len(starts) else len(text))


@functools.lru_cache(maxsize=8)
def _breaks(text: str) -> tuple[list[int], list[int]]:
    found = list(_SENTENCE_BREAK.finditer(text))
    return [m.end() for m in found], [m.start() for m in found]


_Mention = TypeVar("_Mention", ProcedureMention, DiagnosisMention)


def _between(mentions: list[_Mention], start: int, end: int) -> list[_Mention]:
    """The mentions (in text order) that start in [start, end): found by bisection, so long notes stay linear."""
    low = bisect.bisect_left(mentions, start, key=lambda m: m.start)
    high = bisect.bisect_left(mentions, end, lo=low, key=lambda m: m.start)
    return mentions[low:high]


def _clauses(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    last = 0
    for m in _CLAUSE_END.finditer(text):
        if m.start() > last:
            spans.append((last, m.start()))
        last = max(last, m.end())
    if last < len(text):
        spans.append((last, len(text)))
    spans = [(a, b) for a, b in spans if text[a:b].strip()]
    # "corns x3 (R 5th toe x2; L 5th toe x1) - pared": a semicolon inside a parenthesis ends no clause
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and text[merged[-1][1] - 1] == ";" and "\n" not in text[merged[-1][1]:a] and \
                text.rfind("(", *merged[-1]) > text.rfind(")", *merged[-1]) and \
                ")" in text[a:b]:
            merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def _reason(modifiers: tuple[str, ...], section: str | None, procedure: bool = False) -> str | None:
    # a procedure in today's note is never done to a relative ("verbal consent from dad, curettage of ...")
    if section == "family_history" or (FAMILY in modifiers and not procedure):
        return "family"
    if NEGATED in modifiers:
        return "negated"
    if section == "past_history" or HISTORICAL in modifiers:
        return "historical"
    if PLANNED in modifiers:
        return "planned"
    if HYPOTHETICAL in modifiers:
        return "hypothetical"
    return None


_FULL_DATE = re.compile(r"\b(\d{1,2}/\d{1,2}/\d{2,4}|\d{4}-\d{2}-\d{2})\b")


def _other_day(words: str, visit_day: datetime.date | None) -> bool:
    """A procedure written with a date that is not the day of service ("biopsy 5/12/2026") was done before."""
    for m in _FULL_DATE.finditer(words):
        day = header.parse_date(m.group(1))
        if day is not None and day != visit_day:
            return True
    return False


# "Return in 2 weeks for excision", "RTC for Mohs", "will biopsy if it changes", "referred to Mohs"
_RETURN_LINE = re.compile(r"[ \t]*(?:f/u|rtc|follow[- ]?up|return(?: to clinic| visit)?|"
                          r"next (?:visit|appt|appointment))\b[ \t]*[:-]", re.IGNORECASE)
_ALLERGY_BEFORE = re.compile(r"\ballerg(?:y|ies)\b\s*:[^.;\n]*$", re.IGNORECASE)
# "presents today for Mohs micrographic surgery of a biopsy-proven BCC, biopsied ... on December second": the
# procedure the patient came for today (the date is the biopsy's)
_TODAY_FOR = re.compile(r"\b(?:presents?|is here|here|seen|comes?|came in|returns?)\s+(?:today\s+)?for\s+(?:(?:his|her|"
                        r"their|a|an|the|scheduled|planned|staged)\s+)*$|\btoday\s+for\s+(?:(?:his|her|the|a)\s+)?$",
                        re.IGNORECASE)
# "returns today for treatment of two biopsy-proven superficial basal cell carcinomas, his biopsies were done ... on
# March fourth": the cancers treated today (the date is their biopsies')
_TREATED_TODAY_FOR = re.compile(r"\b(?:presents?|returns?|is here|here|seen|comes?|came in)\s+(?:today\s+)?for\s+"
                                r"(?:(?:the|his|her|their|definitive|scheduled|planned)\s+)*(?:treatment|removal|excision|"
                                r"mohs(?: surgery)?|ed&c|ed and c|destruction|surgery)\s+of\s+(?:[\w-]+\s+){0,4}$",
                                re.IGNORECASE)
_PLANNED_BEFORE = re.compile(r"\b(?:(?:return|rtc|f/u|follow[- ]?up|come back|schedul\w*|book\w*|next visit)\b[^.;]*"
                             r"\b(?:for|after)|will|would|plan(?:s|ned)? to|refer\w*(?: (?:to|for))?|to be)\b[^.;]*$|"
                             # "Pt to oculoplastics tomorrow morning for reconstruction (likely advancement flap)"
                             r"\btomorrow\b[^.;]*$|"
                             # "- Plan excision with 2 mm margins once ...": the plan names the procedure
                             r"(?:^|[-\u2022*:]\s*)plan(?:ning)?\s+(?:for\s+)?(?:(?:an?|the)\s+)?(?:[\w-]+\s+)?$|"
                             # "BCC L nasal ala - awaiting Mohs", "pending excision": what the patient waits for
                             r"\b(?:awaiting|awaits|waiting for|pending)\s+(?:(?:his|her|the|their|a|an)\s+)?"
                             r"(?:[\w-]+\s+){0,2}$",
                             re.IGNORECASE)
_IF_AFTER = re.compile(r"^[^.;]*?\bif (?:it |they |this |lesions? )?(?:changes?|grows?|enlarges?|persists?|"
                       r"recurs?|bleeds?|worsens?|new|not|no|positive|needed|necessary|path|residual|incomplete|"
                       r"recurrence|persistent)", re.IGNORECASE)
# "7 mm papule, persisted after LN2 x2", "recurred despite ED&C", "failed cryo": an earlier treatment that did not work
# "At her March visit PA Jones treated 4 AKs", "at the last visit we froze ...": what an earlier visit did
_EARLIER_VISIT_BEFORE = re.compile(r"\b(?:at|during|on)\s+(?:her|his|their|the|that|your|our)\s+(?:last|previous|"
                                   r"prior|earlier|first|initial|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|"
                                   r"dec)[a-z]*)\s+(?:visit|appointment|appt|encounter)\b[^.;]*$", re.IGNORECASE)
# "Returns 1 wk after excision of SCC upper back", "2 weeks post Mohs": a time since the procedure tells of it done
_TIME_SINCE_BEFORE = re.compile(r"\b(?:\d{1,2}|one|two|three|four|six|a|an|a few|several)[ -]?(?:d|days?|wks?|weeks?|"
                                r"mos?|months?)\s+(?:after|following|post|out from|since|s/p)\s+(?:(?:the|his|her|"
                                r"their|an?|last|prior)\s+)?(?:[\w&-]+\s+){0,2}$", re.IGNORECASE)
_FAILED_BEFORE = re.compile(r"(?:\b(?:persist\w*|recurr\w*|recurs|regrew|returned|came back)\s+(?:\w+\s+){0,2}?"
                            r"(?:after|despite|following|post)|\b(?:failed|despite|refractory to|resistant to|"
                            r"unresponsive to|did not respond to|no response to)"
                            # "failed high-potency topicals and a course of NB-UVB": each treatment of the list failed
                            r"(?:\s+(?!(?:so|then|now|today|and then)\b)[\w%./-]+){0,4}?(?:\s*,|\s+and|\s+or|\s*&)"
                            r"(?:\s+(?:a|an)\s+(?:course|trial|cycle)\s+of)?"
                            r"|\b(?:failed|completed|finished|after|despite)\s+(?:a|an|his|her|their|the)\s+(?:prior\s+|"
                            r"previous\s+)?(?:course|trial|cycle)\s+of)\s+(?:prior\s+|previous\s+)?$",
                            re.IGNORECASE)
# "No procedures performed today." said of the visit (a clause of its own), not "SKs, back - benign, no treatment
# today" said of one lesion
_NOTHING_DONE = re.compile(r"(?:^|(?<=[:.;])|(?<=[:.;]\s)|(?<=[:.;]\s\s))[ \t]*"
                           # ("No treatment of SKs today" leaves alone what it names, not the whole visit)
                           r"(?:no (?:procedures?|treatments?|lesions? treated|surgery)\b"
                           r"(?!\s+(?:of|for|to|on)\s+(?!any\b|all\b|(?:the\s+|her\s+|his\s+)?lesions?\b))"
                           r"[^.;\n]*\b(?:today|performed|"
                           r"done)\b|no procedures? (?:were |was )?(?:performed|done)\b)", re.IGNORECASE | re.MULTILINE)


_OWN_DATE = re.compile(r"[ \t]*(?:on[ \t]+|dated[ \t]+|:[ \t]*)?(\d{1,2}/\d{1,2}/\d{2,4}|\d{4}-\d{2}-\d{2})\b")


_SEEN_ON = re.compile(r"\b(?:seen|s/p|status post|underwent|had|treated)\s+(?:on\s+)?$", re.IGNORECASE)


# "Today's concern is NOT related to the surgery: new rash on trunk": a visit for another problem in a global period
_UNRELATED_VISIT = re.compile(r"\b(?:not related|unrelated) to (?:the |her |his )?(?:surgery|excision|procedure|mohs|"
                              r"flap|repair)\b", re.IGNORECASE)


def _dated_before(text: str, start: int, end: int, procedures: list[ProcedureMention],
                  visit_day: datetime.date | None) -> bool:
    """A procedure written with an earlier year or date ("s/p excision in 2019", "biopsy 5/12/2026"), unless the
    date belongs to another mention's parenthesis ("Mohs, SCC (bx 5/2026)")."""
    sentence_start, sentence_end = sentence_bounds(text, start, end)
    sentence = text[sentence_start:sentence_end]
    own = _OWN_DATE.match(text, end)
    if own and visit_day is not None and (day := header.parse_date(own.group(1))) is not None and day < visit_day:
        return True  # "ED&C today of BCC L cheek (bx 1/20/26)": the date written right after the biopsy is its own
    if re.search(r"\btoday\b", sentence, re.IGNORECASE):
        return False
    dates = [(m.start() + sentence_start, m.end() + sentence_start) for m in _YEAR.finditer(sentence)]
    dates += [(m.start() + sentence_start, m.end() + sentence_start) for m in _FULL_DATE.finditer(sentence)
              if header.parse_date(m.group(1)) not in (None, visit_day)]
    for date_start, _ in dates:
        if date_start < start and _SEEN_ON.search(text, max(sentence_start, date_start - 25), date_start):
            return True  # "seen 2/12/26 for excision of BCC L cheek with rotation flap repair": that day's, all of it
        low, high = sorted((end, date_start))
        between = [p for p in procedures if (p.start, p.end) != (start, end) and low <= p.start < high]
        shared = bool(between) and date_start > end and _joined(text, start, end, between)
        if between and not shared:
            continue  # the date is the nearer mention's ("Mohs, SCC (bx 5/2026)")
        opened = text.rfind("(", 0, date_start)
        if opened > end and text.rfind(")", 0, date_start) < opened and not shared:
            continue  # the date is inside a parenthesis that opens after the mention
        closed = text.find(")", date_start)
        if date_start < start and opened > text.rfind(")", 0, date_start) and 0 <= closed < start and re.search(
                r"\b(?:bx|biops\w*|path\w*|dx|diagnos\w*|proven)\b", text[opened:closed], re.IGNORECASE):
            continue  # "sBCC, L shoulder (bx 7/1/26) -- ED&C": the date in the parenthesis is the biopsy's
        if date_start >= end and (date_start - end > 60 or re.search(
                r"\b(?:biops|bx|path|proven|dx|diagnos)", text[end:date_start], re.IGNORECASE)):
            continue  # "Mohs, SCC, biopsy-proven 8/2026": the date is the biopsy's
        return True
    return False


# "Mohs + flap by me 4/7/26", "excision and repair on 3/2/26": procedures joined by "+", "&", "and" or "/" share
# the date written after the last of them, and so does the procedure a parenthesis opened after it tells of
# ("bilobed flap (Mohs + flap by me 4/7/26)")
_JOINED = re.compile(r"\s*(?:\+|&|/|and|with|then|\()\s*", re.IGNORECASE)


def _joined(text: str, start: int, end: int, between: list[ProcedureMention]) -> bool:
    """The mention at start:end and the procedures after it up to a date form one coordinated phrase."""
    previous_end = end
    for p in sorted(between, key=lambda q: q.start):
        if not _JOINED.fullmatch(text[previous_end:p.start]):
            return False
        previous_end = p.end
    return True


# a procedure named after "referred after/following/s/p" in its sentence was the referring surgeon's: the
# patient comes for what follows it (the repair), so only the procedure is left out, not the lesion's diagnosis
_REFERRED_AFTER = re.compile(r"\b(?:referred|sent|comes?|presents?|here)\b[^.;\n]{0,20}\b(?:after|following|s/p|"
                             r"status post|post)\W+(?:\w+\W+){0,2}$", re.IGNORECASE)


# "by her PCP", "at an outside clinic", "by outside dermatology", "per plastics": a procedure done (or to be done) by
# someone other than the note's provider; "referred by her PCP" names who sent the patient, not who did it
_PROVIDER_NOUN = (r"(?:dermatolog\w*|derm|pcp|providers?|physicians?|doctors?|md|np|pa|surgeons?|clinic|practice|"
                  r"office|facility|hospital|team)")
_OTHER_PERFORMER = re.compile(
    r"(?<!referred )(?<!sent )(?<!referral )\b(?:by|at|per|from|through)\s+(?:(?:an?|the)\s+)?(?:"
    r"(?:her|his|their|the patient'?s|pt'?s)\s+(?:(?:own|previous|prior|former|old|local|outside|other)\s+)?"
    r"(?:\w+\s+)?" + _PROVIDER_NOUN + r"|(?:outside|other|another|different|previous|prior|former|referring|local|"
    r"osh)\s+(?:\w+\s+)?" + _PROVIDER_NOUN + r"|pcp|primary care\b(?:\s+\w+)?|plastics|plastic surg\w*|ent|"
    r"oculoplastics?|oculoplastic surg\w*|urgent care|the er|the ed|podiatr\w*|gyn\w*|outside\s+\w+)\b|"
    r"\b(?:done|performed|treated|excised|removed|biopsied)\s+elsewhere\b|"
    # "by Dr. Chen (outside Mohs surgeon)": the parenthesis says whose the procedure was
    r"\(\s*(?:an?\s+|the\s+)?(?:outside|other|another|different|referring|local|osh)\s+(?:\w+\s+)?"
    + _PROVIDER_NOUN + r"\s*\)", re.IGNORECASE)
# "Mohs performed by Dr. Patel; no repair by me": a named colleague did it, the note's provider says what was theirs
_BY_NAMED = re.compile(r"\b(?:performed |done |completed )?(?:today )?by Dr\.?\s+[A-Z][\w'-]+|"
                       r"^\W*Dr\.?\s+[A-Z][\w'-]+\s+(?:performed|did|completed|removed|excised|biopsied)\b")
# the note's provider says what was theirs: "by me", "I repaired", or the patient "referred for closure" to them
_FIRST_PERSON = re.compile(r"\bby me\b|\bI (?:performed|did|was asked|repaired|closed|saw)\b|"
                           r"\(mohs surgeon\)|\b(?:referred|sent|here|presents?) (?:to (?:me|us) )?for (?:the )?"
                           r"(?:closure|repair|reconstruction)\b", re.IGNORECASE)
# "Pt had Mohs this AM by Dr. Patel", "she underwent excision": what the patient had is not what the note's
# provider does in it
_PATIENT_HAD = re.compile(r"\b(?:pt|patient|he|she|they)\s+(?:had|has had|underwent|has undergone)\s+"
                          r"(?:(?:a|an|the|his|her)\s+)?$", re.IGNORECASE)
# the earlier wound a procedure is done to today, named just before it
_PRIOR_OBJECT_BEFORE = re.compile(r"^\W*(?:the\s+)?(?:(?:scar|wound)\s+and\s+(?:the\s+)?)?"
                                  r"(?:prior|previous|old|earlier)\s+"
                                  r"(?:closure|scar|incision(?:\s+line)?|repair|wound|excision\s+site|biopsy\s+site)"
                                  r"(?:\s+and\s+(?:the\s+)?(?:scar|wound|closure))?\s+(?:was\s+|were\s+)?$",
                                  re.IGNORECASE)
# "After informed consent, and under local anesthesia ..., she underwent wide local excision": what the patient
# underwent after today's consent or under today's anaesthetic is today's procedure
_TODAY_UNDERGONE = re.compile(r"\b(?:after|following|with)\s+(?:(?:verbal|written|informed|oral|signed)\s+)?consent\b|"
                              r"\bunder\s+(?:local|topical|tumescent|general)?\s*(?:anesthesia|anaesthesia)\b",
                              re.IGNORECASE)
# "Father had Mohs for a BCC": a relative is the subject of the procedure ("consent from dad" is not)
# "a 6-year-old boy brought in by his mother for molluscum": the relative brings the patient; what follows is his
_BROUGHT_BY = re.compile(r"\b(?:brought(?:\s+in)?|accompanied|here)\s+(?:today\s+)?(?:by|with)\s+"
                         r"(?:his|her|their|the)?\s*"
                         r"(?:mother|father|mom|dad|parents?|grandmother|grandfather|grandma|grandpa|guardian|aunt|"
                         r"daughter|son|wife|husband|caregiver)\s+(?:today\s+)?(?:for|about|with|because of|re:?)\s+"
                         r"(?:(?!who\b|whose\b|and\b)[\w'/-]+\s+){0,4}$", re.IGNORECASE)
_RELATIVE_HAD = re.compile(r"\b(?:mother|father|mom|dad|sister|brother|sibling|grandmother|grandfather|grandma|"
                           r"grandpa|aunt|uncle|son|daughter|cousin|husband|wife|spouse)(?:'s)?\s+(?:\w+\s+){0,3}?"
                           r"(?:had|has had|underwent|s/p|status post|was treated|needed|required|got)\b[^.;]*$",
                           re.IGNORECASE)
# "Options reviewed incl. excision, Mohs and ED&C", "we talked about excision versus Mohs": alternatives weighed,
# not done (what was done is written where it is done)
_ALTERNATIVES_BEFORE = re.compile(r"\b(?:options?|choices|alternatives\s+(?:include|including|incl\.|such as|are|"
                                  r"were|of|to)|talked about|went over)\b(?:[^.;]|(?<=\bincl)\.|(?<=\bvs)\.)*$|"
                                  r"\b(?:vs\.?|versus)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
_ALTERNATIVES_AFTER = re.compile(r"^(?:\s+\w+){0,6}?\s*,?\s*(?:vs\.?|versus)\s", re.IGNORECASE)
# "Mohs on 6/20", "excision scheduled for 7/2": a day without its year, not the day of service
_SHORT_DATE = re.compile(r"\b(?:on|for|scheduled|booked)\s+(\d{1,2})/(\d{1,2})\b(?![/\d])", re.IGNORECASE)


# "biopsied by her PCP last month", "frozen 3 weeks ago": a procedure of an earlier day (said of the procedure only:
# "BCC, biopsy proven last month" keeps its diagnosis)
_RECENTLY_AFTER = re.compile(r"^[^.;]{0,40}?\b(?:last (?:week|month)|(?:\d+|a|one|two|three|few|several) "
                             r"(?:days?|weeks?|wks?|months?|mos?) ago|earlier this (?:year|month))\b|"
                             # "biopsied the same day" after another lesion "biopsied on June twenty-second"
                             r"^\s*(?:on\s+)?the same (?:day|date)\b|"
                             # "both biopsied last visit (path superficial BCC x2)": the visit before this one
                             r"^\s*(?:at\s+|during\s+)?(?:the\s+|her\s+|his\s+)?(?:last|previous|prior)\s+"
                             r"(?:visit|appointment|appt)\b", re.IGNORECASE)
# "Plan elective excision of cyst once quiet, 6-8 wk": a procedure for when the inflammation has settled, or
# weeks from now (never "3 wks ago")
_LATER_AFTER = re.compile(r"^[^.;]{0,40}?\b(?:once (?:it is |it's |it has |(?:the )?inflammation (?:has |is )?)?"
                          r"(?:quiet|quiescent|calm|"
                          r"settled|resolved|healed|less inflamed|subsides?)|(?:in|after) "
                          # "in ~6-8 wks", "in about 6 weeks", "after approx. 2 months": an approximate interval too
                          r"(?:~\s?|about |approx\.? |approximately |around |roughly )?"
                          r"(?:\d{1,2}(?:\s?(?:-|\u2013|to)\s?\d{1,2})?|a few|several|two|three|four|six) ?"
                          r"(?:wks?|weeks?|months?|mos?)\b"
                          r"(?! ago))", re.IGNORECASE)
# "Pt elects Mohs -> will schedule w/ Dr. X", "excision, to be scheduled": the procedure chosen is booked for another
# day ("excised today, will schedule suture removal" keeps today's excision)
_SCHEDULED_AFTER = re.compile(r"^[^.;]{0,40}?(?:\b(?:will|to)\s+(?:be\s+)?(?:schedul\w*|book\w*|arrang\w*)|"
                              r"\bschedul(?:e|ed|ing)\s+(?:for|w/|with|at)\b)", re.IGNORECASE)
_DONE_HERE = re.compile(r"\b(?:today|performed|done|completed)\b", re.IGNORECASE)
# "5-FU after the Mohs", "until after his excision": the procedure as a point in time
_TIME_POINT_BEFORE = re.compile(r"\b(?:after|before|until|following|prior to)\s+(?:the|his|her|their|your)\s+$",
                                re.IGNORECASE)


def _scheduled_after(start: int, end: int, after: str, procedures: list[ProcedureMention]) -> bool:
    """A procedure followed in its sentence by its booking ("-> will schedule"), when nothing says it was done and
    the booking names no other procedure ("shave bx, will schedule excision if BCC" keeps the biopsy)."""
    m = _SCHEDULED_AFTER.match(after)
    own = next((p for p in procedures if (p.start, p.end) == (start, end)), None)
    if m is None or own is None or _DONE_HERE.search(after):
        return False
    return all(p.type == own.type for p in procedures if end + m.end() <= p.start < end + len(after))


_YEAR_AFTER = re.compile(r"\s*,?\s*(?:in\s+|on\s+)?((?:19|20)\d\d)\b(?![/-])")
# "(BCC R ear 2022 - Mohs; SCC L hand 2023 - excision)": an earlier year written just before the procedure
_YEAR_ENDS_PARENTHESIS = re.compile(r"[^.;()\n]{0,30}?\b((?:19|20)\d\d)\s*\)")
_YEAR_BEFORE = re.compile(r"(?<![\d/-])((?:19|20)\d\d)\)?\s*[-\u2013:]?\s*$")
# "Mohs performed today" keeps a procedure after a planning word; "referred to Mohs - not treated today" does not
_DONE_TODAY = re.compile(r"^(?![^.;]*\bnot\b[^.;]*\b(?:today|performed)\b)[^.;]*\b(?:today|performed)\b",
                         re.IGNORECASE)


# "INTERVAL HISTORY (copied from 11/14/2025 note):", "Per last visit's note:": what follows, up to a blank line, is
# an earlier note's text, not today's
_COPIED = re.compile(r"\b(?:copied|carried (?:forward|over)|pasted|imported|pulled forward)\s+from\b|"
                     r"\b(?:from|per)\s+(?:the\s+|my\s+|our\s+)?(?:prior|previous|last|earlier)\s+(?:visit'?s?\s+)?"
                     r"(?:note|visit note|progress note|encounter)\b", re.IGNORECASE)
_PASSAGE_END = re.compile(r"\n[ \t]*\n")


def _copied_spans(text: str) -> list[tuple[int, int]]:
    """The passages a note says it copied from an earlier note: from the line that says so to the next blank
    line."""
    spans: list[tuple[int, int]] = []
    for m in _COPIED.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        blank = _PASSAGE_END.search(text, m.end())
        spans.append((line_start, blank.start() if blank else len(text)))
    return spans


_PREOP_MEASURE = re.compile(r"\b(?:pre-?op(?:erative)?(?: size| measurement| diameter)?|after marking|"
                            r"as marked|measured under loupes)\b[^.;]{0,40}$", re.IGNORECASE)
# "Cyst measured 2.2 cm once marked"
_MARKED_AFTER = re.compile(r"\s*(?:once|when|after being|after|as) marked\b", re.IGNORECASE)
# "recurrent BCC of the R upper lip, previously ED&C'd 2022": the cancer is back today; the history is its treatment's
_RECURRENT_BEFORE = re.compile(r"\b(?:recurrent|recurrence of|residual|persistent|regrowing)\s+(?:\w+\s+){0,2}$",
                               re.IGNORECASE)
_PARENTHESIS = re.compile(r"\([^()]*(?:\)|$)")


def _history_in_parenthesis(text: str, start: int, end: int) -> bool:
    """"Preop dx: BCC, R nasal ala (bx 10/09/2025 at outside derm)": the history is the biopsy's, told in a
    parenthesis after the diagnosis; the diagnosis is today's (with no historical word outside the parenthesis)."""
    sentence_start, sentence_end = sentence_bounds(text, start, end)
    before, after = text[sentence_start:start].lower(), text[end:sentence_end].lower()
    if "(" not in after:
        return False
    outside = _PARENTHESIS.sub(" ", after)
    return not any(re.search(rf"(?<![\w/]){re.escape(word)}(?![\w/])", before) for word in HISTORICAL_BEFORE) and \
        not any(re.search(rf"(?<![\w/]){re.escape(word)}(?![\w/])", outside) for word in HISTORICAL_AFTER) and \
        not _YEAR.search(outside)


_BIOPSY_TOLD_AFTER = re.compile(r"^[^.;]*?,\s*(?:which was\s+|that was\s+|the\s+)?(?:biops(?:y|ied)|bx)\b",
                                re.IGNORECASE)
_TREATED_WORDS = re.compile(r"\b(?:excis\w*|treated|mohs|ed&c|curett\w*|cryo\w*|ln2|removed|radiation|"
                            r"destroyed|recurr\w*)\b", re.IGNORECASE)


def _biopsy_history_after(text: str, start: int, end: int) -> bool:
    """"a biopsy proven BCC of the left helical rim, biopsy done here in May": the history told after the diagnosis
    is of its biopsy; the cancer is still there today (a treatment told after it, "excised in 2019", is not)."""
    _, sentence_end = sentence_bounds(text, start, end)
    after = text[end:sentence_end]
    told = _BIOPSY_TOLD_AFTER.match(after)
    # (what the biopsy's own words say: "biopsied on June twenty-second, which today measures 1.4 cm (final curettage
    # defect ...)" goes on to today's treatment, which does not make the cancer history)
    return told is not None and not _TREATED_WORDS.search(after, 0, told.end() + 40)


def _other_performer(text: str, sentence: str, before: str) -> bool:
    """The procedure of ``sentence`` is another provider's: named by role ("by her PCP"), or a named colleague's in a
    note whose provider speaks of their own part ("Mohs by Dr. Patel ... no repair by me")."""
    if _OTHER_PERFORMER.search(sentence):
        return True
    return bool(_BY_NAMED.search(sentence) and _FIRST_PERSON.search(text))


# "here to go over biopsy results from 4/28 (shave bx R nasal tip by our PA)": a procedure in a parenthesis opened
# right after a date tells what was done that day
_DATE_PAREN_BEFORE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?\s*\(\s*(?:[\w-]+\s+){0,2}$")


def _dated_parenthesis_before(before: str, visit_day: datetime.date | None) -> bool:
    m = _DATE_PAREN_BEFORE.search(before)
    if m is None or visit_day is None:
        return False
    year = int(m.group(3)) if m.group(3) else visit_day.year
    year += 2000 if year < 100 else 0
    try:
        return datetime.date(year, int(m.group(1)), int(m.group(2))) != visit_day
    except ValueError:
        return False


def _short_date_other_day(after: str, visit_day: datetime.date | None) -> bool:
    m = _SHORT_DATE.match(after.lstrip(" ,:-"))
    if m is None or visit_day is None:
        return False
    try:
        day = datetime.date(visit_day.year, int(m.group(1)), int(m.group(2)))
    except ValueError:
        return False
    return day != visit_day


_EMPTY_BOX_BEFORE = re.compile(r"\[\s?\]\s*$|\u2610\s*$")


def _dated_entry_before(text: str, start: int, visit_day: datetime.date | None) -> bool:
    """The mention is in a paragraph that opens with a date before the visit ("01/29/2026: Tx #6 ..."), an entry of
    that day in a note carried forward."""
    if visit_day is None:
        return False
    opening = max(text.rfind("\n\n", 0, start), -1) + 1
    line_start = text.rfind("\n", 0, start) + 1
    for begin in {opening, line_start}:
        m = _DATED_ENTRY.match(text, begin)
        if m and text.find("\n\n", begin, start) < 0:
            year = int(m.group(3)) + (2000 if len(m.group(3)) == 2 else 0)
            try:
                if datetime.date(year, int(m.group(1)), int(m.group(2))) < visit_day:
                    return True
            except ValueError:
                continue
    return False


_DATED_ENTRY = re.compile(r"[ \t]*(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})\s*:")


def _bare_date_before(after: str, visit_day: datetime.date | None) -> bool:
    """The procedure is followed right away by a date (no "on"/"for") before the day of the visit."""
    m = _BARE_DATE.match(after)
    if m is None or visit_day is None:
        return False
    year = int(m.group(3)) + (2000 if len(m.group(3)) == 2 else 0) if m.group(3) else visit_day.year
    try:
        return datetime.date(year, int(m.group(1)), int(m.group(2))) < visit_day
    except ValueError:
        return False


_BARE_DATE = re.compile(r"[ \t]{1,2}(\d{1,2})/(\d{1,2})(?:/(\d{2}|\d{4}))?\b(?![/\d%])")


def _section_at(sections: tuple[tuple[str, int, int], ...], position: int, text: str = "") -> str | None:
    found = None
    for category, start, end in sections:
        if text and (category in _ONE_LINE_SECTIONS or (
                # "S/p excision 3/10 (0.8 cm) - path: MIS, margin involved.": a report quoted inside a line
                category == "pathology" and text[text.rfind("\n", 0, start) + 1:start].strip())):
            # "FHx: father with melanoma." is one line; what follows is not family history
            line_end = text.find("\n", start)
            end = min(end, line_end if line_end >= 0 else len(text))
        if start <= position < max(end, start + 1):
            found = category
    return found


_ONE_LINE_SECTIONS = frozenset({"family_history", "past_history", "medications", "consent", "chief_complaint"})


# a table of sites and their counts: "| Site | Count |", "|---|---|", "| R axilla | 6 |"
_TABLE_ROW = re.compile(r"^[ \t]*\|(.*)\|[ \t]*$", re.MULTILINE)
_COUNT_TABLE_HEAD = re.compile(r"\b(?:site|location|area|region)s?\b.*\|.*"
                               r"(?:\bcount\b|#|\bno\.|\bnumber\b|\blesions\b)", re.IGNORECASE)


def _count_tables_as_lines(text: str) -> str:
    """The rows of a table of sites and counts written as "site: count" lines, character for character (the header
    and rule rows blanked), so that they read as a list of sites with their counts; every offset is kept."""
    if "|" not in text:
        return text
    rows = list(_TABLE_ROW.finditer(text))
    if not any(_COUNT_TABLE_HEAD.search(row.group(1)) for row in rows):
        return text
    chars = list(text)
    in_table = False
    previous_end = -2
    for row in rows:
        cells = row.group(1)
        if row.start() > previous_end + 1:
            in_table = False  # (a line between: the table ended)
        previous_end = row.end()
        if _COUNT_TABLE_HEAD.search(cells):
            in_table = True
            chars[row.start():row.end()] = " " * (row.end() - row.start())
            continue
        if not in_table:
            continue
        if set(cells) <= set("-:| \t"):
            chars[row.start():row.end()] = " " * (row.end() - row.start())
            continue
        line = list(text[row.start():row.end()])
        pipes = [i for i, ch in enumerate(line) if ch == "|"]
        for number, i in enumerate(pipes):
            line[i] = " " if number in (0, len(pipes) - 1) else (":" if number == 1 else ",")
        chars[row.start():row.end()] = line
    return "".join(chars)


# "Here for 3 lesions flagged at TBSE; scheduled for biopsies today": a visit whose stated purpose is to sample
_BIOPSY_VISIT = re.compile(r"\b(?:here|presents?|scheduled|seen|returns?|comes?|came in)\b[^.;\n]{0,40}?\bfor\s+"
                           r"(?:(?:the|her|his|their|scheduled|planned|skin)\s+)?(?:biopsies|bxs|bx's|biopsy|bx)\b",
                           re.IGNORECASE)


def _sampling_shaves(text: str, procedures: list[ProcedureMention]) -> list[ProcedureMention]:
    """At a visit whose stated purpose is biopsies, a lesion's bare "shave" ("C. R shoulder, 0.6 cm: tangential
    shave.") is a tangential biopsy: the intent is to sample (RULES 1.1), unless the note says it removed a lesion by
    shave ("shave removal", "shaved off")."""
    shaves = [p for p in procedures if p.type == "shave_removal"]
    if not shaves or not _BIOPSY_VISIT.search(text) or \
            any(text[p.start:p.end].lower() not in ("shave", "shaves") for p in shaves):
        return procedures
    return [replace(p, type="biopsy", detail="tangential") if p in shaves else p for p in procedures]


def _biopsy_wedges(text: str, procedures: list[ProcedureMention]) -> list[ProcedureMention]:
    """"an incisional biopsy was taken: ..., a 6 x 3 mm fusiform wedge was excised and closed": what a sentence that
    names an incisional or punch biopsy then says was excised is the biopsy's sample, not an excision of its own."""
    out: list[ProcedureMention] = []
    for p in procedures:
        if p.type == "excision" and text[p.start:p.end].lower() == "excised":
            start, _ = sentence_bounds(text, p.start, p.end)
            if any(q.type == "biopsy" and q.detail in ("incisional", "punch") and start <= q.start < p.start
                   for q in procedures):
                continue
        out.append(p)
    return out


def read_note(text: str, *, date_of_service: datetime.date | None = None, payer: str | None = None,
              age: int | None = None, sex: str | None = None) -> NoteReading:
    """The structured encounter of one free-text note, with facts, gaps and ignored mentions."""
    text = _count_tables_as_lines(text)
    reading = _Reading(text)
    procedures = _biopsy_wedges(text, _sampling_shaves(text, sorted(find_procedures(text), key=lambda p: p.start)))
    diagnoses = sorted(find_diagnoses(text), key=lambda d: d.start)
    analysis = analyse(text, [(p.start, p.end) for p in procedures] + [(d.start, d.end) for d in diagnoses])
    context = {(c.start, c.end): c for c in analysis.mentions}
    sections = analysis.sections

    dos_found = header.find_date(text)
    visit_day = date_of_service or (dos_found[0] if dos_found else None)

    nothing_done = bool(_NOTHING_DONE.search(text))
    copied = _copied_spans(text)

    def reason_of(start: int, end: int, dated: bool = True) -> str | None:
        ctx = context.get((start, end))
        section = _section_at(sections, start, text)
        reason = _reason(ctx.modifiers if ctx else (), section, procedure=dated)
        today_for = bool(_TODAY_FOR.search(text, max(0, start - 40), start)) if dated else \
            bool(_TREATED_TODAY_FOR.search(text, max(0, start - 90), start))
        if reason == "family" and not dated and section != "family_history" and \
                _BROUGHT_BY.search(text, sentence_bounds(text, start, end)[0], start):
            reason = None
        if today_for and reason == "historical":
            reason = None  # (the history the sentence tells is of the diagnosis: "a biopsy-proven BCC, biopsied ...")
        if reason is None and any(low <= start < high for low, high in copied):
            reason = "historical"  # a passage copied from an earlier note tells of that day
        if reason is None and dated and _EMPTY_BOX_BEFORE.search(text, max(0, start - 8), start):
            reason = "negated"  # "[ ] Shave biopsy   [ ] Punch biopsy   [x] Intralesional injection": not ticked
        if reason is None and _dated_entry_before(text, start, visit_day):
            reason = "historical"  # "01/29/2026: Tx #6 ... cryotherapy x2 today": the entry of that earlier day
        if reason is None and dated and _RETURN_LINE.match(text, text.rfind("\n", 0, start) + 1) and \
                not re.search(r"\btoday\b", text[start:text.find("\n", start) if "\n" in text[start:] else None],
                              re.IGNORECASE):
            reason = "planned"  # "F/U: prn (rash); flap - 3 mo scar check": the line of the next visit
        if reason is None and dated and not today_for and _dated_before(text, start, end, procedures, visit_day):
            reason = "historical"
        if reason is None and dated and not today_for:
            sentence_start, sentence_end = sentence_bounds(text, start, end)
            before, after = text[sentence_start:start], text[end:sentence_end]
            if _REFERRED_AFTER.search(before):
                reason = "historical"  # "referred after Mohs (Dr. X) for repair": the other surgeon's procedure
            elif _other_performer(text, text[sentence_start:sentence_end], before):
                reason = "other_provider"
            elif _RELATIVE_HAD.search(before):
                reason = "family"
            elif _PATIENT_HAD.search(before) and not _TODAY_UNDERGONE.search(before):
                reason = "historical"
            elif (_ALTERNATIVES_BEFORE.search(before) or _ALTERNATIVES_AFTER.match(after)) and \
                    not re.search(r"\b(?:performed|was done|were done)\b", after, re.I):
                reason = "hypothetical"
            elif _short_date_other_day(after, visit_day):
                reason = "planned"
            elif _bare_date_before(after, visit_day):
                reason = "historical"  # "Shave bx 4/29 of scalp lesion showed SCC in situ": done that earlier day
            elif _dated_parenthesis_before(before, visit_day):
                reason = "historical"  # "results from 4/28 (shave bx R nasal tip)": the parenthesis tells of that day
            elif _FAILED_BEFORE.search(before) or _RECENTLY_AFTER.match(after) or _TIME_SINCE_BEFORE.search(before) \
                    or _EARLIER_VISIT_BEFORE.search(before):
                reason = "historical"  # "persisted after LN2 x2", "biopsied last month": an earlier treatment
            elif _PLANNED_BEFORE.search(before) and not _DONE_TODAY.search(after):
                reason = "planned"
            elif _IF_AFTER.search(after):
                reason = "hypothetical"
            elif _LATER_AFTER.match(after) or _scheduled_after(start, end, after, procedures):
                reason = "planned"
            elif visit_day is not None and (year := _YEAR_AFTER.match(after) or _YEAR_ENDS_PARENTHESIS.match(after)) \
                    and int(year.group(1)) < visit_day.year:
                # "(0.4 mm, WLE 2022, no SLNB)", "(0.6 mm, WLE + neg SLNB 2019)": a year written after the procedure
                reason = "historical"
            elif visit_day is not None and (year := _YEAR_BEFORE.search(before)) and \
                    int(year.group(1)) < visit_day.year:
                reason = "historical"
        if reason == "historical" and dated and _PRIOR_OBJECT_BEFORE.search(
                text[sentence_bounds(text, start, end)[0]:start]):
            # "Scar and prior closure re-excised with 5 mm margins": "prior" is the closure's, not today's
            reason = None
        if reason is None and dated and nothing_done:
            reason = "negated"
        if reason == "historical" and not dated and (_history_in_parenthesis(text, start, end)
                                                     or _RECURRENT_BEFORE.search(text, max(0, start - 30), start)
                                                     or _biopsy_history_after(text, start, end)):
            reason = None
        if reason == "hypothetical" and dated and _AFTER_CONSENT.search(
                text, sentence_bounds(text, start, end)[0], start):
            # "after verbal consent and discussion of risks, the nine AKs ... were treated with liquid nitrogen": the
            # discussion came before what was done
            reason = None
        if reason == "hypothetical" and dated and _MADE_RIGHT_AFTER.match(text, end):
            reason = None  # "after discussion of options (..., flap), a bilobed transposition flap was designed"
        if reason == "hypothetical" and not dated:
            # "99214 for plaque psoriasis: discussed biologics": what is discussed after a diagnosis is its
            # treatment; only a word before it ("discussed possible melanoma") makes the diagnosis hypothetical
            sentence_start, _ = sentence_bounds(text, start, end)
            before = text[sentence_start:start].lower()
            if not any(re.search(rf"\b{re.escape(word)}\b", before) for word in HYPOTHETICAL_BEFORE):
                reason = None
        return reason

    reasons = {(p.start, p.end): reason_of(p.start, p.end) for p in procedures}
    for p in procedures:
        if reasons[(p.start, p.end)] is None and _TIME_POINT_BEFORE.search(text, max(0, p.start - 30), p.start):
            # "pt prefers to treat the AKs with 5-FU after the Mohs": a procedure named as a point in time is the one
            # the note books for another day, when every other mention of it is planned or only discussed
            others = [reasons[(o.start, o.end)] for o in procedures if o.type == p.type and o is not p]
            if others and all(r in ("planned", "hypothetical", "negated") for r in others):
                reasons[(p.start, p.end)] = "planned"
    active_procedures: list[ProcedureMention] = []
    for p in procedures:
        reason = reasons[(p.start, p.end)]
        sentence_start, sentence_end = sentence_bounds(text, p.start, p.end)
        if reason is None and _RISK_TALK.search(text[sentence_start:p.start]) and \
                not _DONE_AFTER.match(text[p.end:sentence_end]) and \
                not _AFTER_CONSENT.search(text, sentence_start, p.start):
            continue  # "risks of excision including scarring were discussed"
        if reason is not None:
            if p.type != "removal":
                reading.ignore(reason, p.start, p.end)
            continue
        if p.type == "destruction" and (_GRANULATION_BEFORE.search(text, max(0, p.start - 40), p.start)
                                        or _GRANULATION_AFTER.match(text, p.end)):
            continue  # "Granulation tissue curetted" at a nail avulsion: the wound's bed, not a lesion destroyed
        active_procedures.append(p)
    if any(p.type == "mohs" for p in active_procedures):
        active_procedures = _stage_steps(text, active_procedures)
    active_diagnoses: list[DiagnosisMention] = []
    for d in diagnoses:
        if _ALLERGY_BEFORE.search(text, max(text.rfind("\n", 0, d.start) + 1, d.start - 40), d.start):
            continue  # "Allergies: PCN (hives)": the reaction to a drug, not a condition of the visit
        reason = reason_of(d.start, d.end, dated=False)
        if reason == "planned" and (d.key in VISIT_ONLY or (d.key[0].isupper() and d.key[0] not in "CD")):
            # "alopecia areata (scalp), here for scheduled injections": the injections are planned, not the disease
            # (a lesion whose treatment is planned, "AKs - will treat at next visit", stays left for that day)
            reason = None
        if reason is not None:
            if reason != "negated":
                reading.ignore(reason, d.start, d.end)
            continue
        active_diagnoses.append(d)

    lesions = _gather_lesions(text, sections, active_procedures, active_diagnoses, reading)
    services, lesion_dicts = _build(text, lesions, active_procedures, reading, active_diagnoses)
    _session_total_dose(text, lesion_dicts, reading)
    lesion_dicts = _one_vascular_field(text, lesion_dicts, reading)
    encounter = _header(text, reading, date_of_service, payer, age, sex, active_diagnoses, lesion_dicts, lesions,
                        services)
    encounter["lesions"] = lesion_dicts
    encounter["services"] = services
    _past(text, reading, encounter, visit_day, sections)
    return NoteReading(encounter, reading.facts, reading.gaps, reading.ignored)


def _gather_lesions(text: str, sections: tuple[tuple[str, int, int], ...], procedures: list[ProcedureMention],
                    diagnoses: list[DiagnosisMention], reading: _Reading) -> list[_Lesion]:
    lesions: list[_Lesion] = []
    current: _Lesion | None = None
    group: list[_Lesion] = []
    labelled: list[_Lesion] = []  # lesions opened by a numbered or lettered line, in order
    numbered: list[_Lesion] = []  # the first lesion of each "1. ..." item, which a report's "#3" may name
    preamble_diagnoses: list[DiagnosisMention] = []
    preamble: tuple[int, int, list[ProcedureMention], list[DiagnosisMention]] | None = None
    path_mode = False
    path_until = -1  # a report quoted inside a line ("S/p excision 3/10 - path: MIS, margin involved") ends with it
    lead_in: tuple[int, int, list[ProcedureMention]] | None = None
    item_start: int | None = None  # where the list item being read began
    preamble_item: int | None = None  # the list item the heading (preamble) was written in, if any
    outer_preamble: tuple[int, int, list[ProcedureMention], list[DiagnosisMention]] | None = None  # the note's own
    for start, end in _clauses(text):
        section = _section_at(sections, start, text)
        if section in ("family_history", "past_history", "medications", "chief_complaint"):
            continue
        clause = text[start:end]
        in_clause_p = [p for p in _between(procedures, start, end)
                       if not re.match(r"\s*(?:path|specimen|histo)", text[p.end:p.end + 12], re.I)]
        in_clause_d = _between(diagnoses, start, end)
        # a site word inside a diagnosis ("plantar warts") is the diagnosis, unless a side is written right before it
        # ("R plantar warts x3": the right sole's warts)
        sites = [s for s in find_sites(clause, start)
                 if not any(s.start < d.end and d.start < s.end for d in in_clause_d)
                 or (s.laterality in ("left", "right") and bool(_SIDE_FIRST.match(text, s.start, s.end)))]
        if current is not None or len(sites) > 1:
            # "R forehead just above the lateral brow", "because of proximity to the lower lid, the defect was
            # repaired with a flap": a landmark named to place a lesion or justify a repair is no lesion's site
            # (a clause naming only a landmark and a lesion of its own, "3 AKs near the L ear", keeps it)
            kept = [x for x in sites if not _LANDMARK_BEFORE.search(text, max(0, x.start - 30), x.start)]
            own_lesion = bool(_LESION_NOUN.search(clause) or [d for d in in_clause_d if d.key not in VISIT_ONLY])
            sites = kept if kept or (current is not None and not own_lesion) else sites
            if current is not None and not own_lesion and in_clause_p and \
                    all(p.type in ("repair", "adjacent_tissue_transfer") for p in in_clause_p) and \
                    any(p.type in ("mohs", "excision")
                        for p in [*current.procedures, *(current.preamble[2] if current.preamble else [])]):
                # "flap advanced medially, crescent excised at the alar crease": where the repair of the wound just
                # made reaches is a landmark, unless a lesion of the note is there ("Repair of the R cheek: ...")
                sites = [x for x in sites if _matching(lesions, x) is not None]
        if len(sites) > 1 and not all(_GARMENT_LINE.search(text, x.start, x.end) for x in sites):
            # "2.2 cm irritated SK on the mid back under bra line": a garment's line places a lesion on a site the
            # clause names; alone ("ISKs under bra line (3) and along waistband (2)") it is the site
            sites = [x for x in sites if not _GARMENT_LINE.search(text, x.start, x.end)]
        # "Exam limited to back: 9 mm dark brown papule L lower back": the extent of the examination, not a lesion;
        # "gets caught when he shaves his legs": the hair shaved, not a lesion's site
        sites = [x for x in sites if not _EXAM_SCOPE.search(text, max(0, x.start - 40), x.start)
                 and not _SHAVES_BEFORE.search(text, max(0, x.start - 25), x.start)
                 # "Start spironolactone - counseled re: hyperkalemia, breast tenderness": a drug's side effect
                 and not _COUNSELED_BEFORE.search(text, max(start, x.start - 120), x.start)]
        if not in_clause_p:
            # "Molluscum contagiosum, trunk, spreading": a region named with no procedure is where the condition
            # is, not a lesion; its diagnosis goes to the sites treated later ("abdomen and flanks")
            # ("trunk 11, L axilla 6" counts the lesions of the trunk: a region with its count is a group of them)
            sites = [s for s in sites if not _REGION.fullmatch(text[s.start:s.end])
                     or _COUNT_AFTER_SITE.match(text, s.end, end) or _SITE_TIMES.match(text, s.end, end)
                     # "curetted: 10 trunk, 4 R axilla": the count written before the region
                     or _COUNT_LISTED_BEFORE.search(text, max(start, s.start - 20), s.start)]
        is_path = section == "pathology" or bool(_PATH_CLAUSE.search(clause))
        if is_path and section != "pathology" and _BIOPSY_PAREN.search(clause) and \
                not _PATH_CLAUSE.search(_BIOPSY_PAREN.sub(" ", clause)):
            # "Dx: MIS, L upper arm (tangential bx 12/22/2025, path: MIS, margin involved)": the earlier biopsy's
            # report in a parenthesis is the history of the lesion named before it, not a report of today's
            is_path = False
        if is_path and not in_clause_d and _PENDING.search(clause):
            # "Excised w/ 2 mm margins ... Path pending." then "2) AKs: 14 total - scalp 10": a report awaited is
            # said of the lesion before it, and no report follows
            is_path = False
        if is_path and (not in_clause_p or _PATH_START.match(clause)):
            path_mode = True
            line_start = text.rfind("\n", 0, start) + 1
            quoted = not _PATH_START.match(clause) and bool(text[line_start:start].strip())
            path_until = text.find("\n", start) if quoted else -1
            _assign_pathology(lesions, sites, in_clause_d, clause, start, labelled or numbered)
            continue
        new_item = bool(_ENUMERATED.match(clause) and in_clause_p and ":" not in clause
                        and all(p.start < d.start for p in in_clause_p[:1] for d in in_clause_d))
        # "Path: SCC in situ." then "2) LN2 to 5 AKs on the R forearm": a listed procedure ends the report
        if path_mode and path_until >= 0 and start > path_until:
            path_mode = False
        if path_mode and not new_item and (not in_clause_p or in_clause_d) and (
                not sites or in_clause_d or _SAME_REPORT.search(clause)):
            # the lines of a pathology report: "1. R cheek, incisional: lentigo maligna"
            _assign_pathology(lesions, sites, in_clause_d, clause, start, labelled or numbered)
            continue
        path_mode = False
        enumerated = bool(_ENUMERATED.match(clause))
        if enumerated or _NUMBERED_ITEM.match(clause):
            if preamble is not None and preamble_item is not None:
                # "2. Irritated SK R shoulder ... Shave removal: lido ..." then "3. SKs back - reassured": a heading
                # written inside one list item is that item's, not the next item's (the note's own heading, "MOHS
                # SURGERY REPORT - 2 sites" over "Site A: ... Repair: ..." and "Site B: ...", heads the next again)
                preamble, preamble_item = outer_preamble, None
            item_start = start
        lesion_d = [d for d in in_clause_d if d.key not in VISIT_ONLY]
        numbered_procedure = bool(_NUMBERED_ITEM.match(clause) and in_clause_p and
                                  in_clause_p[0].start < (sites[0].start if sites else end))
        if numbered_procedure:
            preamble = None  # "2. Tangential biopsy ...": a new numbered procedure ends the last one's heading
        if numbered_procedure and not sites and _LEADS_IN.search(clause):
            # "2. Tangential biopsy - " then "A: L upper arm, 5 mm papule": the procedure is the next lesion's
            lead_in = (start, end, in_clause_p)
            continue
        if in_clause_p and not sites and _PROCEDURE_HEADING.match(clause) and _next_line_sites(text, end):
            # "PROCEDURE NOTE - Shave Biopsy" over "Site: R nasal ala. ...": the heading names the procedure of the
            # site on the next line, not of the lesion last spoken of
            lead_in = (start, end, in_clause_p)
            continue
        colon = clause.find(":")
        if colon > 0 and not [s for s in sites if s.start < start + colon]:
            head_p = [p for p in in_clause_p if p.start < start + colon]
            head_d = [d for d in lesion_d if d.start < start + colon]
            if head_p or head_d:
                inside = (item_start is not None and current is not None and current.start >= item_start
                          and section == _section_at(sections, item_start, text))
                if inside and preamble_item is None:
                    outer_preamble = preamble
                elif not inside:
                    outer_preamble = None
                preamble = (start, start + colon, head_p, head_d)
                preamble_item = item_start if inside else None
        # "scalp 12 AKs; forehead/temples 5 and R medial canthus 1; dorsal hands 4": a list of sites with their counts
        # goes on past the semicolon
        goes_on = bool(sites and group and not in_clause_p and not enumerated
                       and (text[:start].rstrip().endswith(";")
                            # "Sites / counts:\n R axilla: 6\n R flank: 5": a column of sites with their counts
                            or (_COUNT_LINE.match(text, text.rfind("\n", 0, start) + 1)
                                and _COUNT_LINE.match(text, text.rfind("\n", 0, max(0, text.rfind("\n", 0, start)))
                                                      + 1)))
                       and any(_COUNT_AFTER_SITE.match(text, s.end, end)
                               # "17 papules on chest/abdomen; 6 in the L axilla"
                               or _COUNT_ON_SITE.search(text, max(start, s.start - 40), s.start) for s in sites))
        described = bool(sites and (goes_on or _LESION_NOUN.search(clause) or find_measures(clause)
                                    or _SITE_HEADING.match(clause)
                                    # "  - Neck (anterior/lateral): 11": a line of a site and its count
                                    or _COUNT_LINE.match(text, text.rfind("\n", 0, start + 1) + 1)
                                    # "...; frontal scalp x3." goes on a list of sites with their counts
                                    or _SITE_TIMES.match(text, sites[0].end)
                                    or _TALLY.match(text, sites[-1].end)
                                    # "6 on L hand, 2 on R dorsal hand": a count of lesions on each site
                                    or any(_COUNT_ON_SITE.search(text, max(start, s.start - 40), s.start)
                                           # "Counted 18 total: 8 ant neck, 6 R axilla, 4 L axilla"
                                           or _COUNT_LISTED_BEFORE.search(text, max(start, s.start - 20), s.start)
                                           for s in sites)))
        # the list goes on past the semicolon: its sites join the group the next clause speaks of
        continues_list = goes_on or bool(sites and group and not in_clause_p and not lesion_d and not enumerated
                                         and _SITE_TIMES.match(text, sites[0].end)
                                         and text[:start].rstrip().endswith(";"))
        label = _LABEL.match(clause)
        if enumerated and not sites and label and (in_clause_p or lesion_d or _LESION_NOUN.search(clause)
                                                   or find_measures(clause)):
            # "A: ED&C ..." after "A. L forehead: ..." speaks of lesion A; "Exam: (1) 0.7 cm dome-shaped papule" after
            # "(1) Raised mole on the left parietal scalp" describes lesion (1)
            mark = label.group(1).upper()
            index = int(mark) - 1 if mark.isdigit() else ord(mark) - ord("A")
            if 0 <= index < len(labelled):
                target = labelled[index]
                _add_segment(text, target, start, end, procedures, diagnoses, in_clause_p, in_clause_d)
                current, group = target, [target]
                continue
        all_n = _ALL_N.search(clause) if in_clause_p else None
        if all_n and _ALL_N_WERE.match(clause, all_n.end()) and _number(all_n.group(1)) > 1:
            described_all = [lesion for lesion in lesions if not lesion.left_today]
            if len(described_all) == _number(all_n.group(1)) and \
                    not any(_main_kinds(lesion.procedures) for lesion in described_all) and \
                    all(_matching(described_all, s, text) is not None for s in sites):
                # "On the left upper back ... On the right helix ... On the right dorsal forearm ... all three were
                # anesthetized and sampled by shave biopsy, the back lesion by deep saucerization": the lesions
                # described, as many as the clause names (a site it names again is one of them)
                for member in described_all:
                    _add_segment(text, member, start, end, procedures, diagnoses, in_clause_p, in_clause_d,
                                 shared=True, first=member is described_all[0])
                current, group = described_all[-1], described_all
                continue
        if sites and (in_clause_p or lesion_d or enumerated or described):
            known = [id(lesion) for lesion in lesions]
            opened = _open_lesions(text, start, end, sites, lesions, current, enumerated)
            if lead_in is not None and opened:
                for lesion, _ in opened:
                    _add_segment(text, lesion, lead_in[0], lead_in[1], procedures, diagnoses, lead_in[2], [])
            lead_in = None
            for lesion, (seg_start, seg_end) in opened:
                _add_segment(text, lesion, seg_start, seg_end, procedures, diagnoses, in_clause_p, in_clause_d,
                             clause=(start, end))
                if not lesion.diagnoses and preamble_diagnoses:
                    lesion.shared.extend(preamble_diagnoses)
                if continues_list and group and not lesion.diagnoses and lesion not in group:
                    # "scalp 12 AKs; forehead 5": the sites listed on are of the lesions the list began with
                    lesion.shared.extend(d for d in group[0].diagnoses + group[0].shared if d not in lesion.shared)
                if preamble is not None and lesion.preamble is None:
                    lesion.preamble = preamble
            if in_clause_p:
                opened = _one_counted_group(lesions, opened, known)
            _share_list_diagnosis(text, [lesion for lesion, _ in opened], _COUNTED_LIST.search(clause) is not None)
            _share_path_of_all(text, start, end, [lesion for lesion, _ in opened])
            if len(opened) > 1 and in_clause_p:
                _definite_references(text, [lesion for lesion, _ in opened], in_clause_p, in_clause_d)
            if enumerated and opened and opened[0][0] not in labelled:
                labelled.append(opened[0][0])
            if _NUMBERED_ITEM.match(clause) and opened and opened[0][0] not in numbered:
                numbered.append(opened[0][0])
            if opened:
                current = opened[-1][0]
                group = ([*group] if continues_list else []) + [lesion for lesion, _ in opened]
            continue
        untreated = [lesion for lesion in lesions if not _main_kinds(lesion.procedures)]
        above = _N_ABOVE.search(clause) if in_clause_p and not sites else None
        times = _REMOVALS_TIMES_N.search(clause) if in_clause_p and not sites and not above else None
        measured_only = False
        if times and len(untreated) > _number(times.group(1)):
            # "- Jawline: inflammatory papules. - R thigh: 6 mm papule. - Mid back: 8 mm macule. - L arm: 5 mm papule
            # ... Neoplasms of uncertain behavior x3 - bx as below": the last lesions, measured, when they are as many
            measured = [lesion for lesion in untreated
                        if any(kind == "lesion" and m.kind == "length" for kind, m in lesion.measures)]
            if len(measured) == _number(times.group(1)) and measured == untreated[-len(measured):]:
                untreated, measured_only = measured, True
        above = above or times
        if above and len(untreated) > 1 and len(untreated) == _number(above.group(1)) and \
                (measured_only or untreated == [lesion for lesion in lesions if not lesion.left_today]):
            # "- L flank: 1.1 cm ... irritated SK. - R upper back: 0.6 cm irritated SK ... Procedure: Shave removal of
            # 2 lesions as above": the lesions described above, as many as the procedure names
            for member in untreated:
                _add_segment(text, member, start, end, procedures, diagnoses, in_clause_p, in_clause_d,
                             shared=True, first=member is untreated[0])
            current, group = untreated[-1], untreated
            continue
        if in_clause_p and not sites and len(lesions) == 2 and len(untreated) == 2 and (
                _BOTH_START.match(clause) or _BOTH_ANY.search(clause)):
            # "Mid back 0.8 cm SK ... Both were removed by shave technique": the two lesions of the note
            for member in untreated:
                _add_segment(text, member, start, end, procedures, diagnoses, in_clause_p, in_clause_d,
                             shared=True, first=member is untreated[0])
            current, group = untreated[-1], untreated
            continue
        named_dx = {d.key for d in lesion_d}
        same_dx = [lesion for lesion in untreated if named_dx and {d.key for d in lesion.diagnoses + lesion.shared}
                   & named_dx] if in_clause_p and not sites else []
        counted_dx = _counted_as(text, start, lesion_d, same_dx) if len(same_dx) > 1 else None
        if counted_dx is not None:
            # "Chest: 3 ISKs with crust. Back: ~8 SKs, asymptomatic ... P: LN2 to the 3 ISKs": of the lesions of that
            # diagnosis, the one counted as the treatment counts them
            _add_segment(text, counted_dx, start, end, procedures, diagnoses, in_clause_p, in_clause_d)
            current, group = counted_dx, [counted_dx]
            continue
        if same_dx and not any(lesion in group for lesion in same_dx) and \
                not any(named_dx & {d.key for d in m.diagnoses + m.shared} for m in group):
            # "Findings: AKs L forehead x3, R cheek x2 ... SKs back, no treatment. Procedures: 1. LN2 to 6 AKs listed
            # above": the treatment names the diagnosis of lesions found before, not the last lesion spoken of
            for member in same_dx:
                _add_segment(text, member, start, end, procedures, diagnoses, in_clause_p, in_clause_d,
                             shared=True, first=member is same_dx[0])
            current, group = same_dx[-1], same_dx
            continue
        total = _ALL_N.search(clause) if in_clause_p and not sites else None
        counted = _counted_lesions(text, untreated, False)
        if total and not _adds_up(counted, _number(total.group(1))):
            # "Exam: 5 verrucous papules on the R fingers. 2 plantar warts L heel ... LN2 to all 7 lesions": lesions
            # counted before their diagnosis is named count too (not the parts of a site counted in a parenthesis)
            widened = _counted_lesions(text, untreated, True)
            if _adds_up(widened, _number(total.group(1))):
                counted = widened
        tallied = [lesion for lesion in untreated if lesion.count]
        if total and counted and all(lesion in tallied for lesion in counted) and len(tallied) > len(counted) and \
                sum(lesion.count[0] for lesion in tallied if lesion.count) == _number(total.group(1)) and \
                _LESIONS_WORD.match(clause, total.end()):
            # "Exam: papules - chest 7, abdomen 5, R axilla 4, L axilla 3. Assessment: molluscum, 19 lesions ...
            # Curettage of all 19 lesions": the lesions counted at each site, together as many as the treatment
            # names, are the diagnosed one's
            for member in tallied:
                if member is not counted[0]:
                    member.shared.extend(d for d in counted[0].diagnoses + counted[0].shared if d not in member.shared)
            counted = tallied
        if total and sum(lesion.count[0] if lesion.count else 1 for lesion in counted) != _number(total.group(1)):
            counted = [lesion for lesion in counted if lesion.count]  # ("L hand: 5 verruca vulgaris fingers/dorsum")
        if total and len(counted) > 1 and not all(lesion in group for lesion in counted) and \
                sum(lesion.count[0] if lesion.count else 1 for lesion in counted) == _number(total.group(1)):
            # "L hand: 5 verruca vulgaris. R sole: 2 plantar warts. Tx: pared + LN2 to all 7": the lesions counted
            # before, together as many as the treatment names
            for member in counted:
                _add_segment(text, member, start, end, procedures, diagnoses, in_clause_p, in_clause_d,
                             shared=True, first=member is counted[0])
            current, group = counted[-1], counted
            continue
        every = [lesion for lesion in labelled if not _main_kinds(in_clause_p) & {q.type for q in lesion.procedures}]
        if in_clause_p and not sites and len(labelled) > 1 and len(every) == len(labelled) and \
                (_EVERY_LESION.search(clause) or (len(labelled) == 2 and _BOTH_OPENS.match(clause))):
            # "(a) sBCC, R mid back ... (b) SCC, L dorsal hand ... Each lesion treated with ED&C": every lesion of the
            # list, not the last one named
            for member in every:
                _add_segment(text, member, start, end, procedures, diagnoses, in_clause_p, in_clause_d,
                             shared=True, first=member is every[0])
            current, group = every[-1], every
            continue
        owners = (_owners_of(lesions, group, in_clause_p, clause) if in_clause_p and not sites and group
                  and (section != _section_at(sections, group[0].start, text)
                       # "Procedure (shave removal): ... removed flush": a procedure heading of its own
                       or _OWN_PROCEDURE_HEADING.match(clause)
                       # "Consent obtained for both. Shave bx: lido w/ epi, DermaBlade": the clause opens with the
                       # procedure as a label, the steps of the one lesion given that procedure already
                       or _labelled_procedure(text, start, in_clause_p)) else [])
        if owners:
            # "1. R nasal ala - shave bx. 2. AKs x6 dorsal hands - LN2. Procedure: Tangential biopsy with ...": a
            # procedure described without a site in another section is the one lesion already given that
            # procedure, not the last lesion named
            for owner in owners:
                _add_segment(text, owner, start, end, procedures, diagnoses, in_clause_p, in_clause_d,
                             shared=len(owners) > 1, first=owner is owners[0])
            current, group = owners[-1], owners  # what the procedure's paragraph says next is said of it
            continue
        if (enumerated or _NUMBERED_ITEM.match(clause)) and not in_clause_p and not sites and in_clause_d and \
                not lesion_d:
            # "2. ... R volar wrist - punch bx" after "1. Atopic dermatitis, severe - start dupilumab": a numbered item
            # naming a condition of the visit and no site is the visit's problem, not the last lesion's
            continue
        if not in_clause_p and not sites and lesion_d and current is not None and \
                (_DECLINED.search(clause) or _WATCHED.search(clause)) and \
                not {d.key for d in lesion_d} & {d.key for m in (group or [current]) for d in m.diagnoses + m.shared}:
            # "Common warts L index finger x3 ... treated with LN2 ... Also has few molluscum on trunk - mom declines
            # treatment today, will watch": a condition of another kind left untreated is not the lesion's
            continue
        if not in_clause_p and _UNTREATED.search(clause):
            if current is not None and not sites and (_NOT_TREATED.search(clause)
                                                      or _NO_TREATMENT_CLAUSE.match(clause)):
                current.left_today = True
            # "8 other nevi (trunk) examined w/ dermoscopy: symmetric, no tx": lesions other than the ones treated,
            # or left alone, are not the last lesion's (its count, diagnosis or size)
            continue
        if in_clause_p and current is not None and _other_lesions_kind(current, lesion_d) and not any(
                {d.key for d in lesion_d} & {d.key for d in lesion.diagnoses + lesion.shared} for lesion in lesions):
            # "Interval: ED&C site R hand healed. Here today for scheduled LN2 to AKs": a treatment of lesions of a
            # kind the lesion spoken of is not (AKs, not its SCC), none of them described yet, is theirs, named later
            continue
        if current is not None and (in_clause_p or not lesion_d or _STAGE_START.match(clause)
                                    # "Residual SCC in block 3. A second stage ... two blocks": the layer's finding
                                    or (any(p.type == "mohs" for p in current.procedures)
                                        and bool(_STAGE.search(clause) or _ORDINAL_STAGE.search(clause)))
                                    # "Pre-op dx: epidermoid cyst. Cyst measured 2.2 cm once marked" in the procedure
                                    # paragraph of the one lesion of that diagnosis
                                    or (len(lesions) == 1 and _said_of(lesion_d, current))
                                    or section not in ("assessment_plan", "hpi", "exam", "plan")
                                    or (bool(group) and not any(m.diagnoses or m.shared for m in group))):
            # "Site: L upper arm. Dx: invasive SCC": a diagnosis after a site that names none is that site's
            if len(group) > 1:
                # "8 on the L dorsal hand, 8 on the R dorsal hand" then "Verruca vulgaris x16 - LN2": what follows
                # a list of sites is said of each of them; its sizes and counts are not
                for member in group:
                    _add_segment(text, member, start, end, procedures, diagnoses, in_clause_p, in_clause_d,
                                 shared=True, first=member is group[0])
            else:
                had_count = current.count
                _add_segment(text, current, start, end, procedures, diagnoses, in_clause_p, in_clause_d)
                if had_count is None and current.count is not None and not sites and \
                        _summed_count(current.count[0], lesion_d, lesions, current):
                    # "Two SKs on the back ... A third on the L labium ... Imp: Inflamed SKs x3": the count of
                    # all the lesions of that diagnosis, not the last one's
                    current.count = None
        elif lesion_d and not sites:
            preamble_diagnoses = lesion_d
            if in_clause_p and current is None:
                preamble, preamble_item = (start, end, in_clause_p, lesion_d), None
        elif in_clause_p and not sites and current is None:
            preamble, preamble_item = (start, end, in_clause_p, lesion_d), None
    for lesion in lesions:
        _inherit(text, lesion, _heading_spent(text, lesion, lesions))
    _template_count(text, lesions)
    _chief_complaint_diagnosis(text, sections, lesions, diagnoses)
    if not lesions:
        lesions = _one_lesion_note(text, procedures, diagnoses)
    return lesions


def _counted_lesions(text: str, untreated: list[_Lesion], undiagnosed: bool) -> list[_Lesion]:
    """The untreated lesions a treatment's total may count: those with a diagnosis (and, ``undiagnosed``, those only
    counted), one count read at two sites once ("L hand: 5 verruca vulgaris fingers/dorsum")."""
    counted: list[_Lesion] = []
    spans: set[tuple[int, int] | None] = set()
    for lesion in untreated:
        if (lesion.diagnoses or lesion.shared or (undiagnosed and lesion.count
                                                  and not _in_parenthesis(text, lesion.site.start))) \
                and not (lesion.count and lesion.count[1:] in spans):
            counted.append(lesion)
            spans.add(lesion.count[1:] if lesion.count else None)
    return counted


def _adds_up(counted: list[_Lesion], total: int) -> bool:
    """The lesions (or those of them counted) number ``total``."""
    return sum(lesion.count[0] if lesion.count else 1 for lesion in counted) == total or \
        sum(lesion.count[0] for lesion in counted if lesion.count) == total


def _in_parenthesis(text: str, position: int) -> bool:
    return text.rfind("(", 0, position) > text.rfind(")", 0, position)


def _summed_count(number: int, named: list[DiagnosisMention], lesions: list[_Lesion], current: _Lesion) -> bool:
    """Several lesions of a diagnosis the clause names (the current one not counted yet) together count
    ``number``."""
    keys = {d.key for d in named}
    kind = [lesion for lesion in lesions if keys & {d.key for d in lesion.diagnoses + lesion.shared}]
    return len(kind) > 1 and current in kind and \
        sum(lesion.count[0] if lesion.count and lesion is not current else 1 for lesion in kind) == number


# "Pared 3 hyperkeratotic lesions: R 1st MTP plantar, R 5th MT head, L heel": the count, then the list of sites
_COUNTED_LIST = re.compile(r"\b(?:\d{1,2}|two|three|four|five|six|seven|eight|nine|ten)\s+(?:[\w-]+\s+){0,2}"
                           r"(?:lesions|sites|spots|areas|papules)\s*:\s*\S", re.IGNORECASE)


def _share_list_diagnosis(text: str, listed: list[_Lesion], counted_list: bool = False) -> None:
    """"Molluscum - trunk + bilat axillae ... curetted: 10 trunk, 4 R axilla, 4 L axilla (18 total)": in a list of
    sites each with its count (or after the count of them all, ``counted_list``), a site that names no diagnosis is of
    the one diagnosis the others have (not the parts of a site in a parenthesis, "4 verrucous papules R hand (index
    finger x2, thumb x1)", counted within it)."""
    if len(listed) < 2 or not (counted_list or all(lesion.count for lesion in listed)) or any(
            text.rfind("(", 0, lesion.site.start) > text.rfind(")", 0, lesion.site.start) for lesion in listed):
        return
    named = {d.key: d for lesion in listed for d in lesion.diagnoses + lesion.shared}
    # (of a kind that comes in numbers: "Inflamed nodules: R axilla x1, L axilla x2" beside an abscess of the R
    # axilla are not abscesses)
    if len(named) != 1 or not set(named) <= _MANY_AT_ONCE:
        return
    [diagnosis] = named.values()
    for lesion in listed:
        if not lesion.diagnoses and not lesion.shared:
            lesion.shared.append(diagnosis)


_THE_BEFORE = re.compile(r"\b(?:the|that|this)\s+$", re.IGNORECASE)
_WAS_AFTER = re.compile(r"\s+(?:was|were)\s+", re.IGNORECASE)
_PASSIVE_END = re.compile(r"\s+(?:and|which|but|then|she|he|they|also|while)\s+|[,;:]", re.IGNORECASE)


def _definite_references(text: str, listed: list[_Lesion], clause_p: list[ProcedureMention],
                         clause_d: list[DiagnosisMention]) -> None:
    """"a changing mole on the right upper arm ... I counted 6 AKs on the frontal scalp which we froze with liquid
    nitrogen today after consent and the mole was sampled with a deep shave saucerization biopsy": in a clause of
    several lesions, what "the <diagnosis> was ..." says was done is done to the lesion of that diagnosis named before
    (and only that: the lesion is not also given the clause's other procedures)."""
    for d in clause_d:
        said = _WAS_AFTER.match(text, d.end)
        if said is None or not _THE_BEFORE.search(text, max(0, d.start - 6), d.start):
            continue
        owner = next((lesion for lesion in listed if any(x.key == d.key and x.start < d.start
                                                         for x in lesion.diagnoses + lesion.shared)), None)
        if owner is None:
            continue
        stop = _PASSIVE_END.search(text, said.end(), min(len(text), said.end() + 80))
        limit = stop.start() if stop else said.end() + 80
        done = [p for p in clause_p if said.end() <= p.start < limit]
        if not done:
            continue
        for lesion in listed:
            if lesion is owner:
                own = [p for p in lesion.procedures if any(a <= p.start < b for a, b in lesion.texts)]
                lesion.procedures = [*own, *(p for p in done if p not in own)]
            else:
                lesion.procedures = [p for p in lesion.procedures if p not in done]
                lesion.diagnoses = [x for x in lesion.diagnoses if x is not d]


# "(path superficial BCC x2)", "(path: SCCIS, both)": one report said of every lesion of the clause
_PATH_OF_ALL = re.compile(r"\b(?:x\s?(\d)|(both)|(each))\s*\)", re.IGNORECASE)


def _share_path_of_all(text: str, start: int, end: int, listed: list[_Lesion]) -> None:
    """"2 pink pearly papules: L shoulder 0.6 cm and mid chest 0.4 cm - both biopsied last visit (path superficial BCC
    x2)": a report in a parenthesis that counts as many lesions as the clause lists (or says both) is each one's."""
    if len(listed) < 2:
        return
    for paren in _PATH_PAREN.finditer(text, start, end):
        said = _PATH_OF_ALL.search(paren.group(0))
        if said is None or (said.group(1) and int(said.group(1)) != len(listed)) or \
                (said.group(2) and len(listed) != 2):
            continue
        reports = [d for lesion in listed for d in lesion.pathology if paren.start() <= d.start < paren.end()]
        for lesion in listed:
            lesion.pathology.extend(d for d in reports[:1] if not lesion.pathology)


def _chief_complaint_diagnosis(text: str, sections: tuple[tuple[str, int, int], ...], lesions: list[_Lesion],
                               diagnoses: list[DiagnosisMention]) -> None:
    """"CC: skin tags neck and underarms ... Removed with snip: neck 12, R axilla 4, L axilla 4": a lesion whose words
    name no diagnosis is of the one the chief complaint names at its site."""
    for category, start, end in sections:
        if category != "chief_complaint":
            continue
        line_end = text.find("\n", start)
        end = min(end, line_end) if line_end >= 0 else end
        named = [d for d in _between(diagnoses, start, end) if d.key not in VISIT_ONLY and not d.hedged]
        if len({d.key for d in named}) != 1:
            continue
        sites = {s.site for s in find_sites(text[start:end], start)}
        for lesion in lesions:
            if not lesion.diagnoses and not lesion.shared and lesion.site.site in sites:
                lesion.shared.append(named[0])


def _one_lesion_note(text: str, procedures: list[ProcedureMention],
                     diagnoses: list[DiagnosisMention]) -> list[_Lesion]:
    """A note of one lesion whose site is named only where no lesion is opened ("9 yo w/ bleeding red bump on the
    right index finger ... Exam: 0.5 cm friable papule ... Shave removal at the base"): when the note treats a lesion
    and names one site (one side), the lesion is there."""
    treating = [p for p in procedures if p.type not in _SERVICE_KINDS]
    sites = find_sites(text)
    if not treating or not sites or len({(m.site, m.laterality) for m in sites}) != 1:
        return []
    lesion = _Lesion(sites[0], sites[0].start, sites[0].end)
    _add_segment(text, lesion, 0, len(text), treating, diagnoses, [], [])
    lesion.laterality = sites[0].laterality
    for d in list(lesion.diagnoses):
        if _PATH_LINE.match(text, text.rfind("\n", 0, d.start) + 1):
            lesion.diagnoses.remove(d)  # "Path 4/30/26: lobular capillary hemangioma": the report
            lesion.pathology.append(d)
    return [lesion]


_PATH_LINE = re.compile(r"[ \t]*(?:addendum\b[^:\n]{0,25}:\s*)?(?:final\s+)?(?:path(?:ology)?|dermpath)\b[^:\n]{0,25}:",
                        re.IGNORECASE)


# the procedures that are services of the visit, not a lesion's (in the order the services are written)
_SERVICE_KINDS = ("photodynamic_therapy", "phototherapy", "nail_debridement", "nail_avulsion")


def _template_count(text: str, lesions: list[_Lesion]) -> None:
    """"Number of lesions: 12" on a template's line of its own, over "Location: scalp (vertex and crown)": the one
    count of the note is the one lesion's that has none."""
    headings = list(_COUNT_HEADING.finditer(text))
    uncounted = [lesion for lesion in lesions if lesion.count is None]
    if len(headings) != 1 or len(uncounted) != 1 or len(lesions) != 1:
        return
    heading = headings[0]
    if not any(a <= heading.start() < b for a, b in uncounted[0].texts):
        uncounted[0].count = int(heading.group(1)), heading.start(1), heading.end(1)


_HEADING_NUMBER = re.compile(r"(?:\bx|\u00d7)\s?(\d{1,2})\b|\b(\d{1,2}|two|three|four|five|six)\s+(?=[a-z]+\b)",
                             re.IGNORECASE)


def _heading_spent(text: str, lesion: _Lesion, lesions: list[_Lesion]) -> bool:
    """"SKIN BIOPSIES x3" over three numbered lesions each with its own biopsy: the heading's procedures are all
    accounted for, so a lesion it also heads (the indication's "nodules on the shins") takes none of them."""
    if lesion.preamble is None:
        return False
    start, end, head_p, _ = lesion.preamble
    kinds = _main_kinds(head_p)
    number = _HEADING_NUMBER.search(text, start, end)
    if not kinds or number is None or kinds & {p.type for p in lesion.procedures}:
        return False
    stated = _number(number.group(1) or number.group(2))
    own = [other for other in lesions if other.preamble == lesion.preamble
           and kinds & {p.type for p in other.procedures if not start <= p.start < end}]
    return len(own) >= stated


_UNTREATED = re.compile(r"\b(?:\d{1,3}|several|multiple|numerous|many|few|scattered)\s+other\b|"
                        # "Remaining exam benign, numerous SKs and cherry angiomas, reassured": the rest of the skin
                        r"\b(?:remaining|remainder of the|rest of the)\s+(?:skin\s+|full skin\s+|body\s+)?exam\b|"
                        r"\bno (?:tx|treatment|intervention)\b|\bnot (?:treated|addressed)\b|"
                        r"\b(?:examined|observed|observation|monitor(?:ed)?) only\b", re.IGNORECASE)


# "3. SKs, back - benign, reassurance given. No treatment.": a clause that says only that, of the lesion before it
_NO_TREATMENT_CLAUSE = re.compile(r"\W*no (?:tx|treatment|intervention)(?: (?:needed|necessary|indicated|required|"
                                  r"today))?\W*$", re.IGNORECASE)
_NOT_TREATED = re.compile(r"\bnot (?:treated|addressed|excised|removed|biopsied)(?: today| at this visit)?\b|"
                          r"\bno (?:tx|treatment|intervention) today\b", re.IGNORECASE)
_WATCHED = re.compile(r"\bwill (?:watch|observe|monitor)\b|\bwatchful waiting\b", re.IGNORECASE)
# "R axilla tags are not bothering her; she declined removal today" under "here for removal of skin tags"
_DECLINED = re.compile(r"\b(?:declined|declines|refused|refuses|deferred|defers|opted against|does not want|"
                       r"doesn't want)\b", re.IGNORECASE)
_TREATMENT_LATER = re.compile(r"\b(?:will|plan(?:s|ned)? to|to)\s+(?:schedule|book|refer\w*|arrange)\s+(?:(?:for|to|"
                              r"him|her|them|pt|patient|the|a|an)\s+)*(?:mohs|excision|re-?excision|wide local "
                              r"excision|wle|surgery)\b|\b(?:mohs|excision|surgery)\s+(?:to be|will be)\s+"
                              r"scheduled\b", re.IGNORECASE)
# "3 cm soft nodule R forearm c/w lipoma - asymptomatic, will observe": a lesion its own words leave to be watched
_OBSERVED = re.compile(r"\b(?:will |to )?observe\b|\bobservation\b|\bwatchful waiting\b", re.IGNORECASE)
_OWN_PROCEDURE_HEADING = re.compile(r"\s*(?:procedure|technique|op(?:erative)? note)\s*"
                                    r"(?:\([^)]*\)|[-\u2013\u2014][^:]*)\s*:", re.IGNORECASE)


# "shave removal at base, then light curettage + electrodesiccation of base for hemostasis": the base treated to stop
# the bleeding, part of the removal
_COUNT_LINE = re.compile(r"[ \t]*(?:[-*\u2022]\s*)?[A-Za-z][^:\n]{1,40}:\s*\d{1,2}\s*(?:\n|$)")
# "Shave removal at the base ..., base curetted and electrocauterized": the shave's base treated is part of the shave
_BASE_BEFORE = re.compile(r"\bbase\s+(?:(?:was|were|then|lightly|gently|also)\s+){0,2}(?:\w+\s+and\s+)?$",
                          re.IGNORECASE)
_FOR_HEMOSTASIS = re.compile(r"[^.;\n]{0,60}?\bfor (?:hemostasis|haemostasis|bleeding control)\b", re.IGNORECASE)
_CAUTERY = re.compile(r"electrocauter\w*|hyfrecat\w*|electrodesiccat\w*|electrodessicat\w*|cauter\w*|fulgurat\w*",
                      re.IGNORECASE)


_NAMED_LESIONS = re.compile(r"\b(?:(both)|all (\d{1,2}|two|three|four|five|six)|each of the (\d{1,2}|two|three|four))"
                            r"\s+(?:\w+\s+)?(?:lesions|sites|spots|growths|papules)\b", re.IGNORECASE)


_COUNSELED_BEFORE = re.compile(r"\b(?:counsel+ed|warned|educated|advised)\s+(?:pt\s+|patient\s+)?(?:re\b:?|regarding|"
                               r"on|about|of)[^.;\n]*$|\bside[- ]effects?\b[^.;\n]*$", re.IGNORECASE)
_SHAVES_BEFORE = re.compile(r"\bshav(?:es|ing|ed)\s+(?:his|her|their|the|both)?\s*$", re.IGNORECASE)
_EXAM_SCOPE = re.compile(r"\b(?:exam(?:ination)?|skin (?:check|exam)|evaluation)\s+(?:was\s+)?(?:limited|confined|"
                         r"restricted|focused)\s+to\s+(?:the\s+)?(?:pt'?s\s+|patient'?s\s+|his\s+|her\s+)?$",
                         re.IGNORECASE)
_LESIONS_WORD = re.compile(r"\s+(?:lesions|papules|warts|spots|growths)\b", re.IGNORECASE)
_ALL_N = re.compile(r"\ball\s+(\d{1,2}|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b"
                    r"(?!\s*(?:mm|cm|%|weeks?|days?|months?))", re.IGNORECASE)
# "all three were ...", "all 3 of them": the number stands for the lesions themselves
_ALL_N_WERE = re.compile(r"\s+(?:of\s+them\s+)?(?:were|was|are|then|underwent|received)\b", re.IGNORECASE)
_BOTH_START = re.compile(r"\s*(?:both|the two)(?:\s+(?:lesions|sites|spots|growths|papules|of them))?\s+"
                         r"(?:were|was|are|then)\b", re.IGNORECASE)
# "we elected electrodesiccation and curettage for both rather than excision", "each lesion was curetted"
_BOTH_ANY = re.compile(r"\b(?:for|to|on|of) both\b(?!\s+(?:sides|hands|feet|arms|legs|cheeks|ears|eyes))|"
                       r"\b(?:both|each|the two) (?:lesions|cancers|tumou?rs|sites|spots|growths)\b|\beach lesion\b",
                       re.IGNORECASE)
_N_ABOVE = re.compile(r"\b(\d{1,2}|two|three|four|five|six|seven|eight|nine|ten)\s+(?:\w+\s+)?(?:lesions|sites|"
                      r"spots|growths|papules)\s+(?:as\s+|listed\s+|described\s+|noted\s+|mentioned\s+)?above\b",
                      re.IGNORECASE)
# "Procedure: shave removal x2.", "punch bx x3": a removal or a biopsy times N is N lesions (a destruction's "x2" is
# its freeze-thaw cycles); "Neoplasms of uncertain behavior x3 - bx as below": the lesions named in the plural
_REMOVALS_TIMES_N = re.compile(r"\b(?:shave(?:\s+(?:removal|excision|biops(?:y|ies)|bx))?|(?:punch\s+|shave\s+)?"
                               r"(?:biops(?:y|ies)|bx)|excisions?|neoplasms(?:\s+of\s+uncertain\s+behaviou?r)?|"
                               r"lesions|nevi|moles)s?\s*[x\u00d7]\s*([2-9])\b(?!\s*(?:cycles?|mm|cm|wks?))",
                               re.IGNORECASE)
_EVERY_LESION = re.compile(r"\b(?:each|every|all)\s+(?:of\s+the\s+|the\s+)?(?:lesions?|sites?|tumou?rs?|cancers?|"
                           r"carcinomas?|neoplasms?)\b", re.IGNORECASE)


# "A. R dorsal forearm: 4 mm irritated SK ... B. Nasal dorsum: 1.1 cm papule ... Both removed by shave technique"
_BOTH_OPENS = re.compile(r"\W*both\b(?!\s+(?:sides|hands|feet|arms|legs|cheeks|ears|eyes|knees|elbows)\b)",
                         re.IGNORECASE)


def _labelled_procedure(text: str, start: int, clause_p: list[ProcedureMention]) -> bool:
    """The clause opens with its first procedure and a colon ("Shave bx: lido ...")."""
    first = min(clause_p, key=lambda p: p.start)
    return not text[start:first.start].strip(" \t\n-*\u2022") and bool(_LABEL_COLON.match(text, first.end))


_LABEL_COLON = re.compile(r"[ \t]{0,2}:")


def _main_kinds(clause_p: list[ProcedureMention]) -> set[str]:
    return {p.type for p in clause_p} - {"removal", "repair"}


def _owners_of(lesions: list[_Lesion], group: list[_Lesion], clause_p: list[ProcedureMention],
               clause: str = "") -> list[_Lesion]:
    """The one lesion outside the current group that already has every procedure type a site-less clause
    describes, when the group's lesions have their own procedures and none of these kinds (else nothing: the
    clause stays with the group)."""
    kinds = {p.type for p in clause_p}
    named = _NAMED_LESIONS.search(clause)
    if named:
        # "Both lesions removed by tangential shave", "all 3 lesions frozen": the lesions already given that
        # procedure, when there are as many as the clause names, whatever the last lesion spoken of
        number = 2 if named.group(1) else _number(named.group(2))
        main = kinds - {"removal", "repair"}
        having = [lesion for lesion in lesions if main and main <= {q.type for q in lesion.procedures}]
        if len(having) == number and not all(lesion in having for lesion in group):
            return having
    # (a lesion of the group its own words leave untreated, "SKs, back - benign. No treatment.", awaits nothing)
    if not all(lesion.procedures or lesion.left_today for lesion in group) or any(
            q.type in kinds for lesion in group for q in lesion.procedures):
        return []  # the group's own procedure still to come, or the same kind: the clause is the group's
    # ("1) Excision: ellipse ..., layered closure": the closure is of the excision's lesion, which has no closure yet)
    main = kinds - {"removal", "repair", "adjacent_tissue_transfer"} or kinds
    having = [lesion for lesion in lesions if lesion not in group
              and main <= {q.type for q in lesion.procedures}]
    return having if len(having) == 1 else []


def _inherit(text: str, lesion: _Lesion, spent: bool = False) -> None:
    """A list's heading ("Two excisions, simple closures: (1) ...") gives its procedures, diagnosis and
    symptoms to the lesions listed under it that do not state their own."""
    if lesion.preamble is None:
        return
    start, end, head_p, head_d = lesion.preamble
    main = {p.type for p in lesion.procedures} - {"repair", "removal", "adjacent_tissue_transfer"}
    own = {d.key for d in lesion.diagnoses}
    # "here for scheduled LN2 to AKs" over the AKs and a BCC awaiting Mohs: a heading that names its lesions'
    # diagnosis gives its procedure to those lesions, not to a lesion of another diagnosis
    other = bool(head_d and own and not own & {d.key for d in head_d})
    # "MOHS / REPAIR" over the day's cancer and "BCC L shoulder - plan excision next visit. Not treated today.": a
    # lesion its own words leave untreated today takes none of the heading's procedures
    # "Pt also has a biopsy-proven BCC of the R cheek. Will schedule Mohs for the R cheek in 3 weeks." under a Mohs
    # note's heading: a lesion whose own words plan its treatment for later is not treated today
    words = _lesion_text(text, lesion)
    left = lesion.left_today or bool(_NOT_TREATED.search(words) or _TREATMENT_LATER.search(words)
                                     or _DECLINED.search(words) or _OBSERVED.search(words))
    if not main and not other and not spent and not left:
        lesion.procedures.extend(p for p in head_p if p not in lesion.procedures)
    elif main == {"excision"} and any(p.type == "mohs" for p in head_p) and \
            _STAGE.search(_lesion_text(text, lesion)):
        # "MOHS MICROGRAPHIC SURGERY ... Stage 1: excised with 3 mm margin, 2 blocks": the stage's excision is the
        # Mohs layer under the heading, not an excision of its own
        lesion.procedures.extend(p for p in head_p if p.type == "mohs" and p not in lesion.procedures)
    if head_p and any(p.type == "repair" for p in head_p):
        lesion.repair_words.append((start, end))
    if not lesion.diagnoses and not lesion.shared:
        lesion.shared.extend(head_d)
    if not lesion.symptoms:
        lesion.symptoms.extend(find_symptoms(text[start:end], start))


def _one_counted_group(lesions: list[_Lesion], opened: list[tuple[_Lesion, tuple[int, int]]],
                       known: list[int]) -> list[tuple[_Lesion, tuple[int, int]]]:
    """"AKs face/scalp/dorsal hands - LN2 x17": one count written for the sites a treatment names is their total; the
    sites are one group of lesions, counted once (not 17 on each)."""
    new = [lesion for lesion, _ in opened if id(lesion) not in known]
    counts = {lesion.count[1:] if lesion.count else None for lesion, _ in opened}
    if len(opened) < 2 or len(new) != len(opened) or len(counts) != 1 or None in counts:
        return opened
    for lesion in new[1:]:
        lesions.remove(lesion)
    return opened[:1]


def _open_lesions(text: str, start: int, end: int, sites: list[SiteMention], lesions: list[_Lesion],
                  current: _Lesion | None, enumerated: bool) -> list[tuple[_Lesion, tuple[int, int]]]:
    opened: list[tuple[_Lesion, tuple[int, int]]] = []
    # one segment per distinct site, from the end of the previous site (or the clause start) to the next
    distinct: list[SiteMention] = []
    for s in sites:
        previous = distinct[-1] if distinct else None
        if previous and re.fullmatch(r"(?:the )?(?:face|facial)", text[previous.start:previous.end].lower()) and \
                s.site in _FACE_SITES:
            distinct[-1] = s  # "6 AKs on face (forehead 4, nose 2)": the parts replace the whole
            continue
        if previous and previous.site == s.site and s.laterality in (None, previous.laterality) and not (
                # "R sub-1st MTH, R sub-5th MTH, L heel": parts of one site listed each with its side are lesions
                s.laterality in ("left", "right") and "," in text[previous.end:s.start]
                and s.start - previous.end < 40  # a list, not a sentence that names the site again
                and text[previous.start:previous.end].lower() != text[s.start:s.end].lower()):
            continue
        if previous and previous.site == s.site and previous.laterality in (None, "both") and s.laterality:
            # "dorsal hands ...: 8 on the L dorsal hand, 8 on the R dorsal hand": the general word gives way
            distinct[-1] = s
            continue
        distinct.append(s)
    bounds = [start]
    for before, after in itertools.pairwise(distinct):
        # "a changing mole on the right upper arm ... a 0.9 cm papule right lateral upper arm also she has several
        # rough spots on the scalp": what lies between two mentions of one site is that site's
        said_until = max([s.end for s in sites if s.site == before.site and before.start <= s.start < after.start],
                         default=before.end)
        between = text[said_until:after.start]
        # (a line break ends a site's words too: "nose 1 = 8" over "b) Scalp - 4")
        cuts = [m.end() for m in re.finditer(r",\s*(?:and\s+)?|\s+and\s+|\s*;\s*|\s+then\s+|[ \t]*\n\s*", between)]
        # what follows a site up to the separator ("left shoulder (path: BCC) and ...") belongs to it
        bounds.append(said_until + (cuts[-1] if cuts else 0))
    bounds.append(end)
    for index, site in enumerate(distinct):
        seg_start, seg_end = bounds[index], bounds[index + 1]
        existing = _matching(lesions, site, text)
        item = _ITEM.match(text, seg_start, seg_end) if enumerated else None
        label = item.group(1).upper() if item else None
        if existing is not None and enumerated and existing.enumerated and not (label and label == existing.item):
            # two items of one list at one site are two lesions; "1) sBCC L upper arm" in the diagnoses and
            # "1) L lateral upper arm: lesion 1.4 cm" under the procedure are one
            existing = None
        if existing is not None and existing not in [o[0] for o in opened]:
            if existing.laterality in (None, "both") and site.laterality in ("left", "right"):
                existing.laterality = site.laterality
                existing.site = site
            existing.enumerated = existing.enumerated or enumerated
            if existing.count is None and seg_start <= site.start < seg_end:
                # "rough spots on his L hand" then "AKs x9 (scalp 5, L dorsal hand 2)": the count is read at the
                # site's new mention, not at the first one
                existing.site = SiteMention(site.site, existing.site.laterality or site.laterality, site.start,
                                            site.end)
            opened.append((existing, (seg_start, seg_end)))
            continue
        lesion = _Lesion(site, seg_start, seg_end, laterality=site.laterality, enumerated=enumerated, item=label)
        lesions.append(lesion)
        opened.append((lesion, (seg_start, seg_end)))
    return opened


def _has_new_action(text: str, start: int, end: int) -> bool:
    return bool(find_procedures(text[start:end]))


_DIGIT_NAME = re.compile(r"\b(great|big|1st|first|2nd|second|3rd|third|4th|fourth|5th|fifth|little|small|index|"
                         r"middle|ring)\b", re.IGNORECASE)
_SAME_DIGIT = {"big": "great", "1st": "great", "first": "great", "2nd": "second", "3rd": "third", "4th": "fourth",
               "5th": "fifth", "little": "fifth", "small": "fifth", "index": "second", "middle": "third",
               "ring": "fourth"}


def _digit(text: str, site: SiteMention) -> str | None:
    """The toe or finger a site names ("L 5th toe" -> fifth), if any."""
    if site.site not in ("toe", "finger") or not text:
        return None
    m = _DIGIT_NAME.search(text, site.start, site.end)
    return _SAME_DIGIT.get(m.group(1).lower(), m.group(1).lower()) if m else None


def _matching(lesions: list[_Lesion], site: SiteMention, text: str = "") -> _Lesion | None:
    named = _digit(text, site)
    both: _Lesion | None = None
    for lesion in reversed(lesions):
        if named and _digit(text, lesion.site) not in (None, named):
            continue  # "L great toe" then "L 5th toe": another digit
        if lesion.site.site != site.site:
            continue
        if site.laterality is None or lesion.laterality in (None, site.laterality):
            return lesion
        if both is None and lesion.laterality == "both" and site.laterality in ("left", "right") and \
                lesion.count is None:
            # "tags neck/axillae" then "6 R axilla, 4 L axilla": the sides' parts (unless a lesion of that side
            # was described: "L shin: 1.6 cm plaque. Both lower legs: patches ... SCCIS L shin - ED&C" is the shin's)
            both = lesion
    return both


def _add_segment(text: str, lesion: _Lesion, start: int, end: int, procedures: list[ProcedureMention],
                 diagnoses: list[DiagnosisMention], clause_p: list[ProcedureMention],
                 clause_d: list[DiagnosisMention], clause: tuple[int, int] | None = None,
                 shared: bool = False, first: bool = False) -> None:
    lesion.texts.append((start, end))
    segment = text[start:end]
    paren = [(m.start() + start, m.end() + start) for m in _PATH_PAREN.finditer(segment)]
    seg_p = _between(procedures, start, end)
    lesion.procedures.extend(seg_p or [p for p in clause_p if p not in lesion.procedures])
    for p in clause_p:
        # "Destruction of 16 AKs on the face and scalp with LN2": the method named once is every site's
        if p.detail and p not in lesion.procedures and any(q.type == p.type and q.detail is None for q in seg_p):
            lesion.procedures.append(p)
    seg_d = _between(diagnoses, start, end)
    for d in seg_d:
        if any(a <= d.start < b for a, b in paren) or (not d.hedged and _INLINE_PATH_BEFORE.search(
                text, max(start, d.start - 40), d.start)):
            lesion.pathology.append(d)
        else:
            lesion.diagnoses.append(d)
            if shared:
                lesion.group_said.append(d)
    if not seg_d:
        lesion.shared.extend(d for d in clause_d if d not in lesion.shared)
    if _PENDING.search(segment):
        lesion.pending = True
    if not _CONSENT.search(segment):
        lesion.symptoms.extend(find_symptoms(segment, start))
    if shared:
        heading = _COUNT_HEADING.search(text, start, end)
        if heading and lesion.count is None:
            # "Location: face and scalp. Number treated: 22.": one count for the sites listed, shared by them
            lesion.count = int(heading.group(1)), heading.start(1), heading.end(1)
        # "ILK 2.5 mg/mL, 0.1 mL to each of 4 nodules" after "R cheek x2, L jawline x1, chin x1": the strength and
        # the volume given to each lesion are every site's (a total is not)
        measures = find_measures(segment, start)
        if any(m.kind == "concentration" for m in measures):
            lesion.measures.extend((m.kind, m) for m in measures
                                   if m.kind == "concentration" or (m.kind in ("volume", "dose")
                                                                    and _EACH.match(text, m.end)))
        if first and _SESSION_TOTAL.search(segment) and any(kind == "concentration" for kind, _ in lesion.measures):
            # "Triamcinolone 10 mg/mL; total volume injected 3.0 mL (30 mg)" after "occipital x4, vertex x3":
            # the session's total is given once, to the first site listed (the J-code units are the total)
            lesion.measures.extend((m.kind, m) for m in measures if m.kind in ("volume", "dose")
                                   and not _EACH.match(text, m.end) and not _ALIQUOT.match(text, m.end)
                                   and (m.kind, m) not in lesion.measures)
        return
    for measure in find_measures(segment, start):
        kind = classify_length(text, measure) if measure.kind == "length" else measure.kind
        lesion.measures.append((kind, measure))
    if clause is not None and clause != (start, end) and any(kind == "volume" for kind, _ in lesion.measures) and \
            not any(kind == "concentration" for kind, _ in lesion.measures):
        # "ILK 40 mg/mL, 0.2 cc to R earlobe keloid and 0.3 cc to chest keloids": the strength named once in the
        # clause is every site's; each site's own volume makes its dose, so the total is counted once
        lesion.measures.extend(("concentration", m) for m in find_measures(text[clause[0]:clause[1]], clause[0])
                               if m.kind == "concentration" and not start <= m.start < end)
    if lesion.count is None:
        lesion.count = _count(text, start, end, lesion.site)
    # "six papules over the vertex and frontal scalp and three more on the R dorsal hand ..., and on the left nasal
    # ala there is a 0.7 cm pearly papule": a site whose own words say one lesion takes no count of the clause's
    if lesion.count is None and clause is not None and clause != (start, end) and \
            not _ONE_LESION.search(text, start, end):
        lesion.count = _count(text, clause[0], clause[1], SiteMention(lesion.site.site, None, -1, -1))


# "0.8 cm, 0.2 cm margins, closure simple, path: dermatofibroma.": a report written inside the procedure's clause
# (not "sent to path: r/o BCC")
_INLINE_PATH_BEFORE = re.compile(r"(?<!\bto )(?<!\bfor )\b(?:path(?:ology)?|histo(?:logy|pathology)?|dermpath)\s*"
                                 r"(?::|=|showed|shows|revealed|returned|c/w|consistent with)\s*(?:[\w-]+\s+){0,2}$",
                                 re.IGNORECASE)
_ONE_LESION = re.compile(r"\b(?:a|an|one|single)\s+(?:[\w.-]+\s+){0,5}?(?:papule|nodule|lesion|macule|plaque|"
                         r"growth|spot|tumou?r|cyst|bump)\b(?!s)", re.IGNORECASE)


def _count(text: str, start: int, end: int, site: SiteMention) -> tuple[int, int, int] | None:
    # "a zero point four centimeter inflamed seborrheic keratosis": a number of a measurement counts nothing
    measured = [(x.start, x.end) for x in find_measures(text[start:end], start)]
    if start <= site.start < end:
        # (not across a line: "R axilla: 6" over "R flank: 5" counts the axilla's lesions, not the flank's)
        offset = max(start, site.start - 40, text.rfind("\n", 0, site.start) + 1)
        m = _COUNT_ON_SITE.search(text[offset:site.start])
        if m and not any(a <= m.start(1) + offset < b for a, b in measured):
            return _number(m.group(1)), m.start(1) + offset, m.end(1) + offset
        listed = _COUNT_LISTED_BEFORE.search(text, max(0, site.start - 12, text.rfind("\n", 0, site.start) + 1),
                                             site.start)
        if listed:
            return int(listed.group(1)), listed.start(1), listed.end(1)
        after = _COUNT_AFTER_SITE.match(text, site.end, end)
        if after:
            return _number(after.group(1)), after.start(1), after.end(1)
    heading = _COUNT_HEADING.search(text, start, end)
    if heading:
        return int(heading.group(1)), heading.start(1), heading.end(1)
    for m in _COUNT_NOUN.finditer(text[start:end]):
        if m.group(1).lower() in ("a", "an") or _HEADING_COUNT.match(text[start + m.end():start + m.end() + 30]) or \
                any(a <= start + m.start(1) < b for a, b in measured):
            continue
        return _number(m.group(1)), m.start(1) + start, m.end(1) + start
    for m in _COUNT_X.finditer(text[start:end]):
        before = text[max(start, start + m.start() - 30):start + m.start()]
        if _COUNTABLE_BEFORE.search(before) or (find_sites(before) and find_sites(before)[-1].end >= len(before) - 2):
            return int(m.group(1)), m.start(1) + start, m.end(1) + start
    hashed = _COUNT_HASH.search(text, start, end)
    if hashed:
        return int(hashed.group(1)), hashed.start(1), hashed.end(1)
    return None


# "Addendum 5/1: Path #3 -- basal cell carcinoma": the report names the numbered item it is of
_PATH_ORDINAL = re.compile(r"\W*(?:addendum\b[^:\n]{0,25}:\s*)?(?:final\s+)?path(?:ology)?(?:\s+report)?\s*"
                           r"(?:of|for)?\s*(?:lesion\s+|specimen\s+|site\s+|item\s+|#\s?)(\d|[A-H])\b", re.IGNORECASE)


_SAME_REPORT = re.compile(r"[-:,]\s*(?:the\s+)?(?:same|ditto|identical|likewise|similar findings)\b"
                          r"(?!\s+(?:site|lesion|day))", re.IGNORECASE)


_ORDINAL_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_NUMBER_MARK = re.compile(r"\b(?:number|no\.|#)\s?(one|two|three|four|five|six|seven|eight|nine|\d)\b", re.IGNORECASE)
_INLINE_MARK = re.compile(r"(?<![\w(])\((\d|[A-Ha-h])\)\s")


def _assign_pathology(lesions: list[_Lesion], sites: list[SiteMention], found: list[DiagnosisMention], clause: str,
                      start: int, labelled: list[_Lesion] | None = None) -> None:
    if not found and lesions and sites and _SAME_REPORT.search(clause):
        # "R shin - septal panniculitis, c/w erythema nodosum. L shin - same.": the report just given
        reported = [d for lesion in lesions for d in lesion.pathology if d.start < start]
        target = _matching(lesions, sites[0])
        if reported and target is not None and not target.pathology:
            target.pathology.append(max(reported, key=lambda d: d.start))
        return
    if not found or not lesions:
        return
    marks = [(m.start() + start, m.group(1).upper()) for m in _INLINE_MARK.finditer(clause)]
    if len(marks) < 2:
        # "pathology for number one melanoma in situ, number two report still pending, number three irritated SK"
        marks = [(m.start() + start, str(_ORDINAL_WORDS.index(m.group(1).lower()) + 1)
                  if not m.group(1).isdigit() else m.group(1)) for m in _NUMBER_MARK.finditer(clause)]
    if len(marks) > 1 and not sites:
        # "Path: (1) dermatofibroma (2) junctional melanocytic nevus": each numbered report on one line is its item's
        listed = labelled if labelled else lesions
        for (at, mark), (until, _) in zip(marks, [*marks[1:], (start + len(clause), "")], strict=True):
            index = int(mark) - 1 if mark.isdigit() else ord(mark) - ord("A")
            reported = [d for d in found if at <= d.start < until]
            if reported and 0 <= index < len(listed):
                listed[index].pathology[:] = [reported[0]]
        return
    ordinal = re.match(r"\W*(?:lesion\s+|specimen\s+|site\s+|#)?(\d|[A-H])\b[).:]?", clause, re.IGNORECASE)
    named = _PATH_ORDINAL.match(clause)
    if named and not sites:
        mark = named.group(1).upper()
        index = int(mark) - 1 if mark.isdigit() else ord(mark) - ord("A")
        listed = labelled if labelled else lesions
        if 0 <= index < len(listed):
            listed[index].pathology[:] = [found[0]]
            return
    if ordinal and not sites:
        mark = ordinal.group(1).upper()
        index = int(mark) - 1 if mark.isdigit() else ord(mark) - ord("A")
        # "1. SKs abdomen x5, lower back x3 ... 3. R lower leg - shave bx" then "#3 -- BCC": the item, not the third
        # lesion read
        listed = labelled if labelled and index < len(labelled) else lesions
        if 0 <= index < len(listed):
            listed[index].pathology[:] = [found[0]]
            return
    plural = len(found) == 1 and bool(re.search(r"(?:i|s)$", clause[found[0].start - start:found[0].end - start])
                                      or re.search(r"\b(?:both|all)\b", clause, re.I))
    # "Addendum: H&E - subepidermal blister. DIF - linear IgG. Dx: bullous pemphigoid": a disease (not a lesion
    # type) diagnosed on the specimens of one work-up is the diagnosis of each of them
    disease = len(found) == 1 and found[0].key[0].isupper() and found[0].key[0] not in "CD"
    if (plural or disease) and not sites:
        for lesion in lesions:
            if not lesion.pathology and _takes_specimen(lesion):
                lesion.pathology.append(found[0])
        return
    for d in found:
        target = None
        # "Final pathology, left shoulder basal cell carcinoma with clear margins, right calf benign compound nevus":
        # each report is of the site named just before it
        before = [site for site in sites if site.start < d.start]
        for site in [*reversed(before), *(site for site in sites if site not in before)]:
            target = _matching(lesions, site)
            if target:
                break
        if target is None:
            waiting = [lesion for lesion in lesions if not lesion.pathology and _takes_specimen(lesion)]
            target = waiting[0] if waiting else None
        if target is not None and not target.pathology:
            target.pathology.append(d)


def _takes_specimen(lesion: _Lesion) -> bool:
    heading = lesion.preamble[2] if lesion.preamble else []
    return any(p.type in _SPECIMEN_TYPES for p in lesion.procedures + heading)


def _label(index: int) -> str:
    return chr(ord("A") + index) if index < 26 else f"L{index + 1}"


def _round(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value.normalize())


def _build(text: str, lesions: list[_Lesion], procedures: list[ProcedureMention],
           reading: _Reading, diagnoses: list[DiagnosisMention] | None = None
           ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    services: list[dict[str, Any]] = []
    out: list[dict[str, Any]] = []
    service_types = {p.type for p in procedures if p.type in _SERVICE_KINDS}
    services.extend(_services(text, procedures, service_types, reading))
    expanded: list[tuple[_Lesion, str | None, int | None]] = []
    for lesion in lesions:
        sides = _per_side_counts(text, lesion) if lesion.laterality == "both" else None
        if sides is not None:
            expanded.append((lesion, "left", sides["left"]))
            expanded.append((lesion, "right", sides["right"]))
        elif lesion.laterality == "both":
            count = lesion.count[0] if lesion.count else None
            each = bool(lesion.count and re.search(r"\beach\b", text[lesion.count[2]:lesion.count[2] + 20], re.I))
            per_side = re.match(r"\s*\((\d+) each\)", text[lesion.count[2]:]) if lesion.count else None
            if per_side:
                count, each = int(per_side.group(1)), True
            if count is not None and not each and count > 1:
                expanded.append((lesion, "left", math.ceil(count / 2)))
                expanded.append((lesion, "right", count // 2))
            else:
                expanded.append((lesion, "left", count))
                expanded.append((lesion, "right", count))
        else:
            expanded.append((lesion, lesion.laterality, lesion.count[0] if lesion.count else None))
    _share_counts(text, expanded)
    for lesion, side, count in expanded:
        entry = _lesion_entry(text, lesion, side, count, len(out), reading, service_types)
        if entry is not None:
            _injected_condition(entry, len(out), lesion, diagnoses or [], reading)
            _named_cyst(entry, diagnoses or [])
            out.append(entry)
    return services, out


_CYSTS = ("epidermoid_cyst", "pilar_cyst")


def _said_of(named: list[DiagnosisMention], lesion: _Lesion) -> bool:
    """Every diagnosis a clause names is the lesion's: "Dx: inflamed epidermoid cyst, mid upper back ... Cyst
    measures 1.8 cm": a bare cyst (L72.9) is the lesion's own kind of cyst (or its acne's nodulocysts)."""
    own = {d.key for d in lesion.diagnoses + lesion.shared}
    keys = {d.key for d in named}
    if own & {*_CYSTS, "acne"}:
        keys.discard("L72.9")
    return keys <= own


def _named_cyst(entry: dict[str, Any], diagnoses: list[DiagnosisMention]) -> None:
    """"Inflamed cyst, mid upper back ... Dx: Inflamed epidermoid cyst": a bare cyst (L72.9) is the one kind of cyst
    the note names elsewhere."""
    named = {d.key for d in diagnoses if d.key in _CYSTS and not d.hedged}
    if len(named) == 1:
        for key in ("diagnosis", "pathology"):
            if entry.get(key) == "L72.9":
                entry[key] = next(iter(named))


def _injected_condition(entry: dict[str, Any], index: int, lesion: _Lesion, diagnoses: list[DiagnosisMention],
                        reading: _Reading) -> None:
    """"HS f/u ... ILK 10 mg/mL into each of the 2 R axillary nodules": a lesion only injected, whose own words name
    no diagnosis, is a lesion of the one condition the note gives (not a neoplasm: nothing was sent for pathology)."""
    if lesion.diagnoses or lesion.shared or entry["diagnosis"] != "neoplasm_unspecified_behavior" or \
            {p["type"] for p in entry["procedures"]} != {"intralesional_injection"}:
        return
    # (an abscess drained at the same visit is another lesion: an abscess is drained, never injected)
    named = [d for d in diagnoses if not d.hedged and d.key not in ("L72.9", "abscess", PARONYCHIA)]
    if len({d.key for d in named}) == 1:
        entry["diagnosis"] = named[0].key
        reading.fact(f"lesions[{index}].diagnosis", named[0].key, named[0].start, named[0].end)


_SIDE_COUNT = re.compile(r"(?<![\d.])(\d{1,2})\s+(?:\w+\s+){0,2}?(?:on\s+)?(?:the\s+)?(right|left|r|l|rt|lt)\b"
                         r"(?!\s*\w*\s*(?:cm|mm))|"
                         r"\b(right|left|r|l|rt|lt)\b\s*(?:side\s*)?[:=-]?\s*(?:x\s?)?(\d{1,2})\b(?!\s*(?:cm|mm|\.\d))",
                         re.IGNORECASE)


def _per_side_counts(text: str, lesion: _Lesion) -> dict[str, int] | None:
    """A site on both sides followed, in its sentence, by a count for each side ("dorsal hands: 8 on the right, 8 on
    the left", "AKs of both forearms (7 R, 8 L)"): each side's own count, or None when the sentence gives no count
    for both sides."""
    _, end = sentence_bounds(text, lesion.site.start, lesion.site.end)
    found: dict[str, int] = {}
    for m in _SIDE_COUNT.finditer(text, lesion.site.end, end):
        number, word = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        side = side_of(word)  # the pattern names left or right only
        if side in found:
            return None
        found[side] = int(number)
    return found if len(found) == 2 else None


def _share_counts(text: str, expanded: list[tuple[_Lesion, str | None, int | None]]) -> None:
    """Lesions opened by one clause that gives one count for all of them ("16 AKs on the face and scalp",
    "warts x6, R hand and L hand") share that count: the total is what the codes depend on."""
    groups: dict[tuple[int, int, int], list[int]] = {}
    for index, (lesion, _, _) in enumerate(expanded):
        # (a site of the clause that nothing treats, "the right cheek Mohs scar is well healed", takes no share)
        if lesion.count is not None and _main_kinds(lesion.procedures):
            groups.setdefault(lesion.count, []).append(index)
    for key, members in groups.items():
        lesions = {id(expanded[i][0]) for i in members}
        if len(lesions) < 2 or any(expanded[i][2] != key[0] for i in members):
            continue
        total = key[0]
        if total < len(members):
            continue
        share, extra = divmod(total, len(members))
        for rank, i in enumerate(members):
            lesion, side, _ = expanded[i]
            expanded[i] = (lesion, side, share + (1 if rank < extra else 0))


def _past_spans(reading: _Reading, lesion: _Lesion) -> list[tuple[int, int]]:
    """The sentences that tell of an earlier procedure, less those that also tell of today's procedure on the lesion
    ("BCC, L upper arm (bx 03/20/26): lesion 1.0 cm, excised with 4 mm margins": the sizes are today's)."""
    today = [p.start for p in lesion.procedures if p.type not in ("removal", "repair")]
    return [(i.start, i.end) for i in reading.ignored if i.reason == "historical"
            and not any(i.start <= start < i.end for start in today)]


def _lesion_entry(text: str, lesion: _Lesion, side: str | None, count: int | None, index: int, reading: _Reading,
                  service_types: set[str]) -> dict[str, Any] | None:
    label = _label(index)
    path = f"lesions[{index}]"
    types = [p for p in lesion.procedures if p.type not in _SERVICE_KINDS]
    kinds = {p.type for p in types}
    diagnosis = _clinical(lesion)
    dx_key = diagnosis.key if diagnosis else None
    if "removal" in kinds:
        if dx_key == "acrochordon":
            kinds.add("skin_tag_removal")
        kinds.discard("removal")
    if dx_key == "acrochordon" and kinds & {"excision", "shave_removal", "destruction"} and "biopsy" not in kinds:
        kinds -= {"excision", "shave_removal", "destruction"}
        kinds.add("skin_tag_removal")
    if dx_key in ("ingrown_nail", "onychomycosis") and service_types & {"nail_avulsion", "nail_debridement"}:
        return None  # "granulation tissue curetted" at an avulsion: part of the nail service, not a lesion's
    if "paring" in kinds and dx_key not in ("corn_callus", None):
        kinds.discard("paring")
    if "excision" in kinds and "biopsy" in kinds:
        kinds.discard("biopsy")
    if "shave_removal" in kinds and "biopsy" in kinds:
        kinds.discard("shave_removal")
    if "skin_tag_removal" in kinds and dx_key not in ("acrochordon", None) and \
            any(re.search(r"\bshave\b", text[max(0, p.start - 8):p.end], re.IGNORECASE) for p in types):
        # "Pedunculated nevus R neck, 4 mm. Removed by shave/snip at the base": a lesion other than a tag taken off
        # by a shave is a shave removal, whatever the scissors
        kinds -= {"skin_tag_removal"}
        kinds.add("shave_removal")
    if "skin_tag_removal" in kinds:
        kinds -= {"excision", "shave_removal", "biopsy"}
    if kinds & {"shave_removal", "biopsy"} and "destruction" in kinds and all(
            _CAUTERY.fullmatch(text[p.start:p.end]) or _FOR_HEMOSTASIS.match(text, p.end)
            or _BASE_BEFORE.search(text, max(0, p.start - 40), p.start)
            for p in lesion.procedures if p.type == "destruction"):
        # "tangential removal flush w/ skin, light electrocautery": the cautery of a shave's base is its hemostasis,
        # part of the removal (an ED&C or a cryotherapy named after a biopsy is still a destruction)
        kinds.discard("destruction")
    if "mohs" in kinds:
        kinds -= {"excision", "biopsy", "destruction"}
    if "photodynamic_therapy" in service_types and dx_key == "actinic_keratosis":
        kinds.discard("destruction")  # the curettage before PDT is its debridement (96574), not a destruction
    if "repair" in kinds and not kinds & {"excision", "mohs", "adjacent_tissue_transfer"} and \
            repair_complexity(_repair_text(text, lesion)) in (None, "simple"):
        kinds.discard("repair")  # the simple closure of a biopsy or shave is part of it
    if "adjacent_tissue_transfer" in kinds and "repair" in kinds and repair_complexity(
            _repair_text(text, lesion)) is None:
        kinds.discard("repair")
    if not kinds and "photodynamic_therapy" in service_types and dx_key == "actinic_keratosis":
        pass
    elif not kinds and dx_key in VISIT_ONLY:
        return None
    elif not kinds:
        first = lesion.diagnoses[0] if lesion.diagnoses else None
        span = (first.start, first.end) if first else (lesion.site.start, lesion.site.end)
        reading.ignore("examined_only", *span)
        return None
    entry: dict[str, Any] = {"id": label, "site": lesion.site.site}
    reading.fact(f"{path}.site", lesion.site.site, lesion.site.start, lesion.site.end)
    if re.search(r"\b(?:face|facial)$", text[lesion.site.start:lesion.site.end], re.IGNORECASE):
        reading.gaps.append(Gap(label, "site", f"Lesion {label}: the note says 'face' without the part of the face. "
                                "Please document the exact site (forehead, cheek, nose, ear, eyelid, lip, chin).",
                                "the site decides the ICD-10-CM code and, for some procedures, the code group",
                                "forehead (face group)", lesion.site.start, lesion.site.end))
    if side in ("left", "right"):
        entry["laterality"] = side
        reading.fact(f"{path}.laterality", side, lesion.site.start, lesion.site.end)
    elif lesion.site.site in _paired():
        reading.gaps.append(Gap(label, "laterality", f"Lesion {label} on the {_site_words(lesion.site.site)}: the side "
                                f"is not documented. Please document left or right.",
                                "the ICD-10-CM code names the side, and the claim cannot be coded without it", None,
                                lesion.site.start, lesion.site.end))
    has_specimen = bool(kinds & set(_SPECIMEN_TYPES))
    pathology = lesion.pathology[0] if lesion.pathology else None
    inflammatory = bool(diagnosis and not diagnosis.hedged and (diagnosis.key in VISIT_ONLY or (
        diagnosis.key[0].isupper() and diagnosis.key[0] not in "CD")))
    if "biopsy" in kinds and not (diagnosis and (diagnosis.proven or inflammatory)):
        entry["diagnosis"] = "neoplasm_unspecified_behavior"
        if diagnosis:
            reading.fact(f"{path}.diagnosis", "neoplasm_unspecified_behavior", diagnosis.start, diagnosis.end)
    elif diagnosis and not diagnosis.hedged:
        entry["diagnosis"] = diagnosis.key
        reading.fact(f"{path}.diagnosis", diagnosis.key, diagnosis.start, diagnosis.end)
    elif pathology and not has_specimen:
        entry["diagnosis"] = pathology.key
    else:
        entry["diagnosis"] = "neoplasm_unspecified_behavior"
        if diagnosis:
            reading.fact(f"{path}.diagnosis", "neoplasm_unspecified_behavior", diagnosis.start, diagnosis.end)
            lesion.symptoms.append(("suspicious_for_malignancy", diagnosis.start, diagnosis.end))
    if "incision_drainage" in kinds and entry["diagnosis"] in _DRAINED_CYSTS and \
            any(d.key == "abscess" and not d.hedged for d in lesion.diagnoses + lesion.shared):
        # "Infected epidermoid cyst w/ abscess formation" drained today: what the I&D opened is the abscess, and the
        # abscess of the site is the diagnosis (L02.-), not the cyst
        entry["diagnosis"] = "abscess"
    if entry["diagnosis"] == "wart" and entry["site"] == "sole":
        entry["diagnosis"] = "plantar_wart"  # "L plantar foot x3", "warts of the heel": a wart of the sole is plantar
    if entry["diagnosis"] == PARONYCHIA:
        entry["diagnosis"] = PARONYCHIA_CODES.get((lesion.site.site, side if side in ("left", "right") else None),
                                                  "L03.90")  # a paronychia written on no digit: cellulitis, unsp.
    if pathology and entry["diagnosis"] == _INVASIVE_OF.get(pathology.key) and \
            re.search(r"\bresidual\s+$", text[max(0, pathology.start - 12):pathology.start], re.IGNORECASE):
        # "Path: residual melanoma in situ at the scar" after the wide excision of a biopsy-proven invasive melanoma:
        # what remained of the lesion, whose diagnosis stays the invasive one
        entry["pathology"] = entry["diagnosis"]
        reading.fact(f"{path}.pathology", entry["diagnosis"], pathology.start, pathology.end)
    elif pathology:
        entry["pathology"] = pathology.key
        reading.fact(f"{path}.pathology", pathology.key, pathology.start, pathology.end)
    elif has_specimen and not (diagnosis and diagnosis.proven and "biopsy" not in kinds):
        entry["pathology"] = "pending"
    if entry.get("pathology") == "pending" and re.search(r"\bno residual\b", text, re.IGNORECASE) and (
            entry["diagnosis"] in _MALIGNANT or re.search(r"\bre-?excis", text, re.IGNORECASE)):
        # "Path: no residual melanoma" after a wide excision, "scar, no residual nevus" after the re-excision of a
        # dysplastic nevus: the lesion excised was the one first diagnosed
        entry["pathology"] = entry["diagnosis"]
    sizes = [m for kind, m in lesion.measures if kind == "lesion" and m.kind == "length"]
    # "s/p excision SCC L forearm 10/01/25 (1.2 cm lesion, 3 mm margins) ... Scar measures 2.2 cm": a size told
    # in the sentence of an earlier procedure is that procedure's; today's lesion (the scar) has its own
    past = _past_spans(reading, lesion)
    today = [m for m in sizes if not any(s <= m.start < e for s, e in past)]
    if today:
        sizes = today
    measured = [m for m in sizes if _PREOP_MEASURE.search(text, max(0, m.start - 60), m.start)
                or _MARKED_AFTER.match(text, m.end)]
    if measured:
        # "O: 1.0 cm healing plaque at bx site ... Pre-op measurement after marking: lesion 1.3 x 1.1 cm": the size
        # measured for the procedure is the lesion's
        sizes = measured
    if sizes:
        entry["diameter_cm"] = _round(sizes[0].value)
        reading.fact(f"{path}.diameter_cm", entry["diameter_cm"], sizes[0].start, sizes[0].end)
    if count and count > 1:
        entry["count"] = count
        if lesion.count:
            reading.fact(f"{path}.count", count, lesion.count[1], lesion.count[2])
    elif count is None and dx_key in _COUNTED and kinds & {"destruction", "skin_tag_removal", "paring",
                                                           "intralesional_injection"} and _plural(text, lesion):
        reading.gaps.append(Gap(label, "count", f"Lesion {label} on the {_site_words(lesion.site.site)}: the number "
                                "of lesions treated is not documented. Please document how many.",
                                "the number of lesions decides the code and its units (e.g. 17000 + 17003 per "
                                "additional lesion, 17004 for 15 or more)", "1 (the lowest)",
                                lesion.site.start, lesion.site.end))
    symptoms = sorted({s for s, _, _ in lesion.symptoms})
    # "r/o ISK vs melanoma": an inflamed SK only named in a differential does not make the lesion inflamed
    if ((diagnosis and diagnosis.inflamed and not diagnosis.hedged) or (pathology and pathology.inflamed)) and \
            "inflamed" not in symptoms:
        symptoms.append("inflamed")
    if symptoms and kinds & {*_SYMPTOM_TYPES, "biopsy"}:
        entry["symptoms"] = sorted(symptoms)
        for s, a, b in lesion.symptoms:
            reading.fact(f"{path}.symptoms", s, a, b)
    entry["procedures"] = _procedures(text, lesion, kinds, types, label, path, entry, reading)
    return entry


_MALIGNANT = frozenset({"bcc", "scc", "melanoma", "merkel_cell", "scc_in_situ", "melanoma_in_situ"})
_FACE_SITES = frozenset({"forehead", "temple", "eyebrow", "eyelid_upper", "eyelid_lower", "nose", "cheek", "ear",
                         "lip_vermilion", "lip_upper_cutaneous", "lip_lower_cutaneous", "chin", "jaw"})
_VASCULAR = frozenset({"hemangioma", "Q82.5", "I78.1"})
_COUNTED = frozenset({"actinic_keratosis", "seborrheic_keratosis", "wart", "plantar_wart", "anogenital_wart",
                      "molluscum", "acrochordon", "corn_callus", "keloid", "L63.9"})


def _plural(text: str, lesion: _Lesion) -> bool:
    """The note speaks of several lesions ("AKs", "multiple warts") without saying how many."""
    words = " ".join(text[d.start:d.end] for d in lesion.diagnoses + lesion.shared)
    return bool(re.search(r"(?:[^s]s|i|ae)\b", words)) or bool(re.search(
        r"\b(?:multiple|several|numerous|scattered|few|many|various)\b", _lesion_text(text, lesion), re.I))


def _paired() -> frozenset[str]:
    from dermbill.notes.sites import PAIRED

    return PAIRED


def _site_words(site: str) -> str:
    return site.replace("_", " ").replace("hand dorsum", "back of the hand").replace("back upper", "upper back") \
        .replace("back lower", "lower back")


_DRAINED_CYSTS = ("epidermoid_cyst", "pilar_cyst", "L72.9", "L72.0", "L72.11")


# "Ameluz? No - Levulan Kerastick", "Levulan (not Ameluz)", "Metvix instead of Ameluz": a photosensitizer named to be
# set aside is not the one applied
_PDT_DRUG = re.compile(r"\b(?:ameluz|levulan(?: kerastick)?|metvix)\b")
_REJECTED_BEFORE = re.compile(r"\b(?:not|no|instead of|rather than|in place of)\s+(?:the\s+)?$")
_REJECTED_AFTER = re.compile(r"\s*\?\s*(?:no|not)\b|\s+(?:was |is )?not (?:used|available|covered|applied)\b")


def _without_rejected_drugs(lowered: str) -> str:
    for m in _PDT_DRUG.finditer(lowered):
        if _REJECTED_BEFORE.search(lowered, max(0, m.start() - 20), m.start()) or \
                _REJECTED_AFTER.match(lowered, m.end()):
            lowered = lowered[:m.start()] + " " * (m.end() - m.start()) + lowered[m.end():]
    return lowered


def _clinical(lesion: _Lesion) -> DiagnosisMention | None:
    pool = [d for d in lesion.diagnoses if d.key != "neoplasm_uncertain_behavior"] or lesion.shared
    if pool is not lesion.shared and all(d.key in VISIT_ONLY for d in pool) and \
            any(d.key not in VISIT_ONLY for d in lesion.shared):
        # "molluscum x5 mo ... Exam: papules - trunk 11, L axilla 6 ... HC 1% to dermatitis": the lesions are the
        # molluscum; the dermatitis around them is the visit's condition
        pool = [*lesion.shared, *pool]
    # a visit's condition named near the lesion ("Acne x2 yrs on face ... 2 warts on L hand") is not its diagnosis
    # and a bare "cyst" (L72.9) yields to any more specific word
    pool = [d for d in pool if d.key != "L72.9"] or pool
    pool = sorted(pool, key=lambda d: (d.key in VISIT_ONLY, d in lesion.group_said))
    if not pool:
        return None
    for d in pool:
        if d.proven:
            return d
    for d in pool:
        if not d.hedged:
            return d
    return pool[0]


def _procedures(text: str, lesion: _Lesion, kinds: set[str], mentions: list[ProcedureMention], label: str,
                path: str, entry: dict[str, Any], reading: _Reading) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    where = f"Lesion {label} on the {_site_words(lesion.site.site)}"
    order = ("biopsy", "shave_removal", "excision", "mohs", "destruction", "intralesional_injection",
             "incision_drainage", "skin_tag_removal", "paring", "adjacent_tissue_transfer", "repair")
    first: dict[str, ProcedureMention] = {}
    for m in mentions:
        key = m.type
        if key == "removal":
            key = "skin_tag_removal"
        if key in kinds and key not in first:
            first[key] = m
    for kind in order:
        if kind not in kinds:
            continue
        mention = first.get(kind)
        ppath = f"{path}.procedures[{len(out)}]"
        span = (mention.start, mention.end) if mention else (lesion.site.start, lesion.site.end)
        reading.fact(f"{ppath}.type", kind, *span)
        proc: dict[str, Any] = {"type": kind}
        if kind == "biopsy":
            technique = next((m.detail for m in mentions if m.type == "biopsy" and m.detail), None)
            if technique is None:
                technique = "tangential" if re.search(r"shave|tangential|saucer|scoop|curette",
                                                      _lesion_text(text, lesion), re.I) else None
            if technique is None:
                # alone, a biopsy of unknown technique is safely the lowest code (11102); beside other biopsies
                # a guessed technique would add an add-on unit, so the engine is left to ask
                alone = len(re.findall(r"\bbiops|\bbx\b", text, re.IGNORECASE)) <= 2
                reading.gaps.append(Gap(label, "technique", f"{where}, biopsy: the technique is not documented. "
                                        "Please document shave (tangential), punch or incisional.",
                                        "the technique decides the code (11102 tangential, 11104 punch, "
                                        "11106 incisional)", "tangential (11102, the lowest)" if alone else None,
                                        *span))
                technique = "tangential" if alone else None
            if technique is not None:
                proc["technique"] = technique
        elif kind == "excision":
            # "s/p excision SCC L forearm 10/01/25 (1.2 cm lesion, 3 mm margins)": the earlier excision's margin,
            # never today's (with none of its own today, the margin is asked for)
            past = _past_spans(reading, lesion)
            margins = [m for k, m in lesion.measures if k == "margin" and m.kind == "length"
                       and not any(a <= m.start < b for a, b in past)]
            excised = [m for k, m in lesion.measures if k == "excised" and m.kind == "length"]
            if margins:
                narrowest = min(margins, key=lambda m: m.value)
                proc["margin_cm"] = _round(narrowest.value)
                reading.fact(f"{ppath}.margin_cm", proc["margin_cm"], narrowest.start, narrowest.end)
            if excised:
                # "ellipse ~3.5 x 1.4 cm": an ellipse is drawn about three times as long as it is wide so that it
                # closes; its width is the lesion with its margins (the excised diameter), its length the wound's
                # (an "excised specimen 1.8 x 0.6 cm" holding two lesions side by side is measured along its length)
                ellipse = len(excised[0].dims) > 1 and re.search(
                    r"\b(?:ellipse|ellipses)\W*(?:(?:measuring|of|about|approx\w*)\W+)?$",
                    text[max(0, excised[0].start - 30):excised[0].start], re.IGNORECASE)
                proc["excised_diameter_cm"] = _round(min(excised[0].dims) if ellipse else excised[0].value)
                reading.fact(f"{ppath}.excised_diameter_cm", proc["excised_diameter_cm"], excised[0].start,
                             excised[0].end)
            if not margins and not excised:
                reading.gaps.append(Gap(label, "margin_cm", f"{where}, excision: margins not documented. Please "
                                        "document the narrowest margin (or the excised diameter).",
                                        "the excised diameter (lesion + 2 x narrowest margin) decides the excision "
                                        "code", None, *span))
            if "diameter_cm" not in entry and not excised:
                reading.gaps.append(Gap(label, "diameter_cm", f"{where}, excision: the lesion size is not "
                                        "documented. Please document the lesion's greatest clinical diameter.",
                                        "the excised diameter decides the excision code", None, *span))
        elif kind == "shave_removal" and "diameter_cm" not in entry:
            reading.gaps.append(Gap(label, "diameter_cm", f"{where}, shave removal: the lesion size is not "
                                    "documented. Please document the greatest diameter.",
                                    "the lesion diameter decides the shave code", None, *span))
        elif kind == "destruction":
            method = next((m.detail for m in mentions if m.type == "destruction" and m.detail), None)
            if method is None:
                method = "curettage"
                reading.gaps.append(Gap(label, "method", f"{where}, destruction: the method is not documented. "
                                        "Please document it (cryotherapy, curettage, electrodesiccation, laser).",
                                        "the record must show how the lesion was destroyed", "curettage", *span))
            proc["method"] = method
            areas = [m for k, m in lesion.measures if m.kind == "area"]
            if entry.get("diagnosis") in _VASCULAR:
                if areas:
                    proc["area_cm2"] = _round(areas[0].value)
                    reading.fact(f"{ppath}.area_cm2", proc["area_cm2"], areas[0].start, areas[0].end)
                else:
                    reading.gaps.append(Gap(label, "area_cm2", f"{where}, destruction of a vascular lesion: the "
                                            "treated area is not documented. Please document it in sq cm.",
                                            "the area decides the code (17106 under 10 sq cm, 17107 10-50, 17108 "
                                            "over 50)", None, *span))
            if entry.get("diagnosis") in ("bcc", "scc", "scc_in_situ", "melanoma", "melanoma_in_situ") and \
                    "diameter_cm" not in entry:
                reading.gaps.append(Gap(label, "diameter_cm", f"{where}, destruction of a malignant lesion: the "
                                        "lesion diameter is not documented. Please document it.",
                                        "the diameter decides the code (17260-17286)", None, *span))
        elif kind == "mohs":
            proc["stages"] = _mohs_stages(text, lesion, label, where, span, reading, ppath)
        elif kind == "repair":
            repair_text = _repair_text(text, lesion)
            complexity = repair_complexity(repair_text)
            guessed = complexity is None
            if complexity is None:
                complexity = "simple"
                reading.gaps.append(Gap(label, "complexity", f"{where}, repair: the type of closure is not "
                                        "documented. Please document simple, intermediate (layered) or complex.",
                                        "an intermediate or complex repair is coded in addition; a simple one "
                                        "is included in the excision", "simple (included, no separate code)", *span))
            if not (guessed and "excision" not in kinds):
                # after Mohs even a simple repair is its own code: an undocumented closure is left for the coder
                # (the engine warns), not guessed; an excision's guessed simple closure adds no code
                proc["complexity"] = complexity
            lengths = [m for k, m in lesion.measures if k == "repair" and m.kind == "length"]
            if lengths:
                proc["length_cm"] = _round(lengths[-1].value)
                reading.fact(f"{ppath}.length_cm", proc["length_cm"], lengths[-1].start, lengths[-1].end)
            elif complexity != "simple" or not (kinds & {"excision", "shave_removal", "biopsy"}):
                reading.gaps.append(Gap(label, "length_cm", f"{where}, {complexity} repair: the repaired length is "
                                        "not documented. Please document the length in cm.",
                                        "the total length decides the repair code", None, *span))
            if complexity == "simple" and kinds & {"excision"} and "length_cm" not in proc:
                proc["length_cm"] = 1
                reading.gaps[:] = [g for g in reading.gaps if not (g.lesion == label and g.field == "length_cm")]
        elif kind == "adjacent_tissue_transfer":
            areas = [m for k, m in lesion.measures if m.kind == "area"]
            defects = [m for k, m in lesion.measures if k == "defect" and m.kind == "length" and len(m.dims) >= 2]
            if areas:
                proc["defect_area_cm2"] = _round(areas[-1].value)
                reading.fact(f"{ppath}.defect_area_cm2", proc["defect_area_cm2"], areas[-1].start, areas[-1].end)
            elif defects:
                area = defects[-1].dims[0] * defects[-1].dims[1]
                proc["defect_area_cm2"] = _round(area)
                reading.fact(f"{ppath}.defect_area_cm2", proc["defect_area_cm2"], defects[-1].start, defects[-1].end)
                reading.gaps.append(Gap(label, "defect_area_cm2", f"{where}, flap: only the primary defect is "
                                        "documented. Please document the primary plus secondary defect in sq cm.",
                                        "the total area decides the flap code", f"{proc['defect_area_cm2']} sq cm "
                                        "(primary defect only, the lower area)", defects[-1].start, defects[-1].end))
            else:
                reading.gaps.append(Gap(label, "defect_area_cm2", f"{where}, flap: the defect area is not "
                                        "documented. Please document the primary plus secondary defect in sq cm.",
                                        "the total area decides the flap code", None, *span))
        elif kind == "intralesional_injection":
            proc["drug"] = "triamcinolone_acetonide"
            dose = _dose(text, lesion)
            if dose is not None:
                proc["dose_mg"] = _round(dose)
            else:
                reading.gaps.append(Gap(label, "dose_mg", f"{where}, intralesional injection: the dose is not "
                                        "documented. Please document the concentration and volume injected.",
                                        "the dose decides the units of J3301", None, *span))
        elif kind == "incision_drainage":
            proc["complicated"] = _complicated(_lesion_text(text, lesion))
        out.append(proc)
    return out


# "No loculations. No packing required.", "non-loculated", "uncomplicated": a simple drainage
_COMPLICATED = re.compile(r"\bcomplicated\b|\bcomplex\b|\w*loculat\w*", re.IGNORECASE)
# "loculations not present", "loculations: none", "loculations absent": denied after the word
_NEGATED_AFTER = re.compile(r"\s*(?::\s*|(?:were|was|are|is)\s+)?(?:not (?:present|seen|found|noted|identified)|"
                            r"absent|none)\b", re.IGNORECASE)
_NEGATED_BEFORE = re.compile(r"(?:\b(?:no|not|without|nor|negative for|none)\b[^.;,]{0,25}|\bnon-?)$", re.IGNORECASE)


def _complicated(words: str) -> bool:
    """An I&D described as complicated (loculations broken up, complex), not one whose loculations are denied."""
    return any(not m.group(0).lower().startswith(("non", "un")) and
               not _NEGATED_BEFORE.search(words, max(0, m.start() - 30), m.start()) and
               not _NEGATED_AFTER.match(words, m.end())
               for m in _COMPLICATED.finditer(words))


def _lesion_text(text: str, lesion: _Lesion) -> str:
    return " ".join(text[a:b] for a, b in lesion.texts)


def _repair_text(text: str, lesion: _Lesion) -> str:
    return " ".join(text[a:b] for a, b in lesion.texts + lesion.repair_words
                    if re.search(r"clos|repair|sutur|layer", text[a:b], re.I))


_EACH = re.compile(r"\s*(?:each|per (?:lesion|cyst|keloid|site|nodule|plaque)|(?:to|into) each)\b", re.IGNORECASE)


# ("total 2.5 mL, 0.1 mL aliquots q1cm": the aliquot is each needle stick's)
_ALIQUOT = re.compile(r"\s*(?:(?:per|/|each)\s*(?:injection|puncture|stick|needle ?stick|injection site|aliquot|"
                      r"pass)\b|aliquots?\b)", re.IGNORECASE)
_SESSION_TOTAL = re.compile(r"\btotal\b|\bin all\b|\baltogether\b", re.IGNORECASE)
_TOTAL_BEFORE = re.compile(r"\btotal\b(?:[^.;]|\.\d)*$", re.IGNORECASE)
_TOTAL_AFTER = re.compile(r"\s*(?:total|in total|in all|altogether)\b", re.IGNORECASE)


# "0.2 mL into each chest keloid and 0.2 mL into R earlobe = 1.0 mL total (40 mg)", "2.0 mL total (20 mg) into the 4
# patches", "total dose 30 mg": the session's total in mg, written once
# "0.5 mL into each keloid = 40 mg total"
_MG_TOTAL = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d{1,2})?)\s*mg\s+(?:total|in total|in all|altogether)\b",
                       re.IGNORECASE)
_TOTAL_MG = re.compile(r"\btotal\b(?:[^.;\n]|\.\d){0,30}?(?<![\d.])(\d{1,3}(?:\.\d{1,2})?)\s*mg\b(?!\s*/)",
                       re.IGNORECASE)


def _one_vascular_field(text: str, lesion_dicts: list[dict[str, Any]], reading: _Reading) -> list[dict[str, Any]]:
    """"PDL tx #3 PWS L cheek/jawline. Area treated ~25 cm2": one vascular lesion treated over the regions named, its
    one area written once; the regions are one lesion, not several without an area."""
    vascular = [entry for entry in lesion_dicts if entry.get("diagnosis") in _VASCULAR
                and any(p.get("type") == "destruction" for p in entry.get("procedures", []))]
    areas = [m for m in find_measures(text) if m.kind == "area"]
    if len(vascular) < 2 or len(areas) != 1 or len({e["diagnosis"] for e in vascular}) != 1 or \
            any("area_cm2" in p for e in vascular for p in e.get("procedures", [])):
        return lesion_dicts
    first, rest = vascular[0], vascular[1:]
    index = lesion_dicts.index(first)
    for number, proc in enumerate(first["procedures"]):
        if proc.get("type") == "destruction":
            proc["area_cm2"] = _round(areas[0].value)
            reading.fact(f"lesions[{index}].procedures[{number}].area_cm2", proc["area_cm2"], areas[0].start,
                         areas[0].end)
    labels = {e["id"] for e in vascular}
    reading.gaps[:] = [g for g in reading.gaps if not (g.field == "area_cm2" and g.lesion in labels)]
    return [entry for entry in lesion_dicts if entry not in rest]


def _session_total_dose(text: str, lesion_dicts: list[dict[str, Any]], reading: _Reading) -> None:
    """The session's total dose of triamcinolone, written once in mg, is what was injected: the doses read per lesion
    are shared out so that they add up to it (J3301 is billed on the total)."""
    every = [(index, proc) for index, entry in enumerate(lesion_dicts) for proc in entry.get("procedures", [])
             if proc.get("type") == "intralesional_injection"]
    injections = [(index, proc) for index, proc in every if "dose_mg" in proc]
    totals = {Decimal(m.group(1)): m for m in [*_TOTAL_MG.finditer(text), *_MG_TOTAL.finditer(text)]}
    if len(totals) != 1:
        return
    if len(every) == 1 and not injections:
        # "ILK: ... 0.2 mL into each of the 3 cysts (0.6 mL total = 1.5 mg)" in a paragraph of its own: the one
        # injection's dose is the session's total
        injections = every
        reading.gaps[:] = [g for g in reading.gaps if g.field != "dose_mg"]
    if not injections:
        return
    [(total, match)] = totals.items()
    if sum(Decimal(str(proc.get("dose_mg", 0))) for _, proc in injections) == total:
        return
    counts = [Decimal(lesion_dicts[index].get("count", 1)) for index, _ in injections]
    given = Decimal(0)
    for position, ((index, proc), count) in enumerate(zip(injections, counts, strict=True)):
        share = total - given if position == len(injections) - 1 else \
            (total * count / sum(counts)).quantize(Decimal("0.01"))
        given += share
        proc["dose_mg"] = _round(share)
        path = f"lesions[{index}].procedures[{lesion_dicts[index]['procedures'].index(proc)}].dose_mg"
        reading.facts[:] = [f for f in reading.facts if f.field != path]
        reading.fact(path, proc["dose_mg"], match.start(1), match.end(0))


_SCHEDULED_DOSE = re.compile(r"\s*(?:po|p\.o\.|by mouth|orally|daily|qd|qday|bid|tid|qid|qhs|qam|qpm|qod|nightly|"
                             r"weekly|monthly|q\s?\d+\s?(?:h|hrs?|wks?|weeks?)|once (?:a |per )?(?:day|daily|week)|"
                             r"twice (?:a |per )?(?:day|daily)|(?:per|a|/)\s?day)\b", re.IGNORECASE)


def _dose(text: str, lesion: _Lesion) -> Decimal | None:
    """The dose of one lesion's injection; "1 mL each" into 2 cysts is 2 mL (a dose in mg "each" as well)."""
    conc = [m for _, m in lesion.measures if m.kind == "concentration"]
    volume = [m for _, m in lesion.measures if m.kind == "volume"]
    # "Start spironolactone 50 mg daily", "doxycycline 100 mg BID": a dose taken on a schedule is no injection's
    dose = [m for _, m in lesion.measures if m.kind == "dose" and not _SCHEDULED_DOSE.match(text, m.end)]
    # "0.1 mL into L earlobe keloid (total 0.5 mL = 20 mg)": the session's total is not this lesion's dose when the
    # lesion has its own volume
    own = [m for m in volume if not _TOTAL_BEFORE.search(text, max(0, m.start - 12), m.start)]
    totals = [m for m in volume if m not in own or _TOTAL_AFTER.match(text, m.end)]
    if conc and totals and not dose and len(totals) < len(volume) and all(
            _EACH.match(text, m.end) or _ALIQUOT.match(text, m.end) for m in volume if m not in totals):
        # "10 mg/mL, 2.6 mL total injected, 0.1 mL per site": the amounts per site make up the total written
        return conc[0].value * sum((m.value for m in totals), Decimal(0))
    if own and (dose or len(volume) > len(own)) and all(_ALIQUOT.match(text, m.end) for m in own):
        # "0.1 mL per injection ~1 cm apart, total 2.4 mL (12 mg)": an aliquot is no lesion's volume; the total is
        own = []
        volume = [m for m in volume if not _ALIQUOT.match(text, m.end)]
    if conc and own:
        # "(total 10 mg)", "(8 mg total)": the session's total, not this lesion's dose
        dose = [m for m in dose if not _TOTAL_BEFORE.search(text, max(0, m.start - 25), m.start)
                and not _TOTAL_AFTER.match(text, m.end)]
        volume = own
    times = lesion.count[0] if lesion.count and lesion.count[0] > 1 else 1

    def each(m: Measure) -> Decimal:
        return m.value * times if _EACH.match(text, m.end) else m.value

    if dose:
        return max(each(m) for m in dose)
    if conc and volume:
        return conc[0].value * sum((each(m) for m in volume), Decimal(0))
    return None


# "Stage II: Additional layer taken from 12 to 3 o'clock, divided into 2 blocks": the blocks are the stage's, however
# many words describe the layer first (never the next stage's)
_STAGE = re.compile(r"(?<!1st )(?<!2nd )(?<!3rd )(?<!4th )(?<!first )(?<!second )(?<!third )(?<!fourth )"
                    # "Stage 2 ........ 7 blocks": dot leaders between the stage and its blocks
                    r"\b(?:stage|stg|layer)\s*(\d|i{1,3}|iv|one|two|three|four)\b\s*(?:\.{2,}[ \t]*)?[:,(-]?\s*"
                    # (the words of the layer may run over a sentence: "Debulked, then excised. Divided into 4 blocks")
                    r"(?:(?!stage\b|a single\b)[\w,;/'+&.-]+\s+){0,16}?"
                    r"(\d{1,2}|a single|one|two|"
                    r"three|four|five|six|seven|eight|nine|ten)\s*(?:tissue\s+)?(?:blocks?|blks?|sections?|pieces?)",
                    re.IGNORECASE)
# "I: 3 blocks (+ at 9 o'clock). II: 2 blocks, clear.": stages numbered by capital roman numerals alone
_ROMAN_STAGE = re.compile(r"(?<![\w'])(I{1,3}|IV)\s*[:)]\s*(\d{1,2}|(?i:one|two|three|four|five|six))\s+"
                          r"(?i:(?:tissue\s+)?(?:blocks?|blks?|sections?|pieces?))\b")
_STAGES_LIST = re.compile(r"\b(\d|one|two|three|four)\s+stages?\s*\(([^)]*)\)", re.IGNORECASE)
_STAGES_COUNT = re.compile(r"\b(\d|one|two|three|four|five)\s+(?:stages?|layers?)\b|"
                            r"\b(?:stage|stg|layer)\s*(\d|i{1,3}|iv)\b", re.IGNORECASE)
# a stage table: "Stage | Blocks | Result" over rows "I | 3 | residual BCC" (the stage, then its blocks)
_STAGE_TABLE = re.compile(r"\b(?:stage|stg|layer)s?[ \t]*\|[ \t]*(?:#[ \t]*)?(?:of[ \t]+)?(?:tissue[ \t]+)?"
                          r"(?:blocks?|blks?|sections?|pieces?)\b", re.IGNORECASE)
_STAGE_ROW = re.compile(r"(?:^|(?<=\s))(?:(?i:stage|stg|layer)[ \t]*)?(\d|I{1,3}|IV|i{1,3}|iv)[ \t]*\|[ \t]*(\d{1,2})"
                        r"(?=[ \t]*(?:\||\s|$))")
# "1st stage 4 blocks (+), 2nd stage 2 blocks (clear)": the stage by its ordinal
# "the first stage was excised with a 2 mm margin, mapped and divided into four tissue blocks": however many words
# describe the layer before its blocks (never the next stage's)
_ORDINAL_STAGE = re.compile(r"\b(1st|2nd|3rd|4th|first|second|third|fourth)\s+(?:stage|layer)\s*[:,(-]?\s*"
                            r"(?:(?!stage\b|layer\b|a single\b)[\w,;/'+&.-]+\s+){0,20}?"
                            r"(\d{1,2}|one|two|three|four|five|six|a single)\s*(?:tissue\s+)?"
                            r"(?:blocks?|blks?|sections?|pieces?)\b",
                            re.IGNORECASE)
_ORDINALS = {"1st": 1, "first": 1, "2nd": 2, "second": 2, "3rd": 3, "third": 3, "4th": 4, "fourth": 4}
# a clause that opens with a stage ("Stage I: 3 blocks - residual BCC") is the Mohs layer of the lesion at hand
_STAGE_START = re.compile(r"\s*(?:(?:stage|stg|layer)\s*(?:\d|i{1,3}|iv)\b|(?:1st|2nd|3rd|4th|first|second|third|"
                          r"fourth)\s+(?:stage|layer)\b)", re.IGNORECASE)


def _stage_steps(text: str, procedures: list[ProcedureMention]) -> list[ProcedureMention]:
    """"STAGE I: Debulked by curettage, then excised with 2 mm margin. 4 blocks.": in a Mohs note, what a stage's line
    says was cut or curetted is that stage's layer, not an excision or a destruction of its own."""
    out: list[ProcedureMention] = []
    for p in procedures:
        line_start = text.rfind("\n", 0, p.start) + 1
        if p.type in ("excision", "destruction", "biopsy") and _STAGE_START.match(text, line_start):
            p = ProcedureMention("mohs", None, p.start, p.end)
        out.append(p)
    return out


def _roman(word: str) -> int:
    return {"i": 1, "ii": 2, "iii": 3, "iv": 4}.get(word.lower()) or _number(word)


def _mohs_stages(text: str, lesion: _Lesion, label: str, where: str, span: tuple[int, int], reading: _Reading,
                 ppath: str) -> list[dict[str, int]]:
    body = _lesion_text(text, lesion)
    stages = [(_roman(m.group(1)), _number(m.group(2))) for m in _STAGE.finditer(body)]
    ordinal = {_ORDINALS[m.group(1).lower()]: _number(m.group(2)) for m in _ORDINAL_STAGE.finditer(body)}
    if not stages and ordinal and sorted(ordinal) == list(range(1, len(ordinal) + 1)):
        # "1st stage 4 blocks": the number after "stage" is its blocks, not the stage
        return [{"blocks": blocks} for _, blocks in sorted(ordinal.items())]
    table = _STAGE_TABLE.search(body)
    if not stages and table:
        stages = [(_roman(m.group(1)), int(m.group(2))) for m in _STAGE_ROW.finditer(body, table.end())]
    if not stages:
        stages = [(_roman(m.group(1).lower()), _number(m.group(2))) for m in _ROMAN_STAGE.finditer(body)]
    if stages:
        # "Stage 1: tumor at the deep margin. Stage 2: 2 blocks": a stage named without its blocks is still a stage
        named = [_number(m.group(1)) if m.group(1) else _roman(m.group(2)) for m in _STAGES_COUNT.finditer(body)]
        by_stage = dict(stages)
        last = max([*by_stage, *named])
        if last <= 9 and len(by_stage) < last:
            reading.gaps.append(Gap(label, "stages", f"{where}, Mohs: the tissue blocks of a stage are not "
                                    "documented. Please document the number of blocks in every stage.",
                                    "blocks beyond five in a stage are coded with 17315", "one block", *span))
            return [{"blocks": by_stage.get(n, 1)} for n in range(1, last + 1)]
        return [{"blocks": blocks} for _, blocks in sorted(by_stage.items())]
    listed = _STAGES_LIST.search(body)
    if listed:
        blocks = [_number(b) for b in re.findall(r"\d+|one|two|three|four|five|six|seven|eight", listed.group(2))]
        if len(blocks) == _number(listed.group(1)):
            return [{"blocks": b} for b in blocks]
    counts = [_number(m.group(1)) if m.group(1) else _roman(m.group(2)) for m in _STAGES_COUNT.finditer(body)]
    number = max(counts) if counts else 1
    reading.gaps.append(Gap(label, "stages", f"{where}, Mohs: the tissue blocks of each stage are not documented. "
                            "Please document the number of blocks in every stage.",
                            "blocks beyond five in a stage are coded with 17315", "no more than 5 blocks per stage "
                            "(no 17315)", *span))
    if not counts:
        reading.gaps.append(Gap(label, "stages", f"{where}, Mohs: the number of stages is not documented. Please "
                                "document every stage.", "each stage after the first is coded (17312/17314)",
                                "one stage", *span))
    return [{"blocks": 1} for _ in range(number)]


_DIGIT_WORDS = (("great toe", "great_toe"), ("big toe", "great_toe"), ("hallux", "great_toe"),
                ("second toe", "toe_2"), ("2nd toe", "toe_2"),
                ("third toe", "toe_3"), ("3rd toe", "toe_3"), ("fourth toe", "toe_4"), ("4th toe", "toe_4"),
                ("fifth toe", "toe_5"), ("5th toe", "toe_5"), ("little toe", "toe_5"), ("thumb", "thumb"),
                ("index finger", "finger_2"), ("middle finger", "finger_3"), ("ring finger", "finger_4"),
                ("little finger", "finger_5"), ("small finger", "finger_5"))
# "right great toe", "left great toenail" ("great toes" with no side names no digit)
_DIGITS = re.compile(r"\b(left|right|l|r|lt|rt)?\.?\s*(?:the\s+)?(" + "|".join(w for w, _ in _DIGIT_WORDS)
                     + r")(?:nails?|s)?\b(?:\s*,?\s*\(\s*(left|right|l|r|lt|rt)\s*\))?", re.IGNORECASE)


# a sentence that says a digit was left alone
_NO_PROCEDURE = re.compile(r"\bno procedures?\b|conservative (?:care|management|treatment)|\bnot treated\b|"
                           # "L great toe also mildly incurved, asymptomatic, no tx."
                           r"\bno (?:treatment|tx|intervention)\b|\bobserv(?:e|ation) only\b|\bleft alone\b",
                           re.IGNORECASE)


_SIDE_LEFT_ALONE = re.compile(r"(?:^|\n)[ \t]*(left|right|l|r|lt|rt)\.?[ \t]+(?:great[ \t]+|big[ \t]+)?"
                              r"(?:toe|toenail|finger|fingernail|foot|hand)s?[ \t]*[:\-\u2013][^.;\n]{0,40}?"
                              r"(?:conservative (?:care|management|treatment)|\bno (?:procedure|treatment|tx|"
                              r"intervention)\b|\bobserv(?:e|ation)\b)", re.IGNORECASE)


def _avulsed_digits(text: str, procedures: list[ProcedureMention]) -> list[tuple[str, tuple[int, int]]]:
    """The digits a nail avulsion names (each with where it is named), first mention first."""
    digits: list[tuple[str, tuple[int, int]]] = []
    named = list(_DIGITS.finditer(text))
    for index, m in enumerate(named):
        start, end = sentence_bounds(text, m.start(), m.end())
        # (the words of this digit only: "Partial avulsion R great toe; L great toe no tx" avulses the right one)
        if index > 0 and named[index - 1].end() > start:
            start = named[index - 1].end()
        if index + 1 < len(named) and named[index + 1].start() < end:
            end = named[index + 1].start()
        if _NO_PROCEDURE.search(text[start:end]):
            continue  # "R great toe mildly incurvated - conservative care only, no procedure"
        line_start, line_end = text.rfind("\n", 0, m.start()) + 1, text.find("\n", m.end())
        kinds = {p.type for p in _between(procedures, line_start, line_end if line_end >= 0 else len(text))}
        if kinds - {"removal", "repair"} and "nail_avulsion" not in kinds:
            # "Debridement of 3 nails (R hallux, R 2nd, R 3rd)", "corns (R 5th toe x2, L 5th toe x1) - pared": the
            # digits of another service
            continue
        side = (m.group(1) or m.group(3) or "").lower()  # "L great toe", "great toe (left)"
        side_word = "left" if side in ("left", "l", "lt") else "right" if side else None
        key = dict(_DIGIT_WORDS)[m.group(2).lower()]
        if side_word is None:
            previous = re.findall(r"\b(left|right)\b", text[:m.start()], re.I)
            side_word = previous[-1].lower() if previous else None
        if side_word:
            digit = f"{side_word}_{key}"
            if digit not in [d for d, _ in digits]:
                digits.append((digit, (m.start(), m.end())))
    # "R toe: conservative care": the digits of a side the plan leaves alone, when a digit of the other side remains
    alone = {"left" if m.group(1).lower() in ("left", "l", "lt") else "right" for m in _SIDE_LEFT_ALONE.finditer(text)}
    kept = [(digit, span) for digit, span in digits if digit.split("_", 1)[0] not in alone]
    return kept if kept and len(alone) < 2 else digits


def _services(text: str, procedures: list[ProcedureMention], types: set[str],
              reading: _Reading) -> list[dict[str, Any]]:
    services: list[dict[str, Any]] = []
    for kind in _SERVICE_KINDS:
        if kind not in types:
            continue
        mention = next(p for p in procedures if p.type == kind)
        path = f"services[{len(services)}]"
        reading.fact(f"{path}.type", kind, mention.start, mention.end)
        service: dict[str, Any] = {"type": kind}
        lowered = text.lower()
        if kind == "photodynamic_therapy":
            staff = re.search(r"\bby (?:the |our |clinic |nursing )?(?:staff|ma|nurse|nursing staff|medical assistant|"
                              r"rn|tech\w*)\b|\b(?:staff|ma|nurse) (?:applied|illuminated)", lowered)
            # ("administered by MA, supervised by me": the physician supervised; the staff illuminated)
            physician = re.search(r"(?<!supervised )(?<!overseen )(?<!directed )(?<!supervision )"
                                  r"\bby (?:the )?(?:physician|provider|me|dr\.?|md)\b|\b(?:physician|i|provider) "
                                  r"(?:applied|performed)", lowered)
            service["illumination"] = "by_staff" if staff and not physician else "by_physician"
            service["debridement"] = any(
                not re.search(r"\b(?:no|without|nor)\b[^.;]*$", text[sentence_bounds(text, m.start(), m.end())[0]:
                                                                    m.start()], re.IGNORECASE)
                for m in re.finditer(r"curett\w*|debrid\w*|abrad\w*|abrasion", text, re.IGNORECASE))
            lowered = _without_rejected_drugs(lowered)
            if re.search(r"ameluz|10% gel|aminolevulinic acid 10", lowered):
                service["drug"] = "aminolevulinic_acid_10_gel"
                # "200 units", "J7345 units: 200" (the code's own digits are no count)
                units = re.search(r"(?<![a-z\d])(\d+)\s*(?:billing )?units|\bunits\s*[:=]\s*(\d+)", lowered)
                grams = re.search(r"(\d+(?:\.\d+)?)\s*(?:g|gram)s?\b", lowered)
                if units:
                    service["drug_units"] = int(units.group(1) or units.group(2))
                elif grams:
                    service["drug_units"] = int(Decimal(grams.group(1)) * 100)
            elif re.search(r"metvix|methyl aminolevulinate", lowered):
                service["drug"] = "methyl_aminolevulinate"
                grams = re.search(r"(\d+(?:\.\d+)?)\s*(?:g|gram)s?\b", lowered)
                service["drug_units"] = int(Decimal(grams.group(1)).to_integral_value(ROUND_CEILING)) if grams else 1
            elif re.search(r"levulan|kerastick|aminolevulinic acid|ala\b|20%", lowered):
                service["drug"] = "aminolevulinic_acid_20"
                sticks = re.search(r"(\d+|one|two|three)\s+(?:levulan\s+)?kerasticks?", lowered)
                service["drug_units"] = _number(sticks.group(1)) if sticks else 1
        elif kind == "phototherapy":
            said = " ".join(text[p.start:p.end].lower() for p in procedures if p.type == "phototherapy")
            if re.search(r"excimer|xtrac|308", said):
                service["modality"] = "laser_excimer"
                area = _treated_area(text)
                if area:
                    service["area_cm2"] = _round(area[0])
                    reading.fact(f"{path}.area_cm2", service["area_cm2"], area[1], area[2])
                else:
                    reading.gaps.append(Gap(None, "area_cm2", "Excimer laser: the treated area is not documented. "
                                            "Please document the total area in sq cm.",
                                            "the area decides the code (96920-96922)", None, mention.start,
                                            mention.end))
            elif re.search(r"puva|psoralen", said):
                service["modality"] = "puva"
            elif re.search(r"\btar\b|goeckerman", said + (" tar" if re.search(r"\btar\b", lowered) else "")):
                service["modality"] = "tar_uvb"
            else:
                service["modality"] = "uvb"
        elif kind == "nail_debridement":
            m = re.search(r"(\d+|one|two|three|four|five|six|seven|eight|nine|ten|all ten)\s+(?:\w+\s+)?"
                          r"(?:toe|finger)?nails", lowered)
            # "debridement of dystrophic toenails x8": the count written after the nails
            # "Nails debrided x6 w/ nippers": after the nails' verb
            after = re.search(r"\b(?:toe|finger)?nails\s*(?:(?:debrided|trimmed|reduced|pared)\s*)?\(?\s*(?:x|\u00d7)"
                              r"\s?(\d{1,2})\b", lowered)
            word = m.group(1) if m else after.group(1) if after else None
            service["nails"] = 10 if word == "all ten" else _number(word) if word else 1
        elif kind == "nail_avulsion":
            service["digits"] = [digit for digit, _ in _avulsed_digits(text, procedures)]
        # a diagnosis said only of a declined, planned or past procedure ("debridement of 3 toenails
        # (onychomycosis) was deferred") is not the reason for today's service
        skipped = [(i.start, i.end) for i in reading.ignored if i.reason != "examined_only"]
        found = [d for d in find_diagnoses(text)
                 if (d.key in VISIT_ONLY or d.key in ("ingrown_nail", "onychomycosis") or d.key[0].isupper())
                 and not any(a <= d.start < b for a, b in skipped)]
        if kind in ("nail_avulsion", "nail_debridement") and "nail_avulsion" in types and \
                "nail_debridement" in types:
            # "Painful ingrown L great toenail ... dystrophic toenails R 1st-3rd, onychomycosis": beside another nail
            # service, the diagnosis named at the avulsed digit is the avulsion's, the others the debridement's
            avulsed = _avulsed_digits(text, procedures)
            at_digit = [d for d in found if any(sentence_bounds(text, start, end) == sentence_bounds(
                text, d.start, d.end) for _, (start, end) in avulsed)]
            if at_digit and len(at_digit) < len(found):
                found = at_digit if kind == "nail_avulsion" else [d for d in found if d not in at_digit]
        dx = [d.key for d in found]
        if dx and kind != "photodynamic_therapy":
            service["diagnoses"] = sorted(set(dx))
        services.append(service)
    return services


_TOTAL_JUST_BEFORE = re.compile(r"\b(?:total|in all|altogether|combined)\b[^.;\d\n]{0,20}$", re.IGNORECASE)


def _treated_area(text: str) -> tuple[Decimal, int, int] | None:
    """The area a session treated: the one written as the total ("(total 330 cm2)"), else the areas listed on the
    first line that names one, summed ("hands 140 cm2, wrists 70 cm2"), else none."""
    areas = [m for m in find_measures(text) if m.kind == "area"]
    if not areas:
        return None
    for m in areas:
        if _TOTAL_JUST_BEFORE.search(text, max(0, m.start - 30), m.start):
            return m.value, m.start, m.end
    line_end = text.find("\n", areas[0].end)
    listed = [m for m in areas if line_end < 0 or m.start < line_end]
    return sum((m.value for m in listed), Decimal(0)), listed[0].start, listed[-1].end


_FAMILY_MELANOMA = re.compile(r"\b(?:fhx?|family (?:history|hx))\W+(?:of\W+)?(?:\w+\W+){0,3}?melanoma\b",
                              re.IGNORECASE)


def _past(text: str, reading: _Reading, encounter: dict[str, Any], visit_day: datetime.date | None,
          sections: tuple[tuple[str, int, int], ...] = ()) -> None:
    """history (treated skin cancers) and prior_procedures (a dated earlier excision today's re-excision follows)."""
    from dermbill.notes.history import (
        MALIGNANT,
        addressed_today,
        find_history,
        find_prior_procedures,
        find_unrelated_prior,
        visit_reason,
    )

    lesions = encounter["lesions"]
    treated = {lesion["diagnosis"] for lesion in lesions} | {lesion.get("pathology") for lesion in lesions}
    # a past skin cancer is coded at a visit that treats no lesion (follow-up and surveillance visits), and at one
    # that does when the note addresses it today (its scar examined, an item of the assessment)
    treated_sites = {(key, lesion["site"]) for lesion in lesions
                     for key in (lesion["diagnosis"], lesion.get("pathology")) if key}
    history = find_history(text, {k for k in treated if k}, lesions_treated=bool(lesions), treated_sites=treated_sites)
    today_sites = {(lesion["site"], lesion.get("laterality")) for lesion in lesions}
    unrelated = find_unrelated_prior(text, visit_day, today_sites)
    re_excision = bool(re.search(r"\bre-?excis", text, re.IGNORECASE))
    # (a skin-cancer follow-up visit inside another excision's global period, "sutures out (in global)", keeps
    # the earlier procedure: the visit is for the cancers, modifier 24)
    keep_prior = bool(unrelated) and ((bool(lesions) and not re_excision) or (
        not lesions and encounter.get("visit") is not None and bool(history or _UNRELATED_VISIT.search(text))))
    if unrelated and not re_excision:
        # "6 days s/p excision SCC L forearm (6/10), sutures in", "8 days s/p excision of SCC R shin by me (8/3) ...
        # not addressed further today" at a visit for a rash: a cancer excised in the global period is that
        # excision's episode of care, not a history (Z85) code
        prior_site = (unrelated[0].value["site"], unrelated[0].value.get("laterality"))
        history = [h for h in history if (h.value.get("site"), h.value.get("laterality")) != prior_site]
    if not keep_prior:
        unrelated = []
    if history:
        encounter["history"] = [h.value for h in history]
        for index, h in enumerate(history):
            reading.fact(f"history[{index}].diagnosis", h.value["diagnosis"], h.start, h.end)
    visit = encounter.get("visit")
    if visit is not None:
        # "FBSE, h/o MIS ... shave bx of a new lesion ... 99213-25": a surveillance visit billed apart from the
        # procedure done at it is still a surveillance visit
        separate_visit = bool(lesions) and bool(visit.get("separately_identifiable"))
        reason = visit_reason(text, history, bool(lesions) and not separate_visit)
        if separate_visit and any(not str(key).startswith("Z") for key in visit.get("diagnoses", [])):
            # "returns for his six month skin check ... also his psoriasis, flaring" with a biopsy and 99214-25: the
            # visit billed beside the procedures is for the problem it manages, not a surveillance visit (no Z08)
            reason = None
        if reason:
            visit["reason"] = reason
            if not separate_visit:
                visit.pop("separately_identifiable", None)
            # "A/P: ... FHx melanoma noted" at a skin-cancer surveillance or screening visit: a family history the
            # assessment takes up is one of the visit's reasons (Z80.8); one only told in the history is not
            family = [m for m in _FAMILY_MELANOMA.finditer(text) if addressed_today(text, m.start())
                      and _section_at(sections, m.start(), text) not in ("hpi", "family_history", "past_history")]
            if family and "Z80.8" not in visit.get("diagnoses", []):
                visit["diagnoses"] = [*visit.get("diagnoses", []), "Z80.8"]
                reading.fact("visit.diagnoses", "Z80.8", family[0].start(), family[0].end())
    excisions = [lesion for lesion in lesions if any(p["type"] == "excision" for p in lesion["procedures"])]
    if unrelated:
        encounter["prior_procedures"] = [p.value for p in unrelated]
        reading.fact("prior_procedures[0].date_of_service", unrelated[0].value["date_of_service"],
                     unrelated[0].start, unrelated[0].end)
    if len(excisions) == 1 and re.search(r"\bre-?excis", text, re.IGNORECASE):
        lesion = excisions[0]
        malignant = lesion["diagnosis"] in MALIGNANT or lesion.get("pathology") in MALIGNANT
        prior = find_prior_procedures(text, visit_day, (lesion["site"], lesion.get("laterality")), malignant)
        if prior:
            encounter["prior_procedures"] = [p.value for p in prior]
            for index, p in enumerate(prior):
                reading.fact(f"prior_procedures[{index}].date_of_service", p.value["date_of_service"], p.start,
                             p.end)
            # a re-excision is coded on the malignancy it treats, even when no residual tumour is found
            if lesion["diagnosis"] in MALIGNANT and lesion.get("pathology") not in MALIGNANT:
                lesion["pathology"] = lesion["diagnosis"]


def _header(text: str, reading: _Reading, date_of_service: datetime.date | None, payer: str | None,
            age: int | None, sex: str | None, diagnoses: list[DiagnosisMention], lesions: list[dict[str, Any]],
            raw: list[_Lesion], services: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    encounter: dict[str, Any] = {}
    found_date = header.find_date(text)
    if date_of_service is not None:
        encounter["date_of_service"] = date_of_service.isoformat()
    elif found_date:
        encounter["date_of_service"] = found_date[0].isoformat()
        reading.fact("date_of_service", encounter["date_of_service"], found_date[1], found_date[2])
    else:
        reading.gaps.append(Gap(None, "date_of_service", "The note gives no date of service. Please add it.",
                                "the code sets and edits in force depend on the date of service", None, 0, 0))
    found_payer = header.find_payer(text)
    if payer is not None:
        encounter["payer"] = payer
    elif found_payer:
        encounter["payer"] = found_payer[0]
        reading.fact("payer", found_payer[0], found_payer[1], found_payer[2])
    else:
        encounter["payer"] = "commercial"
        reading.gaps.append(Gap(None, "payer", "The payer is not known from the note.", "coverage rules differ by "
                                "payer (Medicare's benign-lesion and screening rules)", "commercial", 0, 0))
    found_age, found_sex = header.find_age_sex(text)
    patient: dict[str, Any] = {}
    if age is not None:
        patient["age"] = age
    elif found_age:
        patient["age"] = found_age[0]
        reading.fact("patient.age", found_age[0], found_age[1], found_age[2])
    else:
        patient["age"] = 0 if False else 50
        reading.gaps.append(Gap(None, "patient.age", "The patient's age is not in the note.",
                                "age rarely changes a dermatology code; it is needed on the claim", "50", 0, 0))
    if sex is not None:
        patient["sex"] = sex
    elif found_sex:
        patient["sex"] = found_sex[0]
        reading.fact("patient.sex", found_sex[0], found_sex[1], found_sex[2])
    else:
        patient["sex"] = "U"
    encounter["patient"] = patient
    encounter["visit"] = _visit(text, reading, diagnoses, raw, sex, services or [])
    return encounter


_FUTURE_BEFORE = re.compile(r"\b(?:will|to|would|shall)\s+(?:be\s+|get\s+)?$|\bbeing\s+$", re.IGNORECASE)


def _visit(text: str, reading: _Reading, diagnoses: list[DiagnosisMention],
           raw: list[_Lesion], sex: str | None = None,
           services: list[dict[str, Any]] | None = None) -> dict[str, Any] | None:
    category, level, span = header.find_visit(text)
    visit_dx = [d for d in diagnoses if d.key in VISIT_ONLY and not d.hedged]
    # ("he will be scheduled for Mohs surgery with Dr. A": the next visit's procedure, not this visit's purpose)
    procedure_only = any(not _FUTURE_BEFORE.search(text, max(0, m.start() - 20), m.start())
                         for m in header.PROCEDURE_ONLY.finditer(text))
    if procedure_only and level is None and not _PROBLEMS_ADDRESSED.search(text):
        # (not "Problems addressed today: (1) alopecia areata (2) hand eczema - new" over "Here for ILK #2" in the
        # first problem's item: the visit addresses another problem too)
        return None
    if any(d.key in DERMATITIS for d in visit_dx):
        visit_dx = [d for d in visit_dx if d.key != "L30.9"]
    named = {d.key for d in visit_dx}
    # an unspecified code gives way to the specific one the note names: "rash" (R21) to "allergic contact dermatitis
    # to metal" (L23.0), "urticaria" (L50.9) to "chronic urticaria" (L50.8), "tinea" (B35.9) to "tinea cruris"
    visit_dx = [d for d in visit_dx if not (d.key == "R21" and named - {"R21"})
                and not (d.key in ("L50.9", "B35.9") and any(key != d.key and key[:3] == d.key[:3] for key in named))]
    separate = bool(header.SEPARATE.search(text)) or bool(visit_dx)
    managed = _managed_cancers(text, raw, sex)
    if level is None:
        derived = _derived_level(text, visit_dx, managed, raw, separate, category, services or [])
        if derived is None:
            if separate and category:
                reading.gaps.append(Gap(None, "visit.level", "A separate evaluation is documented but no visit "
                                        "level. Please document the level of the visit (medical decision making or "
                                        "time).", "the level decides the E/M code (99212-99215 / 99202-99205)", None,
                                        0, 0))
            return None
        level = derived.level
        if category is None and header.FOLLOW_UP.search(text):
            category = "established"  # "est, acne f/u": a follow-up visit is an established patient's
        reading.gaps.append(Gap(None, "visit.level", f"The note states no visit level, decision making or time; "
                                f"from what it documents the decision making is {mdm.NAMES[level]}: {derived.why}. "
                                "Please confirm the level or document it.", "the level decides the E/M code "
                                "(99212-99215 / 99202-99205); the lower level is used where an element is unclear",
                                str(level), 0, 0))
    if category is None:
        reading.gaps.append(Gap(None, "visit.category", "The note does not say whether the patient is new or "
                                "established.", "it decides the E/M code family", "established", 0, 0))
        category = "established"
    visit: dict[str, Any] = {"category": category, "level": level, "separately_identifiable": separate}
    if span:
        reading.fact("visit.level", level, span[0], span[1])
    keys: list[str] = []
    for d in visit_dx:
        if d.key not in keys:
            keys.append(d.key)
            reading.fact("visit.diagnoses", d.key, d.start, d.end)
    for lesion, code in managed:
        # "1. Nodular BCC L nasal sidewall - ... pt declines surgery; will start imiquimod": a skin cancer the visit
        # manages without a procedure today is the visit's problem (its site's code), and makes the visit more than
        # the decision to do today's minor procedures
        if code not in keys:
            keys.append(code)
            reading.fact("visit.diagnoses", code, lesion.start, lesion.end)
        visit["separately_identifiable"] = True
    if _field_therapy_only(text, raw) and "L57.0" not in keys:
        # "AKs, forearms - offered LN2 today; pt prefers field therapy and declined cryo. Rx 5-FU 5% cream": actinic
        # keratoses the visit manages with a prescription and no procedure are a problem it addresses
        keys.append("L57.0")
    if keys:
        visit["diagnoses"] = keys
    return visit


# a prescription field treatment of actinic keratoses
_FIELD_THERAPY = re.compile(r"\b(?:5-?fu|fluorouracil|efudex|carac|imiquimod|aldara|zyclara|tirbanibulin|klisyri|"
                            r"diclofenac|solaraze)\b", re.IGNORECASE)


def _field_therapy_only(text: str, raw: list[_Lesion]) -> bool:
    """Actinic keratoses are named, none is treated by a procedure today, and a line naming them prescribes a field
    treatment."""
    keratoses = [lesion for lesion in raw if any(d.key == "actinic_keratosis" and not d.hedged
                                                 for d in lesion.diagnoses + lesion.shared)]
    if not keratoses or any(_main_kinds(lesion.procedures) for lesion in keratoses):
        return False
    return any(_FIELD_THERAPY.search(line) and any(d.key == "actinic_keratosis" for d in find_diagnoses(line))
               for line in text.splitlines())


# the kinds of lesion treated many at a time: a treatment naming one of them is of those lesions
_MANY_AT_ONCE = frozenset({"actinic_keratosis", "seborrheic_keratosis", "wart", "plantar_wart", "molluscum",
                           "acrochordon", "corn_callus"})


def _other_lesions_kind(current: _Lesion, named: list[DiagnosisMention]) -> bool:
    """The clause's treatment names only lesions of a kind treated many at a time, and the lesion spoken of is a skin
    cancer."""
    keys = {d.key for d in named}
    own = {d.key for d in current.diagnoses + current.shared}
    return bool(keys) and keys <= _MANY_AT_ONCE and bool(own & _MALIGNANT) and not keys & own


_COUNT_BEFORE_DX = re.compile(r"\b(\d{1,2})\s+(?:[a-z-]+\s+)?$", re.IGNORECASE)


def _counted_as(text: str, start: int, named: list[DiagnosisMention], lesions: list[_Lesion]) -> _Lesion | None:
    """The one lesion among ``lesions`` whose count is the number written just before a diagnosis the clause names
    ("the 3 ISKs"), if exactly one has it."""
    for mention in named:
        count = _COUNT_BEFORE_DX.search(text, max(start, mention.start - 16), mention.start)
        if count is None:
            continue
        found = [lesion for lesion in lesions if lesion.count and lesion.count[0] == int(count.group(1))
                 and mention.key in {d.key for d in lesion.diagnoses + lesion.shared}]
        if len(found) == 1:
            return found[0]
    return None


def _derived_level(text: str, visit_dx: list[DiagnosisMention], managed: list[tuple[_Lesion, str]],
                   raw: list[_Lesion], separate: bool, category: str | None,
                   services: list[dict[str, Any]]) -> mdm.Derived | None:
    """The level the note's decision making supports, for a visit that states none: one that manages problems of
    its own (a rash, acne, a skin cancer), beside the day's procedures or without any."""
    managed = [(lesion, code) for lesion, code in managed if not _TOLD_AS_HISTORY.search(
        text, text.rfind("\n", 0, lesion.start) + 1, lesion.start) and not _YEAR_SOON_AFTER.match(text, lesion.end)]
    problems = [(d.key, d.start) for d in visit_dx] + [(code, lesion.start) for lesion, code in managed]
    surveillance = _SURVEILLANCE.search(text)
    if not problems and surveillance and not any(_main_kinds(lesion.procedures) for lesion in raw) and not services:
        # "FOLLOW-UP SKIN EXAM. Hx melanoma L upper back (WLE 2019), here for 6-month full skin exam": the watch kept
        # over a treated skin cancer is the visit's problem
        problems = [("surveillance", surveillance.start())]
    if not problems or not (category or _VISIT_WORDS.search(text) or header.FOLLOW_UP.search(text[:80])):
        return None  # a note that names no visit (a procedure note) or no problem of its own
    treating = [lesion for lesion in raw if _main_kinds(lesion.procedures)]
    treated = {found.key for found in map(_clinical, treating) if found is not None}
    treated_sites = {lesion.site.site for lesion in treating}
    for key, at in problems:
        # "HS, bilat axillae - continue clindamycin" with nodules of the axillae injected (not "CC: rosacea flaring;
        # rough spots on scalp": another complaint of the same line)
        clause_start = max(text.rfind(mark, 0, at) for mark in ("\n", ". ", "; ")) + 1
        opening = "\n" not in text[:at] and len(text.split("\n", 1)[0]) < 60  # (a short opening line: the reason)
        marks = ("\n",) if opening else ("\n", ". ", "; ")
        clause_end = min((found for found in (text.find(mark, at) for mark in marks) if found >= 0), default=len(text))
        if any(site.site in treated_sites for site in find_sites(text[clause_start:clause_end])):
            treated.add(key)
    for service in services:
        treated |= _SERVICE_TREATS.get(service["type"], set())
    if (treating or services) and not (separate or managed):
        return None
    derived = mdm.derive_level(text, problems)
    if (treating or services) and (derived.level < mdm.LOW or (all(key in treated for key, _ in problems)
                                                  and derived.level < mdm.MODERATE)):
        # "HS f/u ... ILK into 3 nodules ... continue clindamycin": managing the condition the day's procedure treats
        # is that procedure's evaluation, unless it is a decision of its own (a flare, a new prescription: moderate);
        # and a visit beside a procedure that is straightforward at most is not separately identifiable
        return None
    return derived


_PROBLEMS_ADDRESSED = re.compile(r"\bproblems? (?:addressed|managed|evaluated)(?: today| at this visit)?\s*:[^\n]*"
                                 r"(?:\(?2[).]|\band\b|,)", re.IGNORECASE)
# what shows a visit took place (beside its category): its history, its examination, the patient presenting
_VISIT_WORDS = re.compile(r"\b(?:cc|chief complaint|hpi|history of present illness|skin (?:exam|check)|fbse|tbse|"
                          r"full (?:body |skin )?exam|total body|here (?:for|to)|presents?|returns?|"
                          r"seen (?:for|today)|progress note|office visit|clinic note)\b",
                          re.IGNORECASE)
_SURVEILLANCE = re.compile(r"\b(?:hx|h/o|history of|personal (?:hx|history)(?: of)?)\W+(?:[\w.]+\W+){0,3}?"
                           r"(?:melanoma|mis\b|bcc|scc|nmsc|skin cancers?|basal cell|squamous cell)", re.IGNORECASE)
# the conditions a service treats ("Debridement of mycotic nails x6 ... continue ciclopirox": the nails' condition is
# the debridement's)
_SERVICE_TREATS = {"photodynamic_therapy": {"actinic_keratosis"}, "nail_debridement": {"onychomycosis"},
                   "nail_avulsion": {"onychomycosis"}, "phototherapy": {"psoriasis", "atopic_dermatitis", "L80"}}
# "hx multiple NMSC (BCC R ear 2022 - Mohs; SCC L dorsal hand 2023 - excision)": cancers told as history
_TOLD_AS_HISTORY = re.compile(r"\b(?:hx|h/o|history|s/p|status post|prior|previous)\b", re.IGNORECASE)
_YEAR_SOON_AFTER = re.compile(r"[^.;\n]{0,25}?\b(?:19|20)\d{2}\b")


# ("Referred to surgical oncology - WLE/SLNB to be done by surg onc": a referral is how the visit manages it too)
_MANAGED = re.compile(r"\b(?:start(?:ed|ing)?|imiquimod|aldara|5-?fu|fluorouracil|efudex|radiation|declin\w*|"
                      r"referr?\w*)\b",
                      re.IGNORECASE)
# "Hx melanoma L upper back (WLE 2017)": a cancer treated before is history, not a problem managed today
_HISTORY_BEFORE = re.compile(r"\b(?:hx|h/o|history of|s/p|status post|personal history of)\W+(?:\w+\W+){0,2}$",
                             re.IGNORECASE)


# "Returns 1 wk after excision of SCC upper back": a cancer named as what an earlier procedure treated (its
# post-operative care is that procedure's, not a visit's problem)
_TREATED_BY_BEFORE = re.compile(r"\b(?:after|following|post|s/p)\s+(?:[\w&-]+\s+){1,2}(?:of|for)\s+"
                                r"(?:(?:the|an?|his|her|their)\s+)?(?:[\w-]+\s+)?$", re.IGNORECASE)


def _managed_cancers(text: str, raw: list[_Lesion], sex: str | None) -> list[tuple[_Lesion, str]]:
    """The skin cancers the note's assessment manages today with no procedure (a cream, a referral declined, watchful
    waiting), each with its site's ICD-10-CM code."""
    from dermbill.core.coding.diagnoses import icd10_for
    from dermbill.reference.coding_tables import coding_tables

    found: list[tuple[_Lesion, str]] = []
    for lesion in raw:
        cancers = [d for d in lesion.diagnoses if d.key in _MALIGNANT and not d.hedged
                   and not _HISTORY_BEFORE.search(text, max(0, d.start - 40), d.start)
                   and not _TREATED_BY_BEFORE.search(text, max(0, d.start - 60), d.start)]
        if not cancers or _main_kinds(lesion.procedures) or lesion.laterality == "both":
            continue
        site = lesion.site.site
        if not any(_MANAGED.search(line) and any(m.site == site for m in find_sites(line))
                   for line in text.splitlines()):
            continue  # the line that manages it names its site
        side = lesion.laterality if site in _paired() else None
        if site in _paired() and side not in ("left", "right"):
            continue
        code = icd10_for(cancers[0].key, site=site, laterality=side, sex=sex or "U", symptoms=frozenset(),
                         site_codes=coding_tables().site_diagnoses)
        if code is not None:
            found.append((lesion, code))
    return found
