"""Where the PostgreSQL server's time goes in a one-event append: ``python -m
benchmarks.store.server_breakdown [--appends 2000] [--writers 1] [--rounds 2]``.

Each variant runs on a fresh database migrated by the tracker's migrations, through
``--writers`` connections of its own (one asyncio task each), and reports the CPU time of those
backends (read from /proc: the server must run on this machine) per append, the wall time per
append and the appends per second. With one writer the server CPU is exactly the cost of these
appends; with 16, the throughput shows what queues behind what (a lock held through a commit
serialises the fsyncs).

Variants: raw (a bare table: read ``max(version)`` and insert in one transaction, four round
trips); ``tracker_append`` as migrated; the same without one piece at a time (the appender
marker, the stream lock, the SHA-256 chain, the critical section); and the same with what
migration 0007 took out put back (the idempotency probe before every append, ``pg_notify``
inside the append's transaction), so the figures show what each cost.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import msgspec

from benchmarks.store import postgres as pg
from benchmarks.store.workload import renamed

_CALL = "SELECT * FROM tracker_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
_MIGRATION = importlib.import_module("tracker.migrations.versions.0007_append_at_pace")
_BEFORE_0007 = importlib.import_module("tracker.migrations.versions.0001_event_store")


def _probe_before_0007() -> str:
    """The idempotency probe as migration 0001's ``tracker_append`` ran it, before the head."""
    (source,) = [s for s in _BEFORE_0007.POSTGRES if "FUNCTION tracker_append(" in s]
    found = re.search(
        r"\n\s*IF EXISTS \(SELECT 1 FROM events WHERE event_id.*?END IF;", source, re.S
    )
    if found is None:
        raise RuntimeError("migration 0001's probe not found: update the variant")
    return found.group(0)


Patch = Callable[[str], str]


def _drop(*pieces: str) -> Patch:
    def patch(source: str) -> str:
        for piece in pieces:
            if piece not in source:
                raise RuntimeError(f"tracker_append no longer holds {piece!r}: update the variant")
            source = source.replace(piece, "")
        return source

    return patch


def _without_hash(source: str) -> str:
    patched, count = re.subn(
        r"v_hash := encode\(sha256\(.*?'hex'\);", "v_hash := v_hash;", source, flags=re.S
    )
    if count != 1:
        raise RuntimeError("tracker_append's hash expression moved: update the variant")
    return patched


def _with_probe_before(source: str) -> str:
    anchor = "    SELECT e.version, e.hash INTO v_head, v_hash"
    if source.count(anchor) != 1:
        raise RuntimeError("tracker_append's head read moved: update the variant")
    return source.replace(anchor, _probe_before_0007() + "\n" + anchor, 1)


def _with_notify(source: str) -> str:
    anchor = "RETURNING e.position, e.version, e.hash::TEXT, FALSE;"
    if source.count(anchor) != 1:
        raise RuntimeError("tracker_append's insert moved: update the variant")
    return source.replace(anchor, anchor + "\n    PERFORM pg_notify('tracker_events', '');", 1)


_CRITICAL = (
    "PERFORM pg_advisory_lock(1953653099, 1);",
    "PERFORM pg_advisory_unlock(1953653099, 1);",
)
VARIANTS: dict[str, Patch | None] = {
    "raw: bare table, SELECT max + INSERT (4 round trips)": None,
    "tracker_append as migrated": lambda source: source,
    "  without the appender marker (shared advisory lock)": _drop(
        "PERFORM pg_advisory_xact_lock_shared(1953653099, 3);"
    ),
    "  without the stream lock": _drop(
        "PERFORM pg_advisory_xact_lock(hashtextextended(p_stream, 0));"
    ),
    "  without the SHA-256 chain": _without_hash,
    "  without the critical section": _drop(*_CRITICAL),
    "  plus the probe before every append (before 0007)": _with_probe_before,
    "  plus pg_notify in the transaction (before 0007)": _with_notify,
}


def _cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100


async def _variant(admin: str, label: str, patch: Patch | None, appends: int, writers: int) -> str:
    data = msgspec.json.encode(renamed(0, 1, 0)).decode()
    async with pg.tracker_database(admin) as dsn:
        conns = [await asyncpg.connect(dsn) for _ in range(writers)]
        try:
            await conns[0].execute(pg.RAW_SCHEMA)
            if patch is not None:
                await conns[0].execute(patch(_MIGRATION.APPEND))
            pids = [await c.fetchval("SELECT pg_backend_pid()") for c in conns]
            versions: dict[str, int] = {}
            now = datetime.now(UTC)

            async def step(conn: asyncpg.Connection, w: int, k: int) -> None:
                stream = f"person:w{w}-{k % 10}"
                if patch is None:
                    await pg.raw_append_on(conn, stream, [data])
                    return
                version = versions.get(stream, 0)
                await conn.fetch(
                    _CALL,
                    stream,
                    version,
                    [uuid.uuid4()],
                    ["PersonRenamed"],
                    [1],
                    [data],
                    ["{}"],
                    None,
                    [now],
                    now,
                )
                versions[stream] = version + 1

            async def writer(w: int, first: int, count: int) -> None:
                for k in range(first, first + count):
                    await step(conns[w], w, k)

            await asyncio.gather(*(writer(w, 0, 50) for w in range(writers)))
            per_writer = max(1, appends // writers)
            server = sum(_cpu_of(p) for p in pids)
            wall = time.perf_counter()
            await asyncio.gather(*(writer(w, 50, per_writer) for w in range(writers)))
            wall = time.perf_counter() - wall
            server = sum(_cpu_of(p) for p in pids) - server
            total = per_writer * writers
        finally:
            for c in conns:
                await c.close()
    return (
        f"  {label:56} server {server / total * 1e6:5.0f} us CPU | wall "
        f"{wall / total * 1e6:5.0f} us | {total / wall:7,.0f} appends/s"
    )


async def run(admin: str, appends: int, writers: int, rounds: int) -> None:
    for r in range(rounds):
        print(
            f"one-event appends, {writers} connection(s), fresh database each "
            f"(round {r + 1} of {rounds}):",
            flush=True,
        )
        for label, patch in VARIANTS.items():
            print(await _variant(admin, label, patch, appends, writers), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.store.server_breakdown")
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument("--writers", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--postgres", default=pg.DEFAULT_ADMIN_DSN)
    args = parser.parse_args(argv)
    asyncio.run(run(args.postgres, args.appends, args.writers, args.rounds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
