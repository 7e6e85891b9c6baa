"""The projector: keeps the read model's rows current, exactly once.

Each batch: read events after the checkpoint (gap-safe, see docs/event-store.md), fold them
with ``fold.apply`` into *partial* views (a programme's header plus the items the batch
touches, loaded from their rows on first touch), then in ONE transaction upsert the headers and
item rows the batch changed, insert the snapshots that fell due, and move the checkpoint from
the value read to the batch's last position. The cost of a batch follows what it changed, not
the size of the programmes it touched.

A crash before the commit loses the batch and it is read again; a crash after it has nothing to
redo. The compare-and-set on the checkpoint means a second projector that read the same
checkpoint fails instead of applying the batch twice.

**Snapshots** (``snapshot_every`` events of a programme apart): when a programme's event count
reaches the next multiple, its whole view is encoded there and then, mid-batch, so a snapshot
is exact at the position of the event that made it due. A programme whose items are not all
in memory has the missing rows read first (untouched by the batch so far, they are current).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC
from uuid import UUID

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tracker.clock import Clock, SystemClock
from tracker.db import WRITE_OPTION
from tracker.events.base import StoredEvent
from tracker.events.deliverables import DeliverablePlanned
from tracker.events.milestones import MilestoneBaselined
from tracker.events.programmes import ProgrammeRegistered
from tracker.events.risks import RiskRaised
from tracker.events.store import EventStore
from tracker.projections.read_model import rows
from tracker.projections.read_model.fold import Touch, apply, touch
from tracker.projections.read_model.rows import LIVE, ItemView, Tables
from tracker.projections.read_model.views import ProgrammeView

log = logging.getLogger(__name__)

NAME = LIVE.checkpoint
SNAPSHOT_EVERY = 250
"""Events of a programme between two snapshots: an as-of question folds at most this many
events after the snapshot it starts from (docs/performance.md has the trade-off)."""
_CREATIONS = (DeliverablePlanned, MilestoneBaselined, RiskRaised)
Progress = Callable[[int, int], None]
"""Called after each page is folded: (events folded so far, the page's last position)."""
LINGER_SECONDS = 0.05
"""After a batch shorter than ``batch_size``, the live projector waits this long before the
next: at 1,300 events/s, batches of 4-5 events cost a transaction each and the projector more
than a core; batches of about 60 cost a fraction of that (docs/performance.md)."""
MAX_CACHED_ITEMS = 100_000
"""Items kept in memory between batches; past this the cache is dropped after a commit."""


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
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


def _kind_items(view: ProgrammeView, kind: str) -> dict[str, ItemView]:
    items: dict[str, ItemView]
    if kind == "deliverable":
        items = view.deliverables  # type: ignore[assignment]
    elif kind == "milestone":
        items = view.milestones  # type: ignore[assignment]
    else:
        items = view.raid  # type: ignore[assignment]
    return items


class _Batch:
    """What one batch changed: rows to write, snapshots taken."""

    def __init__(self) -> None:
        self.headers: set[str] = set()
        self.items: dict[tuple[str, str, UUID], None] = {}
        self.snapshots: list[rows.SnapshotRow] = []


class Projector:
    """Folds events into the read model's rows (``tables``: live, or a rebuild's shadow)."""

    def __init__(
        self,
        store: EventStore,
        engine: AsyncEngine,
        *,
        tables: Tables = LIVE,
        batch_size: int = 2000,
        catch_up_events: int = 250_000,
        snapshot_every: int = SNAPSHOT_EVERY,
        max_cached_items: int = MAX_CACHED_ITEMS,
        crash_hook: Callable[[str], None] | None = None,
        clock: Clock | None = None,
        empty: bool = False,
        linger: float = LINGER_SECONDS,
    ) -> None:
        """``empty``: the tables hold nothing yet (a rebuild's): the first commit copies its
        rows in rather than upserting them. ``linger``: how long ``run_forever`` waits after a
        short batch before the next one."""
        self._store = store
        self._engine = engine
        self._tables = tables
        self._batch_size = batch_size
        self._catch_up_events = max(batch_size, catch_up_events)
        self._snapshot_every = max(1, snapshot_every)
        self._max_cached_items = max_cached_items
        self._crash_hook = crash_hook
        self._clock = clock or SystemClock()
        self._empty = empty
        self._linger = linger
        self._views: dict[str, ProgrammeView] = {}
        """Partial views: the header, and the items in memory."""
        self._snapshot_events: dict[str, int] = {}
        self._complete: set[str] = set()
        """Programmes whose every item is in memory."""
        self.position = 0

    @property
    def name(self) -> str:
        return self._tables.checkpoint

    def _forget(self) -> None:
        self._views.clear()
        self._snapshot_events.clear()
        self._complete.clear()

    async def _load(self, page: Sequence[StoredEvent]) -> list[Touch | None]:
        """Bring into memory every header and item the page's events act on. An item is not
        looked for when its event creates it, nor in a programme whose every item is in
        memory already (a rebuild from zero never looks for one)."""
        found: list[Touch | None] = []
        keys: set[str] = set()
        wanted: dict[str, None] = {}
        views, complete = self._views, self._complete
        for event in page:
            acted = touch(event)
            found.append(acted)
            if acted is None:
                continue
            key, ref = acted
            view = views.get(key)
            if view is None:
                keys.add(key)
            if ref is None or key in complete or isinstance(event.data, _CREATIONS):
                continue
            item_id = str(ref[1])
            if view is None or item_id not in _kind_items(view, ref[0]):
                wanted[item_id] = None
        if not keys and not wanted:
            return found
        loaded = await rows.load(self._engine, self._tables, sorted(keys), list(wanted))
        for key in keys:
            header, snapshot_events = loaded.headers.get(key, (None, 0))
            views[key] = header if header is not None else ProgrammeView(key=key)
            self._snapshot_events[key] = snapshot_events
        for item_id, (key, kind, item) in loaded.items.items():
            view = views.get(key)
            if view is not None:
                _kind_items(view, kind).setdefault(item_id, item)
        return found

    async def _complete_view(self, key: str) -> ProgrammeView:
        """The programme's whole view, in creation order (reading the rows not in memory)."""
        view = self._views[key]
        if key not in self._complete:
            for kind, item in await rows.load_items(self._engine, self._tables, key):
                _kind_items(view, kind).setdefault(item.id, item)
            self._complete.add(key)
        whole = rows.header_of(view)
        ordered = sorted(rows.items_of(view), key=lambda pair: rows.ordinal(pair[1]))
        for kind, item in ordered:
            rows.add_item(whole, kind, item)
        return whole

    async def _fold(self, page: Sequence[StoredEvent], batch: _Batch) -> None:
        views, snapshots, every = self._views, self._snapshot_events, self._snapshot_every
        headers, items = batch.headers, batch.items
        for event, acted in zip(page, await self._load(page), strict=True):
            if acted is None:
                continue
            key, ref = acted
            view = views[key]
            if view.events == 0 and isinstance(event.data, ProgrammeRegistered):
                self._complete.add(key)  # every item it will have passes through here
            apply(view, event)
            headers.add(key)
            if ref is not None:
                items[(key, ref[0], ref[1])] = None
            if view.events - snapshots.get(key, 0) >= every:
                batch.snapshots.append(rows.snapshot_row(await self._complete_view(key)))
                snapshots[key] = view.events

    def _rows(self, batch: _Batch) -> tuple[list[rows.HeaderRow], list[rows.ItemRow]]:
        headers = [
            rows.header_row(self._views[key], self._snapshot_events.get(key, 0))
            for key in sorted(batch.headers)
        ]
        items = []
        for key, kind, uid in batch.items:
            item = _kind_items(self._views[key], kind).get(str(uid))
            if item is not None:  # an event of an item never created changes no row
                items.append(rows.item_row(key, kind, item))
        return headers, items

    def _cached(self) -> int:
        return sum(
            len(v.deliverables) + len(v.milestones) + len(v.raid) for v in self._views.values()
        )

    async def run_once(self) -> int:
        """Apply one batch. Returns the number of events read (0 when caught up)."""
        return await self._apply(self._batch_size)

    async def _apply(
        self, max_events: int, *, keep: bool = False, progress: Progress | None = None
    ) -> int:
        """Fold up to ``max_events`` events (pages of ``batch_size``, stopping early at the
        head), then write what they changed and move the checkpoint in one transaction.

        The pages are read and folded before the write transaction opens, so however many
        events a batch covers, the transaction holds only the writes and the checkpoint move
        (on SQLite it holds the write lock). Any failure drops what is in memory: it may hold
        events that were not committed.
        """
        async with self._engine.connect() as conn:
            checkpoint, _ = await read_checkpoint(conn, self.name)
        if checkpoint != self.position:
            self._forget()  # someone else moved it: what we hold may be stale
            self.position = checkpoint
        after, count = checkpoint, 0
        batch = _Batch()
        reading: asyncio.Future[list[StoredEvent]] | None = None
        try:
            limit = min(self._batch_size, max_events)
            reading = asyncio.ensure_future(self._store.read_all(after, limit))
            while reading is not None:
                page = await reading
                reading = None
                if not page:
                    break
                count += len(page)
                after = page[-1].position
                if len(page) == limit and count < max_events:
                    # Read the next page while this one is folded: the database works on the
                    # other core meanwhile.
                    limit = min(self._batch_size, max_events - count)
                    reading = asyncio.ensure_future(self._store.read_all(after, limit))
                await self._fold(page, batch)
                if progress is not None:
                    progress(count, after)
            if count == 0:
                return 0
            headers, items = self._rows(batch)
            conn = await self._engine.connect()
            conn = await conn.execution_options(**{WRITE_OPTION: True})
            try:
                async with conn.begin():
                    await rows.write(
                        conn, self._tables, headers, items, batch.snapshots, empty=self._empty
                    )
                    if self._crash_hook is not None:
                        self._crash_hook("rows-written")
                    await self._move_checkpoint(conn, checkpoint, after, count)
            finally:
                await conn.close()
        except BaseException:
            if reading is not None:
                reading.cancel()
            self._forget()  # what is in memory holds a batch that did not commit
            raise
        self.position = after
        self._empty = False
        if not keep and self._cached() > self._max_cached_items:
            self._forget()
        return count

    async def _move_checkpoint(self, conn: AsyncConnection, old: int, new: int, count: int) -> None:
        now = self._clock.now().astimezone(UTC).isoformat()
        if old == 0:
            inserted = await conn.execute(
                text(
                    "INSERT INTO projection_checkpoints (name, position, events, updated_at) "
                    "VALUES (:n, :p, :c, :u) ON CONFLICT (name) DO NOTHING"
                ),
                {"n": self.name, "p": new, "c": count, "u": now},
            )
            if inserted.rowcount == 1:
                return
        moved = await conn.execute(
            text(
                "UPDATE projection_checkpoints SET position = :new, events = events + :c, "
                "updated_at = :u WHERE name = :n AND position = :old"
            ),
            {"n": self.name, "new": new, "old": old, "c": count, "u": now},
        )
        if moved.rowcount != 1:
            raise CheckpointMoved(f"{self.name}: checkpoint is no longer {old}")

    async def catch_up(self, *, progress: Progress | None = None) -> int:
        """Apply every event up to the head.

        Each transaction covers up to ``catch_up_events`` events read in pages of
        ``batch_size``: far behind, every page touches most programmes, and one transaction
        per page would write the same headers again and again. What it folds stays in memory
        until it has caught up (``max_cached_items`` applies between live batches): dropped
        between transactions, every item would be read back from its row, and every snapshot
        would read its programme's rows again. The process holds the whole read model
        meanwhile (docs/performance.md has the figure).

        The cyclic garbage collector is paused meanwhile (and restored after): folding creates
        no reference cycles, but each page's short-lived events, promoted while alive, trigger
        full collections that walk everything in memory (docs/performance.md).
        """
        total = 0

        def folded(count: int, position: int) -> None:
            if progress is not None:
                progress(total + count, position)

        with cyclic_gc_paused():
            while True:
                try:
                    count = await self._apply(self._catch_up_events, keep=True, progress=folded)
                except CheckpointMoved:
                    continue
                if count == 0:
                    return total
                total += count

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Apply batches until ``stop`` is set. ``stop`` is checked between batches only, so
        the batch in progress always finishes: its rows and checkpoint commit together (or, on
        a failure, roll back together). The log says where it started and where it stopped.
        Each batch runs with the cyclic garbage collector paused (a cold start loads many rows
        at once), and it runs between batches."""
        async with self._engine.connect() as conn:
            self.position, _ = await read_checkpoint(conn, self.name)
        log.info("projector: started at position %d", self.position)
        while not stop.is_set():
            try:
                with cyclic_gc_paused():
                    count = await self.run_once()
            except CheckpointMoved:
                log.info("projector: checkpoint moved by another projector; re-reading")
                continue
            if stop.is_set():
                break
            if count == 0:
                await self._store.wait_for_new_events(1.0)
            elif count < self._batch_size and self._linger > 0:
                # Caught up with a short batch: let a few more events arrive before the next.
                # Reads do not wait for the projector (they fold what it has not), so this
                # costs nobody a stale answer, and it spares a transaction per few events.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self._linger)
        log.info("projector: stopped at position %d", self.position)


async def projection_status(
    store: EventStore, engine: AsyncEngine, tables: Tables = LIVE
) -> list[ProjectionStatus]:
    head = await store.head_position()
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                text(
                    "SELECT name, position, events, updated_at FROM projection_checkpoints "
                    "WHERE name = :n"
                ),
                {"n": tables.checkpoint},
            )
        ).first()
    position = int(row.position) if row else 0
    return [
        ProjectionStatus(
            name=tables.checkpoint,
            position=position,
            head_position=head,
            lag=max(0, head - position),
            events=int(row.events) if row else 0,
            updated_at=row.updated_at if row else None,
        )
    ]
