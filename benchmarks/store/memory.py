"""Memory of a full read: a separate process reads every event of a big PostgreSQL store in
pages through the tracker's store, folds them, and reports its peak RSS.

The parent fills a fresh tracker database through the store's own append (1,000 events an
append, two appends in flight, real hash chains) and times the fill; the child is
``benchmarks.store.memory_reader``, which prints one JSON object.
"""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import msgspec

from benchmarks.store import postgres as pg
from benchmarks.store import tracker_side
from benchmarks.store.memory_reader import ReaderReport
from tracker.events.open import open_store
from tracker.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class MemoryResult:
    events: int
    page: int
    fill_seconds: float
    reader: ReaderReport

    @property
    def fill_rate(self) -> float:
        return self.events / self.fill_seconds

    @property
    def read_rate(self) -> float:
        return self.reader.events / self.reader.seconds


async def check(admin_dsn: str, events: int, page: int) -> MemoryResult:
    async with pg.tracker_database(admin_dsn) as dsn:
        url = pg.sqlalchemy_url(dsn)
        store = open_store(Settings(database_url=url))
        try:
            filled = await tracker_side.fill(store, events, concurrency=2, progress=True)
        finally:
            await store.close()
        await pg.vacuum(dsn)
        report: ReaderReport | None = None
        for _ in range(pg.READ_ATTEMPTS):
            await pg.wait_until_readable(dsn)
            report = await _read_in_child(url, events, page)
            if report is not None:
                break
            pg.NOTES.append("the memory reader failed (e.g. came up short) and was run again")
        if report is None:
            raise RuntimeError("the memory reader kept failing (see its output above)")
    return MemoryResult(events=events, page=page, fill_seconds=filled.seconds, reader=report)


async def _read_in_child(url: str, events: int, page: int) -> ReaderReport | None:
    """Run the reader process; its report, or None if it failed (e.g. read too few events)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.store.memory_reader",
        url,
        str(events),
        str(page),
        stdout=asyncio.subprocess.PIPE,
        cwd=REPO_ROOT,
        env=env,
    )
    out, _ = await child.communicate()
    if child.returncode != 0:
        return None
    return msgspec.json.decode(out.strip().splitlines()[-1], type=ReaderReport)
