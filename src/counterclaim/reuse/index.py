"""The inverted index of winnowed fingerprints, partitioned by hash, and candidate pairs drawn from it.

Each partition is searched by a pure function over arrays, so partitions map over processes or a cluster.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

import numpy as np

from counterclaim.model import Article
from counterclaim.reuse.frozen import NONE, Judged, Verdicts, rank_within
from counterclaim.reuse.settings import ReuseSettings
from counterclaim.reuse.shingles import (
    F64,
    I64,
    U64,
    Fingerprints,
    TokenBatch,
    batch_shingles,
    tokenize,
    winnow,
)

ArticleLoader = Callable[[Sequence[str]], list[Article]]
Keys = TypeVar("Keys", U64, I64)


@dataclass(slots=True)
class _Chunk:
    hashes: U64  # sorted
    docs: I64
    positions: I64  # signed: `-(position + 1)` for a fingerprint at an article edge (`at_edges`)


@dataclass(slots=True)
class _Partition:
    fanout: int = 1
    chunks: list[_Chunk] = field(default_factory=list)
    # Fingerprints whose postings are full, judged once (`ReuseIndex.add` fills it).
    frozen: Verdicts = field(init=False)
    # Verdicts by the postings as they are in this batch (`boilerplate`, `partition_candidates`): a batch
    # asks about its own fingerprints several times, and its older articles' fingerprints are mostly the
    # same ones. Any new posting, and the next batch, clear them.
    judged: Verdicts = field(init=False)

    def __post_init__(self) -> None:
        self.frozen = Verdicts(self.fanout)
        self.judged = Verdicts(self.fanout)

    def add_sorted(self, hashes: U64, docs: I64, positions: I64) -> None:
        """Add postings already sorted by hash (ties in insertion order) as one new run."""
        if len(hashes) and len(self.judged):
            self.judged = Verdicts(self.fanout)
        self.chunks.append(_Chunk(hashes, docs, positions))
        # Few sorted runs keep lookups cheap. Tiered merges: a run is merged into the one before it while
        # that one is no larger, so runs halve in size from the oldest, there are at most log2(batches) + 1
        # of them, and each posting is merged that many times at most (a full merge every few batches
        # would rewrite the whole index each time: quadratic in the corpus).
        while len(self.chunks) > 1 and len(self.chunks[-2].hashes) <= len(self.chunks[-1].hashes):
            self.chunks[-2:] = [_merge(self.chunks[-2:])]

    def ranges(self, keys: U64) -> tuple[list[I64], list[I64]]:
        """Where each key's postings lie in each run: `keys` should be sorted.

        Sorted keys walk every run front to back, so the binary searches of neighbouring keys share cache
        lines; unsorted keys into a run of millions miss the cache at nearly every step.
        """
        lefts = [np.searchsorted(c.hashes, keys, "left") for c in self.chunks]
        rights = [np.searchsorted(c.hashes, keys, "right") for c in self.chunks]
        return lefts, rights

    def counts(self, keys: U64) -> I64:
        return _sizes(*self.ranges(keys), len(keys))

    def postings(self, keys: U64, limit: int) -> tuple[I64, I64, I64]:
        """(key index, doc, signed position) of every posting of `keys`, skipping keys with more than
        `limit` postings."""
        return self.postings_in(keys, *self.ranges(keys), limit)

    def postings_in(self, keys: U64, lefts: list[I64], rights: list[I64], limit: int) -> tuple[I64, I64, I64]:
        """`postings` over ranges already found by `ranges`."""
        keep = _sizes(lefts, rights, len(keys)) <= limit
        groups: list[I64] = []
        docs: list[I64] = []
        positions: list[I64] = []
        for chunk, lo, r in zip(self.chunks, lefts, rights, strict=True):
            counts = np.where(keep, r - lo, 0)
            if not counts.any():
                continue
            group = np.repeat(np.arange(len(keys)), counts)
            offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
            groups.append(group)
            docs.append(chunk.docs[lo[group] + offsets])
            positions.append(chunk.positions[lo[group] + offsets])
        if not groups:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        return np.concatenate(groups), np.concatenate(docs), np.concatenate(positions)


def _sizes(lefts: list[I64], rights: list[I64], count: int) -> I64:
    total = np.zeros(count, dtype=np.int64)
    for lo, r in zip(lefts, rights, strict=True):
        total += r - lo
    return total


def _merge(chunks: list[_Chunk]) -> _Chunk:
    hashes = np.concatenate([c.hashes for c in chunks])
    order = np.argsort(hashes, kind="stable")
    docs = np.concatenate([c.docs for c in chunks])[order]
    positions = np.concatenate([c.positions for c in chunks])[order]
    return _Chunk(hashes[order], docs, positions)


@dataclass(frozen=True, slots=True)
class Shingled:
    """A batch's tokens, every shingle (hash, text, token position), the winnowed fingerprints, and which
    of those sit at their article's edges (`at_edges`)."""

    tokens: TokenBatch
    hashes: U64
    docs: I64
    positions: I64
    prints: Fingerprints
    edge: np.ndarray


