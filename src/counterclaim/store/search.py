"""Finding the claim a user means: `report --search`, the web search and the end-to-end benchmark call this.

Ranks claims by meaning together with support (articles carrying them) and whether their text is a
proposition; below a stated similarity there is no match and no dossier.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from counterclaim.claims import Encoder
from counterclaim.claims.candidates import proposition_problems
from counterclaim.model import Claim
from counterclaim.store import Store
from counterclaim.store.claims import ClaimVectorCache, nearest_claims
from counterclaim.store.stories import stories_of_claims, story_sizes

# Cosine (MiniLM) below which no claim is what the query is about. On the FNC-1 hold-out store, queries about
# other topics (volcanoes, bread, football) came closest at 0.26-0.38; real headlines' claims at 0.45 up.
MIN_SIMILARITY = 0.42
# How many nearest claims are weighed against each other.
POOL = 30
# Within this much cosine of the nearest claim of a story, support and proposition quality decide.
MEANING_MARGIN = 0.05
# Stories whose nearest claim is within this much of the nearest of all compete; support (articles in the
# story, STORY_SUPPORT per e-fold) decides among them.
STORY_MARGIN = 0.05
STORY_SUPPORT = 0.02


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A claim considered for a query: how close in meaning, how widely carried, whether a proposition,
    and the story it belongs to (None in stores made before stories) with that story's article count."""

    claim: Claim
    similarity: float
    articles: int
    proposition: bool
    rank_score: float
    story_id: str | None = None
    story_articles: int = 0


@dataclass(frozen=True, slots=True)
class ClaimSearch:
    """The claim a query means (None: no match above `min_similarity`) and the alternatives considered."""

    query: str
    best: SearchHit | None
    alternatives: tuple[SearchHit, ...]
    min_similarity: float

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
        }


def _hit_json(hit: SearchHit) -> dict[str, object]:
    return {
        "claim_id": hit.claim.id,
        "text": hit.claim.canonical_text,
        "similarity": hit.similarity,
        "articles": hit.articles,
        "proposition": hit.proposition,
        "story_id": hit.story_id,
        "story_articles": hit.story_articles,
    }


def rank_score(similarity: float, articles: int, proposition: bool) -> float:
    """Meaning first; among claims about as close, the widely carried proposition wins.

    Support adds 0.02 per e-fold of articles (19 articles: +0.06); a text that is no proposition loses 0.05.
    """
    return similarity + 0.02 * math.log1p(max(articles - 1, 0)) - (0.0 if proposition else 0.05)


def find_claim(
    store: Store,
    query: str,
    encoder: Encoder | None = None,
    cache: ClaimVectorCache | None = None,
    min_similarity: float = MIN_SIMILARITY,
    alternatives: int = 5,
) -> ClaimSearch:
    """The claim `query` means, with the alternatives considered; no match when none is close enough.

    Stories are ranked first (their nearest claim's meaning, then how many articles they hold), then the
    claims of the chosen story (meaning, then support and proposition quality).
    """
    hits = story_hits(store, retrieve(store, query, encoder, cache))
    close = [hit for hit in hits if hit.similarity >= min_similarity]
    if not close:
        return ClaimSearch(query, None, tuple(hits[:alternatives]), min_similarity)
    chosen = best_claim(best_story(close))
    rest = [hit for hit in close if hit is not chosen]
    others = sorted(rest, key=lambda hit: (-hit.rank_score, hit.claim.id))[:alternatives]
    return ClaimSearch(query, chosen, tuple(others), min_similarity)


def retrieve(
    store: Store, query: str, encoder: Encoder | None, cache: ClaimVectorCache | None
) -> list[tuple[Claim, float, int]]:
    """Candidate claims for a query: (claim, cosine, articles), the POOL nearest in meaning."""
    return nearest_claims(store, query, limit=POOL, encoder=encoder, cache=cache)


def story_hits(store: Store, found: list[tuple[Claim, float, int]]) -> list[SearchHit]:
    """Search hits with their proposition check, rank score and story."""
    story_of = stories_of_claims(store, [claim.id for claim, _, _ in found])
    sizes = story_sizes(store, sorted(set(story_of.values())))
    hits = []
    for claim, similarity, support in found:
        proposition = not proposition_problems(claim.canonical_text)
        story = story_of.get(claim.id)
        hits.append(
            SearchHit(
                claim,
                similarity,
                support,
                proposition,
                rank_score(similarity, support, proposition),
                story,
                sizes.get(story, 0) if story else support,
            )
        )
    return hits


def best_story(close: list[SearchHit]) -> list[SearchHit]:
    """The hits of the story the query means: among stories whose nearest claim is within STORY_MARGIN of
    the nearest of all, the one holding the most articles (ties: the nearer)."""
    groups: dict[str, list[SearchHit]] = {}
    for hit in close:
        groups.setdefault(hit.story_id or hit.claim.id, []).append(hit)
    nearest = max(hit.similarity for hit in close)

    def score(group: list[SearchHit]) -> tuple[float, str]:
        top = max(hit.similarity for hit in group)
        support = STORY_SUPPORT * math.log1p(max(group[0].story_articles - 1, 0))
        return (-(top + support), group[0].claim.id)

    contenders = [g for g in groups.values() if max(h.similarity for h in g) >= nearest - STORY_MARGIN]
    return min(contenders, key=score)


def best_claim(story: list[SearchHit]) -> SearchHit:
    """Within a story, the nearest claim in meaning unless a better-supported proposition is as near."""
    nearest = max(hit.similarity for hit in story)
    contenders = [hit for hit in story if hit.similarity >= nearest - MEANING_MARGIN]
    return min(contenders, key=lambda hit: (-hit.rank_score, hit.claim.id))
