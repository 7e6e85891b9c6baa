"""``python -m benchmarks.consistency_designs``: the two designs for consistent reads, side by side.

Issue 13 leaves two designs open for "a read shows every write answered before it":

(a) **inline**: the programme's own read-model rows are written in the same transaction as the
    append (Marten's inline projections). A read is then one primary-key query.
(b) **rows + tail**: the append stays as it is; an asynchronous projector keeps the rows, and a
    read takes, in ONE statement (one snapshot), the programme's header row, the projector's
    checkpoint and every event committed after that checkpoint; it folds the events of its
    programme onto the rows. Nothing waits.

Both are measured here on PostgreSQL on a fresh database migrated by the tracker's own
migrations, with the tracker's own ``tracker_append`` function, in one run:

* appends: 16 writers, one event an append, spread over 500 programmes of 20 items; (a) wraps
  each append in a transaction that also reads the item's row, folds the event into it and
  writes it back, and moves the programme header's position; (b) is the plain append.
* reads: 16 concurrent readers of one programme's header: (a) one primary-key query; (b) the
  header + checkpoint + tail statement, with a tail of 0 and of 25 events (the typical tail
  while 500 events/s arrive and the projector commits every ~50 ms).

The figures and the choice they led to are in docs/projections.md ("Consistent reads: the
design") and docs/performance.md. This is a design benchmark: it prototypes (a) with plain SQL
rather than building a second read model.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import asyncpg
import msgspec

from benchmarks.store.postgres import DEFAULT_ADMIN_DSN, dsn_for
from tracker.migrations import upgrade_async

PROGRAMMES = 500
ITEMS = 20
WRITERS = 16
READERS = 16

_PROTO = [
    """CREATE TABLE proto_headers (key TEXT PRIMARY KEY, position BIGINT NOT NULL,
       document TEXT NOT NULL)""",
    """CREATE TABLE proto_items (item_id TEXT PRIMARY KEY, programme_key TEXT NOT NULL,
       position BIGINT NOT NULL, document TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS projection_checkpoints (name TEXT PRIMARY KEY,
       position BIGINT NOT NULL, events BIGINT NOT NULL DEFAULT 0, updated_at TEXT)""",
]

_APPEND = "SELECT * FROM tracker_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
_TAIL_READ = """
WITH cp AS (SELECT COALESCE((SELECT position FROM projection_checkpoints WHERE name = 'proto'),
                            0) AS c)
SELECT 0 AS part, h.position, h.document AS body, NULL::TEXT AS type
FROM proto_headers h WHERE h.key = $1
UNION ALL SELECT 1, cp.c, NULL, NULL FROM cp
UNION ALL (SELECT 2, e.position, e.data, e.type FROM events e
           WHERE e.position > (SELECT c FROM cp) ORDER BY e.position LIMIT 500)
"""


class Item(msgspec.Struct):
    id: str
    title: str
    state: str = "planned"
    approvals: list[str] = []


def _programme(i: int) -> str:
    return f"proto-{i:04d}"


def _item_id(programme: int, item: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"proto/{programme}/{item}"))


async def _prepare(dsn: str) -> None:
    await upgrade_async(dsn.replace("postgresql://", "postgresql+asyncpg://", 1))
    conn = await asyncpg.connect(dsn)
    try:
        for statement in _PROTO:
            await conn.execute(statement)
        await conn.executemany(
            "INSERT INTO proto_headers VALUES ($1, 0, $2)",
            [(_programme(p), '{"name":"x","roster":{}}') for p in range(PROGRAMMES)],
        )
        await conn.executemany(
            "INSERT INTO proto_items VALUES ($1, $2, 0, $3)",
            [
                (
                    _item_id(p, i),
                    _programme(p),
                    msgspec.json.encode(Item(id=_item_id(p, i), title=f"Item {i}")).decode(),
                )
                for p in range(PROGRAMMES)
                for i in range(ITEMS)
            ],
        )
        await conn.execute(
            "INSERT INTO projection_checkpoints (name, position, updated_at) "
            "VALUES ('proto', 0, '')"
        )
    finally:
        await conn.close()


def _append_args(stream: str, expected: int) -> tuple[object, ...]:
    now = datetime.now(UTC)
    data = '{"actor":"approver@example.org","deliverable_id":"x","on_behalf_of":null}'
    return (
        stream,
        expected,
        [uuid.uuid4()],
        ["PersonRenamed"],
        [2],
        [data],
        ['{"actor":"approver@example.org"}'],
        None,
        [now],
        now,
    )


_item_decoder = msgspec.json.Decoder(Item)


async def _writer(
    pool: asyncpg.Pool,
    index: int,
    inline: bool,
    until: float,
    latencies: list[float],
    round_: int,
) -> int:
    count = 0
    versions: dict[str, int] = {}
    n = index
    while time.perf_counter() < until:
        programme, item = n % PROGRAMMES, (n // PROGRAMMES) % ITEMS
        n += WRITERS
        item_id = _item_id(programme, item)
        stream = f"proto-{round_}:{item_id}"
        expected = versions.get(stream, 0)
        started = time.perf_counter()
        async with pool.acquire() as conn:
            if not inline:
                rows = await conn.fetch(_APPEND, *_append_args(stream, expected))
            else:
                async with conn.transaction():
                    rows = await conn.fetch(_APPEND, *_append_args(stream, expected))
                    position = rows[0]["o_position"]
                    found = await conn.fetchval(
                        "SELECT document FROM proto_items WHERE item_id = $1 FOR UPDATE", item_id
                    )
                    state = _item_decoder.decode(found)
                    state.approvals.append("approver@example.org")
                    state.state = "submitted"
                    await conn.execute(
                        "UPDATE proto_items SET position = $2, document = $3 WHERE item_id = $1",
                        item_id,
                        position,
                        msgspec.json.encode(state).decode(),
                    )
                    await conn.execute(
                        "UPDATE proto_headers SET position = $2 WHERE key = $1",
                        _programme(programme),
                        position,
                    )
        latencies.append(time.perf_counter() - started)
        versions[stream] = expected + 1
        count += 1
    return count


async def _appends(
    pool: asyncpg.Pool, inline: bool, seconds: float, round_: int
) -> tuple[float, list[float]]:
    latencies: list[float] = []
    until = time.perf_counter() + seconds
    started = time.perf_counter()
    counts = await asyncio.gather(
        *(_writer(pool, i, inline, until, latencies, round_) for i in range(WRITERS))
    )
    return sum(counts) / (time.perf_counter() - started), latencies


async def _reads(
    pool: asyncpg.Pool, read: Callable[[asyncpg.Connection, str], Awaitable[object]], seconds: float
) -> tuple[float, list[float]]:
    latencies: list[float] = []
    until = time.perf_counter() + seconds

    async def reader(index: int) -> int:
        count, n = 0, index
        while time.perf_counter() < until:
            key = _programme(n % PROGRAMMES)
            n += READERS
            started = time.perf_counter()
            async with pool.acquire() as conn:
                await read(conn, key)
            latencies.append(time.perf_counter() - started)
            count += 1
        return count

    started = time.perf_counter()
    counts = await asyncio.gather(*(reader(i) for i in range(READERS)))
    return sum(counts) / (time.perf_counter() - started), latencies


def _ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _line(label: str, rate: float, latencies: list[float], unit: str) -> str:
    return (
        f"| {label} | {rate:,.0f} {unit}/s | {1000 * statistics.median(latencies):.2f} ms "
        f"| {_ms(latencies, 0.99):.2f} ms |"
    )


async def run(admin_dsn: str, seconds: float) -> list[str]:
    database = f"bench_designs_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(admin_dsn)
    await admin.execute(f'CREATE DATABASE "{database}"')
    dsn = dsn_for(admin_dsn, database)
    lines = [
        "| subject | rate | median | p99 |",
        "|---|--:|--:|--:|",
    ]
    try:
        await _prepare(dsn)
        pool = await asyncpg.create_pool(dsn, min_size=WRITERS, max_size=WRITERS + 2)
        try:
            for round_, inline in enumerate((False, True, False, True)):
                rate, lat = await _appends(pool, inline, seconds, round_)
                label = (
                    "(a) append + item row + header, one transaction"
                    if inline
                    else ("(b) plain append (tracker_append)")
                )
                lines.append(_line(label, rate, lat, "appends"))

            async def header(conn: asyncpg.Connection, key: str) -> object:
                return await conn.fetchrow(
                    "SELECT position, document FROM proto_headers WHERE key = $1", key
                )

            async def tail(conn: asyncpg.Connection, key: str) -> object:
                return await conn.fetch(_TAIL_READ, key)

            head = await pool.fetchval("SELECT max(position) FROM events")
            await pool.execute("UPDATE projection_checkpoints SET position = $1", head)
            for label, read in (
                ("(a) header row by primary key", header),
                ("(b) header + checkpoint + tail of 0", tail),
            ):
                rate, lat = await _reads(pool, read, seconds)
                lines.append(_line(label, rate, lat, "reads"))
            await pool.execute("UPDATE projection_checkpoints SET position = $1", head - 25)
            rate, lat = await _reads(pool, tail, seconds)
            lines.append(_line("(b) header + checkpoint + tail of 25", rate, lat, "reads"))
        finally:
            await pool.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.close()
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin-dsn", default=DEFAULT_ADMIN_DSN)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args(argv)
    for line in asyncio.run(run(args.admin_dsn, args.seconds)):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
