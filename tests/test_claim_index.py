"""Claim search through the ANN index: the candidates it gives, reranked, are what the full product gives.

Kept in step by difference (new, changed, removed claims) and deterministic (rebuilt, it answers the same).
"""

from __future__ import annotations

import numpy as np

from counterclaim.embeddings import Embedder
from counterclaim.store import Store
from counterclaim.store.claim_index import ClaimIndex, claim_candidates_indexed
from counterclaim.store.claims import ClaimVectorCache, claim_candidates, save_claims
from test_claim_search_cache import claim

DIMENSION = 64


def unit_vectors(rng: np.random.Generator, count: int) -> np.ndarray:
    # Clustered like sentence vectors (topics), not uniform noise: near ties are what an index gets wrong.
    centres = rng.normal(size=(40, DIMENSION))
    vectors = centres[rng.integers(0, 40, count)] + 0.6 * rng.normal(size=(count, DIMENSION))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def top(index: ClaimIndex, ids: list[str], vectors: np.ndarray, query: np.ndarray, limit: int) -> list[str]:
    """The index's candidates reranked exactly, as search does."""
    row = {cid: position for position, cid in enumerate(ids)}
    found = index.candidates(query, 64)
    return sorted(found, key=lambda cid: (-float(vectors[row[cid]] @ query), row[cid]))[:limit]


def exact(ids: list[str], vectors: np.ndarray, query: np.ndarray, limit: int) -> list[str]:
    return [ids[i] for i in np.argsort(-(vectors @ query), kind="stable")[:limit]]


def recall(index: ClaimIndex, ids: list[str], vectors: np.ndarray, queries: np.ndarray) -> float:
    """Share of the exact 10 nearest that the reranked candidates hold (an index is approximate)."""
    found = [set(top(index, ids, vectors, q, 10)) & set(exact(ids, vectors, q, 10)) for q in queries]
    return sum(len(hits) for hits in found) / (10 * len(queries))


def test_reranked_candidates_are_the_exact_nearest_claims() -> None:
    rng = np.random.default_rng(7)
    vectors = unit_vectors(rng, 4000)
    ids = [f"claim-{n:05d}" for n in range(len(vectors))]
    index = ClaimIndex(DIMENSION)
    assert index.sync(ids, vectors) == 4000 and len(index) == 4000
    queries = unit_vectors(rng, 200)
    assert recall(index, ids, vectors, queries) >= 0.99


def test_sync_adds_changes_and_removes_only_what_moved_and_matches_a_rebuild() -> None:
    rng = np.random.default_rng(11)
    vectors = unit_vectors(rng, 3000)
    ids = [f"claim-{n:05d}" for n in range(len(vectors))]
    index = ClaimIndex(DIMENSION)
    index.sync(ids[:2000], vectors[:2000])
    # Later: 1000 new claims, 100 whose vector moved (a statement joined), 50 merged away.
    moved = vectors.copy()
    moved[:100] = unit_vectors(rng, 100)
    kept = [n for n in range(3000) if not 100 <= n < 150]
    now_ids, now_vectors = [ids[n] for n in kept], moved[kept]
    assert index.sync(now_ids, now_vectors) == 1000 + 100
    assert len(index) == len(now_ids) and index.sync(now_ids, now_vectors) == 0
    fresh = ClaimIndex(DIMENSION)
    fresh.rebuild(now_ids, now_vectors)
    queries = unit_vectors(rng, 100)
    assert recall(index, now_ids, now_vectors, queries) >= 0.99
    assert recall(fresh, now_ids, now_vectors, queries) >= 0.99
    merged = {ids[n] for n in range(100, 150)}
    assert not any(set(index.candidates(q, 64)) & merged for q in queries)


def test_the_same_claims_give_the_same_candidates() -> None:
    rng = np.random.default_rng(3)
    vectors = unit_vectors(rng, 1500)
    ids = [f"claim-{n:05d}" for n in range(len(vectors))]
    first, second = ClaimIndex(DIMENSION), ClaimIndex(DIMENSION)
    first.rebuild(ids, vectors)
    second.rebuild(list(reversed(ids)), vectors[::-1])  # any order in, id order added
    for query in unit_vectors(rng, 20):
        assert first.candidates(query, 30) == second.candidates(query, 30)


def test_usearch_loaded_first_does_not_crash_onnxruntime() -> None:
    # Regression: importing usearch's compiled module before onnxruntime killed the process (SIGSEGV).
    import subprocess
    import sys

    code = "from counterclaim.store.claim_index import ClaimIndex; ClaimIndex(8); import onnxruntime"
    assert subprocess.run([sys.executable, "-c", code], check=False, timeout=120).returncode == 0


def test_indexed_search_answers_what_the_full_product_answers(store: Store, embedder: Embedder) -> None:
    texts = {
        "harbour": "The port of Kessel was closed after a storm damaged two piers",
        "election": "The opposition won the regional election in Dorvik",
        "ferry": "A storm closed the harbour and stopped the ferries",
        "budget": "The council cut the school budget by a tenth",
        "strike": "Rail workers walked out over pay on Monday",
    }
    with store.begin() as conn:
        save_claims(conn, [claim(cid, text) for cid, text in texts.items()])
    cache = ClaimVectorCache()
    for query in ("storm shuts harbour", "who won the vote in Dorvik", "train drivers strike"):
        # exact_below=0: through the graph even for a handful of claims.
        found = claim_candidates_indexed(store, query, limit=3, encoder=embedder, cache=cache, exact_below=0)
        assert found == claim_candidates(store, query, limit=3, encoder=embedder)
    with store.begin() as conn:
        save_claims(conn, [claim("pier", "Two piers of Kessel port were wrecked by the storm")])
    after = claim_candidates_indexed(
        store, "storm shuts harbour", limit=6, encoder=embedder, cache=cache, exact_below=0
    )
    assert "pier" in {found.claim.id for found in after} and len(after) == 6
    assert after == claim_candidates_indexed(store, "storm shuts harbour", limit=6, encoder=embedder)
