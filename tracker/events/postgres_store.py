"""The production store on PostgreSQL, on asyncpg directly (the hot paths skip the ORM).

Ordering: every append draws its transaction id and positions inside one short critical section
(in ``tracker_append``), so transaction-id order equals position order. A reader first takes a
fence, the oldest transaction id of an append still in progress (``tracker_read_fence``), then
returns only events below it, so reading "everything after position p" never skips an event that
commits later. Only open appends hold readers back; other open transactions do not
(docs/event-store.md).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from tracker.clock import Clock, SystemClock
from tracker.db import asyncpg_dsn
from tracker.errors import IdempotencyMismatch, InvalidInput, StoreUnavailable, StreamConflict
from tracker.events.base import NewEvent, StoredEvent
from tracker.events.codec import format_instant, parse_instant
from tracker.events.follow import follow_store
from tracker.events.prepare import (
    Encoded,
    decode_rows,
    duplicate_result,
    earlier_append,
    earlier_by_ids,
    encode_batch,
    in_batches,
    results_by_stream,
    same_batch,
    validate_appends,
    validate_batch,
)
from tracker.events.store import (
    AppendResult,
    ExpectedVersion,
    Precondition,
    RawEvent,
    StreamAppend,
    StreamState,
)
from tracker.ids import stream_id as check_stream_id
from tracker.settings import Settings

CHANNEL = "tracker_events"
ANNOUNCE_INTERVAL = 0.01
"""Seconds between two notifications from one process (``_announce``): followers elsewhere
learn of an append at most this much later; this process's own learn at once."""
log = logging.getLogger(__name__)
_CRITICAL_SECTION = (1953653099, 1)
_COLUMNS = (
    "position, event_id, stream_id, version, type, schema_version, data, "
    "metadata, occurred_at, recorded_at, hash, idempotency_key"
)

_UNAVAILABLE = (
    OSError,
    asyncio.TimeoutError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.LockNotAvailableError,
    asyncpg.exceptions.QueryCanceledError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.InterfaceError,
    # A pooled connection the server terminated while it sat idle can fail its next use this
    # way (the termination notice arrived between operations); the pool then drops it.
    asyncpg.exceptions.InternalClientError,
)
_CONNECTION_LOST = (
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.InternalClientError,
    asyncpg.exceptions.InterfaceError,
)


async def _no_session_state(conn: asyncpg.Connection) -> None:
    """The pools' reset: nothing to undo (asyncpg has rolled back any open transaction). The
    one session state an append can leave, the critical section's session lock, is released
    where it can be left (``_release_critical_section``), or its connection is closed."""


