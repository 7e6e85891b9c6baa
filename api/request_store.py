"""The event store as one write request sees it.

Whole-stream reads are remembered for the request, so the endpoint (which builds some commands
from the loaded item) and the domain handler read each stream once (an append to a stream
forgets it). If-Match is the handler's to check (``Command.expected_version``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import datetime

from api.observability import count_appended
from api.stream_cache import CACHED_PREFIX, StreamCache
from tracker.events.base import NewEvent, StoredEvent
from tracker.events.store import (
    AppendResult,
    EventStore,
    ExpectedVersion,
    Precondition,
    RawEvent,
    StreamAppend,
)


class RequestStore:
    def __init__(self, store: EventStore, shared: StreamCache | None = None) -> None:
        self._store = store
        self._shared = shared
        self._streams: dict[str, list[StoredEvent]] = {}
        self._versions: dict[str, int] = {}

    async def append(
        self,
        stream_id: str,
        events: Sequence[NewEvent],
        expected_version: ExpectedVersion,
        *,
        idempotency_key: str | None = None,
        precondition: Precondition | None = None,
    ) -> AppendResult:
        self._streams.pop(stream_id, None)
        self._versions.pop(stream_id, None)
        result = await self._store.append(
            stream_id,
            events,
            expected_version,
            idempotency_key=idempotency_key,
            precondition=precondition,
        )
        count_appended([result])
        return result

    async def append_streams(
        self,
        appends: Sequence[StreamAppend],
        *,
        idempotency_key: str | None = None,
        precondition: Precondition | None = None,
    ) -> list[AppendResult]:
        for part in appends:
            self._streams.pop(part.stream_id, None)
            self._versions.pop(part.stream_id, None)
        results = await self._store.append_streams(
            appends, idempotency_key=idempotency_key, precondition=precondition
        )
        count_appended(results)
        return results

    async def appended_with_key(self, idempotency_key: str) -> list[StoredEvent]:
        return await self._store.appended_with_key(idempotency_key)

    async def stream_version(self, stream_id: str) -> int:
        """Asked once a request per stream (an append to it forgets it)."""
        found = self._versions.get(stream_id)
        if found is None:
            cached = self._streams.get(stream_id)
            if cached is not None:
                found = cached[-1].version if cached else 0
            else:
                found = await self._store.stream_version(stream_id)
            self._versions[stream_id] = found
        return found

    async def read_stream(
        self,
        stream_id: str,
        *,
        to_version: int | None = None,
        as_of: datetime | None = None,
        known_at: datetime | None = None,
    ) -> list[StoredEvent]:
        if to_version is None and as_of is None and known_at is None:
            cached = self._streams.get(stream_id)
            if cached is None:
                cached = await self._read_whole(stream_id)
                self._streams[stream_id] = cached
            return list(cached)
        return await self._store.read_stream(
            stream_id, to_version=to_version, as_of=as_of, known_at=known_at
        )

    async def _read_whole(self, stream_id: str) -> list[StoredEvent]:
        shared = self._shared
        if shared is None or not stream_id.startswith(CACHED_PREFIX):
            return await self._store.read_stream(stream_id)
        kept = shared.events(stream_id, await self.stream_version(stream_id))
        if kept is not None:
            return kept
        found = await self._store.read_stream(stream_id)
        shared.keep(stream_id, found)
        return found

    async def read_streams(
        self,
        stream_ids: Sequence[str],
        *,
        as_of: datetime | None = None,
        known_at: datetime | None = None,
        after: Sequence[int] | None = None,
    ) -> list[StoredEvent]:
        return await self._store.read_streams(
            stream_ids, as_of=as_of, known_at=known_at, after=after
        )

    async def read_all(
        self, after: int = 0, limit: int = 500, *, known_at: datetime | None = None
    ) -> list[StoredEvent]:
        return await self._store.read_all(after, limit, known_at=known_at)

    async def read_raw(self, after: int = 0, limit: int = 500) -> list[RawEvent]:
        return await self._store.read_raw(after, limit)

    async def head_position(self) -> int:
        return await self._store.head_position()

    async def import_raw(self, events: Iterable[RawEvent], *, batch_size: int = 2000) -> int:
        return await self._store.import_raw(events, batch_size=batch_size)

    def follow(
        self, after: int = 0, *, page_size: int = 500, idle_timeout: float | None = None
    ) -> AsyncIterator[StoredEvent]:
        return self._store.follow(after, page_size=page_size, idle_timeout=idle_timeout)

    async def wait_for_new_events(self, timeout: float) -> None:
        await self._store.wait_for_new_events(timeout)

    async def close(self) -> None:
        """The request does not own the store: closing it is the app's job."""
