"""The projector: keeps the programme views current, exactly once.

Each batch: read events after the checkpoint (gap-safe, see docs/event-store.md), fold them into
the affected programme views, then in ONE transaction upsert those views and move the
checkpoint from the value read to the batch's last position. A crash before the commit loses
the batch and it is read again; a crash after it has nothing to redo. The compare-and-set on
the checkpoint means a second projector that read the same checkpoint fails instead of applying
the batch twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import msgspec
from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tracker.db import WRITE_OPTION
from tracker.events.store import EventStore
from tracker.projections.programme_fold import apply, programme_key_of
from tracker.projections.views import ProgrammeView

log = logging.getLogger(__name__)

NAME = "programme_views"
_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(ProgrammeView)


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause automatic cyclic garbage collection, restoring the previous state on exit."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class CheckpointMoved(Exception):
    """Another projector moved the checkpoint first: this batch was not applied."""


class ProjectionStatus(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    position: int
    head_position: int
    lag: int
    """Positions between the checkpoint and the safe head (an upper bound on events behind)."""
    events: int
    updated_at: str | None


async def read_checkpoint(conn: AsyncConnection, name: str = NAME) -> tuple[int, int]:
    row = (
        await conn.execute(
            text("SELECT position, events FROM projection_checkpoints WHERE name = :n"),
            {"n": name},
        )
    ).first()
    return (int(row.position), int(row.events)) if row else (0, 0)


async def load_view(
    engine: AsyncEngine, key: str, table: str = "programme_views"
) -> ProgrammeView | None:
    async with engine.connect() as conn:
        row = (
            await conn.execute(text(f"SELECT document FROM {table} WHERE key = :k"), {"k": key})
        ).first()
    return _decoder.decode(row.document) if row else None


async def load_all_views(engine: AsyncEngine) -> list[ProgrammeView]:
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT document FROM programme_views ORDER BY key"))).all()
    return [_decoder.decode(r.document) for r in rows]


class Projector:
    """Folds events into ``programme_views``. ``table`` lets a rebuild write a shadow table."""

    def __init__(
        self,
        store: EventStore,
        engine: AsyncEngine,
        *,
        name: str = NAME,
        table: str = "programme_views",
        batch_size: int = 2000,
        catch_up_events: int = 250_000,
        crash_hook: Callable[[str], None] | None = None,
    ) -> None:
        self._store = store
        self._engine = engine
        self._name = name
        self._table = table
        self._batch_size = batch_size
        self._catch_up_events = max(batch_size, catch_up_events)
        self._cache: dict[str, ProgrammeView] = {}
        self._crash_hook = crash_hook
        self._lz4: bool | None = None
        self.position = 0

    async def _load_views(self, keys: set[str]) -> None:
        """Put the stored view (or a new empty one) of every key not yet cached in the cache."""
        missing = sorted(k for k in keys if k not in self._cache)
        if not missing:
            return
        async with self._engine.connect() as conn:
            rows = (
                await conn.execute(
                    text(f"SELECT key, document FROM {self._table} WHERE key IN :keys").bindparams(
                        bindparam("keys", expanding=True)
                    ),
                    {"keys": missing},
                )
            ).all()
        stored = {r.key: r.document for r in rows}
        for key in missing:
            document = stored.get(key)
            self._cache[key] = (
                _decoder.decode(document) if document is not None else ProgrammeView(key=key)
            )

    async def _lz4_available(self, conn: AsyncConnection) -> bool:
        """Whether this PostgreSQL can compress the documents with lz4 (asked once).

        A view document is rewritten whole on every batch that touches its programme and
        PostgreSQL compresses it on the way in (TOAST); pglz, the default, made that the largest
        cost of a batch (about 3 ms per 350 kB document against about 1 ms with lz4). The
        stored text is the same either way; readers decompress whichever method was used.
        """
        if self._lz4 is None:
            self._lz4 = conn.dialect.name == "postgresql" and bool(
                (
                    await conn.execute(
                        text(
                            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                            "WHERE name = 'default_toast_compression'"
                        )
                    )
                ).scalar()
            )
        return self._lz4

    async def run_once(self) -> int:
        """Apply one batch. Returns the number of events read (0 when caught up)."""
        return await self._apply(self._batch_size)

    async def _apply(self, max_events: int) -> int:
        """Fold up to ``max_events`` events (pages of ``batch_size``, stopping early at the
        head), then upsert the views they touched and move the checkpoint in one transaction.

        The pages are read and folded before the write transaction opens, so however many
        events a batch covers, the transaction holds only the upsert and the checkpoint move
        (on SQLite it holds the write lock). Any failure drops the cache: the views in it may
        hold events that were not committed.
        """
        async with self._engine.connect() as conn:
            checkpoint, _ = await read_checkpoint(conn, self._name)
        if checkpoint != self.position:
            self._cache.clear()  # someone else moved it: our cached views may be stale
            self.position = checkpoint
        after, count = checkpoint, 0
        touched: set[str] = set()
        try:
            while count < max_events:
                limit = min(self._batch_size, max_events - count)
                page = await self._store.read_all(after, limit)
                if not page:
                    break
                keys = [programme_key_of(event) for event in page]
                page_keys = {k for k in keys if k is not None}
                await self._load_views(page_keys)
                for key, event in zip(keys, page, strict=True):
                    if key is not None:
                        apply(self._cache[key], event)
                touched |= page_keys
                count += len(page)
                after = page[-1].position
                if len(page) < limit:
                    break  # the head: nothing more to read now
            if count == 0:
                return 0
            rows = [
                {
                    "key": key,
                    "position": self._cache[key].position,
                    "document": _encoder.encode(self._cache[key]).decode(),
                }
                for key in sorted(touched)
            ]
            conn = await self._engine.connect()
            conn = await conn.execution_options(**{WRITE_OPTION: True})
            try:
                async with conn.begin():
                    if rows:
                        if await self._lz4_available(conn):
                            await conn.execute(text("SET LOCAL default_toast_compression = lz4"))
                        await conn.execute(
                            text(
                                f"INSERT INTO {self._table} (key, position, document) "
                                "VALUES (:key, :position, :document) ON CONFLICT (key) DO UPDATE "
                                "SET position = excluded.position, document = excluded.document"
                            ),
                            rows,
                        )
                    if self._crash_hook is not None:
                        self._crash_hook("rows-written")
                    await self._move_checkpoint(conn, checkpoint, after, count)
            finally:
                await conn.close()
        except BaseException:
            self._cache.clear()  # the views in memory hold a batch that did not commit
            raise
        self.position = after
        return count

    async def _move_checkpoint(self, conn: AsyncConnection, old: int, new: int, count: int) -> None:
        now = datetime.now(UTC).isoformat()
        if old == 0:
            inserted = await conn.execute(
                text(
                    "INSERT INTO projection_checkpoints (name, position, events, updated_at) "
                    "VALUES (:n, :p, :c, :u) ON CONFLICT (name) DO NOTHING"
                ),
                {"n": self._name, "p": new, "c": count, "u": now},
            )
            if inserted.rowcount == 1:
                return
        moved = await conn.execute(
            text(
                "UPDATE projection_checkpoints SET position = :new, events = events + :c, "
                "updated_at = :u WHERE name = :n AND position = :old"
            ),
            {"n": self._name, "new": new, "old": old, "c": count, "u": now},
        )
        if moved.rowcount != 1:
            raise CheckpointMoved(f"{self._name}: checkpoint is no longer {old}")

    async def catch_up(self, *, progress: Callable[[int, int], None] | None = None) -> int:
        """Apply every event up to the head.

        Each transaction covers up to ``catch_up_events`` events read in pages of
        ``batch_size``: far behind, every page touches most programmes, and writing each touched
        view once per page would write the whole read model again and again (500 programmes
        interleaved: 200 rewrites of every view per 1,000,000 events).

        The cyclic garbage collector is paused meanwhile (and restored after): folding creates
        no reference cycles, but each page's short-lived events, promoted while alive, trigger
        full collections that walk every object of every cached view: on 1,000,000 events they
        took 13 of 33 CPU seconds (docs/performance.md).
        """
        total = 0
        with _cyclic_gc_paused():
            while True:
                try:
                    count = await self._apply(self._catch_up_events)
                except CheckpointMoved:
                    continue
                if count == 0:
                    return total
                total += count
                if progress is not None:
                    progress(total, self.position)

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Apply batches until ``stop`` is set. ``stop`` is checked between batches only, so
        the batch in progress always finishes: its rows and checkpoint commit together (or, on
        a failure, roll back together). The log says where it started and where it stopped."""
        async with self._engine.connect() as conn:
            self.position, _ = await read_checkpoint(conn, self._name)
        log.info("projector: started at position %d", self.position)
        while not stop.is_set():
            try:
                count = await self.run_once()
            except CheckpointMoved:
                log.info("projector: checkpoint moved by another projector; re-reading")
                continue
            if count == 0 and not stop.is_set():
                await self._store.wait_for_new_events(1.0)
        log.info("projector: stopped at position %d", self.position)


async def projection_status(store: EventStore, engine: AsyncEngine) -> list[ProjectionStatus]:
    head = await store.head_position()
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text("SELECT name, position, events, updated_at FROM projection_checkpoints")
            )
        ).all()
    found = {r.name: r for r in rows}
    result = []
    for name in [NAME]:
        row = found.get(name)
        position = int(row.position) if row else 0
        result.append(
            ProjectionStatus(
                name=name,
                position=position,
                head_position=head,
                lag=max(0, head - position),
                events=int(row.events) if row else 0,
                updated_at=row.updated_at if row else None,
            )
        )
    return result


async def wait_for_position(
    engine: AsyncEngine, position: int, *, timeout: float = 2.0, name: str = NAME
) -> bool:
    """Read-after-write: wait until the read model has folded ``position``. False on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        async with engine.connect() as conn:
            checkpoint, _ = await read_checkpoint(conn, name)
        if checkpoint >= position:
            return True
        if time.monotonic() >= deadline:
            return False
        await asyncio.sleep(0.02)
