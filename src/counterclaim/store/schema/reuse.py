"""Tables of the reuse stage (issue 5): links, clusters with their earliest carrier, the fingerprint index.

The index holds winnowed fingerprints only, at most `max_docs + 1` rows per hash, so it stays bounded.
"""

from sqlalchemy import JSON, BigInteger, Column, DateTime, Float, Integer, String, Table, Text

from counterclaim.store.schema import metadata

reuse_links = Table(
    "reuse_links",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("a", String(64), nullable=False, index=True),
    Column("a_start", Integer, nullable=False),
    Column("a_end", Integer, nullable=False),
    Column("b", String(64), nullable=False, index=True),
    Column("b_start", Integer, nullable=False),
    Column("b_end", Integer, nullable=False),
    Column("score", Float, nullable=False),
    Column("direction", String(8), nullable=False),
    Column("cluster", String(40), nullable=False, index=True),
    Column("method", String(40), nullable=False),
)

reuse_clusters = Table(
    "reuse_clusters",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("earliest", String(64), nullable=False),
    Column("earliest_start", Integer, nullable=False),
    Column("earliest_end", Integer, nullable=False),
    Column("passage", Text, nullable=False),
    # "dated", "tie" (equally early carriers) or "undated" (no carrier has a date).
    Column("basis", String(12), nullable=False),
    Column("articles", JSON, nullable=False),
    Column("method", String(40), nullable=False),
)

reuse_fingerprints = Table(
    "reuse_fingerprints",
    metadata,
    # The unsigned 64-bit hash stored as its signed two's-complement value (PostgreSQL has no uint64).
    Column("hash", BigInteger, primary_key=True),
    Column("article_id", String(64), primary_key=True),
    Column("position", Integer, primary_key=True),
)

# Articles already compared and fingerprinted, with what ordering and outlet checks need.
reuse_indexed = Table(
    "reuse_indexed",
    metadata,
    Column("article_id", String(64), primary_key=True),
    Column("outlet", String(120)),
    Column("published_at", DateTime(timezone=True)),
    Column("indexed_at", DateTime(timezone=True), nullable=False),
)