def at_edges(positions: I64, lengths: I64, settings: ReuseSettings) -> np.ndarray:
    """Whether fingerprints (token position, length of their article in tokens) sit at an article's edge:
    among its first or last `edge_words` words, at most `edge_share` of the article at each end. Navigation,
    bylines, bios, credits, footers and legal lines sit there; a passage a story is about sits in the body."""
    zone = np.minimum(settings.edge_words, (lengths * settings.edge_share).astype(np.int64))
    edge: np.ndarray = (positions < zone) | (positions + settings.shingle > lengths - zone)
    return edge


def signed_positions(positions: I64, edge: np.ndarray) -> I64:
    """Token positions as the index keeps them: `-(position + 1)` at an article's edge, so the flag needs no
    column of its own in the stored index."""
    signed: I64 = np.where(edge, -positions - 1, positions)
    return signed


class ReuseIndex:
    """Fingerprints of every article seen so far, with each article's outlet and publication time.

    Held in memory; `counterclaim.store.reuse` fills one from the stored index with only the fingerprints a
    new batch can match, and a `loader` that fetches older articles' text when a candidate needs aligning.
    """

    def __init__(self, settings: ReuseSettings | None = None, loader: ArticleLoader | None = None) -> None:
        self.settings = settings or ReuseSettings()
        self.loader = loader
        self.ids: list[str] = []
        self.numbers: dict[str, int] = {}
        self._outlets: list[int] = []
        self._outlet_codes: dict[str, int] = {}
        self._outlet_array: I64 = np.zeros(0, dtype=np.int64)
        self.published: list[datetime | None] = []
        self._times: F64 = np.zeros(0, dtype=np.float64)
        self._shingled: tuple[tuple[str, ...], Shingled] | None = None
        self._articles: dict[int, Article] = {}
        # The first index number of the batch being compared: postings below it are of earlier batches.
        self.new_from = 0
        self.partitions = [_Partition(self.settings.fanout) for _ in range(self.settings.partitions)]

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, article_id: str) -> bool:
        return article_id in self.numbers

    def register(self, article_id: str, outlet: str | None, published: datetime | None) -> int:
        """The index number of an article, adding it when new."""
        known = self.numbers.get(article_id)
        if known is not None:
            return known
        number = len(self.ids)
        self.ids.append(article_id)
        self.numbers[article_id] = number
        # An article without an outlet is its own outlet: it may be linked with anything.
        code = self._outlet_codes.setdefault(outlet, len(self._outlet_codes)) if outlet else -(number + 1)
        self._outlets.append(code)
        self.published.append(published)
        return number

    def shingled(self, articles: Sequence[Article]) -> Shingled:
        """Tokens, shingles and fingerprints of these articles (`doc` is the position in `articles`); the
        last batch asked for is kept, since storing, indexing and aligning a batch all need them."""
        key = tuple(a.id for a in articles)
        if self._shingled is None or self._shingled[0] != key:
            tokens = tokenize([a.text for a in articles])
            hashes, docs, positions = batch_shingles(tokens, self.settings.shingle)
            prints = winnow(hashes, docs, positions, self.settings.window)
            lengths = np.diff(tokens.bounds)[prints.doc]
            edge = at_edges(prints.pos, lengths, self.settings)
            self._shingled = (key, Shingled(tokens, hashes, docs, positions, prints, edge))
        return self._shingled[1]

    def keep(self, articles: Iterable[Article]) -> None:
        for article in articles:
            self._articles[self.numbers[article.id]] = article

    def outlet_codes(self) -> I64:
        """Every article's outlet code; extended as articles register, not rebuilt on every call (a batch
        asks for it per partition, and rebuilding it costs in proportion to the corpus)."""
        if len(self._outlet_array) < len(self._outlets):
            more = np.asarray(self._outlets[len(self._outlet_array) :], dtype=np.int64)
            self._outlet_array = np.concatenate((self._outlet_array, more))
        return self._outlet_array

    def timestamps(self) -> F64:
        """Publication time of every article as POSIX seconds, NaN when undated."""
        if len(self._times) < len(self.published):
            more = [p.timestamp() if p else math.nan for p in self.published[len(self._times) :]]
            self._times = np.concatenate((self._times, np.asarray(more, dtype=np.float64)))
        return self._times

    def articles(self, numbers: Sequence[int]) -> dict[int, Article]:
        """The articles with these index numbers, from memory or through the loader."""
        found = {n: self._articles[n] for n in numbers if n in self._articles}
        missing = [self.ids[n] for n in numbers if n not in found]
        if missing and self.loader is not None:
            for article in self.loader(missing):
                found[self.numbers[article.id]] = article
        return found

    def split(self, hashes: U64) -> list[I64]:
        """Indices of `hashes` falling in each partition."""
        part = (hashes % np.uint64(len(self.partitions))).astype(np.int64)
        order = np.argsort(part, kind="stable")
        bounds = np.searchsorted(part[order], np.arange(len(self.partitions) + 1))
        return [order[bounds[p] : bounds[p + 1]] for p in range(len(self.partitions))]

    def add(self, hashes: U64, docs: I64, positions: I64) -> U64:
        """Add postings (`docs` are index numbers, `positions` signed as by `signed_positions`), skipping
        hashes that already hold `max_postings`.

        The cap bounds the index: no hash holds more than `max_postings` postings however large the corpus.
        A hash found full here (by postings of earlier calls) is judged once and for all (`freeze`).
        Returns the postings that were added, so a stored index saves those.
        """
        cap = self.settings.max_postings
        outlets = self.outlet_codes()
        kept: list[I64] = []
        for partition in self.partitions:
            # Kept for one batch: which postings count as earlier ones changes with the next.
            partition.judged = Verdicts(self.settings.fanout)
        for number, picked in enumerate(self.split(hashes)):
            if not len(picked):
                continue
            # Sorted once here: the lookups below need sorted keys to stay cache-friendly, and the new run
            # is stored sorted anyway (stable, so equal hashes keep their batch order).
            picked = picked[np.argsort(hashes[picked], kind="stable")]
            partition = self.partitions[number]
            held, _ = partition.frozen.find(hashes[picked])
            picked = picked[~held]
            keys = hashes[picked]
            unique, inverse = _unique_sorted(keys)
            lefts, rights = partition.ranges(unique)
            counts = _sizes(lefts, rights, len(unique))
            full = counts == cap
            if full.any():
                self.freeze(partition, unique[full], ([x[full] for x in lefts], [x[full] for x in rights]))
            # Postings of a full hash find no room below; those of a hash just frozen are read once more.
            room = self._outlet_room(partition, unique, inverse, (lefts, rights), outlets[docs[picked]])
            picked, keys = picked[room], keys[room]
            room = counts[inverse[room]] + rank_within(keys) < cap
            picked = picked[room]
            partition.add_sorted(keys[room], docs[picked], positions[picked])
            kept.append(picked)
        return np.sort(np.concatenate(kept)) if kept else np.zeros(0, dtype=np.int64)

    def freeze(self, partition: _Partition, keys: U64, ranges: tuple[list[I64], list[I64]]) -> None:
        """Judge full hashes (sorted `keys`, their ranges in the partition's runs) for good: found full
        before a batch's postings are added, their postings never change again (`judge`)."""
        partition.frozen.add(keys, self.judge(partition, keys, ranges))

    def judge(
        self, partition: _Partition, keys: U64, ranges: tuple[list[I64], list[I64]] | None = None
    ) -> Judged:
        """Verdicts of sorted, distinct hashes by the postings the partition holds (their ranges in its
        runs, when known): boilerplate or not (`flag_postings`), and their earliest carriers of earlier
        batches that may seed a pair (the order `partition_candidates` puts carriers in: earliest first,
        undated last, then by number).

        A hash found full before a batch's postings are added never changes again: `add` judges it then,
        once, and `frozen` keeps its verdict for every later batch.
        """
        settings = self.settings
        outlets, times = self.outlet_codes(), self.timestamps()
        limit = settings.max_postings + 1
        found = (
            partition.postings(keys, limit) if ranges is None else partition.postings_in(keys, *ranges, limit)
        )
        groups, docs, positions = found
        full = np.bincount(groups, minlength=len(keys)) == settings.max_postings
        pair_key, first = np.unique(groups * (1 << 32) + docs, return_index=True)
        groups, docs, edge = pair_key >> 32, pair_key & 0xFFFFFFFF, positions[first] < 0
        flagged, own = flag_postings(groups, docs, outlets, times, settings, edge, len(keys))
        keep = ~flagged[groups] & ~member(groups * (1 << 32) + (outlets[docs] & 0xFFFFFFFF), own)
        keep &= docs < self.new_from
        groups, docs = groups[keep], docs[keep]
        when = np.nan_to_num(times[docs], nan=np.inf)
        order = np.lexsort((docs, when, groups))
        groups, docs, when = groups[order], docs[order], when[order]
        rank = rank_within(groups)
        few = rank < settings.fanout
        earliest = np.full((len(keys), settings.fanout), NONE, dtype=np.int64)
        earliest[groups[few], rank[few]] = docs[few]
        last_time = np.full(len(keys), np.inf)
        last = rank == settings.fanout - 1
        last_time[groups[last]] = when[last]
        more = np.bincount(groups, minlength=len(keys)) > settings.fanout
        return Judged(flagged, own, earliest, last_time, more, full)

    def _outlet_room(
        self,
        partition: _Partition,
        unique: U64,
        inverse: I64,
        ranges: tuple[list[I64], list[I64]],
        outlets: I64,
    ) -> np.ndarray:
        """Which new postings (of `unique[inverse]`, sorted) fit under `per_outlet_docs + 1` postings per hash
        and outlet: that many already show an outlet's own boilerplate, and more would only fill the index."""
        codes = self.outlet_codes()
        groups, held, _ = partition.postings_in(unique, *ranges, np.iinfo(np.int64).max)
        known = np.sort(groups * (1 << 32) + (codes[held] & 0xFFFFFFFF))
        asked = inverse * (1 << 32) + (outlets & 0xFFFFFFFF)
        already = np.searchsorted(known, asked, "right") - np.searchsorted(known, asked, "left")
        order = np.argsort(asked, kind="stable")
        rank = np.empty(len(asked), dtype=np.int64)
        rank[order] = rank_within(asked[order])
        room: np.ndarray = already + rank <= self.settings.per_outlet_docs
        return room


