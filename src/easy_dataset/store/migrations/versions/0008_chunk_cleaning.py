"""Chunk cleaning: the model's proposed texts for chunks, each kept with the original it
was made from and its review status (pending, accepted, rejected, restored).

A new table only; no existing row changes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chunk_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("chunk_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("original", sa.Text(), nullable=False),
        sa.Column("proposed", sa.Text(), nullable=False),
        sa.Column("edited", sa.Boolean(), nullable=False),
        sa.Column("provenance", sa.JSON(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["chunk_id"], ["chunks.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("chunk_revisions", schema=None) as batch_op:
        batch_op.create_index("ix_chunk_revisions_chunk", ["chunk_id"], unique=False)
        batch_op.create_index(
            "ix_chunk_revisions_project_status", ["project_id", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("chunk_revisions", schema=None) as batch_op:
        batch_op.drop_index("ix_chunk_revisions_project_status")
        batch_op.drop_index("ix_chunk_revisions_chunk")
    op.drop_table("chunk_revisions")
