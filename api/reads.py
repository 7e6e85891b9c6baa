"""The read side: programme views, their digests, and the reports rendered from them.

- Live (no ``as_of``, no ``known_at``): the projector's ``programme_views`` table. Each request
  reads the view's position (one row by primary key); a view already decoded at that position,
  and a report already rendered from it for the same "today", are served from memory. So the
  answer is as fresh as the read model and costs one small query when nothing changed.
- ``min_position``: when the read model has not folded it yet, wait for the projector's
  checkpoint (up to ``read_after_write_seconds``), else fold from the store.
- Time travel (``as_of`` or ``known_at``): fold from the store (``queries.load_programme``),
  never cached; "today" is derived from the question (docs/projections.md).
- Memory stays bounded whatever the store holds: a few decoded views (LRU), one small digest
  per programme, and views streamed one at a time for the portfolio.
"""

from __future__ import annotations

import asyncio
import gzip
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Hashable, Sequence
from datetime import date, datetime
from typing import Any, Final, Generic, TypeVar

import msgspec
from litestar import Request, Response
from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncEngine

from api.digests import Digest, digest
from api.settings import ApiSettings
from api.when import When
from tracker.calendar import WorkingCalendar
from tracker.clock import Clock
from tracker.events.store import EventStore
from tracker.projections import queries
from tracker.projections.projector import wait_for_position
from tracker.projections.views import ProgrammeView
from tracker.rag import RagThresholds

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
_decode_view = msgspec.json.Decoder(ProgrammeView).decode
GZIP_FROM_BYTES: Final = 1024
CHUNK: Final = 20
"""Views fetched per query when streaming many."""


class Lru(Generic[K, V]):
    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)


class Rendered(msgspec.Struct, frozen=True, kw_only=True):
    """A report as sent: its bytes, content hash and position. Rendered once per position and
    day, it is also compressed once, for the clients that accept gzip (nearly all do)."""

    body: bytes
    media_type: str
    content_hash: str
    position: int
    gzipped: bytes | None = None

    def compressed(self) -> Rendered:
        if self.gzipped is not None or len(self.body) < GZIP_FROM_BYTES:
            return self
        return msgspec.structs.replace(self, gzipped=gzip.compress(self.body, 6, mtime=0))


class Question(msgspec.Struct, frozen=True, kw_only=True):
    """A report's "today" and time limits, resolved once."""

    today: date
    as_of: datetime | None
    known_at: datetime | None