def member(values: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """`np.isin` by one sort and a binary search: NumPy's `isin` hashes 64-bit keys, ten times slower."""
    if not len(pool) or not len(values):
        return np.zeros(len(values), dtype=bool)
    pool = np.sort(pool)
    found: np.ndarray = pool[np.minimum(np.searchsorted(pool, values), len(pool) - 1)] == values
    return found


def _unique_sorted(keys: Keys) -> tuple[Keys, I64]:
    """The distinct values of sorted `keys`, and where each key is among them (NumPy's `unique` hashes
    64-bit keys, which costs more than a pass over sorted ones)."""
    starts = np.concatenate(([True], keys[1:] != keys[:-1])) if len(keys) else np.zeros(0, dtype=bool)
    inverse: I64 = np.cumsum(starts) - 1
    return keys[starts], inverse


def flag_postings(
    groups: I64,
    docs: I64,
    outlets: I64,
    times: F64,
    settings: ReuseSettings,
    edge: np.ndarray | None = None,
    count: int | None = None,
) -> tuple[np.ndarray, I64]:
    """Boilerplate among postings (`groups` sorted, one posting per group and doc; `edge`: which postings
    sit at their article's edges, none when not given; `count`: how many groups, the largest one's number
    plus one when not given).

    Returns, per group, whether the fingerprint is boilerplate for everyone (a shared template line: several
    outlets each repeat it; or over the caps and spread over time), and the sorted `group << 32 | outlet`
    keys of outlets that hold it as their own boilerplate: in more than `per_outlet_docs` of their articles,
    unless those copies sit inside the body and within `viral_days` (one outlet running a story again and
    again, which several outlets each doing is not: that is a template line again).
    """
    if count is None:
        count = int(groups.max()) + 1 if len(groups) else 0
    outlet_key = groups * (1 << 32) + (outlets[docs] & 0xFFFFFFFF)
    seen, inverse, per_outlet = np.unique(outlet_key, return_inverse=True, return_counts=True)
    repeating = per_outlet > settings.per_outlet_docs
    own_lines = repeating
    if edge is not None and repeating.any():
        own_lines = repeating & ~_repeated_in_a_burst(
            inverse, repeating, per_outlet, edge, times[docs], settings
        )
    holders = np.bincount(seen >> 32, minlength=count)
    shared = np.bincount(seen[repeating] >> 32, minlength=count) >= settings.shared_outlets
    carriers = np.bincount(groups, minlength=count)
    common = (carriers > settings.max_docs) | (holders > settings.max_outlets)
    flagged = shared | (common & _scattered(groups, times[docs], count, settings.viral_days * 86400.0))
    recurring = (carriers >= settings.recurring_docs) & (holders > 1) & ~flagged
    if recurring.any():
        window = settings.recurring_days * 86400.0
        flagged |= recurring & _scattered(groups, times[docs], count, window, proven=True)
    own: I64 = seen[own_lines]
    return flagged, own


def _repeated_in_a_burst(
    inverse: I64,
    repeating: np.ndarray,
    per_outlet: I64,
    edge: np.ndarray,
    times: F64,
    settings: ReuseSettings,
) -> np.ndarray:
    """Per (fingerprint, outlet): whether its repeated copies sit mostly in the body, not at the edges, and
    within `viral_days` (half of them at least; undated copies count as spread)."""
    picked = np.flatnonzero(repeating)
    mine = repeating[inverse]
    local = np.searchsorted(picked, inverse[mine])
    at_edge = np.bincount(local, weights=edge[mine], minlength=len(picked))
    body = at_edge * 2 < per_outlet[picked]
    burst = ~_scattered(local, times[mine], len(picked), settings.viral_days * 86400.0)
    found: np.ndarray = np.zeros(len(repeating), dtype=bool)
    found[picked[body & burst]] = True
    return found


def _scattered(groups: I64, times: F64, count: int, window: float, proven: bool = False) -> np.ndarray:
    """Per group: whether its dated postings are scattered over time, the densest `window` seconds holding
    fewer than half of them (copying bursts; boilerplate recurs). A group with fewer dated than undated
    postings counts as scattered (nothing says it is not), unless `proven` asks for dates that show it."""
    dated = ~np.isnan(times)
    total = np.bincount(groups, minlength=count)
    known = np.bincount(groups[dated], minlength=count)
    scattered = (known * 2 < total) & (not proven)
    g, t = groups[dated], times[dated]
    if not len(g):
        return scattered
    # One sorted key per posting, group first, then whole seconds: within-group windows by one search.
    # Whole seconds from a whole second, so which other groups share the call changes nothing.
    seconds = (np.floor(t) - np.floor(t.min())).astype(np.int64)
    key = np.sort(g * (1 << 34) + seconds)
    reach = np.searchsorted(key, key + int(window), side="right") - np.arange(len(key))
    starts = np.searchsorted(key >> 34, np.arange(count))
    has = known > 0
    densest = np.zeros(count, dtype=np.int64)
    densest[has] = np.maximum.reduceat(reach, starts[has])
    scattered[has] |= densest[has] * 2 < known[has]
    return scattered


def partition_boilerplate(
    index: ReuseIndex, partition: _Partition, keys: U64, outlets_of_keys: I64
) -> np.ndarray:
    """Whether each (fingerprint, outlet) is boilerplate, by the postings the partition holds: read once
    for a full fingerprint (`frozen`), once per batch for the others (`judged`)."""
    unique, inverse = _unique_inverse(keys)
    result: np.ndarray = np.zeros(len(keys), dtype=bool)
    sources, rows = _verdicts_of(index, partition, unique)
    for source, verdicts in enumerate((partition.frozen, partition.judged)):
        mine = sources[inverse] == source
        where = rows[inverse[mine]]
        result[mine] = verdicts.flagged[where] | verdicts.owned(where, outlets_of_keys[mine])
    return result


def _verdicts_of(index: ReuseIndex, partition: _Partition, unique: U64) -> tuple[I64, I64]:
    """Where the verdict of each of `unique` (sorted, distinct hashes) is kept: 0 in the partition's
    `frozen`, 1 in its `judged` (judging those not judged yet in this batch), and in which row."""
    frozen, rows = partition.frozen.find(unique)
    judged, judged_rows = partition.judged.find(unique)
    missing = ~frozen & ~judged
    if missing.any():
        partition.judged.add(unique[missing], index.judge(partition, unique[missing]))
        judged, judged_rows = partition.judged.find(unique)
    sources: I64 = np.where(frozen, 0, 1)
    rows[~frozen] = judged_rows[~frozen]
    return sources, rows


def _unique_inverse(keys: U64) -> tuple[U64, I64]:
    """The distinct keys, sorted, and where each key is among them, by one sort (NumPy's `unique` hashes
    64-bit keys, which costs more)."""
    order = np.argsort(keys, kind="stable")
    unique, inverse_sorted = _unique_sorted(keys[order])
    inverse = np.empty(len(keys), dtype=np.int64)
    inverse[order] = inverse_sorted
    return unique, inverse


def boilerplate(index: ReuseIndex, hashes: U64, docs: I64) -> np.ndarray:
    """Which fingerprints (hash, index number) are boilerplate for their article (see `flag_postings`)."""
    outlets = index.outlet_codes()
    flagged = np.zeros(len(hashes), dtype=bool)
    for p, picked in enumerate(index.split(hashes)):
        if len(picked):
            flagged[picked] = partition_boilerplate(
                index, index.partitions[p], hashes[picked], outlets[docs[picked]]
            )
    return flagged


def boilerplate_edges(docs: I64, positions: I64, flagged: I64, shingle: int) -> np.ndarray:
    """Which fingerprints (index number, token position) overlap a boilerplate fingerprint's shingle in
    their own article; `flagged` holds those as `number << 32 | position`, sorted.

    Alignment masks every word of a boilerplate shingle, so such a fingerprint can never seed a passage.
    Left in, the shingles at the edges of a legal line or footer (its first words plus a common word
    before it) pair articles by chance: per batch in proportion to the index size (until the caps fill),
    so in total with the square of the corpus, and each such pair costs a failed alignment.
    """
    if not len(flagged) or not len(docs):
        return np.zeros(len(docs), dtype=bool)
    keys = docs * (1 << 32) + positions
    at = np.searchsorted(flagged, keys)
    after = flagged[np.minimum(at, len(flagged) - 1)]
    before = flagged[np.maximum(at - 1, 0)]
    # Positions stay far below 2**32, so a distance under one shingle means the same article.
    edge: np.ndarray = (np.abs(after - keys) < shingle) | (np.abs(keys - before) < shingle)
    return edge


@dataclass(frozen=True, slots=True)
class _NewCarriers:
    """A batch's fingerprints in one partition: hashes, index numbers, which ones may not seed a pair
    (`boilerplate_edges`), which sit at their article's edges, and which ones the index kept."""

    keys: U64
    docs: I64
    blocked: np.ndarray
    edges: np.ndarray
    kept: np.ndarray

    def subset(self, rows: np.ndarray) -> _NewCarriers:
        return _NewCarriers(
            self.keys[rows], self.docs[rows], self.blocked[rows], self.edges[rows], self.kept[rows]
        )


def partition_candidates(
    index: ReuseIndex, partition: _Partition, carriers: _NewCarriers, is_new: np.ndarray
) -> I64:
    """Article pairs (`low << 32 | high`) sharing a fingerprint among the batch's, boilerplate dropped.

    The carriers of a fingerprint are the batch's (`carriers`, whether or not the index kept them) and
    the postings the partition holds. Each carrier is paired with the `fanout` earliest carriers of the
    fingerprint only, so the pairs of a passage grow linearly with its carriers. Only pairs of different
    outlets with at least one new article are drawn: older pairs were drawn before.

    A fingerprint is judged by its postings and the batch's carriers the index did not keep (past an
    outlet's share); a full one by its postings alone, as `add` judges it for good. Judged by its
    postings alone, its verdict and earliest carriers of earlier batches are the ones `judge` keeps, and
    the batch's carriers are paired with those without reading the postings again: unless a new carrier
    comes before them and other kept carriers follow, which then pair with it.
    """
    unique, key_group = _unique_inverse(carriers.keys)
    sources, rows = _verdicts_of(index, partition, unique)
    # Carriers the index did not keep, below the cap: judged with them, by the postings.
    by_postings = np.zeros(len(unique), dtype=bool)
    by_postings[key_group[~carriers.kept]] = True
    judged = sources == 1
    by_postings[judged] &= ~partition.judged.full[rows[judged]]
    by_postings[~judged] = False
    route = np.where(by_postings, -1, sources)[key_group]
    found: list[I64] = []
    for source, verdicts in enumerate((partition.frozen, partition.judged)):
        mine = np.flatnonzero(route == source)
        if len(mine):
            pairs, again = _pairs_by_verdicts(index, verdicts, rows[key_group[mine]], carriers.subset(mine))
            found.append(pairs)
            route[mine[again]] = -1
    rest = route == -1
    if rest.any():
        found.append(_candidates_by_postings(index, partition, carriers.subset(rest), is_new))
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def _pairs_by_verdicts(
    index: ReuseIndex, verdicts: Verdicts, rows: I64, carriers: _NewCarriers
) -> tuple[I64, np.ndarray]:
    """Pairs of new carriers of fingerprints judged by their postings alone (`rows` in `verdicts`) with
    the earliest carriers: those of earlier batches kept in `verdicts`, or new ones before them. And which
    of the given carriers must be paired through the postings instead: where a new carrier comes before
    the last kept earliest carrier and more kept carriers of earlier batches follow (they pair with it)."""
    outlets, times, fanout = index.outlet_codes(), index.timestamps(), index.settings.fanout
    row_key = rows * (1 << 32) + carriers.docs
    # One carrier per article and fingerprint (winnowing can pick one hash twice in an article); it may
    # not seed a pair when any of its copies may not.
    carrier_key, _ = _unique_sorted(np.sort(row_key))
    at, docs = carrier_key >> 32, carrier_key & 0xFFFFFFFF
    keep = ~verdicts.flagged[at] & ~verdicts.owned(at, outlets[docs])
    if carriers.blocked.any():
        keep &= ~member(carrier_key, row_key[carriers.blocked])
    at, docs = at[keep], docs[keep]
    when = np.nan_to_num(times[docs], nan=np.inf)
    # New carriers have larger index numbers than every earlier one: on a tie in time they come after.
    again = np.zeros(len(verdicts), dtype=bool)
    again[at[verdicts.more[at] & (when < verdicts.last_time[at])]] = True
    late = ~again[at]
    at, docs, when = at[late], docs[late], when[late]
    groups, _ = _unique_sorted(at)
    early_group = np.repeat(groups, fanout)
    early = verdicts.earliest[groups].reshape(-1)
    some = early != NONE
    early_group, early = early_group[some], early[some]
    groups = np.concatenate((early_group, at))
    docs = np.concatenate((early, docs))
    when = np.concatenate((np.nan_to_num(times[early], nan=np.inf), when))
    new = np.concatenate((np.zeros(len(early), dtype=bool), np.ones(len(at), dtype=bool)))
    order = np.lexsort((docs, when, groups))
    docs, new = docs[order], new[order]
    first, second = _pairs_with_earliest(groups[order], fanout)
    a, b = docs[first], docs[second]
    useful = (outlets[a] != outlets[b]) & (new[first] | new[second])
    a, b = a[useful], b[useful]
    pairs: I64 = np.minimum(a, b) * (1 << 32) + np.maximum(a, b)
    redo: np.ndarray = again[rows]
    return pairs, redo


def _candidates_by_postings(
    index: ReuseIndex, partition: _Partition, carriers: _NewCarriers, is_new: np.ndarray
) -> I64:
    """`partition_candidates` over the postings."""
    settings, outlets, times = index.settings, index.outlet_codes(), index.timestamps()
    unique, key_group = _unique_inverse(carriers.keys)
    key_docs = carriers.docs
    groups, docs, positions = partition.postings(unique, settings.max_postings + 1)
    held = len(groups)
    # One posting per article and fingerprint (winnowing can pick one hash twice in an article).
    pair_key, first = np.unique(
        np.concatenate((groups * (1 << 32) + docs, key_group * (1 << 32) + key_docs)), return_index=True
    )
    edge = np.concatenate((positions < 0, carriers.edges))[first]
    full = np.bincount(groups, minlength=len(unique)) == settings.max_postings
    groups, docs = pair_key >> 32, pair_key & 0xFFFFFFFF
    extra = (first >= held) & ~full[groups]
    by_postings = np.ones(len(unique), dtype=bool)
    by_postings[groups[extra]] = False
    flagged = np.zeros(len(unique), dtype=bool)
    owned = np.zeros(len(groups), dtype=bool)
    if by_postings.any():
        # Judged by the postings alone: the verdict `judge` keeps.
        sources, at = _verdicts_of(index, partition, unique)
        for source, verdicts in enumerate((partition.frozen, partition.judged)):
            mine = by_postings & (sources == source)
            flagged[mine] = verdicts.flagged[at[mine]]
            rows = mine[groups]
            owned[rows] = verdicts.owned(at[groups[rows]], outlets[docs[rows]])
    if not by_postings.all():
        rows = ~by_postings[groups]
        union, own = flag_postings(
            groups[rows], docs[rows], outlets, times, settings, edge[rows], len(unique)
        )
        flagged[~by_postings] = union[~by_postings]
        owned[rows] = member(groups[rows] * (1 << 32) + (outlets[docs[rows]] & 0xFFFFFFFF), own)
    keep = ~flagged[groups] & ~owned
    if carriers.blocked.any():
        blocked = carriers.blocked
        keep &= ~member(pair_key, key_group[blocked] * (1 << 32) + key_docs[blocked])
    groups, docs = groups[keep], docs[keep]
    if not len(groups):
        return np.zeros(0, dtype=np.int64)
    # Earliest first; undated carriers last (nothing says they came first).
    order = np.lexsort((docs, np.nan_to_num(times[docs], nan=np.inf), groups))
    groups, docs = groups[order], docs[order]
    first, second = _pairs_with_earliest(groups, settings.fanout)
    a, b = docs[first], docs[second]
    useful = (outlets[a] != outlets[b]) & (is_new[a] | is_new[b])
    a, b = a[useful], b[useful]
    keys_out: I64 = np.minimum(a, b) * (1 << 32) + np.maximum(a, b)
    return keys_out


def _pairs_with_earliest(groups: I64, fanout: int) -> tuple[I64, I64]:
    """Index pairs (i, j) of postings of one group where j is among the `fanout` first of the group and
    before i (`groups` sorted, each group in its order)."""
    size = len(groups)
    starts = np.flatnonzero(np.concatenate(([True], groups[1:] != groups[:-1])))
    lengths = np.diff(np.concatenate((starts, [size])))
    start_of = np.repeat(starts, lengths)
    partners = np.minimum(np.arange(size) - start_of, fanout)
    first = np.repeat(np.arange(size), partners)
    offsets = np.arange(int(partners.sum())) - np.repeat(np.cumsum(partners) - partners, partners)
    return first, start_of[first] + offsets


def candidate_pairs(
    index: ReuseIndex,
    new_hashes: U64,
    new_docs: I64,
    new_numbers: I64,
    excluded: tuple[U64, I64] | None = None,
    new_edges: np.ndarray | None = None,
    new_kept: np.ndarray | None = None,
) -> tuple[I64, I64, I64]:
    """Candidate article pairs (low, high index numbers) of a batch, and how many fingerprints each shares.

    `new_hashes` and `new_docs` are every fingerprint of the batch (index numbers); `excluded` (hashes,
    index numbers: some of the batch's) are postings of the batch that may not seed a pair; `new_edges`
    which fingerprints sit at their article's edges; `new_kept` which ones the index kept (none when not
    given: then every fingerprint is judged by reading its postings).
    """
    is_new = np.zeros(len(index), dtype=bool)
    is_new[new_numbers] = True
    unique, key_group = _unique_inverse(new_hashes)
    blocked = np.zeros(len(new_hashes), dtype=bool)
    if excluded is not None and len(excluded[0]):
        dropped = np.searchsorted(unique, excluded[0]) * (1 << 32) + excluded[1]
        blocked = member(key_group * (1 << 32) + new_docs, dropped)
    batch = _NewCarriers(
        new_hashes,
        new_docs,
        blocked,
        new_edges if new_edges is not None else np.zeros(len(new_hashes), dtype=bool),
        new_kept if new_kept is not None else np.zeros(len(new_hashes), dtype=bool),
    )
    found = [
        partition_candidates(index, index.partitions[p], batch.subset(picked), is_new)
        for p, picked in enumerate(index.split(new_hashes))
        if len(picked)
    ]
    keys = np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
    unique, seeds = np.unique(keys, return_counts=True)
    keep = seeds >= index.settings.min_seeds
    unique = unique[keep]
    return unique >> 32, unique & 0xFFFFFFFF, seeds[keep]
