"""What the shared write limit costs a write: `python -m benchmarks.ratelimit`.

For each database (a SQLite file in a temporary folder; a fresh PostgreSQL database at
``TRACKER_BENCH_POSTGRES``, default ``postgresql://postgres@127.0.0.1:5432/postgres``): the app
in this process (``create_app`` under Litestar's test client: no network, no other load), an
admin token and one RAID item; then ``--writes`` writes (``POST /risks/{id}/updates``) with the
limiter as shipped (one upsert in ``rate_limit_windows`` per write) and as many with a limiter
that counts nothing, in alternating blocks of 20 so that drift (the risk's stream growing, the
file or the server warming) falls on both alike; and the limiter's own call, alone, as many
times. Prints the median and the 99th percentile of each, in milliseconds. (Issue 14, finding 11.)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient

from api.app import create_app
from api.ratelimit import RateLimiter
from benchmarks.store import postgres as pg
from tracker.auth.tokens import issue_token
from tracker.clock import SystemClock
from tracker.db import create_engine
from tracker.events.open import open_store
from tracker.migrations import upgrade_async
from tracker.settings import ApiSettings, Settings

BLOCK = 20


class NoLimit:
    """The limiter left out: counts nothing."""

    async def hit(self, token_id: str, bucket: str) -> None:
        del token_id, bucket


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def summary(label: str, values: list[float]) -> str:
    return (
        f"{label:<34} median {statistics.median(values):6.2f} ms   "
        f"p99 {percentile(values, 99):6.2f} ms   (n={len(values)})"
    )


async def admin_token(url: str) -> str:
    settings = Settings(database_url=url)
    store, engine = open_store(settings), create_engine(settings)
    try:
        issued = await issue_token(
            engine, store, SystemClock(), email="bench@tracker.example", scope="admin"
        )
    finally:
        await store.close()
        await engine.dispose()
    return issued.secret


async def given_risk(client: AsyncTestClient[Any], admin: dict[str, str]) -> str:
    body = {"key": "bench", "name": "Bench", "start": "2026-01-05", "planned_end": "2026-12-31"}
    answer = await client.post("/api/v1/programmes", json=body, headers=admin)
    assert answer.status_code == 201, answer.text
    risk = {
        "kind": "risk",
        "title": "Supplier",
        "description": "The supplier may be late",
        "impact": 3,
        "likelihood": 2,
        "owner": "bench@tracker.example",
    }
    answer = await client.post("/api/v1/programmes/bench/risks", json=risk, headers=admin)
    assert answer.status_code == 201, answer.text
    found: str = answer.json()["id"]
    return found


async def measure(url: str, writes: int) -> list[str]:
    limits = ApiSettings(token_cache_seconds=5, writes_per_minute=10_000_000)
    app = create_app(Settings(database_url=url), api_settings=limits, run_projector=False)
    admin = {"Authorization": f"Bearer {await admin_token(url)}"}
    timings: dict[str, list[float]] = {"with": [], "without": [], "alone": []}
    async with AsyncTestClient(app) as client:
        services = app.state.services
        shipped: RateLimiter = services.limiter
        risk = await given_risk(client, admin)
        path = f"/api/v1/risks/{risk}/updates"
        for _ in range(BLOCK):  # warm both paths up
            await client.post(path, json={"note": "warm-up"}, headers=admin)
        done = 0
        while done < writes:
            for label, limiter in (("with", shipped), ("without", NoLimit())):
                services.limiter = limiter
                for n in range(BLOCK):
                    started = time.perf_counter()
                    answer = await client.post(path, json={"note": f"{label} {n}"}, headers=admin)
                    timings[label].append((time.perf_counter() - started) * 1000)
                    assert answer.status_code == 200, answer.text
            done += BLOCK
        services.limiter = shipped
    # Alone, on an engine of this event loop (the test client runs the app on its own).
    engine = create_engine(Settings(database_url=url))
    alone = RateLimiter(engine, {"write": 10_000_000})
    try:
        for _ in range(writes + BLOCK):
            started = time.perf_counter()
            await alone.hit("bench-alone", "write")
            timings["alone"].append((time.perf_counter() - started) * 1000)
    finally:
        await engine.dispose()
    del timings["alone"][:BLOCK]  # warm-up
    with_ms, without_ms = timings["with"], timings["without"]
    return [
        summary("write, with the shared limit", with_ms),
        summary("write, without a limit", without_ms),
        f"{'added':<34} median {statistics.median(with_ms) - statistics.median(without_ms):6.2f} ms"
        f"   p99 {percentile(with_ms, 99) - percentile(without_ms, 99):6.2f} ms",
        summary("the limiter's upsert alone", timings["alone"]),
    ]


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'tracker.db'}"
        await upgrade_async(url)
        print("SQLite (a file, WAL, synchronous=FULL)")
        for line in await measure(url, args.writes):
            print("  " + line)
    async with pg.tracker_database(args.postgres) as dsn:
        print("PostgreSQL (local server)")
        for line in await measure(pg.sqlalchemy_url(dsn), args.writes):
            print("  " + line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ratelimit", description=__doc__)
    parser.add_argument("--writes", type=int, default=200, help="writes each way (default 200)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TRACKER_BENCH_POSTGRES") or pg.DEFAULT_ADMIN_DSN,
        help="an admin DSN of the PostgreSQL server",
    )
    asyncio.run(run(parser.parse_args(argv)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
