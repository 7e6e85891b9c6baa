"""What the database says about the store and the projector, for ``/ready`` and ``/metrics``.

A few indexed look-ups on one connection (a few milliseconds):

- the committed head (``max(position)``) and the safe head (on PostgreSQL
  ``tracker_safe_head()``: below an append transaction still open, which may already have
  committed positions above it; on SQLite the two are equal);
- each projection's checkpoint, and its lag: in positions (safe head minus checkpoint) and in
  seconds (now minus the ``recorded_at`` of the first event after the checkpoint, 0 when there
  is none);
- on PostgreSQL the age of the oldest open append transaction (appends hold the shared
  advisory lock (1953653099, 3) until they end; see ``tracker_read_fence``).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Final

import asyncpg
import msgspec
from litestar import Response, get
from litestar.datastructures import State
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from api.services import Services
from tracker.errors import StoreUnavailable
from tracker.events.codec import parse_instant
from tracker.projections.read_model.projector import NAME

PROJECTIONS: Final = (NAME,)
CHECK_TIMEOUT_SECONDS: Final = 3.0
"""A database that does not answer within this is reported unreachable."""

DATABASE_ERRORS: Final = (
    SQLAlchemyError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    OSError,
    StoreUnavailable,
    TimeoutError,
)
"""Anything that stops the checks from answering: the database is not usable from here."""

_OLDEST_APPEND: Final = text(
    """
    SELECT EXTRACT(EPOCH FROM clock_timestamp() - min(a.xact_start))
    FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'advisory' AND l.classid = 1953653099 AND l.objid = 3
      AND l.objsubid = 2 AND l.granted
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    """
)


class ProjectionLag(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    position: int
    """The checkpoint: the last position folded."""
    events: int
    """Events applied since the projection was built."""
    lag_positions: int
    """Safe head minus checkpoint."""
    lag_seconds: float
    """Now minus the recorded_at of the first event after the checkpoint; 0 when none."""


class StoreSnapshot(msgspec.Struct, frozen=True, kw_only=True):
    committed_head: int
    safe_head: int
    projections: list[ProjectionLag]
    oldest_append_seconds: float | None
    """PostgreSQL: age of the oldest append transaction still open; None when there is none
    (and always on SQLite, where an append holds the write lock instead)."""


def _instant(value: object) -> datetime:
    if isinstance(value, datetime):
        return value
    return parse_instant(str(value))


async def _projection(
    conn: AsyncConnection, name: str, safe_head: int, now: datetime
) -> ProjectionLag:
    row = (
        await conn.execute(
            text("SELECT position, events FROM projection_checkpoints WHERE name = :n"),
            {"n": name},
        )
    ).first()
    position, events = (int(row.position), int(row.events)) if row else (0, 0)
    first = (
        await conn.execute(
            text("SELECT recorded_at FROM events WHERE position > :p ORDER BY position LIMIT 1"),
            {"p": position},
        )
    ).scalar()
    seconds = 0.0 if first is None else max(0.0, (now - _instant(first)).total_seconds())
    return ProjectionLag(
        name=name,
        position=position,
        events=events,
        lag_positions=max(0, safe_head - position),
        lag_seconds=round(seconds, 3),
    )


async def _snapshot(engine: AsyncEngine, now: datetime) -> StoreSnapshot:
    async with engine.connect() as conn:
        postgres = conn.dialect.name == "postgresql"
        committed = int(
            (await conn.execute(text("SELECT max(position) FROM events"))).scalar() or 0
        )
        safe = committed
        oldest: float | None = None
        if postgres:
            safe = int((await conn.execute(text("SELECT tracker_safe_head()"))).scalar() or 0)
            age = (await conn.execute(_OLDEST_APPEND)).scalar()
            oldest = None if age is None else round(float(age), 3)
        projections = [await _projection(conn, name, safe, now) for name in PROJECTIONS]
    return StoreSnapshot(
        committed_head=committed,
        safe_head=safe,
        projections=projections,
        oldest_append_seconds=oldest,
    )


async def store_snapshot(services: Services) -> StoreSnapshot:
    """Raises one of ``DATABASE_ERRORS`` when the database cannot answer in time."""
    return await asyncio.wait_for(
        _snapshot(services.engine, services.clock.now()), timeout=CHECK_TIMEOUT_SECONDS
    )


class Readiness(msgspec.Struct, frozen=True, kw_only=True):
    status: str
    """``ready``, or ``unavailable`` (503) with a ``reason``."""
    database: str
    """``reachable`` or ``unreachable``."""
    reason: str | None = None
    """Why 503: ``database_unreachable`` or ``projector_lagging``."""
    detail: str | None = None
    head_position: int | None = None
    """The safe head: every position at or below it is committed and readable in order."""
    committed_head_position: int | None = None
    """``max(position)``: on PostgreSQL ahead of the safe head while an append is open."""
    projector_position: int | None = None
    projector_lag: int | None = None
    """Positions between the read model's checkpoint and the safe head."""
    projector_lag_seconds: float | None = None
    max_lag_seconds: float | None = None
    """The threshold (``TRACKER_READY_MAX_LAG_SECONDS``)."""
    oldest_append_seconds: float | None = None


@get("/ready", include_in_schema=False)
async def ready(state: State) -> Response[Readiness]:
    """503 while the database does not answer or the projector lags beyond the threshold.

    The threshold applies whether the projector runs in this process or in ``tracker
    projector``: either way it is the read model this process answers queries from."""
    services: Services = state.services
    limit = services.api.ready_max_lag_seconds
    try:
        snap = await store_snapshot(services)
    except DATABASE_ERRORS as exc:
        return Response(
            Readiness(
                status="unavailable",
                database="unreachable",
                reason="database_unreachable",
                detail=f"{type(exc).__name__}: {str(exc).partition(chr(10))[0]}"[:300],
                max_lag_seconds=limit,
            ),
            status_code=503,
        )
    body = judge(snap, limit)
    return Response(body, status_code=200 if body.status == "ready" else 503)


def judge(snap: StoreSnapshot, limit: float) -> Readiness:
    """Ready unless the read model's oldest unfolded event is older than ``limit`` seconds.
    Pure: the snapshot holds everything the decision needs."""
    lag = snap.projections[0]
    lagging = lag.lag_seconds > limit
    return Readiness(
        status="unavailable" if lagging else "ready",
        database="reachable",
        reason="projector_lagging" if lagging else None,
        detail=(
            f"{lag.name}: the oldest event not yet folded was recorded {lag.lag_seconds:g} s "
            f"ago (limit {limit:g} s)"
            if lagging
            else None
        ),
        head_position=snap.safe_head,
        committed_head_position=snap.committed_head,
        projector_position=lag.position,
        projector_lag=lag.lag_positions,
        projector_lag_seconds=lag.lag_seconds,
        max_lag_seconds=limit,
        oldest_append_seconds=snap.oldest_append_seconds,
    )
