"""What ingest remembers besides articles: source files fully ingested, and feed links waiting for a fetch.

A source is recorded only after every article in it is stored, so an interrupted run redoes it.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from counterclaim.ingest.draft import PendingLink
from counterclaim.store import Store, insert_new
from counterclaim.store.tables import ingested_sources, outlets, pending_links

_CHUNK = 1 << 20


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def bytes_digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def source_done(store: Store, content_hash: str) -> bool:
    query = sa.select(ingested_sources.c.content_hash).where(ingested_sources.c.content_hash == content_hash)
    with store.engine.connect() as conn:
        return conn.execute(query).first() is not None


def record_source(conn: Connection, content_hash: str, path: str, size: int, articles: int) -> None:
    """Mark a source as fully ingested (a concurrent run may have done it first: then nothing changes)."""
    row = {
        "content_hash": content_hash,
        "path": path,
        "size": size,
        "articles": articles,
        "completed_at": datetime.now(UTC),
    }
    insert_new(conn, ingested_sources, [row])


def save_pending_link(conn: Connection, link: PendingLink) -> bool:
    """Record a link to fetch later; False when it is already waiting."""
    row = {
        "url": link.url,
        "title": link.title,
        "published_at": link.published_at,
        "feed": link.feed,
        "found_at": datetime.now(UTC),
    }
    return insert_new(conn, pending_links, [row]) == 1


def load_pending_links(store: Store) -> list[PendingLink]:
    query = sa.select(pending_links).order_by(pending_links.c.found_at, pending_links.c.url)
    with store.engine.connect() as conn:
        return [
            PendingLink(
                url=row["url"], feed=row["feed"], title=row["title"], published_at=row["published_at"]
            )
            for row in conn.execute(query).mappings()
        ]


def forget_pending_link(conn: Connection, url: str) -> None:
    """A pending link that was fetched and stored is no longer pending."""
    conn.execute(pending_links.delete().where(pending_links.c.url == url))


def outlet_stored(conn: Connection, key: str) -> bool:
    return conn.execute(sa.select(outlets.c.key).where(outlets.c.key == key)).first() is not None
