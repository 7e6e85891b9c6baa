"""The projector: rows and checkpoint together, exactly once, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, timedelta
from uuid import UUID, uuid4

import msgspec
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tracker.clock import FixedClock
from tracker.db import create_engine
from tracker.events.base import NewEvent
from tracker.events.deliverables import (
    DeliverableApproved,
    DeliverablePlanned,
    DeliverableSignedOff,
    DeliverableSubmitted,
)
from tracker.events.open import open_store
from tracker.events.programmes import DeliverableListed, ProgrammeRegistered
from tracker.events.store import EventStore, StreamState
from tracker.events.values import PersonRef
from tracker.projections.programme_fold import fold
from tracker.projections.projector import (
    CheckpointMoved,
    Projector,
    load_all_views,
    projection_status,
    wait_for_position,
)
from tracker.settings import Settings

SPONSOR = PersonRef(email="sponsor@council.example", name="Sam Sponsor")


@pytest.fixture
async def store(database_url: str, clock: FixedClock) -> AsyncIterator[EventStore]:
    """Events and read models in the same database, SQLite or PostgreSQL."""
    store = open_store(Settings(database_url=database_url), clock=clock)
    yield store
    await store.close()


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(Settings(database_url=database_url))
    yield engine
    await engine.dispose()


async def given_programmes(
    store: EventStore, clock: FixedClock, programmes: int, deliverables: int
) -> None:
    day = clock.now() - timedelta(days=30)
    for p in range(programmes):
        key = f"prog-{p}"
        await store.append(
            f"programme:{key}",
            [
                NewEvent(
                    data=ProgrammeRegistered(
                        programme_key=key,
                        name=f"Programme {p}",
                        starts_on=date(2026, 1, 1),
                        planned_end_on=date(2026, 12, 31),
                        registered_on=date(2026, 1, 1),
                    ),
                    occurred_at=day,
                )
            ],
            StreamState.NO_STREAM,
        )
        for d in range(deliverables):
            deliverable_id = uuid4()
            await store.append(
                f"programme:{key}",
                [
                    NewEvent(
                        data=DeliverableListed(programme_key=key, deliverable_id=deliverable_id),
                        occurred_at=day,
                    )
                ],
                StreamState.ANY,
            )
            await store.append(
                f"deliverable:{deliverable_id}",
                _lifecycle(key, deliverable_id, d, day),
                StreamState.NO_STREAM,
            )


def _lifecycle(key: str, deliverable_id: UUID, number: int, day: object) -> list[NewEvent]:
    assert hasattr(day, "date")
    events: list[NewEvent] = [
        NewEvent(
            data=DeliverablePlanned(
                deliverable_id=deliverable_id,
                programme_key=key,
                title=f"Deliverable {number}",
                due_on=date(2026, 12, 1),
                approvers=(SPONSOR,),
            ),
            occurred_at=day,  # type: ignore[arg-type]
        )
    ]
    if number % 2 == 0:
        events += [
            NewEvent(
                data=DeliverableSubmitted(
                    deliverable_id=deliverable_id, programme_key=key, round=1
                ),
                occurred_at=day,
            ),  # type: ignore[arg-type]
            NewEvent(
                data=DeliverableApproved(
                    deliverable_id=deliverable_id, programme_key=key, round=1, actor=SPONSOR.email
                ),
                occurred_at=day,
            ),  # type: ignore[arg-type]
            NewEvent(
                data=DeliverableSignedOff(
                    deliverable_id=deliverable_id,
                    programme_key=key,
                    round=1,
                    approvers=(SPONSOR.email,),
                ),
                occurred_at=day,
            ),  # type: ignore[arg-type]
        ]
    return events


async def fresh_fold(store: EventStore) -> dict[str, bytes]:
    events = await store.read_all(0, 1_000_000)
    keys = sorted({getattr(e.data, "programme_key", "") for e in events} - {""})
    return {
        key: msgspec.json.encode(
            fold(key, [e for e in events if getattr(e.data, "programme_key", None) == key])
        )
        for key in keys
    }


async def live(engine: AsyncEngine) -> dict[str, bytes]:
    return {view.key: msgspec.json.encode(view) for view in await load_all_views(engine)}


async def test_projector_catches_up_to_a_fresh_fold_and_reports_no_lag(
    store: EventStore, engine: AsyncEngine, clock: FixedClock
) -> None:
    await given_programmes(store, clock, programmes=3, deliverables=4)
    projector = Projector(store, engine, batch_size=7)
    applied = await projector.catch_up()
    assert applied == 3 + 3 * 4 * 2 + 6 * 3
    assert await live(engine) == await fresh_fold(store)
    [status] = await projection_status(store, engine)
    assert status.lag == 0 and status.position == await store.head_position()
    views = {v.key: v for v in await load_all_views(engine)}
    assert sum(d.state == "signed_off" for d in views["prog-0"].deliverables.values()) == 2


async def test_crash_between_rows_and_checkpoint_loses_and_doubles_nothing(
    store: EventStore, engine: AsyncEngine, clock: FixedClock
) -> None:
    await given_programmes(store, clock, programmes=2, deliverables=5)
    crashes = 0

    def crash(point: str) -> None:
        nonlocal crashes
        if crashes < 3:
            crashes += 1
            raise RuntimeError(f"killed at {point}")

    crashing = Projector(store, engine, batch_size=5, crash_hook=crash)
    for _ in range(3):
        with pytest.raises(RuntimeError, match="killed"):
            await crashing.run_once()
    assert await live(engine) == {}  # nothing of the crashed batches was committed
    restarted = Projector(store, engine, batch_size=5)
    await restarted.catch_up()
    assert await live(engine) == await fresh_fold(store)
    [status] = await projection_status(store, engine)
    assert status.events == len(await store.read_all(0, 10_000))


async def test_two_projectors_at_once_apply_every_event_exactly_once(
    store: EventStore, engine: AsyncEngine, clock: FixedClock
) -> None:
    await given_programmes(store, clock, programmes=4, deliverables=6)
    one, two = Projector(store, engine, batch_size=3), Projector(store, engine, batch_size=3)
    await asyncio.gather(one.catch_up(), two.catch_up())
    assert await live(engine) == await fresh_fold(store)
    [status] = await projection_status(store, engine)
    assert status.events == len(await store.read_all(0, 10_000))


async def test_a_projector_holding_an_old_checkpoint_is_refused(
    store: EventStore, engine: AsyncEngine, clock: FixedClock
) -> None:
    await given_programmes(store, clock, programmes=1, deliverables=2)
    await Projector(store, engine, batch_size=2).catch_up()
    head = await store.head_position()
    stale = Projector(store, engine)
    conn = await (await engine.connect()).execution_options(tracker_write=True)
    try:
        async with conn.begin():
            with pytest.raises(CheckpointMoved):
                await stale._move_checkpoint(conn, head - 1, head + 5, 1)
    finally:
        await conn.close()
    [status] = await projection_status(store, engine)
    assert status.position == head


async def test_read_after_write_waits_for_the_projector(
    store: EventStore, engine: AsyncEngine, clock: FixedClock
) -> None:
    await given_programmes(store, clock, programmes=1, deliverables=1)
    head = await store.head_position()
    assert not await wait_for_position(engine, head, timeout=0.05)
    projector = Projector(store, engine)
    stop = asyncio.Event()
    running = asyncio.create_task(projector.run_forever(stop))
    try:
        assert await wait_for_position(engine, head, timeout=5)
    finally:
        stop.set()
        await asyncio.wait_for(running, timeout=5)


async def test_rebuild_into_a_shadow_table_reports_differences_and_swaps_in(
    store: EventStore, engine: AsyncEngine, clock: FixedClock
) -> None:
    from sqlalchemy import text

    from tracker.projections.rebuild import rebuild

    await given_programmes(store, clock, programmes=3, deliverables=3)
    await Projector(store, engine).catch_up()
    # Damage the live read model: one view lost, as after a bad deploy.
    async with engine.begin() as conn:
        await conn.execute(text("DELETE FROM programme_views WHERE key = 'prog-1'"))
    report = await rebuild(store, engine, batch_size=4)
    assert report.added == ["prog-1"] and report.removed == [] and report.changed == []
    assert report.unchanged == 2 and report.events == len(await store.read_all(0, 10_000))
    assert await live(engine) == await fresh_fold(store)
    [status] = await projection_status(store, engine)
    assert status.lag == 0
