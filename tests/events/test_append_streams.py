"""``append_streams``: several streams in one append, on SQLite and PostgreSQL.

Every stream's events are stored or none are; a retry by key or by event ids writes nothing;
a follower sees multi-stream appends in position order among single-stream ones."""

from __future__ import annotations

import asyncio
import random

import pytest

from tracker.clock import FixedClock
from tracker.errors import IdempotencyMismatch, InvalidInput, StreamConflict
from tracker.events.base import NewEvent, StoredEvent
from tracker.events.people import PersonRenamed
from tracker.events.store import EventStore, StreamAppend, StreamState
from tracker.events.verify import verify_store

A = "person:a@x.example"
B = "person:b@x.example"


def renamed(clock: FixedClock, name: str) -> NewEvent:
    return NewEvent(data=PersonRenamed(email="x@x.example", name=name), occurred_at=clock.now())


def both(clock: FixedClock, a_expected: int = 0, b_expected: int = 0) -> list[StreamAppend]:
    return [
        StreamAppend(stream_id=A, events=[renamed(clock, "a1")], expected_version=a_expected),
        StreamAppend(
            stream_id=B,
            events=[renamed(clock, "b1"), renamed(clock, "b2")],
            expected_version=b_expected,
        ),
    ]


async def test_every_stream_is_written_in_one_append_with_consecutive_positions(
    store: EventStore, clock: FixedClock
) -> None:
    results = await store.append_streams(both(clock))
    assert [r.stream_id for r in results] == [A, B]
    assert [(r.first_version, r.last_version) for r in results] == [(1, 1), (1, 2)]
    positions = [e.position for r in results for e in r.events]
    assert positions == list(range(positions[0], positions[0] + 3))
    stored = await store.read_all(0, 10)
    assert [(e.stream_id, e.version, e.hash) for e in stored] == [
        (e.stream_id, e.version, e.hash) for r in results for e in r.events
    ]
    report = await verify_store(store)  # hash chains as `tracker verify` recomputes them
    assert report.events == 3


async def test_a_stale_version_on_any_stream_writes_nothing_on_every_stream(
    store: EventStore, clock: FixedClock
) -> None:
    await store.append(B, [renamed(clock, "b0")], 0)
    with pytest.raises(StreamConflict) as caught:
        await store.append_streams(both(clock, a_expected=0, b_expected=0))
    assert (caught.value.stream_id, caught.value.actual) == (B, 1)
    assert await store.stream_version(A) == 0, "the first stream was written without the second"
    assert await store.stream_version(B) == 1


async def test_a_retry_with_the_same_key_returns_the_stored_results_and_writes_nothing(
    store: EventStore, clock: FixedClock
) -> None:
    first = await store.append_streams(both(clock), idempotency_key="api:ada:k1")
    # A retry builds new events (new ids) with the same key: the key finds the first append.
    again = await store.append_streams(both(clock), idempotency_key="api:ada:k1")
    assert all(r.duplicate for r in again) and not any(r.duplicate for r in first)
    assert [[e.event_id for e in r.events] for r in again] == [
        [e.event_id for e in r.events] for r in first
    ]
    assert await store.head_position() == first[-1].last_position
    found = await store.appended_with_key("api:ada:k1")
    assert [e.event_id for e in found] == [e.event_id for r in first for e in r.events]
    assert all(e.metadata.idempotency_key == "api:ada:k1" for e in found)
    assert await store.appended_with_key("api:ada:never") == []


async def test_the_same_event_ids_again_are_a_duplicate_and_a_partial_overlap_is_refused(
    store: EventStore, clock: FixedClock
) -> None:
    appends = both(clock)
    first = await store.append_streams(appends)
    again = await store.append_streams(appends)
    assert all(r.duplicate for r in again)
    assert [r.last_position for r in again] == [r.last_position for r in first]
    mixed = [
        appends[0],
        StreamAppend(stream_id=B, events=[renamed(clock, "new")], expected_version=2),
    ]
    with pytest.raises(IdempotencyMismatch):
        await store.append_streams(mixed)
    assert await store.stream_version(B) == 2


async def test_a_key_used_for_other_streams_is_refused(
    store: EventStore, clock: FixedClock
) -> None:
    await store.append_streams(both(clock), idempotency_key="k2")
    other = [
        StreamAppend(
            stream_id="person:c@x.example", events=[renamed(clock, "c")], expected_version=0
        )
    ]
    with pytest.raises(IdempotencyMismatch):
        await store.append_streams(other, idempotency_key="k2")
    assert await store.stream_version("person:c@x.example") == 0


@pytest.mark.parametrize(
    ("appends", "message"),
    [
        ([], "at least one stream"),
        (
            [
                StreamAppend(stream_id=A, events=[], expected_version=StreamState.ANY),
            ],
            "at least one event",
        ),
        (
            [
                StreamAppend(stream_id="no-category", events=[], expected_version=0),
            ],
            "stream",
        ),
    ],
)
async def test_bad_appends_are_refused_before_the_database(
    store: EventStore, appends: list[StreamAppend], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        await store.append_streams(appends)
    assert await store.head_position() == 0


async def test_a_stream_given_twice_is_refused(store: EventStore, clock: FixedClock) -> None:
    twice = [
        StreamAppend(stream_id=A, events=[renamed(clock, "1")], expected_version=0),
        StreamAppend(stream_id=A, events=[renamed(clock, "2")], expected_version=1),
    ]
    with pytest.raises(InvalidInput, match="twice"):
        await store.append_streams(twice)
    assert await store.head_position() == 0


@pytest.mark.slow
async def test_writers_mixing_single_and_multi_stream_appends_lose_and_reorder_nothing(
    store: EventStore, clock: FixedClock
) -> None:
    """Eight writers, 600 appends of one or two streams, one follower reading all the while."""
    rng = random.Random(11)
    written: list[str] = []
    followed: list[StoredEvent] = []

    async def writer(number: int) -> None:
        for i in range(75):
            streams = rng.sample([f"person:s{n}@x.example" for n in range(12)], rng.choice([1, 2]))
            for _attempt in range(200):
                appends = [
                    StreamAppend(
                        stream_id=s,
                        events=[renamed(clock, f"{number}.{i}")],
                        expected_version=await store.stream_version(s),
                    )
                    for s in streams
                ]
                try:
                    results = await store.append_streams(appends)
                    written.extend(str(e.event_id) for r in results for e in r.events)
                    break
                except StreamConflict:
                    continue
            else:
                raise AssertionError("200 conflicts in a row")

    async def follower(total: asyncio.Event) -> None:
        async for event in store.follow(0, page_size=100, idle_timeout=None):
            followed.append(event)
            if total.is_set() and len(followed) == len(written):
                return

    finished = asyncio.Event()
    following = asyncio.create_task(follower(finished))
    await asyncio.gather(*[writer(n) for n in range(8)])
    finished.set()
    # A follower that already holds every event stops at the next one it would read: stop it.
    deadline = asyncio.get_running_loop().time() + 60
    while len(followed) < len(written):
        assert asyncio.get_running_loop().time() < deadline, "the follower fell behind"
        await asyncio.sleep(0.05)
    following.cancel()
    positions = [e.position for e in followed]
    assert positions == sorted(positions)
    assert sorted(str(e.event_id) for e in followed) == sorted(written)
    per_stream: dict[str, list[int]] = {}
    for event in followed:
        per_stream.setdefault(event.stream_id, []).append(event.version)
    for versions in per_stream.values():
        assert versions == list(range(1, len(versions) + 1))
