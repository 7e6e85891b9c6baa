"""The peer: the ``eventsourcing`` library from PyPI, used as its documentation shows.

An ``Application`` saves aggregates; each writer keeps its ten aggregates (its ten streams) in
memory, triggers ``batch`` events on one of them and saves it: one ``app.save`` is one
transaction, and the recorder's ``(originator_id, originator_version)`` key is its version
check. The library's APIs are synchronous, so the writers are threads. Reading goes through
the application's notification log and its mapper (which decodes each stored event).
"""

from __future__ import annotations

import threading
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from benchmarks.store.workload import (
    STREAMS_PER_WRITER,
    WARMUP_TRANSACTIONS,
    AppendCase,
    Measurement,
    Meter,
    ReadCase,
    email_of,
    fold,
)

FILL_AGGREGATES = 10
FILL_EVENTS_PER_AGGREGATE = 100


class BenchPerson(Aggregate):
    @event("Registered")
    def __init__(self, email: str, name: str) -> None:
        self.email = email
        self.name = name

    @event("Renamed")
    def rename(self, name: str) -> None:
        self.name = name


class BenchApp(Application[UUID]):
    log_section_size = 10_000


def _batch(
    aggregates: dict[int, BenchPerson], writer: int, transaction: int, batch: int
) -> BenchPerson:
    """``batch`` new events on the writer's aggregate for this transaction (a new aggregate's
    first event is its ``Registered`` event)."""
    slot = transaction % STREAMS_PER_WRITER
    aggregate = aggregates.get(slot)
    first = 0
    if aggregate is None:
        aggregate = BenchPerson(
            email=email_of(writer, transaction), name=f"Person {writer}-{transaction}-0"
        )
        aggregates[slot] = aggregate
        first = 1
    for i in range(first, batch):
        aggregate.rename(f"Person {writer}-{transaction}-{i}")
    return aggregate


def _run_threads(
    writers: int, target: Any, events: int = 0, database: str | None = None
) -> Measurement:
    """Start ``writers`` threads running ``target(w)`` together, measured until all have ended."""
    barrier = threading.Barrier(writers + 1)
    errors: list[BaseException] = []

    def run(w: int) -> None:
        barrier.wait()
        try:
            target(w)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,), daemon=True) for w in range(writers)]
    for thread in threads:
        thread.start()
    barrier.wait()
    meter = Meter(database)
    for thread in threads:
        thread.join()
    measured = meter.stop(events)
    if errors:
        raise errors[0]
    return measured


def append(env: dict[str, str], case: AppendCase, database: str | None) -> Measurement:
    app = BenchApp(env=env)
    try:

        def warm(w: int) -> None:
            aggregates: dict[int, BenchPerson] = {}
            for _ in range(WARMUP_TRANSACTIONS):
                app.save(_batch(aggregates, w, 0, case.batch))

        _run_threads(case.writers, warm)

        def write(w: int) -> None:
            aggregates: dict[int, BenchPerson] = {}
            for k in range(case.transactions):
                app.save(_batch(aggregates, w, k, case.batch))

        return _run_threads(case.writers, write, case.events, database)
    finally:
        app.close()


def filled_app(env: dict[str, str], case: ReadCase) -> BenchApp:
    """An application holding ``case.events`` events, saved 1,000 to a transaction."""
    app = BenchApp(env=env)
    per_save = FILL_AGGREGATES * FILL_EVENTS_PER_AGGREGATE
    stored = 0
    while stored < case.events:
        size = min(per_save, case.events - stored)
        aggregates: list[BenchPerson] = []
        for start in range(0, size, FILL_EVENTS_PER_AGGREGATE):
            count = min(FILL_EVENTS_PER_AGGREGATE, size - start)
            aggregate = BenchPerson(email=f"fill-{stored + start}@bench.example", name="0")
            for i in range(1, count):
                aggregate.rename(str(i))
            aggregates.append(aggregate)
        app.save(*aggregates)
        stored += size
    return app


def read(app: BenchApp, case: ReadCase, database: str | None) -> Measurement:
    """Read the whole notification log in pages, decode every event and fold."""
    meter = Meter(database)
    counts: dict[str, int] = {}
    start = 1
    total = 0
    while True:
        notifications = app.notification_log.select(start, case.page)
        if not notifications:
            break
        for notification in notifications:
            fold(counts, app.mapper.to_domain_event(notification))
        total += len(notifications)
        start = notifications[-1].id + 1
    measured = meter.stop(total)
    if total != case.events:
        raise RuntimeError(f"eventsourcing read {total} events, expected {case.events}")
    return measured
