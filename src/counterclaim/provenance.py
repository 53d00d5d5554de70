"""Primary-source check: does the attributed source's own channel carry the claim it is credited with?

`check_provenance` is a pure function: found (with item and span), not found among N items, or no coverage.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from counterclaim.model import (
    Account,
    Article,
    Attribution,
    Claim,
    Polarity,
    ProvenanceCheck,
    ProvenanceStatus,
    ReuseLink,
    Span,
    Stance,
)
from counterclaim.parties import source_name
from counterclaim.sources import named_party
from counterclaim.text import STOP_WORDS, negated
from counterclaim.text import sentence_spans as text_sentences

# Scores a claim against candidate passages, each in [0, 1]; lexical by default, embeddings when given.
Similarity = Callable[[str, Sequence[str]], list[float]]

METHOD = "provenance-v1"


@dataclass(frozen=True, slots=True)
class ProvenanceOptions:
    """How wide the time window around a claim is and how close a passage must be to count as carrying it."""

    window_days: float = 7.0
    threshold: float = 0.6
    # Shared wording is already strong evidence, so a reused passage needs less of the claim's vocabulary.
    reuse_threshold: float = 0.3


@dataclass(frozen=True, slots=True)
class AttributedSource:
    """A source the claim is attributed to, with the organisation to look its channels up by."""

    name: str
    organisation: str | None = None
    # Names seen around the source in its accounts (the outlets relaying it, "Russian government media"):
    # they say whose ministry an unqualified "the Defense Ministry" is.
    context: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SourceChannels:
    """A source's own channels (outlet keys from the registry) and the items of them the corpus holds."""

    outlets: tuple[str, ...]
    articles: tuple[Article, ...]


def attributed_sources(
    accounts: Iterable[Account], attributions: Iterable[Attribution]
) -> list[AttributedSource]:
    """Sources credited with asserting the claim; denials and refusals are not checked against channels."""
    by_id = {a.id: a for a in attributions}
    seen: dict[str, AttributedSource] = {}
    for account in accounts:
        attribution = by_id.get(account.attribution_id or "")
        if attribution is None or account.stance is not Stance.ASSERTS:
            continue
        if attribution.polarity in (Polarity.DENIES, Polarity.DECLINES):
            continue
        name = source_name(attribution)
        # Only a named party has own channels to check: "officials" or "three outlets" have none.
        if not name or not named_party(name):
            continue
        context = tuple(r.name for r in attribution.relay_chain if r.name and r.name != name)
        if name not in seen:
            organisation = attribution.speaker.organisation if attribution.speaker else None
            seen[name] = AttributedSource(name, organisation, context)
        else:
            known = seen[name]
            seen[name] = replace(known, context=tuple(dict.fromkeys(known.context + context)))
    return list(seen.values())


def claim_window(
    claim: Claim, accounts: Iterable[Account], articles: Mapping[str, Article], options: ProvenanceOptions
) -> tuple[datetime | None, datetime | None]:
    """The window around the claim's first sighting; (None, None) when nothing about it is dated."""
    anchor = claim.first_seen
    if anchor is None:
        dates = [articles[a.article_id].published_at for a in accounts if a.article_id in articles]
        known = [d for d in dates if d is not None]
        anchor = min(known) if known else None
    if anchor is None:
        return None, None
    width = timedelta(days=options.window_days)
    return anchor - width, anchor + width


def check_provenance(
    claim: Claim,
    accounts: Sequence[Account],
    attributions: Sequence[Attribution],
    channel_articles_by_source: Mapping[str, SourceChannels],
    reuse_links: Iterable[ReuseLink],
    similarity: Similarity | None = None,
    options: ProvenanceOptions | None = None,
    account_articles: Mapping[str, Article] | None = None,
) -> list[ProvenanceCheck]:
    """One check per attributed source of `claim`, against that source's channel items in the window."""
    options = options or ProvenanceOptions()
    score = similarity or lexical_similarity
    start, end = claim_window(claim, accounts, account_articles or {}, options)
    links = list(reuse_links)
    checks = []
    for source in attributed_sources(accounts, attributions):
        channels = channel_articles_by_source.get(source.name, SourceChannels((), ()))
        in_window = tuple(a for a in channels.articles if _within(a.published_at, start, end))
        base = ProvenanceCheck(
            claim_id=claim.id,
            source=source.name,
            status=ProvenanceStatus.NO_COVERAGE,
            channel_outlets=channels.outlets,
            items_checked=len(in_window),
            window_start=start,
            window_end=end,
            method=f"{METHOD}:none",
        )
        if not in_window:
            checks.append(base)
            continue
        found = _find_carrier(claim, accounts, in_window, links, score, options)
        if found is None:
            checks.append(replace(base, status=ProvenanceStatus.NOT_FOUND, method=f"{METHOD}:searched"))
        else:
            article_id, span, how = found
            checks.append(
                replace(
                    base,
                    status=ProvenanceStatus.FOUND,
                    found_article_id=article_id,
                    found_span=span,
                    method=f"{METHOD}:{how}",
                )
            )
    return checks


