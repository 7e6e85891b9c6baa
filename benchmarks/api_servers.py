"""The two HTTP servers the API benchmark drives, each its own process, served alike.

- ``minimal``: the floor. A Litestar app with one endpoint reading one row by primary key
  through an asyncpg pool and answering it as JSON; no auth, no framework extras.
- ``tracker``: ``api.app.create_app`` as ``tracker serve --no-projector`` builds it, the way
  compose.yaml deploys it (bearer tokens, the read model; the projector is its own process,
  ``tracker projector``, started by the benchmark beside it).

Both run in uvicorn with the same options (one process, default event loop, no access log),
so the difference between them is the application.

``python -m benchmarks.api_servers minimal|tracker PORT`` (``TRACKER_DATABASE_URL`` names the
database).
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import msgspec
import uvicorn
from litestar import Litestar, get
from litestar.datastructures import State

from tracker.db import asyncpg_dsn
from tracker.settings import load_settings

ROWS = 1000
SETUP_SQL = (
    "CREATE TABLE IF NOT EXISTS bench_rows (id INTEGER PRIMARY KEY, name TEXT NOT NULL, "
    "payload TEXT NOT NULL)"
)


class Row(msgspec.Struct, frozen=True):
    id: int
    name: str
    payload: str


async def create_rows(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(SETUP_SQL)
        await conn.executemany(
            "INSERT INTO bench_rows VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            [(i, f"row {i}", "x" * 200) for i in range(1, ROWS + 1)],
        )
    finally:
        await conn.close()


@get("/rows/{row_id:int}")
async def read_row(row_id: int, state: State) -> Row:
    pool: asyncpg.Pool = state.pool
    record = await pool.fetchrow("SELECT id, name, payload FROM bench_rows WHERE id = $1", row_id)
    return Row(id=record["id"], name=record["name"], payload=record["payload"])


def minimal_app(dsn: str) -> Litestar:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(dsn, min_size=10, max_size=20)
        try:
            yield
        finally:
            await app.state.pool.close()

    return Litestar(route_handlers=[read_row], lifespan=[lifespan])


def main(argv: list[str]) -> int:
    which, port = argv[0], int(argv[1])
    settings = load_settings()
    if which == "minimal":
        app = minimal_app(asyncpg_dsn(settings.database_url))
    else:
        from api.app import create_app

        app = create_app(settings, run_projector=False)
        gc.collect()
        gc.freeze()  # as ``tracker serve`` does after start-up
    print(f"{which} serving on {port} (pid {os.getpid()})", flush=True)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
