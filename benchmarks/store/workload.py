"""What every subject (tracker, raw, peer) does, so that their figures compare.

Append: ``writers`` concurrent writers; writer ``w`` makes ``transactions`` appends of ``batch``
events each, the k-th to its own stream ``s{w}-{k % 10}``, checking the stream's version on
every append (each subject in its own way: expected version, max(version) + 1, aggregate
version). Events are small ``PersonRenamed`` facts.

Read-all: read every event in pages of ``page`` by position, decode each one into its typed
event, and fold the events into a count per type.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tracker.events.base import NewEvent
from tracker.events.people import PersonRenamed

OCCURRED_AT = datetime(2024, 1, 2, 9, 30, tzinfo=UTC)
"""Every benchmark event happened at this (past) instant."""

STREAMS_PER_WRITER = 10
WARMUP_TRANSACTIONS = 2
"""Appends each writer makes before the clock starts (connections opened, statements prepared)."""


@dataclass(frozen=True)
class AppendCase:
    writers: int
    batch: int
    requested_events: int

    @property
    def transactions(self) -> int:
        """Appends per writer: at least one, and the requested events rounded down."""
        return max(1, self.requested_events // (self.batch * self.writers))

    @property
    def events(self) -> int:
        return self.transactions * self.batch * self.writers

    @property
    def key(self) -> str:
        return f"append-{self.batch}x{self.writers}"

    @property
    def label(self) -> str:
        per = "1 event/txn" if self.batch == 1 else f"{self.batch} events/txn"
        who = "1 writer" if self.writers == 1 else f"{self.writers} writers"
        return f"append, {per}, {who}"


@dataclass(frozen=True)
class ReadCase:
    events: int
    page: int
    repeats: int

    key = "read-all"

    @property
    def label(self) -> str:
        return f"read-all, pages of {self.page:,}, decode + fold"


@dataclass(frozen=True)
class Measurement:
    events: int
    seconds: float
    client_cpu: float | None = None
    """CPU seconds of this process (all its threads) during the timed part."""
    server_cpu: float | None = None
    """CPU seconds of the PostgreSQL backends serving the scenario's database (None on SQLite,
    whose work runs inside this process and counts as client CPU)."""

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else float("inf")

    @property
    def client_us_per_event(self) -> float | None:
        return None if self.client_cpu is None else self.client_cpu / self.events * 1e6

    @property
    def server_us_per_event(self) -> float | None:
        return None if self.server_cpu is None else self.server_cpu / self.events * 1e6


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def backend_cpu(database: str) -> dict[int, float]:
    """CPU seconds so far of each local PostgreSQL backend connected to ``database``, found by
    its process title (``postgres: ... user database host(port) state``)."""
    found: dict[int, float] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            title = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if not title.startswith("postgres:") or f" {database} " not in title:
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[int(proc.name)] = (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
    return found


class Meter:
    """Wall time, this process's CPU time and the database's backends' CPU time, together."""

    def __init__(self, database: str | None) -> None:
        self._database = database
        self._backends = backend_cpu(database) if database else {}
        self._cpu = time.process_time()
        self._start = time.perf_counter()

    def stop(self, events: int) -> Measurement:
        seconds = time.perf_counter() - self._start
        client = time.process_time() - self._cpu
        server = None
        if self._database:
            after = backend_cpu(self._database)
            if after:
                server = sum(cpu - self._backends.get(pid, 0.0) for pid, cpu in after.items())
        return Measurement(events, seconds, client, server)


@dataclass
class Figures:
    """All runs of one subject in one scenario; the median rate is the figure."""

    runs: list[Measurement] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return statistics.median(m.rate for m in self.runs)

    @property
    def client_us_per_event(self) -> float | None:
        values = [m.client_us_per_event for m in self.runs]
        return (
            statistics.median(v for v in values if v is not None)
            if all(v is not None for v in values)
            else None
        )

    @property
    def server_us_per_event(self) -> float | None:
        values = [m.server_us_per_event for m in self.runs]
        return (
            statistics.median(v for v in values if v is not None)
            if all(v is not None for v in values)
            else None
        )


def stream_key(writer: int, transaction: int) -> str:
    return f"s{writer}-{transaction % STREAMS_PER_WRITER}"


def tracker_stream(writer: int, transaction: int) -> str:
    """The tracker's stream ids are ``category:identifier``."""
    return f"person:{stream_key(writer, transaction)}"


def email_of(writer: int, transaction: int) -> str:
    return f"{stream_key(writer, transaction)}@bench.example"


def renamed(writer: int, transaction: int, index: int) -> PersonRenamed:
    return PersonRenamed(
        email=email_of(writer, transaction), name=f"Person {writer}-{transaction}-{index}"
    )


def new_events(writer: int, transaction: int, batch: int) -> list[NewEvent]:
    return [
        NewEvent(data=renamed(writer, transaction, i), occurred_at=OCCURRED_AT)
        for i in range(batch)
    ]


def fold(counts: dict[str, int], event: object) -> None:
    """The trivial fold: a count of events per (decoded) type."""
    name = type(event).__name__
    counts[name] = counts.get(name, 0) + 1


async def run_writers(writers: int, write: Callable[[int], Awaitable[None]]) -> None:
    """Run ``write(w)`` for every writer concurrently, until the last one ends."""
    await asyncio.gather(*(write(w) for w in range(writers)))


async def timed_writers(
    writers: int, write: Callable[[int], Awaitable[None]], events: int, database: str | None
) -> Measurement:
    meter = Meter(database)
    await run_writers(writers, write)
    return meter.stop(events)
