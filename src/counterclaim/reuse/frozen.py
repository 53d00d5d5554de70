"""What the index knows of fingerprints whose postings are full: verdict and earliest carriers, kept once.

A fingerprint holding `max_postings` postings takes no more, so what its postings say never changes again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from counterclaim.reuse.shingles import F64, I64, U64

# Padding of the `owners` and `earliest` rows: no outlet's low 32 bits and no index number are negative.
NONE = -1


def _empty_rows(width: int) -> I64:
    return np.full((0, width), NONE, dtype=np.int64)


@dataclass(slots=True)
class FrozenVerdicts:
    """Per full fingerprint (sorted by hash): whether it is boilerplate for everyone, the outlets holding it
    as their own (low 32 bits of their codes, as `flag_postings` keys them), its `fanout` earliest kept
    carriers (index numbers, earliest first), the time of the last of those (POSIX seconds, inf when
    undated), and whether it has that many kept carriers at all."""

    fanout: int
    hashes: U64 = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    flagged: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    owners: I64 = field(default_factory=lambda: _empty_rows(1))
    earliest: I64 = field(init=False)
    last_time: F64 = field(default_factory=lambda: np.zeros(0, dtype=np.float64))
    enough: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def __post_init__(self) -> None:
        self.earliest = _empty_rows(self.fanout)

    def __len__(self) -> int:
        return len(self.hashes)

    def find(self, keys: U64) -> tuple[np.ndarray, I64]:
        """Which keys are held, and where (meaningful where held)."""
        if not len(self.hashes):
            return np.zeros(len(keys), dtype=bool), np.zeros(len(keys), dtype=np.int64)
        at: I64 = np.minimum(np.searchsorted(self.hashes, keys), len(self.hashes) - 1)
        held: np.ndarray = self.hashes[at] == keys
        return held, at

    def owned(self, at: I64, outlets: I64) -> np.ndarray:
        """Whether each outlet (full codes) holds the fingerprint at `at` as its own boilerplate."""
        found: np.ndarray = (self.owners[at] == (outlets & 0xFFFFFFFF)[:, None]).any(axis=1)
        return found

    def insert(
        self,
        hashes: U64,
        flagged: np.ndarray,
        owners: I64,
        earliest: I64,
        last_time: F64,
        enough: np.ndarray,
    ) -> None:
        """Add fingerprints not held yet (`hashes` sorted and unique)."""
        if not len(hashes):
            return
        width = max(self.owners.shape[1], owners.shape[1])
        at = np.searchsorted(self.hashes, hashes)
        self.hashes = np.insert(self.hashes, at, hashes)
        self.flagged = np.insert(self.flagged, at, flagged)
        self.owners = np.insert(_widen(self.owners, width), at, _widen(owners, width), axis=0)
        self.earliest = np.insert(self.earliest, at, earliest, axis=0)
        self.last_time = np.insert(self.last_time, at, last_time)
        self.enough = np.insert(self.enough, at, enough)


def _widen(rows: I64, width: int) -> I64:
    if rows.shape[1] >= width:
        return rows
    padding = np.full((rows.shape[0], width - rows.shape[1]), NONE, dtype=np.int64)
    return np.concatenate((rows, padding), axis=1)
