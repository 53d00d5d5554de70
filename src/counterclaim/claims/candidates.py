"""Candidate claims of an article: its headline, its attributions' contents and its check-worthy sentences.

Check-worthy: specific, factual, attributable (a name or number, a verb; no question or first-person opinion).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from counterclaim.claims.denials import (
    denial_polarity,
    denied_proposition,
    denied_span,
    denies,
    sentence_proposition,
    subject_of,
)
from counterclaim.model import Article, Attribution, Polarity, Span
from counterclaim.text import negated, sentence_spans, trim

MIN_WORDS = 6
MAX_WORDS = 70
MIN_CONTENT_WORDS = 4
# A sentence mostly covered by an attribution's content is represented by that attribution instead.
COVERED_SHARE = 0.5

_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\u2019.-]*")
_COMPLEMENTISER = re.compile(r"that\s", re.IGNORECASE)
_NAME_OR_NUMBER = re.compile(r"(?<![.!?]\s)(?<!^)\b(?:[A-Z][a-z]+|[A-Z]{2,}|[A-Z]\.[A-Z]\.?)|\d")
_OPINION = re.compile(
    r"\b(?:I|we)\s+(?:think|believe|feel|hope|guess|suppose)\b|\bin my (?:view|opinion)\b|\bIMHO\b|"
    r"\b(?:should|ought to)\b",
    re.IGNORECASE,
)
# Non-answers ("did not respond to a request for comment") report silence, not a claim.
_NON_ANSWER = re.compile(
    r"\b(?:did not|didn't|has not|hasn't|have not|haven't)\s+(?:immediately\s+)?(?:respond|reply|return)|"
    r"\bdeclined\s+to\s+comment|\bcould\s+not\s+be\s+reached|\bno\s+immediate\s+comment|"
    r"\bwas\s+not\s+available\s+for\s+comment",
    re.IGNORECASE,
)
# Background on who a party is ("Valnews is the state news agency of Valdoria"), not a claim about events.
_WHO_IS = re.compile(
    r"^(?:[A-Z][\w.&'-]*\s+){0,5}[A-Z][\w.&'-]*\s+(?:is|are|was)\s+(?:the|a|an)\s+(?:[\w-]+\s+){0,5}"
    r"(?:agency|newspaper|broadcaster|channel|outlet|network|service|website|daily|weekly|tabloid|magazine)\b"
    # ... and says no more than where it is or whose: "the first agency to report that ..." is a claim.
    r"(?=\s*(?:$|[.,;]|(?:of|in|for|based|owned|run|controlled|founded)\b))"
)
_VERB = re.compile(
    r"\b(?:is|are|was|were|has|have|had|will|would|did|does|can|could|may|might|must)\b|"
    r"\b[a-z]{3,}(?:ed|es)\b|\b(?:said|says|told|denied|denies|claimed|made|took|gave|sent|went|hit|"
    r"struck|shot|found|left|began|came|won|lost|held|led|met|paid|sold|bought|kept|saw|knew|got|put|set|"
    r"became|brought|built|spent|fell|ran|fled)\b",
    re.IGNORECASE,
)


class CandidateKind(StrEnum):
    HEADLINE = "headline"
    ATTRIBUTION = "attribution"
    SENTENCE = "sentence"


@dataclass(frozen=True, slots=True)
class Candidate:
    """One statement that may be (part of) a claim, with where it is in the article."""

    article_id: str
    kind: CandidateKind
    span: Span
    attribution_id: str | None = None
    # A clear statement asserts (no denial, no hedge) and may serve as the claim's canonical text.
    clear: bool = True
    # A denial presupposes a claim made elsewhere, so linking lets it join one more readily.
    denial: bool = False
    # The whole sentence an attribution's content sits in: the statement a reader can check when the
    # content alone is a clause ("the US had relayed coordinates").
    sentence: Span | None = None
    # What a denial denies, worded as an assertion ("Harwick will close the plant" for "denied reports that
    # it will close the plant"): linking compares this with claims instead of the text. None: the text.
    denied: str | None = None

    @property
    def text(self) -> str:
        return self.span.text

    @property
    def statement(self) -> Span:
        """The span that may stand as a claim's canonical text: the candidate, else its whole sentence."""
        if (
            self.sentence is not None
            and proposition_problems(self.span.text)
            and not proposition_problems(self.sentence.text)
        ):
            return self.sentence
        return self.span

    @property
    def proposition(self) -> bool:
        """Whether the candidate's statement is a complete, checkable proposition."""
        return not proposition_problems(self.statement.text)


def check_worthy(sentence: str) -> bool:
    """Specific, factual and attributable: length bounds, a name or number, a verb; no question, opinion,
    non-answer, background, or publication artefact (heading, caption, byline, teaser, fragment)."""
    words = _WORD.findall(sentence)
    if not MIN_WORDS <= len(words) <= MAX_WORDS:
        return False
    if _OPINION.search(sentence) or _NON_ANSWER.search(sentence):
        return False
    # A quoted sentence ("'We did not pass them,' he said.") may open a claim though it cannot name one.
    problems = set(proposition_problems(sentence)) - {"quote start", "short"}
    if problems:
        return False
    return bool(_NAME_OR_NUMBER.search(sentence))


