"""The projector: rows and checkpoint together, exactly once, on SQLite and PostgreSQL; the
rows assemble to the same views as a fold of the store, and a read is consistent whether the
projector has run or not."""

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
from tracker.projections.read_model import rows
from tracker.projections.read_model.fold import belongs_to, fold
from tracker.projections.read_model.projector import (
    CheckpointMoved,
    Projector,
    projection_status,
)
from tracker.projections.read_model.reader import Reader
from tracker.projections.read_model.rows import LIVE
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
    store: EventStore, clock: FixedClock, programmes: int, deliverables: int, first: int = 0
) -> None:
    day = clock.now() - timedelta(days=30)
    for p in range(first, first + programmes):
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
    keys = sorted({belongs_to(e) or "" for e in events} - {""})
    return {
        key: msgspec.json.encode(fold(key, [e for e in events if belongs_to(e) == key]))
        for key in keys
    }


async def live(engine: AsyncEngine) -> dict[str, bytes]:
    stored = await rows.read_all_views(engine, LIVE)
    return {key: msgspec.json.encode(view) for key, view in stored.views.items()}


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
    views = (await rows.read_all_views(engine, LIVE)).views
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


async def test_a_read_is_the_fold_of_the_store_however_far_the_projector_got(
    store: EventStore, engine: AsyncEngine, clock: FixedClock
) -> None:
    await given_programmes(store, clock, programmes=2, deliverables=5)
    expected = await fresh_fold(store)
    reader = Reader(store, engine)
    projector = Projector(store, engine, batch_size=3)
    while True:
        for key, folded in expected.items():
            assert msgspec.json.encode(await reader.view(await reader.glance(key))) == folded
        if await projector.run_once() == 0:
            break
    tight = Reader(store, engine, window=0)  # as if the projector were far behind
    await given_programmes(store, clock, programmes=1, deliverables=1, first=2)
    expected = await fresh_fold(store)
    for key, folded in expected.items():
        glance = await tight.glance(key)
        assert not glance.complete
        assert msgspec.json.encode(await tight.view(glance)) == folded


async def test_rebuild_into_a_shadow_table_reports_differences_and_swaps_in(
    store: EventStore, engine: AsyncEngine, clock: FixedClock
) -> None:
    from sqlalchemy import text

    from tracker.projections.read_model.rebuild import rebuild

    await given_programmes(store, clock, programmes=3, deliverables=3)
    await Projector(store, engine).catch_up()
    # Damage the live read model, as after a bad deploy: one programme's header lost, one item
    # row of another lost.
    async with engine.begin() as conn:
        await conn.execute(text("DELETE FROM read_programmes WHERE key = 'prog-1'"))
        await conn.execute(
            text(
                "DELETE FROM read_items WHERE item_id = (SELECT min(item_id) FROM read_items "
                "WHERE programme_key = 'prog-2')"
            )
        )
    report = await rebuild(store, engine, batch_size=4)
    assert report.added == ["prog-1"] and report.removed == [] and report.changed == ["prog-2"]
    assert report.unchanged == 1 and report.events == len(await store.read_all(0, 10_000))
    assert await live(engine) == await fresh_fold(store)
    [status] = await projection_status(store, engine)
    assert status.lag == 0
    again = await rebuild(store, engine, batch_size=4)  # the swapped tables rebuild again
    assert (again.added, again.removed, again.changed, again.unchanged) == ([], [], [], 3)
    assert await live(engine) == await fresh_fold(store)
