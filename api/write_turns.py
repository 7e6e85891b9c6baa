"""Writes to one stream take turns in this process.

A write without If-Match reads its stream, decides, and appends at the version it read; a
concurrent writer that appended first makes it conflict, and it decides again (``api.writes``,
up to ``CONFLICT_ATTEMPTS`` tries). Under a burst (clients retrying together after a database
restart) a slow writer could lose every try to faster ones and answer 409: CI's PostgreSQL
restart test saw eight tries lost in 0.63 s. Here the writers of one target stream in this
process queue instead, so they never conflict with each other; only writers in other processes
still can, and the retries handle those.

The turn is held from the read to the append (one decision, one append, a few milliseconds),
keyed by the stream named in the path (a creation's programme, else the item), and forgotten
once nobody waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator


class WriteTurns:
    def __init__(self) -> None:
        self._turns: dict[str, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def turn(self, stream_id: str) -> AsyncIterator[None]:
        lock, waiting = self._turns.get(stream_id, (asyncio.Lock(), 0))
        self._turns[stream_id] = (lock, waiting + 1)
        try:
            async with lock:
                yield
        finally:
            lock, waiting = self._turns[stream_id]
            if waiting == 1:
                del self._turns[stream_id]
            else:
                self._turns[stream_id] = (lock, waiting - 1)

    def __len__(self) -> int:
        """Streams with a write holding or waiting for their turn."""
        return len(self._turns)
