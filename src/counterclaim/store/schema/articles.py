"""Tables of the ingest stage: outlets, articles, pending feed links and ingested sources."""

from sqlalchemy import JSON, Column, DateTime, Integer, String, Table, Text

from counterclaim.store.schema import metadata

outlets = Table(
    "outlets",
    metadata,
    Column("key", String(120), primary_key=True),
    Column("name", Text, nullable=False),
    Column("domains", JSON, nullable=False),
    Column("country", String(8)),
    Column("kind", String(40), nullable=False),
    Column("owner", Text),
    Column("aliases", JSON, nullable=False),
    Column("channel_of", Text),
)

articles = Table(
    "articles",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("url", Text),
    Column("outlet", String(120), index=True),
    Column("site_name", Text),
    Column("title", Text),
    Column("authors", JSON, nullable=False),
    Column("published_at", DateTime(timezone=True), index=True),
    Column("language", String(16)),
    Column("text", Text, nullable=False),
    Column("source_id", Text),
    Column("source_path", Text),
    Column("extraction", Text, nullable=False),
    Column("warnings", JSON, nullable=False),
    Column("ingested_at", DateTime(timezone=True), nullable=False),
)

# Feed entries that carry only a link: recorded so a later URL ingest can fetch them.
pending_links = Table(
    "pending_links",
    metadata,
    Column("url", Text, primary_key=True),
    Column("title", Text),
    Column("published_at", DateTime(timezone=True)),
    Column("feed", Text, nullable=False),
    Column("found_at", DateTime(timezone=True), nullable=False),
)

# A source file whose every article is stored: re-ingesting the same bytes is skipped whole.
ingested_sources = Table(
    "ingested_sources",
    metadata,
    Column("content_hash", String(64), primary_key=True),
    Column("path", Text, nullable=False),
    Column("size", Integer, nullable=False),
    Column("articles", Integer, nullable=False),
    Column("completed_at", DateTime(timezone=True), nullable=False),
)

# Every copy an article was stored from: one article per text, but each file, feed entry, JSONL record or URL
# that carried the same text keeps its own id and outlet here (nothing a duplicate brought is lost).
article_copies = Table(
    "article_copies",
    metadata,
    Column("article_id", String(32), primary_key=True),
    Column("copy_key", String(64), primary_key=True),
    Column("source_id", Text),
    Column("source_path", Text),
    Column("url", Text),
    Column("outlet", String(120)),
    Column("title", Text),
    Column("published_at", DateTime(timezone=True)),
    Column("added_at", DateTime(timezone=True), nullable=False),
)