class PostgresEventStore:
    def __init__(self, settings: Settings, *, clock: Clock | None = None) -> None:
        self._settings = settings
        self._clock = clock or SystemClock()
        self._dsn = asyncpg_dsn(settings.database_url)
        self._pool: asyncpg.Pool | None = None
        self._read_pool: asyncpg.Pool | None = None
        self._pool_lock = asyncio.Lock()
        self._listener: asyncpg.Connection | None = None
        self._changed = asyncio.Event()
        self._announcer: asyncpg.Connection | None = None
        self._announcing: asyncio.Task[None] | None = None
        self._announce_again = False

    async def _get_pool(self) -> asyncpg.Pool:
        """The pool appends (and what may take locks) use. A connection goes back without
        asyncpg's reset statement (a round trip per append): an append that fails releases the
        critical section's session lock itself, and one interrupted mid-statement (cancelled)
        closes its connection, whose locks die with it (``_appending``)."""
        if self._pool is None:
            async with self._pool_lock:
                if self._pool is None:
                    self._pool = await self._create_pool(
                        20, application="tracker-store", reset=_no_session_state
                    )
        return self._pool

    async def _get_read_pool(self) -> asyncpg.Pool:
        """The pool reads use. Reads change no session state and take no lock, so a connection
        goes back without the reset statement: that round trip cost a sixth of a GET's time at
        64 connections (docs/performance.md)."""
        if self._read_pool is None:
            async with self._pool_lock:
                if self._read_pool is None:
                    self._read_pool = await self._create_pool(
                        20, application="tracker-store-reads", reset=_no_session_state
                    )
        return self._read_pool

    async def _create_pool(
        self,
        size: int,
        *,
        application: str,
        reset: Callable[[asyncpg.Connection], Awaitable[None]] | None = None,
    ) -> asyncpg.Pool:
        try:
            pool: asyncpg.Pool = await asyncpg.create_pool(
                self._dsn,
                min_size=1,
                max_size=size,
                timeout=10,
                reset=reset,
                server_settings={
                    "lock_timeout": f"{self._settings.lock_timeout_ms}ms",
                    "statement_timeout": "60s",
                    "application_name": application,
                },
            )
        except _UNAVAILABLE as exc:
            raise StoreUnavailable(f"PostgreSQL is unavailable: {exc}") from exc
        return pool

    async def close(self) -> None:
        if self._announcing is not None:
            await asyncio.gather(self._announcing, return_exceptions=True)
            self._announcing = None
        if self._announcer is not None:
            await self._announcer.close()
            self._announcer = None
        if self._listener is not None:
            await self._listener.close()
            self._listener = None
        if self._pool is not None:
            await self._pool.close()
            self._pool = None
        if self._read_pool is not None:
            await self._read_pool.close()
            self._read_pool = None

    async def append(
        self,
        stream_id: str,
        events: Sequence[NewEvent],
        expected_version: ExpectedVersion,
        *,
        idempotency_key: str | None = None,
        precondition: Precondition | None = None,
    ) -> AppendResult:
        now = self._clock.now()
        validate_batch(
            stream_id,
            events,
            now=now,
            max_event_bytes=self._settings.max_event_bytes,
            max_events=self._settings.max_events_per_append,
        )
        encoded = encode_batch(
            events,
            idempotency_key=idempotency_key,
            max_event_bytes=self._settings.max_event_bytes,
        )
        pool = await self._get_pool()
        ids = [e.event_id for e in events]
        try:
            async with pool.acquire() as conn:
                if precondition is not None:
                    precondition.check(await conn.fetchval(precondition.sql))
                # One statement, one implicit transaction: see tracker_append.
                records = await _appending(
                    conn,
                    "SELECT * FROM tracker_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                    stream_id,
                    _expected_code(expected_version),
                    ids,
                    *_event_arrays(encoded),
                    idempotency_key,
                    [e.occurred_at for e in encoded],
                    now,
                )
                if records and records[0]["o_duplicate"]:
                    existing = await self._existing(conn, stream_id, ids, idempotency_key)
                    if existing is None:  # pragma: no cover - the function said it was stored
                        raise IdempotencyMismatch("stored events vanished")
                    return existing
        except asyncpg.PostgresError as exc:
            if exc.sqlstate == "TR409":
                raise StreamConflict(
                    stream_id, _expected_label(expected_version), int(str(exc.args[0]))
                ) from exc
            if isinstance(exc, asyncpg.exceptions.UniqueViolationError):
                if exc.constraint_name == "events_stream_version":
                    actual = await self.stream_version(stream_id)
                    raise StreamConflict(
                        stream_id, _expected_label(expected_version), actual
                    ) from exc
                # An event id or key committed by a concurrent append: now it is stored.
                async with pool.acquire() as conn:
                    existing = await self._existing(conn, stream_id, ids, idempotency_key)
                if existing is None:
                    raise
                return existing
            if isinstance(exc, _UNAVAILABLE):
                raise StoreUnavailable(f"PostgreSQL is unavailable: {exc}") from exc
            raise
        except _UNAVAILABLE as exc:
            raise StoreUnavailable(f"PostgreSQL is unavailable: {exc}") from exc
        self._announce()
        (result,) = results_by_stream(
            _stored_appended(records, encoded, events, [stream_id] * len(events), now)
        )
        return result

    async def append_streams(
        self,
        appends: Sequence[StreamAppend],
        *,
        idempotency_key: str | None = None,
        precondition: Precondition | None = None,
    ) -> list[AppendResult]:
        """One statement, ``tracker_append_streams``: every stream's events or none."""
        now = self._clock.now()
        validate_appends(
            appends,
            now=now,
            max_event_bytes=self._settings.max_event_bytes,
            max_events=self._settings.max_events_per_append,
        )
        events = [e for part in appends for e in part.events]
        encoded = [
            item
            for part in appends
            for item in encode_batch(
                part.events,
                idempotency_key=idempotency_key,
                max_event_bytes=self._settings.max_event_bytes,
            )
        ]
        ids = [e.event_id for e in events]
        pool = await self._get_pool()
        try:
            async with pool.acquire() as conn:
                if precondition is not None:
                    precondition.check(await conn.fetchval(precondition.sql))
                records = await _appending(
                    conn,
                    "SELECT * FROM tracker_append_streams($1, $2, $3, $4, $5, $6, $7, $8, "
                    "$9, $10, $11)",
                    [a.stream_id for a in appends],
                    [_expected_code(a.expected_version) for a in appends],
                    [len(a.events) for a in appends],
                    ids,
                    *_event_arrays(encoded),
                    idempotency_key,
                    [e.occurred_at for e in encoded],
                    now,
                )
                if records and records[0]["o_duplicate"]:
                    return await self._earlier_streams(conn, appends, ids, idempotency_key)
        except asyncpg.PostgresError as exc:
            if exc.sqlstate == "TR409":
                index, _, actual = str(exc.args[0]).partition(":")
                part = appends[int(index) - 1]
                raise StreamConflict(
                    part.stream_id, _expected_label(part.expected_version), int(actual)
                ) from exc
            if isinstance(exc, asyncpg.exceptions.UniqueViolationError):
                # An event id or key committed by a concurrent append: now it is stored.
                async with pool.acquire() as conn:
                    return await self._earlier_streams(conn, appends, ids, idempotency_key)
            if isinstance(exc, _UNAVAILABLE):
                raise StoreUnavailable(f"PostgreSQL is unavailable: {exc}") from exc
            raise
        except _UNAVAILABLE as exc:
            raise StoreUnavailable(f"PostgreSQL is unavailable: {exc}") from exc
        self._announce()
        streams = [part.stream_id for part in appends for _ in part.events]
        return results_by_stream(_stored_appended(records, encoded, events, streams, now))

    async def _earlier_streams(
        self,
        conn: asyncpg.Connection,
        appends: Sequence[StreamAppend],
        ids: list[UUID],
        key: str | None,
    ) -> list[AppendResult]:
        if key is not None:
            batch = await self._with_key(conn, key)
            if batch:
                return earlier_append([a.stream_id for a in appends], batch)
        rows = await conn.fetch(
            f"SELECT {_COLUMNS} FROM events WHERE event_id = ANY($1) ORDER BY position", ids
        )
        streams = [a.stream_id for a in appends]
        return earlier_by_ids(streams, decode_rows(rows, from_text=False), [str(i) for i in ids])

    async def _with_key(self, conn: asyncpg.Connection, key: str) -> list[StoredEvent]:
        rows = await conn.fetch(
            f"SELECT {_COLUMNS} FROM events WHERE position >= "
            "(SELECT position FROM events WHERE idempotency_key = $1) ORDER BY position LIMIT $2",
            key,
            self._settings.max_events_per_append,
        )
        return same_batch(decode_rows(rows, from_text=False), key) if rows else []

    async def appended_with_key(self, idempotency_key: str) -> list[StoredEvent]:
        pool = await self._get_pool()
        try:
            async with pool.acquire() as conn:
                return await self._with_key(conn, idempotency_key)
        except _UNAVAILABLE as exc:
            raise StoreUnavailable(f"PostgreSQL is unavailable: {exc}") from exc

    async def _existing(
        self, conn: asyncpg.Connection, stream_id: str, ids: list[UUID], key: str | None
    ) -> AppendResult | None:
        if key is not None:
            first = await conn.fetchrow(
                "SELECT stream_id, version FROM events WHERE idempotency_key = $1", key
            )
            if first is not None:
                if first["stream_id"] != stream_id:
                    raise IdempotencyMismatch(
                        f"idempotency key {key!r} was used for stream {first['stream_id']!r}"
                    )
                rows = await conn.fetch(
                    f"SELECT {_COLUMNS} FROM events WHERE stream_id = $1 AND version >= $2 "
                    "ORDER BY version LIMIT $3",
                    stream_id,
                    first["version"],
                    self._settings.max_events_per_append,
                )
                return duplicate_result(same_batch(decode_rows(rows, from_text=False), key))
        rows = await conn.fetch(
            f"SELECT {_COLUMNS} FROM events WHERE event_id = ANY($1) ORDER BY position", ids
        )
        if not rows:
            return None
        (result,) = earlier_by_ids(
            [stream_id], decode_rows(rows, from_text=False), [str(i) for i in ids]
        )
        return result

    async def _fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        """A read, tried once more on another connection when the first one turns out to
        have been closed by the server (a restart or ``pg_terminate_backend``)."""
        pool = await self._get_read_pool()
        try:
            try:
                return list(await pool.fetch(sql, *args))
            except _CONNECTION_LOST:
                return list(await pool.fetch(sql, *args))
        except _UNAVAILABLE as exc:
            raise StoreUnavailable(f"PostgreSQL is unavailable: {exc}") from exc

    async def query(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        """A read-only statement on the store's pool, for the read model's one-statement reads
        (``tracker/projections/read_model/rows.py``): one round trip, a prepared statement, and
        the store's handling of lost connections (tried once more; else StoreUnavailable)."""
        return await self._fetch(sql, *args)

    async def stream_version(self, stream_id: str) -> int:
        check_stream_id(stream_id)
        rows = await self._fetch("SELECT max(version) FROM events WHERE stream_id = $1", stream_id)
        return int(rows[0][0] or 0)

    async def read_stream(
        self,
        stream_id: str,
        *,
        to_version: int | None = None,
        as_of: datetime | None = None,
        known_at: datetime | None = None,
    ) -> list[StoredEvent]:
        check_stream_id(stream_id)
        rows = await self._fetch(
            f"SELECT {_COLUMNS} FROM events WHERE stream_id = $1 "
            "AND ($2::bigint IS NULL OR version <= $2) "
            "AND ($3::timestamptz IS NULL OR occurred_at <= $3) "
            "AND ($4::timestamptz IS NULL OR recorded_at <= $4) ORDER BY version",
            stream_id,
            to_version,
            as_of,
            known_at,
        )
        return decode_rows(rows, from_text=False)

    async def read_streams(
        self,
        stream_ids: Sequence[str],
        *,
        as_of: datetime | None = None,
        known_at: datetime | None = None,
        after: Sequence[int] | None = None,
    ) -> list[StoredEvent]:
        for stream in stream_ids:
            check_stream_id(stream)
        if after is not None and len(after) != len(stream_ids):
            raise InvalidInput("read_streams: one 'after' version per stream")
        if not stream_ids:
            return []
        # One range scan of (stream_id, version) per stream: only the versions asked for.
        rows = await self._fetch(
            f"SELECT {_COLUMNS} FROM unnest($1::text[], $2::bigint[]) AS s(sid, after_v) "
            "JOIN events ON events.stream_id = s.sid AND events.version > s.after_v "
            "WHERE ($3::timestamptz IS NULL OR occurred_at <= $3) "
            "AND ($4::timestamptz IS NULL OR recorded_at <= $4) ORDER BY position",
            list(stream_ids),
            list(after) if after is not None else [0] * len(stream_ids),
            as_of,
            known_at,
        )
        return decode_rows(rows, from_text=False)

    async def read_all(
        self, after: int = 0, limit: int = 500, *, known_at: datetime | None = None
    ) -> list[StoredEvent]:
        if limit < 1:
            raise InvalidInput("limit must be at least 1")
        # Two statements, two snapshots, in this order: the fence first, so any append that
        # could still commit below a returned position is behind it (docs/event-store.md).
        fence = (await self._fetch("SELECT tracker_read_fence()"))[0][0]
        rows = await self._fetch(
            f"SELECT {_COLUMNS} FROM events WHERE position > $1 AND tx_id < $2 "
            "AND ($3::timestamptz IS NULL OR recorded_at <= $3) ORDER BY position LIMIT $4",
            after,
            fence,
            known_at,
            limit,
        )
        return decode_rows(rows, from_text=False)

    async def read_raw(self, after: int = 0, limit: int = 500) -> list[RawEvent]:
        """Every committed event, without the fence: export and verify see all of them now."""
        rows = await self._fetch(
            f"SELECT {_COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2",
            after,
            limit,
        )
        return [
            RawEvent(
                position=r["position"],
                event_id=str(r["event_id"]),
                stream_id=r["stream_id"],
                version=r["version"],
                type=r["type"],
                schema_version=r["schema_version"],
                occurred_at=format_instant(r["occurred_at"]),
                recorded_at=format_instant(r["recorded_at"]),
                data=msgspec.Raw(r["data"].encode()),
                metadata=msgspec.Raw(r["metadata"].encode()),
                hash=r["hash"],
                idempotency_key=r["idempotency_key"],
            )
            for r in rows
        ]

    async def head_position(self) -> int:
        rows = await self._fetch("SELECT tracker_safe_head()")
        return int(rows[0][0] or 0)

    async def import_raw(self, events: Iterable[RawEvent], *, batch_size: int = 2000) -> int:
        pool = await self._get_pool()
        total = 0
        async with pool.acquire() as conn:
            # Imports take the append critical section for their whole transaction.
            await conn.execute("SELECT pg_advisory_lock($1, $2)", *_CRITICAL_SECTION)
            try:
                async with conn.transaction():
                    await conn.execute("SELECT pg_advisory_xact_lock_shared(1953653099, 3)")
                    for batch in in_batches(events, batch_size):
                        await conn.executemany(
                            "INSERT INTO events (position, event_id, stream_id, version, type, "
                            "schema_version, data, metadata, idempotency_key, occurred_at, "
                            "recorded_at, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
                            "$11, $12)",
                            [
                                (
                                    raw.position,
                                    UUID(raw.event_id),
                                    raw.stream_id,
                                    raw.version,
                                    raw.type,
                                    raw.schema_version,
                                    bytes(raw.data).decode(),
                                    bytes(raw.metadata).decode(),
                                    raw.idempotency_key,
                                    parse_instant(raw.occurred_at),
                                    parse_instant(raw.recorded_at),
                                    raw.hash,
                                )
                                for raw in batch
                            ],
                        )
                        total += len(batch)
                    await conn.execute(
                        "SELECT setval(pg_get_serial_sequence('events', 'position'), "
                        "GREATEST((SELECT max(position) FROM events), 1))"
                    )
            except BaseException:
                # The session lock must not go back to the pool: close the connection.
                conn.terminate()
                raise
            await conn.execute("SELECT pg_advisory_unlock($1, $2)", *_CRITICAL_SECTION)
        self._announce()
        return total

    async def _ensure_listener(self) -> None:
        if self._listener is not None and not self._listener.is_closed():
            return
        try:
            self._listener = await asyncpg.connect(
                self._dsn, server_settings={"application_name": "tracker-listener"}
            )
        except _UNAVAILABLE as exc:
            raise StoreUnavailable(f"PostgreSQL is unavailable: {exc}") from exc
        await self._listener.add_listener(CHANNEL, self._on_notify)

    def _on_notify(self, *_args: object) -> None:
        self._changed.set()

    def _announce(self) -> None:
        """Tell followers, here and in other processes, that events were committed.

        Sent after the commit and outside the append's transaction: a notifying transaction
        holds a cluster-wide lock until its commit is flushed, which would queue every
        appender's commit behind the previous one's (migration 0007). One notification covers
        every append made within ``ANNOUNCE_INTERVAL`` of the previous one; if it is lost (this
        process dies first, the connection fails), followers find the events at their next
        poll."""
        self._changed.set()
        self._announce_again = True
        if self._announcing is None or self._announcing.done():
            self._announcing = asyncio.get_running_loop().create_task(self._send_announcements())

    async def _send_announcements(self) -> None:
        while self._announce_again:
            self._announce_again = False
            started = time.monotonic()
            try:
                if self._announcer is None or self._announcer.is_closed():
                    # Nothing durable is written: the notification need not wait for a flush.
                    self._announcer = await asyncpg.connect(
                        self._dsn,
                        timeout=10,
                        server_settings={
                            "application_name": "tracker-announcer",
                            "synchronous_commit": "off",
                        },
                    )
                await self._announcer.execute(f"NOTIFY {CHANNEL}")
                # At most one notification per interval: under load every append would
                # otherwise cost a statement and a transaction of its own.
                await asyncio.sleep(max(0.0, ANNOUNCE_INTERVAL - (time.monotonic() - started)))
            except (*_UNAVAILABLE, asyncpg.PostgresError) as exc:
                log.warning("could not notify followers (they will poll): %s", exc)
                if self._announcer is not None:
                    self._announcer.terminate()
                    self._announcer = None
                return

    async def wait_for_new_events(self, timeout: float) -> None:
        """Wake on NOTIFY; poll as a fallback (an event held back by an older open transaction
        becomes readable with no further notification)."""
        await self._ensure_listener()
        if not self._changed.is_set():
            try:
                await asyncio.wait_for(
                    self._changed.wait(),
                    timeout=min(timeout, self._settings.follower_poll_seconds * 10),
                )
            except TimeoutError:
                pass
        self._changed.clear()

    def follow(
        self, after: int = 0, *, page_size: int = 500, idle_timeout: float | None = None
    ) -> AsyncIterator[StoredEvent]:
        return follow_store(self, after, page_size=page_size, idle_timeout=idle_timeout)


def _event_arrays(
    encoded: Sequence[Encoded],
) -> tuple[list[str], list[int], list[str], list[str]]:
    """The per-event array parameters both append functions take, in their order."""
    return (
        [e.type for e in encoded],
        [e.schema_version for e in encoded],
        [e.data for e in encoded],
        [e.metadata for e in encoded],
    )


def _stored_appended(
    records: Sequence[asyncpg.Record],
    encoded: Sequence[Encoded],
    events: Sequence[NewEvent],
    streams: Sequence[str],
    recorded_at: datetime,
) -> list[StoredEvent]:
    """The events just appended, from what was sent and the positions, versions and hashes
    the append function returned (nothing is read back)."""
    return [
        StoredEvent(
            position=record["o_position"],
            stream_id=stream,
            version=record["o_version"],
            event_id=event.event_id,
            type=row.type,
            schema_version=row.schema_version,
            data=event.data,
            metadata=row.metadata_struct,
            occurred_at=row.occurred_at,
            recorded_at=recorded_at,
            hash=record["o_hash"],
        )
        for record, row, event, stream in zip(records, encoded, events, streams, strict=True)
    ]


async def _appending(conn: asyncpg.Connection, sql: str, *args: Any) -> list[asyncpg.Record]:
    """Run an append function. A failed one may have stopped inside the critical section (the
    session lock outlives the rolled-back statement), so it is released; an interrupted one
    (cancelled, timed out) closes the connection instead, as its state is unknown."""
    try:
        return list(await conn.fetch(sql, *args))
    except asyncpg.PostgresError:
        await _release_critical_section(conn)
        raise
    except BaseException:
        conn.terminate()
        raise


async def _release_critical_section(conn: asyncpg.Connection) -> None:
    """After a failed append, perhaps inside the critical section: the session lock outlives
    the rolled-back statement, so release it (a no-op if free). A connection the server is
    closing cannot run it, and its locks die with it: drop it from the pool instead."""
    if conn.is_closed():
        return
    try:
        await conn.execute("SELECT pg_advisory_unlock($1, $2)", *_CRITICAL_SECTION)
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
        conn.terminate()


def _expected_code(expected: ExpectedVersion) -> int:
    if isinstance(expected, StreamState):
        return {StreamState.ANY: -1, StreamState.NO_STREAM: -2, StreamState.EXISTS: -3}[expected]
    if expected < 0:
        raise InvalidInput(f"expected version must be 0 or more, got {expected}")
    return expected


def _expected_label(expected: ExpectedVersion) -> int | str:
    return expected.value if isinstance(expected, StreamState) else expected
