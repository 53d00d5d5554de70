"""The sentence vectors of articles, computed once per article and kept (issue 15): read by article stance.

Keyed by article and method (how they were made, with the encoder's digest): a new model never reads old
ones.
"""

from sqlalchemy import Column, Integer, LargeBinary, String, Table

from counterclaim.store.schema import metadata

sentence_vectors = Table(
    "sentence_vectors",
    metadata,
    Column("article_id", String(32), primary_key=True),
    Column("method", String(80), primary_key=True),
    Column("sentences", Integer, nullable=False),
    # int32 (start, end) pairs of each sentence, then float16 rows of 384: raw little-endian bytes.
    Column("spans", LargeBinary, nullable=False),
    Column("vectors", LargeBinary, nullable=False),
)
