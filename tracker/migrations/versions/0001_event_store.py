"""The event store: one append-only table, guarded by triggers.

PostgreSQL also gets ``tracker_append``: one round trip per append. It takes a per-stream
transaction lock (same-stream writers queue until commit, so the version check never races),
checks idempotency and the expected version, hash-chains the events, then assigns the
transaction id and draws the positions inside a short global critical section (a session
advisory lock released before commit): so transaction-id order equals position order for every
append, and a reader that only reads events whose transaction is older than its snapshot's xmin
can never skip an event that commits later. See docs/event-store.md.

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
    CREATE FUNCTION tracker_append(
        p_stream TEXT, p_expected BIGINT, p_ids UUID[], p_types TEXT[], p_schemas INT[],
        p_data TEXT[], p_metadata TEXT[], p_key TEXT, p_occurred TIMESTAMPTZ[],
        p_recorded TIMESTAMPTZ)
    RETURNS TABLE (o_position BIGINT, o_version BIGINT, o_hash TEXT, o_duplicate BOOLEAN)
    LANGUAGE plpgsql AS $$
    -- One round trip per append. p_expected: n >= 0 exact version (0: no stream yet),
    -- -1 any, -2 no stream, -3 stream exists. A stale version raises SQLSTATE TR409 with the
    -- actual version as its message.
    DECLARE
        v_head BIGINT;
        v_hash TEXT;
        v_hashes TEXT[] := '{}';
        v_count INT := cardinality(p_ids);
        v_recorded TEXT := to_char(p_recorded AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
    BEGIN
        -- Marks this transaction as an appender until it ends (see tracker_read_fence).
        PERFORM pg_advisory_xact_lock_shared(1953653099, 3);
        -- Same-stream writers queue here until the holder commits: the head cannot race.
        PERFORM pg_advisory_xact_lock(hashtextextended(p_stream, 0));
        IF EXISTS (SELECT 1 FROM events WHERE event_id = ANY(p_ids))
           OR (p_key IS NOT NULL AND EXISTS (SELECT 1 FROM events WHERE idempotency_key = p_key))
        THEN
            RETURN QUERY SELECT NULL::BIGINT, NULL::BIGINT, NULL::TEXT, TRUE;
            RETURN;
        END IF;
        SELECT e.version, e.hash INTO v_head, v_hash
        FROM events e WHERE e.stream_id = p_stream ORDER BY e.version DESC LIMIT 1;
        v_head := COALESCE(v_head, 0);
        v_hash := COALESCE(v_hash, repeat('0', 64));
        IF (p_expected >= 0 AND v_head <> p_expected)
           OR (p_expected = -2 AND v_head <> 0)
           OR (p_expected = -3 AND v_head = 0) THEN
            RAISE EXCEPTION USING ERRCODE = 'TR409', MESSAGE = v_head::TEXT;
        END IF;
        FOR i IN 1 .. v_count LOOP
            -- The same bytes as tracker.events.codec.event_hash (which `tracker verify`
            -- recomputes), written inline: plpgsql caches this expression's plan, whereas a
            -- SQL-language helper function would be planned again on every call.
            v_hash := encode(sha256(
                convert_to(concat_ws(E'\\n', 'tracker-event-v1', v_hash, p_ids[i]::TEXT,
                                     p_stream, (v_head + i)::TEXT, p_types[i],
                                     p_schemas[i]::TEXT,
                                     to_char(p_occurred[i] AT TIME ZONE 'UTC',
                                             'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                                     v_recorded), 'UTF8')
                || '\\x0a'::BYTEA
                || int8send(octet_length(convert_to(p_data[i], 'UTF8')))
                || convert_to(p_data[i], 'UTF8')
                || int8send(octet_length(convert_to(p_metadata[i], 'UTF8')))
                || convert_to(p_metadata[i], 'UTF8')), 'hex');
            v_hashes := v_hashes || v_hash;
        END LOOP;
        -- The critical section: transaction id and positions are taken together, in order,
        -- and released before commit (see docs/event-store.md, "Ordering").
        PERFORM pg_advisory_lock(1953653099, 1);
        PERFORM pg_current_xact_id();
        RETURN QUERY
        INSERT INTO events AS e (event_id, stream_id, version, type, schema_version, data,
                                 metadata, idempotency_key, occurred_at, recorded_at, hash)
        SELECT u.i, p_stream, v_head + u.o, u.t, u.s, u.d, u.m,
               CASE WHEN u.o = 1 THEN p_key END, u.oc, p_recorded, u.h
        FROM unnest(p_ids, p_types, p_schemas, p_data, p_metadata, p_occurred, v_hashes)
             WITH ORDINALITY AS u(i, t, s, d, m, oc, h, o)
        ORDER BY u.o
        RETURNING e.position, e.version, e.hash::TEXT, FALSE;
        PERFORM pg_advisory_unlock(1953653099, 1);
        PERFORM pg_notify('tracker_events', '');
    END $$
    """,
    """
    CREATE FUNCTION tracker_read_fence() RETURNS XID8 LANGUAGE sql VOLATILE AS $$
        -- The oldest transaction id of an append still in progress, or the next id to be
        -- assigned when there is none. Unrelated open transactions do not hold readers back.
        WITH s AS MATERIALIZED (SELECT pg_current_snapshot() AS snap)
        SELECT COALESCE(
            (SELECT min(x) FROM s, pg_snapshot_xip(s.snap) AS x
             WHERE x::xid IN (
                 SELECT a.backend_xid FROM pg_locks l JOIN pg_stat_activity a USING (pid)
                 WHERE l.locktype = 'advisory' AND l.classid = 1953653099 AND l.objid = 3
                   AND l.objsubid = 2 AND l.granted
                   AND l.database = (SELECT oid FROM pg_database
                                     WHERE datname = current_database()))),
            (SELECT pg_snapshot_xmax(s.snap) FROM s))
    $$
    """,
    """
    CREATE FUNCTION tracker_events_after(p_after BIGINT, p_limit INT, p_known_at TIMESTAMPTZ)
    RETURNS SETOF events LANGUAGE plpgsql VOLATILE AS $$
    DECLARE
        v_fence XID8;
    BEGIN
        -- Two statements, two snapshots, in this order: the fence is taken first, so any
        -- append that could still commit below a returned position is behind the fence.
        v_fence := tracker_read_fence();
        RETURN QUERY
        SELECT * FROM events e
        WHERE e.position > p_after AND e.tx_id < v_fence
          AND (p_known_at IS NULL OR e.recorded_at <= p_known_at)
        ORDER BY e.position LIMIT p_limit;
    END $$
    """,
    """
    CREATE FUNCTION tracker_safe_head() RETURNS BIGINT LANGUAGE plpgsql VOLATILE AS $$
    DECLARE
        v_fence XID8;
    BEGIN
        v_fence := tracker_read_fence();
        RETURN COALESCE((SELECT max(e.position) FROM events e WHERE e.tx_id < v_fence), 0);
    END $$
    """,
]


def upgrade() -> None:
    statements = POSTGRES if op.get_bind().dialect.name == "postgresql" else SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("the event store is never dropped by a migration")
