"""Contextual cue scoring: MiniLM reads each sentence once; a linear layer over a token's contextual vector
and its sparse cue score decides whether it heads a cue ("be", "think", "support" carry a belief or not).

The shipped int8 all-MiniLM-L6-v2 gives one vector per word piece; a spaCy token takes the mean of its pieces.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from spacy.tokens import Doc, Span

from counterclaim.embeddings import DIMENSION, Embedder, length_batches, pad_batch, run_options
from counterclaim.errors import ModelError

# Sentences are encoded in batches of similar length, so padding wastes little work (and long ones in fewer
# rows: embeddings.TOKEN_BUDGET).
SENTENCE_BATCH = 32


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


@dataclass(slots=True)
class TokenEncoder:
    """Contextual vectors of spaCy tokens from the shipped MiniLM; share one per process."""

    embedder: Embedder

    @classmethod
    def load(cls, threads: int | None = 1) -> TokenEncoder:
        # One thread by default: the stage is measured on one core and parallelised by worker processes.
        return cls(Embedder.load(threads=threads))

    def vectors(self, doc: Doc, token_indices: Sequence[int]) -> dict[int, np.ndarray]:
        """Vectors of the given tokens, encoding only the sentences that hold them."""
        wanted = set(token_indices)
        sentences = [sent for sent in doc.sents if any(i in wanted for i in range(sent.start, sent.end))]
        if not sentences:
            return {}
        owner = _token_at_char(doc)
        encodings = self.embedder.tokenizer.encode_batch([sent.text for sent in sentences])
        pieces = [self.embedder.truncate(encoding.ids) for encoding in encodings]
        found: dict[int, np.ndarray] = {}
        order = sorted(range(len(sentences)), key=lambda row: len(pieces[row]))
        for rows in length_batches(order, [len(row) for row in pieces], SENTENCE_BATCH):
            batch = pad_batch([pieces[row] for row in rows], [[0] * len(pieces[row]) for row in rows])
            (hidden,) = self.embedder.session.run(["last_hidden_state"], batch, run_options(batch))
            for slot, row in enumerate(rows):
                offsets = encodings[row].offsets[: len(pieces[row])]
                found.update(_pooled(sentences[row], offsets, hidden[slot], owner, wanted))
        return found


def _token_at_char(doc: Doc) -> np.ndarray:
    """For each character of the text, the index of the token it belongs to (-1 for whitespace)."""
    owner = np.full(len(doc.text), -1, dtype=np.int32)
    for token in doc:
        owner[token.idx : token.idx + len(token.text)] = token.i
    return owner


def _pooled(
    sentence: Span,
    offsets: Sequence[tuple[int, int]],
    hidden: np.ndarray,
    owner: np.ndarray,
    wanted: set[int],
) -> dict[int, np.ndarray]:
    """Mean word-piece vector of each wanted token of one sentence."""
    pieces: dict[int, list[int]] = {}
    for piece, (start, end) in enumerate(offsets):
        if start == end:
            continue  # [CLS], [SEP]
        token = int(owner[sentence.start_char + start])
        if token in wanted:
            pieces.setdefault(token, []).append(piece)
    return {token: hidden[rows].mean(axis=0) for token, rows in pieces.items()}
