"""Finding the claim a user means: `report --search`, the web search and the end-to-end benchmark call this.

Ranks claims by meaning (mean similarity to their statements and to their canonical text) and whether their
text is a proposition, shows each with its support and story; below a stated similarity there is no match.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from counterclaim.claims import Encoder
from counterclaim.claims.candidates import proposition_problems
from counterclaim.model import Claim
from counterclaim.store import Store
from counterclaim.store.claim_index import claim_candidates_indexed
from counterclaim.store.claims import ClaimCandidate, ClaimVectorCache
from counterclaim.store.stories import stories_of_claims, story_sizes

# Cosine (MiniLM, query to claim centroid) below which no claim is what the query is about. On the FNC-1
# hold-out store, queries about other topics (volcanoes, bread, football) came closest at 0.26-0.38; real
# headlines' claims at 0.45 up.
MIN_SIMILARITY = 0.42
# How many nearest claims are weighed against each other.
POOL = 30
# Meaning = (1 - w) * mean similarity to the claim's statements + w * similarity to its canonical text. The
# centroid's cosine flatters large claims that mix several events (their centroid sits near any query on the
# topic); the mean similarity does not, and the canonical text is what the dossier judges stances against.
# w = 0.3: the best of 0, 0.3, 0.5, 0.7, 1 for top-claim precision on the FNC-1 hold-out store (0.701 against
# 0.658 for plain nearest-centroid; the story-disjoint dev split was not used to choose).
CANONICAL_WEIGHT = 0.3
# A canonical text that fails the proposition checks (question, fragment, caption) loses this much.
NOT_PROPOSITION = 0.05
# Within the story of the best-ranked claim, the claims whose meaning is within this of the best compete, and
# the most widely carried proposition among them wins: a 1-article aside is not returned over the 7-article
# claim the story is about (the example corpus). On the FNC-1 hold-out store this keeps top-claim precision
# at the level of plain nearest-centroid ranking (0.653 against 0.658; 0.701 with no support at all): FNC-1
# pairs each headline with a subset of its story's bodies, so a widely carried claim there often spans
# bodies of several headlines.
STORY_CLAIM_MARGIN = 0.08


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A claim considered for a query: cosine to its centroid (the no-match floor's measure), the meaning
    score it is ranked by, how widely carried, whether a proposition, and its story (None in stores made
    before stories) with that story's article count."""

    claim: Claim
    similarity: float
    articles: int
    proposition: bool
    rank_score: float
    story_id: str | None = None
    story_articles: int = 0


@dataclass(frozen=True, slots=True)
class StoryHit:
    """A story considered for a query: its best-ranked claim and how many articles it holds."""

    story_id: str
    articles: int
    claims: int
    best: SearchHit


@dataclass(frozen=True, slots=True)
class ClaimSearch:
    """The claim a query means (None: no match above `min_similarity`), alternatives and stories weighed."""

    query: str
    best: SearchHit | None
    alternatives: tuple[SearchHit, ...]
    min_similarity: float
    stories: tuple[StoryHit, ...] = ()

    @property
    def matched(self) -> bool:
        return self.best is not None

    def to_json(self) -> dict[str, object]:
        return {
            "query": self.query,
            "match": self.best is not None,
            "min_similarity": self.min_similarity,
            "best": _hit_json(self.best) if self.best else None,
            "alternatives": [_hit_json(hit) for hit in self.alternatives],
            "stories": [
                {
                    "story_id": story.story_id,
                    "articles": story.articles,
                    "claims": story.claims,
                    "best_claim_id": story.best.claim.id,
                    "best_text": story.best.claim.canonical_text,
                }
                for story in self.stories
            ],
        }


def _hit_json(hit: SearchHit) -> dict[str, object]:
    return {
        "claim_id": hit.claim.id,
        "text": hit.claim.canonical_text,
        "similarity": hit.similarity,
        "meaning": hit.rank_score,
        "articles": hit.articles,
        "proposition": hit.proposition,
        "story_id": hit.story_id,
        "story_articles": hit.story_articles,
    }


def rank_score(meaning: float, proposition: bool) -> float:
    """Meaning, less NOT_PROPOSITION for a text that is no proposition (support decides within a story:
    `best_of_story`)."""
    return round(meaning - (0.0 if proposition else NOT_PROPOSITION), 4)


