"""Tables of the reuse stage: links, clusters, the winnowed fingerprint index and indexed articles.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "reuse_links",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("a", sa.String(64), nullable=False),
        sa.Column("a_start", sa.Integer, nullable=False),
        sa.Column("a_end", sa.Integer, nullable=False),
        sa.Column("b", sa.String(64), nullable=False),
        sa.Column("b_start", sa.Integer, nullable=False),
        sa.Column("b_end", sa.Integer, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("cluster", sa.String(40), nullable=False),
        sa.Column("method", sa.String(40), nullable=False),
    )
    op.create_index("ix_reuse_links_a", "reuse_links", ["a"])
    op.create_index("ix_reuse_links_b", "reuse_links", ["b"])
    op.create_index("ix_reuse_links_cluster", "reuse_links", ["cluster"])
    op.create_table(
        "reuse_clusters",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("earliest", sa.String(64), nullable=False),
        sa.Column("earliest_start", sa.Integer, nullable=False),
        sa.Column("earliest_end", sa.Integer, nullable=False),
        sa.Column("passage", sa.Text, nullable=False),
        sa.Column("basis", sa.String(12), nullable=False),
        sa.Column("articles", sa.JSON, nullable=False),
        sa.Column("method", sa.String(40), nullable=False),
    )
    op.create_table(
        "reuse_fingerprints",
        sa.Column("hash", sa.BigInteger, primary_key=True),
        sa.Column("article_id", sa.String(64), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
    )
    op.create_table(
        "reuse_indexed",
        sa.Column("article_id", sa.String(64), primary_key=True),
        sa.Column("outlet", sa.String(120)),
        sa.Column("published_at", TZ),
        sa.Column("indexed_at", TZ, nullable=False),
    )


def downgrade() -> None:
    for table in ("reuse_indexed", "reuse_fingerprints", "reuse_clusters", "reuse_links"):
        op.drop_table(table)
