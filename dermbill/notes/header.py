"""Header facts of a note: date of service, age, sex, payer, and the visit (new/established, level)."""

from __future__ import annotations

import datetime
import re

from dermbill.notes.measurements import SPELLED_INT, spelled_number

_DOS = re.compile(r"\b(?:dos|date of service|date of visit|visit date|date|dov)\s*[:#-]?\s*"
                  r"(\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4})", re.IGNORECASE)
_AGE_SEX = re.compile(r"\b(\d{1,3})\s*(?:-|\s)?\s*(?:yo|y/o|y\.o\.|yr old|year[- ]old|years old|yrs old|y)\b"
                      r"\s*(male|female|man|woman|boy|girl|m|f)?\b", re.IGNORECASE)
_AGE_SEX_SHORT = re.compile(r"(?<![\w/.-])(\d{1,3}) ?([MF])\b")
_SEX = re.compile(r"\b(?:sex|gender)\s*[:=]\s*(m|f|male|female)\b", re.IGNORECASE)
_AGE = re.compile(r"\bage\s*[:=]?\s*(\d{1,3})\b", re.IGNORECASE)
_PAYER = re.compile(r"\b(medicare(?: advantage)?|medicaid|self[- ]pay|uninsured|cash pay|commercial|bcbs|"
                    r"blue cross|aetna|cigna|united ?healthcare|uhc|humana|tricare|private insurance)\b", re.IGNORECASE)
_LEVEL_CODE = re.compile(r"\b99(20[2-5]|21[1-5])\b")
_LEVEL_WORD = re.compile(r"\b(?:e/?m|visit|level)\s*(?:level\s*)?[:#]?\s*([1-5])\b", re.IGNORECASE)
# "MDM moderate", "low MDM", "MDM for the rosacea (separately identifiable from the biopsy): Low", "Moderate
# complexity." (a complexity said alone is the decision making's; a repair's is intermediate/complex, never these)
_MDM = re.compile(r"\b(?:mdm|medical decision[- ]making)\s*(?:[:=-]\s*|(?:was|is)\s+|"
                  r"\b[^.:;\n]{0,60}?:\s*)?(straightforward|low|moderate|high)\b|"
                  r"\b(straightforward|low|moderate|high)(?:[- ]complexity)?\s+(?:mdm|medical decision[- ]making)\b|"
                  r"\b(straightforward|low|moderate|high)[- ]complexity\b(?![- ](?:repair|closure|wound|flap|layered))",
                  re.IGNORECASE)
# the time of the visit, which sets its level when the decision making is not stated: "Total time 32 minutes",
# "Time (not incl. procedure): 35 min", "Total time on date of encounter, excluding the procedure: 48 min", "I spent
# 25 minutes"; never an incubation, illumination, freeze or procedure time
_TIME = re.compile(r"(?:\btotal (?:visit |encounter |e/?m )?time|\btime spent|^[ \t]*time|\be/?m time|\bvisit time|"
                   r"\bface[- ]to[- ]face time|\bI spent)\b(?:[^.\n\d]|\.(?= [a-z])){0,120}?"
                   # ("was thirty five minutes": dictated)
                   rf"\b(\d{{1,3}}|{SPELLED_INT})\s*(?:min|mins|minutes)\b", re.IGNORECASE | re.MULTILINE)
# CPT 2021+: the minutes of total time on the day that each level of an office visit needs (new, established)
_TIME_LEVELS = {"new": ((60, 5), (45, 4), (30, 3), (15, 2)), "established": ((40, 5), (30, 4), (20, 3), (10, 2))}
# a line that states the elements the visit's decision making rests on
_MDM_ELEMENTS_LINE = re.compile(r"^[^\n]*\b(?:mdm|medical decision[- ]making|level of service)\b[^\n]*$",
                                re.IGNORECASE | re.MULTILINE)
_MODERATE_PROBLEM = re.compile(r"\bchronic (?:illness|disease|condition)e?s? (?:w/|with|in) (?:mild )?(?:progression|"
                               r"exacerbation|worsening|side effects)|\b(?:2|two) or more (?:stable )?chronic "
                               r"(?:illness|disease|condition)", re.IGNORECASE)