def find_claim(
    store: Store,
    query: str,
    encoder: Encoder | None = None,
    cache: ClaimVectorCache | None = None,
    min_similarity: float = MIN_SIMILARITY,
    alternatives: int = 5,
) -> ClaimSearch:
    """The claim `query` means, with the alternatives and stories considered; no match when none is close."""
    hits = weighed_hits(store, query, POOL, encoder, cache)
    close = [hit for hit in hits if hit.similarity >= min_similarity]
    if not close:
        nearest = sorted(hits, key=lambda hit: -hit.similarity)[:alternatives]
        return ClaimSearch(query, None, tuple(nearest), min_similarity)
    best, *others = search_order(close)
    return ClaimSearch(query, best, tuple(others[:alternatives]), min_similarity, story_hits(close))


def rank_claims(
    store: Store,
    query: str,
    limit: int,
    encoder: Encoder | None = None,
    cache: ClaimVectorCache | None = None,
    min_similarity: float = MIN_SIMILARITY,
) -> list[SearchHit]:
    """Claims about `query` in the order `report --search` weighs them: the claim it would open first, then
    the others above the no-match floor by meaning. Empty when nothing is close: the claim list, `claims
    --search` and the web search then show what `report --search` shows, never a different first claim."""
    hits = weighed_hits(store, query, max(POOL, limit), encoder, cache)
    close = [hit for hit in hits if hit.similarity >= min_similarity]
    return search_order(close)[:limit] if close else []


def weighed_hits(
    store: Store, query: str, pool: int, encoder: Encoder | None, cache: ClaimVectorCache | None
) -> list[SearchHit]:
    """The `pool` claims nearest the query, scored by meaning and proposition, best first."""
    if encoder is None:
        from counterclaim.claims import load_encoder

        encoder = load_encoder()
    found = claim_candidates_indexed(store, query, limit=pool, encoder=encoder, cache=cache)
    return ranked_hits(store, query, found, encoder)


def search_order(close: list[SearchHit]) -> list[SearchHit]:
    """Close claims as a search shows them: the pick of `best_of_story`, then the rest by meaning."""
    best = best_of_story(close)
    return [best, *(hit for hit in close if hit is not best)]


def best_of_story(ranked: list[SearchHit]) -> SearchHit:
    """In the story of the best-ranked claim, the most widely carried proposition about as near in meaning."""
    top = ranked[0]
    story = top.story_id or top.claim.id
    contenders = [
        hit
        for hit in ranked
        if (hit.story_id or hit.claim.id) == story and hit.rank_score >= top.rank_score - STORY_CLAIM_MARGIN
    ]
    return max(contenders, key=lambda hit: (hit.proposition, hit.articles, hit.rank_score))


def ranked_hits(store: Store, query: str, found: list[ClaimCandidate], encoder: Encoder) -> list[SearchHit]:
    """Candidates scored by meaning and proposition, best first (ties: more articles, then id)."""
    if not found:
        return []
    vectors = encoder.encode([query, *(c.claim.canonical_text for c in found)])
    canonical = vectors[1:] @ vectors[0]
    story_of = stories_of_claims(store, [c.claim.id for c in found])
    sizes = story_sizes(store, sorted(set(story_of.values())))
    hits = []
    for candidate, to_canonical in zip(found, np.asarray(canonical, dtype=float), strict=True):
        proposition = not proposition_problems(candidate.claim.canonical_text)
        meaning = (1 - CANONICAL_WEIGHT) * candidate.mean_similarity + CANONICAL_WEIGHT * float(to_canonical)
        story = story_of.get(candidate.claim.id)
        hits.append(
            SearchHit(
                candidate.claim,
                candidate.similarity,
                candidate.articles,
                proposition,
                rank_score(meaning, proposition),
                story,
                sizes.get(story, 0) if story else candidate.articles,
            )
        )
    return sorted(hits, key=lambda hit: (-hit.rank_score, -hit.articles, hit.claim.id))


def story_hits(close: list[SearchHit]) -> tuple[StoryHit, ...]:
    """The stories of the close claims, in the order of their best claim."""
    stories: dict[str, StoryHit] = {}
    for hit in close:
        key = hit.story_id or hit.claim.id
        if key in stories:
            seen = stories[key]
            stories[key] = StoryHit(key, seen.articles, seen.claims + 1, seen.best)
        else:
            stories[key] = StoryHit(key, hit.story_articles, 1, hit)
    return tuple(stories.values())
