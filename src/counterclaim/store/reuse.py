"""Saving and loading the reuse stage: links, clusters and the stored fingerprint index.

The stage (`counterclaim.stages.reuse`) loads the part of the index a batch can match and saves what it finds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from counterclaim.model import Article, Attribution, Direction, ReuseLink, Span
from counterclaim.reuse import (
    ReuseCluster,
    ReuseIndex,
    ReuseSettings,
    assign_clusters,
)
from counterclaim.reuse import links_overlapping as _links_overlapping
from counterclaim.store import Store
from counterclaim.store.schema.articles import articles as articles_table
from counterclaim.store.schema.reuse import reuse_clusters, reuse_fingerprints, reuse_indexed, reuse_links
from counterclaim.text import utc

# Keys per IN list (two lists per statement at most: SQLite allows 32766 bound values, PostgreSQL 65535).
_CHUNK = 5000
# Fingerprint lookups ask for hundreds of thousands of hashes per batch: fewer, larger statements.
_HASH_CHUNK = 20000
# Hops followed from new links through stored ones when re-clustering.
_CLUSTER_HOPS = 4
# Rounds of reading the links of stored clusters that a new cluster meets past that horizon (save_clustered).
_CLUSTER_ROUNDS = 4
# Page cache of a connection that reads or writes the fingerprint index (SQLite), in KiB.
_SQLITE_CACHE_KB = 131072


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _in(column: sa.ColumnElement[Any], keys: Sequence[Any]) -> sa.ColumnElement[bool]:
    """`column IN keys` as one expanding parameter: a list of literals is coerced one by one when the
    statement is built, which costs more than the lookup for thousands of ids."""
    return column.in_(sa.bindparam(None, value=list(keys), expanding=True))


def not_indexed(store: Store, articles: list[Article]) -> list[Article]:
    unique = list({a.id: a for a in articles}.values())
    known: set[str] = set()
    with store.engine.connect() as conn:
        for chunk in _chunks([a.id for a in unique]):
            rows = conn.execute(
                sa.select(reuse_indexed.c.article_id).where(_in(reuse_indexed.c.article_id, chunk))
            )
            known.update(r[0] for r in rows)
    return [a for a in unique if a.id not in known]


def forget_indexed(conn: Connection, article_ids: Sequence[str] | None = None) -> None:
    """Remove these articles (all when None) from the fingerprint index with their links, so reuse runs again.

    Clusters are kept: the next run re-clusters whatever its new links touch.
    """
    if article_ids is None:
        for table in (reuse_links, reuse_clusters, reuse_fingerprints, reuse_indexed):
            conn.execute(table.delete())
        return
    for chunk in _chunks(sorted(set(article_ids))):
        conn.execute(
            reuse_links.delete().where(sa.or_(_in(reuse_links.c.a, chunk), _in(reuse_links.c.b, chunk)))
        )
        conn.execute(reuse_fingerprints.delete().where(_in(reuse_fingerprints.c.article_id, chunk)))
        conn.execute(reuse_indexed.delete().where(_in(reuse_indexed.c.article_id, chunk)))


def partial_index(store: Store, fresh: list[Article], settings: ReuseSettings) -> ReuseIndex:
    """An in-memory index holding the stored fingerprints the new batch can match, and no others."""
    index = ReuseIndex(settings, loader=lambda ids: _texts_to_align(store, ids))
    prints = index.shingled(fresh).prints
    # Sorted and deduplicated by hand: NumPy's plain `unique` hashes, ten times slower on 64-bit keys.
    wanted = np.sort(prints.hashes)
    keys = wanted[np.concatenate(([True], wanted[1:] != wanted[:-1]))].view(np.int64).tolist()
    rows: list[tuple[int, str, int]] = []
    with store.engine.connect() as conn:
        _roomy_cache(conn)
        mark = _mark(conn)
        # Plain SQL on the driver's cursor: compiling an IN list of thousands of bound names through
        # SQLAlchemy, or wrapping a million result rows in its Row objects, costs more than the lookup.
        cursor = conn.connection.cursor()
        try:
            for chunk in _chunks(keys, _HASH_CHUNK):
                cursor.execute(
                    f"SELECT hash, article_id, position FROM {reuse_fingerprints.name} "
                    f"WHERE hash IN ({', '.join([mark] * len(chunk))})",
                    tuple(chunk),
                )
                rows.extend(cursor.fetchall())
        finally:
            cursor.close()
        owners = sorted({r[1] for r in rows})
        for chunk in _chunks(owners):
            for r in conn.execute(sa.select(reuse_indexed).where(_in(reuse_indexed.c.article_id, chunk))):
                index.register(r.article_id, r.outlet, utc(r.published_at))
    if rows:
        hashes, owner, positions = zip(*rows, strict=True)
        numbers = index.numbers
        docs = np.fromiter((numbers.get(a, -1) for a in owner), dtype=np.int64, count=len(owner))
        known = docs >= 0
        index.add(
            np.asarray(hashes, dtype=np.int64).view(np.uint64)[known],
            docs[known],
            np.asarray(positions, dtype=np.int64)[known],
        )
    return index


def _texts_to_align(store: Store, ids: Sequence[str]) -> list[Article]:
    """Older articles a batch's candidates are aligned with: id, text and outlet are all alignment needs
    (their dates are in the index), and the rest of an article record is costly to build by thousands."""
    found: list[Article] = []
    with store.engine.connect() as conn:
        for chunk in _chunks(list(ids)):
            query = sa.select(articles_table.c.id, articles_table.c.text, articles_table.c.outlet)
            found.extend(
                Article(id=r.id, text=r.text, outlet=r.outlet)
                for r in conn.execute(query.where(_in(articles_table.c.id, chunk)))
            )
    return found


def _mark(conn: Connection) -> str:
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def _roomy_cache(conn: Connection) -> None:
    """A larger SQLite page cache for this connection: a batch's fingerprint lookups and inserts land all over
    the index, and SQLite's default 2 MB cache re-reads most of its pages for every batch."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"PRAGMA cache_size=-{_SQLITE_CACHE_KB}")


