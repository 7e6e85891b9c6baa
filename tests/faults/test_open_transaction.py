"""An append transaction held open for 30 s while other appends commit (PostgreSQL).

Positions are drawn before commit, so the held append owns a position below events that commit
meanwhile. Pass: the projector never moves past the held position while it is open (so it
cannot skip it), /ready reports the growing lag and fails once it passes the threshold, and
after the commit the read model catches up and equals a fresh rebuild.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path
from uuid import uuid4

import asyncpg
import httpx
import pytest

from tests.faults.processes import processes, tracker_env
from tests.faults.read_model import checkpoint, compare_with_a_fresh_rebuild, head
from tracker.clock import Clock, SystemClock
from tracker.events.base import NewEvent
from tracker.events.open import open_store
from tracker.events.prepare import encode_batch
from tracker.events.programmes import ProgrammeRegistered
from tracker.settings import Settings

pytestmark = [pytest.mark.db, pytest.mark.slow, pytest.mark.postgres]

HOLD_SECONDS = float(os.environ.get("TRACKER_FAULT_HOLD_SECONDS", "30"))
READY_MAX_LAG_SECONDS = 5


def dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def registered(key: str) -> ProgrammeRegistered:
    return ProgrammeRegistered(
        programme_key=key,
        name=f"Programme {key}",
        starts_on=date(2026, 1, 5),
        planned_end_on=date(2026, 12, 31),
        registered_on=date(2026, 1, 5),
    )


async def held_append(conn: asyncpg.Connection, key: str, clock: Clock) -> int:
    """``tracker_append`` inside the caller's open transaction: the store's own function, so
    the append marks itself as in progress exactly as the store's appends do."""
    new = NewEvent(data=registered(key), occurred_at=clock.now() - timedelta(hours=1))
    (row,) = encode_batch([new], idempotency_key=None, max_event_bytes=64 * 1024)
    records = await conn.fetch(
        "SELECT * FROM tracker_append($1, 0, $2, $3, $4, $5, $6, NULL, $7, $8)",
        f"programme:{key}",
        [new.event_id],
        [row.type],
        [row.schema_version],
        [row.data],
        [row.metadata],
        [row.occurred_at],
        clock.now(),
    )
    position: int = records[0]["o_position"]
    return position


async def test_an_append_held_open_for_30_s_is_never_skipped_and_ready_reports_the_lag(
    postgres_url: str, tmp_path: Path
) -> None:
    clock = SystemClock()  # /ready measures lag against the wall clock
    env = tracker_env(postgres_url, TRACKER_READY_MAX_LAG_SECONDS=str(READY_MAX_LAG_SECONDS))
    store = open_store(Settings(database_url=postgres_url))
    readies: list[tuple[float, int, dict[str, object]]] = []
    with processes(tmp_path) as group:
        group.start("projector", ["projector"], env)
        _, base = group.serve("api", env)
        await store.append(
            "programme:before", [NewEvent(data=registered("before"), occurred_at=clock.now())], 0
        )
        await until_async(lambda: caught_up(postgres_url, 1), 15, "the projector to start")
        holder = await asyncpg.connect(dsn(postgres_url))
        try:
            hold = holder.transaction()
            await hold.start()
            held_position = await held_append(holder, "held-open", clock)
            opened = time.monotonic()
            committed = 0
            max_checkpoint_while_held = 0
            async with httpx.AsyncClient(base_url=base, timeout=10) as client:
                while time.monotonic() - opened < HOLD_SECONDS:
                    key = f"during-{uuid4().hex[:8]}"
                    await store.append(
                        f"programme:{key}",
                        [NewEvent(data=registered(key), occurred_at=clock.now())],
                        0,
                    )
                    committed += 1
                    position, _ = await checkpoint(postgres_url)
                    max_checkpoint_while_held = max(max_checkpoint_while_held, position)
                    answer = await client.get("/ready")
                    readies.append((time.monotonic() - opened, answer.status_code, answer.json()))
                    await asyncio.sleep(0.2)
            assert max_checkpoint_while_held < held_position, (
                f"the projector moved to {max_checkpoint_while_held} past the open append's "
                f"position {held_position}: it would have skipped it"
            )
            await hold.commit()
        finally:
            await holder.close()
        released = time.monotonic()
        top, _ = await head(postgres_url)
        await until_async(lambda: caught_up(postgres_url, top), 15, "the projector to catch up")
        caught_up_after = time.monotonic() - released
        async with httpx.AsyncClient(base_url=base, timeout=10) as client:
            after = await client.get("/ready")
    await store.close()
    live, rebuilt, report = await compare_with_a_fresh_rebuild(postgres_url)
    print(
        f"\nheld {HOLD_SECONDS:.0f} s at position {held_position}; {committed} appends committed "
        f"meanwhile; checkpoint while held <= {max_checkpoint_while_held}; caught up "
        f"{caught_up_after:.2f} s after the commit; /ready answers while held: "
        f"{[(round(t, 1), s) for t, s, _ in readies[:: max(1, len(readies) // 8)]]}"
    )
    assert "programme:held-open" in {f"programme:{k}" for k in live}
    assert live == rebuilt and not (report.added or report.removed or report.changed)
    assert_ready_reported_the_lag(readies, after)


async def caught_up(url: str, top: int) -> bool:
    position, _ = await checkpoint(url)
    return position >= top


async def until_async(condition: Callable[[], Awaitable[bool]], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not await condition():
        assert time.monotonic() < deadline, f"timed out after {seconds} s waiting for {what}"
        await asyncio.sleep(0.1)


def assert_ready_reported_the_lag(
    readies: list[tuple[float, int, dict[str, object]]], after: httpx.Response
) -> None:
    """While held: the committed head runs ahead of the safe head, the open append's age and the
    lag in seconds grow, and past the threshold /ready answers 503 ``projector_lagging``. After
    the commit and catch-up: 200, no lag, no open append."""
    late = [(t, status, body) for t, status, body in readies if t > READY_MAX_LAG_SECONDS + 2]
    assert late, "the hold was too short to pass the readiness threshold"
    for t, status, body in late:
        assert status == 503 and body["reason"] == "projector_lagging", (t, body)
        assert isinstance(body["committed_head_position"], int)
        assert isinstance(body["head_position"], int)
        assert body["committed_head_position"] > body["head_position"], body
        age = body["oldest_append_seconds"]
        lag = body["projector_lag_seconds"]
        assert isinstance(age, float) and age >= t - 1, (t, body)
        assert isinstance(lag, float) and lag > READY_MAX_LAG_SECONDS, (t, body)
    early = [status for t, status, _ in readies if t < 1]
    assert early and all(status == 200 for status in early), readies[:5]
    final = after.json()
    assert after.status_code == 200, final
    assert final["projector_lag"] == 0 and final["oldest_append_seconds"] is None, final
    assert final["committed_head_position"] == final["head_position"], final
