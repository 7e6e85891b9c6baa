"""Personal calendar feeds (issue 19): one row per feed URL issued to a person.

Calendar clients cannot send headers, so a feed's secret is in its URL
(``/calendar/<secret>.ics``); only the secret's SHA-256 is stored, as for API tokens, so a
database dump hands out no feed. Issuing a new feed revokes the person's previous one;
revoking sets ``revoked_at`` and the URL then answers 404. Rows are kept for the history.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE calendar_feeds (
            feed_id TEXT PRIMARY KEY,
            feed_hash TEXT NOT NULL UNIQUE,
            person TEXT NOT NULL,
            created_at TEXT NOT NULL,
            revoked_at TEXT
        )
        """
    )
    op.execute("CREATE INDEX calendar_feeds_person ON calendar_feeds (person)")


def downgrade() -> None:
    op.execute("DROP TABLE calendar_feeds")
