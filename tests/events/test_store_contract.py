"""The store contract on SQLite and PostgreSQL: concurrency, idempotency, upcasting, bad input."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from uuid import uuid4

import msgspec
import pytest

from tracker.clock import FixedClock
from tracker.errors import IdempotencyMismatch, InvalidInput, PreconditionFailed, StreamConflict
from tracker.events.base import Event, Metadata, NewEvent
from tracker.events.people import PersonRegistered, PersonRenamed
from tracker.events.programmes import RosterMemberAssigned
from tracker.events.store import EventStore, Precondition, StreamAppend, StreamState

STREAM = "person:rob@council.example"


def renamed(clock: FixedClock, name: str = "Rob") -> NewEvent:
    return NewEvent(
        data=PersonRenamed(email="rob@council.example", name=name), occurred_at=clock.now()
    )


async def test_no_stream_expectation_refuses_an_existing_stream(
    store: EventStore, clock: FixedClock
) -> None:
    await store.append(STREAM, [renamed(clock)], StreamState.NO_STREAM)
    with pytest.raises(StreamConflict) as caught:
        await store.append(STREAM, [renamed(clock)], StreamState.NO_STREAM)
    assert caught.value.expected == "no_stream"
    assert caught.value.actual == 1


async def test_exists_expectation_refuses_a_missing_stream(
    store: EventStore, clock: FixedClock
) -> None:
    with pytest.raises(StreamConflict):
        await store.append(STREAM, [renamed(clock)], StreamState.EXISTS)
    assert await store.stream_version(STREAM) == 0


async def test_any_version_appends_whatever_the_head(store: EventStore, clock: FixedClock) -> None:
    await store.append(STREAM, [renamed(clock)], StreamState.ANY)
    result = await store.append(STREAM, [renamed(clock), renamed(clock)], StreamState.ANY)
    assert (result.first_version, result.last_version) == (2, 3)


async def test_same_event_ids_appended_again_return_the_stored_result_and_write_nothing(
    store: EventStore, clock: FixedClock
) -> None:
    batch = [renamed(clock, "A"), renamed(clock, "B")]
    first = await store.append(STREAM, batch, 0)
    again = await store.append(STREAM, batch, 0)  # a retry: its expected version is now stale
    assert again.duplicate and not first.duplicate
    assert [e.event_id for e in again.events] == [e.event_id for e in first.events]
    assert (again.first_position, again.last_position) == (
        first.first_position,
        first.last_position,
    )
    assert await store.stream_version(STREAM) == 2


async def test_same_batch_appended_concurrently_is_stored_once(
    store: EventStore, clock: FixedClock
) -> None:
    batch = [renamed(clock, "A"), renamed(clock, "B"), renamed(clock, "C")]
    results = await asyncio.gather(
        *[store.append(STREAM, batch, StreamState.ANY) for _ in range(8)]
    )
    for _ in range(3):
        results.append(await store.append(STREAM, batch, StreamState.ANY))
    assert sum(not r.duplicate for r in results) == 1
    assert {(r.first_version, r.last_version) for r in results} == {(1, 3)}
    assert len(await store.read_stream(STREAM)) == 3


async def test_appends_at_once_each_stand_or_fall_alone(
    store: EventStore, clock: FixedClock
) -> None:
    """Appends sent together (on SQLite they share one commit, each in its own savepoint):
    a stale version, a refused retry or a bad id fails that append alone; the others are
    stored, in full, and only they."""
    contended = "person:contended@council.example"
    stored_once = renamed(clock, "stored once")
    await store.append(STREAM, [stored_once], 0)

    async def outcome(stream: str, events: list[NewEvent], expected: int) -> str:
        try:
            result = await store.append(stream, events, expected)
        except StreamConflict:
            return "conflict"
        except IdempotencyMismatch:
            return "mismatch"
        return "duplicate" if result.duplicate else f"stored {result.last_version}"

    outcomes = await asyncio.gather(
        *[
            outcome(
                f"person:p{n}@council.example",
                [renamed(clock, f"{n}-a"), renamed(clock, f"{n}-b")],
                0,
            )
            for n in range(10)
        ],
        *[outcome(contended, [renamed(clock, f"c{n}")], 0) for n in range(5)],
        outcome(STREAM, [stored_once], 0),  # a retry of the first append
        outcome(STREAM, [stored_once, renamed(clock)], 1),  # its id in another append
    )
    assert outcomes[:10] == ["stored 2"] * 10
    assert sorted(outcomes[10:15]) == ["conflict"] * 4 + ["stored 1"]
    assert outcomes[15:] == ["duplicate", "mismatch"]
    for n in range(10):
        names = [e.data.name for e in await store.read_stream(f"person:p{n}@council.example")]
        assert names == [f"{n}-a", f"{n}-b"]
    assert await store.stream_version(contended) == 1
    assert await store.stream_version(STREAM) == 1
    events = await store.read_all(0, 100)
    assert [e.position for e in events] == sorted(e.position for e in events)
    assert len(events) == 1 + 20 + 1


async def test_idempotency_key_returns_the_first_result_for_new_event_ids(
    store: EventStore, clock: FixedClock
) -> None:
    first = await store.append(STREAM, [renamed(clock)], 0, idempotency_key="k-1")
    retry = await store.append(STREAM, [renamed(clock)], 0, idempotency_key="k-1")
    assert retry.duplicate
    assert retry.events[0].event_id == first.events[0].event_id
    assert retry.events[0].metadata.idempotency_key == "k-1"
    assert await store.stream_version(STREAM) == 1


async def test_idempotency_key_reused_on_another_stream_is_refused(
    store: EventStore, clock: FixedClock
) -> None:
    await store.append(STREAM, [renamed(clock)], 0, idempotency_key="k-1")
    with pytest.raises(IdempotencyMismatch):
        await store.append(
            "person:other@council.example", [renamed(clock)], 0, idempotency_key="k-1"
        )
    assert await store.stream_version("person:other@council.example") == 0


async def test_event_id_reused_in_a_different_append_is_refused(
    store: EventStore, clock: FixedClock
) -> None:
    one = renamed(clock)
    await store.append(STREAM, [one], 0)
    with pytest.raises(IdempotencyMismatch):
        await store.append(STREAM, [one, renamed(clock)], 1)
    assert await store.stream_version(STREAM) == 1


async def test_old_schema_is_upcast_on_read(store: EventStore, clock: FixedClock) -> None:
    """PersonRegistered schema 1 stored ``full_name`` and the e-mail as typed."""
    await store.append(
        STREAM,
        [
            NewEvent(
                data=PersonRegistered(email="rob@council.example", name="x"),
                occurred_at=clock.now(),
            )
        ],
        0,
    )
    exported = await store.read_raw(0, 10)
    old = msgspec.structs.replace(
        exported[0],
        position=exported[0].position + 1,
        event_id=str(uuid4()),
        stream_id="person:old@council.example",
        schema_version=1,
        data=msgspec.Raw(b'{"email":"Old.Person@Council.Example","full_name":"Old Person"}'),
    )
    await store.import_raw([old])
    [event] = await store.read_stream("person:old@council.example")
    assert event.schema_version == 1
    assert event.data == PersonRegistered(email="old.person@council.example", name="Old Person")


class NotRegistered(Event, frozen=True, kw_only=True):
    value: int


@pytest.mark.parametrize(
    ("stream", "make", "message"),
    [
        (
            STREAM,
            lambda c: NewEvent(data=NotRegistered(value=1), occurred_at=c.now()),
            "unknown event type",
        ),
        (
            STREAM,
            lambda c: NewEvent(
                data=PersonRenamed(email="x", name="n" * 70_000), occurred_at=c.now()
            ),
            "the limit is",
        ),
        ("Person Rob", lambda c: renamed(c), "malformed"),
        ("person", lambda c: renamed(c), "malformed"),
        (
            STREAM,
            lambda c: NewEvent(
                data=PersonRenamed(email="x", name="n"), occurred_at=c.now() + timedelta(seconds=1)
            ),
            "in the future",
        ),
        (
            "programme:btls",
            lambda c: NewEvent(
                data=RosterMemberAssigned(
                    programme_key="btls",
                    email="rob@council.example",
                    name="Rob",
                    role_title="Counsel",
                    raci="X",  # type: ignore[arg-type]  # what msgspec does not check on encode
                ),
                occurred_at=c.now(),
            ),
            r"RosterMemberAssigned would not read back: .* at `\$.raci`",
        ),
    ],
    ids=["unknown-type", "oversized", "spaces-in-stream", "no-category", "future", "off-type"],
)
async def test_bad_input_raises_a_typed_error_and_writes_nothing(
    store: EventStore, clock: FixedClock, stream: str, make: object, message: str
) -> None:
    good = renamed(clock)
    assert callable(make)
    with pytest.raises(InvalidInput, match=message):
        await store.append(stream, [good, make(clock)], 0)
    assert await store.read_all(0, 10) == []


async def test_naive_occurred_at_is_refused(store: EventStore, clock: FixedClock) -> None:
    naive = NewEvent(
        data=PersonRenamed(email="x", name="n"), occurred_at=clock.now().replace(tzinfo=None)
    )
    with pytest.raises(InvalidInput, match="timezone"):
        await store.append(STREAM, [naive], 0)


async def test_read_stream_up_to_a_version_an_effective_time_and_a_recorded_time(
    store: EventStore, clock: FixedClock
) -> None:
    start = clock.now()
    await store.append(
        STREAM,
        [
            NewEvent(
                data=PersonRenamed(email="x", name="paper"), occurred_at=start - timedelta(days=30)
            )
        ],
        0,
    )
    clock.advance(timedelta(hours=1))
    await store.append(
        STREAM, [NewEvent(data=PersonRenamed(email="x", name="later"), occurred_at=clock.now())], 1
    )
    assert [e.version for e in await store.read_stream(STREAM, to_version=1)] == [1]
    assert [
        e.version for e in await store.read_stream(STREAM, as_of=start - timedelta(days=1))
    ] == [1]
    assert [e.version for e in await store.read_stream(STREAM, known_at=start)] == [1]
    assert [e.version for e in await store.read_stream(STREAM)] == [1, 2]


async def test_metadata_is_stored_and_read_back(store: EventStore, clock: FixedClock) -> None:
    meta = Metadata(
        actor="glyn.peach@lancashire.example",
        on_behalf_of="mike.kirby@lancashire.example",
        correlation_id="c-1",
        causation_id="k-0",
        source={"document": "003", "row": "outcome 1, row 2"},
    )
    await store.append(
        STREAM,
        [NewEvent(data=PersonRenamed(email="x", name="n"), occurred_at=clock.now(), metadata=meta)],
        0,
    )
    [event] = await store.read_stream(STREAM)
    assert event.metadata == meta
    assert event.recorded_at == clock.now()


async def test_read_all_pages_in_position_order(store: EventStore, clock: FixedClock) -> None:
    for n in range(7):
        await store.append(f"person:p{n}@x.example", [renamed(clock), renamed(clock)], 0)
    seen = []
    after = 0
    while page := await store.read_all(after, 3):
        seen.extend(page)
        after = page[-1].position
    assert len(seen) == 14
    assert [e.position for e in seen] == sorted(e.position for e in seen)
    assert await store.head_position() == seen[-1].position


async def test_read_streams_returns_several_streams_in_position_order(
    store: EventStore, clock: FixedClock
) -> None:
    for n in range(3):
        await store.append(f"person:p{n}@x.example", [renamed(clock)], 0)
    await store.append("person:p0@x.example", [renamed(clock)], 1)
    events = await store.read_streams(["person:p0@x.example", "person:p2@x.example"])
    assert [(e.stream_id, e.version) for e in events] == [
        ("person:p0@x.example", 1),
        ("person:p2@x.example", 1),
        ("person:p0@x.example", 2),
    ]
    assert await store.read_streams([]) == []


COUNT = "SELECT count(*) FROM events"


async def test_an_append_whose_precondition_no_longer_holds_stores_nothing(
    store: EventStore, clock: FixedClock
) -> None:
    """``Precondition``: the sealing store's guard against sealing with a key erased
    meanwhile, here on a value any store holds (how many events there are)."""
    first = await store.append(
        STREAM, [renamed(clock)], 0, precondition=Precondition(sql=COUNT, expected=0)
    )
    assert first.last_version == 1
    with pytest.raises(PreconditionFailed) as refused:
        await store.append(
            STREAM, [renamed(clock)], 1, precondition=Precondition(sql=COUNT, expected=0)
        )
    assert (refused.value.expected, refused.value.found) == (0, 1)
    with pytest.raises(PreconditionFailed):
        await store.append_streams(
            [StreamAppend(stream_id="person:ann@council.example", events=[renamed(clock)],
                          expected_version=0)],
            precondition=Precondition(sql=COUNT, expected=0),
        )  # fmt: skip
    assert await store.stream_version(STREAM) == 1
    assert await store.stream_version("person:ann@council.example") == 0
    again = await store.append_streams(
        [StreamAppend(stream_id=STREAM, events=[renamed(clock)], expected_version=1)],
        precondition=Precondition(sql=COUNT, expected=1),
    )
    assert again[0].last_version == 2