def _within(moment: datetime | None, start: datetime | None, end: datetime | None) -> bool:
    if start is None or end is None:
        return True
    # An undated item cannot be placed in the window, so it is not counted as checked.
    return moment is not None and start <= moment <= end


def _find_carrier(
    claim: Claim,
    accounts: Sequence[Account],
    channel_items: Sequence[Article],
    links: Sequence[ReuseLink],
    score: Similarity,
    options: ProvenanceOptions,
) -> tuple[str, Span, str] | None:
    ids = {a.id for a in channel_items}
    for account in accounts:
        if (
            account.article_id in ids
            and account.stance in (Stance.ASSERTS, Stance.REPORTS)
            and account.evidence
        ):
            return account.article_id, account.evidence, "account"
    by_reuse = _carrier_by_reuse(claim, accounts, ids, links, score, options)
    if by_reuse is not None:
        return by_reuse
    return _carrier_by_meaning(claim, channel_items, score, options)


def _carrier_by_reuse(
    claim: Claim,
    accounts: Sequence[Account],
    channel_ids: set[str],
    links: Sequence[ReuseLink],
    score: Similarity,
    options: ProvenanceOptions,
) -> tuple[str, Span, str] | None:
    account_ids = {a.article_id for a in accounts}
    passages: list[tuple[str, Span]] = []
    for link in links:
        if link.a in channel_ids and link.b in account_ids:
            passages.append((link.a, link.a_span))
        elif link.b in channel_ids and link.a in account_ids:
            passages.append((link.b, link.b_span))
    return _best_passage(claim, passages, score, options.reuse_threshold, "reuse")


def _carrier_by_meaning(
    claim: Claim, channel_items: Sequence[Article], score: Similarity, options: ProvenanceOptions
) -> tuple[str, Span, str] | None:
    candidates = [(article.id, span) for article in channel_items for span in sentence_spans(article.text)]
    candidates = [(i, s) for i, s in candidates if not _contradicts(claim.canonical_text, s.text)]
    return _best_passage(claim, candidates, score, options.threshold, "meaning")


def _best_passage(
    claim: Claim, passages: Sequence[tuple[str, Span]], score: Similarity, threshold: float, how: str
) -> tuple[str, Span, str] | None:
    """The channel passage closest to the claim, when it is close enough."""
    if not passages:
        return None
    scores = score(claim.canonical_text, [span.text for _, span in passages])
    best = max(range(len(passages)), key=lambda i: scores[i])
    if scores[best] < threshold:
        return None
    article_id, span = passages[best]
    return article_id, span, how


_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def sentence_spans(text: str) -> list[Span]:
    """Sentences of `text` as spans (the one sentence rule, `counterclaim.text.sentence_spans`)."""
    return [Span.of(text, start, end) for start, end in text_sentences(text) if end - start > 3]


def _words(text: str) -> set[str]:
    return {w.removesuffix("s") for w in _WORD.findall(text.lower()) if w not in STOP_WORDS}


def lexical_similarity(claim_text: str, passages: Sequence[str]) -> list[float]:
    """Share of the claim's content words a passage contains: the default, needs no model."""
    claim_words = _words(claim_text)
    if not claim_words:
        return [0.0 for _ in passages]
    return [len(claim_words & _words(p)) / len(claim_words) for p in passages]


def _contradicts(claim_text: str, passage: str) -> bool:
    # A channel item that negates the claim is a denial, not a publication of it.
    claim_negated = negated(claim_text)
    passage_negated = negated(passage)
    return passage_negated and not claim_negated
