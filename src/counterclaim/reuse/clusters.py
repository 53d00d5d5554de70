"""Clusters of articles carrying the same passage, their earliest carrier, and each link's direction.

Spans of one article that overlap are one carrier; links join carriers; connected carriers are a cluster.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from counterclaim.model import Direction, ReuseLink, Span
from counterclaim.reuse.settings import METHOD


class Basis:
    """How an order in time was decided: by distinct dates, between equal dates, or without a date."""

    DATED = "dated"
    TIE = "tie"
    UNDATED = "undated"


@dataclass(frozen=True, slots=True)
class ReuseCluster:
    """Articles carrying one passage, and the earliest of them (`basis` says how sure that order is)."""

    id: str
    earliest: str
    earliest_span: Span
    basis: str
    articles: tuple[str, ...]
    method: str = METHOD


def direction(a: datetime | None, b: datetime | None) -> tuple[Direction, str]:
    """Which of two articles came first, and on what basis."""
    if a is None or b is None:
        return Direction.UNKNOWN, Basis.UNDATED
    if a == b:
        return Direction.UNKNOWN, Basis.TIE
    return (Direction.A_TO_B, Basis.DATED) if a < b else (Direction.B_TO_A, Basis.DATED)


def oriented(link: ReuseLink, published: Mapping[str, datetime | None]) -> ReuseLink:
    """The link with `a` the earlier article when dates tell, else the smaller id first; direction set."""
    way, _ = direction(published.get(link.a), published.get(link.b))
    if way is Direction.B_TO_A or (way is Direction.UNKNOWN and link.b < link.a):
        link = replace(link, a=link.b, a_span=link.b_span, b=link.a, b_span=link.a_span)
        way, _ = direction(published.get(link.a), published.get(link.b))
    return link if link.direction is way else replace(link, direction=way)


class _Carriers:
    """Union-find over (article, merged span) carriers."""

    def __init__(self, links: Sequence[ReuseLink]) -> None:
        spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for link in links:
            spans[link.a].append((link.a_span.start, link.a_span.end))
            spans[link.b].append((link.b_span.start, link.b_span.end))
        self.segments: dict[str, list[tuple[int, int]]] = {a: _merge(s) for a, s in spans.items()}
        self.parent: dict[tuple[str, int], tuple[str, int]] = {}

    def node(self, article: str, span: Span) -> tuple[str, int]:
        for start, end in self.segments[article]:
            if start <= span.start < end:
                return article, start
        raise AssertionError("every link span lies inside a merged segment")

    def find(self, node: tuple[str, int]) -> tuple[str, int]:
        root = self.parent.setdefault(node, node)
        while root != self.parent[root]:
            root = self.parent[root]
        while node != root:
            node, self.parent[node] = self.parent[node], root
        return root

    def union(self, x: tuple[str, int], y: tuple[str, int]) -> None:
        self.parent[self.find(x)] = self.find(y)


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def assign_clusters(
    links: Sequence[ReuseLink], published: Mapping[str, datetime | None]
) -> tuple[list[ReuseLink], list[ReuseCluster]]:
    """Oriented links with cluster ids, and one cluster record per connected set of carriers."""
    links = [oriented(link, published) for link in links]
    carriers = _Carriers(links)
    ends = [(carriers.node(x.a, x.a_span), carriers.node(x.b, x.b_span)) for x in links]
    for x, y in ends:
        carriers.union(x, y)
    members: dict[tuple[str, int], list[int]] = defaultdict(list)
    for number, (x, _) in enumerate(ends):
        members[carriers.find(x)].append(number)
    clusters: list[ReuseCluster] = []
    cluster_of: dict[int, str] = {}
    for numbers in members.values():
        cluster = _cluster([links[n] for n in numbers], published)
        clusters.append(cluster)
        cluster_of.update((n, cluster.id) for n in numbers)
    return [replace(link, cluster=cluster_of[n]) for n, link in enumerate(links)], clusters


def _cluster(links: list[ReuseLink], published: Mapping[str, datetime | None]) -> ReuseCluster:
    weight: dict[str, float] = defaultdict(float)
    spans: dict[str, Span] = {}
    for link in links:
        for article, span in ((link.a, link.a_span), (link.b, link.b_span)):
            weight[article] += link.score
            known = spans.get(article)
            if known is None or span.end - span.start > known.end - known.start:
                spans[article] = span
    dated = [a for a in weight if published.get(a) is not None]
    if dated:
        first = min(published[a] for a in dated)  # type: ignore[type-var]
        tied = [a for a in dated if published[a] == first]
        basis = Basis.DATED if len(tied) == 1 else Basis.TIE
        # An undated carrier may be the true original: the earliest dated one is then only a guess.
        if len(dated) < len(weight):
            basis = Basis.UNDATED
    else:
        tied, basis = list(weight), Basis.UNDATED
    # Among equally early carriers the original is the one closest to all copies: copies drift apart.
    earliest = max(sorted(tied), key=lambda a: weight[a])
    span = spans[earliest]
    digest = hashlib.sha1(f"{earliest}:{span.start}".encode()).hexdigest()[:16]
    return ReuseCluster(f"rc{digest}", earliest, span, basis, tuple(sorted(weight)))
