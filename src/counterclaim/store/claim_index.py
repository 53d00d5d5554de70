"""Claim search candidates from an approximate-nearest-neighbour index (usearch HNSW) over claim vectors.

Kept in step with stored claims by difference (new, changed, merged-away claims); candidates reranked exactly.
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from counterclaim.claims import Encoder
from counterclaim.embeddings import DIMENSION
from counterclaim.store import Store
from counterclaim.store.claims import (
    ClaimCandidate,
    ClaimVectorCache,
    _ClaimMatrix,
    candidate_at,
    claim_candidates,
)

if TYPE_CHECKING:
    from usearch.index import Index

# HNSW graph degree and search breadth. On clustered 64-d test vectors (harder than MiniLM claims, whose
# near neighbours are much nearer) recall@10 within 64 candidates is 0.999 at 256, 0.98 at 128.
CONNECTIVITY = 16
EXPANSION_ADD = 256
EXPANSION_SEARCH = 256
# Below this many claims search takes the full product: at 20,000 claims it costs 4 ms a query, while
# building the graph costs about 1.3 ms of CPU a claim (bench/scale.py, search), which a one-off
# `report --search` would pay in full. Above it, a long-lived reader (the web app) keeps the graph in step.
EXACT_BELOW = 50_000
# Candidates fetched per result asked for: the exact rerank only sees these.
OVERFETCH = 4
MIN_CANDIDATES = 64


class ClaimIndex:
    """An HNSW index over unit claim vectors, keyed by claim id, updated by `sync` with only what changed.

    Deterministic: one thread, claims added in id order, so the same claims added the same way give the same
    graph; `rebuild` makes the graph a fresh process would (all claims in id order).
    """

    def __init__(self, dimension: int = DIMENSION) -> None:
        self.dimension = dimension
        self._index = self._empty()
        self._keys: dict[str, int] = {}
        self._claims: dict[int, str] = {}
        self._digests: dict[str, bytes] = {}
        self._next_key = 0

    def _empty(self) -> Index:
        # onnxruntime must be loaded before usearch's compiled module: the other way round the process dies
        # with a segmentation fault as onnxruntime loads (onnxruntime 1.32, usearch 2.26.6). Imported here,
        # not at the top, so commands that never search do not load either.
        import onnxruntime  # noqa: F401
        from usearch.index import Index

        return Index(
            ndim=self.dimension,
            metric="cos",
            dtype="f32",
            connectivity=CONNECTIVITY,
            expansion_add=EXPANSION_ADD,
            expansion_search=EXPANSION_SEARCH,
        )

    def __len__(self) -> int:
        return len(self._keys)

    def sync(self, claim_ids: Sequence[str], vectors: np.ndarray) -> int:
        """Make the index hold exactly these claims with these vectors; returns how many it (re)added."""
        digests = {cid: _digest(vectors[row]) for row, cid in enumerate(claim_ids)}
        gone = [cid for cid, digest in self._digests.items() if digests.get(cid) != digest]
        if gone:
            keys = [self._keys.pop(cid) for cid in gone]
            self._index.remove(np.asarray(keys, dtype=np.uint64), threads=1)
            for cid, key in zip(gone, keys, strict=True):
                del self._digests[cid], self._claims[key]
        added = sorted(cid for cid in digests if cid not in self._digests)
        if added:
            row_of = {cid: row for row, cid in enumerate(claim_ids)}
            keys_added = np.arange(self._next_key, self._next_key + len(added), dtype=np.uint64)
            self._next_key += len(added)
            rows = np.ascontiguousarray(vectors[[row_of[cid] for cid in added]], dtype=np.float32)
            self._index.add(keys_added, rows, threads=1)
            for cid, key in zip(added, keys_added.tolist(), strict=True):
                self._keys[cid], self._claims[key], self._digests[cid] = key, cid, digests[cid]
        return len(added)

    def rebuild(self, claim_ids: Sequence[str], vectors: np.ndarray) -> None:
        """Forget everything and add these claims in id order (what a fresh process builds)."""
        self._index = self._empty()
        self._keys, self._claims, self._digests, self._next_key = {}, {}, {}, 0
        self.sync(claim_ids, vectors)

    def candidates(self, query: np.ndarray, count: int) -> list[str]:
        """Ids of about the `count` claims nearest to a query vector (approximate: rerank them)."""
        if not self._keys or count < 1:
            return []
        vector = np.asarray(query, dtype=np.float32)
        matches = self._index.search(vector, min(count, len(self._keys)), threads=1)
        return [self._claims[int(key)] for key in matches.keys if int(key) in self._claims]


def _digest(vector: np.ndarray) -> bytes:
    return hashlib.blake2b(np.ascontiguousarray(vector, dtype=np.float32).tobytes(), digest_size=16).digest()


# One index per claim vector cache (a web app's, a report's), kept in step with its matrix.
_indexes: weakref.WeakKeyDictionary[ClaimVectorCache, tuple[_ClaimMatrix, ClaimIndex]] = (
    weakref.WeakKeyDictionary()
)


def index_of(cache: ClaimVectorCache, store: Store, encoder: Encoder) -> tuple[_ClaimMatrix, ClaimIndex]:
    """The cache's claim matrix and its index, synced when the matrix was reloaded."""
    matrix = cache.matrix(store, encoder)
    held = _indexes.get(cache)
    index = held[1] if held is not None else ClaimIndex()
    if held is None or held[0] is not matrix:
        index.sync([row["id"] for row in matrix.rows], matrix.vectors)
        _indexes[cache] = (matrix, index)
    return matrix, index


def claim_candidates_indexed(
    store: Store,
    text: str,
    limit: int = 10,
    encoder: Encoder | None = None,
    cache: ClaimVectorCache | None = None,
    exact_below: int = EXACT_BELOW,
) -> list[ClaimCandidate]:
    """What `claim_candidates` returns (nearest first), with candidates from the ANN index and an exact
    cosine rerank of them instead of a product with every claim vector (that product below `exact_below`
    claims)."""
    if not text.strip():
        return []
    if encoder is None:
        from counterclaim.claims import load_encoder

        encoder = load_encoder()
    cache = cache or ClaimVectorCache()
    if len(cache.matrix(store, encoder).rows) < exact_below:
        return claim_candidates(store, text, limit, encoder, cache=cache)
    matrix, index = index_of(cache, store, encoder)
    query = encoder.encode([text])[0]
    found = index.candidates(query, max(limit * OVERFETCH, MIN_CANDIDATES))
    if not found:
        return []
    row_of = {row["id"]: position for position, row in enumerate(matrix.rows)}
    positions = sorted(row_of[cid] for cid in found)
    similarity = matrix.vectors[positions] @ query
    # Nearest first, ties in store order: the order the full product gives.
    order = sorted(range(len(positions)), key=lambda i: (-float(similarity[i]), positions[i]))[:limit]
    return [candidate_at(matrix, positions[i], float(similarity[i])) for i in order]
