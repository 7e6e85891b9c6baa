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
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tracker.db import WRITE_OPTION
from tracker.events.base import StoredEvent
from tracker.events.store import EventStore
from tracker.projections.programme_fold import apply, programme_key_of
from tracker.projections.views import ProgrammeView

log = logging.getLogger(__name__)

NAME = "programme_views"
_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(ProgrammeView)


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
        crash_hook: Callable[[str], None] | None = None,
    ) -> None:
        self._store = store
        self._engine = engine
        self._name = name
        self._table = table
        self._batch_size = batch_size
        self._cache: dict[str, ProgrammeView] = {}
        self._crash_hook = crash_hook
        self.position = 0

    async def _views_for(self, conn: AsyncConnection, keys: set[str]) -> None:
        missing = [k for k in keys if k not in self._cache]
        for key in missing:
            row = (
                await conn.execute(
                    text(f"SELECT document FROM {self._table} WHERE key = :k"), {"k": key}
                )
            ).first()
            self._cache[key] = _decoder.decode(row.document) if row else ProgrammeView(key=key)

    async def run_once(self) -> int:
        """Apply one batch. Returns the number of events read (0 when caught up)."""
        async with self._engine.connect() as conn:
            checkpoint, _ = await read_checkpoint(conn, self._name)
        if checkpoint != self.position:
            self._cache.clear()  # someone else moved it: our cached views may be stale
            self.position = checkpoint
        page = await self._store.read_all(checkpoint, self._batch_size)
        if not page:
            return 0
        touched: dict[str, list[StoredEvent]] = {}
        for event in page:
            key = programme_key_of(event)
            if key is not None:
                touched.setdefault(key, []).append(event)
        conn = await self._engine.connect()
        conn = await conn.execution_options(**{WRITE_OPTION: True})
        try:
            async with conn.begin():
                await self._views_for(conn, set(touched))
                for key, events in touched.items():
                    view = self._cache[key]
                    for event in events:
                        apply(view, event)
                if touched:
                    await conn.execute(
                        text(
                            f"INSERT INTO {self._table} (key, position, document) "
                            "VALUES (:key, :position, :document) ON CONFLICT (key) DO UPDATE SET "
                            "position = excluded.position, document = excluded.document"
                        ),
                        [
                            {
                                "key": key,
                                "position": self._cache[key].position,
                                "document": _encoder.encode(self._cache[key]).decode(),
                            }
                            for key in touched
                        ],
                    )
                if self._crash_hook is not None:
                    self._crash_hook("rows-written")
                await self._move_checkpoint(conn, checkpoint, page[-1].position, len(page))
        except BaseException:
            self._cache.clear()  # the views in memory hold a batch that did not commit
            raise
        finally:
            await conn.close()
        self.position = page[-1].position
        return len(page)

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
        total = 0
        while True:
            try:
                count = await self.run_once()
            except CheckpointMoved:
                continue
            if count == 0:
                return total
            total += count
            if progress is not None:
                progress(total, self.position)

    async def run_forever(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                count = await self.run_once()
            except CheckpointMoved:
                log.info("projector: checkpoint moved by another projector; re-reading")
                continue
            if count == 0:
                await self._store.wait_for_new_events(1.0)


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