def save_index(conn: Connection, index: ReuseIndex, fresh: list[Article], numbers: Any, prints: Any) -> None:
    now = datetime.now(UTC)
    conn.execute(
        reuse_indexed.insert(),
        [
            {"article_id": a.id, "outlet": a.outlet, "published_at": utc(a.published_at), "indexed_at": now}
            for a in fresh
        ],
    )
    if not len(prints.hashes):
        return
    _roomy_cache(conn)
    # `position` is stored signed, negative for a fingerprint at its article's edge (`signed_positions`), so
    # the boilerplate tests can weigh where a fingerprint sits without a column of its own (rows written by
    # earlier versions read as body).
    # In hash order: neighbouring inserts then touch neighbouring pages of the primary-key index.
    order = np.argsort(prints.hashes.view(np.int64), kind="stable")
    ids = np.asarray(index.ids, dtype=object)
    rows = zip(
        prints.hashes.view(np.int64)[order].tolist(),
        ids[prints.doc[order]].tolist(),
        prints.pos[order].tolist(),
        strict=True,
    )
    mark = _mark(conn)
    # Straight to the driver's executemany: hundreds of thousands of rows per batch, and building a
    # parameter dict per row through SQLAlchemy costs more than SQLite's own insert.
    cursor = conn.connection.cursor()
    try:
        cursor.executemany(
            f"INSERT INTO {reuse_fingerprints.name} (hash, article_id, position) "
            f"VALUES ({mark}, {mark}, {mark})",
            list(rows),
        )
    finally:
        cursor.close()


def save_clustered(conn: Connection, store: Store, new_links: list[ReuseLink]) -> None:
    """Save new links and re-cluster every stored link connected to them (clusters can merge)."""
    old_ids, old_clusters, old = _connected_links(conn, {x for link in new_links for x in (link.a, link.b)})
    linked, clusters = _clustered(conn, [*old, *new_links])
    # Links are read a few hops out only: past that horizon (copies of copies of a viral passage) a stored
    # cluster can hold the passage a new cluster starts from, under the same id. Its links join the
    # clustering, as the links of every stored cluster met, until no new cluster meets one unread.
    for _ in range(_CLUSTER_ROUNDS):
        unread = _stored_clusters(conn, {c.id for c in clusters} - old_clusters)
        if not unread:
            break
        more_ids, more_clusters, more = _cluster_links(conn, unread)
        old_clusters |= unread | more_clusters
        old += [link for key, link in zip(more_ids, more, strict=True) if key not in old_ids]
        old_ids |= set(more_ids)
        linked, clusters = _clustered(conn, [*old, *new_links])
    clusters = _with_passages(conn, clusters)
    # Only links whose cluster changed are rewritten: a batch adding a few carriers to a passage carried
    # by hundreds leaves most of its stored links as they are.
    before = {_link_id(link): link.cluster for link in old}
    rows = {row["id"]: row for row in map(_link_row, linked)}
    changed = [row for key, row in rows.items() if before.get(key) != row["cluster"]]
    for chunk in _chunks(
        sorted(key for key in old_ids if key in rows and before[key] != rows[key]["cluster"])
    ):
        conn.execute(reuse_links.delete().where(_in(reuse_links.c.id, chunk)))
    # Every cluster written replaces a stored one of its id (met above or not): a save never collides.
    for chunk in _chunks(sorted(old_clusters | {c.id for c in clusters})):
        conn.execute(reuse_clusters.delete().where(_in(reuse_clusters.c.id, chunk)))
    if changed:
        conn.execute(reuse_links.insert(), changed)
    conn.execute(reuse_clusters.insert(), [_cluster_row(c) for c in clusters])


