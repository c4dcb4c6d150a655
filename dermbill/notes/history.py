"""Past conditions and earlier procedures that still matter for coding: ``history`` (a skin cancer treated before,
which gives the Z85/Z86 code of a surveillance visit) and ``prior_procedures`` (an excision whose global period
covers today, which makes a re-excision take 58).

"Hx melanoma R upper back, s/p WLE 2022, completed treatment" -> history melanoma, back_upper, completed.
"Re-excision, SCC L forearm - positive margin on excision of 06/22/2026 (11602)" -> prior 11602, related.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dermbill.notes.sites import SiteMention, find_sites
from dermbill.notes.vocabulary import find_diagnoses

MALIGNANT = frozenset({"melanoma", "melanoma_in_situ", "bcc", "scc", "scc_in_situ", "merkel_cell"})
_PAST = re.compile(r"\b(?:hx|history|h/o|s/p|status post|pmhx?|previously|prior|treated|excised|removed|"
                   r"mohs|wle|in (?:19|20)\d\d)\b", re.IGNORECASE)
_COMPLETED = re.compile(r"\b(?:completed|complete|ned|no evidence of (?:disease|recurrence)|no recurrence|"
                        r"without recurrence|excised (?:in )?(?:19|20)\d\d|removed (?:in )?(?:19|20)\d\d|"
                        r"clear margins|margins clear|cured|s/p|status post|treated|"
                        # "BCC R ear 2022 - Mohs", "SCC L hand, excision 2023": a treatment dated in an earlier year
                        r"(?:19|20)\d\d\s*[-\u2013:]\s*(?:mohs|excision|excised|wle|ed&c)|"
                        # "Hx SCC R forearm 2022 excised, site clear"
                        r"(?:19|20)\d\d,?\s+(?:excised|removed|treated)|"
                        r"(?:mohs|excision|excised|wle)[\s,]+(?:in\s+)?(?:19|20)\d\d)\b", re.IGNORECASE)
_SURVEILLANCE = re.compile(r"\b(?:surveillance|skin check|tbse|full[- ]body (?:skin )?exam|fbse|total body|"
                           r"follow[- ]up (?:skin )?exam|6[- ]month check|annual check)\b", re.IGNORECASE)
_SCREENING = re.compile(r"\bscreening\b", re.IGNORECASE)
_RELATED = re.compile(r"\b(?:re-?excision|re-?excised|positive (?:\w+ )?margins?|margins? (?:were |was )?involved|"
                      r"staged|planned|complication|dehiscence|same (?:site|lesion))\b", re.IGNORECASE)
_DATE = re.compile(r"\b(\d{1,2}/\d{1,2}/\d{2,4}|\d{4}-\d{2}-\d{2})\b")
_CODE = re.compile(r"\b(1[0-7]\d{3})\b")
_PRIOR_WORD = re.compile(r"\b(excis\w*|mohs|biops\w*|bx|shave removal|ed&c|destruction)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Evidence:
    value: dict[str, Any]
    start: int
    end: int


def _sentences(text: str) -> list[tuple[int, int]]:
    spans, last = [], 0
    for m in re.finditer(r"[.;](?=\s)|\n(?=\s*[^a-z\s])", text):
        spans.append((last, m.start()))
        last = m.end()
    spans.append((last, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


# a line written under a history heading ("PMHx: BCC s/p Mohs 2021", "Hx: ...", "HPI: ...")
_HISTORY_LINE = re.compile(r"\s*(?:hpi|history of present illness|subjective|s|p?mh(?:x)?|p?shx?|hx|"
                           r"past (?:medical |surgical |derm(?:atologic)? )?history|derm history|history)\s*:",
                           re.IGNORECASE)


def addressed_today(text: str, position: int) -> bool:
    """A past cancer the note looks at today (the scar examined, an assessment item), not one only listed under a
    history heading: at a visit that treats lesions only the former is coded ("A: 2. H/o SCC L forearm, NED")."""
    line_start = text.rfind("\n", 0, position) + 1
    return not _HISTORY_LINE.match(text, line_start)


_FAMILY = re.compile(r"\bfamily|mother|father|sister|brother|fhx?\b", re.IGNORECASE)


def find_history(text: str, treated_today: set[str], lesions_treated: bool = False,
                 treated_sites: set[tuple[str, str]] | None = None) -> list[Evidence]:
    """Skin cancers the note gives as past and treated (not one treated today: the same cancer, or one of the same
    kind at the same site when ``treated_sites`` gives the sites of today's lesions)."""
    found: list[Evidence] = []
    keys: set[str] = set()
    past = [(start, end, text[start:end]) for start, end in _sentences(text) if _PAST.search(text[start:end])]
    named = {start: [d for d in find_diagnoses(sentence, start) if d.key in MALIGNANT and not d.hedged]
             for start, _, sentence in past}
    # "S: Hx of melanoma in situ L upper back excised 2019, no recurrence." then "A: SCC, R forearm. Hx MIS.": the
    # assessment's past cancer is the one the history says was treated (not a cancer treated today: "A: Superficial
    # BCC R upper arm, s/p ED&C")
    completed_in_note = {d.key for start, _, sentence in past if named[start] and _COMPLETED.search(sentence)
                         and not _FAMILY.search(sentence)
                         for d in named[start] if not _treated_today(d.key, find_sites(sentence, start),
                                                                     treated_today, treated_sites)}
    for start, _, sentence in past:
        if lesions_treated and not addressed_today(text, start + len(sentence) - len(sentence.lstrip())):
            continue
        for d in named[start]:
            if d.key in keys:
                continue
            if _FAMILY.search(sentence):
                continue
            entry: dict[str, Any] = {"diagnosis": d.key}
            sites = find_sites(sentence, start)
            # "Hx BCC L cheek s/p Mohs 2021" at a visit that biopsies a new BCC of the nose: another cancer
            if _treated_today(d.key, sites, treated_today, treated_sites):
                continue
            if sites:
                entry["site"] = sites[0].site
                if sites[0].laterality in ("left", "right"):
                    entry["laterality"] = sites[0].laterality
            if not _COMPLETED.search(sentence) and d.key not in completed_in_note:
                continue  # a cancer still being treated is coded as itself, not as history
            entry["treatment_completed"] = True
            keys.add(d.key)
            found.append(Evidence(entry, d.start, d.end))
    return found


def _treated_today(key: str, sites: list[SiteMention], treated_today: set[str],
                   treated_sites: set[tuple[str, str]] | None) -> bool:
    """The cancer a sentence names is one treated today (of the same kind, at the same site when sites are given)."""
    return key in treated_today and (treated_sites is None or not sites or (key, sites[0].site) in treated_sites)


def visit_reason(text: str, history: list[Evidence], treats_lesions: bool) -> str | None:
    """surveillance (follow-up after a treated skin cancer), screening, or None (a problem visit)."""
    if treats_lesions:
        return None
    if history and _SURVEILLANCE.search(text):
        return "surveillance"
    if _SCREENING.search(text) and not history:
        return "screening"
    return None


def find_prior_procedures(text: str, visit_day: datetime.date | None, site: tuple[str, str | None] | None,
                          malignant: bool) -> list[Evidence]:
    """Earlier procedures by this practice whose date the note gives, related when today's is a re-excision."""

    found: list[Evidence] = []
    for start, end in _sentences(text):
        sentence = text[start:end]
        words = _PRIOR_WORD.search(sentence)
        # ("underwent excision of a BCC of the left cheek in this office on April 6th": a day by its month's name)
        dates = [(day, at, to) for day, at, to in (_dates(sentence, visit_day) if visit_day is not None else [])
                 if day < visit_day] if visit_day is not None else []
        if not words or not dates or not _RELATED.search(text):
            continue
        day, date_start, date_end = dates[0]
        code = _CODE.search(sentence)
        word = words.group(1).lower()
        if code:
            value = code.group(1)
        elif word.startswith("excis"):
            value = "11600" if malignant else "11400"
        elif word == "mohs":
            value = "17311"
        else:
            continue
        entry: dict[str, Any] = {"date_of_service": day.isoformat(), "code": value,
                                 "related": bool(_RELATED.search(text))}
        if site is not None:
            entry["site"] = site[0]
            if site[1] in ("left", "right"):
                entry["laterality"] = site[1]
        found.append(Evidence(entry, start + date_start, start + date_end))
        break
    return found


# an excision, Mohs or flap with a global period; its CPT code written instead ("11602 performed 03/03/2026")
_GLOBAL_WORD = re.compile(r"\b(excis\w*|wle|mohs|flap|graft|11[46]\d\d|173[1-4]\d)\b", re.IGNORECASE)
_UNRELATED = re.compile(r"\bunrelated\b|\bnot related\b|\bnew (?:(?:itchy|painful|red) )?(?:issue|problem|concern|"
                        r"lesion|rash|eruption|complaint)\b|\bseparate (?:issue|problem|site)\b|"
                        r"\bdifferent (?:site|problem|issue)\b", re.IGNORECASE)
# a day written without its year, in brackets or after "on": "s/p excision SCC L forearm (6/10)"
_SHORT_DATE = re.compile(r"(?:\(|\bon )(\d{1,2})/(\d{1,2})(?![/\d])")


_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_ORDINAL_DAYS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
                 "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
                 "eighteenth", "nineteenth", "twentieth")
