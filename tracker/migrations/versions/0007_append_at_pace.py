"""The append at the hardware's pace (issue 15): what the store promises, for less work.

PostgreSQL, ``tracker_append`` and ``tracker_append_streams`` replaced (same signatures, same
answers):

- **No idempotency probe on the common path.** The probe (``event_id = ANY(ids)``, and the key)
  ran before every append and cost more server time than the insert (measured: 460 -> 240 us of
  server CPU per one-event append under 16 writers). Now the head is read first; only when the
  expected version does not match is the probe made, since a retry of an append that committed
  finds the stream moved on. An append whose expected version still matches (``any``, ``exists``)
  and repeats stored ids or a stored key is refused by the unique indexes; the client then reads
  the earlier append and answers it, as it did when two such appends raced.
- **No ``pg_notify`` inside the append.** A transaction that notifies takes a cluster-wide lock
  at commit and keeps it until its commit record is flushed, so every appender's commit waited
  for the previous one's fsync: no group commit (2,082 -> 2,793 events/s under 16 writers when
  it went). The store now notifies after the commit, from its own connection, one notification
  for every append made while the previous one was being sent (``PostgresEventStore``).
- **A shorter critical section.** The session lock that keeps transaction-id order equal to
  position order now covers taking the transaction id and drawing the positions only; the insert
  (index maintenance) runs after it is released. The order is unchanged: positions are drawn in
  the same pass as the transaction id, whenever the rows are written.

Both stores: ``events_recorded_at`` dropped (no query leads with ``recorded_at``: every
``known_at`` filter rides on a stream or position scan), and on PostgreSQL the idempotency key's
unique index covers only the rows that carry a key, so an append without one touches three
indexes, not five. SQLite keeps its inline ``UNIQUE`` on the key (dropping it would mean
rebuilding the table).

``tracker_events_after`` is dropped: the store reads the fence and then the page in two
statements, which spares every row a copy through PL/pgSQL's result store.

Revision ID: 0007
Revises: 0006
"""

import importlib

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_HASH = """
            -- The same bytes as tracker.events.codec.event_hash (which `tracker verify`
            -- recomputes), written inline so that plpgsql caches the expression's plan.
            v_hash := encode(sha256(
                convert_to(concat_ws(E'\\n', 'tracker-event-v1', v_hash, p_ids[{i}]::TEXT,
                                     {stream}, (v_head + {j})::TEXT, p_types[{i}],
                                     p_schemas[{i}]::TEXT,
                                     to_char(p_occurred[{i}] AT TIME ZONE 'UTC',
                                             'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                                     v_recorded), 'UTF8')
                || '\\x0a'::BYTEA
                || int8send(octet_length(convert_to(p_data[{i}], 'UTF8')))
                || convert_to(p_data[{i}], 'UTF8')
                || int8send(octet_length(convert_to(p_metadata[{i}], 'UTF8')))
                || convert_to(p_metadata[{i}], 'UTF8')), 'hex');"""

_STORED_ALREADY = """
            IF EXISTS (SELECT 1 FROM unnest(p_ids) AS x(id) JOIN events e ON e.event_id = x.id)
               OR (p_key IS NOT NULL
                   AND EXISTS (SELECT 1 FROM events e WHERE e.idempotency_key = p_key))
            THEN
                RETURN QUERY SELECT NULL::BIGINT, NULL::BIGINT, NULL::TEXT, TRUE;
                RETURN;
            END IF;"""

_CRITICAL_SECTION = """
    -- The critical section: the transaction id and the positions are taken together, in order,
    -- and released before the insert and the commit (see docs/event-store.md, "Ordering").
    PERFORM pg_advisory_lock(1953653099, 1);
    PERFORM pg_current_xact_id();
    SELECT array_agg(nextval('events_position_seq') ORDER BY g) INTO v_positions
    FROM generate_series(1, cardinality(p_ids)) AS g;
    PERFORM pg_advisory_unlock(1953653099, 1);"""

