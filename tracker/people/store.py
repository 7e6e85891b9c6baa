"""The event store with people's data sealed: what every part of the tracker above the store
uses (``tracker.events.open.open_store``).

On the way in, everyone an append names gets a data key (made if new), their addresses and
names are sealed and the free text that quotes them is marked; stream ids and idempotency keys
that hold an address (``person:<e-mail>``, ``reminders:<e-mail>``, ``api:<e-mail>:<key>``) hold
the person's pseudonym instead. On the way out, events are opened again, so the domain, the
projections and the API work on plain values and none of them changed.

Erasure in another process is noticed on the next read: each read that opens events compares
the store's erasure count with the one its keys were loaded at (one small query, sent beside a
stream read) and reloads them when it moved, before opening. Each append carries the count
its keys were loaded at as a ``Precondition``, which the store checks inside the append's
transaction (SQLite) or just before its one statement (PostgreSQL): an erasure since means the
events are sealed again with fresh keys, and naming the erased person is refused.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Iterable,
    Mapping,
    Sequence,
)
from datetime import datetime
from typing import Any, Final, TypeVar

import msgspec

from tracker.clock import Clock, SystemClock
from tracker.errors import InvalidInput, PreconditionFailed, StoreUnavailable
from tracker.events.base import NewEvent, StoredEvent
from tracker.events.store import (
    AppendResult,
    EventStore,
    ExpectedVersion,
    Precondition,
    RawEvent,
    StreamAppend,
)
from tracker.people.keys import GENERATION, KeyStore, adopt_people_key, people_key
from tracker.people.sealing import Keyring, MissingKeys, identities_of, is_placeholder

_ADDRESS: Final = re.compile(r"[^\s:@]{1,64}@[A-Za-z0-9.\-]+")
_NAMED: Final = re.compile(r"name:[^:]+")
PERSONAL_STREAMS: Final = ("person:", "reminders:")
MAX_RESEALS: Final = 5
"""Appends sealed again after erasures elsewhere before the store is called unavailable."""
T = TypeVar("T")


class SealingStore:
    def __init__(self, inner: EventStore, engine: Any, configured_key: bytes | None, *,
                 clock: Clock | None = None) -> None:  # fmt: skip
        self.inner = inner
        self._engine = engine
        self._configured = configured_key
        self._clock = clock or SystemClock()
        self._keys: KeyStore | None = None
        self._lock = asyncio.Lock()

    def __getattr__(self, name: str) -> Any:
        # ``engine``, ``query`` and the like of the store underneath.
        return getattr(self.inner, name)

    async def keys(self) -> KeyStore:
        if self._keys is None:
            async with self._lock:
                if self._keys is None:
                    keyring = Keyring(await people_key(self._engine, self._configured))
                    store = KeyStore(self._engine, keyring, configured=self._configured is not None)
                    await store.load_all()
                    self._keys = store
        return self._keys

    async def import_keys(self, exported: Mapping[str, Any]) -> tuple[int, int]:
        """Add the person keys of a key export (``tracker keys import``); in development, also
        its people key when this store has sealed no one yet."""
        if self._configured is None:
            await adopt_people_key(self._engine, exported)
        self._keys = None
        return await (await self.keys()).import_keys(exported)

    async def pseudonym(self, identity: str) -> str:
        return (await self.keys()).keyring.pseudonym(identity.strip().lower()
                                                     if "@" in identity else identity)  # fmt: skip

    # Names in ids.

    def _stream(self, keyring: Keyring, stream_id: str) -> str:
        for prefix in PERSONAL_STREAMS:
            if stream_id.startswith(prefix):
                who = stream_id[len(prefix) :]
                if ("@" in who or who.startswith("name:")) and not is_placeholder(who):
                    return prefix + keyring.pseudonym(who)
        return stream_id

    def _key(self, keyring: Keyring, key: str | None) -> str | None:
        if key is None or ("@" not in key and "name:" not in key):
            return key
        key = _ADDRESS.sub(lambda m: keyring.pseudonym(m.group(0).lower()), key)
        return _NAMED.sub(lambda m: keyring.pseudonym(m.group(0)), key)

    # Sealing and opening.

    async def _sealed(self, events: Sequence[NewEvent]) -> tuple[KeyStore, list[NewEvent]]:
        """The events sealed with the keys as loaded; the append that stores them checks, in
        its own transaction, that no one was erased since (``_guarded``)."""
        keys = await self.keys()
        wanted: dict[str, set[str]] = {}
        for new in events:
            for identity, names in identities_of(new.data, new.metadata).items():
                wanted.setdefault(identity, set()).update(names)
        await keys.ensure(wanted, self._clock.now())
        sealed = [keys.keyring.seal_event(new) for new in events]
        return keys, [
            msgspec.structs.replace(
                new,
                metadata=msgspec.structs.replace(
                    new.metadata,
                    idempotency_key=self._key(keys.keyring, new.metadata.idempotency_key),
                ),
            )
            if new.metadata.idempotency_key
            else new
            for new in sealed
        ]

    async def _generation(self, keys: KeyStore) -> int:
        """The store's erasure count, on the store's own readers (one round trip; through the
        SQLAlchemy engine it took 1.3 ms: docs/performance.md, "People's data sealed")."""
        query = getattr(self.inner, "query", None)
        if query is None:
            return await keys.generation()
        rows = await query(GENERATION)
        return int(rows[0][0] or 0)

    async def _fresh(self, keys: KeyStore) -> None:
        generation = await self._generation(keys)
        if generation != keys.keyring.generation:
            keys.keyring.forget()
            await keys.load_all()

    async def _open(self, events: list[StoredEvent], *, fresh: bool = True) -> list[StoredEvent]:
        if not events:
            return events
        keys = await self.keys()
        if fresh:
            await self._fresh(keys)
        try:
            return [keys.keyring.open_event(e) for e in events]
        except MissingKeys:
            # Keys made by another process since ours were loaded: look for every one these
            # events need at once (scanning first, every time, cost 4.6 us an event).
            await keys.refresh(keys.keyring.missing(events))
            return [keys.keyring.open_event(e) for e in events]

    async def _read_beside_check(
        self, keys: KeyStore, reading: Coroutine[Any, Any, list[StoredEvent]]
    ) -> list[StoredEvent]:
        """A read with the erasure check made beside it instead of before it (two queries at
        once, on two connections): both start after every answer given before this call, so
        an erasure answered before the read is seen all the same, and the read waits for the
        longer of the two instead of their sum (0.07-0.19 ms a read: docs/performance.md)."""
        found: list[StoredEvent]
        found, _ = await asyncio.gather(reading, self._fresh(keys))
        return found

    async def opened(self, events: list[StoredEvent]) -> list[StoredEvent]:
        return await self._open(events)

    def _named(self, events: list[StoredEvent], stream_id: str, asked: str) -> list[StoredEvent]:
        if stream_id == asked:
            return events
        return [msgspec.structs.replace(e, stream_id=asked) for e in events]

    async def _result(self, result: AppendResult, asked: str) -> AppendResult:
        opened = self._named(await self._open(result.events, fresh=False), result.stream_id, asked)
        return msgspec.structs.replace(result, stream_id=asked, events=opened)

    # The store.

    async def _guarded(
        self,
        events: Sequence[NewEvent],
        store: Callable[[KeyStore, list[NewEvent], Precondition], Awaitable[T]],
    ) -> T:
        """Seal ``events`` and ``store`` them on the condition that the store's erasure count
        is still the one the keys were loaded at (checked inside the append's transaction on
        SQLite): an erasure in another process since means reload the keys, seal again (now
        refusing the erased person) and try again."""
        for _ in range(MAX_RESEALS):
            keys, sealed = await self._sealed(events)
            unchanged = Precondition(sql=GENERATION, expected=keys.keyring.generation)
            try:
                return await store(keys, sealed, unchanged)
            except PreconditionFailed:
                keys.keyring.forget()
                await keys.load_all()
        raise StoreUnavailable(
            f"people were erased during each of {MAX_RESEALS} attempts to append: try again"
        )

    async def append(
        self,
        stream_id: str,
        events: Sequence[NewEvent],
        expected_version: ExpectedVersion,
        *,
        idempotency_key: str | None = None,
        precondition: Precondition | None = None,
    ) -> AppendResult:
        if precondition is not None:
            raise InvalidInput("the sealing store sets the append's precondition itself")

        async def store(
            keys: KeyStore, sealed: list[NewEvent], unchanged: Precondition
        ) -> AppendResult:
            return await self.inner.append(
                self._stream(keys.keyring, stream_id),
                sealed,
                expected_version,
                idempotency_key=self._key(keys.keyring, idempotency_key),
                precondition=unchanged,
            )

        return await self._result(await self._guarded(events, store), stream_id)

    async def append_streams(
        self,
        appends: Sequence[StreamAppend],
        *,
        idempotency_key: str | None = None,
        precondition: Precondition | None = None,
    ) -> list[AppendResult]:
        if precondition is not None:
            raise InvalidInput("the sealing store sets the append's precondition itself")
        streams: dict[str, str] = {}

        async def store(
            keys: KeyStore, sealed: list[NewEvent], unchanged: Precondition
        ) -> list[AppendResult]:
            parts: list[StreamAppend] = []
            at = 0
            for part in appends:
                count = len(part.events)
                parts.append(
                    StreamAppend(
                        stream_id=self._stream(keys.keyring, part.stream_id),
                        events=sealed[at : at + count],
                        expected_version=part.expected_version,
                    )
                )
                at += count
            streams.update({p.stream_id: a.stream_id for p, a in zip(parts, appends, strict=True)})
            return await self.inner.append_streams(
                parts,
                idempotency_key=self._key(keys.keyring, idempotency_key),
                precondition=unchanged,
            )

        results = await self._guarded([e for part in appends for e in part.events], store)
        return [await self._result(r, streams.get(r.stream_id, r.stream_id)) for r in results]

    async def appended_with_key(self, idempotency_key: str) -> list[StoredEvent]:
        keys = await self.keys()
        found = await self.inner.appended_with_key(self._key(keys.keyring, idempotency_key) or "")
        return await self._open(found)

    async def stream_version(self, stream_id: str) -> int:
        keys = await self.keys()
        return await self.inner.stream_version(self._stream(keys.keyring, stream_id))

    async def read_stream(
        self,
        stream_id: str,
        *,
        to_version: int | None = None,
        as_of: datetime | None = None,
        known_at: datetime | None = None,
    ) -> list[StoredEvent]:
        keys = await self.keys()
        stored = self._stream(keys.keyring, stream_id)
        found = await self._read_beside_check(
            keys,
            self.inner.read_stream(stored, to_version=to_version, as_of=as_of, known_at=known_at),
        )
        return self._named(await self._open(found, fresh=False), stored, stream_id)

    async def read_streams(
        self,
        stream_ids: Sequence[str],
        *,
        as_of: datetime | None = None,
        known_at: datetime | None = None,
        after: Sequence[int] | None = None,
    ) -> list[StoredEvent]:
        keys = await self.keys()
        stored = [self._stream(keys.keyring, s) for s in stream_ids]
        asked = {s: a for s, a in zip(stored, stream_ids, strict=True) if s != a}
        found = await self._open(
            await self._read_beside_check(
                keys,
                self.inner.read_streams(stored, as_of=as_of, known_at=known_at, after=after),
            ),
            fresh=False,
        )
        if not asked:
            return found
        return [
            msgspec.structs.replace(e, stream_id=asked[e.stream_id]) if e.stream_id in asked else e
            for e in found
        ]

    async def read_all(
        self, after: int = 0, limit: int = 500, *, known_at: datetime | None = None
    ) -> list[StoredEvent]:
        return await self._open(await self.inner.read_all(after, limit, known_at=known_at))

    async def read_raw(self, after: int = 0, limit: int = 500) -> list[RawEvent]:
        return await self.inner.read_raw(after, limit)

    async def head_position(self) -> int:
        return await self.inner.head_position()

    async def import_raw(self, events: Iterable[RawEvent], *, batch_size: int = 2000) -> int:
        return await self.inner.import_raw(events, batch_size=batch_size)

    async def follow(
        self, after: int = 0, *, page_size: int = 500, idle_timeout: float | None = None
    ) -> AsyncIterator[StoredEvent]:
        # The erasure count is checked when following starts and again at each erasure the
        # log brings, not at every event: a query per event made a follower several times
        # slower (events before an erasure's own event open as they were written).
        fresh = True
        async for event in self.inner.follow(after, page_size=page_size, idle_timeout=idle_timeout):
            fresh = fresh or event.type == "PersonErased"
            (opened,) = await self._open([event], fresh=fresh)
            fresh = False
            yield opened

    async def wait_for_new_events(self, timeout: float) -> None:
        await self.inner.wait_for_new_events(timeout)

    async def close(self) -> None:
        await self.inner.close()
        await self._engine.dispose()


async def opened(store: object, events: list[StoredEvent]) -> list[StoredEvent]:
    """Events read from the events table directly (the read model's tail) as the domain knows
    them, when ``store`` seals people's data."""
    if not events or not isinstance(store, SealingStore):
        return events
    return await store.opened(events)


async def pseudonym_for(store: object, identity: str) -> str:
    """The person's pseudonym when ``store`` seals people's data, else ``identity`` itself."""
    sealing = getattr(store, "pseudonym", None)
    if sealing is None:
        return identity
    found: str = await sealing(identity)
    return found
