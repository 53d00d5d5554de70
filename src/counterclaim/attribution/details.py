"""The circumstances of an attribution: channel, addressee, place, time, polarity, hedges and relays.

Each is read from the words that hang off the cue in the parse; dates are normalised with the article's date.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from spacy.tokens import Token

from counterclaim.attribution.roles import reports_on
from counterclaim.attribution.speakers import entities_where
from counterclaim.model import Polarity
from counterclaim.text import DECLINE_LEMMAS, DENIAL_LEMMAS, HEDGE_WORDS, IDIOMATIC_NEGATION, NEGATION_WORD

CHANNEL_NOUNS = frozenset(
    {
        "statement",
        "interview",
        "website",
        "site",
        "page",
        "conference",
        "briefing",
        "tweet",
        "twitter",
        "facebook",
        "post",
        "television",
        "tv",
        "radio",
        "broadcast",
        "e-mail",
        "email",
        "letter",
        "speech",
        "release",
        "blog",
        "op-ed",
        "message",
        "video",
        "call",
        "address",
        "appearance",
        "remarks",
    }
)
CHANNEL_PREPS = frozenset({"in", "on", "at", "during", "via", "through", "over"})
ADDRESSEE_VERBS = frozenset({"tell", "inform", "assure", "ask", "warn", "brief"})
# Negated, these say nothing was said: "did not respond", "would not comment".
SILENCE_LEMMAS = frozenset({"comment", "respond", "confirm", "return", "answer", "reply", "elaborate", "say"})
ASSERT_LEMMAS = frozenset(
    {
        "say",
        "tell",
        "claim",
        "insist",
        "state",
        "announce",
        "add",
        "write",
        "report",
        "confirm",
        "quote",
        "according",
        "accord",
        "warn",
        "argue",
        "note",
        "explain",
        "declare",
        "assert",
        "maintain",
        "allege",
        "tweet",
        "accuse",
        "charge",
        "contend",
        "stress",
        "emphasize",
        "reiterate",
        "acknowledge",
        "admit",
        "point",
        "suggest",
        "conclude",
        "find",
        "show",
        "reveal",
        "cite",
        "post",
        "publish",
        "continue",
        "testify",
        "predict",
        "describe",
        "call",
        "believe",
        "think",
        ":",
    }
)
HEDGE_CUES = frozenset({"claim", "allege", "purport"})
RELAY_VERBS = frozenset(
    {"report", "carry", "publish", "relay", "repeat", "air", "broadcast", "quote", "cite"}
)
STATEMENT_NOUNS = frozenset(
    {"statement", "report", "reports", "claim", "announcement", "allegation", "remarks"}
)

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTH_DAY = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?\b")
DAY_MONTH = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([A-Za-z]{3,9})(?:,?\s+(\d{4}))?\b")


def prepositional(head: Token, preps: frozenset[str]) -> list[tuple[Token, Token]]:
    """(preposition, object) pairs hanging off the cue."""
    pairs: list[tuple[Token, Token]] = []
    for child in head.children:
        if child.dep_ == "prep" and child.lower_ in preps:
            pairs.extend((child, obj) for obj in child.children if obj.dep_ == "pobj")
    return pairs


def channel(head: Token) -> tuple[str, list[Token]] | None:
    """ "in an e-mailed statement" gives ("e-mailed statement", its tokens)."""
    for prep, obj in prepositional(head, CHANNEL_PREPS):
        if reports_on(head, prep):
            continue
        if obj.lower_ in CHANNEL_NOUNS or obj.lemma_.lower() in CHANNEL_NOUNS:
            words = [t for t in obj.subtree if t.dep_ not in {"det", "poss"} and t.i <= obj.i]
            name = obj.doc[words[0].i : obj.i + 1].text
            return name, list(obj.subtree)
    return None


def addressee(head: Token, content: Sequence[Token]) -> list[Token] | None:
    """Who was told: "told RFE/RL", "told reporters", "said in an interview with X"."""
    in_content = {t.i for t in content}
    if head.lemma_.lower() in ADDRESSEE_VERBS:
        for child in head.children:
            if child.dep_ in {"dobj", "dative"} and child.i not in in_content:
                return list(child.subtree)
    for _, obj in prepositional(head, frozenset({"in", "during"})):
        if obj.lemma_.lower() == "interview":
            for _, inner in prepositional(obj, frozenset({"with"})):
                return list(inner.subtree)
    return None


def _covers(index: int) -> Callable[[int, int], bool]:
    """Whether a token range [start, end) holds the token at `index`."""
    return lambda start, end: start <= index < end


def place(head: Token) -> tuple[str, list[Token]] | None:
    for prep, obj in prepositional(head, frozenset({"in", "at"})):
        if obj.ent_type_ in {"GPE", "LOC", "FAC"}:
            entity = next(iter(entities_where(obj.doc, _covers(obj.i))), None)
            name = entity.text if entity is not None else obj.text
            return name, [prep, *obj.subtree]
    return None


def time_expression(head: Token) -> list[Token] | None:
    """ "on January 23", "last week", "Monday": a date phrase attached to the cue."""
    for prep, obj in prepositional(head, frozenset({"on", "in", "at", "during", "earlier", "last"})):
        if obj.ent_type_ in {"DATE", "TIME"}:
            return [prep, *obj.subtree]
    for child in head.children:
        if child.dep_ in {"npadvmod", "tmod", "advmod"} and child.ent_type_ in {"DATE", "TIME"}:
            return list(child.subtree)
    return None


def time_of_source(source: Sequence[Token]) -> list[Token] | None:
    """ "Several outlets on January 23 quoted ...": the parser hangs the date on the subject."""
    inside = {t.i for t in source}
    for token in source:
        if token.head.i in inside and token.head.i != token.i:
            continue
        for prep, obj in prepositional(token, frozenset({"on", "in", "at"})):
            if obj.ent_type_ in {"DATE", "TIME"}:
                return [prep, *obj.subtree]
    return None


def normalise_date(text: str, published: date | None) -> date | None:
    """A calendar date for a time expression, using the article's date for the year or the weekday."""
    lowered = text.lower()
    explicit = _month_day(text, published)
    if explicit is not None:
        return explicit
    if published is None:
        return None
    if "yesterday" in lowered:
        return published - timedelta(days=1)
    if "today" in lowered or "tonight" in lowered or "this morning" in lowered:
        return published
    for number, weekday in enumerate(WEEKDAYS):
        if weekday in lowered:
            # News speaks of the most recent such day, or the article's own day.
            return published - timedelta(days=(published.weekday() - number) % 7)
    return None


