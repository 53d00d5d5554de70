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
from counterclaim.store.claim_index import nearest_claims_indexed
from counterclaim.store.claims import ClaimVectorCache

# Cosine (MiniLM) below which no claim is what the query is about. On the FNC-1 hold-out store, queries about
# other topics (volcanoes, bread, football) came closest at 0.26-0.38; real headlines' claims at 0.45 up.
MIN_SIMILARITY = 0.42
# How many nearest claims are weighed against each other.
POOL = 30
# Within this much cosine of the nearest claim, support and proposition quality decide.
MEANING_MARGIN = 0.05


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A claim considered for a query: how close in meaning, how widely carried, whether a proposition."""

    claim: Claim
    similarity: float
    articles: int
    proposition: bool
    rank_score: float


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
    """The claim `query` means, with the alternatives considered; no match when none is close enough."""
    found = nearest_claims_indexed(store, query, limit=POOL, encoder=encoder, cache=cache)
    hits = [
        SearchHit(
            claim,
            similarity,
            support,
            not proposition_problems(claim.canonical_text),
            rank_score(similarity, support, not proposition_problems(claim.canonical_text)),
        )
        for claim, similarity, support in found
    ]
    close = [hit for hit in hits if hit.similarity >= min_similarity]
    if not close:
        return ClaimSearch(query, None, tuple(hits[:alternatives]), min_similarity)
    nearest = max(hit.similarity for hit in close)
    contenders = [hit for hit in close if hit.similarity >= nearest - MEANING_MARGIN]
    ranked = sorted(contenders, key=lambda hit: (-hit.rank_score, hit.claim.id))
    rest = [hit for hit in close if hit not in ranked[:1]]
    others = sorted(rest, key=lambda hit: (-hit.rank_score, hit.claim.id))[:alternatives]
    return ClaimSearch(query, ranked[0], tuple(others), min_similarity)
