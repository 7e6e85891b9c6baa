"""``python -m benchmarks.projections [--quick]``: the read side against issue 13's targets.

1. **Catch-up**: a full rebuild (``tracker.projections.read_model.rebuild.rebuild``: shadow
   tables, projector, diff in the database, swap) of 1,000,000 events (500 programmes of 2,000,
   see ``benchmarks.projection_data``) on PostgreSQL: at most 20 s and at least 0.3x the speed
   of a raw read of the same events in the same run (asyncpg pages, msgspec decode of each
   event's data into its type, a count per programme). ``--quick``: 100,000.
2. **As-of closure report** of one 2,000-event programme, in process (``Reader.view_at``: the
   newest snapshot the question allows plus the events after it, then ``render``): median and
   p95 of 50 runs on PostgreSQL and SQLite, target p95 at most 20 ms.
3. **Append to visible in a query** under a steady 500 events/s of appends over 500
   programmes (a writer subprocess) with ``Projector.run_forever`` in this process: this
   process's own probe appends, each read back at once through the consistent read path
   (``benchmarks.read_side.Prober``): p99 at most 250 ms; what the read-after-write check adds
   to a query's median (its first statement against a bare primary-key read): at most 5 ms.
   The projector's lag is reported beside them (target below one second).
4. **A reminders pass** (dry run) over the 500 programmes and 1,000,000 events, half of them
   still closing: at most 5 s, on a day when the weekly digests are due (every open programme
   read whole) and on one when they are not.

The figures go to docs/performance.md between the ``projection-benchmark`` markers (only that
section is replaced; a notes block inside it, between the ``notes`` markers, is kept).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import cProfile
import gc
import inspect
import io
import itertools
import os
import platform
import pstats
import shlex
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import date as date_type
from importlib import metadata
from pathlib import Path
from typing import Any

import asyncpg
import msgspec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks import projection_data as data
from benchmarks.read_side import PassTiming, Prober, Visibility, reminder_pass
from benchmarks.store import postgres as pg
from tracker.db import create_engine
from tracker.events.base import Event, Metadata, NewEvent, registry
from tracker.events.open import open_store
from tracker.events.store import EventStore
from tracker.migrations import upgrade_async
from tracker.projections.read_model.projector import SNAPSHOT_EVERY, Projector
from tracker.projections.read_model.reader import Reader, fold_from_store
from tracker.projections.read_model.rebuild import rebuild
from tracker.projections.reports.catalogue import render
from tracker.projections.reports.question import ask
from tracker.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DOCS = REPO_ROOT / "docs" / "performance.md"
START_MARKER = "<!-- projection-benchmark:start -->"
END_MARKER = "<!-- projection-benchmark:end -->"
NOTES_START = "<!-- projection-benchmark:notes:start -->"
NOTES_END = "<!-- projection-benchmark:notes:end -->"

CATCH_UP_TARGET_S = 20.0
CATCH_UP_RAW_RATIO = 0.3
"""The rebuild's speed at least this fraction of the raw read's (issue 13)."""
CLOSURE_TARGET_MS = 20.0
LAG_TARGET_S = 1.0
VISIBLE_P99_MS = 250.0
CHECK_MEDIAN_MS = 5.0
PASS_TARGET_S = 5.0
PROBES_PER_SECOND = 10.0
OPEN_EVERY = 2
"""Every other programme is still closing (its closure report not approved), so a reminders
pass has open programmes to chase."""
PAGE = 5000
"""Events per page of the raw read: the rebuild's own batch size."""
SAMPLE_EVERY_S = 0.1
_CATCH_UP_EVENTS = inspect.signature(Projector).parameters["catch_up_events"].default
WRITERS = 8
"""Concurrent writer tasks in the writer subprocess (each owns its own programmes)."""


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _percentile(values: list[float], q: int) -> float:
    """The q-th percentile (inclusive method); the value itself for a single sample."""
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


# --- 1. catch-up ----------------------------------------------------------------------------


@dataclass
class Fill:
    events: int
    import_seconds: float
    vacuum_seconds: float


@dataclass
class CatchUp:
    events: int
    programmes: int
    order: str
    seconds: float
    fold_seconds: float
    raw_seconds: list[float]

    @property
    def raw_best(self) -> float:
        return min(self.raw_seconds)

    @property
    def ratio(self) -> float:
        return self.seconds / self.raw_best

    @property
    def speed(self) -> float:
        """The rebuild's speed as a fraction of the raw read's."""
        return self.raw_best / self.seconds

    @property
    def ok(self) -> bool:
        return self.seconds <= CATCH_UP_TARGET_S and self.speed >= CATCH_UP_RAW_RATIO


async def fill_postgres(store: EventStore, dsn: str, shape: data.Shape) -> Fill:
    started = time.perf_counter()
    count = await store.import_raw(data.raw_events(shape), batch_size=PAGE)
    imported = time.perf_counter() - started
    if count != shape.events:
        raise RuntimeError(f"imported {count} events, expected {shape.events}")
    started = time.perf_counter()
    await pg.vacuum(dsn)
    return Fill(count, imported, time.perf_counter() - started)


_DECODERS: dict[str, msgspec.json.Decoder[Any]] = {}


def _decoder(type_name: str) -> msgspec.json.Decoder[Any]:
    decoder = _DECODERS.get(type_name)
    if decoder is None:
        decoder = _DECODERS[type_name] = msgspec.json.Decoder(registry.type_named(type_name))
    return decoder


async def raw_read(dsn: str, expected: int) -> float:
    """The floor: every event in pages by position, data decoded into its type, a trivial fold
    (events per programme)."""
    conn = await asyncpg.connect(dsn)
    try:
        started = time.perf_counter()
        counts: dict[str, int] = {}
        after, total = 0, 0
        while True:
            rows = await conn.fetch(
                "SELECT position, type, data FROM events WHERE position > $1 "
                "ORDER BY position LIMIT $2",
                after,
                PAGE,
            )
            if not rows:
                break
            for row in rows:
                event = _decoder(row[1]).decode(row[2])
                key = getattr(event, "programme_key", "")
                counts[key] = counts.get(key, 0) + 1
            total += len(rows)
            after = rows[-1][0]
        seconds = time.perf_counter() - started
    finally:
        await conn.close()
    if total != expected:
        raise RuntimeError(f"raw read {total} events, expected {expected}")
    return seconds


