"""The embedded store on SQLite: the hot paths on the driver directly, the rest on SQLAlchemy.

SQLite has one writer at a time and every append starts with ``BEGIN IMMEDIATE``, so positions
are assigned and committed in the same order: a reader can never see position 11 before 10.
New events are found by polling.

Appends and reads run on the store's own threads and connections
(``tracker.events.sqlite_driver``): an append is one function on the writer thread (head read,
one ``executemany``, commit), a read one statement on a reader thread, rows decoded there
straight into ``StoredEvent``. The idempotency probe runs only when the append cannot go ahead
as it is (the expected version does not match, or a unique event id or key is already taken):
a retry always meets one of the two, so it is still found and answered with the stored result.
``import_raw`` stays on SQLAlchemy, as do migrations and everything outside the store.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import datetime
from typing import Any, Final

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tracker.clock import Clock, SystemClock
from tracker.db import WRITE_OPTION, create_engine, sqlite_path
from tracker.errors import IdempotencyMismatch, InvalidInput, StreamConflict
from tracker.events.base import NewEvent, StoredEvent
from tracker.events.codec import GENESIS_HASH, format_instant
from tracker.events.follow import follow_store
from tracker.events.prepare import (
    Row,
    build_rows,
    check_expected,
    decode_rows,
    earlier_append,
    earlier_by_ids,
    in_batches,
    keyed,
    results_by_stream,
    same_batch,
    validate_appends,
    validate_batch,
)
from tracker.events.sqlite_driver import Savepoint, SqliteConnections
from tracker.events.store import (
    AppendResult,
    ExpectedVersion,
    Precondition,
    RawEvent,
    StreamAppend,
)
from tracker.ids import stream_id as check_stream_id
from tracker.settings import Settings

_COLUMNS: Final = (
    "position, event_id, stream_id, version, type, schema_version, data, metadata, "
    "occurred_at, recorded_at, hash, idempotency_key"
)
_HEAD: Final = "SELECT version, hash FROM events WHERE stream_id = ? ORDER BY version DESC LIMIT 1"
_INSERT: Final = (
    "INSERT INTO events (event_id, stream_id, version, type, schema_version, data, metadata, "
    "idempotency_key, occurred_at, recorded_at, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_VERSION: Final = "SELECT max(version) FROM events WHERE stream_id = ?"


def _select(conn: sqlite3.Connection, sql: str, params: Sequence[Any]) -> list[StoredEvent]:
    return decode_rows(conn.execute(sql, params).fetchall(), from_text=True)


def _insert(conn: sqlite3.Connection, rows: list[Row]) -> list[int]:
    """One ``executemany``. The writer holds ``BEGIN IMMEDIATE`` and positions are
    AUTOINCREMENT, so they are consecutive within the transaction: the last one tells all."""
    conn.executemany(
        _INSERT,
        [
            (
                row.event_id,
                row.stream_id,
                row.version,
                row.type,
                row.schema_version,
                row.data,
                row.metadata,
                row.idempotency_key,
                row.occurred_text,
                row.recorded_text,
                row.hash,
            )
            for row in rows
        ],
    )
    last = int(conn.execute("SELECT last_insert_rowid()").fetchone()[0])
    return list(range(last - len(rows) + 1, last + 1))


def _head(conn: sqlite3.Connection, stream_id: str) -> tuple[int, str]:
    found = conn.execute(_HEAD, (stream_id,)).fetchone()
    return (int(found[0]), str(found[1])) if found else (0, GENESIS_HASH)


def _with_key(conn: sqlite3.Connection, key: str, limit: int) -> list[StoredEvent]:
    rows = _select(
        conn,
        f"SELECT {_COLUMNS} FROM events WHERE position >= "
        "(SELECT position FROM events WHERE idempotency_key = ?) ORDER BY position LIMIT ?",
        (key, limit),
    )
    return same_batch(rows, key) if rows else []


def _with_ids(conn: sqlite3.Connection, ids: list[str]) -> list[StoredEvent]:
    placeholders = ", ".join("?" for _ in ids)
    return _select(
        conn,
        f"SELECT {_COLUMNS} FROM events WHERE event_id IN ({placeholders}) ORDER BY position",
        ids,
    )


def _earlier(
    conn: sqlite3.Connection, streams: list[str], ids: list[str], key: str | None, limit: int
) -> list[AppendResult] | None:
    """The stored results of an earlier identical append (by key, else by event ids), None if
    there was none; refuses a key or ids used for another append."""
    if key is not None:
        batch = _with_key(conn, key, limit)
        if batch:
            if len(streams) == 1 and batch[0].stream_id != streams[0]:
                raise IdempotencyMismatch(
                    f"idempotency key {key!r} was used for stream {batch[0].stream_id!r}"
                )
            return earlier_append(streams, batch)
    stored = _with_ids(conn, ids)
    if not stored:
        return None
    return earlier_by_ids(streams, stored, ids)


class SqliteEventStore:
    def __init__(
        self, settings: Settings, *, clock: Clock | None = None, engine: AsyncEngine | None = None
    ) -> None:
        self._settings = settings
        self._clock = clock or SystemClock()
        self._engine = engine or create_engine(settings)
        self._owns_engine = engine is None
        self._db = SqliteConnections(
            sqlite_path(settings.database_url), busy_timeout_ms=settings.sqlite_busy_timeout_ms
        )

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    async def close(self) -> None:
        await asyncio.to_thread(self._db.close)
        if self._owns_engine:
            await self._engine.dispose()

    async def _write_connection(self) -> AsyncConnection:
        conn = await self._engine.connect()
        return await conn.execution_options(**{WRITE_OPTION: True})

    async def append(
        self,
        stream_id: str,
        events: Sequence[NewEvent],
        expected_version: ExpectedVersion,
        *,
        idempotency_key: str | None = None,
        precondition: Precondition | None = None,
    ) -> AppendResult:
        (result,) = await self._append(
            [StreamAppend(stream_id=stream_id, events=events, expected_version=expected_version)],
            idempotency_key,
            precondition,
            single=True,
        )
        return result

    async def append_streams(
        self,
        appends: Sequence[StreamAppend],
        *,
        idempotency_key: str | None = None,
        precondition: Precondition | None = None,
    ) -> list[AppendResult]:
        """One ``BEGIN IMMEDIATE`` transaction for every stream: all are stored or none."""
        return await self._append(appends, idempotency_key, precondition, single=False)

    async def _append(
        self,
        appends: Sequence[StreamAppend],
        key: str | None,
        precondition: Precondition | None,
        *,
        single: bool,
    ) -> list[AppendResult]:
        now = self._clock.now()
        limits = self._settings
        if single:
            (part,) = appends
            validate_batch(
                part.stream_id,
                part.events,
                now=now,
                max_event_bytes=limits.max_event_bytes,
                max_events=limits.max_events_per_append,
            )
        else:
            validate_appends(
                appends,
                now=now,
                max_event_bytes=limits.max_event_bytes,
                max_events=limits.max_events_per_append,
            )
        streams = [a.stream_id for a in appends]
        ids = [str(e.event_id) for a in appends for e in a.events]

        def on_writer(conn: sqlite3.Connection, savepoint: Savepoint) -> list[AppendResult]:
            """In the writer's transaction (``sqlite_driver``): stored once it commits."""

            def earlier() -> list[AppendResult] | None:
                # What this append wrote so far is undone first: it is not a retry's.
                savepoint.undo()
                return _earlier(conn, streams, ids, key, limits.max_events_per_append)

            if precondition is not None:  # under the write lock: nobody changes it now
                precondition.check(conn.execute(precondition.sql).fetchone()[0])
            stored: list[StoredEvent] = []
            try:
                for index, part in enumerate(appends):
                    head_version, head_hash = _head(conn, part.stream_id)
                    try:
                        check_expected(part.stream_id, part.expected_version, head_version)
                    except StreamConflict:
                        if (found := earlier()) is not None:  # a retry of a stored append
                            return found
                        raise
                    # The key column is unique: only the first event carries it there; every
                    # event carries it in its metadata.
                    events = part.events if index == 0 else keyed(part.events, key)
                    rows = build_rows(
                        part.stream_id,
                        events,
                        head_version=head_version,
                        head_hash=head_hash,
                        recorded_at=now,
                        idempotency_key=key if index == 0 else None,
                        max_event_bytes=limits.max_event_bytes,
                    )
                    positions = _insert(conn, rows)
                    stored += [
                        _stored_from(position, row, event)
                        for position, row, event in zip(positions, rows, part.events, strict=True)
                    ]
            except sqlite3.IntegrityError:
                # An event id or the key is taken: a retry, or ids used for another append.
                if (found := earlier()) is not None:
                    return found
                part = appends[0]
                actual = conn.execute(_VERSION, (part.stream_id,)).fetchone()[0] or 0
                raise StreamConflict(part.stream_id, part.expected_version, int(actual)) from None
            return results_by_stream(stored)

        results: list[AppendResult] = await self._db.write(on_writer)
        return results

    async def appended_with_key(self, idempotency_key: str) -> list[StoredEvent]:
        limit = self._settings.max_events_per_append
        return await self._db.read(lambda conn: _with_key(conn, idempotency_key, limit))

    async def query(self, sql: str, *args: Any) -> list[Any]:
        """A read-only statement on the store's readers (one hop to a reader thread), like
        ``PostgresEventStore.query``; ``?`` placeholders."""
        return await self._db.read(lambda conn: conn.execute(sql, args).fetchall())

    async def stream_version(self, stream_id: str) -> int:
        check_stream_id(stream_id)

        def on_reader(conn: sqlite3.Connection) -> int:
            return int(conn.execute(_VERSION, (stream_id,)).fetchone()[0] or 0)

        return await self._db.read(on_reader)

    async def read_stream(
        self,
        stream_id: str,
        *,
        to_version: int | None = None,
        as_of: datetime | None = None,
        known_at: datetime | None = None,
    ) -> list[StoredEvent]:
        check_stream_id(stream_id)
        clauses = ["stream_id = ?"]
        params: list[Any] = [stream_id]
        if to_version is not None:
            clauses.append("version <= ?")
            params.append(to_version)
        if as_of is not None:
            clauses.append("occurred_at <= ?")
            params.append(format_instant(as_of))
        if known_at is not None:
            clauses.append("recorded_at <= ?")
            params.append(format_instant(known_at))
        sql = f"SELECT {_COLUMNS} FROM events WHERE {' AND '.join(clauses)} ORDER BY version"
        return await self._db.read(lambda conn: _select(conn, sql, params))

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
        versions = list(after) if after is not None else [0] * len(stream_ids)
        # The streams and versions go in as one JSON parameter: hundreds of bound parameters
        # cost more to prepare than the query takes to run.
        params: list[Any] = [msgspec.json.encode(list(zip(stream_ids, versions, strict=True)))]
        filters = ""
        if as_of is not None:
            filters += " AND occurred_at <= ?"
            params.append(format_instant(as_of))
        if known_at is not None:
            filters += " AND recorded_at <= ?"
            params.append(format_instant(known_at))
        sql = (
            "WITH s(sid, after_v) AS (SELECT json_extract(value, '$[0]'), "
            "json_extract(value, '$[1]') FROM json_each(?)) "
            f"SELECT {_COLUMNS} FROM s "
            "JOIN events ON events.stream_id = s.sid AND events.version > s.after_v"
            f"{filters} ORDER BY position"
        )
        return await self._db.read(lambda conn: _select(conn, sql, params))

    async def read_all(
        self, after: int = 0, limit: int = 500, *, known_at: datetime | None = None
    ) -> list[StoredEvent]:
        if limit < 1:
            raise InvalidInput("limit must be at least 1")
        params: list[Any] = [after]
        clause = ""
        if known_at is not None:
            clause = " AND recorded_at <= ?"
            params.append(format_instant(known_at))
        params.append(limit)
        sql = f"SELECT {_COLUMNS} FROM events WHERE position > ?{clause} ORDER BY position LIMIT ?"
        return await self._db.read(lambda conn: _select(conn, sql, params))

    async def read_raw(self, after: int = 0, limit: int = 500) -> list[RawEvent]:
        sql = f"SELECT {_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?"

        def on_reader(conn: sqlite3.Connection) -> list[RawEvent]:
            return [
                RawEvent(
                    position=r[0],
                    event_id=r[1],
                    stream_id=r[2],
                    version=r[3],
                    type=r[4],
                    schema_version=r[5],
                    occurred_at=r[8],
                    recorded_at=r[9],
                    data=msgspec.Raw(r[6].encode()),
                    metadata=msgspec.Raw(r[7].encode()),
                    hash=r[10],
                    idempotency_key=r[11],
                )
                for r in conn.execute(sql, (after, limit)).fetchall()
            ]

        return await self._db.read(on_reader)

    async def head_position(self) -> int:
        def on_reader(conn: sqlite3.Connection) -> int:
            return int(conn.execute("SELECT max(position) FROM events").fetchone()[0] or 0)

        return await self._db.read(on_reader)

    async def import_raw(self, events: Iterable[RawEvent], *, batch_size: int = 2000) -> int:
        total = 0
        conn = await self._write_connection()
        try:
            async with conn.begin():
                for batch in in_batches(events, batch_size):
                    await conn.execute(
                        text(
                            "INSERT INTO events (position, event_id, stream_id, version, type, "
                            "schema_version, data, metadata, idempotency_key, occurred_at, "
                            "recorded_at, hash) VALUES (:position, :event_id, :stream_id, "
                            ":version, :type, :schema_version, :data, :metadata, :key, "
                            ":occurred_at, :recorded_at, :hash)"
                        ),
                        [
                            {
                                "position": raw.position,
                                "event_id": raw.event_id,
                                "stream_id": raw.stream_id,
                                "version": raw.version,
                                "type": raw.type,
                                "schema_version": raw.schema_version,
                                "data": bytes(raw.data).decode(),
                                "metadata": bytes(raw.metadata).decode(),
                                "key": raw.idempotency_key,
                                "occurred_at": raw.occurred_at,
                                "recorded_at": raw.recorded_at,
                                "hash": raw.hash,
                            }
                            for raw in batch
                        ],
                    )
                    total += len(batch)
        finally:
            await conn.close()
        return total

    async def wait_for_new_events(self, timeout: float) -> None:
        await asyncio.sleep(min(timeout, self._settings.follower_poll_seconds))

    def follow(
        self, after: int = 0, *, page_size: int = 500, idle_timeout: float | None = None
    ) -> AsyncIterator[StoredEvent]:
        return follow_store(self, after, page_size=page_size, idle_timeout=idle_timeout)


def _stored_from(position: int, row: Row, event: NewEvent) -> StoredEvent:
    return StoredEvent(
        position=position,
        stream_id=row.stream_id,
        version=row.version,
        event_id=event.event_id,
        type=row.type,
        schema_version=row.schema_version,
        data=event.data,
        metadata=(
            row.metadata_struct
            if row.metadata_struct is not None
            else msgspec.json.decode(row.metadata, type=type(event.metadata))
        ),
        occurred_at=row.occurred_at,
        recorded_at=row.recorded_at,
        hash=row.hash,
    )
