"""Attributions: who said what in each article, with cue, source, content and circumstances.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attributions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "article_id", sa.String(32), sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("source", sa.JSON, nullable=False),
        sa.Column("speaker_name", sa.Text),
        sa.Column("speaker_person", sa.Text),
        sa.Column("speaker_organisation", sa.Text),
        sa.Column("speaker_role", sa.Text),
        sa.Column("speaker_resolved_from", sa.JSON),
        sa.Column("cue", sa.JSON, nullable=False),
        sa.Column("content", sa.JSON, nullable=False),
        sa.Column("direct", sa.Boolean, nullable=False),
        sa.Column("polarity", sa.String(16), nullable=False),
        sa.Column("hedges", sa.JSON, nullable=False),
        sa.Column("relay_chain", sa.JSON, nullable=False),
        sa.Column("channel", sa.Text),
        sa.Column("channel_span", sa.JSON),
        sa.Column("addressee", sa.Text),
        sa.Column("addressee_span", sa.JSON),
        sa.Column("place", sa.Text),
        sa.Column("place_span", sa.JSON),
        sa.Column("time_span", sa.JSON),
        sa.Column("time_date", sa.Date),
        sa.Column("method", sa.Text, nullable=False),
    )
    op.create_index("ix_attributions_article_id", "attributions", ["article_id"])
    op.create_index("ix_attributions_speaker_name", "attributions", ["speaker_name"])
    op.create_index("ix_attributions_polarity", "attributions", ["polarity"])


def downgrade() -> None:
    op.drop_table("attributions")
