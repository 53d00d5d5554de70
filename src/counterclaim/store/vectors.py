"""Persistence of articles' sentence vectors: save and load, keyed by article id and method.

Spans are int32 (start, end) pairs and vectors float16 rows, each kept as raw little-endian bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from counterclaim.store import Store
from counterclaim.store.schema.vectors import sentence_vectors

DIMENSION = 384
# Ids per IN (...) query: well under SQLite's and PostgreSQL's parameter limits.
CHUNK = 500


@dataclass(frozen=True, slots=True)
class SentenceVectors:
    """One article's sentences: their (start, end) ranges in its text and one float16 vector each."""

    spans: list[tuple[int, int]]
    vectors: np.ndarray


def load_sentence_vectors(
    store: Store, article_ids: Sequence[str], method: str
) -> dict[str, SentenceVectors]:
    """The kept sentence vectors of those articles that have them under `method` (others are left out)."""
    found: dict[str, SentenceVectors] = {}
    wanted = sorted(set(article_ids))
    with store.engine.connect() as conn:
        for first in range(0, len(wanted), CHUNK):
            query = sa.select(
                sentence_vectors.c.article_id,
                sentence_vectors.c.sentences,
                sentence_vectors.c.spans,
                sentence_vectors.c.vectors,
            ).where(
                sentence_vectors.c.method == method,
                sentence_vectors.c.article_id.in_(wanted[first : first + CHUNK]),
            )
            for article_id, count, spans, vectors in conn.execute(query):
                found[article_id] = _decoded(int(count), bytes(spans), bytes(vectors))
    return found


def _decoded(count: int, spans: bytes, vectors: bytes) -> SentenceVectors:
    pairs = np.frombuffer(spans, dtype="<i4").reshape(count, 2)
    rows = np.frombuffer(vectors, dtype="<f2").reshape(count, DIMENSION).astype(np.float32)
    return SentenceVectors([(int(start), int(end)) for start, end in pairs], rows)


def save_sentence_vectors(conn: Connection, method: str, kept: Mapping[str, SentenceVectors]) -> None:
    """Keep sentence vectors; an article already holding vectors under `method` keeps its own (idempotent)."""
    if not kept:
        return
    ids = sorted(kept)
    present: set[str] = set()
    for first in range(0, len(ids), CHUNK):
        query = sa.select(sentence_vectors.c.article_id).where(
            sentence_vectors.c.method == method, sentence_vectors.c.article_id.in_(ids[first : first + CHUNK])
        )
        present.update(conn.execute(query).scalars())
    rows = [
        {
            "article_id": article_id,
            "method": method,
            "sentences": len(kept[article_id].spans),
            "spans": np.asarray(kept[article_id].spans, dtype="<i4").reshape(-1, 2).tobytes(),
            "vectors": np.asarray(kept[article_id].vectors, dtype="<f2").reshape(-1, DIMENSION).tobytes(),
        }
        for article_id in ids
        if article_id not in present
    ]
    if rows:
        conn.execute(sa.insert(sentence_vectors), rows)
