"""Every copy an article was stored from (file, feed entry, record id, URL), duplicates included.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "article_copies",
        sa.Column("article_id", sa.String(32), primary_key=True),
        sa.Column("copy_key", sa.String(64), primary_key=True),
        sa.Column("source_id", sa.Text),
        sa.Column("source_path", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("outlet", sa.String(120)),
        sa.Column("title", sa.Text),
        sa.Column("published_at", TZ),
        sa.Column("added_at", TZ, nullable=False),
    )
    # Stores made before this revision: each article's own fields are its first copy.
    op.execute(
        "INSERT INTO article_copies (article_id, copy_key, source_id, source_path, url, outlet, title, "
        "published_at, added_at) SELECT id, 'stored', source_id, source_path, url, outlet, title, "
        "published_at, ingested_at FROM articles"
    )


def downgrade() -> None:
    op.drop_table("article_copies")
