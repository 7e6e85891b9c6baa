"""The subject under test: the tracker's stores, through their public ``EventStore`` API."""

from __future__ import annotations

import asyncio
import sys
import time

from benchmarks.store.workload import (
    WARMUP_TRANSACTIONS,
    AppendCase,
    Measurement,
    Meter,
    ReadCase,
    fold,
    new_events,
    run_writers,
    timed_writers,
    tracker_stream,
)
from tracker.events.store import EventStore

FILL_BATCH = 1000
"""Events per append when filling a store for reading (the store's largest append)."""
FILL_STREAMS = 100


class ShortRead(RuntimeError):
    """A read-all returned fewer events than were stored (on PostgreSQL: visibility was held
    back by an older transaction in the cluster while reading)."""


async def append(store: EventStore, case: AppendCase, database: str | None) -> Measurement:
    """Warm up, then time ``case`` on ``store``; each append checks the exact expected version.

    ``database`` names the PostgreSQL database whose backends' CPU time is measured."""

    async def warm(w: int) -> None:
        for k in range(WARMUP_TRANSACTIONS):
            await store.append(f"warmup:w{w}", new_events(w, k, case.batch), k * case.batch)

    await run_writers(case.writers, warm)
    versions: dict[str, int] = {}

    async def write(w: int) -> None:
        for k in range(case.transactions):
            stream = tracker_stream(w, k)
            result = await store.append(
                stream, new_events(w, k, case.batch), versions.get(stream, 0)
            )
            versions[stream] = result.last_version

    return await timed_writers(case.writers, write, case.events, database)


async def fill(
    store: EventStore, events: int, *, concurrency: int = 1, progress: bool = False
) -> Measurement:
    """Store ``events`` events fast through the store's own append, in appends of 1,000.

    Every event gets its real hash chain: this is the ordinary append path with large batches.
    Task ``t`` of ``concurrency`` owns the streams ``person:fill-{j}`` with ``j % concurrency ==
    t``, so concurrent tasks never contend for a stream.
    """
    appends = -(-events // FILL_BATCH)
    versions: dict[str, int] = {}
    done = 0
    start = time.perf_counter()

    async def task(t: int) -> None:
        nonlocal done
        for a in range(t, appends, concurrency):
            size = min(FILL_BATCH, events - a * FILL_BATCH)
            stream = f"person:fill-{a % FILL_STREAMS}"
            result = await store.append(
                stream, new_events(a % FILL_STREAMS, a, size), versions.get(stream, 0)
            )
            versions[stream] = result.last_version
            done += size
            if progress and (done // FILL_BATCH) % 100 == 0:
                rate = done / (time.perf_counter() - start)
                print(f"    filled {done:,} events ({rate:,.0f}/s)", file=sys.stderr, flush=True)

    await asyncio.gather(*(task(t) for t in range(concurrency)))
    return Measurement(events, time.perf_counter() - start)


async def read_all(store: EventStore, case: ReadCase, database: str | None) -> Measurement:
    """Read every event in pages, decoded by the store, and fold them into counts per type."""
    meter = Meter(database)
    counts: dict[str, int] = {}
    after = 0
    total = 0
    while True:
        page = await store.read_all(after, case.page)
        if not page:
            break
        for event in page:
            fold(counts, event.data)
        total += len(page)
        after = page[-1].position
    measured = meter.stop(total)
    if total != case.events:
        raise ShortRead(f"tracker read {total} events, expected {case.events}")
    return measured
