"""What keeping closure report PDFs saves: `python -m benchmarks.pdf_cache`.

The five seeded programmes in a SQLite file in a temporary folder; the app in this process
(``create_app`` under Litestar's test client: no network), signed in to the pages as Glyn Peach
(R on the BTLS roster). For ``--renders`` different as-of dates of the BTLS closure report, the
PDF is asked for once (made: the cache does not hold it) and then ``--hits`` times (kept: the
cache answers). The reference is the uncached rendering itself, measured in the same run:
prints the median and worst of each, wall time and this process's CPU time per request, and
the ratio. (Issue 14, finding 10.)
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient

from api.app import create_app
from seed import load_seed
from tracker.auth.tokens import issue_token
from tracker.clock import SystemClock
from tracker.db import create_engine
from tracker.events.open import open_store
from tracker.migrations import upgrade_async
from tracker.settings import ApiSettings, Settings

BTLS = "btls-transition"
READER = "glyn.peach@lancashire.example"
CSRF_FIELD = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def seeded(url: str) -> str:
    """The seed loaded; a member token for ``READER``."""
    await upgrade_async(url)
    clock = SystemClock()
    settings = Settings(database_url=url)
    store, engine = open_store(settings, clock=clock), create_engine(settings)
    try:
        await load_seed(store, clock)
        issued = await issue_token(engine, store, clock, email=READER, scope="member")
    finally:
        await store.close()
        await engine.dispose()
    return issued.secret


async def sign_in(client: AsyncTestClient[Any], token: str) -> None:
    found = CSRF_FIELD.search((await client.get("/sign-in")).text)
    assert found is not None
    form = {"_csrf_token": found.group(1), "token": token, "next": "/"}
    answer = await client.post("/sign-in", data=form)
    assert answer.status_code == 200, answer.text


async def timed(client: AsyncTestClient[Any], path: str) -> tuple[float, float, bytes]:
    """Wall and CPU milliseconds of one request, and the body."""
    wall, cpu = time.perf_counter(), time.process_time()
    answer = await client.get(path)
    wall_ms = (time.perf_counter() - wall) * 1000
    cpu_ms = (time.process_time() - cpu) * 1000
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    return wall_ms, cpu_ms, answer.content


def line(label: str, wall: list[float], cpu: list[float]) -> str:
    return (
        f"{label:<22} wall median {statistics.median(wall):8.1f} ms  worst {max(wall):8.1f} ms"
        f"   CPU median {statistics.median(cpu):8.1f} ms   (n={len(wall)})"
    )


async def measure(url: str, renders: int, hits: int) -> list[str]:
    token = await seeded(url)
    limits = ApiSettings(expensive_reads_per_minute=1_000_000)
    app = create_app(Settings(database_url=url), api_settings=limits, run_projector=True)
    made: dict[str, list[float]] = {"wall": [], "cpu": []}
    kept: dict[str, list[float]] = {"wall": [], "cpu": []}
    size = 0
    async with AsyncTestClient(app) as client:
        await sign_in(client, token)
        base = f"/programmes/{BTLS}/closure-report.pdf"
        await timed(client, base)  # fonts, templates and the read model warmed once
        for n in range(renders):
            as_of = (date(2021, 4, 30) - timedelta(days=n)).isoformat()
            path = f"{base}?as_of={as_of}"
            wall, cpu, body = await timed(client, path)
            made["wall"].append(wall)
            made["cpu"].append(cpu)
            size = len(body)
            for _ in range(hits):
                wall, cpu, again = await timed(client, path)
                assert again == body
                kept["wall"].append(wall)
                kept["cpu"].append(cpu)
    ratio = statistics.median(made["wall"]) / statistics.median(kept["wall"])
    return [
        f"BTLS closure report PDF, {size:,} bytes, {renders} as-of dates",
        line("made (not in cache)", made["wall"], made["cpu"]),
        line("kept (from memory)", kept["wall"], kept["cpu"]),
        f"{'kept / made':<22} {ratio:,.0f}x faster at the median",
    ]


async def main(renders: int, hits: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'tracker.db'}"
        for text in await measure(url, renders, hits):
            print(text)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=8, help="as-of dates (default 8)")
    parser.add_argument("--hits", type=int, default=10, help="requests after each (default 10)")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.renders, arguments.hits))
