"""Loading the seed: idempotent, through the ordinary handlers, on both databases."""

from __future__ import annotations

from seed import load_seed
from tracker.clock import FixedClock
from tracker.events.store import EventStore


async def test_running_the_seed_twice_appends_nothing_the_second_time(
    store: EventStore, clock: FixedClock
) -> None:
    first = await load_seed(store, clock)
    head = await store.head_position()
    second = await load_seed(store, clock)
    assert first.events == head > 0
    assert second.events == 0 and second.commands == 0
    assert await store.head_position() == head
    assert [p.key for p in second.programmes] == [p.key for p in first.programmes]
