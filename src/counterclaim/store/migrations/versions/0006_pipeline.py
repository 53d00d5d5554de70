"""Per-article, per-stage completion (so analysis resumes) and stored user outlet files.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "stage_runs",
        sa.Column("article_id", sa.String(32), primary_key=True),
        sa.Column("stage", sa.String(40), primary_key=True),
        sa.Column("version", sa.Text, nullable=False),
        sa.Column("completed_at", TZ, nullable=False),
    )
    # Outdated-method counts read an index range, not every completion record.
    op.create_index("ix_stage_runs_version", "stage_runs", ["stage", "version"])
    op.create_table(
        "outlet_files",
        sa.Column("content_hash", sa.String(64), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("added_at", TZ, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("outlet_files")
    op.drop_index("ix_stage_runs_version", "stage_runs")
    op.drop_table("stage_runs")