class Reads:
    def __init__(
        self,
        store: EventStore,
        engine: AsyncEngine,
        clock: Clock,
        calendar: WorkingCalendar,
        settings: ApiSettings,
    ) -> None:
        self.store = store
        self.engine = engine
        self.clock = clock
        self.calendar = calendar
        self.thresholds = RagThresholds()
        self.settings = settings
        self._views: Lru[str, ProgrammeView] = Lru(16)
        self._digests: dict[str, Digest] = {}
        self._rendered: Lru[Hashable, Rendered] = Lru(256)
        self._in_flight: dict[str, asyncio.Future[int | None]] = {}

    def question(self, when: When) -> Question:
        return Question(
            today=queries.report_day(as_of=when.as_of, known_at=when.known_at, clock=self.clock),
            as_of=queries.effective_until(when.as_of),
            known_at=queries.recorded_until(when.known_at),
        )

    # One programme.

    async def _row_position(self, key: str) -> int | None:
        """The view's position. Concurrent requests for one programme share one query: a
        request may get the answer of a query already in flight when it arrived, so it is at
        most one round trip older than the request (docs/api.md)."""
        found = self._in_flight.get(key)
        if found is None:
            found = asyncio.ensure_future(self._fetch_position(key))
            self._in_flight[key] = found
            found.add_done_callback(lambda done: self._landed(key, done))
        return await asyncio.shield(found)

    def _landed(self, key: str, done: asyncio.Future[int | None]) -> None:
        if self._in_flight.get(key) is done:
            del self._in_flight[key]
        if not done.cancelled():
            done.exception()  # retrieved: every waiter may have gone

    async def _fetch_position(self, key: str) -> int | None:
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    text("SELECT position FROM programme_views WHERE key = :k"), {"k": key}
                )
            ).first()
        return int(row.position) if row is not None else None

    async def _live_view(self, key: str, position: int) -> ProgrammeView | None:
        cached = self._views.get(key)
        if cached is not None and cached.position == position:
            return cached
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    text("SELECT document FROM programme_views WHERE key = :k"), {"k": key}
                )
            ).first()
        if row is None:
            return None
        view = _decode_view(row.document)
        self._views.put(key, view)
        return view

    async def _caught_up(self, when: When, position: int | None) -> bool:
        """Whether the read model holds ``when.min_position`` (waiting for it if need be)."""
        wanted = when.min_position
        if wanted is None or (position is not None and position >= wanted):
            return True
        return await wait_for_position(
            self.engine, wanted, timeout=self.settings.read_after_write_seconds
        )

    async def view(self, key: str, when: When) -> ProgrammeView:
        """One programme's view for the question; NotFound when it does not exist (then)."""
        if not when.live:
            return await queries.load_programme(
                self.store, key, as_of=when.as_of, known_at=when.known_at
            )
        position = await self._row_position(key)
        if not await self._caught_up(when, position):
            return await queries.load_programme(self.store, key)
        if position is None or (when.min_position is not None and position < when.min_position):
            position = await self._row_position(key)
        view = await self._live_view(key, position) if position is not None else None
        # Not in the read model (yet): the store is the authority.
        return view if view is not None else await queries.load_programme(self.store, key)

    def digest_of(self, view: ProgrammeView) -> Digest:
        found = self._digests.get(view.key)
        if found is None or found.position != view.position:
            found = digest(view)
            self._digests[view.key] = found
        return found

    # Every programme.

    async def digests(self, when: When) -> list[Digest]:
        """Every programme in brief, in key order."""
        if not when.live or not await self._caught_up(when, None):
            views = await queries.load_programmes(
                self.store, as_of=when.as_of, known_at=when.known_at
            )
            return sorted((digest(v) for v in views), key=lambda d: d.key)
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(text("SELECT key, position FROM programme_views ORDER BY key"))
            ).all()
        stale = [
            str(r.key)
            for r in rows
            if (d := self._digests.get(str(r.key))) is None or d.position != int(r.position)
        ]
        async for view in self._stream_live(stale):
            self._digests[view.key] = digest(view)
        return [self._digests[str(r.key)] for r in rows if str(r.key) in self._digests]

    async def _stream_live(self, keys: Sequence[str]) -> AsyncIterator[ProgrammeView]:
        query = text(
            "SELECT document FROM programme_views WHERE key IN :keys ORDER BY key"
        ).bindparams(bindparam("keys", expanding=True))
        for start in range(0, len(keys), CHUNK):
            async with self.engine.connect() as conn:
                rows = (
                    await conn.execute(query, {"keys": list(keys[start : start + CHUNK])})
                ).all()
            for row in rows:
                yield _decode_view(row.document)

    async def stream(self, keys: Sequence[str], when: When) -> AsyncIterator[ProgrammeView]:
        """The views of ``keys`` in key order, one at a time (never all in memory)."""
        ordered = sorted(keys)
        if when.live:
            async for view in self._stream_live(ordered):
                yield view
            return
        for key in ordered:
            yield await queries.load_programme(
                self.store, key, as_of=when.as_of, known_at=when.known_at
            )

    def rendered(self, key: Hashable | None, render: Callable[[], Rendered]) -> Rendered:
        """``render()``, remembered under ``key`` (None: not remembered)."""
        if key is None:
            return render()
        found = self._rendered.get(key)
        if found is None:
            found = render().compressed()
            self._rendered.put(key, found)
        return found

    def remembered(self, key: Hashable | None) -> Rendered | None:
        return None if key is None else self._rendered.get(key)

    def remember(self, key: Hashable | None, rendered: Rendered) -> Rendered:
        if key is None:
            return rendered
        rendered = rendered.compressed()
        self._rendered.put(key, rendered)
        return rendered


def send_rendered(
    rendered: Rendered, request: Request[Any, Any, Any], **headers: str
) -> Response[bytes]:
    """The report, gzipped when the client accepts it and a compressed copy exists."""
    sent = {
        "Tracker-Position": str(rendered.position),
        "Tracker-Content-Hash": rendered.content_hash,
        "Vary": "Accept-Encoding",
        **headers,
    }
    body = rendered.body
    if rendered.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
        body = rendered.gzipped
        sent["Content-Encoding"] = "gzip"
    return Response(body, media_type=rendered.media_type, headers=sent)


def cache_key(when: When, question: Question, *parts: Hashable) -> Hashable | None:
    """Live answers are cached by the views' positions and today; time travel is not."""
    return (question.today, *parts) if when.live else None


__all__ = ["Lru", "Question", "Reads", "Rendered", "cache_key", "send_rendered"]