_MODERATE_RISK = re.compile(r"\b(?:rx|prescription)(?: drug| medication)? (?:management|mgmt)\b", re.IGNORECASE)
_MDM_LEVEL = {"straightforward": 2, "low": 3, "moderate": 4, "high": 5}
# "Low-moderate MDM", "low to moderate complexity MDM": a range of two levels; a level is met only in full, so the
# visit takes the lower one
_MDM_RANGE_LOWER = re.compile(r"\b(straightforward|low|moderate)\s*(?:-|\u2013|/|\bto\b)\s*$", re.IGNORECASE)
FOLLOW_UP = re.compile(r"\b(?:f/u|follow[- ]?up|return visit)\b", re.IGNORECASE)
# "23 y/o F new to our practice", "new to me", "first visit to this clinic"
# "Visit type: [x] New  [ ] Established": the box checked decides, not the word left unchecked
_CHECKED_CATEGORY = re.compile(r"\[x\]\s*(new|est(?:ablished)?)\b"
                               r"(?!\s+(?:problem|issue|complaint|lesion|rash|concern))", re.IGNORECASE)
_NEW = re.compile(r"\bnew (?:patient|pt)\b|\bnp\b|\bnew to (?:our|this|the) (?:practice|clinic|office|group)\b|"
                  r"\bnew to me\b|\bfirst (?:visit|time) (?:to|at|in) (?:our|this|the) (?:practice|clinic|office)\b",
                  re.IGNORECASE)
_ESTABLISHED = re.compile(r"\b(?:established|est\.?) (?:patient|pt)\b|\bestablished\b|\best\.? pt\b|"
                          r"\breturn(?:ing)? patient\b", re.IGNORECASE)
PROCEDURE_ONLY = re.compile(r"\b(?:seen|here|presents?|scheduled|visit) (?:only |solely )?(?:for (?:a |the )?)?"
                            r"(?:scheduled )?(?:procedure|biopsy|excision|mohs|treatment|removal|cryo\w*|"
                            r"destruction|drainage|i&d|incision and drainage|(?:ilk |kenalog )?injections?|ilk|"
                            r"debridement)|\bvisit (?:scheduled )?(?:for|was for) (?:the )?(?:treatment|procedure) "
                            r"only|\bonly for (?:a |the )?(?:scheduled )?\w+|\bno separate (?:e/m|evaluation|visit)",
                            re.IGNORECASE)
SEPARATE = re.compile(r"separate (?:from|of) (?:the )?(?:procedures?|biops(?:y|ies)|excisions?|cryo\w*|destruction|"
                      r"surgery|i&d|(?:\w+\s)?(?:tx|treatments?))\b|"
                     r"\bunrelated to (?:the |his |her )?(?:surgery|procedure|excision|biopsy)|"
                      r"\bnew (?:problem|issue|complaint)\b|"
                      r"separate(?:ly)? (?:identifiable|documented|evaluation|problem|issue|e/?m)|"
                      r"also (?:evaluated|addressed|discussed|seen)|in addition,? (?:we )?(?:evaluated|addressed)|"
                      r"additionally|\bmod(?:ifier)?\.?\s*-?25\b|-25 modifier|"
                      # the provider writes the E/M code with its modifier: "99214-25", "E/M 99213 -25"
                      r"\b992[01]\d\s*[-\u2013]\s*25\b", re.IGNORECASE)


def parse_date(raw: str) -> datetime.date | None:
    try:
        if "-" in raw:
            return datetime.date.fromisoformat(raw)
        month, day, year = (int(x) for x in raw.split("/"))
        return datetime.date(year + 2000 if year < 100 else year, month, day)
    except ValueError:
        return None


def find_date(text: str) -> tuple[datetime.date, int, int] | None:
    m = _DOS.search(text)
    if m:
        day = parse_date(m.group(1))
        if day:
            return day, m.start(1), m.end(1)
    return None


