"""Where the PostgreSQL server's time goes in a one-event append: ``python -m
benchmarks.store.server_breakdown [--appends 2000] [--rounds 2]``.

One connection, one writer, so that the CPU time of its one backend (read from /proc; the server
must run on this machine) is the server cost of exactly these appends. Each variant runs on a
fresh database migrated by the tracker's migrations; the variants that drop a piece of
``tracker_insert_events`` replace that function in their own scratch database only.

Variants: raw (bare table); the tracker's two functions as migrated; the same without
``pg_notify``; without ``pg_notify`` and the global advisory lock; the tracker's table written
with plain SQL (no functions, no locks); and each function alone with plain SQL for the other.
Then the pieces of ``tracker_prepare_append`` one by one, each in its own transaction.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import msgspec

from benchmarks.store import postgres as pg
from benchmarks.store import tracker_side
from benchmarks.store.workload import new_events, renamed
from tracker.events.codec import GENESIS_HASH
from tracker.events.open import open_store
from tracker.events.prepare import Row, build_rows
from tracker.settings import Settings

Step = Callable[[asyncpg.Connection, int, str], Awaitable[None]]

_PREPARE = "SELECT * FROM tracker_prepare_append($1, $2, $3)"
_INSERT_FN = "SELECT * FROM tracker_insert_events($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
_HEAD = (
    "SELECT version, hash::text AS hash FROM events WHERE stream_id = $1 "
    "ORDER BY version DESC LIMIT 1"
)
_INSERT_PLAIN = (
    "INSERT INTO events (event_id, stream_id, version, type, schema_version, data, metadata, "
    "idempotency_key, occurred_at, recorded_at, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
    "$9, $10, $11) RETURNING position"
)
_NOTIFY = "PERFORM pg_notify('tracker_events', '');"
_LOCK = ("PERFORM pg_advisory_lock(1953653099, 1);", "PERFORM pg_advisory_unlock(1953653099, 1);")
_INSERT_SIGNATURE = (
    "CREATE OR REPLACE FUNCTION tracker_insert_events(p_stream TEXT, p_versions BIGINT[], "
    "p_ids UUID[], p_types TEXT[], p_schemas INT[], p_data TEXT[], p_metadata TEXT[], "
    "p_key TEXT, p_occurred TIMESTAMPTZ[], p_recorded TIMESTAMPTZ[], p_hashes TEXT[]) "
    "RETURNS SETOF BIGINT LANGUAGE plpgsql AS "
)


def _cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100


def _rows(stream: str, k: int, head_version: int, head_hash: str | None) -> list[Row]:
    return build_rows(
        stream,
        new_events(0, k, 1),
        head_version=head_version,
        head_hash=head_hash or GENESIS_HASH,
        recorded_at=datetime.now(UTC),
        idempotency_key=None,
        max_event_bytes=64 * 1024,
    )


async def _head_by_function(conn: asyncpg.Connection, stream: str) -> tuple[int, str | None]:
    head = await conn.fetchrow(_PREPARE, stream, [uuid.uuid4()], None)
    return int(head["head_version"]), head["head_hash"]


async def _head_by_sql(conn: asyncpg.Connection, stream: str) -> tuple[int, str | None]:
    head = await conn.fetchrow(_HEAD, stream)
    return (int(head["version"]), head["hash"]) if head else (0, None)


async def _insert_by_function(conn: asyncpg.Connection, rows: list[Row]) -> None:
    await conn.fetch(
        _INSERT_FN,
        rows[0].stream_id,
        [r.version for r in rows],
        [uuid.UUID(r.event_id) for r in rows],
        [r.type for r in rows],
        [r.schema_version for r in rows],
        [r.data for r in rows],
        [r.metadata for r in rows],
        None,
        [r.occurred_at for r in rows],
        [r.recorded_at for r in rows],
        [r.hash for r in rows],
    )


async def _insert_by_sql(conn: asyncpg.Connection, rows: list[Row]) -> None:
    r = rows[0]
    await conn.fetchval(
        _INSERT_PLAIN,
        uuid.UUID(r.event_id),
        r.stream_id,
        r.version,
        r.type,
        r.schema_version,
        r.data,
        r.metadata,
        None,
        r.occurred_at,
        r.recorded_at,
        r.hash,
    )


def _tracker_step(by_function_head: bool, by_function_insert: bool) -> Step:
    async def step(conn: asyncpg.Connection, k: int, stream: str) -> None:
        async with conn.transaction():
            if by_function_head:
                version, hash_ = await _head_by_function(conn, stream)
            else:
                version, hash_ = await _head_by_sql(conn, stream)
            rows = _rows(stream, k, version, hash_)
            if by_function_insert:
                await _insert_by_function(conn, rows)
            else:
                await _insert_by_sql(conn, rows)

    return step


async def _raw_step(conn: asyncpg.Connection, k: int, stream: str) -> None:
    await pg.raw_append_on(conn, stream, [msgspec.json.encode(renamed(0, k, 0)).decode()])


async def _without(conn: asyncpg.Connection, pieces: tuple[str, ...]) -> None:
    source = await conn.fetchval(
        "SELECT prosrc FROM pg_proc WHERE proname = 'tracker_insert_events'"
    )
    for piece in pieces:
        source = source.replace(piece, "")
    await conn.execute(_INSERT_SIGNATURE + "$fn$" + source + "$fn$")


async def _append_variant(
    admin: str, label: str, step: Step, appends: int, drop: tuple[str, ...] = ()
) -> None:
    async with pg.tracker_database(admin) as dsn:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(pg.RAW_SCHEMA)
            if drop:
                await _without(conn, drop)
            pid = await conn.fetchval("SELECT pg_backend_pid()")
            for k in range(50):
                await step(conn, k, f"person:w{k % 10}")
            server, client, wall = _cpu_of(pid), time.process_time(), time.perf_counter()
            for k in range(50, 50 + appends):
                await step(conn, k, f"person:w{k % 10}")
            wall = time.perf_counter() - wall
            client = time.process_time() - client
            server = _cpu_of(pid) - server
        finally:
            await conn.close()
    print(
        f"  {label:58} server {server / appends * 1e6:5.0f} us CPU | client "
        f"{client / appends * 1e6:5.0f} us CPU | wall {wall / appends * 1e6:5.0f} us",
        flush=True,
    )


_PIECES: dict[str, tuple[str, Callable[[str], tuple[object, ...]]] | None] = {
    "empty transaction (BEGIN; COMMIT)": None,
    "SELECT 1": ("SELECT 1", lambda s: ()),
    "pg_advisory_xact_lock(hashtextextended(stream))": (
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
        lambda s: (s,),
    ),
    "head version and head hash (2 subqueries)": (
        "SELECT (SELECT e.version FROM events e WHERE e.stream_id = $1 ORDER BY e.version "
        "DESC LIMIT 1), (SELECT e.hash::TEXT FROM events e WHERE e.stream_id = $1 ORDER BY "
        "e.version DESC LIMIT 1)",
        lambda s: (s,),
    ),
    "count(event_id = ANY(ids) OR idempotency_key = key)": (
        "SELECT count(*) FROM events e WHERE e.event_id = ANY($1) OR ($2::text IS NOT NULL "
        "AND e.idempotency_key = $2)",
        lambda s: ([uuid.uuid4()], None),
    ),
    "tracker_prepare_append() (all of the above, in PL/pgSQL)": (
        _PREPARE,
        lambda s: (s, [uuid.uuid4()], None),
    ),
}


async def _pieces(admin: str, appends: int) -> None:
    async with pg.tracker_database(admin) as dsn:
        store = open_store(Settings(database_url=pg.sqlalchemy_url(dsn)))
        try:
            await tracker_side.fill(store, 20_000)
        finally:
            await store.close()
        conn = await asyncpg.connect(dsn)
        try:
            pid = await conn.fetchval("SELECT pg_backend_pid()")
            for label, piece in _PIECES.items():

                async def once(
                    k: int, piece: tuple[str, Callable[[str], tuple[object, ...]]] | None = piece
                ) -> None:
                    async with conn.transaction():
                        if piece is not None:
                            await conn.fetch(piece[0], *piece[1](f"person:fill-{k % 100}"))

                for k in range(50):
                    await once(k)
                server = _cpu_of(pid)
                for k in range(appends):
                    await once(k)
                server = _cpu_of(pid) - server
                print(f"  {label:58} server {server / appends * 1e6:5.0f} us CPU", flush=True)
        finally:
            await conn.close()


async def run(admin: str, appends: int, rounds: int) -> None:
    variants: list[tuple[str, Step, tuple[str, ...]]] = [
        ("raw: bare table, SELECT max + INSERT", _raw_step, ()),
        ("tracker: both functions, as migrated", _tracker_step(True, True), ()),
        ("tracker: both functions, no pg_notify", _tracker_step(True, True), (_NOTIFY,)),
        (
            "tracker: both functions, no pg_notify, no global lock",
            _tracker_step(True, True),
            (_NOTIFY, *_LOCK),
        ),
        ("tracker table, plain SQL (no functions, no locks)", _tracker_step(False, False), ()),
        ("tracker_prepare_append() + plain INSERT", _tracker_step(True, False), ()),
        ("plain SELECT head + tracker_insert_events()", _tracker_step(False, True), ()),
    ]
    for r in range(rounds):
        print(f"one-event appends, one connection (round {r + 1} of {rounds}):", flush=True)
        for label, step, drop in variants:
            await _append_variant(admin, label, step, appends, drop)
    print("the pieces of tracker_prepare_append, each in its own transaction:", flush=True)
    await _pieces(admin, appends)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.store.server_breakdown")
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--postgres", default=pg.DEFAULT_ADMIN_DSN)
    args = parser.parse_args(argv)
    asyncio.run(run(args.postgres, args.appends, args.rounds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
