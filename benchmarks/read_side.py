"""Measurements of the consistent read side, for ``benchmarks.projections``.

* ``Prober``: while the writer subprocess appends its steady 500 events/s, this process makes
  its own appends (an update line on a random RAID item of a random programme, ``rate`` a
  second), and as soon as each append returns asks the programme through ``Reader`` (the
  consistent read: glance, whole view, closure report) and checks the new line is there. It
  times append-returned -> answer, and counts answers that did not show it (they would be
  stale reads; the design says none). Between probes it times the consistent read's first
  statement against a bare primary-key read of the same header row: what the read-after-write
  check adds to a query.
* ``reminder_pass``: one dry-run pass (everything read and selected, nothing sent) on a given
  day, timed whole.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as clock_time

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks import projection_data as data
from tracker.clock import FixedClock
from tracker.events.base import NewEvent
from tracker.events.postgres_store import PostgresEventStore
from tracker.events.risks import RiskUpdateLogged
from tracker.events.store import EventStore
from tracker.projections.read_model.reader import Reader
from tracker.projections.reports.catalogue import render
from tracker.projections.reports.question import ask
from tracker.reminders.passes import PassReport, run_pass
from tracker.settings import ReminderSettings


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


@dataclass
class Visibility:
    visible_ms: list[float] = field(default_factory=list)
    """Append returned -> a consistent query (glance, view, closure report) answered with it."""
    stale_first_reads: int = 0
    """Answers that did not show the write answered just before (the design says 0)."""
    header_ms: list[float] = field(default_factory=list)
    """A bare primary-key read of a programme's header row."""
    glance_ms: list[float] = field(default_factory=list)
    """The consistent read's first statement (header, checkpoint, head and tail) on the same row."""
    tail_events: list[int] = field(default_factory=list)
    """Events of the probed programme the projector had not folded when the probe read."""

    @property
    def probes(self) -> int:
        return len(self.visible_ms)

    @property
    def check_ms(self) -> float:
        """What the read-after-write check adds to a query's median."""
        return statistics.median(self.glance_ms) - statistics.median(self.header_ms)


class Prober:
    def __init__(
        self, store: EventStore, engine: AsyncEngine, programmes: int, rate: float, seed: int = 7
    ) -> None:
        self.store = store
        self.engine = engine
        self.reader = Reader(store, engine)
        self.programmes = programmes
        self.rate = rate
        self.random = random.Random(seed)
        self.found = Visibility()

    async def run(self, stop: asyncio.Event) -> Visibility:
        n = 0
        tick = time.monotonic()
        while not stop.is_set():
            n += 1
            await self._probe(n)
            await self._check_cost()
            tick += 1 / self.rate
            await asyncio.sleep(max(0.0, tick - time.monotonic()))
        return self.found

    async def _probe(self, n: int) -> None:
        p = self.random.randrange(self.programmes)
        key, item = data.programme_key(p), data.raid_id(p, self.random.randrange(data.RAID_ITEMS))
        stream = f"risk:{item}"
        line = f"probe {n}: checked at the weekly review"
        event = RiskUpdateLogged(
            item_id=item, programme_key=key, logged_on=date(2024, 12, 31), text=line
        )
        version = await self.store.stream_version(stream)
        await self.store.append(
            stream, [NewEvent(data=event, occurred_at=datetime.now(UTC))], version
        )
        returned = time.perf_counter()
        first = True
        while True:
            glance = await self.reader.glance(key)
            view = await self.reader.view(glance)
            render("closure-report", view, ask(today=date(2025, 1, 6)))
            if any(u.text == line for u in view.raid[str(item)].updates):
                break
            if first:
                self.found.stale_first_reads += 1
                first = False
        self.found.visible_ms.append((time.perf_counter() - returned) * 1000)
        self.found.tail_events.append(len(glance.tail))

    async def _check_cost(self) -> None:
        """The same driver path for both: the store's read pool on PostgreSQL."""
        key = data.programme_key(self.random.randrange(self.programmes))
        started = time.perf_counter()
        if isinstance(self.store, PostgresEventStore):
            await self.store.query(
                "SELECT position, digest FROM read_programmes WHERE key = $1", key
            )
        else:
            async with self.engine.connect() as conn:
                await conn.execute(
                    text("SELECT position, digest FROM read_programmes WHERE key = :k"), {"k": key}
                )
        self.found.header_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        await self.reader.glance(key)
        self.found.glance_ms.append((time.perf_counter() - started) * 1000)


@dataclass(frozen=True)
class PassTiming:
    label: str
    day: date
    seconds: float
    report: PassReport
    programmes: int
    whole: int


async def reminder_pass(
    store: EventStore, engine: AsyncEngine, day: date, label: str, digest_weekday: str = "mon"
) -> PassTiming:
    """One dry-run pass on ``day`` with the clock on that day (the live read path)."""
    clock = FixedClock(datetime.combine(day, clock_time(7, 0), tzinfo=UTC))
    settings = ReminderSettings(digest_weekday=digest_weekday)
    reader = Reader(store, engine)
    started = time.perf_counter()
    report = await run_pass(reader, None, today=day, clock=clock, settings=settings)
    seconds = time.perf_counter() - started
    glances = await reader.glance_all()
    return PassTiming(
        label=label,
        day=day,
        seconds=seconds,
        report=report,
        programmes=len(glances),
        whole=sum(1 for g in glances if g.stored is not None and g.stored.lifecycle != "closed"),
    )
