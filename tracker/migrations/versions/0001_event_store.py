"""The event store: one append-only table, guarded by triggers.

PostgreSQL also gets the two append functions. ``tracker_prepare_append`` takes a per-stream
transaction lock (same-stream writers queue until commit, so a version check never races) and
returns the stream head. ``tracker_insert_events`` assigns the transaction id and draws the
positions inside a short global critical section (a session advisory lock released before
commit): so transaction-id order equals position order for every append, and a reader that only
reads events whose transaction is older than its snapshot's xmin can never skip an event that
commits later. See docs/event-store.md.

Revision ID: 0001
Revises:
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SQLITE = [
    """
    CREATE TABLE events (
        position INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id TEXT NOT NULL UNIQUE,
        stream_id TEXT NOT NULL,
        version INTEGER NOT NULL CHECK (version >= 1),
        type TEXT NOT NULL,
        schema_version INTEGER NOT NULL,
        data TEXT NOT NULL,
        metadata TEXT NOT NULL,
        idempotency_key TEXT UNIQUE,
        occurred_at TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        hash TEXT NOT NULL,
        UNIQUE (stream_id, version)
    )
    """,
    "CREATE INDEX events_recorded_at ON events (recorded_at)",
    """
    CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'events are append-only: they are never updated'); END
    """,
    """
    CREATE TRIGGER events_no_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'events are append-only: they are never deleted'); END
    """,
]

POSTGRES = [
    """
    CREATE TABLE events (
        position BIGSERIAL PRIMARY KEY,
        event_id UUID NOT NULL UNIQUE,
        stream_id TEXT NOT NULL,
        version BIGINT NOT NULL CHECK (version >= 1),
        type TEXT NOT NULL,
        schema_version INTEGER NOT NULL,
        data TEXT NOT NULL,
        metadata TEXT NOT NULL,
        idempotency_key TEXT UNIQUE,
        occurred_at TIMESTAMPTZ NOT NULL,
        recorded_at TIMESTAMPTZ NOT NULL,
        hash CHAR(64) NOT NULL,
        tx_id XID8 NOT NULL DEFAULT pg_current_xact_id(),
        CONSTRAINT events_stream_version UNIQUE (stream_id, version)
    )
    """,
    "CREATE INDEX events_recorded_at ON events (recorded_at)",
    """
    CREATE FUNCTION tracker_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'events are append-only: % is refused', TG_OP;
    END $$
    """,
    """
    CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION tracker_events_append_only()
    """,
    """
    CREATE FUNCTION tracker_prepare_append(p_stream TEXT, p_ids UUID[], p_key TEXT)
    RETURNS TABLE (head_version BIGINT, head_hash TEXT, already_stored BIGINT)
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock(hashtextextended(p_stream, 0));
        RETURN QUERY
        SELECT
            COALESCE((SELECT e.version FROM events e WHERE e.stream_id = p_stream
                      ORDER BY e.version DESC LIMIT 1), 0)::BIGINT,
            (SELECT e.hash::TEXT FROM events e WHERE e.stream_id = p_stream
             ORDER BY e.version DESC LIMIT 1),
            (SELECT count(*) FROM events e
             WHERE e.event_id = ANY(p_ids) OR (p_key IS NOT NULL AND e.idempotency_key = p_key));
    END $$
    """,
    """
    CREATE FUNCTION tracker_insert_events(
        p_stream TEXT, p_versions BIGINT[], p_ids UUID[], p_types TEXT[], p_schemas INT[],
        p_data TEXT[], p_metadata TEXT[], p_key TEXT, p_occurred TIMESTAMPTZ[],
        p_recorded TIMESTAMPTZ[], p_hashes TEXT[])
    RETURNS SETOF BIGINT LANGUAGE plpgsql AS $$
    DECLARE
        v_last BIGINT;
    BEGIN
        -- The critical section: transaction id and positions are taken together, in order.
        PERFORM pg_advisory_lock(1953653099, 1);
        PERFORM pg_current_xact_id();
        RETURN QUERY
        INSERT INTO events (event_id, stream_id, version, type, schema_version, data, metadata,
                            idempotency_key, occurred_at, recorded_at, hash)
        SELECT u.i, p_stream, u.v, u.t, u.s, u.d, u.m,
               CASE WHEN u.o = 1 THEN p_key END, u.oc, u.rc, u.h
        FROM unnest(p_versions, p_ids, p_types, p_schemas, p_data, p_metadata, p_occurred,
                    p_recorded, p_hashes)
             WITH ORDINALITY AS u(v, i, t, s, d, m, oc, rc, h, o)
        ORDER BY u.o
        RETURNING position;
        PERFORM pg_advisory_unlock(1953653099, 1);
        PERFORM pg_notify('tracker_events', '');
    END $$
    """,
]


def upgrade() -> None:
    statements = POSTGRES if op.get_bind().dialect.name == "postgresql" else SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("the event store is never dropped by a migration")
