"""The read side of the API: programmes as they stand now (consistent with every write answered
before the request, whichever process wrote it), or as of a past time, and the reports
rendered from them.

- Now: ``Reader.glance`` (one statement: the digest in the rows, the checkpoint, and the
  programme's events the projector has not folded yet). What was decoded or rendered for the
  same glance, the same identity, is served from memory; so an unchanged programme costs one
  small query per request and a changed one is never served stale.
- Then (``as_of`` or ``known_at``): ``Reader.view_at``, from the newest snapshot the question
  allows; not remembered.
- Access is decided on the programme as it stands now (``api/access.py``), never on the past a
  question asks about.
- Memory stays bounded whatever the store holds: a few decoded views (LRU), one small digest
  per programme, rendered reports (LRU), and views read in chunks for the portfolio.
"""

from __future__ import annotations

import gzip
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Hashable, Sequence
from datetime import date, datetime
from typing import Any, Final, Generic, TypeVar

import msgspec
from litestar import Request, Response
from sqlalchemy.ext.asyncio import AsyncEngine

from api.when import When
from tracker.calendar import WorkingCalendar
from tracker.clock import Clock
from tracker.errors import NotFound
from tracker.events.store import EventStore
from tracker.projections.read_model.digest import Digest
from tracker.projections.read_model.digest import digest as digest_of
from tracker.projections.read_model.reader import Glance, Reader
from tracker.projections.read_model.views import ProgrammeView
from tracker.projections.reports.portfolio import PortfolioRow, portfolio_row
from tracker.projections.reports.question import Question, ask, effective_until
from tracker.projections.reports.trend import ProgrammeTrend, programme_trends
from tracker.rag import RagThresholds
from tracker.settings import ApiSettings

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
GZIP_FROM_BYTES: Final = 1024
CHUNK: Final = 20
"""Views read per query when streaming many."""


class Lru(Generic[K, V]):
    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def clear(self) -> None:
        self._items.clear()

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)


