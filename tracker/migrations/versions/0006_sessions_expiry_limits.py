"""Security review (issue 14): token expiry, server-side page sessions, shared rate limits.

- ``api_tokens.expires_at``: every token expires (ISO 8601, UTC). Tokens issued before this
  migration get ``created_at`` + 90 days, but never less than 30 days after the upgrade, so an
  upgrade does not lock everyone out at once: there is a month to issue new tokens. A row
  without one (written by hand) expires ``created_at`` + 90 days (``tracker/auth/tokens.py``).
- ``page_sessions``: one row per signed-in browser. The cookie holds only a random id; the row
  is found by its SHA-256, so a database dump hands out no session. It is deleted at sign-out,
  when its token is revoked, and when it is found idle or past its lifetime.
- ``rate_limit_windows``: per token and bucket, the writes counted in one fixed minute
  (``window_start``, seconds since 1970, a multiple of 60), shared by every API process.
  Windows before the current one are deleted.

Revision ID: 0006
Revises: 0005
"""

from datetime import UTC, datetime, timedelta

from alembic import op
from sqlalchemy import text

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

DEFAULT_DAYS = 90
GRACE_DAYS = 30


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _expiries() -> None:
    bind = op.get_bind()
    floor = datetime.now(UTC) + timedelta(days=GRACE_DAYS)
    rows = bind.execute(text("SELECT token_id, created_at FROM api_tokens")).all()
    for token_id, created_at in rows:
        created = datetime.fromisoformat(created_at)
        if created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
        expires = max(created + timedelta(days=DEFAULT_DAYS), floor)
        bind.execute(
            text("UPDATE api_tokens SET expires_at = :e WHERE token_id = :t"),
            {"e": _stamp(expires), "t": token_id},
        )


def upgrade() -> None:
    op.execute("ALTER TABLE api_tokens ADD COLUMN expires_at TEXT")
    _expiries()
    op.execute(
        """
        CREATE TABLE page_sessions (
            session_hash TEXT PRIMARY KEY,
            token_id TEXT NOT NULL REFERENCES api_tokens (token_id) ON DELETE CASCADE,
            person TEXT NOT NULL,
            created_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,
            flash TEXT
        )
        """
    )
    op.execute("CREATE INDEX page_sessions_token ON page_sessions (token_id)")
    op.execute("CREATE INDEX page_sessions_last_seen ON page_sessions (last_seen_at)")
    op.execute(
        """
        CREATE TABLE rate_limit_windows (
            token_id TEXT NOT NULL,
            bucket TEXT NOT NULL,
            window_start BIGINT NOT NULL,
            hits INTEGER NOT NULL,
            PRIMARY KEY (token_id, bucket, window_start)
        )
        """
    )
    op.execute("CREATE INDEX rate_limit_windows_start ON rate_limit_windows (window_start)")


def downgrade() -> None:
    op.execute("DROP TABLE rate_limit_windows")
    op.execute("DROP TABLE page_sessions")
    op.execute("ALTER TABLE api_tokens DROP COLUMN expires_at")