# "on May second", "on April twenty first", "on March 3rd, 2026": a day written with its month's name
_MONTH_DATE = re.compile(rf"\bon\s+({'|'.join(_MONTHS)})\s+(\d{{1,2}})?(?:st|nd|rd|th)?"
                         rf"((?:twenty|thirty)?[ -]?(?:{'|'.join(_ORDINAL_DAYS)})|thirtieth)?(?:,?\s+(\d{{4}}))?\b",
                         re.IGNORECASE)


def _month_day(match: re.Match[str]) -> int | None:
    if match.group(2):
        return int(match.group(2))
    words = (match.group(3) or "").lower().replace("-", " ").split()
    if not words:
        return None
    if words == ["thirtieth"]:
        return 30
    tens = {"twenty": 20, "thirty": 30}.get(words[0], 0)
    last = words[-1]
    return tens + _ORDINAL_DAYS.index(last) + 1 if last in _ORDINAL_DAYS else None


def _dates(sentence: str, visit_day: datetime.date) -> list[tuple[datetime.date, int, int]]:
    """The days a sentence names, a day without its year taken as the last such day up to the visit."""
    from dermbill.notes.header import parse_date

    found = [(day, m.start(), m.end()) for m in _DATE.finditer(sentence)
             if (day := parse_date(m.group(1))) is not None]
    for m in _SHORT_DATE.finditer(sentence):
        try:
            day = datetime.date(visit_day.year, int(m.group(1)), int(m.group(2)))
            if day > visit_day:
                day = day.replace(year=visit_day.year - 1)
        except ValueError:
            continue
        found.append((day, m.start(1), m.end(2)))
    for m in _MONTH_DATE.finditer(sentence):
        number = _month_day(m)
        try:
            day = datetime.date(int(m.group(4)) if m.group(4) else visit_day.year,
                                _MONTHS.index(m.group(1).lower()) + 1, number or 0)
        except ValueError:
            continue
        if day > visit_day and not m.group(4):
            day = day.replace(year=visit_day.year - 1)
        found.append((day, m.start(1), m.end()))
    return sorted(found, key=lambda f: f[1])