APPEND = f"""
CREATE OR REPLACE FUNCTION tracker_append(
    p_stream TEXT, p_expected BIGINT, p_ids UUID[], p_types TEXT[], p_schemas INT[],
    p_data TEXT[], p_metadata TEXT[], p_key TEXT, p_occurred TIMESTAMPTZ[],
    p_recorded TIMESTAMPTZ)
RETURNS TABLE (o_position BIGINT, o_version BIGINT, o_hash TEXT, o_duplicate BOOLEAN)
LANGUAGE plpgsql AS $$
-- One round trip per append. p_expected: n >= 0 exact version (0: no stream yet),
-- -1 any, -2 no stream, -3 stream exists. A stale version raises SQLSTATE TR409 with the
-- actual version as its message, unless the events are stored already (o_duplicate).
DECLARE
    v_head BIGINT;
    v_hash TEXT;
    v_hashes TEXT[] := '{{}}';
    v_positions BIGINT[];
    v_recorded TEXT := to_char(p_recorded AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
BEGIN
    -- Marks this transaction as an appender until it ends (see tracker_read_fence).
    PERFORM pg_advisory_xact_lock_shared(1953653099, 3);
    -- Same-stream writers queue here until the holder commits: the head cannot race.
    PERFORM pg_advisory_xact_lock(hashtextextended(p_stream, 0));
    SELECT e.version, e.hash INTO v_head, v_hash
    FROM events e WHERE e.stream_id = p_stream ORDER BY e.version DESC LIMIT 1;
    v_head := COALESCE(v_head, 0);
    v_hash := COALESCE(v_hash, repeat('0', 64));
    IF (p_expected >= 0 AND v_head <> p_expected)
       OR (p_expected = -2 AND v_head <> 0)
       OR (p_expected = -3 AND v_head = 0) THEN
        {_STORED_ALREADY}
        RAISE EXCEPTION USING ERRCODE = 'TR409', MESSAGE = v_head::TEXT;
    END IF;
    FOR i IN 1 .. cardinality(p_ids) LOOP
        {_HASH.format(i="i", j="i", stream="p_stream")}
        v_hashes := v_hashes || v_hash;
    END LOOP;
    {_CRITICAL_SECTION}
    RETURN QUERY
    INSERT INTO events AS e (position, event_id, stream_id, version, type, schema_version, data,
                             metadata, idempotency_key, occurred_at, recorded_at, hash)
    SELECT u.p, u.i, p_stream, v_head + u.o, u.t, u.s, u.d, u.m,
           CASE WHEN u.o = 1 THEN p_key END, u.oc, p_recorded, u.h
    FROM unnest(v_positions, p_ids, p_types, p_schemas, p_data, p_metadata, p_occurred,
                v_hashes) WITH ORDINALITY AS u(p, i, t, s, d, m, oc, h, o)
    ORDER BY u.o
    RETURNING e.position, e.version, e.hash::TEXT, FALSE;
END $$
"""

