"""``python -m benchmarks.store``: run the event-store benchmark and write docs/performance.md.

Every scenario gets a fresh database (PostgreSQL: a new database, migrated for the tracker;
SQLite: a new file). Within one scenario the subjects run in rotating order, repeat after
repeat, so that a noisy neighbour hurts them alike; the figure is the median of the repeats.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shlex
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from benchmarks.store import memory as memory_check
from benchmarks.store import postgres as pg
from benchmarks.store import report
from benchmarks.store import sqlite as sq
from benchmarks.store.workload import (
    WARMUP_TRANSACTIONS,
    AppendCase,
    Figures,
    Measurement,
    ReadCase,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DOCS = REPO_ROOT / "docs" / "performance.md"
BACKENDS = ("postgres", "sqlite")
SHAPES = ((1, 1), (1, 16), (10, 1), (10, 16))
"""(events per transaction, writers) of the append scenarios."""
PG_CONCURRENT_MIN_REPEATS = 2
"""The 16-writer PostgreSQL cases always run at least twice."""

AppendRunner = Callable[[AppendCase], Awaitable[Measurement]]
ReadRunner = Callable[[ReadCase], Awaitable[list[Measurement]]]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.store",
        description="Benchmark the tracker's event stores against raw drivers and eventsourcing.",
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: small and once")
    parser.add_argument("--events", type=int, help="events per append scenario (default 4,000)")
    parser.add_argument(
        "--read-events", type=int, help="events stored and read by read-all (default 50,000)"
    )
    parser.add_argument("--page", type=int, default=1000, help="read-all page size")
    parser.add_argument("--repeats", type=int, help="runs per scenario, median kept (default 3)")
    parser.add_argument("--only", choices=BACKENDS, help="one store only")
    parser.add_argument(
        "--subjects",
        default="tracker,raw,peer",
        help="comma-separated subset of tracker,raw,peer (default all three)",
    )
    parser.add_argument(
        "--memory-events",
        type=int,
        help="events for the PostgreSQL memory check (default 1,000,000; --quick 100,000)",
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the memory check")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TRACKER_BENCH_POSTGRES")
        or os.environ.get("TRACKER_TEST_POSTGRES")
        or pg.DEFAULT_ADMIN_DSN,
        help="an admin DSN of the PostgreSQL server: databases are created and dropped there",
    )
    parser.add_argument("--docs", type=Path, default=DEFAULT_DOCS, help="the file to update")
    parser.add_argument("--no-write", action="store_true", help="print only, write no docs")
    args = parser.parse_args(argv)
    args.events = args.events or (800 if args.quick else 4000)
    args.read_events = args.read_events or (10_000 if args.quick else 50_000)
    args.repeats = args.repeats or (1 if args.quick else 3)
    args.memory_events = args.memory_events or (100_000 if args.quick else 1_000_000)
    subjects = [s.strip() for s in args.subjects.split(",") if s.strip()]
    unknown = set(subjects) - set(report.SUBJECTS)
    if unknown or not subjects:
        parser.error(f"--subjects takes tracker, raw and/or peer, not {sorted(unknown)}")
    args.subjects = [s for s in report.SUBJECTS if s in subjects]
    for name in ("events", "read_events", "page", "repeats", "memory_events"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _append_runners(backend: str, admin_dsn: str) -> dict[str, AppendRunner]:
    if backend == "postgres":
        return {
            "tracker": lambda c: pg.tracker_append(admin_dsn, c),
            "raw": lambda c: pg.raw_append(admin_dsn, c),
            "peer": lambda c: pg.peer_append(admin_dsn, c),
        }
    return {"tracker": sq.tracker_append, "raw": sq.raw_append, "peer": sq.peer_append}


def _read_runners(backend: str, admin_dsn: str) -> dict[str, ReadRunner]:
    if backend == "postgres":
        return {
            "tracker": lambda c: pg.tracker_read(admin_dsn, c),
            "raw": lambda c: pg.raw_read(admin_dsn, c),
            "peer": lambda c: pg.peer_read(admin_dsn, c),
        }
    return {"tracker": sq.tracker_read, "raw": sq.raw_read, "peer": sq.peer_read}


async def _run_backend(args: argparse.Namespace, backend: str) -> list[report.Scenario]:
    scenarios: list[report.Scenario] = []
    runners = _append_runners(backend, args.postgres)
    for batch, writers in SHAPES:
        case = AppendCase(writers=writers, batch=batch, requested_events=args.events)
        scenario = report.Scenario(backend, case.key, case.label, case.events)
        repeats = args.repeats
        if backend == "postgres" and writers > 1:
            repeats = max(repeats, PG_CONCURRENT_MIN_REPEATS)
        for r in range(repeats):
            order = (
                args.subjects[r % len(args.subjects) :] + args.subjects[: r % len(args.subjects)]
            )
            for subject in order:
                measured = await runners[subject](case)
                scenario.figures.setdefault(subject, Figures()).runs.append(measured)
                _log(
                    f"  {backend:8} {case.label:36} {subject:7} run {r + 1}/{repeats}: "
                    f"{measured.rate:>9,.0f} ev/s ({measured.seconds:.2f} s)"
                )
        scenarios.append(scenario)
    read_case = ReadCase(events=args.read_events, page=args.page, repeats=args.repeats)
    scenario = report.Scenario(backend, read_case.key, read_case.label, read_case.events)
    for subject in args.subjects:
        measured_runs = await _read_runners(backend, args.postgres)[subject](read_case)
        scenario.figures[subject] = Figures(measured_runs)
        rates = " / ".join(f"{m.rate:,.0f}" for m in measured_runs)
        _log(f"  {backend:8} {read_case.label:36} {subject:7}: {rates} ev/s")
    scenarios.append(scenario)
    return scenarios


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_total() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _load() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


async def _machine(args: argparse.Namespace) -> list[str]:
    lines = [
        f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {_cpu_model()}, "
        f"{_memory_total()} RAM, {platform.system()} {platform.release()}",
        f"Python {platform.python_version()} ({sys.implementation.name}); "
        + ", ".join(
            f"{name} {_version(name)}"
            for name in (
                "asyncpg",
                "aiosqlite",
                "SQLAlchemy",
                "msgspec",
                "eventsourcing",
                "psycopg",
                "psycopg-binary",
            )
        ),
    ]
    if args.only != "sqlite":
        facts = await pg.server_facts(args.postgres)
        lines.append(
            f"PostgreSQL {facts['version']} on the same machine (127.0.0.1): synchronous_commit="
            f"{facts['synchronous_commit']}, fsync={facts['fsync']}, wal_sync_method="
            f"{facts['wal_sync_method']}, shared_buffers={facts['shared_buffers']}"
        )
    if args.only != "postgres":
        facts = sq.facts()
        lines.append(
            f"SQLite {facts['version']}, on local disk; WAL; tracker and raw set "
            f"synchronous=FULL, eventsourcing keeps the library default "
            f"({facts['default_synchronous']})"
        )
    return lines


def _method(args: argparse.Namespace) -> list[str]:
    return [
        "**tracker**: the tracker's stores through `tracker.events.open.open_store` "
        "(`PostgresEventStore` on asyncpg, `SqliteEventStore` on the `sqlite3` module with one "
        "writer thread and four reader threads), on a fresh database migrated by "
        "`tracker.migrations`; writers append `PersonRenamed` "
        "events with the exact expected version, read-all uses `read_all(after, limit)`.",
        "**raw**: the floor, hand-written on a bare table `(position, stream_id, version, type, "
        "data)` with a unique `(stream_id, version)` key: in one transaction read "
        "`max(version)` of the stream, insert version + 1 (ten rows in one `unnest` insert or "
        "`executemany`); asyncpg with the server's durable commits on PostgreSQL, aiosqlite in "
        "WAL mode with synchronous=FULL and one connection per writer on SQLite. Read-all: "
        "select pages by position, msgspec-decode each row into `PersonRenamed`, fold.",
        f"**peer**: `eventsourcing` {_version('eventsourcing')} (its `eventsourcing.postgres` "
        "and `eventsourcing.sqlite` persistence modules): an `Application` saving `Aggregate`s, "
        "one `save` per transaction with one or ten new aggregate events; its writers are "
        "threads (its API is synchronous). Read-all: the application's notification log in "
        "pages, each notification decoded by the application's mapper, fold.",
        "Append: writer w appends to its own ten streams (`s{w}-{k % 10}`), one append after "
        f"another; each writer first makes {WARMUP_TRANSACTIONS} warm-up appends, untimed. "
        "Figures are events per second over the wall time of all writers. Tracker and raw "
        "writers are asyncio tasks in one process; the peer's are threads. Everything, "
        "PostgreSQL included, runs on this one machine.",
        f"{args.events:,} events requested per append scenario (rounded down to whole "
        f"appends per writer), {args.repeats} run(s) per scenario "
        f"({max(args.repeats, PG_CONCURRENT_MIN_REPEATS)} for the 16-writer PostgreSQL ones), "
        "median reported, subjects in rotating order; read-all: "
        f"{args.read_events:,} events filled once per subject, then read {args.repeats} "
        f"time(s) in pages of {args.page:,}.",
        "Targets (issue 15): PostgreSQL, 1 event per transaction with 16 writers, tracker "
        "≥ 0.8x raw and ≥ 3x eventsourcing; SQLite, 1 event per transaction with 1 and 16 "
        "writers, ≥ 0.8x raw and ≥ 2x eventsourcing; both, 10 events per transaction ≥ 0.7x "
        "raw, read-all with decoding ≥ 0.6x raw, reading 1,000,000 events in pages under "
        "200 MB.",
    ]


def _command(argv: list[str] | None) -> str:
    words = sys.argv[1:] if argv is None else argv
    return " ".join(["python -m benchmarks.store", *map(shlex.quote, words)])


async def run(args: argparse.Namespace, command: str) -> int:
    started = time.perf_counter()
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load_at_start = _load()
    machine = await _machine(args)
    _log("Machine: " + " | ".join(machine))
    backends = [args.only] if args.only else list(BACKENDS)
    scenarios: list[report.Scenario] = []
    for backend in backends:
        _log(f"{backend}:")
        scenarios.extend(await _run_backend(args, backend))
    memory: memory_check.MemoryResult | None = None
    if "postgres" in backends and not args.no_memory:
        _log(f"memory check: filling {args.memory_events:,} events into PostgreSQL")
        memory = await memory_check.check(args.postgres, args.memory_events, args.page)
        _log(f"  read {memory.reader.events:,} events, peak RSS {memory.reader.peak_rss_mb:.1f} MB")
    elapsed = time.perf_counter() - started
    machine.append(
        f"Load average (1/5/15 min) at the start {load_at_start}, at the end {_load()}: the "
        f"machine is shared, so compare figures within one run. The run took {elapsed:,.0f} s."
    )
    text = report.section(
        command=command,
        date=date,
        machine=machine,
        method=_method(args),
        scenarios=scenarios,
        memory=memory,
        reduced_memory=memory is not None and memory.events < 1_000_000,
        notes=pg.NOTES,
    )
    print()
    print("\n".join(report.results_table(scenarios)))
    print()
    print("\n".join(report.summary_lines(scenarios, memory)))
    if memory is not None:
        print()
        print("\n".join(report.memory_lines(memory, reduced=memory.events < 1_000_000)))
    if not args.no_write:
        report.write_section(args.docs, text)
        _log(f"\nwrote {args.docs}")
    _log(f"finished in {time.perf_counter() - started:,.0f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return asyncio.run(run(args, _command(argv)))
