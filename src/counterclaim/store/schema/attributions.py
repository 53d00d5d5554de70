"""Tables of the attribution stage (issue 3): one row per attribution, spans as [start, end] JSON.

Span texts are not stored twice: loaders cut them from the article text.
"""

from sqlalchemy import JSON, Boolean, Column, Date, ForeignKey, Integer, String, Table, Text

from counterclaim.store.schema import metadata

attributions = Table(
    "attributions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column(
        "article_id", String(32), ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("position", Integer, nullable=False),
    Column("source", JSON, nullable=False),
    Column("speaker_name", Text, index=True),
    Column("speaker_person", Text),
    Column("speaker_organisation", Text),
    Column("speaker_role", Text),
    Column("speaker_resolved_from", JSON),
    Column("cue", JSON, nullable=False),
    Column("content", JSON, nullable=False),
    Column("direct", Boolean, nullable=False),
    Column("polarity", String(16), nullable=False, index=True),
    Column("hedges", JSON, nullable=False),
    Column("relay_chain", JSON, nullable=False),
    Column("channel", Text),
    Column("channel_span", JSON),
    Column("addressee", Text),
    Column("addressee_span", JSON),
    Column("place", Text),
    Column("place_span", JSON),
    Column("time_span", JSON),
    Column("time_date", Date),
    Column("method", Text, nullable=False),
)