APPEND_STREAMS = f"""
CREATE OR REPLACE FUNCTION tracker_append_streams(
    p_streams TEXT[], p_expected BIGINT[], p_counts INT[], p_ids UUID[], p_types TEXT[],
    p_schemas INT[], p_data TEXT[], p_metadata TEXT[], p_key TEXT, p_occurred TIMESTAMPTZ[],
    p_recorded TIMESTAMPTZ)
RETURNS TABLE (o_position BIGINT, o_version BIGINT, o_hash TEXT, o_duplicate BOOLEAN)
LANGUAGE plpgsql AS $$
-- The events of stream k are the p_counts[k] entries after those of streams 1..k-1, in order.
-- p_expected as in tracker_append (n >= 0 exact, -1 any, -2 no stream, -3 stream exists); a
-- stale version raises TR409 with '<stream index>:<actual version>' as its message, unless the
-- events are stored already (o_duplicate).
DECLARE
    v_lock BIGINT;
    v_head BIGINT;
    v_hash TEXT;
    v_start INT := 0;
    v_i INT;
    v_streams TEXT[] := '{{}}';
    v_versions BIGINT[] := '{{}}';
    v_hashes TEXT[] := '{{}}';
    v_positions BIGINT[];
    v_recorded TEXT := to_char(p_recorded AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
BEGIN
    PERFORM pg_advisory_xact_lock_shared(1953653099, 3);
    FOR v_lock IN SELECT DISTINCT hashtextextended(s, 0) AS h FROM unnest(p_streams) AS s
                  ORDER BY h LOOP
        PERFORM pg_advisory_xact_lock(v_lock);
    END LOOP;
    FOR k IN 1 .. cardinality(p_streams) LOOP
        SELECT e.version, e.hash INTO v_head, v_hash
        FROM events e WHERE e.stream_id = p_streams[k] ORDER BY e.version DESC LIMIT 1;
        v_head := COALESCE(v_head, 0);
        v_hash := COALESCE(v_hash, repeat('0', 64));
        IF (p_expected[k] >= 0 AND v_head <> p_expected[k])
           OR (p_expected[k] = -2 AND v_head <> 0)
           OR (p_expected[k] = -3 AND v_head = 0) THEN
            {_STORED_ALREADY}
            RAISE EXCEPTION USING ERRCODE = 'TR409', MESSAGE = k::TEXT || ':' || v_head::TEXT;
        END IF;
        FOR j IN 1 .. p_counts[k] LOOP
            v_i := v_start + j;
            {_HASH.format(i="v_i", j="j", stream="p_streams[k]")}
            v_streams := v_streams || p_streams[k];
            v_versions := v_versions || (v_head + j);
            v_hashes := v_hashes || v_hash;
        END LOOP;
        v_start := v_start + p_counts[k];
    END LOOP;
    {_CRITICAL_SECTION}
    RETURN QUERY
    INSERT INTO events AS e (position, event_id, stream_id, version, type, schema_version, data,
                             metadata, idempotency_key, occurred_at, recorded_at, hash)
    SELECT u.p, u.i, u.st, u.v, u.t, u.s, u.d, u.m, CASE WHEN u.o = 1 THEN p_key END, u.oc,
           p_recorded, u.h
    FROM unnest(v_positions, p_ids, v_streams, v_versions, p_types, p_schemas, p_data,
                p_metadata, p_occurred, v_hashes)
         WITH ORDINALITY AS u(p, i, st, v, t, s, d, m, oc, h, o)
    ORDER BY u.o
    RETURNING e.position, e.version, e.hash::TEXT, FALSE;
END $$
"""


def upgrade() -> None:
    op.execute("DROP INDEX events_recorded_at")
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(APPEND)
    op.execute(APPEND_STREAMS)
    op.execute(
        "CREATE UNIQUE INDEX events_idempotency_key ON events (idempotency_key) "
        "WHERE idempotency_key IS NOT NULL"
    )
    op.execute("ALTER TABLE events DROP CONSTRAINT events_idempotency_key_key")
    op.execute("DROP FUNCTION tracker_events_after(BIGINT, INT, TIMESTAMPTZ)")


def downgrade() -> None:
    op.execute("CREATE INDEX events_recorded_at ON events (recorded_at)")
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "ALTER TABLE events ADD CONSTRAINT events_idempotency_key_key UNIQUE (idempotency_key)"
    )
    op.execute("DROP INDEX events_idempotency_key")
    first = importlib.import_module("tracker.migrations.versions.0001_event_store")
    streams = importlib.import_module("tracker.migrations.versions.0004_append_streams")
    (append,) = [s for s in first.POSTGRES if "FUNCTION tracker_append(" in s]
    op.execute(append.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
    (after,) = [s for s in first.POSTGRES if "FUNCTION tracker_events_after(" in s]
    op.execute(after)
    op.execute(streams.APPEND_STREAMS.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
