"""Outgoing webhooks (issue 20): subscriptions, their deliveries and every attempt.

- ``webhook_subscriptions``: one row per subscription: where (``url``), what (``kinds`` and
  ``programmes``, JSON lists; programmes NULL for all), how (``format``), its signing secret
  encrypted with AES-GCM (``secret_box``: the secret is needed to sign, so it cannot be hashed),
  and ``checkpoint``: the store position up to which the event log has been turned into its
  deliveries (moved by compare-and-set in the same transaction as the deliveries it adds, so no
  event is enqueued twice or skipped). ``state``: active, paused (after consecutive failures)
  or deleted (kept for the history of its deliveries).
- ``webhook_deliveries``: the outbox: one row per event a subscription wants (and per ping),
  ``delivery_id`` stable across retries (receivers dedupe on it); pending until a 2xx, then
  delivered; expired when it has failed for longer than the retry window.
- ``webhook_attempts``: each attempt with its HTTP status, latency and error.
- ``webhook_keys``: the key that encrypts the secrets when no ``TRACKER_WEBHOOK_KEY`` or
  ``TRACKER_SESSION_SECRET`` is configured (development only: docs/webhooks.md).

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE webhook_subscriptions (
            subscription_id TEXT PRIMARY KEY,
            url TEXT NOT NULL,
            kinds TEXT NOT NULL,
            programmes TEXT,
            format TEXT NOT NULL,
            secret_box TEXT NOT NULL,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            checkpoint BIGINT NOT NULL,
            state TEXT NOT NULL,
            consecutive_failures INTEGER NOT NULL DEFAULT 0,
            paused_at TEXT,
            paused_reason TEXT,
            deleted_at TEXT
        )
        """
    )
    op.execute(
        """
        CREATE TABLE webhook_deliveries (
            delivery_id TEXT PRIMARY KEY,
            subscription_id TEXT NOT NULL,
            position BIGINT,
            programme_key TEXT NOT NULL,
            kind TEXT NOT NULL,
            event_type TEXT NOT NULL,
            body TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            first_attempt_at TEXT,
            next_attempt_at TEXT NOT NULL,
            delivered_at TEXT
        )
        """
    )
    op.execute(
        "CREATE UNIQUE INDEX webhook_deliveries_event "
        "ON webhook_deliveries (subscription_id, position)"
    )
    op.execute(
        "CREATE INDEX webhook_deliveries_pending "
        "ON webhook_deliveries (state, subscription_id, programme_key, position)"
    )
    op.execute(
        """
        CREATE TABLE webhook_attempts (
            delivery_id TEXT NOT NULL,
            attempt INTEGER NOT NULL,
            at TEXT NOT NULL,
            status INTEGER,
            latency_ms DOUBLE PRECISION,
            error TEXT,
            PRIMARY KEY (delivery_id, attempt)
        )
        """
    )
    op.execute("CREATE TABLE webhook_keys (name TEXT PRIMARY KEY, key TEXT NOT NULL)")


def downgrade() -> None:
    for table in ("webhook_keys", "webhook_attempts", "webhook_deliveries"):
        op.execute(f"DROP TABLE {table}")
    op.execute("DROP TABLE webhook_subscriptions")