class Rendered(msgspec.Struct, frozen=True, kw_only=True):
    """A report as sent: its bytes, content hash and position. Rendered once per glance and
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


def json_rendered(report: msgspec.Struct, position: int) -> Rendered:
    """A JSON report as sent, its content hash taken from the report."""
    return Rendered(
        body=msgspec.json.encode(report),
        media_type="application/json",
        content_hash=str(getattr(report, "content_hash", "")),
        position=position,
    )


class Seen(msgspec.Struct, frozen=True, kw_only=True):
    """A programme's view as a request sees it, and what identifies that content (None for a
    question about the past: not remembered)."""

    view: ProgrammeView
    identity: Hashable | None


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
        self.reader = Reader(store, engine)
        self._views: Lru[tuple[str, tuple[int, ...]], ProgrammeView] = Lru(16)
        self._digests: dict[str, tuple[tuple[int, ...], Digest]] = {}
        self._rendered: Lru[Hashable, Rendered] = Lru(256)
        self._trends: Lru[Hashable, ProgrammeTrend] = Lru(1024)

    def forget(self) -> None:
        """Drop everything kept (a person was erased: what is kept may name them)."""
        self._views.clear()
        self._digests.clear()
        self._rendered.clear()
        self._trends.clear()

    def question(self, when: When) -> Question:
        return ask(
            as_of=when.as_of,
            known_at=when.known_at,
            clock=self.clock,
            calendar=self.calendar,
            thresholds=self.thresholds,
        )

    # One programme.

    async def glance(self, key: str) -> Glance:
        return await self.reader.glance(key)

    async def digest(self, glance: Glance) -> Digest:
        """The programme's digest as it stands (NotFound when it does not exist)."""
        if glance.current and glance.stored is not None:
            return glance.stored
        found = self._digests.get(glance.key)
        if found is not None and found[0] == glance.identity:
            return found[1]
        current = await self.reader.digest(glance)
        self._digests[glance.key] = (glance.identity, current)
        return current

    async def current(self, glance: Glance) -> ProgrammeView:
        """The whole programme as ``glance`` shows it (decoded once per identity)."""
        key = (glance.key, glance.identity)
        cached = self._views.get(key)
        if cached is None:
            cached = await self.reader.view(glance)
            self._views.put(key, cached)
        return cached

    async def seen(self, glance: Glance, when: When) -> Seen:
        """The view a question asks for: now (``glance``), or then (``when``)."""
        if when.live:
            return Seen(view=await self.current(glance), identity=(glance.key, glance.identity))
        view = await self.reader.view_at(glance.key, when.as_of, when.known_at)
        return Seen(view=view, identity=None)

    # Every programme.

    async def glances(self) -> list[Glance]:
        return await self.reader.glance_all()

    async def digests(self, glances: Sequence[Glance] | None = None) -> list[Digest]:
        """Every programme (or those of ``glances``) in brief as it stands, in key order."""
        if glances is None:
            glances = await self.glances()
        await self._refresh([g for g in glances if not (g.current and g.stored is not None)])
        found: list[Digest] = []
        for g in glances:
            if g.current and g.stored is not None:
                found.append(g.stored)
            else:
                cached = self._digests.get(g.key)
                if cached is not None:
                    found.append(cached[1])
        return found

    async def _refresh(self, glances: Sequence[Glance]) -> None:
        """Digests of programmes with events beyond the rows, from their whole views."""
        stale = [
            g for g in glances if (c := self._digests.get(g.key)) is None or c[0] != g.identity
        ]
        for start in range(0, len(stale), CHUNK):
            chunk = stale[start : start + CHUNK]
            for g, view in zip(chunk, await self.reader.views(chunk), strict=True):
                self._digests[g.key] = (g.identity, digest_of(view))

    async def stream(self, glances: Sequence[Glance], when: When) -> AsyncIterator[Seen]:
        """The views of ``glances`` in key order, a chunk at a time (never all in memory)."""
        ordered = sorted(glances, key=lambda g: g.key)
        if not when.live:
            for g in ordered:
                try:
                    yield await self.seen(g, when)
                except NotFound:
                    continue  # not yet recorded as known at the question's time
            return
        for start in range(0, len(ordered), CHUNK):
            chunk = ordered[start : start + CHUNK]
            for g, view in zip(chunk, await self.reader.views(chunk), strict=True):
                yield Seen(view=view, identity=(g.key, g.identity))

    # Rendered answers.

    def rendered(self, key: Hashable | None, render: Callable[[], Rendered]) -> Rendered:
        """``render()``, remembered under ``key`` (None: not remembered)."""
        if key is None:
            return render()
        found = self._rendered.get(key)
        if found is None:
            found = render().compressed()
            self._rendered.put(key, found)
        return found

    async def trends(
        self, glances: Sequence[Glance], dates: Sequence[date], known_at: datetime | None
    ) -> list[ProgrammeTrend]:
        """Each programme of ``glances`` at each date, as the portfolio reported it as of
        that date (``tracker.projections.reports.trend``); a programme has no point for a
        date before its first event. A programme's trend is remembered by its content: a
        write to it (back-dated or not) makes it read again, the others are not."""
        found: dict[str, ProgrammeTrend] = {}
        missing: list[Glance] = []
        for g in glances:
            key = (g.key, g.identity, tuple(dates), known_at) if g.identity is not None else None
            cached = self._trends.get(key) if key is not None else None
            if cached is not None:
                found[g.key] = cached
            else:
                missing.append(g)
        rows: list[tuple[date, PortfolioRow]] = []
        for on in dates if missing else ():
            then = When(as_of=effective_until(on), known_at=known_at)
            async for seen in self.stream(missing, then):
                if seen.view.events > 0:
                    row = portfolio_row(
                        seen.view, on, self.calendar, self.thresholds, count_findings=False
                    )
                    rows.append((on, row))
        for g, trend in zip_trends(missing, programme_trends(rows)):
            found[g.key] = trend
            if g.identity is not None:
                self._trends.put((g.key, g.identity, tuple(dates), known_at), trend)
        return [found[k] for k in sorted(found)]

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


def zip_trends(
    glances: Sequence[Glance], trends: Sequence[ProgrammeTrend]
) -> list[tuple[Glance, ProgrammeTrend]]:
    """Each programme's trend with its glance (a programme with no point has no trend)."""
    by_key = {g.key: g for g in glances}
    return [(by_key[t.key], t) for t in trends if t.key in by_key]


def cache_key(question: Question, *parts: Hashable | None) -> Hashable | None:
    """Answers about now are remembered by what they were made from and the day; answers
    about the past (or made from something not remembered) are not."""
    if not question.live or any(part is None for part in parts):
        return None
    return (question.today, *parts)


__all__ = ["Lru", "Reads", "Rendered", "Seen", "cache_key", "send_rendered"]
