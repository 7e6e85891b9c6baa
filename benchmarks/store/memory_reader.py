"""The memory check's child: ``python -m benchmarks.store.memory_reader URL EVENTS PAGE``.

It reads every event of a tracker PostgreSQL database in pages through the store, decodes and
folds them, and prints one JSON object. It imports only what a reader needs.

Peak memory is the kernel's high-water mark of this process image (``VmHWM``), not
``ru_maxrss``: Linux carries the parent's ``ru_maxrss`` into a child through fork and exec, so
a child started by a big parent would report the parent's size.
"""

from __future__ import annotations

import asyncio
import sys
import time

import msgspec

from tracker.events.open import open_store
from tracker.settings import Settings


class ReaderReport(msgspec.Struct, frozen=True):
    events: int
    seconds: float
    peak_rss_mb: float
    """``VmHWM``: the largest resident size this process ever had, imports included (or the
    largest sample, if larger: the kernel's per-thread RSS counters lag a little)."""
    rss_before_read_mb: float
    """``VmRSS`` after the imports and the connection pool, before the first page."""
    max_sampled_rss_mb: float
    """The largest ``VmRSS`` sampled after each page."""


def _status_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status (Linux only)")


def _fold(counts: dict[str, int], event: object) -> None:
    name = type(event).__name__
    counts[name] = counts.get(name, 0) + 1


async def read(url: str, events: int, page: int) -> ReaderReport:
    store = open_store(Settings(database_url=url))
    try:
        await store.head_position()  # the pool is open before the baseline is taken
        before = _status_mb("VmRSS")
        sampled = before
        counts: dict[str, int] = {}
        after = 0
        total = 0
        start = time.perf_counter()
        while True:
            batch = await store.read_all(after, page)
            if not batch:
                break
            for event in batch:
                _fold(counts, event.data)
            total += len(batch)
            after = batch[-1].position
            sampled = max(sampled, _status_mb("VmRSS"))
        seconds = time.perf_counter() - start
    finally:
        await store.close()
    if total != events or sum(counts.values()) != events:
        raise RuntimeError(f"the reader read {total} events, expected {events}")
    return ReaderReport(
        events=total,
        seconds=seconds,
        peak_rss_mb=max(_status_mb("VmHWM"), sampled),
        rss_before_read_mb=before,
        max_sampled_rss_mb=sampled,
    )


def main(argv: list[str]) -> int:
    url, events, page = argv[0], int(argv[1]), int(argv[2])
    report = asyncio.run(read(url, events, page))
    sys.stdout.write(msgspec.json.encode(report).decode() + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
