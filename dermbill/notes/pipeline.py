"""The clinical NLP pipeline: spaCy's blank English tokenizer, a rule sentencizer, medspaCy's Sectionizer
(section titles as dermatologists write them) and medspaCy's ConText with dermatology rules of our own.

No model weights: every component is rule-based. The pipeline is built once, on first use (``nlp()``).
``mention_contexts`` marks each mention (a procedure or a diagnosis found by our own rules) as negated,
historical, planned, hypothetical or family, and names the section it sits in.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

_LOCK = threading.Lock()
_NLP: Any = None

# (literal or None, category, direction, token pattern or None)
SECTION_TITLES: dict[str, tuple[str, ...]] = {
    # ("Concerns: 1) painful spot between toes L foot 2) itchy peeling feet": the patient's words, told again below)
    "chief_complaint": ("cc:", "chief complaint:", "reason for visit:", "concerns:"),
    "hpi": ("hpi:", "history of present illness:", "subjective:"),
    "exam": ("exam:", "pe:", "physical exam:", "physical examination:", "skin exam:", "objective:", "findings:"),
    "assessment_plan": ("assessment/plan:", "assessment and plan:", "a/p:", "a&p:", "assessment:", "impression:",
                        "impression/plan:", "dx:", "diagnosis:", "diagnoses:"),
    "plan": ("plan:", "recommendations:", "disposition:", "follow-up:", "follow up:", "f/u:"),
    "procedure": ("procedure:", "procedures:", "procedure note:", "procedure performed:", "operative note:",
                  "op note:", "procedure details:", "technique:", "mohs note:", "mohs surgery:"),
    "pathology": ("pathology:", "path:", "addendum:", "path report:", "final path:", "final pathology:",
                  "pathology report:", "path result:", "path results:", "dermatopathology:"),
    "consent": ("consent:", "informed consent:"),
    "family_history": ("family history:", "fh:", "fhx:", "family hx:"),
    "past_history": ("pmh:", "past medical history:", "past derm history:", "past dermatologic history:", "pmhx:",
                     "pshx:", "past surgical history:", "psh:", "history:", "derm history:", "social history:"),
    "medications": ("medications:", "meds:", "allergies:"),
}

NEGATED = "NEGATED_EXISTENCE"
HISTORICAL = "HISTORICAL"
PLANNED = "PLANNED"
HYPOTHETICAL = "HYPOTHETICAL"
FAMILY = "FAMILY"

_FORWARD: dict[str, tuple[str, ...]] = {
    NEGATED: ("no", "not", "denies", "without", "no evidence of", "negative for", "declined", "declines", "refused",
              "refuses", "deferred", "defer", "no further", "not performed", "did not",
              # "pt opted for observation rather than biopsy", "hold off on excision"
              "rather than", "instead of", "opted against", "hold off on", "holding off on", "not a candidate for",
              # "None is indurated, ulcerated or tender to suggest squamous cell carcinoma", "nothing to suggest"
              "to suggest"),
    HISTORICAL: ("s/p", "status post", "history of", "hx of", "h/o", "pmhx", "pmh", "personal history of",
                 "personal hx of", "history significant for", "pmhx significant for", "hx significant for",
                 "previously treated", "prior", "previous",
                 "past", "previously", "had a", "had an", "treated last", "last year",
                 # "6 days after his excision on the L upper back": the procedure whose wound is followed today
                 "days after his", "days after her", "weeks after his", "weeks after her", "since his", "since her"),
    PLANNED: ("will schedule", "will plan", "schedule", "scheduled for", "plan for", "plan to", "planning",
              # "NEW PATIENT CONSULTATION - Mohs surgery": the visit that decides on it
              "consultation -", "consultation for", "consult for", "consultation:",
              # "discussed Mohs vs excision vs radiation; pt elects Mohs. Will schedule": the choice of a treatment
              "elects", "pt elects", "opts for", "chooses", "wishes to proceed with",
              "return for", "rtc for", "f/u for", "follow up for", "follow-up for", "refer for", "referred for",
              "referral for", "refer to", "referral to", "will return for", "next visit", "to be scheduled",
              "will need", "needs", "recommend", "recommended", "will perform", "will do", "candidate for",
              "pending scheduling", "booked for", "return in",
              # "AUC appropriate for Mohs", "meets criteria for Mohs", "next step: Mohs"
              "appropriate for", "criteria for", "next step", "next steps",
              "would benefit from", "will set up", "set up for",
              # "planned advancement flap (oculoplastics)", "he may want cryo at a future visit", "sent to Dr. X for
              # repair": what another day or another surgeon will do
              "planned", "may want", "might want", "may wish", "wishes to consider", "sent to", "sent same day to",
              "sent over to", "repair by", "repair to be done by", "to be billed by",
              # "pt prefers PDT in the spring, front desk to schedule": the choice of a later treatment
              "prefers", "would prefer", "would like", "wants to try"),
    HYPOTHETICAL: ("consider", "considering", "asks about", "asked about", "inquires about", "interested in",
                   "discussed", "discussion of", "options include", "options including",
                   "if", "may need", "might need", "could", "offered", "alternatives", "risks of",
                   "option of",
                   # "RTC 8 wk, re-discuss Mohs if residual"
                   "re-discuss", "rediscuss", "will discuss", "revisit"),
    FAMILY: ("family history of", "fh of", "fhx of", "mother", "father", "sister", "brother", "sibling", "mom",
             "dad", "grandmother", "grandfather", "aunt", "uncle", "son", "daughter"),
}
# the words that make a mention hypothetical when written before it ("consider excision of ...")
HYPOTHETICAL_BEFORE: tuple[str, ...] = _FORWARD[HYPOTHETICAL]
# the words that make a mention historical, written before or after it
HISTORICAL_BEFORE: tuple[str, ...] = _FORWARD[HISTORICAL]
_BACKWARD: dict[str, tuple[str, ...]] = {
    NEGATED: ("declined", "was declined", "deferred", "not performed", "not done", "was not performed",
              "not indicated", "ruled out", "is negative", "absent",
              # "ED&C not appropriate for micronodular subtype": a treatment set aside
              "not appropriate", "is not appropriate", "inappropriate", "not recommended", "contraindicated",
              "not an option", "not a good option",
              # "Hidradenitis was considered, no sinus tracts or other lesions noted": a diagnosis weighed and set aside
              "was considered", "were considered"),
    HISTORICAL: ("in 2015", "in 2016", "in 2017", "in 2018", "in 2019", "in 2020", "in 2021", "in 2022",
                 "in 2023", "in 2024", "in 2025", "years ago", "year ago", "months ago", "last year",
                 "previously", "in the past", "done elsewhere", "by outside", "at outside",
                 # "biopsy done here in May", "biopsied on February tenth": a month named for a procedure is its day
                 # (a note of today's procedure says "today")
                 *(f"{word} {month}" for word in ("in", "on") for month in (
                     "january", "february", "march", "april", "may", "june", "july", "august", "september",
                     "october", "november", "december"))),
    PLANNED: ("to be scheduled", "will be scheduled", "planned", "is planned", "next visit", "at next visit",
              "in 2 weeks", "in 3 weeks", "in 4 weeks", "in one month", "at a later date", "later date",
              "to follow", "pending insurance", "recommended", "was recommended", "is recommended",
              "will be performed", "to be performed", "to be done", "if persistent", "if recurs", "if it recurs",
              "later",
              "at a later visit", "by another surgeon", "by plastic surgery", "by plastics", "by oculoplastics",
              "by another provider", "by dermatologic surgery",
              # "WLE with 4 mm margins - scheduled", "biopsy by Dr. X next week"
              "scheduled", "is scheduled", "booked", "is booked", "next week", "next month", "in the future",
              "at a future visit", "at a future date", "future visit", "to be billed by", "billed by oculoplastics",
              "by oculoplastic surgery", "in the spring", "in the summer", "in the fall", "in the winter",
              "to schedule", "front desk to schedule"),
    HYPOTHETICAL: ("offered", "was offered", "were offered", "if needed", "if necessary", "as needed", "prn",
                   "if it persists", "if persists",
                   "was discussed", "were discussed", "discussed"),
}
HISTORICAL_AFTER: tuple[str, ...] = _BACKWARD[HISTORICAL]
# Numeric years written as "in 20NN" / "(20NN)" are handled by the reader as well.


def _line_breaks(doc: Any) -> Any:
    """Every line starts a sentence, indented or not ("...; no secondary infection\n  Assessment: allergic contact
    dermatitis": spaCy makes "\n  " one space token, which the sentencizer does not take for a line break, and the
    negation ran on into the next line)."""
    for match in _INDENTED_LINE.finditer(doc.text):
        if match.group(0) != "\n":  # (a bare line break is the sentencizer's already)
            span = doc.char_span(match.end(), match.end() + 1, alignment_mode="expand")
            if span is not None:
                span[0].is_sent_start = True
    return doc


_INDENTED_LINE = re.compile(r"[ \t]*\n[ \t\n]*(?=\S)")


def _register() -> None:
    from spacy.language import Language

    if "dermbill_line_breaks" not in Language.factories:
        Language.component("dermbill_line_breaks", func=_line_breaks)


def _build() -> Any:
    import warnings

    import spacy

    # medspaCy's ConText and Sectionizer each hold a regex matcher we give no patterns (ours are phrases)
    warnings.filterwarnings("ignore", message=r"\[W036\] The component 'matcher'", category=UserWarning)
    from medspacy.context import ConText, ConTextRule
    from medspacy.section_detection import Sectionizer, SectionRule

    _register()
    nlp = spacy.blank("en")
    tokenizer: Any = nlp.tokenizer
    for abbreviation in ("incl.", "Incl.", "approx.", "Approx.", "appt.", "pt.", "Pt."):
        # "Options reviewed incl. excision, Mohs and ED&C": an abbreviation's period ends no sentence
        tokenizer.add_special_case(abbreviation, [{"ORTH": abbreviation}])
    for unit in ("h", "d"):
        # "wash off in 4 h. Grandma declined ...", "SR 10 d. Occipital ...": a time unit's letter then a period ends
        # the sentence (spaCy keeps "h." as one abbreviation token, and the next sentence's "declined" reached back)
        tokenizer.add_special_case(f"{unit}.", [{"ORTH": unit}, {"ORTH": "."}])
    nlp.add_pipe("sentencizer", config={"punct_chars": [".", "!", "?", ";", "\n"]})
    nlp.add_pipe("dermbill_line_breaks")
    sectionizer: Sectionizer = nlp.add_pipe("medspacy_sectionizer", config={"rules": None})
    sectionizer.add([SectionRule(literal=title, category=category)
                     for category, titles in SECTION_TITLES.items() for title in titles])
    context: ConText = nlp.add_pipe("medspacy_context", config={"rules": None})
    rules = []
    directions: dict[tuple[str, str], str] = {}
    for category, literals in _FORWARD.items():
        for literal in literals:
            directions[(literal, category)] = "FORWARD"
    for category, literals in _BACKWARD.items():
        for literal in literals:
            # a word that works both ways ("declined cryotherapy", "cryotherapy declined") is one rule
            directions[(literal, category)] = ("BIDIRECTIONAL" if directions.get((literal, category)) == "FORWARD"
                                               else "BACKWARD")
    for literal in ("not previously biopsied", "not previously treated", "never biopsied", "never treated",
                    "not biopsied before", "no prior biopsy", "not previously excised"):
        rules.append(ConTextRule(literal, NEGATED, direction="PSEUDO"))  # "new papule, not previously biopsied: bx"
    for literal in ("discussed as", "was discussed as", "diagnosed as"):
        # "hair thinning which we discussed as female pattern hair loss and started minoxidil": named, not weighed
        rules.append(ConTextRule(literal, HYPOTHETICAL, direction="PSEUDO"))
    for literal in ("features to suggest", "findings to suggest", "enough to suggest"):
        rules.append(ConTextRule(literal, NEGATED, direction="PSEUDO"))  # "with features to suggest BCC": affirmed
    seen: set[str] = set()
    for (literal, category), direction in directions.items():
        if literal in seen:
            continue
        seen.add(literal)
        rules.append(ConTextRule(literal, category, direction=direction))
    for literal in ("but", "however", "then", "and then", "today", "performed", "was performed", "done today",
                    "after", "so", "therefore", "instead", ";",
                    # "without vasculitis, c/w erythema nodosum": what the report concludes is not negated
                    "c/w", "consistent with", "compatible with", "diagnostic of"):
        rules.append(ConTextRule(literal, "TERMINATE", direction="TERMINATE"))
    context.add(rules)
    return nlp


def nlp() -> Any:
    """The pipeline, built on first use (about a second: importing spaCy and medspaCy)."""
    global _NLP
    if _NLP is None:
        with _LOCK:
            if _NLP is None:
                _NLP = _build()
    return _NLP


@dataclass(frozen=True, slots=True)
class MentionContext:
    """What ConText and the Sectionizer say about one mention."""

    start: int
    end: int
    section: str | None
    modifiers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Analysis:
    """The sections (category, start, end) and the context of each mention of one note."""

    sections: tuple[tuple[str, int, int], ...]
    mentions: tuple[MentionContext, ...]


def analyse(text: str, mentions: Sequence[tuple[int, int]]) -> Analysis:
    """Run the pipeline on ``text`` with ``mentions`` (character spans) as the targets of ConText."""
    from spacy.tokens import Span
    from spacy.util import filter_spans

    pipeline = nlp()
    doc = pipeline.make_doc(text)
    spans = []
    # a mention's span widened to whole tokens ("ED&C." is one token) is still reported at its own characters
    original: dict[tuple[int, int], tuple[int, int]] = {}
    for start, end in mentions:
        span = doc.char_span(start, end, label="MENTION", alignment_mode="expand")
        if span is not None:
            spans.append(span)
            original.setdefault((span.start, span.end), (start, end))
    doc.ents = filter_spans(spans)
    for _, component in pipeline.pipeline:
        doc = component(doc)
    sections = tuple((str(s.category), doc[s.section_span[0]].idx if s.section_span[0] < len(doc) else len(text),
                      doc[s.section_span[1] - 1].idx + len(doc[s.section_span[1] - 1]) if s.section_span[1] > 0
                      else 0)
                     for s in doc._.sections if s.category)
    contexts: list[MentionContext] = []
    for ent in doc.ents:
        ent_span: Span = ent
        categories = tuple(sorted({str(m.category) for m in ent_span._.modifiers}))
        section = ent_span._.section_category
        start, end = original.get((ent_span.start, ent_span.end), (ent_span.start_char, ent_span.end_char))
        contexts.append(MentionContext(start, end, str(section) if section else None, categories))
    return Analysis(sections, tuple(contexts))
