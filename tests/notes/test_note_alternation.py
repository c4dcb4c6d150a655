"""The word lists' patterns dispatched on the first character find exactly what the plain alternations find."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from dermbill.notes import procedures, sites, vocabulary
from dermbill.notes.alternation import Alternation, first_characters, word_alternation

NOTES = Path(__file__).parent

# (alternatives as (name, words), prefix, suffix, the module's dispatched pattern and its group index)
WORD_LISTS: dict[str, tuple[list[tuple[str, str]], str, str, Alternation]] = {
    "diagnoses": ([(f"d{i}", w) for i, (w, _) in enumerate(vocabulary.DIAGNOSIS_WORDS)], "\\b", "s?\\b",
                  vocabulary._DIAGNOSIS_WORDS),
    "symptoms": ([(f"y{i}", w) for i, (w, _) in enumerate(vocabulary.SYMPTOM_WORDS)], "\\b", "",
                 vocabulary._SYMPTOM_WORDS),
    "sites": ([(f"s{i}", w) for i, w in enumerate(sites.SITE_WORDS)], "\\b", "\\b", sites._SITE_WORDS),
    "procedures": ([(f"p{i}", w) for i, (w, _, _) in enumerate(procedures.PROCEDURE_WORDS)], "\\b", "s?(?![\\w])",
                   procedures._PROCEDURE_WORDS),
}


def _note_texts() -> list[str]:
    texts = []
    for path in sorted(NOTES.glob("*.jsonl")):
        texts += [json.loads(line)["note"] for line in path.read_text().splitlines() if line]
    return texts


def _plain_matches(pattern: re.Pattern[str], text: str) -> list[tuple[int, int, int]]:
    return [(m.start(), m.end(), int(str(m.lastgroup)[1:])) for m in pattern.finditer(text)]


def _dispatched_matches(alternation: Alternation, text: str) -> list[tuple[int, int, int]]:
    return [(m.start(), m.end(), alternation.index[str(m.lastgroup)]) for m in alternation.pattern.finditer(text)]


@pytest.mark.parametrize("name", sorted(WORD_LISTS))
def test_dispatched_word_list_matches_the_plain_alternation_on_every_note(name: str) -> None:
    alternatives, prefix, suffix, dispatched = WORD_LISTS[name]
    plain = re.compile(prefix + "(?:" + "|".join(f"(?P<{n}>{w})" for n, w in alternatives) + ")" + suffix,
                       re.IGNORECASE)
    texts = _note_texts()
    assert len(texts) > 500
    # and the notes cut up and shuffled, in upper case, with the letters whose case folds to an ASCII letter
    # ("K" Kelvin sign, long "s", dotted capital I)
    rng = random.Random(18)
    words = " ".join(texts).split()
    for _ in range(300):
        texts.append(" ".join(rng.choice(words) for _ in range(40)))
    texts += [text.upper() for text in texts[:100]]
    texts += ["\u212aeloid \u017fcc \u0130SK inflamed, \u212a\u0131ELOIDs", "1st MTH 4.0 cm incision pus", "PG R index"]
    for text in texts:
        assert _dispatched_matches(dispatched, text) == _plain_matches(plain, text), text[:200]


def test_first_characters_of_a_pattern() -> None:
    assert first_characters(r"(?:nodular |superficial )?(?:[nsim]?bcc|bas[ai]l cell)") == frozenset("nsimb")
    assert first_characters(r"(?-i:PG)|lipomas?") == frozenset("Pl")
    assert first_characters(r"\bsub-?(?:[1-5](?:st)?\s*)?mth") == frozenset("s")
    assert first_characters(r"(?:\d ?cm )?incision") is None  # a digit class: any character
    assert first_characters(r"x?") is None  # can match nothing
    assert first_characters(r".scar") is None


def test_an_alternative_that_can_start_anywhere_is_tried_at_every_word() -> None:
    alternation = word_alternation("\\b", [("a0", r"cyst"), ("a1", r"(?:\d+ ?mm )?papule"), ("a2", r"cysts? wall")],
                                   "\\b", re.IGNORECASE)
    found = [(m.group(0), alternation.index[str(m.lastgroup)])
             for m in alternation.pattern.finditer("4 mm papule; CYST wall; cyst; papule 5")]
    assert found == [("4 mm papule", 1), ("CYST", 0), ("cyst", 0), ("papule", 1)]
