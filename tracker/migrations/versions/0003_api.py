"""The HTTP API's own tables: bearer tokens (stored hashed) and Idempotency-Key records.

Neither is part of the event log: a token is a credential, not a fact about a programme, and an
idempotency record is a short-lived cache of a response. Both are plain rows.

- ``api_tokens``: only the SHA-256 of a token is kept (tokens carry 256 bits of randomness, so a
  fast hash is enough); ``prefix`` is the first characters, shown by ``tracker token list`` so a
  person can tell their tokens apart. Revoking sets ``revoked_at``; rows are never deleted.
- ``idempotency_records``: one per (principal, key). ``state`` is ``in_flight`` while the first
  request runs, then ``done`` with the response to replay.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE api_tokens (
            token_id TEXT PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE,
            prefix TEXT NOT NULL,
            person TEXT NOT NULL,
            name TEXT NOT NULL,
            scope TEXT NOT NULL CHECK (scope IN ('admin', 'member', 'reader')),
            created_at TEXT NOT NULL,
            revoked_at TEXT
        )
        """
    )
    op.execute("CREATE INDEX api_tokens_person ON api_tokens (person)")
    op.execute(
        """
        CREATE TABLE idempotency_records (
            principal TEXT NOT NULL,
            key TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('in_flight', 'done')),
            status_code INTEGER,
            headers TEXT,
            body TEXT,
            created_at TEXT NOT NULL,
            PRIMARY KEY (principal, key)
        )
        """
    )
    op.execute("CREATE INDEX idempotency_records_created_at ON idempotency_records (created_at)")


def downgrade() -> None:
    op.execute("DROP TABLE idempotency_records")
    op.execute("DROP TABLE api_tokens")
