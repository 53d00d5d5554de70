"""Candidate claims of an article: its headline, its attributions' contents and its check-worthy sentences.

Check-worthy: specific, factual, attributable (a name or number, a verb; no question or first-person opinion).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from counterclaim.claims.denials import (
    denial_polarity,
    denied_proposition,
    denied_span,
    denies,
    sentence_proposition,
    subject_of,
)
from counterclaim.model import Article, Attribution, Polarity, Span

MIN_WORDS = 6
MAX_WORDS = 70
MIN_CONTENT_WORDS = 4
# A sentence mostly covered by an attribution's content is represented by that attribution instead.
COVERED_SHARE = 0.5

# A sentence ends at . ! ? (closing quotes or brackets allowed) before a capital, or at a line break.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9])|\s*\n\s*")
_CLOSERS = "\"'\u201d\u2019)]"
# A period after initials ("J.T.", "U.S.") or a title ("Gen.", "Mr.") does not end a sentence.
_ABBREVIATION = re.compile(
    r"(?:\b(?:[A-Z]\.)+|\b(?:Mr|Mrs|Ms|Dr|Gen|Lt|Col|Maj|Capt|Sgt|Cmdr|Adm|St|Jr|Sr|Rep|Sen|Gov|Prof|No)\.)$"
)
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
    # What a denial denies, worded as an assertion ("Harwick will close the plant" for "denied reports that
    # it will close the plant"): linking compares this with claims instead of the text. None: the text.
    denied: str | None = None

    @property
    def text(self) -> str:
        return self.span.text


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence ranges of a text, whitespace trimmed."""
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
    return [trimmed for trimmed in (_trim(text, s, e) for s, e in spans) if trimmed[1] > trimmed[0]]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def check_worthy(sentence: str) -> bool:
    """Specific, factual and attributable: length bounds, a name or number, a verb; no question, opinion,
    non-answer or background on who an outlet is."""
    words = _WORD.findall(sentence)
    if not MIN_WORDS <= len(words) <= MAX_WORDS:
        return False
    if sentence.rstrip("\"'\u201d\u2019 ").endswith("?") or _OPINION.search(sentence):
        return False
    if _NON_ANSWER.search(sentence) or _WHO_IS.match(sentence):
        return False
    return bool(_NAME_OR_NUMBER.search(sentence)) and bool(_VERB.search(sentence))


def headline_candidate(article: Article) -> Candidate | None:
    """The headline: its span where the text carries it, else the empty span at 0 holding the title."""
    title = (article.title or "").strip()
    if len(_WORD.findall(title)) < MIN_CONTENT_WORDS:
        return None
    start = article.text.find(title)
    if start < 0:
        start = article.text.casefold().find(title.casefold())
    span = Span(0, 0, title) if start < 0 else Span.of(article.text, start, start + len(title))
    denial = _denies(title)
    denied = sentence_proposition(title) if denial else None
    return Candidate(article.id, CandidateKind.HEADLINE, span, clear=not denial, denial=denial, denied=denied)


def attribution_candidate(
    article: Article, attribution: Attribution, contents: Sequence[Span] = ()
) -> Candidate | None:
    """The content of an attribution, as one range from its first to its last content span.

    A denial whose content the attribution stage missed ("has denied reports that X") stands for what
    follows its cue (see denials.denied_span; `contents` are the article's other content spans).
    """
    if attribution.polarity is Polarity.DECLINES:
        return None
    if not attribution.content:
        denied = denied_span(article.text, attribution, contents)
        if denied is None:
            return None
        start, end = denied.start, denied.end
    else:
        start = min(span.start for span in attribution.content)
        end = max(span.end for span in attribution.content)
    start, end = _trim(article.text, start, end)
    # "said that X": the proposition is X, without the complementiser.
    if _COMPLEMENTISER.match(article.text, start, end):
        start = _trim(article.text, start + 4, end)[0]
    span = Span.of(article.text, start, end)
    if len(_WORD.findall(span.text)) < MIN_CONTENT_WORDS:
        return None
    polarity = denial_polarity(attribution, span.text)
    clear = polarity is Polarity.ASSERTS and not attribution.hedges
    denial = polarity is Polarity.DENIES
    denied = denied_proposition(span.text, subject_of(attribution)) if denial else None
    return Candidate(
        article.id, CandidateKind.ATTRIBUTION, span, attribution.id, clear=clear, denial=denial, denied=denied
    )


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
    contents = [span for a in own for span in a.content]
    for attribution in own:
        candidate = attribution_candidate(article, attribution, contents)
        if candidate is not None:
            found.append(candidate)
    taken = [c.span for c in found]
    # "The ministry did not respond to a request for comment" is a non-answer, not a claim.
    taken += [span for a in own if a.polarity is Polarity.DECLINES for span in a.cue]
    for start, end in sentence_spans(article.text):
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


_DENIAL = re.compile(
    r"\b(?:not|no|never|deni(?:ed|es)|deny|reject(?:ed|s)?|dismiss(?:ed|es)?|false|untrue)\b|n't\b",
    re.IGNORECASE,
)


def _denies(sentence: str) -> bool:
    # Debunk wording ("a hoax", "there is no evidence that") denies without a negation or a denial verb.
    return _DENIAL.search(sentence) is not None or denies(sentence)


def candidates_of(articles: Sequence[Article], attributions: Sequence[Attribution]) -> list[Candidate]:
    """Candidates of a batch of articles, article by article."""
    by_article: dict[str, list[Attribution]] = {}
    for attribution in attributions:
        by_article.setdefault(attribution.article_id, []).append(attribution)
    return [c for article in articles for c in article_candidates(article, by_article.get(article.id, []))]
