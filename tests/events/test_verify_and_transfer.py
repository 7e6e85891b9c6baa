"""``tracker verify``, ``tracker export`` and ``tracker import``, run as a user runs them, on the
store itself (``open_raw_store``: what it stores is what they carry; sealing is tests/people)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text

from tests.databases import fresh_postgres_database, fresh_sqlite_database
from tracker.clock import FixedClock
from tracker.db import asyncpg_dsn, is_sqlite
from tracker.events.base import Metadata, NewEvent
from tracker.events.open import open_raw_store
from tracker.events.people import PersonRegistered, PersonRenamed
from tracker.events.sqlite_store import SqliteEventStore
from tracker.events.store import EventStore
from tracker.settings import Settings


def tracker(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TRACKER_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def fill(url: str, clock: FixedClock) -> None:
    store = open_raw_store(Settings(database_url=url), clock=clock)
    try:
        for n in range(5):
            stream = f"person:p{n}@x.example"
            await store.append(
                stream,
                [
                    NewEvent(
                        data=PersonRegistered(email=f"p{n}@x.example", name=f"Person {n}"),
                        occurred_at=clock.now(),
                        metadata=Metadata(actor="admin@x.example", source={"row": str(n)}),
                    ),
                    NewEvent(
                        data=PersonRenamed(email=f"p{n}@x.example", name="Ünïcode ✓"),
                        occurred_at=clock.now(),
                    ),
                ],
                0,
                idempotency_key=f"key-{n}",
            )
    finally:
        await store.close()


async def tamper(url: str, position: int) -> None:
    """Change one byte of a stored event, as an attacker with database access would."""
    if is_sqlite(url):
        store = SqliteEventStore(Settings(database_url=url))
        async with store.engine.begin() as conn:
            await conn.execute(text("DROP TRIGGER events_no_update"))
            await conn.execute(
                text(
                    "UPDATE events SET data = replace(data, 'Person 2', 'Person 3') "
                    "WHERE position = :p"
                ),
                {"p": position},
            )
        await store.close()
    else:
        conn = await asyncpg.connect(asyncpg_dsn(url))
        try:
            await conn.execute("ALTER TABLE events DISABLE TRIGGER events_append_only")
            await conn.execute(
                "UPDATE events SET data = replace(data, 'Person 2', 'Person 3') "
                "WHERE position = $1",
                position,
            )
        finally:
            await conn.close()


async def test_verify_passes_an_intact_store_and_names_the_first_tampered_event(
    database_url: str, clock: FixedClock
) -> None:
    await fill(database_url, clock)
    intact = tracker(database_url, "verify")
    assert intact.returncode == 0, intact.stderr
    assert "10 events in 5 streams" in intact.stdout

    store = open_raw_store(Settings(database_url=database_url))
    [target] = [
        e
        for e in await store.read_all(0, 100)
        if e.stream_id == "person:p2@x.example" and e.version == 1
    ]
    await store.close()
    await tamper(database_url, target.position)

    broken = tracker(database_url, "verify")
    assert broken.returncode == 1
    assert f"position {target.position}, stream 'person:p2@x.example' version 1" in broken.stderr
    assert "hash does not match" in broken.stderr


async def test_append_only_triggers_refuse_updates(database_url: str, clock: FixedClock) -> None:
    await fill(database_url, clock)
    if is_sqlite(database_url):
        store = SqliteEventStore(Settings(database_url=database_url))
        with pytest.raises(Exception, match="append-only"):
            async with store.engine.begin() as conn:
                await conn.execute(text("DELETE FROM events"))
        await store.close()
    else:
        conn = await asyncpg.connect(asyncpg_dsn(database_url))
        try:
            with pytest.raises(asyncpg.RaiseError, match="append-only"):
                await conn.execute("DELETE FROM events")
        finally:
            await conn.close()


@pytest.mark.parametrize("target", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_export_import_export_is_byte_identical(
    database_url: str, clock: FixedClock, tmp_path: Path, target: str
) -> None:
    await fill(database_url, clock)
    first = tmp_path / "first.jsonl"
    result = tracker(database_url, "export", str(first))
    assert result.returncode == 0, result.stderr
    assert "exported 10 events" in result.stdout

    async def round_trip(url: str) -> bytes:
        imported = tracker(url, "import", str(first))
        assert imported.returncode == 0, imported.stderr
        again = tmp_path / "again.jsonl"
        assert tracker(url, "export", str(again)).returncode == 0
        assert tracker(url, "verify").returncode == 0
        store: EventStore = open_raw_store(Settings(database_url=url), clock=clock)
        try:  # the imported store keeps working: idempotency keys and chains carry over
            retry = await store.append(
                "person:p0@x.example",
                [NewEvent(data=PersonRenamed(email="x", name="y"), occurred_at=clock.now())],
                0,
                idempotency_key="key-0",
            )
            assert retry.duplicate
            more = await store.append(
                "person:p0@x.example",
                [NewEvent(data=PersonRenamed(email="x", name="y"), occurred_at=clock.now())],
                2,
            )
            assert more.last_version == 3 and more.last_position > 10
        finally:
            await store.close()
        return again.read_bytes()

    if target == "sqlite":
        directory = tmp_path / "target"
        directory.mkdir()
        async with fresh_sqlite_database(directory) as url:
            assert await round_trip(url) == first.read_bytes()
    else:
        async with fresh_postgres_database() as url:
            assert await round_trip(url) == first.read_bytes()


async def test_import_refuses_a_tampered_file_and_writes_nothing(
    database_url: str, clock: FixedClock, tmp_path: Path
) -> None:
    source = tmp_path / "source"
    source.mkdir()
    export = tmp_path / "export.jsonl"
    async with fresh_sqlite_database(source) as source_url:
        await fill(source_url, clock)
        assert tracker(source_url, "export", str(export)).returncode == 0
    lines = export.read_bytes().splitlines(keepends=True)
    lines[3] = lines[3].replace(b"Person", b"Persun")
    export.write_bytes(b"".join(lines))
    result = tracker(database_url, "import", str(export))
    assert result.returncode == 2
    assert "nothing imported" in result.stderr and "position 4" in result.stderr
    store = open_raw_store(Settings(database_url=database_url))
    assert await store.read_raw(0, 10) == []
    await store.close()


async def test_import_refuses_a_store_that_already_holds_events(
    database_url: str, clock: FixedClock, tmp_path: Path
) -> None:
    await fill(database_url, clock)
    export = tmp_path / "export.jsonl"
    assert tracker(database_url, "export", str(export)).returncode == 0
    result = tracker(database_url, "import", str(export))
    assert result.returncode == 2
    assert "empty store" in result.stderr
