"""The embedded store on SQLite (through SQLAlchemy and aiosqlite).

SQLite has one writer at a time and every append starts with ``BEGIN IMMEDIATE``, so positions
are assigned and committed in the same order: a reader can never see position 11 before 10.
New events are found by polling.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tracker.clock import Clock, SystemClock
from tracker.db import WRITE_OPTION, create_engine
from tracker.errors import IdempotencyMismatch, InvalidInput, StoreUnavailable, StreamConflict
from tracker.events.base import NewEvent, StoredEvent
from tracker.events.codec import GENESIS_HASH, format_instant, parse_instant
from tracker.events.follow import follow_store
from tracker.events.prepare import (
    Row,
    build_rows,
    check_expected,
    decode_stored,
    duplicate_result,
    earlier_append,
    earlier_by_ids,
    in_batches,
    keyed,
    results_by_stream,
    same_batch,
    validate_appends,
    validate_batch,
)
from tracker.events.store import AppendResult, ExpectedVersion, RawEvent, StreamAppend
from tracker.ids import stream_id as check_stream_id
from tracker.settings import Settings

_COLUMNS = (
    "position, event_id, stream_id, version, type, schema_version, data, metadata, "
    "occurred_at, recorded_at, hash, idempotency_key"
)


def _stored(row: Any) -> StoredEvent:
    return decode_stored(
        position=row.position,
        event_id=row.event_id,
        stream_id=row.stream_id,
        version=row.version,
        type_name=row.type,
        schema_version=row.schema_version,
        data=row.data,
        metadata=row.metadata,
        occurred_at=parse_instant(row.occurred_at),
        recorded_at=parse_instant(row.recorded_at),
        hash_=row.hash,
    )


class SqliteEventStore:
    def __init__(
        self, settings: Settings, *, clock: Clock | None = None, engine: AsyncEngine | None = None
    ) -> None:
        self._settings = settings
        self._clock = clock or SystemClock()
        self._engine = engine or create_engine(settings)
        self._owns_engine = engine is None

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    async def close(self) -> None:
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
    ) -> AppendResult:
        now = self._clock.now()
        validate_batch(
            stream_id,
            events,
            now=now,
            max_event_bytes=self._settings.max_event_bytes,
            max_events=self._settings.max_events_per_append,
        )
        ids = [str(e.event_id) for e in events]
        try:
            conn = await self._write_connection()
            try:
                async with conn.begin():
                    existing = await self._existing(conn, stream_id, ids, idempotency_key)
                    if existing is not None:
                        return existing
                    head = (
                        await conn.execute(
                            text(
                                "SELECT version, hash FROM events WHERE stream_id = :s "
                                "ORDER BY version DESC LIMIT 1"
                            ),
                            {"s": stream_id},
                        )
                    ).first()
                    head_version = head.version if head else 0
                    check_expected(stream_id, expected_version, head_version)
                    rows = build_rows(
                        stream_id,
                        events,
                        head_version=head_version,
                        head_hash=head.hash if head else GENESIS_HASH,
                        recorded_at=now,
                        idempotency_key=idempotency_key,
                        max_event_bytes=self._settings.max_event_bytes,
                    )
                    positions = await self._insert(conn, rows)
            finally:
                await conn.close()
        except IntegrityError as exc:
            raise StreamConflict(
                stream_id, expected_version, await self.stream_version(stream_id)
            ) from exc
        except OperationalError as exc:
            raise StoreUnavailable(f"the SQLite database is unavailable: {exc.orig}") from exc
        stored = [
            _stored_from(position, row, event)
            for position, row, event in zip(positions, rows, events, strict=True)
        ]
        return AppendResult(
            stream_id=stream_id,
            first_version=rows[0].version,
            last_version=rows[-1].version,
            first_position=positions[0],
            last_position=positions[-1],
            events=stored,
        )

    async def append_streams(
        self, appends: Sequence[StreamAppend], *, idempotency_key: str | None = None
    ) -> list[AppendResult]:
        """One ``BEGIN IMMEDIATE`` transaction for every stream: all are stored or none."""
        now = self._clock.now()
        validate_appends(
            appends,
            now=now,
            max_event_bytes=self._settings.max_event_bytes,
            max_events=self._settings.max_events_per_append,
        )
        ids = [str(e.event_id) for a in appends for e in a.events]
        try:
            conn = await self._write_connection()
            try:
                async with conn.begin():
                    earlier = await self._earlier_streams(conn, appends, ids, idempotency_key)
                    if earlier is not None:
                        return earlier
                    stored: list[StoredEvent] = []
                    for index, part in enumerate(appends):
                        head = (
                            await conn.execute(
                                text(
                                    "SELECT version, hash FROM events WHERE stream_id = :s "
                                    "ORDER BY version DESC LIMIT 1"
                                ),
                                {"s": part.stream_id},
                            )
                        ).first()
                        head_version = head.version if head else 0
                        check_expected(part.stream_id, part.expected_version, head_version)
                        # The key column is unique: only the first event carries it there;
                        # every event carries it in its metadata.
                        events = part.events if index == 0 else keyed(part.events, idempotency_key)
                        rows = build_rows(
                            part.stream_id,
                            events,
                            head_version=head_version,
                            head_hash=head.hash if head else GENESIS_HASH,
                            recorded_at=now,
                            idempotency_key=idempotency_key if index == 0 else None,
                            max_event_bytes=self._settings.max_event_bytes,
                        )
                        positions = await self._insert(conn, rows)
                        stored += [
                            _stored_from(position, row, event)
                            for position, row, event in zip(
                                positions, rows, part.events, strict=True
                            )
                        ]
            finally:
                await conn.close()
        except OperationalError as exc:
            raise StoreUnavailable(f"the SQLite database is unavailable: {exc.orig}") from exc
        return results_by_stream(stored)

    async def _earlier_streams(
        self,
        conn: AsyncConnection,
        appends: Sequence[StreamAppend],
        ids: list[str],
        key: str | None,
    ) -> list[AppendResult] | None:
        if key is not None:
            batch = await self._with_key(conn, key)
            if batch:
                return earlier_append([a.stream_id for a in appends], batch)
        params: dict[str, Any] = {f"i{n}": value for n, value in enumerate(ids)}
        placeholders = ", ".join(f":i{n}" for n in range(len(ids)))
        rows = (
            await conn.execute(
                text(
                    f"SELECT {_COLUMNS} FROM events WHERE event_id IN ({placeholders}) "
                    "ORDER BY position"
                ),
                params,
            )
        ).all()
        if not rows:
            return None
        streams = [a.stream_id for a in appends]
        return earlier_by_ids(streams, [_stored(r) for r in rows], ids)

    async def _with_key(self, conn: AsyncConnection, key: str) -> list[StoredEvent]:
        rows = (
            await conn.execute(
                text(
                    f"SELECT {_COLUMNS} FROM events WHERE position >= "
                    "(SELECT position FROM events WHERE idempotency_key = :k) "
                    "ORDER BY position LIMIT :n"
                ),
                {"k": key, "n": self._settings.max_events_per_append},
            )
        ).all()
        return same_batch([_stored(r) for r in rows], key) if rows else []

    async def appended_with_key(self, idempotency_key: str) -> list[StoredEvent]:
        try:
            async with self._engine.connect() as conn:
                return await self._with_key(conn, idempotency_key)
        except OperationalError as exc:
            raise StoreUnavailable(f"the SQLite database is unavailable: {exc.orig}") from exc

    async def _insert(self, conn: AsyncConnection, rows: list[Row]) -> list[int]:
        """One executemany; the single writer (BEGIN IMMEDIATE) makes positions consecutive
        within the transaction, so they are read back by version afterwards."""
        await conn.execute(
            text(
                "INSERT INTO events (event_id, stream_id, version, type, schema_version, data, "
                "metadata, idempotency_key, occurred_at, recorded_at, hash) VALUES (:event_id, "
                ":stream_id, :version, :type, :schema_version, :data, :metadata, "
                ":idempotency_key, :occurred_at, :recorded_at, :hash)"
            ),
            [
                {
                    "event_id": row.event_id,
                    "stream_id": row.stream_id,
                    "version": row.version,
                    "type": row.type,
                    "schema_version": row.schema_version,
                    "data": row.data,
                    "metadata": row.metadata,
                    "idempotency_key": row.idempotency_key,
                    "occurred_at": format_instant(row.occurred_at),
                    "recorded_at": format_instant(row.recorded_at),
                    "hash": row.hash,
                }
                for row in rows
            ],
        )
        result = await conn.execute(
            text(
                "SELECT position FROM events WHERE stream_id = :s AND version BETWEEN :a AND :b "
                "ORDER BY version"
            ),
            {"s": rows[0].stream_id, "a": rows[0].version, "b": rows[-1].version},
        )
        return [int(p) for p in result.scalars()]

    async def _existing(
        self, conn: AsyncConnection, stream_id: str, ids: list[str], key: str | None
    ) -> AppendResult | None:
        """The stored result of an earlier identical append, or None if there was none."""
        params: dict[str, Any] = {f"i{n}": value for n, value in enumerate(ids)}
        placeholders = ", ".join(f":i{n}" for n in range(len(ids)))
        clause = f"event_id IN ({placeholders})"
        if key is not None:
            params["key"] = key
            first = (
                await conn.execute(
                    text("SELECT stream_id, version FROM events WHERE idempotency_key = :key"),
                    {"key": key},
                )
            ).first()
            if first is not None:
                if first.stream_id != stream_id:
                    raise IdempotencyMismatch(
                        f"idempotency key {key!r} was used for stream {first.stream_id!r}"
                    )
                rows = (
                    await conn.execute(
                        text(
                            f"SELECT {_COLUMNS} FROM events WHERE stream_id = :s AND "
                            "version >= :v ORDER BY version LIMIT :n"
                        ),
                        {
                            "s": stream_id,
                            "v": first.version,
                            "n": self._settings.max_events_per_append,
                        },
                    )
                ).all()
                return duplicate_result(same_batch([_stored(r) for r in rows], key))
        rows = (
            await conn.execute(
                text(f"SELECT {_COLUMNS} FROM events WHERE {clause} ORDER BY position"), params
            )
        ).all()
        if not rows:
            return None
        (result,) = earlier_by_ids([stream_id], [_stored(r) for r in rows], ids)
        return result

    async def stream_version(self, stream_id: str) -> int:
        check_stream_id(stream_id)
        async with self._engine.connect() as conn:
            value = (
                await conn.execute(
                    text("SELECT max(version) FROM events WHERE stream_id = :s"), {"s": stream_id}
                )
            ).scalar()
        return int(value or 0)

    async def read_stream(
        self,
        stream_id: str,
        *,
        to_version: int | None = None,
        as_of: datetime | None = None,
        known_at: datetime | None = None,
    ) -> list[StoredEvent]:
        check_stream_id(stream_id)
        clauses = ["stream_id = :s"]
        params: dict[str, Any] = {"s": stream_id}
        if to_version is not None:
            clauses.append("version <= :v")
            params["v"] = to_version
        if as_of is not None:
            clauses.append("occurred_at <= :as_of")
            params["as_of"] = format_instant(as_of)
        if known_at is not None:
            clauses.append("recorded_at <= :known_at")
            params["known_at"] = format_instant(known_at)
        sql = f"SELECT {_COLUMNS} FROM events WHERE {' AND '.join(clauses)} ORDER BY version"
        async with self._engine.connect() as conn:
            rows = (await conn.execute(text(sql), params)).all()
        return [_stored(r) for r in rows]

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
        filters: list[str] = []
        params: dict[str, Any] = {}
        if as_of is not None:
            filters.append("occurred_at <= :as_of")
            params["as_of"] = format_instant(as_of)
        if known_at is not None:
            filters.append("recorded_at <= :known_at")
            params["known_at"] = format_instant(known_at)
        versions = list(after) if after is not None else [0] * len(stream_ids)
        # The streams and versions go in as one JSON parameter: hundreds of bound parameters
        # cost more to prepare than the query takes to run.
        params["tails"] = msgspec.json.encode(list(zip(stream_ids, versions, strict=True)))
        sql = (
            "WITH s(sid, after_v) AS (SELECT json_extract(value, '$[0]'), "
            "json_extract(value, '$[1]') FROM json_each(:tails)) "
            f"SELECT {_COLUMNS} FROM s "
            "JOIN events ON events.stream_id = s.sid AND events.version > s.after_v"
            + "".join(f" AND {clause}" for clause in filters)
            + " ORDER BY position"
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(text(sql), params)).all()
        return [_stored(r) for r in rows]

    async def read_all(
        self, after: int = 0, limit: int = 500, *, known_at: datetime | None = None
    ) -> list[StoredEvent]:
        if limit < 1:
            raise InvalidInput("limit must be at least 1")
        params: dict[str, Any] = {"after": after, "limit": limit}
        clause = ""
        if known_at is not None:
            clause = " AND recorded_at <= :known_at"
            params["known_at"] = format_instant(known_at)
        async with self._engine.connect() as conn:
            rows = (
                await conn.execute(
                    text(
                        f"SELECT {_COLUMNS} FROM events WHERE position > :after{clause} "
                        "ORDER BY position LIMIT :limit"
                    ),
                    params,
                )
            ).all()
        return [_stored(r) for r in rows]

    async def read_raw(self, after: int = 0, limit: int = 500) -> list[RawEvent]:
        async with self._engine.connect() as conn:
            rows = (
                await conn.execute(
                    text(
                        f"SELECT {_COLUMNS} FROM events WHERE position > :after "
                        "ORDER BY position LIMIT :limit"
                    ),
                    {"after": after, "limit": limit},
                )
            ).all()
        return [
            RawEvent(
                position=r.position,
                event_id=r.event_id,
                stream_id=r.stream_id,
                version=r.version,
                type=r.type,
                schema_version=r.schema_version,
                occurred_at=r.occurred_at,
                recorded_at=r.recorded_at,
                data=msgspec.Raw(r.data.encode()),
                metadata=msgspec.Raw(r.metadata.encode()),
                hash=r.hash,
                idempotency_key=r.idempotency_key,
            )
            for r in rows
        ]

    async def head_position(self) -> int:
        async with self._engine.connect() as conn:
            value = (await conn.execute(text("SELECT max(position) FROM events"))).scalar()
        return int(value or 0)

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
        metadata=msgspec.json.decode(row.metadata, type=type(event.metadata)),
        occurred_at=row.occurred_at,
        recorded_at=row.recorded_at,
        hash=row.hash,
    )
