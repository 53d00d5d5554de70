"""Stories above claims: each article joins the story (the event or topic) its lead is about, one at a time.

A story keeps the running sum of its articles' lead vectors and their terms; the claim index's blocked lookup
finds the candidate stories, so placing one article costs the same however many articles are stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from counterclaim.claims.linking import ClaimIndex, LinkingSettings
from counterclaim.claims.terms import StatementTerms, statement_terms
from counterclaim.model import Article
from counterclaim.text import sentence_spans

# 1: lead = title and first sentences (at most LEAD_WORDS words), MiniLM; best story above the threshold.
STORY_METHOD = "stories.lead/1"
# Sentences and words of an article's opening that stand for what it is about.
LEAD_SENTENCES = 4
LEAD_WORDS = 120
# Chosen on FNC-1 training bodies outside the story-disjoint dev split (bench/stories.py --split fit).
STORY_THRESHOLD = 0.5


def story_settings(threshold: float = STORY_THRESHOLD) -> LinkingSettings:
    """Settings of the story index: no denial rule, no merging (a story's id never changes once given)."""
    return LinkingSettings(
        threshold=threshold,
        lexical_weight=0.2,
        entity_weight=0.1,
        merge_threshold=None,
        denial_threshold=None,
        max_candidates=64,
    )


def lead_text(article: Article) -> str:
    """The title and the first sentences of the article: what the whole article is about."""
    parts = [article.title.strip()] if article.title and article.title.strip() else []
    words = sum(len(part.split()) for part in parts)
    for start, end in sentence_spans(article.text)[:LEAD_SENTENCES]:
        if words >= LEAD_WORDS:
            break
        sentence = article.text[start:end].strip()
        parts.append(sentence)
        words += len(sentence.split())
    return " ".join(" ".join(parts).split()[:LEAD_WORDS])


def story_id_for(article_id: str) -> str:
    """A story's id: a hash of the article that opened it, so re-running gives the same ids."""
    return hashlib.sha256(f"story:{article_id}".encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class StoryPlacement:
    """Where one article went: its story, the score against it, and whether the article opened it."""

    article_id: str
    story_id: str
    score: float
    opened: bool
    vector: np.ndarray
    terms: StatementTerms


class StoryIndex:
    """Stories seen so far; `place` puts each new article into its best story or opens one."""

    def __init__(self, index: ClaimIndex) -> None:
        self.index = index
        self.slot_of = {claim.key: slot for slot, claim in enumerate(index.claims)}

    @classmethod
    def empty(cls, dimension: int = 384, threshold: float = STORY_THRESHOLD) -> StoryIndex:
        return cls(ClaimIndex(dimension, story_settings(threshold)))

    def place(self, articles: Sequence[Article], vectors: np.ndarray) -> list[StoryPlacement]:
        """Place articles in the order given (the pipeline's stable order), each with its lead vector."""
        placed = []
        for article, vector in zip(articles, vectors, strict=True):
            terms = statement_terms(lead_text(article))
            decision = self.index.add(vector, terms, story_id_for(article.id))
            key = self.index.claims[decision.slot].key
            self.slot_of[key] = decision.slot
            placed.append(StoryPlacement(article.id, key, decision.score, decision.opened, vector, terms))
        return placed


def place_texts(vectors: np.ndarray, texts: Sequence[str], threshold: float = STORY_THRESHOLD) -> list[str]:
    """Story keys of texts placed in order with a fresh index (the benchmark's entry point)."""
    index = ClaimIndex(vectors.shape[1], story_settings(threshold))
    keys = []
    for position, (vector, text) in enumerate(zip(vectors, texts, strict=True)):
        decision = index.add(vector, statement_terms(text), str(position))
        keys.append(index.claims[decision.slot].key)
    return keys
