"""Where the tracker's append (or read-all) time goes: one scenario under cProfile.

``python -m benchmarks.store.profile [--store postgres|sqlite] [--writers 16] [--batch 1]
[--events 4000] [--read] [--top 30] [--out stats.prof]``

It prints the functions with the most own CPU time and the most cumulative CPU time (the
profiler's clock is the process's CPU time), plus the client
process's CPU seconds against the wall time (on a shared two-core machine the server and the
client compete for the same cores). For a sampling view of the same run use py-spy, e.g.
``py-spy record -o append.svg -- python -m benchmarks.store.profile --no-cprofile``.

On SQLite the store's work runs on its own writer and reader threads
(``tracker/events/sqlite_driver.py``), which cProfile does not see: the CPU seconds printed
include them, the function table shows only the event loop's side. Use py-spy there (it
samples every thread: ``py-spy record --threads ...``).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from benchmarks.store import postgres as pg
from benchmarks.store import sqlite as sq
from benchmarks.store import tracker_side
from benchmarks.store.workload import AppendCase, ReadCase
from tracker.events.open import open_store
from tracker.events.store import EventStore
from tracker.settings import Settings


@asynccontextmanager
async def _store(kind: str, admin_dsn: str) -> AsyncIterator[tuple[EventStore, str | None]]:
    """A fresh store, and the name of its PostgreSQL database (None on SQLite)."""
    if kind == "postgres":
        async with pg.tracker_database(admin_dsn) as dsn:
            store = open_store(Settings(database_url=pg.sqlalchemy_url(dsn)))
            try:
                yield store, pg.database_of(dsn)
            finally:
                await store.close()
    else:
        async with sq.tracker_url() as url:
            store = open_store(Settings(database_url=url))
            try:
                yield store, None
            finally:
                await store.close()


async def _run(args: argparse.Namespace, profiler: cProfile.Profile | None) -> None:
    async with _store(args.store, args.postgres) as (store, database):
        if args.read:
            case = ReadCase(events=args.events, page=1000, repeats=1)
            await tracker_side.fill(store, case.events)
        wall = time.perf_counter()
        cpu = time.process_time()
        if profiler is not None:
            profiler.enable()
        if args.read:
            measured = await tracker_side.read_all(store, case, database)
        else:
            append = AppendCase(
                writers=args.writers, batch=args.batch, requested_events=args.events
            )
            measured = await tracker_side.append(store, append, database)
        if profiler is not None:
            profiler.disable()
        wall = time.perf_counter() - wall
        cpu = time.process_time() - cpu
    server = measured.server_us_per_event
    print(
        f"{measured.events:,} events, {measured.rate:,.0f} ev/s; client process: {cpu:.2f} s CPU "
        f"in {wall:.2f} s wall ({cpu / wall:.0%} of one core); per event: client "
        f"{measured.client_us_per_event or 0:,.0f} us CPU, PostgreSQL backends "
        + ("n/a" if server is None else f"{server:,.0f} us CPU")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.store.profile")
    parser.add_argument("--store", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--read", action="store_true", help="profile read-all instead")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--out", type=Path, help="also save the pstats file here")
    parser.add_argument("--no-cprofile", action="store_true", help="run without cProfile")
    parser.add_argument("--postgres", default=pg.DEFAULT_ADMIN_DSN)
    args = parser.parse_args(argv)
    # CPU time, not wall time: on a busy machine a wall-clock profile charges the time the
    # process spends preempted (e.g. after waking the server in socket.send) to whatever ran.
    profiler = None if args.no_cprofile else cProfile.Profile(time.process_time)
    asyncio.run(_run(args, profiler))
    if profiler is None:
        return 0
    if args.out:
        profiler.dump_stats(args.out)
    for order in ("tottime", "cumulative"):
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).sort_stats(order).print_stats(args.top)
        print(f"\n=== by {order} ===")
        print(buffer.getvalue().split("\n", 4)[-1] if "ncalls" in buffer.getvalue() else "")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
