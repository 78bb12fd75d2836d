"""Chunking settings per project, and the settings each file was last split with.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing rows get '{}': an empty settings dict means "the defaults" for a project and
    # "never split" for a file.
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("chunking", sa.JSON, nullable=False, server_default="{}"))
    with op.batch_alter_table("files") as batch:
        batch.add_column(sa.Column("chunking", sa.JSON, nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("files") as batch:
        batch.drop_column("chunking")
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("chunking")
