"""Boilerplate verdicts the index keeps instead of reading postings again: per batch, and for good once full.

A fingerprint holding `max_postings` postings takes no more, so what its postings say never changes again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from counterclaim.reuse.shingles import F64, I64, U64

# Padding of the `earliest` rows: no index number is negative.
NONE = -1


@dataclass(slots=True)
class _Run:
    hashes: U64  # sorted
    refs: I64  # each hash's row in the verdict columns


@dataclass(slots=True)
class Verdicts:
    """Per fingerprint judged by its postings (rows appended as fingerprints are judged, found by hash):

    - `flagged`: boilerplate for everyone;
    - `own`: the outlets holding it as their own boilerplate, as sorted `row << 32 | low 32 bits of the
      outlet's code` (`flag_postings` keys them so);
    - `earliest`: its `fanout` earliest kept carriers among postings of earlier batches (index numbers,
      earliest first, `NONE` past the last), and `last_time` the time of the last of those (POSIX seconds,
      inf when undated or missing);
    - `more`: whether it has more kept carriers of earlier batches than those;
    - `full`: whether its postings are full (`max_postings`).
    """

    fanout: int = 1
    runs: list[_Run] = field(default_factory=list)
    flagged: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    own: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    earliest: I64 = field(init=False)
    last_time: F64 = field(default_factory=lambda: np.zeros(0, dtype=np.float64))
    more: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    full: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def __post_init__(self) -> None:
        self.earliest = np.full((0, self.fanout), NONE, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.flagged)

    def find(self, keys: U64) -> tuple[np.ndarray, I64]:
        """Which keys are held, and their rows (meaningful where held)."""
        held = np.zeros(len(keys), dtype=bool)
        rows = np.zeros(len(keys), dtype=np.int64)
        for run in self.runs:
            at = np.minimum(np.searchsorted(run.hashes, keys), len(run.hashes) - 1)
            found = run.hashes[at] == keys
            held |= found
            rows[found] = run.refs[at[found]]
        return held, rows

    def owned(self, rows: I64, outlets: I64) -> np.ndarray:
        """Whether each outlet (full codes) holds the fingerprint of its row as its own boilerplate."""
        if not len(self.own):
            return np.zeros(len(rows), dtype=bool)
        asked = rows * (1 << 32) + (outlets & 0xFFFFFFFF)
        at = np.minimum(np.searchsorted(self.own, asked), len(self.own) - 1)
        found: np.ndarray = self.own[at] == asked
        return found

    def add(self, hashes: U64, judged: Judged) -> None:
        """Add fingerprints not held yet (`hashes` sorted and unique) with their verdicts (`own`'s
        numbers index `hashes`)."""
        if not len(hashes):
            return
        first = len(self.flagged)
        self.flagged = np.concatenate((self.flagged, judged.flagged))
        # Rows only grow, so the new keys sort after the old ones.
        self.own = np.concatenate((self.own, judged.own + first * (1 << 32)))
        self.earliest = np.concatenate((self.earliest, judged.earliest))
        self.last_time = np.concatenate((self.last_time, judged.last_time))
        self.more = np.concatenate((self.more, judged.more))
        self.full = np.concatenate((self.full, judged.full))
        self.runs.append(_Run(hashes, np.arange(first, first + len(hashes), dtype=np.int64)))
        # Tiered merges keep the runs few (at most log2 of the additions) at little cost each.
        while len(self.runs) > 1 and len(self.runs[-2].hashes) <= len(self.runs[-1].hashes):
            older, newer = self.runs[-2:]
            merged = np.concatenate((older.hashes, newer.hashes))
            order = np.argsort(merged, kind="stable")
            self.runs[-2:] = [_Run(merged[order], np.concatenate((older.refs, newer.refs))[order])]


@dataclass(frozen=True, slots=True)
class Judged:
    """Verdicts of a list of fingerprints, as `Verdicts.add` takes them (see there)."""

    flagged: np.ndarray
    own: I64
    earliest: I64
    last_time: F64
    more: np.ndarray
    full: np.ndarray


def rank_within(keys: np.ndarray) -> I64:
    """Each element's rank among the equal elements before it (`keys` sorted)."""
    if not len(keys):
        return np.zeros(0, dtype=np.int64)
    first = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    rank: I64 = np.arange(len(keys)) - np.repeat(first, np.diff(np.concatenate((first, [len(keys)]))))
    return rank
