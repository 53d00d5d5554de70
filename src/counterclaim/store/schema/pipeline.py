"""Tables of the pipeline itself: which stage has run on which article, and the outlet files a user gave.

`stage_runs` lets `analyze` resume after a crash; `outlet_files` lets later commands see a user's registry.
"""

from sqlalchemy import Column, DateTime, String, Table, Text

from counterclaim.store.schema import metadata

# One row per article and stage once the stage's records for that article are saved (with the method version).
stage_runs = Table(
    "stage_runs",
    metadata,
    Column("article_id", String(32), primary_key=True),
    Column("stage", String(40), primary_key=True),
    Column("version", Text, nullable=False),
    Column("completed_at", DateTime(timezone=True), nullable=False),
)

# The text of each registry file given to `ingest --outlets`, so later commands build the same registry.
outlet_files = Table(
    "outlet_files",
    metadata,
    Column("content_hash", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
)
