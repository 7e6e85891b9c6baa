"""Rebuild the read model from zero into shadow tables, compare, then swap them in.

Reads keep using the live tables until the swap, which is one transaction: the live tables are
dropped and the shadow tables renamed in their place, so a reader sees the old read model or
the new one, never a mix, and nothing is copied. Reads stay consistent throughout, since a
read folds whatever the read model it finds has not (``reader.py``). The live checkpoint moves
to the rebuild's, so a running projector's next compare-and-set fails and it reloads from the
swapped tables.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC
from typing import Final

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tracker.clock import Clock, SystemClock
from tracker.db import WRITE_OPTION
from tracker.errors import StoreUnavailable
from tracker.events.store import EventStore
from tracker.locks import lock_for
from tracker.projections.read_model import rows
from tracker.projections.read_model.projector import Projector
from tracker.projections.read_model.rows import LIVE, SHADOW, Tables
from tracker.settings import Settings

ITEMS_INDEX = "read_items_programme"
REBUILD_TRANSACTION = 1 << 62
"""Events per transaction of a rebuild's catch-up: all of them."""
REBUILD_LOCK: Final = 4
"""Second key of the rebuild's advisory lock (``tracker.locks.lock_for``; the
reminders use 1 and 2, the webhooks 3)."""
REBUILD_WAIT_SECONDS: Final = 600.0
"""How long a rebuild waits for one already running (1,000,000 events take about 30 s)."""


class RebuildReport(msgspec.Struct, frozen=True, kw_only=True):
    events: int
    seconds: float
    events_per_second: float
    position: int
    added: list[str]
    """Programmes the rebuild has and the live read model had not."""
    removed: list[str]
    changed: list[str]
    """Programmes whose header or any item row differs."""
    unchanged: int
    snapshots: int


async def _keys(conn: AsyncConnection, tables: Tables) -> set[str]:
    found = (await conn.execute(text(f"SELECT key FROM {tables.programmes}"))).all()
    return {str(r.key) for r in found}


async def _changed(conn: AsyncConnection, live: Tables, fresh: Tables) -> set[str]:
    """Programmes in both whose header or items differ, compared in the database."""
    found = (
        await conn.execute(
            text(
                f"SELECT l.key AS key FROM {live.programmes} l JOIN {fresh.programmes} s "
                "ON l.key = s.key WHERE l.header <> s.header "
                "UNION "
                "SELECT COALESCE(l.programme_key, s.programme_key) FROM "
                f"{live.items} l FULL OUTER JOIN {fresh.items} s ON l.item_id = s.item_id "
                "WHERE l.document IS NULL OR s.document IS NULL OR l.document <> s.document"
            )
        )
    ).all()
    return {str(r.key) for r in found}


async def _swap(conn: AsyncConnection, clock: Clock) -> None:
    """Put the shadow tables in the live ones' place, with the live names for their indexes."""
    postgres = conn.dialect.name == "postgresql"
    for live, fresh in zip(LIVE.all(), SHADOW.all(), strict=True):
        await conn.execute(text(f"DROP TABLE {live}"))
        await conn.execute(text(f"ALTER TABLE {fresh} RENAME TO {live}"))
        if postgres:
            await conn.execute(text(f"ALTER INDEX {fresh}_pkey RENAME TO {live}_pkey"))
    if postgres:
        await conn.execute(text(f"ALTER INDEX {ITEMS_INDEX}_shadow RENAME TO {ITEMS_INDEX}"))
    else:
        await conn.execute(text(f"DROP INDEX {ITEMS_INDEX}_shadow"))
        await rows.index_items(conn, LIVE, ITEMS_INDEX)
    await conn.execute(
        text(
            "INSERT INTO projection_checkpoints (name, position, events, updated_at) "
            "SELECT :live, position, events, :u FROM projection_checkpoints "
            "WHERE name = :shadow ON CONFLICT (name) DO UPDATE SET "
            "position = excluded.position, events = excluded.events, "
            "updated_at = excluded.updated_at"
        ),
        {
            "live": LIVE.checkpoint,
            "shadow": SHADOW.checkpoint,
            "u": clock.now().astimezone(UTC).isoformat(),
        },
    )
    await conn.execute(
        text("DELETE FROM projection_checkpoints WHERE name = :n"), {"n": SHADOW.checkpoint}
    )


