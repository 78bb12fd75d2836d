"""Samples: a QA pair row is a sample of a kind, and a dialogue keeps all of its turns.

Existing rows become kind 'qa' with no messages: their one turn stays in question / answer /
cot. Columns are added in place (SQLite's ALTER TABLE ADD COLUMN), never by rebuilding
`qa_pairs`, whose quality results cascade from it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("qa_pairs", schema=None, recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=20), nullable=False, server_default="qa")
        )
        batch_op.add_column(sa.Column("messages", sa.JSON(), nullable=True))


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place; rebuilding the table would cascade-delete the
    # quality results of every pair.
    with op.batch_alter_table("qa_pairs", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("messages")
        batch_op.drop_column("kind")