async def check_views(store: EventStore, settings: Settings, shape: data.Shape) -> None:
    """The rebuilt read model of a sample programme equals a fold of its own streams."""
    engine = create_engine(settings)
    try:
        async with engine.connect() as conn:
            count = (await conn.execute(text("SELECT count(*) FROM read_programmes"))).scalar()
        if count != shape.programmes:
            raise RuntimeError(f"{count} programme headers, expected {shape.programmes}")
        key = data.programme_key(shape.programmes // 2)
        reader = Reader(store, engine)
        stored = await reader.view(await reader.glance(key))
        folded = await fold_from_store(store, key)
        if msgspec.json.encode(stored) != msgspec.json.encode(folded):
            raise RuntimeError(f"the projected view of {key} differs from a fresh fold")
        if folded.events != shape.events_per_programme:
            raise RuntimeError(f"{key} has {folded.events} events")
    finally:
        await engine.dispose()


async def catch_up(store: EventStore, dsn: str, settings: Settings, shape: data.Shape) -> CatchUp:
    raw = [await raw_read(dsn, shape.events)]
    _log(f"  raw read: {raw[0]:.2f} s ({shape.events / raw[0]:,.0f} ev/s)")
    engine = create_engine(settings)
    next_report = [100_000]

    def progress(total: int, position: int) -> None:
        if total >= next_report[0]:
            _log(f"    rebuilt {total:,} events (position {position:,})")
            next_report[0] += 100_000

    try:
        started = time.perf_counter()
        report = await rebuild(store, engine, progress=progress)
        seconds = time.perf_counter() - started
    finally:
        await engine.dispose()
    if report.events != shape.events or len(report.added) != shape.programmes:
        raise RuntimeError(
            f"rebuild folded {report.events} events into {len(report.added)} programmes"
        )
    _log(f"  rebuild: {seconds:.2f} s ({shape.events / seconds:,.0f} ev/s)")
    raw.append(await raw_read(dsn, shape.events))
    _log(f"  raw read again: {raw[1]:.2f} s")
    await check_views(store, settings, shape)
    return CatchUp(
        events=shape.events,
        programmes=shape.programmes,
        order=shape.order,
        seconds=seconds,
        fold_seconds=report.seconds,
        raw_seconds=raw,
    )


async def profile_rebuild(store: EventStore, settings: Settings, out: Path, top: int) -> str:
    engine = create_engine(settings)
    profiler = cProfile.Profile()
    try:
        profiler.enable()
        await rebuild(store, engine)
        profiler.disable()
    finally:
        await engine.dispose()
    return _profile_text(profiler, out, top)


def _profile_text(profiler: cProfile.Profile, out: Path, top: int) -> str:
    profiler.dump_stats(out)
    parts = []
    for order in ("tottime", "cumulative"):
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).sort_stats(order).print_stats(top)
        body = buffer.getvalue()
        parts.append(f"=== by {order} (saved to {out}) ===\n" + body[body.find("   ncalls") :])
    return "\n".join(parts)


# --- 2. as-of closure report ----------------------------------------------------------------


@dataclass
class ClosureTiming:
    backend: str
    label: str
    events: int
    runs_ms: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.runs_ms)

    @property
    def p95(self) -> float:
        return _percentile(self.runs_ms, 95)

    @property
    def ok(self) -> bool:
        return self.p95 <= CLOSURE_TARGET_MS


@dataclass(frozen=True)
class AsOf:
    label: str
    as_of: datetime
    known_at: datetime
    events: int


