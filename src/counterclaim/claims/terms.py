"""Content terms and entity-like tokens of a statement, for the lexical and entity signals of claim linking.

Negations and other function words are dropped, so a denial shares its terms with the assertion it denies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from counterclaim.text import NEGATION_OR_DENIAL, STOP_WORDS

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[.'\u2019][A-Za-z0-9]+)*\.?")
# What may sit between the end of one sentence and the first word of the next.
_BREAK = re.compile(r"[.!?:;\"\u201c\u201d]")

# Suffixes stripped longest first; the stem must keep at least this many characters.
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ers", "er", "ed", "es", "s")
_MIN_STEM = 3


def stem(word: str) -> str:
    """A light suffix-stripping stem: 'strikes' and 'striking' meet at 'strik'."""
    for suffix in _SUFFIXES:
        # "pass", "press": a double s is part of the word, not a plural.
        if suffix == "s" and word.endswith("ss"):
            break
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) > _MIN_STEM:
        word = word[:-1]
    return word


@dataclass(frozen=True, slots=True)
class StatementTerms:
    """The stemmed content words of a statement and the subset that look like names or numbers."""

    terms: frozenset[str]
    entities: frozenset[str]


def statement_terms(text: str) -> StatementTerms:
    """Stemmed content terms, and the entity-like ones (mid-sentence capitals, acronyms, numbers)."""
    terms: set[str] = set()
    entities: set[str] = set()
    previous_end = 0
    for match in _TOKEN.finditer(text):
        raw = match.group()
        gap = text[previous_end : match.start()]
        sentence_start = previous_end == 0 or bool(_BREAK.search(gap)) or text[previous_end - 1] == "."
        previous_end = match.end()
        bare = raw.rstrip(".").replace(".", "").replace("\u2019", "'")
        acronym = len(bare) >= 2 and bare.isupper() and bare.isalpha()
        word = bare.lower().split("'")[0]
        if acronym:
            terms.add(word)
            entities.add(word)
        elif word and word not in STOP_WORDS and (len(word) > 2 or word.isdigit()):
            term = word if word.isdigit() else stem(word)
            terms.add(term)
            if word.isdigit() or (bare[0].isupper() and not sentence_start):
                entities.add(term)
    return StatementTerms(frozenset(terms), frozenset(entities))


# Negations and denial verbs: removed before embedding so that "X did not happen" lands near "X happened".
_DENIAL_WORDS = re.compile(
    r"\b(?:not|no|never|none|nothing|deni(?:ed|es|al)|deny(?:ing)?|reject(?:ed|s|ing)?|dismiss(?:ed|es|ing)?|"
    r"refut(?:ed|es|ing)|false(?:ly)?|untrue|baseless|fake|hoax)\b|n't\b",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s{2,}")


def proposition_text(text: str) -> str:
    """The statement with negation and denial words removed: what is asserted or denied, not how."""
    return _SPACES.sub(" ", NEGATION_OR_DENIAL.sub(" ", text)).strip()
