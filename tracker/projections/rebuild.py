"""Rebuild the read model from zero into a shadow table, compare, then swap it in.

Reads keep using the live table until the swap, which is one transaction: a reader sees the old
views or the new ones, never a mix. The live checkpoint moves to the rebuild's, so a running
projector's next compare-and-set fails and it reloads from the swapped table.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tracker.db import WRITE_OPTION
from tracker.events.store import EventStore
from tracker.projections.projector import NAME, Projector

SHADOW = "programme_views_shadow"
SHADOW_NAME = f"{NAME}:rebuild"


class RebuildReport(msgspec.Struct, frozen=True, kw_only=True):
    events: int
    seconds: float
    events_per_second: float
    position: int
    added: list[str]
    removed: list[str]
    changed: list[str]
    unchanged: int


async def _documents(engine: AsyncEngine, table: str) -> dict[str, str]:
    async with engine.connect() as conn:
        rows = (await conn.execute(text(f"SELECT key, document FROM {table}"))).all()
    return {r.key: r.document for r in rows}


async def rebuild(
    store: EventStore,
    engine: AsyncEngine,
    *,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = 5000,
) -> RebuildReport:
    async with engine.begin() as conn:
        await conn.execute(text(f"DROP TABLE IF EXISTS {SHADOW}"))
        await conn.execute(
            text(
                f"CREATE TABLE {SHADOW} (key TEXT PRIMARY KEY, position BIGINT NOT NULL, "
                "document TEXT NOT NULL)"
            )
        )
        await conn.execute(
            text("DELETE FROM projection_checkpoints WHERE name = :n"), {"n": SHADOW_NAME}
        )
    started = time.perf_counter()
    projector = Projector(store, engine, name=SHADOW_NAME, table=SHADOW, batch_size=batch_size)
    count = await projector.catch_up(progress=progress)
    seconds = time.perf_counter() - started
    live, fresh = await _documents(engine, "programme_views"), await _documents(engine, SHADOW)
    conn = await (await engine.connect()).execution_options(**{WRITE_OPTION: True})
    try:
        async with conn.begin():
            await conn.execute(text("DELETE FROM programme_views"))
            await conn.execute(
                text(
                    f"INSERT INTO programme_views (key, position, document) "
                    f"SELECT key, position, document FROM {SHADOW}"
                )
            )
            await conn.execute(
                text(
                    "INSERT INTO projection_checkpoints (name, position, events, updated_at) "
                    "SELECT :live, position, events, :u FROM projection_checkpoints "
                    "WHERE name = :shadow ON CONFLICT (name) DO UPDATE SET "
                    "position = excluded.position, events = excluded.events, "
                    "updated_at = excluded.updated_at"
                ),
                {"live": NAME, "shadow": SHADOW_NAME, "u": datetime.now(UTC).isoformat()},
            )
            await conn.execute(
                text("DELETE FROM projection_checkpoints WHERE name = :n"), {"n": SHADOW_NAME}
            )
            await conn.execute(text(f"DROP TABLE {SHADOW}"))
    finally:
        await conn.close()
    return RebuildReport(
        events=count,
        seconds=round(seconds, 3),
        events_per_second=round(count / seconds, 1) if seconds > 0 else 0.0,
        position=projector.position,
        added=sorted(set(fresh) - set(live)),
        removed=sorted(set(live) - set(fresh)),
        changed=sorted(k for k in set(live) & set(fresh) if live[k] != fresh[k]),
        unchanged=sum(1 for k in set(live) & set(fresh) if live[k] == fresh[k]),
    )