@contextlib.asynccontextmanager
async def one_rebuild_at_a_time(engine: AsyncEngine) -> AsyncIterator[None]:
    """Held for a whole rebuild, across processes (a session advisory lock on PostgreSQL, a
    file lock beside a SQLite database): two rebuilds at once, as an erasure in the API while
    an operator runs ``tracker projections rebuild``, would drop each other's shadow tables.
    The second waits its turn; it starts from the log as it then stands."""
    url = engine.url.render_as_string(hide_password=False)
    lock = lock_for(Settings(database_url=url), REBUILD_LOCK, "read-model-rebuild")
    if not await lock.acquire(wait=REBUILD_WAIT_SECONDS):
        raise StoreUnavailable(
            f"another rebuild of the read model has run for over {REBUILD_WAIT_SECONDS:.0f} s: "
            "try again once it has finished"
        )
    try:
        yield
    finally:
        await lock.release()


async def rebuild(
    store: EventStore,
    engine: AsyncEngine,
    *,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = 5000,
    clock: Clock | None = None,
) -> RebuildReport:
    async with one_rebuild_at_a_time(engine):
        return await _rebuild(store, engine, progress, batch_size, clock or SystemClock())


async def _rebuild(
    store: EventStore,
    engine: AsyncEngine,
    progress: Callable[[int, int], None] | None,
    batch_size: int,
    clock: Clock,
) -> RebuildReport:
    # A write transaction from its first statement (SQLite: BEGIN IMMEDIATE, waiting for the
    # lock): a deferred one that turns into a write while the projector writes fails at once
    # with "database is locked" (a rebuild run by an erasure in the API process met it).
    conn = await (await engine.connect()).execution_options(**{WRITE_OPTION: True})
    try:
        async with conn.begin():
            await rows.create_tables(conn, SHADOW)
            await conn.execute(
                text("DELETE FROM projection_checkpoints WHERE name = :n"),
                {"n": SHADOW.checkpoint},
            )
    finally:
        await conn.close()
    started = time.perf_counter()
    # One transaction for the whole catch-up: the shadow tables are the rebuild's alone, and
    # in an interleaved log every few hundred thousand events touch nearly every item again,
    # so committing along the way would write every item row several times.
    projector = Projector(
        store,
        engine,
        tables=SHADOW,
        batch_size=batch_size,
        catch_up_events=REBUILD_TRANSACTION,
        clock=clock,
        empty=True,
    )
    count = await projector.catch_up(progress=progress)
    seconds = time.perf_counter() - started
    conn = await (await engine.connect()).execution_options(**{WRITE_OPTION: True})
    try:
        async with conn.begin():
            # Indexed after the load: one sort instead of an index kept up row by row.
            await rows.index_items(conn, SHADOW, f"{ITEMS_INDEX}_shadow")
            live, fresh = await _keys(conn, LIVE), await _keys(conn, SHADOW)
            changed = await _changed(conn, LIVE, SHADOW)
            snapshots = (
                await conn.execute(text(f"SELECT count(*) FROM {SHADOW.snapshots}"))
            ).scalar_one()
            await _swap(conn, clock)
    finally:
        await conn.close()
    both = live & fresh
    return RebuildReport(
        events=count,
        seconds=round(seconds, 3),
        events_per_second=round(count / seconds, 1) if seconds > 0 else 0.0,
        position=projector.position,
        added=sorted(fresh - live),
        removed=sorted(live - fresh),
        changed=sorted(changed & both),
        unchanged=len(both - changed),
        snapshots=int(snapshots),
    )
