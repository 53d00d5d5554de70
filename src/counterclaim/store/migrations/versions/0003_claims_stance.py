"""Claims, the statements linked into them (with embeddings), and accounts with their stance.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "claims",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("canonical_text", sa.Text, nullable=False),
        sa.Column("canonical_article_id", sa.String(32), nullable=False),
        sa.Column("canonical_start", sa.Integer, nullable=False),
        sa.Column("canonical_end", sa.Integer, nullable=False),
        sa.Column("canonical_clear", sa.Boolean, nullable=False),
        sa.Column("canonical_published", TZ),
        sa.Column("first_seen", TZ),
        sa.Column("method", sa.String(80), nullable=False),
        sa.Column("vector_sum", sa.LargeBinary),
        sa.Column("members", sa.Integer, nullable=False),
        sa.Column("terms", sa.JSON, nullable=False),
    )
    op.create_index("ix_claims_first_seen", "claims", ["first_seen"])
    op.create_table(
        "claim_statements",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("claim_id", sa.String(32), nullable=False),
        sa.Column("article_id", sa.String(32), nullable=False),
        sa.Column("attribution_id", sa.String(64)),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("clear", sa.Boolean, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("opened", sa.Boolean, nullable=False),
        sa.Column("embedding", sa.LargeBinary, nullable=False),
        sa.Column("method", sa.String(80), nullable=False),
    )
    op.create_index("ix_claim_statements_claim_id", "claim_statements", ["claim_id"])
    op.create_index("ix_claim_statements_article_id", "claim_statements", ["article_id"])
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("claim_id", sa.String(32), nullable=False),
        sa.Column("article_id", sa.String(32), nullable=False),
        sa.Column("attribution_id", sa.String(64)),
        sa.Column("stance", sa.String(16), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("evidence_start", sa.Integer),
        sa.Column("evidence_end", sa.Integer),
        sa.Column("method", sa.String(120), nullable=False),
    )
    op.create_index("ix_accounts_claim_id", "accounts", ["claim_id"])
    op.create_index("ix_accounts_article_id", "accounts", ["article_id"])


def downgrade() -> None:
    for table in ("accounts", "claim_statements", "claims"):
        op.drop_table(table)
