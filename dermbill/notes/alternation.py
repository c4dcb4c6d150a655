"""One regular expression for a long list of word patterns, dispatched on the first character.

The note's word lists (diagnoses, sites, procedures, symptoms) are each one alternation of named groups,
``\\b(?:(?P<d0>...)|(?P<d1>...)|...)``: Python's regex engine tries every alternative, in order, at every word start
(about 6 microseconds a word for 70 alternatives). ``word_alternation`` builds the same alternation with the
alternatives grouped by the characters they can start with, each group behind a one-character lookahead, so at a
word start only the few alternatives that can match there are tried. Within a group the alternatives keep their
order, and an alternative that cannot start with the character at hand cannot match there, so the first match found
(and every match ``finditer`` gives) is the one the plain alternation gives.

An alternative may sit in several groups (``(?:nodular )?bcc`` starts with "n" or "b"); each copy is a named group of
its own, and ``Alternation.index`` maps every group name back to the alternative's position in the list.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

# the standard library's regex parser (the parsed form of a pattern is read to find its possible first characters);
# no type stubs name these modules
sre_constants: Any = importlib.import_module("re._constants")
sre_parser: Any = importlib.import_module("re._parser")
# a range of characters wider than this counts as "any character" (no group is worth making for it)
_WIDEST_RANGE = 64


@dataclass(frozen=True, slots=True)
class Alternation:
    """The compiled pattern and, for each named group of it, the position of its alternative in the word list."""

    pattern: re.Pattern[str]
    index: dict[str, int]


def _first_of_sequence(items: Iterable[tuple[Any, Any]]) -> tuple[frozenset[str] | None, bool]:
    """The characters a sequence of parsed items can start with (None: any character) and whether it can be empty."""
    chars: set[str] = set()
    for op, av in items:
        first, nullable = _first_of_item(op, av)
        if first is None:
            return None, False
        chars |= first
        if not nullable:
            return frozenset(chars), False
    return frozenset(chars), True


def _first_of_item(op: Any, av: Any) -> tuple[frozenset[str] | None, bool]:
    c = sre_constants
    if op is c.LITERAL:
        return frozenset({chr(av)}), False
    if op is c.IN:
        chars: set[str] = set()
        for member_op, member in av:
            if member_op is c.LITERAL:
                chars.add(chr(member))
            elif member_op is c.RANGE and member[1] - member[0] <= _WIDEST_RANGE:
                chars.update(chr(code) for code in range(member[0], member[1] + 1))
            else:  # a negated set, a category (\w, \d, \s) or a wide range: any character
                return None, False
        return frozenset(chars), False
    if op is c.SUBPATTERN:
        return _first_of_sequence(av[3])
    if op is c.ATOMIC_GROUP:
        return _first_of_sequence(av)
    if op is c.BRANCH:
        union: set[str] = set()
        can_be_empty = False
        for branch in av[1]:
            first, nullable = _first_of_sequence(branch)
            if first is None:
                return None, False
            union |= first
            can_be_empty = can_be_empty or nullable
        return frozenset(union), can_be_empty
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        first, nullable = _first_of_sequence(av[2])
        return first, nullable or av[0] == 0
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
        return frozenset(), True  # zero width: \b, ^, a lookahead or lookbehind (it only narrows the match)
    return None, False  # anything else (any character, a back reference, a conditional): any character


def first_characters(words: str) -> frozenset[str] | None:
    """The characters a match of ``words`` can start with, as written (the case folding of the flags aside);
    None when it can start with any character or be empty."""
    first, nullable = _first_of_sequence(sre_parser.parse(words))
    return None if nullable else first


def _class(chars: Iterable[str]) -> str:
    return "[" + "".join(re.escape(char) for char in sorted(chars)) + "]"


def word_alternation(prefix: str, alternatives: Sequence[tuple[str, str]], suffix: str,
                     flags: int | re.RegexFlag = 0) -> Alternation:
    """``prefix(?:(?P<name>words)|...)suffix`` for ``alternatives`` (name, words), dispatched on the first
    character; every match is the plain alternation's (the tests compare them)."""
    firsts = [first_characters(words) for _, words in alternatives]
    # one group per first character as lower case; its lookahead lists every spelling seen and matches without
    # regard to case (a superset of what each alternative's own first character matches, with or without (?i));
    # an alternative that can start with any character (or match nothing) sits in every group and in a last group
    # for the characters no other group takes
    spellings: dict[str, set[str]] = {}
    members: dict[str, set[int]] = {}
    for i, first in enumerate(firsts):
        for char in first or ():
            key = char.lower()
            spellings.setdefault(key, set()).update({char, char.lower(), char.upper()})
            members.setdefault(key, set()).add(i)
    anywhere = {i for i, first in enumerate(firsts) if first is None}
    index: dict[str, int] = {}

    def named(tag: str, positions: set[int]) -> str:
        names = []
        for i in sorted(positions):  # the list's own order
            name = f"{alternatives[i][0]}_{tag}"
            index[name] = i
            names.append(f"(?P<{name}>{alternatives[i][1]})")
        return "|".join(names)

    groups = [f"(?=(?i:{_class(spellings[key])})){'(?:' + named(str(n), members[key] | anywhere) + ')'}"
              for n, key in enumerate(sorted(members))]
    if anywhere:
        every = set().union(*spellings.values())
        groups.append((f"(?!(?i:{_class(every)}))" if every else "") + f"(?:{named('any', anywhere)})")
    return Alternation(re.compile(f"{prefix}(?:{'|'.join(groups)}){suffix}", flags), index)
