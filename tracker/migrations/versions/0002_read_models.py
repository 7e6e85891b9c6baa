"""Read models: programme views and projection checkpoints.

A projector writes a batch of views and moves its checkpoint in one transaction; the checkpoint
only moves from the value the projector read (compare-and-set), so two projectors can never
both apply a batch.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE projection_checkpoints (
            name TEXT PRIMARY KEY,
            position BIGINT NOT NULL,
            events BIGINT NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL
        )
        """
    )
    op.execute(
        """
        CREATE TABLE programme_views (
            key TEXT PRIMARY KEY,
            position BIGINT NOT NULL,
            document TEXT NOT NULL
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE programme_views")
    op.execute("DROP TABLE projection_checkpoints")
