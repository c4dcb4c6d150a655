"""The level of an office visit from the decision making a note documents, when the note states no level, no MDM
and no time.

CPT's office E/M rules (2021 on): the level is the highest at which two of the three elements of medical decision
making meet it: the problems the visit addresses, the data reviewed and ordered, and the risk of the management.
Only the visit's own problems count (the decision to do the day's minor procedure belongs to the procedure).

Read conservatively, as a coder would defend it: an element the note leaves unclear counts at the lower level, and
the level derived is never above moderate (a high-complexity visit must say so). The reader says which elements it
found, so that the provider can confirm the level or document it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MINIMAL, LOW, MODERATE = 2, 3, 4
NAMES = {MINIMAL: "straightforward", LOW: "low", MODERATE: "moderate"}

# conditions that last: "a chronic illness" of the problems element
CHRONIC = frozenset({"psoriasis", "atopic_dermatitis", "acne", "rosacea", "onychomycosis", "L80", "L73.2", "L28.0",
                     "L92.0", "L21.9", "L30.0", "L71.0", "L63.9", "L50.8", "L90.0", "L43.9", "L93.0", "L81.1", "L64.9",
                     "L66.10", "L66.12", "L66.81", "L12.0", "L94.0"})
# "Rosacea - flaring, not at goal", "worse despite metronidazole", "acne ... OTC wash without much benefit": a chronic
# illness with exacerbation, progression or side effects of treatment (moderate problems)
# (not a flare the plan provides for: "hydrocortisone 2.5% cream prn flares", "use for flares")
_WORSE = re.compile(r"\b(?<!prn )(?<!for )(?<!during )(?<!with )(?<!in )(?:flar\w*|worse\w*|worsening|"
                    r"not (?:yet )?(?:at|to) goal|(?:not|poorly|inadequately|"
                    r"sub-?optimally) controlled|uncontrolled|progress\w*|spreading|not improv\w*|no improvement|"
                    r"without (?:much |any |significant )?(?:benefit|improvement|response|relief)|despite|failed|"
                    r"side effects?|exacerbat\w*)\b", re.IGNORECASE)
_NOT_WORSE = re.compile(r"\b(?:no|without|denies)\s+(?:\w+\s+){0,2}?(?:flar\w*|worsening|side effects?|"
                        r"exacerbat\w*)\b", re.IGNORECASE)
# prescription drugs a dermatologist manages (started, continued, changed or stopped at the visit)
_RX = re.compile(
    r"\b(?:clobetasol|halobetasol|betamethasone|fluocinonide|fluocinolone|triamcinolone|mometasone|desonide|"
    r"desoximetasone|hydrocortisone (?:2\.5|valerate|butyrate)|tacrolimus|pimecrolimus|protopic|elidel|tretinoin|"
    r"retin-?a|adapalene|epiduo|tazarotene|trifarotene|isotretinoin|accutane|absorica|doxycycline|doxy|"
    r"minocycline|sarecycline|cephalexin|keflex|clindamycin|mupirocin|bactrim|tmp-?smx|metronidazole|metrogel|"
    r"ivermectin|soolantra|azelaic|spironolactone|methotrexate|mtx|dupilumab|dupixent|adalimumab|humira|"
    r"ustekinumab|stelara|secukinumab|cosentyx|ixekizumab|taltz|risankizumab|skyrizi|guselkumab|tremfya|"
    r"bimekizumab|tildrakizumab|apremilast|otezla|deucravacitinib|sotyktu|upadacitinib|rinvoq|abrocitinib|"
    r"ruxolitinib|opzelura|tralokinumab|lebrikizumab|nemolizumab|terbinafine|lamisil|itraconazole|fluconazole|"
    r"ketoconazole|ciclopirox|efinaconazole|jublia|tavaborole|valacyclovir|valtrex|acyclovir|famciclovir|"
    r"hydroxyzine|prednisone|prednisolone|methylprednisolone|medrol|calcipotriene|calcipotriol|enstilar|"
    r"roflumilast|zoryve|tapinarof|vtama|finasteride|oral minoxidil|hydroxychloroquine|plaquenil|dapsone|"
    r"imiquimod|aldara|fluorouracil|5-?fu|efudex|carac|tirbanibulin|klisyri|brimonidine|mirvaso|oxymetazoline|"
    r"rhofade|clascoterone|winlevi|crisaborole|eucrisa|cyclosporine|mycophenolate|omalizumab|xolair|"
    r"rx|prescri\w*|e-?prescribed|sent to (?:the )?pharmacy|refill\w*)\b", re.IGNORECASE)
# over-the-counter care: low risk
_OTC = re.compile(r"\b(?:otc|over[- ]the[- ]counter|moisturi\w*|emollients?|vaseline|petrolatum|aquaphor|cerave|"
                  r"vanicream|sunscreen|spf|sun protection|antihistamines?|cetirizine|loratadine|fexofenadine|"
                  r"benzoyl peroxide|bpo|"
                  r"hydrocortisone 1%|gentle skin care|lukewarm)\b", re.IGNORECASE)
# tests ordered or reviewed, each counted once
_TESTS = re.compile(r"\b(?:(cbc)|(cmp|bmp|metabolic panel)|(lfts?|liver (?:function|enzymes))|(lipids?(?: panel)?)|"
                    r"(hepatitis(?: [abc])?(?: panel| serolog\w*)?|hbv|hcv)|"
                    r"(quantiferon|t-?spot|ppd|tb (?:test|screen))|"
                    r"(hiv)|(hcg|pregnancy test)|(tsh|thyroid)|(ana)|(a1c)|(ferritin|iron studies)|(vitamin d)|"
                    r"(urinalysis)|(cultures?|cx)|(koh)|(patch test\w*))\b", re.IGNORECASE)
_ORDERED = re.compile(r"\b(?:order\w*|check\w*|obtain\w*|draw\w*|sent|send|baseline|labs?|reviewed|results?)\b",
                      re.IGNORECASE)
_HISTORIAN = re.compile(r"\b(?:independent historian|history (?:obtained|provided|given) (?:by|from)|"
                        r"(?:mom|mother|dad|father|parent|caregiver|daughter|son|wife|husband)\b[^.\n]{0,25}"
                        r"\b(?:provides?|gives?|reports?) (?:the )?history)\b", re.IGNORECASE)
# where an item of a problem list ends: the next numbered item, a blank line or a heading
# (a "Plan:" under the problem goes on with it: "# Plaque psoriasis, worsening\nPlan:\n- Restart clobetasol")
# (and an indented heading is the item's own: "2) DYSHIDROTIC ECZEMA ...\n   Exam: ...\n   Start clobetasol")
_ITEM_END = re.compile(r"\n(?:\s*\n|\s*#\s?\w|\s*#?\d{1,2}[.)]\s|(?![Pp]lan:)[A-Z][A-Za-z /&]{1,30}:)")


@dataclass(frozen=True, slots=True)
class Derived:
    """A visit level derived from the decision making: the level and the elements it rests on, in words."""

    level: int
    problems: int
    data: int
    risk: int
    why: str


def item_of(text: str, start: int) -> tuple[int, int]:
    """The span of the problem-list item (or the line) that holds the position ``start``."""
    begin = text.rfind("\n", 0, start) + 1
    end_match = _ITEM_END.search(text, start)
    end = end_match.start() if end_match else len(text)
    return begin, min(end, begin + 700)


def derive_level(text: str, problems: list[tuple[str, int]]) -> Derived:
    """The level the documented decision making supports for the visit's ``problems`` (diagnosis key, position of a
    mention in the note), each read with its problem-list item and every sentence naming the same problem."""
    items = [text[slice(*item_of(text, start))] for _, start in problems]
    chronic = {key for key, _ in problems if key in CHRONIC}
    worse = [key for (key, _), item in zip(problems, items, strict=True)
             if key in CHRONIC and _WORSE.search(item) and not _NOT_WORSE.search(item)]
    cancer = [key for key, _ in problems if key not in CHRONIC and re.match(r"C\d", key)]
    if worse or cancer or len(chronic) >= 2:
        problem_level = MODERATE
        problem_words = (f"a chronic illness not at goal ({worse[0]})" if worse else
                         f"a skin cancer managed without surgery today ({cancer[0]})" if cancer else
                         "two chronic illnesses")
    elif problems:
        problem_level, problem_words = LOW, f"one {'chronic' if chronic else 'acute'} problem ({problems[0][0]})"
    else:
        problem_level, problem_words = MINIMAL, "no separate problem named"
    managed = " ".join(items)
    drug = _RX.search(managed)
    if drug:
        risk_level, risk_words = MODERATE, f"prescription drug management ({drug.group(0)})"
    elif _OTC.search(managed):
        risk_level, risk_words = LOW, "over-the-counter treatment"
    else:
        risk_level, risk_words = MINIMAL, "no management named"
    tests = set()
    for m in _TESTS.finditer(text):
        window = text[max(0, m.start() - 60):m.end() + 40]
        if _ORDERED.search(window):
            tests.add(m.lastindex)
    data_points = len(tests) + (1 if _HISTORIAN.search(text) else 0)
    data_level = MODERATE if data_points >= 3 else LOW if data_points >= 2 else MINIMAL
    level = sorted((problem_level, data_level, risk_level))[1]
    why = (f"problems {NAMES[problem_level]} ({problem_words}); data {NAMES[data_level]} ({data_points} test"
           f"{'' if data_points == 1 else 's'} or historian); risk {NAMES[risk_level]} ({risk_words})")
    return Derived(level, problem_level, data_level, risk_level, why)
