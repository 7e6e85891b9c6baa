"""Programme streams kept between requests, checked against the store on every use.

Every write on an item reads its whole programme stream (roster, deputies, lifecycle): for a
programme of 300 deliverables that is 300-odd events to fetch, decode and fold, twice per
request (the access check and the handler). Events never change, so the API keeps the events of
recently used programme streams and the state folded from them; a request asks the store for
the stream's version (one small query) and uses the kept copy when it is still at that version,
else reads the stream again. A write that races a newer version still fails the store's
expected-version check, as without the cache.
"""

from __future__ import annotations

from typing import Final

from api.reads import Lru
from tracker.events.base import StoredEvent
from tracker.handlers import Handlers
from tracker.handlers.base import Loaded, fold_programme
from tracker.programmes import ProgrammeEvent, ProgrammeState, programme_stream

CACHED_PREFIX: Final = "programme:"
MAX_STREAMS: Final = 32
MAX_EVENTS: Final = 2000
"""A longer programme stream is read each time rather than kept: memory stays bounded (at
most 32 x 2,000 events) whatever the programmes hold."""


class StreamCache:
    def __init__(self, size: int = MAX_STREAMS) -> None:
        self._events: Lru[str, list[StoredEvent]] = Lru(size)
        self._states: Lru[tuple[str, int], ProgrammeState] = Lru(size * 4)

    def clear(self) -> None:
        self._events.clear()
        self._states.clear()

    def events(self, stream_id: str, version: int) -> list[StoredEvent] | None:
        found = self._events.get(stream_id)
        if found is None or (found[-1].version if found else 0) != version:
            return None
        return found

    def keep(self, stream_id: str, events: list[StoredEvent]) -> None:
        if stream_id.startswith(CACHED_PREFIX) and 0 < len(events) <= MAX_EVENTS:
            self._events.put(stream_id, events)

    def state(self, stream_id: str, version: int) -> ProgrammeState | None:
        return self._states.get((stream_id, version))

    def keep_state(self, stream_id: str, version: int, state: ProgrammeState) -> None:
        self._states.put((stream_id, version), state)


class CachedHandlers(Handlers):
    """The domain's handlers, loading programme state through the cache (decisions, appends
    and everything else are theirs)."""

    def __init__(self, *args: object, cache: StreamCache, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.cache = cache

    async def load_programme(self, key: str) -> Loaded[ProgrammeState]:
        """The state kept for the stream's current version when there is one: then neither the
        stream nor its events are touched (iterating a 500-event programme stream twice a
        request was a third of an approval's CPU; docs/performance.md)."""
        stream = programme_stream(key)
        version = await self.store.stream_version(stream)
        state = self.cache.state(stream, version)
        if state is None:
            stored, version = await self.programme_events(key)
            state = fold_programme(stored)
            self.cache.keep_state(stream, version, state)
        return Loaded(stream_id=stream, state=state, version=version)


__all__ = ["CachedHandlers", "ProgrammeEvent", "StreamCache"]