def _month_day(text: str, published: date | None) -> date | None:
    for match in MONTH_DAY.finditer(text):
        month = MONTHS.get(match.group(1).lower())
        if month is not None:
            return _calendar(int(match.group(2)), month, match.group(3), published)
    for match in DAY_MONTH.finditer(text):
        month = MONTHS.get(match.group(2).lower())
        if month is not None:
            return _calendar(int(match.group(1)), month, match.group(3), published)
    return None


def _calendar(day: int, month: int, year_text: str | None, published: date | None) -> date | None:
    if year_text is None and published is None:
        return None
    year = int(year_text) if year_text else published.year  # type: ignore[union-attr]
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    # "January 23" in a February article is this year; "December 30" in a January article is last year.
    if year_text is None and published is not None and found > published + timedelta(days=7):
        found = found.replace(year=year - 1)
    return found


def polarity(cue: Sequence[Token], content: Sequence[Token]) -> Polarity:
    head = cue[0] if len(cue) == 1 else min(cue, key=lambda t: _depth(t))
    lemma = head.lemma_.lower()
    negated = any(child.dep_ == "neg" for child in head.children)
    if lemma in DECLINE_LEMMAS or (negated and lemma in SILENCE_LEMMAS):
        return Polarity.DECLINES
    if negated:
        return Polarity.OTHER
    if lemma in DENIAL_LEMMAS:
        return Polarity.DENIES
    if lemma in ASSERT_LEMMAS or head.text == ":":
        return Polarity.DENIES if _negated_content(content) else Polarity.ASSERTS
    return Polarity.OTHER


def _depth(token: Token) -> int:
    depth = 0
    while token.head.i != token.i:
        token = token.head
        depth += 1
    return depth


def _negated_content(content: Sequence[Token]) -> bool:
    """The reported clause says no: "is not coordinating", "There was no provision"; not "we have never been
    prouder", "this is not the first time" (a negation that compares or counts asserts)."""
    if content:
        text = content[0].doc[content[0].i : content[-1].i + 1].text
        if IDIOMATIC_NEGATION.search(text) and not NEGATION_WORD.search(IDIOMATIC_NEGATION.sub(" ", text)):
            return False
    inside = {t.i for t in content}
    roots = [t for t in content if t.head.i not in inside or t.head.i == t.i]
    for root in roots[:1]:
        verb = root if root.pos_ in {"VERB", "AUX"} else None
        if verb is None:
            continue
        for child in verb.children:
            if child.dep_ == "neg":
                return True
            # "no data had been passed" negates through the passive subject too.
            if child.dep_ in {"nsubj", "nsubjpass", "attr", "dobj"} and any(
                grand.lower_ in {"no", "never"} for grand in child.children
            ):
                return True
    return False


def hedges(head: Token, content: Sequence[Token]) -> list[Token]:
    words = [t for t in head.sent if t.lower_ in HEDGE_WORDS]
    words.extend(t for t in content if t.lower_ in HEDGE_WORDS and t not in words)
    if head.lemma_.lower() in HEDGE_CUES:
        words.append(head)
    return sorted(set(words), key=lambda t: t.i)


def cited(head: Token) -> list[Token] | None:
    """ "..., citing the ministry": whom the source passed the statement on from."""
    for child in head.children:
        if child.dep_ in {"advcl", "prep", "xcomp"} and child.lemma_.lower() in {"cite", "quote"}:
            for grand in child.children:
                if grand.dep_ in {"dobj", "pobj"}:
                    return list(grand.subtree)
    return None


def refers_to_statement(head: Token, content: Sequence[Token]) -> bool:
    """ "reported on the statement": a relay verb whose content is an earlier statement, not new words."""
    if head.lemma_.lower() not in RELAY_VERBS or not content or len(content) > 4:
        return False
    return any(t.lemma_.lower() in STATEMENT_NOUNS or t.lower_ in STATEMENT_NOUNS for t in content)