def headline_candidate(article: Article) -> Candidate | None:
    """The headline: its span where the text carries it, else the empty span at 0 holding the title."""
    title = (article.title or "").strip()
    if len(_WORD.findall(title)) < MIN_CONTENT_WORDS:
        return None
    # A question, gallery heading, caption or teaser headline opens no claim ("Is X dead?", "PHOTOS: ...").
    if _ARTEFACT_HEADLINE & set(proposition_problems(title)):
        return None
    start = article.text.find(title)
    if start < 0:
        start = article.text.casefold().find(title.casefold())
    span = Span(0, 0, title) if start < 0 else Span.of(article.text, start, start + len(title))
    denial = _denies(title)
    denied = sentence_proposition(title) if denial else None
    return Candidate(article.id, CandidateKind.HEADLINE, span, clear=not denial, denial=denial, denied=denied)


def attribution_candidate(
    article: Article,
    attribution: Attribution,
    sentences: Sequence[tuple[int, int]] | None = None,
    contents: Sequence[Span] = (),
) -> Candidate | None:
    """The content of an attribution, as one range from its first to its last content span.

    A denial whose content the attribution stage missed ("has denied reports that X") stands for what
    follows its cue (see denials.denied_span; `contents` are the article's other content spans).
    """
    if attribution.polarity is Polarity.DECLINES:
        return None
    if not attribution.content:
        object_span = denied_span(article.text, attribution, contents)
        if object_span is None:
            return None
        start, end = object_span.start, object_span.end
    else:
        start = min(span.start for span in attribution.content)
        end = max(span.end for span in attribution.content)
    start, end = trim(article.text, start, end)
    # "said that X": the proposition is X, without the complementiser.
    if _COMPLEMENTISER.match(article.text, start, end):
        start = trim(article.text, start + 4, end)[0]
    span = Span.of(article.text, start, end)
    if len(_WORD.findall(span.text)) < MIN_CONTENT_WORDS:
        return None
    polarity = denial_polarity(attribution, span.text)
    clear = polarity is Polarity.ASSERTS and not attribution.hedges
    denial = polarity is Polarity.DENIES
    denied = denied_proposition(span.text, subject_of(attribution)) if denial else None
    sentence = _enclosing_sentence(
        article.text, start, end, sentence_spans(article.text) if sentences is None else sentences
    )
    return Candidate(
        article.id,
        CandidateKind.ATTRIBUTION,
        span,
        attribution.id,
        clear=clear,
        denial=denial,
        sentence=sentence,
        denied=denied,
    )


def _enclosing_sentence(text: str, start: int, end: int, sentences: Sequence[tuple[int, int]]) -> Span | None:
    """The sentence holding [start, end) whole, if one does."""
    for first, last in sentences:
        if first <= start and end <= last:
            return Span.of(text, first, last)
        if first > start:
            break
    return None


def _covered(start: int, end: int, contents: Sequence[Span]) -> bool:
    length = max(end - start, 1)
    return any(min(end, c.end) - max(start, c.start) >= COVERED_SHARE * length for c in contents) or any(
        c.start >= start and c.end <= end for c in contents
    )


def article_candidates(article: Article, attributions: Sequence[Attribution]) -> list[Candidate]:
    """Headline, attribution contents and check-worthy sentences of one article, in text order."""
    found: list[Candidate] = []
    headline = headline_candidate(article)
    if headline is not None:
        found.append(headline)
    own = [a for a in attributions if a.article_id == article.id]
    sentences = sentence_spans(article.text)
    contents = [span for a in own for span in a.content]
    for attribution in own:
        candidate = attribution_candidate(article, attribution, sentences, contents)
        if candidate is not None:
            found.append(candidate)
    taken = [c.span for c in found]
    # "The ministry did not respond to a request for comment" is a non-answer, not a claim.
    taken += [span for a in own if a.polarity is Polarity.DECLINES for span in a.cue]
    for start, end in sentences:
        sentence = article.text[start:end]
        if _covered(start, end, taken) or not check_worthy(sentence):
            continue
        span = Span(start, end, sentence)
        denial = _denies(sentence)
        found.append(
            Candidate(
                article.id,
                CandidateKind.SENTENCE,
                span,
                clear=not denial,
                denial=denial,
                denied=sentence_proposition(sentence) if denial else None,
            )
        )
    return sorted(found, key=lambda c: (c.span.start, c.span.end))


def _denies(sentence: str) -> bool:
    # Debunk wording ("a hoax", "there is no evidence that") denies without a negation or a denial verb.
    return negated(sentence) or denies(sentence)


def candidates_of(articles: Sequence[Article], attributions: Sequence[Attribution]) -> list[Candidate]:
    """Candidates of a batch of articles, article by article."""
    by_article: dict[str, list[Attribution]] = {}
    for attribution in attributions:
        by_article.setdefault(attribution.article_id, []).append(attribution)
    return [c for article in articles for c in article_candidates(article, by_article.get(article.id, []))]


