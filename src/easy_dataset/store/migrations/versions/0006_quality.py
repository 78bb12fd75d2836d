"""Quality checks: one result row per check and item, an embedding cache, and the
projects' quality settings (judge weights, thresholds, report targets).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        # Existing projects get '{}': the quality defaults.
        batch_op.add_column(sa.Column("quality", sa.JSON(), nullable=False, server_default="{}"))
    op.create_table(
        "quality_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("qa_id", sa.Integer(), nullable=True),
        sa.Column("question_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("flagged", sa.Boolean(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["qa_id"], ["qa_pairs.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["question_id"], ["questions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "qa_id", name="uq_quality_results_kind_qa"),
        sa.UniqueConstraint("kind", "question_id", name="uq_quality_results_kind_question"),
    )
    with op.batch_alter_table("quality_results", schema=None) as batch_op:
        batch_op.create_index(
            "ix_quality_results_project_kind", ["project_id", "kind", "flagged"], unique=False
        )
        batch_op.create_index("ix_quality_results_qa", ["qa_id"], unique=False)
        batch_op.create_index("ix_quality_results_question", ["question_id"], unique=False)
    op.create_table(
        "embeddings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=50), nullable=False),
        sa.Column("text_hash", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("model", "text_hash", name="uq_embeddings_model_text"),
    )


def downgrade() -> None:
    op.drop_table("embeddings")
    with op.batch_alter_table("quality_results", schema=None) as batch_op:
        batch_op.drop_index("ix_quality_results_question")
        batch_op.drop_index("ix_quality_results_qa")
        batch_op.drop_index("ix_quality_results_project_kind")
    op.drop_table("quality_results")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_column("quality")
