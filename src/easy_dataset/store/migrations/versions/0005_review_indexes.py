"""Indexes that keep review lists fast at a million rows: chunks in document order per
project, questions by tag, and QA pairs by confirmation (an index on score made SQLite
sort whole ranges for `ORDER BY id LIMIT n`, hundreds of times slower than walking ids).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chunks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_chunks_project_order", ["project_id", "file_id", "ordinal"], unique=False
        )
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.create_index("ix_questions_tag", ["project_id", "tag_id"], unique=False)
    with op.batch_alter_table("qa_pairs", schema=None) as batch_op:
        batch_op.create_index("ix_qa_pairs_confirmed", ["project_id", "confirmed"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("qa_pairs", schema=None) as batch_op:
        batch_op.drop_index("ix_qa_pairs_confirmed")
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_index("ix_questions_tag")
    with op.batch_alter_table("chunks", schema=None) as batch_op:
        batch_op.drop_index("ix_chunks_project_order")
