"""Sentence vectors kept per article and method, so an article is embedded once however often it is read.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sentence_vectors",
        sa.Column("article_id", sa.String(32), primary_key=True),
        sa.Column("method", sa.String(80), primary_key=True),
        sa.Column("sentences", sa.Integer, nullable=False),
        sa.Column("spans", sa.LargeBinary, nullable=False),
        sa.Column("vectors", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sentence_vectors")
