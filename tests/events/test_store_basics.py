"""The store contract: append, versions, conflicts, reads. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tracker.clock import FixedClock
from tracker.errors import StreamConflict
from tracker.events.base import Metadata, NewEvent
from tracker.events.people import PersonRegistered, PersonRenamed
from tracker.events.store import EventStore


def registered(email: str, clock: FixedClock, name: str = "Rob Cathey") -> NewEvent:
    return NewEvent(
        data=PersonRegistered(email=email, name=name),
        occurred_at=clock.now() - timedelta(days=1),
        metadata=Metadata(actor="admin@council.example"),
    )


async def test_versions_start_at_one_and_positions_increase(
    store: EventStore, clock: FixedClock
) -> None:
    first = await store.append("person:a@x.example", [registered("a@x.example", clock)], 0)
    second = await store.append(
        "person:a@x.example",
        [NewEvent(data=PersonRenamed(email="a@x.example", name="A"), occurred_at=clock.now())],
        1,
    )
    assert (first.first_version, second.first_version) == (1, 2)
    assert second.last_position > first.last_position
    events = await store.read_stream("person:a@x.example")
    assert [e.version for e in events] == [1, 2]
    assert events[0].data == PersonRegistered(email="a@x.example", name="Rob Cathey")
    assert events[0].metadata.actor == "admin@council.example"
    assert events[1].hash != events[0].hash


async def test_stale_expected_version_raises_conflict_naming_stream_and_versions(
    store: EventStore, clock: FixedClock
) -> None:
    await store.append("person:a@x.example", [registered("a@x.example", clock)], 0)
    with pytest.raises(StreamConflict) as caught:
        await store.append("person:a@x.example", [registered("a@x.example", clock)], 0)
    assert caught.value.stream_id == "person:a@x.example"
    assert (caught.value.expected, caught.value.actual) == (0, 1)
    assert "person:a@x.example" in str(caught.value)
    assert await store.stream_version("person:a@x.example") == 1
