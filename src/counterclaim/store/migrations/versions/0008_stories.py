"""Stories above claims: the story each article belongs to, and each story's index profile.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("lead_article_id", sa.String(32), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True)),
        sa.Column("method", sa.String(80), nullable=False),
        sa.Column("vector_sum", sa.LargeBinary, nullable=False),
        sa.Column("members", sa.Integer, nullable=False),
        sa.Column("terms", sa.JSON, nullable=False),
    )
    op.create_table(
        "article_stories",
        sa.Column("article_id", sa.String(32), primary_key=True),
        sa.Column("story_id", sa.String(32), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("opened", sa.Boolean, nullable=False),
    )
    op.create_index("ix_article_stories_story_id", "article_stories", ["story_id"])


def downgrade() -> None:
    op.drop_index("ix_article_stories_story_id", "article_stories")
    op.drop_table("article_stories")
    op.drop_table("stories")
