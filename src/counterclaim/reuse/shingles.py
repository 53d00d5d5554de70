"""Word tokens, shingle hashes and winnowed fingerprints of a batch of texts, all vectorised with NumPy.

A whole batch is joined into one code-point array so no Python loop runs per word or per character.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

# Odd multipliers are invertible modulo 2**64, which lets a substring hash be read off prefix sums.
_CHAR_BASE = 0x100000001B3
_CHAR_BASE_INV = pow(_CHAR_BASE, -1, 2**64)
_SHINGLE_BASE = 0x9E3779B97F4A7C15

_ASCII_WORD = np.zeros(128, dtype=bool)
for _lo, _hi in ((48, 57), (65, 90), (97, 122)):
    _ASCII_WORD[_lo : _hi + 1] = True


@dataclass(frozen=True, slots=True)
class TokenBatch:
    """The word tokens of a batch of texts: flat arrays, with `bounds[d]:bounds[d+1]` the tokens of text d."""

    starts: I64  # character offset of each token in its own text
    ends: I64
    hashes: U64  # case-folded token hash
    bounds: I64
    # Whether a line break separates each token from the one before it in its own text (a text's first
    # token: no), read off the same code points as the tokens.
    line_starts: npt.NDArray[np.bool_]

    def doc(self, index: int) -> DocTokens:
        lo, hi = int(self.bounds[index]), int(self.bounds[index + 1])
        return DocTokens(self.starts[lo:hi], self.ends[lo:hi], self.hashes[lo:hi])


@dataclass(frozen=True, slots=True)
class DocTokens:
    """The word tokens of one text."""

    starts: I64
    ends: I64
    hashes: U64

    def __len__(self) -> int:
        return len(self.hashes)


def mix64(values: U64) -> U64:
    """The splitmix64 finaliser: spreads the bits of weak polynomial hashes so `hash % partitions` is even."""
    with np.errstate(over="ignore"):
        z = values ^ (values >> np.uint64(30))
        z = z * np.uint64(0xBF58476D1CE4E5B9)
        z = z ^ (z >> np.uint64(27))
        z = z * np.uint64(0x94D049BB133111EB)
        mixed: U64 = z ^ (z >> np.uint64(31))
    return mixed


def _code_points(texts: Sequence[str]) -> tuple[npt.NDArray[np.uint32], I64]:
    # A newline between texts is a non-word character, so no token spans two texts.
    joined = "\n".join(texts)
    points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(lengths + 1, out=offsets[1:])
    return points, offsets


def _is_word(points: npt.NDArray[np.uint32]) -> npt.NDArray[np.bool_]:
    ascii_word = _ASCII_WORD[np.minimum(points, 127)]
    # Outside ASCII, everything but Latin-1 symbols and the punctuation blocks counts as a letter.
    other = (
        (points > 0xBF)
        & (points != 0xD7)
        & (points != 0xF7)
        & ~((points >= 0x2000) & (points <= 0x206F))
        & ~((points >= 0x2E00) & (points <= 0x2E7F))
        & ~((points >= 0x3000) & (points <= 0x303F))
    )
    return np.where(points < 128, ascii_word, other)


def _fold_case(points: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint64]:
    folded = points.astype(np.uint64)
    upper = ((points >= 65) & (points <= 90)) | ((points >= 0xC0) & (points <= 0xDE) & (points != 0xD7))
    upper |= (points >= 0x410) & (points <= 0x42F)  # Cyrillic capitals
    folded[upper] += np.uint64(32)
    return folded


# Texts are tokenised in groups of about this many characters, to bound the working arrays.
_GROUP_CHARS = 1 << 21


def tokenize(texts: Sequence[str]) -> TokenBatch:
    """Split every text into word tokens (runs of letters and digits) and hash each, case-folded."""
    groups: list[TokenBatch] = []
    start, size = 0, 0
    for end, text in enumerate(texts, 1):
        size += len(text) + 1
        if size >= _GROUP_CHARS or end == len(texts):
            groups.append(_tokenize_group(texts[start:end]))
            start, size = end, 0
    if len(groups) == 1:
        return groups[0]
    return _concatenate(groups)


def _concatenate(groups: list[TokenBatch]) -> TokenBatch:
    offsets = np.cumsum([0] + [len(g.hashes) for g in groups[:-1]])
    bounds = np.concatenate([[0]] + [g.bounds[1:] + o for g, o in zip(groups, offsets, strict=True)])
    return TokenBatch(
        np.concatenate([g.starts for g in groups]),
        np.concatenate([g.ends for g in groups]),
        np.concatenate([g.hashes for g in groups]),
        bounds.astype(np.int64),
        np.concatenate([g.line_starts for g in groups]),
    )


def _tokenize_group(texts: Sequence[str]) -> TokenBatch:
    if not texts:
        empty = np.zeros(0, dtype=np.int64)
        return TokenBatch(
            empty, empty, np.zeros(0, dtype=np.uint64), np.zeros(1, dtype=np.int64), np.zeros(0, dtype=bool)
        )
    points, offsets = _code_points(texts)
    word = _is_word(points)
    edges = np.diff(np.concatenate(([False], word, [False])).astype(np.int8))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    hashes = _substring_hashes(_fold_case(points), starts, ends)
    doc_of = np.searchsorted(offsets, starts, side="right") - 1
    bounds = np.searchsorted(doc_of, np.arange(len(texts) + 1), side="left").astype(np.int64)
    base = offsets[doc_of]
    newlines = np.concatenate(([0], np.cumsum(points == 10)))
    breaks = np.zeros(len(starts), dtype=bool)
    if len(starts) > 1:
        breaks[1:] = newlines[starts[1:]] > newlines[ends[:-1]]
    breaks[bounds[:-1][np.diff(bounds) > 0]] = False
    return TokenBatch(starts - base, ends - base, hashes, bounds, breaks)


def _substring_hashes(values: npt.NDArray[np.uint64], starts: I64, ends: I64) -> U64:
    # hash[i:j] = (S[j] - S[i]) * B^-i with S[k] = sum_{t<k} v_t B^t, all modulo 2**64 (uint64 wraps).
    size = len(values)
    powers, inverse = _powers(size)
    with np.errstate(over="ignore"):
        prefix = np.zeros(size + 1, dtype=np.uint64)
        np.cumsum(values * powers[:size], out=prefix[1:])
        raw = (prefix[ends] - prefix[starts]) * inverse[starts]
    return mix64(raw)


@lru_cache(maxsize=4)
def _power_table(size: int) -> tuple[U64, U64]:
    with np.errstate(over="ignore"):
        powers = np.full(size, _CHAR_BASE, dtype=np.uint64)
        powers[0] = 1
        np.cumprod(powers, out=powers)
        inverse = np.full(size, _CHAR_BASE_INV, dtype=np.uint64)
        inverse[0] = 1
        np.cumprod(inverse, out=inverse)
    return powers, inverse


def _powers(size: int) -> tuple[U64, U64]:
    """B^i and B^-i for i <= size, from a cached table rounded up to a power of two (a pure constant)."""
    return _power_table(1 << max(size + 1, 1 << 16).bit_length())


def shingle_hashes(tokens: U64, size: int) -> U64:
    """Hashes of every run of `size` consecutive tokens of one text (empty when the text is shorter)."""
    count = len(tokens) - size + 1
    if count <= 0:
        return np.zeros(0, dtype=np.uint64)
    acc = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(size):
            acc = acc * np.uint64(_SHINGLE_BASE) + tokens[k : k + count]
    return mix64(acc)


@dataclass(frozen=True, slots=True)
class Fingerprints:
    """Winnowed shingle hashes of a batch: which text (`doc`, batch index) and at which token (`pos`)."""

    hashes: U64
    doc: I64
    pos: I64


def batch_shingles(batch: TokenBatch, size: int) -> tuple[U64, I64, I64]:
    """Every shingle hash of every text in a batch, with its text index and token position."""
    count = len(batch.hashes) - size + 1
    if count <= 0:
        empty = np.zeros(0, dtype=np.int64)
        return np.zeros(0, dtype=np.uint64), empty, empty
    doc_of = np.repeat(np.arange(len(batch.bounds) - 1), np.diff(batch.bounds))
    acc = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(size):
            acc = acc * np.uint64(_SHINGLE_BASE) + batch.hashes[k : k + count]
    valid = doc_of[:count] == doc_of[size - 1 :]
    positions = np.arange(count, dtype=np.int64)
    docs = doc_of[:count][valid]
    return mix64(acc[valid]), docs, positions[valid] - batch.bounds[docs]


def winnow(hashes: U64, docs: I64, positions: I64, window: int) -> Fingerprints:
    """Keep the smallest hash of every `window` consecutive shingles (Schleimer et al., 2003).

    Two texts sharing a run of `window + size - 1` words are guaranteed to share a fingerprint.
    """
    if len(hashes) < window:
        return Fingerprints(hashes, docs, positions)
    # The first smallest hash of each window, one shifted comparison per window slot (an argmin over a
    # strided window view is several times slower).
    count = len(hashes) - window + 1
    best = hashes[:count].copy()
    arg = np.zeros(count, dtype=np.int64)
    for k in range(1, window):
        smaller = hashes[k : k + count] < best
        best[smaller] = hashes[k : k + count][smaller]
        arg[smaller] = k
    valid = docs[:count] == docs[window - 1 :]
    keep = np.zeros(len(hashes), dtype=bool)
    keep[(np.arange(count) + arg)[valid]] = True
    # A text with fewer shingles than one window has no whole window: keep all of its shingles.
    counts = np.bincount(docs, minlength=int(docs.max()) + 1)
    keep |= counts[docs] < window
    return Fingerprints(hashes[keep], docs[keep], positions[keep])


def fingerprint(batch: TokenBatch, size: int, window: int) -> Fingerprints:
    """Winnowed shingle fingerprints of a tokenised batch."""
    hashes, docs, positions = batch_shingles(batch, size)
    return winnow(hashes, docs, positions, window)