# Publication artefacts and background: none of them is a checkable statement about events.
_HEADING = re.compile(
    r"^\s*(?:[A-Z0-9][A-Z0-9'&-]*\s*){1,4}:|^\s*(?:SEE ALSO|READ MORE|RELATED|ALSO READ|MORE:)\b"
)
_CAPTION = re.compile(
    r"\b(?:pictured|Getty Images|AP Photo|Image copyright|Image caption|Photo credit|Photograph:|"
    r"Click here|click to|Scroll down|file photo)\b|\((?:Photo|Image|Picture|Credit|Video)\b|"
    r"^\s*(?:Photo|Image|Picture|Caption|Video|Credit|Source|Above|Below|Left|Right)\s*[:(|-]",
    re.IGNORECASE,
)
_BYLINE = re.compile(
    r"^\s*(?:By|Written by|Reporting by|Editing by|Posted by|Updated)\s+[A-Z]|contributed to this report|"
    r"^\s*Follow\s.+\bon (?:Twitter|Facebook|Instagram)|\bEmail\s*:|^\s*@\w+|\b(?:Copyright|\u00a9)\s",
    re.IGNORECASE,
)
_TEASER = re.compile(r"(?:\.\.\.|\u2026|\[\s*(?:\.\.\.|\u2026)?\s*\])\s*[\"'\u201d\u2019)\]]*\s*$")
_BACKGROUND = re.compile(
    # Biography and definition: "X, 52, is a former ...", "was born in", "X is an American ...".
    r"\b(?:was born|grew up|graduated from|is married to|is best known|is known for|has been married|"
    r"studied at|the son of|the daughter of|is survived by)\b|"
    r"^(?:[A-Z][\w.&'-]*\s+){0,5}[A-Z][\w.&'-]*,?\s+(?:\d{1,3},\s+)?(?:is|are|was)\s+(?:a|an)\s+"
    r"(?!(?:lie|hoax|fake|fabrication|rumou?r|mistake|false|fraud|liar|criminal|spy|terrorist|scam|cover-up)\b)[\w-]+(?:\s+[\w-]+){0,4}"
    r"(?:\s+(?:who|which|that|based|from|of|in|with)\b|\s*[.,]?\s*$)|"
    # Scene-setting: weather, time of day, the look of a place.
    r"^(?:It was|It is)\s+(?:a|an)\s+\w+\s+(?:day|morning|evening|night|afternoon)\b|"
    r"^(?:The|A)\s+\w+\s+(?:was|is)\s+(?:quiet|calm|sunny|cold|warm|empty|crowded)\b",
    re.IGNORECASE,
)
_QUOTE_MARKS = "\"'\u201c\u201d\u2018\u2019"
_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s*$")
MIN_PROPOSITION_WORDS = 8
_ARTEFACT_HEADLINE = {"question", "heading", "caption", "byline", "teaser"}


def mid_quote(text: str) -> bool:
    """A sentence cut from inside a quotation: a closing quote mark with no opening one before it
    ("Maybe they'll be able to authenticate it,” he said.")."""
    depth = 0
    for char in text:
        if char == "\u201c":
            depth += 1
        elif char == "\u201d":
            if depth == 0:
                return True
            depth -= 1
    # Straight quotes cannot say which way they face: an odd count ending the quoted words is a stray close.
    return text.count('"') % 2 == 1 and bool(re.search(r'[,.!?]"\s', text)) and '"' not in text.split()[0]


# A candidate's `proposition` reads its span's and its sentence's problems again and again (three regex
# passes each time): the answer depends on the text alone, so the recent ones are kept (bounded, pure).
@lru_cache(maxsize=8192)
def proposition_problems(text: str) -> tuple[str, ...]:
    """Why a text cannot stand as a claim's canonical statement (empty: it is a checkable proposition).

    A proposition is one complete declarative sentence: subject and verb, capital start, end punctuation,
    eight words or more; not a question, heading, caption, byline, teaser cut short or background line.
    """
    stripped = text.strip()
    problems: list[str] = []
    if stripped.rstrip(_QUOTE_MARKS + ")] ").endswith("?"):
        problems.append("question")
    if _HEADING.search(stripped):
        problems.append("heading")
    if _CAPTION.search(stripped):
        problems.append("caption")
    if _BYLINE.search(stripped):
        problems.append("byline")
    if _TEASER.search(stripped):
        problems.append("teaser")
    elif not _END.search(stripped):
        problems.append("no end punctuation")
    if stripped[:1] in _QUOTE_MARKS:
        problems.append("quote start")
    elif mid_quote(stripped):
        problems.append("mid-quote")
    elif not stripped[:1].isupper() and not stripped[:1].isdigit():
        problems.append("lower-case start")
    if not _VERB.search(stripped):
        problems.append("no verb")
    if len(_WORD.findall(stripped)) < MIN_PROPOSITION_WORDS:
        problems.append("short")
    if _BACKGROUND.search(stripped) or _WHO_IS.match(stripped):
        problems.append("background")
    return tuple(problems)
