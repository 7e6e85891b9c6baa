"""Many writers, one follower: nothing lost, duplicated or reordered. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import random

import asyncpg
import pytest

from tracker.clock import FixedClock
from tracker.errors import StreamConflict
from tracker.events.base import NewEvent, StoredEvent
from tracker.events.people import PersonRenamed
from tracker.events.postgres_store import PostgresEventStore
from tracker.events.store import EventStore
from tracker.settings import Settings

# An append made through the store's own function inside a transaction the test holds open.
OPEN_APPEND = (
    "SELECT * FROM tracker_append($1, 0, ARRAY[gen_random_uuid()], '{PersonRenamed}', '{1}', "
    """ARRAY['{"email":"s","name":"s"}'], '{"{}"}', NULL, ARRAY[now()], now())"""
)

WRITERS = 16
STREAMS = 50
EVENTS = 10_000


@pytest.mark.slow
async def test_sixteen_writers_and_a_follower_lose_duplicate_and_reorder_nothing(
    store: EventStore, clock: FixedClock
) -> None:
    remaining = EVENTS
    conflicts = 0
    rng = random.Random(7)
    followed: list[StoredEvent] = []
    done = asyncio.Event()

    async def writer(number: int) -> None:
        nonlocal remaining, conflicts
        while remaining > 0:
            size = min(rng.choice([1, 1, 1, 2, 5]), remaining)
            remaining -= size
            stream = f"person:s{rng.randrange(STREAMS)}@x.example"
            batch = [
                NewEvent(
                    data=PersonRenamed(email=f"w{number}", name=str(i)), occurred_at=clock.now()
                )
                for i in range(size)
            ]
            for _attempt in range(200):
                version = await store.stream_version(stream)
                try:
                    await store.append(stream, batch, version)
                    break
                except StreamConflict:
                    conflicts += 1
            else:
                raise AssertionError(f"{stream}: 200 conflicts in a row")

    async def follower() -> None:
        async for event in store.follow(0, page_size=300, idle_timeout=None):
            followed.append(event)
            if len(followed) == EVENTS:
                done.set()
                return

    following = asyncio.create_task(follower())
    await asyncio.gather(*[writer(n) for n in range(WRITERS)])
    await asyncio.wait_for(done.wait(), timeout=60)
    following.cancel()

    assert conflicts > 0, "the writers never contended: the test proves nothing"
    positions = [e.position for e in followed]
    assert positions == sorted(positions) and len(set(positions)) == EVENTS
    assert len({e.event_id for e in followed}) == EVENTS
    per_stream: dict[str, list[int]] = {}
    for event in followed:
        per_stream.setdefault(event.stream_id, []).append(event.version)
    for stream, versions in per_stream.items():
        assert versions == list(range(1, len(versions) + 1)), stream
        assert await store.stream_version(stream) == len(versions)
    stored = await store.read_all(0, EVENTS + 10)
    assert [e.event_id for e in stored] == [e.event_id for e in followed]


async def _read_when_visible(
    store: PostgresEventStore, after: int = 0, *, count: int = 1
) -> list[StoredEvent]:
    """Read until ``count`` events show. Any transaction open in the cluster (another test
    database's included) holds the xmin fence back, so visibility is prompt but not instant."""
    for _ in range(200):
        page = await store.read_all(after, 100)
        if len(page) >= count:
            return page
        await asyncio.sleep(0.05)
    return await store.read_all(after, 100)


@pytest.mark.postgres
async def test_reader_never_passes_an_open_append_that_holds_a_lower_position(
    pg_store: PostgresEventStore, postgres_url: str, clock: FixedClock
) -> None:
    """The bigserial trap: position 11 commits while 10 is still open. The reader must wait."""
    await pg_store.append(
        "person:a@x.example",
        [NewEvent(data=PersonRenamed(email="a", name="0"), occurred_at=clock.now())],
        0,
    )
    base = await pg_store.head_position()

    # Transaction A: appends through the store's own functions, then stays open.
    dsn = postgres_url.replace("postgresql+asyncpg://", "postgresql://")
    slow = await asyncpg.connect(dsn)
    other = PostgresEventStore(Settings(database_url=postgres_url), clock=clock)
    try:
        tx = slow.transaction()
        await tx.start()
        await slow.fetch(OPEN_APPEND, "person:slow@x.example")
        # Transaction B: a later position, committed.
        later = await other.append(
            "person:fast@x.example",
            [NewEvent(data=PersonRenamed(email="b", name="1"), occurred_at=clock.now())],
            0,
        )
        assert later.last_position > base + 1
        for _ in range(10):
            page = await pg_store.read_all(base, 100)
            assert page == [], "the reader passed an open transaction's position"
            assert await pg_store.head_position() == base
        await tx.commit()
        page = await _read_when_visible(pg_store, base, count=2)
        assert [e.stream_id for e in page] == ["person:slow@x.example", "person:fast@x.example"]
        assert page[0].position < page[1].position
    finally:
        await slow.close()
        await other.close()


@pytest.mark.postgres
async def test_rolled_back_append_leaves_a_gap_the_reader_passes_at_once(
    pg_store: PostgresEventStore, postgres_url: str, clock: FixedClock
) -> None:
    dsn = postgres_url.replace("postgresql+asyncpg://", "postgresql://")
    slow = await asyncpg.connect(dsn)
    try:
        tx = slow.transaction()
        await tx.start()
        await slow.fetch(OPEN_APPEND, "person:slow@x.example")
        later = await pg_store.append(
            "person:fast@x.example",
            [NewEvent(data=PersonRenamed(email="b", name="1"), occurred_at=clock.now())],
            0,
        )
        assert await pg_store.read_all(0, 10) == []
        await tx.rollback()
        page = await _read_when_visible(pg_store)
        assert [e.position for e in page] == [later.last_position]
    finally:
        await slow.close()


@pytest.mark.postgres
async def test_two_concurrent_batches_do_not_interleave_positions(
    pg_store: PostgresEventStore, clock: FixedClock
) -> None:
    def batch(tag: str) -> list[NewEvent]:
        return [
            NewEvent(data=PersonRenamed(email=tag, name=str(i)), occurred_at=clock.now())
            for i in range(100)
        ]

    one, two = await asyncio.gather(
        pg_store.append("person:one@x.example", batch("1"), 0),
        pg_store.append("person:two@x.example", batch("2"), 0),
    )
    first, second = sorted([one, two], key=lambda r: r.first_position)
    assert first.last_position < second.first_position


@pytest.mark.postgres
async def test_an_unrelated_open_transaction_does_not_hold_readers_back(
    pg_store: PostgresEventStore, postgres_url: str, clock: FixedClock
) -> None:
    """Only open appends fence readers: a long report or migration elsewhere does not."""
    other = await asyncpg.connect(postgres_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        tx = other.transaction()
        await tx.start()
        await other.execute("CREATE TEMP TABLE busy (x int); INSERT INTO busy VALUES (1)")
        assert await other.fetchval("SELECT pg_current_xact_id() IS NOT NULL")
        appended = await pg_store.append(
            "person:a@x.example",
            [NewEvent(data=PersonRenamed(email="a", name="n"), occurred_at=clock.now())],
            0,
        )
        page = await pg_store.read_all(0, 10)
        assert [e.position for e in page] == [appended.last_position]
        assert await pg_store.head_position() == appended.last_position
        await tx.rollback()
    finally:
        await other.close()