def _clustered(conn: Connection, links: list[ReuseLink]) -> tuple[list[ReuseLink], list[ReuseCluster]]:
    articles = sorted({x for link in links for x in (link.a, link.b)})
    return assign_clusters(links, _published(conn, articles))


def _stored_clusters(conn: Connection, ids: set[str]) -> set[str]:
    """Which of these cluster ids the store holds."""
    found: set[str] = set()
    for chunk in _chunks(sorted(ids)):
        found.update(
            conn.execute(sa.select(reuse_clusters.c.id).where(_in(reuse_clusters.c.id, chunk))).scalars()
        )
    return found


def _cluster_links(conn: Connection, clusters: set[str]) -> tuple[list[str], set[str], list[ReuseLink]]:
    """Stored links of these clusters: their ids, clusters and records (offsets only, as _connected_links)."""
    rows: dict[str, Any] = {}
    for chunk in _chunks(sorted(clusters)):
        for row in conn.execute(sa.select(reuse_links).where(_in(reuse_links.c.cluster, chunk))).mappings():
            rows[row["id"]] = row
    return (
        list(rows),
        {row["cluster"] for row in rows.values()},
        [_link_from_row(r, {}) for r in rows.values()],
    )


def _connected_links(conn: Connection, articles: set[str]) -> tuple[set[str], set[str], list[ReuseLink]]:
    """Stored links reachable from these articles within a few hops: their ids, clusters and records."""
    rows: dict[str, Any] = {}
    frontier, visited = set(articles), set[str]()
    for _ in range(_CLUSTER_HOPS):
        frontier -= visited
        if not frontier:
            break
        visited |= frontier
        found: set[str] = set()
        for chunk in _chunks(sorted(frontier)):
            query = sa.select(reuse_links).where(
                sa.or_(_in(reuse_links.c.a, chunk), _in(reuse_links.c.b, chunk))
            )
            for row in conn.execute(query).mappings():
                rows[row["id"]] = row
                found.update((row["a"], row["b"]))
        frontier = found
    # Spans without their text: re-clustering needs offsets only, and a passage carried by hundreds of
    # articles would otherwise load all their texts again for every batch that adds a carrier.
    links = [_link_from_row(row, {}) for row in rows.values()]
    return set(rows), {row["cluster"] for row in rows.values()}, links


def _with_passages(conn: Connection, clusters: list[ReuseCluster]) -> list[ReuseCluster]:
    """Clusters whose earliest span came from a stored link (offsets only) get its text."""
    missing = [c for c in clusters if not c.earliest_span.text]
    texts = _texts(conn, {c.earliest for c in missing})
    filled = {
        c.id: replace(c, earliest_span=_span(texts, c.earliest, c.earliest_span.start, c.earliest_span.end))
        for c in missing
    }
    return [filled.get(c.id, c) for c in clusters]


def _texts(conn: Connection, ids: Iterable[str]) -> dict[str, str]:
    texts: dict[str, str] = {}
    for chunk in _chunks(sorted(ids)):
        query = sa.select(articles_table.c.id, articles_table.c.text).where(_in(articles_table.c.id, chunk))
        texts.update((r.id, r.text) for r in conn.execute(query))
    return texts


def _published(conn: Connection, ids: Sequence[str]) -> dict[str, datetime | None]:
    published: dict[str, datetime | None] = {}
    for chunk in _chunks(ids):
        query = sa.select(reuse_indexed.c.article_id, reuse_indexed.c.published_at)
        for r in conn.execute(query.where(_in(reuse_indexed.c.article_id, chunk))):
            published[r.article_id] = utc(r.published_at)
    return published


