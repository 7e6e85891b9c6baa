"""PostgreSQL: ``tracker_append_streams``, one atomic append to several streams.

Creating an item writes its index entry in the programme stream and the item's own first
events. Two ``tracker_append`` calls in one transaction would not do: each takes its positions
in its own pass through the critical section, so another append could take positions between
them and commit first, and a reader could then move past the gap before this transaction
commits. This function takes every stream's lock (in a fixed order, so two of them cannot
deadlock), checks every expected version, hash-chains each stream, and then draws all the
positions in one pass through the critical section: transaction-id order stays position order.

SQLite needs nothing: one ``BEGIN IMMEDIATE`` transaction holds the only writer.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

APPEND_STREAMS = """
CREATE FUNCTION tracker_append_streams(
    p_streams TEXT[], p_expected BIGINT[], p_counts INT[], p_ids UUID[], p_types TEXT[],
    p_schemas INT[], p_data TEXT[], p_metadata TEXT[], p_key TEXT, p_occurred TIMESTAMPTZ[],
    p_recorded TIMESTAMPTZ)
RETURNS TABLE (o_position BIGINT, o_version BIGINT, o_hash TEXT, o_duplicate BOOLEAN)
LANGUAGE plpgsql AS $$
-- The events of stream k are the p_counts[k] entries after those of streams 1..k-1, in order.
-- p_expected as in tracker_append (n >= 0 exact, -1 any, -2 no stream, -3 stream exists); a
-- stale version raises TR409 with '<stream index>:<actual version>' as its message.
DECLARE
    v_lock BIGINT;
    v_head BIGINT;
    v_hash TEXT;
    v_start INT := 0;
    v_i INT;
    v_streams TEXT[] := '{}';
    v_versions BIGINT[] := '{}';
    v_hashes TEXT[] := '{}';
    v_recorded TEXT := to_char(p_recorded AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
BEGIN
    PERFORM pg_advisory_xact_lock_shared(1953653099, 3);
    FOR v_lock IN SELECT DISTINCT hashtextextended(s, 0) AS h FROM unnest(p_streams) AS s
                  ORDER BY h LOOP
        PERFORM pg_advisory_xact_lock(v_lock);
    END LOOP;
    IF EXISTS (SELECT 1 FROM events WHERE event_id = ANY(p_ids))
       OR (p_key IS NOT NULL AND EXISTS (SELECT 1 FROM events WHERE idempotency_key = p_key))
    THEN
        RETURN QUERY SELECT NULL::BIGINT, NULL::BIGINT, NULL::TEXT, TRUE;
        RETURN;
    END IF;
    FOR k IN 1 .. cardinality(p_streams) LOOP
        SELECT e.version, e.hash INTO v_head, v_hash
        FROM events e WHERE e.stream_id = p_streams[k] ORDER BY e.version DESC LIMIT 1;
        v_head := COALESCE(v_head, 0);
        v_hash := COALESCE(v_hash, repeat('0', 64));
        IF (p_expected[k] >= 0 AND v_head <> p_expected[k])
           OR (p_expected[k] = -2 AND v_head <> 0)
           OR (p_expected[k] = -3 AND v_head = 0) THEN
            RAISE EXCEPTION USING ERRCODE = 'TR409', MESSAGE = k::TEXT || ':' || v_head::TEXT;
        END IF;
        FOR j IN 1 .. p_counts[k] LOOP
            v_i := v_start + j;
            -- The same bytes as tracker.events.codec.event_hash (see tracker_append).
            v_hash := encode(sha256(
                convert_to(concat_ws(E'\\n', 'tracker-event-v1', v_hash, p_ids[v_i]::TEXT,
                                     p_streams[k], (v_head + j)::TEXT, p_types[v_i],
                                     p_schemas[v_i]::TEXT,
                                     to_char(p_occurred[v_i] AT TIME ZONE 'UTC',
                                             'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                                     v_recorded), 'UTF8')
                || '\\x0a'::BYTEA
                || int8send(octet_length(convert_to(p_data[v_i], 'UTF8')))
                || convert_to(p_data[v_i], 'UTF8')
                || int8send(octet_length(convert_to(p_metadata[v_i], 'UTF8')))
                || convert_to(p_metadata[v_i], 'UTF8')), 'hex');
            v_streams := v_streams || p_streams[k];
            v_versions := v_versions || (v_head + j);
            v_hashes := v_hashes || v_hash;
        END LOOP;
        v_start := v_start + p_counts[k];
    END LOOP;
    -- One pass through the critical section for every stream (see tracker_append).
    PERFORM pg_advisory_lock(1953653099, 1);
    PERFORM pg_current_xact_id();
    RETURN QUERY
    INSERT INTO events AS e (event_id, stream_id, version, type, schema_version, data,
                             metadata, idempotency_key, occurred_at, recorded_at, hash)
    SELECT u.i, u.st, u.v, u.t, u.s, u.d, u.m, CASE WHEN u.o = 1 THEN p_key END, u.oc,
           p_recorded, u.h
    FROM unnest(p_ids, v_streams, v_versions, p_types, p_schemas, p_data, p_metadata,
                p_occurred, v_hashes)
         WITH ORDINALITY AS u(i, st, v, t, s, d, m, oc, h, o)
    ORDER BY u.o
    RETURNING e.position, e.version, e.hash::TEXT, FALSE;
    PERFORM pg_advisory_unlock(1953653099, 1);
    PERFORM pg_notify('tracker_events', '');
END $$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_STREAMS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "DROP FUNCTION tracker_append_streams(TEXT[], BIGINT[], INT[], UUID[], TEXT[], "
            "INT[], TEXT[], TEXT[], TEXT, TIMESTAMPTZ[], TIMESTAMPTZ)"
        )
