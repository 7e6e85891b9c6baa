"""The SQLite store's own threads (``tracker/events/sqlite_driver.py``): what a single writer
with group commit must keep true beyond the shared contract."""

from __future__ import annotations

import asyncio
import multiprocessing
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tracker.clock import FixedClock
from tracker.errors import PreconditionFailed, StoreUnavailable
from tracker.events.base import NewEvent
from tracker.events.people import PersonRenamed
from tracker.events.sqlite_driver import SqliteConnections
from tracker.events.sqlite_store import SqliteEventStore
from tracker.events.store import Precondition
from tracker.settings import Settings


def renamed(clock: FixedClock, name: str) -> NewEvent:
    return NewEvent(data=PersonRenamed(email="a@x.example", name=name), occurred_at=clock.now())


def _child_event() -> NewEvent:
    return NewEvent(
        data=PersonRenamed(email="child@x.example", name="Child"),
        occurred_at=datetime(2021, 1, 1, tzinfo=UTC),
    )


def _append_with_inherited_store(store: SqliteEventStore, result: Any) -> None:
    """In a forked child, with the parent's store object (its threads did not come along)."""

    async def go() -> int:
        appended = await store.append("person:inherited@x.example", [_child_event()], 0)
        assert await store.stream_version("person:a@x.example") == 1  # a read, too
        return appended.last_version

    result.put(asyncio.run(go()))


async def test_a_forked_child_appends_through_a_store_it_inherited(
    sqlite_url: str, clock: FixedClock
) -> None:
    store = SqliteEventStore(Settings(database_url=sqlite_url), clock=clock)
    try:
        await store.append("person:a@x.example", [renamed(clock, "parent")], 0)  # threads up
        assert await store.stream_version("person:a@x.example") == 1
        context = multiprocessing.get_context("fork")
        result = context.SimpleQueue()
        child = context.Process(target=_append_with_inherited_store, args=(store, result))
        child.start()
        await asyncio.to_thread(child.join, 30)
        if child.is_alive():
            child.kill()
        assert child.exitcode == 0, "the child hung or failed on the parent's writer thread"
        assert result.get() == 1
        assert await store.stream_version("person:inherited@x.example") == 1
        await store.append("person:a@x.example", [renamed(clock, "parent again")], 1)
    finally:
        await store.close()


async def test_a_failed_write_in_a_group_leaves_the_others_and_the_connection_usable(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "driver.db")
    db = SqliteConnections(path, busy_timeout_ms=1000)
    try:
        await db.write(lambda conn, _: conn.execute("CREATE TABLE t (x INTEGER UNIQUE)"))

        def insert(value: int) -> object:
            return lambda conn, _: conn.execute("INSERT INTO t VALUES (?)", (value,)).rowcount

        outcomes = await asyncio.gather(
            *(db.write(insert(v)) for v in (1, 2, 2, 3)), return_exceptions=True
        )
        assert [type(o).__name__ for o in outcomes].count("IntegrityError") == 1
        assert sorted(o for o in outcomes if isinstance(o, int)) == [1, 1, 1]

        def values(conn: sqlite3.Connection) -> list[int]:
            return [row[0] for row in conn.execute("SELECT x FROM t ORDER BY x")]

        assert await db.read(values) == [1, 2, 3]
        # A statement SQLite itself refuses is this write's error, not the next one's.
        with pytest.raises(StoreUnavailable):
            await db.write(lambda conn, _: conn.execute("SELECT * FROM no_such_table"))
        await db.write(insert(4))
        assert await db.read(values) == [1, 2, 3, 4]
    finally:
        db.close()


async def test_a_precondition_is_read_under_the_write_lock_so_one_of_a_group_wins(
    sqlite_url: str, clock: FixedClock
) -> None:
    """Eight appends, each on the condition that the log is empty, all queued at once (one
    group, one transaction): the first stores, each later one sees its events and stores
    nothing. Read before the write lock, as on PostgreSQL, all eight would have found it
    empty."""
    store = SqliteEventStore(Settings(database_url=sqlite_url), clock=clock)
    empty = Precondition(sql="SELECT count(*) FROM events", expected=0)
    try:
        outcomes = await asyncio.gather(
            *(
                store.append(f"person:p{n}@x.example", [renamed(clock, f"P{n}")], 0,
                             precondition=empty)
                for n in range(8)
            ),
            return_exceptions=True,
        )  # fmt: skip
        refused = [o for o in outcomes if isinstance(o, PreconditionFailed)]
        assert len(refused) == 7 and {r.found for r in refused} == {1}
        assert len(await store.read_all()) == 1
    finally:
        await store.close()