def _link_id(link: ReuseLink) -> str:
    key = f"{link.a}:{link.a_span.start}:{link.a_span.end}:{link.b}:{link.b_span.start}:{link.b_span.end}"
    return hashlib.sha1(key.encode()).hexdigest()


def _link_row(link: ReuseLink) -> dict[str, Any]:
    return {
        "id": _link_id(link),
        "a": link.a,
        "a_start": link.a_span.start,
        "a_end": link.a_span.end,
        "b": link.b,
        "b_start": link.b_span.start,
        "b_end": link.b_span.end,
        "score": link.score,
        "direction": link.direction.value,
        "cluster": link.cluster,
        "method": link.method,
    }


def _span(texts: dict[str, str], article: str, start: int, end: int) -> Span:
    return Span(start, end, texts.get(article, "")[start:end])


def _link_from_row(row: Any, texts: dict[str, str]) -> ReuseLink:
    return ReuseLink(
        a=row["a"],
        a_span=_span(texts, row["a"], row["a_start"], row["a_end"]),
        b=row["b"],
        b_span=_span(texts, row["b"], row["b_start"], row["b_end"]),
        score=float(row["score"]),
        direction=Direction(row["direction"]),
        cluster=row["cluster"],
        method=row["method"],
    )


def _cluster_row(cluster: ReuseCluster) -> dict[str, Any]:
    return {
        "id": cluster.id,
        "earliest": cluster.earliest,
        "earliest_start": cluster.earliest_span.start,
        "earliest_end": cluster.earliest_span.end,
        "passage": cluster.earliest_span.text,
        "basis": cluster.basis,
        "articles": list(cluster.articles),
        "method": cluster.method,
    }


def load_reuse_links(
    store: Store, article_ids: Sequence[str] | None = None, with_text: bool = True
) -> list[ReuseLink]:
    """Stored links, all or those touching any of `article_ids`, ordered by cluster then earlier article.

    `with_text=False` leaves the spans' text empty (offsets only), which saves loading every linked article.
    """
    query = sa.select(reuse_links).order_by(reuse_links.c.cluster, reuse_links.c.a, reuse_links.c.a_start)
    with store.engine.connect() as conn:
        if article_ids is None:
            rows = list(conn.execute(query).mappings())
        else:
            found: dict[str, Any] = {}
            for chunk in _chunks(list(article_ids)):
                picked = query.where(sa.or_(_in(reuse_links.c.a, chunk), _in(reuse_links.c.b, chunk)))
                found.update((row["id"], row) for row in conn.execute(picked).mappings())
            rows = sorted(found.values(), key=lambda r: (r["cluster"], r["a"], r["a_start"]))
        texts = _texts(conn, {x for row in rows for x in (row["a"], row["b"])}) if with_text else {}
    return [_link_from_row(row, texts) for row in rows]


def load_reuse_dates(store: Store, article_ids: Sequence[str]) -> dict[str, datetime | None]:
    """Publication time of compared articles, as the reuse stage ordered them (UTC; None when undated)."""
    with store.engine.connect() as conn:
        return _published(conn, article_ids)


def load_reuse_clusters(store: Store, cluster_ids: Sequence[str] | None = None) -> list[ReuseCluster]:
    """Stored clusters with their earliest carrier and passage, all or the ones asked for."""
    query = sa.select(reuse_clusters).order_by(reuse_clusters.c.id)
    with store.engine.connect() as conn:
        if cluster_ids is None:
            rows = list(conn.execute(query).mappings())
        else:
            rows = []
            for chunk in _chunks(list(cluster_ids)):
                rows.extend(conn.execute(query.where(_in(reuse_clusters.c.id, chunk))).mappings())
    return [
        ReuseCluster(
            id=r["id"],
            earliest=r["earliest"],
            earliest_span=Span(r["earliest_start"], r["earliest_end"], r["passage"]),
            basis=r["basis"],
            articles=tuple(r["articles"]),
            method=r["method"],
        )
        for r in rows
    ]


def links_overlapping(links: Sequence[ReuseLink], attribution: Attribution) -> list[ReuseLink]:
    """Links whose passage in the attribution's article overlaps the attribution's content.

    So a dossier can say "RT and TASS carried the ministry's statement in identical wording".
    """
    return _links_overlapping(links, attribution.article_id, attribution.content)


def reuse_of_attribution(store: Store, attribution: Attribution) -> list[ReuseLink]:
    """Stored links overlapping an attribution's content."""
    return links_overlapping(load_reuse_links(store, [attribution.article_id]), attribution)
