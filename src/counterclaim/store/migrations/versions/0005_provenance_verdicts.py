"""Primary-source checks per claim and source, and verdicts recorded by users.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "provenance_checks",
        sa.Column("claim_id", sa.String(128), primary_key=True),
        sa.Column("source", sa.Text, primary_key=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("channel_outlets", sa.JSON, nullable=False),
        sa.Column("items_checked", sa.Integer, nullable=False),
        sa.Column("window_start", TZ),
        sa.Column("window_end", TZ),
        sa.Column("found_article_id", sa.String(32)),
        sa.Column("found_span", sa.JSON),
        sa.Column("method", sa.Text, nullable=False),
    )
    op.create_table(
        "verdicts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("claim_id", sa.String(128), nullable=False),
        sa.Column("rating", sa.Text, nullable=False),
        sa.Column("reviewer", sa.Text, nullable=False),
        sa.Column("reviewed_at", TZ, nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("notes", sa.Text),
    )
    op.create_index("ix_verdicts_claim_id", "verdicts", ["claim_id"])


def downgrade() -> None:
    op.drop_index("ix_verdicts_claim_id", table_name="verdicts")
    op.drop_table("verdicts")
    op.drop_table("provenance_checks")
