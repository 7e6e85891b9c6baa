"""PostgreSQL: a fresh database per scenario, and the tracker / raw / peer subjects on it.

``raw`` is what a careful hand-written writer does with asyncpg on a bare table: in one
transaction, read the stream's ``max(version)`` and insert ``version + 1`` (the unique
``(stream_id, version)`` key turns a race into a conflict), with the server's durable commits.
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import unquote, urlsplit

import asyncpg
import msgspec

from benchmarks.store import peer, tracker_side
from benchmarks.store.tracker_side import ShortRead
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

DEFAULT_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE_PREFIX = "bench_store"

RAW_SCHEMA = """
CREATE TABLE raw_events (
    position BIGSERIAL PRIMARY KEY,
    stream_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    UNIQUE (stream_id, version)
)
"""
_RAW_HEAD = "SELECT max(version) FROM raw_events WHERE stream_id = $1"
_RAW_INSERT_ONE = "INSERT INTO raw_events (stream_id, version, type, data) VALUES ($1, $2, $3, $4)"
_RAW_INSERT_MANY = (
    "INSERT INTO raw_events (stream_id, version, type, data) "
    "SELECT $1, $2 + u.o - 1, $3, u.d FROM unnest($4::text[]) WITH ORDINALITY AS u(d, o)"
)
_RAW_PAGE = (
    "SELECT position, type, data FROM raw_events WHERE position > $1 ORDER BY position LIMIT $2"
)
_TYPE = "PersonRenamed"
DECODERS: dict[str, msgspec.json.Decoder[PersonRenamed]] = {
    _TYPE: msgspec.json.Decoder(PersonRenamed)
}


def dsn_for(admin_dsn: str, database: str) -> str:
    base, _, _ = admin_dsn.rpartition("/")
    return f"{base}/{database}"


def database_of(dsn: str) -> str:
    return dsn.rpartition("/")[2]


def sqlalchemy_url(dsn: str) -> str:
    return dsn.replace("postgresql://", "postgresql+asyncpg://", 1)


@asynccontextmanager
async def fresh_database(admin_dsn: str, label: str) -> AsyncIterator[str]:
    """An empty database for one scenario, dropped afterwards; yields its libpq DSN."""
    name = f"{DATABASE_PREFIX}_{label}_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield dsn_for(admin_dsn, name)
    finally:
        admin = await asyncpg.connect(admin_dsn)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


async def server_facts(admin_dsn: str) -> dict[str, str]:
    conn = await asyncpg.connect(admin_dsn)
    try:
        facts = {"version": str(await conn.fetchval("SHOW server_version"))}
        for name in ("synchronous_commit", "fsync", "wal_sync_method", "shared_buffers"):
            facts[name] = str(await conn.fetchval(f"SHOW {name}"))
        return facts
    finally:
        await conn.close()


# --- tracker -------------------------------------------------------------------------------


NOTES: list[str] = []
"""Things that happened during the run and belong in the report (e.g. waits for readability)."""
READABLE_TIMEOUT_SECONDS = 1800.0
READ_ATTEMPTS = 3


async def wait_until_readable(dsn: str) -> float:
    """Wait (untimed) until every stored event is visible to the tracker's readers.

    The tracker's readers see only events whose transaction id is below the cluster-wide
    snapshot xmin, so a long transaction in *any* database of the server (another
    application's import, say) holds them back until it ends. Returns the seconds waited.
    """
    conn = await asyncpg.connect(dsn)
    try:
        start = time.perf_counter()
        told = False
        while True:
            row = await conn.fetchrow(
                "SELECT (SELECT max(position) FROM events) AS stored, "
                "(SELECT max(position) FROM events "
                " WHERE tx_id < pg_snapshot_xmin(pg_current_snapshot())) AS readable"
            )
            waited = time.perf_counter() - start
            if row is not None and row["stored"] == row["readable"]:
                if told:
                    note = (
                        f"tracker readers were held back {waited:,.0f} s by an older "
                        "transaction elsewhere in the cluster (untimed wait)"
                    )
                    NOTES.append(note)
                    print(f"    {note}", file=sys.stderr, flush=True)
                return waited
            if not told:
                blockers = await conn.fetch(
                    "SELECT pid, datname, application_name, now() - xact_start AS age "
                    "FROM pg_stat_activity WHERE backend_xid IS NOT NULL "
                    "AND pid <> pg_backend_pid() ORDER BY xact_start LIMIT 3"
                )
                who = ", ".join(
                    f"pid {b['pid']} on {b['datname']} ({b['application_name'] or '?'}, open "
                    f"{b['age']})"
                    for b in blockers
                )
                print(
                    f"    waiting for older transactions to end before reading: {who}",
                    file=sys.stderr,
                    flush=True,
                )
                told = True
            if waited > READABLE_TIMEOUT_SECONDS:
                raise RuntimeError("stored events stayed unreadable: a transaction is stuck")
            await asyncio.sleep(1.0)
    finally:
        await conn.close()


async def vacuum(dsn: str) -> None:
    """After a fill, so that every subject reads freshly analysed, all-visible tables."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


@asynccontextmanager
async def tracker_database(admin_dsn: str) -> AsyncIterator[str]:
    """A fresh database migrated by the tracker's migrations; yields its libpq DSN."""
    async with fresh_database(admin_dsn, "tracker") as dsn:
        await upgrade_async(sqlalchemy_url(dsn))
        yield dsn


async def tracker_append(admin_dsn: str, case: AppendCase) -> Measurement:
    async with tracker_database(admin_dsn) as dsn:
        store = open_store(Settings(database_url=sqlalchemy_url(dsn)))
        try:
            return await tracker_side.append(store, case, database_of(dsn))
        finally:
            await store.close()


async def tracker_read(admin_dsn: str, case: ReadCase) -> list[Measurement]:
    async with tracker_database(admin_dsn) as dsn:
        store = open_store(Settings(database_url=sqlalchemy_url(dsn)))
        try:
            await tracker_side.fill(store, case.events, concurrency=2)
            await vacuum(dsn)
            database = database_of(dsn)
            runs: list[Measurement] = []
            for _ in range(case.repeats):
                for attempt in range(1, READ_ATTEMPTS + 1):
                    await wait_until_readable(dsn)
                    try:
                        runs.append(await tracker_side.read_all(store, case, database))
                        break
                    except ShortRead:
                        if attempt == READ_ATTEMPTS:
                            raise
                        NOTES.append("a tracker read-all run came up short and was repeated")
            return runs
        finally:
            await store.close()


# --- raw -----------------------------------------------------------------------------------


async def raw_append_on(conn: asyncpg.Connection, stream: str, data: list[str]) -> None:
    async with conn.transaction():
        head = await conn.fetchval(_RAW_HEAD, stream)
        version = (head or 0) + 1
        if len(data) == 1:
            await conn.execute(_RAW_INSERT_ONE, stream, version, _TYPE, data[0])
        else:
            await conn.execute(_RAW_INSERT_MANY, stream, version, _TYPE, data)


def _raw_data(writer: int, transaction: int, batch: int) -> list[str]:
    return [msgspec.json.encode(renamed(writer, transaction, i)).decode() for i in range(batch)]


async def raw_append(admin_dsn: str, case: AppendCase) -> Measurement:
    async with fresh_database(admin_dsn, "raw") as dsn:
        pool = await asyncpg.create_pool(dsn, min_size=case.writers, max_size=case.writers)
        try:
            await pool.execute(RAW_SCHEMA)

            async def warm(w: int) -> None:
                for k in range(WARMUP_TRANSACTIONS):
                    async with pool.acquire() as conn:
                        await raw_append_on(conn, f"warmup-{w}", _raw_data(w, k, case.batch))

            await run_writers(case.writers, warm)

            async def write(w: int) -> None:
                for k in range(case.transactions):
                    data = _raw_data(w, k, case.batch)
                    async with pool.acquire() as conn:
                        await raw_append_on(conn, stream_key(w, k), data)

            return await timed_writers(case.writers, write, case.events, database_of(dsn))
        finally:
            await pool.close()


async def _raw_fill(conn: asyncpg.Connection, events: int) -> None:
    chunk = 1000
    for start in range(0, events, chunk):
        size = min(chunk, events - start)
        stream = f"fill-{start // chunk}"
        await conn.execute(_RAW_INSERT_MANY, stream, 1, _TYPE, _raw_data(0, start, size))


async def _raw_read_on(conn: asyncpg.Connection, case: ReadCase, database: str) -> Measurement:
    meter = Meter(database)
    counts: dict[str, int] = {}
    after = 0
    total = 0
    while True:
        rows = await conn.fetch(_RAW_PAGE, after, case.page)
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


async def raw_read(admin_dsn: str, case: ReadCase) -> list[Measurement]:
    async with fresh_database(admin_dsn, "raw") as dsn:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(RAW_SCHEMA)
            await _raw_fill(conn, case.events)
            await conn.execute("VACUUM ANALYZE")
            database = database_of(dsn)
            return [await _raw_read_on(conn, case, database) for _ in range(case.repeats)]
        finally:
            await conn.close()


# --- peer (eventsourcing) ------------------------------------------------------------------


def peer_env(dsn: str, pool_size: int) -> dict[str, str]:
    parts = urlsplit(dsn)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": parts.path.lstrip("/"),
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_POOL_SIZE": str(pool_size),
        "POSTGRES_MAX_OVERFLOW": "0",
        "CREATE_TABLE": "y",
    }


async def peer_append(admin_dsn: str, case: AppendCase) -> Measurement:
    async with fresh_database(admin_dsn, "peer") as dsn:
        env = peer_env(dsn, case.writers)
        return await asyncio.to_thread(peer.append, env, case, database_of(dsn))


async def peer_read(admin_dsn: str, case: ReadCase) -> list[Measurement]:
    async with fresh_database(admin_dsn, "peer") as dsn:
        env = peer_env(dsn, 2)
        app = await asyncio.to_thread(peer.filled_app, env, case)
        try:
            await vacuum(dsn)
            database = database_of(dsn)
            return [
                await asyncio.to_thread(peer.read, app, case, database) for _ in range(case.repeats)
            ]
        finally:
            await asyncio.to_thread(app.close)
