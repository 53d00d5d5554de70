"""Rules about text and time shared by every stage: one definition each, imported wherever they are needed.

Sentences (`sentence_spans`), stop words, negation, denial, decline and hedge words, and UTC (`utc`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime


def utc(moment: datetime | None) -> datetime | None:
    """The moment in UTC; a naive one is taken to be UTC already (what the stores and feeds give)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


# Sentences ------------------------------------------------------------------------------------------------

# A sentence ends at . ! ? (closing quotes or brackets allowed) before a capital, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9])|\s*\n\s*")
_CLOSERS = "\"'\u201d\u2019)]"
# A period after initials ("J.T.", "U.S.") or a title ("Gen.", "Mr.") does not end a sentence.
_ABBREVIATION = re.compile(
    r"(?:\b(?:[A-Z]\.)+|\b(?:Mr|Mrs|Ms|Dr|Gen|Lt|Col|Maj|Capt|Sgt|Cmdr|Adm|St|Jr|Sr|Rep|Sen|Gov|Prof|No|"
    # ... nor does a month ("on Dec. 5"), a company suffix or a common short form.
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|Inc|Corp|Co|Ltd|Bros|vs|etc|approx|Ave|Mt|Ft|Pres|"
    r"Rev|Hon|Supt|Det|Insp|Atty|Dept|Univ|Fig|Vol|est|al)\.)$"
)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence ranges of a text, whitespace and a leading dateline trimmed; a period after an initial, a
    title, a month or a company suffix does not end a sentence."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if "\n" not in match.group() and _ABBREVIATION.search(
            text, max(0, match.start() - 12), match.start()
        ):
            continue
        closing = len(match.group()) - len(match.group().lstrip(_CLOSERS))
        spans.append((start, match.start() + closing))
        start = match.end()
    spans.append((start, len(text)))
    trimmed = (_undated(text, *trim(text, s, e)) for s, e in spans)
    return [(s, e) for s, e in trimmed if e > s]


# A dateline ("ORSENNA, March 11 (Valnews) -", "LONDON (Reuters) —") heads a report's first sentence
# but is not part of the statement.
_DATELINE = re.compile(
    r"[A-Z]{3,}[A-Z'-]*(?:\s+[A-Z][A-Z.'-]+){0,3}"
    # a date and/or the outlet in brackets before any dash; else only a long dash ("NATO - Russia" stays)
    r"(?:(?:,\s*[A-Z][a-z]+\.?\s+\d{1,2}(?:,\s*\d{4})?)?\s*\([^()\n]{1,40}\)\s*[-\u2013\u2014]+"
    r"|,\s*[A-Z][a-z]+\.?\s+\d{1,2}(?:,\s*\d{4})?\s*[-\u2013\u2014]+|\s*[\u2013\u2014]+|\s+--)"
    r"\s+(?=[A-Z\"\u201c])"
)


def _undated(text: str, start: int, end: int) -> tuple[int, int]:
    found = _DATELINE.match(text, start, end)
    return (found.end(), end) if found else (start, end)


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# Lexicons -------------------------------------------------------------------------------------------------

# Function words left out of term overlap (claim linking, primary-source matching).
STOP_WORDS = frozenset(
    (
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "said",
        "says",
        "say",
        "saying",
        "told",
        "tell",
        "tells",
        "according",
        "reported",
        "reports",
        "report",
        "reportedly",
        "allegedly",
        "statement",
        "claims",
        "claim",
        "claimed",
        "denied",
        "denies",
        "deny",
        "denial",
        "never",
        "none",
        "nothing",
        "without",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "don't",
        "doesn't",
        "didn't",
        "won't",
        "can't",
        "cannot",
        "n't",
        "mr",
        "mrs",
        "ms",
        "new",
        "one",
        "two",
        "also",
        "however",
        "still",
        "yet",
        "may",
        "might",
        "must",
        "shall",
        "via",
        "per",
        "amid",
        "among",
        "us",
        "news",
        "today",
        "yesterday",
        "week",
        "year",
        "years",
        "day",
        "days",
        "time",
    )
)

# Negations and denial verbs: removed before embedding so that "X did not happen" lands near "X happened".
NEGATION_OR_DENIAL = re.compile(
    r"\b(?:not|no|never|none|nothing|deni(?:ed|es|al)|deny(?:ing)?|reject(?:ed|s|ing)?|dismiss(?:ed|es|ing)?|"
    r"refut(?:ed|es|ing)|false(?:ly)?|untrue|baseless|fake|hoax)\b|n't\b",
    re.IGNORECASE,
)

# Lemmas of cue verbs (attribution polarity): a speaker denies, declines, or hedges.
DENIAL_LEMMAS = frozenset(
    {"deny", "dismiss", "reject", "refute", "dispute", "rebut", "disavow", "contradict", "debunk", "rebuff"}
)
DECLINE_LEMMAS = frozenset({"decline", "refuse", "defer"})
# Negation words that compare, intensify or count rather than deny: "I have never been prouder", "this is not
# the first time", "not only", "nothing but", "no doubt", "couldn't be happier". Not part of the stance
# classifier's features (its NEGATION_CUES stay as trained); they keep the stance polarity rule and the
# attribution's negated-content rule from reading a denial.
IDIOMATIC_NEGATION = re.compile(
    r"\bnever\s+(?:been\s+|felt\s+|looked\s+|sounded\s+|seen\s+(?:\w+\s+)?)?(?:\w{2,}er|more|better|so)\b|"
    r"\bnot\s+(?:the\s+|a\s+|for\s+the\s+)?(?:first|only|last|least)\b|\bnot\s+(?:just|merely|simply)\b|"
    r"\bnothing\s+(?:but|short\s+of|less\s+than|like)\b|\bno\s+(?:doubt|wonder|stranger|less|more\s+than|"
    r"matter)\b|\b(?:could|can)(?:n't|\s+not)\s+(?:be\s+)?(?:\w{2,}er|wait|believe|thank|stop)\b|"
    r"\bnever\s+(?:forget|stop)\b",
    re.IGNORECASE,
)
# "The World Health Organization (WHO)": an acronym in brackets closing a name, also cut off before its ")".
BRACKETED_ACRONYM = re.compile(r"\s*\([A-Z][A-Za-z.&]{0,9}\)?$")
# A word that says no, once the idioms above are taken out.
NEGATION_WORD = re.compile(r"\b(?:not|no|never|none|nothing|neither|nor|cannot)\b|n't\b", re.IGNORECASE)

HEDGE_WORDS = frozenset({"reportedly", "allegedly", "purportedly", "supposedly", "apparently", "ostensibly"})


def negated(text: str) -> bool:
    """Whether a sentence carries a negation or a denial word ("not", "n't", "denied", "false", "hoax")."""
    return NEGATION_OR_DENIAL.search(text) is not None
