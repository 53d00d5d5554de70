"""Search by meaning through a kept cache of claim vectors: same answers, reloaded when claims change."""

from __future__ import annotations

from datetime import UTC, datetime

from counterclaim.embeddings import Embedder
from counterclaim.model import Claim, Span
from counterclaim.store import Store
from counterclaim.store.claims import ClaimVectorCache, save_claims, search_claims


def claim(claim_id: str, text: str) -> Claim:
    return Claim(
        id=claim_id,
        canonical_text=text,
        canonical_article_id="a" * 32,
        canonical_span=Span(0, len(text), text),
        first_seen=datetime(2031, 4, 2, tzinfo=UTC),
        method="test",
    )


def test_cached_search_matches_uncached_and_sees_new_claims(store: Store, embedder: Embedder) -> None:
    with store.begin() as conn:
        save_claims(
            conn,
            [
                claim("harbour", "The port of Kessel was closed after a storm damaged two piers"),
                claim("election", "The opposition won the regional election in Dorvik"),
            ],
        )
    cache = ClaimVectorCache()
    query = "storm shuts harbour"
    cached = search_claims(store, query, limit=2, encoder=embedder, cache=cache)
    assert cached == search_claims(store, query, limit=2, encoder=embedder)
    assert cached[0][0].id == "harbour"

    with store.begin() as conn:
        save_claims(conn, [claim("ferry", "A storm closed the harbour and stopped the ferries")])
    after = search_claims(store, query, limit=3, encoder=embedder, cache=cache)
    assert {found.id for found, _ in after} == {"harbour", "election", "ferry"}
