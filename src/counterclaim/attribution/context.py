"""Contextual cue scoring: MiniLM reads each sentence once; a linear layer over a token's contextual vector
and its sparse cue score decides whether it heads a cue ("be", "think", "support" carry a belief or not).

The shipped int8 all-MiniLM-L6-v2 gives one vector per word piece; a spaCy token takes the mean of its pieces.
The sentences are the article's stance sentences (stance.read_article), read once: the same reading gives the
article's sentence vectors, so the per-article stage hands them on and nothing reads the article again.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from spacy.tokens import Doc

from counterclaim.embeddings import DIMENSION, Embedder, SentenceReading
from counterclaim.errors import ModelError
from counterclaim.stance import read_article


@dataclass(frozen=True, slots=True)
class ContextLayer:
    """The learned layer: score = bias + sparse_weight * sparse score + vector_weights . token vector.

    Tokens whose sparse score is below `prefilter` are never cues. Only tokens whose sparse score lies inside
    `uncertain` get their own vector; the others take the fallback vector, and a sentence holding no uncertain
    token is not encoded at all. On PolNeAR train that changes 6 decisions in 62,015 and spares a third of the
    encoder's work.
    """

    sparse_weight: float
    vector_weights: np.ndarray
    # The training mean: the vector of a certain token, or of one cut off at the encoder's length limit.
    fallback_vector: np.ndarray
    bias: float
    threshold: float
    core_threshold: float
    prefilter: float
    uncertain: tuple[float, float] = (float("-inf"), float("inf"))

    @classmethod
    def from_json(cls, raw: Mapping[str, Any], hint: str) -> ContextLayer:
        try:
            layer = cls(
                sparse_weight=float(raw["sparse_weight"]),
                vector_weights=np.asarray(raw["vector_weights"], dtype=np.float32),
                fallback_vector=np.asarray(raw["fallback_vector"], dtype=np.float32),
                bias=float(raw["bias"]),
                threshold=float(raw["threshold"]),
                core_threshold=float(raw["core_threshold"]),
                prefilter=float(raw["prefilter"]),
                uncertain=_band(raw.get("uncertain")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ModelError(f"The contextual cue layer is incomplete ({exc!r}). {hint}") from exc
        if layer.vector_weights.shape != (DIMENSION,) or layer.fallback_vector.shape != (DIMENSION,):
            raise ModelError(f"The contextual cue layer expects {DIMENSION}-dimensional vectors. {hint}")
        return layer

    def as_json(self) -> dict[str, Any]:
        return {
            "sparse_weight": self.sparse_weight,
            "vector_weights": [round(float(w), 6) for w in self.vector_weights],
            "fallback_vector": [round(float(v), 5) for v in self.fallback_vector],
            "bias": self.bias,
            "threshold": self.threshold,
            "core_threshold": self.core_threshold,
            "prefilter": self.prefilter,
            "uncertain": [self.uncertain[0], self.uncertain[1]],
        }

    def needs_vector(self, sparse_score: float) -> bool:
        """Whether the token's sentence must be read to decide (the sparse score alone is not clear)."""
        low, high = self.uncertain
        return sparse_score >= self.prefilter and low <= sparse_score <= high

    def scores(self, sparse: Mapping[int, float], vectors: Mapping[int, np.ndarray]) -> dict[int, float]:
        """Final scores of the tokens that passed the prefilter (token index to score)."""
        kept = [index for index, score in sparse.items() if score >= self.prefilter]
        if not kept:
            return {}
        matrix = np.stack([vectors.get(index, self.fallback_vector) for index in kept])
        combined = (
            self.bias
            + self.sparse_weight * np.array([sparse[i] for i in kept])
            + matrix @ self.vector_weights
        )
        return dict(zip(kept, combined.tolist(), strict=True))


def _band(raw: object) -> tuple[float, float]:
    if raw is None:
        return (float("-inf"), float("inf"))
    if not isinstance(raw, list | tuple) or len(raw) != 2:
        raise ValueError(f"uncertain must be [low, high], not {raw!r}")
    return (float(raw[0]), float(raw[1]))


class TokenContext(Protocol):
    """Where contextual vectors of a doc's tokens come from (TokenEncoder, or ReadContext over a reading)."""

    def vectors(self, doc: Doc, token_indices: Sequence[int]) -> dict[int, np.ndarray]: ...


@dataclass(frozen=True, slots=True)
class ReadContext:
    """Token vectors of a doc taken from its article's sentences as already read (with their states).

    `offset` is where the doc starts in the article's text: a long article is parsed in pieces.
    """

    reading: SentenceReading
    offset: int = 0

    def vectors(self, doc: Doc, token_indices: Sequence[int]) -> dict[int, np.ndarray]:
        """The mean word-piece state of each given token; a token outside every read sentence (a dateline,
        text past the encoder's length limit) has none, and the layer uses its fallback vector."""
        wanted = set(token_indices)
        if not wanted or not self.reading.states:
            return {}
        owner = _token_at_char(doc)
        starts = [start for start, _ in self.reading.spans]
        rows = {bisect_right(starts, doc[index].idx + self.offset) - 1 for index in wanted}
        found: dict[int, np.ndarray] = {}
        for row in sorted(rows - {-1}):
            pieces: dict[int, list[int]] = {}
            for piece, (start, end) in enumerate(self.reading.pieces[row]):
                char = start - self.offset
                if end <= start or not 0 <= char < len(owner):
                    continue  # [CLS], [SEP], or outside this doc
                token = int(owner[char])
                if token in wanted:
                    pieces.setdefault(token, []).append(piece)
            states = self.reading.states[row]
            found.update({token: states[positions].mean(axis=0) for token, positions in pieces.items()})
        return found


@dataclass(slots=True)
class TokenEncoder:
    """Contextual vectors of spaCy tokens from the shipped MiniLM; share one per process."""

    embedder: Embedder

    @classmethod
    def load(cls, threads: int | None = 1) -> TokenEncoder:
        # One thread by default: the stage is measured on one core and parallelised by worker processes.
        return cls(Embedder.load(threads=threads))

    def read(self, text: str) -> SentenceReading:
        """An article's sentences read once, with the word-piece states ReadContext takes tokens from."""
        return read_article(self.embedder, text, states=True)

    def vectors(self, doc: Doc, token_indices: Sequence[int]) -> dict[int, np.ndarray]:
        """Vectors of the given tokens, reading the doc's text as an article of its own (to read an article
        once for all its docs and keep its sentence vectors, `read` it and use ReadContext)."""
        if not token_indices:
            return {}
        return ReadContext(self.read(doc.text)).vectors(doc, token_indices)


def _token_at_char(doc: Doc) -> np.ndarray:
    """For each character of the text, the index of the token it belongs to (-1 for whitespace)."""
    owner = np.full(len(doc.text), -1, dtype=np.int32)
    for token in doc:
        owner[token.idx : token.idx + len(token.text)] = token.i
    return owner
