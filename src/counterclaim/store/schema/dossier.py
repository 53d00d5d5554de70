"""Tables of the provenance stage and of recorded verdicts (issue 6), created by migration 0005.

A provenance check is one row per claim and attributed source; verdicts are only ever written by a user.
"""

from sqlalchemy import JSON, Column, DateTime, Integer, String, Table, Text

from counterclaim.store.schema import metadata

provenance_checks = Table(
    "provenance_checks",
    metadata,
    Column("claim_id", String(128), primary_key=True),
    Column("source", Text, primary_key=True),
    Column("status", String(20), nullable=False),
    Column("channel_outlets", JSON, nullable=False),
    Column("items_checked", Integer, nullable=False),
    Column("window_start", DateTime(timezone=True)),
    Column("window_end", DateTime(timezone=True)),
    Column("found_article_id", String(32)),
    Column("found_span", JSON),
    Column("method", Text, nullable=False),
)

verdicts = Table(
    "verdicts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("claim_id", String(128), nullable=False, index=True),
    Column("rating", Text, nullable=False),
    Column("reviewer", Text, nullable=False),
    Column("reviewed_at", DateTime(timezone=True), nullable=False),
    Column("url", Text),
    Column("notes", Text),
)
