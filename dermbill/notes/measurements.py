"""Measurements as providers write them: "1.2 x 0.8 cm", "12mm", "4 mm margins", "8.5 sq cm", "0.3 cc".

Pure functions over text; every value keeps the character span it came from. Lengths come out in
centimetres, areas in square centimetres, volumes in millilitres, doses in milligrams, always as Decimal.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal

NUMBER = r"(?:\d+(?:\.\d+)?|\.\d+)"
_DIMS = re.compile(
    rf"(?<![\w.])({NUMBER})\s*(cm|mm)?\s*(?:x|\u00d7|by|\*)\s*({NUMBER})\s*(?:(cm|mm)\s*)?"
    rf"(?:(?:x|\u00d7|by)\s*({NUMBER})\s*)?(sq\.?\s*cm|cm2|cm\^2|cm²|cm|mm)\b",
    re.IGNORECASE,
)
_SINGLE = re.compile(
    rf"(?<![\w.])({NUMBER})\s*-?\s*(sq\.?\s*cm|square\s+cm|square\s+centimet(?:er|re)s?|cm2|cm\^2|cm²|"
    rf"centimet(?:er|re)s?|cm|millimet(?:er|re)s?|mm|mg/ml|mg/cc|mg|ml|cc|g)(?![a-z])",
    re.IGNORECASE,
)


# dictated notes spell their numbers: "one point four centimeters", "four millimeter margins", "twelve square
# centimeters", "one point six by one point two centimeters"
_DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_SMALL_WORDS = (*_DIGIT_WORDS, "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
                "eighteen", "nineteen")
_TENS_WORDS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
SPELLED_INT = (rf"(?:(?:{'|'.join(_TENS_WORDS)})(?:[- ](?:{'|'.join(_DIGIT_WORDS[1:])}))?|"
                rf"{'|'.join(sorted(_SMALL_WORDS, key=len, reverse=True))})")
_HALF = r"(?:(?:one|a)[- ]half(?:\s+(?:of\s+)?an?)?|half\s+(?:of\s+)?an?)"
# "one and one-half milliliters", "two and a half centimeters", "half a milliliter", "one-half cc"
_SPELLED = (rf"(?:{SPELLED_INT}(?:\s+point(?:\s+(?:{'|'.join(_DIGIT_WORDS)}))+|\s+and\s+(?:a|one)[- ]half)?"
            rf"|{_HALF})")
_SPELLED_MEASURE = re.compile(
    rf"(?<![\w-])({_SPELLED})(?:\s+(?:by|x)\s+({_SPELLED}))?(?:\s+(?:by|x)\s+({_SPELLED}))?\s*-?\s*"
    rf"(square\s+centimet(?:er|re)s?|sq\.?\s*cm|centimet(?:er|re)s?|millimet(?:er|re)s?|cm|mm|"
    rf"milligrams?\s+(?:per|/|a)\s+millilit(?:er|re)|mg\s*(?:/|per)\s*ml|milligrams?|mg|"
    rf"millilit(?:er|re)s?|ml|cc)\b",
    re.IGNORECASE,
)


def spelled_number(words: str) -> Decimal:
    """"one point four" -> 1.4, "twenty five" -> 25, "zero point eight" -> 0.8, "one and one-half" -> 1.5,
    "half a" -> 0.5."""
    words = words.lower()
    if re.fullmatch(_HALF, words):
        return Decimal("0.5")
    whole_words, half, _ = words.partition(" and ")
    if half:
        return spelled_number(whole_words) + Decimal("0.5")
    whole, _, fraction = words.partition("point")
    value = 0
    for word in re.split(r"[\s-]+", whole.strip()):
        value += 10 * (_TENS_WORDS.index(word) + 2) if word in _TENS_WORDS else _SMALL_WORDS.index(word)
    digits = "".join(str(_DIGIT_WORDS.index(word)) for word in fraction.split())
    return Decimal(f"{value}.{digits}") if digits else Decimal(value)


@dataclass(frozen=True, slots=True)
class Measure:
    """One measurement: ``kind`` is length (cm), area (cm2), volume (mL), dose (mg), concentration (mg/mL)
    or mass_g; ``value`` is the greatest dimension for "a x b" lengths; ``dims`` keeps every dimension."""

    kind: str
    value: Decimal
    start: int
    end: int
    dims: tuple[Decimal, ...] = ()


# a spelled measurement's unit (its spaces removed) -> kind, by how it starts: "milliliters" is a volume, "millimeter" a
# length, "milligrams per milliliter" a concentration
_SPELLED_KINDS = (("milligram", "dose"), ("millil", "volume"), ("mg", "dose"), ("ml", "volume"), ("cc", "volume"))


def _cm(value: Decimal, unit: str) -> Decimal:
    return value / 10 if unit.lower().startswith("m") else value


def _unit_kind(unit: str) -> str:
    u = unit.lower().replace(" ", "")
    if u.startswith(("sq", "square")) or u in ("cm2", "cm^2", "cm²"):
        return "area"
    if u in ("mg/ml", "mg/cc"):
        return "concentration"
    if u == "mg":
        return "dose"
    if u in ("ml", "cc"):
        return "volume"
    if u == "g":
        return "mass_g"
    return "length"


# what a measurement cannot go without: a number written in digits (both digit patterns), a unit of length or area
# (the spelled-out one): a text without it is not scanned for that kind
_DIGIT = re.compile(r"\d")
_SPELLED_UNIT = re.compile(r"cm|mm|centimet|millimet|millig|millil|\bmg\b|\bml\b|\bcc\b", re.IGNORECASE)


def find_measures(text: str, offset: int = 0) -> list[Measure]:
    """Every measurement in ``text`` in order, spans shifted by ``offset``."""
    # the reader asks again for the same clause or segment (nearly half the calls): the last answers are kept
    return list(_measures(text, offset))


@functools.lru_cache(maxsize=64)
def _measures(text: str, offset: int) -> tuple[Measure, ...]:
    found: list[Measure] = []
    taken: list[tuple[int, int]] = []
    digits = _DIGIT.search(text) is not None
    for m in _DIMS.finditer(text) if digits else ():
        unit = m.group(6)
        nums = [Decimal(g) for g in (m.group(1), m.group(3), m.group(5)) if g]
        if _unit_kind(unit) == "area":
            found.append(Measure("area", nums[0] * nums[1], m.start() + offset, m.end() + offset, tuple(nums)))
        else:
            dims = tuple(_cm(n, unit) for n in nums)
            found.append(Measure("length", max(dims), m.start() + offset, m.end() + offset, dims))
        taken.append((m.start(), m.end()))
    for m in _SINGLE.finditer(text) if digits else ():
        if any(a <= m.start() < b for a, b in taken):
            continue
        value, unit = Decimal(m.group(1)), m.group(2)
        kind = _unit_kind(unit)
        if kind == "length":
            value = _cm(value, unit)
        found.append(Measure(kind, value, m.start() + offset, m.end() + offset, (value,)))
    for m in _SPELLED_MEASURE.finditer(text) if _SPELLED_UNIT.search(text) else ():
        if any(a <= m.start() < b or m.start() <= a < m.end() for a, b in taken):
            continue
        unit = re.sub(r"\s+", "", m.group(4).lower())
        nums = [spelled_number(g) for g in m.groups()[:3] if g]
        kind = "area" if unit.startswith(("square", "sq")) else \
            next((k for start, k in _SPELLED_KINDS if unit.startswith(start)), "length")
        if kind in ("dose", "volume"):
            if kind == "dose" and ("per" in unit or "/" in unit or "ml" in unit or "millil" in unit):
                kind = "concentration"
            found.append(Measure(kind, nums[-1], m.start() + offset, m.end() + offset, (nums[-1],)))
        elif kind == "area":
            value = nums[0] * nums[1] if len(nums) > 1 else nums[0]
            found.append(Measure("area", value, m.start() + offset, m.end() + offset, tuple(nums)))
        else:
            dims = tuple(_cm(n, unit) for n in nums)
            found.append(Measure("length", max(dims), m.start() + offset, m.end() + offset, dims))
    found.sort(key=lambda x: x.start)
    return tuple(found)


_MARGIN_BEFORE = re.compile(r"(margins?|margin of|margins of|narrowest margin|with a|with)\s*(?:of|was|were|:)?\s*$",
                            re.IGNORECASE)
# (not across a line: "Lesion size: 0.9 x 0.7 cm" over "Margin: 0.5 cm" is the lesion's)
# ("a one millimeter rim of skin on each side": the margin excised around a cyst)
_MARGIN_AFTER = re.compile(r"^[ \t]*(?:clinical\s+|peripheral\s+|surgical\s+)?"
                           r"(?:margins?\b|rim of (?:normal |surrounding |uninvolved )?(?:skin|tissue)\b)",
                           re.IGNORECASE)
# "Layered closure, 5-0 Monocryl buried + 6-0 nylon; final 2.6 cm": the suture list after the closure word, and a
# "final"/"total" after its semicolon, still lead to the closure's length
_REPAIR_WORD = re.compile(r"(closure|closed|repair|repaired|sutur\w*|length|final length|layers?)[^.;\n]{0,75}"
                          r"(?:;\s*(?:(?:final|total)(?: length)?:?\s*)?)?$", re.IGNORECASE)
_REPAIR_AFTER = re.compile(r"^\s*(?:long\s+)?(?:\w+\s+){0,2}(closure|repair|linear closure|incision line)",
                           re.IGNORECASE)
_EXCISED_BEFORE = re.compile(r"(excised diameter|excised specimen|total excised|excision diameter|ellipse|"
                             r"specimen)\W*(?:\w+\W+){0,2}$", re.IGNORECASE)
_DEFECT_BEFORE = re.compile(r"(defect|wound)\W*(?:\w+\W+){0,2}$", re.IGNORECASE)
# "Final wound length 9.0 cm", "closed wound length: 4.2 cm" (not "wound 1.2 x 1.0 cm" before the closure)
_CLOSED_WOUND_BEFORE = re.compile(r"\b(?:final|closed|sutured|repaired)\s+(?:wound|incision)\s+length\W*$",
                                  re.IGNORECASE)


def classify_length(text: str, measure: Measure, block_start: int = 0) -> str:
    """What a length measures, from the words around it: margin, repair, excised, defect or lesion."""
    start, end = measure.start - block_start, measure.end - block_start
    before = text[max(0, start - 80):start]
    after = text[end:end + 30]
    if re.search(r"(?:breslow|depth|thickness|thick|deep|invasion)\W*(?:\w+\W+){0,2}$", before[-30:], re.IGNORECASE):
        return "depth"  # "Breslow 0.6 mm" is how deep a melanoma goes, not its size
    if re.match(r"\s*(?:(?:biopsy|bx|biopsied|prior|previous)\s+)?(?:scar|site)\b(?!\s+(?:margins?|length))", after,
                re.IGNORECASE) and re.search(r"\b(?:around|about|surrounding|of)\s+(?:the\s+)?$", before,
                                             re.IGNORECASE):
        return "lesion"  # "with 1 cm margins around the 1.5 cm biopsy scar": the scar's size is what is excised
    if _MARGIN_AFTER.match(after) or re.search(r"margins?\b[^.,;]{0,12}$", before, re.IGNORECASE) or \
            re.match(r"\s*(?:beyond|past|outside|around) (?:the )?(?:visible |clinical |apparent )?(?:tumou?r|lesion|"
                     r"border|edge)", after, re.IGNORECASE):
        return "margin"  # "curetted ... extending about two millimeters beyond the visible tumor"
    if re.search(r"\bundermin\w*(?:\s+(?:in|of|to|at|all|the|deep|fat|plane|directions?|around|widely|"
                 r"approx\w*|about))*\s*\(?~?\s*$", before, re.IGNORECASE):
        return "undermining"  # "wide undermining in all directions (~3 cm)": how far the skin was freed, no length
    if re.search(r"\bellipse\W*(?:\w+\W+){0,2}$", before, re.IGNORECASE) and \
            re.match(r"\s*(?:long|in length)\b", after, re.IGNORECASE):
        return "repair"  # "ellipse 4.5 cm long": an ellipse's length is the wound closed, not the excised diameter
    if _EXCISED_BEFORE.search(before):
        return "excised"
    if re.search(r"\bscar(?:/\w+)?\W*(?:\w+\W+){0,2}$", before, re.IGNORECASE) and not _REPAIR_AFTER.match(after):
        return "lesion"  # "Scar/wound measures 2.2 cm" before a re-excision: the scar is the lesion excised
    if _CLOSED_WOUND_BEFORE.search(before):
        return "repair"  # "Layered closure ... Final wound length 9.0 cm": the wound as closed is the repair's length
    if _DEFECT_BEFORE.search(before) and not re.search(r"clos|repair", before[-25:], re.IGNORECASE):
        return "defect"
    if re.match(r"\s*(?:[a-z-]+\s+){0,2}?(?:lesion|papule|plaque|nodule|cyst|macule|tumou?r|growth|neoplasm|mass)\b",
                after, re.IGNORECASE) and not re.search(r"\b(?:defect|wound|incision|closure|repair)\W*$", before[-12:],
                                                        re.IGNORECASE):
        return "lesion"  # "Indication: 2.0 cm cyst" after a heading that names the repair
    if re.search(r"(lesion|papule|plaque|nodule|cyst|macule|tumou?r|measur\w*|size|diameter|scar)\W*(?:\w+\W+){0,2}$",
                 before[-30:], re.IGNORECASE) and not _REPAIR_AFTER.match(after):
        return "lesion"
    if _REPAIR_WORD.search(before) or _REPAIR_AFTER.match(after):
        return "repair"
    return "lesion"