_ELSEWHERE = re.compile(r"\boutside\b|\belsewhere\b|\bby (?:dr\.?|her|his|their)\b|\breferr\w*", re.IGNORECASE)


def find_unrelated_prior(text: str, visit_day: datetime.date | None,
                         today_sites: set[tuple[str, str | None]]) -> list[Evidence]:
    """An excision or Mohs of this practice a few weeks before ("s/p excision of SCC L forearm on 5/13/26, here for
    suture removal") when today's procedure is for another problem at another site ("new issue ... unrelated"): its
    global period makes today's procedure take modifier 79."""
    if visit_day is None:
        return []
    for start, end in _sentences(text):
        sentence = text[start:end]
        words = _GLOBAL_WORD.search(sentence)
        if not words or _ELSEWHERE.search(sentence):
            continue
        for day, date_start, date_end in _dates(sentence, visit_day):
            if not datetime.timedelta(0) < visit_day - day <= datetime.timedelta(days=90):
                continue
            # the earlier procedure's site is named before its date ("s/p excision SCC L forearm 01/19/26, here ...
            # for the spots on her face": the face is today's)
            sites = find_sites(sentence[:date_end], start) or find_sites(sentence, start)
            if not sites or any((s.site, s.laterality) in today_sites or (s.site, None) in today_sites
                                for s in sites):
                return []  # the same site: a related procedure, read by the re-excision rule if at all
            malignant = any(d.key in MALIGNANT for d in find_diagnoses(sentence, start))
            found: list[Evidence] = []
            # "flap (Mohs + flap by me 4/7/26)": every procedure of the sentence was done that day; a flap's code
            # (its 90-day global period) follows its site, like today's
            for match in _GLOBAL_WORD.finditer(sentence):
                word = match.group(1).lower()
                code = (word if word[0].isdigit() else "17311" if word == "mohs"
                        else _flap_code(sites[0].site, day) if word in ("flap", "graft")
                        else ("11600" if malignant else "11400"))
                if code is None or any(e.value["code"] == code for e in found):
                    continue
                entry: dict[str, Any] = {"date_of_service": day.isoformat(), "code": code, "related": False,
                                         "site": sites[0].site}
                if sites[0].laterality in ("left", "right"):
                    entry["laterality"] = sites[0].laterality
                found.append(Evidence(entry, start + date_start, start + date_end))
            return found
    return []


def _flap_code(site: str, day: datetime.date) -> str | None:
    """The adjacent tissue transfer code of the smallest defect at ``site`` (the code that sets the global period)."""
    from dermbill.reference.coding_tables import coding_tables

    tables = coding_tables()
    if site not in tables.sites.sites:
        return None
    group = tables.sites.get(site).adjacent_tissue_transfer_group
    rule = tables.rules.choose("adjacent_tissue_transfer", group, Decimal("1"), on=day)
    return rule.code if rule is not None else None