def as_of_points(shape: data.Shape, programme: int) -> list[AsOf]:
    """As of (and known at) the programme's last event, and half-way through its life plus as
    many events as a snapshot can leave to fold (``SNAPSHOT_EVERY - 1``): the worst case."""
    last = shape.events_per_programme - 1
    worst = min(last, shape.events_per_programme // 2 + SNAPSHOT_EVERY - 2)
    points = []
    for label, index in (
        ("whole life", last),
        (f"half-way + {SNAPSHOT_EVERY - 1} events after a snapshot", worst),
    ):
        at = shape.instant(shape.position(programme, index))
        points.append(AsOf(label, at, at, index + 1))
    return points


async def _closure_as_of(reader: Reader, key: str, point: AsOf) -> object:
    """What the API does for ``?as_of=&known_at=``: the view from the newest snapshot the
    question allows plus the events after it, then the report."""
    question = ask(as_of=point.as_of, known_at=point.known_at)
    view = await reader.view_at(key, question.as_of, question.known_at)
    return render("closure-report", view, question)


async def time_closure(
    reader: Reader, backend: str, shape: data.Shape, runs: int
) -> list[ClosureTiming]:
    programme = shape.programmes // 2
    key = data.programme_key(programme)
    results = []
    # As ``tracker serve`` does after start-up: what exists now is moved out of the cyclic
    # collector's way (in this process that is the whole generated portfolio's machinery).
    gc.collect()
    gc.freeze()
    for point in as_of_points(shape, programme):
        view = await reader.view_at(key, point.as_of, point.known_at)
        if view.events != point.events:
            raise RuntimeError(f"{key} as of {point.as_of} folds {view.events} events")
        for _ in range(3):  # warm-up: connections, prepared statements
            await _closure_as_of(reader, key, point)
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            await _closure_as_of(reader, key, point)
            timings.append((time.perf_counter() - started) * 1000)
        timing = ClosureTiming(backend, point.label, point.events, timings)
        _log(
            f"  closure report, {backend}, {point.label} ({point.events:,} events): "
            f"median {timing.median:.1f} ms, p95 {timing.p95:.1f} ms"
        )
        results.append(timing)
    return results


async def profile_closure(reader: Reader, shape: data.Shape, out: Path, top: int) -> str:
    programme = shape.programmes // 2
    key = data.programme_key(programme)
    point = as_of_points(shape, programme)[0]
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(50):
        await _closure_as_of(reader, key, point)
    profiler.disable()
    return _profile_text(profiler, out, top)


@asynccontextmanager
async def sqlite_portfolio(shape: data.Shape) -> AsyncIterator[tuple[Reader, float]]:
    """A fresh SQLite file holding ``shape``, its read model built (rows and snapshots): the
    reader, and the seconds the import and the projector took."""
    with tempfile.TemporaryDirectory(prefix="bench-projections-") as folder:
        url = f"sqlite+aiosqlite:///{folder}/tracker.db"
        await upgrade_async(url)
        settings = Settings(database_url=url)
        store, engine = open_store(settings), create_engine(settings)
        try:
            started = time.perf_counter()
            await store.import_raw(data.raw_events(shape), batch_size=PAGE)
            imported = time.perf_counter() - started
            await Projector(store, engine, batch_size=PAGE).catch_up()
            seconds = time.perf_counter() - started
            _log(
                f"  SQLite fill: {shape.events:,} events imported in {imported:.1f} s, "
                f"projected in {seconds - imported:.1f} s"
            )
            yield Reader(store, engine), seconds
        finally:
            await store.close()
            await engine.dispose()


async def sqlite_closure(shape: data.Shape, runs: int) -> tuple[list[ClosureTiming], float]:
    async with sqlite_portfolio(shape) as (reader, seconds):
        return await time_closure(reader, "SQLite", shape, runs), seconds


# --- 3. projector lag -----------------------------------------------------------------------


class TimedProjector(Projector):
    """The projector, noting when each batch had committed, up to which position, how many
    events it held and how long it took (checkpoint read to commit)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commits: list[Commit] = []
        self.wanted = 0
        self.reached = asyncio.Event()
        """Set once a commit reaches ``wanted`` (when it is not 0)."""

    def wait_for(self, position: int) -> asyncio.Event:
        self.reached.clear()
        self.wanted = position
        if self.position >= position:
            self.reached.set()
        return self.reached

    async def run_once(self) -> int:
        started = time.monotonic()
        count = await super().run_once()
        if count:
            ended = time.monotonic()
            self.commits.append(Commit(ended, self.position, count, ended - started))
            if self.wanted and self.position >= self.wanted:
                self.reached.set()
        return count


@dataclass(frozen=True)
class Commit:
    at: float
    """Monotonic time just after the batch committed."""
    position: int
    events: int
    seconds: float


class GcPauses:
    """Collections of the cyclic garbage collector in this process: (start, seconds, generation)."""

    def __init__(self) -> None:
        self.pauses: list[tuple[float, float, int]] = []
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.monotonic()
        else:
            self.pauses.append(
                (self._started, time.monotonic() - self._started, info["generation"])
            )

    def between(self, start: float, end: float) -> list[tuple[float, float, int]]:
        return [p for p in self.pauses if start <= p[0] <= end]


class Append(msgspec.Struct, array_like=True):
    position: int
    due: float
    started: float
    ended: float


class WriterReport(msgspec.Struct):
    started: float
    appends: list[Append]


@dataclass
class LagPhase:
    label: str
    """cold (just-started projector), steady (the target's case) or concentrated."""
    programmes: int
    """How many programmes the writes were spread over (round robin)."""
    rate: float
    seconds: float
    appends: int
    achieved_rate: float
    append_p99_ms: float
    max_schedule_slip_ms: float
    batches: int
    mean_batch: float
    max_batch: int
    max_batch_seconds: float
    positions_behind: list[int]
    seconds_behind: list[float]
    latencies: list[float]
    caught_up_after: float
    """Seconds from the last append's return until the projector had committed it."""
    gc_max_ms: float
    gc_full: int
    load: str
    fenced_behind: int = 0
    """Most positions committed but not yet readable (held back by the read fence)."""
    projector_behind: int = 0
    """Most positions readable but not yet projected."""
    foreign_mark_seconds: float = 0.0
    """Longest append mark held in another database while this phase ran (see ``Sample``)."""

    @property
    def ok(self) -> bool:
        return max(self.latencies) < LAG_TARGET_S and max(self.seconds_behind) < LAG_TARGET_S

    @property
    def judged(self) -> bool:
        """Only the steady phase is held to the target."""
        return self.label == "steady"

    @property
    def title(self) -> str:
        spread = f"writes over {self.programmes} programmes"
        if self.label == "cold":
            return f"Cold start: {self.rate:.0f} ev/s, {spread}, just-started projector"
        if self.label == "steady":
            return f"Projector lag: {self.rate:.0f} ev/s, {spread}, warm projector"
        return f"For comparison: {self.rate:.0f} ev/s, {spread}, warm projector"


@dataclass
class Lag:
    phases: list[LagPhase]
    """cold (the projector's cache empty), steady (the target), concentrated (fewer programmes)."""
    cpu_note: str
    visibility: Visibility | None = None
    """The probes of the steady phase."""

    @property
    def steady(self) -> LagPhase:
        return next(p for p in self.phases if p.label == "steady")


def _live_script(first: dict[int, int]) -> Iterator[tuple[str, Event, str]]:
    """Round robin over the programmes of ``first``: the next event of each one's current live
    deliverable; a programme's deliverables are numbered from ``first[programme]``."""
    programmes = list(first)
    scripts = {p: data.live_deliverable(p, first[p]) for p in programmes}
    serial = dict(first)
    for p in itertools.cycle(programmes):
        try:
            stream, event, who = next(scripts[p])
        except StopIteration:
            serial[p] += 1
            scripts[p] = data.live_deliverable(p, serial[p])
            stream, event, who = next(scripts[p])
        yield stream, event, who.email


async def writer_main(url: str, rate: float, seconds: float, programmes: int) -> None:
    """The writer subprocess: ``rate`` appends a second of one event each, for ``seconds``."""
    store = open_store(Settings(database_url=url))
    try:
        versions: dict[str, int] = {}
        for p in range(programmes):
            stream = data.programme_stream(p)
            versions[stream] = await store.stream_version(stream)
        print("ready", flush=True)
        total = int(rate * seconds)
        slots = itertools.count()
        appends: list[Append] = []
        started = time.monotonic() + 0.2

        async def task(t: int) -> None:
            # Each live deliverable adds one event to its programme stream: numbering them
            # from the stream's version keeps them new on every run against one database.
            script = _live_script(
                {
                    p: versions[data.programme_stream(p)]
                    for p in range(programmes)
                    if p % WRITERS == t
                }
            )
            while (i := next(slots)) < total:
                due = started + i / rate
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                stream, event, actor = next(script)
                new = NewEvent(
                    data=event, occurred_at=datetime.now(UTC), metadata=Metadata(actor=actor)
                )
                begun = time.monotonic()
                result = await store.append(stream, [new], versions.get(stream, 0))
                appends.append(Append(result.last_position, due, begun, time.monotonic()))
                versions[stream] = result.last_version

        await asyncio.gather(*(task(t) for t in range(WRITERS)))
        appends.sort(key=lambda a: a.position)
        sys.stdout.write(msgspec.json.encode(WriterReport(started, appends)).decode() + "\n")
        sys.stdout.flush()
    finally:
        await store.close()


@dataclass(frozen=True)
class Sample:
    at: float
    head: int
    """The highest committed position."""
    readable: int
    """The highest position below the store's read fence (what a reader may return now)."""
    checkpoint: int
    foreign_mark_seconds: float
    """Age of the oldest transaction holding the store's append mark in another database of
    the cluster (0 when none): the read fence does not tell databases apart, so such an append
    or import hides this database's new events from the projector until it ends."""


_SAMPLE = """
SELECT (SELECT max(position) FROM events) AS head,
       (SELECT max(position) FROM events WHERE tx_id < tracker_read_fence()) AS readable,
       (SELECT position FROM projection_checkpoints WHERE name = 'read_model') AS checkpoint,
       (SELECT COALESCE(EXTRACT(EPOCH FROM max(now() - a.xact_start)), 0)
        FROM pg_locks l JOIN pg_stat_activity a USING (pid)
        WHERE l.locktype = 'advisory' AND l.classid = 1953653099 AND l.objid = 3
          AND l.objsubid = 2 AND l.granted
          AND l.database <> (SELECT oid FROM pg_database WHERE datname = current_database())
       ) AS foreign_mark
"""


async def _sample(dsn: str, until: asyncio.Event) -> list[Sample]:
    """Every 100 ms, one query on its own connection (see ``Sample``)."""
    conn = await asyncpg.connect(dsn)
    samples: list[Sample] = []
    try:
        tick = time.monotonic()
        while not until.is_set():
            row = await conn.fetchrow(_SAMPLE)
            assert row is not None
            samples.append(
                Sample(
                    at=time.monotonic(),
                    head=int(row["head"] or 0),
                    readable=int(row["readable"] or 0),
                    checkpoint=int(row["checkpoint"] or 0),
                    foreign_mark_seconds=float(row["foreign_mark"] or 0),
                )
            )
            tick += SAMPLE_EVERY_S
            await asyncio.sleep(max(0.0, tick - time.monotonic()))
    finally:
        await conn.close()
    return samples


async def _write(settings: Settings, programmes: int, rate: float, seconds: float) -> WriterReport:
    """Run the writer subprocess for one phase; its report once it has finished."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.projections",
        "--writer",
        settings.database_url,
        "--rate",
        str(rate),
        "--lag-seconds",
        str(seconds),
        "--programmes",
        str(programmes),
        stdout=asyncio.subprocess.PIPE,
        cwd=REPO_ROOT,
    )
    assert process.stdout is not None
    if (await process.stdout.readline()).strip() != b"ready":
        raise RuntimeError("the writer subprocess did not start")
    output = await process.stdout.read()
    if await process.wait() != 0:
        raise RuntimeError(f"the writer subprocess failed ({process.returncode})")
    return msgspec.json.decode(output, type=WriterReport)


def _phase(
    label: str,
    programmes: int,
    report: WriterReport,
    rate: float,
    seconds: float,
    commits: list[Commit],
    samples: list[Sample],
    gc_pauses: GcPauses,
    caught_up_at: float,
    load: str,
) -> LagPhase:
    appends = report.appends
    writes_ended = max(a.ended for a in appends)
    window = [s for s in samples if report.started <= s.at <= caught_up_at + SAMPLE_EVERY_S]
    ends = [(a.position, a.ended) for a in appends]
    seconds_behind = []
    for sample in window:
        waiting = [e for position, e in ends if position > sample.checkpoint and e <= sample.at]
        seconds_behind.append(sample.at - min(waiting) if waiting else 0.0)
    positions = [c.position for c in commits]
    latencies = []
    for a in appends:
        latencies.append(max(0.0, commits[bisect.bisect_left(positions, a.position)].at - a.ended))
    batches = [c for c in commits if report.started <= c.at <= caught_up_at]
    pauses = gc_pauses.between(report.started, caught_up_at)
    return LagPhase(
        label=label,
        programmes=programmes,
        rate=rate,
        seconds=seconds,
        appends=len(appends),
        achieved_rate=len(appends) / (writes_ended - report.started),
        append_p99_ms=_percentile([a.ended - a.started for a in appends], 99) * 1000,
        max_schedule_slip_ms=max(a.started - a.due for a in appends) * 1000,
        batches=len(batches),
        mean_batch=statistics.mean(c.events for c in batches) if batches else 0.0,
        max_batch=max((c.events for c in batches), default=0),
        max_batch_seconds=max((c.seconds for c in batches), default=0.0),
        positions_behind=[max(0, w.head - w.checkpoint) for w in window] or [0],
        fenced_behind=max((max(0, w.head - w.readable) for w in window), default=0),
        projector_behind=max((max(0, w.readable - w.checkpoint) for w in window), default=0),
        foreign_mark_seconds=max((w.foreign_mark_seconds for w in window), default=0.0),
        seconds_behind=seconds_behind or [0.0],
        latencies=latencies,
        caught_up_after=caught_up_at - writes_ended,
        gc_max_ms=max((p[1] for p in pauses), default=0.0) * 1000,
        gc_full=sum(1 for p in pauses if p[2] == 2),
        load=load,
    )


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


async def projector_lag(
    store: EventStore,
    dsn: str,
    settings: Settings,
    programmes: int,
    rate: float,
    seconds: float,
    warm_up: float,
    concentrated: int,
) -> Lag:
    """Cold phase: the projector starts with an empty cache and ``warm_up`` seconds of writes
    (every programme is touched within the first second). Once it has caught up, the steady
    phase: ``seconds`` of writes at the same rate over every programme; then (when
    ``concentrated`` > 0) the same over only the first ``concentrated`` programmes."""
    engine = create_engine(settings)
    projector = TimedProjector(store, engine)
    gc_pauses = GcPauses()
    gc.callbacks.append(gc_pauses)
    stop, sampled = asyncio.Event(), asyncio.Event()
    running = asyncio.create_task(projector.run_forever(stop))
    sampler = asyncio.create_task(_sample(dsn, sampled))
    cpu_before, wall_before = time.process_time(), time.monotonic()
    plan = [("cold", warm_up, programmes), ("steady", seconds, programmes)]
    if 0 < concentrated < programmes:
        plan.append(("concentrated", seconds, concentrated))
    phases: list[tuple[str, int, WriterReport, float, float, str]] = []
    probe_store, probe_engine = open_store(settings), create_engine(settings)
    visibility: Visibility | None = None
    try:
        for label, length, spread in plan:
            load = _load()
            if label == "steady":
                done = asyncio.Event()
                prober = Prober(probe_store, probe_engine, spread, PROBES_PER_SECOND)
                probing = asyncio.create_task(prober.run(done))
                try:
                    report = await _write(settings, spread, rate, length)
                finally:
                    done.set()
                    visibility = await probing
            else:
                report = await _write(settings, spread, rate, length)
            last = max(a.position for a in report.appends)
            try:
                await asyncio.wait_for(projector.wait_for(last).wait(), timeout=120)
            except TimeoutError as exc:
                raise RuntimeError(f"the projector did not reach {last}") from exc
            caught_up = min(c.at for c in projector.commits if c.position >= last)
            phases.append((label, spread, report, length, caught_up, f"{load} -> {_load()}"))
            await asyncio.sleep(2 * SAMPLE_EVERY_S)  # a last sample or two, caught up
    finally:
        sampled.set()
        stop.set()
        samples = await sampler
        await running
        await engine.dispose()
        await probe_store.close()
        await probe_engine.dispose()
        gc.callbacks.remove(gc_pauses)
    cpu, wall = time.process_time() - cpu_before, time.monotonic() - wall_before
    return Lag(
        phases=[
            _phase(
                label,
                spread,
                report,
                rate,
                length,
                projector.commits,
                samples,
                gc_pauses,
                caught,
                load,
            )
            for label, spread, report, length, caught, load in phases
        ],
        cpu_note=f"The projector's process used {cpu:.1f} s of CPU in {wall:.1f} s "
        f"({cpu / wall:.0%} of one core)",
        visibility=visibility,
    )


# --- the run --------------------------------------------------------------------------------


@dataclass
class Results:
    shape: data.Shape
    sqlite_shape: data.Shape
    fill: Fill | None = None
    catch_up: CatchUp | None = None
    closure: list[ClosureTiming] = field(default_factory=list)
    sqlite_fill_seconds: float = 0.0
    lag: Lag | None = None
    passes: list[PassTiming] = field(default_factory=list)
    profiles: list[str] = field(default_factory=list)
    quick: bool = False
    loads: list[str] = field(default_factory=list)
    """Load averages (1/5/15 min) at the start and the end of the run."""


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


async def machine_lines(admin_dsn: str) -> list[str]:
    facts = await pg.server_facts(admin_dsn)
    return [
        f"nproc {len(os.sched_getaffinity(0))}, {_cpu_model()}, {platform.system()} "
        f"{platform.release()}; PostgreSQL {facts['version']} on the same machine "
        f"(synchronous_commit={facts['synchronous_commit']}, shared_buffers="
        f"{facts['shared_buffers']}); SQLite file on local disk",
        f"Python {platform.python_version()}; "
        + ", ".join(
            f"{name} {_version(name)}" for name in ("msgspec", "asyncpg", "SQLAlchemy", "aiosqlite")
        ),
    ]


def result_lines(results: Results) -> list[str]:
    lines = []
    c = results.catch_up
    if c is not None:
        lines.append(
            f"catch-up, PostgreSQL, {c.events:,} events ({c.programmes} programmes, {c.order}): "
            f"rebuild {c.seconds:.1f} s ({c.events / c.seconds:,.0f} ev/s); raw read "
            f"{' / '.join(f'{s:.1f}' for s in c.raw_seconds)} s, best "
            f"{c.events / c.raw_best:,.0f} ev/s; rebuild at {c.speed:.2f}x the raw read's speed "
            f"| target <= {CATCH_UP_TARGET_S:.0f} s and >= {CATCH_UP_RAW_RATIO}x: "
            f"{_verdict(c.ok)}"
        )
    for t in results.closure:
        lines.append(
            f"closure report as of, {t.backend}, {t.label} ({t.events:,} events): median "
            f"{t.median:.1f} ms, p95 {t.p95:.1f} ms over {len(t.runs_ms)} runs "
            f"| target p95 <= {CLOSURE_TARGET_MS:.0f} ms: {_verdict(t.ok)}"
        )
    if results.lag is not None:
        v = results.lag.visibility
        if v is not None:
            lines.append(_visibility_line(v))
            lines.append(_check_line(v))
        for phase in results.lag.phases:
            lines.append(_phase_line(phase))
    for t in results.passes:
        lines.append(
            f"reminders pass (dry run), {t.label}, {t.day}: {t.seconds:.2f} s over "
            f"{t.programmes} programmes ({t.whole} still open); {t.report.due} reminders due, "
            f"{len(t.report.deliveries)} e-mails | target <= {PASS_TARGET_S:.0f} s: "
            f"{_verdict(t.seconds <= PASS_TARGET_S)}"
        )
    return lines


def _visibility_ok(v: Visibility) -> bool:
    return v.stale_first_reads == 0 and _percentile(v.visible_ms, 99) <= VISIBLE_P99_MS


def _visibility_line(v: Visibility) -> str:
    return (
        f"append -> visible in a query (glance, view, closure report), {v.probes} probes during "
        f"the steady phase: p99 {_percentile(v.visible_ms, 99):.1f} ms, median "
        f"{statistics.median(v.visible_ms):.1f} ms, max {max(v.visible_ms):.1f} ms; stale first "
        f"reads {v.stale_first_reads}; unfolded events of the probed programme at read time: "
        f"max {max(v.tail_events)} | target p99 <= {VISIBLE_P99_MS:.0f} ms: "
        f"{_verdict(_visibility_ok(v))}"
    )


def _check_line(v: Visibility) -> str:
    return (
        f"read-after-write check: the consistent read's first statement median "
        f"{statistics.median(v.glance_ms):.2f} ms against a bare primary-key read's "
        f"{statistics.median(v.header_ms):.2f} ms: adds {v.check_ms:.2f} ms "
        f"| target <= {CHECK_MEDIAN_MS:.0f} ms: {_verdict(v.check_ms <= CHECK_MEDIAN_MS)}"
    )


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def _phase_line(phase: LagPhase) -> str:
    verdict = _verdict(phase.ok) if phase.judged else "(not judged)"
    return (
        f"projector lag, PostgreSQL, {phase.label}, {phase.rate:.0f} ev/s over "
        f"{phase.programmes} programmes for {phase.seconds:.0f} s ({phase.appends:,} appends, "
        f"achieved {phase.achieved_rate:.0f}/s):"
        f" append -> projected max {_ms(max(phase.latencies))}, p99 "
        f"{_ms(_percentile(phase.latencies, 99))}; sampled age of the oldest unprojected event "
        f"max {_ms(max(phase.seconds_behind))}, p99 {_ms(_percentile(phase.seconds_behind, 99))};"
        f" head - checkpoint max {max(phase.positions_behind)}, p99 "
        f"{_percentile([float(p) for p in phase.positions_behind], 99):.0f}; batches "
        f"{phase.batches} (mean {phase.mean_batch:.0f} events, slowest "
        f"{_ms(phase.max_batch_seconds)}); GC pauses max {phase.gc_max_ms:.0f} ms "
        f"({phase.gc_full} full); behind the fence max {phase.fenced_behind}, readable but not "
        f"projected max {phase.projector_behind}; append mark held in another database up to "
        f"{phase.foreign_mark_seconds:.1f} s; load {phase.load} | target < {LAG_TARGET_S:.0f} s: "
        f"{verdict}"
    )


def section(results: Results, *, command: str, date: str, machine: list[str], notes: str) -> str:
    shape, sq = results.shape, results.sqlite_shape
    rows = ["| Measure | Result | Target | |", "|---|---|---|---|"]
    c = results.catch_up
    if c is not None:
        rows.append(
            f"| Catch-up: full rebuild of {c.events:,} events, PostgreSQL | **{c.seconds:.1f} s** "
            f"({c.events / c.seconds:,.0f} ev/s; fold loop {c.fold_seconds:.1f} s, the rest is "
            f"the index, the compare in the database and the swap) | ≤ "
            f"{CATCH_UP_TARGET_S:.0f} s | {_verdict(c.seconds <= CATCH_UP_TARGET_S)} |"
        )
        rows.append(
            "| Raw read of the same events, same run | "
            f"{' / '.join(f'{s:.1f}' for s in c.raw_seconds)} s (before / after the rebuild; "
            f"best {c.events / c.raw_best:,.0f} ev/s): the rebuild runs at "
            f"**{c.speed:.2f}x** its speed | ≥ {CATCH_UP_RAW_RATIO}x | "
            f"{_verdict(c.speed >= CATCH_UP_RAW_RATIO)} |"
        )
    for t in results.closure:
        rows.append(
            f"| As-of closure report, {t.backend}, {t.label} ({t.events:,} events) | median "
            f"**{t.median:.1f} ms**, p95 **{t.p95:.1f} ms** ({len(t.runs_ms)} runs) | ≤ "
            f"{CLOSURE_TARGET_MS:.0f} ms (p95) | {_verdict(t.ok)} |"
        )
    lag = results.lag
    if lag is not None and lag.visibility is not None:
        v = lag.visibility
        rows.append(
            f"| Append → visible in a query, {lag.steady.rate:.0f} ev/s over "
            f"{lag.steady.programmes} programmes, projector running ({v.probes} probes) | p99 "
            f"**{_percentile(v.visible_ms, 99):.1f} ms**, median "
            f"{statistics.median(v.visible_ms):.1f} ms, max {max(v.visible_ms):.1f} ms; "
            f"**{v.stale_first_reads}** stale reads | ≤ {VISIBLE_P99_MS:.0f} ms (p99), none "
            f"stale | {_verdict(_visibility_ok(v))} |"
        )
        rows.append(
            "| Read-after-write check: the consistent read's first statement against a bare "
            f"primary-key read of the header row, same load | median "
            f"{statistics.median(v.glance_ms):.2f} ms against "
            f"{statistics.median(v.header_ms):.2f} ms: adds **{v.check_ms:.2f} ms** | ≤ "
            f"{CHECK_MEDIAN_MS:.0f} ms | {_verdict(v.check_ms <= CHECK_MEDIAN_MS)} |"
        )
    for t in results.passes:
        rows.append(
            f"| Reminders pass (dry run) over {t.programmes} programmes ({t.whole} still "
            f"closing) and {shape.events:,} events, {t.label} | **{t.seconds:.2f} s** "
            f"({t.report.due} reminders due, {len(t.report.deliveries)} e-mails) | ≤ "
            f"{PASS_TARGET_S:.0f} s | {_verdict(t.seconds <= PASS_TARGET_S)} |"
        )
    if lag is not None:
        for phase in lag.phases:
            target = f"< {LAG_TARGET_S:.0f} s" if phase.judged else "(not judged)"
            verdict = _verdict(phase.ok) if phase.judged else ""
            rows.append(
                f"| {phase.title}, {phase.seconds:.0f} s: append → projected, every event | max "
                f"**{_ms(max(phase.latencies))}**, p99 **{_ms(_percentile(phase.latencies, 99))}**,"
                f" median {_ms(statistics.median(phase.latencies))} | {target} | {verdict} |"
            )
            rows.append(
                f"| {phase.title}: sampled every 100 ms, age of the oldest unprojected event; "
                f"head minus checkpoint | max **{_ms(max(phase.seconds_behind))}**, p99 "
                f"**{_ms(_percentile(phase.seconds_behind, 99))}**; max "
                f"{max(phase.positions_behind)}, p99 "
                f"{_percentile([float(p) for p in phase.positions_behind], 99):.0f} positions "
                f"({len(phase.seconds_behind)} samples) | {target} | {verdict} |"
            )
    fill = results.fill
    method = [
        f"Data (`benchmarks/projection_data.py`): {shape.programmes} programmes x "
        f"{shape.events_per_programme:,} events = {shape.events:,} events, "
        f"{shape.programmes * data.DELIVERABLES:,} deliverables, "
        f"{shape.programmes * data.MILESTONES:,} milestones, "
        f"{shape.programmes * data.RAID_ITEMS:,} RAID items. Each programme: registration, "
        "workstreams, outcomes, a roster of 8 and a deputy; 100 deliverables listed, planned, "
        "half re-planned, submitted, endorsed twice, approved twice (one in ten by the deputy), "
        "signed off, one in five returned and resubmitted first; 60 milestones baselined, "
        "re-forecast, re-baselined, achieved; 80 RAID items with update logs, half closed; "
        "close-out notes and the closure report submitted (every stream pinned), endorsed, "
        "approved, the programme closed (every other programme still closing: not approved). "
        f"Order: **{shape.order}**"
        + (
            " (all programmes run over the same two years, so every page of the log touches "
            "every programme)"
            if shape.order == "interleaved"
            else " (one programme after another)"
        )
        + ".",
        "Rows are made by `tracker.events.prepare.build_rows`, one event at a time with each "
        "stream's head version and hash carried, and loaded with `EventStore.import_raw` into "
        "an empty database migrated by `tracker.migrations`, then `VACUUM ANALYZE`"
        + (
            f": fill {fill.import_seconds:.0f} s (generation and hashing included) + vacuum "
            f"{fill.vacuum_seconds:.0f} s, not part of any figure."
            if fill
            else "."
        ),
        "Catch-up: `tracker.projections.read_model.rebuild.rebuild(store, engine)` timed whole "
        "(shadow tables, `Projector.catch_up` reading pages of 5,000, its rows, snapshots and "
        "checkpoint written in one transaction by COPY, index, compare in the database, swap "
        "by rename). Raw "
        "read: one asyncpg connection, `SELECT position, type, data ... WHERE position > $1 "
        "ORDER BY position LIMIT 5000`, `msgspec.json.Decoder(<event type>)` per row, a count "
        "per programme; run before and after the rebuild, the ratio is against the faster. "
        "Afterwards one programme read through the rows is checked equal to a fresh fold of "
        "its streams.",
        "Closure report: `Reader.view_at(key, as_of, known_at)` then "
        '`render("closure-report", ...)` in this process (the newest snapshot the question '
        "allows, the programme stream after it, every item stream after the version the "
        "snapshot holds in one query, fold, render), "
        f"{len(results.closure[0].runs_ms) if results.closure else 0} "
        "timed runs after 3 warm-ups, for the middle programme as of its last event (the whole "
        "2,000 events) and as of the worst point between snapshots (half-way plus 249 events: "
        "the most a question can leave to fold), the process's start-up objects frozen as "
        "`tracker serve` freezes them. PostgreSQL: the catch-up database. SQLite: a fresh "
        f"file holding {sq.events:,} events ({sq.programmes} programmes, same generator"
        + (
            f", imported and projected in {results.sqlite_fill_seconds:.0f} s"
            if results.sqlite_fill_seconds
            else ""
        )
        + "). Every other programme is still closing (its closure report endorsed, not "
        "approved): the reminders pass has open programmes to chase.",
    ]
    if lag is not None and lag.visibility is not None:
        method.append(
            "Append → visible: during the steady phase this process appends "
            f"{PROBES_PER_SECOND:.0f} probe events a second of its own (an update line on a "
            "random RAID item of a random programme) and, as soon as each append returns, "
            "reads the programme through `Reader` (glance, whole view, closure report) and "
            "checks the line is there; the time is from the append's return to that answer. "
            "Between probes it times `Reader.glance` (header, checkpoint, head and the "
            "programme's unfolded events in one statement) against `SELECT position, digest "
            "FROM read_programmes WHERE key = $1` on the same row: the difference of the "
            "medians is what the read-after-write check adds to a query."
        )
    if results.passes:
        method.append(
            "Reminders pass: `tracker.reminders.passes.run_pass` as a dry run (read and "
            "select everything, send and record nothing) with the clock on the day, just "
            "after the portfolio's last day; the Monday pass reads whole every programme whose "
            "weekly digest is due (the dry run records no digest, so all open ones), the "
            "Tuesday pass has the digest weekday set to Friday, as after Monday's digests went "
            "out: headers and due items only."
        )
    if lag is not None:
        cold = next((p for p in lag.phases if p.label == "cold"), lag.steady)
        method.append(
            "Lag: on the catch-up database after the rebuild, `Projector.run_forever` runs in "
            "this process (live checkpoint, batches of up to 2,000, woken by NOTIFY); a writer "
            f"subprocess with {WRITERS} asyncio tasks appends one event per append at a paced "
            f"{lag.steady.rate:.0f} events/s: new deliverables' lives (listed, planned, "
            "submitted, endorsed, approved, signed off), round robin over the programmes, so "
            "consecutive events touch different programmes. It records each append's position "
            f"and return time. First a cold phase of {cold.seconds:.0f} s against the "
            "just-started projector (nothing in memory: its first batches load the headers and "
            "item rows they touch), then, "
            f"once it has caught up, the steady phase of {lag.steady.seconds:.0f} s over every "
            "programme that the target is about, then the same writes over fewer programmes "
            "for comparison. Append → projected: the first projector commit covering the "
            "event minus the append's return. Sampled: every 100 ms one query reads "
            "max(position), the highest position below the store's read fence, the checkpoint "
            "and the age of any append mark held in another database; the age is the sample's "
            "time minus the return time of the oldest appended event above the checkpoint. "
            f"{lag.cpu_note}."
        )
        for phase in lag.phases:
            method.append(
                f"Lag, {phase.label} phase ({phase.programmes} programmes): achieved "
                f"{phase.achieved_rate:.0f} appends/s (append p99 {phase.append_p99_ms:.0f} ms, "
                f"worst schedule slip {phase.max_schedule_slip_ms:.0f} ms); {phase.batches} "
                f"projector batches, mean {phase.mean_batch:.0f} events, largest "
                f"{phase.max_batch}, slowest {_ms(phase.max_batch_seconds)}; caught up "
                f"{_ms(phase.caught_up_after)} after the last append; garbage-collector pauses "
                f"in the projector's process max {phase.gc_max_ms:.0f} ms ({phase.gc_full} full "
                f"collections); positions committed but behind the read fence max "
                f"{phase.fenced_behind}, readable but not yet projected max "
                f"{phase.projector_behind}; an append mark held in another database of the "
                f"cluster for up to {phase.foreign_mark_seconds:.1f} s; load average {phase.load}."
            )
    body = [
        START_MARKER,
        "## Projections: catch-up, as-of closure report, consistent reads, reminders pass",
        "",
        f"Written by `{command}` on {date}; this section is replaced on every run "
        "(except the notes block at its end).",
        "",
        "Machine: " + "; ".join(machine) + ". Load average (1/5/15 min) at the start and "
        f"the end of the run: {' and '.join(results.loads)} (a shared machine: other work ran "
        "meanwhile).",
        "",
        *(
            [
                f"**Quick run** (`--quick`): {shape.events:,} events, not the 1,000,000 of the "
                "catch-up target.",
                "",
            ]
            if results.quick
            else []
        ),
        *rows,
        "",
        "Method:",
        "",
        *(f"- {m}" for m in method),
        "",
        NOTES_START,
        notes.strip("\n"),
        NOTES_END,
        END_MARKER,
    ]
    return "\n".join(body) + "\n"


def _current_notes(path: Path) -> str:
    if not path.exists():
        return ""
    current = path.read_text()
    start, end = current.find(NOTES_START), current.find(NOTES_END)
    if start == -1 or end == -1 or end < start:
        return ""
    return current[start + len(NOTES_START) : end].strip("\n")


def write_section(path: Path, text_: str) -> None:
    """Replace only our section of ``path`` (read just before writing); add it if missing."""
    current = path.read_text() if path.exists() else "# Performance\n"
    start, end = current.find(START_MARKER), current.find(END_MARKER)
    if start != -1 and end != -1 and end > start:
        updated = current[:start] + text_.rstrip("\n") + current[end + len(END_MARKER) :]
    else:
        updated = current.rstrip("\n") + "\n\n" + text_
    if not updated.endswith("\n"):
        updated += "\n"
    path.write_text(updated)


async def _stage(name: str, work: Awaitable[Any]) -> Any:
    _log(f"{name}:")
    started = time.perf_counter()
    result = await work
    _log(f"  ({time.perf_counter() - started:.0f} s)")
    return result


async def run(args: argparse.Namespace, command: str) -> int:
    started = time.perf_counter()
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = await machine_lines(args.postgres)
    _log("Machine: " + " | ".join(machine))
    shape = data.Shape(programmes=args.programmes, order=args.order, open_every=OPEN_EVERY)
    sqlite_shape = data.Shape(
        programmes=args.sqlite_programmes, order=args.order, open_every=OPEN_EVERY
    )
    results = Results(shape, sqlite_shape, quick=args.quick, loads=[_load()])
    if args.quick:
        _log(f"--quick: {shape.events:,} events, not 1,000,000; lag for {args.lag_seconds:.0f} s")
    profile_dir = Path(tempfile.gettempdir())
    async with pg.fresh_database(args.postgres, "projections") as dsn:
        url = pg.sqlalchemy_url(dsn)
        await upgrade_async(url)
        settings = Settings(database_url=url)
        store, engine = open_store(settings), create_engine(settings)
        reader = Reader(store, engine)
        try:
            results.fill = await _stage(
                f"fill PostgreSQL with {shape.events:,} events", fill_postgres(store, dsn, shape)
            )
            results.catch_up = await _stage("catch-up", catch_up(store, dsn, settings, shape))
            if args.profile:
                results.profiles.append(
                    await _stage(
                        "profile the rebuild (cProfile, untimed)",
                        profile_rebuild(store, settings, profile_dir / "rebuild.prof", args.top),
                    )
                )
            results.closure += await _stage(
                "closure report, PostgreSQL", time_closure(reader, "PostgreSQL", shape, args.runs)
            )
            if args.profile:
                results.profiles.append(
                    await _stage(
                        "profile the closure report, PostgreSQL",
                        profile_closure(reader, shape, profile_dir / "closure-pg.prof", args.top),
                    )
                )
            if not args.no_lag:
                results.lag = await _stage(
                    f"projector lag at {args.rate:.0f} ev/s",
                    projector_lag(
                        store,
                        dsn,
                        settings,
                        shape.programmes,
                        args.rate,
                        args.lag_seconds,
                        args.warm_up,
                        args.concentrated,
                    ),
                )
            results.passes = await _stage("reminder passes", _passes(store, engine))
        finally:
            await store.close()
            await engine.dispose()
    sqlite_timings, results.sqlite_fill_seconds = await _stage(
        "closure report, SQLite", sqlite_closure(sqlite_shape, args.runs)
    )
    results.closure += sqlite_timings
    if args.profile:
        results.profiles.append(
            await _stage(
                "profile the closure report, SQLite",
                _sqlite_profile(sqlite_shape, profile_dir, args.top),
            )
        )
    results.loads.append(_load())
    print()
    if args.quick:
        print(f"QUICK RUN: {shape.events:,} events, not the 1,000,000 of the target")
    for line in result_lines(results):
        print(line)
    for profile in results.profiles:
        print()
        print(profile)
    if not args.no_write:
        notes = _current_notes(args.docs)
        text_ = section(results, command=command, date=date, machine=machine, notes=notes)
        write_section(args.docs, text_)
        _log(f"\nwrote {args.docs}")
    _log(f"finished in {time.perf_counter() - started:,.0f} s")
    return 0


async def _passes(store: EventStore, engine: AsyncEngine) -> list[PassTiming]:
    """Dry-run passes just after the portfolio's last day (Wednesday 1 January 2025)."""
    found = []
    for day, label, weekday in (
        (date_type(2025, 1, 6), "Monday, weekly digests due (open programmes read whole)", "mon"),
        (date_type(2025, 1, 7), "Tuesday, no digest due (headers and due items only)", "fri"),
    ):
        timing = await reminder_pass(store, engine, day, label, weekday)
        _log(
            f"  {label}: {timing.seconds:.2f} s, {timing.report.due} reminders due to "
            f"{len(timing.report.deliveries)} people"
        )
        found.append(timing)
    return found


async def _sqlite_profile(shape: data.Shape, folder: Path, top: int) -> str:
    async with sqlite_portfolio(shape) as (reader, _):
        return await profile_closure(reader, shape, folder / "closure-sqlite.prof", top)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.projections",
        description="Benchmark catch-up, as-of closure reports and projector lag.",
    )
    parser.add_argument("--quick", action="store_true", help="100,000 events, 10 s of lag")
    parser.add_argument("--programmes", type=int, help="programmes of 2,000 events (500)")
    parser.add_argument("--sqlite-programmes", type=int, help="programmes stored in SQLite (50)")
    parser.add_argument("--order", choices=("interleaved", "grouped"), default="interleaved")
    parser.add_argument("--runs", type=int, default=50, help="closure report runs")
    parser.add_argument("--rate", type=float, default=500.0, help="appends per second")
    parser.add_argument("--lag-seconds", type=float, help="seconds of paced writes (20)")
    parser.add_argument(
        "--warm-up", type=float, default=5.0, help="seconds of writes on the cold projector (5)"
    )
    parser.add_argument(
        "--concentrated",
        type=int,
        default=50,
        help="also measure writes over only this many programmes (50; 0 skips it)",
    )
    parser.add_argument("--no-lag", action="store_true", help="skip the lag scenario")
    parser.add_argument("--profile", action="store_true", help="also profile (cProfile)")
    parser.add_argument("--top", type=int, default=25, help="profile lines to print")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TRACKER_BENCH_POSTGRES")
        or os.environ.get("TRACKER_TEST_POSTGRES")
        or pg.DEFAULT_ADMIN_DSN,
        help="an admin DSN: a database is created there and dropped afterwards",
    )
    parser.add_argument("--docs", type=Path, default=DEFAULT_DOCS)
    parser.add_argument("--no-write", action="store_true", help="print only, write no docs")
    parser.add_argument("--writer", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.programmes = args.programmes or (50 if args.quick else 500)
    args.sqlite_programmes = args.sqlite_programmes or min(args.programmes, 50)
    args.lag_seconds = args.lag_seconds or (10.0 if args.quick else 20.0)
    if min(args.programmes, args.sqlite_programmes, args.runs) < 1 or args.rate <= 0:
        parser.error("counts and the rate must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.writer:
        asyncio.run(writer_main(args.writer, args.rate, args.lag_seconds, args.programmes))
        return 0
    words = sys.argv[1:] if argv is None else argv
    command = " ".join(["python -m benchmarks.projections", *map(shlex.quote, words)])
    return asyncio.run(run(args, command))


if __name__ == "__main__":
    raise SystemExit(main())
