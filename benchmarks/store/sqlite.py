"""SQLite: a fresh database file per scenario, and the tracker / raw / peer subjects on it.

``raw`` is aiosqlite on a bare table with the raw PostgreSQL schema, in WAL mode with
``synchronous=FULL`` (the tracker's setting: a commit is durable when it returns), one
connection per writer; a write is ``BEGIN IMMEDIATE``, ``max(version)``, insert, ``COMMIT``.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite
import msgspec

from benchmarks.store import peer, tracker_side
from benchmarks.store.workload import (
    WARMUP_TRANSACTIONS,
    AppendCase,
    Measurement,
    Meter,
    ReadCase,
    fold,
    renamed,
    run_writers,
    stream_key,
    timed_writers,
)
from tracker.events.open import open_store
from tracker.events.people import PersonRenamed
from tracker.migrations import upgrade_async
from tracker.settings import Settings

BUSY_TIMEOUT_MS = 30_000
RAW_SCHEMA = """
CREATE TABLE raw_events (
    position INTEGER PRIMARY KEY,
    stream_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (stream_id, version)
)
"""
_RAW_HEAD = "SELECT max(version) FROM raw_events WHERE stream_id = ?"
_RAW_INSERT = "INSERT INTO raw_events (stream_id, version, type, data) VALUES (?, ?, ?, ?)"
_RAW_PAGE = (
    "SELECT position, type, data FROM raw_events WHERE position > ? ORDER BY position LIMIT ?"
)
_TYPE = "PersonRenamed"
DECODERS: dict[str, msgspec.json.Decoder[PersonRenamed]] = {
    _TYPE: msgspec.json.Decoder(PersonRenamed)
}


@asynccontextmanager
async def fresh_directory(label: str) -> AsyncIterator[Path]:
    directory = Path(tempfile.mkdtemp(prefix=f"bench_store_{label}_"))
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def facts() -> dict[str, str]:
    """The SQLite library version and the default ``synchronous`` of a WAL connection."""
    with tempfile.TemporaryDirectory() as directory:
        conn = sqlite3.connect(Path(directory) / "probe.db")
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            synchronous = conn.execute("PRAGMA synchronous").fetchone()[0]
        finally:
            conn.close()
    names = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
    return {"version": sqlite3.sqlite_version, "default_synchronous": names.get(synchronous, "?")}


# --- tracker -------------------------------------------------------------------------------


@asynccontextmanager
async def tracker_url() -> AsyncIterator[str]:
    async with fresh_directory("tracker") as directory:
        url = f"sqlite+aiosqlite:///{directory / 'tracker.db'}"
        await upgrade_async(url)
        yield url


async def tracker_append(case: AppendCase) -> Measurement:
    async with tracker_url() as url:
        store = open_store(Settings(database_url=url))
        try:
            return await tracker_side.append(store, case, None)
        finally:
            await store.close()


async def tracker_read(case: ReadCase) -> list[Measurement]:
    async with tracker_url() as url:
        store = open_store(Settings(database_url=url))
        try:
            await tracker_side.fill(store, case.events)
            return [await tracker_side.read_all(store, case, None) for _ in range(case.repeats)]
        finally:
            await store.close()


# --- raw -----------------------------------------------------------------------------------


async def _connect(path: Path) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    await conn.execute("PRAGMA journal_mode=WAL")
    await conn.execute("PRAGMA synchronous=FULL")
    await conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return conn


async def _raw_append_on(conn: aiosqlite.Connection, stream: str, data: list[str]) -> None:
    await conn.execute("BEGIN IMMEDIATE")
    try:
        async with conn.execute(_RAW_HEAD, (stream,)) as cursor:
            row = await cursor.fetchone()
        version = ((row[0] if row else None) or 0) + 1
        if len(data) == 1:
            await conn.execute(_RAW_INSERT, (stream, version, _TYPE, data[0]))
        else:
            await conn.executemany(
                _RAW_INSERT, [(stream, version + i, _TYPE, d) for i, d in enumerate(data)]
            )
        await conn.execute("COMMIT")
    except BaseException:
        await conn.execute("ROLLBACK")
        raise


def _raw_data(writer: int, transaction: int, batch: int) -> list[str]:
    return [msgspec.json.encode(renamed(writer, transaction, i)).decode() for i in range(batch)]


async def raw_append(case: AppendCase) -> Measurement:
    async with fresh_directory("raw") as directory:
        path = directory / "raw.db"
        connections = [await _connect(path) for _ in range(case.writers)]
        try:
            await connections[0].execute(RAW_SCHEMA)

            async def warm(w: int) -> None:
                for k in range(WARMUP_TRANSACTIONS):
                    await _raw_append_on(connections[w], f"warmup-{w}", _raw_data(w, k, case.batch))

            await run_writers(case.writers, warm)

            async def write(w: int) -> None:
                for k in range(case.transactions):
                    data = _raw_data(w, k, case.batch)
                    await _raw_append_on(connections[w], stream_key(w, k), data)

            return await timed_writers(case.writers, write, case.events, None)
        finally:
            for conn in connections:
                await conn.close()


async def _raw_read_on(conn: aiosqlite.Connection, case: ReadCase) -> Measurement:
    meter = Meter(None)
    counts: dict[str, int] = {}
    after = 0
    total = 0
    while True:
        async with conn.execute(_RAW_PAGE, (after, case.page)) as cursor:
            rows = list(await cursor.fetchall())
        if not rows:
            break
        for row in rows:
            fold(counts, DECODERS[row[1]].decode(row[2]))
        total += len(rows)
        after = rows[-1][0]
    measured = meter.stop(total)
    if total != case.events:
        raise RuntimeError(f"raw read {total} events, expected {case.events}")
    return measured


async def raw_read(case: ReadCase) -> list[Measurement]:
    async with fresh_directory("raw") as directory:
        conn = await _connect(directory / "raw.db")
        try:
            await conn.execute(RAW_SCHEMA)
            chunk = 1000
            for start in range(0, case.events, chunk):
                size = min(chunk, case.events - start)
                await _raw_append_on(conn, f"fill-{start // chunk}", _raw_data(0, start, size))
            return [await _raw_read_on(conn, case) for _ in range(case.repeats)]
        finally:
            await conn.close()


# --- peer (eventsourcing) ------------------------------------------------------------------


def peer_env(path: Path) -> dict[str, str]:
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(path),
        "SQLITE_LOCK_TIMEOUT": str(BUSY_TIMEOUT_MS // 1000),
        "CREATE_TABLE": "y",
    }


async def peer_append(case: AppendCase) -> Measurement:
    async with fresh_directory("peer") as directory:
        return await asyncio.to_thread(peer.append, peer_env(directory / "peer.db"), case, None)


async def peer_read(case: ReadCase) -> list[Measurement]:
    async with fresh_directory("peer") as directory:
        app = await asyncio.to_thread(peer.filled_app, peer_env(directory / "peer.db"), case)
        try:
            return [
                await asyncio.to_thread(peer.read, app, case, None) for _ in range(case.repeats)
            ]
        finally:
            await asyncio.to_thread(app.close)
