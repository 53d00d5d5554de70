"""Tables of the claims and stance stages (issue 4): claims, the statements linked into them, and accounts.

Embeddings are raw float32 (claim sums) or float16 (statements) bytes, so linking resumes incrementally.
"""

from sqlalchemy import JSON, Boolean, Column, DateTime, Float, Integer, LargeBinary, String, Table, Text

from counterclaim.store.schema import metadata

claims = Table(
    "claims",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("canonical_text", Text, nullable=False),
    Column("canonical_article_id", String(32), nullable=False),
    Column("canonical_start", Integer, nullable=False),
    Column("canonical_end", Integer, nullable=False),
    Column("canonical_clear", Boolean, nullable=False),
    Column("canonical_published", DateTime(timezone=True)),
    Column("first_seen", DateTime(timezone=True), index=True),
    Column("method", String(80), nullable=False),
    # Sum of member embeddings (float32 bytes) and member count: the index's centroid, resumable.
    Column("vector_sum", LargeBinary),
    Column("members", Integer, nullable=False),
    # {"terms": {term: members}, "entities": {term: members}} for the lexical and entity signals.
    Column("terms", JSON, nullable=False),
)

claim_statements = Table(
    "claim_statements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("claim_id", String(32), nullable=False, index=True),
    Column("article_id", String(32), nullable=False, index=True),
    Column("attribution_id", String(64)),
    Column("kind", String(16), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("clear", Boolean, nullable=False),
    Column("score", Float, nullable=False),
    Column("opened", Boolean, nullable=False),
    Column("embedding", LargeBinary, nullable=False),
    Column("method", String(80), nullable=False),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("claim_id", String(32), nullable=False, index=True),
    Column("article_id", String(32), nullable=False, index=True),
    Column("attribution_id", String(64)),
    Column("stance", String(16), nullable=False),
    Column("score", Float, nullable=False),
    Column("evidence_start", Integer),
    Column("evidence_end", Integer),
    Column("method", String(120), nullable=False),
)

# Stories above claims (claims/stories.py): the event or topic an article is about. A claim's story is the
# story of its canonical article.
stories = Table(
    "stories",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("lead_article_id", String(32), nullable=False),
    Column("first_seen", DateTime(timezone=True)),
    Column("method", String(80), nullable=False),
    # Sum of member lead embeddings (float32 bytes), member count and term counts: the index, resumable.
    Column("vector_sum", LargeBinary, nullable=False),
    Column("members", Integer, nullable=False),
    Column("terms", JSON, nullable=False),
)

article_stories = Table(
    "article_stories",
    metadata,
    Column("article_id", String(32), primary_key=True),
    Column("story_id", String(32), nullable=False, index=True),
    Column("score", Float, nullable=False),
    Column("opened", Boolean, nullable=False),
)
