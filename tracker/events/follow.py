"""A follower: every event after a position, in position order, waiting for new ones."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from tracker.events.base import StoredEvent

if TYPE_CHECKING:
    from tracker.events.store import EventStore


async def follow_store(
    store: EventStore, after: int, *, page_size: int, idle_timeout: float | None
) -> AsyncIterator[StoredEvent]:
    """Yield events after ``after`` for ever (or until idle for ``idle_timeout`` seconds)."""
    position = after
    idle_since = time.monotonic()
    while True:
        page = await store.read_all(position, page_size)
        for event in page:
            yield event
            position = event.position
        if page:
            idle_since = time.monotonic()
            if len(page) == page_size:
                continue
        if idle_timeout is not None:
            remaining = idle_timeout - (time.monotonic() - idle_since)
            if remaining <= 0:
                return
            await store.wait_for_new_events(min(remaining, 1.0))
        else:
            await store.wait_for_new_events(1.0)