def find_age_sex(text: str) -> tuple[tuple[int, int, int] | None, tuple[str, int, int] | None]:
    age: tuple[int, int, int] | None = None
    sex: tuple[str, int, int] | None = None
    m = _AGE_SEX.search(text)
    if m and int(m.group(1)) <= 120:
        age = (int(m.group(1)), m.start(1), m.end(1))
        if m.group(2):
            sex = ("F" if m.group(2).lower() in ("f", "female", "woman", "girl") else "M", m.start(2), m.end(2))
    if age is None:
        short = _AGE_SEX_SHORT.search(text)  # "70M", "62 F"
        if short and int(short.group(1)) <= 120:
            age = (int(short.group(1)), short.start(1), short.end(1))
            sex = (short.group(2), short.start(2), short.end(2))
    if age is None:
        a = _AGE.search(text)
        if a and int(a.group(1)) <= 120:
            age = (int(a.group(1)), a.start(1), a.end(1))
    if sex is None:
        s = _SEX.search(text)
        if s:
            sex = ("F" if s.group(1).lower().startswith("f") else "M", s.start(1), s.end(1))
    return age, sex


def find_payer(text: str) -> tuple[str, int, int] | None:
    m = _PAYER.search(text)
    if not m:
        return None
    word = m.group(1).lower()
    if word.startswith("medicare"):
        payer = "medicare"
    elif word == "medicaid":
        payer = "medicaid"
    elif word.startswith(("self", "uninsured", "cash")):
        payer = "self_pay"
    else:
        payer = "commercial"
    return payer, m.start(1), m.end(1)


def find_visit(text: str) -> tuple[str | None, int | None, tuple[int, int] | None]:
    """(category, level, span of the level) as the note states them."""
    code = _LEVEL_CODE.search(text)
    category: str | None = None
    checked = _CHECKED_CATEGORY.search(text)
    if checked:
        category = "new" if checked.group(1).lower() == "new" else "established"
    elif _NEW.search(text):
        category = "new"
    elif _ESTABLISHED.search(text):
        category = "established"
    if code:
        digits = code.group(1)
        return ("new" if digits.startswith("20") else "established"), int(digits[-1]), (code.start(), code.end())
    word = _LEVEL_WORD.search(text)
    if word:
        return category, int(word.group(1)), (word.start(1), word.end(1))
    mdm = _MDM.search(text)
    if mdm:
        # "MDM moderate (Rx drug management, labs)": the level of medical decision making is the visit's level
        found = mdm.group(1) or mdm.group(2) or mdm.group(3)
        if mdm.group(2) or mdm.group(3):
            lower = _MDM_RANGE_LOWER.search(text, max(0, mdm.start() - 25), mdm.start())
            if lower and _MDM_LEVEL[lower.group(1).lower()] < _MDM_LEVEL[found.lower()]:
                found = lower.group(1)
        if category is None and FOLLOW_UP.search(text):
            category = "established"  # "f/u acne": a follow-up visit is an established patient's
        return category, _MDM_LEVEL[found.lower()], (mdm.start(), mdm.end())
    time = _TIME.search(text)
    if time:
        if category is None and FOLLOW_UP.search(text):
            category = "established"
        minutes = int(spelled_number(time.group(1))) if not time.group(1).isdigit() else int(time.group(1))
        level = next((lvl for least, lvl in _TIME_LEVELS[category or "established"] if minutes >= least), None)
        if level is not None:
            return category, level, (time.start(1), time.end(1))
    elements = _MDM_ELEMENTS_LINE.search(text)
    if elements and _MODERATE_PROBLEM.search(elements.group(0)) and _MODERATE_RISK.search(elements.group(0)):
        # "Level of service based on MDM: chronic illness w/ progression, Rx drug management, labs ordered": the
        # elements written instead of the level; a chronic illness that progresses (problems) and prescription drug
        # management (risk) are two of the three elements at moderate, so the decision making is moderate
        if category is None and FOLLOW_UP.search(text):
            category = "established"
        return category, _MDM_LEVEL["moderate"], (elements.start(), elements.end())
    return category, None, None
