"""The reuse stage: passages shared verbatim or nearly so between articles of different outlets.

`find_reuse(batch, index)` compares a new batch with an index of everything seen before, then adds the batch.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from counterclaim import records
from counterclaim.model import Article, Direction, ReuseLink, Span
from counterclaim.reuse.align import AlignView, Passage, align, boilerplate_masks
from counterclaim.reuse.clusters import Basis, ReuseCluster, assign_clusters, direction, oriented
from counterclaim.reuse.index import (
    ReuseIndex,
    Shingled,
    boilerplate,
    boilerplate_edges,
    candidate_pairs,
    member,
    signed_positions,
)
from counterclaim.reuse.settings import METHOD, ReuseSettings
from counterclaim.reuse.shingles import I64, Fingerprints

__all__ = [
    "METHOD",
    "Basis",
    "ReuseCluster",
    "ReuseIndex",
    "ReuseSettings",
    "assign_clusters",
    "direction",
    "find_reuse",
    "index_batch",
    "link_record",
    "links_overlapping",
    "match_batch",
    "oriented",
]


def index_batch(new: Sequence[Article], index: ReuseIndex) -> tuple[np.ndarray, Fingerprints]:
    """Register and fingerprint a batch, add it to the index; returns the batch's index numbers and prints.

    The fingerprints' `doc` field holds index numbers and `pos` signed positions (`signed_positions`: an
    edge fingerprint's is negative), so they can be stored as they are.
    """
    index.new_from = len(index)
    numbers = np.asarray([index.register(a.id, a.outlet, a.published_at) for a in new], dtype=np.int64)
    index.keep(new)
    shingled = index.shingled(new)
    prints = shingled.prints
    prints = Fingerprints(prints.hashes, numbers[prints.doc], signed_positions(prints.pos, shingled.edge))
    added = index.add(prints.hashes, prints.doc, prints.pos)
    return numbers, Fingerprints(prints.hashes[added], prints.doc[added], prints.pos[added])


def find_reuse(new: Sequence[Article], index: ReuseIndex) -> list[ReuseLink]:
    """Links between the new articles and everything in the index (the batch included), oriented by time.

    Articles already in the index are skipped. Cluster ids are left empty: `assign_clusters` sets them
    over whatever set of links the caller holds (a batch, a stored component, a whole corpus).
    """
    fresh = [a for a in _unique(new) if a.id not in index]
    if not fresh:
        return []
    numbers, prints = index_batch(fresh, index)
    return match_batch(index, numbers, prints)


def match_batch(index: ReuseIndex, numbers: np.ndarray, added: Fingerprints) -> list[ReuseLink]:
    """Links of a batch already added to the index (by `index_batch`), with everything the index holds.

    `added` (the postings the index kept, which a store saves) is not what candidates are drawn from:
    they come from every fingerprint of the batch, kept or not, so an article carrying a passage the index
    already holds `max_postings` times still joins it (compared with the passage's earliest carriers).
    Which ones were kept says which fingerprints must be judged with the batch's other carriers of them.
    """
    fresh = index.articles(numbers.tolist())
    known = np.asarray([n for n in numbers.tolist() if n in fresh], dtype=np.int64)
    if not len(known):
        return []
    fresh_articles = [fresh[n] for n in known.tolist()]
    fresh_views, flagged, prints = _views(index, fresh_articles, known)
    edge = boilerplate_edges(prints.doc, prints.pos, flagged, index.settings.shingle)
    low, high, _ = candidate_pairs(
        index,
        prints.hashes,
        prints.doc,
        numbers,
        (prints.hashes[edge], prints.doc[edge]),
        index.shingled(fresh_articles).edge,
        _kept(prints, added),
    )
    if not len(low):
        return []
    paired = set(low.tolist()) | set(high.tolist())
    # Views only of the articles some candidate pair needs: most of a batch pairs with nothing.
    by_number = {n: fresh_views.view(i) for i, n in enumerate(known.tolist()) if n in paired}
    older = sorted(paired - set(fresh))
    articles = {**fresh, **index.articles(older)}
    present = np.asarray([n for n in older if n in articles], dtype=np.int64)
    if len(present):
        older_views, _, _ = _views(index, [articles[n] for n in present.tolist()], present)
        by_number.update((n, older_views.view(i)) for i, n in enumerate(present.tolist()))
    published = {index.ids[n]: index.published[n] for n in by_number}
    links: list[ReuseLink] = []
    for x, y in zip(low.tolist(), high.tolist(), strict=True):
        if x in by_number and y in by_number:
            for passage in align(by_number[x], by_number[y], index.settings):
                links.append(oriented(_link(articles[x], articles[y], passage), published))
    return links


def _kept(prints: Fingerprints, added: Fingerprints) -> np.ndarray:
    """Which of a batch's fingerprints (token positions) the index kept (`added`: signed positions)."""
    unsigned = np.where(added.pos < 0, -added.pos - 1, added.pos)
    kept: np.ndarray = member(prints.doc * (1 << 32) + prints.pos, added.doc * (1 << 32) + unsigned)
    return kept


class _Views:
    """Alignment views of a list of articles, built on demand from their batch's tokens and shingles and
    one boilerplate mask over all their tokens."""

    def __init__(self, articles: list[Article], shingled: Shingled, mask: np.ndarray) -> None:
        self.articles = articles
        self.shingled = shingled
        self.mask = mask
        self.shingle_bounds = np.searchsorted(shingled.docs, np.arange(len(articles) + 1))

    def view(self, i: int) -> AlignView:
        tokens = self.shingled.tokens
        lo, hi = int(tokens.bounds[i]), int(tokens.bounds[i + 1])
        own = self.shingled.hashes[self.shingle_bounds[i] : self.shingle_bounds[i + 1]]
        return AlignView(self.articles[i].text, tokens.doc(i), own, self.mask[lo:hi])


def _views(
    index: ReuseIndex, articles: list[Article], numbers: np.ndarray
) -> tuple[_Views, I64, Fingerprints]:
    """Alignment views of the articles a batch's candidates need, the boilerplate fingerprints found in
    them (as `number << 32 | position`, sorted), and all their fingerprints (index numbers as `doc`)."""
    shingled = index.shingled(articles)
    prints = shingled.prints
    flagged = boilerplate(index, prints.hashes, numbers[prints.doc]) if len(prints.hashes) else prints.doc < 0
    tokens = shingled.tokens
    mask = boilerplate_masks(
        tokens.bounds, prints.doc[flagged], prints.pos[flagged], index.settings, tokens.line_starts
    )
    found: I64 = np.sort(numbers[prints.doc[flagged]] * (1 << 32) + prints.pos[flagged])
    return (
        _Views(articles, shingled, mask),
        found,
        Fingerprints(prints.hashes, numbers[prints.doc], prints.pos),
    )


def _unique(articles: Sequence[Article]) -> list[Article]:
    seen: dict[str, Article] = {}
    for article in articles:
        seen.setdefault(article.id, article)
    return list(seen.values())


def _link(a: Article, b: Article, passage: Passage) -> ReuseLink:
    return ReuseLink(
        a=a.id,
        a_span=Span.of(a.text, passage.a_start, passage.a_end),
        b=b.id,
        b_span=Span.of(b.text, passage.b_start, passage.b_end),
        score=passage.score,
        direction=Direction.UNKNOWN,
        cluster="",
        method=METHOD,
    )


def links_overlapping(links: Sequence[ReuseLink], article_id: str, spans: Sequence[Span]) -> list[ReuseLink]:
    """Links whose passage in `article_id` overlaps any of `spans` (an attribution's content, say)."""
    found = []
    for link in links:
        for side, span in ((link.a, link.a_span), (link.b, link.b_span)):
            if side == article_id and any(span.start < s.end and s.start < span.end for s in spans):
                found.append(link)
                break
    return found


def link_record(
    link: ReuseLink, cluster: ReuseCluster | None = None, basis: str | None = None
) -> dict[str, object]:
    """One link as the JSON object `counterclaim reuse --json` prints per line: the one reuse link record
    (`counterclaim.records`) with how its direction and its cluster's earliest carrier were decided.

    `basis` says how the direction was decided: "dated", "tie" (same moment) or "undated".
    """
    record: dict[str, object] = records.reuse_link_record(link)
    if basis is not None:
        record["basis"] = basis
    if cluster is not None:
        record["earliest"] = cluster.earliest
        # "dated": one carrier is the earliest; "tie": several share the earliest moment (`earliest` is the
        # one closest to all copies); "undated": some carriers have no date, so one of them may be earlier.
        record["earliest_basis"] = cluster.basis
        record["carriers"] = len(cluster.articles)
    return record
